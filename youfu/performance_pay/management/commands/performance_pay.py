from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from youfu.core.errors import ApplicationError
from youfu.org.management.commands._common import actor_for
from youfu.org.models import Period, Unit
from youfu.performance_pay import payroll, selectors, services
from youfu.performance_pay.choices import ImportKind
from youfu.performance_pay.imports import read_rows, template_workbook


class Command(BaseCommand):
    help = (
        "Performance pay (绩效工资, R4): create a quarter's pay pool, import balances and salaries from "
        "Excel/CSV, compute the allocation, export the payroll sheet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="a pay pool for a unit's quarter")
        create.add_argument("--unit", required=True, help="unit code")
        create.add_argument("--period", required=True, help="quarter code, e.g. 2026Q1")
        create.add_argument("--total", required=True, help="the pool in yuan, e.g. 180000.00")
        create.add_argument("--comparison", default="", help="the comparison quarter of the daily averages")
        create.add_argument("--as", dest="username", help="act as this user")
        importing = sub.add_parser("import", help="import balances or salaries (all or nothing; safe twice)")
        importing.add_argument("pool", type=int, help="pool id")
        importing.add_argument("kind", choices=ImportKind.values)
        importing.add_argument("file", help="the .xlsx or .csv file")
        importing.add_argument("--dry-run", action="store_true", help="check only, save nothing")
        importing.add_argument("--as", dest="username", help="act as this user")
        template = sub.add_parser("template", help="write an empty import workbook")
        template.add_argument("kind", choices=ImportKind.values)
        template.add_argument("file")
        compute = sub.add_parser("compute", help="allocate the pool under its policy")
        compute.add_argument("pool", type=int)
        compute.add_argument("--as", dest="username", help="act as this user")
        export = sub.add_parser("export", help="write the payroll sheet (Excel)")
        export.add_argument("pool", type=int)
        export.add_argument("file")
        export.add_argument("--as", dest="username", help="act as this user")
        pools = sub.add_parser("pools", help="the pools you see")
        pools.add_argument("--as", dest="username", help="act as this user")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "template":
            Path(options["file"]).write_bytes(template_workbook(options["kind"]))
            self.stdout.write(options["file"])
            return
        actor = actor_for(options.get("username"))
        try:
            getattr(self, f"_{action}")(actor, options)
        except ApplicationError as exc:
            for detail in exc.details:
                self.stderr.write(f"row {detail.row or '-'}\t{detail.field or '-'}\t{detail.message}")
            raise CommandError(exc.message) from None
        except Http404:
            raise CommandError("not found (or outside your part of the organisation)") from None

    def _create(self, actor: Any, options: dict[str, Any]) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        period = Period.objects.filter(code=options["period"]).first()
        if unit is None or period is None:
            raise CommandError("unknown unit or period")
        pool = services.pool_create(
            actor=actor, unit=unit, period=period, total=options["total"], comparison=options["comparison"]
        )
        self.stdout.write(f"pool {pool.pk}: {pool} {pool.total}")
        for warning in pool.policy_version.warnings:
            self.stdout.write(f"warning: {warning}")
        for error in services.r5_errors():
            self.stdout.write(f"warning: R5 is rejected, only its 7:3 / 3:7 part is used: {error}")

    def _import(self, actor: Any, options: dict[str, Any]) -> None:
        pool = selectors.pool_get(user=actor, pk=options["pool"])
        path = Path(options["file"])
        content = path.read_bytes()
        outcome = services.inputs_import(
            actor=actor,
            pool=pool,
            kind=options["kind"],
            rows=read_rows(content, options["kind"], path.name),
            file_name=path.name,
            content=content,
            dry_run=options["dry_run"],
        )
        note = " (dry run: nothing saved)" if options["dry_run"] else ""
        self.stdout.write(f"{outcome.rows} rows, {outcome.changed} changed{note}")

    def _compute(self, actor: Any, options: dict[str, Any]) -> None:
        pool = selectors.pool_get(user=actor, pk=options["pool"])
        allocation = services.pool_compute(actor=actor, pool=pool)
        self.stdout.write(f"allocation v{allocation.version} of {pool} ({pool.total})")
        for share in allocation.shares:
            self.stdout.write(
                f"{share['rule']}\t{share['weight']}%\tbudget {share['budget']}\tpaid {share['paid']}"
                f"\tundistributed {share['undistributed']}"
            )
        for warning in allocation.warnings:
            self.stdout.write(f"warning: {warning}")

    def _export(self, actor: Any, options: dict[str, Any]) -> None:
        pool = selectors.pool_get(user=actor, pk=options["pool"])
        sheet = payroll.payroll_build(user=actor, pool=pool)
        if sheet is None:
            raise CommandError("no allocation yet: run compute first")
        Path(options["file"]).write_bytes(payroll.payroll_workbook(sheet))
        total = f", pool column total {sheet.pool_column_total}" if sheet.full else ""
        self.stdout.write(f"{options['file']}: {len(sheet.rows)} people{total}")

    def _pools(self, actor: Any, options: dict[str, Any]) -> None:
        for pool in selectors.pool_list(user=actor):
            self.stdout.write(
                f"{pool.pk}\t{pool.period.code}\t{pool.unit.code}\t{pool.total}\t{pool.unit.name}"
            )
