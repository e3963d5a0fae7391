from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    verbose_name = "Phí, lệ phí và thanh toán"
    # Locked append-only by `motcua audit lockdown`: every provider's callback as received
    # (the reconciliation's evidence). A Payment row is not: its state moves pending → paid.
    append_only = ("PaymentNotice",)
