from django.apps import AppConfig


class PaperworkConfig(AppConfig):
    name = "motcua.paperwork"
    verbose_name = "Biểu mẫu"
