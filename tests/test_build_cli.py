"""``nianbao build`` and ``nianbao template`` from the command line."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.naming import safe_file_stem
from generator.outputs.determinism import write_zip
from generator.outputs.template_builder import (
    DRAFT_MARK,
    build_template,
    template_parts,
)

STEM = "扎赉特旗宝力根花苏木人民政府2025年政府信息公开工作年度报告"


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def broken_copy(example: Path, tmp_path: Path) -> Path:
    """The example with 表三!D6 = 3: 予以公开 no longer adds up (T3 errors)."""
    wb = openpyxl.load_workbook(example)
    wb["表三"]["D6"] = 3
    target = tmp_path / "broken.xlsx"
    wb.save(target)
    return target


def test_build_writes_the_docx_named_after_the_title(example_workbook: Path,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = example_workbook.read_bytes()
    result = run("build", str(example_workbook), "-o", str(out))
    assert result.exit_code == 0, result.output
    target = out / f"{STEM}.docx"
    assert f"已生成：{target}" in result.output
    assert [p.name for p in out.iterdir()] == [target.name]  # no temporary files left
    document = docx.Document(str(target))
    assert document.paragraphs[0].text == "扎赉特旗宝力根花苏木人民政府"
    assert DRAFT_MARK not in document.sections[0].header.paragraphs[0].text
    assert example_workbook.read_bytes() == before  # input untouched
    # Building twice gives identical bytes.
    first = target.read_bytes()
    assert run("build", str(example_workbook), "-o", str(out)).exit_code == 0
    assert target.read_bytes() == first


def test_build_refuses_a_workbook_with_errors(example_workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", str(broken_copy(example_workbook, tmp_path)), "-o", str(out))
    assert result.exit_code == 1
    assert "未生成报告" in result.output and "nianbao check" in result.output
    assert "表三" in result.output and "--draft" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_draft_builds_with_the_mark_on_every_page(example_workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", str(broken_copy(example_workbook, tmp_path)), "-o", str(out), "--draft")
    assert result.exit_code == 1  # still a failed check, but the draft is written
    assert "草稿" in result.output
    section = docx.Document(str(out / f"草稿-{STEM}.docx")).sections[0]
    assert section.header.paragraphs[0].text == DRAFT_MARK
    assert section.even_page_header.paragraphs[0].text == DRAFT_MARK


def test_a_draft_never_replaces_the_report(example_workbook: Path, tmp_path: Path) -> None:
    # the passed report is built, then a corrected-wrongly copy is drafted into the same folder
    out = tmp_path / "out"
    assert run("build", str(example_workbook), "-o", str(out), "--pdf").exit_code == 0
    final = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(final) == {f"{STEM}.docx", f"{STEM}.pdf"}
    drafted = run("build", str(broken_copy(example_workbook, tmp_path)), "-o", str(out),
                  "--draft", "--pdf")
    assert drafted.exit_code == 1
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name in final} == final
    assert {p.name for p in out.iterdir()} - set(final) == {f"草稿-{STEM}.docx", f"草稿-{STEM}.pdf"}
    assert f"草稿-{STEM}.pdf" in drafted.output
    header = docx.Document(str(out / f"草稿-{STEM}.docx")).sections[0].header
    assert header.paragraphs[0].text == DRAFT_MARK


def test_draft_without_errors_is_the_official_text(example_workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", str(example_workbook), "-o", str(out), "--draft")
    assert result.exit_code == 0
    section = docx.Document(str(out / f"{STEM}.docx")).sections[0]
    assert section.header.paragraphs[0].text == ""


def test_build_with_html(example_workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", str(example_workbook), "-o", str(out), "--html")
    assert result.exit_code == 0, result.output
    assert (out / f"{STEM}.docx").is_file() and (out / f"{STEM}.html").is_file()


def test_build_rejects_a_bad_template_before_reading(example_workbook: Path,
                                                     tmp_path: Path) -> None:
    parts = template_parts()
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"{{ t4.cases.review_total }}", b"")
    bad = tmp_path / "bad.docx"
    bad.write_bytes(write_zip(parts))
    result = run("build", str(example_workbook), "-o", str(tmp_path / "out"),
                 "--template", str(bad))
    assert result.exit_code == 2
    assert "模板缺少以下占位符" in result.output
    assert "表四「行政复议／总计」" in result.output
    assert not (tmp_path / "out").exists()


def test_template_check_and_build(tmp_path: Path) -> None:
    target = tmp_path / "我的模板.docx"
    result = run("template", "build", str(target))
    assert result.exit_code == 0 and target.read_bytes() == build_template()
    again = run("template", "build", str(target))
    assert again.exit_code == 2 and "--force" in again.output
    assert run("template", "build", str(target), "--force").exit_code == 0
    ok = run("template", "check", str(target))
    assert ok.exit_code == 0 and "模板检查通过" in ok.output
    parts = template_parts()
    parts["word/header1.xml"] = parts["word/header1.xml"].replace(b"{% if draft %}", b"").replace(
        b"{% endif %}", b"")
    parts["word/header2.xml"] = parts["word/header1.xml"]
    nodraft = tmp_path / "nodraft.docx"
    nodraft.write_bytes(write_zip(parts))
    bad = run("template", "check", str(nodraft))
    assert bad.exit_code == 2 and "页眉中的草稿标记" in bad.output


@pytest.mark.parametrize("title, expected", [
    (STEM, STEM),
    ("某局/某科2025年报告", "某局_某科2025年报告"),
    ("..\\..\\etc", "_.._etc"),
    ("CON", "_CON"),
    ("报告. ", "报告"),
    ("a\x00b:c*d?e\"f<g>h|i", "a_b_c_d_e_f_g_h_i"),
    ("   ", "年度报告"),
    ("-rf 报告", "rf 报告"),
])
def test_safe_file_stem(title: str, expected: str) -> None:
    assert safe_file_stem(title) == expected


def test_safe_file_stem_is_short_enough() -> None:
    stem = safe_file_stem("很" * 300)
    assert len((stem + ".docx").encode("utf-8")) <= 255 - 30
    assert stem == "很" * len(stem)


def test_docx_opens_from_bytes() -> None:
    # The bundled template itself is a valid document for python-docx.
    document = docx.Document(io.BytesIO(build_template()))
    assert len(document.tables) == 3
