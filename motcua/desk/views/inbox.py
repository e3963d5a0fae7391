"""The inbox ("Việc của tôi") and the online queue."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import push_url

from motcua import searches
from motcua.catalog.selectors import procedure_names
from motcua.core.eform import reception_timing
from motcua.core.lifecycle import STATUS_LABELS, Role
from motcua.core.urgency import Bucket
from motcua.desk.access import StaffRequest, record_shown, staff_required
from motcua.desk.forms import InboxFilterForm
from motcua.desk.views.common import horizon
from motcua.dossiers.selectors import (
    BUCKETS,
    INBOX_STATUSES,
    apologies_to_sign,
    channel_choices,
    dossier_inbox,
)
from motcua.dossiers.selectors import online_queue as select_online_queue
from motcua.online.selectors import reception_flags, reception_start
from motcua.online.services import policy as online_policy

PAGE_SIZE = 25
SIGN_LIST = 50
GUIDED = Bucket.GUIDED.value  # letters to sign listed on the page; the count says how many in all


@staff_required
def inbox(request: StaffRequest) -> HttpResponse:
    """Dossiers the person (or their unit/agency) holds, most urgent first, with bucket counts."""
    actor = request.actor
    leader = actor.role in (Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.SUPERVISOR)
    data: QueryDict = request.GET
    if request.method == "POST" or data.get("q"):
        # The search text leaves the address for a token (motcua/searches.py).
        data = searches.tokenised(request, request.POST if request.method == "POST" else data)
        url = f"{reverse('desk:inbox')}?{data.urlencode()}"
        if request.method == "GET" or not request.htmx:
            return redirect(url)
    form = InboxFilterForm(searches.recalled(request, data))
    filters = form.filters(default_scope="unit" if leader else "mine")
    h = horizon(actor)
    qs, counts = dossier_inbox(
        actor=actor, filters=filters, now=h.now, today_end=h.today_end, soon=h.soon
    )
    page = Paginator(qs, PAGE_SIZE).get_page(data.get("page"))
    to_sign = list(apologies_to_sign(actor=actor)[:SIGN_LIST])
    page.object_list = list(page.object_list)
    record_shown(request, (d.pk for d in page.object_list), "desk.inbox")
    context = {
        "to_sign": to_sign,
        "to_sign_count": apologies_to_sign(actor=actor).count() if to_sign else 0,
        "nav": "inbox",
        "page": page,
        "filters": filters,
        # Guided visits (form 02 at the counter) are counted apart from running dossiers.
        "buckets": [(key, label, counts[key]) for key, label in BUCKETS if key != GUIDED],
        "guided": counts[GUIDED],
        "guided_rank": Bucket.GUIDED.rank,
        "statuses": [
            (code, STATUS_LABELS[code]) for code in STATUS_LABELS if code in INBOX_STATUSES
        ],
        "channels": channel_choices(),
        "procedures": procedure_names(),
        "leader": leader,
        "now": h.now,
        "soon": h.soon,
        "query": data.copy(),
    }
    template = "desk/inbox.html#list" if request.htmx else "desk/inbox.html"
    response = render(request, template, context)
    if request.method == "POST":
        push_url(response, url)
    return response


@staff_required
def online(request: StaffRequest) -> HttpResponse:
    """Online dossiers awaiting the reception check, with their wait in working hours."""
    actor = request.actor
    h = horizon(actor)
    queue = list(select_online_queue(actor=actor)[:200])
    watches = reception_flags(d.pk for d in queue)
    rules = online_policy()
    rows = []
    for dossier in queue:
        watch = watches.get(dossier.pk)
        # From the submission, or the resubmission after corrections: the clocks restart.
        start = reception_start(dossier, watch)
        waited = h.calendar.working_seconds_between(start, h.now)
        timing = reception_timing(start, h.now, h.calendar, rules)
        marked = watch is not None and watch.late_at is not None and watch.arrived_at == start
        late = timing.late or marked
        rows.append((dossier, waited / 3600, late, h.now >= timing.alert_by))
    record_shown(request, (row[0].pk for row in rows), "desk.online")
    context = {
        "nav": "online",
        "rows": rows,
        "alert_hours": rules.alert_hours,
        "reception_hours": rules.reception_hours,
    }
    return render(request, "desk/online.html", context)
