"""``nianbao template``: check a custom .docx template, or write the standard one.

``nianbao template check T`` reports every placeholder a template lacks and every Jinja
error, in Chinese (exit 0 when usable, 2 when not).  ``nianbao template build [OUT]`` writes
the standard template, generated from the form declaration, for an administrator to restyle
in Word/WPS.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import OutputError

DEFAULT_OUT = "annual_report.docx"


@click.group("template")
def command() -> None:
    """检查自定义 .docx 模板，或生成标准模板。"""


@command.command("check")
@click.argument("template", type=click.Path(dir_okay=False, path_type=Path))
def check(template: Path) -> None:
    """检查模板 TEMPLATE 是否包含全部占位符、写法是否正确。"""
    from ..render.docx import check_template

    check_template(template)  # raises TemplateError (exit 2) with the list of problems
    click.echo(f"模板检查通过：{template}")


@command.command("build")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_OUT)
@click.option("--force", is_flag=True, help="文件已存在时覆盖。")
def build(out: Path, force: bool) -> None:
    """生成标准模板到 OUT（默认 annual_report.docx），可在 Word/WPS 中修改样式后用 --template 使用。"""
    from ..render.template_builder import build_template
    from ..safeio import write_bytes_atomic

    if out.exists() and not force:
        raise OutputError(f"文件已存在：{out}。如需覆盖，请加 --force。")
    write_bytes_atomic(out, build_template())
    click.echo(f"已生成标准模板：{out}")
