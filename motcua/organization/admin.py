"""Admin for agencies, units, staff and working calendars.

Writes of agencies, units and calendars go through the services, which forget the cached
agencies, units and calendars; the national list of administrative divisions is read-only
here (it is loaded by `motcua divisions import`).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.adminlog.hooks import AuditedAdmin, who
from motcua.adminlog.services import Change, admin_changes_record
from motcua.core.codes import validate_agency_code
from motcua.core.errors import DomainError
from motcua.core.numbering import validate_symbol
from motcua.desk.second_factor import second_factor_reset
from motcua.fields import CheckedTextAdmin
from motcua.i18n import error_text
from motcua.organization.models import (
    Agency,
    CalendarOverride,
    Division,
    Staff,
    Unit,
    WorkCalendarConfig,
)
from motcua.organization.services import (
    agency_delete,
    agency_save,
    calendar_config_delete,
    calendar_config_save,
    calendar_override_delete,
    calendar_override_save,
    unit_delete,
    unit_save,
)

DECIDED_AT_HELP = (
    "Quyết định chỉ ảnh hưởng đến các ngày hẹn trả tính sau thời điểm này; ngày hẹn đã tính "
    "trước đó giữ nguyên. Để trống: lấy thời điểm lưu."
)


@admin.register(Division)
class DivisionAdmin(CheckedTextAdmin, AuditedAdmin, admin.ModelAdmin[Division]):
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Division | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Division | None = None) -> bool:
        return False


class UnitInline(CheckedTextAdmin, admin.TabularInline[Unit, Agency]):
    model = Unit
    fields = ["code", "name", "is_desk", "phone"]
    extra = 0


class AgencyForm(forms.ModelForm[Agency]):
    def clean_code(self) -> str:
        try:
            return validate_agency_code(self.cleaned_data["code"])
        except DomainError as exc:
            raise forms.ValidationError(error_text(exc)) from None

    def clean_symbol(self) -> str:
        if not self.cleaned_data["symbol"].strip():
            return ""
        try:
            return validate_symbol(self.cleaned_data["symbol"])
        except DomainError as exc:
            raise forms.ValidationError(error_text(exc)) from None


@admin.register(Agency)
class AgencyAdmin(CheckedTextAdmin, AuditedAdmin, admin.ModelAdmin[Agency]):
    form = AgencyForm
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["parent"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent", "division", "serves"]
    inlines = [UnitInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Agency | None = None) -> list[str]:
        # Dossier codes and daily sequences carry the e-ID; a renamed code needs its history
        # (AgencyCode) recorded, which this form does not do.
        return ["code"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: Agency, form: forms.ModelForm[Agency], change: bool
    ) -> None:
        agency_save(agency=obj)

    def delete_model(self, request: HttpRequest, obj: Agency) -> None:
        agency_delete(agency=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Agency]) -> None:
        for agency in queryset:
            agency_delete(agency=agency)

    def save_formset(
        self,
        request: HttpRequest,
        form: forms.ModelForm[Agency],
        formset: forms.BaseModelFormSet[Unit, forms.ModelForm[Unit]],
        change: bool,
    ) -> None:
        units = formset.save(commit=False)
        # Removals before additions, in the order formset.save() itself would use.
        for unit in formset.deleted_objects:
            unit_delete(unit=unit)
        for unit in units:
            unit_save(unit=unit)


@admin.register(Unit)
class UnitAdmin(CheckedTextAdmin, AuditedAdmin, admin.ModelAdmin[Unit]):
    list_display = ["code", "name", "agency", "is_desk"]
    list_filter = ["is_desk"]
    list_select_related = ["agency"]
    search_fields = ["code", "name", "agency__code", "agency__name"]
    autocomplete_fields = ["agency"]

    def save_model(
        self, request: HttpRequest, obj: Unit, form: forms.ModelForm[Unit], change: bool
    ) -> None:
        unit_save(unit=obj)

    def delete_model(self, request: HttpRequest, obj: Unit) -> None:
        unit_delete(unit=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Unit]) -> None:
        for unit in queryset:
            unit_delete(unit=unit)


class StaffForm(forms.ModelForm[Staff]):
    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        agency, unit = data.get("agency"), data.get("unit")
        # The desk and the inboxes route by agency; a unit of another agency would strand work.
        if agency and unit and unit.agency_id != agency.pk:
            self.add_error("unit", f"Đơn vị “{unit.name}” không thuộc {agency.name}.")
        return data


@admin.register(Staff)
class StaffAdmin(CheckedTextAdmin, AuditedAdmin, admin.ModelAdmin[Staff]):
    form = StaffForm
    list_display = ["user", "agency", "unit", "role", "title"]
    list_filter = ["role"]
    # Unit.__str__ names its agency.
    list_select_related = ["user", "agency", "unit__agency"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "agency__code",
        "agency__name",
        "title",
    ]
    autocomplete_fields = ["user", "agency", "unit"]


# ISO first (the admin's date picker writes it), then the Vietnamese day/month/year. Django has
# no input formats for "vi" and falls back to month/day/year: 05/11 would be 11 May.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class CalendarOverrideForm(forms.ModelForm[CalendarOverride]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.DateField, self.fields["day"]).input_formats = DATE_INPUT_FORMATS
        # The admin's widget for a DateTimeField: a date and a time field side by side.
        decided_at = cast(forms.SplitDateTimeField, self.fields["decided_at"])
        cast(forms.DateField, decided_at.fields[0]).input_formats = DATE_INPUT_FORMATS
        decided_at.required = False  # calendar_override_save fills in the moment of saving
        decided_at.help_text = DECIDED_AT_HELP


class CalendarOverrideInline(
    CheckedTextAdmin, admin.StackedInline[CalendarOverride, WorkCalendarConfig]
):
    # Stacked, not tabular: a tabular inline hides help texts in a tooltip.
    model = CalendarOverride
    form = CalendarOverrideForm
    fields = [("day", "working"), "reason", "decided_at"]
    ordering = ["-day"]
    extra = 0


@admin.register(WorkCalendarConfig)
class WorkCalendarConfigAdmin(CheckedTextAdmin, AuditedAdmin, admin.ModelAdmin[WorkCalendarConfig]):
    list_display = ["name", "morning_start", "afternoon_end", "late_cutoff", "due_time_style"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "due_time_style"]}),
        (
            "Giờ làm việc",
            {
                "fields": [
                    ("morning_start", "morning_end"),
                    ("afternoon_start", "afternoon_end"),
                    ("late_cutoff", "same_day_cutoff"),
                ]
            },
        ),
        (
            "Ngày lễ",
            {
                "fields": ["excluded_holidays"],
                "description": "Tên các ngày lễ chưa được xác nhận là ngày nghỉ, dạng JSON, "
                'ví dụ: ["Ngày Văn hóa Việt Nam"]. Ngày làm bù và ngày nghỉ thêm nhập ở '
                "phần điều chỉnh lịch bên dưới.",
            },
        ),
    ]
    inlines = [CalendarOverrideInline]

    def save_model(
        self,
        request: HttpRequest,
        obj: WorkCalendarConfig,
        form: forms.ModelForm[WorkCalendarConfig],
        change: bool,
    ) -> None:
        calendar_config_save(config=obj)

    def delete_model(self, request: HttpRequest, obj: WorkCalendarConfig) -> None:
        calendar_config_delete(config=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WorkCalendarConfig]) -> None:
        for config in queryset:
            calendar_config_delete(config=config)

    def save_formset(
        self,
        request: HttpRequest,
        form: forms.ModelForm[WorkCalendarConfig],
        formset: forms.BaseModelFormSet[CalendarOverride, forms.ModelForm[CalendarOverride]],
        change: bool,
    ) -> None:
        overrides = formset.save(commit=False)
        # Removals before additions, in the order formset.save() itself would use.
        for override in formset.deleted_objects:
            calendar_override_delete(override=override)
        for override in overrides:
            calendar_override_save(override=override)


# Django's own user admin, held to the same rules as the others (text checked and composed,
# a bulk action on values that are not ids refused with a message rather than a 500).
User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class CheckedUserAdmin(CheckedTextAdmin, AuditedAdmin, UserAdmin):  # type: ignore[type-arg]
    actions = ["reset_second_factor"]

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        """Django's password change, in one transaction with its record."""
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)

    @admin.action(
        description=gettext_lazy(
            "Đặt lại xác thực hai lớp (mất điện thoại): cài đặt lại ở lần đăng nhập sau"
        )
    )
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Remove the chosen users' authenticator apps and recovery codes, recorded in each
        user's history (who, when); their sessions end, and each enrols again."""
        now = timezone.now()
        for user in queryset:
            removed = second_factor_reset(user=user, now=now)
            self.log_change(request, user, f"Đặt lại xác thực hai lớp ({removed} thiết bị).")
            # The user's row is unchanged, so the diff of log_change records nothing: the
            # reset goes in the administrative chain by name.
            change = Change(
                kind="change",
                model=user._meta.label_lower,
                object_id=str(user.pk),
                object_repr=user.get_username(),
                changes={"second_factor": ["changed", f"reset ({removed})"]},
            )
            admin_changes_record(who=who(request), changes=[change], now=now)
        self.message_user(
            request, _("Đã đặt lại xác thực hai lớp cho %(n)s tài khoản.") % {"n": queryset.count()}
        )


admin.site.unregister(Group)
# django-otp's own device pages would show an authenticator's secret and let it be edited
# unrecorded: devices are enrolled by their owner and reset with the user action above.
for _device in ("otp_totp.TOTPDevice", "otp_static.StaticDevice"):
    _model = apps.get_model(_device)
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(Group)
class AuditedGroupAdmin(CheckedTextAdmin, AuditedAdmin, GroupAdmin):
    pass
