import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.accounts.services import user_roles
from youfu.cli import FIRST
from youfu.core.management.commands import serve
from youfu.org.demo import DEMO_LOGINS, DEMO_PASSWORD
from youfu.org.models import Person, PersonMove, Unit


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write_xlsx(path: Path, *rows: list) -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def test_youfu_help_lists_youfu_commands_first():
    # the real console entry point, as installed by pyproject's [project.scripts]
    script = shutil.which("youfu", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "youfu.cli"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "youfu.config.settings"}
    done = subprocess.run(  # noqa: S603  (our own entry point, fixed arguments)
        [*command, "--help"], capture_output=True, text=True, timeout=60, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Usage: youfu <command> [options]"
    start = lines.index("youfu commands:")
    names = [line.split()[0] for line in lines[start + 1 :] if line.startswith("  ")]
    assert names[:4] == ["serve", "demo", "org_import", "org_export"]
    firsts = [name for name in names if name in FIRST]
    assert firsts == [name for name in FIRST if name in names]  # in FIRST's order, before the others
    assert names[: len(firsts)] == firsts
    assert {"score", "explain", "policy", "facts", "standards"} <= set(names)
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines[start + 1 : start + 6])  # one line each
    assert "migrate" in done.stdout.split("Django commands")[1]


def no_ticker(monkeypatch) -> list[float]:
    """`serve` starts the periodic jobs' thread; here it is only recorded. A real one would outlive
    the test and, five minutes on, run the jobs against whatever database the worker has then (or
    none: "job … failed" logged to a closed stream, seen at the end of a PostgreSQL run)."""
    from youfu.notifications import jobs

    started: list[float] = []
    monkeypatch.setattr(jobs, "start_ticker", lambda interval=jobs.TICK_SECONDS: started.append(interval))
    return started


def test_serve_prepares_builds_the_demo_prints_logins_and_serves(db, tmp_path, settings, monkeypatch):
    settings.DATA_DIR = tmp_path / "data"
    settings.STATIC_ROOT = tmp_path / "data" / "static"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    served = []
    monkeypatch.setattr(serve, "run_server", lambda **kwargs: served.append(kwargs))
    ticking = no_ticker(monkeypatch)

    out, _err = run("serve", "--port", "8765")

    assert (tmp_path / "data" / "static").is_dir()
    assert served == [{"host": "127.0.0.1", "port": 8765, "threads": 8}]
    assert "http://127.0.0.1:8765/" in out
    assert DEMO_PASSWORD in out
    assert all(login.username in out for login in DEMO_LOGINS)
    assert Unit.objects.filter(kind="outlet").count() == 40

    # again: nothing is built twice
    counts = (Unit.objects.count(), Person.objects.count(), User.objects.count())
    run("serve", "--port", "8765")
    assert (Unit.objects.count(), Person.objects.count(), User.objects.count()) == counts
    assert len(ticking) == 2


def test_serve_without_demo_leaves_the_database_empty(db, tmp_path, settings, monkeypatch):
    settings.DATA_DIR = tmp_path / "data"
    monkeypatch.setattr(serve, "run_server", lambda **kwargs: None)
    no_ticker(monkeypatch)
    out, _err = run("serve", "--no-demo")
    assert "http://127.0.0.1:8000/" in out
    assert DEMO_PASSWORD not in out
    assert not Unit.objects.exists()


def test_demo_command_twice_says_it_exists_and_reset_rebuilds(db):
    out, _err = run("demo", "--seed", "3")
    assert "40 outlets" in out
    people = list(Person.objects.values_list("employee_no", "name"))
    out, _err = run("demo")
    assert "already exists" in out
    assert list(Person.objects.values_list("employee_no", "name")) == people
    run("demo", "--reset", "--seed", "3")
    assert sorted(Person.objects.values_list("employee_no", "name")) == sorted(people)
    assert User.objects.count() == len(DEMO_LOGINS)


