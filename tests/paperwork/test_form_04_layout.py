"""Form 04 signed as NĐ 30/2020 lays it out: TM./KT., Nơi nhận with the desk, the code set apart."""

from __future__ import annotations

import re

from motcua.core.lifecycle import Action
from motcua.organization.models import Staff
from tests.paperwork.test_forms import act, late_at_the_police, page, receive, sign_in, text


def late_at_the_ward(world):
    """Received Wed 25/11 08:30; the ward's own step is running over and it drafts an apology."""
    d = receive(world, when="2026-11-25 08:30")
    d = act(d, Action.FORWARD, world.lan, "2026-11-25 09:00")
    return act(
        d,
        Action.DRAFT_APOLOGY,
        world.duc,
        "2026-11-25 16:00",
        note="Chờ xác minh thông tin khai sinh.",
    )


def signature_block(html: str) -> list[str]:
    block = re.search(r'<div class="signature">(.*?)<div class="sig-hint">', html, re.S).group(1)
    return re.findall(r'<div class="sig-title">(.*?)</div>', block)


def test_the_chairman_signs_on_behalf_of_the_peoples_committee(world, client):
    d = late_at_the_ward(world)
    Staff.objects.filter(user_id=world.long.user_id).update(title="Chủ tịch UBND phường")
    d = act(d, Action.APPROVE_APOLOGY, world.long, "2026-11-25 17:00")
    sign_in(client, world.lan)

    html = page(client, d, "04")

    assert signature_block(html[html.index("Nơi nhận") :]) == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert "CHỦ TỊCH UBND" not in text(html)
    assert "Trịnh Văn Long" in text(html)


def test_a_vice_chairman_signs_for_the_chairman(world, client):
    d = late_at_the_ward(world)
    Staff.objects.filter(user_id=world.long.user_id).update(title="Phó Chủ tịch UBND phường")
    d = act(d, Action.APPROVE_APOLOGY, world.long, "2026-11-25 17:00")
    sign_in(client, world.lan)

    html = page(client, d, "04")

    assert signature_block(html[html.index("Nơi nhận") :]) == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
    ]


def test_a_deputy_head_of_police_signs_kt(world, client):
    d = late_at_the_police(world)
    Staff.objects.filter(user_id=world.kien.user_id).update(title="Phó Trưởng Công an phường")
    d = act(d, Action.APPROVE_APOLOGY, world.kien, "2026-11-26 10:00")
    sign_in(client, world.lan)

    html = page(client, d, "04")

    assert signature_block(html[html.index("Nơi nhận") :]) == [
        "KT. TRƯỞNG CÔNG AN PHƯỜNG",
        "PHÓ TRƯỞNG CÔNG AN PHƯỜNG",
    ]


def test_the_recipients_are_the_citizen_the_desk_and_the_archive(world, client):
    for d in (late_at_the_ward(world), late_at_the_police(world)):
        sign_in(client, world.lan)
        html = page(client, d, "04")

        recipients = re.search(r'<td class="recipients">.*?<ul>(.*?)</ul>', html, re.S).group(1)
        assert re.findall(r"<li>(.*?)</li>", recipients) == [
            "- Ông/Bà Trần Văn Bình;",
            "- Bộ phận Một cửa, UBND Phường Hoàn Kiếm;",
            "- Lưu: VT.",
        ]


def test_the_dossier_code_is_set_in_monospace(world, client):
    d = late_at_the_police(world)
    sign_in(client, world.lan)

    html = page(client, d, "04")

    body = html[html.index("tiếp nhận hồ sơ đề nghị") :]
    assert f'mã hồ sơ <span class="code">{d.code}</span>' in body
