"""Writes of the feedback domain: load a batch of evaluator ratings (a CSV or Parquet file, or an API
call's rows), and record a period's rates as indicator data for the scoring engine.

A batch is checked whole, vectorised (youfu.feedback.ingest), before anything is written. Any bad row
refuses the whole batch (ApplicationError `ratings_rejected`, whose details give the count of bad rows per
reason, then the first rows with their row number, column and reason) — unless the loader chose
quarantine: then the good rows are loaded and the bad ones kept apart and listed on the batch. The good
rows go to temporary Parquet files first, renamed into place inside the transaction that writes the
catalogue row; a failure removes them. Readers take the files from committed catalogue rows only, so
nothing is ever half-loaded.

Idempotent: each batch has a key (an API call's Idempotency-Key header; a file's SHA-256 unless a key is
given). Loading a key again returns the first batch and loads nothing; the same key with other content is
refused (409), as is a key another subtree used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.accounts.access import WHOLE_BANK, require_perm, scope_path
from youfu.core.errors import ApplicationError, ErrorDetail, PermissionDeniedError
from youfu.facts.choices import BatchSource as FactSource
from youfu.facts.services import FactValue, RecordResult, facts_record
from youfu.feedback import ingest, store
from youfu.feedback.choices import BatchSource, BatchStatus, Grouping, Reason
from youfu.feedback.models import RatingBatch
from youfu.feedback.selectors import RateLine, rates_for_scope
from youfu.org.choices import UnitKind
from youfu.org.models import Period, Person, Unit

KEY_MAX_LENGTH = 128
_CHUNK = 900  # codes per IN (...) on SQLite
_LOAD_ALL = 50_000  # above this many distinct codes, read the whole table instead of IN lists


class IdempotencyConflict(ApplicationError):
    """The key was used for another batch (other content, or another part of the bank)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="idempotency_conflict", field="idempotency_key")


@dataclass(frozen=True)
class IngestResult:
    batch: RatingBatch
    created: bool  # False: the key had been loaded before, this is that batch and nothing was loaded


def _require_rights(actor: Any) -> str:
    """The loader's scope path ("" = the whole bank)."""
    if actor is None:
        return WHOLE_BANK  # a system run (the demo, the benchmark)
    require_perm(actor, "feedback.add_ratingbatch")
    path = scope_path(actor)
    if path is None:
        raise PermissionDeniedError(_("You are not in charge of any unit, so you cannot load ratings."))
    return path


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > KEY_MAX_LENGTH or not key.isprintable():
        raise ApplicationError(
            _("An idempotency key is 1 to %(n)d printable characters (e.g. a UUID).") % {"n": KEY_MAX_LENGTH},
            code="invalid_idempotency_key",
            field="idempotency_key",
        )
    return key


def _replay(key: str, sha256: str, scope: str) -> RatingBatch | None:
    """The batch already loaded under this key, if any; a conflict if it is not this content or not the
    loader's to see."""
    existing = RatingBatch.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if not existing.scope_path.startswith(scope) or existing.sha256 != sha256:
        raise IdempotencyConflict(
            _("This idempotency key was already used for another batch; use a new key for new content.")
        )
    return existing


def _lookup_rows(
    codes: Sequence[str], model_filter: Callable[[Sequence[str] | None], list[tuple[Any, ...]]]
) -> list[tuple[Any, ...]]:
    if len(codes) > _LOAD_ALL:
        return model_filter(None)
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(codes), _CHUNK):
        rows += model_filter(codes[start : start + _CHUNK])
    return rows


def _lookup(
    raw: Sequence[str], model_filter: Callable[[Sequence[str] | None], list[tuple[Any, ...]]]
) -> dict[str, tuple[Any, ...]]:
    """code → the rest of its record, for the trimmed codes of `raw` that exist."""
    codes = sorted({value.strip() for value in raw if value.strip()})
    return {row[0]: row[1:] for row in _lookup_rows(codes, model_filter)}


