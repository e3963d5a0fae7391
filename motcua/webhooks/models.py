"""Webhook subscribers: systems told of the status changes of the dossiers of the agencies
they follow, each delivery signed with the subscriber's live secrets (motcua.core.webhooks)."""

from __future__ import annotations

from django.db import models


class Subscriber(models.Model):
    """A receiving system: where deliveries go and which agencies' dossiers it follows."""

    name = models.CharField("tên hệ thống nhận", max_length=200)
    # Checked by motcua.core.webhooks.check_url when set through the services or the admin.
    url = models.URLField("địa chỉ nhận", max_length=300)
    # A dossier is followed when its received place, receiving, competent or current agency
    # is one of these (docs/integration.md, "Webhooks").
    agencies = models.ManyToManyField(
        "organization.Agency", related_name="+", verbose_name="cơ quan theo dõi"
    )
    active = models.BooleanField("đang nhận", default=True)
    created_at = models.DateTimeField("tạo lúc")

    class Meta:
        verbose_name = "hệ thống nhận webhook"
        verbose_name_plural = "hệ thống nhận webhook"

    def __str__(self) -> str:
        return self.name


class SubscriberSecret(models.Model):
    """One signing secret: shown once when made, never again; signs from `created_at` until
    `retire_at` (set by the next rotation, after the grace period)."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="secrets")
    secret = models.CharField(max_length=100)
    created_at = models.DateTimeField("tạo lúc")
    retire_at = models.DateTimeField("hết hiệu lực lúc", null=True, blank=True)

    class Meta:
        verbose_name = "khóa ký webhook"
        verbose_name_plural = "khóa ký webhook"

    def __str__(self) -> str:
        return f"{self.subscriber_id}/{self.pk}"
