"""Scoring a checklist (检查标准): item results in, a score out. Plain Python, no Django import.

A standard version is given as a ``StandardSpec`` (sections with their points, items with their kind and
points); results as ``ItemResult`` per item code. ``score`` returns a frozen ``ScoreResult``: the total,
each section's score, every deduction applied, the section caps that were hit, the red lines that were
triggered, the items that were not applicable, and the denominator.

The rules, stated once (README.md repeats them):

Item kinds — what one item can lose (in the "deductions" rule) or earn (in the "sum"/"share" rules):

* ``deduction``: ``points`` per occurrence (扣 0.5 分/次), up to ``max_occurrences`` when it is set; or a
  judged ``amount`` from 0 to ``points × max_occurrences`` (``points`` without a maximum). It never
  earns anything: in the sum rules it is taken off its section's earned points.
* ``pass_fail``: worth ``points``; a fail loses them all (deductions rule), a pass earns them (sum rules).
* ``score_out_of_n``: worth ``points``; a score s from 0 to n earns ``points × s / n`` and loses the rest.

Missing results: a deduction item without a result deducts nothing (a deduction checklist records only
what was found). A pass/fail or score item without a result is an error: it must be judged or marked
not applicable.

Sections: a section's ``points`` is its cap. In the deductions rule a section never loses more than its
points, whatever its items add up to (the 110 checklist deducts 5 in a 3-point sub-section: it loses 3).
Sections may nest (一、 with sub-sections 1–5): a parent's loss is its own items' plus its children's, again
capped at its points. In the sum rules a section's earned points are kept between 0 and its points.

Rules:

* ``deductions`` (百分制扣分, "100 minus deductions"): total = max_score − the top-level sections' losses,
  never below 0. The denominator is max_score. A NOT APPLICABLE item simply deducts nothing: it cannot
  lose, and the full marks do not change.
* ``sum`` (sum of item scores): total = the earned points. The denominator is the points of the applicable
  items. NOT APPLICABLE items leave the denominator and the total is rescaled to the full points:
  total = earned / applicable × (all items' points). Without N/A items the total is the plain sum.
* ``share`` (share of a total such as 1000): as ``sum``, but the full points are rescaled to max_score:
  total = earned / applicable × max_score (CBSS1000-style, whatever the items' own units).
  If every item of a sum or share standard is not applicable there is nothing to score: an error.

Red lines (一票否决), triggered by an item that loses anything (a fail, an occurrence, a score below n;
never by N/A): ``zero_section`` makes its section lose all its points (earn nothing); ``cap_total`` keeps
the total at or below the cap (the lowest cap wins when several trigger); ``zero_total`` makes it 0.
They apply in that order.

Arithmetic is Decimal throughout and rounded once, at the end, by youfu.core.money.round_points (half up,
``places`` decimals). So the total stays within [0, max] and a section never loses more than its points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from youfu.core.money import CONTEXT, round_points, to_decimal

DEDUCTIONS = "deductions"
SUM = "sum"
SHARE = "share"
RULES = (DEDUCTIONS, SUM, SHARE)

DEDUCTION = "deduction"
PASS_FAIL = "pass_fail"  # noqa: S105  (an item kind, not a password)
SCORE = "score_out_of_n"
ITEM_KINDS = (DEDUCTION, PASS_FAIL, SCORE)

NO_RED_LINE = "none"
ZERO_SECTION = "zero_section"
ZERO_TOTAL = "zero_total"
CAP_TOTAL = "cap_total"
RED_LINES = (NO_RED_LINE, ZERO_SECTION, ZERO_TOTAL, CAP_TOTAL)

ZERO = Decimal(0)


class ScoringError(ValueError):
    """Results that cannot be scored. ``code`` names the problem, ``item`` the item code (or None)."""

    def __init__(self, code: str, message: str, item: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.item = item
        self.message = message
        self.params = params


@dataclass(frozen=True)
class SectionSpec:
    code: str
    name: str
    points: Decimal
    parent: str | None = None


@dataclass(frozen=True)
class ItemSpec:
    code: str
    section: str
    kind: str
    points: Decimal
    max_occurrences: int | None = None
    n: int | None = None
    na_allowed: bool = False
    red_line: str = NO_RED_LINE
    red_line_cap: Decimal | None = None
    text: str = ""


@dataclass(frozen=True)
class Band:
    """A level by total, e.g. 五星级 from 900: the highest band whose minimum the total reaches."""

    minimum: Decimal
    label: str


@dataclass(frozen=True)
class StandardSpec:
    rule: str
    max_score: Decimal
    sections: tuple[SectionSpec, ...]
    items: tuple[ItemSpec, ...]
    bands: tuple[Band, ...] = ()
    places: int = 2


@dataclass(frozen=True)
class ItemResult:
    """One item's result: exactly one of passed, occurrences, amount, score, or not_applicable."""

    passed: bool | None = None
    occurrences: int | None = None
    amount: Decimal | None = None
    score: Decimal | None = None
    not_applicable: bool = False


