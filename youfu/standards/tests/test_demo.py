"""The standards part of the demo: the shipped standards, published, bank-wide; reset removes them."""

from __future__ import annotations

from youfu.org import demo as org_demo
from youfu.standards import demo
from youfu.standards.choices import VersionStatus
from youfu.standards.models import Standard


def test_demo_loads_and_publishes_the_shipped_standards_and_reset_removes_them(db):
    org_demo.demo_bank_create(seed=2026)
    assert not demo.demo_standards_exists()

    summary = demo.demo_standards_create(seed=2026)

    assert summary.standards == ["LINKAGE-110", "MS-OUTLET", "STAR-1000"]
    assert demo.demo_standards_exists()
    for standard in Standard.objects.all():
        assert standard.owner.code == demo.HEAD_OFFICE_CODE
        assert [v.status for v in standard.versions.all()] == [VersionStatus.PUBLISHED]
    assert demo.demo_standards_delete() == 3
    assert not Standard.objects.exists()
    org_demo.demo_bank_delete()  # nothing of the standards holds the bank back
