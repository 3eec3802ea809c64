"""The engine's path, end to end: load the frames from the events (ibis on DuckDB), evaluate R1 and R2
with `youfu.engine.evaluate_policy`, write scorecards, rankings, entries (money and points) and
explanations into a DuckDB file.

Phases, each timed by the caller:

- **load**: the events are aggregated into one frame per subject (outlets, persons) and the earlier
  quarters' history, each input over its own events: the verdicts (98%) counted by outlet, the other
  events kept apart once; the frames are stored in an in-memory database attached as ``work``, so
  that every later query starts from them and never scans the events again;
- **evaluate**: R1 and R2 side by side, each in a ``Lane`` (a thread with a DuckDB cursor of its own):
  `evaluate_policy` (the engine computes and stores each subject's results), its fault checks, and
  the entries computed into ``work``;
- **write**: the results stored in the output file: `entries` (one row per fired rule share: the
  ledger's input) and `totals` (points and money per subject, what the cross-check compares), then
  by each lane `scorecard_<policy>_<subject>`, `ranking_<policy>_<subject>` and
  `explanation_<policy>_<subject>` (each entry with the policy's inputs and values on the subject
  row it was computed on).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from .floor import configure
from .model import PERSON_KINDS, SATISFIED, UNSATISFIED, Kind, Sizes, quarter_bounds
from .timing import Timer

REFERENCE = Path(__file__).resolve().parent.parent / "policies" / "reference"
R1_FILE = REFERENCE / "r1_mystery_shopper.yaml"
R2_FILE = REFERENCE / "r2_competition_100_days.yaml"
R2_START, R2_END = date(2009, 8, 1), date(2009, 11, 10)  # the competition is one period
NUMBER = dt.Decimal(38, 10)


def _number(value: ir.Value) -> ir.Value:
    return value.cast(NUMBER)


def _tenths(value: ir.Value) -> ir.Value:
    """Tenths of a point (an integer) as an exact DECIMAL: multiplied by 0.1, never divided (a
    double). The exact product of two numbers of 10 places, then its 20 places cut to 10 (a whole
    number's tenths have one): the engine's rounding multiply is not needed here."""
    from youfu.engine.numbers import exact_product

    return exact_product(value, Decimal("0.1")).cast(NUMBER)


# -- load ---------------------------------------------------------------------------------------------


VERDICT_KINDS = (int(Kind.RATING), int(Kind.CALLBACK))


def other_events(con: Any) -> ir.Table:
    """The events that are not verdicts (ratings and callbacks): about 1.3% of them at national size,
    what every input but the two verdict counts is made of. Stored once (see ``load``), so that the
    outlet and the person inputs read them without scanning the hundred million again."""
    ev = con.table("events", database="bank")
    # kind <> a AND kind <> b: DuckDB's scan filters it in about two thirds of the time of NOT IN (a, b)
    return ev.filter(*(ev.kind != kind for kind in VERDICT_KINDS)).select(
        "kind", "outlet_id", "person_id", "value"
    )


@ibis.udf.agg.builtin
def count_if(condition: bool) -> dt.int64:
    """DuckDB's ``count_if``: rows where the condition holds. Over the hundred million events it
    takes about a quarter less time than the ``count(*) FILTER (WHERE …)`` of Ibis's
    ``count(where=…)``, and a fifth less than ``sum(CAST(… AS INT))``."""


def verdict_counts(con: Any) -> ir.Table:
    """R2's ``callbacks_satisfied`` and ``callbacks_unsatisfied`` per outlet: the verdicts (98% of the
    events) counted by outlet alone, as the two inputs need, not grouped by kind and value too."""
    ev = con.table("events", database="bank")
    # The kind tested in each count, not in a WHERE: DuckDB then groups every event without
    # filtering first, about a tenth less time (an outlet with no verdict counts 0, as when missing).
    verdict = ev.kind.isin(VERDICT_KINDS)
    return ev.group_by("outlet_id").aggregate(
        callbacks_satisfied=count_if(verdict & (ev.value == SATISFIED)),
        callbacks_unsatisfied=count_if(verdict & (ev.value == UNSATISFIED)),
    )


def outlet_frame(con: Any, others: ir.Table, verdicts: ir.Table) -> ir.Table:
    """One row per outlet with every outlet-level input of R1 and R2: each a count or sum of one kind
    of the other events (``others``), and the verdict counts."""
    c = others.group_by(outlet_id=others.outlet_id, kind=others.kind, own=others.person_id < 0).aggregate(
        n=others.count(), total=others.value.cast("int64").sum()
    )

    def count_of(kind: Kind) -> ir.Value:
        return c.n.sum(where=c.kind == int(kind))

    def total_of(kind: Kind, own_only: bool = False) -> ir.Value:
        test = c.kind == int(kind)
        return c.total.sum(where=test & c.own if own_only else test)

    inputs = c.group_by("outlet_id").aggregate(
        deduction_tenths=total_of(Kind.MYSTERY_DEDUCTION),
        repeated_findings=count_of(Kind.REPEATED_FINDING),
        key_item_findings=count_of(Kind.KEY_ITEM_FINDING),
        hardware_tenths=total_of(Kind.HARDWARE_LOST),
        complaint_tickets=count_of(Kind.COMPLAINT),
        outlet_complaint_points=total_of(Kind.COMPLAINT, own_only=True),
        praise_count=count_of(Kind.PRAISE),
        outlet_praise_points=total_of(Kind.PRAISE, own_only=True),
        media_praise_amount=total_of(Kind.MEDIA_PRAISE),
        innovation_amount=total_of(Kind.INNOVATION),
        contest_amount=total_of(Kind.CONTEST),
        lobby_fines=total_of(Kind.LOBBY_FINE),
        attitude_complaint_amount=total_of(Kind.ATTITUDE_COMPLAINT),
        media_exposure_amount=total_of(Kind.MEDIA_EXPOSURE),
    )
    outlets = con.table("outlets", database="bank")
    joined = outlets.left_join(inputs, outlets.outlet_id == inputs.outlet_id).left_join(
        verdicts, outlets.outlet_id == verdicts.outlet_id
    )
    zero = ibis.literal(0, type="int64")

    def filled(name: str) -> ir.Value:
        return joined[name].fill_null(zero)

    score_tenths = ibis.greatest(1000 - filled("deduction_tenths"), 0)
    return joined.select(
        subject_key=joined.outlet_id.cast("int64"),
        scope__region=joined.region_id.cast("int64"),
        scope__province=joined.province_id.cast("int64"),
        score=_tenths(score_tenths),
        hardware_points_lost=_tenths(filled("hardware_tenths")),
        **{
            name: _number(filled(name))
            for name in (
                "repeated_findings",
                "key_item_findings",
                "complaint_tickets",
                "outlet_complaint_points",
                "praise_count",
                "outlet_praise_points",
                "media_praise_amount",
                "innovation_amount",
                "contest_amount",
                "lobby_fines",
                "attitude_complaint_amount",
                "media_exposure_amount",
                "callbacks_satisfied",
                "callbacks_unsatisfied",
            )
        },
    )


def person_frame(con: Any, others: ir.Table) -> ir.Table:
    """One row per person with every person-level input of R1 and R2, and the units they belong to."""
    mine = others.filter(others.kind.isin([int(kind) for kind in PERSON_KINDS]), others.person_id >= 0)
    inputs = mine.group_by("person_id").aggregate(
        complaint_points=mine.value.cast("int64").sum(where=mine.kind == int(Kind.COMPLAINT)),
        praise_points=mine.value.cast("int64").sum(where=mine.kind == int(Kind.PRAISE)),
        onsite_points_first=mine.value.cast("int64").sum(where=mine.kind == int(Kind.ONSITE_FIRST)),
        onsite_points_repeat=mine.value.cast("int64").sum(where=mine.kind == int(Kind.ONSITE_REPEAT)),
        video_violations=mine.count(where=mine.kind == int(Kind.VIDEO_VIOLATION)),
    )
    staff = con.table("staff", database="bank")
    joined = staff.left_join(inputs, staff.person_id == inputs.person_id)
    zero = ibis.literal(0, type="int64")
    return joined.select(
        subject_key=joined.person_id.cast("int64"),
        link__department=joined.department_id.cast("int64"),
        link__outlet_head=joined.outlet_id.cast("int64"),
        **{
            name: _number(joined[name].fill_null(zero))
            for name in (
                "complaint_points",
                "praise_points",
                "onsite_points_first",
                "onsite_points_repeat",
                "video_violations",
            )
        },
    )


def quarter_key(quarter: int) -> str:
    return f"2024Q{quarter}"


def history_frame(con: Any, outlets: ir.Table) -> ir.Table:
    """R1's span ``earlier_quarters`` for the outlet head, from the bank's history table. With the
    scopes: R1's value `exempt` ranks per period."""
    history = con.table("history", database="bank")
    scopes = outlets.select("subject_key", "scope__region", "scope__province")
    earlier = history.inner_join(scopes, history.outlet_id.cast("int64") == scopes.subject_key).select(
        "subject_key",
        "scope__region",
        "scope__province",
        period_key=ibis.literal("2024Q") + history.quarter.cast("string"),
        score=_tenths(history.score_tenths),
        complaint_tickets=_number(history.complaint_tickets),
    )
    return earlier


