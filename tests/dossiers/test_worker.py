"""The worker's deadline pass and the outbox."""

from __future__ import annotations

from django.core import mail

from motcua.core.lifecycle import Action
from motcua.dossiers.deadlines import process_deadlines
from motcua.dossiers.models import ApologyLetter, Dossier, DossierEvent
from motcua.dossiers.services import dossier_act, dossier_receive
from motcua.notify.models import OutboxMessage
from motcua.notify.services import outbox_deliver
from tests.conftest import at
from tests.dossiers.test_services import forward, intake


def received(world, when="2026-11-25 08:30"):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at(when))
    return forward(d, world.lan, "2026-11-25 09:00")  # now at the commune specialist


def test_it_warns_once_before_the_deadline(world):
    d = received(world)  # due Mon 30/11 08:30
    assert process_deadlines(now=at("2026-11-25 10:00")).warned == 0
    report = process_deadlines(now=at("2026-11-27 09:00"))
    assert report.warned == 1
    assert process_deadlines(now=at("2026-11-27 09:05")).warned == 0
    d.refresh_from_db()
    assert d.warned_at == at("2026-11-27 09:00")
    assert DossierEvent.objects.filter(dossier=d, action="warn").count() == 1


def test_it_marks_overdue_once_and_never_while_paused(world):
    late = received(world)
    paused = received(world)
    dossier_act(
        dossier=paused,
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.duc,
        now=at("2026-11-25 10:00"),
        missing=["Giấy chứng sinh"],
    )
    report = process_deadlines(now=at("2026-12-01 09:00"))
    assert report.overdue == 1
    assert process_deadlines(now=at("2026-12-01 10:00")).overdue == 0
    late.refresh_from_db()
    paused.refresh_from_db()
    assert late.overdue_at == at("2026-12-01 09:00")
    assert paused.overdue_at is None


def test_it_drafts_the_apology_for_the_agency_whose_step_runs_late(world):
    d = received(world)
    d = forward(d, world.duc, "2026-11-25 15:00")  # now at the commune police, 1 day allotted
    # Thursday 09:00: police has held it most of a day, two more steps need 2 days, due Mon.
    report = process_deadlines(now=at("2026-11-26 16:00"))
    assert report.apologies == 1
    letter = ApologyLetter.objects.get(dossier=d)
    assert letter.agency == world.police_hk
    assert letter.approved_at is None  # a draft for the head of the agency to sign
    assert letter.new_due_at > letter.original_due_at
    assert process_deadlines(now=at("2026-11-26 16:30")).apologies == 0


def test_too_close_to_the_deadline_it_still_drafts_the_apology_recorded_late(world):
    d = received(world)  # due Mon 30/11 08:30; the specialist's half day ran out on Wed
    # Friday: less than one working day left. The letter is drafted, once, and recorded late.
    assert process_deadlines(now=at("2026-11-27 09:00")).apologies == 1
    assert process_deadlines(now=at("2026-11-27 09:05")).apologies == 0
    letter = ApologyLetter.objects.get(dossier=d)
    assert letter.agency == world.hoan_kiem and letter.draft_timing == "late"
    assert letter.approved_at is None
    assert DossierEvent.objects.filter(dossier=d, action="draft_apology").count() == 1
    assert process_deadlines(now=at("2026-11-30 09:00")).overdue == 1


def test_it_drafts_the_apology_of_a_dossier_already_overdue_for_the_head_to_sign(world):
    """Past the deadline before anyone wrote: the worker drafts it (after the deadline, a
    breach), and the head of the agency can still sign it; the citizen gets form 04."""
    d = received(world)
    report = process_deadlines(now=at("2026-12-02 09:00"))  # two days after Monday 08:30
    assert (report.overdue, report.apologies) == (1, 1)
    letter = ApologyLetter.objects.get(dossier=d)
    assert letter.draft_timing == "after_deadline"
    assert letter.new_due_at > at("2026-12-02 09:00")
    d.refresh_from_db()
    d = dossier_act(
        dossier=d, action=Action.APPROVE_APOLOGY, actor=world.long, now=at("2026-12-02 10:00")
    )
    letter.refresh_from_db()
    assert d.apology == "approved" and letter.sign_timing == "after_deadline"
    assert d.due_at == letter.new_due_at


