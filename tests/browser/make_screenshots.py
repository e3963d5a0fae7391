"""The screenshots in docs/screenshots, taken from a small day's work in the real browser.

    .venv/bin/python -m pytest tests/browser/make_screenshots.py

Its name does not start with `test_`, so the normal suite never collects it and never rewrites
the files; name it (or set MOTCUA_SCREENSHOTS=1 with the whole directory) to refresh them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from motcua.core.lifecycle import Action
from motcua.dossiers.services import Applicant, dossier_act, dossier_receive
from tests.browser.conftest import PHONE
from tests.browser.pages import act, receive_at_desk
from tests.conftest import at
from tests.dossiers.test_services import intake

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shot(page: Any, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page, animations="disabled")


def earlier(world: Any, name: str, when: str, procedure: Any = None) -> Any:
    """A dossier Lan received at `when` (a past moment of the week)."""
    person = Applicant(name=name, id_number="001203012345", phone="0912345678")
    return dossier_receive(
        intake=intake(world, procedure, applicant=person), actor=world.lan, now=at(when)
    )


def test_make_screenshots(world, person, clock):
    # Lan's counter on Wednesday morning: one late, one due today, one due soon, one result.
    earlier(world, "Lê Văn Quang", "2026-11-18 08:30")  # due Mon 23/11: late
    earlier(world, "Phạm Thị Hồng", "2026-11-20 14:00")  # due today 14:00
    earlier(world, "Đỗ Minh Tuấn", "2026-11-23 15:00")  # due Thu 26/11: soon
    earlier(world, "Vũ Thị Ngọc Anh", "2026-11-25 08:05")
    ready = earlier(world, "Hoàng Gia Bảo", "2026-11-24 10:00", world.birth)
    for actor, action in [
        (world.lan, Action.FORWARD),
        (world.duc, Action.PROPOSE),
        (world.duc, Action.FORWARD),
        (world.long, Action.APPROVE),
        (world.long, Action.MARK_READY),
    ]:
        ready = dossier_act(dossier=ready, action=action, actor=actor, now=at("2026-11-24 11:00"))

    lan = person("lan")
    lan.goto("/can-bo/tiep-nhan/?procedure=3.000722")
    receive_at_desk(lan, name="Trần Văn Bình", address="12 Hàng Bạc, Phường Hoàn Kiếm, Hà Nội")
    lan.get_by_label("Điện thoại").fill("0912345678")
    shot(lan, "reception.png", full_page=True)
    lan.get_by_role("button", name="Tiếp nhận và in giấy hẹn (Mẫu 01)").click()
    lan.wait_for_url("**/01/")
    shot(lan, "form-01.png", full_page=True)
    pk = int(lan.url.rstrip("/").split("/")[-2])

    lan.goto("/can-bo/")
    shot(lan, "inbox.png")
    phone = person("lan", viewport=PHONE)
    shot(phone, "inbox-phone.png")

    # Mid-way: the commune sent it on late; the commune police hold it now.
    lan.goto(f"/can-bo/ho-so/{pk}/")
    act(lan, "Chuyển bước tiếp theo")
    clock.move_to(at("2026-11-26 09:10"))
    from motcua.dossiers.models import Dossier

    dossier_act(
        dossier=Dossier.objects.get(pk=pk),
        action=Action.FORWARD,
        actor=world.duc,
        now=timezone.now(),
        note="Đã đăng ký khai sinh, số 125/2026.",
    )
    clock.move_to(at("2026-11-26 10:30"))
    tam = person("tam")
    tam.goto(f"/can-bo/ho-so/{pk}/")
    shot(tam, "dossier.png", full_page=True)
