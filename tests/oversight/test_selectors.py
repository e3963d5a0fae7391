"""The oversight pages' reads on constructed histories with known answers."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from motcua.catalog.models import ProcedureVersion, StepTemplate
from motcua.core.errors import NotFound
from motcua.core.indicators import Figures, Period, Tally
from motcua.oversight import selectors
from motcua.oversight.page import ordered
from tests.conftest import at
from tests.oversight.histories import build

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.mark.parametrize(
    ("preset", "first", "last"),
    [
        ("month", date(2026, 3, 1), date(2026, 3, 10)),
        ("last_month", date(2026, 2, 1), date(2026, 2, 28)),
        ("quarter", date(2026, 1, 1), date(2026, 3, 10)),
        ("year", date(2026, 1, 1), date(2026, 3, 10)),
        ("", date(2026, 3, 1), date(2026, 3, 10)),
    ],
)
def test_presets_end_today_and_last_month_is_whole(preset, first, last):
    assert selectors.preset_period(preset, date(2026, 3, 10)) == Period(first, last)


def test_last_month_in_january_is_the_previous_december():
    got = selectors.preset_period("last_month", date(2027, 1, 5))
    assert got == Period(date(2026, 12, 1), date(2026, 12, 31))


def test_times_keep_the_agencys_the_citizens_and_integration_time_apart():
    tally = Tally(
        finished=2,
        agency_seconds=10 * 3600,
        integration_seconds=2 * 3600,
        citizen_seconds=6 * 3600,
        statutory_seconds=16 * 3600,
        timed=1,
    )
    times = selectors.times_of(Figures.of(tally, Tally()))
    # The clock's time includes integration time: the agency's own is what is left.
    assert times.agency == Fraction(4 * 3600)
    assert times.integration == Fraction(3600)
    assert times.citizen == Fraction(3 * 3600)
    assert times.statutory == Fraction(16 * 3600)
    nothing = selectors.times_of(Figures.of(Tally(received=1), Tally()))
    assert nothing == selectors.Times(None, None, None, None)


def test_to_process_drills_down_to_as_many_dossiers_as_it_counts(world):
    h = build(world)
    figures = selectors.figures_by(period=Period(date(2026, 11, 24), date(2026, 11, 30)))
    hk = world.hoan_kiem.pk
    behind = selectors.dossiers_behind(figure="to_process", period=NOVEMBER, agencies=[hk])
    assert {r.dossier_id for r in behind} == {h.late.pk, h.on_time.pk}
    # Received on the 20th, ended the 23rd: not to process from the 24th on.
    later = selectors.dossiers_behind(
        figure="to_process", period=Period(date(2026, 11, 24), date(2026, 11, 30)), agencies=[hk]
    )
    assert [r.dossier_id for r in later] == [h.on_time.pk]
    assert later.count() == figures[hk].to_process


def test_due_soon_lists_open_running_dossiers_due_in_the_window(world):
    h = build(world)
    justice = [world.justice.pk]
    found = selectors.due_soon(
        agencies=justice, now=at("2026-12-07 10:00"), until=at("2026-12-08 10:00")
    )
    assert [r.dossier_id for r in found] == [h.justice.pk]
    assert not selectors.due_soon(
        agencies=justice, now=at("2026-12-01 10:00"), until=at("2026-12-02 10:00")
    ).exists()
    # Another agency's dossier due then is not this scope's.
    assert not selectors.due_soon(
        agencies=[world.hoan_kiem.pk], now=at("2026-12-07 10:00"), until=at("2026-12-08 10:00")
    ).exists()


def test_officials_are_judged_only_on_the_steps_they_held(world):
    build(world)
    rows = {
        r.label: r for r in selectors.by_official(period=NOVEMBER, agencies=[world.hoan_kiem.pk])
    }
    assert set(rows) == {"Nguyễn Thị Lan", "Ngô Văn Đức", "Trịnh Văn Long"}
    duc = rows["Ngô Văn Đức"].counts
    assert (duc.steps, duc.late) == (2, 1)
    assert rows["Nguyễn Thị Lan"].counts.late == 0
    assert rows["Ngô Văn Đức"].detail == "Phòng Văn hóa - Xã hội"
    units = {
        r.label: r.counts.steps
        for r in selectors.by_unit(period=NOVEMBER, agencies=[world.hoan_kiem.pk])
    }
    assert units == {"Bộ phận Một cửa": 2, "Phòng Văn hóa - Xã hội": 2, "Lãnh đạo": 2}


def test_bottlenecks_name_steps_as_the_newest_version_does(world):
    build(world)
    newer = ProcedureVersion.objects.create(
        procedure=world.birth,
        version=2,
        effective_from=date(2027, 1, 1),
        competent="commune",
        time_limit=0,
        time_limit_unit="same_day",
        fee=0,
    )
    for i, name in enumerate(["Tiếp nhận", "Thẩm định hồ sơ", "Ký duyệt"]):
        StepTemplate.objects.create(
            version=newer, order=i + 1, name=name, agency_ref="competent",
            unit_code="van-hoa-xa-hoi", role="specialist", allotment=1,
        )  # fmt: skip
    rows = selectors.bottlenecks(period=NOVEMBER, agencies=[world.hoan_kiem.pk])
    assert [r.label for r in rows] == ["Thẩm định hồ sơ", "Ký duyệt", "Tiếp nhận"]
    assert rows[0].counts.overrun_seconds > 0 and rows[1].counts.overrun_seconds == 0


def test_an_agency_outside_the_scope_is_not_found_like_a_missing_one(world):
    scope = selectors.scope_of(world.long)
    assert selectors.agency_in_scope(scope=scope, code="h26.100") == world.hoan_kiem
    for code in ("H26.101", "H26.32", "NO.SUCH"):
        with pytest.raises(NotFound, match="Không tìm thấy cơ quan"):
            selectors.agency_in_scope(scope=scope, code=code)


def test_the_attribution_blames_the_step_held_past_its_allotment(world):
    h = build(world)
    scope = selectors.scope_of(world.long)
    a = selectors.dossier_attribution(scope=scope, pk=h.late.pk, now=at("2026-11-25 09:00"))
    assert [s.holder for s in a.steps] == ["Nguyễn Thị Lan", "Ngô Văn Đức", "Trịnh Văn Long"]
    blamed = [s for s in a.steps if s.responsible]
    assert [s.name for s in blamed] == ["Thẩm định"]
    # Half a day allotted (4 h); held 20/11 08:45 to 23/11 10:00: 8 h 15 min of office time
    # on Friday, 2 h on Monday.
    assert blamed[0].allotted_seconds == 4 * 3600
    assert blamed[0].held_seconds == (7 * 3600 + 15 * 60) + 2 * 3600
    assert a.blamed_overrun == blamed[0].held_seconds - 4 * 3600
    assert a.responsible_agency == world.hoan_kiem
    on_time = selectors.dossier_attribution(scope=scope, pk=h.on_time.pk, now=at("2026-11-25"))
    assert on_time.responsible_agency is None and not any(s.responsible for s in on_time.steps)
    with pytest.raises(NotFound):
        selectors.dossier_attribution(scope=scope, pk=h.ba_dinh.pk, now=at("2026-11-25"))


def test_worst_first_reverses_the_ranked_and_keeps_the_unscored_last():
    rows = [
        selectors.AgencyScore(agency=name, figures=None, index=None, rank=rank)  # type: ignore[arg-type]
        for name, rank in [("a", 1), ("b", 2), ("c", None)]
    ]
    assert [r.agency for r in ordered(rows, worst_first=True)] == ["b", "a", "c"]
    assert [r.agency for r in ordered(rows, worst_first=False)] == ["a", "b", "c"]
