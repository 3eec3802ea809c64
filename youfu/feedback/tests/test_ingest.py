"""Loading ratings: file and API agree, retries are not doubled, bad batches are refused whole (or
quarantined), rates are exact Decimals, and a period's rates become facts."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.test import APIClient

from youfu.core.errors import ApplicationError
from youfu.facts.models import Fact
from youfu.feedback.choices import BatchStatus, Grouping
from youfu.feedback.models import RatingBatch
from youfu.feedback.selectors import percent, rates
from youfu.feedback.services import rating_facts_record, ratings_ingest_file, ratings_ingest_rows
from youfu.feedback.tests.conftest import csv_bytes, csv_of, month_of_ratings, parquet_bytes

OCTOBER = (dt.date(2025, 10, 1), dt.date(2025, 10, 31))
SPELLING_CODE = {"": 0, "unsatisfied": 1, "neutral": 2, "satisfied": 3, "very_satisfied": 4}


def _per_teller(lines):
    return {
        line.code: (
            line.transactions,
            line.rated,
            line.satisfied_total,
            line.evaluation_rate,
            line.satisfaction_rate,
        )
        for line in lines
    }


def _expected(table: pa.Table) -> dict[str, tuple]:
    """The per-teller figures counted in plain Python from the rows themselves."""
    tx: Counter[str] = Counter()
    rated: Counter[str] = Counter()
    satisfied: Counter[str] = Counter()
    for row in table.to_pylist():
        code = SPELLING_CODE[row["rating"]]
        tx[row["employee_no"]] += 1
        rated[row["employee_no"]] += code > 0
        satisfied[row["employee_no"]] += code >= 3
    return {
        no: (tx[no], rated[no], satisfied[no], percent(rated[no], tx[no]), percent(satisfied[no], rated[no]))
        for no in tx
    }


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _post_rows(client: APIClient, rows: list[dict], key: str, **extra):
    return client.generic(
        "POST",
        reverse("api:ratingbatch-list"),
        json.dumps({"rows": rows, **extra}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_month_from_a_file_and_through_the_api_gives_the_same_per_teller_rates(
    bank, branch_office, settings, tmp_path
):
    table = month_of_ratings(bank)
    expected = _expected(table)
    assert len(expected) == 3 and table.num_rows > 4000

    result = ratings_ingest_file(actor=branch_office, file=csv_bytes(table), file_name="2025-10.csv")
    from_file = _per_teller(
        rates(user=branch_office, start=OCTOBER[0], end=OCTOBER[1], grouping=Grouping.PERSON)
    )
    assert result.created and result.batch.loaded_count == table.num_rows

    # The same rows through the API, into an empty catalogue and data folder.
    RatingBatch.objects.all().delete()
    settings.FEEDBACK_DATA_DIR = tmp_path / "second"
    assert rates(user=branch_office, start=OCTOBER[0], end=OCTOBER[1], grouping=Grouping.PERSON) == []
    response = _post_rows(_api(branch_office), table.to_pylist(), "october-1")
    assert response.status_code == 201, response.content
    from_api = _per_teller(
        rates(user=branch_office, start=OCTOBER[0], end=OCTOBER[1], grouping=Grouping.PERSON)
    )

    assert from_file == from_api == expected
    assert all(isinstance(figures[3], Decimal) for figures in from_api.values())


def test_parquet_file_loads_like_csv(bank, branch_office):
    table = month_of_ratings(bank, seed=3)
    ratings_ingest_file(actor=branch_office, file=parquet_bytes(table), file_name="october.parquet")
    batch = RatingBatch.objects.get()
    assert batch.source == "parquet" and batch.loaded_count == table.num_rows
    assert batch.months == ["2025-10"]
    lines = rates(user=branch_office, start=OCTOBER[0], end=OCTOBER[1], grouping=Grouping.PERSON)
    assert _per_teller(lines) == _expected(table)


def test_a_retried_api_batch_is_not_doubled(bank, branch_office):
    rows = month_of_ratings(bank).slice(0, 500).to_pylist()
    client = _api(branch_office)
    first = _post_rows(client, rows, "retry-me")
    again = _post_rows(client, rows, "retry-me")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == again.json()["id"]
    assert RatingBatch.objects.count() == 1
    lines = rates(user=branch_office, start=OCTOBER[0], end=OCTOBER[1], grouping=Grouping.OUTLET)
    assert sum(line.transactions for line in lines) == 500


def test_the_same_key_with_other_rows_is_a_conflict(bank, branch_office):
    rows = month_of_ratings(bank).slice(0, 50).to_pylist()
    client = _api(branch_office)
    assert _post_rows(client, rows, "k1").status_code == 201
    response = _post_rows(client, rows[:49], "k1")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "idempotency_conflict"
    assert RatingBatch.objects.count() == 1


def test_the_same_file_twice_is_loaded_once(bank, branch_office):
    data = csv_bytes(month_of_ratings(bank).slice(0, 100))
    first = ratings_ingest_file(actor=branch_office, file=data, file_name="a.csv")
    second = ratings_ingest_file(actor=branch_office, file=data, file_name="a-copy.csv")
    assert first.created and not second.created and second.batch.pk == first.batch.pk
    assert RatingBatch.objects.count() == 1


def test_the_api_requires_an_idempotency_key(bank, branch_office):
    response = _api(branch_office).post(reverse("api:ratingbatch-list"), {"rows": []}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "idempotency_key"
    assert not RatingBatch.objects.exists()


GOOD = "2025-10-08 10:00:00,O1A,100001,satisfied"
BAD_ROWS = {
    "unknown_teller": ("2025-10-08 10:00:00,O1A,999999,satisfied", "employee_no"),
    "unknown_unit": ("2025-10-08 10:00:00,NOPE,100001,satisfied", "unit"),
    "future_time": ("2099-01-01 10:00:00,O1A,100001,satisfied", "occurred_at"),
    "bad_rating": ("2025-10-08 10:00:00,O1A,100001,great", "rating"),
    "bad_time": ("yesterday,O1A,100001,satisfied", "occurred_at"),
    "missing_value": (",O1A,100001,satisfied", "occurred_at"),
}


def _nothing_loaded(data_dir: Path) -> None:
    assert not RatingBatch.objects.exists()
    assert not list((data_dir / "ratings").rglob("*.parquet")) if (data_dir / "ratings").exists() else True
    assert not list((data_dir / "tmp").rglob("*")) if (data_dir / "tmp").exists() else True


@pytest.mark.parametrize("reason", sorted(BAD_ROWS))
def test_a_bad_row_refuses_the_whole_batch_with_a_report(bank, branch_office, reason, _data_dir):
    line, column = BAD_ROWS[reason]
    with pytest.raises(ApplicationError) as caught:
        ratings_ingest_file(actor=branch_office, file=csv_of([GOOD, GOOD, line, GOOD]), file_name="bad.csv")
    error = caught.value
    assert error.code == "ratings_rejected"
    summary, row = error.details
    assert (summary.code, summary.row) == (reason, None) and summary.message.endswith(("1 rows", "1 行"))
    assert (row.code, row.row, row.field) == (reason, 4, column)  # line 4 of the file (header = line 1)
    _nothing_loaded(_data_dir)


def test_a_bad_api_row_refuses_the_batch_with_its_position(bank, branch_office, _data_dir):
    rows = [
        {"occurred_at": "2025-10-08 10:00:00", "unit": "O1A", "employee_no": "100001", "rating": "满意"},
        {"occurred_at": "2025-10-08 10:00:00", "unit": "O1A", "employee_no": "999999", "rating": "满意"},
    ]
    response = _post_rows(_api(branch_office), rows, "bad-1")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["code"] == "unknown_teller"
    assert errors[1] == {
        "code": "unknown_teller",
        "field": "employee_no",
        "message": errors[1]["message"],
        "row": 2,
    }
    _nothing_loaded(_data_dir)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"\x00\x01garbage\xff\xfe", None),
        (b"occurred_at,unit,employee_no\n2025-10-08 10:00:00,O1A,100001\n", "rating"),
        (b"occurred_at,unit,employee_no,rating,extra\n2025-10-08 10:00:00,O1A,100001,satisfied,x\n", "extra"),
        (b"occurred_at,unit,employee_no,rating\n2025-10-08 10:00:00,O1A,100001\n", None),
        (b"PAR1 not really parquet", None),
        (b"", None),
    ],
    ids=["binary", "missing-column", "unknown-column", "short-row", "bad-parquet", "empty"],
)
def test_a_malformed_file_is_refused(bank, branch_office, data, field, _data_dir):
    with pytest.raises(ApplicationError) as caught:
        ratings_ingest_file(actor=branch_office, file=data, file_name="broken.csv")
    assert caught.value.code in ("malformed", "empty")
    if field:
        assert caught.value.field == field
    _nothing_loaded(_data_dir)


def test_api_rows_with_unknown_fields_or_numbers_are_refused(bank, branch_office):
    client = _api(branch_office)
    row = {"occurred_at": "2025-10-08 10:00:00", "unit": "O1A", "employee_no": "100001", "rating": "满意"}
    assert _post_rows(client, [{**row, "extra": "1"}], "u1").status_code == 400
    assert _post_rows(client, [{**row, "employee_no": 100001}], "u2").status_code == 400
    assert _post_rows(client, ["not an object"], "u3").status_code == 400  # type: ignore[list-item]
    assert not RatingBatch.objects.exists()


def test_quarantine_loads_the_good_rows_and_lists_the_bad(bank, branch_office):
    lines = [
        GOOD,
        BAD_ROWS["unknown_teller"][0],
        GOOD,
        BAD_ROWS["bad_rating"][0],
        GOOD.replace("satisfied", ""),
    ]
    result = ratings_ingest_file(actor=branch_office, file=csv_of(lines), file_name="q.csv", quarantine=True)
    batch = result.batch
    assert (batch.status, batch.row_count, batch.loaded_count, batch.quarantined_count) == (
        BatchStatus.PARTIAL,
        5,
        3,
        2,
    )
    assert batch.rated_count == 2
    assert batch.report["counts"] == {"bad_rating": 1, "unknown_teller": 1}
    assert [(r["row"], r["reason"], r["value"]) for r in batch.report["rows"]] == [
        (3, "unknown_teller", "999999"),
        (5, "bad_rating", "great"),
    ]
    from youfu.feedback.selectors import batch_bad_rows

    assert [r["row"] for r in batch_bad_rows(batch=batch)] == [3, 5]
    (line,) = rates(user=branch_office, start=OCTOBER[0], end=OCTOBER[1], grouping=Grouping.PERSON)
    assert (line.transactions, line.rated, line.evaluation_rate, line.satisfaction_rate) == (
        3,
        2,
        Decimal("66.67"),
        Decimal("100.00"),
    )


def test_times_are_local_unless_an_offset_is_given_and_months_are_local(bank, branch_office):
    lines = [
        "2025-10-31 23:30:00,O1A,100001,satisfied",  # local: October
        "2025-10-31T16:30:00+00:00,O1A,100001,unsatisfied",  # 00:30 on 1 November in Shanghai
        "2025-11-01 00:10:00,O1A,100001,非常满意",
    ]
    batch = ratings_ingest_file(actor=branch_office, file=csv_of(lines), file_name="t.csv").batch
    assert [(f["month"], f["rows"]) for f in batch.files] == [("2025-10", 1), ("2025-11", 2)]
    (october,) = rates(user=branch_office, start=OCTOBER[0], end=OCTOBER[1], grouping=Grouping.OUTLET)
    (november,) = rates(
        user=branch_office, start=dt.date(2025, 11, 1), end=dt.date(2025, 11, 30), grouping=Grouping.OUTLET
    )
    assert (october.transactions, november.transactions, november.unsatisfied, november.very_satisfied) == (
        1,
        2,
        1,
        1,
    )


def test_rates_roll_up_to_sub_branches_and_stay_within_a_unit(bank, branch_office):
    table = month_of_ratings(bank)
    ratings_ingest_file(actor=branch_office, file=csv_bytes(table), file_name="m.csv")
    expected = _expected(table)
    subs = {
        line.code: line.transactions
        for line in rates(user=branch_office, start=OCTOBER[0], end=OCTOBER[1], grouping=Grouping.SUB_BRANCH)
    }
    assert subs == {"S1": expected["100001"][0] + expected["100002"][0], "S2": expected["200001"][0]}
    within = rates(
        user=branch_office, start=OCTOBER[0], end=OCTOBER[1], grouping=Grouping.OUTLET, within=bank.o1b
    )
    assert [line.code for line in within] == ["O1B"]


def test_percent_rounds_half_up():
    assert percent(1, 8) == Decimal("12.50")
    assert percent(1, 3) == Decimal("33.33")
    assert percent(2, 3) == Decimal("66.67")
    assert percent(1, 1600) == Decimal("0.06")  # 0.0625 → 0.06; 0.125 → 0.13 below
    assert percent(1, 800) == Decimal("0.13")
    assert percent(0, 0) is None


def test_a_periods_rates_are_recorded_as_facts(bank, branch_office, october):
    table = month_of_ratings(bank)
    ratings_ingest_file(actor=branch_office, file=csv_bytes(table), file_name="m.csv")
    result = rating_facts_record(actor=branch_office, period=october)
    expected = _expected(table)
    assert result.created == 6 * 3 + 6 * 3  # three outlets, three tellers, six names each
    fact = Fact.objects.get(person=bank.teller_1a, name="rating_satisfaction_rate", is_current=True)
    assert fact.value == expected["100001"][4].normalize() or fact.value == expected["100001"][4]
    outlet = Fact.objects.get(unit=bank.o1a, name="rating_transactions", is_current=True)
    assert outlet.value == expected["100001"][0]
    again = rating_facts_record(actor=branch_office, period=october)
    assert (again.created, again.changed, again.batch) == (0, 0, None)


def test_an_outlet_outside_the_loaders_subtree_refuses_the_batch(bank, outsider, _data_dir):
    with pytest.raises(ApplicationError) as caught:
        ratings_ingest_file(actor=outsider, file=csv_of([GOOD]), file_name="s1.csv")
    assert caught.value.details[0].code == "outside_scope"
    _nothing_loaded(_data_dir)


def test_cli_ingest_rates_and_facts(bank, branch_office, october, tmp_path):
    file = tmp_path / "ratings.csv"
    file.write_bytes(csv_bytes(month_of_ratings(bank)))
    out = io.StringIO()
    call_command("feedback", "ingest", str(file), "--as", "branch_office", stdout=out)
    assert "Batch #" in out.getvalue() or "批次" in out.getvalue()
    call_command("feedback", "ingest", str(file), "--as", "branch_office", stdout=out)
    assert RatingBatch.objects.count() == 1
    out = io.StringIO()
    call_command(
        "feedback", "rates", "--period", "2025-10", "--by", "person", "--as", "branch_office", stdout=out
    )
    assert "100001" in out.getvalue() and "200001" in out.getvalue()
    call_command("feedback", "facts", "--period", "2025-10", "--as", "branch_office", stdout=io.StringIO())
    assert Fact.objects.filter(name="rating_transactions").count() == 6
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_of([BAD_ROWS["unknown_unit"][0]]))
    with pytest.raises(CommandError):
        call_command(
            "feedback",
            "ingest",
            str(bad),
            "--as",
            "branch_office",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert RatingBatch.objects.count() == 1


def test_rows_through_the_service_need_the_right(bank, colleague):
    with pytest.raises(ApplicationError) as caught:
        ratings_ingest_rows(actor=colleague, rows=[], idempotency_key="x", sha256="y")
    assert caught.value.code == "permission_denied"
