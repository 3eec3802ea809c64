"""`youfu policy check FILE …`: one line per finding, exit status 1 when any is an error."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from youfu.org.choices import UnitKind
from youfu.policies.document import LEVELS
from youfu.policies.management.commands.policy import Command
from youfu.policies.tests.helpers import REFERENCE, document, r5_error


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(Command(), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_check_prints_each_finding_and_passes_on_warnings_only() -> None:
    path = str(REFERENCE / "r3_staff_appraisal.yaml")

    out, err = _run("check", path)

    lines = out.splitlines()
    assert len(lines) == 7
    assert lines[0].startswith(f"{path}:")
    assert ": warning: table 'quarter_bonus': the seed is silent on '良'" in lines[0]
    assert lines[0].endswith(" [silent_case]")
    assert err == "1 file checked: 0 errors, 7 warnings\n"


def test_check_fails_with_status_1_when_a_file_has_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(document(), encoding="utf-8")
    r5 = str(REFERENCE / "r5_department_weights.yaml")
    out = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command(Command(), "check", str(good), r5, stdout=out, stderr=StringIO())

    assert raised.value.returncode == 1
    assert str(raised.value) == "2 files checked: 1 error, 2 warnings"
    assert [line.split(": ")[1] for line in out.getvalue().splitlines()] == ["error", "warning", "warning"]
    line, column = r5_error()
    assert out.getvalue().startswith(f"{r5}:{line}:{column}: error: weights ")


def test_check_needs_a_file() -> None:
    with pytest.raises(CommandError):
        _run("check")


def test_the_policy_levels_are_the_org_unit_kinds() -> None:
    assert tuple(UnitKind.values) == LEVELS
