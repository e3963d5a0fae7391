"""Dossiers: the projection (`Dossier`, `DossierStep`) and the source of truth (`DossierEvent`).

Only `motcua.dossiers.services` writes these tables.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.utils.translation import gettext_lazy as _

from motcua.core.lifecycle import OPEN, STATUS_LABELS, Status

OPEN_CODES = sorted(int(s) for s in OPEN)
# The dossier's numbers are plain integer columns, not Django's positive fields, and validated
# as non-negative here rather than by a CHECK (>= 0) in the database: PostgreSQL rebuilds each
# check constraint's expression from its stored text on every UPDATE it runs, and the row's
# nine such checks were a measurable part of the compare-and-set that every action makes
# (bench/README.md). These numbers are the write path's own (counters, indexes into the step
# plan, the status code, the version), and `audit verify` rebuilds every one from the events.
NOT_NEGATIVE = [MinValueValidator(0)]
# What waits at the receiving desk itself: online dossiers to check, withdrawals to stop
# (form 05), results to hand back.
AT_DESK_CODES = [int(Status.NEW), int(Status.WITHDRAWN), int(Status.DONE)]


class Dossier(models.Model):
    """The current state of one dossier, rebuilt from its events by the write path."""

    class Channel(models.IntegerChoices):
        IN_PERSON = 1, _("Trực tiếp")
        ONLINE = 2, _("Trực tuyến")
        POSTAL = 3, _("Bưu chính công ích")

    class Delivery(models.TextChoices):
        DESK = "desk", _("Nhận trực tiếp tại Bộ phận một cửa")
        POST = "post", _("Nhận qua dịch vụ bưu chính công ích")
        ELECTRONIC = "electronic", _("Nhận bản điện tử")

    # Assigned at valid reception, never at draft; refused-at-desk dossiers keep none.
    # Unique through Meta.constraints: a plain index without the LIKE twin that unique=True adds.
    code = models.CharField(_("mã hồ sơ"), max_length=50, null=True, blank=True)  # noqa: DJ001
    tracking_secret = models.CharField(_("mã tra cứu"), max_length=12)
    # Indexed: the catalog import asks whether a version has dossiers before it may change it.
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion", on_delete=models.PROTECT, related_name="dossiers"
    )
    channel = models.SmallIntegerField(
        _("kênh nộp"), choices=Channel.choices, validators=NOT_NEGATIVE
    )
    status = models.SmallIntegerField(
        _("trạng thái"),
        validators=NOT_NEGATIVE,
        # The core's labels, marked there; looked up in the reader's language when shown.
        choices=[(int(s), _(label)) for s, label in STATUS_LABELS.items()],
    )
    # Derived by the database from the status, so that the partial indexes name these and
    # not the status: a status change inside one group (received -> processing -> waiting
    # for the citizen -> processing) then leaves every indexed value alone and PostgreSQL
    # updates the row in place (HOT), without a new entry in each of the table's indexes.
    # Queries that want those indexes filter on these columns.
    still_open = models.GeneratedField(
        expression=ExpressionWrapper(Q(status__in=OPEN_CODES), output_field=models.BooleanField()),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    waits_at_desk = models.GeneratedField(
        expression=ExpressionWrapper(
            Q(status__in=AT_DESK_CODES), output_field=models.BooleanField()
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )

    applicant_name = models.CharField(_("người nộp"), max_length=200)
    applicant_id_number = models.CharField(_("số định danh"), max_length=20)
    applicant_kind = models.CharField(max_length=20, default="personal")
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    representative_name = models.CharField(_("người được ủy quyền"), max_length=200, blank=True)
    representative_id_number = models.CharField(max_length=20, blank=True)
    authorisation = models.CharField(_("văn bản ủy quyền"), max_length=300, blank=True)
    request = models.TextField(_("nội dung yêu cầu"), blank=True)
    copies = models.SmallIntegerField(_("số bộ hồ sơ"), default=1, validators=NOT_NEGATIVE)
    delivery = models.CharField(
        _("hình thức nhận kết quả"),
        max_length=20,
        choices=Delivery.choices,
        default=Delivery.DESK,
    )
    # Folded applicant name for accent-insensitive search (motcua.core.text.fold). Searched
    # with LIKE '%…%' inside one agency's inbox, where a B-tree index would not help.
    search_name = models.CharField(max_length=200)
    # The applicant's and the representative's ID numbers and the phone, each in the normal
    # form of motcua.core.contact, space-padded (" 001203012345 0912345678 "): the counter
    # finds a dossier by any of them however it is typed. Searched, like the name, inside
    # one agency's inbox (no index: see docs/architecture.md).
    search_numbers = models.CharField(max_length=80, blank=True, default="")

    # No index per foreign key from here on: every action rewrites the row, and each index
    # costs every write that moves it. Reads go through the composite indexes in Meta; what
    # is left unindexed is read only when an agency, unit or user is deleted (rare, and
    # refused anyway while dossiers refer to it).
    # Nor a foreign-key constraint on the references to agencies, units and people, here and
    # in the steps and events (db_constraint=False): PostgreSQL checks each one by locking the
    # referenced row (SELECT … FOR KEY SHARE) in every action's transaction, so a whole
    # province's actions would queue on the same few agency rows, and the checks were a fifth
    # of an action's statements (bench/README.md). Deleting what a dossier refers to is still
    # refused (on_delete=PROTECT, through the ORM); `audit verify` reports any reference left
    # dangling by SQL run around it. The rows every action appends under the dossier (events,
    # hand-overs, papers, the result's copy) do not have the database check their dossier
    # either: each such check was one more statement at COMMIT (2.4 per action). Deleting a
    # dossier still cascades (or is refused) through the ORM, and `audit verify` reports any row
    # left without its dossier.
    # Three places kept apart (DOMAIN §2).
    received_place = models.ForeignKey(
        "organization.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    receiving_agency = models.ForeignKey(
        "organization.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    competent_agency = models.ForeignKey(
        "organization.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    step_index = models.SmallIntegerField(default=0, validators=NOT_NEGATIVE)
    step_count = models.SmallIntegerField(default=1, validators=NOT_NEGATIVE)
    current_agency = models.ForeignKey(
        "organization.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    current_unit = models.ForeignKey(
        "organization.Unit",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    current_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    # The citizen's account that submitted it online, or that the dossier was tied to; None
    # for a dossier lodged at the counter by someone without an account.
    citizen = models.ForeignKey(
        "citizens.Citizen",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    submitted_at = models.DateTimeField(_("thời điểm nộp"))
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("hẹn trả ban đầu"), null=True, blank=True)
    step_due_at = models.DateTimeField(_("hạn bước hiện tại"), null=True, blank=True)
    # The open hand-over is the projection's (form 06's line being written): when it began
    # and the citizen's working time during it; its row is written once, when it ends.
    step_started_at = models.DateTimeField(null=True, blank=True)
    step_paused_seconds = models.IntegerField(default=0, validators=NOT_NEGATIVE)
    finished_at = models.DateTimeField(_("kết thúc xử lý"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả"), null=True, blank=True)
    # How the result was handed over (form 07's last columns; the event records the same).
    result_number = models.CharField(_("số, ký hiệu văn bản kết quả"), max_length=100, blank=True)
    collector = models.CharField(max_length=20, blank=True)  # applicant | authorised | ""
    collector_name = models.CharField(_("người nhận kết quả"), max_length=200, blank=True)
    collector_id_number = models.CharField(max_length=20, blank=True)
    collector_authorisation = models.CharField(max_length=300, blank=True)
    post_tracking = models.CharField(_("số hiệu bưu gửi"), max_length=40, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    # The clock ledger as plain entries (a projection of the events' "clock" payloads); the
    # explanation of the due date is recomputed from it when shown (selectors), not stored
    # in the row every action rewrites.
    clock = models.JSONField(default=list, blank=True)

    supplement_requests = models.SmallIntegerField(default=0, validators=NOT_NEGATIVE)
    # A result proposal waiting for its signature, and who proposed it: they may not sign it.
    proposed = models.BooleanField(default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # A decision has been signed at some step (no withdrawal after it), and at which step the
    # last signature was given: a signing step is passed on only once it has signed.
    approved = models.BooleanField(default=False)
    signed_step = models.SmallIntegerField(null=True, blank=True, validators=NOT_NEGATIVE)
    apology = models.CharField(max_length=10, default="none")  # none | draft | approved | closed

    # Optimistic concurrency: every write is a compare-and-set on this number; it also
    # equals the seq of the dossier's newest event.
    version = models.IntegerField(default=0, validators=NOT_NEGATIVE)
    # Hash of the newest event, so appending does not need to read the chain back.
    chain_head = models.CharField(max_length=64, default="0" * 64)
    # A double click or a resubmitted form carries the same key and gets the same dossier.
    # NULL (no key) rather than "", so that the partial unique index skips it.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            # Read by the worker (process_deadlines): open dossiers by deadline.
            models.Index(fields=["due_at"], name="dossier_open_due", condition=Q(still_open=True)),
            # Read by inboxes: what each agency holds, most urgent first.
            # Not the step's due time: a hand-over inside one agency then leaves every indexed
            # column alone, and PostgreSQL can update the row in place (HOT).
            models.Index(
                fields=["current_agency"],
                name="dossier_open_by_agency",
                condition=Q(still_open=True),
            ),
            # Read by the desk: online dossiers to check (1), withdrawals waiting for the stop
            # notice (7) and results to hand back (9).
            models.Index(
                fields=["received_place", "submitted_at"],
                name="dossier_at_desk",
                condition=Q(waits_at_desk=True),
            ),
            # Read by the portal: a citizen's own dossiers, newest first.
            models.Index(
                fields=["citizen", "submitted_at"],
                name="dossier_of_citizen",
                condition=Q(citizen__isnull=False),
            ),
            # Read by the reception ledger (so theo dõi) and reports by period.
            models.Index(fields=["receiving_agency", "received_at"], name="dossier_received"),
            # Read by the e-form's pre-fill: the dossiers lodged under a verified ID number.
            models.Index(
                fields=["applicant_id_number", "submitted_at"], name="dossier_of_applicant"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="dossier_code"),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="dossier_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return self.code or f"(chưa có mã #{self.pk})"

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CODES

    @property
    def paused_since(self) -> datetime | None:
        """When the pause still running began (the citizen was asked for the supplement), as
        the clock ledger records it; None unless the dossier waits for the citizen."""
        if self.status != Status.SUPPLEMENT or not self.clock or self.clock[-1]["kind"] != "pause":
            return None
        return datetime.fromisoformat(self.clock[-1]["at"])


class DossierStep(models.Model):
    """One finished hand-over: who held the dossier for which step, from when to when, and how
    that compares with its allotment (form 06). Append-only: written once, when the step
    ends; the step still open is the dossier's own (`current_*`, `step_*`)."""

    # Not checked by the database (see Dossier): `audit verify` reports orphans.
    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="steps", db_constraint=False
    )
    index = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=300)
    # Indexed with ended_at in Meta; unit and holder are read through the dossier.
    agency = models.ForeignKey(
        "organization.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    unit = models.ForeignKey(
        "organization.Unit",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    # Working seconds the citizen held the dossier during this step (not the agency's time).
    paused_seconds = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10)  # early | on_time | late
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["dossier", "started_at", "id"]
        # Read by dossier only (its foreign key's index), and by the agencies that held a step
        # (access_dossier), through the same index after the dossier is found.


