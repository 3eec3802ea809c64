"""The policy checker: everything wrong with a policy file, each with its file, line and column.

``check_policy(path)`` reads the file (document.py checks its shape and parses the formulas) and then
checks what it means:

* names: every name a formula uses is declared before it (inputs, constants, phase values, weights,
  values, grades, tables, the outputs of rules above it for the same subject); no name is declared twice;
* types: ``when`` is a condition, ``points`` and ``amount`` are numbers, a table's rows give its type;
* weights add up to their stated total, and a split part's parts add up to the part;
* grade bands neither overlap nor leave gaps, on the scale the score is on (a decimal score of 84.5
  must fall in a band);
* cases tables give a value for every grade, and say ``silent: true`` where the seed says nothing
  (a warning: the policy must say);
* phases neither overlap nor leave days uncovered, and a period that spans two phases says which
  phase applies;
* rule ids are unique, subjects and scopes are declared;
* open questions the file records about its seed are warnings until the office decides.

``load_policy(path)`` gives the policy or raises PolicyError with the findings: a policy with an error
never runs. ``python -m youfu.policies.checker FILE …`` prints the findings (exit status 1 on errors).

Plain Python, no Django.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path

from youfu.formula import FUNCTIONS, Expr, FormulaError, Type, check
from youfu.formula.ast import Call, Compare, In, Name, Str, children
from youfu.formula.parser import KEYWORDS
from youfu.policies.document import (
    Band,
    Bound,
    Formula,
    GradeScale,
    Periods,
    Phase,
    Policy,
    Rule,
    Table,
    WeightPart,
    formula_message,
    read_policy,
)
from youfu.policies.findings import Finding, Severity, close_match, did_you_mean
from youfu.policies.scalars import Mark

_UNIT_ORDER = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_ORDER = "constants, phases, inputs, weights, values, grades, tables, rules"
_INFINITY = Decimal("Infinity")

# A bound in "key space": (value, 0) is just before value, (value, 1) just after it. A band is the
# half-open run [start, end) of keys, so inclusive and exclusive bounds compare exactly.
Key = tuple[Decimal, int]


class PolicyError(Exception):
    """A policy with errors: it must not run. ``findings`` holds every finding, warnings included."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = tuple(findings)
        errors = [finding for finding in self.findings if finding.severity is Severity.ERROR]
        super().__init__("\n".join(str(finding) for finding in errors))


def check_policy(path: str | Path, *, text: str | None = None, name: str | None = None) -> list[Finding]:
    """Every finding for the policy file at ``path`` (or ``text``), sorted by line and column."""
    policy, findings = read_policy(path, text=text, name=name)
    if policy is not None:
        findings.extend(_Checker(policy).run())
    return sorted(set(findings))


def load_policy(path: str | Path, *, text: str | None = None, name: str | None = None) -> Policy:
    """The policy, checked; PolicyError if the checker finds any error (warnings do not stop it)."""
    policy, findings = read_policy(path, text=text, name=name)
    if policy is not None:
        findings.extend(_Checker(policy).run())
    if policy is None or any(finding.severity is Severity.ERROR for finding in findings):
        raise PolicyError(sorted(set(findings)))
    return policy


@dataclass
class _Declared:
    kind: str  # "the input", "the value" …
    at: Mark
    type: Type
    subject: str = ""  # rule outputs: the subject they go to
    rule_index: int = -1


@dataclass
class _Env:
    names: dict[str, Type] = field(default_factory=dict)
    period_names: dict[str, Type] = field(default_factory=dict)
    subject: str | None = None  # in a rule: its subject (it sees the outputs of rules above for it)
    broken: set[str] = field(default_factory=set)  # values whose formula failed: not reported again


