"""``nianbao rules``: every rule of the checker, from the rule registry (generator.checks.rules)."""

from __future__ import annotations

import json

import click

from generator.cli.zh import ZhCommand


@click.command("rules", cls=ZhCommand, examples=(
    ("nianbao rules", "列出全部规则："),
    ("nianbao rules --format markdown", "输出可放进说明文档的表格："),
))
@click.option("--format", "output_format", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True,
              help="text 为表格；markdown 可直接放进 README；json 供其他程序读取。")
def command(output_format: str) -> None:
    """列出全部校验规则：编号、级别和说明。"""
    from generator.app import RULES, rules_markdown

    if output_format == "markdown":
        click.echo(rules_markdown(RULES), nl=False)
        return
    if output_format == "json":
        data = [{"id": r.id, "severity": r.severity.name.lower(), "severity_label": r.severity.value,
                 "title": r.title, "description": r.description,
                 "needs_previous": r.needs_previous} for r in RULES]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    from generator.cli.output import make_console

    table = Table(title="nianbao 校验规则", title_justify="left", header_style="bold")
    table.add_column("编号", no_wrap=True)
    table.add_column("级别", no_wrap=True)
    table.add_column("规则", no_wrap=True)
    table.add_column("说明", overflow="fold")
    for rule in RULES:
        extra = "（需 --previous 上年工作簿）" if rule.needs_previous else ""
        table.add_row(rule.id, rule.severity.value, rule.title, rule.description + extra)
    make_console().print(table)
