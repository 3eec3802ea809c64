"""Services: versions, the published freeze (services, models and the database), copies, scope, Excel."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from openpyxl import load_workbook

from youfu.core.errors import ApplicationError, PermissionDeniedError
from youfu.standards import exports, imports, scoring, selectors, services
from youfu.standards.choices import VersionStatus
from youfu.standards.models import Item, Section, Standard, StandardVersion
from youfu.standards.tests.conftest import small_data


def test_publish_freezes_the_version(s1_published, s1_office):
    item = s1_published.items.get(code="A1")
    with pytest.raises(ApplicationError) as caught:
        services.item_update(actor=s1_office, item=item, data={"points": Decimal(1)})
    assert caught.value.code == "version_published"
    with pytest.raises(ApplicationError):
        services.section_create(actor=s1_office, version=s1_published, code="C", name="x", points=Decimal(1))
    with pytest.raises(ApplicationError):
        item.points = Decimal(1)
        item.save()  # the model refuses too
    assert Item.objects.get(pk=item.pk).points == Decimal(5)


def test_the_database_refuses_to_change_a_published_version(s1_published):
    item = s1_published.items.get(code="A1")
    with pytest.raises(DatabaseError), transaction.atomic():
        Item.objects.filter(pk=item.pk).update(points=Decimal(1))  # bypasses save(): the trigger refuses
    with pytest.raises(DatabaseError), transaction.atomic():
        StandardVersion.objects.filter(pk=s1_published.pk).update(max_score=Decimal(50))
    with pytest.raises(DatabaseError), transaction.atomic():
        Section.objects.filter(version=s1_published).update(points=Decimal(1))
    assert Item.objects.get(pk=item.pk).points == Decimal(5)
    assert connection.vendor in ("sqlite", "postgresql")


def test_copy_makes_a_new_draft_and_keeps_the_old_version(s1_published, s1_office):
    draft = services.standard_version_copy(actor=s1_office, version=s1_published)
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    assert selectors.version_data(draft) == selectors.version_data(s1_published)
    services.item_update(actor=s1_office, item=draft.items.get(code="A1"), data={"points": Decimal(3)})
    assert s1_published.items.get(code="A1").points == Decimal(5)
    with pytest.raises(ApplicationError) as caught:
        services.standard_version_copy(actor=s1_office, version=s1_published)
    assert caught.value.code == "draft_exists"
    # Results keep the version they were scored with: the old version still scores the old way.
    result = selectors.version_score(version=s1_published, results=_all_good(occurrences=1))
    assert result.total == Decimal(95)
    services.standard_version_publish(actor=s1_office, version=draft)
    assert selectors.version_score(version=draft, results=_all_good(occurrences=1)).total == Decimal(97)


def _all_good(**extra):
    results = {
        "A2": scoring.ItemResult(passed=True),
        "B1": scoring.ItemResult(score=Decimal(4)),
        "B2": scoring.ItemResult(passed=True),
    }
    if "occurrences" in extra:
        results["A1"] = scoring.ItemResult(occurrences=extra["occurrences"])
    return results


def test_publish_refuses_an_unusable_draft_and_lists_the_problems(bank, s1_office):
    standard = services.standard_create(
        actor=s1_office, code="EMPTY", name="空标准", kind="onsite", owner=bank.s1
    )
    with pytest.raises(ApplicationError) as caught:
        services.standard_version_publish(actor=s1_office, version=standard.versions.get())
    assert caught.value.code == "version_invalid"
    assert any("no items" in d.message for d in caught.value.details)
    assert standard.versions.get().status == VersionStatus.DRAFT


def test_editor_services_add_move_and_remove(s1_standard, s1_office):
    version = s1_standard.versions.get()
    section = services.section_create(
        actor=s1_office, version=version, code="C", name="安保", points=Decimal(10)
    )
    first = services.item_create(
        actor=s1_office, section=section, code="C1", text="保安巡视", kind="pass_fail", points=Decimal(4)
    )
    second = services.item_create(
        actor=s1_office, section=section, code="C2", text="保安坐姿", points=Decimal(1)
    )
    services.item_move(actor=s1_office, item=second, offset=-1)
    assert list(section.items.order_by("order").values_list("code", flat=True)) == ["C2", "C1"]
    services.section_move(actor=s1_office, section=section, offset=-1)
    assert list(version.sections.order_by("order").values_list("code", flat=True)) == ["A", "C", "B"]
    with pytest.raises(ApplicationError) as caught:
        services.item_create(actor=s1_office, section=section, code="C1", text="重复", points=Decimal(1))
    assert caught.value.field == "code"
    with pytest.raises(ApplicationError) as caught:
        services.item_update(actor=s1_office, item=first, data={"kind": "score_out_of_n"})
    assert caught.value.field == "n"
    services.section_delete(actor=s1_office, section=section)
    assert not version.items.filter(code__startswith="C").exists()


def test_outsider_can_neither_see_nor_change_s1_standards(s1_standard, outsider, s1_office, outlet_head):
    assert not selectors.standard_list(user=outsider).filter(pk=s1_standard.pk).exists()
    with pytest.raises(PermissionDeniedError):
        services.standard_update(actor=outsider, standard=s1_standard, data={"name": "越界"})
    # The outlet below S1 sees (and may use) it, but its role may not change it.
    assert selectors.standard_list(user=outlet_head).filter(pk=s1_standard.pk).exists()
    with pytest.raises(PermissionDeniedError):
        services.standard_update(actor=outlet_head, standard=s1_standard, data={"name": "改名"})
    assert Standard.objects.get(pk=s1_standard.pk).name == "东城支行自查标准"


def test_a_bank_wide_standard_is_seen_by_all_and_changed_by_the_top_only(
    bank, admin, outsider, branch_office
):
    services.standard_load(actor=admin)
    star = Standard.objects.get(code="STAR-1000")
    assert selectors.standard_list(user=outsider).filter(pk=star.pk).exists()
    assert selectors.standard_usable_by(standard=star, unit=bank.o2a)
    with pytest.raises(PermissionDeniedError):
        services.standard_version_copy(actor=branch_office, version=star.versions.get())


def test_standard_version_get_published_refuses_a_draft(s1_standard, s1_office):
    with pytest.raises(ApplicationError) as caught:
        selectors.standard_version_get_published(user=s1_office, pk=s1_standard.versions.get().pk)
    assert caught.value.code == "version_draft"


def test_version_score_errors_are_application_errors(s1_published):
    with pytest.raises(ApplicationError) as caught:
        selectors.version_score(
            version=s1_published, results={**_all_good(), "B2": scoring.ItemResult(not_applicable=True)}
        )
    assert (caught.value.code, caught.value.field) == ("not_applicable_refused", "results.B2")
    assert "B2" in caught.value.message
    with pytest.raises(ApplicationError) as caught:
        selectors.parse_results(version=s1_published, values={"NOPE": "pass"})
    assert caught.value.code == "unknown_item"


# --- Excel ------------------------------------------------------------------------------------------


def test_export_then_import_gives_the_same_version_and_reimport_changes_nothing(bank, admin):
    services.standard_load(actor=admin)
    for standard in Standard.objects.all():
        version = standard.versions.get()
        content = exports.standard_export(version=version)
        result = imports.standard_import(actor=admin, file=io.BytesIO(content))
        assert (result.outcome, result.version_number) == ("unchanged", 1), standard.code
        # Round trip into a new standard: same content under another code.
        book = load_workbook(io.BytesIO(content))
        book.active["B2"] = standard.code + "-COPY"
        buffer = io.BytesIO()
        book.save(buffer)
        created = imports.standard_import(actor=admin, file=io.BytesIO(buffer.getvalue()), publish=True)
        assert created.outcome == "created"
        copy = Standard.objects.get(code=standard.code + "-COPY").versions.get()
        original = selectors.version_data(version)
        assert selectors.version_data(copy) == original.__class__(
            **{**original.__dict__, "code": standard.code + "-COPY"}
        )
        again = imports.standard_import(actor=admin, file=io.BytesIO(buffer.getvalue()))
        assert again.outcome == "unchanged"


def test_import_of_a_changed_sheet_makes_a_new_draft_version(s1_published, s1_office):
    book = load_workbook(io.BytesIO(exports.standard_export(version=s1_published)))
    sheet = book.active
    for row in sheet.iter_rows():
        if row[2].value == "A1":
            row[5].value = 3
    buffer = io.BytesIO()
    book.save(buffer)
    dry = imports.standard_import(actor=s1_office, file=io.BytesIO(buffer.getvalue()), dry_run=True)
    assert (dry.outcome, dry.version_number) == ("new_version", 2)
    assert s1_published.standard.versions.count() == 1
    result = imports.standard_import(actor=s1_office, file=io.BytesIO(buffer.getvalue()))
    assert (result.outcome, result.version_number) == ("new_version", 2)
    draft = s1_published.standard.versions.get(number=2)
    assert (draft.status, draft.items.get(code="A1").points) == (VersionStatus.DRAFT, Decimal(3))
    assert s1_published.items.get(code="A1").points == Decimal(5)


def test_a_bad_sheet_is_refused_whole_with_rows_and_columns(s1_published, s1_office):
    book = load_workbook(io.BytesIO(exports.standard_export(version=s1_published)))
    sheet = book.active
    bad_rows = {}
    for row in sheet.iter_rows():
        if row[2].value == "A1":
            row[5].value = "五分"
            bad_rows["points"] = row[0].row
        if row[2].value == "B1":
            row[4].value = "打分"
            bad_rows["kind"] = row[0].row
        if row[2].value == "B2":
            row[0].value = "Z"
            bad_rows["section"] = row[0].row
    buffer = io.BytesIO()
    book.save(buffer)
    before = list(Item.objects.values())
    with pytest.raises(ApplicationError) as caught:
        imports.standard_import(actor=s1_office, file=io.BytesIO(buffer.getvalue()))
    assert caught.value.code == "import_invalid"
    found = {(d.row, d.field) for d in caught.value.details}
    assert (bad_rows["points"], "分值") in found
    assert (bad_rows["kind"], "类型") in found
    assert (bad_rows["section"], "分部代码") in found
    assert list(Item.objects.values()) == before


def test_import_into_another_subtree_is_refused(s1_published, outsider):
    content = exports.standard_export(version=s1_published)
    with pytest.raises(ApplicationError):
        imports.standard_import(actor=outsider, file=io.BytesIO(content))
    assert Standard.objects.count() == 1


def test_not_an_excel_file(s1_office, bank):
    with pytest.raises(ApplicationError) as caught:
        imports.standard_import(actor=s1_office, file=io.BytesIO(b"not a workbook"))
    assert caught.value.code == "import_invalid"


def test_standard_save_replaces_an_open_draft(s1_standard, s1_office, bank):
    changed = small_data(warnings=("新的警示",))
    result = services.standard_save(actor=s1_office, data=changed)
    assert (result.outcome, result.version.number) == ("updated", 1)
    assert result.version.warnings == ["新的警示"]
    assert result.version.items.count() == 4
