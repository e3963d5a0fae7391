"""What a citizen with an account is told, end to end through the outbox (locmem e-mail):
the withdrawal and the result ready, each once, in Vietnamese, with the link to their page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from motcua.citizens.models import Citizen
from motcua.core.lifecycle import Action
from motcua.dossiers.services import dossier_act, dossier_receive, dossier_request_withdrawal
from motcua.notify.services import outbox_deliver
from tests.conftest import at
from tests.dossiers.test_citizen_answers import signed
from tests.dossiers.test_services import intake
from tests.scanfiles import PDF, upload


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://dichvucong.example.vn"


@pytest.fixture
def an(db):
    return Citizen.objects.create(email="an@example.vn", created_at=timezone.now())


def delivered(now: str) -> list:
    mail.outbox.clear()
    outbox_deliver(now=at(now))
    return list(mail.outbox)


def test_the_withdrawal_is_told_once_with_the_reason_and_the_link(world, an):
    d = dossier_receive(
        intake=intake(world, citizen_id=an.pk), actor=world.lan, now=at("2026-11-25 08:30")
    )
    delivered("2026-11-25 08:31")  # the receipt
    d = dossier_request_withdrawal(
        dossier=d, citizen_id=an.pk, reason="Nộp nhầm thủ tục", now=at("2026-11-25 09:00")
    )
    (message,) = delivered("2026-11-25 09:01")
    assert message.to == ["binh@example.vn"]
    assert "Công dân yêu cầu rút hồ sơ" in message.subject
    assert "Đã nhận đề nghị rút hồ sơ của ông/bà." in message.body
    assert "Lý do ông/bà nêu: Nộp nhầm thủ tục" in message.body
    assert f"https://dichvucong.example.vn/tai-khoan/ho-so-da-nop/{d.pk}/" in message.body
    html = message.alternatives[0][0]
    assert f'href="https://dichvucong.example.vn/tai-khoan/ho-so-da-nop/{d.pk}/"' in html
    assert delivered("2026-11-25 09:30") == []  # never twice
    dossier_act(
        dossier=d,
        action=Action.STOP,
        actor=world.lan,
        now=at("2026-11-25 10:00"),
        note="Theo đề nghị",
    )
    (stop,) = delivered("2026-11-25 10:01")
    assert "Theo đề nghị rút hồ sơ của ông/bà, hồ sơ đã dừng giải quyết." in stop.body


def test_an_electronic_result_ready_says_where_to_download_it(world, an):
    d = signed(world, an, delivery="electronic")
    delivered("2026-11-25 09:31")
    dossier_act(
        dossier=d,
        action=Action.MARK_READY,
        actor=world.long,
        now=at("2026-11-25 09:35"),
        result=upload(PDF),
    )
    (message,) = delivered("2026-11-25 09:36")
    assert "Hồ sơ đã có kết quả." in message.body
    assert "Ông/bà tải bản điện tử của kết quả tại trang hồ sơ của mình" in message.body
    assert f"/tai-khoan/ho-so-da-nop/{d.pk}/" in message.body
    assert delivered("2026-11-25 10:00") == []


def test_a_dossier_without_an_account_keeps_the_tracking_link_only(world):
    d = dossier_receive(intake=intake(world), actor=world.lan, now=at("2026-11-25 08:30"))
    (message,) = delivered("2026-11-25 08:31")
    assert "/tai-khoan/ho-so-da-nop/" not in message.body
    assert f"/tra-cuu/?code={d.code}" in message.body
