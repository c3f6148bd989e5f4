"""The workbook guard's row, cell, merge and string counts: the cheap way it counts refuses
exactly what counting every tag in every stretch refuses, at the same stretch, with the
same message; and a huge sheet is refused while it streams, not after."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils import column_index_from_string

from generator import limits
from generator.errors import InputError
from generator.inputs import ooxml
from generator.inputs.workbook import source
from generator.inputs.workbook.source import (
    _MERGE,
    _ROW_OR_CELL,
    _SHARED_STRING,
    TOO_MANY_ROWS,
    _Counter,
)


class _EveryTagCounted(_Counter):
    """The counter as it was before it learnt to skip cells: every row, cell, merge and
    string of every stretch counted by the full patterns, then the same checks."""

    def _count_tags(self, body: str) -> None:
        for tag, row in _ROW_OR_CELL.findall(body):
            if tag == "c":
                self.cells += 1
            else:
                self.rows += 1
                if row:
                    self.highest_row = max(self.highest_row, int(row))
        if self.shared_strings:
            self.strings += len(_SHARED_STRING.findall(body))

    def _count_merges(self, body: str, start: int) -> None:
        for match in _MERGE.finditer(body, start):
            self.merges += 1
            if self.merges > limits.MAX_SHEET_MERGES or \
                    _area_as_it_was(match) > limits.MAX_MERGE_CELLS:
                self._refuse_merges()


def _area_as_it_was(match: re.Match[str]) -> int:
    first_col, first_row, last_col, last_row = match.groups()
    if last_col is None:
        return 1
    rows = abs(int(last_row) - int(first_row)) + 1
    cols = abs(column_index_from_string(last_col.upper()) - column_index_from_string(first_col.upper())) + 1
    return rows * cols


#: Markup the counts must see through: counted tags with and without prefixes, names that
#: only start like one, rows without ``r``, far down, out of order and with leading zeros,
#: text that contains "row", a tag hidden in a malformed ``<row>``, and filler that pushes
#: the text past the length at which cells start to be counted.
_MARKUP = st.sampled_from([
    '<c r="A1">', "<c>", "<c/>", '<c\tr="B2"/>', "</c>", "<cols>", "<x:cols>", "<cfRule>",
    "<c><c><c><c>", "<x:c>", "<_:c>", "<a:b:c>", "<x:c/>", "<v>1</v>", "<x:v>2</x:v>",
    '<row r="7">', '<row spans="1:3" r="12">', "<row>", "</row>", "<row/>", '<row r="2"/>',
    '<row r="99">', '<row r="0000005">', '<x:row r="3">', '<x:row r="40">', "<x.y-z:row>",
    "</x:row>", "<rowBreaks>", "arrow r=\"50\" ", ":row ", '<row a="<c>" r="1">',
    '<row x="<row r=\'60\'>" r="1">', "<si>", "<x:si>", "<sip>", "</si>",
    '<mergeCell ref="A1:B2"/>', '<x:mergeCell ref="C3"/>', '<mergeCell ref="A1:C9"/>',
    '<mergeCell ref="$B$2:b30"/>', '<mergeCell ref="C9:A1"/>', '<mergeCell ref="D1:D20"/>',
    "text", "<", ">", ":", " ", "x" * 25, "\u4e2d\u6587"])


#: The densest counted markup: texts of it are as short as texts over a limit can be.
_DENSE = st.sampled_from(["<c>", "<c/>", "<x:c>", "<si>", "<c><c><c><c>", "<si><si>"])


@given(st.lists(_MARKUP, max_size=40))
def test_the_row_patterns_find_the_rows_of_the_full_pattern(pieces: list[str]) -> None:
    body = "".join(pieces)
    rows = [row for tag, row in _ROW_OR_CELL.findall(body) if tag != "c"]
    assert source._ROW.findall(body) == rows
    if ":row" not in body:
        assert source._UNPREFIXED_ROW.findall(body) == rows


def _part(pieces: list[str], encoding: str) -> bytes:
    """A sheet's data, without the long root tag: short texts are what test the length at
    which cells start to be counted."""
    return f"<sheetData>{''.join(pieces)}</sheetData>".encode(encoding)


def _outcome(counter: type[_Counter], name: str, data: bytes) -> tuple[str, int, int, int]:
    """What the guard's streaming of one part makes of it with ``counter`` watching: the
    refusal message (or "") and the exact counts it keeps."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    with zipfile.ZipFile(buffer) as archive:
        info = archive.getinfo(name)
        watch = counter(Path("w.xlsx"), info, "表1")
        try:
            ooxml.read_part(Path("w.xlsx"), archive, info, source.WORKBOOK, watch)
        except InputError as exc:
            return str(exc), watch.rows, watch.highest_row, watch.merges
    return "", watch.rows, watch.highest_row, watch.merges


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(st.one_of(_MARKUP, _DENSE), max_size=80),
       chunk=st.sampled_from([5, 8, 13, 32, 64 * 1024]),
       encoding=st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "utf-16"]),
       shared_strings=st.booleans(),
       limit=st.integers(min_value=1, max_value=12),
       cell_limit=st.integers(min_value=1, max_value=60))