def _outlets(codes: Sequence[str] | None) -> list[tuple[Any, ...]]:
    units = Unit.objects.filter(kind=UnitKind.OUTLET)
    if codes is not None:
        units = units.filter(code__in=codes)
    return list(units.values_list("code", "id", "path"))


def _tellers(numbers: Sequence[str] | None) -> list[tuple[Any, ...]]:
    people = Person.objects.all()
    if numbers is not None:
        people = people.filter(employee_no__in=numbers)
    return list(people.values_list("employee_no", "id"))


def rejection_details(
    counts: dict[str, int], first_bad: list[ingest.BadRow], labels: dict[Any, Any]
) -> list[ErrorDetail]:
    """A refused batch's report: the count of rows per reason, then the first bad rows (row, column,
    reason, value). Shared with the queue tickets of youfu.reports, whose reasons are their own."""
    details = [
        ErrorDetail(
            code=reason,
            message=_("%(reason)s: %(count)s rows") % {"reason": labels[reason], "count": f"{count:,}"},
        )
        for reason, count in counts.items()
    ]
    details += [
        ErrorDetail(
            code=bad.reason,
            message=f"{labels[bad.reason]}: “{bad.value}”" if bad.value else str(labels[bad.reason]),
            field=bad.column,
            row=bad.row,
        )
        for bad in first_bad
    ]
    return details


def _rejection(checked: ingest.Checked) -> ApplicationError:
    return ApplicationError(
        _(
            "%(bad)s of %(rows)s rows are bad, so the batch was refused whole and nothing was loaded. "
            "Correct them and load it again, or choose quarantine to load the good rows."
        )
        % {"bad": f"{checked.bad:,}", "rows": f"{checked.rows:,}"},
        code="ratings_rejected",
        details=rejection_details(checked.counts, checked.first_bad, dict(Reason.choices)),
    )


def _report(checked: ingest.Checked) -> dict[str, Any]:
    return {
        "bad": checked.bad,
        "counts": checked.counts,
        "rows": [
            {"row": b.row, "column": b.column, "reason": b.reason, "value": b.value}
            for b in checked.first_bad
        ],
    }


@transaction.atomic
def ratings_ingest(
    *,
    actor: Any,
    read: Callable[[], pa.Table],
    source: BatchSource | str,
    sha256: str,
    idempotency_key: str,
    row_offset: int = 1,
    file_name: str = "",
    quarantine: bool = False,
    note: str = "",
    now: dt.datetime | None = None,
) -> IngestResult:
    """Check and load one batch (see the module's docstring). `read` returns the batch as an Arrow
    table (it may raise ingest.Malformed); it is not called when the key was loaded before."""
    scope = _require_rights(actor)
    key = _check_key(idempotency_key)
    existing = _replay(key, sha256, scope)
    if existing is not None:
        return IngestResult(existing, created=False)
    try:
        table = read()
    except ingest.Malformed as exc:
        raise ApplicationError(
            _("The file cannot be read: %(problem)s") % {"problem": exc.message},
            code="malformed",
            field=exc.column,
        ) from exc
    if table.num_rows == 0:
        raise ApplicationError(_("The batch holds no rows."), code="empty")
    con = store.connect()
    tmp = store.new_tmp_dir()
    try:
        unit_codes, numbers = ingest.codes(con, table)
        checked = ingest.check(
            con,
            table,
            units=ingest.keyed(unit_codes, _lookup(unit_codes, _outlets), ["id", "path"]),
            people=ingest.keyed(numbers, _lookup(numbers, _tellers), ["id"]),
            scope=scope,
            now=now or timezone.now(),
            row_offset=row_offset,
            time_zone=settings.TIME_ZONE,
        )
        if checked.bad and not quarantine:
            raise _rejection(checked)
        if checked.good == 0:
            raise ApplicationError(
                _("No row of the batch is good: nothing to load (%(bad)s bad rows).")
                % {"bad": f"{checked.bad:,}"},
                code="ratings_rejected",
                details=_rejection(checked).details,
            )
        written = ingest.write_good(con, tmp, checked.months)
        bad_file = tmp / "bad.parquet"
        if checked.bad:
            ingest.write_bad(con, bad_file)
        return _catalogue(
            actor=actor,
            key=key,
            sha256=sha256,
            source=source,
            file_name=file_name,
            note=note,
            checked=checked,
            written=written,
            bad_file=bad_file if checked.bad else None,
            scope=scope,
        )
    finally:
        con.close()
        store.remove_tree(tmp)


