"""`youfu bench scoring`: generate (or reuse) the bank, run the floor, the engine and pandas side by
side, each in its own process, cross-check engine and pandas to the fen, report figures and targets.

Definitions (printed with the figures):

- *raw scan* (the floor): the hand-written DuckDB SQL of `floor.py`, one group-by of every event;
- *split scan* (for reference): the same in the plan of the engine's load (`floor.py`, split=True);
- *engine evaluation*: load + evaluate, from the events to every result computed in memory;
- *engine end to end*: load + evaluate + write (results stored in the output DuckDB file);
- *pandas*: the vectorized pandas implementation, from the events already in a DataFrame to every
  entry (its read from DuckDB into pandas is reported apart and not counted);
- *events' in-memory size*: rows × 13 bytes, the fixed widths of the five columns (the size of the
  events as an Arrow table or numpy arrays: int8, int32, int32, int16, int16, no nulls).

With ``repeat`` above 1, each path runs that many times (interleaved); the report shows each path's
fastest run and the highest peak memory of any run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from .generate import bank as generate_bank
from .model import Sizes
from .worker import ENGINE_OUTPUT, PANDAS_OUTPUT

TARGETS = {
    # name: (limit, "max" when the figure must be at most the limit, "min" when at least)
    "evaluation_vs_scan": (2.0, "max"),
    "pandas_vs_engine": (3.0, "min"),
    "end_to_end_seconds": (10.0, "max"),
    "peak_memory_vs_events": (2.0, "max"),
}


class BenchError(Exception):
    """The benchmark could not run, or the engine and pandas disagree."""


@dataclass
class Report:
    sizes: Sizes
    machine: dict[str, Any]
    generation: dict[str, Any]
    floor: dict[str, Any]
    floor_split: dict[str, Any]
    engine: dict[str, Any]
    pandas: dict[str, Any]
    check: dict[str, Any]
    ratios: dict[str, float] = field(default_factory=dict)
    verdicts: dict[str, bool] = field(default_factory=dict)
    cpu_ratios: dict[str, float] = field(default_factory=dict)
    reference_ratios: dict[str, float] = field(default_factory=dict)  # not targets

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def machine() -> dict[str, Any]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "memory_bytes": memory,
        "cpu": model,
        "python": sys.version.split()[0],
        "duckdb": duckdb.__version__,
    }


def worker_environment() -> dict[str, str]:
    """The workers' environment: this one, with numpy's huge-page advice off unless it is set.

    numpy asks Linux for huge pages for its large arrays (``madvise``), which this machine serves
    by compacting memory first. pandas, which makes and drops arrays of a hundred million values
    one after another, took 16.6-18.7 s with it and 11.0-13.9 s without (3 runs each, alternating),
    nearly all of the difference in the kernel. The competitor runs in the faster of the two."""
    return {"NUMPY_MADVISE_HUGEPAGE": "0", **os.environ}


def run_worker(path: str, bank: Path, sizes: Sizes, out: Path) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "youfu.bench.worker",
        path,
        str(bank),
        json.dumps(asdict(sizes)),
        str(out),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=worker_environment())  # noqa: S603
    if done.returncode != 0:
        raise BenchError(f"the {path} run failed (exit status {done.returncode}):\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def best(runs: list[dict[str, Any]], phase: str) -> dict[str, Any]:
    """The run with the least wall time in `phase`; every run's time of it kept as `runs`."""
    chosen = dict(min(runs, key=lambda run: run["seconds"][phase]))
    chosen["runs"] = [run["seconds"][phase] for run in runs]
    return chosen