class _Checker:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.findings: list[Finding] = []
        self.declared: dict[str, _Declared] = {}
        self.domains: dict[str, tuple[str, tuple[str, ...]]] = {}  # text name → (what, its values)
        self.scopes = tuple(scope.id for scope in policy.scopes)
        self.spans = tuple(span.id for span in policy.periods.spans)

    def add(self, at: Mark, code: str, message: str, severity: Severity = Severity.ERROR) -> None:
        self.findings.append(Finding(self.policy.file, at.line, at.column, severity, code, message))

    def run(self) -> list[Finding]:
        self.ids()
        self.declare()
        self.formulas()
        self.weights()
        for grades in self.policy.grades:
            self.bands(grades)
        for table in self.policy.tables:
            self.cases(table)
        self.phases()
        self.spans_fit()
        for question in self.policy.open_questions:
            about = f" ({question.about})" if question.about else ""
            text = question.question.strip()
            joint = " " if text.endswith(("?", ".", "？", "。")) else "; "
            reading = (
                f"{joint}meanwhile this file reads it as: {question.reading}" if question.reading else ""
            )
            self.add(
                question.at,
                "open_question",
                f"open question{about}: {text}{reading}; the office must decide",
                Severity.WARNING,
            )
        return self.findings

    # -- ids and names -----------------------------------------------------------------------------

    def ids(self) -> None:
        policy = self.policy
        lists: list[tuple[str, list[tuple[str, Mark]]]] = [
            ("subject", [(item.id, item.at) for item in policy.subjects]),
            ("scope", [(item.id, item.at) for item in policy.scopes]),
            ("span", [(item.id, item.at) for item in policy.periods.spans]),
            ("phase", [(item.id, item.at) for item in policy.periods.phases]),
            ("rule", [(item.id, item.at) for item in policy.rules]),
        ]
        for kind, items in lists:
            seen: dict[str, Mark] = {}
            for id_, at in items:
                if not id_:
                    continue
                if id_ in seen:
                    self.add(
                        at,
                        "duplicate_id",
                        f"{kind} id '{id_}' is used twice (first at line {seen[id_].line})",
                    )
                else:
                    seen[id_] = at
        subjects = {subject.id for subject in policy.subjects}
        for rule in policy.rules:
            targets = [(rule.subject, rule.subject_at)] + [
                (share.subject, share.subject_at) for share in rule.also
            ]
            for subject, at in targets:
                if subject and subject not in subjects:
                    self.add(
                        at,
                        "unknown_reference",
                        f"rule '{rule.id}': unknown subject '{subject}'{did_you_mean(subject, subjects)}",
                    )
        ranked: dict[str, Mark] = {}
        for ranking in policy.rankings:
            if ranking.subject and ranking.subject not in subjects:
                self.add(
                    ranking.subject_at,
                    "unknown_reference",
                    f"ranking: unknown subject '{ranking.subject}'{did_you_mean(ranking.subject, subjects)}",
                )
            elif ranking.subject in ranked:
                self.add(
                    ranking.subject_at,
                    "duplicate_id",
                    f"ranking: subject '{ranking.subject}' is ranked twice "
                    f"(first at line {ranked[ranking.subject].line})",
                )
            else:
                ranked[ranking.subject] = ranking.subject_at

    def name(self, name: str, declared: _Declared) -> bool:
        """Declare a name formulas can use; False (and a finding) if it is taken or not allowed."""
        if not name:
            return False
        if name in KEYWORDS or name in FUNCTIONS:
            what = "a keyword" if name in KEYWORDS else "a function"
            self.add(
                declared.at, "bad_name", f"'{name}' is {what} of the formula language; choose another name"
            )
            return False
        if name in self.declared:
            first = self.declared[name]
            where = "built in" if first.at.line == 0 else f"{first.kind} at line {first.at.line}"
            self.add(
                declared.at,
                "duplicate_name",
                f"the name '{name}' is already used ({where}); every name in a policy must be different",
            )
            return False
        self.declared[name] = declared
        return True

    def declare(self) -> None:
        """Every name any formula may use, with where it is declared (for duplicates and hints)."""
        policy = self.policy
        phases = policy.periods.phases
        self.declared["period_number"] = _Declared("built in", Mark(0, 0), Type.NUMBER)
        if phases:
            self.declared["phase"] = _Declared("built in", Mark(0, 0), Type.TEXT)
            self.domains["phase"] = ("phase", tuple(phase.id for phase in phases))
        for constant in policy.constants:
            self.name(constant.name, _Declared("the constant", constant.at, constant.type))
        if phases:
            first = phases[0]
            for phase_value in first.values:
                declared = _Declared(f"a value of phase '{first.id}'", phase_value.at, phase_value.type)
                self.name(phase_value.name, declared)
            self.phase_values(phases)
        for input_ in policy.inputs:
            if self.name(input_.name, _Declared("the input", input_.at, input_.type)) and input_.choices:
                self.domains[input_.name] = (f"input '{input_.name}'", input_.choices)
        for group in policy.weights:
            self.name(group.id, _Declared("the weights group", group.at, Type.NUMBER))
            for part in _all_parts(group.parts):
                self.name(part.id, _Declared("the weight", part.at, Type.NUMBER))
        for value in policy.values:
            self.name(value.name, _Declared("the value", value.at, value.type or Type.NUMBER))
        for grades in policy.grades:
            if self.name(grades.id, _Declared("the grade scale", grades.at, Type.TEXT)):
                self.domains[grades.id] = (
                    f"grades '{grades.id}'",
                    tuple(band.label for band in grades.bands),
                )
        for table in policy.tables:
            self.name(table.id, _Declared("the table", table.at, table.type))
        rule_ids: set[str] = set()
        for index, rule in enumerate(policy.rules):
            if rule.id in rule_ids:
                continue  # reported as a duplicate id
            rule_ids.add(rule.id)
            for output, formula in (("points", rule.points), ("amount", rule.amount)):
                if formula is not None and rule.id:
                    declared = _Declared(f"the {output} of rule '{rule.id}'", rule.at, Type.NUMBER)
                    declared.subject, declared.rule_index = rule.subject, index
                    self.name(f"{rule.id}_{output}", declared)

    def phase_values(self, phases: Sequence[Phase]) -> None:
        """Every phase gives the same values (its target …), of the same types."""
        first = phases[0]
        wanted = {value.name: value.type for value in first.values}
        for phase in phases[1:]:
            given = {value.name: value for value in phase.values}
            for name, type_ in wanted.items():
                if name not in given:
                    self.add(
                        phase.values_at,
                        "phase_values",
                        f"phase '{phase.id}' has no value '{name}' (phase '{first.id}' has one)",
                    )
                elif given[name].type is not type_:
                    self.add(
                        given[name].at,
                        "type",
                        f"phase '{phase.id}' value '{name}' is {given[name].type.value}, "
                        f"in phase '{first.id}' it is {type_.value}",
                    )
            for name, value in given.items():
                if name not in wanted:
                    self.add(
                        value.at,
                        "phase_values",
                        f"phase '{phase.id}' has a value '{name}' that phase '{first.id}' does not have",
                    )

    # -- formulas ----------------------------------------------------------------------------------

    def formulas(self) -> None:
        """Check every formula in evaluation order: each sees only what is declared before it."""
        policy = self.policy
        env = _Env()
        builtins = {"period_number": Type.NUMBER, **({"phase": Type.TEXT} if policy.periods.phases else {})}
        phase_values = policy.periods.phases[0].values if policy.periods.phases else ()
        # A name declared twice was reported; formulas see its first declaration only.
        for name, type_ in [
            *builtins.items(),
            *((constant.name, constant.type) for constant in policy.constants),
            *((value.name, value.type) for value in phase_values),
            *((input_.name, input_.type) for input_ in policy.inputs),
            *((group.id, Type.NUMBER) for group in policy.weights),
            *((part.id, Type.NUMBER) for group in policy.weights for part in _all_parts(group.parts)),
        ]:
            if name and name not in env.names:
                env.names[name] = env.period_names[name] = type_
        for value in policy.values:
            what = f"value '{value.name}'"
            got = self.formula(value.formula, what, env, value.type)
            if not self.owns(value.name, value.at):
                continue
            if got is None:
                env.broken.add(value.name)
            else:
                env.names[value.name] = got
                tree = value.formula.tree if value.formula is not None else None
                if tree is not None and _per_period(tree, env.period_names):
                    env.period_names[value.name] = got
        for grades in policy.grades:
            self.formula(grades.score, f"grades '{grades.id}' score", env, Type.NUMBER)
            if self.owns(grades.id, grades.at):
                env.names[grades.id] = Type.TEXT
        for table in policy.tables:
            for row in table.rows:
                self.formula(row.value, f"table '{table.id}' case '{row.case}'", env, table.type)
            self.formula(table.otherwise, f"table '{table.id}' otherwise", env, table.type)
            if self.owns(table.id, table.at):
                env.names[table.id] = table.type
        outputs: dict[str, dict[str, Type]] = {}  # subject → rule outputs so far
        for rule in policy.rules:
            own = _Env(
                {**env.names, **outputs.get(rule.subject, {})}, env.period_names, rule.subject, env.broken
            )
            self.rule(rule, own)
            mine = outputs.setdefault(rule.subject, {})
            for output, formula in (("points", rule.points), ("amount", rule.amount)):
                if formula is not None and self.owns(f"{rule.id}_{output}", rule.at):
                    mine[f"{rule.id}_{output}"] = Type.NUMBER
        totals = {"total_points": Type.NUMBER, "total_amount": Type.NUMBER}
        for ranking in policy.rankings:
            names = {**env.names, **outputs.get(ranking.subject, {}), **totals}
            own = _Env(names, env.period_names, ranking.subject, env.broken)
            self.formula(ranking.by, f"ranking '{ranking.subject}' by", own, Type.NUMBER)

    def owns(self, name: str, at: Mark) -> bool:
        """Whether the item at ``at`` is the one that declared ``name`` (not a duplicate)."""
        declared = self.declared.get(name)
        return bool(name) and declared is not None and declared.at == at

    def rule(self, rule: Rule, env: _Env) -> None:
        what = f"rule '{rule.id}'"
        self.formula(rule.when, f"{what} when", env, Type.BOOL)
        self.formula(rule.points, f"{what} points", env, Type.NUMBER)
        self.formula(rule.amount, f"{what} amount", env, Type.NUMBER)
        for multiplier in rule.multipliers:
            self.formula(multiplier.when, f"{what} multiplier when", env, Type.BOOL)
            self.formula(multiplier.factor, f"{what} multiplier factor", env, Type.NUMBER)
        for share in rule.also:
            self.formula(share.points, f"{what} also '{share.subject}' points", env, Type.NUMBER)
            self.formula(share.amount, f"{what} also '{share.subject}' amount", env, Type.NUMBER)

    def formula(self, formula: Formula | None, what: str, env: _Env, wanted: Type | None) -> Type | None:
        """The formula's type, or None after a finding (unparsed formulas were reported when read)."""
        if formula is None or formula.tree is None:
            return None
        tree = formula.tree
        if not self.names_in_order(tree, formula, what, env) or not self.texts(tree, formula, what):
            return None
        try:
            got = check(
                tree, env.names, scopes=self.scopes, periods=self.spans, period_names=env.period_names
            )
        except FormulaError as error:
            self.add(formula.mark_at(error.line, error.column), error.code, formula_message(what, error))
            return None
        if wanted is not None and got is not wanted:
            hint = {
                (Type.BOOL, Type.NUMBER): "; compare it, e.g. score < target",
                (Type.NUMBER, Type.BOOL): "; turn it into a number, e.g. if passed then 100 else 0",
                (Type.NUMBER, Type.TEXT): "; write numbers without quotes",
            }.get((wanted, got), "")
            self.add(formula.mark_at(1, 1), "type", f"{what} must give {_a(wanted)}, got {_a(got)}{hint}")
            return None
        return got

    def names_in_order(self, tree: Expr, formula: Formula, what: str, env: _Env) -> bool:
        """Names declared in the policy but not usable here get a precise message (check() guesses)."""
        for node, in_period in _names(tree):
            if node.id in env.broken:
                return False  # its own formula is wrong, and was reported
            known = env.period_names if in_period else env.names
            if node.id in known or node.id not in self.declared:
                continue
            declared = self.declared[node.id]
            if in_period and node.id in env.names:
                problem = (
                    f"'{node.id}' cannot be used inside sum/mean/count(..., over=...): only inputs, "
                    "constants, phase values, weights and values made of them have a value in each period"
                )
            elif declared.rule_index >= 0 and declared.subject == env.subject:
                problem = (
                    f"'{node.id}' is {declared.kind}, which is not above this one: a rule can use only "
                    "the outputs of rules above it"
                )
            elif declared.rule_index >= 0 and env.subject is not None:
                problem = (
                    f"'{node.id}' is {declared.kind}, which goes to '{declared.subject}': "
                    "a rule can use only the outputs of rules above it with the same subject"
                )
            else:
                problem = (
                    f"'{node.id}' is {declared.kind} (line {declared.at.line}), which cannot be used here: "
                    f"each part of a policy sees only the parts before it ({_ORDER}) and the values above it"
                )
            self.add(formula.mark_at(node.line, node.column), "unknown_name", f"{what}: {problem}")
            return False
        return True

    def texts(self, tree: Expr, formula: Formula, what: str) -> bool:
        """``phase = "phase1"``, ``grade = "良"``: the text must be one the name can have."""
        for node in _walk(tree):
            pairs: list[tuple[Expr, Expr]] = []
            if isinstance(node, Compare) and node.op in ("=", "!="):
                pairs = [(node.left, node.right), (node.right, node.left)]
            elif isinstance(node, In):
                pairs = [(node.value, option) for option in node.options]
            for name, text in pairs:
                if isinstance(name, Name) and isinstance(text, Str) and name.id in self.domains:
                    kind, values = self.domains[name.id]
                    if text.value not in values:
                        self.add(
                            formula.mark_at(text.line, text.column),
                            "unknown_text",
                            f"{what}: {kind} has no '{text.value}' (it is one of {', '.join(values)})"
                            f"{close_match(text.value, values)}",
                        )
                        return False
        return True

    # -- weights -----------------------------------------------------------------------------------

    def weights(self) -> None:
        for group in self.policy.weights:
            if group.total is None:
                continue
            expected = f"the group's total at line {group.total_at.line}"
            self.parts(group.parts, group.total, expected, group.parts_at, f"weights '{group.id}'")

    def parts(self, parts: Sequence[WeightPart], total: Decimal, expected: str, at: Mark, where: str) -> None:
        for part in parts:
            if part.weight is not None and part.weight < 0:
                self.add(
                    part.weight_at, "bad_value", f"{where}: weight of '{part.id}' is negative ({part.weight})"
                )
        if parts and all(part.weight is not None for part in parts):
            weights = [part.weight for part in parts if part.weight is not None]
            got = sum(weights, Decimal(0))
            if got != total:
                listed = " + ".join(f"{part.id} {part.weight}" for part in parts)
                self.add(
                    at,
                    "weights_sum",
                    f"{where}: the parts {listed} add up to {got}, not {total} ({expected})",
                )
        for part in parts:
            if part.parts and part.weight is not None:
                label = f"{where} › '{part.id}'" + (f" ({part.name})" if part.name else "")
                self.parts(
                    part.parts,
                    part.weight,
                    f"the weight of '{part.id}' at line {part.weight_at.line}",
                    part.parts_at,
                    label,
                )

    # -- grade bands -------------------------------------------------------------------------------

    def bands(self, grades: GradeScale) -> None:
        where = f"grades '{grades.id}'"
        integer = grades.scale == "integer"
        seen: dict[str, Mark] = {}
        runs: list[tuple[Key, Key, Band]] = []
        for band in grades.bands:
            if band.label in seen:
                self.add(
                    band.at,
                    "duplicate_id",
                    f"{where}: band '{band.label}' is given twice (first at line {seen[band.label].line})",
                )
                continue
            seen[band.label] = band.at
            start, end = _start(band.lower, integer), _end(band.upper, integer)
            if start >= end:
                self.add(band.at, "empty_band", f"{where}: band {_band(band)} contains no score")
                continue
            runs.append((start, end, band))
        if not runs:
            return
        runs.sort(key=lambda run: (run[0], run[1]))
        lowest = _start(grades.lowest, integer)
        highest = _end(grades.highest, integer)
        reach, below = lowest, None
        for start, end, band in runs:
            if start > reach and reach < highest:
                gap_end = min(start, highest)
                region, example = _region(reach, gap_end, integer)
                if below is None:
                    at = band.lower.at if band.lower else band.at
                    self.add(
                        at,
                        "grade_gap",
                        f"{where}: {region} gets no grade: it is below every band "
                        f"(the lowest is {_band(band)}); "
                        "add a band for it, or give the score's min if it cannot be that low",
                    )
                else:
                    at = below.upper.at if below.upper else band.at
                    self.add(
                        at,
                        "grade_gap",
                        f"{where}: {region}{example} gets no grade: it falls between {_band(below)} and "
                        f"{_band(band)}{_fix(below, band, integer)}",
                    )
            elif start < reach and below is not None:
                region, example = _region(start, min(reach, end), integer)
                at = band.lower.at if band.lower else band.at
                self.add(
                    at,
                    "grade_overlap",
                    f"{where}: {_band(below)} and {_band(band)} overlap: {region}{example} falls in both",
                )
            if end > reach:
                reach, below = end, band
        if reach < highest and below is not None:
            region, _ = _region(reach, highest, integer)
            at = below.upper.at if below.upper else below.at
            self.add(
                at,
                "grade_gap",
                f"{where}: {region} gets no grade: it is above every band (the highest is {_band(below)}); "
                "add a band for it, or give the score's max if it cannot be that high",
            )

    # -- cases tables ------------------------------------------------------------------------------

    def cases(self, table: Table) -> None:
        where = f"table '{table.id}'"
        grades = {scale.id: scale for scale in self.policy.grades}
        inputs = {input_.name: input_ for input_ in self.policy.inputs}
        if table.by in grades:
            kind, labels = f"grade '{table.by}'", tuple(band.label for band in grades[table.by].bands)
        elif table.by in inputs and inputs[table.by].choices:
            kind, labels = f"input '{table.by}'", inputs[table.by].choices
        elif table.by in inputs:
            self.add(
                table.by_at,
                "unknown_reference",
                f"{where} is chosen by input '{table.by}', which has no choices: list its choices so the "
                "checker can see that every case is covered",
            )
            return
        else:
            if table.by:
                self.add(
                    table.by_at,
                    "unknown_reference",
                    f"{where}: 'by' must name a grade scale or a text input with choices, got '{table.by}'"
                    f"{did_you_mean(table.by, [*grades, *inputs])}",
                )
            return
        seen: dict[str, Mark] = {}
        for row in table.rows:
            if row.case in seen:
                self.add(
                    row.at,
                    "duplicate_case",
                    f"{where}: case '{row.case}' is given twice (first at line {seen[row.case].line})",
                )
                continue
            seen[row.case] = row.at
            if row.case not in labels:
                self.add(
                    row.at,
                    "unknown_case",
                    f"{where}: '{row.case}' is not a case of {kind} (it has {', '.join(labels)})"
                    f"{close_match(row.case, labels)}",
                )
            elif row.silent:
                self.add(
                    row.at,
                    "silent_case",
                    f"{where}: the seed is silent on '{row.case}'; the policy must say: write its value "
                    "and remove silent: true once the office decides",
                    Severity.WARNING,
                )
        if table.otherwise is None:
            for label in labels:
                if label not in seen:
                    self.add(
                        table.rows_at,
                        "missing_case",
                        f"{where} gives nothing for '{label}' of {kind}: "
                        f"add a row 'case: {label}' with its value, "
                        "or with 'silent: true' and the seed's words if the seed says nothing",
                    )

    # -- phases ------------------------------------------------------------------------------------

    def phases(self) -> None:
        periods = self.policy.periods
        effective = self.policy.effective
        dated = sorted(
            (phase for phase in periods.phases if phase.start and phase.end and phase.start <= phase.end),
            key=lambda phase: (phase.start, phase.end),
        )
        if not dated:
            return
        for phase in dated:
            assert phase.start and phase.end
            if (effective.start and phase.start < effective.start) or (
                effective.end and phase.end > effective.end
            ):
                self.add(
                    phase.start_at,
                    "phase_outside",
                    f"phase '{phase.id}' ({_days(phase)}) is not within the policy's effective dates "
                    f"({effective.start} to {effective.end or 'open'})",
                )
        first = dated[0]
        assert first.start
        if effective.start and first.start > effective.start:
            self.add(
                first.start_at,
                "phase_gap",
                f"no phase covers {_span(effective.start, first.start - timedelta(days=1))}: "
                "the policy is effective "
                f"from {effective.start} but the first phase, '{first.id}', starts {first.start}",
            )
        reach = dated[0]
        for phase in dated[1:]:
            assert phase.start and phase.end and reach.end
            if phase.start <= reach.end:
                self.add(
                    phase.start_at,
                    "phase_overlap",
                    f"phases '{reach.id}' ({_days(reach)}) and '{phase.id}' ({_days(phase)}) overlap on "
                    f"{_span(phase.start, min(reach.end, phase.end))}",
                )
            elif phase.start > reach.end + timedelta(days=1):
                self.add(
                    phase.start_at,
                    "phase_gap",
                    f"no phase covers {_span(reach.end + timedelta(days=1), phase.start - timedelta(days=1))}"
                    ": "
                    f"phase '{reach.id}' ends {reach.end} and phase '{phase.id}' starts {phase.start}",
                )
            if phase.end > reach.end:
                reach = phase
        assert reach.end
        if effective.start and not effective.end:
            self.add(
                reach.end_at,
                "phase_gap",
                f"no phase covers the days after {reach.end}: the last phase, '{reach.id}', ends then "
                "but the policy has no end date; give effective to",
            )
        elif effective.end and reach.end < effective.end:
            self.add(
                reach.end_at,
                "phase_gap",
                f"no phase covers {_span(reach.end + timedelta(days=1), effective.end)}: the last phase, "
                f"'{reach.id}', ends {reach.end} but the policy is effective to {effective.end}",
            )
        self.phase_by(periods, dated)

    def phase_by(self, periods: Periods, dated: Sequence[Phase]) -> None:
        """A period that falls in two phases must say whose values (target …) apply: phase_by."""
        effective = self.policy.effective
        if periods.phase_by or not effective.start or not effective.end or not periods.unit:
            return
        for start, end in _calendar(periods.unit, effective.start, effective.end):
            touched = [
                phase.id
                for phase in dated
                if phase.start and phase.end and phase.start <= end and phase.end >= start
            ]
            if len(touched) > 1:
                names = ", ".join(f"'{id_}'" for id_ in touched[:-1]) + f" and '{touched[-1]}'"
                self.add(
                    periods.phases_at,
                    "phase_by",
                    f"the {periods.unit} {_span(start, end)} falls in phases {names}: say whose values apply "
                    "with periods phase_by: start, end or most_days",
                )

    def spans_fit(self) -> None:
        unit = self.policy.periods.unit
        for span in self.policy.periods.spans:
            if span.which != "this_period" or not span.unit or unit in ("", "custom"):
                continue
            if _UNIT_ORDER[span.unit] >= _UNIT_ORDER[unit]:
                self.add(
                    span.at,
                    "bad_value",
                    f"span '{span.id}': the {span.unit}s of this period need a unit shorter than "
                    "the policy's "
                    f"period ({unit})",
                )


