"""Citizens' accounts through their pages: sign-up with a code, sign-in, reset, profile, and
the wall between citizens' and staff's sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from motcua.citizens.models import Challenge, Citizen
from motcua.notify.services import outbox_deliver
from motcua.notify.sms import LocmemSmsBackend

PASSWORD = "mat-khau-rat-kho-doan-2026"


@pytest.fixture(autouse=True)
def _backends(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "motcua.notify.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()


def deliver() -> None:
    outbox_deliver(now=timezone.now())


def last_code() -> str:
    deliver()
    texts = [m.body for m in mail.outbox] + [s.text for s in LocmemSmsBackend.outbox]
    found = re.findall(r"\b(\d{6})\b", texts[-1])
    assert found, texts[-1]
    return found[0]


def sign_up(client, identifier="lan@example.vn", name="Nguyễn Thị Lan"):
    return client.post(
        reverse("citizens:signup"),
        {
            "full_name": name,
            "identifier": identifier,
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )


def verify(client, code):
    return client.post(reverse("citizens:verify"), {"code": code})


@pytest.mark.django_db
def test_sign_up_by_email_opens_the_account_only_once_verified(client):
    response = sign_up(client, "Lan@Example.vn")
    assert response.status_code == 302
    assert not Citizen.objects.exists()  # nothing before the code
    code = last_code()
    assert mail.outbox[-1].to == ["lan@example.vn"]
    assert "Mã xác minh" in mail.outbox[-1].subject
    challenge = Challenge.objects.get()
    assert code not in challenge.code_hash and len(challenge.code_hash) == 64
    response = verify(client, code)
    assert response.status_code == 302
    citizen = Citizen.objects.get()
    assert (citizen.email, citizen.full_name) == ("lan@example.vn", "Nguyễn Thị Lan")
    page = client.get(reverse("citizens:profile"))
    assert page.status_code == 200 and "Hồ sơ của tôi" in page.content.decode()


@pytest.mark.django_db
def test_sign_up_by_phone_sends_a_text_message(client):
    sign_up(client, "0912 345 678")
    code = last_code()
    assert LocmemSmsBackend.outbox[-1].recipient == "0912345678"
    verify(client, code)
    assert Citizen.objects.get().phone == "0912345678"


@pytest.mark.django_db
def test_wrong_codes_are_counted_and_a_replayed_code_refused(client):
    sign_up(client)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    response = verify(client, wrong)
    assert response.status_code == 400
    assert "Còn 4 lần thử" in response.content.decode()
    assert Challenge.objects.get().tries == 1  # kept, though the answer was an error
    verify(client, code)
    assert Citizen.objects.count() == 1
    other = client.__class__()
    other.session  # noqa: B018 - a session of its own
    session = other.session
    session["_citizen_signup"] = [Challenge.objects.get().pk, "email", "l***@example.vn"]
    session.save()
    replay = verify(other, code)
    assert replay.status_code == 400
    assert "đã được dùng" in replay.content.decode()
    assert Citizen.objects.count() == 1


@pytest.mark.django_db
def test_five_wrong_codes_spend_the_code(client):
    sign_up(client)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        verify(client, wrong)
    response = verify(client, code)
    assert "Gửi lại mã" in response.content.decode()
    assert not Citizen.objects.exists()


@pytest.mark.django_db
def test_expired_code_refused(client):
    sign_up(client)
    code = last_code()
    Challenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = verify(client, code)
    assert "hết hạn" in response.content.decode()
    assert not Citizen.objects.exists()


@pytest.mark.django_db
def test_resend_is_throttled_and_replaces_the_code(client):
    sign_up(client)
    first = last_code()
    response = client.post(reverse("citizens:verify"), {"resend": "1"})
    assert response.status_code == 403
    assert "đợi" in response.content.decode()
    Challenge.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    from motcua.citizens.models import Sending

    Sending.objects.update(at=timezone.now() - timedelta(minutes=2))
    assert client.post(reverse("citizens:verify"), {"resend": "1"}).status_code == 302
    second = last_code()
    if first != second:
        assert verify(client, first).status_code == 400  # the old code stopped working
    assert verify(client, second).status_code == 302
    assert Citizen.objects.count() == 1


@pytest.mark.django_db
def test_sign_up_at_a_taken_address_answers_the_same_and_tells_the_owner(client, settings):
    sign_up(client)
    verify(client, last_code())
    mail.outbox.clear()
    from motcua.citizens.models import Sending

    Sending.objects.update(at=timezone.now() - timedelta(minutes=2))  # past the resend gap
    stranger = client.__class__()
    response = sign_up(stranger, "LAN@example.vn", name="Kẻ Gian")
    assert response.status_code == 302 and response.url == reverse("citizens:verify")
    page = stranger.get(reverse("citizens:verify")).content.decode()
    assert "chưa có tài khoản" in page  # the same words as for a new address
    deliver()
    assert len(mail.outbox) == 1
    assert re.search(r"\b\d{6}\b", mail.outbox[0].body) is None
    assert "đã có tài khoản" in mail.outbox[0].body
    for guess in ("123456", "654321"):
        assert verify(stranger, guess).status_code == 400
    assert Citizen.objects.count() == 1
    assert Citizen.objects.get().full_name == "Nguyễn Thị Lan"


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", ["lan@", "0241 234 5678", "12345"])
def test_malformed_identifier_stores_nothing(client, identifier):
    response = sign_up(client, identifier)
    assert response.status_code == 400
    assert "không đúng" in response.content.decode() or "Hãy nhập" in response.content.decode()
    assert not Challenge.objects.exists()


@pytest.fixture
def lan(db):
    from django.contrib.auth.hashers import make_password

    return Citizen.objects.create(
        email="lan@example.vn", password=make_password(PASSWORD), created_at=timezone.now()
    )


def sign_in(client, identifier="lan@example.vn", password=PASSWORD):
    return client.post(reverse("citizens:signin"), {"identifier": identifier, "password": password})


def test_sign_in_and_out(client, lan):
    assert sign_in(client).status_code == 302
    assert client.get(reverse("citizens:profile")).status_code == 200
    client.post(reverse("citizens:signout"))
    assert client.get(reverse("citizens:profile")).status_code == 302


def test_sign_in_locks_after_failures_whether_or_not_the_account_exists(client, lan):
    for identifier in ("lan@example.vn", "nobody@example.vn"):
        answers = [sign_in(client, identifier, "sai-mat-khau").content.decode() for _ in range(5)]
        assert "Còn 2 lần thử" in answers[2]
        assert "Tạm khóa" in answers[-1]
        assert "Tạm khóa" in sign_in(client, identifier, PASSWORD).content.decode()
    assert client.get(reverse("citizens:profile")).status_code == 302


def test_sign_in_holds_a_source_that_sprays_passwords_over_many_addresses(client, lan, settings):
    settings.CITIZEN_SIGNIN_MAX_FAILURES_PER_SOURCE = 6

    def from_(address, identifier, password="sai-mat-khau"):
        return client.post(
            reverse("citizens:signin"),
            {"identifier": identifier, "password": password},
            REMOTE_ADDR=address,
        )

    # Two tries at each of three addresses: no address is locked, the source is now held.
    for i in range(3):
        for _ in range(2):
            assert from_("2001:db8:1:2::5", f"nguoi{i}@example.vn").status_code == 400
    held = from_("2001:db8:1:2::9", "lan@example.vn", PASSWORD)  # the same /64
    assert held.status_code == 403 and "Máy này đã đăng nhập sai" in held.content.decode()
    # Another source signs in to the same account at once.
    assert from_("2001:db8:1:3::5", "lan@example.vn", PASSWORD).status_code == 302


def test_citizen_session_never_opens_the_staff_workspace(client, lan):
    sign_in(client)
    response = client.get("/can-bo/")
    assert response.status_code == 302 and "/can-bo/dang-nhap/" in response.url


def test_staff_session_is_no_citizen_session(client, lan, django_user_model):
    staff = django_user_model.objects.create_user("lan.desk", password=PASSWORD)
    client.force_login(staff)
    response = client.get(reverse("citizens:profile"))
    assert response.status_code == 302 and reverse("citizens:signin") in response.url
    # A citizen key slipped into a staff session is not taken either.
    session = client.session
    session["_citizen_id"] = lan.pk
    session.save()
    assert client.get(reverse("citizens:profile")).status_code == 302


def test_staff_credentials_are_no_citizen_account(client, db, django_user_model):
    django_user_model.objects.create_user("lan", email="lan@example.vn", password=PASSWORD)
    response = sign_in(client)
    assert response.status_code == 400
    assert "không đúng" in response.content.decode()


def test_sign_in_does_not_redirect_to_the_staff_side_or_away(client, lan):
    response = client.post(
        reverse("citizens:signin") + "?next=https://evil.example/",
        {"identifier": "lan@example.vn", "password": PASSWORD},
    )
    assert response.url == reverse("citizens:profile")


def reset_link() -> str:
    deliver()
    return re.search(r"https?://\S+/tai-khoan/dat-lai-mat-khau/\S+/", mail.outbox[-1].body)[0]


def test_reset_answers_the_same_and_the_link_works_once(client, lan):
    url = reverse("citizens:reset_request")
    known = client.post(url, {"identifier": "lan@example.vn"}).content.decode()
    unknown = client.post(url, {"identifier": "lan2@example.vn"}).content.decode()
    strip = lambda page: page.replace("l***@", "").replace("csrf", "")  # noqa: E731
    assert "Nếu" in known and strip(known).count("đã gửi") == strip(unknown).count("đã gửi")
    assert len([m for m in (deliver(), mail.outbox)[1]]) == 1  # only the real account's
    path = reset_link().split("127.0.0.1:8000", 1)[-1]
    page = client.get(path, follow=True)
    assert "Đặt mật khẩu mới" in page.content.decode()
    new = "mot-mat-khau-moi-hoan-toan"
    done = client.post(page.redirect_chain[-1][0], {"password": new, "password_again": new})
    assert done.status_code == 302
    assert sign_in(client, password=new).status_code == 302
    again = client.get(path, follow=True)
    assert "đã được dùng" in again.content.decode()
    lan.refresh_from_db()
    assert sign_in(client.__class__(), password=PASSWORD).status_code == 400


def test_tampered_reset_link_refused(client, lan):
    page = client.get(
        reverse("citizens:reset_confirm", args=["MQ", "bad-token"]), follow=True
    ).content.decode()
    assert "đã được dùng hoặc đã hết hạn" in page


def test_profile_checks_the_id_number_and_stores_nothing_bad(client, lan):
    sign_in(client)
    url = reverse("citizens:profile")
    bad = client.post(
        url, {"full_name": "Nguyễn Thị Lan", "id_number": "999123456789", "address": "12 Hàng Bạc"}
    )
    assert bad.status_code == 400 and "mã tỉnh" in bad.content.decode()
    lan.refresh_from_db()
    assert lan.full_name == "" and lan.address == ""
    good = client.post(
        url,
        {"full_name": "Nguyễn Thị Lan", "id_number": "001 203 012 345", "address": "12 Hàng Bạc"},
    )
    assert good.status_code == 302
    lan.refresh_from_db()
    assert (lan.id_number, lan.address) == ("001203012345", "12 Hàng Bạc")


def test_add_a_phone_verified_by_code(client, lan):
    sign_in(client)
    url = reverse("citizens:contact")
    client.post(url, {"identifier": "0912345678"})
    code = last_code()
    assert client.post(url, {"code": code}).status_code == 302
    lan.refresh_from_db()
    assert lan.phone == "0912345678"


def test_a_new_password_ends_other_sessions(client, lan):
    sign_in(client)
    from django.contrib.auth.hashers import make_password

    Citizen.objects.filter(pk=lan.pk).update(password=make_password("khac-han-roi-2026"))
    assert client.get(reverse("citizens:profile")).status_code == 302


def test_a_reset_right_after_sign_up_is_not_held_by_the_sign_up_throttle(client, lan):
    client.post(
        reverse("citizens:signup"),
        {
            "full_name": "A",
            "identifier": "lan@example.vn",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    response = client.post(reverse("citizens:reset_request"), {"identifier": "lan@example.vn"})
    assert response.status_code == 200
    assert "đợi" not in response.content.decode()
    assert (
        client.post(reverse("citizens:reset_request"), {"identifier": "lan@example.vn"}).status_code
        == 403
    )  # its own throttle
