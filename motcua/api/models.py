"""The API's tables: its clients (keys hashed), the record of every call (a keyed hash chain),
the stored answers of creates by idempotency key, and the national portal's data of a dossier
it sent (TT 04/2025)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    """An integrating system: what it may do (operations), where (agencies), how often, and its
    key as a lookup prefix and a hash (the key itself is shown once, at creation or rotation)."""

    name = models.CharField(_("tên ứng dụng kết nối"), max_length=200, unique=True)
    agencies = models.ManyToManyField(
        "organization.Agency", related_name="+", blank=True, verbose_name=_("cơ quan")
    )
    operations = models.JSONField(_("thao tác được phép"), default=list)
    key_prefix = models.CharField(max_length=8, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    requests_per_minute = models.PositiveIntegerField(_("số yêu cầu mỗi phút"), default=120)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    rotated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("ứng dụng kết nối API")
        verbose_name_plural = _("ứng dụng kết nối API")

    def __str__(self) -> str:
        return self.name


class ApiCall(models.Model):
    """One call to /api/v1, refusals included: who (the client, or none), what, the answer,
    chained like the administrative log (motcua/api/chain.py). No body is kept, only its digest."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    # The client's id and name as they were (no foreign key: the record outlives the client).
    client_id = models.IntegerField(null=True, blank=True)
    client_name = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    error_code = models.CharField(max_length=60, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)
    body_digest = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        # Read by an operator looking into one client's calls, newest first.
        indexes = [models.Index(fields=["client_id", "at"], name="apicall_by_client")]


class ApiCallHead(models.Model):
    """The chain's last seq and hash (one row), locked by every record (as AdminChainHead)."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)


class IdempotentRequest(models.Model):
    """A create's answer under its client's idempotency key, with the digest of the body that
    made it: the same key and body replay the answer, another body is a conflict."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    operation = models.CharField(max_length=100)
    body_digest = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="one_answer_per_client_key")
        ]


class NationalDossier(models.Model):
    """What the national portal sent with a dossier (TT 04/2025/TT-VPCP): its own reference,
    the adapter's version, the flags, the fees and the message as received."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    portal_ref = models.CharField(_("mã hồ sơ trên Cổng quốc gia"), max_length=50, unique=True)
    adapter_version = models.CharField(max_length=30)
    client_id = models.IntegerField(null=True, blank=True)
    vneid = models.BooleanField(default=False)
    paid_online = models.PositiveSmallIntegerField(default=0)
    digitised = models.BooleanField(default=False)
    papers = models.JSONField(default=list)
    fees = models.JSONField(default=list)
    # The message as received, without the applicant's personal fields (they are the dossier's,
    # pseudonymised with it: docs/privacy.md); its SHA-256 whole tells a replay from a change.
    payload = models.JSONField(default=dict)
    payload_digest = models.CharField(max_length=64, default="")
    # NgayNopHoSo: when the citizen submitted it on the portal (null for rows made before).
    filed_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = _("hồ sơ từ Cổng Dịch vụ công quốc gia")
        verbose_name_plural = _("hồ sơ từ Cổng Dịch vụ công quốc gia")
