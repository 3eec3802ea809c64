"""The database's own guard on published versions: SQL triggers, per vendor, installed by migration 0002.

The services refuse to change a published version with a clear message, and the models' save() refuses
too; these triggers are the last line for anything else (raw SQL, a bulk update): a published version's
row, and the sections and items of a published version, cannot be updated, and nothing can be added to
it. Deletes are left to the services (a test database flush must still be able to empty the tables).
"""

from __future__ import annotations

from typing import Any

MESSAGE = "standards: a published version cannot be changed"

SQLITE = [
    f"""
    CREATE TRIGGER standards_version_frozen BEFORE UPDATE ON standards_standardversion
    WHEN OLD.status = 'published'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    *(
        f"""
        CREATE TRIGGER standards_{table}_frozen_{op.lower()} BEFORE {op} ON standards_{table}
        WHEN {when}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
        """
        for table in ("section", "item")
        for op, when in (
            (
                "INSERT",
                "(SELECT status FROM standards_standardversion WHERE id = NEW.version_id) = 'published'",
            ),
            (
                "UPDATE",
                "(SELECT status FROM standards_standardversion WHERE id = OLD.version_id) = 'published' "
                "OR (SELECT status FROM standards_standardversion WHERE id = NEW.version_id) = 'published'",
            ),
        )
    ),
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS standards_version_frozen",
    *(
        f"DROP TRIGGER IF EXISTS standards_{t}_frozen_{op}"
        for t in ("section", "item")
        for op in ("insert", "update")
    ),
]

_PG_FUNCTION = """
    CREATE OR REPLACE FUNCTION standards_frozen_guard() RETURNS trigger AS $$
    BEGIN
        IF TG_TABLE_NAME = 'standards_standardversion' THEN
            IF OLD.status = 'published' THEN RAISE EXCEPTION '@MESSAGE@'; END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'UPDATE' THEN
            IF EXISTS (
                SELECT 1 FROM standards_standardversion WHERE id = OLD.version_id AND status = 'published'
            ) THEN RAISE EXCEPTION '@MESSAGE@'; END IF;
        END IF;
        IF EXISTS (
            SELECT 1 FROM standards_standardversion WHERE id = NEW.version_id AND status = 'published'
        ) THEN RAISE EXCEPTION '@MESSAGE@'; END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
"""
POSTGRESQL = [
    _PG_FUNCTION.replace("@MESSAGE@", MESSAGE),
    """CREATE TRIGGER standards_version_frozen BEFORE UPDATE ON standards_standardversion
       FOR EACH ROW EXECUTE FUNCTION standards_frozen_guard()""",
    """CREATE TRIGGER standards_section_frozen BEFORE INSERT OR UPDATE ON standards_section
       FOR EACH ROW EXECUTE FUNCTION standards_frozen_guard()""",
    """CREATE TRIGGER standards_item_frozen BEFORE INSERT OR UPDATE ON standards_item
       FOR EACH ROW EXECUTE FUNCTION standards_frozen_guard()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS standards_version_frozen ON standards_standardversion",
    "DROP TRIGGER IF EXISTS standards_section_frozen ON standards_section",
    "DROP TRIGGER IF EXISTS standards_item_frozen ON standards_item",
    "DROP FUNCTION IF EXISTS standards_frozen_guard()",
]


def _run(schema_editor: Any, statements: list[str]) -> None:
    for sql in statements:
        schema_editor.execute(sql)


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL)


def remove(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_DROP)
