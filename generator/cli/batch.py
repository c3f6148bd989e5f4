"""``nianbao batch DIR``: check and generate every workbook under a folder, then summarise.

The work is :func:`generator.app.batch`; this module parses the arguments, shows a progress
bar and prints the result.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.text import Text

from generator.app import (
    PDF_ENGINES,
    BatchOptions,
    BatchResult,
    batch,
    display_name,
    font_conversion_pending,
    relative_name,
)
from generator.cli.font_options import font_options, font_paths
from generator.cli.zh import ZhCommand, output_option
from generator.errors import EXIT_CHECK_FAILED, EXIT_OK

if TYPE_CHECKING:
    from rich.console import Console

    from generator.app import BatchItem

DEFAULT_OUT = "outputs"


@click.command(name="batch", cls=ZhCommand, examples=(
    ("nianbao batch 收到的工作簿 -o 生成结果 --pdf", "检查并生成文件夹中的全部工作簿，写出汇总表："),
    ("nianbao batch 收到的工作簿 -o 生成结果 --previous-dir 去年的工作簿", "同时核对各机关的上年结转："),
    ("nianbao batch 收到的工作簿 -o 生成结果 --aggregate 全县汇总.xlsx", "另把通过校验的各机关数字相加，"
     "写成一份全县的填报工作簿："),
))
@click.argument("source_dir", type=click.Path(file_okay=False, path_type=Path), metavar="文件夹")
@output_option("out_dir", "输出文件夹。", type=click.Path(file_okay=False, path_type=Path),
               default=DEFAULT_OUT, show_default=True)
@click.option("--pdf", "want_pdf", is_flag=True, help="同时生成 PDF。")
@click.option("--html", "want_html", is_flag=True, help="同时生成 HTML 网页。")
@click.option("--no-docx", is_flag=True, help="不生成 .docx（只要 PDF/HTML 时使用）。")
@click.option("--pdf-engine", type=click.Choice(list(PDF_ENGINES)), default="reportlab",
              show_default=True,
              help="PDF 的生成方式：reportlab（内置，无需其他软件）或 libreoffice（用本机 LibreOffice 转换"
                   " .docx，版面与 Word 一致）。")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="并行进程数，默认等于 CPU 核数。")
@click.option("--previous-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              metavar="上年文件夹",
              default=None, help="上年工作簿所在文件夹，按机关名称匹配后做跨年度校验。")
@click.option("--aggregate", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="汇总工作簿.xlsx",
              help="另写一份填报工作簿：表二至表四为校验无错误的各工作簿之和（基本信息、正文留给"
                   "汇总单位填写），附“汇总来源”表。同一机关有多份工作簿时均不计入。")
@click.option("--force", is_flag=True, help="--aggregate 的文件已存在时覆盖。")
@font_options
def command(source_dir: Path, out_dir: Path, want_pdf: bool, want_html: bool, no_docx: bool,
            pdf_engine: str, jobs: int | None, previous_dir: Path | None, aggregate: Path | None,
            force: bool, fonts: tuple[str, ...], font_config: Path | None) -> None:
    """批量校验并生成文件夹（含子文件夹）中的全部工作簿，并写出汇总表 汇总-<年度>.xlsx。"""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from generator.cli.output import make_console

    formats = tuple(f for f, wanted in (("docx", not no_docx), ("pdf", want_pdf),
                                        ("html", want_html)) if wanted)
    options = BatchOptions(source_dir, out_dir, formats, jobs, previous_dir, pdf_engine,
                           font_paths(fonts), font_config, aggregate, force)
    console = make_console()
    if "pdf" in formats and pdf_engine == "reportlab" and font_conversion_pending(options):
        # the one-time conversion of the bundled fonts takes seconds: say so before the wait
        click.echo("首次使用内置字体，正在转换（每台电脑只需一次，约需几秒钟；转换期间先生成 .docx）……",
                   err=True)
    with Progress(TextColumn("[bold]处理中"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("{task.description}", markup=False),
                  console=console, transient=True) as progress:
        task = progress.add_task("", total=None)

        def started(total: int) -> None:
            progress.update(task, total=total)

        def finished(item: BatchItem) -> None:
            progress.update(task, advance=1, description=display_name(Path(item.source.name)))

        result = batch(options, on_start=started, on_done=finished)
    print_batch_summary(result, console)
    sys.exit(EXIT_CHECK_FAILED if result.failed else EXIT_OK)


STATUS_STYLE = {"通过": "green", "有警告": "yellow", "有错误": "bold red", "无法读取": "bold red",
                "内部错误": "bold red", "超时": "bold red"}


def print_batch_summary(result: BatchResult, console: Console) -> None:
    """The summary workbook's rows as a terminal table, then skipped files and counts."""
    from rich.table import Table

    table = Table(title="批量处理汇总", title_justify="left", header_style="bold")
    for heading, width in result.screen_headings:
        table.add_column(heading, overflow="fold", max_width=max(8, width))
    table.add_column("已生成", no_wrap=True)
    for row in result.screen_rows():
        formats = "、".join(p.suffix.lstrip(".") for p in row.item.outputs)
        # Text objects: an agency name such as "[/]" is printed as it is, never as markup
        table.add_row(*(Text(cell) for cell in row.cells), Text(formats),
                      style=STATUS_STYLE.get(row.item.status.value))
    console.print(table)
    if result.skipped:
        console.print(Text(f"已跳过 {len(result.skipped)} 个非工作簿或临时文件："))
        for path in result.skipped:
            console.print(Text(f"  {display_name(path)}"))
    counts = Counter(item.status.value for item in result.items)
    parts = "、".join(f"{status} {counts[status]} 个" for status in STATUS_STYLE if counts[status])
    console.print(Text(f"共 {len(result.items)} 个工作簿：{parts or '无'}。"
                       f"汇总表：{display_name(result.summary)}"))
    if result.aggregated is not None and result.aggregate_path is not None:
        summed = result.aggregated
        console.print(Text(f"汇总工作簿：{display_name(result.aggregate_path)}（{summed.year} 年度，"
                           f"计入 {len(summed.parts)} 个工作簿，未计入 {len(summed.left_out)} 个；"
                           "请填写其中的基本信息和正文）"))
        for group in summed.duplicates:
            names = "、".join(relative_name(item.source, result.source_dir) for item in group)
            console.print(Text(f"注意：同一机关“{group[0].agency}”有 {len(group)} 份工作簿（{names}），"
                               "均未计入汇总工作簿。请只保留一份后重新汇总。", style="bold red"))

