"""The batch summary: one row per workbook, as a workbook (汇总-<年度>.xlsx) and as a table.

What a county office needs first comes first: the workbooks that cannot be read or have
errors head the list (then warnings, then those that passed), each row says its first error
once, links to its generated files and to the workbook itself, and a 合计 row at the bottom
sums the main numbers.  A number that is not known is blank, never 0: 主动公开信息 when the
prose does not state it, a table number made of a cell that could not be read (V-3, see
:class:`~generator.batch.KeyTotals`); 合计 adds up the numbers that are known.  The sheet
prints landscape, one page wide, the heading on each page.

The summary is plain values, no formulas.  Text that a spreadsheet would take for a formula
(``= + - @`` at the start, e.g. an agency name typed as ``=HYPERLINK(…)``) is stored as text
with Excel's quote prefix, so opening the summary never runs anything.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from generator.batch import BatchItem, Status, relative_name
from generator.outputs.xlsx_file import save_workbook
from generator.safeio import atomic_path

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: problems first; a status this list does not know (added later) counts as a problem
STATUS_ORDER: tuple[str, ...] = (Status.UNREADABLE.value, Status.ERRORS.value,
                                 Status.WARNINGS.value, Status.PASSED.value)
#: the 状态 cell's fill (and font colour) per status, as Excel's good/bad/neutral styles
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    Status.UNREADABLE.value: ("C00000", "FFFFFF"),
    Status.ERRORS.value: ("FFC7CE", "9C0006"),
    Status.WARNINGS.value: ("FFEB9C", "9C5700"),
    Status.PASSED.value: ("C6EFCE", "006100"),
}
PROBLEM_COLOURS = ("FFC7CE", "9C0006")
TOTAL_LABEL = "合计"
#: the first error as shown; a longer message is cut (the workbook's own check has it whole)
FIRST_ERROR_LIMIT = 200
FIRST_ERROR_WIDTH = 48
#: link columns per format: heading
LINK_HEADINGS = {"docx": "报告（Word）", "pdf": "报告（PDF）", "html": "报告（网页）"}


@dataclass(frozen=True)
class Column:
    """A summary column: heading, width in characters, and how to get the value from an item."""

    heading: str
    width: int
    value: Callable[[BatchItem, Path], object]
    on_screen: bool = True  # shown in the terminal table too (the workbook has every column)
    summed: bool = False  # added up in the 合计 row


def _total(name: str) -> Callable[[BatchItem, Path], object]:
    return lambda item, _: getattr(item.totals, name) if item.totals else None


_ADDRESS = re.compile(r"^\S+?![A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?\s+")


def first_error_text(item: BatchItem) -> str:
    """The first error once: its cell is not repeated when the message names it already
    ("表三!E10 表三!E10 填写的是文字…" was the old text), on one line, not too long."""
    text = " ".join((item.first_error or "").split())
    match = _ADDRESS.match(text)
    if match and match.group(0).strip() in text[match.end():]:
        text = text[match.end():]
    if len(text) > FIRST_ERROR_LIMIT:
        text = text[:FIRST_ERROR_LIMIT - 1] + "…"
    return text


COLUMNS: tuple[Column, ...] = (
    Column("文件", 28, lambda item, base: relative_name(item.source, base)),
    Column("机关名称", 24, lambda item, _: item.agency),
    Column("状态", 9, lambda item, _: item.status.value),
    Column("错误数", 7, lambda item, _: item.errors, summed=True),
    Column("警告数", 7, lambda item, _: item.warnings, summed=True),
    Column("第一个错误", FIRST_ERROR_WIDTH, lambda item, _: first_error_text(item)),
    Column("主动公开信息（条）", 10, on_screen=False, value=_total("proactive_items"), summed=True),
    Column("新收申请总计", 10, _total("new_requests"), summed=True),
    Column("予以公开", 9, on_screen=False, value=_total("disclosed"), summed=True),
    Column("行政复议总计", 9, on_screen=False, value=_total("review_total"), summed=True),
    Column("行政诉讼总计", 9, on_screen=False, value=_total("litigation_total"), summed=True),
)


def _columns(text: str) -> int:
    """Width in column units (a Chinese character takes two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def status_rank(item: BatchItem) -> int:
    value = item.status.value
    return STATUS_ORDER.index(value) + 1 if value in STATUS_ORDER else 0


def ordered(items: Sequence[BatchItem]) -> list[BatchItem]:
    """Problems first (无法读取, 有错误, 有警告, 通过), the folder's order within each."""
    return sorted(items, key=status_rank)


def summary_rows(items: Sequence[BatchItem], base: Path) -> list[list[object]]:
    """One row per item, in the order given."""
    return [[column.value(item, base) for column in COLUMNS] for item in items]


def total_row(items: Sequence[BatchItem]) -> list[object]:
    """合计: the summed columns over every workbook that has them, blank where none has."""
    row: list[object] = [TOTAL_LABEL, f"共 {len(items)} 个工作簿"] + [None] * (len(COLUMNS) - 2)
    for index, column in enumerate(COLUMNS):
        if column.summed:
            values = [v for v in (column.value(item, Path()) for item in items)
                      if isinstance(v, int)]
            row[index] = sum(values) if values else None
    return row


def neutralise(value: object) -> tuple[object, bool]:
    """(value, needs quote prefix): text that starts like a formula is kept as plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return value, True
    return value, False


def _link(target: Path, summary: Path) -> str:
    """A hyperlink target relative to the summary, so the folder can be moved or shared."""
    try:
        link = Path(os.path.relpath(target, summary.parent)).as_posix()
    except ValueError:  # another drive on Windows
        return target.resolve().as_uri()
    if any("\udc80" <= ch <= "\udcff" for ch in link):  # a GBK-bytes name: its bytes, %-encoded
        from urllib.parse import quote

        return quote(os.fsencode(link))
    return link


def write_summary(items: Sequence[BatchItem], target: Path, base: Path) -> Path:
    """Write the summary workbook atomically and return its path."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    items = ordered(items)
    formats = [name for name in LINK_HEADINGS
               if any(p.suffix == f".{name}" for item in items for p in item.outputs)]
    headings = [column.heading for column in COLUMNS] + [LINK_HEADINGS[f] for f in formats]
    widths = [column.width for column in COLUMNS] + [14] * len(formats)

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(headings)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    link_font = Font(color="0563C1", underline="single")
    for row_index, (item, row) in enumerate(zip(items, summary_rows(items, base)), start=2):
        for col_index, raw in enumerate(row, start=1):
            value, quoted = neutralise(raw)
            cell = ws.cell(row_index, col_index)
            cell.value = value
            cell.alignment = wrap
            if isinstance(value, str):
                # openpyxl turns any str starting with "=" into a formula; force plain text.
                cell.data_type = TYPE_STRING
            if quoted:
                cell.quotePrefix = True
        # a long first error wraps: give its row the height (Excel does not size it on open)
        error_lines = -(-_columns(first_error_text(item)) // (FIRST_ERROR_WIDTH - 2))
        if error_lines > 1:
            ws.row_dimensions[row_index].height = 15 * error_lines + 2
        source = ws.cell(row_index, 1)
        source.hyperlink = _link(item.source, target)
        source.font = link_font
        fill, colour = STATUS_COLOURS.get(item.status.value, PROBLEM_COLOURS)
        status = ws.cell(row_index, 3)
        status.fill = PatternFill("solid", fgColor=fill)
        status.font = Font(bold=True, color=colour)
        for offset, name in enumerate(formats):
            made = next((p for p in item.outputs if p.suffix == f".{name}"), None)
            if made is not None:
                cell = ws.cell(row_index, len(COLUMNS) + 1 + offset, made.name)
                cell.data_type = TYPE_STRING
                cell.hyperlink = _link(made, target)
                cell.font = link_font
    last_item_row = len(items) + 1
    total_index = last_item_row + 1
    for col_index, value in enumerate(total_row(items), start=1):
        cell = ws.cell(total_index, col_index, value)
        cell.font = Font(bold=True)
        cell.border = Border(top=Side(style="double"))
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    # the filter covers the workbooks only, so sorting never moves the 合计 row
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{last_item_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    with atomic_path(target) as tmp:
        save_workbook(wb, tmp)
    return target
