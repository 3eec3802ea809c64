"""`youfu explain`: why a subject's points and money are what they are, in a terminal.

    youfu explain --policy r1_mystery_shopper --period 2025Q3 --unit 0101001
    youfu explain --policy r2_competition_100_days --period C2025-100D --person E000123
    youfu explain --run 12 --unit 0101001 --as fuwuban      # as a user sees it (their subtree only)

It explains the policy's current official run of the period (or --run): every rule for the subject,
fired or not, with its formula, the values it used and where each input came from (file, row, who).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.http import Http404

from youfu.accounts.models import User
from youfu.scoring.choices import RunKind, RunStatus
from youfu.scoring.models import ScoreLine, ScoreRun
from youfu.scoring.selectors import LineExplanation, Used, line_explain


class Command(BaseCommand):
    help = "Explain a subject's scorecard: the rules, formulas, values and evidence behind each number."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--run", type=int, help="a run id (default: the official run of --policy/--period)"
        )
        parser.add_argument("--policy", help="policy id")
        parser.add_argument("--period", help="period code, e.g. 2025Q3")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--unit", help="unit code (an outlet, or the unit whose head is scored)")
        who.add_argument("--person", help="employee number")
        parser.add_argument(
            "--subject", help="the policy's subject id when a unit has several (outlet, outlet_head)"
        )
        parser.add_argument(
            "--as", dest="username", help="explain as this user sees it (default: superuser view)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = self.run(options)
        lines = ScoreLine.objects.filter(run=run)
        if options["person"]:
            lines = lines.filter(person__employee_no=options["person"])
        else:
            lines = lines.filter(unit__code=options["unit"], person__isnull=True)
        if options["subject"]:
            lines = lines.filter(subject=options["subject"])
        line = lines.first()
        if line is None:
            raise CommandError("no scorecard for that subject in this run")
        user = self.user(options)
        try:
            explanation = line_explain(user=user, line=line)
        except Http404:
            raise CommandError("that subject is outside the part of the bank this user may see") from None
        self.write(explanation)

    def run(self, options: dict[str, Any]) -> ScoreRun:
        if options["run"]:
            run = ScoreRun.objects.filter(pk=options["run"]).first()
        elif options["policy"] and options["period"]:
            run = (
                ScoreRun.objects.filter(
                    policy_version__policy=options["policy"],
                    period__code=options["period"],
                    kind=RunKind.OFFICIAL,
                )
                .filter(Q(status=RunStatus.POSTED) | Q(status=RunStatus.PUBLISHED))
                .first()
            )
        else:
            raise CommandError("give --run, or --policy and --period")
        if run is None:
            raise CommandError("no such run: score the period first (youfu score --post)")
        return run

    def user(self, options: dict[str, Any]) -> Any:
        if options["username"]:
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"no user {options['username']!r}")
            return user
        user = User.objects.filter(is_superuser=True, is_active=True).first()
        if user is None:
            raise CommandError("no active superuser to explain as; pass --as USERNAME")
        return user

    def write(self, e: LineExplanation) -> None:
        out = self.stdout.write
        line = e.line
        out(
            f"{e.subject_name} · {line.subject_object} · {e.run.period} · {e.policy.name} v{e.policy.version}"
        )
        phase = f", phase {e.phase_name}" if e.phase else ""
        out(f"period number {e.period_number}{phase} {self.plain(e.phase_values)}")
        points = line.total_points.normalize()
        out(f"total: points {points:f}, amount {line.total_amount} yuan; rank {line.rank}")
        for position in e.scopes:
            out(f"  rank in {position.name}: {position.rank} of {position.of}")
        for rule in e.rules:
            mark = "✔" if rule.fired else "·"
            result = []
            if rule.points:
                result.append(f"points {rule.points.normalize():f}")
            if rule.amount:
                result.append(f"amount {rule.amount}")
            out(f"\n{mark} {rule.id}: {rule.description or ''} {'; '.join(result)}")
            if rule.seed:
                out(f"    seed: {rule.seed}")
            for what, text in rule.formulas:
                out(f"    {what}: {' '.join(text.split())}")
            for when, factor, _seed, applied in rule.multipliers:
                state = {True: "applied", False: "not applied", None: "?"}[applied]
                out(f"    × {factor} when {' '.join(when.split())}: {state}")
            for used in rule.used:
                out(f"      {self.used(used)}")
            for history in rule.history:
                out(f"    {history.text} over {history.span_name}: {self.plain_value(history.result)}")
                if not history.recorded:
                    out("      (this run did not record which earlier periods it used)")
                for period in history.periods:
                    if period.counted:
                        state = f"{history.argument} = {self.plain_value(period.value)}"
                    else:
                        state = f"not counted (no {', '.join(period.missing)})"
                    out(f"      {period.code} {period.name}: {state}")
                    for used in period.used:
                        out(f"        {self.used(used)}")
            for view in rule.entries:
                entry = view.entry
                state = " (reversed)" if view.reversed else ""
                entry_points = entry.points.normalize()
                out(f"    ledger #{entry.pk}: points {entry_points:f}, amount {entry.amount}{state}")

    @staticmethod
    def plain_value(value: Any) -> str:
        if value is None or isinstance(value, bool):
            return {True: "yes", False: "no", None: "—"}[value]
        return format(value, "f") if isinstance(value, Decimal) else str(value)

    @staticmethod
    def plain(values: dict[str, Any]) -> str:
        return ", ".join(f"{name} = {value}" for name, value in values.items())

    @staticmethod
    def used(used: Used) -> str:
        text = f"{used.name} = {used.value}{used.measure}"
        if used.evidence is not None:
            text += f"  ← {used.evidence}"
        elif used.default_used:
            text += "  (no fact: the policy's default)"
        elif used.formula:
            text += f"  = {' '.join(used.formula.split())}"
        return text