# -- helpers -----------------------------------------------------------------------------------------


def _all_parts(parts: Sequence[WeightPart]) -> Iterator[WeightPart]:
    for part in parts:
        yield part
        yield from _all_parts(part.parts)


def _walk(tree: Expr) -> Iterator[Expr]:
    yield tree
    for child in children(tree):
        yield from _walk(child)


def _names(tree: Expr, in_period: bool = False) -> Iterator[tuple[Name, bool]]:
    """The names a formula reads (not the words after within=/over=), and whether inside over=."""
    if isinstance(tree, Name):
        yield tree, in_period
    elif isinstance(tree, Call):
        inner = in_period or any(keyword.name == "over" for keyword in tree.keywords)
        for arg in tree.args:
            yield from _names(arg, inner)
    else:
        for child in children(tree):
            yield from _names(child, in_period)


def _per_period(tree: Expr, period_names: dict[str, Type]) -> bool:
    """A value made only of per-period names, with no over= of its own, has a value in each period."""
    if any(isinstance(node, Call) and any(k.name == "over" for k in node.keywords) for node in _walk(tree)):
        return False
    return all(node.id in period_names for node, _ in _names(tree))


def _a(type_: Type) -> str:
    return {Type.NUMBER: "a number", Type.BOOL: "a condition (true/false)", Type.TEXT: "a text"}[type_]