def test_org_import_prints_row_errors_and_fails_writing_nothing(bank, admin, tmp_path):
    path = write_xlsx(
        tmp_path / "people.xlsx",
        ["工号", "姓名", "所属机构代码", "岗位", "入职日期"],
        ["300001", "赵敏", "O1B", "柜员", "2020-01-01"],
        ["300002", "钱进", "NOPE", "柜员", "someday"],
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("org_import", "people", str(path), stdout=io.StringIO(), stderr=err)
    assert "nothing was imported" in str(exc.value)
    table = err.getvalue().splitlines()
    assert table[0].split() == ["Row", "Column", "Message"]
    assert table[1].split()[:2] == ["3", "入职日期"]
    assert table[2].split()[:2] == ["3", "所属机构代码"]
    assert not Person.objects.filter(employee_no="300001").exists()


def test_org_import_dry_run_then_for_real_then_again(bank, admin, tmp_path):
    path = write_xlsx(
        tmp_path / "people.xlsx", ["工号", "姓名", "所属机构代码", "岗位"], ["300001", "赵敏", "O1B", "柜员"]
    )
    out, _err = run("org_import", "people", str(path), "--dry-run")
    assert "would create 1" in out
    assert not Person.objects.filter(employee_no="300001").exists()
    out, _err = run("org_import", "people", str(path))
    assert "created 1, updated 0, unchanged 0" in out
    out, _err = run("org_import", "people", str(path))
    assert "created 0, updated 0, unchanged 1" in out
    assert PersonMove.objects.filter(person__employee_no="300001").count() == 1


def test_org_import_as_the_outsider_is_refused(bank, outsider, tmp_path):
    path = write_xlsx(
        tmp_path / "units.xlsx",
        ["机构代码", "机构名称", "机构类型", "上级机构代码"],
        ["S1", "改名", "支行", "BR"],
    )
    with pytest.raises(CommandError):
        call_command(
            "org_import", "units", str(path), "--as", "outsider", stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert Unit.objects.get(code="S1").name == "东城支行"


def test_org_import_without_an_administrator_says_what_to_do(bank, tmp_path):
    path = write_xlsx(tmp_path / "units.xlsx", ["机构代码"])
    with pytest.raises(CommandError, match="--as USERNAME"):
        run("org_import", "units", str(path))


def test_org_export_writes_what_the_user_may_see(bank, admin, s1_office, tmp_path):
    run("org_export", "units", str(tmp_path / "all.xlsx"))
    run("org_export", "people", str(tmp_path / "s1.xlsx"), "--as", "s1_office")
    units = [
        row[0] for row in load_workbook(tmp_path / "all.xlsx").active.iter_rows(min_row=2, values_only=True)
    ]
    people = [
        row[0] for row in load_workbook(tmp_path / "s1.xlsx").active.iter_rows(min_row=2, values_only=True)
    ]
    assert units == ["HO", "BR", "BR-OFF", "S1", "O1A", "O1B", "S2", "O2A"]
    assert people == ["100001", "100002", "100009"]


def test_user_create_is_safe_to_run_twice(bank):
    args = ("user_create", "dongcheng", "--unit", "S1", "--role", "service_office", "--role", "inspector")
    out, _err = run(*args, "--password", "a-long-pass-42", "--person", "100009")
    assert "Created user dongcheng" in out
    user = User.objects.get(username="dongcheng")
    assert user.unit and user.person
    assert (user.unit.code, user.person.employee_no) == ("S1", "100009")
    assert set(user_roles(user)) == {Role.SERVICE_OFFICE, Role.INSPECTOR}
    assert user.check_password("a-long-pass-42")

    out, _err = run(*args, "--password", "another-pass-43", "--person", "100009")
    assert "already exists as asked" in out
    assert User.objects.get(username="dongcheng").check_password("a-long-pass-42")

    with pytest.raises(CommandError, match="different roles"):
        run("user_create", "dongcheng", "--unit", "S1", "--role", "auditor", "--person", "100009")


def test_user_create_refuses_bad_input(bank, monkeypatch):
    with pytest.raises(CommandError, match="No unit has the code NOPE"):
        run("user_create", "x", "--unit", "NOPE", "--role", "staff", "--password", "a-long-pass-42")
    with pytest.raises(CommandError, match="must be given the unit"):
        run("user_create", "x", "--role", "staff", "--password", "a-long-pass-42")
    with pytest.raises(CommandError, match="too short"):
        run("user_create", "x", "--unit", "S1", "--role", "staff", "--password", "short")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="--password"):
        run("user_create", "x", "--unit", "S1", "--role", "staff")
    assert not User.objects.filter(username="x").exists()


def test_user_create_superuser(db):
    run("user_create", "root", "--superuser", "--password", "a-long-pass-42")
    user = User.objects.get(username="root")
    assert (user.is_superuser, user.unit) == (True, None)
