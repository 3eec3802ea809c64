"""`youfu demo`: builds the demo data of every domain, in order. Each domain contributes one part; a
later app (inspections, complaints, …) adds its part to DEMO_PARTS after the ones it builds on, and
reset deletes the parts in reverse order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from youfu.core.errors import ApplicationError


@dataclass(frozen=True)
class DemoPart:
    name: str
    steps: int  # how many times `create` calls `progress`
    create: Callable[..., Any]  # (*, seed, progress) -> a summary
    delete: Callable[[], Any]
    exists: Callable[[], bool]


def demo_parts() -> list[DemoPart]:
    from youfu.appraisal import demo as appraisal_demo
    from youfu.complaints import demo as complaints_demo
    from youfu.facts import demo as facts_demo
    from youfu.feedback import demo as feedback_demo
    from youfu.inspections import demo as inspections_demo
    from youfu.org import demo as org_demo
    from youfu.performance_pay import demo as performance_pay_demo
    from youfu.rectification import demo as rectification_demo
    from youfu.reports import demo as reports_demo
    from youfu.scoring import demo as scoring_demo
    from youfu.standards import demo as standards_demo
    from youfu.star_tellers import demo as star_tellers_demo

    return [
        DemoPart(
            name="org",
            steps=org_demo.STEPS,
            create=org_demo.demo_bank_create,
            delete=org_demo.demo_bank_delete,
            exists=org_demo.demo_bank_exists,
        ),
        DemoPart(
            name="standards",
            steps=standards_demo.STEPS,
            create=standards_demo.demo_standards_create,
            delete=standards_demo.demo_standards_delete,
            exists=standards_demo.demo_standards_exists,
        ),
        # After the standards it scores with, before the facts and scoring that read its results.
        DemoPart(
            name="inspections",
            steps=inspections_demo.STEPS,
            create=inspections_demo.demo_inspections_create,
            delete=inspections_demo.demo_inspections_delete,
            exists=inspections_demo.demo_inspections_exists,
        ),
        # After inspections (it follows their findings up), before the facts and scoring.
        DemoPart(
            name="rectification",
            steps=rectification_demo.STEPS,
            create=rectification_demo.demo_rectification_create,
            delete=rectification_demo.demo_rectification_delete,
            exists=rectification_demo.demo_rectification_exists,
        ),
        # After inspections, before the facts and scoring: its verdicts record complaint facts.
        DemoPart(
            name="complaints",
            steps=complaints_demo.STEPS,
            create=complaints_demo.demo_complaints_create,
            delete=complaints_demo.demo_complaints_delete,
            exists=complaints_demo.demo_complaints_exists,
        ),
        DemoPart(
            name="facts",
            steps=facts_demo.STEPS,
            create=facts_demo.demo_facts_create,
            delete=facts_demo.demo_facts_delete,
            exists=facts_demo.demo_facts_exists,
        ),
        # After the facts (whose reset removes the demo bank's facts, the rates recorded here too).
        DemoPart(
            name="feedback",
            steps=feedback_demo.STEPS,
            create=feedback_demo.demo_feedback_create,
            delete=feedback_demo.demo_feedback_delete,
            exists=feedback_demo.demo_feedback_exists,
        ),
        # Callbacks and a customer survey (youfu.feedback), after the ratings.
        DemoPart(
            name="satisfaction",
            steps=feedback_demo.SATISFACTION_STEPS,
            create=feedback_demo.demo_satisfaction_create,
            delete=feedback_demo.demo_satisfaction_delete,
            exists=feedback_demo.demo_satisfaction_exists,
        ),
        # After feedback (its ratings feed the KPIs) and the facts (the KPI values are recorded as facts).
        DemoPart(
            name="reports",
            steps=reports_demo.STEPS,
            create=reports_demo.demo_reports_create,
            delete=reports_demo.demo_reports_delete,
            exists=reports_demo.demo_reports_exists,
        ),
        DemoPart(
            name="scoring",
            steps=scoring_demo.STEPS,
            create=scoring_demo.demo_scoring_create,
            delete=scoring_demo.demo_scoring_delete,
            exists=scoring_demo.demo_scoring_exists,
        ),
        # After the feedback (its rates) and scoring parts: star levels of the last full month, through
        # the star_tellers policy; its reset runs before the scoring part's, which empties the ledger.
        DemoPart(
            name="star_tellers",
            steps=star_tellers_demo.STEPS,
            create=star_tellers_demo.demo_star_tellers_create,
            delete=star_tellers_demo.demo_star_tellers_delete,
            exists=star_tellers_demo.demo_star_tellers_exists,
        ),
        # Last: its cycles hold R3, a policy version the scoring part's reset would otherwise remove.
        DemoPart(
            name="appraisal",
            steps=appraisal_demo.STEPS,
            create=appraisal_demo.demo_appraisal_create,
            delete=appraisal_demo.demo_appraisal_delete,
            exists=appraisal_demo.demo_appraisal_exists,
        ),
        # After appraisal: the pay pool of its closed quarter, with the grades' bonus items.
        DemoPart(
            name="performance_pay",
            steps=performance_pay_demo.STEPS,
            create=performance_pay_demo.demo_pay_create,
            delete=performance_pay_demo.demo_pay_delete,
            exists=performance_pay_demo.demo_pay_exists,
        ),
    ]


def demo_exists() -> bool:
    return any(part.exists() for part in demo_parts())


def demo_steps() -> int:
    return sum(part.steps for part in demo_parts())


@transaction.atomic
def demo_create(
    *, seed: int = 2026, reset: bool = False, progress: Callable[[str], None] | None = None
) -> list[Any]:
    """Build every part of the demo; with reset, delete the existing demo first. Returns each part's
    summary. Raises ApplicationError (code demo_exists) if the demo is there and reset is not asked."""
    parts = demo_parts()
    if reset:
        for part in reversed(parts):
            part.delete()
    elif any(part.exists() for part in parts):
        raise ApplicationError(
            _("The demo data already exists; run “youfu demo --reset” to build it again."), code="demo_exists"
        )
    return [part.create(seed=seed, progress=progress) for part in parts]
