"""Every form of the desk, found from the code rather than listed: reception (at a commune's
desk and at the centre, which names the commune) and each action the dossier page offers, in
dossiers brought to every state by the services. A field or action added later is covered
by the tests that use this module (tests/desk/test_nfc.py, tests/desk/test_fuzz.py) without
editing them; `test_every_action_with_a_form_is_reached` fails when an action is not."""

from __future__ import annotations

import inspect
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from html.parser import HTMLParser
from typing import Any

from django import forms
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from motcua import fields
from motcua.core.lifecycle import Action
from motcua.desk.forms import ReceptionForm
from motcua.desk.page import dossier_page_context, reception_offer
from motcua.dossiers.services import dossier_act, dossier_receive
from motcua.notify.models import OutboxMessage
from tests.conftest import at
from tests.desk.test_pages import NOW, receive, reception_post
from tests.dossiers.test_services import forward, intake
from tests.scanfiles import PDF, upload

RECEPTION = "/can-bo/tiep-nhan/"


def act_url(d) -> str:
    return f"/can-bo/ho-so/{d.pk}/thao-tac/"


# ---------------------------------------------------------------------------------------------
# Dossiers in every state the page offers actions in


def _online(world):
    return dossier_receive(
        intake=intake(world, channel=2),
        actor=world.lan,
        now=at("2026-11-25 08:00"),
        outcome=Action.SUBMIT,
    )


def _with_duc(world):
    return forward(receive(world), world.lan, "2026-11-25 09:00")


def _at_police(world):
    return forward(_with_duc(world), world.duc, "2026-11-25 09:30")


def _awaiting_supplement(world):
    return dossier_act(
        dossier=_with_duc(world),
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.duc,
        now=at("2026-11-25 09:20"),
        missing=["Giấy chứng sinh"],
    )


def _birth(world):
    return forward(
        dossier_receive(
            intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 08:30")
        ),
        world.lan,
        "2026-11-25 08:45",
    )


def _proposed(world):
    d = dossier_act(
        dossier=_birth(world), action=Action.PROPOSE, actor=world.duc, now=at("2026-11-25 09:00")
    )
    return forward(d, world.duc, "2026-11-25 09:05")


def _approved(world):
    return dossier_act(
        dossier=_proposed(world),
        action=Action.APPROVE,
        actor=world.long,
        now=at("2026-11-25 09:10"),
    )


def _ready(world):
    return dossier_act(
        dossier=_approved(world),
        action=Action.MARK_READY,
        actor=world.long,
        now=at("2026-11-25 09:15"),
        result=upload(PDF, "kq.pdf"),
    )


def _in_payment(world):
    return dossier_act(
        dossier=_with_duc(world),
        action=Action.REQUEST_PAYMENT,
        actor=world.duc,
        now=at("2026-11-25 09:20"),
    )


def _apology_drafted(world):
    return dossier_act(
        dossier=_at_police(world),
        action=Action.DRAFT_APOLOGY,
        actor=world.tam,
        now=at("2026-11-25 09:40"),
        note="Chờ xác minh cư trú.",
    )


SCENARIOS: list[Callable[[Any], Any]] = [
    _online,
    receive,
    _with_duc,
    _at_police,
    _awaiting_supplement,
    _birth,
    _proposed,
    _approved,
    _ready,
    _in_payment,
    _apology_drafted,
]
PERSONAS = ["lan", "duc", "son", "long", "tam", "kien", "ha"]


@dataclass(frozen=True)
class Offered:
    """An action the page offers someone on a dossier, with its unbound form."""

    action: Action
    dossier: Any
    who: str
    form: forms.Form
    scenario: Callable[[Any], Any] | None = None


def offered_actions(world, wanted: Action | None = None) -> Iterator[Offered]:
    """Each action that has a form (or only `wanted`), once, with a dossier (made for it) and
    a person it is offered to."""
    seen: set[Action] = set()
    for scenario in SCENARIOS:
        d = scenario(world)
        for who in PERSONAS:
            for offer in dossier_page_context(d, getattr(world, who), NOW)["actions"]:
                action = offer["action"]
                if action in seen or (wanted is not None and action is not wanted):
                    continue
                seen.add(action)
                yield Offered(action, d, who, offer["form"], scenario)
                if wanted is not None:
                    return


# Where each action was found last time (every test builds the same world): tried first.
_WHERE: dict[Action, tuple[int, str]] = {}


