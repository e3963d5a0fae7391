"""Who sees which oversight figures: the access matrix, on a small province.

1 province ─┬─ 2 centre
            ├─ 3 department ── 5 department's branch
            └─ 4 commune
9 another province ── 10 its commune
"""

from __future__ import annotations

import pytest

from motcua.core.lifecycle import Role
from motcua.core.scope import oversight_scope, sees_admin_changes

PARENTS = {1: None, 2: 1, 3: 1, 4: 1, 5: 3, 9: None, 10: 9}
ALL_OF_1 = {1, 2, 3, 4, 5}

MATRIX = [
    # (role, agency, is centre, agencies seen, unit sheets, own sheet)
    (Role.SUPERVISOR, 2, True, ALL_OF_1, None, True),
    (Role.SUPERVISOR, 3, False, {3, 5}, None, True),
    (Role.AGENCY_LEADER, 3, False, {3, 5}, None, True),
    (Role.AGENCY_LEADER, 4, False, {4}, None, True),
    (Role.UNIT_LEADER, 4, False, set(), 40, True),
    (Role.SPECIALIST, 4, False, set(), None, True),
    (Role.DESK, 2, True, set(), None, True),
    (Role.ADMIN, 2, True, set(), None, False),
    (Role.CITIZEN, 4, False, set(), None, False),
]


@pytest.mark.parametrize(("role", "agency", "centre", "seen", "unit", "own"), MATRIX)
def test_the_access_matrix(role, agency, centre, seen, unit, own):
    scope = oversight_scope(
        role=role, user=7, agency=agency, unit=40, is_centre=centre, parents=PARENTS
    )
    assert scope.agencies == seen
    assert scope.unit == unit
    assert (scope.person == 7) is own
    assert not scope.agencies & {9, 10}  # never another province
    assert scope.sees_dashboards is bool(seen)


def test_sees_person_by_agency_unit_or_self():
    unit_leader = oversight_scope(
        role=Role.UNIT_LEADER, user=7, agency=4, unit=40, is_centre=False, parents=PARENTS
    )
    assert unit_leader.sees_person(user=8, agency=4, unit=40)
    assert not unit_leader.sees_person(user=8, agency=4, unit=41)
    assert unit_leader.sees_person(user=7, agency=4, unit=41)
    head = oversight_scope(
        role=Role.AGENCY_LEADER, user=7, agency=3, unit=30, is_centre=False, parents=PARENTS
    )
    assert head.sees_person(user=8, agency=5, unit=50)
    assert not head.sees_person(user=8, agency=4, unit=40)


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        (Role.SUPERVISOR, True),
        (Role.ADMIN, False),
        (Role.AGENCY_LEADER, False),
        (Role.UNIT_LEADER, False),
        (Role.SPECIALIST, False),
        (Role.DESK, False),
        (Role.CITIZEN, False),
        (Role.SYSTEM, False),
    ],
)
def test_only_the_oversight_office_sees_the_admin_log(role, sees):
    assert sees_admin_changes(role) is sees
