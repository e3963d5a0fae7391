"""Who sees which oversight figures (issue 10's access matrix).

The centre's oversight office sees every agency of its province; an office elsewhere, its own
agency and those under it. A head of agency sees their agency and those under it. A unit
leader sees the evidence sheets of their unit; every other official only their own. Catalog
administrators see no figures: administering is not overseeing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from motcua.core.lifecycle import Role


@dataclass(frozen=True)
class Scope:
    agencies: frozenset[int]  # whose dashboards, index and reports
    unit: int | None = None  # a unit leader: the evidence sheets of this unit
    person: int | None = None  # an official: their own evidence sheet

    @property
    def sees_dashboards(self) -> bool:
        return bool(self.agencies)

    def sees_person(self, *, user: int, agency: int, unit: int) -> bool:
        return agency in self.agencies or unit == self.unit or user == self.person


NOBODY = Scope(frozenset())


def descendants(root: int, parents: Mapping[int, int | None]) -> frozenset[int]:
    """`root` and every agency under it, by the agencies' parent links."""
    children: dict[int | None, list[int]] = {}
    for agency, parent in parents.items():
        children.setdefault(parent, []).append(agency)
    seen = {root}
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return frozenset(seen)


def oversight_scope(
    *,
    role: Role,
    user: int,
    agency: int,
    unit: int,
    is_centre: bool,
    parents: Mapping[int, int | None],
) -> Scope:
    """What a member of staff may see of oversight."""
    if role is Role.SUPERVISOR:
        root = parents.get(agency) if is_centre else agency
        return Scope(descendants(root if root is not None else agency, parents), person=user)
    if role is Role.AGENCY_LEADER:
        return Scope(descendants(agency, parents), person=user)
    if role is Role.UNIT_LEADER:
        return Scope(frozenset(), unit=unit, person=user)
    if role in (Role.SPECIALIST, Role.DESK):
        return Scope(frozenset(), person=user)
    return NOBODY


def sees_admin_changes(role: Role) -> bool:
    """The administrative log (who changed users, posts, agencies, the catalog, calendars) is
    the oversight office's, like the read log: administrators do not oversee themselves."""
    return role is Role.SUPERVISOR
