"""Paused never overdue (motcua.core.urgency) on every page that says so: the inbox's buckets
and `?bucket=` filter, its badges, the leader's load, the dossier page and the tracking page;
a paused dossier says that it waits for the citizen, and since when."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, time

import pytest
import time_machine
from django.contrib.auth import get_user_model

from motcua.core.lifecycle import Action, Status
from motcua.core.urgency import Bucket, bucket
from motcua.dossiers.deadlines import process_deadlines
from motcua.dossiers.handlers import Papers
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import agency_staff_load, urgency_rank
from motcua.dossiers.services import Applicant, dossier_act, dossier_receive
from motcua.organization.selectors import calendar_for
from tests.conftest import at
from tests.dossiers.test_services import forward, intake

NOW = at("2026-11-25 10:00")


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def signin(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def at_specialist(world, name, when):
    """Received at `when` (on the hour), at the commune's culture and society unit an hour later."""
    person = Applicant(name=name, id_number="001203012345")
    d = dossier_receive(intake=intake(world, applicant=person), actor=world.lan, now=at(when))
    day, hour = when.split()
    return forward(d, world.lan, f"{day} {int(hour[:2]) + 1:02d}{hour[2:]}")


def paused_past_its_due(world):
    """Received Wed 18/11 (due Mon 23/11), marked overdue on Tuesday, then asked for a
    supplement Tuesday 10:00: its stored due time is in the past, and it waits."""
    d = at_specialist(world, "Lê Thị Chờ", "2026-11-18 08:30")
    process_deadlines(now=at("2026-11-24 09:00"))
    d.refresh_from_db()
    assert d.overdue_at is not None
    return dossier_act(
        dossier=d,
        action=Action.REQUEST_SUPPLEMENT,
        actor=world.duc,
        now=at("2026-11-24 10:00"),
        missing=["Giấy chứng sinh bản chính"],
    )


def counts(html):
    return {k: int(v) for k, v in re.findall(r'data-bucket="(\w+)">(\d+)<', html)}


def test_a_paused_dossier_is_never_in_the_overdue_bucket(world, client):
    waiting = paused_past_its_due(world)
    late = at_specialist(world, "Lê Văn Quá", "2026-11-18 08:30")  # due 23/11, running
    assert waiting.due_at < NOW and late.due_at < NOW
    signin(client, "duc")

    html = client.get("/can-bo/").content.decode()
    assert counts(html)["overdue"] == 1 and counts(html)["paused"] == 1
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(waiting.code)}.*?</tr>", html, re.S)
    assert row is not None
    assert "Quá hạn" not in row.group(0)
    assert "Chờ công dân bổ sung từ 10:00 24/11/2026" in row.group(0)

    overdue = client.get("/can-bo/", {"bucket": "overdue"}).content.decode()
    assert late.code in overdue and waiting.code not in overdue
    paused = client.get("/can-bo/", {"bucket": "paused"}).content.decode()
    assert waiting.code in paused and late.code not in paused


def test_the_leaders_load_counts_a_paused_step_apart_never_late(world, client):
    paused_past_its_due(world)
    at_specialist(world, "Lê Văn Quá", "2026-11-18 08:30")
    cal = calendar_for(world.hoan_kiem)
    held, _staff = agency_staff_load(
        agency_id=world.hoan_kiem.pk, now=NOW, soon=cal.add_working_seconds(NOW, 16 * 3600)
    )
    (row,) = [r for r in held if r["current_unit_id"] == world.duc.unit.pk]
    assert (row["count"], row["late"], row["paused"]) == (2, 1, 1)
    html = signin(client, "son").get("/can-bo/dieu-hanh/").content.decode()
    assert '<td data-count="late"><span class="badge late">1</span></td>' in html
    assert '<td data-count="paused">1</td>' in html


def test_the_dossier_page_shows_the_wait_not_overdue(world, client):
    d = paused_past_its_due(world)
    html = signin(client, "duc").get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    status = re.search(r'<strong class="status[^>]*id="status">.*?</p>', html, re.S).group(0)
    assert 'id="overdue"' not in status
    assert "Chờ công dân bổ sung từ 10:00 24/11/2026" in status


def test_the_tracking_page_shows_the_wait_not_overdue(world, client):
    d = paused_past_its_due(world)
    html = client.post("/tra-cuu/", {"code": d.code, "secret": d.tracking_secret}).content
    words = html.decode()
    status = re.search(r"<dt>Trạng thái</dt><dd>.*?</dd>", words, re.S).group(0)
    assert "Quá hạn" not in status
    assert "Chờ bổ sung giấy tờ từ" in status and "ngày 24/11/2026, lúc 10:00" in status


def test_once_resumed_an_overdue_dossier_is_overdue_again(world, client):
    d = paused_past_its_due(world)
    d = dossier_act(
        dossier=d,
        action=Action.SUPPLEMENT,
        actor=world.lan,
        now=NOW,
        papers=Papers(others=["Giấy chứng sinh"]),
    )
    html = signin(client, "duc").get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    assert 'id="overdue"' in html  # the pause came after the deadline: nothing moved


