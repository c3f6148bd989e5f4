"""``nianbao check FILE``: read a workbook, apply every rule, print what to fix.

Exit codes: 0 when there is no error (warnings and notices are allowed), 1 when there are
errors, 2 when the file cannot be read (or ``--annotate`` cannot be written).

``--format json`` prints one JSON document (UTF-8, not ASCII-escaped), stable across versions
with the same ``format`` number::

    {
      "format": 1,
      "file": "填报表.xlsx",            # as given on the command line
      "previous": null,                 # --previous, or null
      "summary": {"errors": 1, "warnings": 0, "notices": 2,
                  "text": "共 1 个错误、0 个警告、2 条提示"},
      "findings": [                     # sorted: severity, then sheet, row, column
        {"severity": "error",           # error | warning | notice
         "severity_label": "错误",       # 错误 | 警告 | 提示
         "rule": "T3-1",                # see `nianbao rules`
         "message": "…",                # what is wrong, in Chinese
         "cells": ["表三!D7", "…"],      # the first is where to look first
         "expected": "6", "found": "5", # strings or numbers, null when not applicable
         "hint": "…"}                   # one line: what to do
      ]
    }

``--annotate OUT.xlsx`` also writes a copy of the workbook with each finding as a comment on
its cells (red fill for errors); the input file is never modified.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from generator.cli.zh import ZhCommand
from generator.errors import EXIT_CHECK_FAILED, EXIT_OK


@click.command("check", cls=ZhCommand, examples=(
    ("nianbao check 填报表.xlsx", "检查工作簿，列出要改的单元格："),
    ("nianbao check 填报表.xlsx --annotate 批注版.xlsx", "另存一份把问题写在单元格批注里的工作簿："),
    ("nianbao check 填报表.xlsx --previous 上年填报表.xlsx", "同时核对上年结转："),
))
@click.argument("file", type=click.Path(path_type=Path), metavar="工作簿.xlsx")
@click.option("--previous", type=click.Path(path_type=Path), default=None, metavar="上年.xlsx",
              help="上年度的填报工作簿，用于核对上年结转等（规则 Y-1、Y-2）。")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="输出格式：text 为表格，json 供其他程序读取。")
@click.option("--annotate", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="批注版.xlsx",
              help="另存一份带批注的工作簿：每个问题写在相应单元格的批注中（先去掉上次留下的批注）。")
@click.option("--force", is_flag=True, help="--annotate 的文件已存在时覆盖。")
@click.pass_context
def command(ctx: click.Context, file: Path, previous: Path | None, output_format: str,
            annotate: Path | None, force: bool) -> None:
    """读取并校验填报工作簿，列出需要修改的单元格。

    有错误时退出码为 1，只有警告或提示时为 0，文件无法读取时为 2。
    """
    from generator import app
    from generator.cli.output import findings_json, print_findings

    result = app.check(file, previous=previous)
    findings = list(result.findings)
    if output_format == "json":
        click.echo(json.dumps(findings_json(findings, file=file, previous=previous),
                              ensure_ascii=False, indent=2))
    else:
        print_findings(findings, title=f"校验：{file.name}")
    if annotate is not None:
        written = app.annotate(file, annotate, findings, overwrite=force)
        click.echo(f"已另存带批注的工作簿：{written}", err=output_format == "json")
    ctx.exit(EXIT_CHECK_FAILED if result.has_errors else EXIT_OK)
