"""正文 rows size themselves: a paragraph typed into a blank workbook is never clipped.

Excel, WPS and LibreOffice grow a row with wrapped text as the clerk types only when the row
has no fixed height, so the writer sets none where no text is written, and a height that fits
where it writes text.  The LibreOffice test types the text the way a clerk does (the cell's
content entered again in LibreOffice, through a Basic macro) and prints the sheet to PDF.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from generator.cli.zh import cell_len
from generator.form import TEXT_SLOTS
from generator.inputs.workbook.reader import read_workbook
from generator.outputs.carry_forward import carry_from
from generator.outputs.workbook import LINE_POINTS, text_address, write_workbook
from generator.report.model import Narrative, Report, TextPart

SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")
#: 800 characters, numbered so that a clipped line is visible in the assertion
TYPED = "".join(f"第{i:03d}句，本机关主动公开政府信息。" for i in range(1, 60))[:800]

MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1"
 script:language="StarBasic">
Sub Main
  Dim load(0) As New com.sun.star.beans.PropertyValue
  load(0).Name = "Hidden" : load(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(Environ("NB_IN")), "_blank", 0, load())
  sheet = doc.Sheets.getByName(Environ("NB_SHEET"))
  cell = sheet.getCellRangeByName(Environ("NB_CELL"))
  REM the clerk confirms the text in the cell: what typing it does to the row
  cell.setString(cell.getString())
  Dim store(0) As New com.sun.star.beans.PropertyValue
  store(0).Name = "FilterName" : store(0).Value = "calc_pdf_Export"
  doc.storeToURL(ConvertToURL(Environ("NB_OUT")), store())
  doc.close(True)
End Sub
</script:module>
"""


def _row(slot_key: str) -> int:
    return int("".join(ch for ch in str(text_address(slot_key)).split("!")[1] if ch.isdigit()))


def _body_rows() -> list[int]:
    return [_row(slot.key) for slot in TEXT_SLOTS]


def test_blank_workbook_text_rows_have_no_fixed_height(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "blank.xlsx", agency="某某镇人民政府", year=2025)
    ws = openpyxl.load_workbook(path)["正文"]
    for row in _body_rows():
        assert ws.row_dimensions[row].height is None, row
        assert not ws.row_dimensions[row].customHeight, row


def test_written_text_gets_a_height_that_fits(example_report: Report, tmp_path: Path) -> None:
    long = "本机关坚持以公开为常态、不公开为例外。" * 40  # 760 characters, about 16 lines
    parts = dict(example_report.narrative.parts)
    parts["overview.proactive"] = TextPart(paragraphs=(long,))
    report = example_report.replace(narrative=Narrative(parts))
    path = write_workbook(tmp_path / "filled.xlsx", report)
    ws = openpyxl.load_workbook(path)["正文"]
    height = ws.row_dimensions[_row("overview.proactive")].height
    # 760 Chinese characters in a column 100 units wide: 1,520 units, 16 lines at least
    assert height is not None and height >= 16 * LINE_POINTS
    for slot in TEXT_SLOTS:  # every slot with text fits it; an empty slot stays free
        text = "\n".join(report.narrative[slot.key].paragraphs)
        row_height = ws.row_dimensions[_row(slot.key)].height
        if text:
            lines = sum(max(1, -(-cell_len(p) // 98)) for p in text.split("\n"))
            assert row_height is not None and row_height >= lines * LINE_POINTS, slot.key
        else:
            assert row_height is None, slot.key


def test_carried_workbook_text_rows_have_no_fixed_height(example_workbook: Path,
                                                         tmp_path: Path) -> None:
    carried = carry_from(read_workbook(example_workbook), example_workbook.name)
    path = write_workbook(tmp_path / "next.xlsx", carried=carried)
    ws = openpyxl.load_workbook(path)["正文"]
    assert ws["D4"].value  # last year's paragraphs are there for reference
    for row in _body_rows():
        assert ws.row_dimensions[row].height is None, row


def _type_and_print(workbook: Path, cell: str, tmp_path: Path) -> str:
    """Enter ``cell``'s text in LibreOffice and print the workbook; the PDF's text."""
    profile = tmp_path / "lo-profile"
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    if not module.exists():  # a first run creates the profile and its Standard library
        subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                        "--norestore", "--terminate_after_init"],
                       check=True, timeout=180, capture_output=True)
        module.write_text(MACRO, encoding="utf-8")
    pdf = workbook.with_suffix(".pdf")
    sheet, address = cell.split("!")
    env = {**os.environ, "NB_IN": str(workbook), "NB_SHEET": sheet, "NB_CELL": address,
           "NB_OUT": str(pdf)}
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--norestore",
                    "vnd.sun.star.script:Standard.Module1.Main?language=Basic&location=application"],
                   check=True, timeout=180, capture_output=True, env=env)
    assert pdf.exists(), "LibreOffice printed nothing"
    text = subprocess.run([PDFTOTEXT, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return "".join(text.split())


@pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None,
                    reason="needs LibreOffice and poppler-utils (.ci/install-system-packages)")
def test_800_characters_typed_into_a_blank_workbook_all_print(tmp_path: Path) -> None:
    cell = str(text_address("overview.proactive"))
    blank = write_workbook(tmp_path / "blank.xlsx", agency="某某镇人民政府", year=2025)
    wb = openpyxl.load_workbook(blank)
    sheet, address = cell.split("!")
    wb[sheet][address] = TYPED
    wb.save(blank)
    assert TYPED in _type_and_print(blank, cell, tmp_path)

    # The same with the old fixed height: the page shows only the first lines, so the check
    # above does see clipping.
    wb[sheet].row_dimensions[_row("overview.proactive")].height = 45
    fixed = tmp_path / "fixed.xlsx"
    wb.save(fixed)
    printed = _type_and_print(fixed, cell, tmp_path)
    assert TYPED[:30] in printed and TYPED not in printed