def test_the_sql_buckets_are_the_core_rule(world):
    """Every status against every kind of due time: the inbox's SQL rank is the core's."""
    d = at_specialist(world, "Lê Văn Một", "2026-11-25 08:30")
    cal = calendar_for(world.hoan_kiem)
    today_end = datetime.combine(NOW.astimezone(cal.tz).date(), time(23, 59, 59), tzinfo=cal.tz)
    soon = cal.add_working_seconds(NOW, 16 * 3600)
    dues = [None, at("2026-11-20 09:00"), at("2026-11-25 16:00"), soon, at("2026-12-20 09:00")]
    for status, due, received in itertools.product(Status, dues, (True, False)):
        received_at = d.received_at if received else None
        Dossier.objects.filter(pk=d.pk).update(
            status=int(status), due_at=due, received_at=received_at
        )
        (rank,) = (
            Dossier.objects.filter(pk=d.pk)
            .annotate(u=urgency_rank(now=NOW, today_end=today_end, soon=soon))
            .values_list("u", flat=True)
        )
        expected = bucket(status, due, now=NOW, today_end=today_end, soon=soon, received=received)
        assert list(Bucket)[rank] is expected, (status, due, received)


# ---------------------------------------------------------------------------------------------
# The head's queue of apology letters to sign


def drafted_after_the_deadline(world):
    """Due Mon 23/11 08:00; the commune's specialist drafts the letter on Tuesday: late, for
    the head of the commune (Trịnh Văn Long) to sign."""
    d = at_specialist(world, "Lê Văn Trễ", "2026-11-18 08:00")
    return dossier_act(
        dossier=d, action=Action.DRAFT_APOLOGY, actor=world.duc, now=at("2026-11-24 09:00")
    )


def to_sign(html):
    found = re.search(r'data-count="to-sign">(\d+)<', html)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("query", [{}, {"scope": "mine"}, {"scope": "unit"}, {"scope": "agency"}])
def test_the_head_sees_the_letters_waiting_for_a_signature_in_every_inbox(world, client, query):
    d = drafted_after_the_deadline(world)
    html = signin(client, "long").get("/can-bo/", query).content.decode()
    assert to_sign(html) == 1
    section = html[
        html.index('id="to-sign"') : html.index("</section>", html.index('id="to-sign"'))
    ]
    assert d.code in section and "Lập muộn" in section
    # The dossier itself is in the head's list, whichever scope.
    assert html.count(d.code) >= 2


@pytest.mark.parametrize("username", ["duc", "son", "lan", "kien"])
def test_no_one_else_gets_the_heads_queue(world, client, username):
    drafted_after_the_deadline(world)
    html = signin(client, username).get("/can-bo/").content.decode()
    assert 'id="to-sign"' not in html


def test_the_leader_view_counts_the_letters_to_sign_and_the_late_ones(world, client):
    d = drafted_after_the_deadline(world)
    html = signin(client, "long").get("/can-bo/dieu-hanh/").content.decode()
    assert to_sign(html) == 1 and d.code in html
    assert "1 văn bản xin lỗi của cơ quan được lập hoặc ký muộn" in html
    # Signed, it leaves the queue; the breach stays counted against the commune.
    dossier_act(dossier=d, action=Action.APPROVE_APOLOGY, actor=world.long, now=NOW)
    html = client.get("/can-bo/dieu-hanh/").content.decode()
    assert to_sign(html) == 0
    assert "1 văn bản xin lỗi của cơ quan được lập hoặc ký muộn" in html
    police = signin(client, "kien").get("/can-bo/dieu-hanh/").content.decode()
    assert "được lập hoặc ký muộn" not in police


def test_a_draft_closed_with_its_dossier_leaves_the_queue_and_says_why(world, client):
    d = drafted_after_the_deadline(world)
    dossier_act(dossier=d, action=Action.WITHDRAW, actor=world.lan, now=NOW, note="Xin rút.")
    html = signin(client, "long").get("/can-bo/").content.decode()
    assert to_sign(html) == 0 and d.code not in html
    page = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    apology = re.search(r'<div class="apology" id="apology">.*?</div>', page, re.S).group(0)
    assert "dự thảo đã đóng, không ký" in apology
    assert "Công dân đã rút hồ sơ; văn bản xin lỗi chưa ký được đóng." in apology
    assert "Ký văn bản xin lỗi" not in page  # no button to sign it any more


def test_the_sign_button_says_beforehand_that_signing_now_is_late(world, client):
    d = drafted_after_the_deadline(world)
    html = signin(client, "long").get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    form = re.search(r'data-action="approve_apology">.*?</form>', html, re.S).group(0)
    assert "Thực hiện lúc này được ghi nhận là muộn (sau hạn trả kết quả)" in form


def test_the_draft_button_says_nothing_of_lateness_in_time(world, client):
    d = at_specialist(world, "Lê Văn Sớm", "2026-11-24 08:00")  # due Thu 27/11 08:00
    html = signin(client, "duc").get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    form = re.search(r'data-action="draft_apology">.*?</form>', html, re.S).group(0)
    assert "ghi nhận là" not in form
