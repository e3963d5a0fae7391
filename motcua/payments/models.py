"""Payments of fees for a dossier (at the desk or online), the callbacks received, and the
sandbox provider's own charges (a test double)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Payment(models.Model):
    """One payment of a dossier's fee: started online or recorded at the desk."""

    class Method(models.TextChoices):
        DESK = "desk", "tại quầy"
        ONLINE = "online", "trực tuyến"

    class State(models.TextChoices):
        PENDING = "pending", "chờ thanh toán"
        PAID = "paid", "đã thanh toán"
        CANCELLED = "cancelled", "đã hủy"

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    # Our order number, given to the provider and named by its callback.
    reference = models.CharField("mã thanh toán", max_length=40, unique=True)
    method = models.CharField("hình thức", max_length=10, choices=Method.choices)
    state = models.CharField("trạng thái", max_length=10, choices=State.choices)
    provider = models.CharField("đơn vị thanh toán", max_length=40, blank=True)
    amount_due = models.PositiveIntegerField("số phải nộp (đồng)")
    amount = models.PositiveIntegerField("số đã nộp (đồng)", default=0)
    # What the amount was counted for (core.fees.Quantity): channel, copies, pages.
    quantity = models.JSONField(default=dict, blank=True)
    transaction = models.CharField("mã giao dịch", max_length=100, blank=True)
    receipt_number = models.CharField("số biên lai", max_length=40, blank=True)
    # The secret part of the receipt's link (sent by e-mail), so the code alone shows nothing.
    receipt_key = models.CharField(max_length=32)
    payer_name = models.CharField("người nộp tiền", max_length=200)
    payer_email = models.EmailField("thư điện tử", blank=True)
    citizen = models.ForeignKey(
        "citizens.Citizen", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "khoản thanh toán"
        verbose_name_plural = "khoản thanh toán"
        constraints = [
            # A dossier's fee is paid once: a second payment (a double click at the desk, a
            # second checkout) is refused by the database as well as by the services.
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(state="paid"), name="payment_once_per_dossier"
            ),
            models.UniqueConstraint(
                fields=["receipt_number"],
                condition=~Q(receipt_number=""),
                name="payment_receipt_unique",
            ),
        ]
        indexes = [
            # Read by the reconciliation, per day.
            models.Index(fields=["paid_at"], name="payment_paid", condition=Q(state="paid")),
            # Read by the worker: payments still waiting for their callback.
            models.Index(
                fields=["created_at"], name="payment_pending", condition=Q(state="pending")
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class PaymentNotice(models.Model):
    """A provider's callback as received, whatever it did (append-only): replays, wrong
    amounts and forged signatures are kept for the reconciliation."""

    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    reference = models.CharField(max_length=100)
    outcome = models.CharField(max_length=20)
    amount = models.BigIntegerField(null=True, blank=True)
    transaction = models.CharField(max_length=100, blank=True)
    fields = models.JSONField(default=dict)
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = "thông báo thanh toán"
        verbose_name_plural = "thông báo thanh toán"

    def __str__(self) -> str:
        return f"{self.reference}: {self.outcome}"


class SandboxCharge(models.Model):
    """The sandbox provider's own record of a checkout (a test double of a real provider's
    side, so that its status query has something to answer from)."""

    reference = models.CharField(max_length=40, unique=True)
    amount = models.PositiveIntegerField()
    description = models.CharField(max_length=300)
    return_url = models.CharField(max_length=500)
    state = models.CharField(max_length=10, default="pending")  # pending | paid | cancelled
    transaction = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.reference
