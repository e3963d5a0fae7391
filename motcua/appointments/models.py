"""Counter appointments: the windows a branch opens, each slot's count, and the bookings."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

WEEKDAYS = [
    (0, "Thứ Hai"),
    (1, "Thứ Ba"),
    (2, "Thứ Tư"),
    (3, "Thứ Năm"),
    (4, "Thứ Sáu"),
    (5, "Thứ Bảy"),
    (6, "Chủ nhật"),
]


class Window(models.Model):
    """A time window a branch (a place that receives dossiers) opens for appointments on a
    weekday, with its number of places; set by the centre in the admin."""

    branch = models.ForeignKey(
        "organization.Agency",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="nơi tiếp nhận",
    )
    weekday = models.PositiveSmallIntegerField("thứ", choices=WEEKDAYS)
    start = models.TimeField("từ giờ")
    end = models.TimeField("đến giờ")
    capacity = models.PositiveSmallIntegerField("số chỗ")

    class Meta:
        verbose_name = "khung giờ hẹn"
        verbose_name_plural = "khung giờ hẹn"
        constraints = [
            models.UniqueConstraint(fields=["branch", "weekday", "start"], name="window_once"),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="window_ends_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class SlotCount(models.Model):
    """How many places of one slot (branch, day, start) are taken: the compare-and-set row
    that decides which of two bookings for the last place wins."""

    branch = models.ForeignKey("organization.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    start = models.TimeField()
    booked = models.PositiveSmallIntegerField(default=0)
    issued = models.PositiveSmallIntegerField(default=0)  # tickets given, cancelled ones too

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "day", "start"], name="slot_count_once")
        ]


class Booking(models.Model):
    """A citizen's appointment at a branch's counter for a procedure."""

    citizen = models.ForeignKey("citizens.Citizen", on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey("organization.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField("ngày hẹn")
    start = models.TimeField()
    end = models.TimeField()
    ticket = models.CharField("số thứ tự", max_length=12)
    # In the QR code: opens the booking at the desk; unguessable, unlike the id.
    key = models.CharField(max_length=32, unique=True)
    state = models.CharField(max_length=12, default="booked")
    # The dossier the desk received at the counter for this booking (optional).
    dossier_id = models.BigIntegerField(null=True, blank=True)
    # The citizen's online draft of the procedure, filled in before coming (motcua.online),
    # by id: the booking reads it through online's selectors (none without an e-form).
    draft_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    no_show_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "lịch hẹn"
        verbose_name_plural = "lịch hẹn"
        constraints = [
            # One active booking per person, procedure and day (core.appointments.ACTIVE).
            models.UniqueConstraint(
                fields=["citizen", "procedure", "day"],
                condition=Q(state__in=["booked", "checked_in", "called"]),
                name="booking_one_active",
            ),
            models.UniqueConstraint(fields=["branch", "day", "ticket"], name="booking_ticket"),
        ]
        indexes = [
            # Read by the desk's day list and the worker (reminders, no-shows).
            models.Index(fields=["day", "branch"], name="booking_by_day"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket} {self.day:%d/%m/%Y}"
