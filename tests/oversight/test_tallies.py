"""The tallies dashboards read equal, exactly, what the raw events give on the demo data.

The refresh keeps the tallies from the projection, a batch at a time; the check recomputes
every row from the events alone (`records.facts_from_events`) and sums it from scratch.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from motcua.core.indicators import Figures, Period, Tally, index, month_start
from motcua.dossiers import records
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.feedback.selectors import ratings_for
from motcua.organization.models import Agency
from motcua.organization.selectors import calendar_for_id
from motcua.oversight import selectors, services
from motcua.oversight.models import AgencyTally, Cursor, DossierTally, StepTally
from motcua.payments.selectors import payment_facts

COUNTERS = {
    AgencyTally: ("a", ("agency_id", "procedure_id")),
    StepTally: ("s", ("agency_id", "unit_id", "holder_id", "procedure_id", "step_index")),
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("m")):
        call_command("demo", dossiers=120, no_serve=True, stdout=io.StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)


def stored() -> dict[tuple, dict[str, int]]:
    """Every tally row's non-zero counters, by its key."""
    out = {}
    for model, (table, key) in COUNTERS.items():
        counters = [
            f.name
            for f in model._meta.fields
            if f.name not in ("id", "grain", "day", *key, *(k.removesuffix("_id") for k in key))
        ]
        for row in model.objects.values("grain", "day", *key, *counters):
            counts = {c: row[c] for c in counters if row[c]}
            if counts:
                out[(table, row["grain"], row["day"], *(row[k] for k in key))] = counts
    return out


def from_events() -> dict[tuple, dict[str, int]]:
    """The same rows summed from scratch from the events."""
    ids = list(Dossier.objects.values_list("pk", flat=True))
    ratings, payments = ratings_for(ids), payment_facts(ids)
    deltas: dict = {}
    for f in records.facts_from_events(ids):
        parts = services.dossier_parts(
            f, ratings.get(f.id), payments.get(f.id), calendar_for_id(f.place_id)
        )
        services._merge(parts, +1, deltas)
    return {k: {c: n for c, n in v.items() if n} for k, v in deltas.items() if any(v.values())}


@pytest.mark.django_db
def test_the_projection_and_the_events_give_the_same_records(demo):
    ids = list(Dossier.objects.values_list("pk", flat=True))
    projected = {f.id: f for f in records.facts_from_projection(ids)}
    rebuilt = {f.id: f for f in records.facts_from_events(ids)}
    assert len(projected) > 100
    assert projected == rebuilt


@pytest.mark.django_db
def test_the_demo_is_tallied_exactly_as_its_events_say(demo):
    want = from_events()
    assert stored() == want
    # The demo's history is varied enough for the check to mean something.
    totals: dict[str, int] = defaultdict(int)
    for key, counts in want.items():
        if key[0] == "a" and key[1] == "d":
            for c, n in counts.items():
                totals[c] += n
    for counter in ("received", "finished", "early", "late", "late_open_delta", "ratings"):
        assert totals[counter] > 0, counter
    assert (
        totals["open_delta"]
        == Dossier.objects.filter(received_at__isnull=False, finished_at__isnull=True).count()
    )


@pytest.mark.django_db
def test_the_refresh_keeps_it_exact_batch_by_batch(demo):
    """From empty tallies, small batches over the whole log come to the same rows."""
    AgencyTally.objects.all().delete()
    StepTally.objects.all().delete()
    DossierTally.objects.all().delete()
    Cursor.objects.all().delete()
    now = timezone.now()
    passes = 0
    while True:
        report = services.tallies_refresh(now=now, batch=97)
        if report.waiting:  # a gap in the ids (a rolled-back write, or ids before this
            now += services.GAP_WAIT + timedelta(seconds=1)  # database's first): passed later
        if not report.events:
            break
        passes += 1
        assert passes < 10_000
    assert passes > 5
    assert stored() == from_events()
    # Nothing new: another pass changes nothing.
    assert services.tallies_refresh(now=now).dossiers == 0
    assert Cursor.objects.get(name="events").position == DossierEvent.objects.latest("pk").pk


