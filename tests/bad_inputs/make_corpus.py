"""Generate the corpus of bad input files: ``python tests/bad_inputs/make_corpus.py DIR``.

Every file is made here, from code, at test time (no binaries are committed): the broken,
foreign, encrypted and hostile files the issue lists, and workbooks written by nianbao's own
writer and then damaged the way a clerk, Excel or an attacker would.  :func:`make_corpus`
returns one :class:`Case` per file with what ``nianbao check`` must answer: its exit code
(2 unreadable, 1 check failed, 0 fine) and a key phrase of the message.

Zip files are written by :func:`write_zip` (a small raw writer), so a zip bomb is cheap to
make: one megabyte of zeros deflated once, its compressed block repeated (full-flush blocks
are independent), and sizes can be declared as an attacker likes.
"""

from __future__ import annotations

import argparse
import io
import re
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator
from xml.sax.saxutils import escape as xml_escape

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from openpyxl.workbook.workbook import Workbook  # noqa: E402

from generator.form import TABLES  # noqa: E402
from generator.report.layout import TABLE_SHEETS, default_field_address  # noqa: E402
from generator.report.model import Report, report_from_json  # noqa: E402

EXAMPLE_JSON = TESTS / "data" / "example_report.json"

#: Exit codes of ``nianbao check`` (generator.errors).
FINE, CHECK_FAILED, UNREADABLE = 0, 1, 2


@dataclass(frozen=True)
class Case:
    """One corpus file and what ``check`` must say about it."""

    name: str
    what: str
    exit_code: int
    #: a phrase the message must contain ("" when a clean pass has nothing to say)
    phrase: str = ""


# ---------------------------------------------------------------------------
# Zip and OLE2 writers.


@dataclass(frozen=True)
class RawEntry:
    """A zip member: ``data`` is deflated here unless ``packed`` (raw deflate) is given."""

    name: str
    data: bytes = b""
    packed: bytes | None = None
    size: int | None = None  # declared uncompressed size (forged when it disagrees)
    crc: int | None = None
    stored: bool = False


def write_zip(target: Path, entries: Iterable[RawEntry]) -> None:
    """Write a zip archive member by member (no zip64: every size below 4 GiB)."""
    out, central, count = bytearray(), bytearray(), 0
    for entry in entries:
        name = entry.name.encode("utf-8")
        method = 0 if entry.stored else 8
        if entry.packed is not None:
            packed = entry.packed
        elif entry.stored:
            packed = entry.data
        else:
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            packed = compressor.compress(entry.data) + compressor.flush()
        size = len(entry.data) if entry.size is None else entry.size
        crc = zlib.crc32(entry.data) if entry.crc is None else entry.crc
        offset = len(out)
        flags = 0x800  # names are UTF-8
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc,
                           len(packed), size, len(name), 0) + name + packed
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, method, 0,
                               0x21, crc, len(packed), size, len(name), 0, 0, 0, 0, 0,
                               offset) + name
        count += 1
    out += central + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(central),
                                 len(out), 0)
    target.write_bytes(bytes(out))


