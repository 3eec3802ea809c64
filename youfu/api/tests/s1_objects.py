"""The objects of sub-branch S1 in the apps built on the org (indicator data, checklists, scoring), shared
by the two generic walks (youfu/api/tests/test_permissions.py, youfu/web/tests/test_permissions.py): each
walk tries every route that takes an id on one of these, and every list, search and export must show an
S2 user nothing of them.

Built through each app's own services, on the conftest bank:

- indicator data (youfu.facts) for the quarter 2025Q1: one batch of S1's outlets only (O1A, O1B — its
  file name names 东城支行, so a batch list that shows it to S2 leaks) and one of S2's (O2A);
- checklists (youfu.standards) owned by S1: S1-CHECK, published version 1 and its draft version 2 (with
  sections and items to edit), and S1-PUB, published only (a copy can be started from it);
- scoring (youfu.scoring): the tiny policy of youfu/scoring/tests/conftest.py in force and a draft of it,
  an official run of the quarter whose lines hold all three outlets, and a what-if run of the draft.
  Policy versions and runs are bank-wide; their lines are not.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from youfu.facts.choices import BatchSource
from youfu.facts.models import Fact, FactBatch
from youfu.facts.services import FactValue, facts_record
from youfu.org.choices import PeriodKind
from youfu.org.models import Period
from youfu.scoring import services as scoring
from youfu.scoring.models import PolicyVersion, ScoreLine, ScoreRun
from youfu.scoring.tests.conftest import tiny_text
from youfu.standards import exports
from youfu.standards import services as standards
from youfu.standards.models import Item, Section, Standard, StandardVersion
from youfu.standards.tests.conftest import small_data

PERIOD = "2025Q1"
# The S1 batch's file: its name is S1's, so it must never show on the S2 side.
S1_BATCH_FILE = "东城支行2025Q1服务检查.xlsx"
# Words of S1's checklists that no other object carries: their code, the second one's name, item texts.
S1_STANDARD_WORDS = ("S1-CHECK", "S1-PUB", "东城支行自查标准", "东城支行检查标准乙", "店招清洁", "唱收唱付")
# A policy file for the upload routes: the tiny policy, version 3 (versions 1 and 2 are stored).
POLICY_UPLOAD = tiny_text(version=3, per_point=250)


@dataclass(frozen=True)
class S1Objects:
    period: Period
    fact: Fact  # O1A's score
    batch: FactBatch  # S1's outlets only
    standard: Standard  # S1-CHECK
    published: StandardVersion  # S1-CHECK v1
    draft: StandardVersion  # S1-CHECK v2
    section: Section  # section A of the draft
    item: Item  # item A1 of the draft
    lone_published: StandardVersion  # S1-PUB v1, no draft: a copy can be started
    policy: PolicyVersion  # in force, bank-wide
    policy_draft: PolicyVersion  # what-if only, bank-wide
    run: ScoreRun  # official, bank-wide; lines of O1A, O1B and O2A
    what_if: ScoreRun  # of the draft, bank-wide
    line: ScoreLine  # O1A's line of the official run (visible to O1A's own users)
    line_o1b: ScoreLine  # O1B's line of the official run

    def ids(self) -> dict[str, int]:
        """Ids to fill into queries and posts ("{section}" …)."""
        return {
            "run": self.run.pk,
            "what_if": self.what_if.pk,
            "line_o1b": self.line_o1b.pk,
            "policy": self.policy.pk,
            "policy_draft": self.policy_draft.pk,
            "section": self.section.pk,
            "item": self.item.pk,
        }


def build_s1_objects(bank: Any, s1_office: Any) -> S1Objects:
    period = Period.objects.create(
        code=PERIOD,
        name="2025年第1季度",
        kind=PeriodKind.QUARTER,
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 3, 31),
    )

    def record(file_name: str, scores: dict[Any, str]) -> FactBatch:
        values = [
            FactValue(subject=unit, name="score", value=Decimal(value), measure="分", row_number=row)
            for row, (unit, value) in enumerate(scores.items(), start=2)
        ]
        batch = facts_record(
            actor=None,
            period=period,
            values=values,
            source=BatchSource.IMPORT,
            file_name=file_name,
            sha256=file_name.encode().hex()[:64].ljust(64, "0"),
            sheet="得分",
        ).batch
        assert batch is not None
        return batch

    batch = record(S1_BATCH_FILE, {bank.o1a: "93.5", bank.o1b: "88"})
    record("西城支行2025Q1服务检查.xlsx", {bank.o2a: "90"})

    published = standards.standard_save(
        actor=s1_office, data=small_data(), owner=bank.s1, publish=True
    ).version
    draft = standards.standard_version_copy(actor=s1_office, version=published)
    lone = standards.standard_save(
        actor=s1_office,
        data=small_data(code="S1-PUB", name="东城支行检查标准乙"),
        owner=bank.s1,
        publish=True,
    ).version

    policy = scoring.policy_version_upload(author=None, text=tiny_text(), file_name="tiny.yaml")
    policy_draft = scoring.policy_version_upload(
        author=None, text=tiny_text(version=2, per_point=300), file_name="tiny_v2.yaml", status="draft"
    )
    run = scoring.score_period(author=None, version=policy, period=period)
    what_if = scoring.score_period(author=None, version=policy_draft, period=period, what_if=True)

    return S1Objects(
        period=period,
        fact=Fact.objects.get(unit=bank.o1a, period=period, is_current=True),
        batch=batch,
        standard=published.standard,
        published=published,
        draft=draft,
        section=draft.sections.get(code="A"),
        item=draft.items.get(code="A1"),
        lone_published=lone,
        policy=policy,
        policy_draft=policy_draft,
        run=run,
        what_if=what_if,
        line=ScoreLine.objects.get(run=run, unit=bank.o1a),
        line_o1b=ScoreLine.objects.get(run=run, unit=bank.o1b),
    )


# Indicator data of S1 in the import layout: O1A's score changes (93.5 → 95), O1B's is new text.
S1_FACT_ROWS: list[list[Any]] = [
    ["机构号", "机构名称", "期间", "score"],
    ["O1A", "东城营业部", PERIOD, 95],
    ["O1B", "东湖网点", PERIOD, 87],
]


def s1_standard_file(objects: S1Objects) -> bytes:
    """S1-PUB as exported, with a new name: importing it makes S1-PUB's draft version 2 (a change in
    S1 the S1 office may make, refused to anyone else)."""
    book = load_workbook(io.BytesIO(exports.standard_export(version=objects.lone_published)))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == "东城支行检查标准乙":
                    cell.value = "东城支行检查标准乙（修订）"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def s1_draft_content() -> dict[str, Any]:
    """A whole draft's content in the API's layout: one section of one pass/fail item."""
    return {
        "rule": "deductions",
        "max_score": "100",
        "sections": [
            {
                "code": "A",
                "name": "环境",
                "points": "100",
                "items": [{"code": "A1", "text": "店招清洁", "kind": "pass_fail", "points": "10"}],
            }
        ],
    }
