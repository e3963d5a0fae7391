"""What the desk's pages read, gathered in one place so that the views stay thin: the dossier
page (facts, hand-overs, the actions allowed now and what their forms offer) and reception."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from motcua.catalog.selectors import documents_of, fee_rule_of, procedure_search
from motcua.core import fees
from motcua.core import payments as payment_rules
from motcua.core.apology import timing
from motcua.core.attention import Reason, reasons
from motcua.core.calendar import local_date
from motcua.core.lifecycle import Action, Role, Status
from motcua.desk.forms import (
    ACTION_FIELDS,
    ActionChoices,
    ActionForm,
    ActionPick,
    DeskPaymentForm,
    ReceptionChoices,
    action_inputs,
)
from motcua.dossiers.selectors import (
    dossier_allowed_actions,
    dossier_apology_letter,
    dossier_deadline,
    dossier_digitisation,
    dossier_due_explanation,
    dossier_events,
    dossier_next_step,
    dossier_outlook,
    dossier_papers,
    dossier_plan,
    dossier_result,
    dossier_steps,
    online_channel,
)
from motcua.online.selectors import held_papers, online_form_values
from motcua.organization.selectors import (
    Actor,
    calendar_for,
    centre_tz,
    communes,
    is_commune,
    staff_in,
)
from motcua.payments.selectors import dossier_payment
from motcua.payments.services import dossier_amount_due

if TYPE_CHECKING:
    from motcua.catalog.models import Procedure
    from motcua.dossiers.models import ApologyLetter, Dossier, DossierResult
    from motcua.organization.models import Agency, Staff, Unit

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


def _forms_available(
    dossier: Dossier, apology: ApologyLetter | None
) -> list[tuple[str, StrOrPromise]]:
    applies = {
        "01": dossier.code is not None,
        "02": dossier.supplement_requests > 0,
        "03": dossier.status == Status.REFUSED,
        "04": apology is not None,
        "05": dossier.status == Status.STOPPED,
        "06": dossier.received_at is not None,
    }
    return [(number, title) for number, title in FORMS if applies[number]]


def _late_timing(
    action: Action, dossier: Dossier, letter: ApologyLetter | None, now: datetime
) -> str:
    """For drafting or signing the apology: the one-day rule's verdict if taken now and late
    (what the record will say, told before), else ""."""
    if action is Action.DRAFT_APOLOGY and dossier.due_at is not None:
        due = dossier.due_at
    elif action is Action.APPROVE_APOLOGY and letter is not None:
        due = letter.original_due_at
    else:
        return ""
    verdict = timing(calendar_for(dossier.received_place), at=now, due_at=due)
    return "" if verdict.in_time else verdict.label


def dossier_page_context(
    dossier: Dossier, actor: Actor, now: datetime, *, submitted: ActionForm | None = None
) -> dict[str, Any]:
    """The dossier page's context: facts, hand-overs, events, and a form per action allowed
    now (the `submitted` one, with what was typed and its errors, in place of its own)."""
    actions = [a for a in dossier_allowed_actions(dossier, actor, now) if a in ACTION_FIELDS]
    steps = dossier_steps(dossier)
    events = dossier_events(dossier)
    apology = dossier_apology_letter(dossier)
    offers = _ActionOffers(dossier, now)
    offered: list[dict[str, Any]] = []
    for action in actions:
        mine = submitted is not None and submitted.chosen is action
        offered.append(
            {
                "action": action,
                "label": action.label,
                "inputs": action_inputs(action),
                "form": submitted if mine else offers.form(action),
                "open": mine,
                "danger": action in DANGER,
                "late_timing": _late_timing(action, dossier, apology, now),
            }
        )
    forwards = any("next_assignee" in f["inputs"] for f in offered)
    errors: list[str] = []
    if submitted is not None:
        # Errors about an action the page no longer offers have no field to stand beside.
        shown = any(f["open"] for f in offered)
        errors = submitted.top_errors() if shown else submitted.all_errors()
    return {
        "nav": "inbox",
        "d": dossier,
        "procedure": dossier.procedure_version.procedure,
        "version": dossier.procedure_version,
        "documents": dossier_papers(dossier),
        "digitised": dossier_digitisation(dossier),
        "result_copy": offers.result,
        "steps": steps,
        "events": events,
        "apology": apology,
        "forms": _forms_available(dossier, apology),
        "actions": offered,
        "next_step": offers.next_step if forwards else None,
        "errors": errors,
        "invalid": submitted is not None and bool(submitted.errors),
        "paused": dossier.status == Status.SUPPLEMENT,
        "explanation": dossier_due_explanation(dossier, now),
        "deadline": dossier_deadline(dossier, now),
        "now": now,
        # Online dossiers: what the e-form declared, the papers taken from earlier results.
        "declared": online_form_values(dossier) if dossier.channel == online_channel() else [],
        "held": held_papers(dossier) if dossier.channel == online_channel() else [],
        "fee": fee_panel(dossier, actor),
    }


def fee_panel(
    dossier: Dossier, actor: Actor, submitted: DeskPaymentForm | None = None
) -> dict[str, Any]:
    """The dossier page's fee box: what is due, what was paid, and the desk's form to record
    a payment at the counter (to the desk, while the dossier may be paid)."""
    rule = fee_rule_of(dossier.procedure_version)
    paid = dossier_payment(dossier)
    offer = (
        not rule.free
        and paid is None
        and actor.role is Role.DESK
        and Status(dossier.status) in payment_rules.PAYABLE
    )
    form = submitted or DeskPaymentForm(
        by_page=rule.per is fees.Per.PAGE, payer=dossier.applicant_name
    )
    return {
        "free": rule.free,
        "due": fees.money(dossier_amount_due(dossier).amount) if not rule.free else "0",
        "by_page": rule.per is fees.Per.PAGE,
        "paid": paid,
        "paid_amount": fees.money(paid.amount) if paid is not None else "",
        "form": form if offer or submitted is not None else None,
    }


def submitted_action_form(
    data: QueryDict, dossier: Dossier, now: datetime, files: Any = None
) -> ActionForm:
    """The posted action's form, bound; with only `action` and `version` when the data names
    no known action (its error then says so)."""
    pick = ActionPick(data)
    action = Action(pick.cleaned_data["action"]) if pick.is_valid() else None
    return _ActionOffers(dossier, now).form(action, data, files)


class _ActionOffers:
    """What each action's form offers on one dossier, read once per page."""

    def __init__(self, dossier: Dossier, now: datetime) -> None:
        self.dossier, self.now = dossier, now

    @functools.cached_property
    def result(self) -> DossierResult | None:
        """The result's electronic copy on file (asked only when an action attaches one)."""
        return dossier_result(self.dossier)

    @functools.cached_property
    def next_step(self) -> tuple[Agency, Unit] | None:
        """Where FORWARD would send the dossier (asked only when an action needs it)."""
        return dossier_next_step(self.dossier)

    def form(
        self, action: Action | None, data: QueryDict | None = None, files: Any = None
    ) -> ActionForm:
        inputs = action_inputs(action) if action else set()
        d = self.dossier
        plan = dossier_plan(d)
        staff: list[Staff] = []
        # Only those the step may go to: its unit, in the role it names or that unit's leader.
        if "assignee" in inputs and d.current_unit_id is not None:
            role = plan[d.step_index].role
            staff = staff_in(d.current_agency_id, d.current_unit_id, roles=(role, Role.UNIT_LEADER))
        if "next_assignee" in inputs and self.next_step is not None:
            agency, unit = self.next_step
            role = plan[d.step_index + 1].role
            staff = staff_in(agency.pk, unit.pk, roles=(role, Role.UNIT_LEADER))
        proposed = None
        if "new_due" in inputs and d.due_at is not None:
            calendar = calendar_for(d.received_place)
            view = dossier_outlook(d, calendar, self.now, plan)
            proposed = view.new_due.astimezone(calendar.tz) if view is not None else None
        documents = documents_of(d.procedure_version) if "documents" in inputs else []
        offer = ActionChoices(
            staff=staff,
            delivery=d.delivery,
            proposed_due=proposed,
            documents=documents,
            has_result="result" in inputs and self.result is not None,
        )
        return ActionForm(data, action=action, now=self.now, offer=offer, files=files)


