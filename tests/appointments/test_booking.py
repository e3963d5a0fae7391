"""Booking a counter slot: capacity, rest days, one per person and day, the last place to one
of two, cancel, check-in and call, reminders the day before, no-shows, the desk's pages."""

from __future__ import annotations

from datetime import date, time
from unittest import mock

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.urls import reverse

from motcua.appointments.models import Booking, SlotCount, Window
from motcua.appointments.selectors import branch_load, day_slots
from motcua.appointments.services import (
    appointments_process,
    booking_call,
    booking_cancel,
    booking_check_in,
    booking_make,
)
from motcua.citizens.models import Citizen
from motcua.core.errors import ConflictError, InvalidInput, NotFound, ValidationError
from motcua.notify.models import OutboxMessage
from motcua.notify.services import outbox_deliver
from tests.conftest import at

PASSWORD = "mat-khau-du-dai-2026"
MONDAY = date(2026, 11, 30)


def person(email, name, phone=None):
    return Citizen.objects.create(
        email=email,
        phone=phone,
        password=make_password(PASSWORD),
        full_name=name,
        id_number="001090000001",
        address="12 Hàng Bạc, Hoàn Kiếm",
        created_at=at("2026-11-01 08:00"),
    )


@pytest.fixture
def w(world):
    """Hoàn Kiếm opens 08:00–09:00 (2 places) and 13:30–14:30 (1 place) on Mondays."""
    Window.objects.create(branch=world.hoan_kiem, weekday=0, start=time(8), end=time(9), capacity=2)
    Window.objects.create(
        branch=world.hoan_kiem, weekday=0, start=time(13, 30), end=time(14, 30), capacity=1
    )
    world.an = person("an@example.vn", "Nguyễn Văn An", phone="0912345678")
    world.binh = person("binh@example.vn", "Trần Thị Bình")
    return world


def book(w, citizen, start=time(8), day=MONDAY, code="1.001193", now="2026-11-27 10:00"):
    return booking_make(
        citizen=citizen,
        procedure_code=code,
        branch_id=w.hoan_kiem.pk,
        day=day,
        start=start,
        now=at(now),
    )


def test_a_booking_gets_a_ticket_and_takes_a_place(w):
    first = book(w, w.an)
    second = book(w, w.binh)
    assert (first.ticket, second.ticket) == ("0800-01", "0800-02")
    assert [s.left for s in day_slots(w.hoan_kiem, MONDAY)] == [0, 1]


def test_a_full_slot_is_refused_clearly_and_nothing_is_stored(w):
    book(w, w.an, start=time(13, 30))
    with pytest.raises(ConflictError) as info:
        book(w, w.binh, start=time(13, 30))
    assert "đã hết chỗ" in info.value.message
    assert Booking.objects.count() == 1
    assert SlotCount.objects.get(start=time(13, 30)).booked == 1


def test_the_last_place_goes_to_one_even_when_both_saw_it_free(w):
    """The check on a stale count passes for both; the compare-and-set lets one through."""
    stale = day_slots(w.hoan_kiem, MONDAY)
    book(w, w.an, start=time(13, 30))
    with (
        mock.patch("motcua.appointments.services.day_slots", return_value=stale),
        pytest.raises(ConflictError),
    ):
        book(w, w.binh, start=time(13, 30))
    assert list(Booking.objects.values_list("citizen__email", flat=True)) == ["an@example.vn"]
    assert SlotCount.objects.get(start=time(13, 30)).booked == 1


def test_one_active_booking_per_person_procedure_and_day(w):
    book(w, w.an)
    with pytest.raises(InvalidInput) as info:
        book(w, w.an, start=time(13, 30))
    assert "đã có một lịch hẹn" in info.value.message
    book(w, w.an, start=time(13, 30), code="3.000722")  # another procedure: allowed


def test_a_rest_day_and_an_unknown_branch_are_refused(w):
    with pytest.raises(InvalidInput) as info:
        book(w, w.an, day=date(2026, 12, 5))  # Saturday
    assert "ngày nghỉ" in info.value.message
    with pytest.raises(ValidationError):  # Ba Đình opened no window
        booking_make(
            citizen=w.an,
            procedure_code="1.001193",
            branch_id=w.ba_dinh.pk,
            day=MONDAY,
            start=time(8),
            now=at("2026-11-27 10:00"),
        )


