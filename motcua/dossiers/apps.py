from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    verbose_name = "Hồ sơ"
    # Locked append-only by `motcua audit lockdown` (motcua/dossiers/lockdown.py): the event
    # log, the hand-over rows and the read log.
    append_only = ("DossierEvent", "DossierStep", "DossierAccess")
