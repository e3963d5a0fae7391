"""The dossier table keeps few indexes (each one costs every action); the reads that matter
must still find their rows through them rather than by reading the whole table."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.db import connection

from motcua.dossiers.selectors import InboxFilters, dossier_inbox, online_queue
from motcua.paperwork.rendering import Period
from motcua.paperwork.selectors import ledger_dossiers
from tests.conftest import at


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("partial indexes and plans are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # tiny test tables: ask what is possible
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_seqscan")


def full_scan(queryset) -> bool:
    """Whether the plan reads dossiers_dossier whole: a sequential scan, or an index walked
    without a condition (what PostgreSQL does with enable_seqscan off and no usable index)."""

    def nodes(node):
        yield node
        for child in node.get("Plans", ()):
            yield from nodes(child)

    plan = json.loads(queryset.explain(format="json"))[0]["Plan"]
    return any(
        node.get("Relation Name") == "dossiers_dossier"
        and not (node.get("Index Cond") or node.get("Recheck Cond"))
        for node in nodes(plan)
        if node["Node Type"] != "Bitmap Index Scan"
    )


@pytest.mark.parametrize("person", ["lan", "duc", "son", "long", "tam", "kien", "minh", "mai"])
@pytest.mark.parametrize("scope", ["mine", "unit", "agency"])
def test_every_inbox_reads_through_an_index(world, person, scope):
    now = at("2026-11-25 09:00")
    qs, _counts = dossier_inbox(
        actor=getattr(world, person),
        filters=InboxFilters(scope=scope),
        now=now,
        today_end=now,
        soon=now + timedelta(days=2),
    )
    assert not full_scan(qs)


def test_the_online_queue_and_the_ledger_read_through_an_index(world):
    assert not full_scan(online_queue(actor=world.lan))
    period = Period(first=date(2026, 11, 1), last=date(2026, 11, 30))
    assert not full_scan(ledger_dossiers(actor=world.lan, period=period))


def access_indexes(queryset) -> set[str]:
    """The indexes the plan reads the read log (dossiers_dossieraccess) through; "whole" when
    it reads the table without any."""

    def nodes(node):
        yield node
        for child in node.get("Plans", ()):
            yield from nodes(child)

    plan = json.loads(queryset.explain(format="json"))[0]["Plan"]
    used = set()
    for node in nodes(plan):
        if node.get("Relation Name") == "dossiers_dossieraccess" or (
            node["Node Type"] == "Bitmap Index Scan"
            and node.get("Index Name", "").startswith(("access_", "dossiers_dossieraccess"))
        ):
            if node.get("Index Name"):
                used.add(node["Index Name"])
            elif node["Node Type"] not in ("Bitmap Heap Scan",):
                used.add("whole")
    return used


@pytest.mark.parametrize("grouped", ["reads", "reads_per_dossier", "reads_per_official"])
@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({"start": at("2026-11-19 00:00"), "end": at("2026-11-26 00:00")}, "access_by_time"),
        (
            {"user_id": 1, "start": at("2026-11-19 00:00"), "end": at("2026-11-26 00:00")},
            "access_by_user",
        ),
        ({"code": "H26.100-261125-0001"}, "dossiers_dossieraccess_dossier_id"),
    ],
    ids=["period", "official", "dossier"],
)
def test_the_oversight_screen_reads_the_log_through_its_index(world, grouped, filters, index):
    from motcua.dossiers import selectors

    used = access_indexes(getattr(selectors, grouped)(selectors.ReadFilters(**filters)))
    assert any(name.startswith(index) for name in used), used
    assert "whole" not in used