def _catalogue(
    *,
    actor: Any,
    key: str,
    sha256: str,
    source: str,
    file_name: str,
    note: str,
    checked: ingest.Checked,
    written: dict[str, Path],
    bad_file: Path | None,
    scope: str,
) -> IngestResult:
    """The catalogue row and the files' final places, together: on any failure the files are removed and
    the row is not written. A concurrent load of the same key loses the race here and replays."""
    assert checked.first_at is not None and checked.last_at is not None
    placed: list[Path] = []
    try:
        with transaction.atomic():
            batch = RatingBatch.objects.create(
                idempotency_key=key,
                sha256=sha256,
                source=source,
                status=BatchStatus.PARTIAL if checked.bad else BatchStatus.LOADED,
                file_name=file_name[:255],
                row_count=checked.rows,
                loaded_count=checked.good,
                rated_count=checked.rated,
                quarantined_count=checked.bad,
                first_at=checked.first_at,
                last_at=checked.last_at,
                scope_path=checked.common_path,
                report=_report(checked) if checked.bad else {},
                note=note[:255],
                created_by=actor,
            )
            files = []
            for month, path in written.items():
                relative = store.month_file(batch.pk, month)
                target = store.absolute(relative)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
                placed.append(target)
                files.append({"month": month, "path": relative, "rows": checked.month_rows[month]})
            batch.files = files
            if bad_file is not None:
                batch.quarantine_file = store.quarantine_file(batch.pk)
                target = store.absolute(batch.quarantine_file)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(bad_file, target)
                placed.append(target)
            batch.save(update_fields=["files", "quarantine_file"])
    except IntegrityError:
        store.remove(placed)
        existing = _replay(key, sha256, scope)
        if existing is None:
            raise
        return IngestResult(existing, created=False)
    except BaseException:
        store.remove(placed)
        raise
    return IngestResult(batch, created=True)


# --- Entry points by kind of input -----------------------------------------------------------------


def file_sha256(source: Path | bytes) -> str:
    digest = hashlib.sha256()
    if isinstance(source, bytes):
        digest.update(source)
    else:
        with source.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def file_format(name: str, head: bytes) -> str:
    """csv or parquet, by the content (Parquet starts with PAR1) and else the name."""
    if head[:4] == b"PAR1" or name.lower().endswith(".parquet"):
        return BatchSource.PARQUET
    return BatchSource.CSV


