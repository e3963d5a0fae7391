"""Delay attribution: which step, and so which agency, caused a dossier's delay (DOMAIN §5,
§13: never blame anyone for time they did not hold the dossier). Chains are built by hand,
with the answers worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.core.blame import Blame, StepSpan, responsible_step, step_outcome

VN = ZoneInfo("Asia/Ho_Chi_Minh")
H = 3600
DAY = 8 * H
COMMUNE, POLICE, SOCIAL, IDENTITY = 1, 2, 3, 4


def span(index, agency, allotted, used, *, open=False):
    return StepSpan(index, agency, allotted, used, open)


CHAINS = [
    (
        "the police overran by 2 hours, social insurance by 1: the police apologise",
        [
            span(0, COMMUNE, H, H // 2),
            span(1, COMMUNE, 3 * H, 3 * H),
            span(2, POLICE, DAY, DAY + 2 * H),
            span(3, SOCIAL, 4 * H, 5 * H, open=True),
        ],
        (2, POLICE, 2 * H),
    ),
    (
        # Sent back and forth: the commune's step 1 was held 2 h, then 3 h (allotted 4 h);
        # each stay alone is within the allotment, together they overran by 1 h, more than
        # the police's 30 minutes.
        "a unit that bounces a dossier carries every time it held it",
        [
            span(0, COMMUNE, H, H),
            span(1, COMMUNE, 4 * H, 2 * H),
            span(2, POLICE, DAY, DAY + H // 2),
            span(1, COMMUNE, 4 * H, 3 * H),
            span(2, POLICE, DAY, 0, open=True),  # just arrived back
        ],
        (1, COMMUNE, H),
    ),
    (
        "nobody overran yet: the step holding it now is asked (a predicted delay)",
        [span(0, COMMUNE, H, H), span(1, COMMUNE, DAY, 2 * H), span(2, POLICE, DAY, H, open=True)],
        (2, POLICE, 0),
    ),
    (
        "finished within every allotment: the last step answers, with nothing overrun",
        [span(0, COMMUNE, H, H), span(1, POLICE, DAY, DAY)],
        (1, POLICE, 0),
    ),
    (
        "two steps overran by the same time: the earlier one caused the delay first",
        [span(0, COMMUNE, H, 2 * H), span(1, POLICE, DAY, DAY + H), span(2, SOCIAL, H, 0)],
        (0, COMMUNE, H),
    ),
    (
        # Four agencies; the identity card step (index 4) used 1.5 days of its half day: 1 day
        # over; social insurance 0.25 day over.
        "the inter-agency birth chain: the identity card step is the late one",
        [
            span(0, COMMUNE, H, H),
            span(1, COMMUNE, 3 * H, 2 * H),
            span(2, POLICE, 4 * H, 4 * H),
            span(3, SOCIAL, 4 * H, 6 * H),
            span(4, IDENTITY, 4 * H, 12 * H, open=True),
        ],
        (4, IDENTITY, DAY),
    ),
]


@pytest.mark.parametrize(("why", "spans", "expected"), CHAINS, ids=[c[0] for c in CHAINS])
def test_the_step_that_overran_most_is_responsible(why, spans, expected):
    blame = responsible_step(spans)
    assert isinstance(blame, Blame)
    assert (blame.step.index, blame.step.agency, blame.overrun_seconds) == expected, why


def test_no_steps_no_blame():
    assert responsible_step([]) is None


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


@pytest.mark.parametrize(
    ("ended", "due", "verdict"),
    [
        ("2026-11-25 10:00", "2026-11-25 10:00", "on_time"),  # exactly at the due time
        ("2026-11-25 10:01", "2026-11-25 10:00", "late"),
        ("2026-11-25 09:00", "2026-11-25 16:00", "on_time"),  # same day, earlier hour
        ("2026-11-24 16:59", "2026-11-25 08:30", "early"),  # an earlier day
        ("2026-11-26 08:00", "2026-11-25 17:00", "late"),
    ],
)
def test_form_06_judges_a_hand_over_by_its_due_time_and_local_day(ended, due, verdict):
    assert step_outcome(ended_at=local(ended), due_at=local(due), tz=VN) == verdict


def test_early_is_judged_on_the_local_day_not_the_utc_one():
    """06:30 local on the 26th is still the 25th in UTC: not an earlier day than a due time
    of 10:00 local on the 26th."""
    ended = local("2026-11-26 06:30")
    assert ended.astimezone(ZoneInfo("UTC")).day == 25
    assert step_outcome(ended_at=ended, due_at=local("2026-11-26 10:00"), tz=VN) == "on_time"
