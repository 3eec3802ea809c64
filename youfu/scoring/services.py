"""Writes of scoring: upload a policy version, score a period (official or what-if), publish it.

Scoring reads the period's facts into the engine (DuckDB, in memory), evaluates every subject at once,
and then, in one transaction, stores the run with a scorecard line per subject and, for an official
run, posts the ledger entries (one event per rule and subject row, so seed 001's violation costs the
person, the department and the outlet head in one event). A run that fails writes nothing. A period
published for the policy cannot be rescored: the ledger refuses, and so does this service first.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from youfu.accounts.access import WHOLE_BANK, require_perm, scope_path
from youfu.accounts.roles import BANK_LEVEL_UNIT_KINDS
from youfu.core.errors import ApplicationError, ErrorDetail, PermissionDeniedError
from youfu.engine import PolicyRunError, connect, evaluate_policy
from youfu.formula.ast import Name
from youfu.ledger.choices import EvidenceType, SubjectRole
from youfu.ledger.models import PeriodLock
from youfu.ledger.services import (
    EntrySpec,
    EventSpec,
    Evidence,
    ledger_period_publish,
    ledger_post_events,
    ledger_reverse_evidence,
)
from youfu.org.models import Period, Person, Unit
from youfu.policies.checker import check_policy
from youfu.policies.document import Policy, Rule, read_policy
from youfu.policies.findings import Severity
from youfu.scoring.choices import PolicyStatus, RunKind, RunStatus
from youfu.scoring.frames import Frames, build_frames
from youfu.scoring.models import PolicyVersion, ScoreLine, ScoreRun

NAMESPACE = uuid.UUID("5a1c0f9e-7d6b-4c21-9a53-2f0c8e4b1d77")  # event ids: uuid5(run, rule, subject)
_ROLES = {"person": SubjectRole.PERSON, "unit": SubjectRole.UNIT, "head": SubjectRole.UNIT_HEAD}


def _require_bank_level(author: Any) -> None:
    """Policies and runs are bank-wide: the head office or a branch only."""
    path = scope_path(author)
    if path == WHOLE_BANK:
        return
    kind = Unit.objects.filter(pk=getattr(author, "unit_id", None)).values_list("kind", flat=True).first()
    if path is None or kind not in BANK_LEVEL_UNIT_KINDS:
        raise PermissionDeniedError(_("Only the service office of the head office or a branch can do this."))


def load_version(version: PolicyVersion) -> Policy:
    """The policy document of a stored version (checked when it was uploaded)."""
    policy, _findings = read_policy(version.file_name, text=version.text, name=version.file_name)
    assert policy is not None
    return policy


# -- policy versions -----------------------------------------------------------------------------------


@transaction.atomic
def policy_version_upload(
    *, author: Any, text: str, file_name: str, status: str = PolicyStatus.ACTIVE
) -> PolicyVersion:
    """Store a policy version after the checker passed it; warnings are kept and shown.

    The same policy id and version can be stored once; uploading the very same text again returns the
    stored version (idempotent). ``active`` makes it the version official runs use (the policy's
    previous active version is retired); ``draft`` is for what-if runs only."""
    if author is not None:
        require_perm(author, "scoring.add_policyversion")
        _require_bank_level(author)
    if status not in PolicyStatus.values or status == PolicyStatus.RETIRED:
        raise ApplicationError(_("A new version is either in force or a draft."), field="status")
    findings = check_policy(file_name, text=text, name=file_name)
    errors = [finding for finding in findings if finding.severity is Severity.ERROR]
    if errors:
        raise ApplicationError(
            _("The policy has %(count)d error(s); nothing was stored. Fix them and upload again.")
            % {"count": len(errors)},
            code="policy_invalid",
            field="file",
            details=[
                ErrorDetail(
                    code=f.code, message=f"{f.line}:{f.column}: {f.message}", field="file", row=f.line
                )
                for f in errors
            ],
        )
    policy, _shape = read_policy(file_name, text=text, name=file_name)
    assert policy is not None and policy.version is not None
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = PolicyVersion.objects.filter(policy=policy.id, version=policy.version).first()
    if existing is not None:
        if existing.sha256 == digest:
            return existing
        raise ApplicationError(
            _(
                "Policy %(policy)s version %(version)d is already stored with a different text. "
                "A stored version never changes: raise 'version' in the file and upload it again."
            )
            % {"policy": policy.id, "version": policy.version},
            code="version_exists",
            field="file",
        )
    if status == PolicyStatus.ACTIVE:
        PolicyVersion.objects.filter(policy=policy.id, status=PolicyStatus.ACTIVE).update(
            status=PolicyStatus.RETIRED
        )
    return PolicyVersion.objects.create(
        policy=policy.id,
        version=policy.version,
        name=policy.name,
        text=text,
        file_name=file_name,
        sha256=digest,
        status=status,
        warnings=[f"{f.line}:{f.column}: {f.message}" for f in findings],
        uploaded_by=author if getattr(author, "pk", None) else None,
    )


# -- runs ----------------------------------------------------------------------------------------------


def _check_period(policy: Policy, period: Period) -> None:
    unit = policy.periods.unit
    effective = policy.effective
    if unit == "custom":
        fits = period.start == effective.start and (effective.end is None or period.end == effective.end)
    else:
        fits = period.kind == unit
    if not fits:
        wanted = (
            _("the window %(start)s to %(end)s") % {"start": effective.start, "end": effective.end}
            if unit == "custom"
            else _("a %(unit)s") % {"unit": unit}
        )
        raise ApplicationError(
            _("Policy %(policy)s scores %(wanted)s; %(period)s is not one.")
            % {"policy": policy.id, "wanted": wanted, "period": period},
            code="wrong_period",
            field="period",
        )
    if (effective.start and period.end < effective.start) or (effective.end and period.start > effective.end):
        raise ApplicationError(
            _("Policy %(policy)s is in force from %(start)s to %(end)s; %(period)s is outside.")
            % {"policy": policy.id, "start": effective.start, "end": effective.end or "…", "period": period},
            code="wrong_period",
            field="period",
        )


def _names_of_rule(rule: Rule) -> set[str]:
    from youfu.engine.run import _walk_names

    formulas = [rule.when, rule.points, rule.amount]
    formulas += [f for m in rule.multipliers for f in (m.when, m.factor)]
    formulas += [f for share in rule.also for f in (share.points, share.amount)]
    found: set[str] = set()
    for formula in formulas:
        if formula is not None and formula.tree is not None:
            found |= {node.id for node in _walk_names(formula.tree) if isinstance(node, Name)}
    return found


def _present(value: Any) -> bool:
    """Not NULL: pandas gives None, NaN or NA for a missing value, depending on the column's type."""
    return value is not None and not (isinstance(value, float) and value != value) and value is not pd.NA


