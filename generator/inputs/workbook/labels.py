"""Finding the official tables in a workbook by their labels, when defined names are missing.

A clerk may paste the official tables into a sheet of their own, at another offset, with
rows inserted above or between rows, under another sheet name.  :func:`locate_table` finds
each number of a table by the label of its row × the label of its column (both taken from
:mod:`generator.form`), after normalising the text of every cell the way every input
compares labels (:func:`generator.inputs.labels.normalise`: 「1、属于国家秘密」 finds
「1.属于国家秘密」), and raises :class:`~generator.errors.InputError` naming the label it could not find.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from generator.errors import InputError
from generator.form import Field, GridCell, TableForm
from generator.inputs.headers import column_chain, row_label
from generator.inputs.labels import normalise
from generator.inputs.workbook.grid import SheetGrid, WorkbookGrid
from generator.report.layout import TABLE_SHEETS, CellAddress


@dataclass(frozen=True)
class _Hit:
    row: int
    col: int
    last_row: int
    last_col: int


class LabelIndex:
    """Every text cell of one sheet, by normalised text, with the extent of its merge."""

    def __init__(self, sheet: SheetGrid) -> None:
        self.sheet = sheet
        merges = {(m.min_row, m.min_col): (m.max_row, m.max_col) for m in sheet.merged}
        self.hits: dict[str, list[_Hit]] = {}
        for row, col, cell in sheet.iter_cells():
            if isinstance(cell.value, str) and cell.data_type != "f":
                key = normalise(cell.value)
                if key:
                    last = merges.get((row, col), (row, col))
                    self.hits.setdefault(key, []).append(_Hit(row, col, last[0], last[1]))
        for hits in self.hits.values():
            hits.sort(key=lambda h: (h.row, h.col))

    def find(self, text: str, min_row: int = 1) -> list[_Hit]:
        return [h for h in self.hits.get(normalise(text), []) if h.row >= min_row]


def _anchor_labels(table: TableForm) -> list[GridCell]:
    """Labels that occur once in the table, in grid order: the first one found anchors it."""
    counts: dict[str, int] = {}
    for cell in table.labels:
        key = normalise(cell.text)
        counts[key] = counts.get(key, 0) + 1
    return [c for c in sorted(table.labels, key=lambda c: (c.row, c.col))
            if counts[normalise(c.text)] == 1 and len(normalise(c.text)) >= 2]


@dataclass(frozen=True)
class TableLocation:
    """Where one table was found: its sheet and the address of every field."""

    sheet: str
    addresses: dict[str, CellAddress]


def _sheet_order(wb: WorkbookGrid, table: TableForm) -> list[SheetGrid]:
    expected = TABLE_SHEETS[table.key]
    sheets = list(wb.worksheets)
    return sorted(sheets, key=lambda ws: ws.title != expected)


def locate_table(wb: WorkbookGrid, table: TableForm,
                 indexes: dict[str, LabelIndex] | None = None) -> TableLocation:
    """Find every field of ``table`` by its row label × column label.

    Raises :class:`InputError` when the table or one of its labels cannot be found.
    """
    indexes = indexes if indexes is not None else {}
    anchors = _anchor_labels(table)
    for ws in _sheet_order(wb, table):
        index = indexes.get(ws.title) or indexes.setdefault(ws.title, LabelIndex(ws))
        for anchor in anchors[:4]:
            hits = index.find(anchor.text)
            if hits:
                # Rows above the anchor's own grid row cannot belong to this table.
                top = max(1, hits[0].row - anchor.row)
                return TableLocation(ws.title, _locate_fields(table, index, top))
    searched = "、".join(ws.title for ws in wb.worksheets)
    wanted = "”或“".join(a.text for a in anchors[:4])
    raise InputError(
        f"找不到{table.name}（{table.section_heading[2:]}）：在工作表 {searched} 中都没有找到"
        f"“{wanted}”这样的表头。请使用 nianbao init 生成的填报表，或把官方表格原样粘贴进来。")


def _missing(table: TableForm, sheet: str, label: str) -> InputError:
    return InputError(
        f"{table.name}：在工作表“{sheet}”中找不到标签“{label}”。请核对该表格的行列标题"
        "是否与官方格式一致（不要删改标题文字）。")


def _pick_column(table: TableForm, index: LabelIndex, chain: list[GridCell], below: int,
                 top: int) -> _Hit:
    """The occurrence of the nearest header above row ``below`` inside its parent headers."""
    name = index.sheet.title
    candidates = [h for h in index.find(chain[0].text, top) if h.row < below]
    if not candidates:
        raise _missing(table, name, chain[0].text)
    for parent in chain[1:]:
        if len(candidates) <= 1:
            break
        parents = [p for p in index.find(parent.text, top) if p.row < below]
        if not parents:
            raise _missing(table, name, parent.text)
        inside = [h for h in candidates
                  if any(p.row < h.row and p.col <= h.col <= _span_end(p, parent) for p in parents)]
        candidates = inside or candidates
    nearest = max(h.row for h in candidates)
    return min((h for h in candidates if h.row == nearest), key=lambda h: h.col)


def _span_end(hit: _Hit, cell: GridCell) -> int:
    # A merge gives the span; an unmerged paste is assumed to keep the official width.
    return hit.last_col if hit.last_col > hit.col else hit.col + cell.colspan - 1


def _locate_fields(table: TableForm, index: LabelIndex, top: int) -> dict[str, CellAddress]:
    name = index.sheet.title
    rows: dict[str, int] = {}
    unlabelled: list[Field] = []
    for f in table.fields:
        label = row_label(table, f)
        if label is None:
            unlabelled.append(f)
            continue
        hits = index.find(label.text, top)
        if not hits:
            raise _missing(table, name, label.text)
        rows[f.id] = hits[0].row
    columns: dict[str, _Hit] = {}
    for f in table.fields:
        below = rows.get(f.id, 10 ** 7)
        columns[f.id] = _pick_column(table, index, column_chain(table, f), below, top)
    if unlabelled:
        # 表四 has no row label: its numbers sit in the row below the lowest header.
        value_row = 1 + max(_bottom(columns[f.id], table, f) for f in unlabelled)
        rows.update({f.id: value_row for f in unlabelled})
    return {f.id: CellAddress(name, rows[f.id], columns[f.id].col) for f in table.fields}


def _bottom(hit: _Hit, table: TableForm, f: Field) -> int:
    header = column_chain(table, f)[0]
    return hit.last_row if hit.last_row > hit.row else hit.row + header.rowspan - 1


def find_label_rows(wb: WorkbookGrid, sheet: str, labels: Iterable[str]
                    ) -> tuple[SheetGrid | None, dict[str, tuple[int, int]]]:
    """For 基本信息/正文: the sheet holding most of ``labels`` and where each label sits."""
    wanted = {normalise(text): text for text in labels}
    best: tuple[SheetGrid | None, dict[str, tuple[int, int]]] = (None, {})
    for ws in sorted(wb.worksheets, key=lambda w: w.title != sheet):
        found: dict[str, tuple[int, int]] = {}
        for row, col, cell in ws.iter_cells():
            if isinstance(cell.value, str) and cell.data_type != "f":
                key = normalise(cell.value)
                if key in wanted and wanted[key] not in found:
                    found[wanted[key]] = (row, col)
        if len(found) > len(best[1]):
            best = (ws, found)
        if ws.title == sheet and found:
            return ws, found
    return best
