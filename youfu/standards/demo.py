"""The standards part of `youfu demo`: the shipped standards (mystery shopper, 110 linkage, star outlet),
loaded and published as bank-wide standards of the demo bank's head office."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from auditlog.context import disable_auditlog
from django.db import transaction
from django.utils.translation import gettext as _

from youfu.accounts.models import User
from youfu.core.errors import ApplicationError
from youfu.org.models import Unit
from youfu.standards import services
from youfu.standards.models import Standard

STEPS = 1
HEAD_OFFICE_CODE = "100000"  # youfu.org.demo's head office

Progress = Callable[[str], None]


@dataclass(frozen=True)
class StandardsDemoSummary:
    standards: list[str]

    def __str__(self) -> str:
        return _("Standards loaded and published: %(codes)s.") % {"codes": ", ".join(self.standards) or "—"}


def _head_office() -> Unit | None:
    return Unit.objects.filter(code=HEAD_OFFICE_CODE).first()


def demo_standards_exists() -> bool:
    head_office = _head_office()
    if head_office is None:
        return False
    return Standard.objects.filter(owner__path__startswith=head_office.path).exists()


@transaction.atomic
def demo_standards_create(*, seed: int = 2026, progress: Progress | None = None) -> StandardsDemoSummary:
    head_office = _head_office()
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if head_office is None or admin is None:
        raise ApplicationError(_("The demo bank must exist before its standards."), code="demo_missing")
    results = services.standard_load(actor=admin, owner=head_office, publish=True)
    if progress:
        progress(_("Standards"))
    return StandardsDemoSummary(standards=[r.version.standard.code for r in results])


@transaction.atomic
def demo_standards_delete() -> int:
    """Remove the demo bank's standards (all their versions); returns how many there were. The published
    freeze is for results: the demo's whole bank goes, so its standards go with it."""
    head_office = _head_office()
    if head_office is None:
        return 0
    standards = Standard.objects.filter(owner__path__startswith=head_office.path)
    count = standards.count()
    with disable_auditlog():
        standards.delete()
    return count
