"""``nianbao check --annotate``: a copy of the workbook with each finding on its cells.

Every cell a finding names gets a comment (severity, rule, message, hint; several findings on
one cell share one comment) and a fill: red for errors, amber for warnings, light blue for
notices.  The clerk's file is opened read-only and never saved; the copy is written
atomically and an existing copy is only replaced with ``overwrite=True``.

Annotating starts from the workbook as it is now: a clerk who fixes a number in an annotated
copy and checks that copy again must not keep the old pink cells.  So the marks of an earlier
annotation are removed first — the comments written by :data:`COMMENT_AUTHOR`, and the fills
they came with, restored from the record each annotation keeps in the workbook's custom
document properties (:data:`RECORD_PROPERTY`).  Without the record (Excel or WPS dropped it),
a cell still carrying one of our fills gets the fill the blank workbook gives it.
"""

from __future__ import annotations

import json
from copy import copy
from pathlib import Path
from typing import Iterable

from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import PatternFill
from openpyxl.styles.colors import Color
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.workbook.workbook import Workbook

from generator.errors import OutputError
from generator.findings import Finding, Severity
from generator.outputs.xlsx_file import save_workbook
from generator.safeio import atomic_path

COMMENT_AUTHOR = "nianbao"
FILLS = {
    Severity.ERROR: PatternFill("solid", start_color="FFFFC7CE", end_color="FFFFC7CE"),
    Severity.WARNING: PatternFill("solid", start_color="FFFFEB9C", end_color="FFFFEB9C"),
    Severity.NOTICE: PatternFill("solid", start_color="FFDDEBF7", end_color="FFDDEBF7"),
}


#: custom document properties ``nianbao.annotate.1``, ``.2``… hold, as JSON, each marked
#: cell's fill from before the marking (in pieces: some programs keep only 255 characters)
RECORD_PROPERTY = "nianbao.annotate"
RECORD_PIECE = 200


def split_cell(cell: str) -> tuple[str, int, int] | None:
    """``表三!D7`` -> (sheet, row, column); None for a bare sheet name or a range."""
    sheet, sep, coordinate = cell.partition("!")
    if not sep or not coordinate or ":" in coordinate:
        return None
    try:
        letters, row = coordinate_from_string(coordinate.replace("$", ""))
    except ValueError:
        return None
    return sheet, row, column_index_from_string(letters)


def comment_text(finding: Finding) -> str:
    text = f"【{finding.severity.value}】{finding.rule} {finding.message}"
    return f"{text}\n{finding.hint}" if finding.hint else text


def annotated_cells(findings: Iterable[Finding]) -> dict[tuple[str, int, int], list[Finding]]:
    """Which cells get a comment, and the findings that name each one (in order)."""
    cells: dict[tuple[str, int, int], list[Finding]] = {}
    for finding in findings:
        for cell in dict.fromkeys(finding.cells):
            key = split_cell(cell)
            if key is not None:
                cells.setdefault(key, []).append(finding)
    return cells


