"""The standards API: read, create, publish, copy, replace a draft's content, score, Excel in and out."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from youfu.standards import exports
from youfu.standards.choices import VersionStatus
from youfu.standards.models import Standard


@pytest.fixture
def api_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def test_read_a_standard_and_its_version(api_for, s1_published, outlet_head):
    api = api_for(outlet_head)
    listing = api.get(reverse("api:standard-list")).json()
    assert [row["code"] for row in listing["results"]] == ["S1-CHECK"]
    version = api.get(reverse("api:standardversion-detail", kwargs={"pk": s1_published.pk})).json()
    assert (version["status"], version["score_rule"], version["max_score"]) == (
        "published",
        "deductions",
        "100.00",
    )
    assert [s["code"] for s in version["sections"]] == ["A", "B"]
    assert [i["code"] for i in version["items"]] == ["A1", "A2", "B1", "B2"]
    assert version["warnings"] == ["示例警示"]


def test_score_through_the_api(api_for, s1_published, outlet_head):
    api = api_for(outlet_head)
    url = reverse("api:standardversion-score", kwargs={"pk": s1_published.pk})
    response = api.post(url, {"results": {"A1": 2, "A2": "na", "B1": "3", "B2": "pass"}}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["total"], body["denominator"], body["not_applicable"]) == ("85.00", "100.00", ["A2"])
    assert [(d["item"], d["amount"]) for d in body["deductions"]] == [("A1", "10.00"), ("B1", "5.00")]
    bad = api.post(url, {"results": {"A2": "pass", "B1": 4, "B2": "na"}}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["code"] == "not_applicable_refused"
    assert bad.json()["errors"][0]["field"] == "results.B2"


def test_create_edit_publish_copy(api_for, bank, s1_office):
    api = api_for(s1_office)
    created = api.post(
        reverse("api:standard-list"),
        {"code": "API-1", "name": "接口标准", "kind": "onsite", "owner": "S1"},
        format="json",
    )
    assert created.status_code == 201, created.content
    version_id = created.json()["versions"][0]["id"]
    content = {
        "rule": "deductions",
        "max_score": "10",
        "warnings": ["来源未给出分值"],
        "sections": [
            {
                "code": "A",
                "name": "环境",
                "points": 10,
                "items": [{"code": "A1", "text": "店招", "points": 2}],
            }
        ],
    }
    put = api.put(reverse("api:standardversion-content", kwargs={"pk": version_id}), content, format="json")
    assert put.status_code == 200, put.content
    assert put.json()["items"][0]["code"] == "A1"
    published = api.post(reverse("api:standardversion-publish", kwargs={"pk": version_id}))
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = api.put(reverse("api:standardversion-content", kwargs={"pk": version_id}), content, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "version_published"
    copy = api.post(reverse("api:standardversion-copy", kwargs={"pk": version_id}))
    assert copy.status_code == 201 and copy.json()["number"] == 2
    standard = Standard.objects.get(code="API-1")
    assert [v.status for v in standard.versions.order_by("number")] == [
        VersionStatus.PUBLISHED,
        VersionStatus.DRAFT,
    ]


def test_export_and_import(api_for, s1_published, s1_office):
    api = api_for(s1_office)
    exported = api.get(reverse("api:standardversion-export", kwargs={"pk": s1_published.pk}))
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    file = io.BytesIO(exports.standard_export(version=s1_published))
    file.name = "s1.xlsx"
    response = api.post(reverse("api:standard-import-file"), {"file": file}, format="multipart")
    assert response.status_code == 200, response.content
    assert (response.json()["outcome"], response.json()["version"]) == ("unchanged", 1)


def test_staff_cannot_create_or_publish(api_for, s1_standard, colleague):
    api = api_for(colleague)
    response = api.post(
        reverse("api:standard-list"),
        {"code": "X", "name": "x", "kind": "onsite", "owner": "O1A"},
        format="json",
    )
    assert response.status_code == 403
    version = s1_standard.versions.get()
    assert api.post(reverse("api:standardversion-publish", kwargs={"pk": version.pk})).status_code == 403
    assert version.status == VersionStatus.DRAFT
    assert not Standard.objects.filter(code="X").exists()
    assert Decimal(version.max_score) == Decimal(100)
