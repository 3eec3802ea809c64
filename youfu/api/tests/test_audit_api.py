"""The audit trail through the API: who, when, what, before and after — within the viewer's subtree."""

from __future__ import annotations

import datetime as dt

from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from youfu.api.tests.conftest import assert_error_shape, fields_of
from youfu.org import services


def _results(client, **params):
    response = client.get(reverse("api:audit-list"), params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_entry_shows_who_what_before_after(client_for, bank, s1_office, auditor):
    client_for(s1_office).patch(
        reverse("api:person-detail", kwargs={"pk": bank.teller_1a.pk}),
        {"phone": "13800000001"},
        format="json",
        REMOTE_ADDR="10.1.2.3",
    )
    entries = _results(
        client_for(auditor), object_type="org.person", object_id=str(bank.teller_1a.pk), action="update"
    )
    assert len(entries) == 1
    entry = entries[0]
    assert {
        k: entry[k] for k in ("actor", "actor_id", "action", "object_type", "object_id", "object_repr")
    } == {
        "actor": "s1_office",
        "actor_id": s1_office.pk,
        "action": "update",
        "object_type": "org.person",
        "object_id": str(bank.teller_1a.pk),
        "object_repr": "张伟 (100001)",
    }
    assert entry["changes"] == {"phone": {"before": "", "after": "13800000001"}}
    assert entry["remote_addr"] == "10.1.2.3"
    assert dt.datetime.fromisoformat(entry["timestamp"]).tzinfo is not None
    detail = client_for(auditor).get(reverse("api:audit-detail", kwargs={"pk": entry["id"]}))
    assert detail.json() == entry


def test_filter_by_actor_and_dates(client_for, bank, s1_office, branch_office, auditor):
    services.person_update(actor=s1_office, person=bank.teller_1a, data={"phone": "1"})
    services.person_update(actor=branch_office, person=bank.teller_2a, data={"phone": "2"})
    client = client_for(auditor)
    by_s1 = _results(client, actor=s1_office.pk)
    assert [(e["object_repr"], e["action"]) for e in by_s1] == [("张伟 (100001)", "update")]
    today = timezone.localdate()
    day = today.isoformat()
    updates = _results(client, since=day, until=day, object_type="org.person", action="update")
    assert sorted(e["object_repr"] for e in updates) == ["张伟 (100001)", "王芳 (200001)"]
    assert _results(client, since=(today + dt.timedelta(days=1)).isoformat()) == []
    assert _results(client, until=(today - dt.timedelta(days=1)).isoformat()) == []


def test_audit_is_restricted_to_the_subtree(client_for, bank, s1_office, outsider, branch_office):
    services.person_update(actor=s1_office, person=bank.teller_1a, data={"phone": "1"})
    services.person_update(actor=branch_office, person=bank.teller_2a, data={"phone": "2"})
    reprs = {e["object_repr"] for e in _results(client_for(outsider), object_type="org.person")}
    assert reprs == {"王芳 (200001)"}
    s1_entry = LogEntry.objects.get(object_repr="张伟 (100001)", action=LogEntry.Action.UPDATE)
    assert_error_shape(client_for(outsider).get(reverse("api:audit-detail", kwargs={"pk": s1_entry.pk})), 404)


def test_bad_audit_filters(client_for, bank, auditor):
    response = client_for(auditor).get(
        reverse("api:audit-list"), {"object_type": "org.nothing", "since": "yesterday"}
    )
    assert_error_shape(response, 400)
    assert fields_of(response) == {"object_type", "since"}
