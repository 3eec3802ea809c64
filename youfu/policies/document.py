"""Policy documents: the schema (frozen dataclasses) and the loader that reads one from YAML.

A policy is a YAML file a service office writes (README.md in this folder documents every key with
examples). ``read_policy`` parses it keeping the line and column of every node, checks its shape
(unknown keys with a did-you-mean, missing keys, values of the wrong kind), parses every formula with
``youfu.formula.parse`` and moves each formula error from the formula's own line and column to the
file's. It returns the policy it could build, with what it could not read left empty, and the findings;
the meaning (names, types, weights, grade bands, cases, phases) is checked in ``checker.py``.

Plain Python, no Django: the scoring engine loads policies too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from youfu.formula import Expr, FormulaError, Type, parse
from youfu.policies.findings import Finding, Severity, did_you_mean
from youfu.policies.scalars import Lines, Mark, locate

SCHEMA = 1  # the version of this document format; a policy says which one it is written in

# The org levels of youfu.org.choices.UnitKind, repeated here to stay free of Django (a test compares).
LEVELS = ("head_office", "branch", "sub_branch", "outlet", "department")
SUBJECT_KINDS = ("unit", "person", "head")  # a unit, a person, or the head of a unit
PERIOD_UNITS = ("month", "quarter", "half", "year", "custom")  # custom: the whole effective range
SPAN_WHICH = ("this_period", "year_to_date", "earlier_this_year")
PHASE_BY = ("start", "end", "most_days")
ORDERS = ("desc", "asc")
SCALES = ("decimal", "integer")
TYPES = {"number": Type.NUMBER, "bool": Type.BOOL, "text": Type.TEXT}
_NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?")
_NAME = re.compile(r"[^\W\d]\w*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_LABELS = ("id", "name", "label", "case")  # the key that names an item, for messages

Literal = Decimal | bool | str


@dataclass(frozen=True)
class Formula:
    """A formula as written in the file, its tree (None if it does not parse) and where it sits."""

    text: str
    tree: Expr | None
    at: Mark  # the scalar's start (its quote or block indicator included)
    marks: tuple[Mark, ...]  # the file position of each character of text; () when unknown

    def mark_at(self, line: int, column: int) -> Mark:
        """The file position of ``line``/``column`` (from 1) of the formula text."""
        if not self.marks:
            return self.at
        lines = self.text.split("\n")
        line = min(max(line, 1), len(lines))
        position = sum(len(text) + 1 for text in lines[: line - 1]) + max(column, 1) - 1
        if position < len(self.marks):
            return self.marks[position]
        for back in range(min(len(self.text), len(self.marks)) - 1, -1, -1):
            if not self.text[back].isspace():  # past the end: just after the last visible character
                last = self.marks[back]
                return Mark(last.line, last.column + 1)
        return self.at


@dataclass(frozen=True)
class Effective:
    start: date | None
    end: date | None  # None: until a new version replaces it
    at: Mark


@dataclass(frozen=True)
class Subject:
    """Who points and money go to: a unit at a level, a person, or the head of a unit at a level."""

    id: str
    kind: str  # SUBJECT_KINDS
    level: str  # LEVELS; "" for a person
    name: str
    positions: tuple[str, ...]  # for people: only these positions (empty: everyone)
    at: Mark
    name_en: str = ""  # in English, for the English pages (optional)


@dataclass(frozen=True)
class Scope:
    """A ranking scope: subjects are grouped by their ancestor at ``level`` (rank within=region)."""

    id: str
    level: str
    name: str
    at: Mark
    name_en: str = ""  # in English, for the English pages (optional)


@dataclass(frozen=True)
class Span:
    """Periods a formula can add up with over=: e.g. the months of this quarter, or the year so far."""

    id: str
    unit: str  # PERIOD_UNITS without custom
    which: str  # SPAN_WHICH
    name: str
    at: Mark
    name_en: str = ""  # in English, for the English pages (optional)


@dataclass(frozen=True)
class Constant:
    """A named literal: a constant of the policy, or a value of a phase (its target)."""

    name: str
    value: Literal
    type: Type
    at: Mark


@dataclass(frozen=True)
class Phase:
    id: str
    name: str
    start: date | None
    end: date | None  # inclusive
    values: tuple[Constant, ...]
    seed: str
    at: Mark
    start_at: Mark
    end_at: Mark
    values_at: Mark
    name_en: str = ""  # in English, for the English pages (optional)


@dataclass(frozen=True)
class Periods:
    unit: str  # the period one run scores: PERIOD_UNITS
    phase_by: str  # PHASE_BY, "" when not said
    spans: tuple[Span, ...]
    phases: tuple[Phase, ...]
    at: Mark
    phase_by_at: Mark
    phases_at: Mark


@dataclass(frozen=True)
class Input:
    """A fact the policy reads per subject and period: an inspection score, a complaint count …"""

    name: str
    type: Type
    description: str
    source: str  # where the fact comes from (module, import), for people
    unit: str
    default: Literal | None  # what a missing fact counts as; None: the subject is left out and reported
    choices: tuple[str, ...]  # the values a text input can take
    at: Mark
    description_en: str = ""  # in English, for the English pages (optional)


@dataclass(frozen=True)
class WeightPart:
    id: str
    name: str
    weight: Decimal | None
    parts: tuple[WeightPart, ...]
    seed: str
    at: Mark
    weight_at: Mark
    parts_at: Mark


@dataclass(frozen=True)
class WeightGroup:
    """Named weights that must add up to ``total``; a part may be split again into parts."""

    id: str
    name: str
    total: Decimal | None
    unit: str
    parts: tuple[WeightPart, ...]
    seed: str
    at: Mark
    total_at: Mark
    parts_at: Mark


@dataclass(frozen=True)
class Value:
    """A named intermediate result (a monthly score, a quarter score), computed in file order."""

    name: str
    formula: Formula | None
    type: Type | None  # declared; None: whatever the formula gives
    description: str
    seed: str
    at: Mark
    description_en: str = ""  # in English, for the English pages (optional)


@dataclass(frozen=True)
class Bound:
    value: Decimal
    inclusive: bool
    at: Mark


@dataclass(frozen=True)
class Band:
    label: str
    lower: Bound | None  # None: no lower bound
    upper: Bound | None
    seed: str
    at: Mark


@dataclass(frozen=True)
class GradeScale:
    """Grades from a score: the band the score falls in gives the label (优, 良 …)."""

    id: str
    name: str
    score: Formula | None
    scale: str  # SCALES: can the score have decimals, or is it always a whole number
    lowest: Bound | None  # the score is never below this (no band needed under it)
    highest: Bound | None
    bands: tuple[Band, ...]
    seed: str
    at: Mark
    bands_at: Mark


@dataclass(frozen=True)
class Case:
    """One row of a cases table: for this grade (or text), this value; or silent (the seed says nothing)."""

    case: str
    value: Formula | None
    silent: bool
    seed: str
    note: str
    at: Mark


@dataclass(frozen=True)
class Table:
    id: str
    description: str
    by: str  # a grade scale's id, or a text input with choices
    type: Type
    rows: tuple[Case, ...]
    otherwise: Formula | None
    seed: str
    at: Mark
    by_at: Mark
    rows_at: Mark
    description_en: str = ""  # in English, for the English pages (optional)


@dataclass(frozen=True)
class Multiplier:
    """Multiply the rule's points and amount by ``factor`` when ``when`` holds (doubling a repeat)."""

    when: Formula | None
    factor: Formula | None
    seed: str
    at: Mark


