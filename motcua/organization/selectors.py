"""Reads of the organisation: calendars as domain objects, staff posts as actors."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User

from motcua.caching import Family
from motcua.core import text
from motcua.core.calendar import CalendarPolicy, Override, Session, WorkCalendar
from motcua.core.lifecycle import Role
from motcua.core.reception import Area
from motcua.organization.models import Agency, Division, Staff, Unit, WorkCalendarConfig

# A calendar is read on every dossier action. Django's cache holds each configuration as a
# small frozen value (so an admin change reaches every process at once, see motcua.caching);
# the built WorkCalendar, with its index, never leaves the process that built it.
_CALENDARS = Family("calendars")
# Config id -> (generation, calendar): a hit costs one read of the generation token.
_built: dict[int, tuple[str, WorkCalendar]] = {}


@dataclass(frozen=True)
class CalendarSetup:
    """Everything a calendar configuration says, as a hashable value."""

    policy: CalendarPolicy
    overrides: tuple[Override, ...]


def calendar_cache_clear() -> None:
    """Forget the cached calendars; called whenever a calendar or one of its overrides changes."""
    _CALENDARS.forget()


def calendar_from_config(config: WorkCalendarConfig) -> WorkCalendar:
    """The domain calendar for a centre's configuration (cached: calendars are read a lot)."""
    return _calendar(config.pk, lambda: config)


def calendar_for(agency: Agency) -> WorkCalendar:
    """The working calendar an agency counts its deadlines with."""
    # By id, without loading the config row: this is on every write.
    config_id = agency.calendar_id
    return _calendar(config_id, lambda: WorkCalendarConfig.objects.get(pk=config_id))


def calendar_for_id(agency_id: int) -> WorkCalendar:
    """The working calendar of the agency with this id."""
    config_id = Agency.objects.values_list("calendar_id", flat=True).get(pk=agency_id)
    return _calendar(config_id, lambda: WorkCalendarConfig.objects.get(pk=config_id))


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


def _calendar(config_id: int, config: Callable[[], WorkCalendarConfig]) -> WorkCalendar:
    """The calendar of a configuration: this process's, unless the configuration changed."""
    generation = _CALENDARS.generation()
    built = _built.get(config_id)
    if built is not None and built[0] == generation:
        return built[1]
    setup = _CALENDARS.fetch(config_id, load=lambda: _setup_of(config()), generation=generation)
    calendar = _build(setup, settings.TIME_ZONE)
    _built[config_id] = (generation, calendar)
    return calendar


def _setup_of(config: WorkCalendarConfig) -> CalendarSetup:
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
    overrides = tuple(
        Override(day=o.day, working=o.working, reason=o.reason, decided_at=o.decided_at)
        for o in config.overrides.all()
    )
    return CalendarSetup(policy=policy, overrides=overrides)


# Keyed by the setup itself: an unchanged configuration read again after any calendar change
# reuses the calendar (and the index) already built; a changed one builds a new calendar.
@functools.lru_cache(maxsize=32)
def _build(setup: CalendarSetup, tz: str) -> WorkCalendar:
    return WorkCalendar(tz=ZoneInfo(tz), policy=setup.policy, overrides=setup.overrides)


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


def actor_for_user(user: User) -> Actor | None:
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


def centre_tz() -> ZoneInfo:
    """The centre's time zone (TIME_ZONE, Asia/Ho_Chi_Minh), the zone of every calendar
    date the system derives (`motcua.core.calendar.local_date(moment, centre_tz())`),
    whatever zone is active in the process."""
    return ZoneInfo(settings.TIME_ZONE)


def local_now_label(at: datetime) -> str:
    """A short local-time label for messages."""
    return at.astimezone(centre_tz()).strftime("%H:%M %d/%m/%Y")


# Agencies and units a procedure's steps name are looked up on every hand-over, and they
# change rarely. Missing ones are not remembered: the caller reports them as errors.
_PLACES = Family("places")


def places_cache_clear() -> None:
    """Forget the cached agencies and units; called by every service that changes one."""
    _PLACES.forget()


def _found(place: Agency | Unit | None) -> bool:
    return place is not None


def agency_by_code(code: str) -> Agency | None:
    """The agency with this code, or None."""
    return _PLACES.fetch(
        "agency", code, load=lambda: Agency.objects.filter(code=code).first(), keep=_found
    )


