from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "motcua.api"
    verbose_name = "API kết nối"
    # Locked append-only by `motcua audit lockdown`, like the dossiers' event log.
    append_only = ("ApiCall",)
