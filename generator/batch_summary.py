"""The batch summary: one row per workbook, as a workbook (汇总-<年度>.xlsx) and as a table.

The summary is plain values, no formulas.  Text that a spreadsheet would take for a formula
(``= + - @`` at the start, e.g. an agency name typed as ``=HYPERLINK(…)``) is stored as text
with Excel's quote prefix, so opening the summary never runs anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from .batch import BatchItem
from .safeio import atomic_path

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """A summary column: heading, width in characters, and how to get the value from an item."""

    heading: str
    width: int
    value: Callable[[BatchItem, Path], object]
    on_screen: bool = True  # shown in the terminal table too (the workbook has every column)


def _relative(path: Path, base: Path) -> str:
    from .batch import display_name  # a GBK-bytes file name must not break the summary

    try:
        return display_name(path.relative_to(base))
    except ValueError:
        return display_name(path)


def _total(name: str) -> Callable[[BatchItem, Path], object]:
    return lambda item, _: getattr(item.totals, name) if item.totals else None


COLUMNS: tuple[Column, ...] = (
    Column("文件", 36, lambda item, base: _relative(item.source, base)),
    Column("机关名称", 30, lambda item, _: item.agency),
    Column("状态", 10, lambda item, _: item.status.value),
    Column("错误数", 8, lambda item, _: item.errors),
    Column("警告数", 8, lambda item, _: item.warnings),
    Column("第一个错误", 60, lambda item, _: item.first_error),
    Column("主动公开信息（条）", 12, on_screen=False, value=_total("proactive_items")),
    Column("新收申请总计", 12, _total("new_requests")),
    Column("予以公开", 10, on_screen=False, value=_total("disclosed")),
    Column("行政复议总计", 12, on_screen=False, value=_total("review_total")),
    Column("行政诉讼总计", 12, on_screen=False, value=_total("litigation_total")),
    Column("输出文件", 60, lambda item, base: "；".join(p.name for p in item.outputs),
           on_screen=False),
)


def summary_rows(items: Sequence[BatchItem], base: Path) -> list[list[object]]:
    return [[column.value(item, base) for column in COLUMNS] for item in items]


def neutralise(value: object) -> tuple[object, bool]:
    """(value, needs quote prefix): text that starts like a formula is kept as plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return value, True
    return value, False


def write_summary(items: Sequence[BatchItem], target: Path, base: Path) -> Path:
    """Write the summary workbook atomically and return its path."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append([column.heading for column in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row_index, row in enumerate(summary_rows(items, base), start=2):
        for col_index, raw in enumerate(row, start=1):
            value, quoted = neutralise(raw)
            cell = ws.cell(row_index, col_index)
            cell.value = value
            if isinstance(value, str):
                # openpyxl turns any str starting with "=" into a formula; force plain text.
                cell.data_type = TYPE_STRING
            if quoted:
                cell.quotePrefix = True
    for index, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(1, index).column_letter].width = column.width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target
