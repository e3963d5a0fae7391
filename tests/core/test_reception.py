"""Reception's outcomes (NĐ 118 Điều 17): what each needs, with every problem at once."""

from __future__ import annotations

import pytest

from motcua.core.errors import InvalidInput, ValidationError
from motcua.core.lifecycle import Action
from motcua.core.reception import (
    Applicant,
    Area,
    Paper,
    check,
    check_coverage,
    check_supplement,
    refusal_reason,
    supplement_list,
)

PAPERS = [
    Paper(key=1, name="Tờ khai"),
    Paper(key=2, name="Giấy chứng sinh"),
    Paper(key=3, name="Văn bản ủy quyền", optional=True),
]
BINH = Applicant(name="  trần   văn  bình ", id_number="001 203 012 345")


def fields(exc: InvalidInput) -> list[str]:
    return [e.details["field"] for e in exc.problems()]


def test_a_complete_dossier_is_received_with_the_applicant_as_recorded():
    checked = check(Action.RECEIVE, applicant=BINH, papers=PAPERS, ticked=[1, 2])
    assert (checked.name, checked.id_number, checked.kind) == (
        "Trần Văn Bình",
        "001203012345",
        "personal",
    )
    assert checked.missing == ()


def test_an_organisation_keeps_the_name_it_writes():
    firm = Applicant(name="Công ty TNHH ABC", id_number="0100109106")
    checked = check(Action.RECEIVE, applicant=firm, papers=PAPERS, ticked=[1, 2])
    assert (checked.name, checked.kind) == ("Công ty TNHH ABC", "organisation")


@pytest.mark.parametrize(
    ("outcome", "applicant", "ticked", "reason", "missing", "problems"),
    [
        (Action.RECEIVE, BINH, [1], "", (), ["documents"]),
        (Action.RECEIVE, BINH, [1, 2, 9], "", (), ["documents"]),
        (Action.REFUSE, BINH, [1, 2], "  ", (), ["reason"]),
        (Action.REQUEST_SUPPLEMENT, BINH, [1, 2], "", ["  "], ["missing"]),
        (Action.APPROVE, BINH, [1, 2], "", (), ["outcome"]),
        # Three things wrong at once: all three are reported, each on its field.
        (
            Action.RECEIVE,
            Applicant(name=" ", id_number="12345", representative_name="Bình"),
            [1],
            "",
            (),
            ["applicant_id_number", "applicant_name", "authorisation", "documents"],
        ),
    ],
)
def test_every_problem_is_reported_at_once_on_its_field(
    outcome, applicant, ticked, reason, missing, problems
):
    with pytest.raises(InvalidInput) as info:
        check(
            outcome,
            applicant=applicant,
            papers=PAPERS,
            ticked=ticked,
            reason=reason,
            missing=missing,
        )
    assert fields(info.value) == problems
    assert all(e.message for e in info.value.problems())


def test_the_missing_papers_of_form_02_default_to_the_required_ones_not_ticked():
    checked = check(Action.REQUEST_SUPPLEMENT, applicant=BINH, papers=PAPERS, ticked=[1])
    assert checked.missing == ("Giấy chứng sinh",)
    listed = check(
        Action.REQUEST_SUPPLEMENT,
        applicant=BINH,
        papers=PAPERS,
        ticked=[1],
        missing=["", " Bản sao sổ hộ khẩu "],
    )
    assert listed.missing == ("Bản sao sổ hộ khẩu",)


def test_a_refusal_keeps_its_reason_and_an_online_submission_needs_no_papers_yet():
    refused = check(Action.REFUSE, applicant=BINH, papers=PAPERS, ticked=[], reason=" Sai cơ quan ")
    assert refused.reason == "Sai cơ quan"
    assert check(Action.SUBMIT, applicant=BINH, papers=PAPERS, ticked=[]).missing == ()


def test_the_same_rules_serve_an_action_on_an_existing_dossier():
    with pytest.raises(ValidationError) as info:
        refusal_reason("", field="note")
    assert info.value.details["field"] == "note"
    assert supplement_list(["a", " ", " b "]) == ("a", "b")
    with pytest.raises(ValidationError):
        supplement_list([])


