"""``--font`` and ``--font-config`` reach the PDF from ``build`` and ``batch``, not only ``fonts``."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from pypdf import PdfReader
from test_fonts import TINY_CHARS, build_tiny_font

from generator.cli import main

ROLES = ("title", "heiti", "kaiti", "fangsong", "song")


def _base_fonts(pdf: Path) -> set[str]:
    return {str(font.get_object()["/BaseFont"]) for page in PdfReader(pdf).pages
            for font in page["/Resources"]["/Font"].values()}


def test_build_uses_the_font_given_on_the_command_line(tmp_path: Path,
                                                       example_workbook: Path) -> None:
    tiny = build_tiny_font(tmp_path / "tiny.ttf", TINY_CHARS, family="NianbaoCli")
    out = tmp_path / "out"
    args = ["build", str(example_workbook), "-o", str(out), "--pdf-only"]
    for role in ("仿宋", "黑体", "楷体", "标题", "宋体"):
        args += ["--font", f"{role}={tiny}"]
    result = CliRunner().invoke(main, args)
    assert "Traceback" not in result.output
    pdf = next(out.glob("*.pdf"))
    names = _base_fonts(pdf)
    assert any(re.fullmatch(r"/[A-Z]{6}\+NianbaoCli-Regular|/[A-Z]{6}\+NianbaoCli", n) for n in names), names
    assert "F-2" in result.output  # the tiny font lacks most characters: reported, not blank


def test_batch_uses_the_font_config_file(tmp_path: Path, example_workbook: Path) -> None:
    tiny = build_tiny_font(tmp_path / "tiny.ttf", TINY_CHARS, family="NianbaoConf")
    config = tmp_path / "fonts.toml"
    config.write_text("[fonts]\n" + "".join(f'{r} = "{tiny.as_posix()}"\n' for r in ROLES),
                      encoding="utf-8")
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.xlsx").write_bytes(example_workbook.read_bytes())
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(source), "-o", str(out), "--pdf", "--no-docx",
                                       "--jobs", "1", "--font-config", str(config)])
    assert "Traceback" not in result.output
    pdf = next(out.glob("*.pdf"))
    assert any("NianbaoConf" in name for name in _base_fonts(pdf))
