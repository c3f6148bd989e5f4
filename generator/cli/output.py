"""Printing findings for a clerk: one table per sheet, then a one-line summary in Chinese.

Shared by ``nianbao check``, ``nianbao build`` (why it refuses) and ``nianbao batch``.
:func:`findings_json` is the stable machine-readable form (documented in
:mod:`generator.cli.check`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from generator.findings import Finding, Severity, count_by_severity

if TYPE_CHECKING:  # rich is imported when something is printed: a clean build never needs it
    from rich.console import Console

#: how a severity looks in the terminal
SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTICE: "cyan"}
#: cells shown per finding before "等 N 格"
MAX_CELLS_SHOWN = 4
OTHER_GROUP = "其他"
JSON_FORMAT_VERSION = 1


def summary_text(findings: Iterable[Finding]) -> str:
    """``共 2 个错误、1 个警告、3 条提示``; ``未发现问题`` when there is nothing."""
    counts = count_by_severity(findings)
    if not any(counts.values()):
        return "未发现问题"
    return (f"共 {counts[Severity.ERROR]} 个错误、{counts[Severity.WARNING]} 个警告、"
            f"{counts[Severity.NOTICE]} 条提示")


def cells_text(cells: Sequence[str]) -> str:
    """The cells column: the first few addresses, the sheet named once (``表三!D7、J7``)."""
    shown: list[str] = []
    previous_sheet = None
    for cell in cells[:MAX_CELLS_SHOWN]:
        sheet, _, coordinate = cell.partition("!")
        shown.append(coordinate if sheet == previous_sheet and coordinate else cell)
        previous_sheet = sheet
    text = "、".join(shown)
    if len(cells) > MAX_CELLS_SHOWN:
        text += f" 等 {len(cells)} 格"
    return text


def group_by_sheet(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings per sheet of their first cell, in the order given (already sorted)."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.sheet or OTHER_GROUP, []).append(finding)
    return groups


def make_console() -> Console:
    """The console every command prints to.

    ``markup=False``: text from workbooks and reports ("[/red]4", an agency name ending in
    "[/]") is printed literally, never read as rich markup; styles are given as Text objects.
    """
    from rich.console import Console

    safe_console_streams()
    console = Console(highlight=False, soft_wrap=False, markup=False, emoji=False)
    if not console.is_terminal:
        # Piped or redirected: wide, so Chinese messages are not cut into narrow columns,
        # unless COLUMNS says how wide the reader is.
        console = Console(highlight=False, width=_env_columns() or PIPE_WIDTH, no_color=True,
                          markup=False, emoji=False)
    return console


def safe_console_streams() -> None:
    """Let stdout/stderr print any character, whatever the console's encoding.

    A Windows console redirected to a file writes GBK; an emoji or a zero-width space from a
    paragraph would raise UnicodeEncodeError there.  Characters the encoding lacks are written
    as ``\\u200b`` escapes instead: the message stays readable and nothing fails.
    """
    import sys

    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if reconfigure is not None and encoding not in ("utf8", "utf16", "utf32"):
            try:
                reconfigure(errors="backslashreplace")
            except (OSError, ValueError):  # a stream that cannot be reconfigured: leave it
                pass


def _env_columns() -> int | None:
    import os

    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return None
    return columns if columns >= 20 else None


#: a piped console's width when COLUMNS is not set
PIPE_WIDTH = 160
#: narrower consoles get one block per finding instead of the five-column table
WIDE_TABLE_MIN_WIDTH = 120
#: the 单元格 column of the wide table
CELLS_COLUMN_WIDTH = 28
FONT_NOTICE = "提示：PDF 用了替代字体，可以阅读和打印；正式印发前请安装官方字体（见 nianbao fonts）。"


def split_font_notice(findings: Sequence[Finding]) -> tuple[list[Finding], str | None]:
    """(the other findings, one line for the stand-in font notice or None).

    On a machine without the official fonts (every Windows PC lacks 方正小标宋) the notice
    comes with every PDF; a table of five fonts each time buries what matters.
    """
    # Only the notice: a PDF-FONT warning (no font at all, text may print as boxes) stays whole.
    from generator.app import rule_of

    def summarised(finding: Finding) -> bool:
        rule = rule_of(finding)
        return bool(rule and rule.stand_in_font_notice) and finding.severity is Severity.NOTICE

    others = [f for f in findings if not summarised(f)]
    return others, FONT_NOTICE if len(others) < len(findings) else None


def print_findings(findings: Sequence[Finding], *, title: str | None = None,
                   console: Console | None = None) -> None:
    """Findings grouped by sheet, then the summary line.

    A wide console gets one table per sheet (级别 · 规则 · 单元格 · 问题 · 怎么改); a narrower
    one a block per finding (级别 规则 单元格 on one line, 问题 and 怎么改 below), wrapped
    between words so a cell address or a path is never split.  Text from the workbook is
    printed literally (never read as rich markup).
    """
    from rich.text import Text

    console = console or make_console()
    if title:
        console.print(Text(title, style="bold"))
    wide = console.width >= WIDE_TABLE_MIN_WIDTH
    for sheet, group in group_by_sheet(findings).items():
        if wide:
            _print_table(console, sheet, group)
        else:
            _print_blocks(console, sheet, group)
    style = "bold red" if any(f.severity is Severity.ERROR for f in findings) else "bold green"
    console.print(Text(summary_text(findings), style=style))


def _print_table(console: Console, sheet: str, group: Sequence[Finding]) -> None:
    from rich.table import Table
    from rich.text import Text

    from generator.cli.zh import wrap

    table = Table(title=f"【{sheet}】", title_justify="left", show_lines=False,
                  expand=False, header_style="bold")
    table.add_column("级别", no_wrap=True)
    table.add_column("规则", no_wrap=True)
    table.add_column("单元格", max_width=CELLS_COLUMN_WIDTH)
    table.add_column("问题", overflow="fold", ratio=3)
    table.add_column("怎么改", overflow="fold", ratio=2)
    for finding in group:
        # broken between addresses beforehand, so the column never cuts one in two
        cells = "\n".join(wrap(cells_text(finding.cells), CELLS_COLUMN_WIDTH))
        table.add_row(Text(finding.severity.value, style=SEVERITY_STYLE[finding.severity]),
                      Text(finding.rule), Text(cells), Text(finding.message),
                      Text(finding.hint or ""))
    console.print(table)


def _print_blocks(console: Console, sheet: str, group: Sequence[Finding]) -> None:
    from rich.text import Text

    from generator.cli.zh import wrap

    width = max(console.width - 1, 20)
    console.print(Text(f"【{sheet}】", style="bold"))
    for finding in group:
        head = Text()
        head.append(finding.severity.value, style=SEVERITY_STYLE[finding.severity])
        head.append(f" {finding.rule}  ")
        lead = head.cell_len
        cells = wrap(cells_text(finding.cells), width, " " * lead, " " * lead) if finding.cells \
            else [""]
        head.append(cells[0][lead:])
        console.print(head, soft_wrap=True)
        for line in cells[1:]:
            console.print(Text(line), soft_wrap=True)
        for label, text in (("问题", finding.message), ("怎么改", finding.hint)):
            if text:
                for line in wrap(text, width, f"  {label}：", " " * (len(label) * 2 + 4)):
                    console.print(Text(line), soft_wrap=True)
        console.print()


def findings_json(findings: Sequence[Finding], *, file: str | Path | None = None,
                  previous: str | Path | None = None) -> dict[str, object]:
    """The stable JSON document of ``nianbao check --format json``."""
    counts = count_by_severity(findings)
    return {
        "format": JSON_FORMAT_VERSION,
        "file": str(file) if file is not None else None,
        "previous": str(previous) if previous is not None else None,
        "summary": {
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "notices": counts[Severity.NOTICE],
            "text": summary_text(findings),
        },
        "findings": [f.to_dict() for f in findings],
    }