@pytest.mark.django_db
def test_a_tampered_tally_is_caught_by_the_check(demo):
    services.tallies_rebuild()
    row = AgencyTally.objects.filter(grain="m", received__gt=0).first()
    row.received += 1
    row.save()
    assert stored() != from_events()
    services.tallies_rebuild()
    assert stored() == from_events()


def test_a_gap_in_the_ids_is_waited_for_then_passed_over():
    now = timezone.now()
    later = now + timedelta(seconds=30)
    cursor = Cursor(name="events", position=10)
    services._read(cursor, [(11, 1), (12, 1), (14, 2)], now)
    assert (cursor.position, set(cursor.gaps)) == (12, {"13"})
    # Seen again within the wait: still waiting, and the events after it read again.
    services._read(cursor, [(14, 2), (15, 3), (17, 1)], later)
    assert (cursor.position, set(cursor.gaps)) == (12, {"13", "16"})
    assert cursor.gaps["13"] == now.isoformat() and cursor.gaps["16"] == later.isoformat()
    services._read(cursor, [(13, 5), (14, 2), (15, 3), (17, 1)], later)
    assert (cursor.position, set(cursor.gaps)) == (15, {"16"})
    # A gap that never fills (a rolled-back transaction) is passed over after its own wait,
    # and a later gap waits its own.
    services._read(cursor, [(17, 1), (19, 1)], now + services.GAP_WAIT + timedelta(seconds=1))
    assert (cursor.position, set(cursor.gaps)) == (15, {"16", "18"})
    services._read(cursor, [(17, 1), (19, 1)], later + services.GAP_WAIT + timedelta(seconds=1))
    assert (cursor.position, set(cursor.gaps)) == (17, {"18"})


def by_period(want, period, agency):
    """A period's figures for one agency summed by hand from the recount's day rows."""
    inside, before = Tally(), Tally()
    for key, counts in want.items():
        if key[0] != "a" or key[1] != "d" or key[3] != agency:
            continue
        tally = Tally(**counts)
        if period.first <= key[2] <= period.last:
            inside.add(tally)
        elif key[2] < period.first:
            before.add(tally)
    return Figures.of(inside, before)


