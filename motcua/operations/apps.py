from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "motcua.operations"
    verbose_name = "Vận hành"
