"""Which of the form's labels name a field: the labels left of its row and the headers over
its column, read from the form's own grid (:mod:`generator.form`).

Both readers locate a table by these: the workbook reader finds each field of a pasted table
at its row label × column header (:mod:`generator.inputs.workbook.labels`), and the importer names
each row and each column of a published table by matching the labels printed beside and over
it against these chains (:mod:`generator.inputs.importers.tables`).
"""

from __future__ import annotations

import os

from generator.form import CellRole, Field, GridCell, TableForm
from generator.inputs.labels import normalise


def row_label(table: TableForm, f: Field) -> GridCell | None:
    """The label naming a field's row: the nearest label left of it that starts in that row."""
    left = [c for c in table.labels
            if c.row == f.grid_row and c.last_col < f.grid_col and c.role is CellRole.LABEL]
    return max(left, key=lambda c: c.col) if left else None


def column_chain(table: TableForm, f: Field) -> list[GridCell]:
    """The header labels above a field, nearest first (e.g. 商业企业, 法人或其他组织, 申请人情况)."""
    above = [c for c in table.labels
             if c.role is CellRole.HEADER and c.last_row < f.grid_row
             and c.col <= f.grid_col <= c.last_col]
    return sorted(above, key=lambda c: -c.row)


def column_chains(table: TableForm) -> dict[str, list[str]]:
    """Each column key of ``table`` -> its header texts, nearest first."""
    chains: dict[str, list[str]] = {}
    for f in sorted(table.fields, key=lambda f: f.grid_col):
        if f.col not in chains:
            chains[f.col] = [c.text for c in column_chain(table, f)]
    return chains


def row_chain(table: TableForm, f: Field) -> list[GridCell]:
    """The row labels left of a field, nearest first (e.g. 1.属于国家秘密, （三）不予公开,
    三、本年度办理结果), including labels that reach down into its row by a rowspan."""
    left = [c for c in table.labels
            if c.role is CellRole.LABEL and c.last_col < f.grid_col
            and c.row <= f.grid_row <= c.last_row]
    return sorted(left, key=lambda c: -c.col)


def row_chains(table: TableForm) -> dict[str, list[str]]:
    """Each row key of ``table`` -> its label texts, nearest first, in the form's row order.

    A row without labels (表四's single row of numbers) has an empty chain.
    """
    chains: dict[str, list[str]] = {}
    for f in sorted(table.fields, key=lambda f: (f.grid_row, f.grid_col)):
        if f.row not in chains:
            chains[f.row] = [c.text for c in row_chain(table, f)]
    return chains


def caption_stem(table: TableForm) -> str:
    """What every caption band of ``table`` starts with, compared canonically (表二's
    「第二十条第」; empty for a table without captions)."""
    captions = [normalise(c.text) for c in table.cells if c.role is CellRole.CAPTION]
    return os.path.commonprefix(captions) if captions else ""


def opens_caption(text: str, stem: str) -> bool:
    """Whether a canonical text is a caption or the start of one broken over lines: a
    caption the form no longer has (2019's 「第二十条第（九）项」) starts with the stem too,
    and a narrow page or a PDF's text may give only its first characters (「第二十条」)."""
    return bool(stem) and (text.startswith(stem) or (len(text) >= 4 and stem.startswith(text)))
