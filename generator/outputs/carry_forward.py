"""What next year's workbook takes over from this year's (``nianbao init --from LAST.xlsx``).

One decision lives here: which of last year's values go where.  The writer
(:mod:`generator.outputs.workbook`) only lays them out.

* 基本信息: everything except the year (last year + 1), the 发布日期 and the 信息处理费
  (both cleared: they belong to the new year).
* 表三 二、上年结转 (each applicant column) = last year's 四、结转下年度继续办理 — the
  cross-year identity the checker's Y-1 verifies; the 总计 column stays a formula.
* Reference only, never an input: last year's 现行有效件数 of 表二 (so that
  现行有效 = 上年现行有效 + 本年制发 − 本年废止 is easy, rule Y-2) and last year's
  paragraphs per text slot (the generator's defaults where last year relied on them).

Nothing else is carried: every other number and every paragraph of the new year is blank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from generator.form import (
    META_FIELDS,
    T3_CARRIED_FORWARD,
    T3_CARRIED_OVER,
    TABLE2,
    TABLE3,
    TEXT_SLOTS,
)
from generator.report.layout import CellAddress, field_address
from generator.report.model import Number, Report
from generator.report.sentences import default_text, format_number

if TYPE_CHECKING:  # the reader is only needed for its result type
    from generator.report.read_result import ReadResult

#: 基本信息 items that belong to one year and are cleared, not carried.
CLEARED_META: frozenset[str] = frozenset({"publish_date", "processing_fee"})

#: 表二's column of 现行有效件数 (the rows having it are derived from the form).
IN_FORCE_COL = "in_force"


@dataclass(frozen=True)
class CarriedValue:
    """One number taken over: this year's field, its value, and where last year held it."""

    field_id: str
    value: Number
    source: CellAddress


@dataclass(frozen=True)
class Reference:
    """Something of last year shown beside an input for comparison, never read as input."""

    key: str  # a field id (表二) or a text slot key (正文)
    value: Number | None = None
    paragraphs: tuple[str, ...] = ()
    heading: str = ""
    #: the paragraphs are the generator's default, as last year's report printed them
    generated: bool = False


@dataclass(frozen=True)
class Carried:
    """Everything next year's workbook takes from last year's, ready for the writer."""

    source_name: str  # last year's file name, quoted in notes and comments
    last_year: int  # 0 when last year's workbook had no readable year
    #: 基本信息 key -> value for the new workbook (None: cleared)
    meta: Mapping[str, object] = field(default_factory=dict)
    carried_over: tuple[CarriedValue, ...] = ()
    in_force: tuple[Reference, ...] = ()  # keyed by 表二's in-force field ids
    text: tuple[Reference, ...] = ()  # keyed by text slot keys, in form order

    @property
    def year(self) -> int | None:
        return self.last_year + 1 if self.last_year else None

    @property
    def meta_count(self) -> int:
        """基本信息 items carried with a value (the new year included)."""
        return sum(1 for v in self.meta.values() if v not in (None, ""))

    @property
    def carried_total(self) -> Number:
        return sum((c.value for c in self.carried_over), 0)

    @property
    def paragraph_count(self) -> int:
        return sum(len(r.paragraphs) for r in self.text)

    def text_reference(self, slot_key: str) -> Reference | None:
        return next((r for r in self.text if r.key == slot_key), None)


def carry_pairs() -> tuple[tuple[str, str], ...]:
    """(this year's 二、上年结转 field, last year's 四、结转下年度继续办理 field) per applicant
    column; the 总计 column is a formula and is not carried."""
    over, forward = T3_CARRIED_OVER[0], T3_CARRIED_FORWARD[0]
    return tuple((f.id, f"t3.{forward}.{f.col}") for f in TABLE3.input_fields if f.row == over)


def in_force_fields() -> tuple[str, ...]:
    """表二's 现行有效件数 fields (规章, 行政规范性文件)."""
    return tuple(f.id for f in TABLE2.fields if f.col == IN_FORCE_COL)


def next_meta(report: Report) -> dict[str, object]:
    """基本信息 for the new year: last year's values, year + 1, one-year items cleared."""
    values: dict[str, object] = {}
    for m in META_FIELDS:
        if m.key in CLEARED_META:
            values[m.key] = None
        elif m.key == "year":
            values[m.key] = report.meta.year + 1 if report.meta.year else None
        else:
            values[m.key] = getattr(report.meta, m.key) or None
    return values


def _text_references(report: Report) -> tuple[Reference, ...]:
    references = []
    for slot in TEXT_SLOTS:
        part = report.narrative[slot.key]
        paragraphs, generated = part.paragraphs, False
        default = default_text(slot.key, report.meta)
        if not paragraphs and default is not None and report.meta.agency:
            # Last year's cell held the default formula: show the sentence its report printed.
            paragraphs, generated = (default,), True
        references.append(Reference(slot.key, paragraphs=paragraphs, heading=part.heading,
                                    generated=generated))
    return tuple(references)


def carry_from(read: "ReadResult", source_name: str) -> Carried:
    """What next year's workbook takes from last year's workbook, as read."""
    report = read.report
    carried = tuple(
        CarriedValue(this_id, report.numbers[last_id], field_address(last_id, read.sources))
        for this_id, last_id in carry_pairs())
    in_force = tuple(Reference(f, value=report.numbers[f]) for f in in_force_fields())
    return Carried(source_name, report.meta.year, next_meta(report), carried, in_force,
                   _text_references(report))


def summary(carried: Carried) -> str:
    """One line for the clerk: what was carried."""
    return (f"已结转：基本信息 {carried.meta_count} 项、上年结转 {len(carried.carried_over)} 格"
            f"（合计 {format_number(carried.carried_total)} 件）、"
            f"上年正文 {carried.paragraph_count} 段（仅供参考）、"
            f"表二上年现行有效件数 {len(carried.in_force)} 项（仅供参考）")


__all__ = ["Carried", "CarriedValue", "Reference", "carry_from", "carry_pairs", "in_force_fields",
           "next_meta", "summary", "CLEARED_META"]
