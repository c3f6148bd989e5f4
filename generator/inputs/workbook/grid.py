"""A read-only snapshot of a workbook: what the reader needs, taken in one parse.

Reading a report needs little of a workbook: the sheet names, the workbook-level defined
names that point at one cell, each sheet's cell values (with openpyxl's data types: ``f`` for
a formula, ``e`` for an Excel error, …), each sheet's merged ranges, and for formula cells
the value Excel cached.  A full openpyxl load builds far more — a styled ``Cell`` per cell,
and for every merged range a restyled ``MergedCell`` per covered cell — and the cached values
need a second full load with ``data_only``.

:func:`grid_from_parts` reads the OOXML parts itself, with lxml, from the parts that
:func:`generator.inputs.workbook.source.inspect_workbook_file` already decompressed and checked
(each part is inflated once, by the guard; :func:`grid_from_bytes` unzips a file's bytes
itself, for callers that hold bytes only):

* ``xl/workbook.xml`` and its relationships: the sheets in order (chartsheets and sheets
  whose part is missing are left out, as openpyxl does), the 1904 date system, and the
  workbook-level defined names;
* the shared strings (plain and rich text runs; phonetic runs are not text);
* ``xl/styles.xml``: which cell styles carry a date or time number format, built in
  (ids 14–22, 45–47, and the East Asian ids 27–36 and 50–58) or declared in ``numFmts``;
* each worksheet's ``<sheetData>`` (numbers, shared and inline strings, booleans, errors,
  ISO dates, formulas with the value cached in ``<v>``) and ``<mergeCells>``.

Values and data types are those of a full openpyxl load, and the cached values those of a
``data_only`` load: ``tests/test_workbook_grid.py`` compares the snapshot with two such
loads.  Where openpyxl reads the file wrongly this reader deliberately differs (each tested
there): the ``_xHHHH_`` escapes Excel writes for characters XML cannot hold (a carriage
return is ``_x000D_``) are decoded, the East Asian built-in date formats (Chinese Excel and
WPS use id 31 for ``yyyy"年"m"月"d"日"``) read as dates, and a quoted sheet name's doubled
apostrophe in a defined name is undone.  As in a full load, the cells a merge covers, except
its top-left one, read as empty.  openpyxl's public helpers (number formats, Excel serial
dates, shared-formula translation, cell coordinates) are used; its reader classes are not.

:func:`grid_from_workbook` takes the same snapshot from a workbook openpyxl already loaded.

The parts must have passed :func:`generator.inputs.workbook.source.inspect_workbook_file` first
(size, zip bomb, entity and row-count guards, :mod:`generator.inputs.ooxml`);
:func:`generator.inputs.workbook.source.load_grid` does both, and turns anything raised here into
a message for the clerk.
"""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, NamedTuple

from lxml import etree
from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    coordinate_to_tuple,
    get_column_letter,
    range_boundaries,
)
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

from generator.inputs.ooxml import Parts, parse_xml, unzip

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

#: (row, column), both 1-based
Position = tuple[int, int]


class CellValue(NamedTuple):
    """One cell as read: its value and openpyxl's data type (``n``, ``s``, ``f``, ``e``, …).

    A named tuple, not a frozen dataclass: one is made per cell, and a tuple is made in
    less than half the time."""

    value: object
    data_type: str = "n"


#: What an absent cell (or one a merge covers) reads as, as openpyxl's empty cell does.
EMPTY = CellValue(None, "n")