def test_a_decision_signed_but_never_made_ready_still_gets_its_apology(world):
    """Same-day birth registration signed by the head at 10:00 and then left: by the next
    day it is overdue, and the signature on the decision does not excuse the delay."""
    d = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 08:30")
    )
    d = forward(d, world.lan, "2026-11-25 08:45")
    d = dossier_act(dossier=d, action=Action.PROPOSE, actor=world.duc, now=at("2026-11-25 09:00"))
    d = forward(d, world.duc, "2026-11-25 09:05")
    d = dossier_act(dossier=d, action=Action.APPROVE, actor=world.long, now=at("2026-11-25 10:00"))
    assert d.approved
    report = process_deadlines(now=at("2026-11-26 09:00"))
    assert (report.overdue, report.apologies) == (1, 1)
    assert ApologyLetter.objects.get(dossier=d).draft_timing == "after_deadline"


def test_it_never_drafts_for_a_paused_withdrawn_or_stopped_dossier(world):
    paused, withdrawn, stopped = received(world), received(world), received(world)
    dossier_act(
        dossier=paused,
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.duc,
        now=at("2026-11-25 10:00"),
        missing=["Giấy chứng sinh"],
    )
    dossier_act(
        dossier=withdrawn, action=Action.WITHDRAW, actor=world.lan, now=at("2026-11-25 10:00")
    )
    dossier_act(dossier=stopped, action=Action.STOP, actor=world.lan, now=at("2026-11-25 10:00"))
    for when in ("2026-11-27 09:00", "2026-12-02 09:00"):
        report = process_deadlines(now=at(when))
        assert (report.warned, report.overdue, report.apologies) == (0, 0, 0)
    assert not ApologyLetter.objects.exists()
    assert not DossierEvent.objects.filter(action__in=["warn", "mark_overdue"]).exists()


def test_the_dossiers_own_calendar_decides_whether_an_apology_is_still_lawful(world):
    """Another agency's calendar has Friday off; Hoàn Kiếm's does not. On Thursday 16:00
    Hoàn Kiếm still has more than a working day before Monday 08:30, so the letter is due."""
    from datetime import date

    from motcua.organization.models import CalendarOverride, WorkCalendarConfig
    from motcua.organization.selectors import calendar_cache_clear

    d = forward(received(world), world.duc, "2026-11-25 15:00")  # late at the commune police
    own = WorkCalendarConfig.objects.get(pk=world.calendar.pk)
    own.pk, own.name = None, "Lịch riêng của phường"
    own.save()
    world.hoan_kiem.calendar = own
    world.hoan_kiem.save()
    CalendarOverride.objects.create(
        calendar=world.calendar,  # the first calendar, used for the city-wide bounds
        day=date(2026, 11, 27),
        working=False,
        reason="Nghỉ bù",
        decided_at=at("2026-11-01 08:00"),
    )
    calendar_cache_clear()
    assert process_deadlines(now=at("2026-11-26 16:00")).apologies == 1
    assert ApologyLetter.objects.get(dossier=d).agency == world.police_hk


def test_it_does_not_apologise_for_a_dossier_on_track(world):
    received(world)  # the specialist's half day runs until Wednesday 13:00
    report = process_deadlines(now=at("2026-11-25 11:00"))
    assert (report.warned, report.apologies) == (0, 0)
    assert not ApologyLetter.objects.exists()


def test_the_outbox_delivers_each_message_once(world):
    received(world)
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 2
    assert outbox_deliver(now=at("2026-11-25 09:05")) == 2
    assert outbox_deliver(now=at("2026-11-25 09:06")) == 0
    assert [m.to for m in mail.outbox] == [["binh@example.vn"], ["binh@example.vn"]]
    assert "H26.100-261125-0001" in mail.outbox[0].subject


def test_the_worker_command_runs_one_pass(world):
    from io import StringIO

    import time_machine
    from django.core.management import call_command

    received(world)
    out = StringIO()
    with time_machine.travel(at("2026-11-25 10:00"), tick=False):
        call_command("worker", "--once", stdout=out)
    assert "đã gửi=2" in out.getvalue()
    assert Dossier.objects.count() == 1


