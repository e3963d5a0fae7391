from datetime import UTC, datetime, timedelta

import pytest

from motcua.core.retention import DEFAULTS, Outcome, Record, Rule, rules

NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("record", "days", "outcome"),
    [
        (Record.SESSION, 0, Outcome.DELETE),
        (Record.SIGNUP_CODE, 7, Outcome.DELETE),
        (Record.SIGN_IN_TRACE, 30, Outcome.DELETE),
        (Record.PENDING_FEEDBACK, 7, Outcome.DELETE),
        (Record.OUTBOX, 90, Outcome.DELETE),
        (Record.READ_LOG, 1095, Outcome.DELETE),
        (Record.CLOSED_DRAFT, 30, Outcome.DELETE),
        (Record.FEEDBACK, 1825, Outcome.PSEUDONYMISE),
        (Record.DOSSIER, 3650, Outcome.PSEUDONYMISE),
        (Record.RATING_ADDRESS, 365, Outcome.DELETE),
        (Record.BOOKING, 365, Outcome.DELETE),
        (Record.PAYMENT, 3650, Outcome.PSEUDONYMISE),
    ],
)
def test_the_defaults_are_the_documented_ones(record, days, outcome):
    assert DEFAULTS[record] == Rule(record, days, outcome)


def test_every_kind_of_record_has_a_rule():
    assert set(DEFAULTS) == set(Record)


@pytest.mark.parametrize(
    ("days", "moment", "expired"),
    [
        (7, NOW - timedelta(days=8), True),
        (7, NOW - timedelta(days=7), False),  # exactly the period: kept until it is over
        (7, NOW - timedelta(days=7, seconds=1), True),
        (7, NOW - timedelta(days=1), False),
        (7, None, False),  # still open: no moment to count from
        (0, NOW - timedelta(seconds=1), True),
        (0, NOW + timedelta(days=1), False),
    ],
)
def test_a_record_expires_after_its_period(days, moment, expired):
    assert Rule(Record.OUTBOX, days, Outcome.DELETE).expired(moment, NOW) is expired


def test_configured_periods_replace_the_defaults():
    chosen = rules({"dossier": 20 * 365, "outbox": 30})
    assert chosen[Record.DOSSIER].days == 7300
    assert chosen[Record.DOSSIER].outcome is Outcome.PSEUDONYMISE
    assert chosen[Record.OUTBOX].days == 30
    assert chosen[Record.SESSION] == DEFAULTS[Record.SESSION]


@pytest.mark.parametrize("days", [{"nothing": 3}, {"outbox": -1}])
def test_a_wrong_configuration_is_refused(days):
    with pytest.raises(ValueError):
        rules(days)


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError):
        DEFAULTS[Record.OUTBOX].cutoff(datetime(2026, 12, 4))
