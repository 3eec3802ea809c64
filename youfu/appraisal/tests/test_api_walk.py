"""Every route of /api/v1/appraisal/, read from the URL resolver (a route added tomorrow is walked too),
as a user of S2's subtree with each role in turn: reads answer 403/404 or list nothing of S1, writes are
refused and change nothing. The positive control: the S1 people do the same writes through the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from youfu.api.tests.conftest import db_snapshot
from youfu.appraisal.models import Appeal, FormItem, QuarterResult, Review
from youfu.appraisal.tests.conftest import form_of, review_of
from youfu.testing.factories import PASSWORD


def appraisal_routes() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    api = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "api")
    routes = []
    for entry in api.url_patterns:
        if isinstance(entry, URLResolver) and str(entry.pattern) == "appraisal/":
            for pattern in entry.url_patterns:
                callback: Any = pattern.callback
                name = str(getattr(pattern, "name", ""))
                routes.append(
                    (name, tuple(sorted(callback.actions)), tuple(pattern.pattern.regex.groupindex))
                )
    return routes


ROUTES = appraisal_routes()


def test_the_walk_finds_every_route() -> None:
    assert len(ROUTES) == 20 and all(name.startswith("appraisal-") for name, _m, _k in ROUTES)


def _targets(cycle: Any, bank: Any) -> dict[str, int]:
    form = form_of(cycle, bank.teller_1a, 1)
    return {
        "cycle": cycle.pk,
        "form": form.pk,
        "review": review_of(cycle, bank.teller_1a).pk,
        "result": QuarterResult.objects.get(person=bank.teller_1a).pk,
        "appeal": Appeal.objects.get().pk,
        "ballot": cycle.pk,
        "export": cycle.pk,
    }


def _url(name: str, kwargs: tuple[str, ...], targets: dict[str, int]) -> str:
    if not kwargs:
        return reverse(f"api:{name}")
    part = name.removeprefix("appraisal-").split("-")[0]
    return reverse(f"api:{name}", kwargs={"pk": targets.get(part, targets["cycle"])})


BODY = {
    "appraisal-ballot": {"scores": {"1": "80"}},
    "appraisal-form-plan": {"items": [{"kind": "routine", "title": "x"}], "submit": True},
    "appraisal-form-fill": {"items": [], "self_score": "80", "submit": True},
    "appraisal-form-rate": {"kind": "supervisor", "score": "80"},
    "appraisal-review-self": {"score": "80"},
    "appraisal-review-panel": {"score": "80"},
    "appraisal-result-appeal": {"reason": "x"},
    "appraisal-appeal-decide": {"upheld": False, "decision": "x"},
}


def test_outsiders_of_every_role_get_nothing_and_change_nothing(
    closed, cycle, bank, outsider_any_role
) -> None:
    client = Client()
    client.login(username=outsider_any_role.username, password=PASSWORD)
    targets = _targets(cycle, bank)
    before = db_snapshot()
    for name, methods, kwargs in ROUTES:
        url = _url(name, kwargs, targets)
        for method in methods:
            if method == "get":
                response = client.get(url)
                if name == "appraisal-template":  # an empty workbook: no data at all
                    assert response.status_code == 200
                elif not kwargs and response.status_code == 200:  # a list: nothing of S1 in it
                    assert response.json()["count"] == 0, url
                else:
                    assert response.status_code in (403, 404), (url, response.status_code)
            else:
                response = client.post(url, BODY.get(name, {}), content_type="application/json")
                assert response.status_code in (403, 404), (url, response.status_code)
    assert db_snapshot() == before


def test_the_s1_people_write_through_the_api(cycle, bank, colleague, outlet_head, team) -> None:
    client = Client()
    client.login(username=colleague.username, password=PASSWORD)
    form = form_of(cycle, bank.teller_1a, 1)
    plan = client.post(
        reverse("api:appraisal-form-plan", args=[form.pk]),
        {
            "items": [{"kind": "routine", "title": "柜面业务"}, {"kind": "phase", "title": "转型"}],
            "submit": True,
        },
        content_type="application/json",
    )
    assert plan.status_code == 200 and plan.json()["status"] == "plan_submitted"
    unknown = client.post(
        reverse("api:appraisal-form-fill", args=[form.pk]),
        {"items": [], "self_score": "80", "colour": "red"},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "colour"
    items = [{"item": i.pk, "status": "done"} for i in FormItem.objects.filter(form=form)]
    fill = client.post(
        reverse("api:appraisal-form-fill", args=[form.pk]),
        {"items": items, "self_score": "88", "submit": True},
        content_type="application/json",
    )
    assert fill.status_code == 200 and fill.json()["status"] == "submitted"
    out_of_range = client.post(
        reverse("api:appraisal-review-self", args=[review_of(cycle, bank.teller_1a).pk]),
        {"score": "101"},
        content_type="application/json",
    )
    assert out_of_range.status_code == 400 and out_of_range.json()["errors"][0]["code"] == "out_of_range"
    assert Review.objects.get(cycle=cycle, person=bank.teller_1a).self_score is None
    client.login(username=outlet_head.username, password=PASSWORD)
    rate = client.post(
        reverse("api:appraisal-form-rate", args=[form.pk]),
        {"kind": "supervisor", "score": "85.5"},
        content_type="application/json",
    )
    assert rate.status_code == 200
    assert {r["kind"]: r["score"] for r in rate.json()["ratings"]} == {"self": "88.00", "supervisor": "85.50"}


@pytest.mark.parametrize("name", ["appraisal-template"])
def test_the_adjustments_template_downloads(name: str, colleague: Any) -> None:
    client = Client()
    client.login(username=colleague.username, password=PASSWORD)
    response = client.get(reverse(f"api:{name}"))
    assert response.status_code == 200 and response.content[:2] == b"PK"
