"""Organization writes."""

from __future__ import annotations

from django.db import transaction

from motcua.core.errors import ValidationError
from motcua.organization.models import Division


def divisions_import(*, province_code: int) -> int:
    """Copy a province and its communes and wards into Division; return the number of wards."""
    # GPL-3.0: imported here and nowhere else, so the running application never loads it.
    from vietnam_provinces import Province, Ward

    try:
        province = Province.from_code(province_code)
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