class DossierEvent(models.Model):
    """An append-only, hash-chained record of one thing that happened to a dossier."""

    # Read by dossier only, through the unique (dossier, seq) index: one index per foreign key
    # would only slow the append that every action makes. Not checked by the database (see
    # Dossier): `audit verify` reports orphans.
    dossier = models.ForeignKey(
        Dossier,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=30)
    from_status = models.PositiveSmallIntegerField(null=True)
    to_status = models.PositiveSmallIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    actor_role = models.CharField(max_length=20)
    agency = models.ForeignKey(
        "organization.Agency",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    unit = models.ForeignKey(
        "organization.Unit",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    at = models.DateTimeField()
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="one_event_per_seq")]


class DossierAccess(models.Model):
    """A staff member was shown a dossier's personal data: who, when, on which page, from
    which address (append-only; one row per dossier shown, a list's rows inserted at once;
    covered by the audit anchor's digest)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    role = models.CharField(max_length=20)
    at = models.DateTimeField()
    # Which page showed it (desk.dossier, desk.inbox, ledger.pdf …) and the client's address.
    page = models.CharField(max_length=40, default="dossier")
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        # Read by the oversight screen: one official's reads, and every read of a period,
        # newest first (one dossier's reads go through the foreign key's index).
        indexes = [
            models.Index(fields=["user", "at"], name="access_by_user"),
            models.Index(fields=["at"], name="access_by_time"),
        ]


class DossierDocument(models.Model):
    """A paper received with the dossier: at reception or brought later to complete it (each
    visit's papers are kept, never replaced). Digitised when it has a scan (`DossierScan`)."""

    # Not checked by the database (see Dossier): `audit verify` reports orphans.
    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="documents", db_constraint=False
    )
    # Indexed: the catalog import deletes a version's required documents only if no dossier
    # refers to them, and this row is never updated, so the index costs one entry per paper.
    # None: a paper the citizen brought that the procedure does not list (typed by the desk).
    required = models.ForeignKey(
        "catalog.RequiredDocument", null=True, blank=True, on_delete=models.PROTECT
    )
    name = models.CharField(max_length=500)
    copies = models.PositiveSmallIntegerField(default=1)
    original = models.BooleanField(default=False)
    # When it was received and by which event (1: reception; later: a supplement).
    received_at = models.DateTimeField(null=True, blank=True)
    event_seq = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["dossier", "event_seq", "id"]


