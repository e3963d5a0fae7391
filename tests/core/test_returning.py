"""Returning the result: who took it, which document, how, confirmed first."""

from __future__ import annotations

import pytest

from motcua.core.errors import InvalidInput
from motcua.core.returning import Handover, check

APPLICANT = {"applicant_name": "Trần Văn Bình", "applicant_id_number": "001203012345"}


def fields(exc: InvalidInput) -> list[str]:
    return [e.details["field"] for e in exc.problems()]


@pytest.mark.parametrize(
    ("handover", "recorded"),
    [
        (
            Handover(
                "desk", " 12/QĐ-UBND ", "applicant", id_number="001 203 012 345", confirmed=True
            ),
            {
                "delivery": "desk",
                "result_number": "12/QĐ-UBND",
                "collector": "applicant",
                "collector_name": "Trần Văn Bình",
                "collector_id_number": "001203012345",
            },
        ),
        (
            Handover(
                "desk",
                "GCN-0042",
                "authorised",
                name="lê  thị hoa",
                id_number="079190000123",
                authorisation="Giấy ủy quyền số 15, ngày 20/11/2026",
                confirmed=True,
            ),
            {
                "delivery": "desk",
                "result_number": "GCN-0042",
                "collector": "authorised",
                "collector_name": "Lê Thị Hoa",
                "collector_id_number": "079190000123",
                "authorisation": "Giấy ủy quyền số 15, ngày 20/11/2026",
            },
        ),
        (
            Handover("post", "12/QĐ-UBND", tracking="eb123456789vn", confirmed=True),
            {"delivery": "post", "result_number": "12/QĐ-UBND", "tracking": "EB123456789VN"},
        ),
        (
            Handover("electronic", "12/QĐ-UBND", confirmed=True),
            {"delivery": "electronic", "result_number": "12/QĐ-UBND"},
        ),
    ],
)
def test_a_return_records_who_took_which_result_and_how(handover, recorded):
    assert check(handover, **APPLICANT).payload() == recorded


@pytest.mark.parametrize(
    ("handover", "problems"),
    [
        # Not confirmed: refused, whatever else is right.
        (Handover("desk", "12", "applicant", id_number="001203012345"), ["confirm"]),
        # No result number, no collector chosen.
        (Handover("desk", " ", confirmed=True), ["result_number", "collector"]),
        # The applicant's ID does not match the dossier's: someone else is collecting.
        (
            Handover("desk", "12", "applicant", id_number="001203099999", confirmed=True),
            ["collector_id_number"],
        ),
        (
            Handover("desk", "12", "applicant", id_number="12345", confirmed=True),
            ["collector_id_number"],
        ),
        (Handover("desk", "12", "applicant", confirmed=True), ["collector_id_number"]),
        # An authorised person needs a name, an ID number and the authorisation paper.
        (
            Handover("desk", "12", "authorised", confirmed=True),
            ["collector_id_number", "collector_name", "authorisation"],
        ),
        # By post the tracking number is needed, and must look like one.
        (Handover("post", "12", confirmed=True), ["tracking"]),
        (Handover("post", "12", tracking="<script>", confirmed=True), ["tracking"]),
        (Handover("pigeon", "12", confirmed=True), ["delivery"]),
        (Handover("electronic", "x" * 101, confirmed=True), ["result_number"]),
        # Everything wrong at once: everything reported.
        (Handover("desk", "", "someone"), ["result_number", "collector", "confirm"]),
    ],
)
def test_every_problem_of_a_return_is_reported_at_once(handover, problems):
    with pytest.raises(InvalidInput) as info:
        check(handover, **APPLICANT)
    assert fields(info.value) == problems


@pytest.mark.parametrize(
    ("handover", "message"),
    [
        (
            Handover("electronic", "12/QĐ-UBND", confirmed=True),
            "Trả kết quả điện tử: hãy đính kèm bản điện tử (PDF) của kết quả.",
        ),
        (
            Handover("desk", "12", "applicant", id_number="001203012345", confirmed=True),
            "Mọi kết quả đều có bản điện tử để người dân tải về: hãy đính kèm bản điện tử (PDF)"
            " của kết quả.",
        ),
        (
            Handover("post", "12", tracking="EB123456789VN", confirmed=True),
            "Mọi kết quả đều có bản điện tử để người dân tải về: hãy đính kèm bản điện tử (PDF)"
            " của kết quả.",
        ),
    ],
)
def test_every_return_needs_the_results_electronic_copy(handover, message):
    with pytest.raises(InvalidInput) as info:
        check(handover, **APPLICANT, electronic_copy=False)
    assert fields(info.value) == ["result"]
    assert str(info.value.errors[0].template) == message
    assert check(handover, **APPLICANT, electronic_copy=True).delivery == handover.delivery
