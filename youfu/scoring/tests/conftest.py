"""Fixtures of the scoring tests: the quarter, the mystery-shopper scores of the conftest bank's three
outlets (imported as one Excel-like batch, with row numbers), a tiny policy, and a scored run.

The tiny policy, worked by hand (target 92 all year; the province's best outlet is exempt):

    outlet  region  score  exempt  target_missed                 region_best  total
    O1A     S1      93.5   yes     —                             +500         +500
    O1B     S1      88     no      −(1000 + (92 − 88) × 200)     —            −1800
    O2A     S2      90     no      −(1000 + (92 − 90) × 200)     +500         −900
                                                                          run −2200
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from youfu.facts.choices import BatchSource
from youfu.facts.services import FactValue, facts_record
from youfu.org.choices import PeriodKind
from youfu.org.models import Period
from youfu.scoring import services
from youfu.scoring.models import PolicyVersion, ScoreRun

TINY = """\
schema: 1
id: tiny_shopper
name: 小型神秘人奖惩
version: {version}
effective:
  from: 2025-01-01
  to: 2025-12-31
subjects:
  - id: outlet_head
    kind: head
    level: outlet
    name: 网点负责人
scopes:
  - id: region
    level: sub_branch
    name: 全区
  - id: province
    level: branch
    name: 全省
periods:
  unit: quarter
  phases:
    - id: whole_year
      from: 2025-01-01
      to: 2025-12-31
      values:
        target: 92
inputs:
  - name: score
    type: number
    unit: 分
  - name: complaint_tickets
    type: number
    default: 0
constants:
  per_point: {per_point} # 每差1分考核
values:
  - name: exempt
    formula: top(score, 1, within=province)
    description: the province's best outlet is not penalised
  - name: points_short
    formula: max(target - score, 0)
rules:
  - id: target_missed
    description: target missed
    seed: 未完成得分计划的,考核1000元,并且每差1分考核200元
    subject: outlet_head
    when: score < target and not exempt
    amount: -(1000 + points_short * per_point)
  - id: region_best
    description: best of the region
    seed: 列全区第1名的奖励500元
    subject: outlet_head
    when: rank(score, within=region) = 1
    amount: 500
rankings:
  - subject: outlet_head
    by: score
    name: 服务检查得分
open_questions:
  - about: rule region_best
    question: does the best of the region need to meet the target too?
    reading: no
"""

SCORES = {"o1a": Decimal("93.5"), "o1b": Decimal("88"), "o2a": Decimal("90")}


def tiny_text(version: int = 1, per_point: int = 200) -> str:
    return TINY.format(version=version, per_point=per_point)


@pytest.fixture
def quarter(db: None) -> Period:
    return Period.objects.create(
        code="2025Q1",
        name="2025年第1季度",
        kind=PeriodKind.QUARTER,
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 3, 31),
    )


@pytest.fixture
def scores(bank: Any, quarter: Period) -> Any:
    """The province's scores of the three outlets, as one imported file (rows 2–4)."""
    values = [
        FactValue(subject=getattr(bank, key), name="score", value=value, measure="分", row_number=row)
        for row, (key, value) in enumerate(SCORES.items(), start=2)
    ]
    return facts_record(
        actor=None,
        period=quarter,
        values=values,
        source=BatchSource.IMPORT,
        file_name="省行神秘人检查2025Q1.xlsx",
        sha256="0" * 64,
        sheet="得分",
    ).batch


@pytest.fixture
def version(db: None) -> PolicyVersion:
    return services.policy_version_upload(author=None, text=tiny_text(), file_name="tiny.yaml")


@pytest.fixture
def draft(version: PolicyVersion) -> PolicyVersion:
    return services.policy_version_upload(
        author=None, text=tiny_text(version=2, per_point=300), file_name="tiny_v2.yaml", status="draft"
    )


@pytest.fixture
def run(version: PolicyVersion, quarter: Period, scores: Any) -> ScoreRun:
    return services.score_period(author=None, version=version, period=quarter)