@dataclass(frozen=True)
class Deduction:
    item: str
    section: str
    amount: Decimal  # what the item lost, before its section's cap
    occurrences: int | None = None


@dataclass(frozen=True)
class RedLineHit:
    item: str
    section: str
    effect: str
    cap: Decimal | None = None


@dataclass(frozen=True)
class SectionScore:
    code: str
    name: str
    points: Decimal  # the cap
    applicable: Decimal  # sum rules: the points of its applicable items (and sub-sections); else = points
    lost: Decimal  # after the cap (and a zero_section red line)
    score: Decimal  # deductions: points − lost; sum rules: earned points (before rescaling)
    capped: bool  # the cap was hit: its items lost (or earned) more than its points allow
    zeroed: bool  # a zero_section red line fired
    parent: str | None = None


@dataclass(frozen=True)
class ScoreResult:
    rule: str
    total: Decimal
    max_score: Decimal
    denominator: Decimal
    raw: Decimal  # deductions: max − losses; sum rules: earned points, before rescaling and red lines
    sections: tuple[SectionScore, ...]
    deductions: tuple[Deduction, ...]
    caps_hit: tuple[str, ...]
    red_lines: tuple[RedLineHit, ...]
    not_applicable: tuple[str, ...]
    level: str | None = None
    notes: tuple[str, ...] = field(default=())


# --- Reading results ------------------------------------------------------------------------------

PASS_WORDS = {"pass", "passed", "yes", "y", "ok", "true", "1", "通过", "合格", "是", "符合"}
FAIL_WORDS = {"fail", "failed", "no", "n", "false", "0", "不通过", "不合格", "否", "不符合"}
NA_WORDS = {"na", "n/a", "not_applicable", "不适用", "无此项"}


