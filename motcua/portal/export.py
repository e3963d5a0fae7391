"""A citizen's own data, to download (issue 11, the Law on Personal Data Protection): the
account's profile and contacts, the dossiers tied to it with their story as the citizen is
told it, the ratings given, the feedback filed and the bookings made. Only the signed-in
account's rows are read (each selector filters by its id); the download is limited per
account and recorded in the read log."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string

from motcua.appointments.selectors import citizen_bookings
from motcua.core import throttle
from motcua.dossiers.selectors import citizen_dossiers, citizen_view
from motcua.feedback.selectors import citizen_feedback, citizen_ratings
from motcua.organization.selectors import centre_tz

if TYPE_CHECKING:
    from motcua.citizens.models import Citizen

FORMAT = "motcua-du-lieu-ca-nhan/1"
WINDOW_SECONDS = 24 * 3600


def limit() -> throttle.Limit:
    return throttle.Limit("export", settings.DATA_EXPORTS_PER_DAY, WINDOW_SECONDS)


def refused_for(citizen_id: int, now: float) -> int | None:
    """Seconds to wait before this account may download again, counting this download (None:
    go ahead)."""
    rule = limit()
    key = f"export:{citizen_id}:{rule.window(now)}"
    cache.add(key, 0, WINDOW_SECONDS + 60)
    count = cache.incr(key)
    return throttle.refused_for([rule], {"export": count - 1}, now)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


@dataclass
class Export:
    """The data (as JSON has it) and the dossiers' pages, for the readable summary."""

    data: dict[str, Any]
    views: list[tuple[Any, Any]]
    dossier_ids: list[int]


def citizen_export(citizen: Citizen, now: datetime) -> Export:
    """Everything the account holds, read only through its id."""
    dossiers = list(citizen_dossiers(citizen.pk))
    views = [(d, citizen_view(d, now)) for d in dossiers]
    data = {
        "format": FORMAT,
        "at": _plain(now),
        "profile": {
            "full_name": citizen.full_name,
            "id_number": citizen.id_number,
            "id_verified": citizen.id_verified,
            "address": citizen.address,
            "created_at": _plain(citizen.created_at),
            "last_login": _plain(citizen.last_login),
            "sign_in_provider": citizen.provider_issuer,
        },
        "contacts": {"email": citizen.email or "", "phone": citizen.phone or ""},
        "dossiers": [
            {
                "code": d.code,
                "procedure": d.procedure_version.procedure.name,
                "submitted_at": _plain(d.submitted_at),
                "applicant": {
                    "name": d.applicant_name,
                    "id_number": d.applicant_id_number,
                    "address": d.applicant_address,
                    "phone": d.applicant_phone,
                    "email": d.applicant_email,
                },
                "due_at": _plain(d.due_at),
                "story": [
                    {
                        "kind": m.kind.value,
                        "at": _plain(m.at),
                        "agency": m.agency,
                        "missing": list(m.missing),
                        "reason": m.reason,
                        "due": _plain(m.due),
                    }
                    for m in view.moments
                ],
            }
            for d, view in views
        ],
        "ratings": [
            {
                "dossier": r.dossier.code,
                "conduct": r.conduct,
                "punctuality": r.punctuality,
                "guidance": r.guidance,
                "simplicity": r.simplicity,
                "comment": r.comment,
                "at": _plain(r.created_at),
            }
            for r in citizen_ratings(citizen.pk).select_related("dossier")
        ],
        "feedback": [
            {
                "code": f.code,
                "subject": f.subject,
                "content": f.content,
                "state": f.state,
                "received_at": _plain(f.received_at),
                "name": f.name,
                "email": f.email,
                "phone": f.phone,
                "question": f.question,
                "reply": f.reply,
                "answer": f.answer,
            }
            for f in citizen_feedback(citizen.pk)
        ],
        "bookings": [
            {
                "procedure": b.procedure.name,
                "branch": b.branch.name,
                "day": _plain(b.day),
                "start": _plain(b.start),
                "ticket": b.ticket,
                "state": b.state,
                "created_at": _plain(b.created_at),
            }
            for b in citizen_bookings(citizen.pk)
        ],
    }
    return Export(data=data, views=views, dossier_ids=[d.pk for d in dossiers])


def export_zip(export: Export, *, citizen: Citizen) -> bytes:
    """A ZIP of the data as JSON and a page to read it (HTML, opened in any browser)."""
    summary = render_to_string(
        "portal/my_data_summary.html",
        {
            "data": export.data,
            "views": export.views,
            "citizen": citizen,
            "made_at": datetime.fromisoformat(export.data["at"]).astimezone(centre_tz()),
        },
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "du-lieu-cua-toi.json", json.dumps(export.data, ensure_ascii=False, indent=1)
        )
        archive.writestr("du-lieu-cua-toi.html", summary)
    return buffer.getvalue()
