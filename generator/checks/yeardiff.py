"""Year-over-year view: every table cell that changed between last year's and this year's report.

The reviewer at the county office reads two years side by side; this module lists the cells
whose numbers differ and marks those whose change looks implausible — this year's value at
least :data:`RATIO` times last year's or at most 1/:data:`RATIO` of it, with both years at
least :data:`MIN_VALUE` (small counts jump by nature: 2 → 11 applications says nothing).  A
mark is information for the reviewer, never an error: a township that took over 综合行政执法
really can go from 12 to 140 行政许可.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping

from generator.form import FIELDS, field_path
from generator.report.layout import CellAddress, field_address
from generator.report.model import Number, Report
from generator.report.sentences import format_number

#: this/last ≥ RATIO or ≤ 1/RATIO counts as implausible …
RATIO = 5
#: … when both years are at least this large.
MIN_VALUE = 10


@dataclass(frozen=True)
class CellChange:
    """One table cell whose number differs between the two years."""

    field_id: str
    path: str  # 表三 一、本年新收政府信息公开申请数量 / 自然人
    address: str  # where it sits in this year's workbook: 表三!D4
    last: Number
    this: Number
    implausible: bool

    @property
    def ratio(self) -> Decimal | None:
        """this / last, or None when last year's value is 0."""
        if not self.last:
            return None
        return Decimal(self.this) / Decimal(self.last)

    @property
    def printed(self) -> tuple[str, str]:
        """Last and this year's numbers as the report prints them."""
        return format_number(self.last), format_number(self.this)


def implausible_change(last: Number, this: Number) -> bool:
    """Both values ≥ :data:`MIN_VALUE` and one at least :data:`RATIO` times the other."""
    if last < MIN_VALUE or this < MIN_VALUE:
        return False
    return this >= RATIO * last or last >= RATIO * this


def diff_reports(last: Report, this: Report,
                 sources: Mapping[str, CellAddress] | None = None) -> list[CellChange]:
    """The changed cells in form order (表二, 表三, 表四); ``sources`` locates this year's cells."""
    changes: list[CellChange] = []
    for f in FIELDS:
        old, new = last.numbers[f.id], this.numbers[f.id]
        if old == new:
            continue
        changes.append(CellChange(
            field_id=f.id,
            path=field_path(f.id),
            address=str(field_address(f.id, dict(sources) if sources else None)),
            last=old,
            this=new,
            implausible=implausible_change(old, new),
        ))
    return changes


__all__ = ["CellChange", "diff_reports", "implausible_change", "RATIO", "MIN_VALUE"]