def _start(bound: Bound | None, integer: bool) -> Key:
    if bound is None:
        return (-_INFINITY, 0)
    if integer:  # the first whole number in the band
        value = bound.value
        first = (
            value.to_integral_value(ROUND_CEILING)
            if bound.inclusive
            else value.to_integral_value(ROUND_FLOOR) + 1
        )
        return (first, 0)
    return (bound.value, 0 if bound.inclusive else 1)


def _end(bound: Bound | None, integer: bool) -> Key:
    if bound is None:
        return (_INFINITY, 0)
    if integer:  # just after the last whole number in the band
        value = bound.value
        last = (
            value.to_integral_value(ROUND_FLOOR)
            if bound.inclusive
            else value.to_integral_value(ROUND_CEILING) - 1
        )
        return (last + 1, 0)
    return (bound.value, 1 if bound.inclusive else 0)


def _region(start: Key, end: Key, integer: bool) -> tuple[str, str]:
    """Words for the scores from key ``start`` up to key ``end``, and an example: ' (e.g. 84.5)'."""
    low, low_side = start
    high, high_side = end
    if integer:
        last = high - 1
        if low.is_infinite():
            return f"a score of {last} or less", ""
        if high.is_infinite():
            return f"a score of {low} or more", ""
        return (f"a score of {low}", "") if low == last else (f"a score from {low} to {last}", "")
    if low == high:
        return f"a score of {low}", ""
    words = []
    if not low.is_infinite():
        words.append(f"at least {low}" if low_side == 0 else f"above {low}")
    if not high.is_infinite():
        words.append(f"at most {high}" if high_side == 1 else f"below {high}")
    example = ""
    if not low.is_infinite() and not high.is_infinite() and low != high:
        example = f" (e.g. {_plain((low + high) / 2)})"
    return "a score " + " and ".join(words), example


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _band(band: Band) -> str:
    lower, upper = band.lower, band.upper
    if lower and upper and lower.inclusive and upper.inclusive:
        bounds = f"{lower.value} to {upper.value}"
    else:
        words = []
        if lower:
            words.append(f"{lower.value} or more" if lower.inclusive else f"above {lower.value}")
        if upper:
            words.append(f"{upper.value} or less" if upper.inclusive else f"below {upper.value}")
        bounds = ", ".join(words)
    return f"{band.label} ({bounds})"


