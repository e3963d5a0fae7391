"""Liên thông between installations: the peers and their keys, the agencies they host, the
steps handed over either way, the messages received (replay protection) and the message log.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Installation(models.Model):
    """Another motcua installation this one exchanges steps with (a peer)."""

    code = models.CharField(_("mã hệ thống"), max_length=64, unique=True)
    name = models.CharField(_("tên hệ thống"), max_length=200)
    # Where its receiver listens: messages go to <base_url>/lien-thong/v1/messages.
    base_url = models.URLField(_("địa chỉ"), max_length=300)
    active = models.BooleanField(_("đang liên thông"), default=True)

    class Meta:
        verbose_name = _("hệ thống liên thông")
        verbose_name_plural = _("hệ thống liên thông")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PeerKey(models.Model):
    """A peer's Ed25519 public key, valid from `valid_from` until `valid_until` (open-ended
    while None): a message it signed at another time is refused."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="keys")
    key_id = models.CharField(_("mã khóa"), max_length=64)
    public_key = models.CharField(_("khóa công khai"), max_length=64)  # base64, 32 raw bytes
    valid_from = models.DateTimeField(_("hiệu lực từ"))
    valid_until = models.DateTimeField(_("hiệu lực đến"), null=True, blank=True)

    class Meta:
        verbose_name = _("khóa của hệ thống liên thông")
        verbose_name_plural = _("khóa của hệ thống liên thông")
        constraints = [
            models.UniqueConstraint(fields=["installation", "key_id"], name="exchange_peer_key")
        ]

    def __str__(self) -> str:
        return f"{self.installation.code}/{self.key_id}"


class RemoteAgency(models.Model):
    """An agency (by its e-ID code, as the catalog's step templates name it) that works on
    another installation: a step of ours at it is handed over there."""

    agency_code = models.CharField(_("mã định danh cơ quan"), max_length=35, unique=True)
    installation = models.ForeignKey(
        Installation, on_delete=models.PROTECT, related_name="agencies"
    )
    # The procedure the agency opens there for such a step; blank: the dossier's own code.
    procedure_code = models.CharField(_("mã thủ tục bên nhận"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("cơ quan ở hệ thống khác")
        verbose_name_plural = _("cơ quan ở hệ thống khác")

    def __str__(self) -> str:
        return f"{self.agency_code} → {self.installation.code}"


class Handover(models.Model):
    """A step of one of our dossiers handed to an agency on another installation."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    step_index = models.PositiveSmallIntegerField()
    installation = models.ForeignKey(Installation, on_delete=models.PROTECT, related_name="+")
    request_id = models.CharField(max_length=36, unique=True)  # the step.request's message id
    handed_at = models.DateTimeField()
    remote_code = models.CharField(max_length=50, blank=True)  # its dossier there (step.accepted)
    accepted_at = models.DateTimeField(null=True, blank=True)
    result_at = models.DateTimeField(null=True, blank=True)  # the step.result arrived
    outcome = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)  # why a result could not move the dossier on

    class Meta:
        indexes = [models.Index(fields=["dossier", "step_index"], name="exchange_handover_step")]


class Task(models.Model):
    """One of our dossiers opened for a step another installation handed us."""

    installation = models.ForeignKey(Installation, on_delete=models.PROTECT, related_name="+")
    request_id = models.CharField(max_length=36)
    origin_code = models.CharField(max_length=50)  # the dossier there
    step_index = models.PositiveSmallIntegerField()
    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    result_id = models.CharField(max_length=36, blank=True)  # the step.result queued, once

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "request_id"], name="exchange_task_request"
            )
        ]


class Received(models.Model):
    """A message received and acted on: a second delivery of the same id is answered with the
    same acknowledgement (`ack`, as signed then) and changes nothing."""

    installation = models.ForeignKey(Installation, on_delete=models.PROTECT, related_name="+")
    message_id = models.CharField(max_length=36)
    type = models.CharField(max_length=20)
    received_at = models.DateTimeField()
    ack = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["installation", "message_id"], name="exchange_received_once"
            )
        ]


class Wait(models.Model):
    """Time a dossier spent in flight between installations (queued, retried while the peer
    was down): integration time, counted apart from the agencies' time."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    step_index = models.PositiveSmallIntegerField()
    leg = models.CharField(max_length=10)  # request | result
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    seconds = models.PositiveIntegerField()  # working seconds of the dossier's calendar

    class Meta:
        indexes = [models.Index(fields=["dossier"], name="exchange_wait_dossier")]


class LogEntry(models.Model):
    """The message log (X-Road's model): every message sent, received, acknowledged or
    refused, as it travelled, each row chained to the one before by a keyed hash."""

    class Kind(models.TextChoices):
        SENT = "sent", _("Đã gửi")
        ACKNOWLEDGED = "acknowledged", _("Bên nhận đã xác nhận")
        REJECTED = "rejected", _("Bên nhận từ chối")
        RECEIVED = "received", _("Đã nhận")
        ACK_SENT = "ack_sent", _("Đã xác nhận")
        REFUSED = "refused", _("Đã từ chối")

    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    peer = models.CharField(max_length=64, blank=True)
    message_id = models.CharField(max_length=64, blank=True)
    type = models.CharField(max_length=20, blank=True)
    dossier = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)  # the envelope's canonical JSON, or what came
    signature = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)  # an ack's status, a refusal's error
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("nhật ký thông điệp liên thông")
        verbose_name_plural = _("nhật ký thông điệp liên thông")
        constraints = [models.UniqueConstraint(fields=["seq"], name="exchange_log_seq")]
        indexes = [
            models.Index(
                fields=["message_id", "kind"],
                name="exchange_log_message",
                condition=~Q(message_id=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.kind} {self.message_id}"


class LogHead(models.Model):
    """The message log's last seq and hash (one row): appends lock it, so the chain is linear."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
