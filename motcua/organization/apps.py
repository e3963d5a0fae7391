from django.apps import AppConfig


class OrganizationConfig(AppConfig):
    name = "motcua.organization"
    verbose_name = "Tổ chức, cán bộ và lịch làm việc"
