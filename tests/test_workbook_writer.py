"""The blank workbook ``nianbao init`` writes: sheets, grid, shading, protection, names,
formulas, validation, check cells — and the command itself."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.form import (
    AGENCY_LEVELS,
    FIELDS,
    META_FIELDS,
    TABLE3,
    TABLE4,
    TABLES,
    TEXT_SLOTS,
    ValueKind,
)
from generator.outputs.workbook import (
    INPUT_FILL,
    TOTAL_FILL,
    check_row,
    meta_address,
    write_workbook,
)
from generator.report.layout import (
    SHEET_ORDER,
    default_field_address,
    defined_name,
    meta_key,
    text_heading_key,
    text_key,
)
from generator.report.model import Report


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = write_workbook(tmp_path_factory.mktemp("wb") / "blank.xlsx",
                          agency="某镇人民政府", year=2025)
    return openpyxl.load_workbook(path)


def _destination(wb: openpyxl.Workbook, key: str) -> tuple[str, str]:
    (sheet, ref), = wb.defined_names[defined_name(key)].destinations
    return sheet, ref.replace("$", "")


def test_sheets_in_order(blank: openpyxl.Workbook) -> None:
    assert tuple(blank.sheetnames) == SHEET_ORDER
    assert blank.active.title == "基本信息"


def test_every_input_cell_has_a_name_an_unlocked_yellow_cell(blank: openpyxl.Workbook) -> None:
    keys = [f.id for f in FIELDS] + [meta_key(m.key) for m in META_FIELDS]
    keys += [text_key(s.key) for s in TEXT_SLOTS]
    keys += [text_heading_key(s.key) for s in TEXT_SLOTS if s.custom_heading]
    assert len(blank.defined_names) == len(keys)
    for key in keys:
        sheet, ref = _destination(blank, key)
        cell = blank[sheet][ref]
        total = key in {f.id for f in FIELDS if f.is_total}
        assert cell.fill.fgColor.rgb.endswith((TOTAL_FILL if total else INPUT_FILL).fgColor.rgb)
        assert cell.protection.locked is total, key


def test_labels_merges_and_positions_are_the_form(blank: openpyxl.Workbook) -> None:
    for table in TABLES:
        ws = blank[table.name]
        merges = {str(m) for m in ws.merged_cells.ranges}
        for cell in table.cells:
            top = ws.cell(cell.row + 1, cell.col + 1)
            if cell.field_id is None:
                assert top.value == cell.text
                assert top.protection.locked
            if cell.rowspan > 1 or cell.colspan > 1:
                last = ws.cell(cell.last_row + 1, cell.last_col + 1)
                assert f"{top.coordinate}:{last.coordinate}" in merges
    assert blank["表三"]["A6"].value == "三、本年度办理结果"
    assert "A6:A27" in {str(m) for m in blank["表三"].merged_cells.ranges}


def test_sheets_are_protected_without_password(blank: openpyxl.Workbook) -> None:
    for ws in blank.worksheets:
        assert ws.protection.sheet
        assert not ws.protection.password


def test_totals_are_sum_formulas(blank: openpyxl.Workbook) -> None:
    ws = blank["表三"]
    assert ws["J4"].value == "=SUM(D4:I4)"
    assert ws["D27"].value == "=SUM(D6:D26)"
    assert ws["J27"].value == "=SUM(D27:I27)"
    assert blank["表四"]["E4"].value == "=SUM(A4:D4)"
    assert blank["表四"]["O4"].value == "=SUM(K4:N4)"
    totals = [f for f in FIELDS if f.is_total]
    assert len(totals) == 25 + 6 + 3
    for f in totals:
        a = default_field_address(f)
        assert str(blank[a.sheet][a.coordinate].value).startswith("=SUM(")


def test_check_cells_and_their_red_rule(blank: openpyxl.Workbook) -> None:
    ws = blank["表三"]
    row = check_row(TABLE3)
    assert ws.cell(row, 4).value == '=IF(D4+D5=D27+D28,"✓ 平衡","✗ 不平衡")'
    rules = {str(r.sqref): r.rules[0].formula[0] for r in ws.conditional_formatting}
    assert rules[f"D{row}"] == "(D4+D5)<>(D27+D28)"
    assert len([c for c in rules if c.endswith(str(row))]) == 7
    t4 = blank["表四"]
    checks = [t4.cell(check_row(TABLE4), c).value for c in (1, 6, 11)]
    assert checks[0].startswith("=IF(E4=A4+B4+C4+D4,")
    assert len({str(r.sqref) for r in t4.conditional_formatting}) == 3


def test_data_validation(blank: openpyxl.Workbook) -> None:
    def validations(sheet: str) -> dict[str, object]:
        found = {}
        for dv in blank[sheet].data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                for row in blank[sheet][rng.coord] if ":" in rng.coord else [[blank[sheet][rng.coord]]]:
                    for cell in row:
                        found[cell.coordinate] = dv
        return found

    t3 = validations("表三")
    for f in TABLE3.input_fields:
        dv = t3[default_field_address(f).coordinate]
        assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
        assert dv.prompt and dv.error and "0" in dv.error
    t2 = validations("表二")
    amount = next(f for f in FIELDS if f.kind is ValueKind.AMOUNT)
    assert t2[default_field_address(amount).coordinate].type == "decimal"
    meta = validations("基本信息")
    year = meta[meta_address("year").coordinate]
    assert (year.type, year.formula1, year.formula2) == ("whole", "2021", "2100")
    level = meta[meta_address("level").coordinate]
    assert level.type == "list" and all(a in level.formula1 for a in AGENCY_LEVELS)


def test_blank_text_cells_hold_default_formulas(blank: openpyxl.Workbook) -> None:
    sheet, ref = _destination(blank, text_key("opening"))
    assert blank[sheet][ref].value.startswith("=IF(")
    sheet, ref = _destination(blank, text_key("other.fees"))
    assert "国办函〔2020〕109号" in blank[sheet][ref].value
    sheet, ref = _destination(blank, text_key("problems"))
    assert blank[sheet][ref].value is None
    assert blank["基本信息"][meta_address("agency").coordinate].value == "某镇人民政府"
    assert blank["基本信息"][meta_address("year").coordinate].value == 2025


def test_print_setup(blank: openpyxl.Workbook) -> None:
    for name in ("表三", "表四"):
        ws = blank[name]
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage


# ---------------------------------------------------------------------------
# nianbao init


def test_init_writes_refuses_and_forces(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "x.xlsx"
    result = runner.invoke(main, ["init", str(target), "--agency", "某镇人民政府", "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "已生成" in result.output and "nianbao check" in result.output
    assert openpyxl.load_workbook(target)["基本信息"]["B2"].value == "某镇人民政府"
    before = target.read_bytes()
    again = runner.invoke(main, ["init", str(target)])
    assert again.exit_code == 2
    assert "已存在" in again.output and "--force" in again.output
    assert target.read_bytes() == before
    forced = runner.invoke(main, ["init", str(target), "--force"])
    assert forced.exit_code == 0
    assert openpyxl.load_workbook(target)["基本信息"]["B2"].value is None


def test_init_default_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "--agency", "某镇人民政府", "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "某镇人民政府2025年政府信息公开工作年度报告填报表.xlsx").exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "某镇人民政府2025年政府信息公开工作年度报告填报表.xlsx"]


def test_init_rejects_a_bad_year(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "y.xlsx"), "--year", "25"])
    assert result.exit_code == 2
    assert not (tmp_path / "y.xlsx").exists()


def test_the_sheets_are_written_in_utf8_and_read_as_openpyxl_wrote_them(
        tmp_path: Path, example_report: Report) -> None:
    # openpyxl writes each non-ASCII character of a sheet as &#NNNNN;; the file nianbao
    # saves holds the same document in UTF-8, as Excel writes it.
    import io
    import re
    import zipfile

    from generator.inputs.workbook.grid import grid_from_bytes
    from generator.outputs.workbook import build_workbook, write_workbook

    target = write_workbook(tmp_path / "年报.xlsx", example_report)
    saved = target.read_bytes()
    as_openpyxl_saves = io.BytesIO()
    build_workbook(example_report).save(as_openpyxl_saves)
    with zipfile.ZipFile(target) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
        with zipfile.ZipFile(as_openpyxl_saves) as original:
            assert archive.namelist() == original.namelist()
            assert b"&#" in original.read("xl/worksheets/sheet3.xml")
    # only references that must stay so (a line break or a tab in an attribute) are left
    assert sheets and not any(re.search(rb"&#(?!(?:9|10|13|x9|xA|xD);)", s) for s in sheets)
    assert "本年度报告" in sheets[2].decode("utf-8")  # the 正文 sheet, in plain UTF-8
    assert len(saved) <= len(as_openpyxl_saves.getvalue())
    ours, theirs = grid_from_bytes(saved), grid_from_bytes(as_openpyxl_saves.getvalue())
    assert ours.sheet_names == theirs.sheet_names
    assert dict(ours.named_cells) == dict(theirs.named_cells)
    for name in ours.sheet_names:
        assert dict(ours[name].cells) == dict(theirs[name].cells)
        assert ours[name].merged == theirs[name].merged
    reloaded = openpyxl.load_workbook(target)  # and openpyxl itself reads it as before
    assert reloaded["正文"]["C2"].value == openpyxl.load_workbook(
        io.BytesIO(as_openpyxl_saves.getvalue()))["正文"]["C2"].value
