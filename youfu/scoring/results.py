"""The engine's results as plain rows, and writing them to .xlsx, .csv or .json (`youfu score --out`).

Rows name each subject by its code and name (unit code, employee number) next to the engine's key, so
a file can be checked against the office's own spreadsheet. Numbers stay Decimal to the file: Excel
cells get the number (amounts with two decimals), CSV and JSON the exact text.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from youfu.org.models import Period, Person, Unit
from youfu.policies.document import Policy
from youfu.scoring.services import Computed, _json, _present

Rows = dict[str, Any]


def computed_rows(policy: Policy, period: Period, computed: Computed) -> Rows:
    """{"scorecards": {subject: [row, …]}, "entries": [row, …]} with codes and names."""
    subjects = {subject.id: subject for subject in policy.subjects}
    units = {u.pk: u for u in Unit.objects.only("pk", "code", "name")}
    people = {p.pk: p for p in Person.objects.only("pk", "employee_no", "name", "unit_id")}

    def who(subject_id: str, key: Any) -> tuple[str, str]:
        key = int(key)
        if subjects[subject_id].kind == "person":
            person = people.get(key)
            return (person.employee_no, person.name) if person else (str(key), "")
        unit = units.get(key)
        return (unit.code, unit.name) if unit else (str(key), "")

    scorecards: dict[str, list[dict[str, Any]]] = {}
    for subject_id, table in computed.scorecards.items():
        lines = []
        for record in table.sort_values("rank__all").to_dict("records"):
            code, name = who(subject_id, record["subject_key"])
            row: dict[str, Any] = {"subject": subject_id, "code": code, "name": name}
            for column, value in record.items():
                if column == "subject_key" or column.startswith(("scope__", "link__")):
                    continue
                row[column] = _json(value) if _present(value) else None
            lines.append(row)
        scorecards[subject_id] = lines
    entries = []
    for record in computed.entries.to_dict("records"):
        code, name = who(record["subject"], record["subject_key"])
        source_code, _source_name = who(record["source_subject"], record["source_key"])
        rule = next(r for r in policy.rules if r.id == record["rule"])
        entries.append(
            {
                "period": period.code,
                "policy": policy.id,
                "version": policy.version,
                "rule": record["rule"],
                "subject": record["subject"],
                "code": code,
                "name": name,
                "from_subject": record["source_subject"],
                "from_code": source_code,
                "points": Decimal(record["points"]).normalize() + 0,
                "amount": Decimal(record["amount"]),
                "reason": rule.description or rule.seed,
            }
        )
    return {
        "policy": policy.id,
        "version": policy.version,
        "period": period.code,
        "scorecards": scorecards,
        "entries": entries,
    }


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return Decimal(value) if value and value.lstrip("-").replace(".", "", 1).isdigit() else value
        except ArithmeticError:
            return value
    return value


def write_rows(path: Path, rows: Rows) -> None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        return
    if suffix == ".csv":
        entries = rows["entries"]
        with path.open("w", newline="", encoding="utf-8-sig") as handle:  # BOM: Excel opens it as UTF-8
            columns = (
                list(entries[0]) if entries else ["period", "policy", "rule", "subject", "code", "amount"]
            )
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for entry in entries:
                writer.writerow({key: str(value) for key, value in entry.items()})
        return
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "entries"
    columns = list(rows["entries"][0]) if rows["entries"] else ["rule", "subject", "code", "amount"]
    sheet.append(columns)
    for entry in rows["entries"]:
        sheet.append(
            [
                _cell(entry[column]) if column not in ("code", "from_code") else entry[column]
                for column in columns
            ]
        )
    for subject_id, lines in rows["scorecards"].items():
        ws = book.create_sheet(subject_id[:31])
        if not lines:
            continue
        header = list(lines[0])
        ws.append(header)
        for line in lines:
            ws.append(
                [
                    line[column] if column in ("code", "name", "subject") else _cell(line[column])
                    for column in header
                ]
            )
    book.save(path)