# ---------------------------------------------------------------------------------------------
# Reception


def procedures_to_pick() -> QuerySet[Procedure]:
    """The first procedures the reception page lists before anything is typed."""
    return procedure_search("")


def reception_offer(
    actor: Actor, procedure: Procedure, now: datetime
) -> tuple[ReceptionChoices, dict[str, Any]]:
    """What reception offers for a procedure, and the facts the page shows about it: the
    version in force on the centre's local date, the one the service will apply."""
    version = procedure.current_version(on=local_date(now, centre_tz()))
    documents = list(version.documents.all()) if version else []
    competent: list[Agency] | None = None
    at_commune = actor.agency is not None and is_commune(actor.agency)
    if version and version.competent == "commune" and not at_commune:
        competent = communes(covered_by=actor.agency)
    facts = {
        "nav": "reception",
        "procedure": procedure,
        "version": version,
        "steps": list(version.steps.all()) if version else [],
    }
    return ReceptionChoices(procedure=procedure, documents=documents, communes=competent), facts


# ---------------------------------------------------------------------------------------------
# The leader's view


def needing_attention(
    dossiers: Iterable[Dossier], *, now: datetime, today_end: datetime, soon: datetime, limit: int
) -> list[tuple[Dossier, tuple[Reason, ...]]]:
    """(dossier, why it needs attention) for the first `limit` dossiers that have a reason,
    in the order given (most urgent first); those with none are left out."""
    found = []
    for d in dossiers:
        why = reasons(
            d.status,
            due_at=d.due_at,
            step_due_at=d.step_due_at,
            assigned=d.current_holder_id is not None,
            now=now,
            today_end=today_end,
            soon=soon,
        )
        if why:
            found.append((d, why))
        if len(found) == limit:
            break
    return found


def load_by_unit(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The per-person load summed per unit, the units with the most late dossiers first."""
    units: dict[int | None, dict[str, Any]] = {}
    for r in rows:
        unit = units.setdefault(
            r["current_unit_id"],
            {
                "name": r["current_unit__name"] or "",
                "count": 0,
                "late": 0,
                "soon": 0,
                "paused": 0,
                "unassigned": 0,
                "oldest": None,
            },
        )
        for key in ("count", "late", "soon", "paused"):
            unit[key] += r[key]
        if r["current_holder_id"] is None:
            unit["unassigned"] += r["count"]
        if r["oldest"] is not None and (unit["oldest"] is None or r["oldest"] < unit["oldest"]):
            unit["oldest"] = r["oldest"]
    return sorted(units.values(), key=lambda u: (-u["late"], -u["soon"], -u["count"], u["name"]))