@dataclass(frozen=True)
class Share:
    """Points and money of a rule that go to another subject (one event, several subjects)."""

    subject: str
    points: Formula | None
    amount: Formula | None
    seed: str
    at: Mark
    subject_at: Mark


@dataclass(frozen=True)
class Rule:
    """When ``when`` holds for a subject, it gets ``points`` and/or ``amount`` (yuan; negative = deducted)."""

    id: str
    description: str
    seed: str
    subject: str
    when: Formula | None  # None: always
    points: Formula | None
    amount: Formula | None
    multipliers: tuple[Multiplier, ...]
    also: tuple[Share, ...]
    note: str
    at: Mark
    subject_at: Mark
    description_en: str = ""  # in English, for the English pages (optional)


@dataclass(frozen=True)
class Ranking:
    """How a subject's scorecards are ranked on the pages: by a number (the mystery-shopper score,
    the competition points …), highest first unless ``order`` is asc."""

    subject: str
    by: Formula | None
    order: str  # ORDERS
    name: str
    at: Mark
    subject_at: Mark
    name_en: str = ""  # in English, for the English pages (optional)


@dataclass(frozen=True)
class OpenQuestion:
    """Where the seed is ambiguous or contradicts itself: the checker warns until the office decides."""

    about: str
    seed: str
    question: str
    reading: str  # what this file does meanwhile
    at: Mark


@dataclass(frozen=True)
class Policy:
    file: str
    schema: int | None
    id: str
    name: str
    version: int | None
    effective: Effective
    source: str
    description: str
    subjects: tuple[Subject, ...]
    scopes: tuple[Scope, ...]
    periods: Periods
    inputs: tuple[Input, ...]
    constants: tuple[Constant, ...]
    weights: tuple[WeightGroup, ...]
    values: tuple[Value, ...]
    grades: tuple[GradeScale, ...]
    tables: tuple[Table, ...]
    rules: tuple[Rule, ...]
    rankings: tuple[Ranking, ...]
    open_questions: tuple[OpenQuestion, ...]
    at: Mark
    name_en: str = ""  # in English, for the English pages (optional)
    description_en: str = ""  # in English, for the English pages (optional)


