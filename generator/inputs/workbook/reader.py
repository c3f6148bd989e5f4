"""Reading a filled workbook into a :class:`~generator.report.model.Report`.

Where a value is: every input cell is found by its defined name
(:func:`~generator.report.layout.defined_name`).  A workbook without the names — the official
tables pasted into a sheet of one's own — is read by matching the official labels
(:mod:`generator.inputs.workbook.labels`); a label that cannot be found raises
:class:`~generator.errors.InputError` naming it.

What a value means:

* A blank number cell reads as 0 and is listed (``ReadResult.blanks``; one V-2 notice per
  sheet).  Full-width digits, spaces and thousands separators are normalised (``１,２３４``).
  Text, an Excel error value, a date or TRUE/FALSE where a number belongs is a V-3 error
  naming the cell; the model holds 0 there.  A non-whole count (2.5) or a negative number is
  kept as it is (``Decimal`` / negative ``int``): the checker's V-1 flags it.  Infinity
  (a cell stored as ``1e999``), NaN and numbers of 10¹⁵ or more are V-3 errors, never
  printed.  报告年度 must be a four-digit year (1000–9998); blank is S-3, anything else
  (0, 2025.5, -2025, 9999, 1e20) V-3, and the model holds 0.
* An array formula is quoted by its formula text, not by a Python object's repr.
* Totals (fields with ``sum_of``) are never trusted as formulas: openpyxl cannot evaluate
  them and files it wrote carry no cached value.  **Choice:** a total cell holding a formula
  gets the value recomputed from its parts (in form order, the way Excel would); when the
  file carries a cached value that disagrees, that is a V-4 error.  A total cell holding a
  number typed by hand keeps that number in the model — so the tables print what the clerk
  wrote and the checker's T3-2/T3-3/T4-1 fire too — and a V-4 error is reported when it
  disagrees with its parts.  A blank total gets the recomputed value.
* Text cells: line breaks separate paragraphs; each paragraph is stripped, empty ones are
  dropped; every other character is kept exactly.  A formula in the opening or the fee cell
  (a blank workbook has them) means "print the generator's default" (empty paragraphs).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from itertools import starmap
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from generator.checks.rules import (
    make_finding,  # severities of V-2/V-3/V-4 come from the rule registry
)
from generator.errors import InputError
from generator.findings import Finding
from generator.form import (
    DEFAULT_SENTENCES,
    FIELDS,
    META_FIELDS,
    TABLES,
    TEXT_SLOTS,
    Field,
    MetaField,
    TableForm,
    TextSlot,
    ValueKind,
)
from generator.inputs.numbers import (
    BLANK,
    NotANumber,
    parse_number,
    special_float,
    whole_number,
)
from generator.inputs.workbook.grid import CellValue, WorkbookGrid, grid_from_workbook
from generator.inputs.workbook.labels import LabelIndex, find_label_rows, locate_table
from generator.report.layout import (
    SHEET_META,
    SHEET_TEXT,
    CellAddress,
    defined_name,
    meta_key,
    text_heading_key,
    text_key,
)
from generator.report.model import Meta, Narrative, Number, Numbers, Report, TextPart
from generator.report.read_result import ReadResult

#: Text slots whose formula (in a blank workbook) stands for the generator's default.
DEFAULT_FORMULA_SLOTS = frozenset(DEFAULT_SENTENCES)

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook


# ---------------------------------------------------------------------------
# Findings raised while reading; each made in one small function so the rule registry
# (generator/checks/rules.py) can take them over.


def blank_cells_notice(sheet: str, cells: list[CellAddress], field_ids: list[str]) -> Finding:
    shown = "、".join(c.coordinate for c in cells[:12]) + ("等" if len(cells) > 12 else "")
    return make_finding(
        "V-2",
        f"{sheet} 有 {len(cells)} 个数字格未填写（{shown}），已按 0 处理；正式报告中显示为 0。"
        "如确实为零，建议填写 0。",
        cells=tuple(str(c) for c in cells), expected=0, found=None, field_ids=tuple(field_ids))


def shown_value(raw: object) -> object:
    """What a cell holds, as a clerk would recognise it in a message.

    openpyxl gives array and data-table formulas as objects whose ``str`` is a Python repr
    (``<openpyxl…ArrayFormula object at 0x…>``); the formula text is what Excel shows.
    """
    if isinstance(raw, ArrayFormula):
        return raw.text or "数组公式"
    if isinstance(raw, DataTableFormula):
        return "模拟运算表公式"
    return raw


def not_a_number(address: CellAddress, raw: object, what: str, field_id: str = "") -> Finding:
    raw = shown_value(raw)
    return make_finding(
        "V-3",
        f"{address} 填写的是{what}“{raw}”，此处只能填数字，请改为数字（没有请填 0）。",
        cells=(str(address),), expected="数字", found=raw,
        field_ids=(field_id,) if field_id else ())


def total_mismatch(address: CellAddress, found: object, expected: Number, parts: str,
                   field_id: str, cached: bool) -> Finding:
    how = "公式的计算结果" if cached else "手工填写的合计"
    return make_finding(
        "V-4",
        f"{address} {how}是 {found}，但 {parts} 相加等于 {expected}。"
        "合计格应等于各项之和，请恢复公式或改正数字。",
        cells=(str(address),), expected=expected, found=found, field_ids=(field_id,))


def bad_meta(address: CellAddress, label: str, raw: object, expected: str) -> Finding:
    raw = shown_value(raw)
    return make_finding(
        "V-3",
        f"{address}（{label}）填写的是“{raw}”，无法识别，请填写{expected}。",
        cells=(str(address),), expected=expected, found=raw)


def blank_year(address: CellAddress, label: str) -> Finding:
    # The model holds 0 for "no year"; the checker's S-3 sees only None/empty text, so the
    # reader, which knows the cell was blank, says so (same wording as S-3).
    return make_finding(
        "S-3", f"基本信息“{label}”没有填写", cells=(str(address),), expected="四位数字，如：2025",
        found="（空）", hint=f"请在“基本信息”工作表填写{label}，四位数字，如：2025")


def formula_in_text(address: CellAddress, label: str) -> Finding:
    return make_finding(
        "V-3",
        f"{address}（{label}）是公式，nianbao 无法计算公式，该部分按空白处理。请直接填写文字。",
        cells=(str(address),), found="公式")


# ---------------------------------------------------------------------------
# Cell values.

#: The years a report can be about: four digits, and the year after it must exist too
#: (the publication deadline is 31 January of the next year).
MIN_YEAR, MAX_YEAR = 1000, 9998

def _excel_error(cell: CellValue | None) -> bool:
    return cell is not None and cell.data_type == "e"


def _as_text(value: object) -> str:
    if type(value) is str:  # a text cell, the commonest: nothing to turn into text
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # is_integer() is False for inf/NaN
        return str(int(value))
    if isinstance(value, float) and not math.isfinite(value):
        return special_float(value)
    value = shown_value(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    return str(value)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_paragraphs(value: object) -> tuple[str, ...]:
    """A text cell's paragraphs: one per line, stripped, empty lines dropped."""
    text = _as_text(value)
    # Most cells break lines with "\n" alone, which str.split finds without the pattern.
    lines = _LINE_BREAK.split(text) if "\r" in text else text.split("\n")
    return tuple(filter(None, map(str.strip, lines)))


