"""The sync rate (indicator 1.4) on an agency's oversight page."""

from __future__ import annotations

import pytest

from motcua.notify.services import outbox_deliver
from tests.conftest import at
from tests.oversight.histories import _birth
from tests.oversight.test_pages import agency_url, main, signin

pytestmark = pytest.mark.django_db
DECEMBER = {"from": "2026-12-01", "to": "2026-12-31"}


def _sync_section(client):
    html = main(signin(client, "long").get(agency_url("H26.100"), DECEMBER))
    return html[html.index('id="sync-h"') : html.index('id="proc-h"')]


def test_the_page_says_when_the_installation_is_not_connected(world, client, settings):
    settings.NATIONAL_PORTAL_URL = ""
    _birth(world, "2026-12-01 08:30")
    assert "Không kết nối" in _sync_section(client)


def test_the_page_shows_the_share_synced_on_time(world, client, portal):
    _birth(world, "2026-12-01 08:30")
    outbox_deliver(now=at("2026-12-01 08:31"))
    _birth(world, "2026-12-01 09:00", name="Trần Văn Chờ")  # not sent yet
    section = _sync_section(client)
    assert "Không kết nối" not in section
    assert "50,0%" in section and "1 trên 2 hồ sơ" in section
    assert '<li class="warn"><span class="n">1</span>' in section  # one record waiting