def annotate_workbook(source: str | Path, target: str | Path, findings: Iterable[Finding], *,
                      overwrite: bool = False) -> Path:
    """Write ``target``: ``source`` with every finding as a comment and fill on its cells."""
    from generator.inputs.workbook.source import load_workbook

    source, target = Path(source), Path(target)
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise OutputError(f"标注文件不能与原工作簿相同：{target}。请另取一个文件名，原工作簿不会被修改。")
    if target.exists() and not overwrite:
        raise OutputError(f"文件已存在：{target}。如需覆盖，请加 --force。")
    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"标注文件名应以 .xlsx 结尾：{target}")
    wb = load_workbook(source)
    remove_annotations(wb)
    originals: dict[str, object] = {}
    for (sheet, row, col), group in annotated_cells(findings).items():
        if sheet not in wb.sheetnames:
            continue
        cell = wb[sheet].cell(row, col)
        originals[f"{sheet}!{cell.coordinate}"] = _fill_record(cell.fill)
        text = "\n\n".join(comment_text(f) for f in group)
        comment = Comment(text, COMMENT_AUTHOR)
        comment.width = 360
        comment.height = min(60 + 40 * len(group) + len(text) // 2, 600)
        cell.comment = comment
        worst = min((f.severity for f in group), key=lambda s: s.rank)
        cell.fill = FILLS[worst]
    _write_record(wb, originals)
    with atomic_path(target, overwrite=overwrite) as tmp:
        save_workbook(wb, tmp)
    return target


def _color_record(color: Color | None) -> list[object] | None:
    if color is None:
        return None
    return [color.type, color.value, color.tint]


def _fill_record(fill: object) -> dict[str, object] | None:
    fill = copy(fill)  # a cell's fill is a StyleProxy; its copy is the PatternFill itself
    if not isinstance(fill, PatternFill) or fill.fill_type is None:
        return None
    return {"type": fill.fill_type, "fg": _color_record(fill.fgColor),
            "bg": _color_record(fill.bgColor)}


def _color(record: list[object] | None) -> Color | None:
    if not record:
        return None
    kind, value, tint = record
    return Color(**{str(kind): value}, tint=float(tint or 0))  # type: ignore[arg-type]


def _fill(record: dict[str, object] | None) -> PatternFill:
    if not record:
        return PatternFill(fill_type=None)
    return PatternFill(fill_type=str(record["type"]), fgColor=_color(record.get("fg")),
                       bgColor=_color(record.get("bg")))


def _read_record(wb: Workbook) -> dict[str, object] | None:
    props = wb.custom_doc_props
    names = [p.name for p in props]
    pieces = []
    number = 1
    while f"{RECORD_PROPERTY}.{number}" in names:
        pieces.append(str(props[f"{RECORD_PROPERTY}.{number}"].value or ""))
        number += 1
    if not pieces:
        return None
    try:
        record = json.loads("".join(pieces))
    except ValueError:  # cut short by another program: fall back to the blank workbook's fills
        return None
    return record if isinstance(record, dict) else None


def _write_record(wb: Workbook, originals: dict[str, object]) -> None:
    props = wb.custom_doc_props
    for name in [p.name for p in props if p.name.startswith(f"{RECORD_PROPERTY}.")]:
        del props[name]
    if not originals:
        return
    text = json.dumps(originals, ensure_ascii=False, sort_keys=True)
    for number, start in enumerate(range(0, len(text), RECORD_PIECE), start=1):
        props.append(StringProperty(name=f"{RECORD_PROPERTY}.{number}",
                                    value=text[start:start + RECORD_PIECE]))


_OUR_COLOURS = frozenset(fill.fgColor.rgb for fill in FILLS.values())


def _is_our_fill(cell: Cell) -> bool:
    fill = copy(cell.fill)
    return (isinstance(fill, PatternFill) and fill.fill_type == "solid"
            and fill.fgColor.type == "rgb" and fill.fgColor.rgb in _OUR_COLOURS)


def _blank_workbook_fill(cell: Cell) -> PatternFill:
    """The fill :mod:`generator.outputs.workbook` gives such a cell: yellow where the clerk
    types, grey for a formula, none otherwise."""
    from generator.outputs.workbook import INPUT_FILL, TOTAL_FILL

    if cell.protection is not None and cell.protection.locked is False:
        return INPUT_FILL
    if isinstance(cell.value, str) and cell.value.startswith("="):
        return TOTAL_FILL
    return PatternFill(fill_type=None)


def remove_annotations(wb: Workbook) -> int:
    """Take an earlier annotation's comments and fills off ``wb``; returns the cells cleaned."""
    record = _read_record(wb) or {}
    cleaned = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                ours = cell.comment is not None and cell.comment.author == COMMENT_AUTHOR
                key = f"{ws.title}!{cell.coordinate}"
                if not ours and key not in record:
                    continue
                if ours:
                    cell.comment = None
                if key in record:
                    cell.fill = _fill(record[key])  # type: ignore[arg-type]
                elif _is_our_fill(cell):
                    cell.fill = _blank_workbook_fill(cell)
                cleaned += 1
    _write_record(wb, {})
    return cleaned
