"""Why a dossier needs a leader's attention: one rule, every reason said."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.core.attention import Reason, reasons
from motcua.core.lifecycle import Status as S

VN = ZoneInfo("Asia/Ho_Chi_Minh")


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
R = Reason

CASES = [
    # status, due, step due, assigned?, reasons
    (S.PROCESSING, LATER, LATER, True, ()),
    (S.PROCESSING, PAST, PAST, True, (R.OVERDUE,)),
    (S.PROCESSING, LATER, PAST, True, (R.STEP_OVERDUE,)),
    (S.PROCESSING, LATER, TONIGHT, True, (R.DUE_TODAY,)),
    (S.PROCESSING, FRIDAY, LATER, True, (R.DUE_SOON,)),
    (S.RECEIVED, LATER, LATER, False, (R.UNASSIGNED,)),
    (S.RECEIVED, PAST, PAST, False, (R.OVERDUE, R.UNASSIGNED)),
    (S.PROCESSING, LATER, None, True, ()),
    (S.PAYMENT, PAST, None, False, (R.OVERDUE,)),  # the citizen pays: no one to assign
    # Waiting for the citizen: never late, whatever the stored dates say.
    (S.SUPPLEMENT, PAST, PAST, False, (R.WAITING,)),
    # Finished: nothing to attend to.
    (S.DONE, PAST, PAST, False, ()),
    (S.RETURNED, PAST, PAST, True, ()),
]


@pytest.mark.parametrize(("status", "due", "step_due", "assigned", "expected"), CASES)
def test_every_reason_is_said(status, due, step_due, assigned, expected):
    found = reasons(
        status,
        due_at=due,
        step_due_at=step_due,
        assigned=assigned,
        now=NOW,
        today_end=TODAY_END,
        soon=SOON,
    )
    assert found == expected


def test_each_reason_has_a_label_and_only_missed_deadlines_are_late():
    assert all(r.label for r in Reason)
    assert [r for r in Reason if r.late] == [R.OVERDUE, R.STEP_OVERDUE]
