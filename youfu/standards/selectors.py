"""Reads of the standards domain.

Who sees a standard: it belongs to a unit (its owner). The owner's whole subtree sees and uses it, and
the units above the owner see it too (they oversee that subtree); a sibling's standards stay invisible.
So a bank-wide standard (owned by the head office) is seen by everyone, and a standard of sub-branch S1
by S1 and its outlets, by the branch and the head office — never by sub-branch S2. Objects outside
that answer 404.

For the inspections app: ``standard_version_get_published`` (the version to score with),
``version_items`` / ``version_sections`` (the checklist) and ``version_score`` (a ScoreResult from item
results; plain-Python rules in youfu.standards.scoring). ``standard_usable_by`` tells whether a unit may
be inspected against a standard (the unit lies in the owner's subtree).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from youfu.accounts.access import WHOLE_BANK, scope_path, subtree_q
from youfu.core.errors import ApplicationError, ErrorDetail
from youfu.org.models import Unit
from youfu.standards import scoring, structure
from youfu.standards.choices import VersionStatus
from youfu.standards.models import Item, Section, Standard, StandardVersion
from youfu.standards.structure import ItemData, SectionData, StandardData


def _line_q(user: Any, owner_field: str = "owner") -> Q:
    """Owners in the user's subtree (through youfu.accounts.access) or above the user's unit."""
    path = scope_path(user)
    if path is None:
        return Q(pk__in=[])
    if path == WHOLE_BANK:
        return Q()
    step = Unit.steplen
    ancestors = [path[:end] for end in range(step, len(path), step)]
    return subtree_q(user, owner_field) | Q(**{f"{owner_field}__path__in": ancestors})


def standard_list(*, user: Any) -> QuerySet[Standard]:
    """The standards the user sees, with their owner."""
    if not user.has_perm("standards.view_standard"):
        return Standard.objects.none()
    return Standard.objects.filter(_line_q(user)).select_related("owner").order_by("code")


def standard_get(*, user: Any, pk: int | str) -> Standard:
    try:
        return standard_list(user=user).get(pk=pk)
    except (Standard.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def standard_get_by_code(*, user: Any, code: str) -> Standard:
    try:
        return standard_list(user=user).get(code=code)
    except Standard.DoesNotExist as exc:
        raise Http404 from exc


def version_list(*, user: Any) -> QuerySet[StandardVersion]:
    if not user.has_perm("standards.view_standard"):
        return StandardVersion.objects.none()
    return (
        StandardVersion.objects.filter(_line_q(user, "standard__owner"))
        .select_related("standard__owner", "published_by", "created_by")
        .order_by("standard__code", "-number")
    )


def standard_versions(*, user: Any, standard: Standard) -> QuerySet[StandardVersion]:
    return version_list(user=user).filter(standard=standard)


def standard_version_get(*, user: Any, pk: int | str) -> StandardVersion:
    try:
        return version_list(user=user).get(pk=pk)
    except (StandardVersion.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def standard_version_get_published(*, user: Any, pk: int | str) -> StandardVersion:
    """The published version to score with. 404 outside the user's line; a draft is refused."""
    version = standard_version_get(user=user, pk=pk)
    if version.status != VersionStatus.PUBLISHED:
        raise ApplicationError(
            _("Version %(number)s of %(standard)s is a draft: only a published version can be used.")
            % {"number": version.number, "standard": version.standard.name},
            code="version_draft",
            field="version",
        )
    return version


def standard_latest_published(*, user: Any, standard: Standard) -> StandardVersion | None:
    return standard_versions(user=user, standard=standard).filter(status=VersionStatus.PUBLISHED).first()


def standard_draft(*, user: Any, standard: Standard) -> StandardVersion | None:
    return standard_versions(user=user, standard=standard).filter(status=VersionStatus.DRAFT).first()


def standard_usable_by(*, standard: Standard, unit: Unit) -> bool:
    """Whether ``unit`` may be inspected against the standard: it lies in the owner's subtree."""
    return unit.path.startswith(standard.owner.path)


def version_sections(*, version: StandardVersion) -> QuerySet[Section]:
    return version.sections.select_related("parent").order_by("order", "id")


def version_items(*, version: StandardVersion) -> QuerySet[Item]:
    """The items in checklist order: by section order, then item order."""
    return version.items.select_related("section").order_by("section__order", "order", "id")


def version_data(version: StandardVersion) -> StandardData:
    """The version's content as plain data (the shape of data files and sheets)."""
    sections = list(version_sections(version=version))
    by_pk = {s.pk: s for s in sections}
    ordered = _tree_order(sections)
    levels = tuple((Decimal(str(level["min"])), str(level["label"])) for level in version.levels or [])
    standard = version.standard
    return StandardData(
        code=standard.code,
        name=standard.name,
        kind=standard.kind,
        rule=version.score_rule,
        max_score=version.max_score,
        description=standard.description,
        levels=tuple(sorted(levels, reverse=True)),
        warnings=tuple(version.warnings or []),
        sections=tuple(
            SectionData(
                code=s.code,
                name=s.name,
                points=s.points,
                parent=by_pk[s.parent_id].code if s.parent_id else None,
                note=s.note,
            )
            for s in ordered
        ),
        items=tuple(
            ItemData(
                code=i.code,
                section=i.section.code,
                text=i.text,
                kind=i.kind,
                points=i.points,
                max_occurrences=i.max_occurrences,
                n=i.n,
                na_allowed=i.na_allowed,
                aspect=i.aspect,
                key_item=i.key_item,
                red_line=i.red_line,
                red_line_cap=i.red_line_cap,
                note=i.note,
            )
            for section in ordered
            for i in sorted(
                (i for i in version.items.all() if i.section_id == section.pk), key=lambda i: (i.order, i.pk)
            )
        ),
    )


