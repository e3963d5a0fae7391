"""POST /dossiers, GET /dossiers/{ref}, /dossiers/{ref}/history, /changes: the dossiers of the
client's agencies (received there, officially received there, or decided there)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from motcua.api import services
from motcua.api.framework import ERRORS, IdempotencyKey, Problem, allow, create_once
from motcua.core import apiclients
from motcua.core.privacy import mask_id_number
from motcua.core.reception import Applicant
from motcua.dossiers.selectors import api_changes, api_dossier, dossier_events
from motcua.organization.selectors import centre_tz

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier

router = Router(tags=["dossiers"])

PAGE = 100  # changes per page, at most


class ApplicantIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    id_number: str = Field(min_length=1, max_length=20)
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)


class DossierIn(Schema):
    procedure: str = Field(min_length=1, max_length=40, description="Mã thủ tục, ví dụ 1.001193")
    place: str = Field(min_length=1, max_length=35, description="Mã định danh nơi tiếp nhận")
    applicant: ApplicantIn
    papers: list[int] = Field(default_factory=list, max_length=100)
    other_papers: list[str] = Field(default_factory=list, max_length=50)
    delivery: Literal["desk", "post"] = "desk"
    copies: int = Field(1, ge=1, le=20)


class DossierOut(Schema):
    ref: str
    code: str | None
    procedure: str
    channel: int
    status: int
    received_place: str
    competent_agency: str | None
    applicant_name: str
    applicant_id_number: str
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None
    original_due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None


class HistoryOut(Schema):
    seq: int
    at: datetime
    action: str
    from_status: int | None
    to_status: int


class ChangeOut(Schema):
    event: int
    ref: str
    code: str | None
    seq: int
    action: str
    status: int
    at: datetime


class ChangesOut(Schema):
    changes: list[ChangeOut]
    next_cursor: str
    more: bool


def _local(moment: datetime | None) -> datetime | None:
    """A moment as the API gives it: in the centre's time zone (+07:00), as pages show it."""
    return None if moment is None else moment.astimezone(centre_tz())


def dossier_out(dossier: Dossier) -> dict[str, object]:
    """The dossier as the API shows it: the applicant's ID number masked."""
    competent = dossier.competent_agency
    return {
        "ref": str(dossier.pk),
        "code": dossier.code,
        "procedure": dossier.procedure_version.procedure.code,
        "channel": dossier.channel,
        "status": dossier.status,
        "received_place": dossier.received_place.code,
        "competent_agency": competent.code if competent is not None else None,
        "applicant_name": dossier.applicant_name,
        "applicant_id_number": mask_id_number(dossier.applicant_id_number),
        "submitted_at": _local(dossier.submitted_at),
        "received_at": _local(dossier.received_at),
        "due_at": _local(dossier.due_at),
        "original_due_at": _local(dossier.original_due_at),
        "finished_at": _local(dossier.finished_at),
        "returned_at": _local(dossier.returned_at),
    }


def find(agency_ids: frozenset[int], ref: str) -> Dossier:
    """A dossier by the API's reference (its id) or by its code, within the client's scope."""
    if ref.isdigit() and len(ref) <= 18:
        return api_dossier(agency_ids=agency_ids, pk=int(ref))
    return api_dossier(agency_ids=agency_ids, code=ref[:50])


@router.post("/dossiers", response={201: DossierOut, ERRORS: Problem})
def dossier_submit(
    request: HttpRequest, payload: DossierIn, idempotency_key: IdempotencyKey
) -> Status[dict[str, object]]:
    """Lodge an online dossier at a place in the client's scope (status 1, awaiting the desk);
    requires the Idempotency-Key header."""
    caller = allow(request, "dossiers.submit")
    submission = services.Submission(
        procedure_code=payload.procedure,
        place_code=payload.place,
        applicant=Applicant(
            name=payload.applicant.name,
            id_number=payload.applicant.id_number,
            address=payload.applicant.address,
            phone=payload.applicant.phone,
            email=payload.applicant.email,
        ),
        documents=payload.papers,
        others=payload.other_papers,
        delivery=payload.delivery,
        copies=payload.copies,
    )

    def create() -> services.Answer:
        key = request.headers.get("Idempotency-Key", "")
        dossier = services.dossier_submit(
            caller=caller, submission=submission, key=key, now=timezone.now()
        )
        return 201, DossierOut.model_validate(dossier_out(dossier)).model_dump(mode="json")

    return Status(*create_once(request, caller, create))


@router.get("/dossiers/{ref}", response={200: DossierOut, ERRORS: Problem})
def dossier_detail(request: HttpRequest, ref: str) -> dict[str, object]:
    """A dossier of the client's agencies, by its reference or its code."""
    caller = allow(request, "dossiers.read")
    return dossier_out(find(caller.agency_ids, ref))


@router.get("/dossiers/{ref}/history", response={200: list[HistoryOut], ERRORS: Problem})
def dossier_history(request: HttpRequest, ref: str) -> list[dict[str, object]]:
    """The dossier's status history from its events, in order (national status codes)."""
    caller = allow(request, "dossiers.read")
    dossier = find(caller.agency_ids, ref)
    return [
        {
            "seq": e.seq,
            "at": _local(e.at),
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
        }
        for e in dossier_events(dossier)
    ]


class ChangesQuery(Schema):
    cursor: str = Field("", max_length=40)
    limit: int = Field(PAGE, ge=1, le=PAGE)


@router.get("/changes", response={200: ChangesOut, ERRORS: Problem})
def changes(request: HttpRequest, filters: Query[ChangesQuery]) -> dict[str, object]:
    """The changes (events) of the client's dossiers after the cursor, oldest first; resume
    with `next_cursor` (the same cursor when there is nothing new)."""
    caller = allow(request, "dossiers.read")
    after = apiclients.decode_cursor(filters.cursor)
    rows = api_changes(agency_ids=caller.agency_ids, after_event=after, limit=filters.limit + 1)
    page = rows[: filters.limit]
    last = page[-1][0].pk if page else after
    return {
        "changes": [
            {
                "event": event.pk,
                "ref": str(dossier.pk),
                "code": dossier.code,
                "seq": event.seq,
                "action": event.action,
                "status": event.to_status,
                "at": _local(event.at),
            }
            for event, dossier in page
        ],
        "next_cursor": apiclients.encode_cursor(last),
        "more": len(rows) > filters.limit,
    }
