"""Ratings and feedback against the database: once per dossier, the desk's device, response
rates on constructed data, the item's lifecycle, the right to handle it, and escalation."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from motcua.core.accounts import CodeRefused, ResendTooSoon
from motcua.core.errors import (
    ConflictError,
    InvalidInput,
    NotFound,
    TransitionError,
    ValidationError,
)
from motcua.core.feedback import Finding, Level, RatingChannel, State, Subject
from motcua.core.lifecycle import Action, Status
from motcua.dossiers.services import Handover, dossier_act, dossier_receive
from motcua.feedback import selectors, services
from motcua.feedback.models import Feedback, FeedbackEvent, Rating, RatingOfficer
from motcua.notify.models import OutboxMessage
from tests.conftest import at
from tests.dossiers.test_services import forward, intake
from tests.scanfiles import PDF, upload

GOOD = {"conduct": 5, "punctuality": 4, "guidance": 4, "simplicity": 3}


def act(d, action, actor, when, **kw):
    return dossier_act(dossier=d, action=action, actor=actor, now=at(when), **kw)


def returned(w, when="2026-11-25 14:00", returner=None):
    """A same-day birth registration at Hoàn Kiếm: Lan receives, Đức proposes, Long signs,
    the result is handed over (by Lan unless told)."""
    d = dossier_receive(intake=intake(w, w.birth), actor=w.lan, now=at("2026-11-25 08:30"))
    d = forward(d, w.lan, "2026-11-25 08:45")
    d = act(d, Action.PROPOSE, w.duc, "2026-11-25 10:00")
    d = forward(d, w.duc, "2026-11-25 10:05")
    d = act(d, Action.APPROVE, w.long, "2026-11-25 11:00")
    d = act(d, Action.MARK_READY, w.long, "2026-11-25 11:05", result=upload(PDF, "kq.pdf"))
    handover = Handover("post", "12/QĐ-UBND", tracking="EB123456789VN", confirmed=True)
    return act(d, Action.RETURN_RESULT, returner or w.lan, when, handover=handover)


def rate(d, **kw):
    values = dict(
        dossier_id=d.pk,
        scores=GOOD,
        comment="Cán bộ nhiệt tình",
        channel=RatingChannel.TRACKING,
        now=at("2026-11-26 09:00"),
    )
    values.update(kw)
    return services.rating_submit(**values)


# --- Ratings --------------------------------------------------------------------------------


def test_a_returned_dossier_is_rated_once_and_attributed_to_those_who_held_it(world):
    w = world
    d = returned(w)
    rating = rate(d)
    assert (rating.conduct, rating.punctuality, rating.guidance, rating.simplicity) == (5, 4, 4, 3)
    assert rating.agency_id == w.hoan_kiem.pk
    assert rating.returned_by_id == w.lan.user_id
    assert not rating.at_desk
    people = set(RatingOfficer.objects.values_list("user_id", flat=True))
    assert people == {w.lan.user_id, w.duc.user_id, w.long.user_id}
    # Sơn leads Đức's unit but never held the dossier: nothing is attributed to him.
    assert w.son.user_id not in people

    with pytest.raises(TransitionError, match="đã được đánh giá"):
        rate(d, scores={**GOOD, "conduct": 1})
    assert Rating.objects.count() == 1
    assert Rating.objects.get().conduct == 5


def test_a_dossier_not_yet_returned_cannot_be_rated(world):
    d = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 08:30")
    )
    with pytest.raises(TransitionError, match="sau khi"):
        rate(d)
    assert Rating.objects.count() == 0


def test_bad_scores_are_reported_together_and_nothing_is_stored(world):
    d = returned(world)
    with pytest.raises(InvalidInput) as caught:
        rate(d, scores={"conduct": 9, "punctuality": None})
    assert len(caught.value.problems()) == 4
    assert (Rating.objects.count(), RatingOfficer.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("kw", "flagged"),
    [
        ({}, False),
        ({"staff_user_id": "lan"}, True),
        ({"address": "10.26.4.7"}, True),
        ({"address": "203.0.113.9"}, False),
        ({"device_at_desk": True}, True),
    ],
)
def test_a_rating_entered_on_the_desks_device_is_marked(world, settings, kw, flagged):
    settings.DESK_NETWORKS = ["10.26.0.0/16"]
    if kw.get("staff_user_id") == "lan":
        kw["staff_user_id"] = world.lan.user_id
    rating = rate(returned(world), **kw)
    assert rating.at_desk is flagged
    assert rating.desk_user_id == kw.get("staff_user_id")


def test_the_response_rate_per_agency_and_per_returning_officer(world):
    """Four results handed over at Hoàn Kiếm (three by Lan, one by Mai? no: by Lan and by
    Long's desk colleague) and one at the Department of Justice; two rated."""
    w = world
    first = returned(w, "2026-11-25 14:00")
    second = returned(w, "2026-11-25 14:30")
    returned(w, "2026-11-25 15:00")
    rate(first)
    rate(
        second,
        scores={"conduct": 1, "punctuality": 2, "guidance": 3, "simplicity": 4},
        staff_user_id=w.lan.user_id,
    )
    agencies, officers = selectors.response_rates(
        start=at("2026-11-01 00:00"), end=at("2026-12-01 00:00")
    )
    assert [(r.name, r.rate.rated, r.rate.returned, r.at_desk) for r in agencies] == [
        ("UBND Phường Hoàn Kiếm", 2, 3, 1)
    ]
    assert agencies[0].averages["conduct"] == 3.0
    lan = next(r for r in officers if r.name == "Nguyễn Thị Lan")
    assert (lan.rate.rated, lan.rate.returned) == (2, 3)
    assert lan.rate.percent == "66,7%"
    # Another month has returned nothing.
    assert selectors.response_rates(start=at("2026-12-01 00:00"), end=at("2027-01-01 00:00")) == (
        [],
        [],
    )


def test_the_result_notice_invites_the_citizen_to_rate(world):
    d = returned(world)
    notice = OutboxMessage.objects.get(dedupe_key=f"dossier:{d.pk}:{d.version}")
    assert "/danh-gia/?code=" in notice.context["rate_url"]
    assert d.tracking_secret in notice.context["rate_url"]


# --- Feedback items -------------------------------------------------------------------------


def filing(**kw):
    values = dict(
        subject=Subject.PROCEDURE,
        content="Thủ tục đòi bản sao giấy tờ đã có trên hệ thống.",
        name="Trần Văn Bình",
        email="binh@example.vn",
        procedure_code="3.000333",
    )
    values.update(kw)
    return services.Filing(**values)


def file_verified(**kw):
    """File an item whose address is verified (a signed-in citizen's, or a code typed)."""
    return services.feedback_file(contact_verified=True, **kw)


def sent_code(address):
    """The one-time code last sent to an address (the message's context)."""
    message = OutboxMessage.objects.filter(recipient=address).order_by("-pk").first()
    assert message.template.endswith("/address_code")
    return message.context["code"]


def test_an_unverified_filing_is_held_routed_nowhere_until_its_code_is_typed(world):
    held = services.feedback_hold(filing=filing(), now=at("2026-11-25 09:00"))
    assert not Feedback.objects.exists()  # no agency sees it, no deadline runs
    assert held.item_id is None
    code = sent_code("binh@example.vn")
    with pytest.raises(CodeRefused):
        services.feedback_confirm(pending_id=held.pk, code="000000", now=at("2026-11-25 09:02"))
    assert not Feedback.objects.exists()
    item = services.feedback_confirm(pending_id=held.pk, code=code, now=at("2026-11-25 09:05"))
    assert (item.agency_id, item.contact_verified) == (world.justice.pk, True)
    assert item.received_at == at("2026-11-25 09:05")  # counted from the verification
    assert len(item.secret) == 8
    notice = OutboxMessage.objects.filter(recipient="binh@example.vn", template="feedback/email")
    context = notice.get().context
    assert context["secret"] == f"{item.secret[:4]}-{item.secret[4:]}"
    assert f"secret={context['secret']}" in context["url"]
    # The code typed again (a double submit) gives back the same item.
    again = services.feedback_confirm(pending_id=held.pk, code=code, now=at("2026-11-25 09:06"))
    assert again.pk == item.pk and Feedback.objects.count() == 1


def test_a_held_filings_code_expires_and_allows_five_tries(world):
    held = services.feedback_hold(
        filing=filing(email="", phone="0912345678"), now=at("2026-11-25 09:00")
    )
    sms = OutboxMessage.objects.get(recipient="0912345678")
    assert sms.channel == "sms"
    code = sms.context["code"]
    with pytest.raises(CodeRefused, match="hết hạn"):
        services.feedback_confirm(pending_id=held.pk, code=code, now=at("2026-11-25 09:16"))
    with pytest.raises(ResendTooSoon):  # a new code, but not twice within a minute
        services.feedback_resend(pending_id=held.pk, now=at("2026-11-25 09:00:30"))
    held = services.feedback_resend(pending_id=held.pk, now=at("2026-11-25 09:17"))
    fresh = sent_code("0912345678")
    for _n in range(5):
        with pytest.raises(CodeRefused):
            services.feedback_confirm(pending_id=held.pk, code="999999", now=at("2026-11-25 09:18"))
    with pytest.raises(CodeRefused, match="quá 5 lần"):
        services.feedback_confirm(pending_id=held.pk, code=fresh, now=at("2026-11-25 09:19"))
    assert not Feedback.objects.exists()


def test_an_unverified_address_is_never_routed(world):
    with pytest.raises(TransitionError):
        services.feedback_file(filing=filing(), now=at("2026-11-25 09:00"))
    assert not Feedback.objects.exists()


def test_an_account_code_cannot_verify_a_filing_nor_a_filing_code_an_account(world):
    from motcua.citizens import services as accounts
    from motcua.core.accounts import Contact

    signup = accounts.start_signup(
        contact=Contact("email", "an@example.vn"),
        password="mật-khẩu-đủ-dài-2026",
        full_name="An",
        now=at("2026-11-25 09:00"),
    )
    code = OutboxMessage.objects.get(recipient="an@example.vn").context["code"]
    held = services.feedback_hold(
        filing=filing(email="binh@example.vn"), now=at("2026-11-25 09:00")
    )
    held.challenge_id = signup
    held.save()
    with pytest.raises(CodeRefused):
        services.feedback_confirm(pending_id=held.pk, code=code, now=at("2026-11-25 09:01"))
    held_code = sent_code("binh@example.vn")
    other = services.feedback_hold(
        filing=filing(email="chi@example.vn"), now=at("2026-11-25 09:00")
    )
    with pytest.raises(CodeRefused):
        accounts.verify_signup(
            challenge_id=other.challenge_id,
            code=sent_code("chi@example.vn"),
            now=at("2026-11-25 09:01"),
        )
    assert held_code and not Feedback.objects.exists()


def test_an_item_about_a_procedure_goes_to_its_competent_agency_with_its_deadlines(world):
    item = file_verified(filing=filing(), now=at("2026-11-25 09:00"))
    assert item.agency_id == world.justice.pk
    assert item.code.startswith("PA-")
    assert item.handle_by == at("2026-12-16 09:00")
    assert item.refuse_by == at("2026-11-27 09:00")
    assert [e.kind for e in item.events.all()] == ["file"]
    mail = OutboxMessage.objects.get(recipient="binh@example.vn")
    assert mail.context["code"] == item.code
    assert mail.context["handle_by"] == "09:00 Thứ Tư 16/12/2026"


def test_a_commune_procedure_goes_to_the_place_named(world):
    item = file_verified(
        filing=filing(procedure_code="1.001193", place_id=world.ba_dinh.pk),
        now=at("2026-11-25 09:00"),
    )
    assert item.agency_id == world.ba_dinh.pk


def test_an_item_about_a_dossier_goes_to_its_deciding_agency(world):
    d = returned(world)
    item = file_verified(
        filing=filing(subject=Subject.DOSSIER, dossier_id=d.pk, procedure_code=""),
        now=at("2026-11-26 09:00"),
    )
    assert (item.agency_id, item.dossier_id) == (world.hoan_kiem.pk, d.pk)


def complaint(w, name, place, at_desk=False, when="2026-11-25 09:00"):
    return file_verified(
        filing=filing(
            subject=Subject.OFFICIAL,
            procedure_code="",
            place_id=place.pk,
            official_name=name,
            official_at_desk=at_desk,
            content="Cán bộ gắt gỏng, không hướng dẫn.",
        ),
        now=at(when),
    )


def test_a_complaint_about_a_desk_officer_goes_to_the_centre_never_to_her(world):
    w = world
    item = complaint(w, "nguyễn thị  lan", w.hoan_kiem)
    assert item.agency_id == w.centre.pk
    assert item.official_id == w.lan.user_id
    assert selectors.feedback_open_for(actor=w.lan) == []
    with pytest.raises(NotFound):
        selectors.feedback_for_staff(actor=w.lan, pk=item.pk)
    # The centre's desk officer is not Lan's leader either.
    assert selectors.feedback_open_for(actor=w.ha) == []


def test_a_complaint_about_a_specialist_goes_to_his_leaders_only(world):
    w = world
    item = complaint(w, "Ngô Văn Đức", w.hoan_kiem)
    assert item.agency_id == w.hoan_kiem.pk
    assert [i.pk for i in selectors.feedback_open_for(actor=w.son)] == [item.pk]
    assert [i.pk for i in selectors.feedback_open_for(actor=w.long)] == [item.pk]
    assert selectors.feedback_open_for(actor=w.duc) == []
    assert selectors.feedback_open_for(actor=w.lan) == []  # the desk: not about conduct
    with pytest.raises(NotFound):
        services.feedback_answer(
            item_id=item.pk,
            actor=w.duc,
            answer="Tôi không sai",
            expected_version=0,
            now=at("2026-11-26 09:00"),
        )
    assert Feedback.objects.get(pk=item.pk).state == State.OPEN


def test_a_complaint_about_the_chairman_goes_to_the_agency_above(world):
    w = world
    item = complaint(w, "Trịnh Văn Long", w.hoan_kiem)
    assert item.agency_id == w.hoan_kiem.parent_id
    assert selectors.feedback_open_for(actor=w.long) == []


def test_the_agency_answers_and_the_citizen_is_told(world):
    w = world
    item = file_verified(filing=filing(), now=at("2026-11-25 09:00"))
    answered = services.feedback_answer(
        item_id=item.pk,
        actor=w.nam,
        answer="Sở đã chấn chỉnh; từ nay không yêu cầu bản sao.",
        expected_version=0,
        now=at("2026-11-30 10:00"),
    )
    assert answered.state == State.ANSWERED
    assert answered.publish_by == at("2026-12-02 10:00")
    event = answered.events.get(kind="answer")
    assert (event.actor_id, event.timing, event.agency_id) == (
        w.nam.user_id,
        "in_time",
        w.justice.pk,
    )
    mails = OutboxMessage.objects.filter(recipient="binh@example.vn").order_by("pk")
    assert [m.context["kind"] for m in mails] == ["file", "answer"]
    # A replayed answer (the same page sent again) changes nothing.
    with pytest.raises(TransitionError):
        services.feedback_answer(
            item_id=item.pk,
            actor=w.nam,
            answer="Lần hai",
            expected_version=0,
            now=at("2026-11-30 10:01"),
        )
    assert Feedback.objects.get(pk=item.pk).answer.startswith("Sở đã")
    assert FeedbackEvent.objects.filter(item=item).count() == 2


def test_another_agency_cannot_answer(world):
    w = world
    item = file_verified(filing=filing(), now=at("2026-11-25 09:00"))
    for actor in (w.lan, w.long, w.ha):
        with pytest.raises(NotFound):
            services.feedback_answer(
                item_id=item.pk,
                actor=actor,
                answer="x",
                expected_version=0,
                now=at("2026-11-26 09:00"),
            )
    assert Feedback.objects.get(pk=item.pk).version == 0


def test_a_stale_page_gets_a_conflict(world):
    w = world
    item = file_verified(filing=filing(), now=at("2026-11-25 09:00"))
    services.feedback_forward(
        item_id=item.pk,
        actor=w.nam,
        to_agency_id=w.hoan_kiem.pk,
        reason="Thuộc cấp xã",
        expected_version=0,
        now=at("2026-11-26 09:00"),
    )
    with pytest.raises((ConflictError, NotFound)):
        services.feedback_refuse(
            item_id=item.pk,
            actor=w.nam,
            reason="Trùng",
            expected_version=0,
            now=at("2026-11-26 09:01"),
        )


def test_forwarding_moves_the_item_and_keeps_its_deadlines(world):
    w = world
    item = file_verified(filing=filing(), now=at("2026-11-25 09:00"))
    moved = services.feedback_forward(
        item_id=item.pk,
        actor=w.nam,
        to_agency_id=w.hoan_kiem.pk,
        reason="Việc cấp bản sao thuộc UBND phường",
        expected_version=0,
        now=at("2026-12-03 09:00"),  # after the 5 working days: recorded late
    )
    assert moved.agency_id == w.hoan_kiem.pk
    assert moved.handle_by == item.handle_by
    event = moved.events.get(kind="forward")
    assert (event.to_agency_id, event.timing) == (w.hoan_kiem.pk, "late")
    with pytest.raises(InvalidInput) as caught:
        services.feedback_forward(
            item_id=item.pk,
            actor=w.lan,
            to_agency_id=w.hoan_kiem.pk,
            reason="",
            expected_version=1,
            now=at("2026-12-03 10:00"),
        )
    assert {p.details["field"] for p in caught.value.problems()} == {"agency", "reason"}
    refused = services.feedback_refuse(
        item_id=item.pk,
        actor=w.lan,
        reason="Đã trả lời ở phản ánh khác",
        expected_version=1,
        now=at("2026-12-03 10:00"),
    )
    assert refused.state == State.REFUSED
    assert refused.events.get(kind="refuse").timing == "late"


def test_the_worker_escalates_a_late_item_to_the_head_then_to_oversight(world, settings):
    w = world
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    users.filter(pk=w.nam.user_id).update(email="nam@sotuphap.vn")
    users.filter(pk=w.minh.user_id).update(email="minh@sotuphap.vn")
    item = file_verified(filing=filing(), now=at("2026-11-25 09:00"))
    call_command("worker", "--once", "--now", "2026-12-16T08:00")
    assert Feedback.objects.get(pk=item.pk).level == Level.AGENCY
    call_command("worker", "--once", "--now", "2026-12-16T09:30")
    after = Feedback.objects.get(pk=item.pk)
    assert after.level == Level.HEAD
    assert after.handle_by == item.handle_by  # the clock never resets
    heads = OutboxMessage.objects.filter(template="feedback/escalated")
    assert list(heads.values_list("recipient", flat=True)) == ["nam@sotuphap.vn"]
    assert heads.get().context["staff_url"].endswith(f"/can-bo/phan-anh/{item.pk}/")
    assert heads.get().sent_at is not None
    # Once only: the same pass again does nothing.
    call_command("worker", "--once", "--now", "2026-12-16T10:00")
    assert FeedbackEvent.objects.filter(item=item, kind="escalate").count() == 1
    call_command("worker", "--once", "--now", "2026-12-18T09:30")
    assert Feedback.objects.get(pk=item.pk).level == Level.OVERSIGHT
    events = list(item.events.values_list("kind", "level", "actor_role"))
    assert events == [
        ("file", 0, "citizen"),
        ("escalate", 1, "system"),
        ("escalate", 2, "system"),
    ]


def test_an_escalation_notice_waits_for_office_hours(world):
    w = world
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=w.nam.user_id).update(email="nam@sotuphap.vn")
    item = file_verified(filing=filing(), now=at("2026-11-25 09:00"))
    services.feedback_escalate(now=at("2026-12-16 19:00"))
    notice = OutboxMessage.objects.get(template="feedback/escalated")
    assert notice.available_at == at("2026-12-17 08:00")
    assert Feedback.objects.get(pk=item.pk).level == Level.HEAD


