"""``nianbao template``: check a custom .docx template, or write the standard one.

``nianbao template check T`` reports every placeholder a template lacks and every Jinja
error, in Chinese (exit 0 when usable, 2 when not).  ``nianbao template build [OUT]`` writes
the standard template, generated from the form declaration, for an administrator to restyle
in Word/WPS.
"""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.zh import ZhGroup, output_option
from generator.errors import OutputError

DEFAULT_OUT = "annual_report.docx"


@click.group("template", cls=ZhGroup, examples=(
    ("nianbao template build 我的模板.docx", "生成标准模板，在 Word/WPS 中修改样式："),
    ("nianbao template check 我的模板.docx", "检查改好的模板："),
))
def command() -> None:
    """检查自定义 .docx 模板，或生成标准模板。"""


@command.command("check", examples=(
    ("nianbao template check 我的模板.docx", "检查模板："),
    ("nianbao build 填报表.xlsx --template 我的模板.docx", "检查通过后用它生成报告："),
))
@click.argument("template", type=click.Path(dir_okay=False, path_type=Path), metavar="模板.docx")
def check(template: Path) -> None:
    """检查模板是否包含全部占位符、写法是否正确。"""
    from generator import app

    app.check_template(template)  # raises TemplateError (exit 2) with the list of problems
    click.echo(f"模板检查通过：{template}")


@command.command("build", examples=(
    ("nianbao template build 我的模板.docx", "生成标准模板："),
))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), required=False,
                metavar="[模板.docx]")
@output_option("output", f"生成的模板文件（也可直接写在命令后面）；默认 {DEFAULT_OUT}。",
               type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="模板.docx")
@click.option("--force", is_flag=True, help="文件已存在时覆盖。")
def build(out: Path | None, output: Path | None, force: bool) -> None:
    """生成标准模板（默认 annual_report.docx），可在 Word/WPS 中修改样式后用 --template 使用。"""
    from generator import app

    if out is not None and output is not None and out != output:
        raise OutputError("模板文件名只需给一次：写在命令后面，或用 -o 指定。")
    out = app.write_standard_template(output or out or Path(DEFAULT_OUT), overwrite=force)
    click.echo(f"已生成标准模板：{out}")
