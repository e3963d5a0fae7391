"""A filing whose contact was never verified does not stay for ever (it holds personal data
nobody confirmed)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motcua.feedback.models import PendingFeedback
from motcua.feedback.services import PENDING_KEPT, feedback_pending_expire
from tests.conftest import at

NOW = at("2026-12-10 09:00")


def pending(age: timedelta, **kw) -> PendingFeedback:
    return PendingFeedback.objects.create(
        filing={"name": "Nguyễn Văn A"}, kind="email", address="a@example.vn", challenge_id=1,
        created_at=NOW - age, **kw,
    )  # fmt: skip


@pytest.mark.django_db
def test_only_the_filings_left_unverified_too_long_are_deleted():
    old = pending(PENDING_KEPT + timedelta(minutes=1))
    young = pending(PENDING_KEPT - timedelta(minutes=1))
    assert feedback_pending_expire(now=NOW) == 1
    assert set(PendingFeedback.objects.values_list("pk", flat=True)) == {young.pk}
    assert not PendingFeedback.objects.filter(pk=old.pk).exists()
    assert feedback_pending_expire(now=NOW) == 0
