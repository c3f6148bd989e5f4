"""Real published reports (shared/samples/real/): every number imported as printed.

The five files are three agencies' reports in the shapes in which reports reach a county
office (a crawler's one-node-per-line text, the published PDF, its ``pdftotext -layout``, the
portal's HTML and a browser copy of it).  ``expected_numbers.json`` holds the numbers read by
eye; table 3 rows are in form order, table 4 in column order.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from generator.checks.checker import check_report
from generator.findings import Severity
from generator.form import FIELD_BY_ID, INPUT_FIELDS, T3_COLUMNS, TABLE3, TABLE4
from generator.inputs.importers import import_report
from generator.outputs.workbook import write_workbook
from generator.report.layout import default_field_address

REAL = Path("/work/shared/samples/real")
EXPECTED = json.loads((REAL / "expected_numbers.json").read_text(encoding="utf-8"))
FILES = sorted(p.name for p in REAL.iterdir() if p.suffix in (".txt", ".html", ".pdf"))

T2_KEYS = {
    "regulations.made": "t2.regulations.issued",
    "regulations.repealed": "t2.regulations.repealed",
    "regulations.in_force": "t2.regulations.in_force",
    "normative_documents.made": "t2.normative_documents.issued",
    "normative_documents.repealed": "t2.normative_documents.repealed",
    "normative_documents.in_force": "t2.normative_documents.in_force",
    "licensing": "t2.licensing.decisions",
    "punishment": "t2.penalty.decisions",
    "coercion": "t2.coercion.decisions",
    "admin_fees_wan_yuan": "t2.fees.amount",
}


def expected_fields(name: str) -> dict[str, Decimal]:
    """Field id → expected number, from expected_numbers.json's layout."""
    e = EXPECTED[name.split(".")[0]]
    out = {T2_KEYS[k]: Decimal(str(v)) for k, v in e["table2"].items()}
    rows = list(dict.fromkeys(f.row for f in sorted(TABLE3.fields,
                                                     key=lambda f: (f.grid_row, f.grid_col))))
    assert len(rows) == len(e["table3"])
    for row, values in zip(rows, e["table3"].values()):
        for (col, _), v in zip(T3_COLUMNS, values):
            out[f"t3.{row}.{col}"] = Decimal(v)
    for f, v in zip(sorted(TABLE4.fields, key=lambda f: f.grid_col), e["table4"]):
        out[f.id] = Decimal(v)
    return out


def test_every_shape_is_here() -> None:
    assert len(FILES) == 5 and {p.split(".")[-1] for p in FILES} == {"txt", "html", "pdf"}


@pytest.fixture(scope="module", params=FILES)
def imported(request: pytest.FixtureRequest):  # noqa: ANN201
    return request.param, import_report(REAL / request.param)


def test_every_number_equals_the_published_one(imported) -> None:  # noqa: ANN001
    name, result = imported
    numbers = result.report.numbers
    expected = expected_fields(name)
    wrong = {fid: (numbers.values.get(fid), want) for fid, want in expected.items()
             if numbers.values.get(fid) != want}
    assert wrong == {}
    assert result.unread == () and result.complete
    assert all("全部读出" in line for line in result.table_status), result.table_status


def test_agency_and_year(imported) -> None:  # noqa: ANN001
    name, result = imported
    agency = {"sanming": "三明市", "hongze": "淮安市洪泽区人民政府", "putian": "莆田市城市管理局"}
    meta = result.report.meta
    assert meta.agency == agency[name.split("-")[0]]
    assert meta.year == int(name.split(".")[0].rsplit("-", 1)[1])


def test_check_raises_no_error_and_no_proposals_warning(imported) -> None:  # noqa: ANN001
    _, result = imported
    findings = check_report(result.report)
    errors = [f for f in findings if f.severity is Severity.ERROR and f.rule != "S-3"]
    assert errors == []
    assert not [f for f in findings if f.rule == "S-1" and "建议提案" in f.message
                and f.severity is not Severity.NOTICE]


def test_no_false_topic_warning(imported) -> None:  # noqa: ANN001
    """平台建设方面 and the like are the form's topics: no S-1 for a missing topic of 一."""
    _, result = imported
    findings = check_report(result.report)
    assert not [f for f in findings if f.rule == "S-1" and "一、总体情况" in f.message]


def test_six_holds_no_signature_or_attachment(imported) -> None:  # noqa: ANN001
    _, result = imported
    six = [p for key, part in result.report.narrative.parts.items() if key.startswith("other")
           for p in part.paragraphs]
    agency = result.report.meta.agency
    for paragraph in six:
        assert "附件下载" not in paragraph and ".pdf" not in paragraph
        assert paragraph.strip() != agency and "此件主动公开" not in paragraph
        assert not paragraph.strip().endswith("日") or "。" in paragraph


def test_workbook_holds_the_numbers(imported, tmp_path: Path) -> None:  # noqa: ANN001
    name, result = imported
    target = write_workbook(tmp_path / "out.xlsx", result.report)
    wb = load_workbook(target)
    expected = expected_fields(name)
    for f in INPUT_FIELDS:
        address = default_field_address(FIELD_BY_ID[f.id])
        value = wb[address.sheet].cell(address.row, address.col).value
        assert value is not None and Decimal(str(value)) == expected[f.id], f.id
