"""Calendars, agencies and units read through the cache: cheap hits, fresh after a write."""

from __future__ import annotations

from datetime import date

from motcua.organization.models import CalendarOverride
from motcua.organization.selectors import (
    agency_by_code,
    calendar_cache_clear,
    calendar_for,
    police_serving,
    unit_of,
)
from motcua.organization.services import calendar_override_save, unit_save

SATURDAY = date(2026, 11, 28)


def test_a_calendar_is_read_once_and_then_served_without_a_query(world, django_assert_num_queries):
    calendar_for(world.hoan_kiem)

    with django_assert_num_queries(0):
        calendar = calendar_for(world.hoan_kiem)

    assert calendar is calendar_for(world.ba_dinh)  # one calendar config, one calendar


def test_an_unchanged_calendar_is_not_built_again(world):
    first = calendar_for(world.hoan_kiem)

    calendar_cache_clear()  # as when another centre's calendar changes

    assert calendar_for(world.hoan_kiem) is first


def test_a_changed_calendar_is_built_anew(world):
    first = calendar_for(world.hoan_kiem)
    assert not first.is_working_day(SATURDAY)

    calendar_override_save(
        override=CalendarOverride(
            calendar=world.calendar, day=SATURDAY, working=True, reason="Làm bù"
        )
    )

    changed = calendar_for(world.hoan_kiem)
    assert changed is not first
    assert changed.is_working_day(SATURDAY)
    assert not first.is_working_day(SATURDAY)  # calendars already handed out do not move


def test_places_are_read_once_and_missing_ones_every_time(world, django_assert_num_queries):
    (
        agency_by_code("H26.32"),
        police_serving(world.hoan_kiem.pk),
        unit_of(world.justice.pk, "lanh-dao"),
    )

    with django_assert_num_queries(0):
        assert agency_by_code("H26.32") == world.justice
        assert police_serving(world.hoan_kiem.pk) == world.police_hk
        assert unit_of(world.justice.pk, "lanh-dao").code == "lanh-dao"
    with django_assert_num_queries(2):
        assert agency_by_code("H26.99") is None
        assert agency_by_code("H26.99") is None


def test_a_unit_saved_through_the_service_is_routed_to_at_once(world):
    unit = unit_of(world.justice.pk, "lanh-dao")
    renamed = type(unit).objects.get(pk=unit.pk)
    renamed.name = "Ban Giám đốc"

    unit_save(unit=renamed)

    assert unit_of(world.justice.pk, "lanh-dao").name == "Ban Giám đốc"
