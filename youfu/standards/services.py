"""Writes of the standards domain. Every service is keyword-only and atomic, checks the actor's role and
that the standard's owner unit is in the actor's subtree, and raises ApplicationError (nothing written)
on bad input. A published version is never changed: edits go to the standard's one draft, and a new
draft is a copy of a published version (``standard_version_copy``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from youfu.accounts.access import require_perm, require_unit_in_scope, scope_path
from youfu.core.audit import acting_as
from youfu.core.errors import ApplicationError
from youfu.org.models import Unit
from youfu.standards import structure
from youfu.standards.choices import ItemKind, RedLine, ScoreRule, StandardKind, VersionStatus
from youfu.standards.models import Item, Section, Standard, StandardVersion
from youfu.standards.selectors import version_data
from youfu.standards.structure import StandardData

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
STANDARD_EDITABLE_FIELDS = ("name", "description", "kind")
VERSION_EDITABLE_FIELDS = ("score_rule", "max_score", "levels", "warnings")
SECTION_EDITABLE_FIELDS = ("code", "name", "points", "parent", "note")
ITEM_EDITABLE_FIELDS = (
    "section",
    "code",
    "text",
    "kind",
    "points",
    "max_occurrences",
    "n",
    "na_allowed",
    "aspect",
    "key_item",
    "red_line",
    "red_line_cap",
    "note",
)


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _require_manage(actor: Any, standard: Standard, perm: str = "standards.change_standard") -> None:
    require_perm(actor, perm)
    require_unit_in_scope(actor, standard.owner)


def _require_draft(version: StandardVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise ApplicationError(
            _(
                "Version %(number)s of %(standard)s is published and can no longer change: start a new "
                "version from it and edit that."
            )
            % {"number": version.number, "standard": version.standard.name},
            code="version_published",
        )


def _locked_draft(version: StandardVersion) -> StandardVersion:
    locked = StandardVersion.objects.select_for_update().select_related("standard__owner").get(pk=version.pk)
    _require_draft(locked)
    return locked


def _unknown_fields(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )


# --- Standards and versions -----------------------------------------------------------------------


@transaction.atomic
def standard_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    owner: Unit,
    description: str = "",
    score_rule: str = ScoreRule.DEDUCTIONS,
    max_score: Decimal = Decimal(100),
) -> Standard:
    """A new standard with an empty draft version 1."""
    require_perm(actor, "standards.add_standard")
    require_unit_in_scope(actor, owner, field="owner")
    code = code.strip()
    if not code:
        raise ApplicationError(_("The standard needs a code."), field="code")
    if kind not in StandardKind.values:
        raise ApplicationError(_("Unknown kind of standard %(value)s.") % {"value": kind}, field="kind")
    if score_rule not in ScoreRule.values:
        raise ApplicationError(_("Unknown score rule %(value)s.") % {"value": score_rule}, field="score_rule")
    if max_score <= 0:
        raise ApplicationError(_("The full marks must be more than 0."), field="max_score")
    if Standard.objects.filter(code=code).exists():
        raise ApplicationError(_("Standard code %(code)s is already used.") % {"code": code}, field="code")
    with acting_as(actor):
        try:
            with transaction.atomic():
                standard = Standard.objects.create(
                    code=code,
                    name=name,
                    kind=kind,
                    owner=owner,
                    description=description,
                    created_by=_user_or_none(actor),
                )
        except IntegrityError as exc:  # a concurrent create of the same code
            raise ApplicationError(
                _("Standard code %(code)s is already used.") % {"code": code}, field="code"
            ) from exc
        StandardVersion.objects.create(
            standard=standard,
            number=1,
            score_rule=score_rule,
            max_score=max_score,
            created_by=_user_or_none(actor),
        )
    return standard


@transaction.atomic
def standard_update(*, actor: Any, standard: Standard, data: dict[str, Any]) -> Standard:
    """Name, description and kind: the standard's label, not its content (which is versioned)."""
    _require_manage(actor, standard)
    _unknown_fields(data, STANDARD_EDITABLE_FIELDS)
    if "kind" in data and data["kind"] not in StandardKind.values:
        raise ApplicationError(
            _("Unknown kind of standard %(value)s.") % {"value": data["kind"]}, field="kind"
        )
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    changed = [f for f, v in data.items() if getattr(standard, f) != v]
    for name in changed:
        setattr(standard, name, data[name])
    if changed:
        with acting_as(actor):
            standard.save(update_fields=changed)
    return standard