def test_cancelling_gives_the_place_back_once(w):
    booking = book(w, w.an, start=time(13, 30))
    booking_cancel(booking=booking, now=at("2026-11-27 11:00"))
    with pytest.raises(ConflictError):
        booking_cancel(booking=booking, now=at("2026-11-27 11:01"))
    assert SlotCount.objects.get(start=time(13, 30)).booked == 0
    again = book(w, w.binh, start=time(13, 30))
    assert again.ticket == "1330-02"  # tickets are never given twice


def test_booking_mails_one_confirmation_and_cancelling_a_notice(w, settings):
    settings.SITE_URL = "https://motcua.example.vn"
    booking = book(w, w.an)  # booked on Friday 27/11 for Monday 08:00
    assert OutboxMessage.objects.filter(template="appointments/email/booked").count() == 1
    outbox_deliver(now=at("2026-11-27 10:01"))
    outbox_deliver(now=at("2026-11-27 10:05"))  # a second pass sends nothing more
    [sent] = mail.outbox
    assert sent.to == ["an@example.vn"]
    assert sent.subject == "Đã đặt lịch hẹn 08:00 ngày Thứ Hai 30/11/2026, số thứ tự 0800-01"
    ticket_url = "https://motcua.example.vn" + reverse("appointments:ticket", args=[booking.pk])
    assert w.hoan_kiem.name in sent.body and "08:00–09:00 ngày Thứ Hai 30/11/2026" in sent.body
    assert "Số thứ tự: 0800-01" in sent.body and ticket_url in sent.body
    html = sent.alternatives[0][0]
    assert f'href="{ticket_url}"' in html and "Hủy lịch hẹn" in html
    # A booking refused (the same procedure that day again) mails nothing.
    with pytest.raises(ValidationError):
        book(w, w.an, start=time(13, 30))
    assert OutboxMessage.objects.count() == 1

    booking_cancel(booking=booking, now=at("2026-11-27 11:00"))
    with pytest.raises(ConflictError):
        booking_cancel(booking=booking, now=at("2026-11-27 11:01"))
    outbox_deliver(now=at("2026-11-27 11:02"))
    [notice] = mail.outbox[1:]
    assert notice.subject == "Đã hủy lịch hẹn 08:00 ngày Thứ Hai 30/11/2026"
    assert "(số thứ tự 0800-01) đã được hủy" in notice.body
    assert OutboxMessage.objects.filter(template="appointments/email/cancelled").count() == 1


def test_an_account_without_an_e_mail_is_not_mailed(w):
    phone_only = Citizen.objects.create(
        phone="0987654321", full_name="Lê Văn Cường", created_at=at("2026-11-01 08:00")
    )
    booking_cancel(booking=book(w, phone_only), now=at("2026-11-27 11:00"))
    assert not OutboxMessage.objects.exists()


def test_check_in_and_call_record_arrival_and_waiting(w):
    booking = book(w, w.an)
    booking = booking_check_in(booking=booking, actor=w.lan, now=at("2026-11-30 07:50"))
    booking = booking_call(booking=booking, actor=w.lan, now=at("2026-11-30 08:12"))
    assert booking.state == "called"
    assert booking.wait_seconds == 12 * 60  # from the slot's start, as they came early
    with pytest.raises(NotFound):  # another commune's desk
        booking_check_in(booking=book(w, w.binh), actor=w.mai, now=at("2026-11-30 07:55"))


