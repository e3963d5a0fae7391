from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    label = "feedback"
    verbose_name = "Đánh giá, phản ánh, kiến nghị"
    # Locked append-only by `motcua audit lockdown`: what was done to each item, and when.
    append_only = ("FeedbackEvent",)