def test_an_answered_item_is_never_escalated(world):
    w = world
    item = file_verified(filing=filing(), now=at("2026-11-25 09:00"))
    services.feedback_answer(
        item_id=item.pk,
        actor=w.nam,
        answer="Đã xử lý",
        expected_version=0,
        now=at("2026-12-20 09:00"),
    )
    assert services.feedback_escalate(now=at("2027-01-20 09:00")).escalated == 0
    assert item.events.get(kind="answer").timing == "late"
    assert Status.RETURNED  # the import is used by the module's other tests


def test_the_agency_asks_once_for_more_information_and_the_citizen_replies_once(world):
    w = world
    item = file_verified(filing=filing(), now=at("2026-11-25 09:00"))
    asked = services.feedback_ask(
        item_id=item.pk,
        actor=w.nam,
        question="Xin cho biết ngày và quầy đã nộp hồ sơ.",
        expected_version=0,
        now=at("2026-11-26 09:00"),
    )
    assert asked.events.get(kind="ask").timing == "in_time"
    mail = OutboxMessage.objects.filter(recipient="binh@example.vn").order_by("pk").last()
    assert mail.context["kind"] == "ask"
    assert "quầy" in mail.context["text"]
    with pytest.raises(TransitionError, match="một lần"):
        services.feedback_ask(
            item_id=item.pk,
            actor=w.nam,
            question="Thêm nữa",
            expected_version=1,
            now=at("2026-11-26 10:00"),
        )
    replied = services.feedback_reply(
        code=item.code, reply="Quầy số 3, ngày 20/11.", now=at("2026-11-27 09:00")
    )
    assert replied.reply.startswith("Quầy số 3")
    assert replied.handle_by == item.handle_by  # the clock never stops nor resets
    with pytest.raises(TransitionError, match="đã bổ sung"):
        services.feedback_reply(code=item.code, reply="Lần hai", now=at("2026-11-27 10:00"))
    events = list(replied.events.values_list("kind", "actor_role"))
    assert events == [("file", "citizen"), ("ask", "agency_leader"), ("reply", "citizen")]