# The keys of each mapping: name → required. The order is the order README.md documents them in.
KEYS: dict[str, dict[str, bool]] = {
    "policy": {
        "schema": True, "id": True, "name": True, "name_en": False, "version": True, "effective": True,
        "source": False, "description": False, "description_en": False, "subjects": True, "scopes": False,
        "periods": True, "inputs": False, "constants": False, "weights": False, "values": False,
        "grades": False, "tables": False, "rules": True, "rankings": False, "open_questions": False,
    },
    "effective": {"from": True, "to": False},
    "subject": {
        "id": True, "kind": True, "level": False, "name": False, "name_en": False, "positions": False,
    },
    "scope": {"id": True, "level": True, "name": False, "name_en": False},
    "periods": {"unit": True, "phase_by": False, "spans": False, "phases": False},
    "span": {"id": True, "unit": True, "which": True, "name": False, "name_en": False},
    "phase": {
        "id": True, "name": False, "name_en": False, "from": True, "to": True, "values": False,
        "seed": False,
    },
    "input": {
        "name": True, "type": True, "description": False, "description_en": False, "source": False,
        "unit": False, "default": False, "choices": False,
    },
    "weights group": {
        "id": True, "name": False, "total": True, "unit": False, "parts": True, "seed": False,
    },
    "weights part": {"id": True, "name": False, "weight": True, "parts": False, "seed": False},
    "value": {
        "name": True, "formula": True, "type": False, "description": False, "description_en": False,
        "seed": False,
    },
    "grade scale": {
        "id": True, "name": False, "score": True, "scale": False, "min": False, "max": False,
        "bands": True, "seed": False,
    },
    "band": {
        "label": True, "at_least": False, "more_than": False, "at_most": False, "less_than": False,
        "seed": False,
    },
    "bound": {"at_least": False, "more_than": False, "at_most": False, "less_than": False},
    "table": {
        "id": True, "description": False, "description_en": False, "by": True, "type": False,
        "rows": True, "otherwise": False, "seed": False,
    },
    "case": {"case": True, "value": False, "silent": False, "seed": False, "note": False},
    "rule": {
        "id": True, "description": False, "description_en": False, "seed": False, "subject": True,
        "when": False, "points": False, "amount": False, "multipliers": False, "also": False,
        "note": False,
    },
    "multiplier": {"when": True, "factor": True, "seed": False},
    "share": {"subject": True, "points": False, "amount": False, "seed": False},
    "ranking": {"subject": True, "by": True, "order": False, "name": False, "name_en": False},
    "open question": {"about": False, "seed": False, "question": True, "reading": False},
}  # fmt: skip

Fields = dict[str, tuple[ScalarNode, Node]]


def read_policy(
    path: str | Path, *, text: str | None = None, name: str | None = None
) -> tuple[Policy | None, list[Finding]]:
    """Read a policy file: the policy (None if it is not YAML or not a mapping) and its shape findings.

    ``text`` reads that text instead of the file; ``name`` is the file name used in findings
    (default: ``path`` as given).
    """
    file = str(path) if name is None else name
    if text is None:
        try:
            # utf-8-sig: a byte-order mark (Windows Notepad) is not part of the first line's columns.
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            return None, [Finding(file, 1, 1, Severity.ERROR, "file", f"cannot read the policy: {error}")]
    reader = _Reader(file, text)
    policy = reader.policy()
    return policy, sorted(set(reader.findings))


