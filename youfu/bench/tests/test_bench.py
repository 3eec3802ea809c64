"""`youfu bench scoring` at a tiny size, through the same code path as the national run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from django.core.management import call_command

from youfu.bench.harness import TARGETS, cross_check
from youfu.bench.model import PRESETS, Sizes
from youfu.bench.worker import PANDAS_OUTPUT

TINY = ["--outlets", "300", "--staff", "2000", "--events", "200000", "--provinces", "1"]


def test_tiny_run_engine_and_pandas_agree_and_every_figure_is_reported(tmp_path: Path, capsys) -> None:
    report_file = tmp_path / "report.json"

    call_command("bench", "scoring", *TINY, "--cache-dir", str(tmp_path), "--json", str(report_file))

    printed = capsys.readouterr().out
    report = json.loads(report_file.read_text())
    assert report["check"]["agree"] is True
    assert report["check"]["subject"]["differences"] == 0
    assert report["check"]["rule"]["differences"] == 0
    assert report["check"]["entries"] > 2000  # at least every person's starting 100 points in R2
    assert report["sizes"] == {
        "outlets": 300, "staff": 2000, "events": 200_000, "provinces": 1, "seed": 1, "quarter": 4,
    }  # fmt: skip
    for phase in ("load", "evaluate", "write", "end_to_end"):
        assert report["engine"]["seconds"][phase] > 0, phase
        assert report["engine"]["cpu"][phase] > 0, phase
    assert report["engine"]["peak_rss"] >= report["engine"]["baseline_rss"] > 0  # tiny: may not grow
    assert report["engine"]["rows"]["entries"] == report["check"]["entries"]
    assert report["floor"]["seconds"]["scan"] > 0
    assert report["floor_split"]["seconds"]["scan"] > 0
    # R1 and R2 each in a lane of their own: every step of each timed.
    for policy in ("r1", "r2"):
        for step in ("evaluate_policy", "evaluate_checks", "evaluate_entries", "write_scorecards"):
            assert report["engine"]["seconds"][f"{policy}_{step}"] > 0, (policy, step)
    assert report["reference_ratios"]["evaluation_vs_split_scan"] > 0
    assert report["pandas"]["seconds"]["compute"] > 0
    assert 0 <= report["pandas"]["kernel"]["compute"] <= report["pandas"]["cpu"]["compute"]
    assert report["reference_ratios"]["pandas_without_kernel_vs_engine"] > 0
    assert report["pandas"]["rows"]["entries"] == report["check"]["entries"]
    assert report["generation"]["seconds"] > 0
    assert set(report["ratios"]) == set(TARGETS) == set(report["verdicts"])
    for line in (
        "generation:",
        "raw DuckDB scan (the floor)",
        "raw scan split as the engine's load (reference)",
        "R1 evaluate_policy",
        "R2 explanations",
        "against the raw scan split as the engine's load",
        "of which in the kernel (pages of memory)",
        "pandas less its time in the kernel (for reference)",
        "engine load",
        "engine evaluate",
        "engine write",
        "engine end to end",
        "engine peak memory",
        "pandas R1 + R2",
        "pandas peak memory",
        "engine evaluation (load + evaluate) ÷ scan",
        "pandas ÷ engine evaluation",
        "engine peak memory ÷ events' size",
        "AGREE to the fen",
    ):
        assert line in printed, line
    assert printed.count("PASS") + printed.count("FAIL") == len(TARGETS)

    # The cross-check fails loudly on one fen of difference.
    out = next(tmp_path.glob("*/run"))
    entries = pd.read_parquet(out / PANDAS_OUTPUT)
    entries.loc[entries.index[0], "amount"] += 1
    entries.to_parquet(out / PANDAS_OUTPUT)
    check = cross_check(out)
    assert check["agree"] is False
    assert check["subject"]["differences"] == 1
    assert check["rule"]["differences"] == 1


def test_generated_bank_has_the_sizes_asked_and_is_reused(tmp_path: Path) -> None:
    from youfu.bench.generate import bank

    sizes = Sizes(outlets=300, staff=2000, events=200_000, provinces=3, seed=5)

    made = bank(sizes, tmp_path)
    again = bank(sizes, tmp_path)

    assert made.cached is False and again.cached is True and again.path == made.path
    with duckdb.connect(str(made.path), read_only=True) as con:
        counts = con.execute(
            "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM outlets),"
            " (SELECT count(*) FROM staff),"
            " (SELECT count(DISTINCT province_id) FROM outlets), (SELECT count(*) FROM history),"
            " (SELECT count(*) FROM events WHERE person_id >= 0 AND outlet_id != person_id * 300 // 2000)"
        ).fetchone()
    assert counts == (200_000, 300, 2000, 3, 300 * 3, 0)


def test_sizes_too_small_for_the_streams_are_refused() -> None:
    with pytest.raises(ValueError, match="too few"):
        Sizes(outlets=1000, staff=2000, events=10_000, provinces=1).validate()
    assert PRESETS["national"] == Sizes(outlets=25_000, staff=400_000, events=100_000_000, provinces=31)


def test_a_worker_reports_its_own_peak_memory_not_that_of_the_process_that_started_it() -> None:
    """Linux carries ``ru_maxrss`` over ``exec``: a worker started by a harness that had just generated
    the national bank reported the harness's 1 GiB as its own memory before any work."""
    ballast = b"\x01" * (768 << 20)  # 768 MiB resident here, in the process that starts the worker
    code = "from youfu.bench.worker import peak_rss_bytes; print(peak_rss_bytes())"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert len(ballast) == 768 << 20
    peak = int(child.stdout)
    assert 0 < peak < 256 << 20  # the interpreter and the worker module, some tens of MiB


def test_every_bench_connection_has_the_same_settings(tmp_path: Path) -> None:
    from youfu.bench.floor import DUCKDB_SETTINGS, configure, connect_bank

    bank = tmp_path / "bank.duckdb"
    duckdb.connect(str(bank)).close()
    floor = connect_bank(bank)
    engine = duckdb.connect()
    configure(engine.execute)
    for con in (floor, engine):
        for setting in DUCKDB_SETTINGS:
            name, value = setting.removeprefix("SET ").split(" = ")
            shown = con.execute(f"SELECT current_setting('{name}')").fetchone()
            assert shown is not None and str(shown[0]).lower() == value, (name, shown)


def test_workers_run_without_numpys_huge_page_advice_unless_it_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from youfu.bench.harness import worker_environment

    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    monkeypatch.setenv("YOUFU_SOMETHING", "kept")
    environment = worker_environment()
    assert environment["NUMPY_MADVISE_HUGEPAGE"] == "0"
    assert environment["YOUFU_SOMETHING"] == "kept"
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    assert worker_environment()["NUMPY_MADVISE_HUGEPAGE"] == "1"
