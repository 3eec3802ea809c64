"""Access by subtree: users of S2 (any role) and outsiders see none of S1's rates or batches, on the
pages, in the export and through the API; the same role on S1's side does (the positive control)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from youfu.feedback.choices import Grouping
from youfu.feedback.models import RatingBatch
from youfu.feedback.selectors import batch_list, rates
from youfu.feedback.services import ratings_ingest_file
from youfu.feedback.tests.conftest import csv_bytes, month_of_ratings

S1_WORDS = ("张伟", "李娜", "100001", "100002", "东城营业部", "东湖网点")
QUERY = {"start": "2025-10-01", "end": "2025-10-31"}


@pytest.fixture
def s1_batch(bank, s1_office) -> RatingBatch:
    """October's ratings of S1's two tellers, loaded by S1's service office."""
    table = month_of_ratings(bank)
    s1_rows = table.filter([no in ("100001", "100002") for no in table["employee_no"].to_pylist()])
    return ratings_ingest_file(actor=s1_office, file=csv_bytes(s1_rows), file_name="s1.csv").batch


@pytest.fixture
def s2_batch(bank, outsider) -> RatingBatch:
    table = month_of_ratings(bank)
    s2_rows = table.filter([no == "200001" for no in table["employee_no"].to_pylist()])
    return ratings_ingest_file(actor=outsider, file=csv_bytes(s2_rows), file_name="s2.csv").batch


def _page(user, name, **kwargs):
    client = Client()
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs or None), kwargs.pop("query", None) or {})


def _leaks(text: str) -> list[str]:
    return [word for word in S1_WORDS if word in text]


def test_the_outsider_sees_only_s2(bank, outsider, s1_batch, s2_batch):
    assert list(batch_list(user=outsider)) == [s2_batch]
    lines = rates(
        user=outsider, start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 31), grouping=Grouping.PERSON
    )
    assert [line.code for line in lines] == ["200001"]
    client = Client()
    client.force_login(outsider)
    assert client.get(reverse("feedback:batch_detail", kwargs={"pk": s1_batch.pk})).status_code == 404
    page = client.get(reverse("feedback:rates"), {**QUERY, "by": "person"})
    assert page.status_code == 200 and "200001" in page.content.decode()
    assert _leaks(page.content.decode()) == []
    # Pointing the filter at S1 is refused, not answered.
    page = client.get(reverse("feedback:rates"), {**QUERY, "unit": "S1"})
    assert _leaks(page.content.decode()) == [] and "O1A" not in page.content.decode()
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(reverse("api:ratingbatch-detail", kwargs={"pk": s1_batch.pk})).status_code == 404
    assert [b["id"] for b in api.get(reverse("api:ratingbatch-list")).json()["results"]] == [s2_batch.pk]
    assert api.get(reverse("api:feedback-rates"), {**QUERY, "unit": "O1A"}).status_code == 400
    answer = api.get(reverse("api:feedback-rates"), {**QUERY, "by": "person"}).json()
    assert [line["code"] for line in answer["lines"]] == ["200001"]


def test_the_outsider_cannot_replay_or_guess_an_s1_key(bank, outsider, s1_batch):
    api = APIClient()
    api.force_authenticate(outsider)
    response = api.generic(
        "POST",
        reverse("api:ratingbatch-list"),
        '{"rows": []}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=s1_batch.idempotency_key,
    )
    assert response.status_code == 409
    assert "s1.csv" not in response.content.decode()
    assert RatingBatch.objects.count() == 1


def test_every_role_of_s2_sees_nothing_of_s1(bank, outsider_any_role, insider_same_role, s1_batch):
    user = outsider_any_role
    client = Client()
    client.force_login(user)
    pages = [
        client.get(reverse("feedback:rates"), {**QUERY, "by": "person"}),
        client.get(reverse("feedback:rates"), {**QUERY, "unit": "O1A"}),
        client.get(reverse("feedback:batch_list")),
        client.get(reverse("feedback:batch_detail", kwargs={"pk": s1_batch.pk})),
    ]
    for page in pages:
        assert page.status_code in (200, 403, 404)
        assert _leaks(page.content.decode()) == []
    export = client.get(reverse("feedback:rates_export"), {**QUERY, "by": "person"})
    if export.status_code == 200:
        sheet = load_workbook(io.BytesIO(export.content)).active
        text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)
        assert _leaks(text) == []
    else:
        assert export.status_code in (302, 403)
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(reverse("api:ratingbatch-detail", kwargs={"pk": s1_batch.pk})).status_code in (403, 404)
    listing = api.get(reverse("api:ratingbatch-list"))
    assert listing.status_code == 403 or listing.json()["results"] == []
    answer = api.get(reverse("api:feedback-rates"), {**QUERY, "by": "person"})
    assert answer.status_code == 403 or answer.json()["lines"] == []

    # The positive control: the same role on S1's side sees S1's rates where the role allows.
    if insider_same_role.has_perm("feedback.view_rates"):
        inside = Client()
        inside.force_login(insider_same_role)
        page = inside.get(reverse("feedback:rates"), {**QUERY, "by": "person"})
        assert "100001" in page.content.decode()


def test_pages_need_the_right(bank, colleague, s1_batch):
    client = Client()
    client.force_login(colleague)  # staff: no right to the ratings at all
    assert client.get(reverse("feedback:rates")).status_code == 403
    assert client.get(reverse("feedback:batch_list")).status_code == 403
    assert client.get(reverse("feedback:batch_upload")).status_code == 403
    assert Client().get(reverse("feedback:rates")).status_code == 302  # anonymous: to the login page
