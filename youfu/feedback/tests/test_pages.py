"""The pages: upload (loaded, refused with its report, quarantined), batch list and detail, rates with
their filters and Excel export."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from youfu.feedback.models import RatingBatch
from youfu.feedback.tests.conftest import csv_bytes, csv_of, month_of_ratings

QUERY = {"start": "2025-10-01", "end": "2025-10-31"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_upload_a_file_then_see_it_and_its_rates(bank, branch_office):
    client = _client(branch_office)
    data = csv_bytes(month_of_ratings(bank))
    response = client.post(
        reverse("feedback:batch_upload"), {"file": SimpleUploadedFile("十月评价.csv", data, "text/csv")}
    )
    batch = RatingBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "feedback:batch_detail", args=[batch.pk]
    )
    assert "十月评价.csv" in client.get(reverse("feedback:batch_list")).content.decode()
    detail = client.get(reverse("feedback:batch_detail", args=[batch.pk])).content.decode()
    assert batch.idempotency_key in detail
    rates = client.get(reverse("feedback:rates"), {**QUERY, "by": "person"}).content.decode()
    assert "张伟" in rates and "王芳" in rates and 'id="rates-total"' in rates
    export = client.get(reverse("feedback:rates_export"), {**QUERY, "by": "outlet"})
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[2:]] == ["O1A", "O1B", "O2A", rows[-1][0]]
    assert sum(row[3] for row in rows[2:5]) == rows[-1][3] == batch.loaded_count


def test_a_refused_upload_shows_its_report_and_loads_nothing(bank, branch_office):
    client = _client(branch_office)
    data = csv_of(["2025-10-08 10:00:00,O1A,100001,satisfied", "2025-10-08 10:00:00,O1A,999999,satisfied"])
    response = client.post(reverse("feedback:batch_upload"), {"file": SimpleUploadedFile("bad.csv", data)})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="upload-rejected"' in page and "999999" in page
    assert not RatingBatch.objects.exists()


def test_a_quarantined_upload_lists_its_bad_rows(bank, branch_office):
    client = _client(branch_office)
    data = csv_of(["2025-10-08 10:00:00,O1A,100001,satisfied", "2025-10-08 10:00:00,O1A,999999,satisfied"])
    response = client.post(
        reverse("feedback:batch_upload"),
        {"file": SimpleUploadedFile("q.csv", data), "quarantine": "on"},
        follow=True,
    )
    page = response.content.decode()
    assert 'id="quarantine-rows"' in page and "999999" in page
    assert RatingBatch.objects.get().quarantined_count == 1


def test_the_rates_filter_refuses_a_unit_outside_the_subtree(bank, s1_office):
    page = _client(s1_office).get(reverse("feedback:rates"), {**QUERY, "unit": "O2A"}).content.decode()
    assert "O2A" in page and "西湖网点" not in page


def test_the_api_takes_a_file_and_answers_rates_for_a_period(bank, branch_office, october):
    from rest_framework.test import APIClient

    from youfu.feedback.tests.conftest import parquet_bytes

    api = APIClient()
    api.force_authenticate(branch_office)
    table = month_of_ratings(bank)
    upload = SimpleUploadedFile("october.parquet", parquet_bytes(table), "application/octet-stream")
    response = api.post(
        reverse("api:ratingbatch-upload"), {"file": upload, "quarantine": "false"}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert response.json()["loaded_count"] == table.num_rows and response.json()["source"] == "parquet"
    again = api.post(
        reverse("api:ratingbatch-upload"),
        {"file": SimpleUploadedFile("copy.parquet", parquet_bytes(table))},
        format="multipart",
    )
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    answer = api.get(reverse("api:feedback-rates"), {"period": "2025-10", "by": "sub_branch"}).json()
    assert [line["code"] for line in answer["lines"]] == ["S1", "S2"]
    assert answer["total"]["transactions"] == table.num_rows
    assert isinstance(answer["lines"][0]["satisfaction_rate"], str)  # exact decimal text, never a float