def test_the_cheap_count_refuses_what_counting_every_tag_refuses(
        pieces: list[str], chunk: int, encoding: str, shared_strings: bool,
        limit: int, cell_limit: int) -> None:
    """Limits made small so that sheets just under and just over each are a few tags;
    chunks made small so that tags split across them."""
    name = source.SHARED_STRINGS_PART if shared_strings else "xl/worksheets/sheet1.xml"
    data = _part(pieces, encoding)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(limits, "SCAN_CHUNK_BYTES", chunk)
        patch.setattr(limits, "MAX_SHEET_ROWS", limit)
        patch.setattr(limits, "MAX_SHEET_CELLS", cell_limit)
        patch.setattr(limits, "MAX_SHEET_MERGES", limit)
        patch.setattr(limits, "MAX_MERGE_CELLS", 4 * limit)
        assert _outcome(_Counter, name, data) == _outcome(_EveryTagCounted, name, data)


@pytest.mark.parametrize("cells", [99, 100, 101])
@pytest.mark.parametrize("prefix", ["", "x:"])
def test_cells_just_under_and_over_the_limit(monkeypatch, cells: int, prefix: str) -> None:
    """Cells as short as a cell can be written ("<c>"), so that the text over the limit is
    as short as it can be and must still be counted."""
    monkeypatch.setattr(limits, "MAX_SHEET_CELLS", 100)
    data = _part([f"<{prefix}row>"] + [f"<{prefix}c>"] * cells + [f"</{prefix}row>"], "utf-8")
    message, *_ = _outcome(_Counter, "xl/worksheets/sheet1.xml", data)
    assert message == _outcome(_EveryTagCounted, "xl/worksheets/sheet1.xml", data)[0]
    assert ("单元格过多" in message) == (cells > 100)


def test_a_row_far_down_after_rows_out_of_order_is_refused() -> None:
    data = _part(['<row r="3">', "</row>", '<row r="5000000"/>', '<row r="1">'], "utf-8")
    message, rows, highest, _ = _outcome(_Counter, "xl/worksheets/sheet1.xml", data)
    assert TOO_MANY_ROWS in message and (rows, highest) == (3, 5_000_000)


def test_a_million_row_sheet_is_refused_before_it_is_inflated(monkeypatch) -> None:
    """The rows are counted as the part streams: the refusal comes after its first chunks."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 1_000_001))
    data = _part([rows], "utf-8")
    read = []
    original = zipfile.ZipExtFile.read

    def counted_read(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        chunk = original(self, n)
        read.append(len(chunk))
        return chunk

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counted_read)
    message, rows_seen, *_ = _outcome(_Counter, "xl/worksheets/sheet1.xml", data)
    assert TOO_MANY_ROWS in message
    assert rows_seen <= limits.MAX_SHEET_ROWS + 2000
    assert sum(read) < len(data) // 20


@pytest.mark.parametrize("tag", ["<row ", "<mergeCell "])
def test_tags_that_never_close_are_scanned_in_time_that_grows_with_the_part(
        tmp_path: Path, tag: str) -> None:
    # A pattern that looked for r= (or ref=) up to the next ">" gave every unclosed tag the
    # rest of the chunk to search, time growing with the square of the chunk: with chunks of
    # 1 MB, hours for this one part.  The generous limit only tells "linear" from
    # "quadratic"; it measures nothing.
    import subprocess
    import sys

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    plain = io.BytesIO()
    wb.save(plain)
    hostile = tmp_path / "unclosed.xlsx"
    with zipfile.ZipFile(plain) as source_zip, zipfile.ZipFile(hostile, "w") as target:
        for info in source_zip.infolist():
            target.writestr(info, source_zip.read(info))
        # stored, not deflated: the ratio guard would refuse it first otherwise
        target.writestr("xl/unclosed.xml", (tag * (1_000_000 // len(tag))).encode(),
                        compress_type=zipfile.ZIP_STORED)
    script = ("import sys\nfrom generator import limits\nfrom generator.errors import InputError\n"
              "from generator.inputs.workbook.source import inspect_workbook_file\n"
              "limits.SCAN_CHUNK_BYTES = 1 << 20\n"
              "try:\n    inspect_workbook_file(sys.argv[1])\nexcept InputError:\n    pass\n")
    subprocess.run([sys.executable, "-c", script, str(hostile)], check=True, timeout=60,
                   cwd=Path(__file__).resolve().parent.parent)