def test_the_worker_reminds_the_day_before_once_and_marks_no_shows(w):
    kept, missed = book(w, w.an), book(w, w.binh, start=time(13, 30))
    assert appointments_process(now=at("2026-11-28 09:00")).reminded == 0  # Saturday: too early
    done = appointments_process(now=at("2026-11-29 09:00"))  # Sunday, the day before
    again = appointments_process(now=at("2026-11-29 10:00"))
    assert (done.reminded, again.reminded) == (2, 0)
    assert OutboxMessage.objects.filter(template="appointments/sms/reminder").count() == 1
    outbox_deliver(now=at("2026-11-29 10:00"))
    reminders = [m for m in mail.outbox if "Nhắc lịch hẹn" in m.subject]
    assert sorted(m.to[0] for m in reminders) == ["an@example.vn", "binh@example.vn"]
    assert "08:00–09:00 ngày Thứ Hai 30/11/2026" in next(
        m.body for m in reminders if m.to == ["an@example.vn"]
    )

    booking_check_in(booking=kept, actor=w.lan, now=at("2026-11-30 07:55"))
    assert appointments_process(now=at("2026-11-30 14:29")).no_shows == 0
    assert appointments_process(now=at("2026-11-30 14:30")).no_shows == 1
    missed.refresh_from_db()
    kept.refresh_from_db()
    assert (missed.state, kept.state) == ("no_show", "checked_in")
    [load] = branch_load(first=MONDAY, days=1)
    assert (load.capacity, load.booked, load.arrived, load.no_shows) == (3, 1, 1, 1)


def sign_in(client, email="an@example.vn"):
    response = client.post(reverse("citizens:signin"), {"identifier": email, "password": PASSWORD})
    assert response.status_code == 302


@time_machine.travel("2026-11-27 10:00 +0700", tick=False)
def test_a_citizen_books_through_the_pages_and_sees_the_ticket(client, w):
    sign_in(client)
    url = reverse("appointments:book")
    assert client.get(url).status_code == 200
    query = {"procedure": "1.001193", "branch": w.hoan_kiem.pk, "day": "2026-11-30"}
    shown = client.get(url, query)
    assert "còn 2 chỗ" in shown.content.decode()

    done = client.post(url, {**query, "slot": "08:00"})
    ticket = client.get(done["Location"])

    assert ticket.status_code == 200
    page = ticket.content.decode()
    assert "0800-01" in page and "<svg" in page and 'lang="vi"' in page
    assert client.post(url, {**query, "slot": "08:00"}).status_code == 400  # a double submit
    assert Booking.objects.count() == 1


