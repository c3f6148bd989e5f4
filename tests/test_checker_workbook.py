"""The checker on real workbook files: reading findings (V-2, V-3, V-4) and rules together."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from generator.app import check as check_workbook
from generator.errors import InputError
from generator.findings import Severity


def edited(example: Path, tmp_path: Path, name: str = "edited.xlsx", **cells: object) -> Path:
    """A copy of the example workbook with cells changed: 表三__D6=3 sets 表三!D6."""
    wb = openpyxl.load_workbook(example)
    for key, value in cells.items():
        sheet, coordinate = key.split("__")
        wb[sheet][coordinate] = value
    target = tmp_path / name
    wb.save(target)
    return target


def test_example_workbook_is_clean(example_workbook: Path) -> None:
    result = check_workbook(example_workbook)
    assert result.findings == ()
    assert not result.has_errors


def test_unreadable_file_raises_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(InputError):
        check_workbook(bad)


def test_v2_blank_cell_is_a_notice(example_workbook: Path, tmp_path: Path) -> None:
    path = edited(example_workbook, tmp_path, 表二__B7=None)
    result = check_workbook(path)
    (finding,) = result.findings
    assert (finding.rule, finding.severity) == ("V-2", Severity.NOTICE)
    assert finding.message == ("表二 有 1 个数字格未填写（B7），已按 0 处理；正式报告中显示为 0。"
                               "如确实为零，建议填写 0。")
    assert finding.cells == ("表二!B7",)
    assert not result.has_errors


def test_v3_text_in_number_cell(example_workbook: Path, tmp_path: Path) -> None:
    path = edited(example_workbook, tmp_path, 表三__E10="/")
    (finding,) = check_workbook(path).findings
    assert (finding.rule, finding.severity) == ("V-3", Severity.ERROR)
    assert finding.message == "表三!E10 填写的是文字“/”，此处只能填数字，请改为数字（没有请填 0）。"
    assert finding.cells == ("表三!E10",)


def test_typed_total_is_reported_once_by_its_identity(example_workbook: Path,
                                                      tmp_path: Path) -> None:
    # The clerk typed 5 over the formula of J4 (一、本年新收 总计); the parts add up to 4.
    path = edited(example_workbook, tmp_path, 表三__J4=5)
    result = check_workbook(path)
    errors = result.errors
    assert [f.rule for f in errors] == ["T3-1", "T3-3"]  # no V-4 repeating T3-3
    assert all(f.hint == "很可能是 表三!J4 填错：应为 4，现为 5" for f in errors)


def test_v4_cached_formula_value_disagrees(example_workbook: Path, tmp_path: Path) -> None:
    # A formula whose value Excel saved as 9 while its parts add up to 4.
    path = edited(example_workbook, tmp_path)
    patched = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode("utf-8")
                text = re.sub(r'(<c r="J4"[^>]*><f>SUM\(D4:I4\)</f>)<v\s*(?:/>|></v>)',
                              r"\1<v>9</v>", text)
                data = text.encode("utf-8")
            dst.writestr(item, data)
    (finding,) = check_workbook(patched).findings
    assert (finding.rule, finding.severity) == ("V-4", Severity.ERROR)
    assert finding.message == ("表三!J4 公式的计算结果是 9，但 D4 至 I4 相加等于 4。"
                               "合计格应等于各项之和，请恢复公式或改正数字。")


def test_wrong_input_under_formula_totals(example_workbook: Path, tmp_path: Path) -> None:
    # With formula totals, D6 wrong moves J6 and D27 with it: only T3-1 can see it.
    path = edited(example_workbook, tmp_path, 表三__D6=3)
    result = check_workbook(path)
    # One wrong input, one finding: it names 自然人's input cells, D6 (the edited one) among
    # them, and no formula cell of the 总计 column or of （七）总计.
    (t31,) = result.errors
    assert t31.rule == "T3-1" and t31.message.startswith("表三“自然人”列：“一、本年新收”")
    assert "表三!D6" in t31.cells and "表三!D27" not in t31.cells
    assert not any(cell.startswith("表三!J") for cell in t31.cells)
    assert "表三!D6:D26" in t31.hint


def test_previous_year_workbook(example_workbook: Path, tmp_path: Path) -> None:
    last = edited(example_workbook, tmp_path, "last.xlsx", 表三__D28=2, 基本信息__B3=2024)
    result = check_workbook(example_workbook, previous=last)
    assert [f.rule for f in result.findings] == ["Y-1", "Y-1"]
    assert result.findings[0].cells == ("表三!D5",)
