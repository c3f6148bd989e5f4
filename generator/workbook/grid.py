"""A read-only snapshot of a workbook: what the reader needs, taken in one parse.

Reading a report needs little of a workbook: the sheet names, the workbook-level defined
names that point at one cell, each sheet's cell values (with openpyxl's data types: ``f`` for
a formula, ``e`` for an Excel error, …), each sheet's merged ranges, and for formula cells
the value Excel cached.  A full openpyxl load builds far more — a styled ``Cell`` per cell,
and for every merged range a restyled ``MergedCell`` per covered cell — and the cached values
used to need a second full load with ``data_only``.

:func:`grid_from_bytes` takes all of it in one pass instead: openpyxl's reader parses the
workbook part (names, shared strings, number formats) as its ``read_only`` load does, and
each sheet's XML is run once through openpyxl's own cell parser, so every value and data
type is exactly what a full load gives.  The same pass notes each formula cell's cached
``<v>`` (files written by openpyxl have none; Excel, WPS and LibreOffice write one) and the
``<mergeCells>`` list; what a reader never looks at (sheet views, validations, conditional
formats, document properties, comments, drawings) is not built.  As in a full load, the
cells a merge covers, except its top-left one, read as empty.  openpyxl's reader classes are
used below their public ``load_workbook``: ``tests/test_workbook_grid.py`` compares the
snapshot with two full loads, so an openpyxl change that breaks this shows there.

:func:`grid_from_workbook` takes the same snapshot from a workbook already loaded.

The bytes must have passed :func:`generator.workbook.source.inspect_workbook_file` first
(size, zip bomb, entity and row-count guards); :func:`generator.workbook.source.load_grid`
does both.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Iterator, Mapping

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import column_index_from_string
from openpyxl.utils.cell import SHEETRANGE_RE, coordinate_from_string
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._reader import MERGE_TAG, ROW_TAG, VALUE_TAG, WorkSheetParser
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergeCells
from openpyxl.xml.functions import iterparse

#: (row, column), both 1-based
Position = tuple[int, int]


@dataclass(frozen=True)
class CellValue:
    """One cell as read: its value and openpyxl's data type (``n``, ``s``, ``f``, ``e``, …)."""

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


