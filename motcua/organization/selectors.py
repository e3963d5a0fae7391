"""Reads of the organisation: calendars as domain objects, staff posts as actors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from time import monotonic
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from motcua.core.calendar import CalendarPolicy, Override, Session, WorkCalendar
from motcua.core.lifecycle import Role
from motcua.organization.models import Agency, Staff, Unit, WorkCalendarConfig

# Calendars are rebuilt at least this often, so a process that did not make an admin change
# (a worker, another web server) sees it within a minute.
CACHE_SECONDS = 60.0
_cache: dict[int, tuple[float, WorkCalendar]] = {}
_cache_lock = Lock()


def calendar_cache_clear() -> None:
    """Forget built calendars; called whenever a calendar or one of its overrides changes."""
    with _cache_lock:
        _cache.clear()


def calendar_from_config(config: WorkCalendarConfig) -> WorkCalendar:
    """Build the domain calendar for a centre's configuration (cached: calendars are read a lot)."""
    with _cache_lock:
        cached = _cache.get(config.pk)
    if cached is not None and monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    policy = CalendarPolicy(
        sessions=(
            Session(config.morning_start, config.morning_end),
            Session(config.afternoon_start, config.afternoon_end),
        ),
        late_cutoff=config.late_cutoff,
        same_day_cutoff=config.same_day_cutoff,
        due_time_style=config.due_time_style,
        excluded_holidays=frozenset(config.excluded_holidays),
    )
    overrides = [
        Override(day=o.day, working=o.working, reason=o.reason, decided_at=o.decided_at)
        for o in config.overrides.all()
    ]
    calendar = WorkCalendar(tz=ZoneInfo(settings.TIME_ZONE), policy=policy, overrides=overrides)
    with _cache_lock:
        _cache[config.pk] = (monotonic(), calendar)
    return calendar


def calendar_for(agency: Agency) -> WorkCalendar:
    """The working calendar an agency counts its deadlines with."""
    with _cache_lock:
        cached = _cache.get(agency.calendar_id)
    if cached is not None and monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]  # without loading the config row: this is on every write
    return calendar_from_config(agency.calendar)


def default_calendar() -> WorkCalendar:
    """The first configured calendar, or the national default when none is configured."""
    config = WorkCalendarConfig.objects.order_by("pk").first()
    if config is None:
        return WorkCalendar(tz=ZoneInfo(settings.TIME_ZONE))
    return calendar_from_config(config)


def all_calendars() -> list[WorkCalendar]:
    """Every configured calendar (or the national default when none is configured)."""
    configs = WorkCalendarConfig.objects.order_by("pk").prefetch_related("overrides")
    return [calendar_from_config(c) for c in configs] or [default_calendar()]


@dataclass(frozen=True)
class Actor:
    """Who is acting: a staff member in their post, a citizen, or the system (the worker)."""

    role: Role
    user_id: int | None = None
    name: str = ""
    agency: Agency | None = None
    unit: Unit | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(role=Role.SYSTEM, name="Hệ thống")

    @classmethod
    def citizen(cls, name: str = "") -> Actor:
        return cls(role=Role.CITIZEN, name=name)


def actor_for_user(user) -> Actor | None:  # noqa: ANN001 - a Django user
    """The actor for a signed-in staff member, or None when the user holds no post."""
    staff = Staff.objects.select_related("agency", "unit").filter(user_id=user.pk).first()
    if staff is None:
        return None
    return Actor(
        role=Role(staff.role),
        user_id=user.pk,
        name=user.get_full_name() or user.get_username(),
        agency=staff.agency,
        unit=staff.unit,
    )


def local_now_label(at: datetime) -> str:
    """A short local-time label for messages."""
    return at.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%H:%M %d/%m/%Y")


# Agencies and units a procedure's steps name are looked up on every hand-over, and they
# change rarely: remembered for CACHE_SECONDS, forgotten at once when this process saves
# or deletes one (ids can come back after a rollback, as in tests on SQLite).
_places: dict[tuple[str, object, object], tuple[float, Agency | Unit]] = {}
_places_lock = Lock()


def places_cache_clear(**_kwargs: object) -> None:
    with _places_lock:
        _places.clear()


for _model in (Agency, Unit):
    post_save.connect(places_cache_clear, sender=_model, dispatch_uid=f"places-{_model.__name__}")
    post_delete.connect(
        places_cache_clear, sender=_model, dispatch_uid=f"places-del-{_model.__name__}"
    )


def _cached_place(key: tuple[str, object, object], load):  # noqa: ANN001, ANN202
    with _places_lock:
        cached = _places.get(key)
    if cached is not None and monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    found = load()
    if found is not None:  # a missing place is an error the caller reports; do not remember
        with _places_lock:
            _places[key] = (monotonic(), found)
    return found


def agency_by_code(code: str) -> Agency | None:
    """The agency with this code, or None."""
    return _cached_place(("agency", code, None), lambda: Agency.objects.filter(code=code).first())


def police_serving(commune_id: int) -> Agency | None:
    """The police of a commune, or None."""
    return _cached_place(
        ("police", commune_id, None),
        lambda: Agency.objects.filter(serves_id=commune_id, kind=Agency.Kind.POLICE).first(),
    )


def unit_of(agency_id: int, code: str) -> Unit | None:
    """The unit of an agency with this code, or None."""
    return _cached_place(
        ("unit", agency_id, code),
        lambda: Unit.objects.filter(agency_id=agency_id, code=code).first(),
    )


def staff_actor(user_id: int) -> Actor | None:
    """The post of a staff member by user id (a person something is handed to), or None."""
    staff = Staff.objects.select_related("user", "agency", "unit").filter(user_id=user_id).first()
    if staff is None:
        return None
    return Actor(
        role=Role(staff.role),
        user_id=user_id,
        name=staff.user.get_full_name() or staff.user.get_username(),
        agency=staff.agency,
        unit=staff.unit,
    )


def staff_in(agency_id: int, unit_id: int, *, roles: Sequence[Role]) -> list[Staff]:
    """The staff of one unit in some roles, by name: whom a step can be handed to."""
    return list(
        Staff.objects.filter(
            agency_id=agency_id, unit_id=unit_id, role__in=[r.value for r in roles]
        )
        .select_related("user", "unit")
        .order_by("user__first_name", "user__last_name", "pk")
    )
