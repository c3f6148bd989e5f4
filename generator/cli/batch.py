"""``nianbao batch DIR``: check and generate every workbook under a folder, then summarise."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import EXIT_CHECK_FAILED, EXIT_OK, OutputError
from .font_options import font_options, font_settings
from .zh import ZhCommand, output_option

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
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="并行进程数，默认等于 CPU 核数。")
@click.option("--previous-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              metavar="上年文件夹",
              default=None, help="上年工作簿所在文件夹，按机关名称匹配后做跨年度校验。")
@click.option("--aggregate", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="汇总工作簿.xlsx",
              help="另写一份填报工作簿：表二至表四为校验无错误的各工作簿之和（基本信息、正文留给"
                   "汇总单位填写），附“汇总来源”表。")
@click.option("--force", is_flag=True, help="--aggregate 的文件已存在时覆盖。")
@font_options
def command(source_dir: Path, out_dir: Path, want_pdf: bool, want_html: bool, no_docx: bool,
            jobs: int | None, previous_dir: Path | None, aggregate: Path | None, force: bool,
            fonts: tuple[str, ...], font_config: Path | None) -> None:
    """批量校验并生成文件夹（含子文件夹）中的全部工作簿，并写出汇总表 汇总-<年度>.xlsx。"""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..batch import SUMMARY_PREFIX, BatchPlan, Status, display_name, run_batch, summary_year
    from ..batch_summary import write_summary
    from .output import make_console

    if not source_dir.is_dir():
        raise OutputError(f"找不到文件夹：{source_dir}。请检查路径。")
    if aggregate is not None:
        _check_aggregate_target(aggregate, source_dir, force)
    formats = tuple(f for f, wanted in (("docx", not no_docx), ("pdf", want_pdf),
                                        ("html", want_html)) if wanted)
    if not formats:
        raise OutputError("没有要生成的格式：去掉 --no-docx，或加 --pdf / --html。")
    from ..render import RenderOptions

    plan = BatchPlan(source_dir, out_dir, formats, jobs or os.cpu_count() or 1, previous_dir,
                     RenderOptions(**font_settings(fonts, font_config)))
    console = make_console()
    with Progress(TextColumn("[bold]处理中"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("{task.description}", markup=False),
                  console=console, transient=True) as progress:
        task = progress.add_task("", total=None)

        def started(total: int) -> None:
            progress.update(task, total=total)

        def finished(item) -> None:  # noqa: ANN001 - BatchItem, imported lazily
            progress.update(task, advance=1, description=display_name(Path(item.source.name)))

        items = run_batch(plan, on_start=started, on_done=finished)

    from ..batch import find_workbooks

    _, skipped = find_workbooks(source_dir)
    summary = write_summary(items, out_dir / f"{SUMMARY_PREFIX}{summary_year(items)}.xlsx",
                            source_dir)
    print_batch_summary(items, skipped, summary, source_dir, console)
    if aggregate is not None:
        from ..aggregate import aggregate as sum_up
        from ..aggregate import write_aggregate

        result = sum_up(items)
        written = write_aggregate(result, aggregate, source_dir, overwrite=force)
        console.print(f"汇总工作簿：{written}（{result.year} 年度，计入 {len(result.parts)} 个工作簿，"
                      f"未计入 {len(result.left_out)} 个；请填写其中的基本信息和正文）")
    failed = any(item.status in (Status.ERRORS, Status.UNREADABLE, Status.INTERNAL,
                                 Status.TIMEOUT) for item in items)
    sys.exit(EXIT_CHECK_FAILED if failed else EXIT_OK)


def _check_aggregate_target(target: Path, source_dir: Path, force: bool) -> None:
    """Refuse before the batch runs, not after it."""
    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"汇总工作簿的文件名应以 .xlsx 结尾：{target}")
    if source_dir.resolve() in target.resolve().parents:
        raise OutputError(f"汇总工作簿不能放在要处理的文件夹“{source_dir}”里：下次批量处理时它会被"
                          "当作一个机关的工作簿再加一次。请放到别的文件夹。")
    if target.exists() and not force:
        raise OutputError(f"文件已存在：{target}。汇总工作簿可能已填写了基本信息，不会覆盖；"
                          "请换一个文件名，或加 --force 覆盖。")


STATUS_STYLE = {"通过": "green", "有警告": "yellow", "有错误": "bold red", "无法读取": "bold red",
                "内部错误": "bold red", "超时": "bold red"}


def print_batch_summary(items, skipped, summary: Path, base: Path, console) -> None:  # noqa: ANN001
    """The summary workbook's rows as a terminal table, then skipped files and counts."""
    from collections import Counter

    from rich.table import Table
    from rich.text import Text

    from ..batch import display_name
    from ..batch_summary import COLUMNS, ordered, summary_rows

    items = ordered(items)  # problems first, as in the summary workbook
    shown = [i for i, column in enumerate(COLUMNS) if column.on_screen]
    table = Table(title="批量处理汇总", title_justify="left", header_style="bold")
    for i in shown:
        table.add_column(COLUMNS[i].heading, overflow="fold", max_width=max(8, COLUMNS[i].width))
    table.add_column("已生成", no_wrap=True)
    for item, row in zip(items, summary_rows(items, base)):
        cells = ["" if row[i] is None else str(row[i]) for i in shown]
        formats = "、".join(p.suffix.lstrip(".") for p in item.outputs)
        # Text objects: an agency name such as "[/]" is printed as it is, never as markup
        table.add_row(*(Text(cell) for cell in cells), Text(formats),
                      style=STATUS_STYLE.get(item.status.value))
    console.print(table)
    if skipped:
        console.print(Text(f"已跳过 {len(skipped)} 个非工作簿或临时文件："))
        for path in skipped:
            console.print(Text(f"  {display_name(path)}"))
    counts = Counter(item.status.value for item in items)
    parts = "、".join(f"{status} {counts[status]} 个" for status in STATUS_STYLE if counts[status])
    console.print(Text(f"共 {len(items)} 个工作簿：{parts or '无'}。汇总表：{display_name(summary)}"))
