"""Admin for procedures and their versions.

A version that already has dossiers is read-only: its dossiers were received, and their
deadlines computed, under its rules. Changes go into a new version. Every write here forgets
the cached catalog, so the next reception in any process reads the change.
"""

from __future__ import annotations

from typing import TypeVar

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from motcua.adminlog.hooks import AuditedAdmin
from motcua.catalog.models import Procedure, ProcedureVersion, RequiredDocument, StepTemplate
from motcua.catalog.selectors import catalog_cache_clear
from motcua.core.text import fold
from motcua.fields import CheckedTextAdmin

HAS_DOSSIERS = "Phiên bản đã có hồ sơ; hãy tạo phiên bản mới thay vì sửa."
NO_DOSSIERS = "Chưa có hồ sơ nào theo phiên bản này."
# The columns of a procedure's versions on its page (shown, not edited there).
VERSION_COLUMNS = ("version", "effective_from", "competent", "time_limit", "time_limit_unit")

_M = TypeVar("_M", bound=Model)


def has_dossiers(version: ProcedureVersion | None) -> bool:
    """Tell whether dossiers were received under this version (asked once per request)."""
    if version is None or version.pk is None:
        return False
    cached: bool | None = version.__dict__.get("_has_dossiers")
    if cached is None:
        cached = version.__dict__["_has_dossiers"] = version.dossiers.exists()
    return cached


class _ForgetsCachedCatalog(CheckedTextAdmin, AuditedAdmin, admin.ModelAdmin[_M]):
    """Forgets the cached catalog after each write: the object, its inlines, deletions."""

    def save_model(
        self, request: HttpRequest, obj: _M, form: forms.ModelForm[_M], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        catalog_cache_clear()

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm[_M],
        formsets: list[forms.BaseInlineFormSet[Model, _M, forms.ModelForm[Model]]],
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        catalog_cache_clear()

    def delete_model(self, request: HttpRequest, obj: _M) -> None:
        super().delete_model(request, obj)
        catalog_cache_clear()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[_M]) -> None:
        super().delete_queryset(request, queryset)
        catalog_cache_clear()


class ProcedureVersionInline(CheckedTextAdmin, admin.TabularInline[ProcedureVersion, Procedure]):
    """The procedure's versions as links; they are edited on their own page."""

    model = ProcedureVersion
    fields = VERSION_COLUMNS
    readonly_fields = VERSION_COLUMNS
    ordering = ["-effective_from", "-version"]
    show_change_link = True
    can_delete = False
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Procedure | None = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(_ForgetsCachedCatalog[Procedure]):
    list_display = ["code", "name", "level", "verified"]
    list_filter = ["level", "verified"]
    search_fields = ["code", "name", "search_key"]
    inlines = [ProcedureVersionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Procedure | None = None) -> list[str]:
        # Dossiers and the catalog files find a procedure by its code.
        return ["code"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: Procedure, form: forms.ModelForm[Procedure], change: bool
    ) -> None:
        # The same key `catalog import` writes, so the portal's search finds the new name.
        obj.search_key = fold(f"{obj.code} {obj.name}")[:600]
        super().save_model(request, obj, form, change)


class _VersionPartInline(CheckedTextAdmin, admin.TabularInline[Model, ProcedureVersion]):
    """Documents and steps follow their version: read-only once it has dossiers."""

    extra = 0

    # The ignores: an inline's permission methods take the parent object (the version), as in
    # Django and in django-stubs' own InlineModelAdmin, not the ModelAdmin's model.
    def has_add_permission(  # type: ignore[override]
        self, request: HttpRequest, obj: ProcedureVersion | None
    ) -> bool:
        return not has_dossiers(obj) and super().has_add_permission(request, obj)

    def has_change_permission(  # type: ignore[override]
        self, request: HttpRequest, obj: ProcedureVersion | None = None
    ) -> bool:
        return not has_dossiers(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(  # type: ignore[override]
        self, request: HttpRequest, obj: ProcedureVersion | None = None
    ) -> bool:
        return not has_dossiers(obj) and super().has_delete_permission(request, obj)


class RequiredDocumentInline(_VersionPartInline):
    model = RequiredDocument
    fields = ["order", "name", "copies", "original", "optional", "show_only"]


class StepTemplateInline(_VersionPartInline):
    model = StepTemplate
    fields = ["order", "name", "agency_ref", "unit_code", "role", "allotment"]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(_ForgetsCachedCatalog[ProcedureVersion]):
    list_display = [
        "procedure",
        "version",
        "effective_from",
        "time_limit",
        "time_limit_unit",
        "competent",
    ]
    list_filter = ["time_limit_unit", "inter_agency"]
    list_select_related = ["procedure"]
    search_fields = ["procedure__code", "procedure__name"]
    autocomplete_fields = ["procedure"]
    readonly_fields = ["dossier_warning", "form_fields_table"]
    fields = [
        "dossier_warning",
        "procedure",
        ("version", "effective_from"),
        "competent",
        ("time_limit", "time_limit_unit"),
        "time_limit_note",
        ("fee", "fee_note"),
        "online_level",
        "legal_basis",
        "result",
        "inter_agency",
        "form_fields_table",
    ]
    inlines = [RequiredDocumentInline, StepTemplateInline]

    @admin.display(description="Trường của biểu mẫu trực tuyến")
    def form_fields_table(self, obj: ProcedureVersion | None) -> str:
        """The online form's fields, shown as the catalog file declares them (edited there)."""
        rows = (obj.form_fields if obj is not None else None) or []
        if not rows:
            return "Chưa khai báo (thêm [[versions.fields]] trong tệp danh mục)."
        body = format_html_join(
            "",
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f["name"],
                    f["label"],
                    f["kind"],
                    "bắt buộc" if f.get("required", True) else "không bắt buộc",
                    " · ".join(f.get("options", [])) or f.get("help", ""),
                )
                for f in rows
            ),
        )
        return format_html(
            "<table><thead><tr><th>Tên</th><th>Nhãn</th><th>Loại</th><th>Bắt buộc</th>"
            "<th>Lựa chọn / hướng dẫn</th></tr></thead><tbody>{}</tbody></table>",
            body,
        )

    @admin.display(description="Hồ sơ")
    def dossier_warning(self, obj: ProcedureVersion | None) -> str:
        if has_dossiers(obj):
            return format_html("<strong>{}</strong>", HAS_DOSSIERS)
        return NO_DOSSIERS

    def has_change_permission(
        self, request: HttpRequest, obj: ProcedureVersion | None = None
    ) -> bool:
        return not has_dossiers(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: ProcedureVersion | None = None
    ) -> bool:
        return not has_dossiers(obj) and super().has_delete_permission(request, obj)
