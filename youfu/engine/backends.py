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


def store(backend: Any, name: str, table: Any) -> Any:
    """``table`` computed and stored as the temporary table ``name``; returns it. On DuckDB one
    ``CREATE TEMP TABLE … AS`` of the query compiled once: ibis's ``create_table`` creates the
    table, then copies the whole compiled query tree to insert into it (for a subject's table, tens
    of thousands of nodes copied in Python). Elsewhere ibis's ``create_table``."""
    if backend.name != "duckdb":
        return backend.create_table(name, table, temp=True)
    backend._run_pre_execute_hooks(table)  # in-memory tables the query reads, registered first
    quoted = '"' + name.replace('"', '""') + '"'
    backend.raw_sql(f"CREATE TEMP TABLE {quoted} AS {backend.compile(table)}").fetchall()
    return backend.table(name)