_DATE_TEXT = re.compile(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")


def parse_date(value: object) -> date | None | NotANumber:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 < value < 2958466:
        from openpyxl.utils.datetime import from_excel
        return from_excel(value).date()
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = _DATE_TEXT.fullmatch(text)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    return NotANumber(str(value), "日期")


def parse_year(value: object) -> int | None | NotANumber:
    """A four-digit year (MIN_YEAR..MAX_YEAR), None for a blank cell, else what was found.

    0, 2025.5, -2025, 9999, 1e20, infinity and text are all problems: a year the report
    cannot be dated by must be named to the clerk, never carried on as a number.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return NotANumber(value, "年份")
    if isinstance(value, float) and not math.isfinite(value):
        return NotANumber(special_float(value), "年份")
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, Decimal) and not value.is_finite():
            return NotANumber(str(value), "年份")
        if value == int(value) and MIN_YEAR <= int(value) <= MAX_YEAR:
            return int(value)
        return NotANumber(_as_text(value), "年份")
    text = unicodedata.normalize("NFKC", _as_text(value)).strip()
    m = re.fullmatch(r"(\d{4})(\.0+)?\s*(年度?)?", text)
    if m and MIN_YEAR <= int(m[1]) <= MAX_YEAR:
        return int(m[1])
    return NotANumber(_as_text(value), "年份")


# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 12)
def _address(sheet: str, row: int, col: int) -> CellAddress:
    """One address object per cell: the same few hundred named cells recur in every workbook."""
    return CellAddress(sheet, row, col)


# What the reader looks up for every workbook, derived from the form once rather than
# spelled out again for each of its 230-odd cells.

#: Each table with its fields' ids and the defined names their cells carry, in form order.
_TABLE_NAMES: tuple[tuple[TableForm, tuple[str, ...], tuple[str, ...]], ...] = tuple(
    (table, tuple(f.id for f in table.fields), tuple(defined_name(f.id) for f in table.fields))
    for table in TABLES)
#: The input fields and the totals, each with its id, in form order (a row's total column
#: comes after the row's own totals).
_INPUTS: tuple[tuple[str, Field], ...] = tuple((f.id, f) for f in FIELDS if not f.is_total)
_TOTALS: tuple[tuple[str, Field], ...] = tuple((f.id, f) for f in FIELDS if f.is_total)
#: Each item of 基本信息 with its source key (``meta.agency``) and defined name.
_META_NAMES: tuple[tuple[MetaField, str, str], ...] = tuple(
    (m, meta_key(m.key), defined_name(meta_key(m.key))) for m in META_FIELDS)
#: Each text slot with its source key (``text.opening``) and defined name, and for a slot
#: with a heading of the clerk's own the same for the heading (else empty).
_TEXT_NAMES: tuple[tuple[TextSlot, str, str, str, str], ...] = tuple(
    (slot, text_key(slot.key), defined_name(text_key(slot.key)),
     text_heading_key(slot.key) if slot.custom_heading else "",
     defined_name(text_heading_key(slot.key)) if slot.custom_heading else "")
    for slot in TEXT_SLOTS)

def _parts(total: Field, addresses: dict[str, CellAddress]) -> str:
    """The cells a total adds up, as a V-4 message names them: ``D5、D6`` or ``D5 至 D9``."""
    first = addresses[total.sum_of[0]].coordinate
    last = addresses[total.sum_of[-1]].coordinate
    return f"{first} 至 {last}" if len(total.sum_of) > 2 else f"{first}、{last}"


class _Reader:
    def __init__(self, grid: WorkbookGrid) -> None:
        self.grid = grid
        self.sheets = grid.sheets
        self.named_cells = grid.named_cells
        self.findings: list[Finding] = []
        self.sources: dict[str, CellAddress] = {}
        self.indexes: dict[str, LabelIndex] = {}

    # -- addresses -----------------------------------------------------------------

    def named(self, name: str) -> CellAddress | None:
        """The cell a defined name (:func:`defined_name`) points to, if it exists and points
        at a single cell."""
        target = self.named_cells.get(name)
        return None if target is None else _address(*target)

    def cell(self, address: CellAddress) -> CellValue:
        return self.sheets[address.sheet].cell(address.row, address.col)

    def cached_value(self, address: CellAddress) -> object:
        return self.grid.cached_value(address.sheet, address.row, address.col)

    # -- tables --------------------------------------------------------------------

    def table_addresses(self) -> dict[str, CellAddress]:
        addresses: dict[str, CellAddress] = {}
        named_cells = self.named_cells
        for table, field_ids, names in _TABLE_NAMES:
            targets = [named_cells.get(name) for name in names]
            if None not in targets:
                addresses.update(zip(field_ids, starmap(_address, targets)))  # type: ignore[arg-type]
            else:
                addresses.update(locate_table(self.grid, table, self.indexes).addresses)
        return addresses

    def numbers(self) -> tuple[Numbers, list[str]]:
        addresses = self.table_addresses()
        self.sources.update(addresses)
        sheets = self.sheets
        values: dict[str, Number] = {}
        blanks: list[str] = []
        for field_id, f in _INPUTS:
            address = addresses[field_id]
            cell = sheets[address.sheet].cell(address.row, address.col)
            number = whole_number(cell.value, f.kind) if cell.data_type == "n" else None
            if number is None:
                number = self.input_number(f, address, cell, blanks)
            values[field_id] = number
        for field_id, f in _TOTALS:
            values[field_id] = self.total_number(f, addresses, values)
        self.blank_notices(blanks, addresses)
        return Numbers(values), blanks

    def input_number(self, f: Field, address: CellAddress, cell: CellValue,
                     blanks: list[str]) -> Number:
        if _excel_error(cell):
            self.findings.append(not_a_number(address, cell.value, "错误值", f.id))
            return 0
        value = cell.value
        if cell.data_type == "f":
            value = self.cached_value(address)
            if value is None:
                self.findings.append(not_a_number(address, cell.value, "公式", f.id))
                return 0
        parsed = parse_number(value, f.kind)
        if parsed is BLANK:
            blanks.append(f.id)
            return Decimal(0) if f.kind is ValueKind.AMOUNT else 0
        if isinstance(parsed, NotANumber):
            self.findings.append(not_a_number(address, parsed.raw, parsed.what, f.id))
            return 0
        return parsed  # type: ignore[return-value]

    def total_number(self, f: Field, addresses: dict[str, CellAddress],
                     values: dict[str, Number]) -> Number:
        address = addresses[f.id]
        expected: Number = sum([values[p] for p in f.sum_of], 0)
        cell = self.cell(address)
        if _excel_error(cell):
            self.findings.append(not_a_number(address, cell.value, "错误值", f.id))
            return expected
        if cell.data_type == "f":
            cached = self.cached_value(address)
            if cached is None:  # the commonest total: a formula the file holds no value for
                return expected
            parsed = parse_number(cached, f.kind)
            if isinstance(parsed, (int, Decimal)) and parsed != expected:
                self.findings.append(total_mismatch(
                    address, parsed, expected, _parts(f, addresses), f.id, True))
            return expected
        parsed = parse_number(cell.value, f.kind)
        if parsed is BLANK:
            return expected
        if isinstance(parsed, NotANumber):
            self.findings.append(not_a_number(address, parsed.raw, parsed.what, f.id))
            return expected
        if parsed != expected:
            self.findings.append(total_mismatch(
                address, parsed, expected, _parts(f, addresses), f.id, False))
        return parsed  # type: ignore[return-value]

    def blank_notices(self, blanks: list[str], addresses: dict[str, CellAddress]) -> None:
        by_sheet: dict[str, list[str]] = {}
        for field_id in blanks:
            by_sheet.setdefault(addresses[field_id].sheet, []).append(field_id)
        for sheet, ids in by_sheet.items():
            cells = [addresses[i] for i in ids]
            self.findings.append(blank_cells_notice(sheet, cells, ids))

    # -- 基本信息 ------------------------------------------------------------------

    def meta_addresses(self) -> dict[str, CellAddress]:
        found = {m.key: self.named(name) for m, _, name in _META_NAMES}
        missing = [m for m in META_FIELDS if found[m.key] is None]
        if missing:
            ws, rows = find_label_rows(self.grid, SHEET_META, [m.label for m in missing])
            for m in missing:
                if ws is not None and m.label in rows:
                    row, col = rows[m.label]
                    found[m.key] = CellAddress(ws.title, row, col + 1)
                elif m.required:
                    raise InputError(
                        f"找不到基本信息“{m.label}”：工作表“{SHEET_META}”（或其他工作表）中没有"
                        f"写着“{m.label}”的单元格。请使用 nianbao init 生成的填报表。")
        return {k: v for k, v in found.items() if v is not None}

    def meta(self) -> Meta:
        addresses = self.meta_addresses()
        values: dict[str, object] = {}
        for m, source_key, _ in _META_NAMES:
            address = addresses.get(m.key)
            if address is None:
                continue
            self.sources[source_key] = address
            cell = self.cell(address)
            raw = cell.value
            if cell.data_type == "f":
                raw = self.cached_value(address)
            if m.key == "year":
                year = parse_year(raw)
                if isinstance(year, NotANumber):
                    self.findings.append(bad_meta(address, m.label, year.raw, "四位数字的年份，如 2025"))
                    year = None
                elif year is None:
                    self.findings.append(blank_year(address, m.label))
                values["year"] = year or 0
            elif m.key == "publish_date":
                when = parse_date(raw)
                if isinstance(when, NotANumber):
                    self.findings.append(bad_meta(address, m.label, when.raw,
                                                  "日期，如 2026年1月20日"))
                    when = None
                values["publish_date"] = when
            elif m.key == "processing_fee":
                fee = parse_number(raw, ValueKind.AMOUNT)
                if isinstance(fee, NotANumber):
                    self.findings.append(bad_meta(address, m.label, fee.raw, "数字（单位：元），未收取填 0"))
                    fee = Decimal(0)
                values["processing_fee"] = Decimal(0) if fee is BLANK else fee
            else:
                values[m.key] = _as_text(raw).strip()
        values.setdefault("agency", "")
        values.setdefault("year", 0)
        return Meta(**values)  # type: ignore[arg-type]

    # -- 正文 ----------------------------------------------------------------------

    def text_addresses(self) -> dict[str, CellAddress]:
        found: dict[str, CellAddress | None] = {}
        for _, key, name, heading_key, heading_name in _TEXT_NAMES:
            found[key] = self.named(name)
            if heading_key:
                found[heading_key] = self.named(heading_name)
        missing = [s for s in TEXT_SLOTS if found[text_key(s.key)] is None]
        if missing:
            ws, rows = find_label_rows(self.grid, SHEET_TEXT, [s.label for s in missing])
            if ws is None:
                raise InputError(
                    f"找不到正文：工作表“{SHEET_TEXT}”（或其他工作表）中没有“{missing[0].label}”"
                    "等部分的标题。请使用 nianbao init 生成的填报表。")
            for slot in missing:
                if slot.label in rows:
                    row, col = rows[slot.label]
                    found[text_key(slot.key)] = CellAddress(ws.title, row, col + 2)
                    if slot.custom_heading and found[text_heading_key(slot.key)] is None:
                        found[text_heading_key(slot.key)] = CellAddress(ws.title, row, col + 1)
        return {k: v for k, v in found.items() if v is not None}

    def narrative(self) -> Narrative:
        addresses = self.text_addresses()
        self.sources.update(addresses)
        parts: dict[str, TextPart] = {}
        for slot, key, _, heading_key, _ in _TEXT_NAMES:
            paragraphs: tuple[str, ...] = ()
            heading = ""
            address = addresses.get(key)
            if address is not None:
                paragraphs = self.text_of(address, slot.key, slot.label)
            heading_address = addresses.get(heading_key) if heading_key else None
            if heading_address is not None:
                heading = " ".join(self.text_of(heading_address, "", slot.label + "的小标题"))
            parts[slot.key] = TextPart(paragraphs, heading)
        return Narrative(parts)

    def text_of(self, address: CellAddress, slot_key: str, label: str) -> tuple[str, ...]:
        cell = self.cell(address)
        if cell.data_type == "f":
            if slot_key in DEFAULT_FORMULA_SLOTS:
                return ()  # the generator prints its own default, from the same 基本信息
            cached = self.cached_value(address)
            if cached is None:
                self.findings.append(formula_in_text(address, label))
                return ()
            return split_paragraphs(cached)
        return split_paragraphs(cell.value)


def read_grid(grid: WorkbookGrid) -> ReadResult:
    """Read a workbook snapshot (:func:`generator.inputs.workbook.source.load_grid`)."""
    reader = _Reader(grid)
    numbers, blanks = reader.numbers()
    meta = reader.meta()
    narrative = reader.narrative()
    return ReadResult(Report(meta, narrative, numbers), tuple(reader.findings),
                      dict(reader.sources), tuple(blanks))


def read_loaded(wb: "Workbook", cached: "Workbook | None" = None) -> ReadResult:
    """Read an already opened workbook (``cached``: the same file opened with data_only)."""
    return read_grid(grid_from_workbook(wb, cached))


def read_workbook(path: str | Path) -> ReadResult:
    """Read the workbook at ``path``; raises :class:`InputError` when it cannot be read."""
    from generator.inputs.workbook.source import load_grid

    grid = load_grid(path)  # one inspection, one parse: formulas and cached values
    try:
        return read_grid(grid)
    except InputError as error:
        if error.path is None:
            raise InputError(str(error), path=path) from error
        raise
