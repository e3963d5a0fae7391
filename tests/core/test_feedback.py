"""Ratings and feedback: deadlines on the centre's calendar, routing, escalation, the right to
handle, and the rating's own checks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.core import feedback as fb
from motcua.core.calendar import Override, WorkCalendar
from motcua.core.codes import TRACKING_ALPHABET
from motcua.core.errors import InvalidInput, NotFound, TransitionError, ValidationError
from motcua.core.feedback import (
    Deadlines,
    FeedbackPolicy,
    Finding,
    ItemFacts,
    Level,
    Official,
    Rate,
    State,
    Subject,
    at_desk,
    check_finding,
    check_forward,
    check_handle,
    check_rating,
    deadlines,
    escalation,
    handlers,
    may_see,
    publish_by,
    route,
    timing,
)
from motcua.core.lifecycle import Role, Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


# --- Deadlines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "starts", "refuse", "supplement", "handle", "oversight"),
    [
        # A Wednesday morning: counted from the moment received.
        (
            "2026-11-25 09:00",
            "2026-11-25 09:00",
            "2026-11-27 09:00",
            "2026-12-02 09:00",
            "2026-12-16 09:00",
            "2026-12-18 09:00",
        ),
        # The last working hour: from the next working day's opening.
        (
            "2026-11-24 16:30",
            "2026-11-25 08:00",
            "2026-11-26 17:00",
            "2026-12-01 17:00",
            "2026-12-15 17:00",
            "2026-12-17 17:00",
        ),
        # Friday evening before Tết (16–20/02/2026): counting starts Monday 23/02.
        (
            "2026-02-13 17:30",
            "2026-02-23 08:00",
            "2026-02-24 17:00",
            "2026-02-27 17:00",
            "2026-03-13 17:00",
            "2026-03-17 17:00",
        ),
        # Across 30/4 and 1/5 (Thursday, Friday): two days off skipped.
        (
            "2026-04-28 10:00",
            "2026-04-28 10:00",
            "2026-05-04 10:00",
            "2026-05-07 10:00",
            "2026-05-21 10:00",
            "2026-05-25 10:00",
        ),
        # On the make-up working Saturday 22/08/2026; 31/08 and 1–2/09 are off.
        (
            "2026-08-22 09:00",
            "2026-08-22 09:00",
            "2026-08-25 09:00",
            "2026-08-28 09:00",
            "2026-09-16 09:00",
            "2026-09-18 09:00",
        ),
    ],
)
def test_deadlines_are_working_days_of_the_centres_calendar(
    received, starts, refuse, supplement, handle, oversight
):
    d = deadlines(at(received), CAL)
    assert d.starts == at(starts)
    assert d.refuse_by == at(refuse)
    assert d.supplement_by == at(supplement)
    assert d.forward_by == d.supplement_by  # 5 working days, as the supplement
    assert d.handle_by == at(handle)
    assert d.oversight_at == at(oversight)


def test_an_extra_day_off_entered_by_the_centre_moves_the_deadlines():
    received = at("2026-11-25 09:00")
    off = Override(day=datetime(2026, 11, 26).date(), working=False, reason="Nghỉ thêm")
    with_day_off = deadlines(received, WorkCalendar(overrides=[off]))
    assert with_day_off.refuse_by == at("2026-11-30 09:00")  # Thu off, Fri, Mon


def test_the_limits_are_configuration():
    policy = FeedbackPolicy(handle_days=10, oversight_after_days=1)
    d = deadlines(at("2026-11-25 09:00"), CAL, policy)
    assert d.handle_by == at("2026-12-09 09:00")
    assert d.oversight_at == at("2026-12-10 09:00")


@pytest.mark.parametrize(
    ("answered", "due"),
    [
        ("2026-11-25 09:00", "2026-11-27 09:00"),
        ("2026-11-27 18:00", "2026-12-01 17:00"),  # Friday evening: from Monday's opening
    ],
)
def test_the_answer_is_published_within_two_working_days(answered, due):
    assert publish_by(at(answered), CAL) == at(due)


def test_timing_is_recorded_never_refused():
    due = at("2026-11-27 09:00")
    assert timing(at("2026-11-27 09:00"), due) == "in_time"
    assert timing(at("2026-11-27 09:01"), due) == "late"


# --- Escalation -----------------------------------------------------------------------------

D = deadlines(at("2026-11-25 09:00"), CAL)


@pytest.mark.parametrize(
    ("state", "level", "now", "expected"),
    [
        (State.OPEN, Level.AGENCY, "2026-12-16 08:59", None),
        (State.OPEN, Level.AGENCY, "2026-12-16 09:00", Level.HEAD),
        (State.OPEN, Level.HEAD, "2026-12-17 09:00", None),
        (State.OPEN, Level.HEAD, "2026-12-18 09:00", Level.OVERSIGHT),
        # A worker that missed days raises one level per pass: the head first.
        (State.OPEN, Level.AGENCY, "2026-12-30 09:00", Level.HEAD),
        (State.OPEN, Level.OVERSIGHT, "2027-01-30 09:00", None),
        (State.ANSWERED, Level.AGENCY, "2026-12-30 09:00", None),
        (State.REFUSED, Level.HEAD, "2026-12-30 09:00", None),
    ],
)
def test_a_late_item_goes_to_the_head_then_to_the_oversight_office(state, level, now, expected):
    assert (
        escalation(
            state=state,
            level=level,
            handle_by=D.handle_by,
            oversight_at=D.oversight_at,
            now=at(now),
        )
        is expected
    )


def test_escalating_never_resets_the_clock():
    """The deadlines are a function of the receipt alone: no level or forward is an input."""
    assert deadlines(at("2026-11-25 09:00"), CAL) == D
    assert set(Deadlines.__dataclass_fields__) == {
        "starts",
        "refuse_by",
        "supplement_by",
        "forward_by",
        "handle_by",
        "oversight_at",
    }


# --- Routing --------------------------------------------------------------------------------

CENTRE, COMMUNE, DEPT, CITY = 1, 2, 3, 9
DESK_OFFICER = Official(user=10, agency=COMMUNE, unit=20, role=Role.DESK, at_desk=True)
SPECIALIST = Official(user=11, agency=COMMUNE, unit=21, role=Role.SPECIALIST, at_desk=False)
CHAIRMAN = Official(user=12, agency=COMMUNE, unit=22, role=Role.AGENCY_LEADER, at_desk=False)


@pytest.mark.parametrize(
    ("subject", "kwargs", "agency", "excluded"),
    [
        (Subject.DOSSIER, {"dossier_agency": DEPT}, DEPT, None),
        (Subject.PROCEDURE, {"procedure_agency": DEPT, "place": COMMUNE}, DEPT, None),
        # Decided where it is lodged: the place the citizen names.
        (Subject.PROCEDURE, {"place": COMMUNE}, COMMUNE, None),
        (Subject.PROCEDURE, {}, CENTRE, None),
        # The desk and its officers answer to the centre (NĐ 309/2026).
        (Subject.OFFICIAL, {"official": DESK_OFFICER}, CENTRE, 10),
        (Subject.OFFICIAL, {"official": SPECIALIST}, COMMUNE, 11),
        # A head of agency: the agency above.
        (Subject.OFFICIAL, {"official": CHAIRMAN, "official_parent": CITY}, CITY, 12),
    ],
)
def test_an_item_goes_to_the_agency_concerned_never_to_the_official(
    subject, kwargs, agency, excluded
):
    r = route(subject, centre=CENTRE, **kwargs)
    assert (r.agency, r.excluded_user) == (agency, excluded)


@pytest.mark.parametrize(
    ("subject", "field"),
    [(Subject.DOSSIER, "dossier_code"), (Subject.OFFICIAL, "official")],
)
def test_routing_without_its_subject_names_the_field(subject, field):
    with pytest.raises(ValidationError) as caught:
        route(subject, centre=CENTRE)
    assert caught.value.details["field"] == field


# --- The right to handle --------------------------------------------------------------------

GENERAL = ItemFacts(state=State.OPEN, agency=COMMUNE, subject=Subject.PROCEDURE)
CONDUCT = ItemFacts(
    state=State.OPEN,
    agency=COMMUNE,
    subject=Subject.OFFICIAL,
    excluded_user=11,
    official_unit=21,
    official_agency=COMMUNE,
)


@pytest.mark.parametrize(
    ("role", "user", "agency", "unit", "item", "allowed"),
    [
        (Role.DESK, 30, COMMUNE, 20, GENERAL, True),
        (Role.UNIT_LEADER, 31, COMMUNE, 21, GENERAL, True),
        (Role.AGENCY_LEADER, 12, COMMUNE, 22, GENERAL, True),
        (Role.SPECIALIST, 32, COMMUNE, 21, GENERAL, False),
        (Role.DESK, 33, DEPT, 40, GENERAL, False),  # another agency
        (Role.SUPERVISOR, 34, CENTRE, 50, GENERAL, False),  # reads, never acts
        # Conduct: the official's leaders only, never the official.
        (Role.SPECIALIST, 11, COMMUNE, 21, CONDUCT, False),
        (Role.DESK, 30, COMMUNE, 20, CONDUCT, False),
        (Role.UNIT_LEADER, 31, COMMUNE, 21, CONDUCT, True),
        (Role.UNIT_LEADER, 35, COMMUNE, 99, CONDUCT, False),  # another unit's leader
        (Role.AGENCY_LEADER, 12, COMMUNE, 22, CONDUCT, True),
    ],
)
def test_who_may_handle_an_item(role, user, agency, unit, item, allowed):
    if allowed:
        check_handle(role, user, agency, unit, item)
        assert may_see(role, user, agency, unit, item, level=Level.AGENCY)
    else:
        with pytest.raises(NotFound):
            check_handle(role, user, agency, unit, item)


def test_the_official_complained_about_never_sees_the_item_even_as_a_leader():
    about_chairman = ItemFacts(
        state=State.OPEN,
        agency=COMMUNE,
        subject=Subject.OFFICIAL,
        excluded_user=12,
        official_agency=COMMUNE,
    )
    assert not may_see(Role.AGENCY_LEADER, 12, COMMUNE, 22, about_chairman, level=Level.HEAD)
    with pytest.raises(NotFound):
        check_handle(Role.AGENCY_LEADER, 12, COMMUNE, 22, about_chairman)


def test_the_oversight_office_sees_an_item_once_told():
    assert not may_see(Role.SUPERVISOR, 34, CENTRE, 50, GENERAL, level=Level.HEAD)
    assert may_see(Role.SUPERVISOR, 34, CENTRE, 50, GENERAL, level=Level.OVERSIGHT)


def test_a_closed_item_is_not_handled_again():
    answered = ItemFacts(state=State.ANSWERED, agency=COMMUNE, subject=Subject.PROCEDURE)
    with pytest.raises(TransitionError):
        check_handle(Role.DESK, 30, COMMUNE, 20, answered)


# --- The finding on a conduct complaint --------------------------------------------------------

UNNAMED = ItemFacts(
    state=State.OPEN, agency=COMMUNE, subject=Subject.OFFICIAL, official_agency=COMMUNE
)
STAFF = frozenset({11, 12, 13})
UP, NOT_UP = Finding.UPHELD, Finding.NOT_UPHELD


@pytest.mark.parametrize(
    ("item", "finding", "concerned", "expected"),
    [
        # A named official is the one concerned, upheld or not.
        (CONDUCT, UP, None, (UP, 11)),
        (CONDUCT, NOT_UP, None, (NOT_UP, 11)),
        (CONDUCT, UP, 11, (UP, 11)),
        (CONDUCT, UP, 13, "concerned"),  # somebody else than the one named
        (CONDUCT, None, None, "finding"),  # a conduct complaint needs its finding
        # A name that matched nobody: the person closing it may name the official concerned.
        (UNNAMED, UP, 13, (UP, 13)),
        (UNNAMED, UP, None, (UP, None)),  # upheld, the official not identified
        (UNNAMED, NOT_UP, 13, (NOT_UP, None)),  # nobody is named against a baseless one
        (UNNAMED, UP, 12, "concerned"),  # the person closing it, in their own case
        (UNNAMED, UP, 99, "concerned"),  # not of the official's agency
        # Any other item carries no finding.
        (GENERAL, None, None, (None, None)),
        (GENERAL, UP, None, "finding"),
        (GENERAL, None, 11, "finding"),
    ],
)
def test_a_conduct_complaint_is_closed_with_whether_it_was_upheld(
    item, finding, concerned, expected
):
    def check():
        return check_finding(item, finding=finding, concerned=concerned, closer=12, staff=STAFF)

    if isinstance(expected, str):
        with pytest.raises((InvalidInput, ValidationError)) as raised:
            check()
        assert expected in [p.details["field"] for p in raised.value.problems()]
    else:
        assert check() == expected


def test_a_conduct_complaint_reports_every_problem_at_once():
    with pytest.raises(InvalidInput) as raised:
        check_finding(CONDUCT, finding=None, concerned=13, closer=12, staff=STAFF)
    assert [p.details["field"] for p in raised.value.problems()] == ["finding", "concerned"]


def test_a_forward_needs_another_agency_and_a_reason_both_reported_at_once():
    with pytest.raises(InvalidInput) as caught:
        check_forward(COMMUNE, COMMUNE, "  ")
    assert [p.details["field"] for p in caught.value.problems()] == ["agency", "reason"]
    check_forward(COMMUNE, DEPT, "Thuộc thẩm quyền của Sở")


# --- Ratings --------------------------------------------------------------------------------

GOOD = {"conduct": 5, "punctuality": 4, "guidance": 3, "simplicity": 2}


def test_a_rating_needs_the_result_returned_and_is_given_once():
    with pytest.raises(TransitionError, match="sau khi"):
        check_rating(status=Status.DONE, already_rated=False, scores=GOOD, comment="")
    with pytest.raises(TransitionError, match="đã được đánh giá"):
        check_rating(status=Status.RETURNED, already_rated=True, scores=GOOD, comment="")
    checked = check_rating(status=Status.RETURNED, already_rated=False, scores=GOOD, comment="")
    assert {d.value: v for d, v in checked.items()} == GOOD


def test_every_missing_or_out_of_range_score_is_reported_at_once():
    scores = {"conduct": 0, "punctuality": None, "guidance": 6}
    with pytest.raises(InvalidInput) as caught:
        check_rating(status=Status.RETURNED, already_rated=False, scores=scores, comment="x" * 2001)
    fields = [p.details["field"] for p in caught.value.problems()]
    assert fields == ["conduct", "punctuality", "guidance", "simplicity", "comment"]


@pytest.mark.parametrize(
    ("staff", "address", "device", "expected"),
    [
        (False, False, False, False),
        (True, False, False, True),
        (False, True, False, True),
        (False, False, True, True),
    ],
)
def test_a_rating_on_the_desks_device_is_flagged(staff, address, device, expected):
    assert at_desk(staff_session=staff, address_at_desk=address, device_at_desk=device) is expected


def test_a_rating_goes_to_those_who_held_the_dossier_once_each():
    assert handlers([1, None, 2, 1, 4], returned_by=1) == [1, 2, 4]
    assert handlers([None, 2], returned_by=7) == [2, 7]
    assert handlers([], returned_by=None) == []


@pytest.mark.parametrize(
    ("rated", "returned", "value", "percent"),
    [(0, 0, None, "—"), (1, 4, 0.25, "25,0%"), (2, 3, 2 / 3, "66,7%")],
)
def test_the_response_rate(rated, returned, value, percent):
    rate = Rate(rated, returned)
    assert rate.value == value
    assert rate.percent == percent


def test_information_is_asked_for_once_and_replied_to_once():
    from motcua.core.feedback import check_ask, check_reply

    check_ask(asked=False)
    with pytest.raises(TransitionError):
        check_ask(asked=True)
    check_reply(state=State.OPEN, asked=True, replied=False)
    for state, asked, replied in [
        (State.OPEN, False, False),
        (State.OPEN, True, True),
        (State.ANSWERED, True, False),
    ]:
        with pytest.raises(TransitionError):
            check_reply(state=state, asked=asked, replied=replied)


@pytest.mark.parametrize(
    ("email", "phone", "account", "verified"),
    [
        ("binh@example.vn", "", ["binh@example.vn", ""], True),  # the account's own e-mail
        ("", "0912345678", ["", "0912345678"], True),  # the account's own phone
        ("khac@example.vn", "", ["binh@example.vn", "0912345678"], False),  # another address
        ("binh@example.vn", "", [], False),  # nobody signed in
        ("", "", ["", ""], False),  # no address at all, even with an account without one
    ],
)
def test_only_the_signed_in_accounts_own_address_counts_as_verified(
    email, phone, account, verified
):
    assert fb.contact_verified(email=email, phone=phone, account_addresses=account) is verified


def test_an_items_secret_is_eight_characters_of_the_tracking_alphabet_shown_grouped():
    secret = fb.new_secret()
    assert len(secret) == 8 and set(secret) <= set(TRACKING_ALPHABET)
    assert fb.shown_secret(secret) == f"{secret[:4]}-{secret[4:]}"
    assert fb.shown_secret("") == ""


# --- Publishing answers -----------------------------------------------------------------------

NAMES = ["Trần Văn Bình", "Ngô Văn Đức"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Thủ tục cấp phiếu lý lịch tư pháp mất 10 ngày, phí 200.000 đồng.", []),
        ("Ngày 25/11/2026 tôi nộp hồ sơ tại quầy số 3.", []),
        ("Tôi là Trần Văn Bình, hỏi về lệ phí.", ["name"]),
        ("tran van binh hỏi về lệ phí", ["name"]),  # typed without accents
        ("Cán bộ NGÔ VĂN ĐỨC gắt gỏng.", ["name"]),
        ("Ông Bình hỏi về lệ phí.", []),  # a given name alone is too common a word
        ("Trần Văn Bìnhh", []),  # whole words only
        ("Liên hệ binh@example.vn", ["email"]),
        ("Gọi 0912 345 678", ["number"]),
        ("Gọi 0912.345.678", ["number"]),
        ("CCCD 001203004567", ["number"]),
        ("CMND 123456789", ["number"]),
        ("Hồ sơ H26.1-261125-0042 chậm", ["number", "code"]),
        ("Phản ánh pa-abcd-efgh-jk", ["code"]),
        ("Bình, 0912345678, binh@example.vn", ["email", "number"]),
    ],
)
def test_what_counts_as_personal_data_in_a_published_text(text, found):
    assert fb.personal_data(text, NAMES) == found


def test_a_public_text_must_say_something_and_tell_nothing_both_reported_at_once():
    with pytest.raises(InvalidInput) as caught:
        fb.check_public_text(question="Tôi là Trần Văn Bình", answer="  ", names=NAMES)
    problems = caught.value.problems()
    assert [p.details["field"] for p in problems] == ["public_question", "public_answer"]
    assert problems[0].details["what"] == "họ tên"
    assert fb.check_public_text(question=" Hỏi về lệ phí ", answer="Miễn phí.", names=NAMES) == (
        "Hỏi về lệ phí",
        "Miễn phí.",
    )


def test_only_an_answered_item_is_published_once_by_whoever_could_answer_it():
    answered = ItemFacts(state=State.ANSWERED, agency=COMMUNE, subject=Subject.PROCEDURE)
    fb.check_publish(Role.DESK, 30, COMMUNE, 20, answered, published=False)
    with pytest.raises(TransitionError, match="đã được công khai"):
        fb.check_publish(Role.DESK, 30, COMMUNE, 20, answered, published=True)
    with pytest.raises(TransitionError, match="đã có trả lời"):
        fb.check_publish(Role.DESK, 30, COMMUNE, 20, GENERAL, published=False)
    with pytest.raises(NotFound):
        fb.check_publish(Role.DESK, 30, DEPT, 20, answered, published=False)
    refused = ItemFacts(state=State.REFUSED, agency=COMMUNE, subject=Subject.PROCEDURE)
    with pytest.raises(TransitionError):
        fb.check_publish(Role.DESK, 30, COMMUNE, 20, refused, published=False)
