"""`youfu bench ingest`: how fast ratings are loaded (DESIGN.md: ≥ 500,000 rows/s from CSV/Parquet,
≥ 20,000 rows/s through the HTTP batch API), side by side with a plain ORM `bulk_create` of the same
rows into a throwaway table (the baseline: one ORM row per rating, what this app does not do).

Everything runs in one transaction that is rolled back at the end, against a data folder of its own
that is deleted: a synthetic org (one sub-branch of `outlets` outlets with `tellers` tellers each) is
created, the rows generated (youfu.feedback.demo.ratings_table) and written to a CSV and a Parquet file
(not timed), then each path is timed:

* file: `ratings_ingest_file` on the CSV file, then on the Parquet file — read, checked (every row
  against the outlets and tellers, the clock, the ratings), written as Parquet by month, catalogued;
* HTTP: POST /api/v1/feedback/batches/ through Django's test client (the whole request: middleware,
  token authentication, JSON parsing, the checks, the files, the catalogue row), `http_batch` rows per
  call, each with its Idempotency-Key; the JSON bodies are made before the clock starts;
* ORM baseline: the same rows as parsed dicts → model instances (lookups by dict, times parsed) →
  `bulk_create(batch_size=2000)` into a temporary table.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from django.apps.registry import Apps
from django.conf import settings
from django.db import connection, models, transaction
from django.test import Client
from django.test.utils import override_settings
from rest_framework.authtoken.models import Token

from youfu.accounts.models import User
from youfu.feedback.demo import Teller, ratings_table
from youfu.feedback.services import ratings_ingest_file
from youfu.org.choices import Position, UnitKind
from youfu.org.models import Person, Unit

FILE_TARGET = 500_000
HTTP_TARGET = 20_000
PREFIX = "ZZBENCH"

_apps = Apps()


class BenchRating(models.Model):
    """The baseline's throwaway table: one ORM row per rating."""

    occurred_at = models.DateTimeField()
    unit_id = models.IntegerField()
    person_id = models.IntegerField()
    rating = models.SmallIntegerField()

    class Meta:
        apps = _apps
        app_label = "feedback_bench"
        db_table = "feedback_bench_rating"
        managed = False

    def __str__(self) -> str:
        return f"{self.person_id} {self.occurred_at} {self.rating}"


@dataclass
class Timing:
    path: str
    rows: int
    seconds: float
    target: int | None = None
    cpu: float = 0.0  # CPU seconds of the process, all threads (DuckDB's and pyarrow's included)

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "PASS" if self.rate >= self.target else "FAIL"


@dataclass
class IngestReport:
    database: str
    cpus: int
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    timings: list[Timing] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "cpus": self.cpus,
            "load_before": self.load_before,
            "load_after": self.load_after,
            "timings": [
                {
                    "path": t.path,
                    "rows": t.rows,
                    "seconds": t.seconds,
                    "cpu_seconds": t.cpu,
                    "rows_per_s": t.rate,
                    "target": t.target,
                }
                for t in self.timings
            ],
        }


def format_report(report: IngestReport) -> str:
    lines = [
        f"Ratings ingestion — database {report.database}, {report.cpus} CPUs, load average "
        f"{report.load_before[0]:.2f} before, {report.load_after[0]:.2f} after",
        "",
        f"{'path':<42}{'rows':>12}{'seconds':>10}{'CPU s':>8}{'rows/s':>12}{'target':>10}  ",
    ]
    for t in report.timings:
        target = f"{t.target:,}" if t.target else ""
        lines.append(
            f"{t.path:<42}{t.rows:>12,}{t.seconds:>10.2f}{t.cpu:>8.2f}{t.rate:>12,.0f}"
            f"{target:>10}  {t.verdict}"
        )
    baseline = next((t for t in report.timings if t.path.startswith("ORM")), None)
    if baseline is not None and baseline.rate:
        lines.append("")
        for t in report.timings:
            if t is not baseline:
                lines.append(f"{t.path}: {t.rate / baseline.rate:.1f}× the ORM baseline")
    return "\n".join(lines)