def year_frame(earlier: ir.Table, outlets: ir.Table, sizes: Sizes) -> ir.Table:
    """R1's span ``year_so_far``: the earlier quarters (as stored) and this quarter's outlets."""
    this = outlets.select(
        "subject_key",
        "scope__region",
        "scope__province",
        period_key=ibis.literal(quarter_key(sizes.quarter)),
        score=outlets.score,
        complaint_tickets=outlets.complaint_tickets,
    )
    return earlier.union(this)


# -- the run ------------------------------------------------------------------------------------------

R1_OUTLET_INPUTS = (
    "score",
    "complaint_tickets",
    "repeated_findings",
    "key_item_findings",
    "hardware_points_lost",
    "praise_count",
    "media_praise_amount",
    "innovation_amount",
    "contest_amount",
    "lobby_fines",
    "attitude_complaint_amount",
    "media_exposure_amount",
)


@dataclass
class EngineRun:
    """The outcome: seconds per phase and the output file."""

    seconds: dict[str, float]  # wall time per phase
    cpu: dict[str, float]  # CPU time of the process (all its threads) per phase
    output: Path
    rows: dict[str, int]  # rows written per table


# An in-memory database every connection of the run sees: the frames, and each policy's entries.
WORK = ("work", "main")


class Lane:
    """One policy's share of the run, in a thread of its own with a DuckDB connection of its own (a
    cursor on the same database). While one lane builds and compiles its Ibis expressions (Python,
    holding the GIL), the other's queries run in DuckDB, which releases it: the two policies take
    less wall time together than one after the other. Each lane times its own steps."""

    def __init__(self, con: Any, name: str, policy: Any) -> None:
        self.name, self.policy = name, policy
        self.backend = ibis.duckdb.from_connection(con.con.cursor())
        self.backend.raw_sql("SET enable_progress_bar = false")
        configure(self.backend.raw_sql)
        self.timer = Timer(cpu_clock=time.thread_time)
        self.result: Any = None

    def frame(self, name: str) -> ir.Table:
        return self.backend.table(name, database=WORK)

    def evaluate(self, evaluate: Callable[[Lane], Any]) -> None:
        """The policy's results computed and stored: subject tables, fault checks, entries."""
        with self.timer.phase("evaluate_policy"):
            self.result = evaluate(self)
        with self.timer.phase("evaluate_checks"):
            # What check=True does inside evaluate_policy, timed apart: every formula's fault
            # condition executed, PolicyRunError for the first that fails for someone.
            self.result.raise_for_faults()
        with self.timer.phase("evaluate_entries"):
            entries = self.result.entries.mutate(policy=ibis.literal(self.name))
            self.backend.create_table(f"entries_{self.name}", entries, database=WORK)

    def write(self, facts: list[str]) -> list[str]:
        """The scorecards, rankings and explanations in the output file; returns the tables written.
        An explanation shows the facts behind an entry: the policy's inputs and values on the row."""
        written = []
        mine = self.frame(f"entries_{self.name}")
        for subject, scorecard in self.result.scorecards.items():
            name = f"scorecard_{self.name}_{subject}"
            with self.timer.phase("write_scorecards"):
                self.backend.create_table(name, scorecard)
                self.backend.create_table(f"ranking_{self.name}_{subject}", ranking(scorecard))
            with self.timer.phase("write_explanations"):
                own = mine.filter(mine.source_subject == subject)
                shown = [c for c in scorecard.columns if c in facts]
                row = scorecard.select(*shown, source=scorecard.subject_key)
                # The bank's keys are integers: joined as such, not as the entries' text keys.
                explained = own.inner_join(row, own.source_key.cast("int64") == row.source).drop("source")
                self.backend.create_table(f"explanation_{self.name}_{subject}", explained)
            written += [name, f"ranking_{self.name}_{subject}", f"explanation_{self.name}_{subject}"]
        return written

    def close(self) -> None:
        self.backend.disconnect()


