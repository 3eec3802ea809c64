"""The pages: list, detail with warnings, the editor of a draft, publish, new version, Excel in and out."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from youfu.standards import exports, services
from youfu.standards.choices import VersionStatus
from youfu.standards.models import Item, Standard


def test_list_and_detail_show_the_structure_and_warnings(client, bank, admin, s1_published, s1_office):
    services.standard_load(actor=admin)
    client.force_login(s1_office)
    page = client.get(reverse("standards:list"), {"kind": "linkage_110"})
    assert page.status_code == 200
    assert "110联动机制考核细则" in page.content.decode() and "东城支行自查标准" not in page.content.decode()
    linkage = Standard.objects.get(code="LINKAGE-110")
    detail = client.get(reverse("standards:detail", kwargs={"pk": linkage.pk})).content.decode()
    assert 'id="standard-warnings"' in detail
    assert "7分" in detail  # the seed's missing 7 points, said on the page
    assert "1.4.1" in detail and "基础工作开展情况" in detail
    # A head-office standard is seen below but not changed: no editor buttons.
    assert "standard-new-version" not in detail
    own = client.get(reverse("standards:detail", kwargs={"pk": s1_published.standard_id})).content.decode()
    assert "standard-new-version" in own and "唱收唱付" in own


def test_service_office_edits_a_draft_and_publishes_it(client, bank, s1_office):
    client.force_login(s1_office)
    response = client.post(
        reverse("standards:create"),
        {
            "code": "S1-NEW",
            "name": "新标准",
            "kind": "onsite",
            "owner": "S1",
            "score_rule": "deductions",
            "max_score": "100",
        },
    )
    standard = Standard.objects.get(code="S1-NEW")
    version = standard.versions.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "standards:editor", kwargs={"pk": version.pk}
    )
    response = client.post(
        reverse("standards:section_add", kwargs={"pk": version.pk}),
        {"code": "A", "name": "环境", "points": "100"},
    )
    assert response.status_code == 302
    section = version.sections.get()
    for code, kind, extra in (("A1", "deduction", {"max_occurrences": "2"}), ("A2", "pass_fail", {})):
        response = client.post(
            reverse("standards:item_add", kwargs={"pk": version.pk}),
            {
                "section": section.pk,
                "code": code,
                "text": f"检查{code}",
                "kind": kind,
                "points": "5",
                "red_line": "none",
                **extra,
            },
        )
        assert response.status_code == 302, response.content.decode()[-2000:]
    a2 = version.items.get(code="A2")
    client.post(reverse("standards:item_move", kwargs={"pk": a2.pk}), {"direction": "up"})
    assert list(version.items.order_by("order").values_list("code", flat=True)) == ["A2", "A1"]
    bad = client.post(
        reverse("standards:item_edit", kwargs={"pk": a2.pk}),
        {
            "section": section.pk,
            "code": "A2",
            "text": "x",
            "kind": "score_out_of_n",
            "points": "5",
            "red_line": "none",
        },
    )
    assert bad.status_code == 200 and "N" in bad.content.decode()
    client.post(reverse("standards:publish", kwargs={"pk": version.pk}))
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    # A published version opens read-only, and its parts refuse changes.
    assert client.get(reverse("standards:editor", kwargs={"pk": version.pk})).status_code == 302
    client.post(reverse("standards:item_delete", kwargs={"pk": a2.pk}))
    assert Item.objects.filter(pk=a2.pk).exists()
    response = client.post(reverse("standards:copy", kwargs={"pk": version.pk}))
    draft = standard.versions.get(number=2)
    assert response["Location"] == reverse("standards:editor", kwargs={"pk": draft.pk})
    client.post(reverse("standards:item_delete", kwargs={"pk": draft.items.get(code="A2").pk}))
    assert list(draft.items.values_list("code", flat=True)) == ["A1"]
    assert version.items.count() == 2


def test_a_role_without_the_right_cannot_open_the_editor(client, bank, s1_standard, outlet_head):
    client.force_login(outlet_head)
    version = s1_standard.versions.get()
    assert client.get(reverse("standards:detail", kwargs={"pk": s1_standard.pk})).status_code == 200
    assert client.get(reverse("standards:editor", kwargs={"pk": version.pk})).status_code == 403
    assert client.post(reverse("standards:publish", kwargs={"pk": version.pk})).status_code == 403
    assert s1_standard.versions.get().status == VersionStatus.DRAFT


def test_export_and_import_pages(client, bank, s1_published, s1_office):
    client.force_login(s1_office)
    response = client.get(reverse("standards:export", kwargs={"pk": s1_published.pk}))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    book = load_workbook(io.BytesIO(response.content))
    for row in book.active.iter_rows():
        if row[2].value == "A1":
            row[5].value = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    rejected = client.post(
        reverse("standards:import"), {"file": SimpleUploadedFile("s.xlsx", buffer.getvalue())}
    )
    assert rejected.status_code == 200 and 'id="import-errors"' in rejected.content.decode()
    same = SimpleUploadedFile("s.xlsx", exports.standard_export(version=s1_published))
    done = client.post(reverse("standards:import"), {"file": same})
    assert done.status_code == 302
    assert s1_published.standard.versions.count() == 1
    assert Item.objects.get(version=s1_published, code="A1").points == Decimal(5)


def test_pages_speak_chinese_by_default(client, bank, s1_published, s1_office):
    from django.utils import translation

    client.force_login(s1_office)
    with translation.override("zh-hans"):
        page = client.get(
            reverse("standards:detail", kwargs={"pk": s1_published.standard_id}),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    text = page.content.decode()
    for words in ("检查标准", "满分", "版本", "红线", "本部分清零", "硬件", "重点整治项目"):
        assert words in text, words
