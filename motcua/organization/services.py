"""Organization writes."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from motcua.adminlog.services import Change, admin_changes_record, command_who
from motcua.core.adminlog import Kind
from motcua.core.errors import ValidationError
from motcua.organization.models import (
    Agency,
    CalendarOverride,
    Division,
    Unit,
    WorkCalendarConfig,
)
from motcua.organization.selectors import calendar_cache_clear, places_cache_clear


def divisions_import(*, province_code: int) -> int:
    """Copy a province and its communes and wards into Division; return the number of wards."""
    # GPL-3.0: imported here and nowhere else, so the running application never loads it.
    from vietnam_provinces import Province, ProvinceCode, Ward

    try:
        province = Province.from_code(ProvinceCode(province_code))
    except ValueError:
        raise ValidationError(
            f"Không có tỉnh, thành phố nào mang mã {province_code} trong danh mục "
            "đơn vị hành chính.",
            province_code=province_code,
        ) from None
    wards = list(Ward.iter_by_province(province.code))
    with transaction.atomic():
        parent = _upsert_division(
            code=f"{int(province.code):02d}",
            name=province.name,
            kind=province.division_type.value,
            parent=None,
        )
        for ward in wards:
            _upsert_division(
                code=f"{int(ward.code):05d}",
                name=ward.name,
                kind=ward.division_type.value,
                parent=parent,
            )
        change = Change(
            kind=Kind.IMPORT.value,
            model="organization.division",
            object_id=f"{int(province.code):02d}",
            object_repr=province.name[:200],
            changes={"wards": len(wards)},
        )
        admin_changes_record(
            who=command_who("divisions import"), changes=[change], now=timezone.now()
        )
    return len(wards)


def _upsert_division(*, code: str, name: str, kind: str, parent: Division | None) -> Division:
    """Create the division, or bring an existing one up to date; unchanged rows are not written."""
    division = Division.objects.filter(code=code).first()
    if division is None:
        division = Division(code=code, name=name, kind=kind, parent=parent)
        division.full_clean(exclude=["parent"])
        division.save()
        return division
    wanted = {"name": name, "kind": kind, "parent_id": parent.pk if parent else None}
    changed = [field for field, value in wanted.items() if getattr(division, field) != value]
    if changed:
        for field in changed:
            setattr(division, field, wanted[field])
        division.full_clean(exclude=["parent"], validate_unique=False)
        division.save(update_fields=[f.removesuffix("_id") for f in changed])
    return division


# ---------------------------------------------------------------------------------------------
# Working calendars. The selectors cache them, so every write here forgets them.


def calendar_config_save(*, config: WorkCalendarConfig) -> WorkCalendarConfig:
    """Check and save a centre's working calendar, then forget the built calendars."""
    _full_clean(config)
    with transaction.atomic():
        config.save()
        _calendar_changed()
    return config


def calendar_config_delete(*, config: WorkCalendarConfig) -> None:
    """Delete a calendar no agency uses (agencies protect theirs) with its overrides."""
    with transaction.atomic():
        config.delete()
        _calendar_changed()


def calendar_override_save(
    *, override: CalendarOverride, now: datetime | None = None
) -> CalendarOverride:
    """Save a make-up working day or an extra day off; undated decisions take effect now."""
    if override.decided_at is None:
        override.decided_at = now or timezone.now()
    _full_clean(override)
    with transaction.atomic():
        override.save()
        _calendar_changed()
    return override


def calendar_override_delete(*, override: CalendarOverride) -> None:
    """Remove an override, then forget the built calendars."""
    with transaction.atomic():
        override.delete()
        _calendar_changed()


def _calendar_changed() -> None:
    # Now, so this thread sees the change, and again on commit (see Family.forget); every
    # process sharing the cache sees it too.
    calendar_cache_clear()


# ---------------------------------------------------------------------------------------------
# Agencies and units. The selectors cache them (steps are routed by their codes), so every
# write here forgets them.


def agency_save(*, agency: Agency) -> Agency:
    """Check and save an agency, then forget the cached agencies and units."""
    _full_clean(agency)
    with transaction.atomic():
        agency.save()
        places_cache_clear()
    return agency


def agency_delete(*, agency: Agency) -> None:
    """Delete an agency nothing refers to (dossiers and staff protect theirs) with its units."""
    with transaction.atomic():
        agency.delete()
        places_cache_clear()


def unit_save(*, unit: Unit) -> Unit:
    """Check and save a unit, then forget the cached agencies and units."""
    _full_clean(unit)
    with transaction.atomic():
        unit.save()
        places_cache_clear()
    return unit


def unit_delete(*, unit: Unit) -> None:
    """Delete a unit no staff post refers to, then forget the cached agencies and units."""
    with transaction.atomic():
        unit.delete()
        places_cache_clear()


def _full_clean(row: Model) -> None:
    """Model validation reported as a domain error naming the first bad field."""
    try:
        row.full_clean()
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationError(" ".join(messages), field=field) from None