def test_a_message_that_cannot_be_sent_is_kept_as_failed_never_as_sent(world, settings):
    """After MAX_ATTEMPTS failures the outbox gives up: the message stays for the record as
    failed, is not counted as sent, and is not tried again."""
    from datetime import timedelta

    from motcua.notify.services import MAX_ATTEMPTS

    settings.EMAIL_BACKEND = "tests.dossiers.test_worker.FailingBackend"
    received(world)
    when = at("2026-11-25 09:05")
    for _ in range(MAX_ATTEMPTS):
        assert outbox_deliver(now=when) == 0
        when += timedelta(days=1)
    messages = OutboxMessage.objects.all()
    assert all(m.failed_at is not None and m.sent_at is None for m in messages)
    assert {m.attempts for m in messages} == {MAX_ATTEMPTS}
    assert "relay refused" in messages[0].last_error
    assert outbox_deliver(now=when + timedelta(days=30)) == 0
    assert OutboxMessage.objects.get(pk=messages[0].pk).attempts == MAX_ATTEMPTS


class FailingBackend:
    """An e-mail backend whose relay refuses everything."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: object) -> int:
        raise OSError("relay refused")


def run_cli(*args):
    """`motcua …` as typed, through the console entry point, in this process's database.
    The command line closes the database connections as its process ends; here the process
    is the test's, whose transaction holds the data, so they are left open."""
    from contextlib import redirect_stdout
    from io import StringIO
    from unittest import mock

    from django.db import connections

    from motcua.cli import main

    out = StringIO()
    with redirect_stdout(out), mock.patch.object(connections, "close_all"):
        main(list(args))
    return out.getvalue()


def test_worker_now_runs_one_pass_at_a_simulated_local_time(world):
    """A naive --now is the centre's local time: Friday 09:00 in Hà Nội, the day the dossier
    is due soon; the wall clock is not asked."""
    d = received(world)
    out = run_cli("worker", "--once", "--now", "2026-11-27T09:00")
    assert "2026-11-27 09:00:00 cảnh báo=1 quá hạn=0" in out
    d.refresh_from_db()
    assert d.warned_at == at("2026-11-27 09:00")
    # With an offset: 02:00 UTC on Tuesday is 09:00 in Hà Nội, past Monday 08:30's deadline.
    out = run_cli("worker", "--once", "--now", "2026-12-01T02:00+00:00")
    assert "2026-12-01 09:00:00 cảnh báo=0 quá hạn=1" in out
    d.refresh_from_db()
    assert d.overdue_at == at("2026-12-01 09:00")
    sent = OutboxMessage.objects.exclude(sent_at=None).order_by("sent_at").last()
    assert at("2026-12-01 09:00") <= sent.sent_at < at("2026-12-01 09:01")


def test_worker_now_is_refused_clearly_when_malformed_or_without_once(db):
    import pytest
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="không đúng dạng ISO 8601"):
        call_command("worker", "--once", "--now", "27/11/2026 09:00")
    with pytest.raises(CommandError, match="--now chỉ dùng cùng --once"):
        call_command("worker", "--now", "2026-11-27T09:00")
    with pytest.raises(CommandError, match="ngoài phạm vi"):
        call_command("worker", "--once", "--now", "2150-11-27T09:00")


def test_worker_help_says_how_now_is_read(capsys):
    import pytest

    from motcua.cli import main

    with pytest.raises(SystemExit):
        main(["worker", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--now T" in text
    assert "ISO 8601" in text and "without an offset" in text and "local time" in text


def test_the_citizens_mail_gives_local_time_whatever_zone_the_worker_runs_in(world):
    """A 09:30 appointment reads 09:30 in the subject, text and HTML the outbox writes at
    delivery and keeps, even when the officer's server and the worker run with UTC active
    (where 09:30 in Hà Nội is 02:30)."""
    from datetime import UTC

    from django.utils import timezone

    with timezone.override(UTC):
        d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 09:30"))
        assert d.due_at == at("2026-11-30 09:30")
        assert outbox_deliver(now=at("2026-11-25 09:31")) == 1
    (message,) = OutboxMessage.objects.filter(dossier=d)
    (sent,) = mail.outbox
    ((html, _kind),) = sent.alternatives
    assert (sent.subject, sent.body, html) == (message.subject, message.body, message.html)
    assert "Hẹn trả kết quả: 09:30 Thứ Hai 30/11/2026 (giờ Việt Nam)." in message.body
    assert "Hẹn trả kết quả: 09:30 Thứ Hai 30/11/2026 (giờ Việt Nam)." in message.html
    assert "02:30" not in message.body + message.html
    assert message.subject == "Hồ sơ H26.100-261125-0001: Được tiếp nhận"
