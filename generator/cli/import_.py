"""``nianbao import REPORT [-o OUT.xlsx] [--force] [--check]``: a published report into a workbook.

Reads last year's report as published — a .docx, the published PDF, a page saved from the
portal (.html), or text copied from the portal or made by pdftotext (.txt) — and writes an input workbook holding its numbers and
paragraphs, so the clerk starts from what was published instead of retyping it.

It prints what it could not place (with the text it saw) and what the clerk should look at
(per table: found, cells read; cells it could not read, left blank; labels matched only
approximately; 2019-format items).  Totals
are imported as printed; the workbook recomputes them from their parts, so where the
published report's totals disagree with its own details this is listed too.  ``--check``
runs every check over the report *as published* and prints the findings (exit 1 on errors),
addressed to the cells of the written workbook.

The work is :func:`generator.app.import_report`; this module parses the arguments and prints
its result.

Exit codes: 0 written (and, with ``--check``, no error), 1 some numbers could not be read
(they stay blank and are listed) or ``--check`` found errors,
2 the report cannot be read or the workbook cannot be written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from generator.app import ImportOptions, ImportReportResult, import_report
from generator.cli.zh import ZhCommand
from generator.errors import EXIT_CHECK_FAILED, EXIT_OK


@click.command("import", cls=ZhCommand, examples=(
    ("nianbao import 2024年年度报告.docx", "把上年发布的 Word 报告导入为工作簿（与报告同名的 .xlsx）："),
    ("nianbao import 报告网页.html -o 2024年填报表.xlsx --check", "导入另存的网页，指定文件名并按规则检查："),
))
@click.argument("report", type=click.Path(path_type=Path), metavar="报告.docx|.pdf|.html|.txt")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="工作簿.xlsx", help="写入的工作簿；默认与报告同名、扩展名为 .xlsx。")
@click.option("--force", is_flag=True, help="工作簿已存在时覆盖。")
@click.option("--check", "run_check", is_flag=True,
              help="同时按全部校验规则检查导入的报告（按原报告的数字），有错误时退出码为 1。")
@click.option("--agency", default=None, metavar="机关全称", help="报告中找不到或识别错误时指定机关名称。")
@click.option("--year", type=int, default=None, metavar="年度", help="报告中找不到或识别错误时指定报告年度。")
@click.pass_context
def command(ctx: click.Context, report: Path, output: Path | None, force: bool, run_check: bool,
            agency: str | None, year: int | None) -> None:
    """把已发布的年度报告（.docx、.pdf、另存的网页 .html、复制的网页文字 .txt）导入为填报工作簿。

    支持 2021 年格式和 2019 年试行格式；列出未能导入的内容（附原文），读不出的数字留空并列出（退出码 1）。
    """
    from generator.cli.output import make_console

    result = import_report(report, ImportOptions(target=output, overwrite=force, agency=agency,
                                                 year=year, run_check=run_check))
    console = make_console()
    print_import(result, report, console)
    ctx.exit(EXIT_OK if result.complete else EXIT_CHECK_FAILED)


def print_import(result: ImportReportResult, report: Path, console: Console) -> None:
    """What was read, what the clerk must look at, the workbook written and (``--check``) the
    findings."""
    from generator.cli.output import print_findings

    imported = result.imported
    meta = imported.report.meta
    console.print(Text(f"已读取：{report.name}（{result.format_name}，{imported.form_version} 年格式）"
                       f"—— {meta.agency} {meta.year} 年", style="bold"))
    for line in imported.table_status:
        console.print(line)
    _list(console, imported.problems, "red",
          f"未能读出的数字（{len(imported.problems)} 处，工作簿中留空，请对照原报告填写）")
    _list(console, imported.unmapped, "yellow",
          f"未能导入的内容（{len(imported.unmapped)} 处，请对照原报告手工填写）")
    _list(console, result.notes, "", f"请核对（{len(result.notes)} 条）")
    console.print(Text(f"已写入工作簿：{result.written}", style="bold green"))
    if result.checked:
        if result.missing_meta:
            console.print(f"原报告中没有{'、'.join(result.missing_meta)}，请在工作簿的“基本信息”中补填。")
        print_findings(list(result.findings), title=f"按原报告的数字校验：{report.name}",
                       console=console)


def _list(console: Console, lines: Sequence[str], style: str, title: str) -> None:
    """A titled list (nothing when empty); ``style`` colours the lines as plain text."""
    if not lines:
        return
    table = Table(title=title, title_justify="left", header_style="bold", show_header=False)
    table.add_column("内容" if style else "说明", overflow="fold")
    for item in lines:
        table.add_row(Text(item, style=style) if style else item)
    console.print(table)
