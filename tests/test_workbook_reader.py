"""Reading workbooks the way clerks leave them: moved tables, hand-built sheets, text in
number cells, blanks, typed totals, odd dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from generator.errors import InputError
from generator.findings import Severity
from generator.form import (
    FIELDS,
    INPUT_FIELDS,
    META_FIELDS,
    TABLE2,
    TABLE3,
    TABLE4,
    TABLES,
    TEXT_SLOTS,
    TableForm,
)
from generator.inputs.workbook.reader import read_loaded, read_workbook
from generator.outputs.workbook import build_workbook, meta_address, write_workbook
from generator.report.layout import TABLE_SHEETS, CellAddress, default_field_address
from generator.report.model import Report


def _names_on(wb: openpyxl.Workbook, sheet: str) -> dict[str, tuple[int, int]]:
    found = {}
    for name, dn in wb.defined_names.items():
        (s, ref), = dn.destinations
        if s == sheet:
            cell = wb[s][ref.replace("$", "")]
            found[name] = (cell.row, cell.column)
    return found


def insert_rows_and_cols(wb: openpyxl.Workbook, sheet: str, rows: int, cols: int = 0,
                         at_row: int = 1, move_names: bool = True) -> None:
    """What Excel does on "insert rows/columns": cells, merges and (optionally) names move."""
    ws = wb[sheet]
    names = _names_on(wb, sheet)
    ws.insert_rows(at_row, rows)
    if cols:
        ws.insert_cols(1, cols)
    for merged in list(ws.merged_cells.ranges):
        merged.shift(col_shift=cols, row_shift=rows if merged.min_row >= at_row else 0)
    for name, (r, c) in names.items():
        if not move_names:
            del wb.defined_names[name]
            continue
        r = r + rows if r >= at_row else r
        ref = f"{quote_sheetname(sheet)}!${get_column_letter(c + cols)}${r}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)


def _reload(wb: openpyxl.Workbook, path: Path) -> Path:
    wb.save(path)
    return path


# ---------------------------------------------------------------------------
# Moved tables


def test_rows_inserted_above_every_table_still_read(example_report: Report,
                                                    tmp_path: Path) -> None:
    wb = build_workbook(example_report)
    for sheet in TABLE_SHEETS.values():
        insert_rows_and_cols(wb, sheet, rows=3)
    insert_rows_and_cols(wb, "基本信息", rows=2)
    insert_rows_and_cols(wb, "正文", rows=1, at_row=3)
    result = read_workbook(_reload(wb, tmp_path / "moved.xlsx"))
    assert result.report == example_report
    assert str(result.sources["t3.new.natural_person"]) == "表三!D7"
    assert str(result.sources["meta.agency"]) == "基本信息!B4"


def test_without_names_tables_are_found_by_their_labels(example_report: Report,
                                                        tmp_path: Path) -> None:
    wb = build_workbook(example_report)
    for sheet in TABLE_SHEETS.values():
        insert_rows_and_cols(wb, sheet, rows=4, cols=2, move_names=False)
    # and a blank row inserted inside 表三, between （三）1. (now row 12) and （三）2.
    insert_rows_and_cols(wb, "表三", rows=1, at_row=13, move_names=False)
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    result = read_workbook(_reload(wb, tmp_path / "nonames.xlsx"))
    assert result.report == example_report
    assert str(result.sources["t3.new.natural_person"]) == "表三!F8"
    assert str(result.sources["t3.withheld_prohibited_by_law.total"]) == "表三!L14"
    assert str(result.sources["t3.carried_forward.total"]) == "表三!L33"
    assert str(result.sources["t4.cases.suit_after_review_total"]) == "表四!Q8"


def test_renamed_sheets_are_matched_by_content(example_report: Report, tmp_path: Path) -> None:
    wb = build_workbook(example_report)
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    wb["表三"].title = "依申请公开"
    wb["基本信息"].title = "封面"
    result = read_workbook(_reload(wb, tmp_path / "renamed.xlsx"))
    assert result.report == example_report
    assert result.sources["t3.new.total"].sheet == "依申请公开"


def _hand_built(report: Report, drop_label: str = "") -> openpyxl.Workbook:
    """All three tables pasted into one sheet of one's own, flattened (no merges), with
    half-width punctuation and line breaks in the labels, at an offset; totals typed."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "我的报表"
    ws["A1"] = "某镇政务公开年报数据"
    top = 3
    for table in TABLES:
        top = _paste(ws, table, report, top, 2, drop_label) + 3
    info = wb.create_sheet("单位信息")
    for i, m in enumerate(META_FIELDS, start=2):
        info.cell(i, 1, m.label.replace("（", "(").replace("）", ")"))
        value = getattr(report.meta, m.key)
        info.cell(i, 2, value if value not in ("", None) else None)
    text = wb.create_sheet("正文内容")
    for i, slot in enumerate(TEXT_SLOTS, start=3):
        text.cell(i, 2, slot.label)
        part = report.narrative[slot.key]
        text.cell(i, 3, part.heading or None)
        text.cell(i, 4, "\n\n".join(part.paragraphs) or None)
    return wb


