"""The county's summary workbook (汇总-<年度>.xlsx), read back with openpyxl."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from generator.batch import BatchItem, KeyTotals, Status
from generator.batch_summary import COLUMNS, first_error_text, write_summary
from generator.cli import main
from generator.outputs.workbook import write_workbook
from generator.report.model import Report

HEADINGS = [c.heading for c in COLUMNS]


def _totals(new: int) -> KeyTotals:
    return KeyTotals(proactive_items=100 + new, new_requests=new, disclosed=new // 2,
                     review_total=1, litigation_total=0)


@pytest.fixture()
def items(tmp_path: Path) -> list[BatchItem]:
    """Five workbooks in folder order, the problems among them not first."""
    source = tmp_path / "收到的工作簿"
    out = tmp_path / "生成结果"
    source.mkdir()
    out.mkdir()

    def made(name: str, *suffixes: str) -> tuple[Path, ...]:
        paths = tuple(out / f"{name}2025年政府信息公开工作年度报告{s}" for s in suffixes)
        for path in paths:
            path.write_bytes(b"x")
        return paths

    for name in ("a", "b", "c", "d", "e"):
        (source / f"{name}.xlsx").write_bytes(b"x")
    return [
        BatchItem(source / "a.xlsx", Status.PASSED, "甲镇人民政府", 2025, totals=_totals(4),
                  outputs=made("甲镇人民政府", ".docx", ".pdf")),
        BatchItem(source / "b.xlsx", Status.WARNINGS, "乙镇人民政府", 2025, warnings=2,
                  totals=_totals(6), outputs=made("乙镇人民政府", ".docx", ".pdf")),
        BatchItem(source / "c.xlsx", Status.ERRORS, "丙镇人民政府", 2025, errors=2,
                  first_error="表三!E10 表三!E10 填写的是文字“abc”，此处只能填数字。",
                  totals=_totals(10)),
        BatchItem(source / "d.xlsx", Status.PASSED, "丁镇人民政府", 2025, totals=_totals(1),
                  outputs=made("丁镇人民政府", ".docx", ".pdf")),
        BatchItem(source / "e.xlsx", Status.UNREADABLE, errors=1,
                  first_error="e.xlsx：文件已损坏，\n请重新保存。"),
    ]


def _summary(items: list[BatchItem], tmp_path: Path):  # noqa: ANN202
    target = write_summary(items, tmp_path / "生成结果" / "汇总-2025.xlsx",
                           tmp_path / "收到的工作簿")
    return target, load_workbook(target).active


def test_problem_rows_first_then_warnings_then_passed(items: list[BatchItem],
                                                      tmp_path: Path) -> None:
    _, ws = _summary(items, tmp_path)
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADINGS, "报告（Word）", "报告（PDF）"]
    statuses = [row[2] for row in rows[1:-1]]
    assert statuses == ["无法读取", "有错误", "有警告", "通过", "通过"]
    assert [row[0] for row in rows[1:-1]] == ["e.xlsx", "c.xlsx", "b.xlsx", "a.xlsx", "d.xlsx"]


def test_first_error_is_said_once_on_one_line(items: list[BatchItem], tmp_path: Path) -> None:
    _, ws = _summary(items, tmp_path)
    column = HEADINGS.index("第一个错误") + 1
    assert ws.cell(3, column).value == "表三!E10 填写的是文字“abc”，此处只能填数字。"
    assert ws.cell(2, column).value == "e.xlsx：文件已损坏， 请重新保存。"
    # a message that does not name its cell keeps the cell in front of it
    item = BatchItem(Path("x.xlsx"), Status.ERRORS, first_error="表三!D4 表三自然人列：两者应相等")
    assert first_error_text(item) == "表三!D4 表三自然人列：两者应相等"


def test_total_row_sums_the_main_numbers(items: list[BatchItem], tmp_path: Path) -> None:
    _, ws = _summary(items, tmp_path)
    rows = list(ws.iter_rows(values_only=True))
    total = dict(zip(rows[0], rows[-1]))
    assert total["文件"] == "合计" and total["机关名称"] == "共 5 个工作簿"
    assert total["新收申请总计"] == 4 + 6 + 10 + 1
    assert total["主动公开信息（条）"] == 104 + 106 + 110 + 101
    assert total["予以公开"] == 2 + 3 + 5 + 0
    assert total["行政复议总计"] == 4 and total["行政诉讼总计"] == 0
    assert total["错误数"] == 3 and total["警告数"] == 2
    assert ws.auto_filter.ref == f"A1:M{len(rows) - 1}"  # sorting leaves 合计 at the bottom


def test_links_open_the_generated_files_and_the_workbook(items: list[BatchItem],
                                                         tmp_path: Path) -> None:
    target, ws = _summary(items, tmp_path)
    word, pdf = len(HEADINGS) + 1, len(HEADINGS) + 2
    passed_row = 5  # a.xlsx: 甲镇
    for column, suffix in ((word, ".docx"), (pdf, ".pdf")):
        cell = ws.cell(passed_row, column)
        assert cell.value == f"甲镇人民政府2025年政府信息公开工作年度报告{suffix}"
        assert (target.parent / cell.hyperlink.target).resolve() == \
            (tmp_path / "生成结果" / cell.value).resolve()
    source_link = ws.cell(passed_row, 1).hyperlink.target
    assert (target.parent / source_link).resolve() == (tmp_path / "收到的工作簿" / "a.xlsx")
    assert ws.cell(3, word).value is None and ws.cell(3, word).hyperlink is None  # 有错误


def test_status_colours_frozen_header_landscape_one_page_wide(items: list[BatchItem],
                                                               tmp_path: Path) -> None:
    _, ws = _summary(items, tmp_path)
    fills = {ws.cell(r, 3).value: ws.cell(r, 3).fill.fgColor.rgb for r in range(2, 7)}
    assert fills == {"无法读取": "00C00000", "有错误": "00FFC7CE", "有警告": "00FFEB9C",
                     "通过": "00C6EFCE"}
    assert ws.freeze_panes == "A2"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$1:$1"


def test_a_number_that_could_not_be_read_is_blank_never_0(tmp_path: Path,
                                                           example_report: Report) -> None:
    """表四!B4 = 「两件」 (V-3): the agency's 行政复议总计 is not known, so its cell is blank;
    the numbers that do not depend on that cell are still shown."""
    root = tmp_path / "收到的工作簿"
    root.mkdir()
    write_workbook(root / "good.xlsx", replace(example_report, meta=replace(
        example_report.meta, agency="甲镇人民政府", signatory="")))
    write_workbook(root / "bad.xlsx", example_report)
    wb = load_workbook(root / "bad.xlsx")
    wb["表四"]["B4"] = "两件"
    wb.save(root / "bad.xlsx")
    out = tmp_path / "生成结果"
    result = CliRunner().invoke(main, ["batch", str(root), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 1, result.output

    rows = list(load_workbook(out / "汇总-2025.xlsx").active.iter_rows(values_only=True))
    by_file = {row[0]: dict(zip(rows[0], row)) for row in rows[1:-1]}
    bad, good = by_file["bad.xlsx"], by_file["good.xlsx"]
    assert bad["状态"] == "有错误" and "表四!B4" in bad["第一个错误"]
    assert bad["行政复议总计"] is None
    assert bad["新收申请总计"] == 4 and bad["予以公开"] == 2 and bad["行政诉讼总计"] == 0
    assert good["行政复议总计"] == 0  # a 0 that was read stays 0
    # the 合计 row adds up the numbers that are known
    total = dict(zip(rows[0], rows[-1]))
    assert total["新收申请总计"] == 8 and total["行政复议总计"] == 0
