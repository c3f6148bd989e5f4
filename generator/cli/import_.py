"""``nianbao import REPORT [-o OUT.xlsx] [--force] [--check]``: a published report into a workbook.

Reads last year's report as published — a .docx, a page saved from the portal (.html), or
text copied from the portal (.txt) — and writes an input workbook holding its numbers and
paragraphs, so the clerk starts from what was published instead of retyping it.

It prints what it could not place (with the text it saw) and what the clerk should look at
(blank cells imported as 0, labels matched only approximately, 2019-format items).  Totals
are imported as printed; the workbook recomputes them from their parts, so where the
published report's totals disagree with its own details this is listed too.  ``--check``
runs every check over the report *as published* and prints the findings (exit 1 on errors),
addressed to the cells of the written workbook.

Exit codes: 0 written (and, with ``--check``, no error), 1 ``--check`` found errors,
2 the report cannot be read or the workbook cannot be written.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from ..errors import EXIT_CHECK_FAILED, EXIT_OK, OutputError
from .zh import ZhCommand


@click.command("import", cls=ZhCommand, examples=(
    ("nianbao import 2024年年度报告.docx", "把上年发布的 Word 报告导入为工作簿（与报告同名的 .xlsx）："),
    ("nianbao import 报告网页.html -o 2024年填报表.xlsx --check", "导入另存的网页，指定文件名并按规则检查："),
))
@click.argument("report", type=click.Path(path_type=Path), metavar="报告.docx|.html|.txt")
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
    """把已发布的年度报告（.docx、另存的网页 .html、复制的网页文字 .txt）导入为填报工作簿。

    支持 2021 年格式和 2019 年试行格式；列出未能导入的内容（附原文），空白格按 0 导入并列出。
    """
    from ..checker import check_report
    from ..form import META_FIELDS
    from ..findings import has_errors
    from ..importers import FORMAT_NAMES, import_report
    from ..workbook.writer import write_workbook
    from .output import make_console, print_findings

    target = output or report.with_suffix(".xlsx")
    if target.exists() and not force:  # say so before the work, not after it
        raise OutputError(f"文件已存在：{target}。如需覆盖，请加 --force；或用 -o 指定另一个文件名。")
    if target.resolve() == report.resolve():
        raise OutputError("输出文件不能与要导入的报告是同一个文件，请用 -o 指定另一个文件名。")
    result = import_report(report, agency=agency, year=year)
    console = make_console()
    meta = result.report.meta
    console.print(Text(
        f"已读取：{report.name}（{FORMAT_NAMES.get(result.source_format, result.source_format)}，"
        f"{result.form_version} 年格式）—— {meta.agency} {meta.year} 年", style="bold"))

    if result.unmapped:
        table = Table(title=f"未能导入的内容（{len(result.unmapped)} 处，请对照原报告手工填写）",
                      title_justify="left", header_style="bold", show_header=False)
        table.add_column("内容", overflow="fold")
        for item in result.unmapped:
            table.add_row(Text(item, style="yellow"))
        console.print(table)
    notes = list(result.notes) + _total_notes(result.report)
    if notes:
        table = Table(title=f"请核对（{len(notes)} 条）", title_justify="left",
                      header_style="bold", show_header=False)
        table.add_column("说明", overflow="fold")
        for note in notes:
            table.add_row(note)
        console.print(table)

    written = write_workbook(target, result.report, overwrite=force)
    console.print(Text(f"已写入工作簿：{written}", style="bold green"))

    if run_check:
        # A published report rarely states every 基本信息 item (a portal page has no 发布日期):
        # what it lacks is for the clerk to fill in, not an error of the report.
        findings = [f for f in check_report(result.report) if f.rule != MISSING_META_RULE]
        missing = [m.label for m in META_FIELDS
                   if m.required and not str(getattr(result.report.meta, m.key) or "").strip()]
        if missing:
            console.print(f"原报告中没有{'、'.join(missing)}，请在工作簿的“基本信息”中补填。")
        print_findings(findings, title=f"按原报告的数字校验：{report.name}", console=console)
        ctx.exit(EXIT_CHECK_FAILED if has_errors(findings) else EXIT_OK)
    ctx.exit(EXIT_OK)


MISSING_META_RULE = "S-3"


def _total_notes(report) -> list[str]:  # noqa: ANN001 - a Report
    """Totals printed in the report that differ from the sum of their parts.

    The workbook computes totals with formulas, so the clerk should know which printed totals
    will change there.
    """
    from ..form import FIELDS
    from ..importers.tables import field_path

    recomputed = report.numbers.with_totals()
    return [f"原报告 {field_path(f.id)} 印的是 {report.numbers[f.id]}，明细合计为 "
            f"{recomputed[f.id]}；工作簿中的合计按明细自动计算"
            for f in FIELDS if f.is_total and report.numbers[f.id] != recomputed[f.id]]