def test_a_citizen_cannot_reply_when_nothing_was_asked(world):
    item = file_verified(filing=filing(), now=at("2026-11-25 09:00"))
    with pytest.raises(TransitionError):
        services.feedback_reply(code=item.code, reply="Thêm", now=at("2026-11-27 10:00"))
    assert not FeedbackEvent.objects.filter(kind="reply").exists()


# --- Publishing answers -----------------------------------------------------------------------


def answered(w, content="Thủ tục đòi bản sao giấy tờ đã có trên hệ thống.", **kw):
    item = file_verified(filing=filing(content=content, **kw), now=at("2026-11-25 09:00"))
    return services.feedback_answer(
        item_id=item.pk,
        actor=w.nam,
        answer="Sở đã chấn chỉnh; từ nay không yêu cầu bản sao.",
        expected_version=0,
        now=at("2026-11-30 10:00"),
    )


def publish(w, item, question="Có phải nộp bản sao giấy tờ đã có không?", **kw):
    values = dict(
        item_id=item.pk,
        actor=w.nam,
        question=question,
        answer="Không phải nộp; Sở đã chấn chỉnh.",
        expected_version=item.version,
        now=at("2026-12-01 10:00"),
    )
    values.update(kw)
    return services.feedback_publish(**values)


def test_an_answer_is_published_in_the_agencys_words_once(world):
    item = publish(world, answered(world))
    assert item.published_at == at("2026-12-01 10:00")
    assert item.public_question == "Có phải nộp bản sao giấy tờ đã có không?"
    assert "co phai nop ban sao" in item.public_search and "so tu phap" in item.public_search
    event = item.events.get(kind="publish")
    assert (event.actor_id, event.timing) == (world.nam.user_id, "in_time")
    # The citizen is not sent anything for it; a second publishing is refused.
    assert not OutboxMessage.objects.filter(context__kind="publish").exists()
    with pytest.raises(TransitionError):
        publish(world, item, question="Lần hai")
    found = selectors.published_answers(query="BAN SAO giay to")
    assert [f.pk for f in found] == [item.pk]
    assert not selectors.published_answers(query="khai sinh").exists()


