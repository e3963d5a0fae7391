"""What the dossier page shows: gathered in one place so the view stays thin."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from motcua.core.blame import OUTCOME_LABELS
from motcua.core.lifecycle import ACTION_LABELS, STATUS_LABELS, Action, Status
from motcua.dossiers.models import ApologyLetter, Dossier, DossierEvent, DossierStep
from motcua.dossiers.selectors import (
    dossier_allowed_actions,
    dossier_next_step,
    dossier_outlook,
    dossier_plan,
)
from motcua.organization.models import Staff
from motcua.organization.selectors import Actor, calendar_for

# Which inputs each action's form asks for ("note!" = a required reason).
ACTION_FIELDS: dict[Action, tuple[str, ...]] = {
    Action.RECEIVE: (),
    Action.REFUSE: ("note!",),
    Action.REQUEST_SUPPLEMENT: ("missing", "note"),
    Action.SUPPLEMENT: ("note",),
    Action.ASSIGN: ("assignee",),
    Action.FORWARD: ("next_assignee", "note"),
    Action.SEND_BACK: ("note!",),
    Action.REQUEST_PAYMENT: ("note",),
    Action.PAY: ("note",),
    Action.PROPOSE: ("note",),
    Action.APPROVE: ("note",),
    Action.MARK_READY: ("note",),
    Action.RETURN_RESULT: ("delivery",),
    Action.WITHDRAW: ("note!",),
    Action.STOP: ("note!",),
    Action.DRAFT_APOLOGY: ("new_due", "note!"),
    Action.APPROVE_APOLOGY: (),
}
# Buttons that end or refuse something get the cautious style.
DANGER = {Action.REFUSE, Action.STOP, Action.WITHDRAW, Action.SEND_BACK}
FORMS = [
    ("01", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")),
    ("02", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")),
    ("03", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")),
    ("04", _("Văn bản xin lỗi và đề nghị gia hạn")),
    ("05", _("Thông báo dừng giải quyết hồ sơ")),
    ("06", _("Phiếu kiểm soát quá trình giải quyết hồ sơ")),
]


def _forms_available(dossier: Dossier, apology: ApologyLetter | None) -> list[tuple[str, str]]:
    applies = {
        "01": dossier.code is not None,
        "02": dossier.supplement_requests > 0,
        "03": dossier.status == Status.REFUSED,
        "04": apology is not None,
        "05": dossier.status == Status.STOPPED,
        "06": dossier.received_at is not None,
    }
    return [(number, title) for number, title in FORMS if applies[number]]


def dossier_page_context(dossier: Dossier, actor: Actor, now: datetime) -> dict[str, Any]:
    """The dossier page's context: facts, hand-overs, events, and the actions allowed now."""
    calendar = calendar_for(dossier.received_place)
    actions = [a for a in dossier_allowed_actions(dossier, actor, now) if a in ACTION_FIELDS]
    steps = list(
        DossierStep.objects.filter(dossier=dossier).select_related("agency", "unit", "holder")
    )
    for step in steps:
        step.outcome_label = OUTCOME_LABELS.get(step.outcome, "Đang xử lý")
    events = list(
        DossierEvent.objects.filter(dossier=dossier)
        .select_related("actor", "agency")
        .order_by("seq")
    )
    for event in events:
        try:
            event.label = ACTION_LABELS[Action(event.action)]
        except ValueError:
            event.label = event.action
        event.to_label = STATUS_LABELS.get(Status(event.to_status), "")
    apology = ApologyLetter.objects.filter(dossier=dossier).select_related("agency").first()
    needs = {field.rstrip("!") for a in actions for field in ACTION_FIELDS[a]}
    context: dict[str, Any] = {
        "nav": "inbox",
        "d": dossier,
        "procedure": dossier.procedure_version.procedure,
        "version": dossier.procedure_version,
        "documents": list(dossier.documents.all()),
        "steps": steps,
        "events": events,
        "apology": apology,
        "forms": _forms_available(dossier, apology),
        "actions": [
            {
                "action": a,
                "label": a.label,
                "fields": [f.rstrip("!") for f in ACTION_FIELDS[a]],
                "required": {f.rstrip("!") for f in ACTION_FIELDS[a] if f.endswith("!")},
                "danger": a in DANGER,
            }
            for a in actions
        ],
        "delivery_choices": Dossier.Delivery.choices,
        "paused": dossier.status == Status.SUPPLEMENT,
        "now": now,
    }
    if "assignee" in needs:
        context["assignees"] = Staff.objects.filter(
            agency_id=dossier.current_agency_id
        ).select_related("user", "unit")
    if "next_assignee" in needs:
        nxt = dossier_next_step(dossier)
        context["next_step"] = nxt
        if nxt is not None:
            context["next_assignees"] = Staff.objects.filter(
                agency=nxt[0], unit=nxt[1]
            ).select_related("user")
    view = dossier_outlook(dossier, calendar, now, dossier_plan(dossier))
    if "new_due" in needs and view is not None:
        context["proposed_due"] = view.new_due.astimezone(calendar.tz)
    return context
