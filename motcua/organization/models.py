"""Agencies (with electronic ID codes), units, staff and roles, and working calendars."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models

from motcua.core.lifecycle import Role


class Division(models.Model):
    """A province or commune-level unit, copied from the national list by `divisions import`."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40)  # "tỉnh", "thành phố trung ương", "phường", "xã", ...
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"

    def __str__(self) -> str:
        return self.name


class WorkCalendarConfig(models.Model):
    """A centre's working calendar: office hours, cut-offs; overrides are separate rows."""

    name = models.CharField("tên lịch", max_length=200, unique=True)
    morning_start = models.TimeField("sáng từ", default=time(8))
    morning_end = models.TimeField("sáng đến", default=time(12))
    afternoon_start = models.TimeField("chiều từ", default=time(13))
    afternoon_end = models.TimeField("chiều đến", default=time(17))
    late_cutoff = models.TimeField("giờ cắt tính sang ngày sau", default=time(16))
    same_day_cutoff = models.TimeField("giờ cắt thủ tục trong ngày", default=time(15))
    due_time_style = models.CharField(
        "cách hiển thị giờ hẹn",
        max_length=20,
        default="exact",
        choices=[("exact", "Giờ, phút theo thời điểm nhận"), ("end_of_day", "Cuối ngày làm việc")],
    )
    # Holidays from the `holidays` package that are not days off until confirmed (DOMAIN §8).
    excluded_holidays = models.JSONField(
        "ngày lễ chưa xác nhận là ngày nghỉ", default=list, blank=True
    )

    class Meta:
        verbose_name = "lịch làm việc"
        verbose_name_plural = "lịch làm việc"

    def __str__(self) -> str:
        return self.name


class CalendarOverride(models.Model):
    """An effective-dated change: a make-up working day or an extra day off."""

    calendar = models.ForeignKey(
        WorkCalendarConfig, on_delete=models.CASCADE, related_name="overrides"
    )
    day = models.DateField("ngày")
    working = models.BooleanField("là ngày làm việc", help_text="Bỏ chọn: ngày nghỉ thêm.")
    reason = models.CharField("lý do / văn bản", max_length=300)
    # Deadlines published before this moment keep the calendar they were computed with.
    decided_at = models.DateTimeField("có hiệu lực từ lúc nhập")

    class Meta:
        verbose_name = "điều chỉnh lịch"
        verbose_name_plural = "điều chỉnh lịch"
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="one_override_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}: {self.reason}"


class Agency(models.Model):
    """A state agency with its electronic ID code (mã định danh điện tử)."""

    class Kind(models.TextChoices):
        PROVINCE = "province", "UBND cấp tỉnh"
        CENTRE = "centre", "Trung tâm Phục vụ hành chính công"
        DEPARTMENT = "department", "Sở, ngành"
        COMMUNE = "commune", "UBND cấp xã"
        POLICE = "police", "Công an"
        BRANCH = "branch", "Cơ quan ngành dọc"

    code = models.CharField("mã định danh", max_length=35, unique=True)
    name = models.CharField("tên cơ quan", max_length=300)
    short_name = models.CharField("tên ngắn", max_length=100, blank=True)
    # Written after a form's prefix in its number ("Số: 0001/TNHS-UBND"); blank: the usual one
    # of the agency's kind, else its name's initials (core.numbering.issuer_symbol).
    symbol = models.CharField(
        "ký hiệu viết tắt",
        max_length=20,
        blank=True,
        help_text="Ký hiệu trong số văn bản, ví dụ UBND, TTPVHCC, STP.",
    )
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    division = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT)
    # The commune this agency serves (commune police of a ward, say), for routing.
    serves = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="served_by"
    )
    calendar = models.ForeignKey(WorkCalendarConfig, on_delete=models.PROTECT)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"

    def __str__(self) -> str:
        return self.name


class AgencyCode(models.Model):
    """The history of an agency's e-ID codes: codes change when agencies merge."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="code_history")
    code = models.CharField(max_length=35)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "lịch sử mã định danh"
        verbose_name_plural = "lịch sử mã định danh"


class Unit(models.Model):
    """A unit inside an agency: a division, the one-stop desk, a team."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="units")
    code = models.SlugField("mã đơn vị", max_length=50)
    name = models.CharField("tên đơn vị", max_length=300)
    is_desk = models.BooleanField("bộ phận một cửa", default=False)
    # The unit's line, printed where a form names whom to call (mẫu 02) and the officer has none.
    phone = models.CharField("điện thoại", max_length=30, blank=True)

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="unit_code_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.agency.short_name or self.agency.name}"


class Staff(models.Model):
    """A person's post: which agency and unit they work for, in which role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField("vai trò", max_length=20, choices=[(r.value, r.label) for r in Role])
    title = models.CharField("chức danh", max_length=200, blank=True)
    # The officer's work phone, printed on the forms that name them as the contact (mẫu 02).
    phone = models.CharField("điện thoại công vụ", max_length=30, blank=True)

    class Meta:
        verbose_name = "cán bộ"
        verbose_name_plural = "cán bộ"

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.get_role_display()})"
