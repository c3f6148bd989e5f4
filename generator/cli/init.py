"""``nianbao init``: write a blank input workbook for a clerk to fill, or next year's workbook
from last year's (``--from LAST.xlsx``; what is carried is decided in
:mod:`generator.outputs.carry_forward`)."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.zh import ZhCommand, output_option
from generator.errors import NianbaoError


@click.command("init", cls=ZhCommand, examples=(
    ("nianbao init --agency 某某镇人民政府 --year 2025", "生成空白工作簿（文件名按机关名称和年度）："),
    ("nianbao init --from 2024年填报表.xlsx", "由上年的工作簿生成本年工作簿："),
    ("nianbao init -o 填报表.xlsx", "指定文件名："),
))
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path),
                metavar="[工作簿.xlsx]")
@output_option("output", "生成的工作簿（也可直接写在命令后面）；默认在当前文件夹按机关名称和年度命名。",
               type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="工作簿.xlsx")
@click.option("--from", "last", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="上年.xlsx",
              help="由上年的填报工作簿生成本年工作簿：沿用基本信息（年度加 1），表三“二、上年结转”"
                   "按上年“四、结转下年度继续办理”填好并锁定，上年现行有效件数和正文作参考。")
@click.option("--agency", default="", metavar="机关名称", help="预先填入的机关名称。")
@click.option("--year", type=click.IntRange(2021, 2100), default=None, metavar="YYYY",
              help="预先填入的报告年度。")
@click.option("--force", is_flag=True, help="文件已存在时覆盖。")
def command(path: Path | None, output: Path | None, last: Path | None, agency: str,
            year: int | None, force: bool) -> None:
    """生成空白填报工作簿（基本信息、正文、表二、表三、表四）。

    不指定文件名时，在当前文件夹生成“<机关名称><年度>年政府信息公开工作年度报告填报表.xlsx”。
    加 --from 上年.xlsx 时，由上年工作簿生成下一年度的工作簿（上年文件不会被改动）。
    """
    if path is not None and output is not None and path != output:
        raise NianbaoError("工作簿文件名只需给一次：写在命令后面，或用 -o 指定。")
    path = output or path
    if last is not None:
        if agency.strip() or year is not None:
            raise NianbaoError("--from 不能与 --agency、--year 同时使用：机关名称沿用上年工作簿，"
                               "报告年度为上年加 1。如需改动，请在新工作簿的“基本信息”中修改。")
        _carry(last, path, force)
        return
    from generator import app  # lazy: keeps `nianbao --help` fast

    written = app.blank_workbook(agency, year, path, overwrite=force)
    click.echo(f"已生成填报工作簿：{written}")
    click.echo("下一步：用 Excel、WPS 或 LibreOffice 打开，按“填报说明”依次填写基本信息、正文和表二至表四"
               "（只填浅黄色格子），保存后运行：")
    click.echo(f"  nianbao check \"{written}\"")


def _carry(last: Path, path: Path | None, force: bool) -> None:
    """``init --from``: next year's workbook from last year's, and what was carried."""
    from generator import app

    result = app.roll_forward(last, path, overwrite=force)
    click.echo(f"已由上年工作簿“{last.name}”生成本年度填报工作簿：{result.written}")
    click.echo(result.summary)
    if result.year_unknown:
        click.secho("注意：上年工作簿没有可识别的报告年度，新工作簿的“报告年度”留空，请在基本信息中填写。",
                    fg="yellow")
    if result.last_errors:
        which = (f"其中 {result.touching_carry} 个涉及表三“四、结转下年度继续办理”，结转过来的数字可能不准；"
                 if result.touching_carry else "")
        click.secho(f"警告：上年工作簿有 {len(result.last_errors)} 个错误（已照常结转）。{which}"
                    f"请运行 nianbao check \"{last}\" 查看。", fg="yellow")
    click.echo("下一步：打开新工作簿，核对“基本信息”，填写本年的正文和表二至表四（只填浅黄色格子；"
               "淡紫色格子是上年结转，灰字是上年内容，仅供参考），保存后运行：")
    click.echo(f"  nianbao check \"{result.written}\" --previous \"{last}\"")
