"""What a person does and reads on the pages, for the browser tests and the screenshots."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.conftest import VN

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# The narrowest phone the citizens' pages are laid out for.
NARROW = {"width": 360, "height": 740}


def signin(page: Any, username: str, password: str | None = None) -> None:
    """Fill the staff sign-in form; personas' passwords are 'x-' + username twice. With the
    persona's own password, the second factor is given too when asked: enrolled from the
    secret the page prints (an authenticator app's part), or a code not used yet."""
    page.goto("/can-bo/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password or "x-" + username * 2)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    if password is None:
        page.wait_for_url(re.compile(r"/can-bo/($|dang-nhap/ma-xac-thuc/$|xac-thuc-hai-lop/$)"))
        second_factor(page, username)
        page.wait_for_url(re.compile(r"/can-bo/$"))


def second_factor(page: Any, username: str) -> None:
    """Give the second factor if the page asks for it: the code page or the enrolment."""
    from tests.second_factor import code_from_secret, unused_code

    if page.url.endswith("/dang-nhap/ma-xac-thuc/"):
        page.get_by_label("Mã xác thực").fill(unused_code(username))
        page.locator("main").get_by_role("button", name="Xác nhận").click()
    elif page.url.endswith("/xac-thuc-hai-lop/"):
        secret = page.locator("#secret").inner_text()
        page.get_by_label("Mã xác thực").fill(code_from_secret(secret))
        page.locator("main").get_by_role("button", name="Xác nhận").click()
        expect(page.locator("#recovery-codes li")).to_have_count(10)
        page.get_by_role("link", name="Tiếp tục").click()


def citizen_signin(page: Any, identifier: str, password: str) -> None:
    """Fill the citizens' sign-in form and send it with Enter; their account page opens."""
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Thư điện tử hoặc số điện thoại di động").fill(identifier)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_label("Mật khẩu", exact=True).press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ của tôi")


def no_sideways_scroll(page: Any, width: int = NARROW["width"]) -> None:
    """Nothing wider than the screen: no sideways scrolling."""
    found = page.evaluate("() => document.documentElement.scrollWidth")
    if found > width:
        wide = page.evaluate(
            """(width) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > width)
                .slice(-5).map(e => e.tagName + '.' + e.className)""",
            width,
        )
        raise AssertionError(f"{page.url} is {found}px wide; past the edge: {wide}")


def axe(page: Any) -> list[dict[str, Any]]:
    """The page's serious and critical accessibility violations, as axe-core reports them."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's Content Security Policy
        # does not govern (a <script> tag of inline text, it would refuse).
        page.evaluate(_axe_source())
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return violations


def assert_accessible(page: Any, name: str) -> None:
    """No serious or critical axe violation on the page (`name` says which, in the message)."""
    found = axe(page)
    assert found == [], f"accessibility violations on the {name} page ({page.url}): {found}"


_AXE_SOURCE: list[str] = []


def _axe_source() -> str:
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(AXE.read_text(encoding="utf-8"))
    return _AXE_SOURCE[0]


def local(text: str) -> datetime:
    """A time as the pages print it ('HH:MM dd/mm/YYYY'), in Hà Nội."""
    return datetime.strptime(text.strip(), "%H:%M %d/%m/%Y").replace(tzinfo=VN)


def receive_at_desk(page: Any, *, name: str = "Trần Văn Bình", address: str = "") -> None:
    """Fill the reception form of the chosen procedure, tick every paper, receive."""
    page.get_by_label("Họ và tên *", exact=True).fill(name)
    page.get_by_label("Số định danh cá nhân").fill("001203012345")
    if address:
        page.get_by_label("Địa chỉ", exact=True).fill(address)
    for box in (
        page.get_by_role("group", name="Thành phần hồ sơ đã nộp").get_by_role("checkbox").all()
    ):
        box.check()


def act(page: Any, label: str, fields: dict[str, str] | None = None) -> None:
    """Open the action called `label` on the dossier page, fill its fields (by label), submit."""
    summary = page.locator("summary", has_text=re.compile(f"^{re.escape(label)}$"))
    form = page.locator("form.action", has=summary)
    if form.locator("details[open]").count() == 0:
        form.locator("summary").click()
    for field_label, value in (fields or {}).items():
        field = form.get_by_label(field_label)
        kind = field.evaluate("e => e.tagName === 'INPUT' ? e.type : e.tagName")
        if kind == "SELECT":
            field.select_option(label=value)
        elif kind == "checkbox":
            field.set_checked(bool(value))
        elif kind == "file":
            field.set_input_files(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        form.get_by_role("button", name=label, exact=True).click()


def done(page: Any, label: str) -> None:
    """The page confirms the action."""
    expect(page.locator(".msg.success")).to_have_text(f"Đã thực hiện: {label}.")


def open_from_inbox(page: Any, code: str) -> None:
    """Find the dossier in the inbox list and open it."""
    page.get_by_role("link", name="Việc của tôi", exact=True).click()
    page.get_by_role("table").get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)


def handovers(page: Any) -> list[tuple[str, str, str]]:
    """(step, agency, verdict) per row of the "Quá trình chuyển giao" table."""
    section = page.locator("section", has=page.get_by_role("heading", name="Quá trình chuyển giao"))
    rows = []
    for row in section.locator("tbody tr").all():
        cells = row.locator("td")
        agency = cells.nth(1).evaluate("e => e.firstChild.textContent")
        rows.append(
            (cells.nth(0).inner_text(), agency.strip(), cells.nth(5).locator(".badge").inner_text())
        )
    return rows
