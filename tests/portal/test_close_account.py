"""Issue 11: a citizen closes their own account: its personal data goes at once, its drafts
are emptied and its bookings given back, every session ends, its addresses are told; the
dossiers it lodged stay with their agencies. A wrong password or no confirmation changes
nothing; another citizen's account is never touched."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from motcua.appointments.models import Booking, SlotCount
from motcua.citizens.models import Citizen
from motcua.core.retention import PSEUDONYM
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_receive
from motcua.notify.models import OutboxMessage
from motcua.online.models import Draft, DraftPaper
from tests.conftest import at
from tests.dossiers.test_services import intake
from tests.portal.test_mine import PASSWORD, citizen, signed_in

URL = "/tai-khoan/dong-tai-khoan/"


@pytest.fixture
def lived(world):
    an, binh = citizen("an@example.vn"), citizen("binh@example.vn")
    Citizen.objects.filter(pk=an.pk).update(
        phone="0912345678", id_number="001090000001", address="12 Hàng Bạc"
    )
    d = dossier_receive(
        intake=intake(world, citizen_id=an.pk), actor=world.lan, now=at("2026-11-24 08:30")
    )
    version = world.birth.versions.get()
    SlotCount.objects.create(branch=world.hoan_kiem, day=date(2026, 12, 7), start=time(8), booked=2)
    for who in (an, binh):
        draft = Draft.objects.create(
            citizen=who, version=version, values={"ho_ten": who.full_name},
            created_at=at("2026-11-25 09:00"), updated_at=at("2026-11-25 09:00"),
        )  # fmt: skip
        name = default_storage.save(f"drafts/{who.pk}.png", ContentFile(b"x"))
        DraftPaper.objects.create(
            draft=draft, document=version.documents.first(), file=name, sha256="0" * 64,
            size=1, content_type="image/png",
        )  # fmt: skip
        Booking.objects.create(
            citizen=who, procedure=world.birth, branch=world.hoan_kiem, day=date(2026, 12, 7),
            start=time(8), end=time(9), ticket=f"0800-0{who.pk}", key=f"{who.pk:032d}",
            created_at=at("2026-11-27 10:00"),
        )  # fmt: skip
    return an, binh, d


def test_closing_empties_the_account_and_ends_its_sessions(
    lived, client, django_capture_on_commit_callbacks
):
    an, binh, d = lived
    signed_in(client, an)
    other_browser = signed_in(Client(), an)
    paper = DraftPaper.objects.get(draft__citizen=an)
    page = client.get(URL)
    assert page.status_code == 200 and "không mở lại được" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(URL, {"password": PASSWORD, "confirm": "on"})
    assert done.status_code == 200
    assert "Tài khoản đã được đóng" in done.content.decode()

    row = Citizen.objects.get(pk=an.pk)
    assert (row.email, row.phone, row.password, row.full_name) == (None, None, "", PSEUDONYM)
    assert (row.id_number, row.address, row.is_active) == ("", "", False)
    assert row.closed_at is not None
    # Every session of it is over, here and in the other browser.
    for browser in (client, other_browser):
        assert browser.get(reverse("citizens:profile")).status_code == 302
    # Its drafts are emptied at once, the uploads' files gone; its booking is given back.
    draft = Draft.objects.get(citizen=an)
    assert (draft.state, draft.values) == ("closed", {})
    assert not DraftPaper.objects.filter(pk=paper.pk).exists()
    assert not default_storage.exists(paper.file)
    assert Booking.objects.get(citizen=an).state == "cancelled"
    assert SlotCount.objects.get().booked == 1  # only Bình's place is still taken
    # The dossier stays with the agency, as the desk recorded it.
    assert Dossier.objects.get(pk=d.pk).applicant_name == d.applicant_name
    # Both addresses are told.
    told = set(
        OutboxMessage.objects.filter(template__endswith="/closed").values_list(
            "recipient", flat=True
        )
    )
    assert told == {"an@example.vn", "0912345678"}
    # Bình's account is untouched.
    other = Citizen.objects.get(pk=binh.pk)
    assert (other.email, other.is_active) == ("binh@example.vn", True)
    assert Draft.objects.get(citizen=binh).values != {}
    assert Booking.objects.get(citizen=binh).state == "booked"
    # The address is free for a new account.
    assert citizen("an@example.vn").pk != an.pk


@pytest.mark.parametrize(
    ("posted", "fields"),
    [
        ({"password": "sai-mat-khau", "confirm": "on"}, {"password"}),
        ({"password": PASSWORD}, {"confirm"}),
        ({}, {"confirm", "password"}),
    ],
)
def test_a_wrong_password_or_no_confirmation_changes_nothing(lived, client, posted, fields):
    an, _binh, _d = lived
    signed_in(client, an)
    before = (
        Citizen.objects.filter(pk=an.pk).values().get(),
        list(Draft.objects.values()),
        list(Booking.objects.values()),
        OutboxMessage.objects.count(),
    )
    page = client.post(URL, posted)
    assert page.status_code == 400
    assert set(page.context["form"].errors) == fields
    after = (
        Citizen.objects.filter(pk=an.pk).values().get(),
        list(Draft.objects.values()),
        list(Booking.objects.values()),
        OutboxMessage.objects.count(),
    )
    assert after == before
    assert client.get(reverse("citizens:profile")).status_code == 200  # still signed in


def test_an_account_made_by_an_identity_provider_closes_with_the_confirmation(world, client):
    from motcua.citizens.session import sign_in

    an = Citizen.objects.create(
        provider_issuer="https://vneid.example.vn", provider_subject="s-1",
        full_name="Trần An", created_at=at("2026-11-01 08:00"),
    )  # fmt: skip
    request = type("R", (), {})()
    session = client.session
    request.session = session
    sign_in(request, an)
    session.save()
    client.cookies["sessionid"] = session.session_key
    page = client.get(URL)
    assert page.status_code == 200
    assert 'name="password"' not in page.content.decode()
    assert client.post(URL, {"confirm": "on"}).status_code == 200
    row = Citizen.objects.get(pk=an.pk)
    assert (row.provider_subject, row.is_active) == ("", False)


def test_closing_needs_a_signed_in_citizen(client, db):
    assert client.post(URL, {"confirm": "on"}).status_code == 302


def test_passwords_tried_at_closing_are_counted_as_sign_in_tries(lived, client, settings):
    an, _binh, _d = lived
    signed_in(client, an)
    for _ in range(settings.SIGNIN_MAX_FAILURES):
        assert client.post(URL, {"password": "sai-mat-khau", "confirm": "on"}).status_code == 400
    held = client.post(URL, {"password": PASSWORD, "confirm": "on"})
    assert held.status_code == 403 and "Tạm khóa" in held.content.decode()
    assert Citizen.objects.get(pk=an.pk).is_active
