"""One measured path in its own process, so that its peak memory is its own:
``python -m youfu.bench.worker floor|floor_split|engine|pandas BANK SIZES_JSON OUT_DIR`` prints one JSON line.

Peak memory is the process's peak resident set (``VmHWM`` of ``/proc/self/status``): Python, the
libraries and DuckDB's buffers together. ``baseline_rss`` is the same once the imports are done,
before any work.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path
from typing import Any

ENGINE_OUTPUT = "results.duckdb"
PANDAS_OUTPUT = "pandas_entries.parquet"


def peak_rss_bytes() -> int:
    """The peak resident set of this process's own memory. Not ``getrusage``'s ``ru_maxrss``: Linux
    carries it over ``exec`` from the process that started the worker, so a worker started by a
    harness that had just generated the bank (1 GiB resident) reported at least that much. ``VmHWM``
    belongs to the address space, which ``exec`` replaces."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:  # not Linux: ru_maxrss is this process's own there (macOS: bytes, BSDs: kB)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024  # "VmHWM:   123456 kB"


def _floor(bank: Path, sizes: Any, out: Path) -> dict[str, Any]:
    from .floor import run_floor

    return run_floor(bank)


def _floor_split(bank: Path, sizes: Any, out: Path) -> dict[str, Any]:
    from .floor import run_floor

    return run_floor(bank, split=True)


def _engine(bank: Path, sizes: Any, out: Path) -> dict[str, Any]:
    # Imported before the clock starts and the baseline is taken, as process start is not counted:
    # the engine, the DuckDB backend of ibis and its compilers, and the libraries a query's result
    # arrives in (ibis imports them on first use, which would otherwise land in the first phase).
    import ibis.backends.duckdb
    import ibis.backends.sql.compilers.duckdb
    import ibis.expr.types.groupby
    import ibis.formats.pandas
    import ibis.formats.pyarrow  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401

    import youfu.engine
    import youfu.policies.checker  # noqa: F401

    from .engine_path import run_engine

    baseline = peak_rss_bytes()
    run = run_engine(bank, out / ENGINE_OUTPUT, sizes)
    return {"seconds": run.seconds, "cpu": run.cpu, "rows": run.rows, "baseline_rss": baseline}


def _pandas(bank: Path, sizes: Any, out: Path) -> dict[str, Any]:
    from .floor import connect_bank
    from .pandas_impl import Bank, score
    from .timing import Timer

    baseline = peak_rss_bytes()
    timer = Timer()
    with timer.phase("read"):
        con = connect_bank(bank)
        tables = {
            name: con.execute(f"SELECT * FROM bank.{name} {order}").df()  # noqa: S608
            for name, order in (
                ("events", ""),
                ("outlets", "ORDER BY outlet_id"),
                ("staff", "ORDER BY person_id"),
                ("history", ""),
            )
        }
        con.close()
    kernel = resource.getrusage(resource.RUSAGE_SELF).ru_stime
    with timer.phase("compute"):
        entries = score(Bank(**tables), sizes)
    kernel = resource.getrusage(resource.RUSAGE_SELF).ru_stime - kernel
    entries.to_parquet(out / PANDAS_OUTPUT)
    return {
        "seconds": timer.seconds,
        "cpu": timer.cpu,
        # Of the CPU time, what the kernel spent for pandas: nearly all of it giving and zeroing pages
        # of memory for numpy's arrays (each a fresh mapping), which costs more or less from hour to
        # hour on a shared virtual machine (see the README's Performance section).
        "kernel": {"compute": kernel},
        "rows": {"entries": len(entries)},
        "baseline_rss": baseline,
    }


PATHS = {"floor": _floor, "floor_split": _floor_split, "engine": _engine, "pandas": _pandas}


def main(argv: list[str]) -> int:
    from .model import Sizes

    path, bank, sizes_json, out = argv
    sizes = Sizes(**json.loads(sizes_json))
    figures = PATHS[path](Path(bank), sizes, Path(out))
    figures["peak_rss"] = peak_rss_bytes()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
