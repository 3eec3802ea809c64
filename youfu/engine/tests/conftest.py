"""Backends for the engine's tests: DuckDB in memory, a throwaway PostgreSQL database, one Spark session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from ibis.backends import BaseBackend

from youfu.engine import connect

POSTGRES = os.environ.get("YOUFU_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "spark: runs on the session's one local Spark (slow to start)")


@pytest.fixture
def duck() -> BaseBackend:
    return connect()


@pytest.fixture(scope="session")
def postgres() -> Iterator[BaseBackend]:
    """A database of its own, dropped at the end."""
    import psycopg

    name = f"youfu_engine_test_{os.getpid()}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    con = connect("postgres", url=f"{POSTGRES}/{name}")
    try:
        yield con
    finally:
        con.disconnect()
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def spark() -> Iterator[BaseBackend]:
    con = connect("spark", conf={"spark.ui.showConsoleProgress": "false"})  # no progress bars in the output
    try:
        yield con
    finally:
        con.disconnect()
