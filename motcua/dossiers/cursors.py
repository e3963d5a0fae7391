"""The cursor for the statements run on every action or every citizen's refresh: bound and
prepared on the server, so that PostgreSQL neither parses nor plans them again.

Used by the write path (`writes.py`), the tracking page's lookup and the questions an action
asks on every call (`selectors.py`); business code never sees it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import psycopg
from django.db import connection

if TYPE_CHECKING:
    from django.db.models import QuerySet


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def execute(self, sql: str, params: Sequence[Any]) -> object: ...
    def fetchone(self) -> tuple[Any, ...] | None: ...


def one_row(cursor: Cursor) -> tuple[Any, ...]:
    """The one row a statement returns."""
    row = cursor.fetchone()
    assert row is not None
    return row


class _Prepared:
    """A psycopg cursor whose statements are bound and prepared on the server."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def execute(self, sql: str, params: Sequence[Any]) -> object:
        if not connection.queries_logged:
            return self._cursor.execute(sql, params, prepare=True)
        # Logged like Django's own cursors' (DEBUG, tests counting queries), for the record.
        started = time.monotonic()
        try:
            return self._cursor.execute(sql, params, prepare=True)
        finally:
            connection.queries_log.append(
                {"sql": f"{sql} -- {list(params)!r}", "time": f"{time.monotonic() - started:.3f}"}
            )

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._cursor.fetchone()


@contextlib.contextmanager
def prepared_cursor() -> Iterator[Cursor]:
    """A cursor for statements run again and again, in the caller's transaction if any.

    On PostgreSQL, a psycopg cursor that sends the values apart from the statement and
    prepares each statement text once per connection (settings.py lets the connection
    prepare): the server then neither parses nor plans them again, which was a third of its
    time per action (bench/README.md). psycopg forgets every prepared statement of a
    connection at each ROLLBACK, so their worth holds while refused actions stay rare. Django's
    own cursors bind on the client (the default), and these statements do not go through
    Django's execute wrappers. Errors are Django's, as from any cursor. Other databases use
    Django's cursor.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
        yield _Prepared(cursor)


def exists(queryset: QuerySet[Any]) -> bool:
    """Whether the queryset finds a row, asked on the prepared cursor: the ORM writes the
    statement (the same text whatever the values, which are parameters), and PostgreSQL plans
    it once per connection rather than on every call, where planning cost seven times the
    lookup itself (bench/README.md)."""
    sql, params = queryset.values("pk")[:1].query.sql_with_params()
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None
