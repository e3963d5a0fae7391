"""Staff sign-in's guessing limits: which counters a try is held by, and why."""

from __future__ import annotations

import pytest

from motcua.core.lifecycle import Role
from motcua.core.signin import (
    ACCOUNT,
    PAIR,
    SOURCE,
    Next,
    Policy,
    Refusal,
    after_password,
    limits,
    refusal,
    second_factor_required,
    subjects,
)

POLICY = Policy(pair_tries=5, source_tries=30, account_tries=50)
NOW = 1_764_122_430.0  # 870 s before its quarter ends, 3,570 s before its hour ends


@pytest.mark.parametrize(
    ("known_source", "scopes"),
    [
        (False, [PAIR, SOURCE, ACCOUNT]),
        (True, [PAIR, SOURCE]),  # the officer's own PC is not held by the account's ceiling
    ],
)
def test_the_accounts_ceiling_applies_only_to_sources_it_never_signed_in_from(known_source, scopes):
    assert [limit.scope for limit in limits(POLICY, known_source=known_source)] == scopes


@pytest.mark.parametrize(
    ("counts", "known_source", "refused"),
    [
        ({}, False, None),
        ({PAIR: 4, SOURCE: 29, ACCOUNT: 49}, False, None),
        ({PAIR: 5}, False, Refusal(PAIR, 870)),
        ({PAIR: 5}, True, Refusal(PAIR, 870)),  # a known source mistyping is held there too
        ({SOURCE: 30}, True, Refusal(SOURCE, 870)),  # spraying many accounts from one place
        ({ACCOUNT: 50}, False, Refusal(ACCOUNT, 3570)),  # many places guessing one account
        ({ACCOUNT: 50}, True, None),  # ... do not keep its officer out of their own PC
        ({ACCOUNT: 500, PAIR: 1}, True, None),
        ({PAIR: 5, ACCOUNT: 50}, False, Refusal(PAIR, 3570)),  # the pair named, the longest wait
    ],
)
def test_a_try_is_refused_by_the_first_limit_it_has_reached(counts, known_source, refused):
    assert refusal(POLICY, counts, known_source=known_source, now=NOW) == refused


@pytest.mark.parametrize(
    ("username", "source", "expected"),
    [
        ("lan", "203.0.113.9", {PAIR: ("lan", "203.0.113.9"), SOURCE: ("203.0.113.9",)}),
        (" LAN ", "203.0.113.9", {PAIR: ("lan", "203.0.113.9"), ACCOUNT: ("lan",)}),
        ("Đức", "2001:db8::/64", {PAIR: ("đức", "2001:db8::/64"), ACCOUNT: ("đức",)}),
    ],
)
def test_an_account_is_counted_case_folded_with_its_source(username, source, expected):
    found = subjects(username, source)
    assert {scope: found[scope] for scope in expected} == expected


@pytest.mark.parametrize(
    ("role", "admin_access", "required"),
    [
        (Role.AGENCY_LEADER, False, True),
        (Role.ADMIN, False, True),
        (Role.SUPERVISOR, False, True),
        (Role.DESK, False, False),
        (Role.SPECIALIST, False, False),
        (Role.UNIT_LEADER, False, False),
        (Role.DESK, True, True),  # a desk officer let into the admin
        (None, True, True),  # a superuser holding no post
        (None, False, False),
    ],
)
def test_heads_administrators_and_oversight_must_use_a_second_factor(role, admin_access, required):
    assert second_factor_required(role, admin_access=admin_access) is required


@pytest.mark.parametrize(
    ("required", "enrolled", "step"),
    [
        (True, False, Next.ENROL),  # nothing but the enrolment page until enrolled
        (True, True, Next.VERIFY),
        (False, True, Next.VERIFY),  # a desk officer who chose a second factor uses it
        (False, False, Next.SIGNED_IN),
    ],
)
def test_a_right_password_leads_to_the_second_factor_when_one_is_required_or_enrolled(
    required, enrolled, step
):
    assert after_password(required=required, enrolled=enrolled) is step
