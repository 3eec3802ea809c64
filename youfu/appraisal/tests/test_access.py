"""Access: S2 and outsiders of every role see nothing of S1's appraisal (404), a colleague sees only
their own forms, and every page and endpoint answers for the people who may use it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from youfu.accounts.choices import Role
from youfu.appraisal import services
from youfu.appraisal.models import Appeal, QuarterResult
from youfu.appraisal.tests.conftest import form_of, review_of
from youfu.testing.factories import PASSWORD


def text_of(response: Any) -> str:
    """A page's or an answer's text; an Excel export's cells."""
    if response.get("Content-Type", "").startswith("application/vnd.openxml"):
        from io import BytesIO

        from openpyxl import load_workbook

        sheet = load_workbook(BytesIO(response.content)).active
        return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row)
    return str(response.content.decode())


def urls_of(cycle: Any, bank: Any, result: QuarterResult) -> list[str]:
    form = form_of(cycle, bank.teller_1a, 1)
    review = review_of(cycle, bank.teller_1a)
    appeal = Appeal.objects.get()
    return [
        reverse("appraisal:form", args=[form.pk]),
        reverse("appraisal:cycle", args=[cycle.pk]),
        reverse("appraisal:review", args=[review.pk]),
        reverse("appraisal:result", args=[result.pk]),
        reverse("appraisal:appeal", args=[appeal.pk]),
        reverse("appraisal:person", args=[bank.teller_1a.pk]),
        reverse("api:appraisal-cycle-detail", args=[cycle.pk]),
        reverse("api:appraisal-cycle-results", args=[cycle.pk]),
        reverse("api:appraisal-cycle-export", args=[cycle.pk]),
        reverse("api:appraisal-form-detail", args=[form.pk]),
        reverse("api:appraisal-review-detail", args=[review.pk]),
        reverse("api:appraisal-result-detail", args=[result.pk]),
        reverse("api:appraisal-appeal-detail", args=[appeal.pk]),
    ]


def test_outsiders_of_every_role_get_404_and_insiders_see_it(
    closed, cycle, bank, outsider_any_role, any_role, outlet_head, request: pytest.FixtureRequest
) -> None:
    client = Client()
    client.login(username=outsider_any_role.username, password=PASSWORD)
    for url in urls_of(cycle, bank, closed):
        assert client.get(url).status_code in (403, 404), url
    listed = client.get(reverse("api:appraisal-result-list"))
    assert listed.status_code == 403 or listed.json()["count"] == 0
    if any_role in (Role.SERVICE_OFFICE, Role.APPRAISAL_PANEL, Role.AUDITOR, Role.OUTLET_HEAD):
        # The positive control: the same role on S1's side (刘强 holds O1A's outlet head login already).
        same = outlet_head if any_role == Role.OUTLET_HEAD else request.getfixturevalue("insider_same_role")
        insider = Client()
        insider.login(username=same.username, password=PASSWORD)
        assert insider.get(reverse("appraisal:result", args=[closed.pk])).status_code == 200


def test_a_colleague_sees_only_their_own_forms(closed, cycle, bank, team, client: Client) -> None:
    client.login(username=team.zhao_user.username, password=PASSWORD)
    # 赵敏 is appraised in the same cycle: she sees the cycle, but nothing of 张伟.
    for url in urls_of(cycle, bank, closed):
        response = client.get(url)
        if "/cycles/" in url:
            assert response.status_code in (200, 302), url
            assert "100001" not in text_of(response) and "张伟" not in text_of(response), url
        else:
            assert response.status_code == 404, url
    own = client.get(reverse("api:appraisal-form-list")).json()
    assert {f["person"] for f in own["results"]} == {"100003"}
    assert client.get(reverse("appraisal:form", args=[form_of(cycle, team.zhao, 1).pk])).status_code == 200


def test_outsider_cannot_change_s1(cycle, bank, outsider, client: Client) -> None:
    client.login(username=outsider.username, password=PASSWORD)
    form = form_of(cycle, bank.teller_1a, 1)
    response = client.post(
        reverse("api:appraisal-form-plan", args=[form.pk]),
        {"items": [{"kind": "routine", "title": "x"}]},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not form.items.exists()
    assert client.post(reverse("appraisal:cycle_close", args=[cycle.pk])).status_code == 404


def test_pages_answer_for_their_users(
    closed, cycle, bank, team, colleague, s1_office, outlet_head, client: Client
) -> None:
    client.login(username=s1_office.username, password=PASSWORD)
    board = client.get(reverse("appraisal:cycle", args=[cycle.pk])).content.decode()
    assert 'id="silent-warning"' in board and "良, 一般" in board  # the checker's finding, visible
    assert "grade-chart" in board
    for name in ("home", "inbox", "cycles", "cycle_create", "appeals"):
        assert client.get(reverse(f"appraisal:{name}")).status_code == 200, name
    client.login(username=colleague.username, password=PASSWORD)
    home = client.get(reverse("appraisal:home")).content.decode()
    assert "优" in home and reverse("appraisal:result", args=[closed.pk]) in home
    result = client.get(reverse("appraisal:result", args=[closed.pk])).content.decode()
    assert "86.00" in result and "a+b+c" in result
    client.login(username=team.panel.username, password=PASSWORD)
    appeal = Appeal.objects.get()
    response = client.post(
        reverse("appraisal:appeal", args=[appeal.pk]), {"upheld": "0", "decision": "维持原评"}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "rejected"
    assert QuarterResult.objects.filter(cycle=cycle, person=bank.teller_1a).count() == 1


def test_the_rater_inbox_lists_what_is_owed(
    cycle, bank, team, outlet_head, colleague, client: Client
) -> None:
    form = form_of(cycle, bank.teller_1a, 1)
    services.form_plan_save(
        actor=colleague, form=form, lines=[services.PlanLine("routine", "现金业务")], submit=True
    )
    services.form_fill(
        actor=colleague,
        form=form,
        progress=[services.ItemProgress(i.pk, "done") for i in form.items.all()],
        self_score="80",
        submit=True,
    )
    client.login(username=team.finance.username, password=PASSWORD)
    body = client.get(reverse("appraisal:inbox")).content.decode()
    assert "张伟" in body and "财务部（成本意识）" in body  # the UI is Chinese first
    response = client.post(
        reverse("appraisal:form", args=[form.pk]), {"action": "rate", "kind": "finance", "score": "91"}
    )
    assert response.status_code == 200 and "超出范围" in response.content.decode()  # out of range
    assert not form.ratings.filter(kind="finance").exists()
    client.post(
        reverse("appraisal:form", args=[form.pk]), {"action": "rate", "kind": "finance", "score": "88"}
    )
    assert form.ratings.get(kind="finance").rater == team.finance
    assert "张伟" not in client.get(reverse("appraisal:inbox")).content.decode()