class DossierScan(models.Model):
    """The electronic copy of one paper, scanned at the counter (append-only).

    The file lives in Django's default storage (MEDIA_ROOT), named by its content's SHA-256,
    and is served only through the access-checked desk view, never as a public URL.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="scans")
    document = models.ForeignKey(DossierDocument, on_delete=models.CASCADE, related_name="scans")
    file = models.FileField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )


class DossierResult(models.Model):
    """The electronic copy of a dossier's result (NĐ 118 Điều 22 k1), attached by the agency
    when it marks the result ready or when the desk returns it; one per dossier, never
    replaced. The file lives in the default storage (MEDIA_ROOT, not served), named by its
    SHA-256; the citizen downloads it through an ownership-checked view, staff through the
    desk's access check. The event that attached it records its hash."""

    # Not checked by the database (see Dossier): `audit verify` reports orphans.
    dossier = models.OneToOneField(
        Dossier, on_delete=models.CASCADE, related_name="result", db_constraint=False
    )
    file = models.FileField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(max_length=200, blank=True)
    attached_at = models.DateTimeField()
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    event_seq = models.PositiveIntegerField()


class ApologyLetter(models.Model):
    """Form 04: the late agency's apology with a new date, signed by its head; once per dossier."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="apology_letter")
    agency = models.ForeignKey("organization.Agency", on_delete=models.PROTECT, related_name="+")
    step_index = models.PositiveSmallIntegerField()
    reason = models.TextField()
    original_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField()
    drafted_at = models.DateTimeField()
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Signed on another installation (liên thông) by the head of the agency that held the step
    # there, who has no account here: their name and title as that installation sent them.
    signer_name = models.CharField(max_length=200, blank=True)
    signer_title = models.CharField(max_length=200, blank=True)
    # The one-day rule (motcua.core.apology.timing) against `original_due_at`: "in_time",
    # "late" or "after_deadline". A late draft or signature is a breach against `agency`.
    draft_timing = models.CharField(max_length=20, default="in_time")
    sign_timing = models.CharField(max_length=20, blank=True)  # "" until signed
    # An unsigned draft closes when its dossier finishes, with the reason (never signed then).
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True)

    @property
    def drafted_in_time(self) -> bool:
        return self.draft_timing == "in_time"

    @property
    def signed_in_time(self) -> bool | None:
        """None while unsigned."""
        return self.sign_timing == "in_time" if self.sign_timing else None

    @property
    def late(self) -> bool:
        """The letter broke the one-day rule, by its draft or by its signature."""
        return not self.drafted_in_time or self.signed_in_time is False


class DailySequence(models.Model):
    """The per-agency, per-day counter behind dossier codes (incremented with an upsert)."""

    agency_code = models.CharField(max_length=35)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency_code", "day"], name="one_sequence_per_day")
        ]
