from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youfu.policies.checker import check_policy, summary
from youfu.policies.findings import Severity


class Command(BaseCommand):
    help = "Policy documents: `youfu policy check FILE [FILE ...]` lists what is wrong in each, by line."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check = actions.add_parser(
            "check",
            help="check policy files: one line per finding, FILE:LINE:COL: severity: message [code]; "
            "exit status 1 if any is an error",
        )
        check.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, action: str, files: list[str], **options: Any) -> None:
        findings = [finding for path in files for finding in check_policy(path)]
        for finding in findings:
            self.stdout.write(str(finding))
        errors = sum(finding.severity is Severity.ERROR for finding in findings)
        line = summary(len(files), errors, len(findings) - errors)
        if errors:
            raise CommandError(line, returncode=1)
        self.stderr.write(line)
