"""Returning the result (NĐ 118 Điều 20; form 07's "trả kết quả" and "ký nhận"): who took
it, which document it was, how it went, and that the desk confirmed it first.

At the desk the result goes to the applicant, whose ID number is checked against the
dossier's, or to a person they authorised, whose name, ID number and authorisation paper are
noted. By post it goes with the parcel's tracking number; electronically, to the applicant's
account or e-mail. Every problem is reported at once, each on its field.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TypeVar

from motcua.core import codes, text
from motcua.core.errors import InvalidInput, ValidationError, _

E = TypeVar("E", bound=enum.StrEnum)

MAX_RESULT_NUMBER = 100
MAX_TRACKING = 40


class Delivery(enum.StrEnum):
    DESK = "desk"
    POST = "post"
    ELECTRONIC = "electronic"


class Collector(enum.StrEnum):
    APPLICANT = "applicant"  # the applicant in person
    AUTHORISED = "authorised"  # a person the applicant authorised


COLLECTOR_LABELS = {
    Collector.APPLICANT: _("Người nộp hồ sơ"),
    Collector.AUTHORISED: _("Người được ủy quyền"),
}


@dataclass(frozen=True)
class Handover:
    """What the desk enters when it hands the result over."""

    delivery: str
    result_number: str
    collector: str = ""
    name: str = ""
    id_number: str = ""
    authorisation: str = ""
    tracking: str = ""
    confirmed: bool = False


@dataclass(frozen=True)
class Returned:
    """The handing over as recorded (form 07's last columns, the event's payload)."""

    delivery: Delivery
    result_number: str
    collector: str  # "" unless at the desk
    name: str
    id_number: str
    authorisation: str
    tracking: str

    def payload(self) -> dict[str, str]:
        data = {
            "delivery": self.delivery.value,
            "result_number": self.result_number,
            "collector": self.collector,
            "collector_name": self.name,
            "collector_id_number": self.id_number,
            "authorisation": self.authorisation,
            "tracking": self.tracking,
        }
        return {key: value for key, value in data.items() if value}


def check(
    handover: Handover,
    *,
    applicant_name: str,
    applicant_id_number: str,
    electronic_copy: bool = True,
) -> Returned:
    """Check a return of the result; raise InvalidInput with every problem, or return what
    is recorded. Every result has its electronic copy, which the citizen downloads (NĐ 118
    Điều 22 k1): it must be on file (`electronic_copy`) whatever the delivery; returned
    electronically, the copy is the result, and handing it over that way counts as delivered."""
    problems: list[ValidationError] = []
    delivery = _choice(Delivery, handover.delivery)
    if delivery is None:
        problems.append(ValidationError(_("Hình thức trả kết quả không hợp lệ."), field="delivery"))
    number = _line(handover.result_number)
    if not number:
        problems.append(
            ValidationError(
                _("Phải ghi số, ký hiệu văn bản kết quả trả cho công dân."), field="result_number"
            )
        )
    elif len(number) > MAX_RESULT_NUMBER:
        problems.append(
            ValidationError(
                _("Số, ký hiệu văn bản kết quả dài quá {limit} ký tự."),
                field="result_number",
                limit=MAX_RESULT_NUMBER,
            )
        )
    collector, name, id_number, authorisation, tracking = "", "", "", "", ""
    if delivery is Delivery.DESK:
        who = _choice(Collector, handover.collector)
        if who is None:
            problems.append(
                ValidationError(
                    _("Chọn người nhận kết quả: người nộp hồ sơ hoặc người được ủy quyền."),
                    field="collector",
                )
            )
        else:
            collector = who.value
            id_number = _id_number(handover.id_number, problems)
            if who is Collector.APPLICANT:
                name = applicant_name
                if id_number and id_number != applicant_id_number:
                    problems.append(
                        ValidationError(
                            _(
                                "Số định danh của người nhận không khớp với người nộp hồ sơ; "
                                "nếu người khác nhận thay, chọn “Người được ủy quyền”."
                            ),
                            field="collector_id_number",
                        )
                    )
            else:
                name = text.normalize_person_name(_line(handover.name))
                authorisation = _line(handover.authorisation)
                if not name:
                    problems.append(
                        ValidationError(
                            _("Phải ghi họ tên người được ủy quyền nhận kết quả."),
                            field="collector_name",
                        )
                    )
                if not authorisation:
                    problems.append(
                        ValidationError(
                            _("Người nhận thay phải có văn bản ủy quyền (ghi số, ngày)."),
                            field="authorisation",
                        )
                    )
    elif delivery is Delivery.POST:
        tracking = _line(handover.tracking).upper()
        if not tracking:
            problems.append(
                ValidationError(
                    _("Trả qua bưu chính: phải ghi số hiệu bưu gửi để theo dõi."),
                    field="tracking",
                )
            )
        elif len(tracking) > MAX_TRACKING or not tracking.replace(" ", "").isalnum():
            problems.append(
                ValidationError(
                    _("Số hiệu bưu gửi chỉ gồm chữ và số, tối đa {limit} ký tự."),
                    field="tracking",
                    limit=MAX_TRACKING,
                )
            )
    if not electronic_copy:
        problems.append(
            ValidationError(
                _("Trả kết quả điện tử: hãy đính kèm bản điện tử (PDF) của kết quả.")
                if delivery is Delivery.ELECTRONIC
                else _(
                    "Mọi kết quả đều có bản điện tử để người dân tải về: "
                    "hãy đính kèm bản điện tử (PDF) của kết quả."
                ),
                field="result",
            )
        )
    if not handover.confirmed:
        problems.append(
            ValidationError(
                _("Hãy xác nhận đã kiểm tra người nhận và trao kết quả trước khi ghi nhận."),
                field="confirm",
            )
        )
    if problems:
        raise InvalidInput(problems)
    assert delivery is not None
    return Returned(
        delivery=delivery,
        result_number=number,
        collector=collector,
        name=name,
        id_number=id_number,
        authorisation=authorisation,
        tracking=tracking,
    )


def _choice(kind: type[E], value: str) -> E | None:
    try:
        return kind(value)
    except ValueError:
        return None


def _line(value: str) -> str:
    return text.nfc(" ".join(value.split()))


def _id_number(value: str, problems: list[ValidationError]) -> str:
    if not value.strip():
        problems.append(
            ValidationError(
                _("Phải ghi số định danh của người nhận kết quả."), field="collector_id_number"
            )
        )
        return ""
    try:
        number, _kind = codes.validate_id_number(value)
    except ValidationError as exc:
        problems.append(
            ValidationError(exc.template, **{**exc.details, "field": "collector_id_number"})
        )
        return ""
    return number
