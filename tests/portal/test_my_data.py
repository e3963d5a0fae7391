"""Issue 11: "Tải dữ liệu của tôi" gives a citizen their own data, and never another's;
limited per day; recorded in the read log."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, time

import pytest
from django.urls import reverse
from django.utils import timezone

from motcua.appointments.models import Booking
from motcua.dossiers.models import DossierAccess
from motcua.dossiers.services import Applicant, dossier_receive
from motcua.feedback import services as feedback_services
from motcua.feedback.models import Rating
from tests.conftest import at
from tests.dossiers.test_services import intake
from tests.feedback.test_services import filing
from tests.portal.test_mine import citizen, signed_in

URL = "/tai-khoan/du-lieu-cua-toi/"


def lived(world, who, *, name, id_number, content, ticket):
    """A dossier, a rating of it, a feedback filed and a booking, all of `who`'s account."""
    d = dossier_receive(
        intake=intake(
            world, citizen_id=who.pk, applicant=Applicant(name=name, id_number=id_number)
        ),
        actor=world.lan,
        now=at("2026-11-24 08:30"),
    )
    now = timezone.now()
    Rating.objects.create(
        dossier=d,
        agency=world.hoan_kiem,
        place=world.hoan_kiem,
        conduct=5,
        punctuality=4,
        guidance=5,
        simplicity=3,
        comment=f"Nhận xét của {name}",
        channel="online",
        citizen=who,
        returned_at=now,
        created_at=now,
    )
    feedback_services.feedback_file(
        filing=filing(content=content, name=name, email=who.email),
        now=at("2026-11-25 09:00"),
        citizen_id=who.pk,
        contact_verified=True,
    )
    Booking.objects.create(
        citizen=who,
        procedure=world.birth,
        branch=world.hoan_kiem,
        day=date(2026, 12, 7),
        start=time(8),
        end=time(8, 15),
        ticket=ticket,
        key=f"key-{ticket}",
        created_at=now,
    )
    return d


@pytest.fixture
def two_lives(world):
    an, binh = citizen("an@example.vn"), citizen("binh@example.vn")
    an.id_number, an.address = "001190000111", "12 Hàng Bạc"
    an.save()
    mine = lived(
        world,
        an,
        name="Trần An",
        id_number="001190000111",
        content="Phản ánh của An.",
        ticket="A-001",
    )
    theirs = lived(
        world,
        binh,
        name="Lê Bình",
        id_number="001190000222",
        content="Phản ánh của Bình.",
        ticket="B-009",
    )
    return an, binh, mine, theirs


def download(client):
    answer = client.post(URL)
    assert answer.status_code == 200, answer.status_code
    assert answer["Content-Type"] == "application/zip"
    assert "no-store" in answer["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert sorted(archive.namelist()) == ["du-lieu-cua-toi.html", "du-lieu-cua-toi.json"]
    return archive.read("du-lieu-cua-toi.json").decode(), archive.read(
        "du-lieu-cua-toi.html"
    ).decode()


def test_it_gives_my_data_and_never_anothers(client, two_lives):
    an, _binh, mine, theirs = two_lives
    raw, summary = download(signed_in(client, an))
    data = json.loads(raw)
    assert data["profile"]["id_number"] == "001190000111"
    assert data["contacts"]["email"] == "an@example.vn"
    assert [d["code"] for d in data["dossiers"]] == [mine.code]
    assert data["dossiers"][0]["story"][0]["kind"] == "received"
    assert [r["comment"] for r in data["ratings"]] == ["Nhận xét của Trần An"]
    assert [f["content"] for f in data["feedback"]] == ["Phản ánh của An."]
    assert [b["ticket"] for b in data["bookings"]] == ["A-001"]
    for text in (raw, summary):
        for other in (
            theirs.code,
            "Lê Bình",
            "001190000222",
            "binh@example.vn",
            "B-009",
            "Phản ánh của Bình.",
        ):
            assert other not in text
    assert mine.code in summary and "12 Hàng Bạc" in summary
    assert "Lấy ra lúc" in summary


def test_the_download_is_in_the_read_log(client, two_lives):
    an, _binh, mine, _theirs = two_lives
    download(signed_in(client, an))
    row = DossierAccess.objects.get(page="citizen.export")
    assert (row.dossier_id, row.role, row.user_id) == (mine.pk, "citizen", None)


def test_it_is_limited_per_day(client, two_lives, settings):
    settings.DATA_EXPORTS_PER_DAY = 2
    an, binh, _mine, _theirs = two_lives
    signed_in(client, an)
    download(client)
    download(client)
    refused = client.post(URL)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "Mỗi ngày chỉ tải được 2 lần" in refused.content.decode()
    client.logout()
    download(signed_in(client, binh))  # another account counts apart


def test_it_needs_a_citizen_sign_in(client, world):
    answer = client.post(URL)
    assert answer.status_code == 302
    assert reverse("citizens:signin") in answer["Location"]


def test_the_page_offers_the_download(client, two_lives):
    an = two_lives[0]
    page = signed_in(client, an).get(URL)
    assert page.status_code == 200
    assert "Tải dữ liệu của tôi" in page.content.decode()
    assert URL in client.get(reverse("citizens:profile")).content.decode()


def test_the_oversight_read_log_shows_the_download_as_the_citizens(client, two_lives, world):
    from django.contrib.auth import get_user_model

    from motcua.core.lifecycle import Role
    from tests.factories import _person

    an = two_lives[0]
    download(signed_in(client, an))
    _person("giamsat", "Trần Văn Hùng", world.centre, "mot-cua", Role.SUPERVISOR)
    client.force_login(get_user_model().objects.get(username="giamsat"))
    per_official = client.get("/can-bo/giam-sat/truy-cap/", {"view": "official"})
    html = per_official.content.decode()
    assert per_official.status_code == 200
    assert "Công dân tự tải dữ liệu của mình" in html and "None" not in html
    rows = client.get("/can-bo/giam-sat/truy-cap/", {"view": "rows"}).content.decode()
    assert "Công dân tải dữ liệu của mình" in rows
