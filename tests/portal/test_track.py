"""The public tracking page: a citizen with the code and tracking secret from the receipt."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.core.lifecycle import Action
from motcua.dossiers.selectors import NOT_FOUND, dossier_due_explanation
from motcua.dossiers.services import Applicant, Intake, dossier_act, dossier_receive
from tests.conftest import VN, at

URL = reverse("portal:track")
STAFF_NAMES = ["Nguyễn Thị Lan", "Ngô Văn Đức", "Mai Văn Tâm", "Phan Văn Kiên", "Trịnh Văn Long"]


def receive(world):
    """Received at Hoàn Kiếm Wed 25/11 08:30, now with the commune police (3 working days)."""
    version = world.chain.versions.get()
    d = dossier_receive(
        intake=Intake(
            procedure_code=world.chain.code,
            applicant=Applicant(name="Trần Văn Bình", id_number="001203012345"),
            documents=[doc.pk for doc in version.documents.all()],
        ),
        actor=world.lan,
        now=at("2026-11-25 08:30"),
    )
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 09:00"))
    return dossier_act(
        dossier=d, action=Action.FORWARD, actor=world.duc, now=at("2026-11-25 15:00")
    )


def draft_apology(world, d):
    return dossier_act(
        dossier=d,
        action=Action.DRAFT_APOLOGY,
        actor=world.tam,
        now=at("2026-11-26 09:00"),
        note="Chờ xác minh nơi cư trú.",
    )


def track(client, code, secret, method="post"):
    return getattr(client, method)(URL, {"code": code, "secret": secret})


def other_secret(secret: str) -> str:
    """A well-formed secret that is not this dossier's."""
    return "2222-2222" if secret != "2222-2222" else "3333-3333"


def test_it_shows_status_appointment_explanation_and_timeline_without_staff_names(world, client):
    d = receive(world)

    r = track(client, d.code, d.tracking_secret)

    assert r.status_code == 200
    page = r.content.decode()
    assert d.code in page
    assert "Đang xử lý" in page
    assert "08:30 30/11/2026" in page  # the appointment, in Hà Nội time
    for line in dossier_due_explanation(d, d.received_at):
        assert line in page
    assert "Hẹn trả" in page
    # Each hand-over names the agency and the unit, never the officer.
    assert "UBND Phường Hoàn Kiếm" in page
    assert "Phòng Văn hóa - Xã hội" in page
    assert "Công an Phường Hoàn Kiếm" in page
    assert "Đội Đăng ký, quản lý cư trú" in page
    for name in STAFF_NAMES:
        assert name not in page
    assert "Văn bản xin lỗi" not in page


def test_it_shows_the_signed_apology_with_the_new_date(world, client):
    d = draft_apology(world, receive(world))
    draft = track(client, d.code, d.tracking_secret).content.decode()
    assert "Văn bản xin lỗi" not in draft  # a draft is the agency's business until signed

    d = dossier_act(
        dossier=d, action=Action.APPROVE_APOLOGY, actor=world.kien, now=at("2026-11-26 10:00")
    )
    letter = d.apology_letter

    page = track(client, d.code, d.tracking_secret).content.decode()
    assert "Văn bản xin lỗi" in page
    assert "Công an Phường Hoàn Kiếm xin lỗi" in page
    assert "Chờ xác minh nơi cư trú." in page
    new_date = f"{letter.new_due_at.astimezone(VN):%H:%M %d/%m/%Y}"
    assert f"<strong>{new_date}</strong>" in page
    assert "08:30 30/11/2026" in page  # the original appointment, for the record
    for name in STAFF_NAMES:
        assert name not in page


def test_a_wrong_secret_and_an_unknown_code_look_the_same(world, client):
    d = receive(world)

    wrong_secret = track(client, d.code, other_secret(d.tracking_secret))
    unknown_code = track(client, "H26.100-261125-0099", d.tracking_secret)

    assert wrong_secret.status_code == unknown_code.status_code == 404
    for r in (wrong_secret, unknown_code):
        assert r.context["form"].non_field_errors() == [NOT_FOUND]
        assert "Đang xử lý" not in r.content.decode()


