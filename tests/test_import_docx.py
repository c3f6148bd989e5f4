"""Importing a report typed in Word/WPS: paragraphs, official tables with merged cells."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import docx
import pytest

from generator.errors import InputError
from generator.form import FIELDS, TABLE2, TABLE3, TABLE4, TableForm
from generator.inputs.importers import import_report

LINE_BREAKS = {"商业企业": "商业\n企业", "结果纠正": "结果\n纠正", "其他结果": "其他\n结果",
               "行政规范性文件": "规范性文件"}


def add_table(document: docx.document.Document, table: TableForm, values: dict[str, str]) -> None:
    """The official grid typed in Word: merged with Word's own merge (gridSpan / vMerge)."""
    grid = document.add_table(rows=table.n_rows, cols=table.n_cols)
    for cell in table.cells:
        target = grid.cell(cell.row, cell.col)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(grid.cell(cell.last_row, cell.last_col))
        text = values.get(cell.field_id, "") if cell.field_id else LINE_BREAKS.get(cell.text, cell.text)
        lines = text.split("\n")
        paragraph = target.paragraphs[0]
        run = paragraph.add_run(lines[0])
        for line in lines[1:]:
            run.add_break()
            run.add_text(line)


def values() -> dict[str, str]:
    out = {f.id: str(3 * i + 1) for i, f in enumerate(FIELDS)}
    out["t2.fees.amount"] = "12.5"
    out["t4.cases.review_total"] = ""
    return out


def word_report(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("某县某局")
    document.add_paragraph("2024年政府信息公开工作年度报告")
    document.add_paragraph("本年度报告根据条例编制。如有疑问请与某县某局联系（咨询电话：0123-1234567）。")
    document.add_paragraph("一、总体情况")
    document.add_paragraph("（一）主动公开情况。全年主动公开信息50条。")
    document.add_paragraph("（二）依申请公开情况")
    document.add_paragraph("收到申请3件。")
    for table in (TABLE2, TABLE3, TABLE4):
        document.add_paragraph(table.section_heading)
        add_table(document, table, values())
    document.add_paragraph("五、存在的主要问题及改进情况")
    document.add_paragraph("主要问题：一是不足。")
    document.add_paragraph("六、其他需要报告的事项")
    document.add_paragraph("（一）收取信息处理费情况")
    document.add_paragraph("本年度共收取信息处理费120元。")
    document.add_paragraph("某县某局")
    document.add_paragraph("2025年1月15日")
    document.save(str(path))


def test_word_report_with_merged_cells(tmp_path: Path) -> None:
    path = tmp_path / "某局年报.docx"
    word_report(path)
    result = import_report(path)
    report = result.report
    expected = {fid: (Decimal(t) if fid == "t2.fees.amount" else int(t or 0))
                for fid, t in values().items()}
    assert {f.id: report.numbers[f.id] for f in FIELDS} == expected
    assert result.blanks == ("t4.cases.review_total",)
    assert result.unmapped == []
    assert result.source_format == "docx"
    # Merges read from the XML, not guessed: no note about reading in official order.
    assert not any("栏目顺序" in note for note in result.notes)
    meta = report.meta
    assert (meta.agency, meta.year, meta.phone) == ("某县某局", 2024, "0123-1234567")
    assert meta.publish_date is not None and meta.publish_date.isoformat() == "2025-01-15"
    assert meta.processing_fee == Decimal(120)
    assert report.narrative["overview.proactive"].paragraphs == ("全年主动公开信息50条。",)
    assert report.narrative["overview.on_request"].paragraphs == ("收到申请3件。",)
    assert report.narrative["other.fees"].paragraphs == ("本年度共收取信息处理费120元。",)
    assert report.narrative["problems"].paragraphs == ("主要问题：一是不足。",)


def test_old_doc_and_broken_docx_are_refused_in_chinese(tmp_path: Path) -> None:
    fake = tmp_path / "report.docx"
    fake.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(InputError, match="另存为 .docx"):
        import_report(fake)
    with pytest.raises(InputError, match="PDF"):
        (tmp_path / "r.pdf").write_bytes(b"%PDF-1.4")
        import_report(tmp_path / "r.pdf")