@dataclass(frozen=True)
class MergedRange:
    """A merged range of a sheet, by its corners (1-based, inclusive)."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int


@dataclass(frozen=True)
class SheetGrid:
    """One worksheet as read: cells that hold something, merged ranges, cached formula values."""

    title: str
    cells: Mapping[Position, CellValue]
    merged: tuple[MergedRange, ...] = ()
    #: formula cell -> the value Excel cached for it (only cells whose file carries one)
    cached: Mapping[Position, object] = field(default_factory=dict)

    def cell(self, row: int, col: int) -> CellValue:
        return self.cells.get((row, col), EMPTY)

    def iter_cells(self) -> Iterator[tuple[int, int, CellValue]]:
        """Every non-empty cell as ``(row, col, cell)``, row by row, left to right."""
        for position in sorted(self.cells):
            yield position[0], position[1], self.cells[position]


@dataclass(frozen=True)
class WorkbookGrid:
    """A workbook as read: its worksheets in order and its single-cell defined names."""

    sheets: Mapping[str, SheetGrid]
    #: workbook-level defined name -> (sheet, row, col), for names pointing at one cell of
    #: an existing worksheet; other names (ranges, #REF!, formulas) are left out
    named_cells: Mapping[str, tuple[str, int, int]] = field(default_factory=dict)

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(self.sheets)

    @property
    def worksheets(self) -> tuple[SheetGrid, ...]:
        return tuple(self.sheets.values())

    def __getitem__(self, sheet: str) -> SheetGrid:
        return self.sheets[sheet]

    def __contains__(self, sheet: object) -> bool:
        return sheet in self.sheets

    def cached_value(self, sheet: str, row: int, col: int) -> object:
        """The value cached for a formula cell, None when the file carries none."""
        grid = self.sheets.get(sheet)
        return None if grid is None else grid.cached.get((row, col))


# --- From the bytes of a file ------------------------------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"

_SHEET_DATA, _ROW, _C, _V, _F, _IS, _T, _R = (
    f"{_MAIN}{tag}" for tag in ("sheetData", "row", "c", "v", "f", "is", "t", "r"))

WORKBOOK_PART = "xl/workbook.xml"
_SHARED_STRINGS_TYPE = \
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

#: openpyxl's ISO 8601 parser (a ``t="d"`` cell), typed: its stub declares no types.
_from_iso: Callable[[str], object] = from_ISO8601

#: Built-in number formats that are dates or times although openpyxl's table lacks them:
#: ECMA-376 leaves ids 27–36 and 50–58 to the East Asian locales, where every one of them
#: is a date or a time (zh-CN: 27 ``yyyy"年"m"月"``, 31 ``yyyy"年"m"月"d"日"``, 32
#: ``h"时"mm"分"``, …).  Excel and WPS in Chinese write them without a ``numFmts`` entry.
EAST_ASIAN_DATE_FORMAT_IDS = frozenset(range(27, 37)) | frozenset(range(50, 59))


#: Every part is parsed by the input guard's safe parser (no DTD, no entities, no network).
_parse = parse_xml

#: ST_Xstring escapes: ``_x000D_`` is a carriage return, ``_x005F_`` an escaped underscore.
_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """Undo Excel's ``_xHHHH_`` escapes (a character XML cannot hold, or a literal ``_x``)."""
    if "_x" not in text:
        return text
    decoded = _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if any("\ud800" <= ch <= "\udfff" for ch in decoded):  # a pair escaped as two halves
        decoded = decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return decoded


def _text_of(element: etree._Element) -> str:
    """The text of an ``<si>`` or ``<is>``: its ``<t>``, then its rich text runs' ``<t>``.

    Phonetic runs (``<rPh>``, furigana) are not part of the text, as in Excel.
    """
    if len(element) == 1:  # a plain string: one <t>, the commonest by far
        only = element[0]
        if only.tag == _T:
            return _unescape(only.text or "")
    plain = ""
    runs: list[str] = []
    for child in element:
        if child.tag == _T:
            plain = child.text or ""
        elif child.tag == _R:
            runs.extend(t.text or "" for t in child.iterchildren(_T))
    return _unescape(plain + "".join(runs))


@dataclass(frozen=True)
class _Styles:
    """What the cell styles (``cellXfs``, by index) say about dates."""

    dates: frozenset[int] = frozenset()
    #: date styles whose format is a duration (``[h]:mm``): read as timedelta
    durations: frozenset[int] = frozenset()


