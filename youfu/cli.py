"""The `youfu` command: `youfu <command>` is `manage.py <command>` with youfu's settings, and
`youfu --help` lists youfu's own commands first, one line each."""

from __future__ import annotations

import os
import sys
import textwrap

# The commands people reach for first, in this order; any other youfu command follows alphabetically.
FIRST = (
    "serve",
    "demo",
    "org_import",
    "org_export",
    "standards",
    "inspections",
    "rectification",
    "complaints",
    "facts",
    "feedback",
    "policy",
    "score",
    "explain",
    "appraisal",
    "bench",
    "tick",
    "user_create",
)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def usage() -> str:
    import django
    from django.core import management
    from django.core.management import find_commands, get_commands, load_command_class

    django.setup()
    commands = get_commands()
    # A youfu app may override a Django command (the ledger's test-safe `flush`): it stays Django's.
    django_own = set(find_commands(management.__path__[0]))
    ours = sorted(
        (name for name, app in commands.items() if app.startswith("youfu") and name not in django_own),
        key=lambda name: (FIRST.index(name) if name in FIRST else len(FIRST), name),
    )
    width = max((len(name) for name in ours), default=0) + 2
    lines = [
        "Usage: youfu <command> [options]",
        "       youfu <command> --help     (the options of one command)",
        "",
        "youfu commands:",
    ]
    for name in ours:
        help_text = _first_line(str(load_command_class(commands[name], name).help))
        lines.append(f"  {name.ljust(width)}{help_text}")
    others = sorted(name for name in commands if name not in ours)
    lines += ["", "Django commands (the same as manage.py):"]
    lines += textwrap.wrap(", ".join(others), width=100, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youfu.config.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "youfu"
    if len(args) == 1 or args[1:] in (["--help"], ["-h"], ["help"]):
        print(usage())
        return 0
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