def _json(value: Any) -> Any:
    if not _present(value):
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # "93.5", "100": as people write them
    if isinstance(value, bool | str):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return _json(value.item())
    if isinstance(value, int):
        return value
    return str(value)


@dataclass
class Computed:
    """The engine's results for a policy and period, as DataFrames, before anything is stored."""

    frames: Frames
    scorecards: dict[str, pd.DataFrame]
    entries: pd.DataFrame
    excluded: dict[str, pd.DataFrame]


def compute(policy: Policy, period: Period) -> Computed:
    """Run the engine (DuckDB in memory) over the period's facts. Raises ApplicationError when the
    policy cannot run there or fails for some subject; nothing is written either way."""
    _check_period(policy, period)
    con = connect()
    try:
        frames = build_frames(policy, period, con)
        result = evaluate_policy(policy, period=frames.context, frames=frames.frames, history=frames.history)
        return Computed(
            frames=frames,
            scorecards={subject: table.execute() for subject, table in result.scorecards.items()},
            entries=result.entries.execute(),
            excluded={subject: table.execute() for subject, table in result.excluded.items()},
        )
    except PolicyRunError as error:
        raise ApplicationError(
            _("The policy failed for some subjects; nothing was scored: %(error)s") % {"error": error},
            code="run_failed",
        ) from error
    except ValueError as error:
        raise ApplicationError(
            _("The policy cannot run over %(period)s: %(error)s") % {"period": period, "error": error},
            code="run_failed",
        ) from error
    finally:
        con.disconnect()


