from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "motcua.desk"
    verbose_name = "Bàn làm việc cán bộ"
