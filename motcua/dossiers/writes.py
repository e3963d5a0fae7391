"""Writing one dossier change: the rows a handler's `Change` comes to, in one round trip.

Only `motcua.dossiers.services` calls this module; handlers never see it. An action is one
compare-and-set UPDATE of the dossier's changed columns, guarded by its version, then the
rows it appends: the hand-over that ended (form 06), the apology letter, the event, the
citizen's message. All in the caller's transaction.

Plain SQL built from the models' metadata, because `bench/transitions.py` measured the ORM's
compilers (QuerySet.update, bulk_create) at more than the whole rest of an action; and sent
back to back in psycopg's pipeline mode on PostgreSQL, so that an action is one round trip
between BEGIN and COMMIT (bench/README.md has the figures). Only column names from the models
go into the text; every value is a parameter.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.db import DatabaseError, DataError, connection
from django.db.models import Field, Model

from motcua.core import codes
from motcua.core.errors import ConflictError, _
from motcua.dossiers.cursors import one_row, prepared_cursor
from motcua.dossiers.models import (
    ApologyLetter,
    DailySequence,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierScan,
    DossierStep,
)

if TYPE_CHECKING:
    from motcua.notify.models import OutboxMessage

Statement = tuple[str, list[Any]]


# What an action may change (by attribute name, so foreign keys compare as ids).
_PROJECTION = [
    f.attname
    for f in Dossier._meta.concrete_fields
    if not f.primary_key
    and not f.generated
    and f.name not in ("created_at", "tracking_secret", "idempotency_key")
]
# What the database derives from the status (the group flags the partial indexes name): never
# written here, and forgotten by the object when the status changes, to be read again if asked.
DERIVED = frozenset(f.attname for f in Dossier._meta.concrete_fields if f.generated)
# SQLSTATE division_by_zero: how the pipelined compare-and-set says it matched no row.
_LOST_RACE = "22012"


def create(
    dossier: Dossier,
    *,
    documents: Sequence[DossierDocument],
    event: Callable[[Dossier], DossierEvent],
    messages: Callable[[Dossier, DossierEvent], Sequence[OutboxMessage]],
) -> None:
    """Insert a new dossier with its papers, first event and the messages it sends.

    The event hashes the dossier's id, known once the row exists; the chain's head is then
    written back to the row, which is this transaction's own (no compare-and-set needed, and
    as neither column is indexed PostgreSQL updates it within its page).
    """
    dossier.pk = _insert_returning_id(dossier)
    first = event(dossier)
    dossier.chain_head = first.hash
    for document in documents:
        document.dossier_id = dossier.pk
    outgoing = messages(dossier, first)
    _run(
        [
            *([_insert(DossierDocument, documents)] if documents else []),
            _insert(DossierEvent, [first]),
            _update_by_pk(dossier, ["chain_head"]),
            *([_insert(type(outgoing[0]), outgoing, ignore_conflicts=True)] if outgoing else []),
        ]
    )


def update(
    before: Dossier,
    after: Dossier,
    *,
    expected: int,
    finished: DossierStep | None,
    letter: ApologyLetter | None,
    letter_signed: ApologyLetter | None,
    event: DossierEvent,
    letter_closed: ApologyLetter | None = None,
    messages: Sequence[OutboxMessage],
) -> None:
    """Write one action: the compare-and-set first, the rows it guards behind it (the
    hand-over that ended, the apology letter drafted, signed or closed, the event, the
    messages it sends: the citizen's, and those of the systems that follow the dossier).

    The compare-and-set also takes the row lock, so what was decided from the dossier at
    `expected` still holds when it wins; when it matches no row, someone else changed the
    dossier first, nothing else is written, and the caller gets a ConflictError.
    """
    changed = {
        name: getattr(after, name)
        for name in _PROJECTION
        if getattr(after, name) != getattr(before, name)
    }
    if "status" in changed:
        for name in DERIVED:
            after.__dict__.pop(name, None)
    statements = [
        *([_insert(DossierStep, [finished])] if finished is not None else []),
        *([_insert(ApologyLetter, [letter])] if letter is not None else []),
        *(
            [
                _update_by_pk(
                    letter_signed,
                    [
                        "approved_at",
                        "approved_by_id",
                        "sign_timing",
                        "new_due_at",
                        "signer_name",
                        "signer_title",
                        "reason",
                    ],
                )
            ]
            if letter_signed is not None
            else []
        ),
        *(
            [_update_by_pk(letter_closed, ["closed_at", "closed_reason"])]
            if letter_closed is not None
            else []
        ),
        _insert(DossierEvent, [event]),
        *([_insert(type(messages[0]), messages, ignore_conflicts=True)] if messages else []),
    ]
    # The compare-and-set goes first, in the same pipeline as the writes it guards. When it
    # loses, it fails on the server, which then skips everything queued behind it.
    with prepared_cursor() as cursor:
        try:
            with _pipelined() as pipelined:
                cursor.execute(*_compare_and_set(after, changed, expected, or_fail=pipelined))
                if not pipelined and cursor.rowcount != 1:
                    raise conflict(after)
                for sql, params in statements:
                    cursor.execute(sql, params)
        except DataError as exc:
            if getattr(exc.__cause__, "sqlstate", None) == _LOST_RACE:
                raise conflict(after) from None
            raise


def add_papers(
    dossier: Dossier,
    documents: Sequence[DossierDocument],
    scans: Sequence[tuple[int, DossierScan]],
) -> None:
    """Insert papers received and the scans of some of them (`(index into documents, scan)`):
    the papers with their ids returned, then the scans that refer to them."""
    for document in documents:
        document.dossier_id = dossier.pk
    created = DossierDocument.objects.bulk_create(documents)
    for index, scan in scans:
        scan.document_id = created[index].pk
    if scans:
        DossierScan.objects.bulk_create([scan for _index, scan in scans])


def next_dossier_code(agency_code: str, day: date) -> str:
    """The agency's next dossier code for its local day: one atomic upsert, whose row stays
    locked until the transaction ends, so receptions in parallel never share a number."""
    with prepared_cursor() as cursor:
        cursor.execute(
            "INSERT INTO dossiers_dailysequence (agency_code, day, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (agency_code, day) DO UPDATE SET last = dossiers_dailysequence.last + 1 "
            "RETURNING last",
            [agency_code, _prep(DailySequence, "day", day)],
        )
        (seq,) = one_row(cursor)
    return codes.format_dossier_code(agency_code, day, seq)


def conflict(dossier: Dossier) -> ConflictError:
    """The error of a lost compare-and-set."""
    return ConflictError(
        _("Hồ sơ vừa được người khác cập nhật. Vui lòng xem trạng thái mới và thao tác lại."),
        code=dossier.code,
    )


# ---------------------------------------------------------------------------------------------
# Statements


def _compare_and_set(
    dossier: Dossier, changed: dict[str, Any], expected: int, *, or_fail: bool
) -> Statement:
    """The UPDATE of the changed columns if the row is still at `expected` (1 row, else 0).

    With `or_fail` (PostgreSQL, pipelined) the statement fails instead of matching no row:
    the row count is known only at the pipeline's end, and the writes behind a lost race
    must not run.
    """
    sets, values = _assignments(Dossier, changed.items())
    sql = f"UPDATE dossiers_dossier SET {sets} WHERE id = %s AND version = %s"  # noqa: S608
    if or_fail:
        sql = f"WITH cas AS ({sql} RETURNING 1) SELECT 1 / count(*) FROM cas"  # noqa: S608
    return sql, [*values, dossier.pk, expected]


def _assignments(model: type[Model], items: Iterable[tuple[str, Any]]) -> tuple[str, list[Any]]:
    """`col = %s, …` for fields by name or attname, with their values as the ORM saves them."""
    sets, values = [], []
    for name, value in items:
        f = _field(model, name)
        sets.append(f"{connection.ops.quote_name(f.column)} = %s")
        values.append(f.get_db_prep_save(value, connection))
    return ", ".join(sets), values


def _prep(model: type[Model], name: str, value: Any) -> Any:
    return _field(model, name).get_db_prep_save(value, connection)


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    """A concrete field by name or attname (relations and generic keys have no column)."""
    return cast("Field[Any, Any]", model._meta.get_field(name))


def _insert(
    model: type[Model], rows: Sequence[Model], *, ignore_conflicts: bool = False
) -> Statement:
    """INSERT new rows of one model, each value converted as the ORM would; no ids returned."""
    fields, sql = _insert_sql(model)
    marks = f", ({', '.join(['%s'] * len(fields))})"
    values = [f.get_db_prep_save(f.pre_save(row, True), connection) for row in rows for f in fields]
    # Both PostgreSQL and SQLite (3.24+) accept ON CONFLICT DO NOTHING.
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    return sql + marks * (len(rows) - 1) + tail, values


def _insert_returning_id(row: Model) -> int:
    """INSERT one new row and return its id; the instance then counts as saved, as after
    `save()` (for validation and forms that get it later)."""
    sql, values = _insert(type(row), [row])
    with prepared_cursor() as cursor:
        cursor.execute(f"{sql} RETURNING id", values)  # PostgreSQL, and SQLite since 3.35
        (pk,) = one_row(cursor)
    row._state.adding = False
    row._state.db = connection.alias
    return int(pk)


def _update_by_pk(row: Model, names: Sequence[str]) -> Statement:
    """UPDATE some fields of a row this transaction owns or has locked."""
    sets, values = _assignments(type(row), ((n, getattr(row, n)) for n in names))
    return f"UPDATE {row._meta.db_table} SET {sets} WHERE id = %s", [*values, row.pk]  # noqa: S608


@functools.cache
def _insert_sql(model: type[Model]) -> tuple[list[Field[Any, Any]], str]:
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return fields, f"INSERT INTO {meta.db_table} ({columns}) VALUES ({marks})"  # noqa: S608


# ---------------------------------------------------------------------------------------------
# Pipelining


def _run(statements: Iterable[Statement]) -> None:
    """Execute writes whose answers nobody reads, on one cursor, pipelined on PostgreSQL."""
    with prepared_cursor() as cursor, _pipelined():
        for sql, params in statements:
            cursor.execute(sql, params)


@contextlib.contextmanager
def _pipelined() -> Iterator[bool]:
    """Send statements back to back (psycopg's pipeline mode); True if pipelining.

    PostgreSQL works through each statement while Python prepares the next, instead of one
    round trip per statement. Errors surface when the block ends and the results are read:
    still inside the caller's transaction, which rolls back as before, and as Django's
    exceptions (the first error, not the "pipeline aborted" of the statements it made the
    server skip). Other databases (SQLite) run the statements one by one.
    """
    if connection.vendor != "postgresql" or connection.connection is None:
        yield False
        return
    first: DatabaseError | None = None
    try:
        with connection.wrap_database_errors, connection.connection.pipeline():
            try:
                yield True
            except DatabaseError as exc:
                # An error came back while later statements were still being sent: let the
                # pipeline finish first, or psycopg logs the end's report as a second error.
                first = exc
    except DatabaseError:
        if first is None:
            raise
    if first is not None:
        raise first
