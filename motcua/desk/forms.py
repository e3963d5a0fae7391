"""What the desk's pages accept: reception and the actions on a dossier, every input bounded.

A form checks what can be checked without the domain (numbers, lengths, choices among what
the page offered); the service then decides, and what it refuses comes back beside the same
fields through `motcua.edge.add_to_form` and the tables of service field names below.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua import fields
from motcua.catalog.selectors import procedures
from motcua.core import codes, reception
from motcua.core.errors import DomainError
from motcua.core.lifecycle import Action
from motcua.core.returning import COLLECTOR_LABELS
from motcua.core.text import fold
from motcua.dossiers.selectors import (
    BUCKETS,
    INBOX_STATUSES,
    InboxFilters,
    channel_choices,
    default_delivery,
    delivery_choices,
)
from motcua.dossiers.services import Applicant, Handover, Intake, Papers, ScanUpload
from motcua.i18n import error_text

if TYPE_CHECKING:
    from motcua.catalog.models import Procedure, RequiredDocument
    from motcua.organization.models import Agency, Staff

# ---------------------------------------------------------------------------------------------
# Reception

# The three decisions at the desk (DOMAIN §5): the action and the form that follows it.
OUTCOMES: dict[str, tuple[Action, str]] = {
    "receive": (Action.RECEIVE, "01"),
    "supplement": (Action.REQUEST_SUPPLEMENT, "02"),
    "refuse": (Action.REFUSE, "03"),
}

# The service's field names -> this form's inputs. `channel` has no input (the desk receives
# in person): its problems are shown above the form, as are those of unknown fields.
RECEPTION_INPUTS = {
    "procedure_code": "procedure",
    "applicant_name": "name",
    "applicant_id_number": "id_number",
    "applicant_address": "address",
    "applicant_phone": "phone",
    "applicant_email": "email",
    "representative_name": "rep_name",
    "representative_id_number": "rep_id",
    "authorisation": "authorisation",
    "request": "request",
    "copies": "copies",
    "delivery": "delivery",
    "competent_agency": "commune",
    "documents": "documents",
    "others": "others",
    "reason": "reason",
    "missing": "missing",
}

# The inputs in the order the reception page shows them (its error summary follows it).
RECEPTION_ORDER = (
    "name",
    "id_number",
    "address",
    "phone",
    "email",
    "all_papers",
    "documents",
    "rep_name",
    "rep_id",
    "authorisation",
    "commune",
    "request",
    "others",
    "copies",
    "delivery",
    "outcome",
    "missing",
    "reason",
)

MAX_COPIES = 99


class ProcedurePick(fields.Form):
    """Which procedure the reception form is for (`?procedure=` or the form's hidden input)."""

    procedure = forms.ModelChoiceField(
        queryset=procedures(), to_field_name="code", widget=forms.HiddenInput
    )


@dataclass(frozen=True)
class ReceptionChoices:
    """What the reception form offers for one procedure: its papers, and the communes when the
    desk must name the competent one (None when it need not)."""

    procedure: Procedure
    documents: Sequence[RequiredDocument]
    communes: Sequence[Agency] | None


class ReceptionForm(fields.Form):
    """The desk's reception of one dossier: the applicant, the papers, and the decision."""

    name = fields.TextField(label=_("Họ và tên"), max_length=200, required=True)
    id_number = fields.TextField(
        label=_("Số định danh cá nhân (12 số) hoặc mã số doanh nghiệp"),
        max_length=20,
        required=True,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = fields.TextField(label=_("Địa chỉ"), max_length=300)
    phone = fields.TextField(
        label=_("Điện thoại"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    email = fields.EmailField(label=_("Thư điện tử"), max_length=254, required=False)
    rep_name = fields.TextField(label=_("Họ và tên người được ủy quyền"), max_length=200)
    rep_id = fields.TextField(label=_("Số định danh người được ủy quyền"), max_length=20)
    authorisation = fields.TextField(label=_("Văn bản ủy quyền (số, ngày)"), max_length=300)
    request = fields.TextField(label=_("Nội dung yêu cầu"), max_length=1000)
    documents = fields.MultipleChoiceField(
        label=_("Thành phần hồ sơ đã nộp"), coerce=int, required=False
    )
    # One tick for the common case, the citizen brought everything: every paper counts as
    # ticked (the page's script ticks the boxes too, so what is seen is what is sent).
    all_papers = forms.BooleanField(label=_("Đủ tất cả giấy tờ"), required=False)
    others = fields.LinesField(
        label=_("Giấy tờ khác đã nhận (mỗi dòng một giấy tờ)"), max_line_length=500
    )
    copies = fields.NumberField(
        label=_("Số bộ hồ sơ"), min_value=1, max_value=MAX_COPIES, required=False, initial=1
    )
    delivery = fields.ChoiceField(label=_("Hình thức nhận kết quả"), initial=default_delivery())
    outcome = fields.ChoiceField(
        label=_("Kết quả kiểm tra hồ sơ"),
        choices=[(key, action.label) for key, (action, _form) in OUTCOMES.items()],
    )
    reason = fields.ParagraphField(
        label=_("Lý do từ chối (bắt buộc)"), max_length=reception.MAX_REASON_LENGTH
    )
    missing = fields.LinesField(
        label=_(
            "Giấy tờ cần bổ sung, hoàn thiện (mỗi dòng một mục; để trống: tự liệt kê các giấy "
            "tờ chưa đánh dấu)"
        ),
        max_lines=reception.MAX_MISSING,
        max_line_length=reception.MAX_MISSING_LENGTH,
    )
    # The appointment this reception comes from (`?hen=`): the dossier is lodged for the
    # booking's account and the booking records it.
    booking = fields.NumberField(
        min_value=1, max_value=2**62, required=False, widget=forms.HiddenInput
    )
    # A fresh key per page: a double-clicked submit creates one dossier (idempotency).
    form_key = fields.TextField(
        max_length=64,
        widget=forms.HiddenInput,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]*$", _("Trang đã cũ; hãy tải lại trang."))],
    )

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        offer: ReceptionChoices,
        prefill: dict[str, str] | None = None,
    ) -> None:
        # `prefill`: the applicant from a booking's account (appointments), typed again by no one.
        initial = {"request": offer.procedure.name, **(prefill or {})}
        super().__init__(data, files, initial=initial)
        self.offer = offer
        if not self.is_bound:
            # The procedure chosen, the officer types the name next (no pointer needed).
            self.fields["name"].widget.attrs["autofocus"] = True
        documents = cast(forms.ChoiceField, self.fields["documents"])
        documents.choices = [(d.pk, _document_label(d)) for d in offer.documents]
        self.fields.update(scan_fields(offer.documents))
        delivery = cast(forms.ChoiceField, self.fields["delivery"])
        delivery.choices = fields.choices(delivery_choices())
        if offer.communes is None:
            return
        self.fields["commune"] = fields.ChoiceField(
            label=_("UBND cấp xã có thẩm quyền"),
            choices=[("", "—"), *((c.code, c.name) for c in offer.communes)],
        )

    def clean_id_number(self) -> str:
        # Checked here too, so that its message joins the others instead of coming alone.
        value: str = self.cleaned_data["id_number"]
        try:
            codes.validate_id_number(value)
        except DomainError as exc:
            raise forms.ValidationError(error_text(exc)) from None
        return value

    def clean_copies(self) -> int:
        return self.cleaned_data["copies"] or 1

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("all_papers"):
            data["documents"] = [d.pk for d in self.offer.documents]
        if self.errors:
            # The service will not be asked: its checks are run here, so that every problem
            # is shown at once instead of one round at a time.
            self._precheck(data)
        return data

    def _precheck(self, data: dict[str, Any]) -> None:
        """The core's reception check on what parsed, its problems beside fields not yet
        marked."""
        outcome = OUTCOMES.get(data.get("outcome", ""), (Action.RECEIVE, ""))[0]
        applicant = reception.Applicant(
            name=data.get("name", ""),
            id_number=data.get("id_number", ""),
            representative_name=data.get("rep_name", ""),
            authorisation=data.get("authorisation", ""),
        )
        papers = [
            reception.Paper(key=d.pk, name=d.name, optional=d.optional)
            for d in self.offer.documents
        ]
        try:
            reception.check(
                outcome,
                applicant=applicant,
                papers=papers,
                ticked=data.get("documents", []),
                reason=data.get("reason", ""),
                missing=data.get("missing", []),
            )
        except DomainError as exc:
            for problem in exc.problems():
                name = RECEPTION_INPUTS.get(str(problem.details.get("field", "")), "")
                if name in self.fields and name not in self.errors:
                    self.add_error(name, error_text(problem))

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(input id, label, message) of every field error, in the page's order, for the
        summary at the top that links to each field."""
        order = [*RECEPTION_ORDER, *(n for n in self.fields if n not in RECEPTION_ORDER)]
        summary = []
        for name in order:
            if name not in self.fields or name not in self.errors or self[name].is_hidden:
                continue
            bound = self[name]
            target = bound.auto_id if name == "documents" else bound.id_for_label
            for message in bound.errors:
                summary.append((target, str(bound.label), str(message)))
        return summary

    def page_key(self) -> str:
        """The idempotency key the page carries: the one sent back, or a fresh one."""
        sent = self["form_key"].value() if self.is_bound and not self["form_key"].errors else ""
        return sent or uuid.uuid4().hex

    @property
    def form_number(self) -> str:
        """The official form the decision leads to (01, 02 or 03)."""
        return OUTCOMES[self.cleaned_data["outcome"]][1]

    def service_kwargs(self, citizen_id: int | None = None) -> dict[str, Any]:
        """The arguments of `dossier_receive` besides the actor and the time (`citizen_id`:
        the account it is lodged for, that of the booking it comes from)."""
        data = self.cleaned_data
        intake = Intake(
            citizen_id=citizen_id,
            procedure_code=self.offer.procedure.code,
            applicant=Applicant(
                name=data["name"],
                id_number=data["id_number"],
                address=data["address"],
                phone=data["phone"],
                email=data["email"],
                representative_name=data["rep_name"],
                representative_id_number=data["rep_id"],
                authorisation=data["authorisation"],
            ),
            # No `channel`: the intake's own, in person, is how the desk receives.
            request=data["request"],
            copies=data["copies"],
            delivery=data["delivery"],
            competent_agency_code=data.get("commune", ""),
            documents=data["documents"],
            others=data["others"],
        )
        return {
            "intake": intake,
            "outcome": OUTCOMES[data["outcome"]][0],
            "reason": data["reason"],
            "missing": data["missing"],
            "idempotency_key": data["form_key"] or None,
            "scans": scans_sent(self),
        }

    def scan_inputs(self) -> list[tuple[int, forms.BoundField]]:
        """(paper, its scan input), for the page to show each input beside its paper."""
        names = [(d.pk, f"scan_{d.pk}") for d in self.offer.documents]
        return [(key, self[name]) for key, name in names if name in self.fields]


def scan_fields(documents: Sequence[RequiredDocument]) -> dict[str, forms.Field]:
    """A scan input per paper of the procedure (`scan_<id>`), none for papers only shown."""
    return {
        f"scan_{d.pk}": fields.ScanField(label=f"{gettext('Bản quét (PDF, JPEG, PNG)')}: {d.name}")
        for d in documents
        if not d.show_only
    }


def scans_sent(form: forms.Form) -> dict[int, ScanUpload]:
    """The scans a valid form carries, by paper, read into memory (each within the limit)."""
    sent = {}
    for name, value in form.cleaned_data.items():
        if name.startswith("scan_") and value is not None:
            value.seek(0)
            sent[int(name.removeprefix("scan_"))] = ScanUpload(name=value.name, data=value.read())
    return sent


def _document_label(document: RequiredDocument) -> str:
    """ "Giấy chứng sinh (1 bản, bản chính) — nếu có", as the desk reads it off the list."""
    label = f"{document.name} ({document.copies} {gettext('bản')}"
    if document.original:
        label += f", {gettext('bản chính')}"
    label += ")"
    if document.optional:
        label += f" — {gettext('nếu có')}"
    return label


# ---------------------------------------------------------------------------------------------
# Actions on a dossier

# Which inputs each action's form asks for ("!" = required).
ACTION_FIELDS: dict[Action, tuple[str, ...]] = {
    Action.RECEIVE: (),
    Action.REFUSE: ("note!",),
    # held_reason: why a paper the system already holds is asked for again (declare once).
    Action.REQUEST_SUPPLEMENT: ("missing!", "note", "held_reason"),
    Action.SUPPLEMENT: ("documents", "others", "note"),
    Action.ASSIGN: ("assignee!",),
    Action.FORWARD: ("next_assignee", "note"),
    Action.SEND_BACK: ("note!",),
    Action.REQUEST_PAYMENT: ("note",),
    Action.PAY: ("note",),
    Action.PROPOSE: ("note",),
    Action.APPROVE: ("note",),
    # The result's electronic copy (NĐ 118 Điều 22 k1): attached when it is marked ready, or
    # at the latest when it is returned (required then, whatever the delivery).
    Action.MARK_READY: ("result", "note"),
    Action.RETURN_RESULT: (
        "result",
        "delivery",
        # Required, but checked by the core (motcua.core.returning) after the state: a
        # return not allowed now says so first, and every missing detail comes back at once.
        "result_number",
        "collector",
        "collector_name",
        "collector_id",
        "authorisation",
        "tracking",
        "confirm",
    ),
    Action.WITHDRAW: ("note!",),
    Action.STOP: ("note!",),
    Action.DRAFT_APOLOGY: ("new_due", "note!"),
    Action.APPROVE_APOLOGY: (),
}

# The service's field names -> the action forms' inputs.
ACTION_INPUTS = {
    "note": "note",
    "missing": "missing",
    "held_reason": "held_reason",
    "to_user": "to_user",
    "delivery": "delivery",
    "new_due_at": "new_due",
    "documents": "documents",
    "others": "others",
    "result_number": "result_number",
    "collector": "collector",
    "collector_name": "collector_name",
    "collector_id_number": "collector_id",
    "authorisation": "authorisation",
    "tracking": "tracking",
    "confirm": "confirm",
    "result": "result",
}

MAX_VERSION = 2**31 - 1  # the column's range
NEW_DUE_HORIZON = timedelta(days=366)


def action_inputs(action: Action) -> set[str]:
    """The inputs an action's form asks for."""
    return {need.rstrip("!") for need in ACTION_FIELDS.get(action, ())}


class ActionPick(fields.Form):
    """Which action a posted form asks for; the page offers only the known ones."""

    action = fields.ChoiceField(
        choices=[(a.value, a.label) for a in ACTION_FIELDS], widget=forms.HiddenInput
    )


@dataclass(frozen=True)
class ActionChoices:
    """What an action's form offers on one dossier: the staff it may go to, the delivery on
    record, the new date the page proposes."""

    staff: Sequence[Staff] = ()
    delivery: str = ""
    proposed_due: datetime | None = None
    documents: Sequence[RequiredDocument] = ()  # the procedure's papers (a supplement)
    has_result: bool = False  # the result's electronic copy is on file


class ActionForm(ActionPick):
    """One action's form on the dossier page; `chosen` is None when the data named no known
    action."""

    version = fields.NumberField(min_value=0, max_value=MAX_VERSION, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any = None,
        *,
        action: Action | None,
        now: datetime,
        offer: ActionChoices = ActionChoices(),
        files: Any = None,
    ) -> None:
        super().__init__(data, files, auto_id=f"{action.value if action else 'action'}-%s")
        self.chosen, self.offer = action, offer
        for need in ACTION_FIELDS[action] if action else ():
            name = need.rstrip("!")
            field = _action_field(name, need.endswith("!"), now=now, offer=offer)
            if field is not None:
                self.fields["to_user" if name.endswith("assignee") else name] = field
        if action is Action.SUPPLEMENT:
            self.fields.update(scan_fields(offer.documents))

    @property
    def has_files(self) -> bool:
        return any(isinstance(f, forms.FileField) for f in self.fields.values())

    def service_kwargs(self) -> dict[str, Any]:
        """The arguments of `dossier_act` besides the dossier, the actor and the time."""
        data = self.cleaned_data
        assert self.chosen is not None
        return {
            "action": self.chosen,
            "expected_version": data["version"],
            "note": data.get("note", ""),
            "to_user_id": data.get("to_user"),
            "new_due_at": data.get("new_due"),
            "missing": data.get("missing", []),
            "delivery": data.get("delivery", ""),
            **self._papers(),
            **self._handover(),
            **self._result(),
        }

    def _result(self) -> dict[str, Any]:
        value = self.cleaned_data.get("result")
        if value is None:
            return {}
        value.seek(0)
        return {"result": ScanUpload(name=value.name, data=value.read())}

    def _papers(self) -> dict[str, Any]:
        if self.chosen is not Action.SUPPLEMENT:
            return {}
        data = self.cleaned_data
        papers = Papers(
            ticked=data.get("documents", []), others=data.get("others", []), scans=scans_sent(self)
        )
        return {"papers": papers}

    def _handover(self) -> dict[str, Any]:
        if self.chosen is not Action.RETURN_RESULT:
            return {}
        data = self.cleaned_data
        handover = Handover(
            delivery=data.get("delivery") or self.offer.delivery,
            result_number=data.get("result_number", ""),
            collector=data.get("collector", ""),
            name=data.get("collector_name", ""),
            id_number=data.get("collector_id", ""),
            authorisation=data.get("authorisation", ""),
            tracking=data.get("tracking", ""),
            confirmed=bool(data.get("confirm")),
        )
        return {"handover": handover}


def _action_field(
    name: str, required: bool, *, now: datetime, offer: ActionChoices
) -> forms.Field | None:
    """The form field of one input an action asks for (None: nothing to ask)."""
    if name == "assignee":
        people = [(s.user_id, f"{_person(s)} – {s.unit.name} ({_role(s)})") for s in offer.staff]
        # No one preselected: a leader must choose, a single click assigns no one by mistake.
        return fields.TypedChoiceField(
            label=_("Giao cho"),
            choices=[("", gettext("— Chọn người —")), *people],
            coerce=int,
            empty_value=None,
            required=True,
            error_messages={"required": _("Hãy chọn người được giao hồ sơ.")},
        )
    if name == "next_assignee":
        if not offer.staff:
            return None  # the next unit's leader assigns
        people = [(s.user_id, f"{_person(s)} ({_role(s)})") for s in offer.staff]
        return fields.TypedChoiceField(
            label=_("Người nhận (không bắt buộc)"),
            choices=[("", gettext("Để lãnh đạo đơn vị phân công")), *people],
            coerce=int,
            empty_value=None,
            required=False,
        )
    if name == "missing":
        return fields.LinesField(
            label=_("Giấy tờ cần bổ sung (mỗi dòng một mục, liệt kê đủ một lần)"),
            required=required,
            max_lines=reception.MAX_MISSING,
            max_line_length=reception.MAX_MISSING_LENGTH,
        )
    if name == "delivery":
        return fields.ChoiceField(
            label=_("Hình thức trả"),
            choices=fields.choices(delivery_choices()),
            initial=offer.delivery,
            required=False,
        )
    if name == "documents":
        return fields.MultipleChoiceField(
            label=_("Giấy tờ công dân mang đến bổ sung"),
            choices=[(d.pk, _document_label(d)) for d in offer.documents],
            coerce=int,
            required=False,
        )
    if name == "others":
        return fields.LinesField(
            label=_("Giấy tờ khác đã nhận (mỗi dòng một giấy tờ)"), max_line_length=500
        )
    if name == "result_number":
        return fields.TextField(
            label=_("Số, ký hiệu văn bản kết quả"), max_length=100, required=required
        )
    if name == "collector":
        return fields.ChoiceField(
            label=_("Người nhận kết quả (nhận tại Bộ phận một cửa)"),
            choices=[("", "—"), *fields.choices(list(COLLECTOR_LABELS.items()))],
            required=False,
        )
    if name == "collector_name":
        return fields.TextField(
            label=_("Họ và tên người được ủy quyền nhận"), max_length=200, required=False
        )
    if name == "collector_id":
        return fields.TextField(
            label=_("Số định danh của người nhận"),
            max_length=20,
            required=False,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        )
    if name == "authorisation":
        return fields.TextField(
            label=_("Văn bản ủy quyền nhận kết quả (số, ngày)"), max_length=300, required=False
        )
    if name == "tracking":
        return fields.TextField(
            label=_("Số hiệu bưu gửi (trả qua bưu chính)"), max_length=40, required=False
        )
    if name == "confirm":
        return fields.ConfirmField(
            label=_("Tôi đã kiểm tra giấy tờ của người nhận và xác nhận trao kết quả."),
            required=required,
        )
    if name == "new_due":
        return fields.LocalDateTimeField(
            label=_("Ngày hẹn mới"),
            earliest=now,
            latest=now + NEW_DUE_HORIZON,
            initial=offer.proposed_due,
            required=False,
        )
    if name == "result":
        if offer.has_result:
            return None  # on file already: never replaced
        return fields.ScanField(
            label=_("Bản điện tử của kết quả (PDF)"),
            widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
        )
    if name == "held_reason":
        # The dossier page says which papers the system holds (`declared`, `held`).
        return fields.ParagraphField(
            label=_("Lý do yêu cầu lại giấy tờ hệ thống đã có (nếu yêu cầu lại)"),
            max_length=2000,
            required=False,
        )
    if name == "note":
        return fields.ParagraphField(
            label=_("Lý do (bắt buộc)") if required else _("Ghi chú"),
            max_length=2000,
            required=required,
        )
    raise ValueError(f"unknown action input {name!r}")


def _person(staff: Staff) -> str:
    return staff.user.get_full_name() or staff.user.username


def _role(staff: Staff) -> str:
    return gettext(staff.get_role_display())


# ---------------------------------------------------------------------------------------------
# Lists: filters in the query string, which a shared or tampered link may fill with anything


SCOPES = ("mine", "unit", "agency")


class InboxFilterForm(fields.Form):
    """The inbox's filters. A value that is not valid is dropped, not shown as an error: a
    list never refuses to open because a link was edited."""

    scope = fields.ChoiceField(choices=[(s, s) for s in SCOPES], required=False)
    procedure = fields.TextField(max_length=40, required=False)
    status = fields.TypedChoiceField(
        choices=[(str(code), str(code)) for code in INBOX_STATUSES], coerce=int, required=False
    )
    channel = fields.TypedChoiceField(choices=[], coerce=int, required=False)
    bucket = fields.ChoiceField(choices=[(key, key) for key, _label in BUCKETS], required=False)
    q = fields.TextField(max_length=100, required=False)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        channel = cast(forms.ChoiceField, self.fields["channel"])
        channel.choices = [(str(value), str(value)) for value, _label in channel_choices()]

    def filters(self, *, default_scope: str) -> InboxFilters:
        """What the valid part of the query asks for."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}
        return InboxFilters(
            scope=data.get("scope", default_scope),
            procedure=data.get("procedure", ""),
            status=data.get("status"),
            channel=data.get("channel"),
            bucket=data.get("bucket", ""),
            q=data.get("q", ""),
        )


class ProcedureSearchForm(fields.Form):
    """The words typed in reception's procedure search."""

    q = fields.TextField(max_length=100, required=False)

    def words(self) -> str:
        """The words, folded for an accent-insensitive match ("" when none or not valid)."""
        return fold(self.cleaned_data.get("q", "")) if self.is_valid() else ""


READ_VIEWS = ("dossier", "official", "rows")
READ_PERIOD_DAYS = 7  # what the oversight screen shows when no period is asked


class ReadLogForm(fields.Form):
    """The oversight screen's filters: grouped by dossier or by official, or each read; one
    dossier's code, one official, a period of local dates."""

    view = fields.ChoiceField(choices=[(v, v) for v in READ_VIEWS], required=False)
    code = fields.TextField(label=_("Mã hồ sơ"), max_length=50, required=False)
    user = fields.TypedChoiceField(
        label=_("Cán bộ"), choices=[], coerce=int, required=False, empty_value=None
    )
    page = fields.NumberField(min_value=1, max_value=100_000, required=False)

    def __init__(self, data: Any, *, readers: list[tuple[int, str]]) -> None:
        super().__init__(data, auto_id="reads-%s")
        user = cast(forms.ChoiceField, self.fields["user"])
        user.choices = [("", _("Tất cả")), *((str(pk), name) for pk, name in readers)]
        # "from" is a Python keyword: declared here, as in the ledger's form.
        self.fields["from"] = fields.DateField(label=_("Từ ngày"), required=False)
        self.fields["to"] = fields.DateField(label=_("đến ngày"), required=False)
        self.order_fields(["view", "code", "user", "from", "to"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("from"), data.get("to")
        if first and last and first > last:
            self.add_error("to", _("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
        return data


class DeskPaymentForm(fields.Form):
    """A fee paid at the counter: the paper receipt's number, who paid, and the pages counted
    when the fee is by page."""

    receipt_number = fields.TextField(label=_("Số biên lai"), max_length=40, required=True)
    payer_name = fields.TextField(label=_("Người nộp tiền"), max_length=200, required=True)
    pages = fields.NumberField(
        label=_("Số trang mỗi bản"), min_value=1, max_value=2000, required=False
    )

    def __init__(self, data: Any = None, *, by_page: bool, payer: str = "") -> None:
        super().__init__(data, initial={"payer_name": payer})
        if not by_page:
            del self.fields["pages"]


class DeskDeviceForm(fields.Form):
    """The ratings page's button: mark this browser as one of the desk's devices ("1") or
    unmark it (anything else)."""

    mark = fields.ChoiceField(choices=[("1", "1"), ("0", "0")], widget=forms.HiddenInput)


class BookingPick(fields.Form):
    """The booking a reception is pre-filled from (`?hen=`), if any."""

    hen = fields.NumberField(min_value=1, max_value=2**62, required=False)