def _paste(ws: Worksheet, table: TableForm, report: Report, top: int, left: int,
           drop_label: str) -> int:
    for cell in table.cells:
        target = ws.cell(top + cell.row, left + cell.col)
        if cell.field_id is None:
            if cell.text != drop_label:
                text = cell.text.replace("（", "(").replace("）", ")").replace("：", ":")
                target.value = text[:2] + "\n" + text[2:] if len(text) == 4 else text
        else:
            target.value = report.numbers[cell.field_id]
    return top + table.n_rows


def test_hand_built_workbook_with_official_labels_reads(example_report: Report,
                                                        tmp_path: Path) -> None:
    result = read_workbook(_reload(_hand_built(example_report), tmp_path / "hand.xlsx"))
    assert result.report == example_report
    assert result.findings == ()
    assert result.sources["t2.regulations.issued"] == CellAddress("我的报表", 5, 3)


def test_hand_built_totals_typed_wrong_are_kept_and_reported(example_report: Report,
                                                             tmp_path: Path) -> None:
    wb = _hand_built(example_report)
    ws = wb["我的报表"]
    address = next(a for k, a in read_loaded(wb).sources.items() if k == "t3.new.total")
    ws.cell(address.row, address.col, 5)  # the parts add up to 4
    result = read_workbook(_reload(wb, tmp_path / "typed.xlsx"))
    assert result.report.numbers["t3.new.total"] == 5  # what the clerk typed is kept
    [finding] = [f for f in result.findings if f.rule == "V-4"]
    assert finding.severity is Severity.ERROR
    assert finding.cells == (f"我的报表!{address.coordinate}",)
    assert "5" in finding.message and "4" in finding.message


def test_a_missing_label_is_named(example_report: Report, tmp_path: Path) -> None:
    wb = _hand_built(example_report, drop_label="科研机构")
    with pytest.raises(InputError) as error:
        read_workbook(_reload(wb, tmp_path / "missing.xlsx"))
    assert "科研机构" in str(error.value) and "我的报表" in str(error.value)


def test_a_missing_table_names_the_sheets_searched(example_report: Report,
                                                   tmp_path: Path) -> None:
    wb = build_workbook(example_report)
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    del wb["表四"]
    with pytest.raises(InputError) as error:
        read_workbook(_reload(wb, tmp_path / "no-t4.xlsx"))
    message = str(error.value)
    assert "表四" in message and "行政复议" in message and "表三" in message


# ---------------------------------------------------------------------------
# Values in number cells


def _with(report: Report, tmp_path: Path, values: dict[str, object]) -> Path:
    wb = build_workbook(report)
    for field_id, value in values.items():
        a = default_field_address(next(f for f in FIELDS if f.id == field_id))
        wb[a.sheet].cell(a.row, a.col).value = value
    return _reload(wb, tmp_path / "values.xlsx")


