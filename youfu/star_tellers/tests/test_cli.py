"""`youfu star_tellers compute|list|publish --period …`."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("star_tellers", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_compute_list_publish(rated, october, branch_office, outsider):
    with pytest.raises(CommandError):
        _run("list", "--period", "2025-10", "--as", branch_office.username)
    out, _err = _run("compute", "--period", "2025-10", "--as", branch_office.username)
    assert "2025-10" in out and "3" in out
    out, err = _run("list", "--period", "2025-10", "--as", branch_office.username)
    rows = [line.split("\t") for line in out.splitlines()[1:-1]]
    assert [(row[0], row[3], row[-1]) for row in rows] == [
        ("100001", "5", "200.00"),
        ("100002", "2", "200.00"),
        ("200001", "1", "200.00"),
    ]
    assert "600.00" in out.splitlines()[-1] and "open question" in err
    out, _err = _run("list", "--period", "2025-10", "--min-level", "2", "--as", branch_office.username)
    assert "200001" not in out and "100002" in out
    out, _err = _run("list", "--period", "2025-10", "--as", outsider.username)
    assert "100001" not in out and "200001" in out
    with pytest.raises(CommandError):
        _run("list", "--period", "2025-10", "--unit", "S1", "--as", outsider.username)
    with pytest.raises(CommandError):
        _run("compute", "--period", "2025-10", "--as", outsider.username)
    out, _err = _run("publish", "--period", "2025-10", "--as", branch_office.username)
    assert "2025-10" in out
    with pytest.raises(CommandError):
        _run("compute", "--period", "2025-10", "--as", branch_office.username)
    with pytest.raises(CommandError):
        _run("compute", "--period", "2031-13", "--as", branch_office.username)
