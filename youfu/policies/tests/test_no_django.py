"""Policy documents and their checker are plain Python: the scoring engine loads them without Django."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from youfu.policies.tests.helpers import r5_error

ROOT = Path(__file__).resolve().parents[3]


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, *args, *(["-c", code] if code else [])],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=60,
    )


def test_loading_and_checking_policies_does_not_import_django() -> None:
    code = (
        "import sys\n"
        "import youfu.policies, youfu.policies.document, youfu.policies.checker\n"
        "from youfu.policies.checker import check_policy, load_policy\n"
        "load_policy('youfu/policies/reference/r1_mystery_shopper.yaml')\n"
        "check_policy('youfu/policies/reference/r5_department_weights.yaml')\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )

    result = _run(code)

    assert (result.returncode, result.stdout, result.stderr) == (0, "[]\n", "")


def test_the_checker_runs_as_a_module_with_exit_status_1_on_errors() -> None:
    clean = _run("", "-m", "youfu.policies.checker", "youfu/policies/reference/r2_competition_100_days.yaml")
    broken = _run("", "-m", "youfu.policies.checker", "youfu/policies/reference/r5_department_weights.yaml")

    assert clean.returncode == 0
    assert clean.stderr == "1 file checked: 0 errors, 5 warnings\n"
    assert broken.returncode == 1
    line, column = r5_error()
    assert broken.stdout.startswith(
        f"youfu/policies/reference/r5_department_weights.yaml:{line}:{column}: error: weights "
        "'non_business_indicators' › 'quantitative'"
    )
    assert broken.stderr == "1 file checked: 1 error, 2 warnings\n"
