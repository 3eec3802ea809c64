"""R1 and R2 written by hand in vectorized pandas: the competitor, and the cross-check of the engine.

Everything is exact integer arithmetic: scores in tenths of a point, points in hundredths, money in
fen (int64). The rules are read off the reference policies (`youfu/policies/reference/r1_*.yaml`,
`r2_*.yaml`); a change there must be made here too, or the cross-check fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .model import (
    PERSON_KINDS,
    R1_PHASE_BY_QUARTER,
    R1_TARGETS,
    SATISFIED,
    UNSATISFIED,
    Kind,
    Sizes,
)

R1 = "r1"  # r1_mystery_shopper.yaml
R2 = "r2"  # r2_competition_100_days.yaml


@dataclass
class Bank:
    """The bank's tables, read into pandas."""

    events: pd.DataFrame  # kind, outlet_id, person_id, value, day
    outlets: pd.DataFrame  # outlet_id, region_id, province_id (outlet_id = 0..n-1, in order)
    staff: pd.DataFrame  # person_id, outlet_id, department_id (person_id = 0..n-1, in order)
    history: pd.DataFrame  # outlet_id, quarter, score_tenths, complaint_tickets


@dataclass
class Results:
    """One row per fired rule share, with points in hundredths and amounts in fen."""

    parts: list[pd.DataFrame] = field(default_factory=list)

    def add(
        self,
        policy: str,
        rule: str,
        subject: str,
        keys: np.ndarray,
        fired: np.ndarray,
        points: np.ndarray | int = 0,
        amount: np.ndarray | int = 0,
    ) -> None:
        size = len(keys)
        points = np.broadcast_to(np.asarray(points, dtype=np.int64), size)
        amount = np.broadcast_to(np.asarray(amount, dtype=np.int64), size)
        kept = fired & ((points != 0) | (amount != 0))  # as the engine: no entry of nothing
        self.parts.append(
            pd.DataFrame(
                {
                    "policy": policy,
                    "rule": rule,
                    "subject": subject,
                    "subject_key": keys[kept].astype(np.int64),
                    "points": points[kept],
                    "amount": amount[kept],
                }
            )
        )

    def entries(self) -> pd.DataFrame:
        return pd.concat(self.parts, ignore_index=True)


def _rank(values: pd.Series, groups: pd.Series | None, *, ascending: bool) -> np.ndarray:
    """Competition ranking (ties share the best rank), as the formula language's rank()."""
    ranked = (
        values.rank(method="min", ascending=ascending)
        if groups is None
        else values.groupby(groups).rank(method="min", ascending=ascending)
    )
    return ranked.to_numpy(dtype=np.int64)


def outlet_inputs(bank: Bank) -> pd.DataFrame:
    """Every outlet-level input, one row per outlet (in outlet_id order)."""
    ev = bank.events
    own = ev["person_id"].lt(0).rename("own")  # about the outlet itself, not one of its people
    counts = (
        ev.groupby([ev["outlet_id"], ev["kind"], ev["value"], own], sort=False)
        .size()
        .rename("n")
        .reset_index()
    )
    counts["total"] = counts["value"].astype(np.int64) * counts["n"]
    n_outlets = len(bank.outlets)

    def per_outlet(mask: pd.Series, column: str) -> np.ndarray:
        summed = counts.loc[mask].groupby("outlet_id")[column].sum()
        return summed.reindex(range(n_outlets), fill_value=0).to_numpy(dtype=np.int64)

    kind = counts["kind"]
    verdict = kind.isin([Kind.RATING, Kind.CALLBACK])
    frame = bank.outlets.copy()
    frame["deduction_tenths"] = per_outlet(kind == Kind.MYSTERY_DEDUCTION, "total")
    frame["repeated_findings"] = per_outlet(kind == Kind.REPEATED_FINDING, "n")
    frame["key_item_findings"] = per_outlet(kind == Kind.KEY_ITEM_FINDING, "n")
    frame["hardware_tenths"] = per_outlet(kind == Kind.HARDWARE_LOST, "total")
    frame["complaint_tickets"] = per_outlet(kind == Kind.COMPLAINT, "n")
    frame["complaint_points"] = per_outlet((kind == Kind.COMPLAINT) & counts["own"], "total")
    frame["praise_count"] = per_outlet(kind == Kind.PRAISE, "n")
    frame["praise_points"] = per_outlet((kind == Kind.PRAISE) & counts["own"], "total")
    frame["media_praise_amount"] = per_outlet(kind == Kind.MEDIA_PRAISE, "total")
    frame["innovation_amount"] = per_outlet(kind == Kind.INNOVATION, "total")
    frame["contest_amount"] = per_outlet(kind == Kind.CONTEST, "total")
    frame["lobby_fines"] = per_outlet(kind == Kind.LOBBY_FINE, "total")
    frame["attitude_complaint_amount"] = per_outlet(kind == Kind.ATTITUDE_COMPLAINT, "total")
    frame["media_exposure_amount"] = per_outlet(kind == Kind.MEDIA_EXPOSURE, "total")
    frame["callbacks_satisfied"] = per_outlet(verdict & (counts["value"] == SATISFIED), "n")
    frame["callbacks_unsatisfied"] = per_outlet(verdict & (counts["value"] == UNSATISFIED), "n")
    frame["score_tenths"] = np.clip(1000 - frame["deduction_tenths"], 0, 1000)
    return frame