@transaction.atomic
def standard_version_update(*, actor: Any, version: StandardVersion, data: dict[str, Any]) -> StandardVersion:
    """The draft's score rule, full marks, levels (e.g. star bands) and warnings."""
    _require_manage(actor, version.standard)
    _unknown_fields(data, VERSION_EDITABLE_FIELDS)
    version = _locked_draft(version)
    if "score_rule" in data and data["score_rule"] not in ScoreRule.values:
        raise ApplicationError(
            _("Unknown score rule %(value)s.") % {"value": data["score_rule"]}, field="score_rule"
        )
    if "max_score" in data and Decimal(data["max_score"]) <= 0:
        raise ApplicationError(_("The full marks must be more than 0."), field="max_score")
    changed = [f for f, v in data.items() if getattr(version, f) != v]
    for name in changed:
        setattr(version, name, data[name])
    if changed:
        with acting_as(actor):
            version.save(update_fields=changed)
    return version


@transaction.atomic
def standard_version_publish(*, actor: Any, version: StandardVersion) -> StandardVersion:
    """Freeze the draft: from now on it never changes and results may be scored with it. Refused (with
    every problem listed) when the structure cannot be scored."""
    _require_manage(actor, version.standard, "standards.change_standardversion")
    version = _locked_draft(version)
    errors = structure.validate(version_data(version))
    if errors:
        raise ApplicationError(
            _("Version %(number)s cannot be published: %(problems)s")
            % {"number": version.number, "problems": "; ".join(e.message for e in errors)},
            code="version_invalid",
            details=errors,
        )
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = _user_or_none(actor)
    with acting_as(actor):
        version.save(update_fields=["status", "published_at", "published_by"])
    return version


@transaction.atomic
def standard_version_copy(*, actor: Any, version: StandardVersion, source: str = "") -> StandardVersion:
    """A new draft, numbered after the latest version, holding a copy of ``version``'s content. The
    standard has one draft at a time: with a draft already open, edit that one."""
    standard = Standard.objects.select_for_update().select_related("owner").get(pk=version.standard_id)
    _require_manage(actor, standard, "standards.add_standardversion")
    draft = standard.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        raise ApplicationError(
            _("Version %(number)s of %(standard)s is still a draft: edit or publish it first.")
            % {"number": draft.number, "standard": standard.name},
            code="draft_exists",
        )
    data = version_data(version)
    return _new_version(actor=actor, standard=standard, data=data, source=source or f"v{version.number}")