def cross_check(out: Path) -> dict[str, Any]:
    """Engine and pandas must agree to the fen on money and to the hundredth on points, for every
    subject of both policies, and on the number of entries and the totals of each rule."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"ATTACH '{out / ENGINE_OUTPUT}' AS engine (READ_ONLY)")
    pandas_file = out / PANDAS_OUTPUT
    con.execute(f"CREATE TEMP VIEW pandas_entries AS SELECT * FROM read_parquet('{pandas_file}')")  # noqa: S608
    con.execute("""CREATE TEMP VIEW engine_entries AS
        SELECT policy, rule, subject, CAST(subject_key AS BIGINT) AS subject_key,
               CAST(points * 100 AS BIGINT) AS points, CAST(amount * 100 AS BIGINT) AS amount
        FROM engine.entries""")
    per = {
        "subject": "policy, subject, subject_key",
        "rule": "policy, rule, subject",
    }
    found: dict[str, Any] = {}
    for name, keys in per.items():
        query = f"""
            WITH e AS (SELECT {keys}, sum(points) AS points, sum(amount) AS amount, count(*) AS n
                       FROM engine_entries GROUP BY ALL),
                 p AS (SELECT {keys}, sum(points) AS points, sum(amount) AS amount, count(*) AS n
                       FROM pandas_entries GROUP BY ALL)
            SELECT {", ".join(f"coalesce(e.{k}, p.{k}) AS {k}" for k in keys.split(", "))},
                   e.points AS engine_points, p.points AS pandas_points,
                   e.amount AS engine_amount, p.amount AS pandas_amount, e.n AS engine_n, p.n AS pandas_n
            FROM e FULL OUTER JOIN p USING ({keys})
            WHERE coalesce(e.points, 0) != coalesce(p.points, 0)
               OR coalesce(e.amount, 0) != coalesce(p.amount, 0)
               OR coalesce(e.n, 0) != coalesce(p.n, 0)
            ORDER BY ALL"""  # noqa: S608
        rows = con.execute(query).fetchall()
        columns = [d[0] for d in con.description or []]
        found[name] = {
            "differences": len(rows),
            "first": [dict(zip(columns, row, strict=True)) for row in rows[:5]],
        }
    summary = con.execute(
        """SELECT count(*), count(DISTINCT (policy, subject, subject_key)), sum(points), sum(amount)
        FROM engine_entries"""
    ).fetchone() or (0, 0, 0, 0)
    con.close()
    return {
        "agree": all(part["differences"] == 0 for part in found.values()),
        "entries": summary[0],
        "subjects": summary[1],
        "points_hundredths": summary[2],
        "amount_fen": summary[3],
        **found,
    }


def run_benchmark(
    sizes: Sizes,
    cache_dir: Path,
    *,
    repeat: int = 1,
    regenerate: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> Report:
    progress(f"bank {sizes.key()}: {'generating' if regenerate else 'generating or reusing'} …")
    bank = generate_bank(sizes, cache_dir, regenerate=regenerate)
    out = bank.path.parent / "run"
    out.mkdir(exist_ok=True)
    runs: dict[str, list[dict[str, Any]]] = {"floor": [], "floor_split": [], "engine": [], "pandas": []}
    load_before = os.getloadavg()[0]
    for attempt in range(1, repeat + 1):
        for path in runs:
            progress(f"{path} (run {attempt} of {repeat}) …")
            runs[path].append(run_worker(path, bank.path, sizes, out))
    floor, engine = best(runs["floor"], "scan"), best(runs["engine"], "end_to_end")
    floor_split = best(runs["floor_split"], "scan")
    pandas = best(runs["pandas"], "compute")
    for chosen, path in ((engine, "engine"), (pandas, "pandas")):
        chosen["peak_rss"] = max(run["peak_rss"] for run in runs[path])  # memory: the worst run
    # The files compared are those the last engine and pandas runs wrote; every run computes the same.
    progress("cross-check …")
    check = cross_check(out)
    report = Report(
        sizes=sizes,
        machine={**machine(), "load_average_before": load_before, "load_average_after": os.getloadavg()[0]},
        generation={"seconds": bank.seconds, "cached": bank.cached, "path": str(bank.path)},
        floor=floor,
        floor_split=floor_split,
        engine=engine,
        pandas=pandas,
        check=check,
    )
    seconds, cpu = engine["seconds"], engine["cpu"]
    evaluation = seconds["load"] + seconds["evaluate"]
    evaluation_cpu = cpu["load"] + cpu["evaluate"]
    report.ratios = {
        "evaluation_vs_scan": evaluation / floor["seconds"]["scan"],
        "pandas_vs_engine": pandas["seconds"]["compute"] / evaluation,
        "end_to_end_seconds": seconds["end_to_end"],
        "peak_memory_vs_events": engine["peak_rss"] / sizes.events_bytes,
    }
    for name, (limit, how) in TARGETS.items():
        value = report.ratios[name]
        report.verdicts[name] = value <= limit if how == "max" else value >= limit
    # The same ratios in CPU time, for a machine shared with other work (not the targets).
    report.cpu_ratios = {
        "evaluation_vs_scan": evaluation_cpu / floor["cpu"]["scan"],
        "pandas_vs_engine": pandas["cpu"]["compute"] / evaluation_cpu,
    }
    # Against the scan in the plan of the engine's load (not a target: for reference).
    # And pandas without its time in the kernel (memory pages), which moves with the machine's state.
    pandas_user = pandas["seconds"]["compute"] - pandas["kernel"]["compute"]
    report.reference_ratios = {
        "evaluation_vs_split_scan": evaluation / floor_split["seconds"]["scan"],
        "pandas_without_kernel_vs_engine": pandas_user / evaluation,
    }
    return report


def _mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


ROWS = (
    # (label, path, phase); a phase a run did not time is left out
    ("raw DuckDB scan (the floor)", "floor", "scan"),
    ("raw scan split as the engine's load (reference)", "floor_split", "scan"),
    ("engine load (events → frames)", "engine", "load"),
    ("engine evaluate (R1 ∥ R2, results computed)", "engine", "evaluate"),
    ("  R1 evaluate_policy (compile, subject tables)", "engine", "r1_evaluate_policy"),
    ("  R1 fault checks", "engine", "r1_evaluate_checks"),
    ("  R1 entries", "engine", "r1_evaluate_entries"),
    ("  R2 evaluate_policy (compile, subject tables)", "engine", "r2_evaluate_policy"),
    ("  R2 fault checks", "engine", "r2_evaluate_checks"),
    ("  R2 entries", "engine", "r2_evaluate_entries"),
    ("engine write", "engine", "write"),
    ("  entries and totals", "engine", "write_entries"),
    ("  scorecards, rankings, explanations (R1 ∥ R2)", "engine", "write_results"),
    ("  R1 scorecards and rankings", "engine", "r1_write_scorecards"),
    ("  R1 explanations", "engine", "r1_write_explanations"),
    ("  R2 scorecards and rankings", "engine", "r2_write_scorecards"),
    ("  R2 explanations", "engine", "r2_write_explanations"),
    ("engine end to end (load + evaluate + write)", "engine", "end_to_end"),
    ("pandas read (DuckDB → DataFrame, not counted)", "pandas", "read"),
    ("pandas R1 + R2", "pandas", "compute"),
)
LANE_NOTE = (
    "R1 and R2 run side by side, each in a thread with its own DuckDB connection: their rows are "
    "each thread's wall time, and its CPU time (its Python, not DuckDB's threads); they overlap"
)


def format_report(report: Report) -> str:
    s, m, g = report.sizes, report.machine, report.generation
    paths = {
        "floor": report.floor,
        "floor_split": report.floor_split,
        "engine": report.engine,
        "pandas": report.pandas,
    }
    e, p = report.engine, report.pandas
    lines = [
        f"youfu bench scoring — {s.outlets:,} outlets in {s.provinces} provinces ({s.regions:,} regions), "
        f"{s.staff:,} staff, {s.events:,} events, 2024 Q{s.quarter}, seed {s.seed}",
        f"machine: {m['cores']} cores, {m['memory_bytes'] / 2**30:.1f} GiB RAM, {m['cpu']}; "
        f"Python {m['python']}, DuckDB {m['duckdb']}",
        f"load average {m['load_average_before']:.2f} before, {m['load_average_after']:.2f} after "
        f"({m['cores']} cores: above {m['cores']}, other work shared them and wall times grew)",
        f"events' in-memory size: {s.events:,} rows × 13 bytes = {_mb(s.events_bytes)}",
        f"generation: {g['seconds']:.2f}s" + (" (cached)" if g["cached"] else "") + ", not in end to end",
        "",
        f"{'phase':<48}{'wall':>9}{'cpu':>9}",
    ]
    for label, path, phase in ROWS:
        figures = paths[path]
        if phase in figures["seconds"]:
            lines.append(f"{label:<48}{figures['seconds'][phase]:>8.2f}s{figures['cpu'][phase]:>8.2f}s")
    lines.append(f"{'  of which in the kernel (pages of memory)':<48}{'':>9}{p['kernel']['compute']:>8.2f}s")
    lines += [
        f"({LANE_NOTE})",
        "",
        f"{'engine peak memory (RSS of its process)':<48}{_mb(e['peak_rss']):>18}",
        f"{'  of which before any work (imports)':<48}{_mb(e['baseline_rss']):>18}",
        f"{'pandas peak memory':<48}{_mb(p['peak_rss']):>18}",
        "",
        f"{'target':<48}{'value':>9}{'limit':>9}  verdict",
    ]
    labels = {
        "evaluation_vs_scan": "engine evaluation (load + evaluate) ÷ scan",
        "pandas_vs_engine": "pandas ÷ engine evaluation",
        "end_to_end_seconds": "engine end to end, seconds",
        "peak_memory_vs_events": "engine peak memory ÷ events' size",
    }
    for name, (limit, how) in TARGETS.items():
        value = report.ratios[name]
        verdict = "PASS" if report.verdicts[name] else "FAIL"
        bound = f"{'≤' if how == 'max' else '≥'} {limit:g}"
        lines.append(f"{labels[name]:<48}{value:>9.2f}{bound:>9}  {verdict}")
    cpu_ratios = report.cpu_ratios
    lines.append(
        f"in CPU time (for reference): evaluation ÷ scan {cpu_ratios['evaluation_vs_scan']:.2f}, "
        f"pandas ÷ engine {cpu_ratios['pandas_vs_engine']:.2f}"
    )
    lines.append(
        "against the raw scan split as the engine's load (for reference): evaluation ÷ scan "
        f"{report.reference_ratios['evaluation_vs_split_scan']:.2f}"
    )
    lines.append(
        "pandas less its time in the kernel (for reference): pandas ÷ engine "
        f"{report.reference_ratios['pandas_without_kernel_vs_engine']:.2f}"
    )
    c = report.check
    lines += [
        "",
        f"cross-check engine = pandas: {c['entries']:,} entries, {c['subjects']:,} subjects, "
        f"points {c['points_hundredths'] / 100:,.2f}, money {c['amount_fen'] / 100:,.2f} yuan — "
        + ("AGREE to the fen" if c["agree"] else "DISAGREE"),
    ]
    if len(e["runs"]) > 1:
        lines.append(
            "runs, wall seconds (best shown): scan "
            + ", ".join(f"{x:.2f}" for x in report.floor["runs"])
            + "; split scan "
            + ", ".join(f"{x:.2f}" for x in report.floor_split["runs"])
            + "; engine end to end "
            + ", ".join(f"{x:.2f}" for x in e["runs"])
            + "; pandas "
            + ", ".join(f"{x:.2f}" for x in p["runs"])
        )
    if not c["agree"]:
        for part in ("subject", "rule"):
            if c[part]["differences"]:
                lines.append(f"  {c[part]['differences']} differences per {part}, first: {c[part]['first']}")
    return "\n".join(lines)
