"""The reference policy passes the checker with only its documented open questions (the seed is silent on
levels, thresholds, the minimum of ratings, disqualification, the rating's period and the pay per level)."""

from __future__ import annotations

from youfu.policies.checker import check_policy, load_policy
from youfu.policies.findings import Severity
from youfu.star_tellers.services import REFERENCE


def test_the_reference_policy_has_only_its_open_questions():
    findings = check_policy(REFERENCE)
    assert [f.code for f in findings] == ["open_question"] * 6
    assert all(f.severity is Severity.WARNING for f in findings)
    policy = load_policy(REFERENCE)
    assert policy.periods.unit == "month"
    assert [rule.id for rule in policy.rules] == ["star_pay"]
    assert "【办公室选择】" in REFERENCE.read_text(encoding="utf-8")
