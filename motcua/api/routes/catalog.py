"""GET /procedures, /procedures/{code}, /agencies, /agencies/{code}: the public catalog and the
agencies, for clients given `catalog.read`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from motcua.api.framework import ERRORS, Problem, allow
from motcua.catalog.selectors import PublicProcedure, public_catalog, public_documents
from motcua.core.errors import NotFound, _
from motcua.organization.selectors import active_agencies, agency_by_code

if TYPE_CHECKING:
    from motcua.organization.models import Agency

router = Router(tags=["catalog"])


class PaperOut(Schema):
    id: int
    name: str
    copies: int
    original: bool
    optional: bool
    show_only: bool


class ProcedureOut(Schema):
    code: str
    name: str
    field: str
    level: str
    competent: str
    time_limit: str
    time_limit_unit: str
    fee: int
    online_level: str
    verified: bool


class ProcedureDetailOut(ProcedureOut):
    effective_from: str
    result: str
    legal_basis: str
    papers: list[PaperOut]


class AgencyOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None


def _procedure(p: PublicProcedure) -> dict[str, object]:
    return {
        "code": p.code,
        "name": p.name,
        "field": p.field,
        "level": p.level,
        "competent": p.competent,
        "time_limit": str(p.time_limit.normalize()),
        "time_limit_unit": p.time_limit_unit,
        "fee": p.fee,
        "online_level": p.online_level,
        "verified": p.verified,
    }


@router.get("/procedures", response={200: list[ProcedureOut], ERRORS: Problem})
def procedure_list(request: HttpRequest) -> list[dict[str, object]]:
    """Every published procedure, by code."""
    allow(request, "catalog.read")
    catalog = public_catalog(timezone.localdate())
    return [_procedure(p) for p in catalog.procedures.values()]


@router.get("/procedures/{code}", response={200: ProcedureDetailOut, ERRORS: Problem})
def procedure_detail(request: HttpRequest, code: str) -> dict[str, object]:
    """One procedure with the papers it asks for."""
    allow(request, "catalog.read")
    found = public_catalog(timezone.localdate()).procedures.get(code)
    if found is None:
        raise NotFound(_("Không có thủ tục mã {code}."), code=code)
    papers = [
        {
            "id": d.pk,
            "name": d.name,
            "copies": d.copies,
            "original": d.original,
            "optional": d.optional,
            "show_only": d.show_only,
        }
        for d in public_documents(found.version_id)
    ]
    return {
        **_procedure(found),
        "effective_from": found.effective_from.isoformat(),
        "result": found.result,
        "legal_basis": found.legal_basis,
        "papers": papers,
    }


def _agency(agency: Agency) -> dict[str, object]:
    parent = agency.parent
    return {
        "code": agency.code,
        "name": agency.name,
        "kind": agency.kind,
        "parent": parent.code if parent is not None else None,
    }


@router.get("/agencies", response={200: list[AgencyOut], ERRORS: Problem})
def agency_list(request: HttpRequest) -> list[dict[str, object]]:
    """Every active agency, by code."""
    allow(request, "catalog.read")
    return [_agency(a) for a in sorted(active_agencies(), key=lambda a: a.code)]


@router.get("/agencies/{code}", response={200: AgencyOut, ERRORS: Problem})
def agency_detail(request: HttpRequest, code: str) -> dict[str, object]:
    """One agency by its electronic ID code."""
    allow(request, "catalog.read")
    agency = agency_by_code(code)
    if agency is None or not agency.is_active:
        raise NotFound(_("Không có cơ quan mã {code}."), code=code)
    return _agency(agency)
