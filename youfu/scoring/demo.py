"""Scoring of the demo bank: R1 (the mystery-shopper plan, seed 000 篇3) in force for the demo year,
each quarter scored from the demo's indicator data (youfu.facts.demo) and posted to the ledger, the
first three quarters published, and a draft version 2 to try in what-if; and R2 (the 100-day
competition, seed 001) scored once over the competition's own period, posted to the ledger.

The seed masks its year ("20xx年"); the demo runs the reference policy in the demo year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.utils.translation import gettext as _

from youfu.facts.demo import competition_window, demo_year
from youfu.ledger.guard import ENTRY_TABLE, LOCK_TABLE, flush_allowed
from youfu.ledger.models import LedgerEntry, PeriodLock
from youfu.org.choices import PeriodKind
from youfu.org.models import Period
from youfu.scoring.choices import PolicyStatus
from youfu.scoring.models import PolicyVersion, ScoreLine, ScoreRun
from youfu.scoring.services import policy_version_upload, score_period, score_run_publish

REFERENCE = Path(__file__).resolve().parent.parent / "policies" / "reference"
STEPS = 6
R1_FILE = "r1_mystery_shopper.yaml"
R2_FILE = "r2_competition_100_days.yaml"
R2_SEED_YEAR = "2009-"  # seed 001 dates the competition 2009-08-01 to 2009-11-10


@dataclass(frozen=True)
class ScoringDemoSummary:
    year: int
    runs: int
    entries: int
    competition_entries: int = 0

    def __str__(self) -> str:
        text = _("Scoring %(year)s: %(runs)d runs of R1, %(entries)d ledger entries.") % {
            "year": self.year,
            "runs": self.runs,
            "entries": self.entries,
        }
        if self.competition_entries:
            text += " " + _("100-day competition (R2): 1 run, %(entries)d ledger entries.") % {
                "entries": self.competition_entries
            }
        return text


# The seed's province ranks about a thousand outlets: its top 200 are exempt and its bottom 100 and
# 101–200 pay more. The demo bank has 40 outlets, so the demo scales those numbers by 1/25 (8, 4, 8);
# the file says so in its description. Everything else is the reference R1 as it is.
DEMO_SCALE = {
    "top(score, 200, within=province)": "top(score, 8, within=province)",
    "bottom(score, 200, within=province)": "bottom(score, 8, within=province)",
    "bottom(score, 100, within=province)": "bottom(score, 4, within=province)",
}


DEMO_NOTE = {
    "\ndescription: ": (
        "【演示：全省前200名、倒数后100名、倒数后200名按演示银行的40个网点缩为前8名、倒数后4名、倒数后8名。】"
    ),
    "\ndescription_en: >-\n": (
        "  [Demo: the province's top 200 / bottom 100 / bottom 200 are scaled to the demo bank's "
        "40 outlets: top 8, bottom 4, bottom 8.]\n"
    ),
}


def r1_text(year: int, *, version: int = 1, per_point: int = 200, scaled: bool = True) -> str:
    """The reference R1 in ``year`` (the seed's year is masked), scaled to the demo bank's 40 outlets;
    version 2 is a what-if draft."""
    text = (REFERENCE / R1_FILE).read_text(encoding="utf-8").replace("2024-", f"{year}-")
    if scaled:
        for seed_text, demo_text in DEMO_SCALE.items():
            assert seed_text in text, seed_text
            text = text.replace(seed_text, demo_text)
        for key, note in DEMO_NOTE.items():
            assert key in text, key
            text = text.replace(key, key + note, 1)
    if version != 1:
        text = text.replace("\nversion: 1\n", f"\nversion: {version}\n", 1)
        text = text.replace("  per_point: 200 #", f"  per_point: {per_point} #", 1)
    return text


def r2_text(year: int) -> str:
    """The reference R2 in ``year``: the same 100 days (8月1日 to 11月10日), as seed 001 has them."""
    text = (REFERENCE / R2_FILE).read_text(encoding="utf-8")
    assert R2_SEED_YEAR in text
    return text.replace(R2_SEED_YEAR, f"{year}-")


def _competition(year: int) -> Period | None:
    """The demo year's 100-day competition period (youfu.facts.demo creates it), matching R2's dates."""
    start, end = competition_window(year)
    return Period.objects.filter(kind=PeriodKind.CUSTOM, start=start, end=end).first()


def demo_scoring_create(*, seed: int, progress: Callable[[str], None] | None = None) -> ScoringDemoSummary:
    del seed  # the facts are seeded; scoring is deterministic
    year = demo_year()
    version = policy_version_upload(author=None, text=r1_text(year), file_name=R1_FILE)
    draft = policy_version_upload(
        author=None,
        text=r1_text(year, version=2, per_point=300),
        file_name="r1_mystery_shopper_v2_draft.yaml",
        status=PolicyStatus.DRAFT,
    )
    quarters = list(Period.objects.filter(kind=PeriodKind.QUARTER, start__year=year).order_by("start"))
    runs = []
    for quarter in quarters:
        runs.append(score_period(author=None, version=version, period=quarter))
        if progress:
            progress(str(quarter))
    for run in runs[:3]:
        score_run_publish(author=None, run=run)
    if len(quarters) >= 3:  # what would 300 a point instead of 200 have cost in Q3?
        score_period(author=None, version=draft, period=quarters[2], what_if=True)
    if progress:
        progress(_("published"))
    # R2, the 100-day competition: one official run over its custom period, posted (not published:
    # the office still checks the awards and the last X before it freezes them).
    competition = _competition(year)
    competition_run = None
    if competition is not None:
        r2 = policy_version_upload(author=None, text=r2_text(year), file_name=R2_FILE)
        competition_run = score_period(author=None, version=r2, period=competition)
    if progress:
        progress(_("100-day competition"))
    return ScoringDemoSummary(
        year=year,
        runs=len(runs),
        entries=sum(run.entries for run in runs),
        competition_entries=competition_run.entries if competition_run is not None else 0,
    )


def demo_scoring_exists() -> bool:
    return PolicyVersion.objects.exists()


def demo_scoring_delete() -> None:
    """Remove the demo's runs and policies, and empty the ledger. Only `youfu demo --reset` calls
    this, to rebuild a demo database: the ledger is append-only everywhere else (the same way the
    tests' flush empties it: TRUNCATE on PostgreSQL, the guarded DELETE on SQLite)."""
    ScoreLine.objects.all().delete()
    ScoreRun.objects.all().delete()
    PolicyVersion.objects.all().delete()
    if not (LedgerEntry.objects.exists() or PeriodLock.objects.exists()):
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Deferred foreign-key checks queued by this transaction (the demo built and reset in
            # one go) make PostgreSQL refuse TRUNCATE: run them now, then truncate.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {ENTRY_TABLE}, {LOCK_TABLE}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return
    with flush_allowed(connection), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {LOCK_TABLE}")  # noqa: S608 (constants)
        cursor.execute(f"DELETE FROM {ENTRY_TABLE}")  # noqa: S608
