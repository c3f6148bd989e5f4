"""``nianbao fonts``: which font file prints each part of the PDF, and why."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.font_options import font_options
from generator.cli.zh import ZhCommand


@click.command("fonts", cls=ZhCommand, examples=(
    ("nianbao fonts", "查看 PDF 用的字体："),
    ("nianbao fonts --font 仿宋=C:/Windows/Fonts/simfang.ttf", "试一试指定仿宋字体后的结果："),
))
@font_options
def command(fonts: tuple[str, ...], font_config: Path | None) -> None:
    """显示 PDF 各字体角色（标题、黑体、楷体、仿宋、宋体）选用的字体文件及来源。"""
    from rich.table import Table
    from rich.text import Text

    from generator import app
    from generator.cli.output import make_console

    report = app.font_report(fonts, font_config)
    console = make_console()
    table = Table(title="PDF 字体", show_lines=False)
    table.add_column("角色", no_wrap=True)
    table.add_column("用于")
    table.add_column("字体", no_wrap=True)
    table.add_column("文件")
    table.add_column("来源")
    for row in report.rows:
        table.add_row(row.role, row.used_for, Text(row.face, style="yellow" if row.stand_in else "green"),
                      Text(row.file, overflow="fold"), Text(row.reason))
    console.print(table)

    warnings = report.warnings
    for text in warnings:
        console.print(Text(f"警告：{text}", style="yellow"))
    if report.bundled:
        console.print("本机没有找到可用的中文字体，PDF 使用随 nianbao 安装的开源字体"
                      "（Noto Serif SC / Noto Sans SC，SIL OFL 许可），可以正常阅读和打印，"
                      "但不是公文规定的字体。")
    if warnings:
        console.print(Text(
            "如需使用官方字体：把字体文件（如 Windows 的 C:/Windows/Fonts 中的 simfang.ttf、"
            "simhei.ttf、simkai.ttf、simsun.ttc，或 仿宋_GB2312.ttf、方正小标宋简体 FZXBSJW.TTF）"
            "所在文件夹写入字体配置文件，或用 --font 角色=字体文件 指定。"
            f"配置文件位置：{report.config_path}，写法示例：\n"
            "  [fonts]\n"
            "  dirs = [\"D:/公文字体\"]\n"
            "  fangsong = \"C:/Windows/Fonts/simfang.ttf\"    # 仿宋；其余角色：title heiti kaiti song"))
