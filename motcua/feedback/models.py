"""Satisfaction ratings of returned dossiers, and feedback items (phản ánh, kiến nghị) with
their append-only log. Only `motcua.feedback.services` writes these tables."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from motcua.core.feedback import SCORE_MAX, SCORE_MIN, State


class Rating(models.Model):
    """A citizen's rating of one returned dossier: once (the unique dossier), on four
    dimensions, attributed to the deciding agency and to those who held the dossier."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    # The deciding agency, and the place whose desk handed the result over.
    agency = models.ForeignKey(
        "organization.Agency", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    place = models.ForeignKey(
        "organization.Agency", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    conduct = models.PositiveSmallIntegerField("thái độ, tác phong của cán bộ")
    punctuality = models.PositiveSmallIntegerField("đúng hẹn")
    guidance = models.PositiveSmallIntegerField("hướng dẫn rõ ràng")
    simplicity = models.PositiveSmallIntegerField("thủ tục đơn giản")
    comment = models.TextField(blank=True)
    channel = models.CharField(max_length=20)  # core.feedback.RatingChannel
    # Entered on the desk's own device (a staff sign-in in the browser, the desk's network or
    # a device it marked): kept, and shown apart (DOMAIN §13).
    at_desk = models.BooleanField(default=False)
    desk_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    citizen = models.ForeignKey(
        "citizens.Citizen", null=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.GenericIPAddressField(null=True, blank=True)
    # When the result was handed over: the response rate counts ratings by the return's period.
    returned_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        # Read by the response-rate page: ratings of the results returned in a period.
        indexes = [models.Index(fields=["returned_at"], name="rating_by_return")]
        constraints = [
            models.CheckConstraint(
                condition=Q(conduct__gte=SCORE_MIN, conduct__lte=SCORE_MAX)
                & Q(punctuality__gte=SCORE_MIN, punctuality__lte=SCORE_MAX)
                & Q(guidance__gte=SCORE_MIN, guidance__lte=SCORE_MAX)
                & Q(simplicity__gte=SCORE_MIN, simplicity__lte=SCORE_MAX),
                name="rating_scores_1_to_5",
            )
        ]


class RatingOfficer(models.Model):
    """A rating attributed to one person who held the dossier (or handed the result over)."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="officers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rating", "user"], name="one_attribution_per_user")
        ]


class Feedback(models.Model):
    """A phản ánh, kiến nghị: what it is about, where it is, its deadlines, its answer."""

    code = models.CharField(max_length=20, unique=True)  # the citizen's tracking code
    # The tracking secret that goes with the code (as a dossier's): who holds both sees the
    # item. "" for an item filed before secrets were given: its code alone opens it.
    secret = models.CharField(max_length=8, blank=True)
    subject = models.CharField(max_length=20)  # core.feedback.Subject
    content = models.TextField()
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where the citizen dealt with it (a place they picked), and the official complained
    # about as typed and, when the name matched one person of that agency, who it is.
    place = models.ForeignKey(
        "organization.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    official_name = models.CharField(max_length=200, blank=True)
    official_at_desk = models.BooleanField(default=False)
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    official_agency = models.ForeignKey(
        "organization.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    official_unit = models.ForeignKey(
        "organization.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The agency handling it now (forwarding moves it), and the one that first received it.
    agency = models.ForeignKey("organization.Agency", on_delete=models.PROTECT, related_name="+")
    first_agency = models.ForeignKey(
        "organization.Agency", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=20, default=State.OPEN.value)
    level = models.PositiveSmallIntegerField(default=0)  # core.feedback.Level

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    citizen = models.ForeignKey(
        "citizens.Citizen", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The address we answer at was verified (a signed-in citizen's), not only given.
    contact_verified = models.BooleanField(default=False)

    # Counted once from the receipt and never reset (forwarding and escalation keep them).
    received_at = models.DateTimeField()
    starts_at = models.DateTimeField()
    refuse_by = models.DateTimeField()
    supplement_by = models.DateTimeField()
    forward_by = models.DateTimeField()
    handle_by = models.DateTimeField()
    oversight_at = models.DateTimeField()

    # The agency's one request for more information, and the citizen's reply.
    question = models.TextField(blank=True)
    asked_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    refusal_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A conduct complaint's finding when answered (core.feedback.Finding; "" otherwise), and
    # the official it concerns: the one named, or whom the person closing it identified.
    finding = models.CharField(max_length=20, blank=True)
    concerned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    publish_by = models.DateTimeField(null=True, blank=True)
    # The answer made public by the agency: the question and the answer in its own words,
    # checked for personal data (core.feedback.check_public_text); only these are shown on
    # the public list, searched through their folded text.
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    public_question = models.TextField(blank=True)
    public_answer = models.TextField(blank=True)
    public_search = models.TextField(blank=True, editable=False)
    # Every write is a compare-and-set on this number (a double submit or two officers).
    version = models.PositiveIntegerField(default=0)
    # The filing form's one-time key: the same form sent twice files one item. NULL (no key)
    # rather than "", so that the unique index skips it.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        indexes = [
            # Read by the worker's escalation pass: open items by deadline.
            models.Index(fields=["handle_by"], name="feedback_open_due", condition=Q(state="open")),
            # Read by the staff list: one agency's open items.
            models.Index(
                fields=["agency", "handle_by"],
                name="feedback_open_by_agency",
                condition=Q(state="open"),
            ),
            # Read by the public list of published answers, newest first (and per agency).
            models.Index(
                fields=["-published_at"],
                name="feedback_published",
                condition=Q(published_at__isnull=False),
            ),
            models.Index(
                fields=["agency", "-published_at"],
                name="feedback_published_by_agency",
                condition=Q(published_at__isnull=False),
            ),
        ]


class FeedbackEvent(models.Model):
    """One thing done to an item, by whom and when (append-only): filed, forwarded, answered,
    refused, escalated; with the deadline it was measured against and how it went."""

    item = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=20)  # core.feedback.Event
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=20)
    agency = models.ForeignKey(
        "organization.Agency", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    to_agency = models.ForeignKey(
        "organization.Agency",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    at = models.DateTimeField()
    text = models.TextField(blank=True)
    level = models.PositiveSmallIntegerField(default=0)
    timing = models.CharField(max_length=10, blank=True)  # in_time | late | ""

    class Meta:
        ordering = ["item", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["item", "seq"], name="one_feedback_event_per_seq")
        ]


class PendingFeedback(models.Model):
    """A phản ánh filed by someone whose address is not yet verified: kept here, routed to
    no agency and counted against no deadline, until the code sent to the address is typed
    (then it becomes a `Feedback`, `item`)."""

    # The filing as the form parsed it (services.Filing's fields), the address to verify and
    # the account's challenge that verifies it (motcua.citizens; the latest one sent).
    filing = models.JSONField()
    kind = models.CharField(max_length=10)  # email or phone
    address = models.CharField(max_length=254)
    challenge_id = models.PositiveIntegerField()
    citizen = models.ForeignKey(
        "citizens.Citizen", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    item = models.OneToOneField(
        Feedback, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The filing form's one-time key, as on Feedback: the same form sent twice holds one.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
