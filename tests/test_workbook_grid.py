"""The read-only workbook snapshot reads what two full openpyxl loads read.

``grid_from_bytes`` (one read-only pass) is compared with ``grid_from_workbook`` over a full
load plus a ``data_only`` load of the same bytes — the way the reader used to read — on the
bundled example, on the example saved by LibreOffice (cached formula values, another
writer's XML) and on hand-written sheet XML with
the awkward cases: merged ranges with stray values, cached values of every type, shared
formulas, cells without an ``r`` attribute, a cell written twice.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import warnings
import zipfile
from datetime import datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from openpyxl.workbook.defined_name import DefinedName

from generator.errors import InputError
from generator.inputs.ooxml import parse_xml
from generator.inputs.workbook.grid import (
    EMPTY,
    CellValue,
    MergedRange,
    WorkbookGrid,
    grid_from_bytes,
    grid_from_workbook,
)
from generator.inputs.workbook.source import load_grid
from generator.report.layout import defined_name

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


def _saved_by_libreoffice(tmp_path: Path, source: Path) -> bytes:
    """``source`` opened and saved again as .xlsx by LibreOffice: another writer's XML."""
    out = tmp_path / "saved"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
        check=True, timeout=180, capture_output=True)
    return (out / source.name).read_bytes()


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed; .ci/install-system-packages installs it")
def test_example_saved_by_libreoffice_reads_as_two_full_loads(tmp_path: Path) -> None:
    data = _saved_by_libreoffice(tmp_path, EXAMPLE)
    fast = grid_from_bytes(data)
    _assert_same(fast, _full_loads(data))
    assert fast.cached_value("表三", 4, 10) is not None  # =SUM(D4:I4), calculated and cached


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@functools.cache
def _plain_workbook(date_style: bool) -> bytes:
    wb = openpyxl.Workbook()
    wb.active["A1"] = datetime(2025, 1, 2) if date_style else 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet_in_workbook(sheet_xml: str, *, date_style: bool = False) -> bytes:
    """A workbook saved by openpyxl whose first sheet's XML is replaced by ``sheet_xml``.

    With ``date_style`` cell style 1 is a date format (A1 of the original sheet holds a date).
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_plain_workbook(date_style))) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
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


def test_awkward_cells_read_as_two_full_loads() -> None:
    data = _sheet_in_workbook(_AWKWARD, date_style=True)
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


# Any sheet built of the cell shapes real writers use reads as two full loads do.
_TEXTS = st.text(st.sampled_from("年报 甲乙a1_&<>\"'\t\n"), max_size=6)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell_body(draw: st.DrawFn) -> tuple[str, str]:
    """A cell's attributes after ``r`` and its children: every shape the reader tells apart."""
    number = draw(st.one_of(st.integers(-10**12, 10**12).map(str),
                            st.floats(-1e9, 1e9, allow_nan=False).map(repr),
                            st.sampled_from(["1E3", "2.5e-3", "45659", "0"])))
    text = _escaped(draw(_TEXTS))
    serial = draw(st.one_of(st.integers(1, 2_958_465).map(str), st.sampled_from(["0.5", "45659.25"])))
    formula = draw(st.sampled_from(["A1+1", "SUM(A1:B2)", '"x"&amp;"y"', "TRUE()"]))
    return draw(st.sampled_from([
        ("", f"<v>{number}</v>"),
        (' s="1"', f"<v>{serial}</v>"),  # a date style
        (' t="n"', f"<v>{number}</v>"),
        (' s="1"', ""),  # styled, empty: the commonest cell of all
        (' t="n" s="1"', "<v></v>"),
        (' t="s"', "<v>0</v>"),
        (' t="str"', f"<v>{text}</v>"),
        (' t="b"', f"<v>{draw(st.sampled_from('01'))}</v>"),
        (' t="e"', "<v>#N/A</v>"),
        (' t="inlineStr"', f"<is><t>{text}</t></is>"),
        (' t="inlineStr"', f"<is><r><t>{text}</t></r><r><rPr><b/></rPr><t>尾</t></r></is>"),
        (' t="inlineStr"', ""),
        ("", f"<f>{formula}</f><v>{number}</v>"),
        ("", f"<f>{formula}</f>"),
        (' t="str"', f"<f>{formula}</f><v>{text}</v>"),
        (' t="b"', f"<f>{formula}</f><v>1</v>"),
        (' t="e"', f"<f>{formula}</f><v>#DIV/0!</v>"),
        (' s="1"', f"<f>{formula}</f><v>{serial}</v>"),
    ]))


