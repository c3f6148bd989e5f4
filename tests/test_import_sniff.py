"""``nianbao import`` of a file that is not what its suffix says, or not a report at all.

What the file is, is told by its content (:mod:`generator.inputs.importers.sniff`): a picture
(a scanned report saved as PNG), the filled workbook itself, an archive or binary data is
refused at once (exit 2), in plain words that say what to do, and no workbook is written;
a .docx renamed to .pdf is read as the .docx it is.  No message names an exception class.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.inputs.importers.sniff import sniff
from generator.report.model import Report

REPO = Path(__file__).resolve().parents[1]
IMPORTERS = REPO / "generator" / "inputs" / "importers"

IMAGE = "不是年报的文字，无法导入。扫描件请找原始的 Word 或 PDF 文件，或对照图片在填报工作簿中手工填写。"
NOT_TEXT = "这个文件的内容不是文字"
WORKBOOK_ADVICE = "不需要导入：请用 nianbao check 检查或 nianbao build 生成报告"
#: Python exception class names a clerk must never see
CLASS_NAME = re.compile(r"[A-Z][A-Za-z]*(?:Error|Exception)\b|BadZipFile|Traceback")

# A tiny report text: a title (agency and year) and one section.
REPORT_TEXT = ("某镇人民政府2024年政府信息公开工作年度报告\n"
               "一、总体情况\n"
               "2024年，某镇人民政府认真贯彻落实《中华人民共和国政府信息公开条例》。\n")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output  # stdout and stderr together


def assert_refused(path: Path, phrase: str, *extra: str) -> str:
    """``import path`` (and with --agency/--year) exits 2 saying ``phrase``; nothing written."""
    before = path.read_bytes()
    for args in ((), ("--agency", "某镇人民政府", "--year", "2024")):
        out = path.parent / "out.xlsx"
        code, output = run("import", str(path), "-o", str(out), *args, *extra)
        assert code == 2, output
        assert phrase in output, output
        assert not CLASS_NAME.search(output), output
        assert "--agency" not in output, output  # not the advice for a report without a title
        assert not out.exists()
    assert path.read_bytes() == before  # the clerk's file is only read
    assert not list(path.parent.glob("*.xlsx")) or path.suffix in (".xlsx", ".xlsm")
    return output


# ---------------------------------------------------------------------------
# Pictures, whatever their suffix


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    """A valid RGB PNG (white), built by hand."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\xff" * (3 * width) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def bmp_bytes(width: int = 4, height: int = 4) -> bytes:
    """A valid 24-bit BMP (white), built by hand."""
    row = b"\xff" * (3 * width) + b"\x00" * ((4 - 3 * width % 4) % 4)
    pixels = row * height
    header = struct.pack("<2sIHHI", b"BM", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + info + pixels


# The smallest valid GIF: one white pixel.
GIF = bytes.fromhex("47494638396101000100800000ffffff00000021f90401000000002c000000000100010000"
                    "02024401003b")


@pytest.mark.parametrize("suffix", [".png", ".txt", ".pdf", ".docx", ".html", ""])
def test_a_png_is_refused_by_its_content_whatever_its_suffix(tmp_path: Path, suffix: str) -> None:
    picture = tmp_path / f"扫描件{suffix}"
    picture.write_bytes(png_bytes())
    output = assert_refused(picture, f"这是一张图片（PNG），{IMAGE}")
    assert "纯文本" not in output


@pytest.mark.parametrize(("name", "data"), [("BMP", bmp_bytes()), ("GIF", GIF)])
def test_hand_made_bmp_and_gif_are_pictures(tmp_path: Path, name: str, data: bytes) -> None:
    picture = tmp_path / "扫描件.txt"
    picture.write_bytes(data)
    assert_refused(picture, f"这是一张图片（{name}），{IMAGE}")


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "JPEG"), ("TIFF", "TIFF"), ("WEBP", "WebP"),
                                           ("PNG", "PNG"), ("GIF", "GIF"), ("BMP", "BMP")])
