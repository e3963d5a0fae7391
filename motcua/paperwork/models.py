"""The numbers given to the official forms: a counter per form, issuing body and year, and the
number each printed form received, so that a reprint shows it again (core.numbering)."""

from __future__ import annotations

from django.db import models


class FormCounter(models.Model):
    """The last number a body gave one form in one year; incremented under a row lock."""

    agency = models.ForeignKey("organization.Agency", on_delete=models.PROTECT, related_name="+")
    form = models.CharField("mẫu", max_length=2)
    year = models.PositiveSmallIntegerField("năm")
    last = models.PositiveIntegerField("số cuối đã cấp", default=0)

    class Meta:
        verbose_name = "bộ đếm số văn bản"
        verbose_name_plural = "bộ đếm số văn bản"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "form", "year"], name="one_counter_per_form_body_year"
            )
        ]


class IssuedForm(models.Model):
    """The number one form about one dossier received when first printed (never changed).

    `subject` tells the occurrences of a form apart: the event that asked for papers (mẫu 02),
    refused (03) or stopped (05), the apology letter (04); blank for the receipt and the control
    sheet, one per dossier.
    """

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    form = models.CharField("mẫu", max_length=2)
    subject = models.CharField(max_length=40, blank=True)
    agency = models.ForeignKey("organization.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("năm")
    seq = models.PositiveIntegerField("số")
    issued_at = models.DateTimeField("cấp lúc")

    class Meta:
        verbose_name = "số văn bản đã cấp"
        verbose_name_plural = "số văn bản đã cấp"
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "form", "subject"], name="one_number_per_form_issued"
            ),
            models.UniqueConstraint(
                fields=["agency", "form", "year", "seq"], name="each_number_given_once"
            ),
        ]
