"""``nianbao diff LAST.xlsx THIS.xlsx``: the numbers that changed since last year.

Prints one table row per changed cell (单元格 · 项目 · 上年 · 本年 · 说明) and marks changes
that look implausible (see :mod:`generator.checks.yeardiff`) for the reviewer to ask about.  It is
information, not a check: the exit code is 0 whenever both workbooks can be read (2 when one
cannot).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table
from rich.text import Text

from generator.cli.zh import ZhCommand
from generator.errors import EXIT_OK

if TYPE_CHECKING:
    from generator.app import CellChange

def _factor(change: CellChange) -> str:
    ratio = change.ratio
    if ratio is None:
        return ""
    if ratio >= 1:
        return f"本年是上年的 {ratio:.1f} 倍"
    return f"本年只有上年的 {ratio * 100:.0f}%"


@click.command("diff", cls=ZhCommand, examples=(
    ("nianbao diff 上年填报表.xlsx 本年填报表.xlsx", "列出两年之间变化的数字："),
))
@click.argument("last", type=click.Path(path_type=Path), metavar="上年.xlsx")
@click.argument("this", type=click.Path(path_type=Path), metavar="本年.xlsx")
@click.pass_context
def command(ctx: click.Context, last: Path, this: Path) -> None:
    """比较上年与本年工作簿中三张表的每一个数字，列出变化并标出变化幅度异常的格子。

    “变化异常”指本年是上年的 5 倍以上或不到五分之一、且两年都不少于 10，仅供审核时留意，
    不算错误。退出码总是 0（文件无法读取时为 2）。
    """
    from generator import app
    from generator.cli.output import make_console

    result = app.diff(last, this)
    changes = result.changes
    console = make_console()
    console.print(Text(f"比较：{last.name}（{result.last_year}年） → {this.name}（{result.this_year}年）",
                       style="bold"))
    if not result.adjacent:
        console.print(Text(f"提示：两个工作簿的年度是 {result.last_year} 和 {result.this_year}，"
                           "不是相邻两年，请确认没有选错文件。", style="yellow"))
    if not changes:
        console.print(Text("三张表的数字与上年完全相同。", style="bold green"))
        ctx.exit(EXIT_OK)
    table = Table(show_lines=False, header_style="bold", expand=False)
    table.add_column("单元格", no_wrap=True)
    table.add_column("项目", overflow="fold", ratio=4)
    table.add_column("上年", justify="right", no_wrap=True)
    table.add_column("本年", justify="right", no_wrap=True)
    table.add_column("说明", overflow="fold", ratio=2)
    for change in changes:
        remark = Text(_factor(change))
        if change.implausible:
            remark = Text(f"变化异常，请核实：{_factor(change)}", style="bold yellow")
        table.add_row(change.address, change.path, *change.printed, remark)
    console.print(table)
    flagged = result.implausible
    console.print(Text(
        f"共 {len(changes)} 格与上年不同，其中 {flagged} 格变化异常"
        f"（本年是上年的 {result.ratio} 倍以上或不到 1/{result.ratio}，"
        f"且两年都不少于 {result.min_value}），"
        "仅供审核参考。", style="bold"))
    ctx.exit(EXIT_OK)