def test_text_in_a_number_cell_names_the_cell(example_report: Report, tmp_path: Path) -> None:
    result = read_workbook(_with(example_report, tmp_path, {
        "t2.normative_documents.issued": "22（其中修订16件）",
        "t3.carried_over.research": "/",
    }))
    errors = {f.cells[0]: f for f in result.findings if f.rule == "V-3"}
    assert set(errors) == {"表二!B4", "表三!F5"}
    message = errors["表二!B4"].message
    assert message.startswith("表二!B4 填写的是文字“22（其中修订16件）”")
    assert "请改为数字" in message
    assert errors["表二!B4"].severity is Severity.ERROR
    assert result.report.numbers["t2.normative_documents.issued"] == 0


def test_number_normalisation(example_report: Report, tmp_path: Path) -> None:
    result = read_workbook(_with(example_report, tmp_path, {
        "t2.licensing.decisions": "１２",
        "t2.penalty.decisions": " 1,234 ",
        "t2.fees.amount": "０.３５",
        "t3.new.commercial": 2.0,
        "t3.new.research": 2.5,
        "t3.new.public_interest": -3,
    }))
    numbers = result.report.numbers
    assert numbers["t2.licensing.decisions"] == 12
    assert numbers["t2.penalty.decisions"] == 1234
    assert numbers["t2.fees.amount"] == Decimal("0.35")
    assert numbers["t3.new.commercial"] == 2 and isinstance(numbers["t3.new.commercial"], int)
    assert numbers["t3.new.research"] == Decimal("2.5")  # kept; the checker's V-1 flags it
    assert numbers["t3.new.public_interest"] == -3
    assert numbers["t3.new.total"] == Decimal("5.5")  # 4 + 2 + 2.5 − 3
    assert [f.rule for f in result.findings] == []


def test_error_values_booleans_and_dates_are_errors(example_report: Report,
                                                    tmp_path: Path) -> None:
    wb = build_workbook(example_report)
    ws = wb["表四"]
    ws["A4"] = True
    ws["B4"] = date(2025, 3, 1)
    ws["C4"].value = "#REF!"
    ws["C4"].data_type = "e"
    result = read_workbook(_reload(wb, tmp_path / "odd.xlsx"))
    found = {f.cells[0]: f.message for f in result.findings if f.rule == "V-3"}
    assert set(found) == {"表四!A4", "表四!B4", "表四!C4"}
    assert "#REF!" in found["表四!C4"]
    assert "日期" in found["表四!B4"]


def test_blank_cells_are_zero_and_listed_once_per_sheet(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "blank.xlsx", agency="某镇人民政府", year=2025)
    result = read_workbook(path)
    assert set(result.blanks) == {f.id for f in INPUT_FIELDS}
    assert all(v == 0 for v in result.report.numbers.values.values())
    notices = [f for f in result.findings if f.rule == "V-2"]
    assert [f.sheet for f in notices] == ["表二", "表三", "表四"]
    assert all(f.severity is Severity.NOTICE for f in notices)
    t3 = notices[1]
    assert len(t3.cells) == len(TABLE3.input_fields) == 144
    assert "表三!D4" in t3.cells and "表三!J4" not in t3.cells
    assert "144" in t3.message
    assert len(notices[0].cells) == len(TABLE2.input_fields)
    assert len(notices[2].cells) == len(TABLE4.input_fields)


def test_blank_workbook_meta_and_default_text(tmp_path: Path) -> None:
    result = read_workbook(write_workbook(tmp_path / "b.xlsx", agency="某镇人民政府", year=2025))
    meta = result.report.meta
    assert (meta.agency, meta.year, meta.publish_date) == ("某镇人民政府", 2025, None)
    # opening and fee cells hold formulas: they mean "print the generator's default"
    assert result.report.narrative["opening"].paragraphs == ()
    assert result.report.narrative["other.fees"].paragraphs == ()
    assert not [f for f in result.findings if f.rule != "V-2"]