def offered(world, action: Action) -> Offered:
    """The action on a dossier where it is offered, and to whom."""
    if action in _WHERE:
        index, who = _WHERE[action]
        d = SCENARIOS[index](world)
        for offer in dossier_page_context(d, getattr(world, who), NOW)["actions"]:
            if offer["action"] is action:
                return Offered(action, d, who, offer["form"])
    for found in offered_actions(world, action):
        index = next(i for i, s in enumerate(SCENARIOS) if s is found.scenario)
        _WHERE[action] = (index, found.who)
        return found
    raise AssertionError(f"no scenario offers {action.value}: add one to SCENARIOS")


# ---------------------------------------------------------------------------------------------
# A valid post of any form, built from its fields


def _moment(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M") if value else ""


def valid_value(name: str, field: forms.Field, *, text: str) -> Any:
    """A value the field accepts, `text` for free text."""
    if isinstance(field, forms.MultipleChoiceField):
        return []
    if isinstance(field, forms.ChoiceField):
        initial = field.initial
        values = [str(v) for v, _label in field.choices if str(v) != ""]
        if initial not in (None, "") and str(initial) in values:
            return str(initial)
        return values[0] if values and field.required else ""
    if isinstance(field, fields.LocalDateTimeField):
        return _moment(field.initial) if field.required or field.initial else ""
    if isinstance(field, forms.IntegerField):
        return str(field.initial if field.initial is not None else field.min_value or 0)
    if isinstance(field, forms.EmailField):
        return "binh@example.vn"
    if isinstance(field, forms.FileField):
        return ""
    if isinstance(field, forms.BooleanField):
        return ""
    if isinstance(field, forms.CharField):
        return text
    return field.initial or ""


def text_fields(form: forms.Form) -> list[str]:
    """The inputs of a form a person types text into (hidden ones and e-mail excluded)."""
    return [
        name
        for name, field in form.fields.items()
        if isinstance(field, forms.CharField)
        and not isinstance(field, forms.EmailField)
        and not isinstance(field.widget, forms.HiddenInput)
    ]


# The inputs whose text has a form of its own; what is typed there stays ASCII.
FORMATTED = {"id_number", "rep_id", "phone", "form_key"}


def action_post(found: Offered, *, text: str = "Ghi chú") -> dict[str, Any]:
    """A post the action's form accepts, with `text` in every free-text input."""
    post: dict[str, Any] = {}
    for name, field in found.form.fields.items():
        post[name] = valid_value(name, field, text=text)
    post.update(action=found.action.value, version=str(found.dossier.version))
    if "missing" in post:
        post["missing"] = text
    if "confirm" in post:  # the return: handed at the desk to a person the applicant authorised
        post.update(
            delivery="desk", collector="authorised", collector_id="001203012345", tracking=""
        )
        post["confirm"] = "on"
    return post


def reception_form(world, who: str) -> ReceptionForm:
    offer, _context = reception_offer(getattr(world, who), world.chain, timezone.now())
    return ReceptionForm(offer=offer)


def reception_data(world, who: str, *, text: str, **changes: Any) -> dict[str, Any]:
    """A reception post the form accepts, `text` in every free-text input."""
    form = reception_form(world, who)
    post = reception_post(world)
    for name in text_fields(form):
        if name not in FORMATTED:
            post[name] = text
    if "commune" in form.fields:
        post["commune"] = "H26.100"
    if who == "ha":
        post["form_key"] = "k-ha"
    post.update(changes)
    return post


# ---------------------------------------------------------------------------------------------
# What is stored


def stored_texts() -> Iterator[tuple[str, str]]:
    """Every text stored by the apps of motcua (and the outbox): (model.field, value), the
    strings inside JSON columns included."""
    for model in apps.get_models():
        if not model.__module__.startswith("motcua.") and model is not OutboxMessage:
            continue
        columns = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not columns:
            continue
        for row in model.objects.values_list(*(f.attname for f in columns)):
            for column, value in zip(columns, row, strict=True):
                for text in _strings(value):
                    yield f"{model.__name__}.{column.name}", text


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def not_nfc() -> list[str]:
    """Where a stored text is not NFC."""
    return [where for where, text in stored_texts() if unicodedata.normalize("NFC", text) != text]


# ---------------------------------------------------------------------------------------------
# Every other form the desk posts: appointments, feedback, the fee paid at the counter, ...
#
# The addresses are found from the desk's URL conf (`desk_post_names`): a view that takes a
# POST must have its variants here, be one of the two swept above, or be exempt with a reason;
# `test_every_desk_post_form_is_swept` fails otherwise, so a form added later is not missed.

# Swept above, by the tests of reception and of each action (the online queue's acceptance and
# request for corrections are actions of an online dossier: `_online`).
SWEPT_ABOVE = {"reception", "act"}
EXEMPT = {
    "logout": "no input: it signs the officer out",
    "logout_everywhere": "no input: it signs the person out on every device",
    "second_factor": "reached only after a password in the same session; one input, a code "
    "(CodeForm: a checked TextField), never stored; tests/desk/test_second_factor.py",
    "enrol": "one input, a code of a random secret (CodeForm), never stored; a right one "
    "answers the recovery codes, shown once, not a redirect; tests/desk/test_second_factor.py",
    "inbox": "a search posted so that an ID number never enters the address: kept in the "
    "session behind a token and read by InboxFilterForm, nothing stored in the database; "
    "tests/desk/test_pages.py, tests/test_numbers_out_of_urls.py",
}


def _takes_post(view: Callable[..., Any]) -> bool:
    """Whether the view takes a POST: a `require_POST` / `require_http_methods` naming POST
    anywhere in its decorators, or its body reading `request.POST` or `request.FILES`."""
    layer: Any = view
    while layer is not None:
        methods = inspect.getclosurevars(layer).nonlocals.get("request_method_list")
        if methods is not None and "POST" in methods:
            return True
        inner = getattr(layer, "__wrapped__", None)
        if inner is None:
            source = inspect.getsource(layer)
            return "request.POST" in source or "request.FILES" in source
        layer = inner
    return False


def desk_post_names() -> set[str]:
    """The URL names of the desk whose view takes a POST."""
    from motcua.desk import urls

    return {p.name for p in urls.urlpatterns if p.name and _takes_post(p.callback)}


@dataclass(frozen=True)
class DeskPost:
    """One form as the desk posts it: where, by whom, its unbound form (the inputs to fuzz) and
    a post it accepts."""

    url: str
    who: str
    form: forms.Form
    post: dict[str, Any]
    # A refused sign-in is counted on purpose (the lock after repeated failures).
    refusal_stores: bool = False


def _citizen(email: str, name: str):
    from motcua.citizens.models import Citizen

    return Citizen.objects.create(
        email=email, full_name=name, password="!", created_at=at("2026-11-01 08:00")
    )


def _bookings(world) -> tuple[Any, Any]:
    """Two bookings at Hoàn Kiếm for today 14:00: one not yet arrived, one checked in."""
    from motcua.appointments.models import Window
    from motcua.appointments.services import booking_check_in, booking_make

    Window.objects.create(
        branch=world.hoan_kiem, weekday=2, start=time(14), end=time(15), capacity=2
    )
    made = [
        booking_make(
            citizen=_citizen(email, name),
            procedure_code="1.001193",
            branch_id=world.hoan_kiem.pk,
            day=date(2026, 11, 25),
            start=time(14),
            now=at("2026-11-24 10:00"),
        )
        for email, name in [("an@example.vn", "Nguyễn Văn An"), ("binh@example.vn", "Trần Bình")]
    ]
    booking_check_in(booking=made[1], actor=world.lan, now=at("2026-11-25 09:00"))
    return made[0], made[1]


def _booking_act(action: str) -> Callable[..., DeskPost]:
    def build(world, *, text: str) -> DeskPost:
        from motcua.desk.views.appointments import BookingActionForm

        waiting, arrived = _bookings(world)
        booking = waiting if action == "check_in" else arrived
        url = reverse("desk:appointment_act", args=[booking.pk])
        return DeskPost(url, "lan", BookingActionForm(), {"action": action})

    return build


# What each way of handling a feedback item asks for, in the form's names.
_HANDLING = {
    "answer": ("answer",),
    "ask": ("question",),
    "forward": ("reason",),
    "refuse": ("reason",),
    "publish": ("public_question", "public_answer"),
}


def _feedback_handle(action: str) -> Callable[..., DeskPost]:
    def build(world, *, text: str) -> DeskPost:
        from django.test import Client

        from motcua.feedback import services
        from motcua.feedback.forms import HandleForm
        from motcua.feedback.models import Feedback
        from motcua.organization.selectors import active_agencies
        from tests.feedback.test_pages import filed

        assert filed(Client()).status_code == 302  # about a procedure of the justice department
        item = Feedback.objects.get()
        if action == "publish":  # only an answered item's answer is published
            item = services.feedback_answer(
                item_id=item.pk, actor=world.nam, answer="Đã trả lời.", expected_version=0, now=NOW
            )
        form = HandleForm(agencies=[(a.pk, a.name) for a in active_agencies()])
        post = {"action": action, "version": str(item.version)}
        post.update(dict.fromkeys(_HANDLING[action], text))
        if action == "forward":
            post["agency"] = str(world.hoan_kiem.pk)
        url = reverse("desk:feedback_item", args=[item.pk])
        return DeskPost(url, "nam", form, post)

    return build


def _desk_payment(per: str) -> Callable[..., DeskPost]:
    def build(world, *, text: str) -> DeskPost:
        from motcua.desk.forms import DeskPaymentForm

        world.birth.versions.update(fee=8000, fee_rule={"per": per})
        d = dossier_receive(
            intake=intake(world, world.birth, copies=2), actor=world.lan, now=at("2026-11-25 09:30")
        )
        form = DeskPaymentForm(by_page=per == "page")
        post = {"receipt_number": text[:40], "payer_name": text}
        if per == "page":
            post["pages"] = "3"
        return DeskPost(reverse("desk:pay", args=[d.pk]), "lan", form, post)

    return build


def _desk_device(world, *, text: str) -> DeskPost:
    from motcua.desk.forms import DeskDeviceForm

    return DeskPost(reverse("desk:desk_device"), "lan", DeskDeviceForm(), {"mark": "1"})


def _signin(world, *, text: str) -> DeskPost:
    from motcua.desk.views.auth import SignInForm

    post = {"username": "lan", "password": "x-" + "lan" * 2}
    return DeskPost(reverse("desk:login"), "", SignInForm(), post, refusal_stores=True)


@dataclass(frozen=True)
class Variant:
    """One way a desk address is posted to: `build(world, text=...)` makes what it needs;
    `action`, the value of the form's hidden `action` choice it posts, if it has one."""

    id: str
    url_name: str
    build: Callable[..., DeskPost]
    action: str = ""


DESK_POSTS = [
    Variant("appointment-check-in", "appointment_act", _booking_act("check_in"), "check_in"),
    Variant("appointment-call", "appointment_act", _booking_act("call"), "call"),
    *(Variant(f"feedback-{a}", "feedback_item", _feedback_handle(a), a) for a in _HANDLING),
    Variant("fee-per-copy", "pay", _desk_payment("copy")),
    Variant("fee-per-page", "pay", _desk_payment("page")),
    Variant("desk-device", "desk_device", _desk_device),
    Variant("sign-in", "login", _signin),
]


def action_choices() -> dict[str, set[str]]:
    """The hidden `action` choices of the forms posted to each desk address that has them."""
    from motcua.desk.views.appointments import BookingActionForm
    from motcua.feedback.forms import HandleForm

    def choices(form: forms.Form) -> set[str]:
        return {str(value) for value, _label in form.fields["action"].choices}

    return {
        "appointment_act": choices(BookingActionForm()),
        "feedback_item": choices(HandleForm(agencies=[])),
    }


def all_rows() -> dict[str, int]:
    """How many rows each table of motcua (and the outbox) holds."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model.__module__.startswith("motcua.") or model is OutboxMessage
    }


# ---------------------------------------------------------------------------------------------
# The desk's GET forms (the day's appointments, the inbox's filters, the ratings' period, ...)

GET_PERSONAS = ["lan", "long", "nam", "ha"]


def desk_pages() -> list[str]:
    """The desk's addresses that take no argument, by URL name (the pages a menu links)."""
    from motcua.desk import urls

    return [p.name for p in urls.urlpatterns if p.name and not p.pattern.converters]


class _GetForms(HTMLParser):
    """The names of the inputs of a page's `<form method="get">`s."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.names: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "form":
            self.inside = (attr.get("method") or "get").lower() == "get"
        elif self.inside and tag in ("input", "select", "textarea"):
            name = attr.get("name") or ""
            if name and name not in self.names:
                self.names.append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def get_form_inputs(html: str) -> list[str]:
    parser = _GetForms()
    parser.feed(html)
    return parser.names
