"""The one rule of overdue and urgency (motcua.core.urgency): paused dossiers wait for the
citizen and are never overdue; finished ones have no running deadline."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.core.lifecycle import Status
from motcua.core.urgency import Bucket, bucket, clock_runs, guided, overdue

VN = ZoneInfo("Asia/Ho_Chi_Minh")
S = Status


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


NOW = t("2026-11-25 10:00")
TODAY_END = t("2026-11-25 23:59:59")
SOON = t("2026-11-27 10:00")
PAST, TONIGHT, FRIDAY, LATER = (
    t("2026-11-24 16:00"),
    t("2026-11-25 16:00"),
    t("2026-11-26 15:00"),
    t("2026-12-10 08:00"),
)

CASES = [
    # status, due, overdue?, bucket
    (S.RECEIVED, PAST, True, Bucket.OVERDUE),
    (S.PROCESSING, PAST, True, Bucket.OVERDUE),
    (S.PAYMENT, PAST, True, Bucket.OVERDUE),
    (S.PROCESSING, NOW, False, Bucket.TODAY),  # due this very moment: not yet past
    (S.PROCESSING, TONIGHT, False, Bucket.TODAY),
    (S.PROCESSING, FRIDAY, False, Bucket.SOON),
    (S.PROCESSING, LATER, False, Bucket.LATER),
    (S.PROCESSING, None, False, Bucket.LATER),
    # Waiting for the citizen: never overdue, whatever the stored due time says.
    (S.SUPPLEMENT, PAST, False, Bucket.PAUSED),
    (S.SUPPLEMENT, TONIGHT, False, Bucket.PAUSED),
    (S.SUPPLEMENT, LATER, False, Bucket.PAUSED),
    # Finished, or not started: no running deadline.
    (S.NEW, PAST, False, Bucket.LATER),
    (S.DONE, PAST, False, Bucket.LATER),
    (S.RETURNED, PAST, False, Bucket.LATER),
    (S.WITHDRAWN, PAST, False, Bucket.LATER),
    (S.STOPPED, PAST, False, Bucket.LATER),
    (S.REFUSED, PAST, False, Bucket.LATER),
]


@pytest.mark.parametrize(("status", "due", "late", "expected"), CASES)
def test_overdue_and_the_bucket_follow_one_rule(status, due, late, expected):
    assert overdue(status, due, now=NOW) is late
    assert overdue(int(status), due, now=NOW) is late  # as read from a row
    assert bucket(status, due, now=NOW, today_end=TODAY_END, soon=SOON) is expected


GUIDED_CASES = [
    # status, received?, guided?
    (S.SUPPLEMENT, False, True),  # form 02 at the counter: nothing received
    (S.SUPPLEMENT, True, False),  # a received dossier waiting for the citizen
    (S.RECEIVED, True, False),
    (S.REFUSED, False, False),
    (S.NEW, False, False),
]


@pytest.mark.parametrize(("status", "received", "expected"), GUIDED_CASES)
def test_a_visit_guided_at_reception_is_apart_from_running_dossiers(status, received, expected):
    assert guided(status, received=received) is expected
    found = bucket(status, PAST, now=NOW, today_end=TODAY_END, soon=SOON, received=received)
    assert (found is Bucket.GUIDED) is expected


@pytest.mark.parametrize("status", list(Status))
def test_the_clock_runs_only_in_2_4_6(status):
    assert clock_runs(status) is (status in (S.RECEIVED, S.PROCESSING, S.PAYMENT))


def test_buckets_are_ranked_most_urgent_first_and_labelled():
    assert [b.rank for b in Bucket] == [0, 1, 2, 3, 4, 5]
    assert Bucket.OVERDUE.label == "Quá hạn"
    assert Bucket.PAUSED.label == "Chờ công dân bổ sung"
