"""`youfu score`: run a policy over a period from the command line.

    youfu score --policy r1_mystery_shopper --period 2025Q3 --out q3.xlsx     # compute, store nothing
    youfu score --policy my_plan.yaml --period 2025Q3 --out q3.json           # a file not uploaded yet
    youfu score --policy r1_mystery_shopper --period 2025Q4 --post            # official: store + ledger
    youfu score --policy r1_mystery_shopper --policy-version 2 --period 2025Q3 --what-if

Without --post or --what-if nothing is written to the database: the results go to --out (.xlsx, .csv or
.json) or, without --out, a summary is printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youfu.core.errors import ApplicationError
from youfu.org.models import Period
from youfu.policies.checker import PolicyError, load_policy
from youfu.policies.document import Policy
from youfu.scoring.choices import PolicyStatus
from youfu.scoring.models import PolicyVersion
from youfu.scoring.results import computed_rows, write_rows
from youfu.scoring.services import compute, load_version, score_period


class Command(BaseCommand):
    help = "Score a period with a policy: results to a file (.xlsx/.csv/.json), or --post them to the ledger."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--policy", required=True, help="a stored policy id, or a policy YAML file")
        parser.add_argument("--period", required=True, help="period code, e.g. 2025Q3")
        parser.add_argument(
            "--policy-version",
            dest="policy_version",
            type=int,
            help="a stored version (default: the one in force)",
        )
        parser.add_argument("--out", help="write the scorecards and entries to this .xlsx, .csv or .json")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--post", action="store_true", help="store an official run and post it to the ledger"
        )
        mode.add_argument("--what-if", action="store_true", help="store a what-if run (nothing is posted)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = Period.objects.get(code=options["period"])
        except Period.DoesNotExist:
            raise CommandError(
                f"no period {options['period']!r}; see `youfu` periods page or org import"
            ) from None
        if options["out"] and Path(options["out"]).suffix.lower() not in (".xlsx", ".csv", ".json"):
            raise CommandError("--out must end in .xlsx, .csv or .json")
        try:
            if options["post"] or options["what_if"]:
                self.store(options, period)
            else:
                self.dry_run(options, period)
        except ApplicationError as error:
            for detail in error.details:
                self.stderr.write(f"  {detail.field}: {detail.message}")
            raise CommandError(error.message) from error

    def version(self, options: dict[str, Any]) -> PolicyVersion:
        versions = PolicyVersion.objects.filter(policy=options["policy"])
        if options["policy_version"]:
            versions = versions.filter(version=options["policy_version"])
        else:
            versions = versions.filter(status=PolicyStatus.ACTIVE)
        version = versions.first()
        if version is None:
            raise CommandError(
                f"no stored policy {options['policy']!r}"
                + (f" version {options['version']}" if options["policy_version"] else " in force")
            )
        return version

    def store(self, options: dict[str, Any], period: Period) -> None:
        version = self.version(options)
        run = score_period(author=None, version=version, period=period, what_if=options["what_if"])
        self.stdout.write(
            f"run {run.pk}: {run.get_kind_display()} {version} over {period.code}: {run.subjects} subjects, "
            f"{run.entries} ledger entries, points {run.total_points}, amount {run.total_amount}"
        )
        if options["out"]:
            policy = load_version(version)
            write_rows(Path(options["out"]), computed_rows(policy, period, compute(policy, period)))

    def dry_run(self, options: dict[str, Any], period: Period) -> None:
        source = Path(options["policy"])
        policy: Policy
        if source.suffix in (".yaml", ".yml") or source.exists():
            try:
                policy = load_policy(source)
            except PolicyError as error:
                raise CommandError(str(error)) from error
        else:
            policy = load_version(self.version(options))
        computed = compute(policy, period)
        rows = computed_rows(policy, period, computed)
        if options["out"]:
            write_rows(Path(options["out"]), rows)
            self.stdout.write(f"wrote {options['out']}")
        entries = rows["entries"]
        total = sum((row["amount"] for row in entries), start=0)
        self.stdout.write(
            json.dumps(
                {
                    "policy": policy.id,
                    "version": policy.version,
                    "period": period.code,
                    "subjects": {name: len(lines) for name, lines in rows["scorecards"].items()},
                    "entries": len(entries),
                    "amount": str(total),
                },
                ensure_ascii=False,
            )
        )
