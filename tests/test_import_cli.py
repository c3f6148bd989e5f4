"""``nianbao import``: the written workbook, --force, --check, overrides, what is printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.form import FIELDS
from generator.inputs.workbook.reader import read_workbook
from generator.report.model import Report

SAMPLE = Path("/work/shared/samples/baoligenhua-2025-portal-text.txt")
if not SAMPLE.exists():
    SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / SAMPLE.name
needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="shared sample text not available")


def run(*args: str) -> "CliRunner.Result":
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@needs_sample
def test_sample_text_becomes_a_workbook_reading_as_the_example(
        tmp_path: Path, example_report: Report) -> None:
    source = tmp_path / "baoli.txt"
    source.write_bytes(SAMPLE.read_bytes())
    result = run("import", str(source), "--check")
    assert result.exit_code == 0, result.output
    assert "2021 年格式" in result.output and "未发现问题" in result.output
    written = tmp_path / "baoli.xlsx"
    assert written.exists()
    read = read_workbook(written).report
    for f in FIELDS:
        assert read.numbers[f.id] == example_report.numbers[f.id], f.id
    for key in set(read.narrative.parts) | set(example_report.narrative.parts):
        assert [squash(p) for p in read.narrative[key].paragraphs] == \
            [squash(p) for p in example_report.narrative[key].paragraphs], key
    for name in ("agency", "year", "portal_name", "portal_url", "phone"):
        assert getattr(read.meta, name) == getattr(example_report.meta, name), name
    # The input file is left as it was.
    assert source.read_bytes() == SAMPLE.read_bytes()


@needs_sample
def test_never_overwrites_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"keep me")
    result = run("import", str(SAMPLE), "-o", str(out))
    assert result.exit_code == 2
    assert "--force" in result.output
    assert out.read_bytes() == b"keep me"
    result = run("import", str(SAMPLE), "-o", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert read_workbook(out).report.meta.year == 2025


INCONSISTENT = """\
某镇人民政府2024年政府信息公开工作年度报告
一、总体情况
概述。
三、收到和处理政府信息公开申请情况
| (本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) |
申请人情况 |
| 自然人 |
法人或其他组织 |
总计 |
| 商业企业 |
科研机构 |
社会公益组织 |
法律服务机构 |
其他 |
| 一、本年新收政府信息公开申请数量 |
4 |
1 |
0 |
0 |
0 |
0 |
9 |
| 三、本年度办理结果 |
(一)予以公开 |
5 |
0 |
0 |
0 |
0 |
0 |
5 |
| 行政检查 |
7 |
| (七)总计 |
5 |
0 |
0 |
0 |
0 |
0 |
5 |
"""


def test_check_reports_the_published_inconsistencies(tmp_path: Path) -> None:
    source = tmp_path / "bad.txt"
    source.write_text(INCONSISTENT, encoding="utf-8")
    result = run("import", str(source), "-o", str(tmp_path / "bad.xlsx"), "--check")
    assert result.exit_code == 1, result.output
    assert "错误" in result.output
    # What could not be placed is printed with the text seen.
    assert "行政检查" in result.output and "7" in result.output
    # The printed total 9 is reported as printed; the workbook recomputes it.
    assert "印的是 9" in squash(result.output) or "印的是9" in squash(result.output)
    assert read_workbook(tmp_path / "bad.xlsx").report.numbers["t3.new.total"] == 5


def test_agency_and_year_overrides(tmp_path: Path) -> None:
    source = tmp_path / "plain.txt"
    source.write_text("一、总体情况\n我局认真贯彻条例。\n", encoding="utf-8")
    result = run("import", str(source))
    assert result.exit_code == 2
    assert "--agency" in result.output and "Traceback" not in result.output
    result = run("import", str(source), "--agency", "某县某局", "--year", "2024")
    # Written, but no table could be read: exit 1, and each table is named.
    assert result.exit_code == 1, result.output
    for name in ("表二：没有找到", "表三：没有找到", "表四：没有找到"):
        assert name in result.output
    meta = read_workbook(tmp_path / "plain.xlsx").report.meta
    assert (meta.agency, meta.year) == ("某县某局", 2024)