def police_serving(commune_id: int) -> Agency | None:
    """The police of a commune, or None."""
    return _PLACES.fetch(
        "police",
        commune_id,
        load=lambda: Agency.objects.filter(serves_id=commune_id, kind=Agency.Kind.POLICE).first(),
        keep=_found,
    )


def unit_of(agency_id: int, code: str) -> Unit | None:
    """The unit of an agency with this code, or None."""
    return _PLACES.fetch(
        "unit",
        agency_id,
        code,
        load=lambda: Unit.objects.filter(agency_id=agency_id, code=code).first(),
        keep=_found,
    )


def staff_actor(user_id: int) -> Actor | None:
    """The post of a staff member by user id (a person something is handed to), or None."""
    # A deactivated account holds nothing new.
    staff = (
        Staff.objects.select_related("user", "agency", "unit")
        .filter(user_id=user_id, user__is_active=True)
        .first()
    )
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
            agency_id=agency_id,
            unit_id=unit_id,
            role__in=[r.value for r in roles],
            user__is_active=True,
        )
        .select_related("user", "unit")
        .order_by("user__first_name", "user__last_name", "pk")
    )


def agency_in_service(code: str, *, commune: bool = False) -> Agency | None:
    """An active agency by its code (only a commune's People's Committee if `commune`)."""
    agencies = Agency.objects.filter(code=code, is_active=True)
    if commune:
        agencies = agencies.filter(kind=Agency.Kind.COMMUNE)
    return agencies.first()


def is_commune(agency: Agency) -> bool:
    """Whether the agency is a commune's (or ward's) People's Committee."""
    return agency.kind == Agency.Kind.COMMUNE


def is_province(agency: Agency) -> bool:
    """Whether the agency is a province's (or centrally run city's) People's Committee."""
    return agency.kind == Agency.Kind.PROVINCE


def commune_served(agency: Agency) -> Agency | None:
    """The commune whose police the agency is, or None for any other agency."""
    return agency.serves if agency.kind == Agency.Kind.POLICE else None


def communes(*, covered_by: Agency | None = None) -> list[Agency]:
    """Every commune's (or ward's) People's Committee, by name: the competent agencies a desk
    outside the communes chooses from; with `covered_by`, only those that place receives for
    (its province's: `core.reception.check_coverage`)."""
    agencies = Agency.objects.filter(kind=Agency.Kind.COMMUNE)
    if covered_by is not None:
        province = province_of(covered_by)
        if province is None:
            return []
        agencies = agencies.filter(parent=province, is_active=True)
    return list(agencies.order_by("name"))


def province_of(agency: Agency) -> Agency | None:
    """The province's (or centrally run city's) People's Committee an agency belongs to,
    found through its parents; None when none is recorded."""
    seen: set[int] = set()
    current: Agency | None = agency
    while current is not None and current.pk not in seen:
        if current.kind == Agency.Kind.PROVINCE:
            return current
        seen.add(current.pk)
        current = current.parent
    return None


def coverage_area(agency: Agency) -> Area:
    """The agency as `core.reception.check_coverage` sees it."""
    province = province_of(agency)
    return Area(code=agency.code, name=agency.name, province=province.code if province else None)


def agency_by_id(agency_id: int) -> Agency | None:
    """The agency with this id, or None."""
    return Agency.objects.filter(pk=agency_id).first()


def has_agencies() -> bool:
    """Whether any agency is recorded (the demo loads its data only into an empty deployment)."""
    return Agency.objects.exists()


def desk_of(agency: Agency) -> Unit | None:
    """The agency's one-stop desk (Bộ phận Một cửa), or None when it has none."""
    return Unit.objects.filter(agency=agency, is_desk=True).first()


def desk_emails(agency: Agency) -> list[str]:
    """The e-mail addresses of the active desk officers of an agency (whom an online
    dossier's arrival is told to)."""
    return list(
        Staff.objects.filter(agency=agency, role=Role.DESK.value, user__is_active=True)
        .exclude(user__email="")
        .order_by("pk")
        .values_list("user__email", flat=True)
    )


def provinces() -> list[Division]:
    """The provinces and centrally run cities loaded by `divisions import`, by name."""
    return sorted(Division.objects.filter(parent=None), key=lambda d: text.fold(d.name))