def zip_parts(data: bytes) -> list[RawEntry]:
    """The members of an existing archive, to be modified and written again."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [RawEntry(info.filename, archive.read(info)) for info in archive.infolist()]


def replace_part(entries: list[RawEntry], name: str, data: bytes) -> list[RawEntry]:
    return [RawEntry(e.name, data) if e.name == name else e for e in entries]


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (MS-CFB v3, 512-byte sectors) holding ``streams``.

    Each stream is padded to 4096 bytes so it lives in ordinary sectors (no mini stream);
    the directory is a balanced tree of the streams under the root entry.  Enough for any
    reader to list the streams, which is all the detection needs.
    """
    sector = 512
    end, free, fat_mark = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    blobs = [(name, data.ljust(4096, b"\0")) for name, data in streams.items()]
    dir_entries = 1 + len(blobs)
    dir_sectors = -(-dir_entries * 128 // sector)
    data_sectors = sum(-(-len(blob) // sector) for _, blob in blobs)
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + dir_sectors + data_sectors:
        fat_sectors += 1
    assert fat_sectors <= 109, "larger files need DIFAT sectors"
    fat = [fat_mark] * fat_sectors
    first_dir = len(fat)
    fat += [first_dir + i + 1 for i in range(dir_sectors - 1)] + [end]
    starts: list[int] = []
    for _, blob in blobs:
        n, start = -(-len(blob) // sector), len(fat)
        starts.append(start)
        fat += [start + i + 1 for i in range(n - 1)] + [end]
    fat += [free] * (fat_sectors * 128 - len(fat))

    # Sibling tree: CFB orders names by length, then upper-case code points.
    order = sorted(range(len(blobs)), key=lambda i: (len(blobs[i][0]), blobs[i][0].upper()))
    left = {i: free for i in range(len(blobs))}  # directory ids (stream i has id i + 1)
    right = dict(left)

    def subtree(items: list[int]) -> int:
        if not items:
            return free
        mid = len(items) // 2
        node = items[mid]
        left[node], right[node] = subtree(items[:mid]), subtree(items[mid + 1:])
        return node + 1  # directory id: the root entry is 0

    root_child = subtree(order)

    def entry(name: str, kind: int, left_id: int, right_id: int, child: int, start: int,
              size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return struct.pack("<64sHBBIII16sIQQIQ", raw, len(raw), kind, 1, left_id, right_id,
                           child, b"\0" * 16, 0, 0, 0, start, size)

    directory = entry("Root Entry", 5, free, free, root_child, end, 0)
    for i, (name, _) in enumerate(blobs):
        directory += entry(name, 2, left[i], right[i], free, starts[i],
                           len(streams[name]) if len(streams[name]) >= 4096 else 4096)
    directory = directory.ljust(dir_sectors * sector, b"\0")
    difat = list(range(fat_sectors)) + [free] * (109 - fat_sectors)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
                         b"\0" * 16, 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, fat_sectors,
                         first_dir, 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", *difat)
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    body = b"".join(blob.ljust(-(-len(blob) // sector) * sector, b"\0") for _, blob in blobs)
    return header + fat_bytes + directory + body


def biff8_workbook_stream() -> bytes:
    """The start of an Excel 97-2003 ``Workbook`` stream: a BOF and an EOF record."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    return bof + struct.pack("<HH", 0x000A, 0)


# ---------------------------------------------------------------------------
# Valid workbooks to damage.


def example_report() -> Report:
    return report_from_json(EXAMPLE_JSON.read_text(encoding="utf-8"))


def filled_workbook() -> Workbook:
    """The bundled example, written by nianbao's own writer (checks clean)."""
    from generator.outputs.workbook import build_workbook

    return build_workbook(example_report())


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def first_input(table_key: str = "t3") -> str:
    """The workbook address (``表三!D4``) of the first input cell of a table."""
    table = next(t for t in TABLES if t.key == table_key)
    return str(default_field_address(table.input_fields[0]))


def sheet_part(wb: Workbook, sheet: str) -> str:
    """The zip part openpyxl writes ``sheet`` to (sheets are numbered in order)."""
    return f"xl/worksheets/sheet{wb.sheetnames.index(sheet) + 1}.xml"


def _set(wb: Workbook, address: str, value: object) -> Workbook:
    sheet, coordinate = address.split("!")
    wb[sheet][coordinate].value = value
    return wb


def _set_meta(attribute: str, value: object) -> Workbook:
    from generator.outputs.workbook import meta_address

    wb = filled_workbook()
    return _set(wb, str(meta_address(attribute)), value)


def _names_on(wb: Workbook, sheet: str) -> list[str]:
    quoted = re.compile(rf"^'?{re.escape(sheet)}'?!")
    return [n for n, d in wb.defined_names.items() if quoted.match(d.attr_text or "")]


def rename_sheet(wb: Workbook, old: str, new: str) -> Workbook:
    """Rename a sheet the way Excel does: the defined names follow it."""
    wb[old].title = new
    for name in _names_on(wb, old):
        d = wb.defined_names[name]
        d.attr_text = re.sub(rf"^'?{re.escape(old)}'?!", f"'{new}'!", d.attr_text)
    return wb


def delete_sheet(wb: Workbook, sheet: str) -> Workbook:
    """Delete a sheet the way Excel does: names on it become ``#REF!``."""
    for name in _names_on(wb, sheet):
        wb.defined_names[name].attr_text = "#REF!"
    wb.remove(wb[sheet])
    return wb


def drop_names(wb: Workbook) -> Workbook:
    """A workbook without nianbao's defined names (tables copied into a sheet of one's own)."""
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    return wb


def delete_rows(wb: Workbook, sheet: str, first: int, count: int) -> Workbook:
    """Delete rows the way Excel does: names below move up, names inside become ``#REF!``,
    merges inside are dropped and merges below move up."""
    from openpyxl.utils.cell import range_boundaries

    ws = wb[sheet]
    last = first + count - 1
    merges = [m.coord for m in ws.merged_cells.ranges]
    for coord in merges:
        ws.unmerge_cells(coord)
    ws.delete_rows(first, count)
    for coord in merges:
        min_col, min_row, max_col, max_row = range_boundaries(coord)
        if max_row < first:
            ws.merge_cells(coord)
        elif min_row > last:
            ws.merge_cells(start_row=min_row - count, start_column=min_col,
                           end_row=max_row - count, end_column=max_col)
    cell_ref = re.compile(r"\$([A-Z]+)\$(\d+)$")
    for name in _names_on(wb, sheet):
        d = wb.defined_names[name]
        match = cell_ref.search(d.attr_text)
        if not match:
            continue
        row = int(match.group(2))
        if first <= row <= last:
            d.attr_text = "#REF!"
        elif row > last:
            d.attr_text = d.attr_text[:match.start()] + f"${match.group(1)}${row - count}"
    return wb


# ---------------------------------------------------------------------------
# Hostile payloads.


def with_doctype(xml: bytes, doctype: str, reference: str) -> bytes:
    """``xml`` with ``doctype`` in its prolog and its first text node replaced by ``reference``."""
    body = re.sub(rb"<t>[^<]*</t>", b"<t>" + reference.encode() + b"</t>", xml, count=1)
    if body.startswith(b"<?xml"):
        end = body.index(b"?>") + 2
        return body[:end] + doctype.encode() + body[end:]
    return doctype.encode() + body


def with_merges(xml: bytes, refs: Iterable[str]) -> bytes:
    """``xml`` with its merged ranges replaced by ``refs`` (a hostile sheet's merge list)."""
    refs = list(refs)
    merges = "".join(f'<mergeCell ref="{ref}"/>' for ref in refs)
    block = f'<mergeCells count="{len(refs)}">{merges}</mergeCells>'.encode()
    return re.sub(rb"<mergeCells\b.*?</mergeCells>", lambda _: block, xml, count=1, flags=re.S)


def billion_laughs(xml: bytes) -> bytes:
    """Entity expansion: ten levels of ten references, a thousand million "lol"s."""
    lol = ['<!ENTITY lol0 "lol">']
    for i in range(1, 10):
        lol.append(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">')
    return with_doctype(xml, f"<!DOCTYPE worksheet [{''.join(lol)}]>", "&lol9;")


def external_entity(xml: bytes, url: str = "file:///etc/passwd") -> bytes:
    return with_doctype(xml, f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{url}">]>', "&xxe;")


def zeros_deflated(megabytes: int) -> tuple[bytes, int]:
    """Raw deflate of ``megabytes`` MiB of zeros and its CRC, made in milliseconds.

    A full flush ends a block without back-references, so the compressed form of one
    megabyte can be repeated; the CRC still has to be computed over all the zeros.
    """
    block = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(block, crc)
    return one * megabytes + tail, crc


def million_rows_sheet(rows: int = 1_000_000) -> tuple[bytes, int, int]:
    """A worksheet with ``rows`` used rows, deflated in chunks: (packed, crc, size)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed, crc, size = [], 0, 0

    def feed(text: str) -> None:
        nonlocal crc, size
        raw = text.encode()
        crc, size = zlib.crc32(raw, crc), size + len(raw)
        packed.append(compressor.compress(raw))

    feed('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         f'<dimension ref="A1:A{rows}"/><sheetData>')
    step = 10_000
    for start in range(1, rows + 1, step):
        feed("".join(f'<row r="{r}"><c><v>{r % 10}</v></c></row>'
                     for r in range(start, min(start + step, rows + 1))))
    feed("</sheetData></worksheet>")
    packed.append(compressor.flush())
    return b"".join(packed), crc, size


# ---------------------------------------------------------------------------
# The corpus.

Maker = Callable[[Path], None]


def _write_wb(wb: Workbook) -> Maker:
    return lambda target: wb.save(target)


def _bytes(data: bytes) -> Maker:
    return lambda target: target.write_bytes(data)


def _entries(entries: list[RawEntry]) -> Maker:
    return lambda target: write_zip(target, entries)


def _encrypted(plain: bytes) -> bytes:
    """``plain`` encrypted with a password by msoffcrypto-tool (ECMA-376 agile), or, without
    that test dependency, a compound file with the same two streams Excel writes."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return compound_file({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",
                              "EncryptedPackage": struct.pack("<Q", len(plain)) + bytes(4096)})
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt("mima2025", out)
    return out.getvalue()


def _cases() -> Iterator[tuple[Case, Maker]]:
    valid = filled_workbook()
    valid_bytes = workbook_bytes(valid)
    parts = zip_parts(valid_bytes)
    t3 = TABLE_SHEETS["t3"]
    cell = first_input("t3")

    # --- not a workbook at all
    yield Case("empty.xlsx", "an empty file", UNREADABLE, "文件是空的"), _bytes(b"")
    yield (Case("text.xlsx", "a text file named .xlsx", UNREADABLE, "这不是 Excel 工作簿（.xlsx）文件"),
           _bytes("这是一份说明文字，不是表格。\n请查收。\n".encode()))
    csv = "项目,自然人,商业企业\n本年新收,3,0\n上年结转,0,0\n".encode("gb18030")
    yield Case("table.csv", "a CSV file", UNREADABLE, "CSV"), _bytes(csv)
    yield Case("csv-named.xlsx", "a CSV file named .xlsx", UNREADABLE, "CSV"), _bytes(csv)
    yield (Case("page.xls", "an HTML table named .xls (exported by other systems)", UNREADABLE,
                "HTML"),
           _bytes(b"<html><body><table><tr><td>1</td></tr></table></body></html>"))
    yield (Case("truncated.xlsx", "a workbook cut off while copying", UNREADABLE,
                "文件已损坏或未完整复制"), _bytes(valid_bytes[: len(valid_bytes) * 6 // 10]))
    yield (Case("old.xls", "an Excel 97-2003 workbook (OLE2 compound file)", UNREADABLE,
                "另存为 .xlsx 格式"),
           _bytes(compound_file({"Workbook": biff8_workbook_stream()})))
    yield (Case("old-renamed.xlsx", "an .xls renamed to .xlsx", UNREADABLE, ".xls"),
           _bytes(compound_file({"Workbook": biff8_workbook_stream()})))
    yield (Case("encrypted.xlsx", "a password-protected workbook", UNREADABLE, "该文件已加密"),
           _bytes(_encrypted(valid_bytes)))
    ods = [RawEntry("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", stored=True),
           RawEntry("content.xml", b'<?xml version="1.0"?><office:document-content '
                    b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')]
    yield Case("sheet.ods", "an OpenDocument spreadsheet", UNREADABLE, ".ods"), _entries(ods)
    docx = [RawEntry("[Content_Types].xml", b"<Types/>"), RawEntry("word/document.xml", b"<w/>")]
    yield Case("report.xlsx", "a Word document named .xlsx", UNREADABLE, "Word"), _entries(docx)
    yield (Case("archive.xlsx", "a plain zip of files", UNREADABLE, "zip 压缩包"),
           _entries([RawEntry("readme.txt", b"hello")]))
    yield (Case("~$lock.xlsx", "Excel's lock file beside an open workbook", UNREADABLE, "锁文件"),
           _bytes(b"\x08clerk01" + b" " * 100 + b"\x08\x00c\x00l\x00e\x00r\x00k\x00"))

    # --- hostile archives
    bomb, bomb_crc = zeros_deflated(2048)
    yield (Case("zip-bomb.xlsx", "2 MB that inflate to 2 GB of zeros", UNREADABLE, "文件解压后过大"),
           _entries(parts + [RawEntry("xl/media/image1.png", packed=bomb, size=2048 << 20,
                                      crc=bomb_crc)]))
    dense, dense_crc = zeros_deflated(20)
    yield (Case("zip-dense.xlsx", "a 20 MB part compressed 1000:1", UNREADABLE, "压缩比"),
           _entries(parts + [RawEntry("xl/media/image2.png", packed=dense, size=20 << 20,
                                      crc=dense_crc)]))
    yield (Case("zip-understated.xlsx", "a part that inflates far past the size it declares",
                UNREADABLE, "文件已损坏"),
           _entries(parts + [RawEntry("customXml/item1.xml", packed=dense, size=1000,
                                      crc=dense_crc)]))
    yield (Case("zip-many.xlsx", "3,000 parts", UNREADABLE, "文件解压后过大"),
           _entries(parts + [RawEntry(f"customXml/item{i}.xml", b"<a/>") for i in range(3000)]))
    t3_part = sheet_part(valid, t3)
    t3_xml = next(e.data for e in parts if e.name == t3_part)
    yield (Case("billion-laughs.xlsx", "entity expansion in 表三's XML", UNREADABLE, "实体声明"),
           _entries(replace_part(parts, t3_part, billion_laughs(t3_xml))))
    yield (Case("xxe.xlsx", "an external entity reading /etc/passwd into 表三", UNREADABLE,
                "实体声明"), _entries(replace_part(parts, t3_part, external_entity(t3_xml))))
    workbook_xml = next(e.data for e in parts if e.name == "xl/workbook.xml")
    yield (Case("xxe-workbook.xlsx", "an external entity (network) in xl/workbook.xml",
                UNREADABLE, "实体声明"),
           _entries(replace_part(parts, "xl/workbook.xml",
                                 external_entity(workbook_xml, "http://127.0.0.1:9/x"))))
    utf7 = b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE worksheet+AD4-' + t3_xml
    yield (Case("utf7.xlsx", "a part in UTF-7, which could hide a DOCTYPE", UNREADABLE, "字符编码"),
           _entries(replace_part(parts, t3_part, utf7)))
    packed, crc, size = million_rows_sheet()
    huge = [RawEntry(e.name, packed=packed, size=size, crc=crc)
            if e.name == sheet_part(valid, t3) else e for e in parts]
    yield Case("million-rows.xlsx", "表三 with a million used rows", UNREADABLE, "行数过多"), \
        _entries(huge)
    yield (Case("merge-whole-sheet.xlsx", "表三 with one merge over the whole sheet",
                UNREADABLE, "合并单元格过多或过大"),
           _entries(replace_part(parts, t3_part, with_merges(t3_xml, ["A30:XFD1048576"]))))
    yield (Case("merge-thousands.xlsx", "表三 with 5,000 merged ranges", UNREADABLE,
                "合并单元格过多或过大"),
           _entries(replace_part(parts, t3_part, with_merges(
               t3_xml, [f"A{r}:C{r}" for r in range(30, 5030)]))))

    # --- macro-enabled: read, never run
    vba = compound_file({"PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n'
                                    b'Document=ThisWorkbook/&H00000000\r\n',
                         "dir": b"Attribute VB_Name = \"ThisWorkbook\"\r\nSub Auto_Open()\r\n"
                                b"Shell \"calc.exe\"\r\nEnd Sub\r\n"})
    types = next(e.data for e in parts if e.name == "[Content_Types].xml")
    types = types.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                          b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
        b"<Default ", b'<Default Extension="bin" '
                     b'ContentType="application/vnd.ms-office.vbaProject"/><Default ', 1)
    rels = next(e.data for e in parts if e.name == "xl/_rels/workbook.xml.rels")
    rels = rels.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="http://schemas.'
                        b'microsoft.com/office/2006/relationships/vbaProject" '
                        b'Target="vbaProject.bin"/></Relationships>')
    xlsm = (replace_part(replace_part(parts, "[Content_Types].xml", types),
                         "xl/_rels/workbook.xml.rels", rels)
            + [RawEntry("xl/vbaProject.bin", vba)])
    yield Case("macros.xlsm", "a macro-enabled workbook (macros are never run)", FINE), _entries(xlsm)

    # --- the workbook's shape changed
    yield Case("valid.xlsx", "the bundled example, untouched", FINE), _write_wb(filled_workbook())
    yield (Case("sheet-renamed.xlsx", f"{t3} renamed to Sheet5 (names follow, as in Excel)", FINE),
           _write_wb(rename_sheet(filled_workbook(), t3, "Sheet5")))
    yield (Case("sheet-missing.xlsx", f"{t3} deleted", UNREADABLE, t3),
           _write_wb(delete_sheet(filled_workbook(), t3)))
    t3_form = next(t for t in TABLES if t.key == "t3")
    label = next(c for c in t3_form.labels if c.text.startswith("二、"))  # 二、上年结转…

    def label_changed(names: bool) -> Workbook:
        wb = filled_workbook()
        wb[t3].cell(label.row + 1, label.col + 1).value = label.text + "（已改）"
        return wb if names else drop_names(wb)

    yield (Case("label-changed.xlsx", "a 表三 label edited; defined names intact", FINE),
           _write_wb(label_changed(True)))
    yield (Case("label-changed-no-names.xlsx", "a 表三 label edited and no defined names",
                UNREADABLE, t3), _write_wb(label_changed(False)))
    first_row = default_field_address(t3_form.input_fields[0]).row
    yield (Case("rows-deleted.xlsx", "two input rows deleted from 表三", UNREADABLE, t3),
           _write_wb(delete_rows(filled_workbook(), t3, first_row + 1, 2)))

    def unmerged() -> Workbook:
        wb = filled_workbook()
        ws = wb[t3]
        ws.unmerge_cells(next(iter(ws.merged_cells.ranges)).coord)
        return wb

    yield Case("merge-broken.xlsx", "a merged header cell of 表三 split", FINE), _write_wb(unmerged())

    # --- what a number cell can hold
    values: list[tuple[str, object, int]] = [
        ("text", "22（其中修订16件）", CHECK_FAILED),
        ("negative", -3, CHECK_FAILED),
        ("decimal", 2.5, CHECK_FAILED),
        ("huge", 1e308, CHECK_FAILED),
        ("date", date(2025, 3, 1), CHECK_FAILED),
        ("boolean", True, CHECK_FAILED),
        ("ref-error", "#REF!", CHECK_FAILED),
        ("div0-error", "#DIV/0!", CHECK_FAILED),
        ("external-formula", "='[other.xlsx]Sheet1'!A1", CHECK_FAILED),
    ]
    for key, value, code in values:
        yield (Case(f"number-{key}.xlsx", f"{value!r} in the number cell {cell}", code, cell),
               _write_wb(_set(filled_workbook(), cell, value)))

    # --- text and names
    from generator.outputs.workbook import text_address

    # Excel (and openpyxl) cut a cell at 32,767 characters; a generated file need not, so
    # the text goes into the sheet's XML directly, in place of a marker.
    odd = "\t\x7f\x85\u2028\u200b\ufeff_x0007_ "
    long_text = (("本机关坚持以公开为常态、不公开为例外。" + odd) * 1300)[:40_000]
    marker = "@@LONG-TEXT@@"
    marked = _set(filled_workbook(), str(text_address("overview.proactive")), marker)
    marked_parts = zip_parts(workbook_bytes(marked))
    text_part = sheet_part(marked, "正文")
    text_xml = next(e.data for e in marked_parts if e.name == text_part)
    assert marker.encode() in text_xml
    text_xml = text_xml.replace(marker.encode(), xml_escape(long_text).encode())
    yield (Case("text-40000.xlsx", f"{len(long_text):,} characters and control characters in a "
                "paragraph", FINE), _entries(replace_part(marked_parts, text_part, text_xml)))
    for key, agency in [("emoji", "扎赉特旗😀𠀀𪚥苏木人民政府"),
                        ("slash", "扎赉特旗/宝力根花苏木人民政府"),
                        ("dotdot", "../../扎赉特旗宝力根花苏木人民政府"),
                        ("con", "CON"),
                        ("long", "扎赉特旗宝力根花苏木人民政府" * 22 + "办公室")]:
        yield (Case(f"agency-{key}.xlsx", f"agency name {agency[:20]!r}… ({len(agency)} chars)",
                    FINE), _write_wb(_set_meta("agency", agency)))


def make_corpus(directory: str | Path, *, only: Iterable[str] | None = None) -> list[Case]:
    """Write every corpus file into ``directory`` (created) and return the cases."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    wanted = set(only) if only is not None else None
    cases = []
    for case, make in _cases():
        if wanted is not None and case.name not in wanted:
            continue
        make(directory / case.name)
        cases.append(case)
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    for case in make_corpus(args.directory):
        size = (args.directory / case.name).stat().st_size
        print(f"{case.name:32} {size:>10,} B  exit {case.exit_code}  {case.what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