@st.composite
def _sheets(draw: st.DrawFn) -> str:
    rows = []
    for row_number in range(1, draw(st.integers(1, 5)) + 1):
        cells = []
        for _ in range(draw(st.integers(0, 6))):
            attributes, children = _cell_body(draw)
            if draw(st.booleans()):  # most writers name every cell; some name none
                column = draw(st.sampled_from("ABC"))  # often twice in a row
                attributes = f' r="{column}{row_number}"{attributes}'
            cells.append(f"<c{attributes}>{children}</c>" if children or draw(st.booleans())
                         else f"<c{attributes}/>")
        named = f' r="{row_number}"' if draw(st.booleans()) or row_number == 1 else ""
        rows.append(f"<row{named}>{''.join(cells)}</row>")
    merges = draw(st.sampled_from(["", '<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>']))
    return f"<worksheet {_NS}><sheetData>{''.join(rows)}</sheetData>{merges}</worksheet>"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_sheets())
def test_any_sheet_of_real_cell_shapes_reads_as_two_full_loads(sheet_xml: str) -> None:
    data = _sheet_in_workbook(sheet_xml, date_style=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _assert_same(grid_from_bytes(data), _full_loads(data))


def test_a_broken_cached_value_drops_cached_values_only() -> None:
    # shared string 5 does not exist: a data_only load fails, the formulas still read
    xml = (f'<worksheet {_NS}><sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c>'
           '<c r="B1" t="s"><f>"x"</f><v>5</v></c><c r="C1"><v>3</v></c></row></sheetData></worksheet>')
    fast = grid_from_bytes(_sheet_in_workbook(xml))
    assert fast["Sheet"].cell(1, 2) == CellValue('="x"', "f")
    assert fast["Sheet"].cell(1, 3) == CellValue(3, "n")
    assert fast.cached_value("Sheet", 1, 1) is None  # as if no data_only load had worked


def test_a_merge_over_the_whole_sheet_keeps_only_its_corner() -> None:
    # A full openpyxl load would make a styled cell for each of 17 billion positions.
    xml = (f'<worksheet {_NS}><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c>'
           '</row><row r="9"><c r="C9"><v>3</v></c></row></sheetData>'
           '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells></worksheet>')
    sheet = grid_from_bytes(_sheet_in_workbook(xml))["Sheet"]
    assert dict(sheet.cells) == {(1, 1): CellValue(1, "n")}


def test_load_grid_refuses_what_load_workbook_refuses(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(_sheet_in_workbook(f"<worksheet {_NS}><sheetData><row r='1'>"))
    with pytest.raises(InputError, match="已损坏"):
        load_grid(broken)
    hostile = tmp_path / "hostile.xlsx"
    hostile.write_bytes(_sheet_in_workbook(f"<!DOCTYPE w [<!ENTITY a 'b'>]><worksheet {_NS}/>"))
    with pytest.raises(InputError, match="实体声明"):
        load_grid(hostile)


def test_load_grid_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "example.xlsx"
    path.write_bytes(EXAMPLE.read_bytes())
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    grid = load_grid(path)
    assert "表三" in grid
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


# --- The parts of a workbook the reader reads itself -------------------------------------


def _patched(tmp_path: Path, wb: openpyxl.Workbook, parts: dict[str, str] | None = None,
             edits: dict[str, tuple[tuple[str, str], ...]] | None = None) -> bytes:
    """``wb`` as openpyxl saves it, with whole ``parts`` replaced or added and text ``edits``
    (part -> (old, new) pairs, each of which must occur) made in others."""
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    parts, edits = dict(parts or {}), dict(edits or {})
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = parts.pop(info.filename, None) or source.read(info.filename).decode()
            for old, new in edits.pop(info.filename, ()):
                assert old in body, (info.filename, old)
                body = body.replace(old, new)
            target.writestr(info.filename, body)
        for name, body in parts.items():
            target.writestr(name, body)
    assert not edits, edits
    return out.getvalue()


def _with_shared_strings(tmp_path: Path, sheet_xml: str, strings: str) -> bytes:
    types = _SHARED_STRINGS_TYPE.decode()
    return _patched(tmp_path, openpyxl.Workbook(),
                    {"xl/worksheets/sheet1.xml": sheet_xml, "xl/sharedStrings.xml": strings},
                    {"[Content_Types].xml": (("</Types>", types + "</Types>"),)})


def _row(*cells: str) -> str:
    return f'<worksheet {_NS}><sheetData><row r="1">{"".join(cells)}</row></sheetData></worksheet>'


def test_shared_strings_with_rich_runs_read_as_their_text(tmp_path: Path) -> None:
    strings = (f'<sst {_NS}>'
               '<si><t>平文</t></si>'
               '<si><r><t>依申请</t></r><r><rPr><b/><sz val="11"/><rFont val="宋体"/></rPr>'
               '<t xml:space="preserve">公开 </t></r><r><t>情况</t></r></si>'
               '<si><t>申請</t><rPh sb="0" eb="2"><t>しんせい</t></rPh><phoneticPr fontId="1"/></si>'
               '<si><t xml:space="preserve">  两端空格  </t></si>'
               '<si><t/></si>'
               '</sst>')
    xml = _row(*(f'<c r="{col}1" t="s"><v>{i}</v></c>' for i, col in enumerate("ABCDE")))
    data = _with_shared_strings(tmp_path, xml, strings)
    fast = grid_from_bytes(data)
    _assert_same(fast, _full_loads(data))
    sheet = fast["Sheet"]
    assert [sheet.cell(1, c).value for c in range(1, 6)] == [
        "平文", "依申请公开 情况", "申請", "  两端空格  ", ""]  # the phonetic run is no text
    assert sheet.cell(1, 2).data_type == "s"


def test_inline_strings_read_as_their_text(tmp_path: Path) -> None:
    xml = _row('<c r="A1" t="inlineStr"><is><t>内联文字</t></is></c>',
               '<c r="B1" t="inlineStr"><is><r><t>富</t></r><r><rPr><i/></rPr><t>文本</t></r></is></c>',
               '<c r="C1" t="inlineStr"/>',
               '<c r="D1" t="str"><v>公式外的 str</v></c>')
    data = _patched(tmp_path, openpyxl.Workbook(), {"xl/worksheets/sheet1.xml": xml})
    fast = grid_from_bytes(data)
    _assert_same(fast, _full_loads(data))
    sheet = fast["Sheet"]
    assert sheet.cell(1, 1) == CellValue("内联文字", "s")
    assert sheet.cell(1, 2) == CellValue("富文本", "s")
    assert sheet.cell(1, 3) == CellValue(None, "inlineStr")  # as openpyxl: no text, kept
    assert sheet.cell(1, 4) == CellValue("公式外的 str", "s")


def test_xml_escapes_of_excel_are_decoded(tmp_path: Path) -> None:
    # Excel writes a carriage return as _x000D_ and a literal "_x" as _x005F_x; openpyxl
    # keeps the former as text, so a pasted Windows line break would print "_x000D_".
    strings = f'<sst {_NS}><si><t>第一段_x000D_\n第二段</t></si><si><t>_x005F_x000D_</t></si></sst>'
    xml = _row('<c r="A1" t="s"><v>0</v></c>', '<c r="B1" t="s"><v>1</v></c>',
               '<c r="C1" t="inlineStr"><is><t>甲_x0009_乙 _xD83D__xDE00_</t></is></c>')
    sheet = grid_from_bytes(_with_shared_strings(tmp_path, xml, strings))["Sheet"]
    assert sheet.cell(1, 1).value == "第一段\r\n第二段"
    assert sheet.cell(1, 2).value == "_x000D_"  # an escaped escape stays text
    assert sheet.cell(1, 3).value == "甲\t乙 \U0001F600"  # a pair escaped as two halves


def test_dates_by_number_format(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = datetime(2025, 1, 2)
    ws["A1"].number_format = 'yyyy"年"m"月"d"日"'  # a custom format (numFmts, id 164+)
    ws["A2"] = datetime(2025, 3, 4, 5, 6)  # openpyxl's own yyyy-mm-dd h:mm:ss
    ws["A3"] = time(9, 30)
    ws["A3"].number_format = "h:mm"  # built-in id 20
    ws["A4"] = timedelta(hours=30)
    ws["A4"].number_format = "[h]:mm"  # a duration
    ws["A5"] = 1234.5
    ws["A5"].number_format = "#,##0.00"  # a number format, not a date
    ws["A6"] = 45659
    ws["A6"].number_format = "mm-dd-yy"  # built-in id 14
    ws["A7"] = datetime(2025, 1, 2)
    ws["A7"].number_format = 'yyyy"年"m"月"d"日"'
    ws["B1"] = "=A1+1"
    ws["B1"].number_format = "mm-dd-yy"
    data = _patched(tmp_path, wb, edits={"xl/worksheets/sheet1.xml": (
        ("<f>A1+1</f><v></v>", "<f>A1+1</f><v>45660</v>"),  # as Excel caches it
        ('<c r="A7" s="1" t="n"><v>45659</v>', '<c r="A7" s="1" t="n"><v>99999999</v>'))})
    fast = grid_from_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about the date out of range
        _assert_same(fast, _full_loads(data))
    sheet = fast["Sheet"]
    assert sheet.cell(1, 1) == CellValue(datetime(2025, 1, 2), "d")
    assert sheet.cell(2, 1) == CellValue(datetime(2025, 3, 4, 5, 6), "d")
    assert sheet.cell(3, 1) == CellValue(time(9, 30), "d")
    assert sheet.cell(4, 1) == CellValue(timedelta(hours=30), "d")
    assert sheet.cell(5, 1) == CellValue(1234.5, "n")
    assert sheet.cell(6, 1) == CellValue(datetime(2025, 1, 2), "d")
    assert sheet.cell(7, 1) == CellValue("#VALUE!", "e")  # past year 9999: an error, as openpyxl
    assert fast.cached_value("Sheet", 1, 2) == datetime(2025, 1, 3)


def test_the_1904_date_system(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = datetime(2025, 1, 2)
    data = _patched(tmp_path, wb, edits={
        "xl/workbook.xml": (("<workbookPr/>", '<workbookPr date1904="1"/>'),),
        "xl/worksheets/sheet1.xml": (("<v>45659</v>", "<v>44197</v>"),)})
    fast = grid_from_bytes(data)
    _assert_same(fast, _full_loads(data))
    assert fast["Sheet"].cell(1, 1) == CellValue(datetime(2025, 1, 2), "d")


def test_east_asian_built_in_date_formats_read_as_dates(tmp_path: Path) -> None:
    # Chinese Excel and WPS write 2025年1月2日 as built-in format 31 with no numFmts entry;
    # openpyxl's table lacks ids 27-36 and 50-58 and reads a number (this reader differs).
    wb = openpyxl.Workbook()
    wb.active["A1"] = datetime(2025, 1, 2)
    wb.active["A1"].number_format = "mm-dd-yy"
    wb.active["A2"] = datetime(2025, 1, 2)
    wb.active["A2"].number_format = "0.00"
    data = _patched(tmp_path, wb, edits={"xl/styles.xml": (
        ('<xf numFmtId="14"', '<xf numFmtId="31"'), ('<xf numFmtId="2"', '<xf numFmtId="57"'))})
    fast = grid_from_bytes(data)["Sheet"]
    assert fast.cell(1, 1) == CellValue(datetime(2025, 1, 2), "d")
    assert fast.cell(2, 1) == CellValue(datetime(2025, 1, 2), "d")
    assert _full_loads(data)["Sheet"].cell(1, 1) == CellValue(45659, "n")


def test_formulas_keep_their_text_and_cached_values(tmp_path: Path) -> None:
    xml = (f'<worksheet {_NS}><sheetData>'
           '<row r="1"><c r="A1"><v>3</v></c><c r="B1"><f>A1*2</f><v>6</v></c>'
           '<c r="C1" t="str"><f>TEXT(A1,"0")</f><v>3</v></c>'
           '<c r="D1" t="str"><f>""</f><v></v></c></row>'
           '<row r="2"><c r="A2"><f t="shared" ref="A2:A4" si="0">A1+1</f><v>4</v></c></row>'
           '<row r="3"><c r="A3"><f t="shared" si="0"/><v>5</v></c></row>'
           '<row r="4"><c r="A4"><f t="shared" si="0"/><v>6</v></c></row>'
           '</sheetData></worksheet>')
    data = _patched(tmp_path, openpyxl.Workbook(), {"xl/worksheets/sheet1.xml": xml})
    fast = grid_from_bytes(data)
    _assert_same(fast, _full_loads(data))
    sheet = fast["Sheet"]
    assert sheet.cell(1, 2) == CellValue("=A1*2", "f")
    assert fast.cached_value("Sheet", 1, 2) == 6
    assert fast.cached_value("Sheet", 1, 3) == "3"
    assert fast.cached_value("Sheet", 1, 4) is None  # an empty cached text is no value
    assert [sheet.cell(r, 1).value for r in (2, 3, 4)] == ["=A1+1", "=A2+1", "=A3+1"]
    assert [fast.cached_value("Sheet", r, 1) for r in (2, 3, 4)] == [4, 5, 6]


def test_an_array_formula_reads_as_its_text_and_cached_value(tmp_path: Path) -> None:
    # openpyxl gives an ArrayFormula object here; the reader only needs "a formula".
    xml = _row('<c r="A1"><v>2</v></c>',
               '<c r="B1"><f t="array" ref="B1">SUM(A1:A1*2)</f><v>4</v></c>')
    fast = grid_from_bytes(_patched(tmp_path, openpyxl.Workbook(),
                                    {"xl/worksheets/sheet1.xml": xml}))
    assert fast["Sheet"].cell(1, 2) == CellValue("=SUM(A1:A1*2)", "f")
    assert fast.cached_value("Sheet", 1, 2) == 4


def test_defined_names_read_as_openpyxl_resolves_them(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "表三"
    wb.create_sheet("O'Brien")
    wb.create_sheet("第 2 表")
    names = {
        "plain": "表三!$D$4", "quoted": "'表三'!$B$2", "apostrophe": "'O''Brien'!A1",
        "spaced": "'第 2 表'!$C$3", "range": "表三!$A$1:$B$2", "broken": "#REF!",
        "constant": "42", "missing_sheet": "表九!$A$1", "two": "表三!$A$1,表三!$B$1",
    }
    for name, value in names.items():
        wb.defined_names[name] = DefinedName(name, attr_text=value)
    wb.active.defined_names["local"] = DefinedName("local", attr_text="表三!$E$5")
    wb.active.print_area = "A1:D9"
    data = _patched(tmp_path, wb)
    fast = grid_from_bytes(data)
    _assert_same(fast, _full_loads(data))
    assert dict(fast.named_cells) == {
        "plain": ("表三", 4, 4), "quoted": ("表三", 2, 2), "apostrophe": ("O'Brien", 1, 1),
        "spaced": ("第 2 表", 3, 3)}


def test_sheets_in_workbook_order_without_chartsheets(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "乙"
    wb.create_sheet("甲")
    wb.create_chartsheet("图")
    wb.create_sheet("丙")
    fast = grid_from_bytes(_patched(tmp_path, wb))  # (openpyxl cannot load its own chartsheet)
    assert fast.sheet_names == ("乙", "甲", "丙")


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed; .ci/install-system-packages installs it")
def test_a_workbook_written_by_libreoffice_reads_as_two_full_loads(tmp_path: Path) -> None:
    # LibreOffice writes shared strings, its own number format ids, cached values for every
    # formula, and the names and merges in its own way.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本信息"
    ws["A1"], ws["B1"] = "发布日期", datetime(2026, 1, 20)
    ws["B1"].number_format = 'yyyy"年"m"月"d"日"'
    ws["A2"], ws["B2"] = "正文", "第一段\n第二段"
    ws["A3"], ws["B3"], ws["C3"], ws["D3"] = "合计", 12, 30, "=B3+C3"
    ws["A4"] = "合并"
    ws.merge_cells("A4:C5")
    ws["A6"] = True
    wb.defined_names["nb.meta.date"] = DefinedName("nb.meta.date", attr_text="'基本信息'!$B$1")
    source = tmp_path / "authored.xlsx"
    wb.save(source)
    data = _saved_by_libreoffice(tmp_path, source)
    assert b"sharedStrings" in data  # really another writer's file
    fast = grid_from_bytes(data)
    _assert_same(fast, _full_loads(data))
    sheet = fast["基本信息"]
    assert sheet.cell(1, 2) == CellValue(datetime(2026, 1, 20), "d")
    assert sheet.cell(2, 2) == CellValue("第一段\n第二段", "s")
    assert sheet.cell(3, 4) == CellValue("=B3+C3", "f")
    assert fast.cached_value("基本信息", 3, 4) == 42  # calculated and cached by LibreOffice
    assert MergedRange(4, 1, 5, 3) in sheet.merged
    assert sheet.cell(6, 1) == CellValue("=TRUE()", "f")  # LibreOffice's way to store TRUE
    assert fast.cached_value("基本信息", 6, 1) is True
    assert fast.named_cells["nb.meta.date"] == ("基本信息", 1, 2)


def test_reads_in_several_threads_at_once_agree() -> None:
    # a web server reads uploads in threads; lxml parsers must not be shared between them
    from concurrent.futures import ThreadPoolExecutor

    data = EXAMPLE.read_bytes()
    expected = grid_from_bytes(data)
    with ThreadPoolExecutor(max_workers=4) as pool:
        grids = list(pool.map(lambda _: grid_from_bytes(data), range(16)))
    for grid in grids:
        _assert_same(grid, expected)


def test_a_part_that_fails_to_parse_leaves_the_next_read_whole() -> None:
    # each thread parses every part with one parser: a failure must not stay in it
    data = EXAMPLE.read_bytes()
    expected = grid_from_bytes(data)
    for broken in (b"<worksheet><sheetData><row></sheetData>", b"", b"\xff\xfe<a",
                   b"<a>" + "表".encode("gbk") + b"</a>"):
        with pytest.raises(etree.XMLSyntaxError):
            parse_xml(broken)
        _assert_same(grid_from_bytes(data), expected)
