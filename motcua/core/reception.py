"""Reception at the desk (NĐ 118 Điều 17): what each outcome needs, every problem at once.

Valid → received (code, form 01, the clock starts); incomplete → guided once, in writing,
with everything missing listed (form 02); out of scope → refused with reasons (form 03); an
online or postal submission waits for that check (status 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from motcua.core import codes, text
from motcua.core.errors import InvalidInput, Text, ValidationError, _
from motcua.core.lifecycle import Action

OUTCOMES = (Action.RECEIVE, Action.REQUEST_SUPPLEMENT, Action.REFUSE, Action.SUBMIT)

# What form 02 and form 03 can print on a page or two: past these a list is refused before it
# is stored, so no PDF is ever asked to lay out thousands of lines. The desk's fields use the
# same bounds (motcua.desk.forms).
MAX_MISSING = 30
MAX_MISSING_LENGTH = 300
MAX_REASON_LENGTH = 2000
MAX_REASON_LINES = 30


@dataclass(frozen=True)
class Paper:
    """A paper the procedure asks for, as the checklist at the desk shows it."""

    key: int
    name: str
    optional: bool = False


@dataclass(frozen=True)
class Applicant:
    """The person or organisation the dossier is for, and who submitted it for them."""

    name: str
    id_number: str
    address: str = ""
    phone: str = ""
    email: str = ""
    representative_name: str = ""
    representative_id_number: str = ""
    authorisation: str = ""


@dataclass(frozen=True)
class Checked:
    """What reception established: the applicant as recorded and, for form 02, the list of
    what to complete."""

    name: str
    id_number: str
    kind: str  # "personal" | "organisation"
    representative_name: str
    missing: tuple[str, ...]
    reason: str


def check(
    outcome: Action,
    *,
    applicant: Applicant,
    papers: Sequence[Paper],
    ticked: Sequence[int],
    reason: str = "",
    missing: Sequence[str] = (),
) -> Checked:
    """Check an intake for `outcome`; raise InvalidInput listing every problem, each naming its
    field, or return what is recorded."""
    problems: list[ValidationError] = []
    if outcome not in OUTCOMES:
        problems.append(
            ValidationError(
                _("Không thể tạo hồ sơ bằng thao tác “{action_label}”."),
                field="outcome",
                action_label=Text(outcome.label),
            )
        )
    id_number, kind = "", "personal"
    try:
        id_number, kind = codes.validate_id_number(applicant.id_number)
    except ValidationError as exc:
        problems.append(
            ValidationError(exc.template, **{**exc.details, "field": "applicant_id_number"})
        )
    # People's names get Vietnamese capitalisation; organisations keep theirs ("TNHH").
    raw = text.nfc(" ".join(applicant.name.split()))
    name = text.normalize_person_name(raw) if kind == "personal" else raw
    if not name:
        problems.append(
            ValidationError(_("Chưa nhập họ tên người nộp hồ sơ."), field="applicant_name")
        )
    if applicant.representative_name.strip() and not applicant.authorisation.strip():
        problems.append(
            ValidationError(_("Người nộp thay phải có văn bản ủy quyền."), field="authorisation")
        )
    known = {p.key for p in papers}
    unknown = [key for key in ticked if key not in known]
    if unknown:
        problems.append(not_listed(unknown))
    absent = missing_papers(papers, ticked)
    given_reason = reason.strip()
    to_complete: tuple[str, ...] = ()
    if outcome is Action.REFUSE:
        try:
            given_reason = refusal_reason(reason, field="reason")
        except ValidationError as exc:
            problems.append(exc)
    elif outcome is Action.REQUEST_SUPPLEMENT:
        try:
            # What the officer listed, else every required paper left unticked.
            to_complete = supplement_list(missing or absent, field="missing")
        except ValidationError as exc:
            problems.append(exc)
    elif outcome is Action.RECEIVE and absent:
        problems.append(incomplete(absent))
    if problems:
        raise InvalidInput(problems)
    return Checked(
        name=name,
        id_number=id_number,
        kind=kind,
        representative_name=text.normalize_person_name(applicant.representative_name),
        missing=to_complete,
        reason=given_reason,
    )


def not_listed(keys: Sequence[int]) -> ValidationError:
    """Papers ticked that are not among the procedure's."""
    return ValidationError(
        _("Giấy tờ không thuộc thành phần hồ sơ của thủ tục."), field="documents", ids=list(keys)
    )


def missing_papers(papers: Sequence[Paper], received: Iterable[int]) -> list[str]:
    """The required papers (not optional) among `papers` that are not in `received`, in the
    procedure's order."""
    have = set(received)
    return [p.name for p in papers if not p.optional and p.key not in have]


def incomplete(absent: Sequence[str], *, field: str = "documents") -> ValidationError:
    """The refusal of an incomplete dossier, naming every missing paper."""
    return ValidationError(
        _("Hồ sơ chưa đủ thành phần, không thể tiếp nhận: {documents}."),
        field=field,
        missing=list(absent),
        documents="; ".join(absent),
    )


