"""Writes of the star-tellers domain: record the findings attributed to each teller as facts, compute a
month's star levels through the scoring engine (an official run of the star_tellers policy, whose
200 yuan a month is posted to the ledger), and publish the month.

Why the engine and not a calculator of its own: a star level is a policy's result per person and
period, read from facts, with money — exactly what youfu.scoring runs, stores line by line with the
facts used, explains and posts to the ledger. The policy (youfu/policies/reference/star_tellers.yaml)
keeps the thresholds the office chooses where the seed is silent, as data it can change.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from youfu.accounts.access import require_perm
from youfu.core.errors import ApplicationError
from youfu.facts.choices import BatchSource
from youfu.facts.services import FactValue, RecordResult, facts_record
from youfu.inspections.choices import InspectionStatus
from youfu.inspections.models import Finding
from youfu.org.choices import PeriodKind, Position
from youfu.org.models import Period, Person
from youfu.scoring.choices import PolicyStatus, RunKind, RunStatus
from youfu.scoring.models import PolicyVersion, ScoreRun
from youfu.scoring.services import policy_version_upload, score_period, score_run_publish
from youfu.star_tellers.choices import FACT_PERSON_FINDINGS, POLICY_FILE, POLICY_ID

REFERENCE = Path(__file__).resolve().parent.parent / "policies" / "reference" / POLICY_FILE
# Findings count once the check is published (the outlet sees it and may appeal); a check replaced by a
# correction (superseded) no longer counts, its correction does.
COUNTED = (InspectionStatus.PUBLISHED, InspectionStatus.FINAL)


def reference_text() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def require_month(period: Period) -> None:
    if period.kind != PeriodKind.MONTH:
        raise ApplicationError(
            _("Star levels are rated per month; %(period)s is not a month. Choose a period such as 2026-10.")
            % {"period": period},
            code="wrong_period",
            field="period",
        )


def findings_per_teller(period: Period) -> Counter[int]:
    """person id → findings attributed to them in published (or final) checks dated in the period; a
    finding that repeats another channel's (duplicate_of) counts once, through the first."""
    rows = Finding.objects.filter(
        inspection__status__in=COUNTED,
        inspection__date__gte=period.start,
        inspection__date__lte=period.end,
        duplicate_of__isnull=True,
    ).values_list("people__id", flat=True)
    return Counter(pk for pk in rows if pk is not None)


def person_findings_record(*, period: Period) -> RecordResult | None:
    """Record `person_findings` for every teller in service (0 where none), one system batch through
    youfu.facts (unchanged values write nothing: safe to run twice). None when there are no tellers.
    The callers check the rights: this is the system's own count of published checks."""
    require_month(period)
    counts = findings_per_teller(period)
    tellers = list(Person.objects.filter(is_active=True, position=Position.TELLER).select_related("unit"))
    if not tellers:
        return None
    note = (
        _("Findings attributed in published inspections of %(period)s (/inspections/)")
        % {"period": period.code}
    )[:255]
    values = [
        FactValue(
            subject=teller,
            name=FACT_PERSON_FINDINGS,
            value=Decimal(counts.get(teller.pk, 0)),
            measure="次",
            note=note,
        )
        for teller in tellers
    ]
    return facts_record(
        actor=None,
        period=period,
        values=values,
        source=BatchSource.MANUAL,
        note=(_("Star tellers: findings per teller, %(period)s") % {"period": period.code})[:255],
    )


def star_policy_version(*, author: Any) -> PolicyVersion:
    """The star_tellers policy in force: the stored active version, else the reference file uploaded
    now (as any policy upload: checked, warnings kept and shown)."""
    active = PolicyVersion.objects.filter(policy=POLICY_ID, status=PolicyStatus.ACTIVE).first()
    if active is not None:
        return active
    return policy_version_upload(author=author, text=reference_text(), file_name=POLICY_FILE)


def current_run(period: Period) -> ScoreRun | None:
    """The month's current official run of the policy (posted or published), if any."""
    return (
        ScoreRun.objects.filter(
            policy_version__policy=POLICY_ID,
            period=period,
            kind=RunKind.OFFICIAL,
            status__in=(RunStatus.POSTED, RunStatus.PUBLISHED),
        )
        .select_related("policy_version", "period")
        .order_by("-created_at", "-pk")
        .first()
    )


@transaction.atomic
def star_levels_compute(*, actor: Any, period: Period) -> ScoreRun:
    """Record the month's findings per teller, then run the star_tellers policy over the month
    (official: the 200 yuan of each star teller is posted to the ledger; a rerun supersedes the earlier
    run and reverses its entries). `actor` None is a system run (the demo)."""
    if actor is not None:
        require_perm(actor, "star_tellers.compute_starlevel")
    require_month(period)
    version = star_policy_version(author=actor)
    person_findings_record(period=period)
    return score_period(author=actor, version=version, period=period)


def star_levels_publish(*, actor: Any, period: Period) -> ScoreRun:
    """Publish (freeze) the month: its star levels and money never change afterwards."""
    if actor is not None:
        require_perm(actor, "star_tellers.compute_starlevel")
    run = current_run(period)
    if run is None:
        raise ApplicationError(
            _("There are no star levels for %(period)s yet: compute them first.") % {"period": period.code},
            code="not_computed",
            field="period",
        )
    return score_run_publish(author=actor, run=run)