def test_pictures_saved_by_an_image_library_are_refused(tmp_path: Path, fmt: str, name: str) -> None:
    image = pytest.importorskip("PIL.Image")
    picture = tmp_path / "扫描件.pdf"
    image.new("RGB", (40, 30), "white").save(picture, fmt)
    assert_refused(picture, f"这是一张图片（{name}），{IMAGE}")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm not installed")
def test_a_page_rendered_by_pdftoppm_is_refused(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "page.pdf"
    page = canvas.Canvas(str(pdf))
    page.drawString(100, 700, "2024 annual report")
    page.save()
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(pdf), str(tmp_path / "scan")], check=True)
    (picture,) = tmp_path.glob("scan*.png")
    assert_refused(picture, f"这是一张图片（PNG），{IMAGE}")


# ---------------------------------------------------------------------------
# Binary data read as text; real UTF-16 text is still text


@pytest.mark.parametrize("suffix", [".txt", ".html", ""])
def test_random_bytes_are_refused_as_not_text(tmp_path: Path, suffix: str) -> None:
    blob = tmp_path / f"data{suffix}"
    blob.write_bytes(random.Random(7).randbytes(100_000))
    assert_refused(blob, NOT_TEXT)


def test_control_characters_and_nuls_are_refused_as_not_text(tmp_path: Path) -> None:
    blob = tmp_path / "data.txt"
    blob.write_bytes(b"\x00\x01\x02\x03\x04\x05\x06\x07" * 3000)
    assert_refused(blob, NOT_TEXT)


def test_a_program_is_refused_as_not_text(tmp_path: Path) -> None:
    blob = tmp_path / "report.txt"
    blob.write_bytes(Path(sys.executable).resolve().read_bytes()[:200_000])
    assert_refused(blob, NOT_TEXT)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8", "gb18030"])
def test_real_text_still_imports_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    source = tmp_path / "report.txt"
    source.write_bytes(REPORT_TEXT.encode(encoding))
    code, output = run("import", str(source))
    assert code == 1, output  # the tables are missing: imported, with the blanks listed
    assert "已读取：report.txt（纯文本" in output and "某镇人民政府 2024 年" in output
    assert (tmp_path / "report.xlsx").exists()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-8", "gb18030"])
def test_long_text_is_text_though_the_sniff_reads_only_its_start(tmp_path: Path, encoding: str) -> None:
    # longer than the 64 KiB the sniff decodes: the cut may split a character
    for shift in range(3):
        source = tmp_path / f"long{shift}.txt"
        source.write_bytes(("a" * shift + REPORT_TEXT * 1000).encode(encoding))
        assert source.stat().st_size > 70_000
        assert sniff(source, "text") == "text"


# ---------------------------------------------------------------------------
# Workbooks need no import


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm", ".docx", ".pdf"])
def test_the_filled_workbook_is_told_apart(tmp_path: Path, example_workbook: Path,
                                           suffix: str) -> None:
    workbook = tmp_path / f"2025年填报表{suffix}"
    shutil.copyfile(example_workbook, workbook)
    assert_refused(workbook, f"这是 nianbao 的填报工作簿，{WORKBOOK_ADVICE}")


def test_the_workbook_without_o_is_not_met_with_advice_about_the_output(
        tmp_path: Path, example_workbook: Path) -> None:
    # its default output is the workbook itself: what the file is must come first
    workbook = tmp_path / "2025年填报表.xlsx"
    shutil.copyfile(example_workbook, workbook)
    before = workbook.read_bytes()
    for extra in ((), ("--force",)):
        code, output = run("import", str(workbook), *extra)
        assert code == 2, output
        assert WORKBOOK_ADVICE in output and "文件已存在" not in output, output
    assert workbook.read_bytes() == before


def test_another_spreadsheet_is_called_a_spreadsheet(tmp_path: Path) -> None:
    import openpyxl

    sheet = tmp_path / "统计.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "申请数"
    book.save(sheet)
    assert_refused(sheet, "这是 Excel 电子表格（.xlsx），不是已发布的年度报告")