def person_inputs(bank: Bank) -> pd.DataFrame:
    """Every person-level input, one row per person (in person_id order)."""
    ev = bank.events
    mine = ev.loc[ev["kind"].isin(PERSON_KINDS) & ev["person_id"].ge(0), ["person_id", "kind", "value"]]
    grouped = mine.groupby(["person_id", "kind"])["value"].agg(["sum", "count"])
    sums = grouped["sum"].unstack(fill_value=0).reindex(range(len(bank.staff)), fill_value=0)
    counts = grouped["count"].unstack(fill_value=0).reindex(range(len(bank.staff)), fill_value=0)

    def column(table: pd.DataFrame, kind: Kind) -> np.ndarray:
        if kind not in table.columns:
            return np.zeros(len(table), dtype=np.int64)
        return table[kind].to_numpy(dtype=np.int64)

    frame = bank.staff.copy()
    frame["complaint_points"] = column(sums, Kind.COMPLAINT)
    frame["praise_points"] = column(sums, Kind.PRAISE)
    frame["onsite_points_first"] = column(sums, Kind.ONSITE_FIRST)
    frame["onsite_points_repeat"] = column(sums, Kind.ONSITE_REPEAT)
    frame["video_violations"] = column(counts, Kind.VIDEO_VIOLATION)
    return frame


def score_r1(outlets: pd.DataFrame, persons: pd.DataFrame, history: pd.DataFrame, sizes: Sizes) -> Results:
    out = Results()
    phase = R1_PHASE_BY_QUARTER[sizes.quarter]
    target = R1_TARGETS[phase] * 10  # tenths
    period_number = sizes.quarter
    keys = outlets["outlet_id"].to_numpy()
    s = outlets["score_tenths"].to_numpy(dtype=np.int64)
    score = outlets["score_tenths"]
    # money in fen: 200 yuan a point is 2000 fen a tenth of a point
    province_rank = _rank(score, outlets["province_id"], ascending=False)
    province_rank_asc = _rank(score, outlets["province_id"], ascending=True)
    region_rank = _rank(score, outlets["region_id"], ascending=False)
    region_rank_asc = _rank(score, outlets["region_id"], ascending=True)
    exempt = province_rank <= 200
    short = np.maximum(target - s, 0)
    doubled = np.where(
        (outlets["repeated_findings"].to_numpy() > 0) | (outlets["key_item_findings"].to_numpy() > 0), 2, 1
    )
    earlier = history.assign(reached=history["score_tenths"] >= 980).groupby("outlet_id")
    reached = earlier["reached"].sum().reindex(keys, fill_value=0).to_numpy(dtype=np.int64)
    tickets_before = earlier["complaint_tickets"].sum().reindex(keys, fill_value=0).to_numpy(dtype=np.int64)
    tickets = outlets["complaint_tickets"].to_numpy(dtype=np.int64)

    def amount(name: str) -> np.ndarray:
        return outlets[name].to_numpy(dtype=np.int64)

    head = "outlet_head"
    if period_number == 4:
        out.add(R1, "q4_early", head, keys, s >= 980, amount=300 * 100 * reached)
        out.add(R1, "no_complaint_all_year", head, keys, tickets_before + tickets == 0, amount=500 * 100)
    out.add(R1, "region_top_two", head, keys, (s >= target) & (region_rank <= 2), amount=500 * 100)
    if phase in (1, 2):
        fired = ~exempt & (s < target)
        out.add(R1, "phases_1_2_missed", head, keys, fired, amount=-(100_000 + (target - s) * 2000) * doubled)
    else:
        fired = ~exempt & (s < 980) & (province_rank_asc <= 200)
        base = np.where(province_rank_asc <= 100, 200_000, 100_000)
        out.add(R1, "phase_3_bottom", head, keys, fired, amount=-(base + (980 - s) * 2000) * doubled)
    fired = ~exempt & (region_rank_asc <= 2)
    base = np.where(region_rank_asc == 1, 50_000, 30_000)
    out.add(R1, "region_bottom_two", head, keys, fired, amount=-(base + short * 2000) * doubled)
    hardware = amount("hardware_tenths")
    out.add(R1, "hardware_after_april", head, keys, hardware > 0, amount=-hardware * 2000)
    praise, media = amount("praise_count"), amount("media_praise_amount")
    out.add(R1, "praise", head, keys, (praise > 0) | (media > 0), amount=praise * 10_000 + media * 100)
    innovation, contest = amount("innovation_amount"), amount("contest_amount")
    fired = (innovation > 0) | (contest > 0)
    out.add(R1, "innovation_and_contests", head, keys, fired, amount=(innovation + contest) * 100)
    lobby = amount("lobby_fines")
    out.add(R1, "lobby", head, keys, lobby > 0, amount=-lobby * 100)
    attitude, exposure = amount("attitude_complaint_amount"), amount("media_exposure_amount")
    fired = (attitude > 0) | (exposure > 0)
    out.add(R1, "complaints_and_media", head, keys, fired, amount=-(attitude + exposure) * 100)
    first = persons["onsite_points_first"].to_numpy(dtype=np.int64)
    repeat = persons["onsite_points_repeat"].to_numpy(dtype=np.int64)
    out.add(
        R1,
        "onsite_fines",
        "person",
        persons["person_id"].to_numpy(),
        (first > 0) | (repeat > 0),
        amount=-(first * 200 + repeat * 500) * 100,
    )
    return out


