"""Who sees what of a pay pool, on the pages, the API and the payroll export: the service office of S1
manages it; the panel and auditors read it whole; 张伟 (a teller of S1) sees his own line only; every
role of S2 sees nothing of it (404), and their writes change nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from youfu.accounts.choices import Role
from youfu.accounts.models import User
from youfu.org.models import Person
from youfu.performance_pay import services
from youfu.performance_pay.imports import read_rows
from youfu.performance_pay.models import Allocation, ImportBatch, Pool
from youfu.performance_pay.tests.conftest import BALANCE_HEADER, balance_rows, xlsx
from youfu.testing.factories import PASSWORD, PersonFactory, UserFactory

S1_WORDS = ("张伟", "刘强", "赵敏", "东城支行", "4052.24")


@pytest.fixture
def zhao(bank: Any) -> Person:
    """赵敏 of O1A, without a login (the appraisal's `team` gives her one; these tests need no team)."""
    return PersonFactory.create(unit=bank.o1a, name="赵敏", employee_no="100003")


@pytest.fixture
def computed(pool: Pool, s1_office: User, zhao: Person) -> Pool:
    content = xlsx(BALANCE_HEADER, balance_rows())
    services.inputs_import(
        actor=s1_office,
        pool=pool,
        kind="balances",
        rows=read_rows(content, "balances"),
        file_name="东城支行.xlsx",
        content=content,
    )
    services.pool_compute(actor=s1_office, pool=pool)
    return pool


def _client(user: User) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _reads(pool: Pool, person_pk: int) -> list[str]:
    return [
        reverse("performance_pay:pool", args=[pool.pk]),
        reverse("performance_pay:line", args=[pool.pk, person_pk]),
        reverse("performance_pay:payroll", args=[pool.pk]),
        reverse("api:performance-pay-pool-detail", args=[pool.pk]),
        reverse("api:performance-pay-allocation", args=[pool.pk]),
        reverse("api:performance-pay-payroll", args=[pool.pk]),
    ]


def _writes(pool: Pool) -> list[tuple[str, dict[str, Any]]]:
    upload = io.BytesIO(xlsx(BALANCE_HEADER, balance_rows()))
    upload.name = "x.xlsx"
    return [
        (reverse("performance_pay:pool_compute", args=[pool.pk]), {}),
        (reverse("performance_pay:pool_import", args=[pool.pk, "balances"]), {"file": upload}),
        (reverse("api:performance-pay-compute", args=[pool.pk]), {}),
    ]


def test_every_role_of_s2_sees_and_changes_nothing_of_s1(
    computed: Pool, outsider_any_role: User, bank: Any
) -> None:
    client = _client(outsider_any_role)
    before = (Allocation.objects.count(), ImportBatch.objects.count())

    for url in _reads(computed, bank.teller_1a.pk):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert not any(w in response.content.decode(errors="ignore") for w in S1_WORDS), url
    for url, data in _writes(computed):
        assert client.post(url, data).status_code in (403, 404), url
    for url in (reverse("performance_pay:pools"), reverse("api:performance-pay-pool-list")):
        response = client.get(url)
        assert response.status_code in (200, 403)
        assert not any(w in response.content.decode() for w in S1_WORDS), url
    assert (Allocation.objects.count(), ImportBatch.objects.count()) == before


def test_the_same_roles_of_s1_see_the_pool_as_their_role_allows(
    computed: Pool, insider_same_role: User, any_role: Role, bank: Any
) -> None:
    client = _client(insider_same_role)

    page = client.get(reverse("performance_pay:pool", args=[computed.pk]))

    if any_role in (Role.SERVICE_OFFICE, Role.APPRAISAL_PANEL, Role.AUDITOR):
        assert page.status_code == 200 and "赵敏" in page.content.decode()
    elif insider_same_role.person_id in (bank.teller_1a.pk, bank.head_1a.pk):
        assert page.status_code == 200 and "赵敏" not in page.content.decode()
    else:  # an S1 inspector or complaint handler with no line in the pool
        assert page.status_code == 404


def test_a_person_sees_their_own_line_only(computed: Pool, colleague: User, bank: Any) -> None:
    client = _client(colleague)

    page = client.get(reverse("performance_pay:pool", args=[computed.pk])).content.decode()
    assert "张伟" in page and "4052.24" in page
    assert "刘强" not in page and "赵敏" not in page and 'id="total-row"' not in page
    assert (
        client.get(reverse("performance_pay:line", args=[computed.pk, bank.teller_1a.pk])).status_code == 200
    )
    assert client.get(reverse("performance_pay:line", args=[computed.pk, bank.head_1a.pk])).status_code == 404
    api = client.get(reverse("api:performance-pay-allocation", args=[computed.pk])).json()
    assert [line["person"] for line in api["lines"]] == ["100001"] and api["shares"] == []
    book = load_workbook(
        io.BytesIO(client.get(reverse("performance_pay:payroll", args=[computed.pk])).content)
    )
    rows = list(book.worksheets[0].iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == ["100001"]
    for url, data in _writes(computed):
        assert client.post(url, data).status_code == 403, url
    assert Allocation.objects.count() == 1


def test_the_panel_and_auditors_read_the_whole_pool_but_change_nothing(
    computed: Pool, auditor: User, bank: Any
) -> None:
    panel = UserFactory.create(username="panel", unit=bank.s1, roles=[Role.APPRAISAL_PANEL])
    for user in (auditor, panel):
        client = _client(user)
        page = client.get(reverse("performance_pay:pool", args=[computed.pk])).content.decode()
        assert "赵敏" in page and 'id="pool-column-total">10000.00' in page and 'id="r5-errors"' in page
        api = client.get(reverse("api:performance-pay-allocation", args=[computed.pk])).json()
        assert len(api["lines"]) == 3
        for url, data in _writes(computed):
            assert client.post(url, data).status_code == 403, url
    assert Allocation.objects.count() == 1


def test_the_service_office_manages_through_the_api(
    pool: Pool, s1_office: User, zhao: Person, bank: Any, periods: Any
) -> None:
    client = _client(s1_office)
    upload = io.BytesIO(xlsx(BALANCE_HEADER, balance_rows()))
    upload.name = "b.xlsx"

    imported = client.post(
        reverse("api:performance-pay-import", args=[pool.pk, "balances"]), {"file": upload}
    )
    computed = client.post(reverse("api:performance-pay-compute", args=[pool.pk]))
    created = client.post(
        reverse("api:performance-pay-pool-list"),
        {"unit": "O1A", "period": "2024Q2", "total": "500.00"},
        content_type="application/json",
    )
    outside = client.post(
        reverse("api:performance-pay-pool-list"),
        {"unit": "S2", "period": "2024Q2", "total": "500.00"},
        content_type="application/json",
    )

    assert imported.status_code == 200 and imported.json()["changed"] == 3
    assert computed.status_code == 200 and len(computed.json()["lines"]) == 3
    assert created.status_code == 201
    assert outside.status_code == 403 and not Pool.objects.filter(unit=bank.s2).exists()
    bad = io.BytesIO(xlsx(BALANCE_HEADER, [["999999", 1, 1, 1, 1, 1, 0, 0, "", 0, 0, 0]]))
    bad.name = "bad.xlsx"
    refused = client.post(reverse("api:performance-pay-import", args=[pool.pk, "balances"]), {"file": bad})
    assert refused.status_code == 400 and refused.json()["errors"][0]["row"] == 2


def test_the_pages_as_the_service_office(computed: Pool, s1_office: User, bank: Any) -> None:
    client = _client(s1_office)

    listing = client.get(reverse("performance_pay:pools")).content.decode()
    page = client.get(reverse("performance_pay:pool", args=[computed.pk])).content.decode()
    line = client.get(reverse("performance_pay:line", args=[computed.pk, bank.teller_1a.pk])).content.decode()
    new = client.get(reverse("performance_pay:pool_create"))
    template = client.get(reverse("performance_pay:template", args=["salaries"]))

    assert "东城支行" in listing
    assert 'id="allocation-chart"' in page and 'id="seed-warnings"' in page and "open question" in page
    assert 'id="compute"' in page and 'id="import-balances"' in page
    assert "333.34" in line and "stock_basis" in line and "东城支行.xlsx" in line
    assert new.status_code == 200 and template.status_code == 200


def test_an_s2_office_cannot_create_a_pool_for_s1(bank: Any, periods: Any, r4: Any) -> None:
    office = UserFactory.create(username="s2o", unit=bank.s2, roles=[Role.SERVICE_OFFICE])
    client = _client(office)

    response = client.post(
        reverse("performance_pay:pool_create"),
        {"unit": bank.s1.pk, "period": periods["2024Q1"].pk, "total": "100.00"},
    )

    assert response.status_code in (200, 403) and not Pool.objects.exists()
