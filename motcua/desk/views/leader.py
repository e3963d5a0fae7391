"""The leader's view: who holds what, for how long, what is about to be late."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.core.lifecycle import Role
from motcua.desk.access import StaffRequest, record_shown, staff_required
from motcua.desk.page import load_by_unit, needing_attention
from motcua.desk.views.common import horizon
from motcua.desk.views.inbox import SIGN_LIST
from motcua.dossiers.selectors import (
    InboxFilters,
    agency_staff_load,
    apologies_to_sign,
    apology_breaches,
    dossier_inbox,
)
from motcua.online.selectors import held_requests_by_agency

# How many of the most urgent dossiers are read to find those needing attention.
ATTENTION_SCAN = 300


@staff_required
def leader(request: StaffRequest) -> HttpResponse:
    """Load per person and the unit's most urgent dossiers, with reassignment on each."""
    actor = request.actor
    if actor.role not in (Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.SUPERVISOR):
        return render(
            request, "desk/not_found.html", {"message": _("Trang dành cho lãnh đạo.")}, status=404
        )
    assert actor.agency is not None  # a staff post always names its agency
    h = horizon(actor)
    held, staff = agency_staff_load(agency_id=actor.agency.pk, now=h.now, soon=h.soon)
    rows = []
    for row in held:
        person = staff.get(row["current_holder_id"])
        rows.append({**row, "person": person})
    rows.sort(key=lambda r: (-r["late"], -r["soon"], -r["count"]))
    scope = "agency" if actor.role is not Role.UNIT_LEADER else "unit"
    urgent, counts = dossier_inbox(
        actor=actor,
        filters=InboxFilters(scope=scope),
        now=h.now,
        today_end=h.today_end,
        soon=h.soon,
    )
    to_sign = list(apologies_to_sign(actor=actor)[:SIGN_LIST])
    # Most urgent first: the first with a reason to act on, each reason said.
    shown = needing_attention(
        urgent[:ATTENTION_SCAN], now=h.now, today_end=h.today_end, soon=h.soon, limit=30
    )
    record_shown(request, (d.pk for d, _why in shown), "desk.leader")
    context = {
        "nav": "leader",
        "to_sign": to_sign,
        "to_sign_count": apologies_to_sign(actor=actor).count() if to_sign else 0,
        "breaches": apology_breaches(agency_id=actor.agency.pk),
        # Declare once (DOMAIN §13): papers the system held, asked for again, with a reason.
        "held_requests": held_requests_by_agency([actor.agency.pk]).get(actor.agency.pk, 0),
        "rows": rows,
        "units": load_by_unit(rows),
        "urgent": shown,
        "counts": counts,
        "assignees": sorted(staff.values(), key=lambda s: s.user.get_full_name()),
        "now": h.now,
    }
    return render(request, "desk/leader.html", context)