def parse_result(item: ItemSpec, value: object) -> ItemResult:
    """An ItemResult from a plain value as forms, sheets and the API give it: "pass"/"fail"/"na" for a
    pass/fail item, a number of occurrences for a deduction item, a score for a score item, "na" for any."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ScoringError("missing_result", f"item {item.code}: no result given", item=item.code)
    text = str(value).strip().lower() if not isinstance(value, bool) else ""
    if text in NA_WORDS:
        return ItemResult(not_applicable=True)
    if item.kind == PASS_FAIL:
        if value is True or text in PASS_WORDS:
            return ItemResult(passed=True)
        if value is False or text in FAIL_WORDS:
            return ItemResult(passed=False)
        raise ScoringError(
            "invalid_result", f"item {item.code}: give pass, fail or na, not {value!r}", item=item.code
        )
    try:
        number = to_decimal(value if isinstance(value, Decimal | int) else str(value))
    except (TypeError, ValueError):
        raise ScoringError(
            "invalid_result", f"item {item.code}: {value!r} is not a number", item=item.code
        ) from None
    if item.kind == DEDUCTION:
        if number != number.to_integral_value():
            raise ScoringError(
                "invalid_result",
                f"item {item.code}: occurrences must be a whole number, not {value}",
                item=item.code,
            )
        return ItemResult(occurrences=int(number))
    return ItemResult(score=number)


# --- Checking a structure -------------------------------------------------------------------------


def check_spec(spec: StandardSpec) -> list[str]:
    """Errors that make a structure unusable (a version with any of them cannot be published)."""
    errors: list[str] = []
    if spec.rule not in RULES:
        errors.append(f"unknown score rule {spec.rule!r}")
    if spec.max_score <= 0:
        errors.append("the full marks must be more than 0")
    codes = [s.code for s in spec.sections]
    sections = {s.code: s for s in spec.sections}
    for code in {c for c in codes if codes.count(c) > 1}:
        errors.append(f"section code {code} is used twice")
    for section in spec.sections:
        if section.points < 0:
            errors.append(f"section {section.code}: points cannot be negative")
        if section.parent is not None and section.parent not in sections:
            errors.append(f"section {section.code}: unknown parent section {section.parent}")
    for section in spec.sections:  # cycles
        seen, current = {section.code}, section.parent
        while current is not None and current in sections:
            if current in seen:
                errors.append(f"section {section.code}: its parents form a loop")
                break
            seen.add(current)
            current = sections[current].parent
    item_codes = [i.code for i in spec.items]
    for code in {c for c in item_codes if item_codes.count(c) > 1}:
        errors.append(f"item code {code} is used twice")
    for item in spec.items:
        errors.extend(f"item {item.code}: {problem}" for problem in _item_problems(item, sections))
    if not spec.items:
        errors.append("the standard has no items")
    if spec.rule in (SUM, SHARE):
        for section in spec.sections:
            own = _section_possible(spec, section.code)
            if own != section.points:
                errors.append(
                    f"section {section.code}: its items add up to {_plain(own)} points, "
                    f"the section says {_plain(section.points)}"
                )
        if not any(i.kind != DEDUCTION for i in spec.items):
            errors.append("a sum or share standard needs items that earn points (pass/fail or score)")
    return sorted(set(errors))


def _item_problems(item: ItemSpec, sections: Mapping[str, SectionSpec]) -> list[str]:
    problems = []
    if item.section not in sections:
        problems.append(f"unknown section {item.section}")
    if item.kind not in ITEM_KINDS:
        problems.append(f"unknown kind {item.kind!r}")
    if item.points < 0:
        problems.append("points cannot be negative")
    if item.kind == SCORE and (item.n is None or item.n < 1):
        problems.append("a score item needs N (the top score), 1 or more")
    if item.kind != SCORE and item.n is not None:
        problems.append("only a score item has N")
    if item.kind != DEDUCTION and item.max_occurrences is not None:
        problems.append("only a deduction item has a maximum number of occurrences")
    if item.max_occurrences is not None and item.max_occurrences < 1:
        problems.append("the maximum number of occurrences must be 1 or more")
    if item.red_line not in RED_LINES:
        problems.append(f"unknown red line {item.red_line!r}")
    if item.red_line == CAP_TOTAL and (item.red_line_cap is None or item.red_line_cap < 0):
        problems.append("a red line that caps the total needs the cap (0 or more)")
    if item.red_line != CAP_TOTAL and item.red_line_cap is not None:
        problems.append("only a red line that caps the total has a cap")
    return problems


def structure_warnings(spec: StandardSpec) -> list[str]:
    """What is legal but probably not meant: shown beside the authored warnings, never fixed silently."""
    warnings: list[str] = []
    children: dict[str | None, list[SectionSpec]] = {}
    for section in spec.sections:
        children.setdefault(section.parent, []).append(section)
    if spec.rule == DEDUCTIONS:
        top = sum((s.points for s in children.get(None, [])), ZERO)
        if top != spec.max_score:
            warnings.append(
                f"the top-level sections add up to {_plain(top)} points, the full marks are "
                f"{_plain(spec.max_score)}: the lowest possible total is "
                f"{_plain(max(spec.max_score - top, ZERO))}"
            )
        for section in spec.sections:
            subs = children.get(section.code, [])
            if subs:
                inner = sum((s.points for s in subs), ZERO)
                if inner != section.points:
                    warnings.append(
                        f"section {section.code}: its sub-sections add up to {_plain(inner)} points, the "
                        f"section has {_plain(section.points)}"
                    )
        for item in spec.items:
            worst = _worst_loss(item)
            cap = next((s.points for s in spec.sections if s.code == item.section), None)
            if worst is not None and cap is not None and worst > cap:
                warnings.append(
                    f"item {item.code} can deduct {_plain(worst)}, more than its section's "
                    f"{_plain(cap)} points: the section's cap applies"
                )
    for band in spec.bands:
        if band.minimum > spec.max_score:
            warnings.append(f"level {band.label} starts at {_plain(band.minimum)}, above the full marks")
    return warnings


def _worst_loss(item: ItemSpec) -> Decimal | None:
    if item.kind == DEDUCTION:
        return None if item.max_occurrences is None else item.points * item.max_occurrences
    return item.points


def _section_possible(spec: StandardSpec, code: str) -> Decimal:
    own = sum((i.points for i in spec.items if i.section == code and i.kind != DEDUCTION), ZERO)
    subs = sum((s.points for s in spec.sections if s.parent == code), ZERO)
    return own + subs


def full_points(spec: StandardSpec) -> Decimal:
    """The total of a perfect result: max_score, or in the sum rule the points of all earning items."""
    if spec.rule == SUM:
        return sum((i.points for i in spec.items if i.kind != DEDUCTION), ZERO)
    return spec.max_score


# --- Scoring ----------------------------------------------------------------------------------------


@dataclass
class _Acc:
    """A section while scoring: what its own items lose/earn, and its applicable points."""

    lost: Decimal = ZERO
    earned: Decimal = ZERO
    deducted: Decimal = ZERO  # sum rules: deduction items, taken off the earned points
    applicable: Decimal = ZERO
    zeroed: bool = False


def _validate(item: ItemSpec, result: ItemResult) -> None:
    given = [
        result.passed is not None,
        result.occurrences is not None,
        result.amount is not None,
        result.score is not None,
        result.not_applicable,
    ]
    if sum(given) != 1:
        raise ScoringError("invalid_result", f"item {item.code}: give exactly one result", item=item.code)
    if result.not_applicable:
        if not item.na_allowed:
            raise ScoringError(
                "not_applicable_refused",
                f"item {item.code} cannot be marked not applicable",
                item=item.code,
            )
        return
    if item.kind == PASS_FAIL and result.passed is None:
        raise ScoringError(
            "invalid_result", f"item {item.code} is pass/fail: give pass or fail", item=item.code
        )
    if item.kind == SCORE:
        if result.score is None:
            raise ScoringError(
                "invalid_result", f"item {item.code} takes a score from 0 to {item.n}", item=item.code
            )
        score = to_decimal(result.score)
        if not ZERO <= score <= Decimal(item.n or 0):
            raise ScoringError(
                "out_of_range",
                f"item {item.code}: score {_plain(score)} is outside 0 to {item.n}",
                item=item.code,
                value=score,
                low=0,
                high=item.n,
            )
    if item.kind == DEDUCTION:
        if result.passed is not None or result.score is not None:
            raise ScoringError(
                "invalid_result",
                f"item {item.code} is a deduction: give the occurrences or the amount",
                item=item.code,
            )
        if result.occurrences is not None:
            high = item.max_occurrences
            if result.occurrences < 0 or (high is not None and result.occurrences > high):
                raise ScoringError(
                    "out_of_range",
                    f"item {item.code}: {result.occurrences} occurrences is outside 0 to {high}",
                    item=item.code,
                    value=result.occurrences,
                    low=0,
                    high=high,
                )
        if result.amount is not None:
            amount = to_decimal(result.amount)
            high_amount = item.points * (item.max_occurrences or 1)
            if not ZERO <= amount <= high_amount:
                raise ScoringError(
                    "out_of_range",
                    f"item {item.code}: deduction {_plain(amount)} is outside 0 to {_plain(high_amount)}",
                    item=item.code,
                    value=amount,
                    low=0,
                    high=high_amount,
                )


def _item_loss(item: ItemSpec, result: ItemResult) -> tuple[Decimal, Decimal]:
    """(lost, earned) of one judged, applicable item, in points."""
    if item.kind == PASS_FAIL:
        return (ZERO, item.points) if result.passed else (item.points, ZERO)
    if item.kind == SCORE:
        earned = item.points * to_decimal(result.score or 0) / Decimal(item.n or 1)
        return item.points - earned, earned
    if result.amount is not None:
        return to_decimal(result.amount), ZERO
    return item.points * (result.occurrences or 0), ZERO


def score(spec: StandardSpec, results: Mapping[str, ItemResult]) -> ScoreResult:
    """Score ``results`` (item code → ItemResult) against ``spec``; see the module's docstring."""
    problems = check_spec(spec)
    if problems:
        raise ScoringError("invalid_standard", "the standard cannot be scored: " + "; ".join(problems))
    items = {item.code: item for item in spec.items}
    unknown = sorted(set(results) - set(items))
    if unknown:
        raise ScoringError("unknown_item", f"unknown item {unknown[0]}", item=unknown[0])
    with localcontext(CONTEXT):
        return _score(spec, items, results)


