"""Where everything sits in the input workbook.

Each table sheet holds the official grid with its top-left at A1, so a workbook address
(``表三!D7``) names the same cell as the national form's grid in ``official_format.md``.
Every input cell also carries a workbook-level defined name (:func:`defined_name`), so a
reader finds it even after rows were inserted above a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping

from openpyxl.utils import get_column_letter

from generator.form import FIELD_BY_ID, TABLES, Field

SHEET_GUIDE = "填报说明"
SHEET_META = "基本信息"
SHEET_TEXT = "正文"
#: table key -> sheet name (表二, 表三, 表四)
TABLE_SHEETS: dict[str, str] = {t.key: t.name for t in TABLES}
SHEET_ORDER: tuple[str, ...] = (SHEET_GUIDE, SHEET_META, SHEET_TEXT, *TABLE_SHEETS.values())

NAME_PREFIX = "nb"


@dataclass(frozen=True, order=True)
class CellAddress:
    """A cell in the workbook; ``str()`` gives ``表三!D7`` (1-based row and column)."""

    sheet: str
    row: int
    col: int

    @cached_property
    def coordinate(self) -> str:
        return f"{get_column_letter(self.col)}{self.row}"

    def __str__(self) -> str:
        return f"{self.sheet}!{self.coordinate}"


def defined_name(key: str) -> str:
    """The workbook-level name of an input cell: ``nb.t3.new.natural_person``,
    ``nb.meta.agency``, ``nb.text.opening``."""
    return f"{NAME_PREFIX}.{key}"


def meta_key(attribute: str) -> str:
    return f"meta.{attribute}"


def text_key(slot_key: str) -> str:
    return f"text.{slot_key}"


def text_heading_key(slot_key: str) -> str:
    return f"heading.{slot_key}"


def default_field_address(field: Field) -> CellAddress:
    """Where a field sits in a workbook written by ``nianbao init``."""
    return CellAddress(TABLE_SHEETS[field.table], field.grid_row + 1, field.grid_col + 1)


def field_address(field_id: str, sources: "Mapping[str, CellAddress] | None" = None) -> CellAddress:
    """The address of a field as read (``sources`` from the reader), else the default one."""
    if sources and field_id in sources:
        return sources[field_id]
    return default_field_address(FIELD_BY_ID[field_id])

