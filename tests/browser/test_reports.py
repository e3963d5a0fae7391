"""The public statistics page and the head's monthly report in a real browser: axe-clean, the
statistics readable on a 360 px phone, the report's PDF and CSV downloaded."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from motcua.oversight import services
from tests.browser.pages import NARROW, assert_accessible, no_sideways_scroll
from tests.feedback.test_services import rate, returned

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "viewport", [{"width": 1366, "height": 768}, NARROW], ids=["desktop", "phone-360"]
)
def test_a_citizen_reads_the_public_statistics(browser, live_server, clock, world, viewport):
    d = returned(world, "2026-11-25 14:00")
    rate(d)
    services.tallies_rebuild()
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_role("link", name="Công khai kết quả giải quyết hồ sơ của các cơ quan").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Công khai kết quả giải quyết hồ sơ"
        )
        expect(page.locator("table.stats")).to_contain_text("UBND Phường Hoàn Kiếm")
        assert_accessible(page, "statistics")
        no_sideways_scroll(page, viewport["width"])
        page.get_by_label("Thời gian").select_option(label="Tháng 10/2026")
        page.get_by_role("button", name="Xem").click()
        expect(page.locator("main")).to_contain_text("Chưa có số liệu trong thời gian này.")
        assert_accessible(page, "statistics-empty")
    finally:
        context.close()


def test_the_head_opens_the_report_and_downloads_it(person, world):
    page = person("long")
    page.goto("/can-bo/giam-sat/bao-cao/H26.100/2026-11/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("tháng 11/2026")  # capitals by CSS
    assert_accessible(page, "report")
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Tải CSV (Excel)").click()
    content = Path(csv_download.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf") and "UBND Phường Hoàn Kiếm" in content.decode()
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Tải tệp Excel (XLSX)").click()
    assert xlsx_download.value.suggested_filename == "bao-cao-H26.100-2026-11.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes())).active
    assert sheet["B1"].value == "UBND Phường Hoàn Kiếm" and sheet["B2"].is_date
    response = page.request.get("/can-bo/giam-sat/bao-cao/H26.100/2026-11.pdf")
    assert response.ok and response.body().startswith(b"%PDF")
