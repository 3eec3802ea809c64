"""Fixtures of the inspections tests: a bank-wide published checklist, quarters of 2025, an inspector and
an approver of sub-branch S1, people of outlet O1A, a photo maker, and English messages."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from youfu.accounts.choices import Role
from youfu.inspections import services
from youfu.inspections.models import Inspection
from youfu.org.choices import PeriodKind, Position
from youfu.org.models import Period
from youfu.standards import services as standard_services
from youfu.standards.models import StandardVersion
from youfu.standards.structure import ItemData, SectionData, StandardData
from youfu.testing.factories import PersonFactory, UserFactory

DAY = dt.date(2025, 5, 12)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def checklist_data(code: str = "CHK") -> StandardData:
    """100 points, deductions: A (10, capped) with a 4-point deduction up to 3 times (12 > 10: the cap),
    a pass/fail that may be N/A; B (30) with a key hardware deduction and a score item; C (60) with a red
    line that caps the total at 60 and a pass/fail."""
    return StandardData(
        code=code,
        name="网点服务检查",
        kind="mystery_shopper",
        rule="deductions",
        max_score=Decimal(100),
        sections=(
            SectionData(code="A", name="环境", points=Decimal(10)),
            SectionData(code="B", name="设备", points=Decimal(30)),
            SectionData(code="C", name="服务", points=Decimal(60)),
        ),
        items=(
            ItemData(
                code="A1",
                section="A",
                text="店招清洁",
                kind="deduction",
                points=Decimal(4),
                max_occurrences=3,
            ),
            ItemData(
                code="A2",
                section="A",
                text="无障碍通道",
                kind="pass_fail",
                points=Decimal(5),
                na_allowed=True,
            ),
            ItemData(
                code="B1",
                section="B",
                text="自助设备正常",
                kind="deduction",
                points=Decimal(3),
                max_occurrences=2,
                aspect="hardware",
                key_item=True,
            ),
            ItemData(code="B2", section="B", text="四声服务", kind="score_out_of_n", points=Decimal(10), n=4),
            ItemData(
                code="C1",
                section="C",
                text="唱收唱付",
                kind="pass_fail",
                points=Decimal(10),
                red_line="cap_total",
                red_line_cap=Decimal(60),
            ),
            ItemData(
                code="C2",
                section="C",
                text="提醒清点",
                kind="deduction",
                points=Decimal(2),
                max_occurrences=2,
            ),
        ),
    )


PERFECT = {"A1": 0, "A2": "pass", "B1": 0, "B2": 4, "C1": "pass", "C2": 0}


@pytest.fixture
def version(bank: Any, admin: Any) -> StandardVersion:
    result = standard_services.standard_save(actor=admin, data=checklist_data(), owner=bank.head_office)
    return standard_services.standard_version_publish(actor=admin, version=result.version)


@pytest.fixture
def quarters(db: None) -> list[Period]:
    out = []
    for q in range(1, 5):
        start = dt.date(2025, 3 * q - 2, 1)
        end = (dt.date(2025, 3 * q + 1, 1) if q < 4 else dt.date(2026, 1, 1)) - dt.timedelta(days=1)
        out.append(
            Period.objects.create(
                code=f"2025Q{q}", name=f"2025年第{q}季度", kind=PeriodKind.QUARTER, start=start, end=end
            )
        )
    return out


@pytest.fixture
def inspector(bank: Any) -> Any:
    return UserFactory.create(username="inspector", unit=bank.s1, roles=[Role.INSPECTOR])


@pytest.fixture
def approver(s1_office: Any) -> Any:
    return s1_office


@pytest.fixture
def people(bank: Any) -> dict[str, Any]:
    return {
        "teller": bank.teller_1a,
        "lobby": PersonFactory.create(
            unit=bank.o1a, name="赵敏", employee_no="100010", position=Position.LOBBY_MANAGER
        ),
        "guard": PersonFactory.create(
            unit=bank.o1a, name="孙力", employee_no="100011", position=Position.SECURITY_GUARD
        ),
    }


def photo_bytes(
    fmt: str = "JPEG", taken: str | None = None, gps: bool = False, size: tuple[int, int] = (32, 24)
) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    if gps:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1] = "N"
        gps_ifd[2] = (31.0, 14.0, 30.0)
        gps_ifd[3] = "E"
        gps_ifd[4] = (121.0, 28.0, 12.0)
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif)
    return buffer.getvalue()


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data)


def checked(
    *,
    inspector: Any,
    approver: Any,
    unit: Any,
    version: StandardVersion,
    values: dict[str, Any],
    kind: str = "mystery_shopper",
    date: dt.date = DAY,
    publish: bool = True,
    **extra: Any,
) -> Inspection:
    """A check taken through the workflow: created, filled, submitted, approved (and published)."""
    inspection = services.inspection_create(
        actor=inspector, kind=kind, unit=unit, date=date, version_id=version.pk, today=date, **extra
    )
    services.inspection_record_results(actor=inspector, inspection=inspection, values={**PERFECT, **values})
    services.inspection_submit(actor=inspector, inspection=inspection)
    services.inspection_approve(actor=approver, inspection=inspection)
    if publish:
        services.inspection_publish(actor=approver, inspection=inspection, today=date)
    inspection.refresh_from_db()
    return inspection