def _org(outlets: int, tellers: int) -> list[Teller]:
    root = Unit.objects.add_root(
        {"code": f"{PREFIX}-HO", "name": "基准测试银行", "kind": UnitKind.HEAD_OFFICE}
    )
    sub = Unit.objects.add_child(
        root, {"code": f"{PREFIX}-S", "name": "基准测试支行", "kind": UnitKind.SUB_BRANCH}
    )
    codes = []
    for n in range(outlets):
        code = f"{PREFIX}-O{n:05d}"
        # treebeard's add_child works on a fresh parent row (its numchild moves with each child).
        Unit.objects.add_child(
            Unit.objects.get(pk=sub.pk), {"code": code, "name": f"基准网点{n}", "kind": UnitKind.OUTLET}
        )
        codes.append(code)
    units = dict(Unit.objects.filter(code__in=codes).values_list("code", "id"))
    people = [
        Person(
            employee_no=f"{PREFIX}{o:05d}{t:03d}",
            name=f"柜员{o}-{t}",
            unit_id=units[code],
            position=Position.TELLER,
        )
        for o, code in enumerate(codes)
        for t in range(tellers)
    ]
    Person.objects.bulk_create(people, batch_size=2000)
    return [Teller(p.employee_no, codes[i // tellers]) for i, p in enumerate(people)]


def _rows(tellers: list[Teller], count: int, seed: int) -> pa.Table:
    end = dt.date.today() - dt.timedelta(days=1)
    days = 7
    while True:
        table = ratings_table(tellers, end - dt.timedelta(days=days), end, seed=seed)
        if table.num_rows >= count:
            return table.slice(0, count)
        days *= 2


def _orm_baseline(rows: list[dict[str, Any]], tellers: list[Teller]) -> float:
    """Seconds to turn the parsed rows into model instances and bulk_create them."""
    vendor = connection.vendor
    key = "BIGSERIAL PRIMARY KEY" if vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
    stamp = "TIMESTAMP WITH TIME ZONE" if vendor == "postgresql" else "DATETIME"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE feedback_bench_rating (id {key}, occurred_at {stamp} NOT NULL, "
            "unit_id INTEGER NOT NULL, person_id INTEGER NOT NULL, rating SMALLINT NOT NULL)"
        )
    units = dict(Unit.objects.filter(code__startswith=PREFIX).values_list("code", "id"))
    people = dict(Person.objects.filter(employee_no__startswith=PREFIX).values_list("employee_no", "id"))
    codes = {"": 0, "unsatisfied": 1, "neutral": 2, "satisfied": 3, "very_satisfied": 4}
    zone = ZoneInfo(settings.TIME_ZONE)
    started = time.perf_counter()
    objects = [
        BenchRating(
            occurred_at=dt.datetime.fromisoformat(row["occurred_at"]).replace(tzinfo=zone),
            unit_id=units[row["unit"]],
            person_id=people[row["employee_no"]],
            rating=codes[row["rating"]],
        )
        for row in rows
    ]
    BenchRating._default_manager.bulk_create(objects, batch_size=2000)
    seconds = time.perf_counter() - started
    assert BenchRating._default_manager.count() == len(rows)
    return seconds


class _Rollback(Exception):
    pass


def run_ingest_benchmark(
    *,
    rows: int = 2_000_000,
    http_rows: int = 200_000,
    http_batch: int = 20_000,
    orm_rows: int = 200_000,
    outlets: int = 200,
    tellers: int = 10,
    seed: int = 1,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    say = progress or (lambda _message: None)
    report = IngestReport(database=connection.vendor, cpus=os.cpu_count() or 0, load_before=os.getloadavg())
    with (
        tempfile.TemporaryDirectory(prefix="youfu-bench-ingest-") as folder,
        override_settings(FEEDBACK_DATA_DIR=Path(folder) / "feedback"),
    ):
        try:
            with transaction.atomic():
                _run(report, Path(folder), rows, http_rows, http_batch, orm_rows, outlets, tellers, seed, say)
                raise _Rollback
        except _Rollback:
            pass
    report.load_after = os.getloadavg()
    return report


def _run(
    report: IngestReport,
    folder: Path,
    rows: int,
    http_rows: int,
    http_batch: int,
    orm_rows: int,
    outlets: int,
    tellers: int,
    seed: int,
    say: Callable[[str], None],
) -> None:
    say(f"org: {outlets} outlets × {tellers} tellers (rolled back at the end)")
    staff = _org(outlets, tellers)
    largest = max(rows, http_rows, orm_rows)
    say(f"generating {largest:,} rows")
    table = _rows(staff, largest, seed)
    csv_file, parquet_file = folder / "ratings.csv", folder / "ratings.parquet"
    pa_csv.write_csv(table.slice(0, rows), csv_file)
    pq.write_table(table.slice(0, rows), parquet_file)

    for path, file in (("file: CSV", csv_file), ("file: Parquet", parquet_file)):
        say(f"{path}: {rows:,} rows")
        started, cpu = time.perf_counter(), time.process_time()
        result = ratings_ingest_file(actor=None, file=file, note="bench")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert result.created and result.batch.loaded_count == rows
        report.timings.append(
            Timing(f"{path} ({file.stat().st_size / 2**20:,.0f} MiB)", rows, seconds, FILE_TARGET, cpu)
        )

    say(f"HTTP: {http_rows:,} rows in calls of {http_batch:,}")
    user = User.objects.create(username=f"{PREFIX.lower()}-api", is_superuser=True, is_active=True)
    token = Token.objects.create(user=user)
    bodies = [
        json.dumps({"rows": table.slice(start, min(http_batch, http_rows - start)).to_pylist()}).encode()
        for start in range(0, http_rows, http_batch)
    ]
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    started, cpu = time.perf_counter(), time.process_time()
    for n, body in enumerate(bodies):
        response = client.generic(
            "POST",
            "/api/v1/feedback/batches/",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"bench-{seed}-{n}",
        )
        if response.status_code != 201:
            raise RuntimeError(f"the API answered {response.status_code}: {response.content[:500]!r}")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    report.timings.append(
        Timing(f"HTTP batch API ({http_batch:,} rows a call)", http_rows, seconds, HTTP_TARGET, cpu)
    )

    say(f"ORM baseline: {orm_rows:,} rows")
    parsed = table.slice(0, orm_rows).to_pylist()
    cpu = time.process_time()
    seconds = _orm_baseline(parsed, staff)
    report.timings.append(
        Timing("ORM bulk_create (baseline)", orm_rows, seconds, None, time.process_time() - cpu)
    )


def add_ingest_arguments(actions: Any) -> None:
    """The `ingest` action of `youfu bench` (its parser is youfu.bench's)."""
    ingest = actions.add_parser(
        "ingest", help="ratings ingestion: CSV/Parquet files and the HTTP batch API against an ORM baseline"
    )
    ingest.add_argument("--rows", type=int, default=2_000_000, help="rows per file (default 2,000,000)")
    ingest.add_argument(
        "--http-rows", type=int, default=200_000, help="rows through the API (default 200,000)"
    )
    ingest.add_argument("--http-batch", type=int, default=20_000, help="rows per API call (default 20,000)")
    ingest.add_argument(
        "--orm-rows", type=int, default=200_000, help="rows of the ORM baseline (default 200,000)"
    )
    ingest.add_argument("--outlets", type=int, default=200, help="outlets of the synthetic org (default 200)")
    ingest.add_argument("--tellers", type=int, default=10, help="tellers per outlet (default 10)")
    ingest.add_argument("--seed", type=int, default=1)
    ingest.add_argument("--json", type=Path, metavar="FILE", help="also write every figure as JSON")


def handle_ingest(command: Any, options: dict[str, Any]) -> None:
    for name in ("rows", "http_rows", "http_batch", "orm_rows", "outlets", "tellers"):
        if options[name] < 1:
            from django.core.management.base import CommandError

            raise CommandError(f"--{name.replace('_', '-')} must be 1 or more")
    report = run_ingest_benchmark(
        rows=options["rows"],
        http_rows=options["http_rows"],
        http_batch=options["http_batch"],
        orm_rows=options["orm_rows"],
        outlets=options["outlets"],
        tellers=options["tellers"],
        seed=options["seed"],
        progress=lambda message: command.stderr.write(message),
    )
    command.stdout.write(format_report(report))
    if options["json"]:
        options["json"].write_text(json.dumps(report.as_json(), indent=2) + "\n")
