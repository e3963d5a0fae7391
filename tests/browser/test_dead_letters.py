"""The dead-letter screen in a real browser: the administrator signs in with the second factor,
opens "Tích hợp", sends one given-up message again and sees it leave the list; axe-core finds
no serious violation, and a 360 px phone does not scroll sideways."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.adminlog.models import AdminChange
from motcua.core.lifecycle import Role
from motcua.notify.models import OutboxMessage
from motcua.notify.services import MAX_ATTEMPTS, outbox_message, outbox_queue
from tests.browser.conftest import DESKTOP
from tests.browser.pages import NARROW, assert_accessible, no_sideways_scroll
from tests.factories import _person

pytestmark = pytest.mark.browser


def given_up(count: int) -> list[OutboxMessage]:
    """Webhook deliveries the outbox gave up on (as MAX_ATTEMPTS failed tries leave them)."""
    now = timezone.now()
    outbox_queue(
        [
            outbox_message(
                recipient=f"https://hooks.example.vn/motcua/in/token-{i}",
                template="",
                context={"subscriber": 1},
                dossier_id=None,
                dedupe_key=f"webhook:browser:{i}",
                now=now,
                channel="webhook",
            )
            for i in range(count)
        ]
    )
    OutboxMessage.objects.update(
        attempts=MAX_ATTEMPTS,
        failed_at=now,
        last_error="HTTP 503 from hooks.example.vn: the receiver was down for maintenance",
    )
    return list(OutboxMessage.objects.order_by("pk"))


@pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["desktop", "phone-360"])
def test_the_administrator_replays_a_dead_letter(world, person, viewport):
    _person("quantri", "Phạm Văn Quang", world.centre, "mot-cua", Role.ADMIN)
    first, second = given_up(2)
    page = person("quantri", viewport)  # enrols the second factor and gives it
    if viewport is DESKTOP:
        page.get_by_role("link", name="Tích hợp", exact=True).click()
    else:
        page.goto("/can-bo/tich-hop/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tích hợp: tin gửi lỗi")
    rows = page.locator("table.dead-letters tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("main")).not_to_contain_text("token-0")
    assert_accessible(page, "dead-letters")
    no_sideways_scroll(page, viewport["width"])

    page.get_by_role("button", name=f"Gửi lại tin số {first.pk}").click()
    expect(page.locator(".msg.success")).to_have_text(
        f"Đã đưa tin số {first.pk} vào hàng đợi để gửi lại."
    )
    expect(rows).to_have_count(1)
    expect(page.locator(f"#message-{first.pk}")).to_have_count(0)
    expect(page.locator(f"#message-{second.pk}")).to_be_visible()
    assert_accessible(page, "dead-letters-after-replay")
    no_sideways_scroll(page, viewport["width"])
    first.refresh_from_db()
    assert first.failed_at is None and first.attempts == 0
    assert AdminChange.objects.filter(model="notify.outboxmessage").count() == 1