class _Reader:
    def __init__(self, file: str, source: str) -> None:
        self.file = file
        self.source = source.replace("\r\n", "\n").replace("\r", "\n")
        self.lines = Lines(self.source)
        self.findings: list[Finding] = []

    # -- findings ----------------------------------------------------------------------------------

    def add(self, at: Mark, code: str, message: str, severity: Severity = Severity.ERROR) -> None:
        self.findings.append(Finding(self.file, at.line, at.column, severity, code, message))

    @staticmethod
    def mark(node: Node) -> Mark:
        return Mark(node.start_mark.line + 1, node.start_mark.column + 1)

    # -- the document ------------------------------------------------------------------------------

    def policy(self) -> Policy | None:
        try:
            root = yaml.compose(self.source, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            at = Mark(mark.line + 1, mark.column + 1) if mark is not None else Mark(1, 1)
            problem = " ".join(part for part in (error.context, error.problem) if part)
            hint = ""
            if "\\t" in problem:
                hint = "; indent with spaces, not tabs"
            elif "mapping values are not allowed" in problem:
                hint = "; a value containing ': ' (colon and space) must be in quotes, or a block after |"
            self.add(at, "yaml", f"not valid YAML: {problem}{hint}")
            return None
        except yaml.YAMLError as error:
            self.add(Mark(1, 1), "yaml", f"not valid YAML: {error}")
            return None
        if root is None:
            self.add(Mark(1, 1), "missing_key", "the policy file is empty")
            return None
        fields = self.fields(root, "policy", "the policy")
        if fields is None:
            return None
        get = fields.get
        schema = self.integer(get("schema"), "schema")
        if schema is not None and schema != SCHEMA:
            self.add(
                self.mark(fields["schema"][1]), "bad_value", f"unknown schema {schema}; this is {SCHEMA}"
            )
        version = self.integer(get("version"), "version")
        if version is not None and version < 1:
            self.add(self.mark(fields["version"][1]), "bad_value", "version must be 1 or more")
        return Policy(
            file=self.file,
            schema=schema,
            id=self.identifier(get("id"), "the policy id"),
            name=self.text(get("name"), "name"),
            version=version,
            effective=self.effective(get("effective")),
            source=self.text(get("source"), "source"),
            description=self.text(get("description"), "description"),
            subjects=self.items(get("subjects"), self.subject),
            scopes=self.items(get("scopes"), self.scope),
            periods=self.periods(get("periods")),
            inputs=self.items(get("inputs"), self.input),
            constants=self.literals(get("constants"), "constants"),
            weights=self.items(get("weights"), self.weight_group),
            values=self.items(get("values"), self.value),
            grades=self.items(get("grades"), self.grade_scale),
            tables=self.items(get("tables"), self.table),
            rules=self.items(get("rules"), self.rule),
            rankings=self.items(get("rankings"), self.ranking),
            open_questions=self.items(get("open_questions"), self.open_question),
            at=self.mark(root),
            name_en=self.text(get("name_en"), "name_en"),
            description_en=self.text(get("description_en"), "description_en"),
        )

    def effective(self, pair: tuple[ScalarNode, Node] | None) -> Effective:
        if pair is None:
            return Effective(None, None, Mark(1, 1))
        node = pair[1]
        fields = self.fields(node, "effective", "effective") or {}
        start = self.date(fields.get("from"), "effective from")
        end = self.date(fields.get("to"), "effective to")
        if start and end and end < start:
            self.add(self.mark(fields["to"][1]), "bad_value", f"effective to {end} is before from {start}")
        return Effective(start, end, self.mark(node))

    def subject(self, node: Node) -> Subject | None:
        fields = self.fields(node, "subject", "a subject")
        if fields is None:
            return None
        get = fields.get
        id_ = self.identifier(get("id"), "a subject id")
        kind = self.choice(get("kind"), f"subject '{id_}' kind", SUBJECT_KINDS)
        level = self.choice(get("level"), f"subject '{id_}' level", LEVELS)
        if kind in ("unit", "head") and "level" not in fields:
            self.add(self.mark(node), "missing_key", f"subject '{id_}' of kind {kind} needs a level")
        return Subject(
            id=id_,
            kind=kind,
            level=level,
            name=self.text(get("name"), "name"),
            positions=tuple(self.text(item, "a position") for item in self.sequence(get("positions"))),
            at=self.mark(node),
            name_en=self.text(get("name_en"), "name_en"),
        )

    def scope(self, node: Node) -> Scope | None:
        fields = self.fields(node, "scope", "a scope")
        if fields is None:
            return None
        id_ = self.identifier(fields.get("id"), "a scope id")
        return Scope(
            id=id_,
            level=self.choice(fields.get("level"), f"scope '{id_}' level", LEVELS),
            name=self.text(fields.get("name"), "name"),
            at=self.mark(node),
            name_en=self.text(fields.get("name_en"), "name_en"),
        )

    def periods(self, pair: tuple[ScalarNode, Node] | None) -> Periods:
        if pair is None:
            return Periods("", "", (), (), Mark(1, 1), Mark(1, 1), Mark(1, 1))
        node = pair[1]
        fields = self.fields(node, "periods", "periods") or {}
        return Periods(
            unit=self.choice(fields.get("unit"), "periods unit", PERIOD_UNITS),
            phase_by=self.choice(fields.get("phase_by"), "phase_by", PHASE_BY),
            spans=self.items(fields.get("spans"), self.span),
            phases=self.items(fields.get("phases"), self.phase),
            at=self.mark(node),
            phase_by_at=self.where(fields, "phase_by", node),
            phases_at=self.where(fields, "phases", node),
        )

    def span(self, node: Node) -> Span | None:
        fields = self.fields(node, "span", "a span")
        if fields is None:
            return None
        id_ = self.identifier(fields.get("id"), "a span id")
        return Span(
            id=id_,
            unit=self.choice(fields.get("unit"), f"span '{id_}' unit", PERIOD_UNITS[:-1]),
            which=self.choice(fields.get("which"), f"span '{id_}' which", SPAN_WHICH),
            name=self.text(fields.get("name"), "name"),
            at=self.mark(node),
            name_en=self.text(fields.get("name_en"), "name_en"),
        )

    def phase(self, node: Node) -> Phase | None:
        fields = self.fields(node, "phase", "a phase")
        if fields is None:
            return None
        id_ = self.text(fields.get("id"), "a phase id")
        start = self.date(fields.get("from"), f"phase '{id_}' from")
        end = self.date(fields.get("to"), f"phase '{id_}' to")
        if start and end and end < start:
            self.add(
                self.mark(fields["to"][1]),
                "bad_value",
                f"phase '{id_}' ends ({end}) before it starts ({start})",
            )
        return Phase(
            id=id_,
            name=self.text(fields.get("name"), "name"),
            start=start,
            end=end,
            values=self.literals(fields.get("values"), f"phase '{id_}' values"),
            seed=self.text(fields.get("seed"), "seed"),
            at=self.mark(node),
            name_en=self.text(fields.get("name_en"), "name_en"),
            start_at=self.where(fields, "from", node, value=True),
            end_at=self.where(fields, "to", node, value=True),
            values_at=self.where(fields, "values", node),
        )

    def input(self, node: Node) -> Input | None:
        fields = self.fields(node, "input", "an input")
        if fields is None:
            return None
        get = fields.get
        name = self.identifier(get("name"), "an input name")
        type_ = TYPES.get(self.choice(get("type"), f"input '{name}' type", tuple(TYPES)), Type.NUMBER)
        default = None
        if "default" in fields:
            default, default_type = self.literal(fields["default"][1], f"input '{name}' default")
            if default is not None and default_type is not type_:
                self.add(
                    self.mark(fields["default"][1]),
                    "type",
                    f"input '{name}' is {type_.value} but its default is {default_type.value}",
                )
        choices = tuple(self.text(item, "a choice") for item in self.sequence(get("choices")))
        if choices and type_ is not Type.TEXT:
            self.add(
                self.mark(fields["choices"][0]), "bad_value", f"input '{name}': only text inputs have choices"
            )
        return Input(
            name=name,
            type=type_,
            description=self.text(get("description"), "description"),
            source=self.text(get("source"), "source"),
            unit=self.text(get("unit"), "unit"),
            default=default,
            choices=choices,
            at=self.mark(node),
            description_en=self.text(get("description_en"), "description_en"),
        )

    def weight_group(self, node: Node) -> WeightGroup | None:
        fields = self.fields(node, "weights group", "a weights group")
        if fields is None:
            return None
        get = fields.get
        id_ = self.identifier(get("id"), "a weights group id")
        return WeightGroup(
            id=id_,
            name=self.text(get("name"), "name"),
            total=self.number(get("total"), f"weights '{id_}' total"),
            unit=self.text(get("unit"), "unit"),
            parts=self.items(get("parts"), self.weight_part),
            seed=self.text(get("seed"), "seed"),
            at=self.mark(node),
            total_at=self.where(fields, "total", node, value=True),
            parts_at=self.where(fields, "parts", node),
        )

    def weight_part(self, node: Node) -> WeightPart | None:
        fields = self.fields(node, "weights part", "a weights part")
        if fields is None:
            return None
        get = fields.get
        id_ = self.identifier(get("id"), "a weights part id")
        return WeightPart(
            id=id_,
            name=self.text(get("name"), "name"),
            weight=self.number(get("weight"), f"weight of '{id_}'"),
            parts=self.items(get("parts"), self.weight_part),
            seed=self.text(get("seed"), "seed"),
            at=self.mark(node),
            weight_at=self.where(fields, "weight", node, value=True),
            parts_at=self.where(fields, "parts", node),
        )

    def value(self, node: Node) -> Value | None:
        fields = self.fields(node, "value", "a value")
        if fields is None:
            return None
        name = self.identifier(fields.get("name"), "a value name")
        declared = self.choice(fields.get("type"), f"value '{name}' type", tuple(TYPES))
        return Value(
            name=name,
            formula=self.formula(fields.get("formula"), f"value '{name}'"),
            type=TYPES.get(declared),
            description=self.text(fields.get("description"), "description"),
            seed=self.text(fields.get("seed"), "seed"),
            at=self.mark(node),
            description_en=self.text(fields.get("description_en"), "description_en"),
        )

    def grade_scale(self, node: Node) -> GradeScale | None:
        fields = self.fields(node, "grade scale", "a grade scale")
        if fields is None:
            return None
        get = fields.get
        id_ = self.identifier(get("id"), "a grade scale id")
        lowest = self.bounds(get("min"), f"grades '{id_}' min", lower=True)
        highest = self.bounds(get("max"), f"grades '{id_}' max", lower=False)
        return GradeScale(
            id=id_,
            name=self.text(get("name"), "name"),
            score=self.formula(get("score"), f"grades '{id_}' score"),
            scale=self.choice(get("scale"), f"grades '{id_}' scale", SCALES) or "decimal",
            lowest=lowest,
            highest=highest,
            bands=self.items(get("bands"), lambda band: self.band(band, id_)),
            seed=self.text(get("seed"), "seed"),
            at=self.mark(node),
            bands_at=self.where(fields, "bands", node),
        )

    def bounds(self, pair: tuple[ScalarNode, Node] | None, what: str, *, lower: bool) -> Bound | None:
        """``min: {at_least: 0}`` / ``max: {at_most: 100}``: the score's own range."""
        if pair is None:
            return None
        fields = self.fields(pair[1], "bound", what) or {}
        keys = ("at_least", "more_than") if lower else ("at_most", "less_than")
        wrong = [key for key in fields if key not in keys]
        for key in wrong:
            self.add(self.mark(fields[key][0]), "bad_value", f"{what} takes {' or '.join(keys)}, not {key}")
        return self.bound(fields, keys, what, pair[1])

    def bound(self, fields: Fields, keys: tuple[str, str], what: str, node: Node) -> Bound | None:
        given = [key for key in keys if key in fields]
        if len(given) > 1:
            self.add(
                self.mark(fields[given[1]][0]), "bad_value", f"{what}: give {keys[0]} or {keys[1]}, not both"
            )
        if not given:
            return None
        key = given[0]
        number = self.number(fields.get(key), f"{what} {key}")
        if number is None:
            return None
        return Bound(number, key in ("at_least", "at_most"), self.mark(fields[key][0]))

    def band(self, node: Node, scale: str) -> Band | None:
        fields = self.fields(node, "band", f"a band of grades '{scale}'")
        if fields is None:
            return None
        label = self.text(fields.get("label"), "a band label")
        what = f"band '{label}'"
        lower = self.bound(fields, ("at_least", "more_than"), what, node)
        upper = self.bound(fields, ("at_most", "less_than"), what, node)
        if lower is None and upper is None:
            self.add(
                self.mark(node),
                "missing_key",
                f"{what} has no bounds; give at_least or more_than, and/or at_most or less_than",
            )
        return Band(label, lower, upper, self.text(fields.get("seed"), "seed"), self.mark(node))

    def table(self, node: Node) -> Table | None:
        fields = self.fields(node, "table", "a table")
        if fields is None:
            return None
        get = fields.get
        id_ = self.identifier(get("id"), "a table id")
        type_ = TYPES.get(
            self.choice(get("type"), f"table '{id_}' type", tuple(TYPES)) or "number", Type.NUMBER
        )
        return Table(
            id=id_,
            description=self.text(get("description"), "description"),
            by=self.text(get("by"), f"table '{id_}' by"),
            type=type_,
            rows=self.items(get("rows"), lambda row: self.case(row, id_)),
            otherwise=self.formula(get("otherwise"), f"table '{id_}' otherwise"),
            seed=self.text(get("seed"), "seed"),
            at=self.mark(node),
            description_en=self.text(get("description_en"), "description_en"),
            by_at=self.where(fields, "by", node, value=True),
            rows_at=self.where(fields, "rows", node),
        )

    def case(self, node: Node, table: str) -> Case | None:
        fields = self.fields(node, "case", f"a row of table '{table}'")
        if fields is None:
            return None
        label = self.text(fields.get("case"), "a case")
        silent = self.boolean(fields.get("silent"), "silent") or False
        value = self.formula(fields.get("value"), f"table '{table}' case '{label}'")
        if silent and "value" in fields:
            self.add(
                self.mark(fields["value"][0]),
                "bad_value",
                f"table '{table}' case '{label}' is silent and has a value: once the office decides, "
                "write the value and remove silent: true",
            )
        elif not silent and "value" not in fields:
            self.add(
                self.mark(node),
                "missing_key",
                f"table '{table}' case '{label}' needs a value, or silent: true where the seed says nothing",
            )
        return Case(
            case=label,
            value=value,
            silent=silent,
            seed=self.text(fields.get("seed"), "seed"),
            note=self.text(fields.get("note"), "note"),
            at=self.mark(node),
        )

    def rule(self, node: Node) -> Rule | None:
        fields = self.fields(node, "rule", "a rule")
        if fields is None:
            return None
        get = fields.get
        id_ = self.identifier(get("id"), "a rule id")
        what = f"rule '{id_}'"
        if "points" not in fields and "amount" not in fields and "also" not in fields:
            self.add(self.mark(node), "missing_key", f"{what} gives nothing: add points, amount or both")
        return Rule(
            id=id_,
            description=self.text(get("description"), "description"),
            seed=self.text(get("seed"), "seed"),
            subject=self.text(get("subject"), f"{what} subject"),
            when=self.formula(get("when"), f"{what} when"),
            points=self.formula(get("points"), f"{what} points"),
            amount=self.formula(get("amount"), f"{what} amount"),
            multipliers=self.items(get("multipliers"), lambda item: self.multiplier(item, what)),
            also=self.items(get("also"), lambda item: self.share(item, what)),
            note=self.text(get("note"), "note"),
            at=self.mark(node),
            description_en=self.text(get("description_en"), "description_en"),
            subject_at=self.where(fields, "subject", node, value=True),
        )

    def multiplier(self, node: Node, rule: str) -> Multiplier | None:
        fields = self.fields(node, "multiplier", f"a multiplier of {rule}")
        if fields is None:
            return None
        return Multiplier(
            when=self.formula(fields.get("when"), f"{rule} multiplier when"),
            factor=self.formula(fields.get("factor"), f"{rule} multiplier factor"),
            seed=self.text(fields.get("seed"), "seed"),
            at=self.mark(node),
        )

    def share(self, node: Node, rule: str) -> Share | None:
        fields = self.fields(node, "share", f"an 'also' entry of {rule}")
        if fields is None:
            return None
        subject = self.text(fields.get("subject"), f"{rule} also subject")
        if "points" not in fields and "amount" not in fields:
            self.add(
                self.mark(node), "missing_key", f"{rule} also '{subject}' gives nothing: add points or amount"
            )
        return Share(
            subject=subject,
            points=self.formula(fields.get("points"), f"{rule} also '{subject}' points"),
            amount=self.formula(fields.get("amount"), f"{rule} also '{subject}' amount"),
            seed=self.text(fields.get("seed"), "seed"),
            at=self.mark(node),
            subject_at=self.where(fields, "subject", node, value=True),
        )

    def ranking(self, node: Node) -> Ranking | None:
        fields = self.fields(node, "ranking", "a ranking")
        if fields is None:
            return None
        subject = self.text(fields.get("subject"), "ranking subject")
        order = self.text(fields.get("order"), "ranking order") or "desc"
        if order not in ORDERS:
            self.add(
                self.where(fields, "order", node, value=True),
                "bad_value",
                f"ranking '{subject}' order must be asc or desc, not '{order}'",
            )
        return Ranking(
            subject=subject,
            by=self.formula(fields.get("by"), f"ranking '{subject}' by"),
            order=order,
            name=self.text(fields.get("name"), "name"),
            at=self.mark(node),
            name_en=self.text(fields.get("name_en"), "name_en"),
            subject_at=self.where(fields, "subject", node, value=True),
        )

    def open_question(self, node: Node) -> OpenQuestion | None:
        fields = self.fields(node, "open question", "an open question")
        if fields is None:
            return None
        return OpenQuestion(
            about=self.text(fields.get("about"), "about"),
            seed=self.text(fields.get("seed"), "seed"),
            question=self.text(fields.get("question"), "question"),
            reading=self.text(fields.get("reading"), "reading"),
            at=self.mark(node),
        )

    # -- shapes ------------------------------------------------------------------------------------

    def fields(self, node: Node, kind: str, what: str) -> Fields | None:
        """The keys of a mapping with their nodes; unknown, repeated and missing keys are findings."""
        if not isinstance(node, MappingNode):
            self.add(
                self.mark(node),
                "bad_value",
                f"{what} must be a mapping (key: value lines), got {_kind(node)}",
            )
            return None
        allowed = KEYS[kind]
        for key_node, value_node in node.value:  # name the item in messages by its id when it has one
            if (
                isinstance(key_node, ScalarNode)
                and key_node.value in _LABELS
                and isinstance(value_node, ScalarNode)
            ):
                what = f"{kind} '{value_node.value}'"
                break
        fields: Fields = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.add(
                    self.mark(key_node), "bad_value", f"a key in {what} must be a word, got {_kind(key_node)}"
                )
                continue
            key = key_node.value
            if key not in allowed:
                self.add(
                    self.mark(key_node),
                    "unknown_key",
                    f"unknown key '{key}' in {what}{did_you_mean(key, allowed)}",
                )
                continue
            if key in fields:
                first = self.mark(fields[key][0])
                self.add(
                    self.mark(key_node),
                    "duplicate_key",
                    f"key '{key}' is given twice in {what} (first at line {first.line})",
                )
                continue
            fields[key] = (key_node, value_node)
        for key, required in allowed.items():
            if required and key not in fields:
                self.add(self.mark(node), "missing_key", f"{what} has no '{key}'")
        return fields

    def where(self, fields: Fields, key: str, node: Node, *, value: bool = False) -> Mark:
        """The position of a key (or of its value), or of the mapping when the key is missing."""
        if key not in fields:
            return self.mark(node)
        return self.mark(fields[key][1] if value else fields[key][0])

    def items(self, pair: tuple[ScalarNode, Node] | None, build: Callable[[Node], Any]) -> tuple[Any, ...]:
        built = (build(item) for item in self.sequence(pair))
        return tuple(item for item in built if item is not None)

    def sequence(self, pair: tuple[ScalarNode, Node] | Node | None) -> list[Node]:
        node = pair[1] if isinstance(pair, tuple) else pair
        if node is None or _is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.add(self.mark(node), "bad_value", f"expected a list ('- ' items), got {_kind(node)}")
            return []
        return list(node.value)

    def scalar(self, pair: tuple[ScalarNode, Node] | Node | None, what: str) -> ScalarNode | None:
        node = pair[1] if isinstance(pair, tuple) else pair
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.add(self.mark(node), "bad_value", f"{what} must be a single value, got {_kind(node)}")
            return None
        if _is_null(node):
            self.add(self.mark(node), "bad_value", f"{what} is empty")
            return None
        return node

    def text(self, pair: tuple[ScalarNode, Node] | Node | None, what: str) -> str:
        node = self.scalar(pair, what)
        return "" if node is None else str(node.value)

    def identifier(self, pair: tuple[ScalarNode, Node] | None, what: str) -> str:
        node = self.scalar(pair, what)
        if node is None:
            return ""
        if not _NAME.fullmatch(node.value):
            self.add(
                self.mark(node),
                "bad_name",
                f"{what} '{node.value}' is not a name: start with a letter, go on with letters, digits or _",
            )
        return str(node.value)

    def choice(self, pair: tuple[ScalarNode, Node] | None, what: str, options: tuple[str, ...]) -> str:
        node = self.scalar(pair, what)
        if node is None:
            return ""
        if node.value not in options:
            self.add(
                self.mark(node),
                "bad_value",
                f"{what} '{node.value}' is not one of {', '.join(options)}"
                f"{did_you_mean(node.value, options)}",
            )
            return ""
        return str(node.value)

    def number(self, pair: tuple[ScalarNode, Node] | None, what: str) -> Decimal | None:
        node = self.scalar(pair, what)
        if node is None:
            return None
        value = str(node.value)
        if node.style is None and _NUMBER.fullmatch(value):
            return Decimal(value)
        hint = ""
        if value.rstrip().endswith("%") and _NUMBER.fullmatch(value.rstrip()[:-1].strip()):
            hint = f"; write {value.rstrip()[:-1].strip()} without %, and put % in unit"
        elif node.style is not None and _NUMBER.fullmatch(value):
            hint = f"; write {value} without quotes"
        self.add(self.mark(node), "bad_value", f"{what} must be a number, got '{value}'{hint}")
        return None

    def integer(self, pair: tuple[ScalarNode, Node] | None, what: str) -> int | None:
        number = self.number(pair, what)
        if number is None:
            return None
        if number != number.to_integral_value():
            assert pair is not None  # a number was read from it
            self.add(self.mark(pair[1]), "bad_value", f"{what} must be a whole number, got {number}")
            return None
        return int(number)

    def boolean(self, pair: tuple[ScalarNode, Node] | None, what: str) -> bool | None:
        node = self.scalar(pair, what)
        if node is None:
            return None
        if node.style is None and node.value in ("true", "false"):
            return bool(node.value == "true")
        self.add(self.mark(node), "bad_value", f"{what} must be true or false, got '{node.value}'")
        return None

    def date(self, pair: tuple[ScalarNode, Node] | None, what: str) -> date | None:
        node = self.scalar(pair, what)
        if node is None:
            return None
        if _DATE.fullmatch(node.value):
            try:
                return date.fromisoformat(node.value)
            except ValueError:
                pass
        self.add(
            self.mark(node), "bad_value", f"{what} must be a date such as 2024-01-31, got '{node.value}'"
        )
        return None

    def literal(self, node: Node, what: str) -> tuple[Literal | None, Type]:
        scalar = self.scalar(node, what)
        if scalar is None:
            return None, Type.NUMBER
        value = str(scalar.value)
        if scalar.style is None and _NUMBER.fullmatch(value):
            return Decimal(value), Type.NUMBER
        if scalar.style is None and value in ("true", "false"):
            return value == "true", Type.BOOL
        if scalar.style is None and scalar.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            self.add(
                self.mark(scalar), "bad_value", f"{what} '{value}' is not a plain number such as 92 or 0.3"
            )
            return None, Type.NUMBER
        return value, Type.TEXT

    def literals(self, pair: tuple[ScalarNode, Node] | None, what: str) -> tuple[Constant, ...]:
        """``name: value`` lines (constants, a phase's values): numbers, true/false or texts."""
        if pair is None or _is_null(pair[1]):
            return ()
        node = pair[1]
        if not isinstance(node, MappingNode):
            self.add(self.mark(node), "bad_value", f"{what} must be name: value lines, got {_kind(node)}")
            return ()
        constants: list[Constant] = []
        seen: dict[str, Mark] = {}
        for key_node, value_node in node.value:
            name = self.identifier((key_node, key_node), f"a name in {what}")
            at = self.mark(key_node)
            if name in seen:
                self.add(
                    at,
                    "duplicate_key",
                    f"'{name}' is given twice in {what} (first at line {seen[name].line})",
                )
                continue
            seen[name] = at
            value, type_ = self.literal(value_node, f"{what} '{name}'")
            if value is not None:
                constants.append(Constant(name, value, type_, at))
        return tuple(constants)

    def formula(self, pair: tuple[ScalarNode, Node] | None, what: str) -> Formula | None:
        node = self.scalar(pair, what)
        if node is None:
            return None
        text = str(node.value)
        offsets = locate(self.source, node.start_mark.index, node.end_mark.index, node.style, text)
        marks = tuple(self.lines.mark(index) for index in offsets) if offsets is not None else ()
        formula = Formula(text, None, self.mark(node), marks)
        try:
            tree = parse(text)
        except FormulaError as error:
            self.formula_error(formula, error, what)
            return formula
        return Formula(text, tree, formula.at, marks)

    def formula_error(self, formula: Formula, error: FormulaError, what: str) -> None:
        self.add(formula.mark_at(error.line, error.column), error.code, formula_message(what, error))


def formula_message(what: str, error: FormulaError) -> str:
    """A formula error for a finding: the file position is the finding's, so it is left out here."""
    return f"{what}: {error.problem}" + (f"; {error.hint}" if error.hint else "")


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if _is_null(node):
        return "nothing"
    return f"'{node.value}'"
