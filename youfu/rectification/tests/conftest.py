"""Fixtures of the rectification tests: the inspections fixtures (a published checklist, 2025 quarters, an
inspector and approver of S1), a published check of outlet O1A with findings, and English messages."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from youfu.inspections.models import Finding, Inspection
from youfu.inspections.tests.conftest import (  # noqa: F401  (fixtures re-used)
    _english,
    _media,
    checked,
    inspector,
    quarters,
    version,
)
from youfu.rectification import services
from youfu.rectification.models import Rectification

DAY = dt.date(2025, 5, 12)
TODAY = dt.date(2025, 5, 20)


@pytest.fixture
def approver(s1_office: Any) -> Any:
    return s1_office


@pytest.fixture
def inspection(inspector: Any, s1_office: Any, bank: Any, version: Any, quarters: Any) -> Inspection:  # noqa: F811
    """O1A's published check: A1 twice (店招清洁), B1 once (a key item), C2 once."""
    return checked(
        inspector=inspector,
        approver=s1_office,
        unit=bank.o1a,
        version=version,
        values={"A1": 2, "B1": 1, "C2": 1},
    )


@pytest.fixture
def finding(inspection: Inspection) -> Finding:
    return inspection.findings.get(item__code="A1")


@pytest.fixture
def key_finding(inspection: Inspection) -> Finding:
    return inspection.findings.get(item__code="B1")


class Upload(io.BytesIO):
    def __init__(self, data: bytes = b"%PDF-1.4 evidence", name: str = "fixed.pdf") -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data)
        self.content_type = "application/pdf"


def opened(
    actor: Any, finding: Finding, unit: Any, *, deadline: dt.date = dt.date(2025, 6, 1), **kw: Any
) -> Rectification:
    return services.rectification_open(
        actor=actor,
        finding=finding,
        responsible_unit=unit,
        deadline=deadline,
        required_evidence="整改后照片",
        today=TODAY,
        **kw,
    )