@pytest.mark.django_db
def test_every_figure_of_any_period_equals_the_events_and_drills_down_to_its_dossiers(demo):
    services.tallies_rebuild()
    want = from_events()
    days = sorted({k[2] for k in want if k[0] == "a"})
    # A period with part months at both ends, and one of whole months.
    periods = [
        Period(days[len(days) // 5], days[-len(days) // 5]),
        Period(month_start(days[0]), days[-1].replace(day=1) - timedelta(days=1)),
    ]
    checked = 0
    for period in periods:
        got = selectors.figures_by(period=period)
        for agency, figures in got.items():
            assert figures == by_period(want, period, agency)
            for figure in selectors.FIGURES:
                behind = selectors.dossiers_behind(figure=figure, period=period, agencies=[agency])
                number = (
                    getattr(figures, figure)
                    if figure in ("open_end", "late_open_end")
                    else getattr(figures.period, figure)
                )
                assert behind.count() == number, (period, agency, figure)
                checked += number
            behind = selectors.dossiers_behind(
                figure="to_process", period=period, agencies=[agency]
            )
            assert behind.count() == figures.to_process, (period, agency)
    assert checked > 200


def step_numbers(counts):
    return {"steps": counts.steps, "steps_in_time": counts.early + counts.on_time,
            "steps_late": counts.late}  # fmt: skip


@pytest.mark.django_db
def test_every_step_count_of_a_unit_or_official_drills_down_to_its_steps(demo):
    services.tallies_rebuild()
    want = from_events()
    days = sorted({k[2] for k in want if k[0] == "s"})
    periods = [
        Period(days[len(days) // 5], days[-len(days) // 5]),
        Period(month_start(days[0]), days[-1]),
    ]
    checked = ratings = 0
    for period in periods:
        by_unit = selectors.steps_by(period=period, by=("agency_id", "unit_id"))
        for (agency, unit), counts in by_unit.items():
            for figure, number in step_numbers(counts).items():
                behind = selectors.steps_behind(
                    figure=figure, period=period, agencies=[agency], unit=unit
                )
                assert behind.count() == number, (period, agency, unit, figure)
                checked += number
        by_holder = selectors.steps_by(period=period, by=("agency_id", "holder_id", "unit_id"))
        for (agency, holder, unit), counts in by_holder.items():
            if not holder:
                continue  # the page lists only the officials named
            for figure, number in step_numbers(counts).items():
                behind = selectors.steps_behind(
                    figure=figure, period=period, agencies=[agency], unit=unit, holder=holder
                )
                assert behind.count() == number, (period, agency, holder, figure)
        ratings += sum(f.period.ratings for f in selectors.figures_by(period=period).values())
    assert checked > 100
    assert ratings > 5  # the ratings' drill-downs (in FIGURES) were exercised above too


@pytest.mark.django_db
def test_motcua_index_prints_the_indicators_recomputed_from_the_events(demo):
    services.tallies_rebuild()
    want = from_events()
    days = sorted({k[2] for k in want if k[0] == "a"})
    period = Period(days[0], days[-1])
    busiest = max(
        selectors.figures_by(period=period).items(), key=lambda kv: kv[1].period.received
    )[0]
    agency = Agency.objects.get(pk=busiest)
    out = io.StringIO()
    call_command(
        "index", agency=agency.code, first=str(period.first), last=str(period.last),
        as_json=True, stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    feedback = selectors.feedback_by(period=period, agencies=[busiest]).get(busiest)
    expected = index(by_period(want, period, busiest), *([feedback] if feedback else []))
    got = {i["code"]: i for i in data["indicators"]}
    for ind in expected.indicators:
        g = got[ind.code]
        assert (g["numerator"], g["denominator"]) == (ind.numerator, ind.denominator)
        exact = None
        if ind.score is not None:
            exact = {
                "value": round(float(ind.score), 4),
                "exact": f"{ind.score.numerator}/{ind.score.denominator}",
            }
        assert g["score"] == exact
    assert data["counts"]["received"] > 0
    assert data["class"] == expected.band and data["rank"] >= 1
    assert data["agency"]["code"] == agency.code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"agency": "NO.SUCH", "first": "2026-01-01", "last": "2026-12-31"}, "Không có cơ quan"),
        ({"agency": "H26", "first": "2026-12-31", "last": "2026-01-01"}, "Kỳ không hợp lệ"),
        ({"agency": "H26", "first": "31/12/2026", "last": "2026-12-31"}, "Kỳ không hợp lệ"),
    ],
)
def test_motcua_index_refuses_bad_arguments_plainly(demo, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("index", **args, stdout=io.StringIO())


@pytest.mark.django_db
def test_the_worker_catches_up_with_more_than_one_batch(demo, monkeypatch):
    AgencyTally.objects.all().delete()
    StepTally.objects.all().delete()
    DossierTally.objects.all().delete()
    Cursor.objects.all().delete()
    monkeypatch.setattr(services, "BATCH", 50)
    assert DossierEvent.objects.count() > 500
    now = timezone.now()
    last = DossierEvent.objects.latest("pk").pk
    for wait in range(1000):  # the ids have gaps: each is passed over after the wait
        services.tallies_catch_up(now=now + wait * (services.GAP_WAIT + timedelta(seconds=1)))
        if Cursor.objects.get(name="events").position == last:
            break
    assert Cursor.objects.get(name="events").position == last
    assert stored() == from_events()
