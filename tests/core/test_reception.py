"""Reception's outcomes (NĐ 118 Điều 17): what each needs, with every problem at once."""

from __future__ import annotations

import pytest

from motcua.core.errors import InvalidInput, ValidationError
from motcua.core.lifecycle import Action
from motcua.core.reception import (
    Applicant,
    Paper,
    check,
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