def _score(
    spec: StandardSpec, items: Mapping[str, ItemSpec], results: Mapping[str, ItemResult]
) -> ScoreResult:
    acc = {section.code: _Acc() for section in spec.sections}
    deductions: list[Deduction] = []
    red_lines: list[RedLineHit] = []
    not_applicable: list[str] = []
    for item in spec.items:
        result = results.get(item.code)
        if result is None:
            if item.kind != DEDUCTION:
                raise ScoringError(
                    "missing_result",
                    f"item {item.code} has no result: judge it or mark it not applicable",
                    item=item.code,
                )
            result = ItemResult(occurrences=0)
        _validate(item, result)
        section = acc[item.section]
        if result.not_applicable:
            not_applicable.append(item.code)
            continue
        lost, earned = _item_loss(item, result)
        if item.kind == DEDUCTION:
            section.deducted += lost
        else:
            section.applicable += item.points
        section.lost += lost
        section.earned += earned
        if lost > 0:
            deductions.append(Deduction(item.code, item.section, lost, result.occurrences))
            if item.red_line != NO_RED_LINE:
                red_lines.append(RedLineHit(item.code, item.section, item.red_line, item.red_line_cap))
                if item.red_line == ZERO_SECTION:
                    section.zeroed = True

    scored = _roll_up(spec, acc)
    top = [s for s in scored if s.parent is None]
    caps_hit = tuple(s.code for s in scored if s.capped)
    if spec.rule == DEDUCTIONS:
        raw = max(spec.max_score - sum((s.lost for s in top), ZERO), ZERO)
        denominator = spec.max_score
        total = raw
    else:
        raw = sum((s.score for s in top), ZERO)
        # Items directly in no section cannot exist (every item names its section), so the top-level
        # sections hold every applicable point.
        denominator = sum((s.applicable for s in top), ZERO)
        if denominator == 0:
            raise ScoringError(
                "nothing_applicable", "every item is not applicable: there is nothing to score"
            )
        total = raw * full_points(spec) / denominator
    notes = []
    caps = [hit.cap for hit in red_lines if hit.effect == CAP_TOTAL and hit.cap is not None]
    if caps and total > min(caps):
        total = min(caps)
        notes.append("capped_by_red_line")
    if any(hit.effect == ZERO_TOTAL for hit in red_lines):
        total = ZERO
        notes.append("zeroed_by_red_line")
    total = min(max(total, ZERO), full_points(spec))
    places = spec.places
    total = round_points(total, places)
    return ScoreResult(
        rule=spec.rule,
        total=total,
        max_score=full_points(spec),
        denominator=round_points(denominator, places),
        raw=round_points(raw, places),
        sections=tuple(
            SectionScore(
                code=s.code,
                name=s.name,
                points=s.points,
                applicable=round_points(s.applicable, places),
                lost=round_points(s.lost, places),
                score=round_points(s.score, places),
                capped=s.capped,
                zeroed=s.zeroed,
                parent=s.parent,
            )
            for s in scored
        ),
        deductions=tuple(deductions),
        caps_hit=caps_hit,
        red_lines=tuple(red_lines),
        not_applicable=tuple(not_applicable),
        level=level_for(spec.bands, total),
        notes=tuple(notes),
    )


