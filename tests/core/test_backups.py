"""The backup manifest's rules: digests, shape, schema and what counts as newer data."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from motcua.core import backups as rules
from motcua.core.backups import Table

WHEN = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        ([(1, "a")], [(1, "a")], True),
        ([(1, "a"), (2, "b")], [(2, "b"), (1, "a")], False),  # the order is the caller's
        ([(1, b"\x00\xff")], [(1, memoryview(b"\x00\xff"))], True),
        ([(1, WHEN)], [(1, WHEN.isoformat())], True),
        ([(1, {"b": 1, "a": 2})], [(1, {"a": 2, "b": 1})], True),
        ([(1, Decimal("1.50"))], [(1, Decimal("1.5"))], False),
        ([(1, None)], [(1, "")], False),
        ([(1, "a\n")], [(1, "a"), ()], False),  # a row's end is not a value's
    ],
)
def test_table_digest(left, right, same):
    assert (rules.table_digest(left).digest == rules.table_digest(right).digest) is same


def test_table_digest_counts_rows():
    assert rules.table_digest([(1,), (2,), (3,)]).rows == 3
    assert rules.table_digest([]) == Table(0, rules.table_digest(iter(())).digest)


GOOD = {
    "format": rules.FORMAT,
    "vendor": "sqlite",
    "dump": {"size": 10, "sha256": "ab"},
    "migrations": [["dossiers", "0001_initial"]],
    "tables": {"dossiers_dossier": {"rows": 3, "digest": "cd"}},
    "anchor": {"chains": []},
}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({}, None),
        ({"format": "motcua-backup/2"}, "định dạng 'motcua-backup/2'"),
        ({"vendor": "mysql"}, "hệ quản trị không rõ"),
        ({"dump": {"size": "10", "sha256": "ab"}}, "thiếu kích thước hoặc SHA-256"),
        ({"migrations": [["dossiers"]]}, "thiếu danh sách migration"),
        ({"tables": {"t": {"rows": 1}}}, "thiếu số dòng"),
        ({"anchor": None}, "thiếu mốc neo"),
    ],
)
def test_shape_problems(change, problem):
    found = rules.shape_problems({**GOOD, **change})
    assert found == [] if problem is None else any(problem in p for p in found)


def test_a_list_is_not_a_manifest():
    assert rules.shape_problems([]) == ["không phải bản kê của bản sao lưu"]


CODE = {("dossiers", "0001_initial"), ("dossiers", "0002_more")}


@pytest.mark.parametrize(
    ("backup", "problems"),
    [
        ([("dossiers", "0001_initial"), ("dossiers", "0002_more")], []),
        ([("dossiers", "0001_initial")], []),  # older: `migrate` after the restore
        (
            [("dossiers", "0001_initial"), ("dossiers", "0003_later")],
            ["bản sao lưu có migration mới hơn mã nguồn: dossiers.0003_later"],
        ),
    ],
)
def test_schema_problems(backup, problems):
    assert rules.schema_problems(backup, CODE) == problems


@pytest.mark.parametrize(
    ("live_tables", "live_heads", "problems"),
    [
        ({"t": Table(5, "x")}, {1: 3, 2: 1}, []),  # as backed up
        ({"t": Table(4, "y")}, {1: 2}, []),  # rows deleted, a tail cut: what restore is for
        ({"t": Table(5, "z")}, {1: 3, 2: 1}, []),  # rows changed
        ({"t": Table(5, "x")}, {1: 4, 2: 1}, ["1 hồ sơ có sự kiện mới hơn bản sao lưu"]),
        ({"t": Table(5, "x")}, {1: 3, 2: 1, 3: 1}, ["1 hồ sơ có sự kiện mới hơn bản sao lưu"]),
        ({"t": Table(6, "x")}, {1: 3}, ["bảng t có 6 dòng, bản sao lưu có 5"]),
        ({"t": Table(5, "x"), "u": Table(1, "")}, {}, ["bảng u có 1 dòng, bản sao lưu có 0"]),
        ({"t": Table(0, "")}, {}, []),  # an empty database
    ],
)
def test_newer_problems(live_tables, live_heads, problems):
    found = rules.newer_problems(
        backup_tables={"t": Table(5, "x")},
        live_tables=live_tables,
        backup_heads={1: 3, 2: 1},
        live_heads=live_heads,
    )
    assert found == problems


@pytest.mark.parametrize(
    ("restored", "problems"),
    [
        ({"t": Table(5, "x"), "u": Table(0, "e")}, []),
        ({"t": Table(5, "x")}, ["bảng u không có sau khi khôi phục"]),
        ({"t": Table(4, "x"), "u": Table(0, "e")}, ["bảng t: 4 dòng, bản sao lưu có 5"]),
        ({"t": Table(5, "y"), "u": Table(0, "e")}, ["bảng t: các dòng khác bản sao lưu"]),
    ],
)
def test_restored_problems(restored, problems):
    want = {"t": Table(5, "x"), "u": Table(0, "e")}
    assert rules.restored_problems(want, restored) == problems