def _read_styles(data: bytes) -> _Styles:
    root = _parse(data)
    custom: dict[int, str] = {}
    for fmt in root.iterfind(f"{_MAIN}numFmts/{_MAIN}numFmt"):
        custom[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
    dates: set[int] = set()
    durations: set[int] = set()
    for index, xf in enumerate(root.iterfind(f"{_MAIN}cellXfs/{_MAIN}xf")):
        number_format = int(xf.get("numFmtId", "0"))
        code = custom.get(number_format, BUILTIN_FORMATS.get(number_format))
        is_date, is_duration = _date_kind(code)
        if is_date or (code is None and number_format in EAST_ASIAN_DATE_FORMAT_IDS):
            dates.add(index)
        if is_duration:
            durations.add(index)
    return _Styles(frozenset(dates), frozenset(durations))


@functools.lru_cache(maxsize=1 << 10)
def _date_kind(code: str | None) -> tuple[bool, bool]:
    """Whether a number format shows a date, and whether a duration (``[h]:mm``); cached,
    as openpyxl judges a format by regular expressions and the same formats recur."""
    return bool(is_date_format(code)), bool(is_timedelta_format(code))


class _Values:
    """Turns a cell's ``t``, style and ``<v>`` text into openpyxl's value and data type."""

    def __init__(self, shared: list[str], styles: _Styles, epoch: datetime) -> None:
        self.shared = shared
        self.dates = styles.dates
        self.durations = styles.durations
        self.epoch = epoch
        #: within one read: a cell's ``s`` text -> its style number, a ``<v>`` text -> the
        #: plain number cell holding it (the same few styles and small numbers fill every
        #: sheet, and a CellValue is immutable)
        self.style_numbers: dict[str | None, int] = {}
        self.numbers: dict[str, CellValue] = {}

    def convert(self, data_type: str, text: str | None, style: int,
                inline: etree._Element | None) -> tuple[object, str]:
        if text is not None:
            if data_type == "n":
                number = _number(text)
                if style in self.dates:
                    try:
                        return from_excel(number, self.epoch,
                                          timedelta=style in self.durations), "d"
                    except (OverflowError, ValueError):  # outside Excel's dates: an error
                        return "#VALUE!", "e"
                return number, "n"
            if data_type == "s":
                return self.shared[int(text)], "s"
            if data_type == "b":
                return bool(int(text)), "b"
            if data_type == "str":
                return text, "s"
            if data_type == "d":
                return _from_iso(text), "d"
            return text, data_type  # "e" and anything unknown: the text as it is
        if data_type == "inlineStr" and inline is not None:
            return _text_of(inline), "s"
        return None, data_type


def _number(text: str) -> int | float:
    """A ``<v>`` number as openpyxl casts it: a float when it has a point or an exponent."""
    return float(text) if "." in text or "e" in text or "E" in text else int(text)


def _formula(f: etree._Element, coordinate: str, shared: dict[str, Translator]) -> str:
    """A formula as openpyxl gives it: ``=`` and its text; shared ones translated."""
    text = "=" + (f.text or "")
    if f.get("t") == "shared":
        index = f.get("si") or ""
        if index in shared:
            return str(shared[index].translate_formula(coordinate))
        if text != "=":
            shared[index] = Translator(text, coordinate)
    return text


def _row_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        number = float(value)
        if not number.is_integer():
            raise ValueError(f"{value} is not a valid row number") from None
        return int(number)


@dataclass
class _Sheet:
    cells: dict[Position, CellValue]
    merged: tuple[MergedRange, ...]
    cached: dict[Position, object]
    #: a cached value could not be read: a data_only load would have failed
    cached_broken: bool


#: A :class:`CellValue` from a ``(value, data_type)`` pair, made by ``tuple.__new__`` in C:
#: the named tuple's own constructor is a Python function, and one cell is made per cell.
_new_cell: Callable[[tuple[object, str]], CellValue] = functools.partial(tuple.__new__, CellValue)
assert CellValue._fields == ("value", "data_type"), "_new_cell makes pairs: give it every field"


def _read_sheet(data: bytes, values: _Values) -> _Sheet:
    """One worksheet's cells, merges and cached formula values.

    This loop runs for every cell of every sheet, and with lxml every step costs (each
    element, attribute and tag read makes a Python object): so an element's children are
    looked at only when it has any, one child (the usual case) without an iterator, and a
    style or a number text already seen in this read is not parsed again.
    """
    root = _parse(data)
    cells: dict[Position, CellValue] = {}
    cached: dict[Position, object] = {}
    cached_broken = False
    shared_formulas: dict[str, Translator] = {}
    convert, position_of, new_cell, dates = values.convert, _position, _new_cell, values.dates
    style_numbers, numbers = values.style_numbers, values.numbers
    tag_v, tag_f, tag_is = _V, _F, _IS
    sheet_data = next(root.iterchildren(_SHEET_DATA), None)
    row_number = 0
    for row in sheet_data.iterchildren(_ROW) if sheet_data is not None else ():
        r = row.get("r")
        row_number = _row_number(r) if r is not None else row_number + 1
        col_number = 0
        for c in row.iterchildren(_C):
            coordinate = c.get("r")
            if coordinate:
                position = position_of(coordinate)
                col_number = position[1]
            else:  # a cell without "r" is the one after the previous cell
                col_number += 1
                position = (row_number, col_number)
            if cached:
                cached.pop(position, None)  # a cell written twice: the last one counts
            data_type = c.get("t", "n")
            style_text = c.get("s")
            style = style_numbers.get(style_text)
            if style is None:  # parsed for every cell, as openpyxl does: a bad one is damage
                style = style_numbers[style_text] = int(style_text) if style_text else 0
            v = f = inline = None
            count = len(c)
            # one child (the usual case) in a tuple: lxml's own iterator costs far more
            for child in ((c[0],) if count == 1 else c) if count else ():
                tag = child.tag
                if tag == tag_v:
                    v = child if v is None else v
                elif tag == tag_f:
                    f = child if f is None else f
                elif tag == tag_is:
                    inline = child if inline is None else inline
            if v is None and f is None and data_type == "n":  # styled but empty: the commonest
                cells.pop(position, None)
                continue
            text = None if data_type == "inlineStr" or v is None else (v.text or None)
            if f is not None:
                value: object = _formula(f, coordinate or _coordinate(position), shared_formulas)
                kind = "f"
                if v is not None and not cached_broken:
                    try:
                        cached_value, _ = convert(data_type, text, style, inline)
                    except Exception:  # noqa: BLE001 - cached values are a cross-check only
                        cached_broken = True
                    else:
                        if cached_value is not None:
                            cached[position] = cached_value
            elif data_type == "n" and text is not None and style not in dates:
                # the commonest value: one CellValue for each number text of the read
                number_cell = numbers.get(text)
                if number_cell is None:
                    number_cell = numbers[text] = new_cell((_number(text), "n"))
                cells[position] = number_cell
                continue
            elif data_type == "inlineStr":
                value, kind = (_text_of(inline), "s") if inline is not None else (None, data_type)
            else:
                value, kind = convert(data_type, text, style, inline)
            if value is not None or kind != "n":
                cells[position] = new_cell((value, kind))
            else:
                cells.pop(position, None)
    merged = tuple(_merged_range(m.get("ref", ""))
                   for m in root.iterfind(f"{_MAIN}mergeCells/{_MAIN}mergeCell"))
    return _Sheet(cells, merged, cached, cached_broken)


@functools.lru_cache(maxsize=1 << 16)
def _position(coordinate: str) -> Position:
    """``D4`` -> (4, 4); the same few hundred coordinates recur in every workbook."""
    row, col = coordinate_to_tuple(coordinate)
    if row < 1:
        raise ValueError(f"cell {coordinate!r} is in row 0")
    return row, col


def _coordinate(position: Position) -> str:
    return f"{get_column_letter(position[1])}{position[0]}"


@functools.lru_cache(maxsize=1 << 12)
def _merged_range(ref: str) -> MergedRange:
    """A merge's ``ref`` as a range; cached, as the same few dozen merges recur in every
    workbook nianbao writes."""
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    if None in (min_col, min_row, max_col, max_row):
        raise ValueError(f"merged range {ref!r} is not a range of cells")
    assert min_col is not None and min_row is not None and max_col is not None \
        and max_row is not None
    if min_col > max_col or min_row > max_row:
        raise ValueError(f"merged range {ref!r} has its corners the wrong way round")
    return MergedRange(min_row, min_col, max_row, max_col)


def _relationships(parts: Mapping[str, bytes], part: str) -> dict[str, tuple[str, str]]:
    """A part's internal relationships: id -> (type, target part name)."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in parts:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for rel in _parse(parts[rels_name]).iterchildren(f"{_PKG_REL}Relationship"):
        rel_id, target = rel.get("Id"), rel.get("Target")
        if not rel_id or not target or rel.get("TargetMode") == "External":
            continue
        resolved = target[1:] if target.startswith("/") else \
            posixpath.normpath(posixpath.join(folder, target))
        found[rel_id] = (rel.get("Type", ""), resolved)
    return found


def _shared_strings_part(parts: Mapping[str, bytes],
                         rels: Mapping[str, tuple[str, str]]) -> str | None:
    """The shared strings part, declared by content type (as openpyxl finds it) or by
    relationship."""
    types = _parse(parts["[Content_Types].xml"])
    for override in types.iterchildren(f"{_CONTENT_TYPES}Override"):
        if override.get("ContentType") == _SHARED_STRINGS_TYPE:
            return override.get("PartName", "").lstrip("/")
    return next((target for kind, target in rels.values() if kind.endswith("/sharedStrings")),
                None)


def grid_from_bytes(data: bytes) -> WorkbookGrid:
    """:func:`grid_from_parts` over a file's bytes, unzipped here (no guard runs)."""
    return grid_from_parts(unzip(data))


def grid_from_parts(parts: Parts) -> WorkbookGrid:
    """Read an inspected .xlsx file's parts into a :class:`WorkbookGrid`, in one pass.

    Raises whatever lxml or the value conversions raise for a broken file (``KeyError`` for
    a missing required part); the caller (:func:`generator.inputs.workbook.source.load_grid`) turns
    that into a message for the clerk.
    """
    workbook = parts.xml(WORKBOOK_PART)
    rels = _relationships(parts, WORKBOOK_PART)
    properties = workbook.find(f"{_MAIN}workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    strings_part = _shared_strings_part(parts, rels)
    shared = [] if strings_part is None or strings_part not in parts else [
        _text_of(si) for si in _parse(parts[strings_part]).iterchildren(f"{_MAIN}si")]
    styles_part = next((t for k, t in rels.values() if k.endswith("/styles")), "xl/styles.xml")
    styles = _read_styles(parts[styles_part]) if styles_part in parts else _Styles()
    values = _Values(shared, styles, CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900)

    sheets: dict[str, SheetGrid] = {}
    cached_broken = False
    for sheet in workbook.iterfind(f"{_MAIN}sheets/{_MAIN}sheet"):
        rel = rels.get(sheet.get(f"{_DOC_REL}id") or "")
        if rel is None or rel[1] not in parts or "chartsheet" in rel[0]:
            continue  # as openpyxl's load: no part, or a chart and no cells
        title = sheet.get("name", "")
        read = _read_sheet(parts[rel[1]], values)
        cached_broken = cached_broken or read.cached_broken
        sheets[title] = _sheet(title, read.cells, read.merged, read.cached)
    if cached_broken:  # as a failed data_only load: no cached value anywhere
        sheets = {t: SheetGrid(s.title, s.cells, s.merged) for t, s in sheets.items()}
    return WorkbookGrid(sheets, _named_cells(_global_names(workbook), sheets))


def _sheet(title: str, cells: dict[Position, CellValue], merged: tuple[MergedRange, ...],
           cached: dict[Position, object]) -> SheetGrid:
    """A sheet whose merged ranges are emptied but for their top-left cell, as openpyxl does."""
    for m in merged:
        area = (m.max_row - m.min_row + 1) * (m.max_col - m.min_col + 1)
        if area <= len(cells):
            covered = [(r, c) for r in range(m.min_row, m.max_row + 1)
                       for c in range(m.min_col, m.max_col + 1)]
        else:  # a huge range: look at the cells there are instead of every position
            covered = [(r, c) for (r, c) in cells
                       if m.min_row <= r <= m.max_row and m.min_col <= c <= m.max_col]
        for position in covered:
            if position != (m.min_row, m.min_col):
                cells.pop(position, None)
                cached.pop(position, None)
    return SheetGrid(title, cells, merged, cached)


#: Workbook-level names openpyxl keeps as print settings, not as names.
_PRINT_NAMES = frozenset({"_xlnm.Print_Titles", "_xlnm.Print_Area", "_xlnm._FilterDatabase"})


def _global_names(workbook: etree._Element) -> dict[str, str]:
    """Workbook-level defined names -> their formula text (a later duplicate wins)."""
    names: dict[str, str] = {}
    for dn in workbook.iterfind(f"{_MAIN}definedNames/{_MAIN}definedName"):
        name = dn.get("name")
        if name and dn.get("localSheetId") is None and name not in _PRINT_NAMES:
            names[name] = dn.text or ""
    return names


#: A defined name's value that is one cell of one sheet: ``'表三'!$D$4``, ``Sheet1!B2``.  An
#: unquoted sheet name has no space, quote, ``!`` or operator (Excel quotes such names).
_ONE_CELL = re.compile(r"(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^\s'!:()=+\-*/^&,;<>\"]+))"
                       r"!\$?(?P<col>[A-Za-z]{1,3})\$?(?P<row>\d+)")


@functools.lru_cache(maxsize=1 << 12)
def _one_cell(value: str) -> tuple[str, int, int] | None:
    """(sheet, row, col) when a name's formula is one cell of one sheet, else None.

    Cached: every workbook nianbao writes carries the same 230-odd names.
    """
    m = _ONE_CELL.fullmatch(value)
    if m is None:
        return None  # a range, #REF!, a constant or a formula
    row = int(m.group("row"))
    try:
        col = column_index_from_string(m.group("col").upper())
    except ValueError:  # past column ZZZ
        return None
    if row < 1:
        return None
    return m.group("plain") or m.group("quoted").replace("''", "'"), row, col


def _named_cells(names: Mapping[str, str], sheets: Mapping[str, object]
                 ) -> dict[str, tuple[str, int, int]]:
    """Workbook-level names that point at exactly one cell of an existing worksheet."""
    found: dict[str, tuple[str, int, int]] = {}
    for name, value in names.items():
        target = _one_cell(value)
        if target is not None and target[0] in sheets:
            found[name] = target
    return found


# --- From a workbook already loaded ------------------------------------------------------


def grid_from_workbook(wb: Workbook, cached: Workbook | None = None) -> WorkbookGrid:
    """The snapshot of an openpyxl workbook (``cached``: the same file loaded with data_only).

    Defined names are resolved with openpyxl's own formula tokenizer, so comparing this with
    :func:`grid_from_bytes` also checks the latter's quicker one-cell pattern.
    """
    sheets: dict[str, SheetGrid] = {}
    for ws in wb.worksheets:
        cells: dict[Position, CellValue] = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.row is None or cell.column is None:  # never so in a loaded sheet
                    continue
                if cell.value is not None or cell.data_type != "n":
                    cells[(cell.row, cell.column)] = CellValue(cell.value, cell.data_type)
        ranges = getattr(ws, "merged_cells", None)  # a read-only worksheet has none
        merged = tuple(MergedRange(m.min_row, m.min_col, m.max_row, m.max_col)
                       for m in ranges.ranges) if ranges is not None else ()
        values: dict[Position, object] = {}
        if cached is not None and ws.title in cached.sheetnames:
            other = cached[ws.title]
            for (row_number, col), value in cells.items():
                if value.data_type == "f":
                    cached_value = other.cell(row_number, col).value
                    if cached_value is not None:
                        values[(row_number, col)] = cached_value
        sheets[ws.title] = SheetGrid(ws.title, cells, merged, values)
    found: dict[str, tuple[str, int, int]] = {}
    for name, dn in wb.defined_names.items():
        try:
            destinations = list(dn.destinations)
        except Exception:  # noqa: BLE001 - a name pointing at #REF! or a formula
            continue
        if len(destinations) != 1:
            continue
        sheet, ref = destinations[0]
        sheet = sheet.replace("''", "'")
        if sheet not in sheets or ":" in ref:
            continue
        try:
            letters, row_number = coordinate_from_string(ref.replace("$", ""))
            found[name] = (sheet, row_number, column_index_from_string(letters))
        except ValueError:
            continue
    return WorkbookGrid(sheets, found)