@time_machine.travel("2026-11-27 10:00 +0700", tick=False)
def test_bad_booking_input_is_said_beside_each_field(client, w):
    sign_in(client)
    url = reverse("appointments:book")
    response = client.post(url, {"procedure": "x", "branch": "abc", "day": "2026-02-31"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"procedure", "branch", "day"}
    holiday = client.post(
        url,
        {"procedure": "1.001193", "branch": w.hoan_kiem.pk, "day": "2026-12-05", "slot": "08:00"},
    )
    assert holiday.status_code == 400
    assert "ngày nghỉ" in holiday.content.decode()
    far = client.post(
        url,
        {"procedure": "1.001193", "branch": w.hoan_kiem.pk, "day": "9999-12-31", "slot": "08:00"},
    )
    assert far.status_code == 400
    assert not Booking.objects.exists()


def test_another_citizens_ticket_is_not_found(client, w):
    booking = book(w, w.an)
    sign_in(client, "binh@example.vn")
    assert client.get(reverse("appointments:ticket", args=[booking.pk])).status_code == 404
    assert client.post(reverse("appointments:cancel", args=[booking.pk])).status_code == 404
    booking.refresh_from_db()
    assert booking.state == "booked"


@time_machine.travel("2026-11-30 07:55 +0700", tick=False)
def test_the_desk_sees_the_day_and_opens_reception_prefilled(client, w):
    booking = book(w, w.an, now="2026-11-27 10:00")
    client.force_login(get_user_model().objects.get(username="lan"))
    day = client.get(reverse("desk:appointments"))
    assert "0800-01" in day.content.decode()

    client.post(reverse("desk:appointment_act", args=[booking.pk]), {"action": "check_in"})
    booking.refresh_from_db()
    assert booking.checked_in_at is not None

    reception = client.get(reverse("desk:reception"), {"procedure": "1.001193", "hen": booking.pk})
    form = reception.context["form"]
    assert form.initial["name"] == "Nguyễn Văn An"
    assert form.initial["id_number"] == "001090000001"
    assert form.initial["phone"] == "0912345678"
    load = client.get(reverse("desk:appointments_load"))
    assert "UBND Phường Hoàn Kiếm" in load.content.decode()

    qr = client.get(reverse("desk:appointment_key", args=[booking.key]))
    assert qr.status_code == 302


@time_machine.travel("2026-11-30 07:55 +0700", tick=False)
def test_another_branch_desk_cannot_see_or_act(client, w):
    booking = book(w, w.an, now="2026-11-27 10:00")
    client.force_login(get_user_model().objects.get(username="mai"))
    assert "0800-01" not in client.get(reverse("desk:appointments")).content.decode()
    act = client.post(reverse("desk:appointment_act", args=[booking.pk]), {"action": "check_in"})
    assert act.status_code == 404
    prefill = client.get(reverse("desk:reception"), {"procedure": "1.001193", "hen": booking.pk})
    assert "name" not in prefill.context["form"].initial
    assert client.get(reverse("desk:appointment_key", args=[booking.key])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_citizens_at_once_for_the_last_place_one_wins(world):
    """Real parallel connections (PostgreSQL): the row lock and the compare-and-set decide."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and parallel connections")
    Window.objects.create(branch=world.hoan_kiem, weekday=0, start=time(8), end=time(9), capacity=1)
    people = [person(f"p{i}@example.vn", f"Người {i}") for i in range(4)]
    barrier = threading.Barrier(4)
    errors: list[Exception | None] = [None] * 4

    def target(i):
        try:
            barrier.wait()
            book(world, people[i])
        except Exception as exc:  # collected for the assertion
            errors[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Booking.objects.count() == 1
    assert sum(e is None for e in errors) == 1
    assert all(isinstance(e, ConflictError) for e in errors if e is not None), errors
    assert SlotCount.objects.get().booked == 1


def test_the_demo_opens_every_receiving_place_once(world):
    from motcua.appointments.services import demo_windows

    assert demo_windows() == 3 * 5 * 6  # the centre and two communes, 6 hours on 5 weekdays
    assert Window.objects.get(branch=world.centre, weekday=0, start=time(8)).capacity == 20
    assert Window.objects.get(branch=world.hoan_kiem, weekday=0, start=time(8)).capacity == 5
    assert demo_windows() == 0


@time_machine.travel("2026-11-30 08:05 +0700", tick=False)
def test_reception_from_a_booking_lodges_the_dossier_for_the_account(client, w):
    from motcua.dossiers.models import Dossier
    from tests.desk.test_pages import reception_post

    booking = book(w, w.an, now="2026-11-27 10:00")
    other = book(w, w.binh, now="2026-11-27 10:00")
    client.force_login(get_user_model().objects.get(username="lan"))
    page = client.get(reverse("desk:reception"), {"procedure": "3.000722", "hen": booking.pk})
    assert f'name="booking" value="{booking.pk}"' in page.content.decode()

    response = client.post(
        reverse("desk:reception"),
        reception_post(w, booking=str(booking.pk), name="Nguyễn Văn An"),
    )

    assert response.status_code == 302
    dossier = Dossier.objects.get()
    booking.refresh_from_db()
    other.refresh_from_db()
    assert (dossier.citizen_id, booking.dossier_id, other.dossier_id) == (w.an.pk, dossier.pk, None)


@time_machine.travel("2026-11-30 08:05 +0700", tick=False)
def test_a_tampered_booking_id_links_nothing(client, w):
    from motcua.dossiers.models import Dossier
    from tests.desk.test_pages import reception_post

    booking = book(w, w.an, now="2026-11-27 10:00")
    client.force_login(get_user_model().objects.get(username="mai"))  # Ba Đình's desk
    response = client.post(reverse("desk:reception"), reception_post(w, booking=str(booking.pk)))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (Dossier.objects.get().citizen_id, booking.dossier_id) == (None, None)


def test_my_appointments_list_them_in_plain_words(client, w):
    book(w, w.an)
    sign_in(client)
    page = client.get(reverse("appointments:mine")).content.decode()
    assert "0800-01" in page and "Đã đặt lịch" in page and "booked" not in page