# A supplement brought to the counter: the same completeness rule as reception, across visits.
@pytest.mark.parametrize(
    ("received", "ticked", "others", "problems", "missing"),
    [
        # The first visit brought the form; the second brings the birth certificate: complete.
        ([1], [2], (), [], []),
        # Only other papers brought, while the required ones were all there before: complete.
        ([1, 2], [], ["Bản vẽ sơ đồ vị trí"], [], []),
        # Nothing brought at all: refused, even when the required papers were there before.
        ([1, 2], [], ["  "], ["documents"], []),
        # Still incomplete: refused, every missing paper named (not only the first).
        ([], [3], (), ["documents"], ["Tờ khai", "Giấy chứng sinh"]),
        ([1], [], ["Giấy tờ khác"], ["documents"], ["Giấy chứng sinh"]),
        # A paper of another procedure and still incomplete: both problems reported.
        ([1], [9], (), ["documents", "documents"], ["Giấy chứng sinh"]),
    ],
)
def test_a_supplement_is_complete_only_with_every_required_paper_across_visits(
    received, ticked, others, problems, missing
):
    if not problems:
        brought = check_supplement(papers=PAPERS, received=received, ticked=ticked, others=others)
        assert brought.ticked == tuple(ticked)
        assert brought.others == tuple(o for o in others if o.strip())
        return
    with pytest.raises(InvalidInput) as info:
        check_supplement(papers=PAPERS, received=received, ticked=ticked, others=others)
    assert fields(info.value) == problems
    named = [e.details.get("missing") for e in info.value.problems() if e.details.get("missing")]
    assert named == ([missing] if missing else [])


def test_a_supplement_records_each_paper_once_and_other_papers_as_typed_in_nfc():
    brought = check_supplement(
        papers=PAPERS, received=[1], ticked=[2, 2], others=["  Bản sao  hộ khẩu ", "Ho\u0300a"]
    )
    assert brought.ticked == (2,)
    assert brought.others == ("Bản sao hộ khẩu", "Hòa")


# What form 02 and form 03 can print: a list of thousands of papers was handed to the PDF
# renderer, which took minutes over hundreds of pages.


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        (["Tờ khai"] * 31, "Tối đa 30 giấy tờ cần bổ sung (đang có 31)."),
        (["Tờ khai"] * 5000, "Tối đa 30 giấy tờ cần bổ sung (đang có 5000)."),
        (["x" * 301], "Mỗi giấy tờ tối đa 300 ký tự (mục 1 có 301)."),
        (["Tờ khai", " ", "x" * 1000], "Mỗi giấy tờ tối đa 300 ký tự (mục 2 có 1000)."),
    ],
)
def test_the_list_of_missing_papers_is_bounded(missing, message):
    with pytest.raises(ValidationError) as info:
        supplement_list(missing, field="missing")
    assert info.value.message == message
    assert info.value.details["field"] == "missing"


def test_a_list_at_the_bounds_is_kept():
    assert len(supplement_list(["x" * 300] * 30)) == 30


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("x" * 2001, "Lý do từ chối tối đa 2000 ký tự (đang có 2001)."),
        ("Thiếu giấy\n" * 31, "Lý do từ chối tối đa 30 dòng (đang có 31)."),
        ("a\n" * 1000, "Lý do từ chối tối đa 30 dòng (đang có 1000)."),
    ],
)
def test_the_reasons_for_a_refusal_are_bounded(reason, message):
    with pytest.raises(ValidationError) as info:
        refusal_reason(reason, field="reason")
    assert info.value.message == message


def test_reception_reports_an_overlong_list_with_its_other_problems():
    with pytest.raises(InvalidInput) as info:
        check(
            Action.REQUEST_SUPPLEMENT,
            applicant=Applicant(name="", id_number="001203012345"),
            papers=PAPERS,
            ticked=[],
            missing=["Tờ khai"] * 31,
        )
    assert {e.details["field"] for e in info.value.errors} == {"applicant_name", "missing"}


# Coverage: the communes a place receives for.

CENTRE = Area(code="H26.1", name="Trung tâm Phục vụ hành chính công", province="H26")
HOAN_KIEM = Area(code="H26.100", name="UBND Phường Hoàn Kiếm", province="H26")
BA_DINH = Area(code="H26.101", name="UBND Phường Ba Đình", province="H26")
HAI_CHAU = Area(code="H32.100", name="UBND Phường Hải Châu", province="H32")
NOWHERE = Area(code="H26.999", name="UBND Phường Không Rõ", province=None)


@pytest.mark.parametrize(
    ("place", "commune", "covered"),
    [
        (CENTRE, HOAN_KIEM, True),  # the province's centre, any of its communes
        (CENTRE, BA_DINH, True),
        (HOAN_KIEM, HOAN_KIEM, True),  # a commune's own desk
        (HOAN_KIEM, BA_DINH, True),  # boundary-free within the province
        (CENTRE, HAI_CHAU, False),  # another province's commune
        (HOAN_KIEM, HAI_CHAU, False),
        (CENTRE, NOWHERE, False),  # a commune with no recorded province
        (NOWHERE, NOWHERE, False),  # nor a place without one
        (Area(code="X", name="Nơi khác", province=None), HOAN_KIEM, False),
    ],
)
def test_a_place_receives_for_the_communes_of_its_province(place, commune, covered):
    if covered:
        check_coverage(place, commune)
        return
    with pytest.raises(ValidationError) as info:
        check_coverage(place, commune)
    assert info.value.details == {
        "field": "competent_agency",
        "place": place.name,
        "commune": commune.name,
        "code": commune.code,
    }
    assert "không thuộc địa bàn" in info.value.message
