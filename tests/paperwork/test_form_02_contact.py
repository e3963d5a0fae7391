"""Form 02 names the procedure once and the phone to call, from the officer's post or unit."""

from __future__ import annotations

import re

from motcua.core.lifecycle import Action
from motcua.dossiers.services import Intake, dossier_receive
from motcua.organization.models import Staff, Unit
from tests.conftest import at
from tests.paperwork.test_forms import BINH, MISSING, page, sign_in, text


def asked_at_the_desk(world, request=""):
    return dossier_receive(
        intake=Intake(
            procedure_code=world.birth.code, applicant=BINH, documents=[], request=request
        ),
        actor=world.lan,
        now=at("2026-11-25 10:30"),
        outcome=Action.REQUEST_SUPPLEMENT,
        missing=MISSING,
        reason="Hồ sơ còn thiếu giấy tờ theo quy định.",
    )


def asked(words: str) -> str:
    return re.search(r"Nội dung yêu cầu giải quyết: (.*?) Yêu cầu hoàn thiện", words).group(1)


def contact(words: str) -> str:
    return re.search(r"số điện thoại (\S+(?: \d+)*)", words).group(1)


def test_the_procedure_is_named_once_when_the_request_repeats_it(world, client):
    d = asked_at_the_desk(world, request="Đăng ký khai sinh")
    sign_in(client, world.lan)

    assert asked(text(page(client, d, "02"))) == "Đăng ký khai sinh"


def test_a_request_that_says_more_follows_the_procedure(world, client):
    d = asked_at_the_desk(world, request="Đăng ký khai sinh cho con thứ hai")
    sign_in(client, world.lan)

    words = text(page(client, d, "02"))

    assert asked(words) == "Đăng ký khai sinh – Đăng ký khai sinh cho con thứ hai"


def test_the_officers_own_phone_is_printed(world, client):
    Staff.objects.filter(user_id=world.lan.user_id).update(phone="0243 825 1111")
    Unit.objects.filter(pk=world.lan.unit.pk).update(phone="024 3825 3536")
    d = asked_at_the_desk(world)
    sign_in(client, world.lan)

    assert contact(text(page(client, d, "02"))) == "0243 825 1111"


def test_without_one_the_units_phone_is_printed(world, client):
    Unit.objects.filter(pk=world.lan.unit.pk).update(phone="024 3825 3536")
    d = asked_at_the_desk(world)
    sign_in(client, world.lan)

    assert contact(text(page(client, d, "02"))) == "024 3825 3536"


def test_dots_only_when_no_phone_is_known(world, client):
    d = asked_at_the_desk(world)
    sign_in(client, world.lan)

    words = text(page(client, d, "02"))

    assert "số điện thoại …… để được hướng dẫn" in words
