"""The use-case layer (generator/app.py): each use case returns what it found and wrote."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pytest

from generator import app
from generator.errors import InputError, OutputError
from generator.inputs.workbook.reader import read_workbook


def wrong_d6(example: Path, tmp_path: Path) -> Path:
    wb = openpyxl.load_workbook(example)
    wb["表三"]["D6"] = wb["表三"]["D6"].value + 1
    target = tmp_path / "wrong.xlsx"
    wb.save(target)
    return target


def test_build_writes_every_format_in_order(example_workbook: Path, tmp_path: Path) -> None:
    result = app.build(example_workbook, app.BuildOptions(out_dir=tmp_path, formats=app.ALL_FORMATS))
    assert not result.refused and not result.draft and not result.has_errors
    assert [p.suffix for p in result.written] == [".docx", ".pdf", ".html"]
    assert all(p.parent == tmp_path and p.stat().st_size > 0 for p in result.written)
    assert result.path("pdf").read_bytes().startswith(b"%PDF-")
    assert result.written[0].stem == "扎赉特旗宝力根花苏木人民政府2025年政府信息公开工作年度报告"


def test_build_refuses_errors_and_drafts_when_asked(example_workbook: Path, tmp_path: Path) -> None:
    bad = wrong_d6(example_workbook, tmp_path)
    refused = app.build(bad, app.BuildOptions(out_dir=tmp_path / "out"))
    assert refused.refused and refused.written == () and refused.check.has_errors
    assert not (tmp_path / "out").exists()
    drafted = app.build(bad, app.BuildOptions(out_dir=tmp_path / "out", draft=True))
    assert drafted.draft and not drafted.refused
    (path,) = drafted.written
    assert path.name == f"草稿-{refused.check.report.title}.docx"
    header = " ".join(p.text for s in docx.Document(path).sections for p in s.header.paragraphs)
    assert "校验未通过，不得用于正式印发" in header


def test_build_options_are_checked() -> None:
    with pytest.raises(ValueError):
        app.BuildOptions(formats=("ofd",))
    with pytest.raises(ValueError):
        app.BuildOptions(pdf_engine="word")


def test_check_raises_input_error_for_junk(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"junk")
    with pytest.raises(InputError, match="junk.xlsx：这不是 Excel 工作簿"):
        app.check(junk)


def test_blank_and_roll_forward_and_diff(example_workbook: Path, tmp_path: Path) -> None:
    blank = app.blank_workbook(" 某某县民政局 ", 2025, out_dir=tmp_path)
    assert blank.name == "某某县民政局2025年政府信息公开工作年度报告填报表.xlsx"
    meta = read_workbook(blank).report.meta
    assert (meta.agency, meta.year) == ("某某县民政局", 2025)
    with pytest.raises(OutputError, match="文件已存在"):
        app.blank_workbook("某某县民政局", 2025, out_dir=tmp_path)

    rolled = app.roll_forward(example_workbook, out_dir=tmp_path)
    assert rolled.written.name == "扎赉特旗宝力根花苏木人民政府2026年政府信息公开工作年度报告填报表.xlsx"
    assert read_workbook(rolled.written).report.meta.year == 2026
    assert rolled.summary.startswith("已结转") and rolled.last_errors == ()

    changes = app.diff(example_workbook, rolled.written)
    assert (changes.last_year, changes.this_year, changes.adjacent) == (2025, 2026, True)
    assert changes.changes and all(c.address.startswith("表") for c in changes.changes)


def test_import_report_writes_the_workbook(example_workbook: Path, tmp_path: Path) -> None:
    (html,) = app.build(example_workbook, app.BuildOptions(out_dir=tmp_path, formats=("html",))).written
    result = app.import_report(html, app.ImportOptions(target=tmp_path / "in.xlsx", run_check=True))
    assert result.written == tmp_path / "in.xlsx"
    assert read_workbook(result.written).report.numbers == \
        read_workbook(example_workbook).report.numbers.with_totals()
    assert all(app.RULE_BY_ID[f.rule].applies_to_published for f in result.findings)
    with pytest.raises(OutputError, match="文件已存在"):
        app.import_report(html, app.ImportOptions(target=tmp_path / "in.xlsx"))