def score_period(*, author: Any, version: PolicyVersion, period: Period, what_if: bool = False) -> ScoreRun:
    """Run ``version`` over ``period``. Official: store and post to the ledger, superseding the policy's
    earlier official run of the period (its entries are reversed). What-if: store only."""
    if author is not None:
        require_perm(author, "scoring.add_scorerun")
        _require_bank_level(author)
    policy = load_version(version)
    _check_period(policy, period)
    if not what_if:
        if version.status != PolicyStatus.ACTIVE:
            raise ApplicationError(
                _("Version %(version)d of %(policy)s is not in force: use it for a what-if run only.")
                % {"version": version.version, "policy": version.policy},
                code="not_active",
                field="version",
            )
        if PeriodLock.objects.filter(period=period, policy=version.policy).exists():
            raise ApplicationError(
                _(
                    "%(period)s is published for policy %(policy)s: its results never change. "
                    "Correct a result with a correction entry, or score a later period."
                )
                % {"period": period, "policy": version.policy},
                code="period_published",
                field="period",
            )
    started = time.monotonic()
    computed = compute(policy, period)
    with transaction.atomic():
        run, lines = _store(
            author, version, period, policy, computed.frames, computed.scorecards, computed.excluded, what_if
        )
        if not what_if:
            _supersede(author, version, period, run)
            run.entries = _post(author, run, policy, period, lines, computed.entries)
            run.status = RunStatus.POSTED
        run.duration_ms = int((time.monotonic() - started) * 1000)
        run.save(update_fields=["entries", "status", "duration_ms"])
    return run


def _store(
    author: Any,
    version: PolicyVersion,
    period: Period,
    policy: Policy,
    frames: Any,
    scorecards: Mapping[str, Any],
    excluded: Mapping[str, Any],
    what_if: bool,
) -> tuple[ScoreRun, dict[tuple[str, int], ScoreLine]]:
    """Store the run and its lines; returns the run and its lines by (subject, key)."""
    subjects = {subject.id: subject for subject in policy.subjects}
    units = {u.pk: u for u in Unit.objects.all().only("pk", "path")}
    people = {p.pk: p for p in Person.objects.all().only("pk", "unit_id")}
    left_out = []
    for subject_id, table in excluded.items():
        for key in table["subject_key"].tolist()[:200]:
            left_out.append({"subject": subject_id, "key": int(key)})
    run = ScoreRun.objects.create(
        policy_version=version,
        period=period,
        kind=RunKind.WHAT_IF if what_if else RunKind.OFFICIAL,
        status=RunStatus.SCORED,
        excluded=left_out,
        created_by=author if getattr(author, "pk", None) else None,
    )
    lines = []
    keys: list[tuple[str, int]] = []
    total_points, total_amount = Decimal(0), Decimal(0)
    scopes = [scope.id for scope in policy.scopes]
    for subject_id, table in scorecards.items():
        subject = subjects[subject_id]
        rows = frames.rows[subject_id]
        fact_ids = dict(zip(rows.keys, rows.facts, strict=True))
        history = dict(zip(rows.keys, rows.history, strict=True)) if rows.history else {}
        public = [
            c
            for c in table.columns
            if not c.startswith(("scope__", "link__", "rank__")) and c != "subject_key"
        ]
        for record in table.to_dict("records"):
            key = int(record["subject_key"])
            person = people.get(key) if subject.kind == "person" else None
            unit = units[person.unit_id] if person is not None else units[key]
            points = Decimal(record["total_points"])
            amount = Decimal(record["total_amount"])
            total_points += points
            total_amount += amount
            keys.append((subject_id, key))
            lines.append(
                ScoreLine(
                    run=run,
                    subject=subject_id,
                    role=_ROLES[subject.kind],
                    unit=unit,
                    person=person,
                    unit_path=unit.path,
                    values={name: _json(record[name]) for name in public},
                    facts=fact_ids.get(key, {}),
                    history=history.get(key, {}),
                    total_points=points,
                    total_amount=amount,
                    rank_value=record["rank_value"] if _present(record.get("rank_value")) else None,
                    rank=int(record["rank__all"]),
                    ranks={
                        scope: int(record[f"rank__{scope}"]) for scope in scopes if f"rank__{scope}" in record
                    },
                    scope_units={
                        scope: int(record[f"scope__{scope}"])
                        for scope in scopes
                        if _present(record.get(f"scope__{scope}"))
                    },
                )
            )
    ScoreLine.objects.bulk_create(lines, batch_size=2000)
    run.subjects = len(lines)
    run.total_points, run.total_amount = total_points, total_amount
    run.save(update_fields=["subjects", "total_points", "total_amount"])
    if lines and lines[0].pk is None:  # a backend that does not return the ids of a bulk insert
        by_subject = {
            (line.subject, line.person_id or line.unit_id): line
            for line in ScoreLine.objects.filter(run=run).only(
                "pk", "subject", "person_id", "unit_id", "values"
            )
        }
        return run, {key: by_subject[key] for key in keys}
    return run, dict(zip(keys, lines, strict=True))


