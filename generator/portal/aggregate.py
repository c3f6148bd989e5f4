"""The county aggregate of the portal: tables 二/三/四 summed over the approved reports, as an
input workbook the county fills in and checks like any agency's.

The sum is :func:`generator.aggregate.sum_numbers`, the one ``batch --aggregate`` makes.  The
portal keeps one submission per agency and approves only reports that passed the checks, so
neither a second copy of an agency nor an unread cell can reach it; with no approved report
the tables are left blank, never 0.
"""

from __future__ import annotations

from pathlib import Path


def county_workbook(reports_json: list[str], agency: str, year: int, target: Path) -> Path:
    from generator.aggregate import sum_numbers
    from generator.outputs.workbook import write_workbook
    from generator.report.model import Meta, Report, report_from_json

    reports = [report_from_json(text) for text in reports_json]
    if not reports:  # the sum of no report is not 0: a blank workbook, as a new one
        return write_workbook(target, agency=agency, year=year)
    report = Report(meta=Meta(agency=agency, year=year), numbers=sum_numbers(reports))
    return write_workbook(target, report)