def _tree_order(sections: list[Section]) -> list[Section]:
    """Sections depth first: each parent followed by its sub-sections, siblings by their order."""
    children: dict[int | None, list[Section]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section)
    out: list[Section] = []

    def visit(parent: int | None) -> None:
        for section in sorted(children.get(parent, []), key=lambda s: (s.order, s.pk)):
            out.append(section)
            visit(section.pk)

    visit(None)
    return out


def version_tree(*, version: StandardVersion) -> list[dict[str, Any]]:
    """The version for a page: sections depth first, each with its depth and items."""
    sections = list(version_sections(version=version))
    items = list(version_items(version=version))
    depth: dict[int, int] = {}
    rows = []
    for section in _tree_order(sections):
        depth[section.pk] = depth[section.parent_id] + 1 if section.parent_id else 0
        rows.append(
            {
                "section": section,
                "depth": depth[section.pk],
                "items": [i for i in items if i.section_id == section.pk],
            }
        )
    return rows


def version_spec(*, version: StandardVersion) -> scoring.StandardSpec:
    return structure.to_spec(version_data(version))


def version_warnings(*, version: StandardVersion) -> list[str]:
    """What a reader must know: the authored warnings (what the source left unclear), then what the
    structure itself shows (sections that do not add up, deductions above a cap)."""
    return [*version.warnings, *scoring.structure_warnings(version_spec(version=version))]


def version_problems(*, version: StandardVersion) -> list[ErrorDetail]:
    """What stops a draft from being published (empty for a valid or published version)."""
    return structure.validate(version_data(version))


SCORING_MESSAGES = {
    "unknown_item": lambda e: _("Item %(item)s is not in this version of the standard.") % {"item": e.item},
    "not_applicable_refused": lambda e: (
        _("Item %(item)s cannot be marked not applicable.") % {"item": e.item}
    ),
    "missing_result": lambda e: (
        _("Item %(item)s has no result: judge it or mark it not applicable.") % {"item": e.item}
    ),
    "out_of_range": lambda e: (
        _("Item %(item)s: %(value)s is outside the item's range (%(low)s to %(high)s).")
        % {
            "item": e.item,
            "value": e.params.get("value"),
            "low": e.params.get("low"),
            "high": e.params.get("high") if e.params.get("high") is not None else "∞",
        }
    ),
    "invalid_result": lambda e: (
        _("Item %(item)s: the result does not fit the item's kind (%(detail)s).")
        % {"item": e.item, "detail": e.message}
    ),
    "nothing_applicable": lambda e: _("Every item is not applicable: there is nothing to score."),
}


def scoring_error(exc: scoring.ScoringError) -> ApplicationError:
    """The scoring engine's error as the domain error, in the user's language."""
    render = SCORING_MESSAGES.get(exc.code)
    message = render(exc) if render else exc.message
    return ApplicationError(message, code=exc.code, field=f"results.{exc.item}" if exc.item else "results")


def version_score(
    *, version: StandardVersion, results: Mapping[str, scoring.ItemResult]
) -> scoring.ScoreResult:
    """Score item results (item code → ItemResult) with the version's rule. Bad results (unknown item,
    out of range, N/A where not allowed, missing) raise ApplicationError and nothing is scored."""
    try:
        return scoring.score(version_spec(version=version), results)
    except scoring.ScoringError as exc:
        raise scoring_error(exc) from exc


def parse_results(*, version: StandardVersion, values: Mapping[str, Any]) -> dict[str, scoring.ItemResult]:
    """Item results from plain values (pass/fail/na, occurrences, a score), as forms and the API give them."""
    items = {i.code: i for i in version_spec(version=version).items}
    out = {}
    for code, value in values.items():
        if code not in items:
            raise scoring_error(scoring.ScoringError("unknown_item", f"unknown item {code}", item=code))
        try:
            out[code] = scoring.parse_result(items[code], value)
        except scoring.ScoringError as exc:
            raise scoring_error(exc) from exc
    return out


def section_get(*, user: Any, pk: int | str) -> Section:
    try:
        return Section.objects.select_related("version__standard__owner").get(
            pk=pk, version__in=version_list(user=user)
        )
    except (Section.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def item_get(*, user: Any, pk: int | str) -> Item:
    try:
        return Item.objects.select_related("version__standard__owner", "section").get(
            pk=pk, version__in=version_list(user=user)
        )
    except (Item.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def may_manage(*, user: Any, standard: Standard) -> bool:
    """Whether the pages should offer to change the standard (the services check it again)."""
    from youfu.accounts.access import unit_in_scope

    return bool(user.has_perm("standards.change_standard")) and unit_in_scope(user, standard.owner)
