"""``--annotate``: a copy with a comment on exactly the cells the findings name."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from generator.app import check as check_workbook
from generator.cli import main
from generator.errors import OutputError
from generator.outputs.annotate import annotate_workbook, split_cell


@pytest.fixture
def broken(example_workbook: Path, tmp_path: Path) -> Path:
    """Errors in 表三 and 表四, a text cell in 表三, a blank in 表二, a rare character in 正文."""
    wb = openpyxl.load_workbook(example_workbook)
    wb["表三"]["J4"] = 5  # a typed total: T3-1 and T3-3 name J4
    wb["表三"]["E10"] = "不适用"
    wb["表四"]["A4"] = 1
    wb["表四"]["E4"] = 0
    wb["表二"]["B7"] = None
    wb["正文"]["C4"] = "全年主动公开政府信息279条，其中堃字。"
    target = tmp_path / "broken.xlsx"
    wb.save(target)
    return target


def commented_cells(path: Path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    return {f"{ws.title}!{cell.coordinate}": cell.comment.text
            for ws in wb for row in ws.iter_rows() for cell in row if cell.comment is not None}


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns


def test_comments_on_exactly_the_named_cells(broken: Path, tmp_path: Path) -> None:
    before = fingerprint(broken)
    findings = check_workbook(broken).findings
    out = annotate_workbook(broken, tmp_path / "annotated.xlsx", findings)
    assert fingerprint(broken) == before
    named = {c for f in findings for c in f.cells if split_cell(c) is not None}
    comments = commented_cells(out)
    assert set(comments) == named
    assert {"表三!J4", "表三!E10", "表四!E4", "表二!B7", "正文!C4"} <= named
    assert "很可能是 表三!J4 填错：应为 4，现为 5" in comments["表三!J4"]
    assert comments["表三!E10"].startswith("【错误】V-3 ")
    wb = openpyxl.load_workbook(out)
    assert wb["表三"]["J4"].fill.fgColor.rgb == "FFFFC7CE"  # red: an error
    assert wb["正文"]["C4"].fill.fgColor.rgb == "FFFFEB9C"  # amber: a warning
    assert wb["表三"]["J4"].value == 5  # the clerk's content is kept
    assert wb["表三"]["J6"].value == "=SUM(D6:I6)"


def test_cli_annotate_keeps_input_and_refuses_overwrite(broken: Path, tmp_path: Path) -> None:
    before = fingerprint(broken)
    out = tmp_path / "out.xlsx"
    runner = CliRunner()
    first = runner.invoke(main, ["check", str(broken), "--annotate", str(out)])
    assert first.exit_code == 1  # errors found; the copy is written anyway
    assert out.exists() and "已另存带批注的工作簿" in first.output
    assert fingerprint(broken) == before
    written = out.read_bytes()
    again = runner.invoke(main, ["check", str(broken), "--annotate", str(out)])
    assert again.exit_code == 2 and "如需覆盖，请加 --force" in again.output
    assert out.read_bytes() == written
    forced = runner.invoke(main, ["check", str(broken), "--annotate", str(out), "--force"])
    assert forced.exit_code == 1
    assert fingerprint(broken) == before


def test_never_onto_the_input(broken: Path) -> None:
    before = fingerprint(broken)
    with pytest.raises(OutputError, match="不能与原工作簿相同"):
        annotate_workbook(broken, broken, check_workbook(broken).findings, overwrite=True)
    assert fingerprint(broken) == before


def test_json_stdout_stays_json_with_annotate(broken: Path, tmp_path: Path) -> None:
    import json

    result = CliRunner().invoke(
        main, ["check", str(broken), "--format", "json", "--annotate", str(tmp_path / "a.xlsx")])
    assert json.loads(result.stdout)["summary"]["errors"] >= 1
    assert "已另存带批注的工作簿" in result.stderr


def _fills(path: Path) -> dict[str, tuple[object, object]]:
    wb = openpyxl.load_workbook(path)
    return {f"{ws.title}!{cell.coordinate}": (cell.fill.fill_type, cell.fill.fgColor.rgb)
            for ws in wb for row in ws.iter_rows() for cell in row}


def _fixed_copy(annotated: Path, example: Path, target: Path) -> Path:
    """The clerk's fix made in the annotated copy: every value back to the example's."""
    wb = openpyxl.load_workbook(annotated)
    good = openpyxl.load_workbook(example)
    for ws in good:
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell, openpyxl.cell.cell.MergedCell):
                    wb[ws.title][cell.coordinate].value = cell.value
    wb.save(target)
    return target


@pytest.mark.parametrize("record_kept", [True, False])
def test_a_fixed_annotated_copy_checks_clean_without_old_marks(
        broken: Path, example_workbook: Path, tmp_path: Path, record_kept: bool) -> None:
    first = annotate_workbook(broken, tmp_path / "批注版.xlsx", check_workbook(broken).findings)
    assert commented_cells(first)  # it did mark cells
    fixed = _fixed_copy(first, example_workbook, tmp_path / "改好的批注版.xlsx")
    if not record_kept:  # another program dropped our custom properties on saving
        wb = openpyxl.load_workbook(fixed)
        for name in [p.name for p in wb.custom_doc_props]:
            del wb.custom_doc_props[name]
        wb.save(fixed)
    result = CliRunner().invoke(main, ["check", str(fixed), "--annotate",
                                       str(tmp_path / "再次批注.xlsx")])
    assert result.exit_code == 0, result.output
    assert "未发现问题" in result.output
    again = tmp_path / "再次批注.xlsx"
    assert commented_cells(again) == {}
    # every fill is the blank workbook's again: yellow inputs, grey totals (J4, J5, D6…)
    assert _fills(again) == _fills(example_workbook)


def test_re_annotating_keeps_only_the_current_findings(broken: Path, tmp_path: Path) -> None:
    first = annotate_workbook(broken, tmp_path / "a.xlsx", check_workbook(broken).findings)
    wb = openpyxl.load_workbook(first)
    wb["表三"]["E10"] = 0  # one of the errors fixed in the copy
    wb.save(tmp_path / "b.xlsx")
    findings = check_workbook(tmp_path / "b.xlsx").findings
    second = annotate_workbook(tmp_path / "b.xlsx", tmp_path / "c.xlsx", findings)
    comments = commented_cells(second)
    named = {c for f in findings for c in f.cells if split_cell(c) is not None}
    assert set(comments) == named and "表三!E10" not in comments
    assert all(text.count("【") == text.count("\n\n") + 1 for text in comments.values())
    assert _fills(second)["表三!E10"] == ("solid", "00FFF2CC")  # the input cell's yellow again