def _fix(below: Band | None, above: Band, integer: bool) -> str:
    if (
        below is not None
        and not integer
        and below.upper
        and above.lower
        and below.upper.inclusive
        and above.lower.inclusive
    ):
        return (
            f"; on a decimal scale write {below.label} as less_than: {above.lower.value} instead of "
            f"at_most: {below.upper.value}, or say scale: integer if the score is always a whole number"
        )
    return "; make each band start where the one below it ends"


def _days(phase: Phase) -> str:
    return f"{phase.start} to {phase.end}"


def _span(start: date, end: date) -> str:
    count = (end - start).days + 1
    return f"{start} to {end} ({count} day{'s' if count != 1 else ''})"


def _calendar(unit: str, start: date, end: date) -> Iterator[tuple[date, date]]:
    """The calendar periods of ``unit`` that meet [start, end], clipped to it; custom: the whole range."""
    if unit == "custom":
        yield start, end
        return
    months = _UNIT_ORDER[unit]
    year, month = start.year, ((start.month - 1) // months) * months + 1
    while True:
        first = date(year, month, 1)
        if first > end:
            return
        next_month = month + months
        next_first = date(year + (next_month - 1) // 12, (next_month - 1) % 12 + 1, 1)
        yield max(first, start), min(next_first - timedelta(days=1), end)
        year, month = next_first.year, next_first.month


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m youfu.policies.checker FILE …``: print the findings; 1 if any is an error."""
    files = list(sys.argv[1:] if argv is None else argv)
    if not files:
        print("usage: python -m youfu.policies.checker FILE [FILE ...]", file=sys.stderr)
        return 2
    findings = [finding for path in files for finding in check_policy(path)]
    for finding in findings:
        print(finding)
    errors = sum(finding.severity is Severity.ERROR for finding in findings)
    warnings = len(findings) - errors
    print(summary(len(files), errors, warnings), file=sys.stderr)
    return 1 if errors else 0


def summary(files: int, errors: int, warnings: int) -> str:
    def plural(count: int, word: str) -> str:
        return f"{count} {word}{'s' if count != 1 else ''}"

    return f"{plural(files, 'file')} checked: {plural(errors, 'error')}, {plural(warnings, 'warning')}"


if __name__ == "__main__":
    sys.exit(main())
