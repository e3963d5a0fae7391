"""Procedures with versions, required documents, fees, time limits and step templates.

The catalog is kept as readable TOML files under `catalog/` and loaded by
`motcua catalog import`; a dossier keeps the procedure version it was received under.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core import routing


class Procedure(models.Model):
    """A procedure from the National Database on Administrative Procedures (or a local one)."""

    class Level(models.TextChoices):
        COMMUNE = "commune", _("Cấp xã")
        PROVINCE = "province", _("Cấp tỉnh")
        CENTRAL = "central", _("Cấp trung ương")

    code = models.CharField("mã thủ tục", max_length=40, unique=True)
    national = models.BooleanField("có mã quốc gia", default=True)
    name = models.CharField("tên thủ tục", max_length=500)
    field = models.CharField("lĩnh vực", max_length=200)
    level = models.CharField("cấp thực hiện", max_length=20, choices=Level.choices)
    # Values seeded from secondary sources and not yet confirmed by an administrator.
    verified = models.BooleanField("đã kiểm tra", default=False)
    unverified_note = models.TextField("điểm cần kiểm tra", blank=True)
    search_key = models.CharField(max_length=600, db_index=True, editable=False)

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def current_version(self, on: date | None = None) -> ProcedureVersion | None:
        """The version in force on a date (the newest one when no date is given)."""
        versions = self.versions.order_by("-effective_from")
        if on is not None:
            versions = versions.filter(effective_from__lte=on)
        return versions.first()


class ProcedureVersion(models.Model):
    """The rules of a procedure from one date on; old dossiers keep the version they started."""

    class LimitUnit(models.TextChoices):  # the core's units (motcua.core.routing.LimitUnit)
        WORKING_DAYS = routing.LimitUnit.WORKING_DAYS.value, "ngày làm việc"
        WORKING_HOURS = routing.LimitUnit.WORKING_HOURS.value, "giờ làm việc"
        SAME_DAY = routing.LimitUnit.SAME_DAY.value, "trong ngày"

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    effective_from = models.DateField("áp dụng từ")
    # "commune": any commune People's Committee chosen at reception; else an agency e-ID code.
    competent = models.CharField("cơ quan có thẩm quyền", max_length=40)
    time_limit = models.DecimalField("thời hạn giải quyết", max_digits=6, decimal_places=3)
    time_limit_unit = models.CharField(max_length=20, choices=LimitUnit.choices)
    time_limit_note = models.CharField("ghi chú thời hạn", max_length=300, blank=True)
    fee = models.PositiveIntegerField("phí, lệ phí (đồng)", default=0)
    fee_note = models.CharField("ghi chú phí", max_length=300, blank=True)
    # How the fee is counted when it is not one flat amount per dossier (per copy, per page
    # with tiers and a cap, a lower amount online): `core.fees.rule_to_data`, {} otherwise.
    fee_rule = models.JSONField("cách tính phí", default=dict, blank=True)
    online_level = models.CharField("mức trực tuyến", max_length=40, blank=True)
    legal_basis = models.TextField("căn cứ pháp lý", blank=True)
    result = models.CharField("kết quả", max_length=300, blank=True)
    inter_agency = models.BooleanField("liên thông", default=False)
    # The online form's fields (`motcua.core.eform.FieldSpec.as_dict`), from the catalog file.
    form_fields = models.JSONField("trường của biểu mẫu trực tuyến", default=list, blank=True)

    class Meta:
        verbose_name = "phiên bản thủ tục"
        verbose_name_plural = "phiên bản thủ tục"
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="one_number_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.version}"


class RequiredDocument(models.Model):
    """A paper the applicant must submit (or only show)."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="documents"
    )
    order = models.PositiveSmallIntegerField()
    name = models.CharField("tên giấy tờ", max_length=500)
    copies = models.PositiveSmallIntegerField("số bản", default=1)
    original = models.BooleanField("bản chính", default=False)
    optional = models.BooleanField("không bắt buộc", default=False)
    show_only = models.BooleanField("chỉ xuất trình", default=False)
    # The blank form or sample a citizen downloads (a storage name under mau-don/), if any.
    sample = models.CharField("mẫu đơn, tờ khai", max_length=200, blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"

    def __str__(self) -> str:
        return self.name


class StepTemplate(models.Model):
    """One step of the procedure: which agency, unit and role act, and its time allotment."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField("tên bước", max_length=300)
    # "receiving": the agency that received the dossier; "competent": the deciding agency;
    # "commune_police": the police of the competent commune; else an agency e-ID code.
    agency_ref = models.CharField("cơ quan thực hiện", max_length=40)
    unit_code = models.CharField("đơn vị", max_length=50)
    role = models.CharField("vai trò", max_length=20)
    allotment = models.DecimalField("thời gian (ngày làm việc)", max_digits=6, decimal_places=3)

    class Meta:
        ordering = ["order"]
        verbose_name = "bước xử lý"
        verbose_name_plural = "bước xử lý"

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
