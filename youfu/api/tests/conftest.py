"""Helpers of the API tests: a client per persona, the error shape, and a snapshot of the database to
prove that a refused request wrote nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.auth.models import Group
from openpyxl import Workbook, load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from youfu.accounts.models import User


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


def db_snapshot() -> dict[str, list[Any]]:
    """Every row a request of the API could write, to compare before and after: every table of every
    youfu app (so an app added tomorrow is watched too), the logins' roles and tokens, the audit trail."""
    snapshot: dict[str, list[Any]] = {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_config.name.startswith("youfu.")
    }
    snapshot["roles"] = list(Group.objects.order_by("pk").values("pk", "user"))
    snapshot["tokens"] = list(Token.objects.order_by("pk").values())
    snapshot["audit"] = list(LogEntry.objects.order_by("pk").values_list("pk", flat=True))
    return snapshot


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