def test_an_old_xls_is_called_a_workbook(tmp_path: Path) -> None:
    xls = tmp_path / "填报表.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le")
                    + b"\0" * 512)
    assert_refused(xls, "这是旧版 Excel 工作簿（.xls），不是已发布的年度报告")


# ---------------------------------------------------------------------------
# Other zips


def _zip(path: Path, parts: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


@pytest.mark.parametrize(("parts", "phrase"), [
    ({"readme.txt": "hi"}, "这是一个 zip 压缩包，不是报告文件。若报告在压缩包里，请先解压"),
    ({"OFD.xml": "<ofd:OFD/>"}, "这是 OFD 版式文件，nianbao 不能读取"),
    ({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"}, "这是 PowerPoint 演示文稿"),
    ({"mimetype": "application/vnd.oasis.opendocument.text"}, "这是 OpenDocument 文档（.odt"),
])
def test_other_zips_are_named(tmp_path: Path, parts: dict[str, str], phrase: str) -> None:
    assert_refused(_zip(tmp_path / "report.docx", parts), phrase)


# ---------------------------------------------------------------------------
# A .docx with the wrong suffix is read as the .docx it is


def _rendered_docx(report: Report, target: Path) -> Path:
    from generator.outputs import RenderOptions, renderer

    renderer("docx")(report, target, RenderOptions())
    return target


@pytest.mark.parametrize("suffix", [".pdf", ".txt", ".html"])
def test_a_renamed_docx_is_read_as_a_docx(tmp_path: Path, example_report: Report,
                                          suffix: str) -> None:
    docx = _rendered_docx(example_report, tmp_path / "report.docx")
    renamed = docx.rename(tmp_path / f"年报{suffix}")
    code, output = run("import", str(renamed))
    assert code == 0, output
    assert f"已读取：年报{suffix}（Word 文档（.docx），2021 年格式）" in output
    assert re.sub(r"[\s│]+", "", f"文件的扩展名是 {suffix}，实际内容是 Word 文档（.docx），"
                  "已按实际内容读取；建议把扩展名改为 .docx") in re.sub(r"[\s│]+", "", output)
    assert not CLASS_NAME.search(output), output
    assert (tmp_path / "年报.xlsx").exists()


# ---------------------------------------------------------------------------
# Broken files: plain words, the cause under --debug


def test_a_broken_pdf_names_no_exception(tmp_path: Path) -> None:
    broken = tmp_path / "年报.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + random.Random(3).randbytes(3000))
    assert_refused(broken, "无法读取这个 PDF 文件，文件可能已损坏或设有密码。")


def test_a_docx_python_docx_cannot_open_names_no_exception(tmp_path: Path) -> None:
    fake = _zip(tmp_path / "年报.docx", {"[Content_Types].xml": "<Types/>", "word/document.xml": "<x/>"})
    assert_refused(fake, "无法作为 Word 文档（.docx）打开")


def test_a_truncated_docx_is_damaged(tmp_path: Path, example_report: Report) -> None:
    whole = _rendered_docx(example_report, tmp_path / "whole.docx").read_bytes()
    cut = tmp_path / "年报.docx"
    cut.write_bytes(whole[:len(whole) // 2])
    assert_refused(cut, "文件已损坏或未完整复制")


def test_debug_still_shows_the_cause(tmp_path: Path) -> None:
    broken = tmp_path / "年报.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + random.Random(3).randbytes(3000))
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "160"}
    for debug in ((), ("--debug",)):
        done = subprocess.run([sys.executable, "-m", "generator", *debug, "import", str(broken)],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)
        output = done.stdout + done.stderr
        assert done.returncode == 2, output
        assert "无法读取这个 PDF 文件" in output
        assert ("Traceback" in output) == bool(debug), output


def test_no_importer_message_interpolates_an_exception() -> None:
    for source in IMPORTERS.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "__name__" not in text, source.name
        assert not re.search(r"\{(exc|error|e)(!r|!s)?\}", text), source.name
