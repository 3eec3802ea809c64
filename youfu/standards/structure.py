"""A standard's content as plain data: what a data file (YAML), an Excel sheet and a stored version all
turn into, so that loading, importing, exporting, copying and comparing share one shape and one set of
checks. ``fingerprint`` tells whether two contents are the same version (re-imports change nothing)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from youfu.core.errors import ApplicationError, ErrorDetail
from youfu.core.money import to_decimal
from youfu.standards import scoring
from youfu.standards.choices import Aspect, ItemKind, RedLine, ScoreRule, StandardKind


@dataclass(frozen=True)
class ItemData:
    code: str
    section: str
    text: str
    kind: str = ItemKind.DEDUCTION
    points: Decimal = Decimal(0)
    max_occurrences: int | None = None
    n: int | None = None
    na_allowed: bool = False
    aspect: str = ""
    key_item: bool = False
    red_line: str = RedLine.NONE
    red_line_cap: Decimal | None = None
    note: str = ""
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SectionData:
    code: str
    name: str
    points: Decimal
    parent: str | None = None
    note: str = ""
    row: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class StandardData:
    code: str
    name: str
    kind: str
    rule: str = ScoreRule.DEDUCTIONS
    max_score: Decimal = Decimal(100)
    description: str = ""
    levels: tuple[tuple[Decimal, str], ...] = ()
    warnings: tuple[str, ...] = ()
    sections: tuple[SectionData, ...] = ()
    items: tuple[ItemData, ...] = ()


def to_spec(data: StandardData) -> scoring.StandardSpec:
    return scoring.StandardSpec(
        rule=data.rule,
        max_score=data.max_score,
        sections=tuple(scoring.SectionSpec(s.code, s.name, s.points, s.parent) for s in data.sections),
        items=tuple(
            scoring.ItemSpec(
                code=i.code,
                section=i.section,
                kind=i.kind,
                points=i.points,
                max_occurrences=i.max_occurrences,
                n=i.n,
                na_allowed=i.na_allowed,
                red_line=i.red_line,
                red_line_cap=i.red_line_cap,
                text=i.text,
            )
            for i in data.items
        ),
        bands=tuple(scoring.Band(minimum, label) for minimum, label in data.levels),
    )


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items() if k != "row"}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def fingerprint(data: StandardData) -> str:
    """A hash of what makes a version: rule, marks, levels, warnings, sections and items, in order."""
    content = {
        "rule": data.rule,
        "max_score": data.max_score,
        "levels": data.levels,
        "warnings": data.warnings,
        "sections": [asdict(s) for s in data.sections],
        "items": [asdict(i) for i in data.items],
    }
    text = json.dumps(_canonical(content), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


# --- Checks ---------------------------------------------------------------------------------------


def validate(data: StandardData) -> list[ErrorDetail]:
    """Every problem of the content, each at its row (sheets) and field; empty when it is usable."""
    errors: list[ErrorDetail] = []

    def add(message: str, *, field_name: str | None = None, row: int | None = None) -> None:
        errors.append(ErrorDetail(code="invalid", message=message, field=field_name, row=row))

    if not data.code.strip():
        add(_("The standard needs a code."), field_name="code")
    if not data.name.strip():
        add(_("The standard needs a name."), field_name="name")
    if data.kind not in StandardKind.values:
        add(_("Unknown kind of standard %(value)s.") % {"value": data.kind}, field_name="kind")
    if data.rule not in ScoreRule.values:
        add(_("Unknown score rule %(value)s.") % {"value": data.rule}, field_name="rule")
    if data.max_score <= 0:
        add(_("The full marks must be more than 0."), field_name="max_score")
    seen_sections: dict[str, SectionData] = {}
    for section in data.sections:
        if not section.code.strip():
            add(_("A section needs a code."), field_name="section", row=section.row)
        elif section.code in seen_sections:
            add(
                _("Section code %(code)s is used twice.") % {"code": section.code},
                field_name="section",
                row=section.row,
            )
        seen_sections.setdefault(section.code, section)
        if not section.name.strip():
            add(
                _("Section %(code)s needs a name.") % {"code": section.code},
                field_name="text",
                row=section.row,
            )
        if section.points < 0:
            add(_("Points cannot be negative."), field_name="points", row=section.row)
    for section in data.sections:
        if section.parent is not None and section.parent not in seen_sections:
            add(
                _("Unknown parent section %(code)s.") % {"code": section.parent},
                field_name="parent",
                row=section.row,
            )
    seen_items: set[str] = set()
    for item in data.items:
        errors.extend(_item_errors(item, seen_sections, seen_items))
        seen_items.add(item.code)
    if not data.items:
        add(_("The standard has no items."), field_name="items")
    if not errors:
        # The scoring engine's own checks (sum rules: items must add up to their sections…).
        for problem in scoring.check_spec(to_spec(data)):
            add(problem)
    return errors


def _item_errors(item: ItemData, sections: dict[str, SectionData], seen: set[str]) -> list[ErrorDetail]:
    out: list[ErrorDetail] = []

    def add(message: str, field_name: str) -> None:
        out.append(ErrorDetail(code="invalid", message=message, field=field_name, row=item.row))

    if not item.code.strip():
        add(_("An item needs a code."), "code")
    elif item.code in seen:
        add(_("Item code %(code)s is used twice.") % {"code": item.code}, "code")
    if item.section not in sections:
        add(_("Unknown section %(code)s.") % {"code": item.section}, "section")
    if not item.text.strip():
        add(_("Item %(code)s needs a text.") % {"code": item.code}, "text")
    if item.kind not in ItemKind.values:
        add(_("Unknown item kind %(value)s.") % {"value": item.kind}, "kind")
    if item.points < 0:
        add(_("Points cannot be negative."), "points")
    if item.kind == ItemKind.SCORE and (item.n is None or item.n < 1):
        add(_("A score item needs its top score N (1 or more)."), "n")
    if item.kind != ItemKind.SCORE and item.n is not None:
        add(_("Only a score item has a top score N."), "n")
    if item.kind != ItemKind.DEDUCTION and item.max_occurrences is not None:
        add(_("Only a deduction item has a maximum number of times."), "max_occurrences")
    if item.max_occurrences is not None and item.max_occurrences < 1:
        add(_("The maximum number of times must be 1 or more."), "max_occurrences")
    if item.aspect not in Aspect.values:
        add(_("Unknown tag %(value)s.") % {"value": item.aspect}, "tags")
    if item.red_line not in RedLine.values:
        add(_("Unknown red line %(value)s.") % {"value": item.red_line}, "red_line")
    if item.red_line == RedLine.CAP_TOTAL and item.red_line_cap is None:
        add(_("A red line that caps the total needs the cap."), "red_line_cap")
    if item.red_line != RedLine.CAP_TOTAL and item.red_line_cap is not None:
        add(_("Only a red line that caps the total has a cap."), "red_line_cap")
    return out


def require_valid(data: StandardData) -> None:
    errors = validate(data)
    if errors:
        raise ApplicationError(
            _("The standard %(code)s has %(n)s problem(s); nothing was saved.")
            % {"code": data.code or "?", "n": len(errors)},
            code="import_invalid",
            details=errors,
        )


# --- Data files (YAML) ------------------------------------------------------------------------------

SECTION_KEYS = {"code", "name", "points", "note", "items", "sections"}
ITEM_KEYS = {
    "code",
    "text",
    "kind",
    "points",
    "max_occurrences",
    "n",
    "na",
    "tags",
    "red_line",
    "red_line_cap",
    "note",
}
TOP_KEYS = {"code", "name", "kind", "rule", "max_score", "description", "levels", "warnings", "sections"}


def _decimal(value: Any, where: str) -> Decimal:
    try:
        return to_decimal(value if isinstance(value, int | Decimal) else str(value))
    except (TypeError, ValueError):
        raise ApplicationError(
            _("%(where)s: %(value)s is not a number.") % {"where": where, "value": value}, code="invalid"
        ) from None


def _unknown(keys: Any, allowed: set[str], where: str) -> None:
    extra = sorted(set(keys) - allowed)
    if extra:
        raise ApplicationError(
            _("%(where)s: unknown key(s) %(keys)s.") % {"where": where, "keys": ", ".join(extra)},
            code="invalid",
        )


def tags_to_fields(tags: list[str] | str) -> tuple[str, bool]:
    """(aspect, key_item) from tags such as ["hardware", "key"] or "硬件,重点"."""
    words = [t.strip() for t in (tags.replace("，", ",").split(",") if isinstance(tags, str) else tags)]
    aspect, key = "", False
    for word in filter(None, words):
        lowered = word.lower()
        if lowered in ("hardware", "硬件"):
            aspect = Aspect.HARDWARE
        elif lowered in ("software", "软件"):
            aspect = Aspect.SOFTWARE
        elif lowered in ("key", "重点", "重点整治项目", "重点项目"):
            key = True
        else:
            aspect = word  # refused by validate() with the word in the message
    return aspect, key


def from_mapping(doc: Any) -> StandardData:
    """A standard from a data file's mapping (see reference/*.yaml for the layout)."""
    if not isinstance(doc, dict):
        raise ApplicationError(
            _("A standard file holds one mapping (code, name, sections…)."), code="invalid"
        )
    _unknown(doc, TOP_KEYS, _("the standard"))
    sections: list[SectionData] = []
    items: list[ItemData] = []

    def walk(entries: Any, parent: str | None) -> None:
        for index, entry in enumerate(entries or []):
            where = f"{parent or 'sections'}[{index}]"
            if not isinstance(entry, dict):
                raise ApplicationError(
                    _("%(where)s: a section is a mapping.") % {"where": where}, code="invalid"
                )
            _unknown(entry, SECTION_KEYS, where)
            code = str(entry.get("code", ""))
            sections.append(
                SectionData(
                    code=code,
                    name=str(entry.get("name", "")),
                    points=_decimal(entry.get("points", 0), where),
                    parent=parent,
                    note=str(entry.get("note", "") or "").strip(),
                )
            )
            for number, raw in enumerate(entry.get("items") or []):
                item_where = f"{code}.items[{number}]"
                if not isinstance(raw, dict):
                    raise ApplicationError(
                        _("%(where)s: an item is a mapping.") % {"where": item_where}, code="invalid"
                    )
                _unknown(raw, ITEM_KEYS, item_where)
                aspect, key = tags_to_fields(raw.get("tags") or [])
                cap = raw.get("red_line_cap")
                items.append(
                    ItemData(
                        code=str(raw.get("code", "")),
                        section=code,
                        text=str(raw.get("text", "")).strip(),
                        kind=str(raw.get("kind", ItemKind.DEDUCTION)),
                        points=_decimal(raw.get("points", 0), item_where),
                        max_occurrences=raw.get("max_occurrences"),
                        n=raw.get("n"),
                        na_allowed=bool(raw.get("na", False)),
                        aspect=aspect,
                        key_item=key,
                        red_line=str(raw.get("red_line", RedLine.NONE)),
                        red_line_cap=None if cap is None else _decimal(cap, item_where),
                        note=str(raw.get("note", "") or "").strip(),
                    )
                )
            walk(entry.get("sections"), code)

    walk(doc.get("sections"), None)
    levels = tuple(
        (_decimal(level.get("min"), "levels"), str(level.get("label", "")))
        for level in doc.get("levels") or []
    )
    return StandardData(
        code=str(doc.get("code", "")),
        name=str(doc.get("name", "")),
        kind=str(doc.get("kind", "")),
        rule=str(doc.get("rule", ScoreRule.DEDUCTIONS)),
        max_score=_decimal(doc.get("max_score", 100), "max_score"),
        description=str(doc.get("description", "") or "").strip(),
        levels=tuple(sorted(levels, reverse=True)),
        warnings=tuple(str(w).strip() for w in doc.get("warnings") or []),
        sections=tuple(sections),
        items=tuple(items),
    )


def with_code(data: StandardData, code: str) -> StandardData:
    return replace(data, code=code)
