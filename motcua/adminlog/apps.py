from django.apps import AppConfig


class AdminlogConfig(AppConfig):
    name = "motcua.adminlog"
    verbose_name = "Nhật ký thay đổi quản trị"
    # Locked append-only by `motcua audit lockdown`, like the dossiers' event log.
    append_only = ("AdminChange",)
