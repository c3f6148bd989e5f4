"""``nianbao init``: write a blank input workbook for a clerk to fill."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import OutputError


def default_path(agency: str, year: int | None) -> Path:
    """``<机关名称><年度>年政府信息公开工作年度报告填报表.xlsx`` in the current directory."""
    stem = f"{agency}{f'{year}年' if year else ''}政府信息公开工作年度报告填报表"
    return Path.cwd() / f"{stem}.xlsx"


@click.command("init")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--agency", default="", metavar="机关名称", help="预先填入的机关名称。")
@click.option("--year", type=click.IntRange(2021, 2100), default=None, metavar="YYYY",
              help="预先填入的报告年度。")
@click.option("--force", is_flag=True, help="文件已存在时覆盖。")
def command(path: Path | None, agency: str, year: int | None, force: bool) -> None:
    """生成空白填报工作簿（基本信息、正文、表二、表三、表四）。

    PATH 省略时，在当前文件夹生成“<机关名称><年度>年政府信息公开工作年度报告填报表.xlsx”。
    """
    from ..workbook.writer import write_workbook  # lazy: keeps `nianbao --help` fast

    agency = agency.strip()
    target = path if path is not None else default_path(agency, year)
    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"文件名应以 .xlsx 结尾：{target}")
    if target.exists() and not force:
        raise OutputError(f"文件已存在：{target}。如需覆盖，请加 --force。")
    written = write_workbook(target, agency=agency, year=year, overwrite=force)
    click.echo(f"已生成填报工作簿：{written}")
    click.echo("下一步：用 Excel、WPS 或 LibreOffice 打开，按“填报说明”依次填写基本信息、正文和表二至表四"
               "（只填浅黄色格子），保存后运行：")
    click.echo(f"  nianbao check \"{written}\"")
