"""Helpers of the API tests: a client per persona, the error shape, and a snapshot of the database to
prove that a refused request wrote nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from openpyxl import Workbook, load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from youfu.accounts.models import User
from youfu.org.models import Period, Person, PersonMove, Unit


@pytest.fixture
def api() -> APIClient:
    """An anonymous client."""
    return APIClient()


@pytest.fixture
def client_for() -> Callable[[User], APIClient]:
    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def assert_error_shape(response: Any, status: int) -> list[dict[str, Any]]:
    """The one error shape, with the given status; returns the errors."""
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["errors"]
    assert body["errors"]
    for error in body["errors"]:
        assert set(error) - {"row"} == {"code", "field", "message"}
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["message"], str) and error["message"]
    errors: list[dict[str, Any]] = body["errors"]
    return errors


def fields_of(response: Any) -> set[str | None]:
    return {error["field"] for error in response.json()["errors"]}


def db_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row a request of the org/accounts API could write, to compare before and after."""
    return {
        "units": list(Unit.objects.order_by("pk").values()),
        "people": list(Person.objects.order_by("pk").values()),
        "moves": list(PersonMove.objects.order_by("pk").values()),
        "periods": list(Period.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),
        "roles": list(Group.objects.order_by("pk").values("pk", "user")),
        "tokens": list(Token.objects.order_by("pk").values()),
        "audit": list(LogEntry.objects.order_by("pk").values_list("pk", flat=True)),
    }


def xlsx(rows: list[list[Any]], name: str = "upload.xlsx") -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def xlsx_values(content: bytes) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
