"""The database's own guard on the ledger: SQL triggers, per vendor, installed by migration 0002.

What the triggers enforce, whatever code (ORM, raw SQL, admin, a database shell) runs the statement:

* ``ledger_ledgerentry`` and ``ledger_periodlock`` are append-only: every row-level UPDATE and DELETE
  is refused with an integrity error ("… is append-only …"). A correction is a reversal entry.
* a reversal negates exactly the entry it reverses (same subject, period, policy, version and rule;
  points and amount negated), and a reversal is never reversed itself;
* no entry is added for a period and policy once it is published (a ``ledger_periodlock`` row).

Tests and ``manage.py flush`` empty every table between transactional tests. PostgreSQL does that with
TRUNCATE, which row-level triggers do not see, so it needs nothing. SQLite has no TRUNCATE: Django's
flush runs ``DELETE FROM`` on each table. So on SQLite the DELETE triggers let rows go while the
one-row table ``ledger_maintenance`` says ``allow_flush = 1``, and only the ledger's ``flush`` command
(youfu/ledger/management/commands/flush.py) sets it — on a test database only, and inside the flush's
own transaction, so no other connection ever sees the flag up. ``ledger_maintenance`` is not a Django
model: flush does not empty it, and the flag row survives every flush.

The guard stops application code, bugs and casual edits. It does not stop whoever owns the database:
on PostgreSQL give the application's role no TRUNCATE on the ledger tables and no right to drop
triggers; an SQLite file's owner can do anything to it.

Caution for later migrations: on SQLite, Django alters a table by building a copy and dropping the
original, which drops its triggers. A migration that alters LedgerEntry or PeriodLock must call
``install`` again (after ``remove``); ``test_guard_triggers_are_installed`` fails until it does.
"""

# ruff: noqa: S608  (every statement here is built from this module's constants, never from input)

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

ENTRY_TABLE = "ledger_ledgerentry"
LOCK_TABLE = "ledger_periodlock"
MAINTENANCE_TABLE = "ledger_maintenance"

APPEND_ONLY = "%s is append-only: %s refused (a correction is a reversal entry)"
PUBLISHED = "the period is published for this policy: no entry can be added to it"
BAD_REVERSAL = (
    "a reversal must negate an existing entry that is not itself a reversal "
    "(same subject, period, policy, version and rule)"
)

# What a reversal must share with the entry it reverses ("o" the original, "NEW" the reversal).
_SAME = (
    "o.subject_role = NEW.subject_role AND o.person_id {same} NEW.person_id"
    " AND o.unit_id {same} NEW.unit_id AND o.unit_path = NEW.unit_path"
    " AND o.period_id = NEW.period_id AND o.policy = NEW.policy"
    " AND o.policy_version = NEW.policy_version AND o.rule = NEW.rule"
    " AND o.points = -NEW.points AND o.amount = -NEW.amount AND o.reverses_id IS NULL"
)

SQLITE_TRIGGERS = {
    "ledger_entry_no_update": f"""
        CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON {ENTRY_TABLE}
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY % (ENTRY_TABLE, "UPDATE")}'); END""",
    "ledger_entry_no_delete": f"""
        CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON {ENTRY_TABLE}
        WHEN coalesce((SELECT allow_flush FROM {MAINTENANCE_TABLE} WHERE id = 1), 0) <> 1
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY % (ENTRY_TABLE, "DELETE")}'); END""",
    "ledger_lock_no_update": f"""
        CREATE TRIGGER ledger_lock_no_update BEFORE UPDATE ON {LOCK_TABLE}
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY % (LOCK_TABLE, "UPDATE")}'); END""",
    "ledger_lock_no_delete": f"""
        CREATE TRIGGER ledger_lock_no_delete BEFORE DELETE ON {LOCK_TABLE}
        WHEN coalesce((SELECT allow_flush FROM {MAINTENANCE_TABLE} WHERE id = 1), 0) <> 1
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY % (LOCK_TABLE, "DELETE")}'); END""",
    "ledger_entry_check_insert": f"""
        CREATE TRIGGER ledger_entry_check_insert BEFORE INSERT ON {ENTRY_TABLE}
        BEGIN
            SELECT RAISE(ABORT, '{PUBLISHED}') WHERE EXISTS (
                SELECT 1 FROM {LOCK_TABLE} l WHERE l.period_id = NEW.period_id AND l.policy = NEW.policy);
            SELECT RAISE(ABORT, '{BAD_REVERSAL}') WHERE NEW.reverses_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM {ENTRY_TABLE} o WHERE o.id = NEW.reverses_id AND {_SAME.format(same="IS")});
        END""",
}