def wards_by_province() -> dict[str, list[Division]]:
    """The communes and wards of each loaded province (by its code), by name."""
    found: dict[str, list[Division]] = {}
    for ward in Division.objects.exclude(parent=None).select_related("parent"):
        assert ward.parent is not None
        found.setdefault(ward.parent.code, []).append(ward)
    for wards in found.values():
        wards.sort(key=lambda d: text.fold(d.name))
    return found


def staff_title(user_id: int) -> str:
    """The title of a staff member's post ("" when it has none, or the user holds no post)."""
    return Staff.objects.filter(user_id=user_id).values_list("title", flat=True).first() or ""


def contact_phone(user_id: int | None, agency: Agency) -> str:
    """The phone to call about a form an officer signed: theirs, else their unit's, else the
    desk's, else the agency's ("" when none is known)."""
    post = Staff.objects.filter(user_id=user_id).select_related("unit").first() if user_id else None
    if post is not None and (post.phone or post.unit.phone):
        return post.phone or post.unit.phone
    desk = desk_of(agency)
    return (desk.phone if desk is not None else "") or agency.phone


def agency_staff(agency_id: int) -> dict[int, Staff]:
    """The staff of an agency by user id, each with their user and unit loaded."""
    return {
        s.user_id: s
        for s in Staff.objects.filter(agency_id=agency_id).select_related("user", "unit")
    }


def staff_actors() -> list[Actor]:
    """Every staff member's post as an actor, in the order the posts were created."""
    return [
        Actor(
            role=Role(s.role),
            user_id=s.user_id,
            name=s.user.get_full_name() or s.user.get_username(),
            agency=s.agency,
            unit=s.unit,
        )
        for s in Staff.objects.select_related("user", "agency", "unit").order_by("pk")
    ]


def staff_by_agency() -> list[Staff]:
    """Every staff post with its user and agency, by agency code, then role."""
    return list(Staff.objects.select_related("user", "agency").order_by("agency__code", "role"))


def receiving_places() -> list[Agency]:
    """The active public administration service centres and commune People's Committees
    with a one-stop desk, the centres first, then by name: where a citizen hands in a dossier
    (procedures are boundary-free within the province, DOMAIN §2). A department's or the
    police's own desk is not listed: citizens go through the centres."""
    agencies = Agency.objects.filter(
        is_active=True,
        units__is_desk=True,
        kind__in=[Agency.Kind.CENTRE, Agency.Kind.COMMUNE],
    ).distinct()
    return sorted(agencies, key=lambda a: (a.kind != Agency.Kind.CENTRE, text.fold(a.name)))


def centre_agency() -> Agency | None:
    """The province's Public Administrative Service Centre (the first active one), which
    answers feedback about the one-stop desks and their officers (NĐ 309/2026)."""
    return Agency.objects.filter(is_active=True, kind=Agency.Kind.CENTRE).order_by("pk").first()


def active_agencies() -> list[Agency]:
    """Every active agency, by name: where a feedback item may be forwarded."""
    return sorted(Agency.objects.filter(is_active=True), key=lambda a: text.fold(a.name))


def agency_parents() -> dict[int, int | None]:
    """Every agency's parent, by id: the tree oversight scopes are cut from."""
    return dict(Agency.objects.values_list("pk", "parent_id"))


def agencies_by_id(ids: Iterable[int]) -> dict[int, Agency]:
    return Agency.objects.in_bulk(list(ids))


def is_centre(agency: Agency) -> bool:
    """Whether the agency is a Public Administrative Service Centre."""
    return agency.kind == Agency.Kind.CENTRE


def ranked_group(agency: Agency) -> str | None:
    """Which 766 ranking the agency is in: "commune", "department" (departments, branches,
    the police), or None for those not ranked (the province, the centre)."""
    if agency.kind == Agency.Kind.COMMUNE:
        return "commune"
    if agency.kind in (Agency.Kind.DEPARTMENT, Agency.Kind.POLICE, Agency.Kind.BRANCH):
        return "department"
    return None


def unit_names(ids: Sequence[int]) -> dict[int, str]:
    """Units' names by id."""
    return dict(Unit.objects.filter(pk__in=list(ids)).values_list("pk", "name"))


def person_names(user_ids: Sequence[int]) -> dict[int, str]:
    """Staff members' full names (their user names when they have none) by user id."""
    users = User.objects.filter(pk__in=list(user_ids)).only("pk", "first_name", "last_name")
    return {u.pk: u.get_full_name() or u.get_username() for u in users}