def _supersede(author: Any, version: PolicyVersion, period: Period, run: ScoreRun) -> None:
    """Reverse the ledger entries of the policy's earlier official runs of this period (in bulk: a few
    queries per thousand entries)."""
    earlier = list(
        ScoreRun.objects.filter(
            policy_version__policy=version.policy,
            period=period,
            kind=RunKind.OFFICIAL,
            status=RunStatus.POSTED,
        ).exclude(pk=run.pk)
    )
    for old in earlier:
        ledger_reverse_evidence(
            author=None,
            period=period,
            policy=version.policy,
            evidence=Evidence(type=EvidenceType.SCORING_RUN, id=str(old.pk)),
            reason=_("Rescored: run %(run)s replaces run %(old)s") % {"run": run.pk, "old": old.pk},
        )
    if earlier:
        ScoreRun.objects.filter(pk__in=[old.pk for old in earlier]).update(status=RunStatus.SUPERSEDED)


_LINE_PLACEHOLDER = 987654321987


def _post(
    author: Any,
    run: ScoreRun,
    policy: Policy,
    period: Period,
    lines: Mapping[tuple[str, int], ScoreLine],
    entries: pd.DataFrame,
) -> int:
    """One ledger event per rule and source row: the row's own entry and its shares, all posted in
    bulk (ledger_post_events: a few queries per thousand entries, whatever the size of the bank)."""
    rules = {rule.id: rule for rule in policy.rules}
    kinds = {subject.id: subject.kind for subject in policy.subjects}
    used = {rule_id: sorted(_names_of_rule(rule)) for rule_id, rule in rules.items()}
    reasons = {rule_id: (rule.description or rule.seed or rule.id)[:500] for rule_id, rule in rules.items()}
    events: dict[tuple[str, str, int], list[EntrySpec]] = defaultdict(list)
    columns = ["rule", "subject", "subject_key", "source_subject", "source_key", "points", "amount"]
    for rule_id, subject_id, key, source_subject, source_key, points, amount in zip(
        *(entries[column].tolist() for column in columns), strict=True
    ):
        source_line = lines.get((source_subject, int(source_key)))
        values = source_line.values if source_line is not None else {}
        events[(rule_id, source_subject, int(source_key))].append(
            EntrySpec(
                subject=int(key),
                role=_ROLES[kinds[subject_id]],
                points=Decimal(points),
                amount=Decimal(amount),
                inputs={name: values[name] for name in used[rule_id] if name in values},
                reason=reasons[rule_id],
            )
        )
    # One reverse() for the run, not one per event: the link differs only by the line's id.
    template = reverse("scoring:line_detail", args=[run.pk, _LINE_PLACEHOLDER])

    def specs() -> Iterator[EventSpec]:
        for (rule_id, source_subject, source_key), entry_specs in events.items():
            source_line = lines.get((source_subject, source_key))
            url = template.replace(str(_LINE_PLACEHOLDER), str(source_line.pk)) if source_line else ""
            yield EventSpec(
                event_id=uuid.uuid5(NAMESPACE, f"{run.pk}:{rule_id}:{source_subject}:{source_key}"),
                rule=rule_id,
                entries=entry_specs,
                evidence=Evidence(type=EvidenceType.SCORING_RUN, id=str(run.pk), url=url),
            )

    return ledger_post_events(
        author=None, period=period, policy=policy.id, policy_version=policy.version or 1, events=specs()
    )


@transaction.atomic
def score_run_publish(*, author: Any, run: ScoreRun) -> ScoreRun:
    """Publish (freeze) the run's period for its policy: no entry can be posted or reversed there."""
    if author is not None:
        require_perm(author, "scoring.publish_scorerun")
        _require_bank_level(author)
    run = ScoreRun.objects.select_for_update().select_related("policy_version", "period").get(pk=run.pk)
    if run.kind != RunKind.OFFICIAL or run.status != RunStatus.POSTED:
        raise ApplicationError(
            _("Only the current official run of a period can be published; this one is %(status)s.")
            % {"status": run.get_status_display()},
            code="not_publishable",
        )
    ledger_period_publish(author=author, period=run.period, policy=run.policy_version.policy)
    run.status = RunStatus.PUBLISHED
    run.save(update_fields=["status"])
    return run
