from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "motcua.oversight"
    label = "oversight"
    verbose_name = "Giám sát, đánh giá"
