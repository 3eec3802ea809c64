from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from youfu.policies.checker import check_policy, summary
from youfu.policies.findings import Severity


class Command(BaseCommand):
    help = (
        "Policy documents: `youfu policy check FILE [FILE ...]` lists what is wrong in each, by line; "
        "`youfu policy upload FILE [--draft]` stores a checked version for scoring."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        check = actions.add_parser(
            "check",
            help="check policy files: one line per finding, FILE:LINE:COL: severity: message [code]; "
            "exit status 1 if any is an error",
        )
        check.add_argument("files", nargs="+", metavar="FILE")
        upload = actions.add_parser(
            "upload",
            help="store a policy version (refused with the checker's findings if it has errors); "
            "it is in force unless --draft (what-if runs only)",
        )
        upload.add_argument("files", nargs=1, metavar="FILE")
        upload.add_argument("--draft", action="store_true", help="a draft, for what-if runs only")

    def handle(self, *args: Any, action: str, files: list[str], **options: Any) -> None:
        if action == "upload":
            self.upload(Path(files[0]), draft=options["draft"])
            return
        findings = [finding for path in files for finding in check_policy(path)]
        for finding in findings:
            self.stdout.write(str(finding))
        errors = sum(finding.severity is Severity.ERROR for finding in findings)
        line = summary(len(files), errors, len(findings) - errors)
        if errors:
            raise CommandError(line, returncode=1)
        self.stderr.write(line)

    def upload(self, path: Path, *, draft: bool) -> None:
        # Storing versions is the scoring app's service; this command only reads the file for it.
        from youfu.core.errors import ApplicationError
        from youfu.scoring.choices import PolicyStatus
        from youfu.scoring.services import policy_version_upload

        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        try:
            version = policy_version_upload(
                author=None,
                text=text,
                file_name=path.name,
                status=PolicyStatus.DRAFT if draft else PolicyStatus.ACTIVE,
            )
        except ApplicationError as error:
            for detail in error.details:
                self.stderr.write(f"{path}:{detail.message}")
            raise CommandError(error.message, returncode=1) from error
        self.stdout.write(
            f"stored {version.policy} version {version.version} ({version.get_status_display()}), "
            f"{len(version.warnings)} warning(s)"
        )