def test_a_malformed_code_gets_a_format_error_on_the_code_field(world, client):
    d = receive(world)

    r = track(client, "HS-12345", d.tracking_secret)

    assert r.status_code == 400
    form = r.context["form"]
    (message,) = form.errors["code"]
    assert "không đúng định dạng" in message
    assert message in r.content.decode()
    assert form.non_field_errors() == []
    assert NOT_FOUND not in r.content.decode()


def test_a_malformed_secret_gets_a_format_error_on_the_secret_field(world, client):
    d = receive(world)

    r = track(client, d.code, "ABC0-OOO1")

    assert r.status_code == 400
    assert "0, O, 1, I, L" in " ".join(r.context["form"].errors["secret"])


@pytest.mark.parametrize(
    "spell",
    [
        lambda s: s,
        lambda s: s.lower(),
        lambda s: s.replace("-", ""),
        lambda s: s.replace("-", "").lower(),
        lambda s: f"  {s.replace('-', ' ').lower()} ",
    ],
    ids=["as-printed", "lower", "no-dash", "lower-no-dash", "spaces"],
)
def test_it_accepts_the_secret_however_it_is_typed(world, client, spell):
    d = receive(world)

    r = track(client, d.code.lower(), spell(d.tracking_secret))

    assert r.status_code == 200
    assert r.context["dossier"].pk == d.pk


def test_it_works_with_query_parameters(world, client):
    d = receive(world)

    r = track(client, d.code, d.tracking_secret, method="get")

    assert r.status_code == 200
    assert "08:30 30/11/2026" in r.content.decode()


@pytest.mark.parametrize("query", [{}, {"utm_source": "zalo"}])
def test_it_shows_an_empty_form_without_a_code(db, client, query):
    r = client.get(URL, query)

    assert r.status_code == 200
    assert not r.context["form"].is_bound


def test_empty_fields_are_asked_for(db, client):
    r = track(client, "", "")

    assert r.status_code == 400
    assert set(r.context["form"].errors) == {"code", "secret"}


def test_the_page_reads_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    d = draft_apology(world, receive(world))
    dossier_act(
        dossier=d, action=Action.APPROVE_APOLOGY, actor=world.kien, now=at("2026-11-26 10:00")
    )

    # The dossier with where it is now, its finished hand-overs with agencies and units, the
    # procedure's steps (the open one's name), the signed apology.
    with django_assert_num_queries(4):
        r = track(client, d.code, d.tracking_secret)
    assert r.status_code == 200


def test_an_overlong_code_is_refused_beside_its_field_without_a_lookup(
    db, client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        r = track(client, "H" * 61, "ABCD-EFGH")

    assert r.status_code == 400
    assert r.context["form"].errors["code"] == ["Tối đa 60 ký tự (đang có 61)."]
    html = r.content.decode()
    assert 'aria-invalid="true" aria-describedby="id_code_error"' in html
    assert '<ul class="errorlist" id="id_code_error">' in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "\u202eH26.100-261125-0001", "secret": "ABCD-EFGH"}, "code", "Mã hồ sơ có một"),
        ({"code": "H26.100-261125-0001", "secret": "ABCD\u200b-EFGH"}, "secret", "Mã tra cứu có"),
    ],
)
def test_tracking_refuses_invisible_characters_beside_the_field(client, db, data, field, message):
    response = client.post(URL, data)
    assert response.status_code == 400
    (shown,) = response.context["form"].errors[field]
    assert shown.startswith(message)


def test_sign_in_refuses_a_bidi_control_in_the_username(client, db):
    from motcua.desk.models import SignInAttempt

    response = client.post("/can-bo/dang-nhap/", {"username": "lan\u202e", "password": "x"})
    assert response.status_code == 400
    (shown,) = response.context["form"].errors["username"]
    assert "Tên đăng nhập có một ký tự không được phép" in shown
    assert not SignInAttempt.objects.exists()