def _roll_up(spec: StandardSpec, acc: Mapping[str, _Acc]) -> list[SectionScore]:
    """Each section's capped result, children before parents, in the structure's order."""
    done: dict[str, SectionScore] = {}
    by_parent: dict[str | None, list[SectionSpec]] = {}
    for section in spec.sections:
        by_parent.setdefault(section.parent, []).append(section)

    def visit(section: SectionSpec) -> SectionScore:
        kids = [visit(child) for child in by_parent.get(section.code, [])]
        own = acc[section.code]
        zeroed = own.zeroed
        if spec.rule == DEDUCTIONS:
            raw_loss = own.lost + sum((k.lost for k in kids), ZERO)
            lost = section.points if zeroed else min(raw_loss, section.points)
            result = SectionScore(
                code=section.code,
                name=section.name,
                points=section.points,
                applicable=section.points,
                lost=lost,
                score=section.points - lost,
                capped=raw_loss > section.points,
                zeroed=zeroed,
                parent=section.parent,
            )
        else:
            applicable = own.applicable + sum((k.applicable for k in kids), ZERO)
            raw_earned = own.earned - own.deducted + sum((k.score for k in kids), ZERO)
            earned = ZERO if zeroed else min(max(raw_earned, ZERO), section.points, applicable)
            result = SectionScore(
                code=section.code,
                name=section.name,
                points=section.points,
                applicable=applicable,
                lost=applicable - earned,
                score=earned,
                capped=raw_earned < 0 or raw_earned > min(section.points, applicable),
                zeroed=zeroed,
                parent=section.parent,
            )
        done[section.code] = result
        return result

    for section in by_parent.get(None, []):
        visit(section)
    return [done[section.code] for section in spec.sections if section.code in done]


def level_for(bands: Iterable[Band], total: Decimal) -> str | None:
    """The label of the highest band whose minimum ``total`` reaches, or None."""
    reached = [band for band in bands if total >= band.minimum]
    return max(reached, key=lambda band: band.minimum).label if reached else None


def _plain(value: Decimal) -> str:
    """A Decimal without trailing zeros or exponent: 25, 0.5, 1000."""
    text = format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))
    return text