def ratings_ingest_file(
    *,
    actor: Any,
    file: Path | bytes | BinaryIO,
    file_name: str = "",
    quarantine: bool = False,
    idempotency_key: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> IngestResult:
    """Load a CSV or Parquet file (a path, its bytes, or an open file). Without a key, the file's SHA-256
    is the key: the same file loaded twice is loaded once."""
    data: Path | bytes = file if isinstance(file, Path | bytes) else file.read()
    name = file_name or (data.name if isinstance(data, Path) else "")
    head = data[:4] if isinstance(data, bytes) else ingest.head_of(data, 4)
    kind = file_format(name, head)
    sha256 = file_sha256(data)
    return ratings_ingest(
        actor=actor,
        read=(lambda: ingest.read_parquet(data))
        if kind == BatchSource.PARQUET
        else (lambda: ingest.read_csv(data)),
        source=kind,
        sha256=sha256,
        idempotency_key=idempotency_key or f"sha256:{sha256}",
        row_offset=1 if kind == BatchSource.PARQUET else 2,
        file_name=Path(name).name,
        quarantine=quarantine,
        note=note,
        now=now,
    )


def ratings_ingest_rows(
    *,
    actor: Any,
    rows: Any,
    idempotency_key: str,
    sha256: str,
    quarantine: bool = False,
    note: str = "",
    source: BatchSource | str = BatchSource.API,
    now: dt.datetime | None = None,
) -> IngestResult:
    """Load an API call's rows (a list of objects with the four columns, as strings). `sha256` is that of
    the request's content, so that a retry is recognised and a reused key with other rows is refused."""
    return ratings_ingest(
        actor=actor,
        read=lambda: ingest.rows_table(rows),
        source=source,
        sha256=sha256,
        idempotency_key=idempotency_key,
        row_offset=1,
        quarantine=quarantine,
        note=note,
        now=now,
    )


# --- Rates as indicator data for the scoring engine ----------------------------------------------------

# name → (unit of measure, description): the facts a period's rates are recorded as, per outlet and per
# teller. Policies read them by these names.
FACT_NAMES: dict[str, tuple[str, str]] = {
    "rating_transactions": ("笔", "评价器：交易笔数"),
    "rating_rated": ("笔", "评价器：已评价笔数"),
    "rating_satisfied": ("笔", "评价器：满意笔数（非常满意 + 满意）"),
    "rating_unsatisfied": ("笔", "评价器：不满意笔数"),
    "rating_evaluation_rate": ("%", "评价器：评价率 = 已评价 ÷ 交易笔数"),
    "rating_satisfaction_rate": ("%", "评价器：满意率 = 满意 ÷ 已评价"),
}


def _fact_values(line: RateLine, subject: Unit | Person, note: str) -> list[FactValue]:
    from decimal import Decimal

    numbers: dict[str, Decimal | None] = {
        "rating_transactions": Decimal(line.transactions),
        "rating_rated": Decimal(line.rated),
        "rating_satisfied": Decimal(line.satisfied_total),
        "rating_unsatisfied": Decimal(line.unsatisfied),
        "rating_evaluation_rate": line.evaluation_rate,
        "rating_satisfaction_rate": line.satisfaction_rate,
    }
    return [
        FactValue(subject=subject, name=name, value=value, measure=FACT_NAMES[name][0], note=note)
        for name, value in numbers.items()
        if value is not None  # a rate over nothing is not recorded
    ]


@transaction.atomic
def rating_facts_record(*, actor: Any, period: Period, dry_run: bool = False) -> RecordResult:
    """Record the period's counts and rates of every outlet and teller in the actor's subtree as facts
    (youfu.facts), one batch; history kept, unchanged values write nothing (safe to run twice). A
    teller is recorded if their current unit is in the actor's subtree."""
    if actor is not None:
        require_perm(actor, "feedback.record_rating_facts")
    path = WHOLE_BANK if actor is None else scope_path(actor)
    if path is None:
        raise PermissionDeniedError(_("You are not in charge of any unit, so you cannot record rates."))
    note = (_("Evaluator ratings %(period)s (/feedback/)") % {"period": period.code})[:255]
    values: list[FactValue] = []
    outlets = rates_for_scope(path=path, start=period.start, end=period.end, grouping=Grouping.OUTLET)
    units = Unit.objects.in_bulk([line.subject_id for line in outlets])
    for line in outlets:
        values += _fact_values(line, units[line.subject_id], note)
    tellers = rates_for_scope(path=path, start=period.start, end=period.end, grouping=Grouping.PERSON)
    people = Person.objects.select_related("unit").in_bulk([line.subject_id for line in tellers])
    for line in tellers:
        person = people[line.subject_id]
        if person.unit.path.startswith(path):
            values += _fact_values(line, person, note)
    if not values:
        raise ApplicationError(
            _("There are no ratings in %(period)s to record.") % {"period": period.code}, code="no_ratings"
        )
    return facts_record(
        actor=actor,
        period=period,
        values=values,
        source=FactSource.MANUAL,
        note=(_("Evaluator ratings of %(period)s") % {"period": period.code})[:255],
        dry_run=dry_run,
    )
