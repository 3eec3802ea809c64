"""Connections to the backends the engine runs on: DuckDB (embedded, the default), PostgreSQL, Spark."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend

_TEMP = Path(tempfile.gettempdir())
SPARK_CONF = {
    # Exact decimal products (DECIMAL(38, 20) below 10^18) instead of Spark's default of cutting the
    # scale to 6 places: the engine's arithmetic must be the same on every backend.
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    # Spark's catalogue files go to the temp directory, not into the working directory.
    "spark.sql.warehouse.dir": str(_TEMP / "youfu-spark-warehouse"),
    "spark.driver.extraJavaOptions": f"-Dderby.system.home={_TEMP / 'youfu-spark-derby'}",
}


def connect(backend: str = "duckdb", **options: Any) -> BaseBackend:
    """``connect()`` DuckDB in memory; ``connect("duckdb", path=...)``; ``connect("postgres", url=...)``;
    ``connect("spark")`` a local Spark session (pyspark must be installed)."""
    if backend == "duckdb":
        return ibis.duckdb.connect(options.get("path", ":memory:"), **options.get("config", {}))
    if backend == "postgres":
        return ibis.connect(options["url"].replace("postgresql://", "postgres://", 1))
    if backend == "spark":
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.master(options.get("master", "local[2]")).appName("youfu")
        for key, value in {**SPARK_CONF, **options.get("conf", {})}.items():
            builder = builder.config(key, value)
        return ibis.pyspark.connect(builder.getOrCreate())
    raise ValueError(f"unknown backend {backend!r}: duckdb, postgres or spark")


def store(backend: Any, name: str, table: Any, *, database: tuple[str, str] | None = None) -> Any:
    """``table`` computed and stored as a table ``name`` (temporary unless ``database`` is given);
    returns it. On DuckDB one ``CREATE TABLE … AS`` of the query compiled once: ibis's
    ``create_table`` creates the table, then copies the whole compiled query tree to insert into it
    (for a subject's table, a tree of tens of thousands of nodes, copied in Python). Elsewhere ibis's
    ``create_table``."""
    if backend.name != "duckdb":
        return backend.create_table(name, table, temp=database is None, database=database)
    backend._run_pre_execute_hooks(table)  # in-memory tables the query reads, registered first
    query = backend.compile(table)
    where = f"{database[0]}.{database[1]}." if database else "TEMP "
    quoted = '"' + name.replace('"', '""') + '"'
    if database:
        statement = f"CREATE TABLE {where}{quoted} AS {query}"
    else:
        statement = f"CREATE {where}TABLE {quoted} AS {query}"
    backend.raw_sql(statement).fetchall()
    return backend.table(name, database=database)
