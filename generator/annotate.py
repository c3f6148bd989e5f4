"""``nianbao check --annotate``: a copy of the workbook with each finding on its cells.

Every cell a finding names gets a comment (severity, rule, message, hint; several findings on
one cell share one comment) and a fill: red for errors, amber for warnings, light blue for
notices.  The clerk's file is opened read-only and never saved; the copy is written
atomically and an existing copy is only replaced with ``overwrite=True``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

from .errors import OutputError
from .findings import Finding, Severity
from .safeio import atomic_path

COMMENT_AUTHOR = "nianbao"
FILLS = {
    Severity.ERROR: PatternFill("solid", start_color="FFFFC7CE", end_color="FFFFC7CE"),
    Severity.WARNING: PatternFill("solid", start_color="FFFFEB9C", end_color="FFFFEB9C"),
    Severity.NOTICE: PatternFill("solid", start_color="FFDDEBF7", end_color="FFDDEBF7"),
}


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
    from .workbook.source import load_workbook

    source, target = Path(source), Path(target)
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise OutputError(f"标注文件不能与原工作簿相同：{target}。请另取一个文件名，原工作簿不会被修改。")
    if target.exists() and not overwrite:
        raise OutputError(f"文件已存在：{target}。如需覆盖，请加 --force。")
    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"标注文件名应以 .xlsx 结尾：{target}")
    wb = load_workbook(source)
    for (sheet, row, col), group in annotated_cells(findings).items():
        if sheet not in wb.sheetnames:
            continue
        cell = wb[sheet].cell(row, col)
        text = "\n\n".join(comment_text(f) for f in group)
        comment = Comment(text, COMMENT_AUTHOR)
        comment.width = 360
        comment.height = min(60 + 40 * len(group) + len(text) // 2, 600)
        cell.comment = comment
        worst = min((f.severity for f in group), key=lambda s: s.rank)
        cell.fill = FILLS[worst]
    with atomic_path(target, overwrite=overwrite) as tmp:
        wb.save(tmp)
    return target
