"""PostgreSQL: the event log, the hand-over rows and the read log, the feedback items' log and
the payment providers' callbacks become append-only for the application's role (`motcua audit
lockdown`, run by a superuser; docs/audit.md).

Which tables: each app names its append-only models in its AppConfig (`append_only`, model
names of that app), looked up here through the app registry, so no app's models are imported
by another and an app added later declares its own.

Two locks, each enough alone: the tables pass to an owner role the application is not a member
of, and the application keeps only SELECT and INSERT on them (no UPDATE, DELETE, TRUNCATE);
and a trigger owned by that owner raises on any UPDATE, DELETE or TRUNCATE, whoever tries
(only the table's owner or a superuser can drop it). Idempotent: run it again after
migrations.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.db import connection, models

_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
FUNCTION = "motcua_append_only"


def append_only_models() -> list[type[models.Model]]:
    """The models every installed app declares append-only (`AppConfig.append_only`)."""
    return [
        apps.get_model(config.label, name)
        for config in apps.get_app_configs()
        for name in getattr(config, "append_only", ())
    ]


def lockdown(*, app_role: str, owner: str) -> list[str]:
    """Apply the locks in the current transaction; return the statements run."""
    append_only = append_only_models()
    for role in (app_role, owner):
        if not _ROLE.fullmatch(role):
            raise ValueError(f"Tên vai trò không hợp lệ: {role!r}")
    if app_role == owner:
        raise ValueError("Vai trò sở hữu phải khác vai trò của ứng dụng.")
    q = connection.ops.quote_name
    statements = [
        # Foreign keys checked now: a table with checks pending cannot change owner.
        "SET CONSTRAINTS ALL IMMEDIATE",
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{owner}') "
        f"THEN CREATE ROLE {q(owner)} NOLOGIN; END IF; END $$",
        # The trigger's function: owned by the owner, so the application cannot replace it.
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'motcua: % on % is not allowed: the table is append-only', "
        "TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END $$",
        f"ALTER FUNCTION {FUNCTION}() OWNER TO {q(owner)}",
        f"REVOKE ALL ON FUNCTION {FUNCTION}() FROM PUBLIC",
    ]
    for model in append_only:
        table = q(model._meta.db_table)
        row_trigger = q(f"{model._meta.db_table}_append_only")
        truncate_trigger = q(f"{model._meta.db_table}_no_truncate")
        statements += [
            f"ALTER TABLE {table} OWNER TO {q(owner)}",
            f"REVOKE ALL ON {table} FROM PUBLIC",
            f"REVOKE ALL ON {table} FROM {q(app_role)}",
            f"GRANT SELECT, INSERT ON {table} TO {q(app_role)}",
            f"DROP TRIGGER IF EXISTS {row_trigger} ON {table}",
            f"CREATE TRIGGER {row_trigger} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
            f"DROP TRIGGER IF EXISTS {truncate_trigger} ON {table}",
            f"CREATE TRIGGER {truncate_trigger} BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
        ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        for model in append_only:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
            row = cursor.fetchone()
            if row and row[0]:
                grant = f"GRANT USAGE, SELECT ON SEQUENCE {row[0]} TO {q(app_role)}"
                cursor.execute(grant)
                statements.append(grant)
        cursor.execute(
            "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = current_schema()"
        )
        row = cursor.fetchone()
    if row and row[0] == app_role:
        statements.append(
            f"-- CẢNH BÁO: {app_role} sở hữu schema hiện tại nên vẫn có thể DROP các bảng; "
            f"chuyển quyền sở hữu schema: ALTER SCHEMA ... OWNER TO {owner}"
        )
    return statements
