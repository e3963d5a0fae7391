"""A counter booking tied to the citizen's online draft of the procedure: started (pre-filled)
or reused when booked, linked from the ticket ("khai trước hồ sơ"), opened by the desk's day
list in one click, taken over by the reception at the counter; once submitted online first,
the ticket and the desk say so.

Personas: An (a citizen), Lan (desk, Hoàn Kiếm); the birth registration offered online."""

from __future__ import annotations

from datetime import date, time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from motcua.appointments.models import Booking, Window
from motcua.appointments.selectors import preparations
from motcua.appointments.services import booking_make
from motcua.core.appointments import Prepared
from motcua.core.errors import ConflictError
from motcua.dossiers.models import Dossier, DossierScan
from motcua.dossiers.services import ScanUpload
from motcua.online import services as online_services
from motcua.online.models import Draft
from tests import scanfiles
from tests.conftest import at
from tests.online.test_online import GOOD, an, online, papers, sign_in  # noqa: F401

MONDAY = date(2026, 11, 30)


@pytest.fixture
def w(online):  # noqa: F811 (the fixture imported)
    """Hoàn Kiếm opens 08:00–09:00 on Mondays, one place."""
    Window.objects.create(
        branch=online.hoan_kiem, weekday=0, start=time(8), end=time(9), capacity=1
    )
    return online


def book(w, citizen, code="1.001193", day=MONDAY, now="2026-11-27 10:00"):
    return booking_make(
        citizen=citizen,
        procedure_code=code,
        branch_id=w.hoan_kiem.pk,
        day=day,
        start=time(8),
        now=at(now),
    )


def fill(w, booking, **values):
    """The citizen fills in the booking's draft and attaches every paper (not submitted)."""
    draft = Draft.objects.get(pk=booking.draft_id)
    return online_services.draft_save(
        draft=draft,
        data=online_services.DraftInput(
            values={**draft.values, **GOOD, **values},
            place_id=w.hoan_kiem.pk,
            delivery="electronic",
            uploads={
                d.pk: ScanUpload(name=f"{d.order}.png", data=scanfiles.PNG) for d in papers(w)
            },
        ),
        now=at("2026-11-27 10:00"),
    )


def test_booking_starts_a_prefilled_draft_or_ties_the_open_one(w, an):  # noqa: F811
    booking = book(w, an)
    draft = Draft.objects.get(pk=booking.draft_id)
    assert (draft.citizen_id, draft.state) == (an.pk, "open")
    assert draft.values["ho_ten"] == "Nguyễn Văn An"  # pre-filled as the online form is
    assert preparations([booking])[booking.pk].state is Prepared.TO_FILL

    # Cancelled and booked again another day: the same draft, not a second one.
    from motcua.appointments.services import booking_cancel

    booking_cancel(booking=booking, now=at("2026-11-27 10:05"))
    again = book(w, an, day=date(2026, 12, 14))
    assert again.draft_id == draft.pk
    assert Draft.objects.count() == 1


def test_a_procedure_without_an_e_form_ties_no_draft(w, an):  # noqa: F811
    booking = book(w, an, code="3.000722")
    assert booking.draft_id is None
    assert not Draft.objects.exists()
    assert preparations([booking])[booking.pk].state is Prepared.NONE


def test_a_refused_booking_starts_no_draft(w, an):  # noqa: F811
    book(w, an)
    other = type(an).objects.create(email="binh@example.vn", created_at=at("2026-11-01 08:00"))
    with pytest.raises(ConflictError):
        book(w, other)  # the one place is taken
    assert list(Draft.objects.values_list("citizen_id", flat=True)) == [an.pk]


@time_machine.travel(at("2026-11-27 10:00"), tick=False)
def test_the_ticket_links_the_draft_then_says_it_was_submitted(w, an, client):  # noqa: F811
    booking = book(w, an)
    sign_in(client, an)
    page = client.get(reverse("appointments:ticket", args=[booking.pk])).content.decode()
    assert "Khai trước hồ sơ" in page
    assert reverse("online:draft", args=[booking.draft_id]) in page

    draft = fill(w, booking)
    dossier = online_services.draft_submit(draft=draft, now=at("2026-11-27 10:10"))
    page = client.get(reverse("appointments:ticket", args=[booking.pk])).content.decode()
    assert "Khai trước hồ sơ" not in page
    assert "Bạn đã nộp hồ sơ này trực tuyến lúc 10:10 27/11/2026" in page
    assert "mang bản chính đối chiếu" in page
    assert reverse("portal:my-dossier", args=[dossier.pk]) in page

    # The desk's day list opens the dossier submitted online in one click.
    client.force_login(get_user_model().objects.get(username="lan"))
    day = client.get(reverse("desk:appointments"), {"ngay": "2026-11-30"}).content.decode()
    assert "Mở hồ sơ đã nộp" in day
    assert reverse("desk:dossier", args=[dossier.pk]) in day
    assert "Tiếp nhận hồ sơ" not in day


@time_machine.travel(at("2026-11-30 08:05"), tick=False)
def test_the_desk_receives_from_the_draft_filled_before_coming(w, an, client):  # noqa: F811
    booking = book(w, an)
    draft = fill(w, booking, ho_ten="Nguyễn Văn An Khang")  # typed in the draft
    client.force_login(get_user_model().objects.get(username="lan"))
    day = client.get(reverse("desk:appointments")).content.decode()
    assert "Tiếp nhận hồ sơ đã khai trước" in day
    link = f"{reverse('desk:reception')}?procedure=1.001193&amp;hen={booking.pk}"
    assert link in day

    page = client.get(reverse("desk:reception"), {"procedure": "1.001193", "hen": booking.pk})
    initial = page.context["form"].initial
    assert (initial["name"], initial["id_number"]) == ("Nguyễn Văn An Khang", "001203004567")
    assert initial["address"] == "12 Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội"
    docs = papers(w)
    assert sorted(initial["documents"]) == sorted(str(d.pk) for d in docs)

    response = client.post(
        reverse("desk:reception"),
        {
            "procedure": "1.001193",
            "form_key": "k-draft",
            "booking": str(booking.pk),
            "name": initial["name"],
            "id_number": initial["id_number"],
            "documents": initial["documents"],
            "delivery": "desk",
            "outcome": "receive",
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    booking.refresh_from_db()
    draft.refresh_from_db()
    assert (dossier.citizen_id, booking.dossier_id) == (an.pk, dossier.pk)
    assert (draft.state, draft.dossier_id) == ("submitted", dossier.pk)
    # The files attached to the draft are the dossier's scans: nothing scanned again.
    assert DossierScan.objects.filter(dossier=dossier).count() == len(docs)
    # It cannot go in online a second time: submitting gives the same dossier.
    assert online_services.draft_submit(draft=draft, now=at("2026-11-30 08:10")).pk == dossier.pk
    assert Dossier.objects.count() == 1
    day = client.get(reverse("desk:appointments")).content.decode()
    assert reverse("desk:dossier", args=[dossier.pk]) in day
    assert preparations([booking])[booking.pk].state is Prepared.RECEIVED
    assert Booking.objects.get().dossier_id == dossier.pk