def test_cached_formula_value_that_disagrees_is_reported(example_report: Report,
                                                         tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "x.xlsx", example_report)
    wb = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    cached["表三"]["J4"] = 7  # as if Excel had cached 7 for =SUM(D4:I4)
    cached["表三"]["D27"] = 4  # agrees with the parts: no finding
    result = read_loaded(wb, cached)
    [finding] = result.findings
    assert (finding.rule, finding.cells, finding.found, finding.expected) == (
        "V-4", ("表三!J4",), 7, 4)
    assert result.report.numbers["t3.new.total"] == 4  # formula cells keep the recomputed sum


def test_a_typed_total_that_agrees_is_silent(example_report: Report, tmp_path: Path) -> None:
    result = read_workbook(_with(example_report, tmp_path, {"t3.new.total": 4,
                                                            "t4.cases.review_total": None}))
    assert result.findings == ()
    assert result.report.numbers["t4.cases.review_total"] == 0  # blank total: recomputed


# ---------------------------------------------------------------------------
# 基本信息 and 正文


def _meta_with(tmp_path: Path, **values: object) -> Path:
    wb = build_workbook(agency="某镇人民政府", year=2025)
    for key, value in values.items():
        a = meta_address(key)
        wb[a.sheet].cell(a.row, a.col).value = value
    return _reload(wb, tmp_path / "meta.xlsx")


@pytest.mark.parametrize("raw,year", [("2025", 2025), ("2025年", 2025), (2025.0, 2025),
                                      ("２０２５", 2025), ("2025年度", 2025)])
def test_year_forms(tmp_path: Path, raw: object, year: int) -> None:
    assert read_workbook(_meta_with(tmp_path, year=raw)).report.meta.year == year


@pytest.mark.parametrize("raw", ["2026年1月20日", "2026-01-20", "2026/1/20", "２０２６年１月２０日",
                                 date(2026, 1, 20)])
def test_publish_date_forms(tmp_path: Path, raw: object) -> None:
    meta = read_workbook(_meta_with(tmp_path, publish_date=raw)).report.meta
    assert meta.publish_date == date(2026, 1, 20)


def test_bad_meta_values_are_reported(tmp_path: Path) -> None:
    result = read_workbook(_meta_with(tmp_path, publish_date="明年一月", year="二〇二五",
                                      processing_fee="120.50"))
    cells = {f.cells[0] for f in result.findings if f.rule == "V-3"}
    assert cells == {str(meta_address("publish_date")), str(meta_address("year"))}
    assert result.report.meta.processing_fee == Decimal("120.50")
    assert result.report.meta.publish_date is None


def test_text_keeps_special_characters_and_splits_lines(example_report: Report,
                                                        tmp_path: Path) -> None:
    wb = build_workbook(example_report)
    ws = wb["正文"]
    ws["C9"] = "  第一段 & <b> {{ x }} 镕喆堃\r\n\n\u3000\u3000第二段 {% if %}  \n   "
    ws["B12"] = "落实政务公开工作要点情况"
    ws["C12"] = "按要点落实。"
    result = read_workbook(_reload(wb, tmp_path / "t.xlsx"))
    narrative = result.report.narrative
    slot = next(s for s in TEXT_SLOTS if str(result.sources[f"text.{s.key}"]) == "正文!C9")
    assert narrative[slot.key].paragraphs == ("第一段 & <b> {{ x }} 镕喆堃", "第二段 {% if %}")
    assert narrative["other.extra1"].heading == "落实政务公开工作要点情况"
    assert narrative["other.extra1"].paragraphs == ("按要点落实。",)


def test_a_formula_in_an_ordinary_text_cell_is_reported(example_report: Report,
                                                        tmp_path: Path) -> None:
    wb = build_workbook(example_report)
    wb["正文"]["C11"] = '="公式"&"文字"'  # 六（二）: no default stands behind it
    wb["正文"]["C10"] = '="按"&"默认"'  # 六（一）: a formula there means "the default"
    result = read_workbook(_reload(wb, tmp_path / "f.xlsx"))
    [finding] = result.findings
    assert finding.cells == ("正文!C11",) and "公式" in finding.message
    assert result.report.narrative["other.fees"].paragraphs == ()


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputError):
        read_workbook(bad)
    assert TABLE4.name == "表四"