SQLITE_INSTALL = [
    f"CREATE TABLE {MAINTENANCE_TABLE} ("
    " id integer NOT NULL PRIMARY KEY CHECK (id = 1), allow_flush bool NOT NULL DEFAULT 0)",
    f"INSERT INTO {MAINTENANCE_TABLE} (id, allow_flush) VALUES (1, 0)",
    *SQLITE_TRIGGERS.values(),
]
SQLITE_REMOVE = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    f"DROP TABLE IF EXISTS {MAINTENANCE_TABLE}",
]

# ERRCODE 23000 (integrity_constraint_violation): psycopg and Django raise IntegrityError, as SQLite's
# RAISE(ABORT) does, so callers and tests see one exception type on both databases.
POSTGRESQL_FUNCTIONS = {
    "ledger_refuse_change": """
        CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused (a correction is a reversal entry)',
                TG_TABLE_NAME, TG_OP USING ERRCODE = 'integrity_constraint_violation';
        END;
        $$""",
    "ledger_check_insert": f"""
        CREATE FUNCTION ledger_check_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM {LOCK_TABLE} l
                       WHERE l.period_id = NEW.period_id AND l.policy = NEW.policy) THEN
                RAISE EXCEPTION '{PUBLISHED}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF NEW.reverses_id IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM {ENTRY_TABLE} o
                WHERE o.id = NEW.reverses_id AND {_SAME.format(same="IS NOT DISTINCT FROM")}) THEN
                RAISE EXCEPTION '{BAD_REVERSAL}' USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END;
        $$""",
}
POSTGRESQL_TRIGGERS = {
    "ledger_entry_append_only": f"""
        CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON {ENTRY_TABLE}
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    "ledger_lock_append_only": f"""
        CREATE TRIGGER ledger_lock_append_only BEFORE UPDATE OR DELETE ON {LOCK_TABLE}
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    "ledger_entry_check_insert": f"""
        CREATE TRIGGER ledger_entry_check_insert BEFORE INSERT ON {ENTRY_TABLE}
        FOR EACH ROW EXECUTE FUNCTION ledger_check_insert()""",
}
POSTGRESQL_INSTALL = [*POSTGRESQL_FUNCTIONS.values(), *POSTGRESQL_TRIGGERS.values()]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS ledger_entry_append_only ON {ENTRY_TABLE}",
    f"DROP TRIGGER IF EXISTS ledger_lock_append_only ON {LOCK_TABLE}",
    f"DROP TRIGGER IF EXISTS ledger_entry_check_insert ON {ENTRY_TABLE}",
    *(f"DROP FUNCTION IF EXISTS {name}()" for name in POSTGRESQL_FUNCTIONS),
]


def _statements(vendor: str, *, installing: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_INSTALL if installing else SQLITE_REMOVE
    if vendor == "postgresql":
        return POSTGRESQL_INSTALL if installing else POSTGRESQL_REMOVE
    raise NotImplementedError(
        f"the ledger's append-only guard is written for SQLite and PostgreSQL, not {vendor}"
    )


def install(apps: Any, schema_editor: Any) -> None:
    """RunPython forward: create the guard for the connection's vendor."""
    for sql in _statements(schema_editor.connection.vendor, installing=True):
        schema_editor.execute(sql, params=None)


def remove(apps: Any, schema_editor: Any) -> None:
    """RunPython backward: drop the guard."""
    for sql in _statements(schema_editor.connection.vendor, installing=False):
        schema_editor.execute(sql, params=None)


def trigger_names(connection: BaseDatabaseWrapper) -> set[str]:
    """The ledger triggers present in the database (a test compares them with the expected ones)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger"
                " WHERE NOT tgisinternal AND tgrelid IN (%s::regclass, %s::regclass)",
                [ENTRY_TABLE, LOCK_TABLE],
            )
        return {row[0] for row in cursor.fetchall() if row[0].startswith("ledger_")}


def expected_trigger_names(connection: BaseDatabaseWrapper) -> set[str]:
    return set(SQLITE_TRIGGERS if connection.vendor == "sqlite" else POSTGRESQL_TRIGGERS)


@contextmanager
def flush_allowed(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Let the DELETE triggers pass for the statements run inside, in one transaction that puts the
    flag back before it commits (SQLite only; elsewhere a no-op: PostgreSQL's flush truncates)."""
    if connection.vendor != "sqlite" or MAINTENANCE_TABLE not in connection.introspection.table_names():
        yield
        return
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {MAINTENANCE_TABLE} SET allow_flush = 1 WHERE id = 1")
        yield
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {MAINTENANCE_TABLE} SET allow_flush = 0 WHERE id = 1")
