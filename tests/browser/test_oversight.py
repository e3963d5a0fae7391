"""The oversight office in a real browser: the read log (per official, then one official's
reads), and from the ranking down to who held a late dossier too long; each page checked with
axe-core, on a desk screen and on a phone."""

from __future__ import annotations

import functools

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.core.lifecycle import Role
from motcua.dossiers.services import Applicant, dossier_receive
from tests.browser.conftest import PHONE
from tests.browser.pages import NARROW, assert_accessible, no_sideways_scroll
from tests.dossiers.test_services import intake
from tests.factories import _person
from tests.oversight.histories import build

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


@pytest.mark.parametrize("viewport", [None, NARROW], ids=["desktop", "phone-360"])
def test_the_supervisor_finds_who_held_a_late_dossier_too_long(world, person, viewport):
    """From the ranking, worst first, to the worst commune, to its late dossiers, to the one
    Đức held too long; every page accessible, none wider than a 360 px phone."""
    history = build(world)
    page = person("giamsat", **({"viewport": viewport} if viewport else {}))
    check = functools.partial(_check, page, narrow=viewport is not None)

    page.get_by_role("link", name="Giám sát, đánh giá").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Giám sát, đánh giá giải quyết thủ tục hành chính"
    )
    expect(page.locator("svg[role=img] title")).to_have_text(
        "Hồ sơ tiếp nhận và tỷ lệ đúng hạn theo tháng"
    )
    check("dashboard")
    communes = page.get_by_role("table", name="Xã, phường")
    worst = communes.locator("tbody tr").first
    expect(worst).to_contain_text("UBND Phường Hoàn Kiếm")
    expect(worst).to_contain_text("50,0%")
    worst.get_by_role("link", name="UBND Phường Hoàn Kiếm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("UBND Phường Hoàn Kiếm")
    expect(page.get_by_role("heading", name="Bộ chỉ số 766")).to_be_visible()
    check("agency")
    page.get_by_role("link", name="1 quá hạn", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ giải quyết quá hạn")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    check("dossiers behind a figure")
    rows.first.get_by_role("link", name=history.late.code).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(history.late.code)
    blamed = page.locator("tr.blamed")
    expect(blamed).to_have_count(1)
    expect(blamed).to_contain_text("Thẩm định")
    expect(blamed).to_contain_text("Ngô Văn Đức")
    expect(blamed).to_contain_text("Quá hạn")
    expect(page.locator("dl.facts")).to_contain_text("UBND Phường Hoàn Kiếm")
    check("dossier attribution")


def _check(page, name: str, *, narrow: bool) -> None:
    assert_accessible(page, name)
    if narrow:
        no_sideways_scroll(page)


def test_the_administrative_log_fits_a_phone_with_an_imports_long_file_names(world, person):
    """A catalog import's record lists its files by path and digest: on a 360 px phone they
    break inside the cell rather than widen the page."""
    from motcua.adminlog.services import Change, Who, admin_changes_record

    _person("giamsat", "Trần Văn Hùng", world.centre, "mot-cua", Role.SUPERVISOR)
    files = {
        f"/srv/motcua/catalog/procedures/{n}.toml": "ab" * 32 for n in ("1.000656", "2.000815")
    }
    admin_changes_record(
        who=Who(source="catalog import"),
        changes=[
            Change(kind="import", model="catalog.procedure", object_id="",
                   object_repr="Đã nhập 2 thủ tục", changes={"files": [None, files]})
        ],
        now=timezone.now(),
    )  # fmt: skip
    page = person("giamsat", viewport=NARROW)
    page.get_by_role("link", name="Thay đổi quản trị").click()
    page.wait_for_load_state("load")  # the stylesheet too, before the width is measured
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhật ký thay đổi quản trị")
    expect(page.locator("table")).to_contain_text("2.000815.toml")
    no_sideways_scroll(page)
    assert_accessible(page, "admin-changes-phone")
