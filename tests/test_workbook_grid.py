"""The read-only workbook snapshot reads what two full openpyxl loads read.

``grid_from_bytes`` (one read-only pass) is compared with ``grid_from_workbook`` over a full
load plus a ``data_only`` load of the same bytes — the way the reader used to read — on the
bundled example, on the example saved by LibreOffice (cached formula values, another
writer's XML) and on hand-written sheet XML with
the awkward cases: merged ranges with stray values, cached values of every type, shared
formulas, cells without an ``r`` attribute, a cell written twice.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import warnings
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from generator.errors import InputError
from generator.workbook.grid import (
    EMPTY,
    CellValue,
    MergedRange,
    WorkbookGrid,
    grid_from_bytes,
    grid_from_workbook,
)
from generator.workbook.layout import defined_name
from generator.workbook.source import load_grid

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "inputs" / "example-2025.xlsx"


def _full_loads(data: bytes) -> WorkbookGrid:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(data))
        cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    return grid_from_workbook(wb, cached)


def _assert_same(fast: WorkbookGrid, full: WorkbookGrid) -> None:
    assert fast.sheet_names == full.sheet_names
    assert dict(fast.named_cells) == dict(full.named_cells)
    for name in fast.sheet_names:
        assert dict(fast[name].cells) == dict(full[name].cells), name
        assert sorted(fast[name].merged, key=str) == sorted(full[name].merged, key=str), name
        assert dict(fast[name].cached) == dict(full[name].cached), name


def test_example_reads_as_two_full_loads() -> None:
    data = EXAMPLE.read_bytes()
    fast = grid_from_bytes(data)
    _assert_same(fast, _full_loads(data))
    assert any(sheet.merged for sheet in fast.worksheets)
    assert fast.named_cells[defined_name("meta.agency")][0] == "基本信息"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed; .ci/install-system-packages installs it")
def test_example_saved_by_libreoffice_reads_as_two_full_loads(tmp_path: Path) -> None:
    out = tmp_path / "saved"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", "xlsx", "--outdir", str(out), str(EXAMPLE)],
        check=True, timeout=180, capture_output=True)
    data = (out / EXAMPLE.name).read_bytes()
    fast = grid_from_bytes(data)
    _assert_same(fast, _full_loads(data))
    assert fast.cached_value("表三", 4, 10) is not None  # =SUM(D4:I4), calculated and cached


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _with_sheet(tmp_path: Path, sheet_xml: str, *, date_style: bool = False) -> bytes:
    """A workbook saved by openpyxl whose first sheet's XML is replaced by ``sheet_xml``.

    With ``date_style`` cell style 1 is a date format (A1 of the original sheet holds a date).
    """
    wb = openpyxl.Workbook()
    wb.active["A1"] = datetime(2025, 1, 2) if date_style else 1
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = sheet_xml.encode()
            elif info.filename == "[Content_Types].xml":  # openpyxl writes no shared strings
                body = body.replace(b"</Types>", _SHARED_STRINGS_TYPE + b"</Types>")
            target.writestr(info.filename, body)
        target.writestr("xl/sharedStrings.xml", _SHARED_STRINGS.encode())
    return out.getvalue()


_SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
#: shared string 0 is "共享"
_SHARED_STRINGS = f'<sst {_NS} count="1" uniqueCount="1"><si><t>共享</t></si></sst>'


_AWKWARD = f"""<worksheet {_NS}><sheetData>
<row r="1"><c r="A1" s="1"><v>45659</v></c><c r="B1" t="s"><v>0</v></c>
  <c r="C1" s="1"><f>A1+1</f><v>45660</v></c><c r="D1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>
  <c r="E1" t="b"><f>TRUE()</f><v>1</v></c><c r="F1" t="e"><f>1/0</f><v>#DIV/0!</v></c>
  <c r="G1"><f>SUM(A1:B1)</f></c><c r="H1" t="inlineStr"><is><t>内联</t></is></c></row>
<row r="2"><c r="A2"><f t="shared" ref="A2:C2" si="0">A1*2</f><v>2</v></c>
  <c r="B2"><f t="shared" si="0"/><v>4</v></c><c r="C2"><f t="shared" si="0"/></c></row>
