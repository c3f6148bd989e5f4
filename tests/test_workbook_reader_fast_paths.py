"""The reader's fast paths read what its general paths read.

A plain int in a number cell is read by :func:`whole_number` before
:func:`~generator.inputs.numbers.parse_number` is asked, and a text without a carriage return
is split into lines without the pattern.  Whatever a cell holds, the result — number, finding,
blank, source — must be the one the general path gives.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.form import INPUT_FIELDS, TEXT_SLOTS, Field, ValueKind
from generator.inputs.numbers import parse_number, whole_number
from generator.inputs.workbook import reader
from generator.inputs.workbook.grid import CellValue, SheetGrid, WorkbookGrid
from generator.inputs.workbook.reader import read_grid, split_paragraphs
from generator.inputs.workbook.source import load_grid
from generator.report.layout import defined_name, text_key
from generator.report.model import Number

EXAMPLE = Path(__file__).resolve().parent.parent / "inputs" / "example-2025.xlsx"

#: Values a number cell can hold as the grid reads it, of every type, near the limits too.
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-10**15 - 2, max_value=10**15 + 2),
    st.sampled_from([10**15, -10**15, 10**15 - 1, -10**15 + 1]),
    st.floats(),
    st.decimals(),
    st.text(max_size=8),
    st.sampled_from(["１,２３４", " 12 ", "-", "#N/A", "1e3", "2.50"]),
    st.dates(),
    st.datetimes(),
)
_KINDS = st.sampled_from(list(ValueKind))


@given(_VALUES, _KINDS)
def test_whole_number_is_parse_number_or_declines(value: object, kind: ValueKind) -> None:
    number = whole_number(value, kind)
    if number is None:
        assert type(value) is not int or abs(value) >= 10**15
    else:
        general = parse_number(value, kind)
        assert number == general and type(number) is type(general)


@functools.lru_cache(maxsize=1)
def _example() -> WorkbookGrid:
    return load_grid(EXAMPLE)


_CELLS = st.one_of(
    _VALUES.map(lambda v: CellValue(v, "n")),
    st.integers(min_value=-5, max_value=5).map(lambda v: CellValue(v, "s")),
    st.sampled_from([CellValue("#DIV/0!", "e"), CellValue(7, "e"), CellValue("=B5+C5", "f"),
                     CellValue(True, "b"), CellValue(date(2025, 1, 2), "d"),
                     CellValue(datetime(2025, 1, 2, 3, 4), "d"), CellValue("12", "s")]),
)


def _with_cells(grid: WorkbookGrid, changes: dict[str, CellValue]) -> WorkbookGrid:
    cells = {title: dict(sheet.cells) for title, sheet in grid.sheets.items()}
    for name, cell in changes.items():
        sheet, row, col = grid.named_cells[name]
        cells[sheet][(row, col)] = cell
    return WorkbookGrid({title: SheetGrid(title, cells[title], sheet.merged, sheet.cached)
                         for title, sheet in grid.sheets.items()}, grid.named_cells)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(st.dictionaries(st.sampled_from([defined_name(f.id) for f in INPUT_FIELDS]), _CELLS,
                       max_size=12))
def test_a_read_with_the_fast_path_is_the_read_without_it(
        monkeypatch: pytest.MonkeyPatch, changes: dict[str, CellValue]) -> None:
    grid = _with_cells(_example(), changes)
    fast = read_grid(grid)
    with monkeypatch.context() as patch:
        patch.setattr(reader, "whole_number", lambda value, kind: None)
        general = read_grid(grid)
    assert fast == general
    assert fast.findings == general.findings and fast.blanks == general.blanks
    assert dict(fast.sources) == dict(general.sources)
    for field_id, number in general.report.numbers.values.items():
        assert type(fast.report.numbers.values[field_id]) is type(number)


def _paragraphs_by_pattern(value: object) -> tuple[str, ...]:
    """split_paragraphs as it reads every text: the line-break pattern, then stripping."""
    return tuple(p.strip() for p in re.split(r"\r\n|\r|\n", reader._as_text(value))
                 if p.strip())


@given(st.one_of(st.text(alphabet=st.sampled_from("ab 中\n\r\t\u3000\x0b\x85\u2028")),
                 st.text(), st.none(), st.integers(), st.floats()))
def test_split_paragraphs_is_the_line_break_pattern(value: object) -> None:
    assert split_paragraphs(value) == _paragraphs_by_pattern(value)


def test_the_example_reads_its_texts_as_the_pattern_splits_them() -> None:
    grid = _example()
    read = read_grid(grid)
    for slot in TEXT_SLOTS:
        sheet, row, col = grid.named_cells[defined_name(text_key(slot.key))]
        value = grid[sheet].cell(row, col).value
        assert read.report.narrative[slot.key].paragraphs == _paragraphs_by_pattern(value)


def test_the_example_reads_every_number_cell_by_the_fast_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    general: list[str] = []
    input_number = reader._Reader.input_number

    def counted(self: reader._Reader, f: Field, *args: Any) -> Number:
        general.append(f.id)
        return input_number(self, f, *args)

    monkeypatch.setattr(reader._Reader, "input_number", counted)
    numbers = read_grid(_example()).report.numbers
    assert general == []
    for f in INPUT_FIELDS:
        assert type(numbers[f.id]) is (Decimal if f.kind is ValueKind.AMOUNT else int)