def _both(lanes: Sequence[Lane], step: Callable[[Lane], Any]) -> list[Any]:
    """``step`` for every lane at once, each in its thread; an error in any is raised here."""
    with ThreadPoolExecutor(max_workers=len(lanes)) as pool:
        return [future.result() for future in [pool.submit(step, lane) for lane in lanes]]


def run_engine(bank_path: Path, output: Path, sizes: Sizes) -> EngineRun:
    from youfu.engine import HistoryFrame, evaluate_policy, period_context
    from youfu.policies.checker import load_policy

    output.unlink(missing_ok=True)
    timer = Timer()
    con = ibis.duckdb.connect(str(output))
    con.raw_sql("SET enable_progress_bar = false")
    configure(con.raw_sql)
    con.attach(str(bank_path), name="bank", read_only=True)
    con.raw_sql(f"ATTACH ':memory:' AS {WORK[0]}")
    r1, r2 = load_policy(R1_FILE), load_policy(R2_FILE)

    with timer.phase("load"):
        others = con.create_table("events_other", other_events(con), database=WORK)
        verdicts = con.create_table("verdict_counts", verdict_counts(con), database=WORK)
        outlets = con.create_table("frame_outlets", outlet_frame(con, others, verdicts), database=WORK)
        con.create_table("frame_persons", person_frame(con, others), database=WORK)
        earlier = con.create_table("history_earlier", history_frame(con, outlets), database=WORK)
        con.create_table("history_year", year_frame(earlier, outlets, sizes), database=WORK)

    start, end = quarter_bounds(sizes.quarter)
    period = period_context(r1, start=start, end=end, key=quarter_key(sizes.quarter))
    earlier_periods = [
        period_context(r1, start=first, end=last, key=quarter_key(q))
        for q in range(1, sizes.quarter)
        for first, last in [quarter_bounds(q)]
    ]

    def evaluate_r1(lane: Lane) -> Any:
        outlets, persons = lane.frame("frame_outlets"), lane.frame("frame_persons")
        return evaluate_policy(
            r1,
            check=False,
            period=period,
            frames={
                "outlet_head": outlets.select(
                    "subject_key", "scope__region", "scope__province", *R1_OUTLET_INPUTS
                ),
                "person": persons.select("subject_key", "onsite_points_first", "onsite_points_repeat"),
            },
            history={
                "outlet_head": {
                    "earlier_quarters": HistoryFrame(
                        table=lane.frame("history_earlier"), periods=earlier_periods
                    ),
                    "year_so_far": HistoryFrame(
                        table=lane.frame("history_year"), periods=[*earlier_periods, period]
                    ),
                }
            },
        )

    def evaluate_r2(lane: Lane) -> Any:
        outlets, persons = lane.frame("frame_outlets"), lane.frame("frame_persons")
        return evaluate_policy(
            r2,
            check=False,
            period=period_context(r2, start=R2_START, end=R2_END, key="2009-100-days"),
            frames={
                "outlet": outlets.select(
                    "subject_key",
                    complaint_points="outlet_complaint_points",
                    praise_points="outlet_praise_points",
                    callbacks_satisfied="callbacks_satisfied",
                    callbacks_unsatisfied="callbacks_unsatisfied",
                ),
                "person": persons.select(
                    "subject_key",
                    "link__department",
                    "link__outlet_head",
                    "complaint_points",
                    "praise_points",
                    "video_violations",
                ),
            },
        )

    lanes = [Lane(con, "r1", r1), Lane(con, "r2", r2)]
    steps = {"r1": evaluate_r1, "r2": evaluate_r2}
    with timer.phase("evaluate"):
        _both(lanes, lambda lane: lane.evaluate(steps[lane.name]))

    with timer.phase("write"):
        written = ["entries", "totals"]
        with timer.phase("write_entries"):
            con.create_table(
                "entries", ibis.union(*(con.table(f"entries_{lane.name}", database=WORK) for lane in lanes))
            )
            stored = con.table("entries")
            totals = stored.group_by("policy", "subject", "subject_key").aggregate(
                points=stored.points.sum(), amount=stored.amount.sum(), entries=stored.count()
            )
            con.create_table("totals", totals)
        with timer.phase("write_results"):
            for tables in _both(lanes, lambda lane: lane.write(_facts(lane.policy))):
                written += tables
    for lane in lanes:
        for phase, seconds in lane.timer.seconds.items():
            timer.seconds[f"{lane.name}_{phase}"] = seconds
            timer.cpu[f"{lane.name}_{phase}"] = lane.timer.cpu[phase]
        lane.close()
    rows = {table: int(con.table(table).count().execute()) for table in written}
    con.disconnect()
    timer.total("end_to_end", ("load", "evaluate", "write"))
    return EngineRun(seconds=timer.seconds, cpu=timer.cpu, output=output, rows=rows)


def _facts(policy: Any) -> list[str]:
    return [i.name for i in policy.inputs] + [v.name for v in policy.values]


def ranking(scorecard: ir.Table) -> ir.Table:
    """The published ranking. The engine ranks every subject (``rank_value``, ``rank__all``,
    ``rank__<scope>``); an engine that does not gets the same here, by total points."""
    keep = ["subject_key", "total_points", "total_amount"]
    keep += [c for c in scorecard.columns if c.startswith("scope__")]
    ranks = [c for c in scorecard.columns if c == "rank_value" or c.startswith("rank__")]
    if ranks:
        return scorecard.select(*keep, *ranks)
    return scorecard.select(*keep, rank__all=ibis.rank().over(order_by=ibis.desc(scorecard.total_points)) + 1)