<row r="3"><c><v>1</v></c><c t="s"><v>0</v></c><c><f>A3</f><v>1</v></c></row>
<row r="4"><c r="A4"><v>1</v></c><c r="A4"><v>2</v></c><c r="B4" t="e"><v>#N/A</v></c></row>
<row r="5"><c r="A5" t="s"><v>0</v></c><c r="B5"><v>9</v></c><c r="C5"><f>B5</f><v>9</v></c></row>
<row r="6"><c r="B6"><v>7</v></c></row>
</sheetData><mergeCells count="2"><mergeCell ref="A5:C6"/><mergeCell ref="E4:E4"/></mergeCells>
</worksheet>"""


def test_awkward_cells_read_as_two_full_loads(tmp_path: Path) -> None:
    data = _with_sheet(tmp_path, _AWKWARD, date_style=True)
    fast = grid_from_bytes(data)
    _assert_same(fast, _full_loads(data))
    sheet = fast["Sheet"]
    assert sheet.cell(1, 1) == CellValue(datetime(2025, 1, 2), "d")
    assert sheet.cell(1, 2) == CellValue("共享", "s")
    assert sheet.cell(1, 3) == CellValue("=A1+1", "f")
    assert fast.cached_value("Sheet", 1, 3) == datetime(2025, 1, 3)  # a date, as data_only
    assert fast.cached_value("Sheet", 1, 4) == "ab"
    assert fast.cached_value("Sheet", 1, 5) is True
    assert fast.cached_value("Sheet", 1, 6) == "#DIV/0!"
    assert fast.cached_value("Sheet", 1, 7) is None  # a formula without a cached value
    assert sheet.cell(1, 8) == CellValue("内联", "s")
    assert sheet.cell(2, 2) == CellValue("=B1*2", "f")  # the shared formula, translated
    assert sheet.cell(3, 3) == CellValue("=A3", "f")  # columns counted without "r"
    assert fast.cached_value("Sheet", 3, 3) == 1
    assert sheet.cell(4, 1) == CellValue(2, "n")  # the later of two cells wins
    assert sheet.cell(4, 2) == CellValue("#N/A", "e")
    # a merge keeps its top-left cell; the cells it covers read empty, cached values too
    assert sheet.cell(5, 1) == CellValue("共享", "s")
    assert sheet.cell(5, 2) is EMPTY and sheet.cell(6, 2) is EMPTY
    assert fast.cached_value("Sheet", 5, 3) is None
    assert MergedRange(5, 1, 6, 3) in sheet.merged
    assert [(r, c) for r, c, _ in sheet.iter_cells()][:3] == [(1, 1), (1, 2), (1, 3)]


def test_a_broken_cached_value_drops_cached_values_only(tmp_path: Path) -> None:
    # shared string 5 does not exist: a data_only load fails, the formulas still read
    xml = (f'<worksheet {_NS}><sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c>'
           '<c r="B1" t="s"><f>"x"</f><v>5</v></c><c r="C1"><v>3</v></c></row></sheetData></worksheet>')
    fast = grid_from_bytes(_with_sheet(tmp_path, xml))
    assert fast["Sheet"].cell(1, 2) == CellValue('="x"', "f")
    assert fast["Sheet"].cell(1, 3) == CellValue(3, "n")
    assert fast.cached_value("Sheet", 1, 1) is None  # as if no data_only load had worked


def test_a_merge_over_the_whole_sheet_keeps_only_its_corner(tmp_path: Path) -> None:
    # A full openpyxl load would make a styled cell for each of 17 billion positions.
    xml = (f'<worksheet {_NS}><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c>'
           '</row><row r="9"><c r="C9"><v>3</v></c></row></sheetData>'
           '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells></worksheet>')
    sheet = grid_from_bytes(_with_sheet(tmp_path, xml))["Sheet"]
    assert dict(sheet.cells) == {(1, 1): CellValue(1, "n")}


def test_load_grid_refuses_what_load_workbook_refuses(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(_with_sheet(tmp_path, f"<worksheet {_NS}><sheetData><row r='1'>"))
    with pytest.raises(InputError, match="已损坏"):
        load_grid(broken)
    hostile = tmp_path / "hostile.xlsx"
    hostile.write_bytes(_with_sheet(tmp_path, f"<!DOCTYPE w [<!ENTITY a 'b'>]><worksheet {_NS}/>"))
    with pytest.raises(InputError, match="实体声明"):
        load_grid(hostile)


def test_load_grid_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "example.xlsx"
    path.write_bytes(EXAMPLE.read_bytes())
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    grid = load_grid(path)
    assert "表三" in grid
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
