"""``--annotate``: a copy with a comment on exactly the cells the findings name."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from generator.annotate import annotate_workbook, split_cell
from generator.checker import check_workbook
from generator.cli import main
from generator.errors import OutputError


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