def score_r2(outlets: pd.DataFrame, persons: pd.DataFrame) -> Results:
    out = Results()
    start = 100 * 100  # hundredths of a point
    o_keys, p_keys = outlets["outlet_id"].to_numpy(), persons["person_id"].to_numpy()
    everyone_o, everyone_p = np.ones(len(o_keys), bool), np.ones(len(p_keys), bool)
    out.add(R2, "outlet_start", "outlet", o_keys, everyone_o, points=start)
    out.add(R2, "person_start", "person", p_keys, everyone_p, points=start)

    def ints(frame: pd.DataFrame, name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype=np.int64)

    cp, pp = ints(outlets, "complaint_points"), ints(outlets, "praise_points")
    outlet_complaints = (pp - cp) * 100
    out.add(R2, "outlet_complaints", "outlet", o_keys, (cp > 0) | (pp > 0), points=outlet_complaints)
    cp, pp = ints(persons, "complaint_points"), ints(persons, "praise_points")
    person_complaints = (pp - cp) * 100
    out.add(R2, "person_complaints", "person", p_keys, (cp > 0) | (pp > 0), points=person_complaints)
    sat, unsat = ints(outlets, "callbacks_satisfied"), ints(outlets, "callbacks_unsatisfied")
    callbacks = (2 * sat - 2 * unsat) * 100
    out.add(R2, "callbacks", "outlet", o_keys, (sat > 0) | (unsat > 0), points=callbacks)
    vv = ints(persons, "video_violations")
    violated = vv > 0
    out.add(R2, "video_violation", "person", p_keys, violated, points=-3 * vv * 100)
    # also: the person's department and outlet head, one entry per person share (source: the person)
    departments, heads = ints(persons, "department_id"), ints(persons, "outlet_id")
    out.add(R2, "video_violation", "department", departments, violated, points=-5 * vv * 100)
    out.add(R2, "video_violation", "outlet_head", heads, violated, points=-4 * vv * 100)

    person_score = pd.Series(start + person_complaints - 3 * vv * 100)
    stars = _rank(person_score, None, ascending=False) <= 3
    out.add(R2, "service_star", "person", p_keys, stars, amount=50 * 100)
    outlet_score = pd.Series(start + outlet_complaints + callbacks)
    advanced = _rank(outlet_score, None, ascending=False) <= 1
    out.add(R2, "advanced_unit", "outlet", o_keys, advanced, amount=200 * 100)
    bottom = _rank(person_score, None, ascending=True) <= 3
    out.add(R2, "bottom_x", "person", p_keys, bottom, points=-3 * 100, amount=-50 * 100)
    return out


def score(bank: Bank, sizes: Sizes) -> pd.DataFrame:
    """All entries of R1 and R2 (policy, rule, subject, subject_key, points in hundredths, amount in fen)."""
    outlets, persons = outlet_inputs(bank), person_inputs(bank)
    r1, r2 = score_r1(outlets, persons, bank.history, sizes), score_r2(outlets, persons)
    return pd.concat([r1.entries(), r2.entries()], ignore_index=True)
