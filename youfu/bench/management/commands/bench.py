from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from youfu.bench.harness import BenchError, format_report, run_benchmark
from youfu.bench.model import PRESETS


class Command(BaseCommand):
    help = (
        "Benchmarks: `youfu bench scoring` runs R1 and R2 over a synthetic national bank (engine, "
        "raw DuckDB scan, pandas) and prints times, memory and the targets of DESIGN.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        scoring = actions.add_parser(
            "scoring",
            help="the national-scale scoring benchmark (issue 4, point 10); exit status 1 when the "
            "engine and pandas disagree",
        )
        scoring.add_argument(
            "--size",
            choices=sorted(PRESETS),
            default="national",
            help="preset sizes (default national: 25,000 outlets, 400,000 staff, 100 million events)",
        )
        for name, what in (
            ("outlets", "outlets"),
            ("staff", "staff"),
            ("events", "events in the quarter"),
            ("provinces", "provinces"),
        ):
            scoring.add_argument(f"--{name}", type=int, help=f"{what} (overrides --size)")
        scoring.add_argument("--seed", type=int, help="seed of the pseudo-random data (default 1)")
        scoring.add_argument(
            "--quarter", type=int, choices=(1, 2, 3, 4), help="the quarter of 2024 (default 4)"
        )
        scoring.add_argument("--repeat", type=int, default=1, help="runs of each path; the best is shown")
        scoring.add_argument(
            "--cache-dir",
            type=Path,
            default=Path(settings.DATA_DIR) / "bench",
            help="where generated banks are kept, one folder per sizes and seed (default: data/bench)",
        )
        scoring.add_argument("--regenerate", action="store_true", help="generate even when cached")
        scoring.add_argument("--json", type=Path, metavar="FILE", help="also write every figure as JSON")
        # Ratings ingestion (youfu.feedback): `youfu bench ingest`.
        from youfu.feedback.bench import add_ingest_arguments

        add_ingest_arguments(actions)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "ingest":
            from youfu.feedback.bench import handle_ingest

            return handle_ingest(self, options)
        sizes = PRESETS[options["size"]]
        overrides = {
            name: options[name]
            for name in ("outlets", "staff", "events", "provinces", "seed", "quarter")
            if options.get(name) is not None
        }
        sizes = replace(sizes, **overrides)
        if options["repeat"] < 1:
            raise CommandError("--repeat must be 1 or more")
        try:
            sizes.validate()
            report = run_benchmark(
                sizes,
                options["cache_dir"],
                repeat=options["repeat"],
                regenerate=options["regenerate"],
                progress=lambda message: self.stderr.write(message),
            )
        except (BenchError, ValueError) as error:
            raise CommandError(str(error), returncode=1) from error
        self.stdout.write(format_report(report))
        if options["json"]:
            options["json"].write_text(json.dumps(report.as_json(), indent=2, default=str) + "\n")
        if not report.check["agree"]:
            raise CommandError("the engine and pandas disagree: see the differences above", returncode=1)
