"""The oversight office reads the read log in a real browser: per official, then one
official's reads, each page checked with axe-core, on a desk screen and on a phone."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.core.lifecycle import Role
from motcua.dossiers.services import Applicant, dossier_receive
from tests.browser.conftest import PHONE
from tests.browser.pages import assert_accessible
from tests.dossiers.test_services import intake
from tests.factories import _person

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_oversight_office_follows_an_officials_reads(world, person, viewport):
    _person("giamsat", "Trần Văn Hùng", world.centre, "mot-cua", Role.SUPERVISOR)
    d = dossier_receive(
        intake=intake(world, applicant=Applicant(name="Trần Văn Bình", id_number="001203012345")),
        actor=world.lan,
        now=timezone.now(),
    )
    lan = person("lan")  # signing in lands on the inbox: a read of the list
    lan.goto(f"/can-bo/ho-so/{d.pk}/")

    page = person("giamsat", **({"viewport": viewport} if viewport else {}))
    page.get_by_role("link", name="Nhật ký truy cập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhật ký truy cập dữ liệu cá nhân")
    expect(page.locator("table")).to_contain_text(d.code)
    expect(page.locator("main")).not_to_contain_text("Trần Văn Bình")
    assert_accessible(page, "reads-per-dossier")

    page.get_by_role("link", name="Theo cán bộ").click()
    expect(page.get_by_role("link", name="Theo cán bộ")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Nguyễn Thị Lan").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Trang hồ sơ")
    expect(rows.nth(1)).to_contain_text("Danh sách việc")
    expect(rows.nth(0)).to_contain_text("127.0.0.1")
    assert_accessible(page, "reads-of-one-official")

    page.get_by_label("Từ ngày").fill("2026-12-31")
    page.get_by_label("đến ngày").fill("2026-12-01")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_role("alert")).to_contain_text("Bộ lọc chưa hợp lệ")
    expect(page.locator(".field.invalid")).to_contain_text("Ngày kết thúc phải từ ngày bắt đầu")
    assert_accessible(page, "reads-bad-filter")