def test_an_answer_with_personal_data_or_not_answered_is_not_published(world):
    item = answered(world, name="Trần Văn Bình")
    with pytest.raises(InvalidInput) as caught:
        publish(world, item, question="Ông Trần Văn Bình (0912 345 678) hỏi")
    assert caught.value.problems()[0].details["field"] == "public_question"
    open_item = file_verified(filing=filing(), now=at("2026-11-25 09:00"))
    with pytest.raises(TransitionError):
        publish(world, open_item)
    with pytest.raises(NotFound):  # another agency's
        publish(world, item, actor=world.lan)
    assert not Feedback.objects.exclude(published_at=None).exists()


# --- The finding on a conduct complaint ---------------------------------------------------------


def test_a_conduct_complaint_is_answered_with_its_finding_and_the_official_named(world):
    w = world
    item = complaint(w, "Ngô Văn Đức", w.hoan_kiem)
    answer = dict(item_id=item.pk, answer="Đã nhắc nhở.", expected_version=0)
    with pytest.raises(InvalidInput) as refused:
        services.feedback_answer(actor=w.son, now=at("2026-11-26 09:00"), **answer)
    assert [p.details["field"] for p in refused.value.problems()] == ["finding"]
    assert Feedback.objects.get(pk=item.pk).state == State.OPEN
    done = services.feedback_answer(
        actor=w.son, now=at("2026-11-26 09:00"), finding=Finding.UPHELD, **answer
    )
    assert (done.state, done.finding, done.concerned_id, done.closed_by_id) == (
        State.ANSWERED,
        "upheld",
        w.duc.user_id,
        w.son.user_id,
    )