@dataclass(frozen=True)
class Brought:
    """What the citizen brings to the counter to complete the dossier: papers of the
    procedure (by key) and other papers (free text)."""

    ticked: tuple[int, ...]
    others: tuple[str, ...]


def check_supplement(
    *,
    papers: Sequence[Paper],
    received: Iterable[int],
    ticked: Sequence[int],
    others: Sequence[str] = (),
) -> Brought:
    """A supplement brought in at the counter: at least one paper, each of the procedure's
    papers known, and the dossier complete again with what was received before (the same
    rule as reception); raise InvalidInput listing every problem, else return what is
    recorded."""
    problems: list[ValidationError] = []
    known = {p.key for p in papers}
    unknown = [key for key in ticked if key not in known]
    if unknown:
        problems.append(not_listed(unknown))
    lines: tuple[str, ...] = ()
    try:
        lines = other_papers(others)
    except ValidationError as exc:
        problems.append(exc)
    keys = tuple(dict.fromkeys(key for key in ticked if key in known))
    if not keys and not lines and not unknown:
        problems.append(
            ValidationError(
                _("Chưa ghi nhận giấy tờ nào công dân mang đến bổ sung."), field="documents"
            )
        )
    absent = missing_papers(papers, [*received, *keys])
    if absent:
        problems.append(incomplete(absent))
    if problems:
        raise InvalidInput(problems)
    return Brought(ticked=keys, others=lines)


MAX_OTHER_PAPERS = 30
MAX_PAPER_NAME = 500


def other_papers(lines: Sequence[str], *, field: str = "others") -> tuple[str, ...]:
    """Papers received that the procedure does not list, one per line as the desk typed them
    (NFC, spaces collapsed, blank lines dropped): bounded in number and length."""
    papers = tuple(text.nfc(" ".join(line.split())) for line in lines if line.strip())
    if len(papers) > MAX_OTHER_PAPERS:
        raise ValidationError(
            _("Liệt kê tối đa {limit} giấy tờ khác."), field=field, limit=MAX_OTHER_PAPERS
        )
    if any(len(name) > MAX_PAPER_NAME for name in papers):
        raise ValidationError(
            _("Tên giấy tờ dài quá {limit} ký tự."), field=field, limit=MAX_PAPER_NAME
        )
    return papers


@dataclass(frozen=True)
class Area:
    """An agency as coverage sees it: its code, its name, and the code of the province it
    belongs to (None when the organisation records none)."""

    code: str
    name: str
    province: str | None


def check_coverage(place: Area, commune: Area, *, field: str = "competent_agency") -> None:
    """A place receives for the communes of its own province: boundary-free reception (thủ
    tục phi địa giới, DOMAIN §2) lets any centre or commune desk of a province take a dossier
    for any of its communes, but not for another province's. A place or commune whose province
    is not recorded covers nothing: nobody could say which area it serves.

    [check] Whether boundary-free reception may cross provinces (NĐ 309/2026 extends it
    nationwide; read from a mirror of the text) is not confirmed; until it is, a province."""
    if place.province is not None and commune.province == place.province:
        return
    raise ValidationError(
        _(
            "{place} không tiếp nhận hồ sơ cho {commune}: xã, phường này không thuộc địa bàn "
            "tỉnh, thành phố của nơi tiếp nhận."
        ),
        field=field,
        place=place.name,
        commune=commune.name,
        code=commune.code,
    )


def refusal_reason(reason: str, *, field: str = "note") -> str:
    """A refusal must state its reasons (form 03), within what the form can print."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Phải nêu rõ lý do từ chối tiếp nhận."), field=field)
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            _("Lý do từ chối tối đa {limit} ký tự (đang có {count})."),
            field=field,
            limit=MAX_REASON_LENGTH,
            count=len(reason),
        )
    lines = [line for line in reason.splitlines() if line.strip()]
    if len(lines) > MAX_REASON_LINES:
        raise ValidationError(
            _("Lý do từ chối tối đa {limit} dòng (đang có {count})."),
            field=field,
            limit=MAX_REASON_LINES,
            count=len(lines),
        )
    return reason


def supplement_list(missing: Sequence[str], *, field: str = "missing") -> tuple[str, ...]:
    """Form 02 lists everything missing, once: at least one line, blank lines dropped, within
    what the form can print."""
    lines = tuple(line.strip() for line in missing if line.strip())
    if not lines:
        raise ValidationError(_("Phải liệt kê đầy đủ giấy tờ cần bổ sung."), field=field)
    if len(lines) > MAX_MISSING:
        raise ValidationError(
            _("Tối đa {limit} giấy tờ cần bổ sung (đang có {count})."),
            field=field,
            limit=MAX_MISSING,
            count=len(lines),
        )
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_MISSING_LENGTH:
            raise ValidationError(
                _("Mỗi giấy tờ tối đa {limit} ký tự (mục {number} có {count})."),
                field=field,
                limit=MAX_MISSING_LENGTH,
                number=number,
                count=len(line),
            )
    return lines