def _new_version(*, actor: Any, standard: Standard, data: StandardData, source: str) -> StandardVersion:
    number = (standard.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    with acting_as(actor):
        version = StandardVersion.objects.create(
            standard=standard,
            number=number,
            score_rule=data.rule,
            max_score=data.max_score,
            levels=_levels_json(data),
            warnings=list(data.warnings),
            source=source[:255],
            created_by=_user_or_none(actor),
        )
        _write_content(version, data)
    return version


def _levels_json(data: StandardData) -> list[dict[str, str]]:
    return [{"min": format(minimum.normalize(), "f"), "label": label} for minimum, label in data.levels]


def _write_content(version: StandardVersion, data: StandardData) -> None:
    """Create the sections and items of ``data`` in an empty draft (one row each, so each is audited)."""
    sections: dict[str, Section] = {}
    for order, section in enumerate(data.sections, start=1):
        sections[section.code] = Section.objects.create(
            version=version,
            parent=sections.get(section.parent) if section.parent else None,
            order=order,
            code=section.code,
            name=section.name,
            points=section.points,
            note=section.note,
        )
    for order, item in enumerate(data.items, start=1):
        Item.objects.create(
            version=version,
            section=sections[item.section],
            order=order,
            code=item.code,
            text=item.text,
            kind=item.kind,
            points=item.points,
            max_occurrences=item.max_occurrences,
            n=item.n,
            na_allowed=item.na_allowed,
            aspect=item.aspect,
            key_item=item.key_item,
            red_line=item.red_line,
            red_line_cap=item.red_line_cap,
            note=item.note,
        )


# --- Sections and items of a draft ----------------------------------------------------------------


def _check_section_fields(version: StandardVersion, data: dict[str, Any], section: Section | None) -> None:
    if "points" in data and data["points"] is not None and data["points"] < 0:
        raise ApplicationError(_("Points cannot be negative."), field="points")
    parent = data.get("parent")
    if parent is not None:
        if parent.version_id != version.pk:
            raise ApplicationError(_("The parent section belongs to another version."), field="parent")
        current: Section | None = parent
        while current is not None:  # no loops: a section cannot sit inside itself
            if section is not None and current.pk == section.pk:
                raise ApplicationError(_("A section cannot sit inside itself."), field="parent")
            current = current.parent
    code = data.get("code")
    if code is not None:
        taken = version.sections.filter(code=code)
        if section is not None:
            taken = taken.exclude(pk=section.pk)
        if taken.exists():
            raise ApplicationError(
                _("Section code %(code)s is already used in this version.") % {"code": code}, field="code"
            )


@transaction.atomic
def section_create(
    *,
    actor: Any,
    version: StandardVersion,
    code: str,
    name: str,
    points: Decimal,
    parent: Section | None = None,
    note: str = "",
) -> Section:
    _require_manage(actor, version.standard)
    version = _locked_draft(version)
    data = {"code": code, "name": name, "points": points, "parent": parent, "note": note}
    _check_section_fields(version, data, None)
    order = (version.sections.aggregate(top=Max("order"))["top"] or 0) + 1
    with acting_as(actor):
        return Section.objects.create(version=version, order=order, **data)


@transaction.atomic
def section_update(*, actor: Any, section: Section, data: dict[str, Any]) -> Section:
    _require_manage(actor, section.version.standard)
    _unknown_fields(data, SECTION_EDITABLE_FIELDS)
    version = _locked_draft(section.version)
    section = Section.objects.get(pk=section.pk)
    _check_section_fields(version, data, section)
    changed = [f for f, v in data.items() if getattr(section, f) != v]
    for name in changed:
        setattr(section, name, data[name])
    if changed:
        with acting_as(actor):
            section.save(update_fields=changed)
    return section


@transaction.atomic
def section_delete(*, actor: Any, section: Section) -> None:
    """Remove a section of a draft, with its items and sub-sections."""
    _require_manage(actor, section.version.standard)
    _locked_draft(section.version)
    with acting_as(actor):
        for item in Item.objects.filter(section__in=_section_tree(section)):
            item.delete()
        for part in reversed(_section_tree(section)):
            part.delete()


def _section_tree(section: Section) -> list[Section]:
    """The section and every section below it, parents first."""
    found = [section]
    for current in found:
        found.extend(current.children.all())
    return found


def _move(rows: list[Any], target: Any, offset: int) -> None:
    """Swap ``target`` with its neighbour ``offset`` (−1 up, +1 down) and renumber the rows 1…n."""
    index = next(i for i, row in enumerate(rows) if row.pk == target.pk)
    other = index + offset
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for order, row in enumerate(rows, start=1):
        if row.order != order:
            row.order = order
            row.save(update_fields=["order"])


@transaction.atomic
def section_move(*, actor: Any, section: Section, offset: int) -> Section:
    """Move a section up (−1) or down (+1) among the sections of the same parent."""
    _require_manage(actor, section.version.standard)
    version = _locked_draft(section.version)
    siblings = list(version.sections.filter(parent_id=section.parent_id).order_by("order", "id"))
    with acting_as(actor):
        _move(siblings, section, offset)
    return Section.objects.get(pk=section.pk)


def _check_item_fields(version: StandardVersion, data: dict[str, Any], item: Item | None) -> None:
    section = data.get("section")
    if section is not None and section.version_id != version.pk:
        raise ApplicationError(_("The section belongs to another version."), field="section")
    code = data.get("code")
    if code is not None:
        taken = version.items.filter(code=code)
        if item is not None:
            taken = taken.exclude(pk=item.pk)
        if taken.exists():
            raise ApplicationError(
                _("Item code %(code)s is already used in this version.") % {"code": code}, field="code"
            )
    merged = {f: getattr(item, f) for f in ITEM_EDITABLE_FIELDS} if item is not None else {}
    merged.update(data)
    probe = structure.ItemData(
        code=str(merged.get("code") or "?"),
        section="probe",
        text=str(merged.get("text") or "?"),
        kind=merged.get("kind") or ItemKind.DEDUCTION,
        points=Decimal(merged.get("points") or 0),
        max_occurrences=merged.get("max_occurrences"),
        n=merged.get("n"),
        aspect=merged.get("aspect") or "",
        red_line=merged.get("red_line") or RedLine.NONE,
        red_line_cap=merged.get("red_line_cap"),
    )
    probe_section = structure.SectionData(code="probe", name="probe", points=Decimal(0))
    problems = structure._item_errors(probe, {"probe": probe_section}, set())
    if problems:
        raise ApplicationError(problems[0].message, field=problems[0].field, details=problems)


@transaction.atomic
def item_create(*, actor: Any, section: Section, code: str, text: str, **fields: Any) -> Item:
    """Add an item at the end of ``section``. ``fields``: kind, points, max_occurrences, n, na_allowed,
    aspect, key_item, red_line, red_line_cap, note."""
    _require_manage(actor, section.version.standard)
    _unknown_fields(fields, ITEM_EDITABLE_FIELDS)
    version = _locked_draft(section.version)
    data = {"section": section, "code": code, "text": text, **fields}
    _check_item_fields(version, data, None)
    order = (version.items.aggregate(top=Max("order"))["top"] or 0) + 1
    with acting_as(actor):
        return Item.objects.create(version=version, order=order, **data)


@transaction.atomic
def item_update(*, actor: Any, item: Item, data: dict[str, Any]) -> Item:
    _require_manage(actor, item.version.standard)
    _unknown_fields(data, ITEM_EDITABLE_FIELDS)
    version = _locked_draft(item.version)
    item = Item.objects.get(pk=item.pk)
    _check_item_fields(version, data, item)
    changed = [f for f, v in data.items() if getattr(item, f) != v]
    for name in changed:
        setattr(item, name, data[name])
    if changed:
        with acting_as(actor):
            item.save(update_fields=changed)
    return item


@transaction.atomic
def item_delete(*, actor: Any, item: Item) -> None:
    _require_manage(actor, item.version.standard)
    _locked_draft(item.version)
    with acting_as(actor):
        Item.objects.get(pk=item.pk).delete()


@transaction.atomic
def item_move(*, actor: Any, item: Item, offset: int) -> Item:
    """Move an item up (−1) or down (+1) within its section."""
    _require_manage(actor, item.version.standard)
    _locked_draft(item.version)
    siblings = list(Item.objects.filter(section_id=item.section_id).order_by("order", "id"))
    with acting_as(actor):
        _move(siblings, item, offset)
    return Item.objects.get(pk=item.pk)


# --- Whole contents: data files, Excel imports ----------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    version: StandardVersion
    outcome: str  # "created" (a new standard), "new_version", "updated" (the draft), "unchanged"
    published: bool  # this call published the version


def _default_owner(actor: Any) -> Unit:
    """The top unit the actor is in charge of (the head office for an administrator)."""
    path = scope_path(actor)
    if path is None:
        raise ApplicationError(_("Your login is not in charge of any unit."), code="permission_denied")
    units = Unit.objects.filter(path__startswith=path).order_by("depth", "path")
    owner = units.first()
    if owner is None:
        raise ApplicationError(
            _("There is no unit to own the standard: create the bank first."), field="owner"
        )
    return owner


@transaction.atomic
def standard_save(
    *, actor: Any, data: StandardData, owner: Unit | None = None, publish: bool = False, source: str = ""
) -> SaveResult:
    """Make ``data`` the standard's latest version, idempotently: a new standard (version 1); the same
    content as the latest version changes nothing; other content replaces the open draft, or becomes a
    new version after the latest published one. With ``publish`` the result is published too. An
    existing standard keeps its owner (``owner`` is only used to create one)."""
    structure.require_valid(data)
    standard = Standard.objects.select_for_update().select_related("owner").filter(code=data.code).first()
    if standard is None:
        owner = owner or _default_owner(actor)
        require_perm(actor, "standards.add_standard")
        require_unit_in_scope(actor, owner, field="owner")
        with acting_as(actor):
            standard = Standard.objects.create(
                code=data.code,
                name=data.name,
                kind=data.kind,
                owner=owner,
                description=data.description,
                created_by=_user_or_none(actor),
            )
        version = _new_version(actor=actor, standard=standard, data=data, source=source)
        outcome = "created"
    else:
        _require_manage(actor, standard)
        label = {"name": data.name, "kind": data.kind, "description": data.description}
        if any(getattr(standard, f) != v for f, v in label.items()):
            standard_update(actor=actor, standard=standard, data=label)
        latest = standard.versions.order_by("-number").first()
        if latest is not None and structure.fingerprint(version_data(latest)) == structure.fingerprint(data):
            version, outcome = latest, "unchanged"
        elif latest is not None and latest.status == VersionStatus.DRAFT:
            version = _locked_draft(latest)
            with acting_as(actor):
                for section in version.sections.filter(parent__isnull=True):
                    section_delete(actor=actor, section=section)
                version.score_rule = data.rule
                version.max_score = data.max_score
                version.levels = _levels_json(data)
                version.warnings = list(data.warnings)
                version.source = source[:255]
                version.save()
                _write_content(version, data)
            outcome = "updated"
        else:
            require_perm(actor, "standards.add_standardversion")
            version = _new_version(actor=actor, standard=standard, data=data, source=source)
            outcome = "new_version"
    published = False
    if publish and version.status == VersionStatus.DRAFT:
        version = standard_version_publish(actor=actor, version=version)
        published = True
    return SaveResult(version=version, outcome=outcome, published=published)


def read_data_file(path: Path) -> StandardData:
    """A standard from a YAML data file; a file that cannot be read is an ApplicationError naming it."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ApplicationError(
            _("Cannot read %(file)s: %(error)s") % {"file": path.name, "error": exc}, code="invalid_file"
        ) from exc
    return structure.from_mapping(doc)


def shipped_files() -> list[Path]:
    """The standards shipped with youfu (reference/*.yaml), in name order."""
    return sorted(REFERENCE_DIR.glob("*.yaml"))


@transaction.atomic
def standard_load(
    *, actor: Any, paths: list[Path] | None = None, owner: Unit | None = None, publish: bool = True
) -> list[SaveResult]:
    """Load data files (by default the shipped standards); safe to run twice."""
    results = []
    for path in paths if paths is not None else shipped_files():
        data = read_data_file(path)
        results.append(
            standard_save(actor=actor, data=data, owner=owner, publish=publish, source=f"file:{path.name}")
        )
    return results
