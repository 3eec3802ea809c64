"""Fixtures of the standards tests: a small standard of S1 (draft and published), and English messages."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from youfu.standards import services
from youfu.standards.models import Standard, StandardVersion
from youfu.standards.structure import ItemData, SectionData, StandardData


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are asserted on their English msgids, whatever the Chinese translations say.
    with translation.override("en"):
        yield


def small_data(code: str = "S1-CHECK", **changes) -> StandardData:
    """A 100-point deduction checklist: two sections, four items of every kind."""
    data = StandardData(
        code=code,
        name="东城支行自查标准",
        kind="self_check",
        rule="deductions",
        max_score=Decimal(100),
        warnings=("示例警示",),
        sections=(
            SectionData(code="A", name="环境", points=Decimal(40)),
            SectionData(code="B", name="服务", points=Decimal(60)),
        ),
        items=(
            ItemData(
                code="A1",
                section="A",
                text="店招清洁",
                kind="deduction",
                points=Decimal(5),
                max_occurrences=3,
                aspect="hardware",
                key_item=True,
            ),
            ItemData(
                code="A2",
                section="A",
                text="无障碍通道",
                kind="pass_fail",
                points=Decimal(10),
                na_allowed=True,
                aspect="hardware",
            ),
            ItemData(
                code="B1",
                section="B",
                text="四声服务",
                kind="score_out_of_n",
                points=Decimal(20),
                n=4,
                aspect="software",
            ),
            ItemData(
                code="B2",
                section="B",
                text="唱收唱付",
                kind="pass_fail",
                points=Decimal(10),
                red_line="zero_section",
            ),
        ),
    )
    for key, value in changes.items():
        data = data.__class__(**{**data.__dict__, key: value})
    return data


@pytest.fixture
def s1_standard(bank, s1_office) -> Standard:
    """A draft standard owned by sub-branch S1."""
    return services.standard_save(actor=s1_office, data=small_data(), owner=bank.s1).version.standard


@pytest.fixture
def s1_published(s1_standard, s1_office) -> StandardVersion:
    version = s1_standard.versions.get()
    return services.standard_version_publish(actor=s1_office, version=version)