class _SheetParser(WorkSheetParser):
    """openpyxl's sheet parser, also keeping each formula cell's cached value.

    A formula cell is parsed as usual (value ``=…``, type ``f``); when it carries a ``<v>``,
    that element is parsed a second time the way a ``data_only`` load parses it, so the
    cached value has exactly the type such a load gives (number, date, text, bool, error).
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.cached: dict[Position, object] = {}
        #: a cached value could not be parsed: a data_only load would have failed
        self.cached_broken = False

    def parse(self):  # type: ignore[no-untyped-def]
        """The rows, and the merged ranges kept in ``merged_cells``.

        openpyxl's own loop also builds the sheet's views, page setup, validations and
        conditional formats, which a reader never looks at.
        """
        for _, element in iterparse(self.source):
            if element.tag == ROW_TAG:
                row = self.parse_row(element)
                element.clear()
                yield row
            elif element.tag == MERGE_TAG:
                self.merged_cells = MergeCells.from_tree(element)
                element.clear()

    def parse_cell(self, element):  # type: ignore[no-untyped-def]
        column_before = self.col_counter
        cell = super().parse_cell(element)
        position = (cell["row"], cell["column"])
        self.cached.pop(position, None)  # a cell written twice: the last one counts
        if cell["data_type"] == "f" and element.find(VALUE_TAG) is not None \
                and not self.cached_broken:
            column_after = self.col_counter
            self.col_counter = column_before  # a cell without "r" counts its column again
            self.data_only = True
            try:
                value = super().parse_cell(element)["value"]
            except Exception:  # noqa: BLE001 - cached values are a cross-check, never required
                self.cached_broken = True
            else:
                if value is not None:
                    self.cached[position] = value
            finally:
                self.data_only = False
                self.col_counter = column_after
        return cell


def grid_from_bytes(data: bytes) -> WorkbookGrid:
    """Read an inspected .xlsx file's bytes into a :class:`WorkbookGrid`, in one pass.

    Raises whatever openpyxl or the XML parser raises for a broken file; the caller
    (:func:`generator.workbook.source.load_grid`) turns that into a message for the clerk.
    """
    reader = ExcelReader(io.BytesIO(data), read_only=True, keep_vba=False, data_only=False,
                         keep_links=False)
    try:
        # The steps of openpyxl's own read-only load that a reader needs: content types,
        # shared strings, the workbook part (sheets, names, 1904 dates) and the number
        # formats (which cells are dates).  Document properties and the theme are skipped.
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        wb = reader.wb
        sheets: dict[str, SheetGrid] = {}
        cached_broken = False
        for sheet, rel in reader.parser.find_sheets():
            if rel.target not in reader.valid_files or "chartsheet" in rel.Type:
                continue  # as openpyxl's read_worksheets
            with reader.archive.open(rel.target) as source:
                parser = _SheetParser(source, reader.shared_strings, data_only=False,
                                      epoch=wb.epoch, date_formats=wb._date_formats,
                                      timedelta_formats=wb._timedelta_formats)
                cells: dict[Position, CellValue] = {}
                for _row, row_cells in parser.parse():
                    for c in row_cells:
                        if c["value"] is not None or c["data_type"] != "n":
                            cells[(c["row"], c["column"])] = CellValue(c["value"], c["data_type"])
                        else:
                            cells.pop((c["row"], c["column"]), None)
            merged = tuple(_merged_range(m.ref) for m in parser.merged_cells.mergeCell) \
                if parser.merged_cells else ()
            cached_broken = cached_broken or parser.cached_broken
            sheets[sheet.name] = _sheet(sheet.name, cells, merged, parser.cached)
        if cached_broken:  # as a failed data_only load: no cached value anywhere
            sheets = {t: SheetGrid(s.title, s.cells, s.merged) for t, s in sheets.items()}
        names = reader.parser.defined_names.by_sheet().get("global", {})
        return WorkbookGrid(sheets, _named_cells(names, sheets))
    finally:
        reader.archive.close()


def _merged_range(ref: str) -> MergedRange:
    bounds = CellRange(ref)
    return MergedRange(bounds.min_row, bounds.min_col, bounds.max_row, bounds.max_col)


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


#: A defined name's value that is one cell of one sheet (``'表三'!$D$4``, ``Sheet1!B2``): the
#: formula tokenizer would find exactly one range operand in it, so the slow tokenizer is
#: skipped and openpyxl's own pattern splits it (a nianbao workbook has some 230 such names).
_ONE_CELL = re.compile(r"(?:'(?:[^']|'')+'|[\w.]+)!\$?[A-Za-z]{1,3}\$?\d+")


def _destinations(dn: DefinedName) -> list[tuple[str, str]]:
    """``dn.destinations``, quicker for the common one-cell name; raises as it does."""
    value = dn.value
    if isinstance(value, str) and _ONE_CELL.fullmatch(value):
        m = SHEETRANGE_RE.match(value)
        if m:
            return [(m.group("notquoted") or m.group("quoted"), m.group("cells"))]
    return list(dn.destinations)


def _named_cells(names: Mapping[str, DefinedName], sheets: Mapping[str, object]
                 ) -> dict[str, tuple[str, int, int]]:
    """Workbook-level names that point at exactly one cell of an existing worksheet."""
    found: dict[str, tuple[str, int, int]] = {}
    for name, dn in names.items():
        try:
            destinations = _destinations(dn)
        except Exception:  # noqa: BLE001 - a name pointing at #REF! or a formula
            continue
        if len(destinations) != 1:
            continue
        sheet, ref = destinations[0]
        if sheet not in sheets or ":" in ref:
            continue
        try:
            col, row = coordinate_from_string(ref.replace("$", ""))
            found[name] = (sheet, row, column_index_from_string(col))
        except ValueError:
            continue
    return found


# --- From a workbook already loaded ------------------------------------------------------


def grid_from_workbook(wb: Workbook, cached: Workbook | None = None) -> WorkbookGrid:
    """The snapshot of an openpyxl workbook (``cached``: the same file loaded with data_only)."""
    sheets: dict[str, SheetGrid] = {}
    for ws in wb.worksheets:
        cells: dict[Position, CellValue] = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None or cell.data_type != "n":
                    cells[(cell.row, cell.column)] = CellValue(cell.value, cell.data_type)
        ranges = getattr(ws, "merged_cells", None)  # a read-only worksheet has none
        merged = tuple(MergedRange(m.min_row, m.min_col, m.max_row, m.max_col)
                       for m in ranges.ranges) if ranges is not None else ()
        values: dict[Position, object] = {}
        if cached is not None and ws.title in cached.sheetnames:
            other = cached[ws.title]
            for (row, col), value in cells.items():
                if value.data_type == "f":
                    cached_value = other.cell(row, col).value
                    if cached_value is not None:
                        values[(row, col)] = cached_value
        sheets[ws.title] = SheetGrid(ws.title, cells, merged, values)
    return WorkbookGrid(sheets, _named_cells(wb.defined_names, sheets))
