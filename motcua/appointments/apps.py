from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "motcua.appointments"
    verbose_name = "Lịch hẹn nộp hồ sơ"
