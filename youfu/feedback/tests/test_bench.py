from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from youfu.feedback.bench import PREFIX, format_report, run_ingest_benchmark
from youfu.feedback.models import RatingBatch
from youfu.org.models import Person, Unit


@pytest.mark.django_db
def test_the_ingest_benchmark_times_every_path_and_leaves_nothing_behind(_data_dir):
    report = run_ingest_benchmark(
        rows=3000, http_rows=1000, http_batch=400, orm_rows=500, outlets=3, tellers=2
    )
    assert [t.path.split(" (")[0] for t in report.timings] == [
        "file: CSV",
        "file: Parquet",
        "HTTP batch API",
        "ORM bulk_create",
    ]
    assert [t.rows for t in report.timings] == [3000, 3000, 1000, 500]
    assert all(t.seconds > 0 for t in report.timings)
    assert "× the ORM baseline" in format_report(report)
    # Rolled back: no synthetic org, no batch.
    assert not Unit.objects.filter(code__startswith=PREFIX).exists()
    assert not Person.objects.filter(employee_no__startswith=PREFIX).exists()
    assert not RatingBatch.objects.exists()


@pytest.mark.django_db
def test_youfu_bench_ingest_command(_data_dir):
    out = io.StringIO()
    call_command(
        "bench", "ingest", "--rows", "500", "--http-rows", "200", "--http-batch", "100", "--orm-rows", "100",
        "--outlets", "2", "--tellers", "2", stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    assert "HTTP batch API" in out.getvalue() and "ORM bulk_create" in out.getvalue()