def test_the_head_names_the_official_when_the_name_matched_nobody(world):
    w = world
    item = complaint(w, "Anh đeo kính", w.hoan_kiem)
    assert item.official_id is None
    people = [user for user, _name in selectors.concerned_choices(w.long, item)]
    assert w.duc.user_id in people and w.long.user_id not in people
    done = services.feedback_answer(
        item_id=item.pk,
        actor=w.long,
        answer="Đã xác minh, cán bộ Đức có thái độ chưa đúng mực.",
        expected_version=0,
        now=at("2026-11-26 09:00"),
        finding=Finding.UPHELD,
        concerned_id=w.duc.user_id,
    )
    assert (done.finding, done.concerned_id) == ("upheld", w.duc.user_id)


def test_a_finding_is_recorded_only_on_a_conduct_complaint_and_only_by_who_may_close_it(world):
    w = world
    general = file_verified(filing=filing(), now=at("2026-11-25 09:00"))
    with pytest.raises(ValidationError, match="Chỉ phản ánh về thái độ"):
        services.feedback_answer(
            item_id=general.pk,
            actor=w.nam,
            answer="Đã trả lời.",
            expected_version=0,
            now=at("2026-11-26 09:00"),
            finding=Finding.UPHELD,
        )
    item = complaint(w, "Ngô Văn Đức", w.hoan_kiem)
    with pytest.raises(NotFound):  # the official himself learns nothing
        services.feedback_answer(
            item_id=item.pk,
            actor=w.duc,
            answer="Không có cơ sở.",
            expected_version=0,
            now=at("2026-11-26 09:00"),
            finding=Finding.NOT_UPHELD,
        )
    assert Feedback.objects.get(pk=item.pk).finding == ""
