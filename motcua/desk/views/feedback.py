"""Feedback items at the agency that must answer them, and the ratings' response rates."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.core.calendar import local_date
from motcua.core.errors import DomainError
from motcua.core.feedback import (
    EVENT_LABELS,
    FINDING_LABELS,
    LEVEL_LABELS,
    STATE_LABELS,
    SUBJECT_LABELS,
    Event,
    Finding,
    Level,
    State,
    Subject,
)
from motcua.core.lifecycle import Role
from motcua.desk.access import StaffRequest, staff_required
from motcua.desk.forms import DeskDeviceForm
from motcua.edge import add_to_form, render_error, status_for
from motcua.feedback import services
from motcua.feedback.forms import HandleForm, PeriodForm
from motcua.feedback.selectors import (
    concerned_choices,
    feedback_events,
    feedback_for_staff,
    feedback_open_for,
    may_handle,
    may_publish,
    response_rates,
)
from motcua.feedback.views import DESK_DEVICE_COOKIE
from motcua.organization.selectors import active_agencies, centre_tz

if TYPE_CHECKING:
    from motcua.feedback.models import Feedback

# Roles that see the feedback list (handlers, and the oversight office once told).
FEEDBACK_ROLES = (Role.DESK, Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.SUPERVISOR)
RATING_ROLES = (Role.UNIT_LEADER, Role.AGENCY_LEADER, Role.SUPERVISOR)
_FIELDS = {
    "answer": "answer",
    "reason": "reason",
    "agency": "agency",
    "question": "question",
    "public_question": "public_question",
    "public_answer": "public_answer",
    "finding": "finding",
    "concerned": "concerned",
}


def _not_here(request: StaffRequest, message: str) -> HttpResponse:
    return render(request, "desk/not_found.html", {"message": message}, status=404)


def _labels(item: Feedback) -> dict[str, str]:
    return {
        "subject": SUBJECT_LABELS[Subject(item.subject)],
        "state": STATE_LABELS[State(item.state)],
        "level": LEVEL_LABELS[Level(item.level)],
    }


@staff_required
def feedback_list(request: StaffRequest) -> HttpResponse:
    """The open items this person may handle or watch, the nearest deadline first."""
    if request.actor.role not in FEEDBACK_ROLES:
        return _not_here(request, _("Trang dành cho người xử lý phản ánh, kiến nghị."))
    now = timezone.now()
    rows = [
        {"item": item, **_labels(item), "late": now > item.handle_by}
        for item in feedback_open_for(actor=request.actor)
    ]
    return render(request, "desk/feedback_list.html", {"nav": "feedback", "rows": rows})


def _item_context(
    request: StaffRequest, item: Feedback, form: HandleForm | None
) -> dict[str, object]:
    agencies = [(a.pk, a.name) for a in active_agencies()]
    events = [
        {
            "event": e,
            "label": EVENT_LABELS[Event(e.kind)],
            "level": LEVEL_LABELS[Level(e.level)] if e.kind == Event.ESCALATE else "",
        }
        for e in feedback_events(item)
    ]
    version = item.version
    people = concerned_choices(request.actor, item)
    return {
        "nav": "feedback",
        "item": item,
        **_labels(item),
        "events": events,
        "may_handle": may_handle(request.actor, item),
        "may_publish": may_publish(request.actor, item),
        # The publishing form starts from the citizen's words and the answer, to be rid of
        # anything personal before it is sent.
        "form": form
        or HandleForm(
            initial={
                "version": version,
                "public_question": item.content,
                "public_answer": item.answer,
            },
            agencies=agencies,
            people=people,
        ),
        "conduct": item.subject == Subject.OFFICIAL.value,
        "finding": FINDING_LABELS[Finding(item.finding)] if item.finding else "",
        # Which of the three forms was sent: its errors are shown beside it.
        "posted": form.data.get("action", "") if form is not None else "",
        "now": timezone.now(),
    }


@staff_required
def feedback_item(request: StaffRequest, pk: int) -> HttpResponse:
    """One item with its log; the answer, forward and refusal forms for whoever may handle it."""
    try:
        item = feedback_for_staff(actor=request.actor, pk=pk)
    except DomainError as exc:
        return render_error(request, "desk/not_found.html", exc)
    if request.method != "POST":
        return render(request, "desk/feedback_item.html", _item_context(request, item, None))
    agencies = [(a.pk, a.name) for a in active_agencies()]
    form = HandleForm(
        request.POST, agencies=agencies, people=concerned_choices(request.actor, item)
    )
    status = 400
    if form.is_valid():
        data, now, actor = form.cleaned_data, timezone.now(), request.actor
        version = data["version"]
        try:
            if data["action"] == "answer":
                services.feedback_answer(
                    item_id=item.pk,
                    actor=actor,
                    answer=data["answer"],
                    expected_version=version,
                    now=now,
                    finding=data["finding"],
                    concerned_id=data["concerned"],
                )
                done = _("Đã trả lời phản ánh, kiến nghị.")
            elif data["action"] == "ask":
                services.feedback_ask(
                    item_id=item.pk,
                    actor=actor,
                    question=data["question"],
                    expected_version=version,
                    now=now,
                )
                done = _("Đã gửi đề nghị bổ sung thông tin cho công dân.")
            elif data["action"] == "forward":
                services.feedback_forward(
                    item_id=item.pk,
                    actor=actor,
                    to_agency_id=data["agency"],
                    reason=data["reason"],
                    expected_version=version,
                    now=now,
                )
                done = _("Đã chuyển phản ánh, kiến nghị.")
            elif data["action"] == "publish":
                services.feedback_publish(
                    item_id=item.pk,
                    actor=actor,
                    question=data["public_question"],
                    answer=data["public_answer"],
                    expected_version=version,
                    now=now,
                )
                done = _("Đã công khai câu hỏi và trả lời.")
            else:
                services.feedback_refuse(
                    item_id=item.pk,
                    actor=actor,
                    reason=data["reason"],
                    expected_version=version,
                    now=now,
                )
                done = _("Đã ghi nhận không xem xét phản ánh, kiến nghị.")
        except DomainError as exc:
            add_to_form(form, exc, _FIELDS)
            status = status_for(exc)
            item.refresh_from_db()
        else:
            messages.success(request, done)
            if data["action"] == "forward":
                return redirect("desk:feedback")
            return redirect("desk:feedback_item", pk=item.pk)
    context = _item_context(request, item, form)
    return render(request, "desk/feedback_item.html", context, status=status)


def _period(form: PeriodForm, now: datetime) -> tuple[datetime, datetime]:
    """The period asked for (whole local days), this month so far by default."""
    tz = centre_tz()
    today = local_date(now, tz)
    data = form.cleaned_data if form.is_valid() else {}
    first = data.get("start") or today.replace(day=1)
    last = data.get("end") or today
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine(last, time(0), tz) + timedelta(days=1)
    return start, end


@staff_required
def ratings(request: StaffRequest) -> HttpResponse:
    """Response rates (rated ÷ returned) and average scores, per agency and per officer."""
    actor = request.actor
    if actor.role not in RATING_ROLES and actor.role is not Role.DESK:
        return _not_here(request, _("Trang dành cho lãnh đạo và cơ quan giám sát."))
    form = PeriodForm(request.GET or None)
    start, end = _period(form, timezone.now())
    agencies, officers = response_rates(start=start, end=end)
    if actor.role not in RATING_ROLES:  # the desk sees only its own figures
        agencies = []
        officers = [r for r in officers if r.user_id == actor.user_id]
    context = {
        "nav": "ratings",
        "form": form,
        "agencies": agencies,
        "officers": officers,
        "start": start,
        "last": end - timedelta(days=1),
        "device": request.COOKIES.get(DESK_DEVICE_COOKIE) == "1",
    }
    return render(request, "desk/ratings.html", context)


@staff_required
@require_POST
def desk_device(request: StaffRequest) -> HttpResponse:
    """Mark (or unmark) this browser as one of the desk's own devices: ratings sent from it are
    stored marked as entered at the desk, even when nobody is signed in."""
    if request.actor.role is not Role.DESK:
        return _not_here(request, _("Chỉ cán bộ một cửa đánh dấu máy tại quầy."))
    response = redirect("desk:ratings")
    form = DeskDeviceForm(request.POST)
    if form.is_valid() and form.cleaned_data["mark"] == "1":
        response.set_cookie(
            DESK_DEVICE_COOKIE, "1", max_age=5 * 365 * 86400, httponly=True, samesite="Lax"
        )
        messages.success(request, _("Máy này được đánh dấu là máy tại quầy một cửa."))
    else:
        response.delete_cookie(DESK_DEVICE_COOKIE)
        messages.success(request, _("Đã bỏ đánh dấu máy tại quầy."))
    return response
