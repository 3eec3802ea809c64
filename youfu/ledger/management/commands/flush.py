"""Django's ``flush``, able to empty the append-only ledger of a *test* database on SQLite.

Django's test cases that commit (``django_db(transaction=True)``, the live-server browser tests) end
with ``flush``. On SQLite that is ``DELETE FROM`` each table, which the ledger's DELETE triggers
refuse (PostgreSQL truncates, which they do not see). On a test database this command lifts the
triggers for the flush's own transaction (youfu.ledger.guard.flush_allowed). Anywhere else it is
Django's flush unchanged, so the ledger of a real SQLite database stands in its way, as it should.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from youfu.ledger.guard import flush_allowed


def is_test_database(alias: str) -> bool:
    """Whether the connection is on the database Django's test set-up created (its name is then the
    test name the connection's creation module computes, which no real database is given)."""
    connection = connections[alias]
    test_name = connection.creation._get_test_db_name()  # type: ignore[attr-defined]
    return bool(connection.settings_dict["NAME"] == test_name)


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        if options["interactive"] or not is_test_database(database):
            super().handle(**options)
            return
        with flush_allowed(connections[database]):
            super().handle(**options)
