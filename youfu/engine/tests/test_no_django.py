"""The scoring engine is plain Python: Django calls it, never the reverse."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_importing_the_engine_does_not_import_django() -> None:
    code = (
        "import sys\n"
        "import youfu.engine, youfu.engine.run, youfu.engine.compiler, youfu.engine.numbers\n"
        "import youfu.engine.backends\n"
        "youfu.engine.connect().execute(youfu.engine.numbers.number(1))\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        check=True,
        timeout=60,
    )
    assert result.stdout == "[]\n"
