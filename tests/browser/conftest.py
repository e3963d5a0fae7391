"""A real browser on the staff workspace: Debian's chromium driven by Playwright.

`scripts/install-browser` installs /usr/bin/chromium and axe-core (run.py calls it). Without
them these tests skip, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from tests.browser.pages import AXE, CHROMIUM, signin
from tests.conftest import at

# Wednesday, in office hours: the day every browser test starts on.
START = at("2026-11-25 08:30")
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _missing() -> str:
    """What the browser tests lack on this machine ('' when nothing)."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (run scripts/install-browser)"
    if not AXE.exists():
        return f"{AXE.relative_to(AXE.parents[2])} is missing (run scripts/install-browser)"
    return ""


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """With MOTCUA_SCREENSHOTS=1, the directory's run also refreshes docs/screenshots."""
    if (
        file_path.name == "make_screenshots.py"
        and os.environ.get("MOTCUA_SCREENSHOTS") == "1"
        and not parent.session.isinitpath(file_path)
    ):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this directory when the browser is not installed (CI fails instead, in `browser`)."""
    reason = _missing()
    if not reason or os.environ.get("CI") == "true":
        return
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.skip(reason=f"browser tests: {reason}"))


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless chromium for the whole directory."""
    reason = _missing()
    if reason:
        pytest.fail(f"browser tests are required in CI: {reason}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in the main thread, so Django takes
    # every ORM call made there (fixtures, assertions, the database flush) for one made from
    # async code and raises SynchronousOnlyOperation. Nothing here is async: allow it, for as
    # long as the browser runs and no longer, so the rest of the suite keeps the check.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(autouse=True)
def policy_violations(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[str]]:
    """Every test that drives the browser fails if the Content Security Policy (settings.py)
    stopped anything on a page it opened: chromium tells its console "Refused to … because it
    violates the following Content Security Policy directive …"."""
    refused: list[str] = []
    if "browser" not in request.fixturenames:
        yield refused
        return
    browser = request.getfixturevalue("browser")
    opened = browser.new_context

    def new_context(*args: Any, **kwargs: Any) -> Any:
        context = opened(*args, **kwargs)

        def seen(message: Any) -> None:
            if "Content Security Policy" in message.text:
                refused.append(f"{message.page.url if message.page else '?'}: {message.text}")

        context.on("console", seen)
        return context

    monkeypatch.setattr(browser, "new_context", new_context)
    yield refused  # a test may look at it (and empty it) itself
    if refused:
        pytest.fail("Content Security Policy violations:\n" + "\n".join(refused))


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The server's clock (and ours) from START on, ticking; `clock.shift(...)` plays the day.

    time-machine patches the clock for the whole process, so the live server's thread sees it.
    """
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@pytest.fixture
def person(browser, live_server, clock) -> Iterator[Callable[..., Any]]:
    """`person("lan")`: a page in a fresh browser context, signed in as that persona."""
    contexts = []

    def open_as(username: str, viewport: dict[str, int] = DESKTOP) -> Any:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        signin(page, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def anonymous(browser, live_server, clock) -> Iterator[Any]:
    """A page nobody signed in on (the public site, the sign-in form)."""
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="vi-VN")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()
