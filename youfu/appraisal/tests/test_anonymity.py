"""员工互评 is anonymous: no page, API answer, export or audit entry links a peer score to its author —
for administrators neither. The schema cannot (PeerScore has no rater, no time, a random key; the
PeerBallot token has no score) and the product shows peer scores only as a count and a mean, after the
box is closed, from at least three ballots."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db import models
from django.test import Client
from django.urls import reverse

from youfu.appraisal import services
from youfu.appraisal.models import PeerBallot, PeerScore, QuarterResult
from youfu.appraisal.tests.conftest import fill_month, review_of
from youfu.testing.factories import PASSWORD

SECRET = "73.17"  # 刘强's peer score for 张伟: it must never be shown anywhere


def test_the_schema_cannot_link_a_score_to_its_author() -> None:
    score_fields = {f.name: f for f in PeerScore._meta.get_fields()}
    assert set(score_fields) == {"id", "cycle", "ratee", "score"}
    assert isinstance(score_fields["id"], models.UUIDField)  # random: insertion order is not exposed
    assert not any(isinstance(f, models.DateTimeField | models.DateField) for f in score_fields.values())
    ballot_fields = {f.name for f in PeerBallot._meta.get_fields()}
    assert ballot_fields == {"id", "cycle", "rater"}  # no score, no time, no key to the scores
    assert not auditlog.contains(PeerScore) and not auditlog.contains(PeerBallot)


def _get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code in (200, 302), (url, response.status_code)
    return response.content.decode("utf-8", errors="replace") if response.status_code == 200 else ""


def test_no_page_api_export_or_audit_entry_shows_a_peer_score(
    cycle, bank, team, outlet_head, s1_office, colleague, admin, client: Client
) -> None:
    zhang = bank.teller_1a
    for m in (1, 2, 3):
        fill_month(
            cycle,
            zhang,
            m,
            self_score="80",
            finance="80",
            admin="80",
            supervisor="80",
            supervisor_user=outlet_head,
            team=team,
        )
    services.review_self(actor=colleague, review=review_of(cycle, zhang), score="80")
    services.review_panel(actor=team.panel, review=review_of(cycle, zhang), score="80")
    entries = LogEntry.objects.count()
    services.peer_ballot_cast(actor=outlet_head, cycle=cycle, scores={zhang.pk: SECRET, team.zhao.pk: "70"})
    services.peer_ballot_cast(actor=team.zhao_user, cycle=cycle, scores={zhang.pk: "80"})
    services.peer_ballot_cast(actor=team.sun_user, cycle=cycle, scores={zhang.pk: "82"})
    assert LogEntry.objects.count() == entries  # voting leaves no audit entry at all
    review = review_of(cycle, zhang)

    # While the box is open nobody sees even the mean (it would move with each ballot).
    client.login(username=admin.username, password=PASSWORD)
    assert "78.39" not in _get(client, reverse("appraisal:review", args=[review.pk]))
    api = client.get(reverse("api:appraisal-review-detail", args=[review.pk])).json()
    assert (api["peer_ballots"], api["peer_mean"]) == (0, "")

    services.cycle_close(actor=s1_office, cycle=cycle)
    result = QuarterResult.objects.get(cycle=cycle, person=zhang)
    pages = [
        reverse("appraisal:home"),
        reverse("appraisal:cycle", args=[cycle.pk]),
        reverse("appraisal:review", args=[review.pk]),
        reverse("appraisal:result", args=[result.pk]),
        reverse("appraisal:person", args=[zhang.pk]),
        reverse("appraisal:appeals"),
        reverse("audit:log_list"),
        reverse("api:appraisal-cycle-detail", args=[cycle.pk]),
        reverse("api:appraisal-cycle-results", args=[cycle.pk]),
        reverse("api:appraisal-result-list"),
        reverse("api:appraisal-result-detail", args=[result.pk]),
        reverse("api:appraisal-review-detail", args=[review.pk]),
        reverse("api:appraisal-form-list"),
        reverse("api:audit-list"),
    ]
    seen = 0
    for user in (admin, s1_office, team.panel, colleague):
        client.login(username=user.username, password=PASSWORD)
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 302, 403, 404), (user.username, url)
            assert SECRET not in response.content.decode(), (user.username, url)
        export = client.get(reverse("api:appraisal-cycle-export", args=[cycle.pk]))
        if export.status_code == 200:
            from io import BytesIO

            from openpyxl import load_workbook

            cells = [
                str(c)
                for r in load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True)
                for c in r
            ]
            assert SECRET not in " ".join(cells)
            seen += 1
    assert seen == 4  # the export was read by every one of them
    # The mean of three ballots is shown: (73.17 + 80 + 82) / 3 = 78.39.
    client.login(username=admin.username, password=PASSWORD)
    assert "78.39" in _get(client, reverse("appraisal:review", args=[review.pk]))
    assert result.explanation["quarter_inputs"]["comp_peers"] == "78.3900000000"
    assert SECRET not in str(result.explanation)
    # The audit trail has nothing that names a peer score, whoever asks.
    assert not any(SECRET in str(e.changes) for e in LogEntry.objects.all())


def test_with_fewer_than_three_ballots_the_peer_part_is_not_shown(
    cycle, bank, team, outlet_head, s1_office, admin, client: Client
) -> None:
    zhang = bank.teller_1a
    services.peer_ballot_cast(actor=outlet_head, cycle=cycle, scores={zhang.pk: SECRET})
    services.cycle_close(actor=s1_office, cycle=cycle)
    client.login(username=admin.username, password=PASSWORD)
    body = _get(client, reverse("appraisal:review", args=[review_of(cycle, zhang).pk]))
    assert SECRET not in body and "少于 3 票" in body  # fewer than 3 ballots: not counted


def test_a_ballot_answer_says_nothing(cycle, bank, team, outlet_head, client: Client) -> Any:
    client.login(username=outlet_head.username, password=PASSWORD)
    response = client.post(
        reverse("api:appraisal-ballot", args=[cycle.pk]),
        {"scores": {str(bank.teller_1a.pk): "80"}},
        content_type="application/json",
    )
    assert response.status_code == 204 and response.content == b""
    assert PeerBallot.objects.filter(rater=bank.head_1a).count() == 1
