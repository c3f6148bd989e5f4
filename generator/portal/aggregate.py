"""The county aggregate: tables 二/三/四 summed over the approved reports, as an input workbook.

A ``batch --aggregate`` is being written on another branch (generator/aggregate.py); until
it is merged the portal sums the report model itself: every input field of
:data:`generator.form.FIELDS`, totals recomputed from their parts.
"""

from __future__ import annotations

from pathlib import Path

from generator.form import FIELDS


def summed_numbers(reports_json: list[str]) -> dict[str, object]:
    from generator.report.model import report_from_json

    values: dict[str, object] = {}
    for text in reports_json:
        numbers = report_from_json(text).numbers
        for f in FIELDS:
            if not f.is_total:
                values[f.id] = values.get(f.id, 0) + numbers[f.id]  # type: ignore[operator]
    return values


def county_workbook(reports_json: list[str], agency: str, year: int, target: Path) -> Path:
    from generator.outputs.workbook import write_workbook
    from generator.report.model import Meta, Numbers, Report

    numbers = Numbers(summed_numbers(reports_json)).with_totals()  # type: ignore[arg-type]
    report = Report(meta=Meta(agency=agency, year=year), numbers=numbers)
    return write_workbook(target, report)
