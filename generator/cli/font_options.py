"""The ``--font`` / ``--font-config`` options, shared by ``fonts``, ``build`` and ``batch``."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])


def font_options(command: F) -> F:
    """Add ``--font ROLE=PATH`` (repeatable) and ``--font-config FILE`` to a command."""
    command = click.option(
        "--font-config", type=click.Path(dir_okay=False, path_type=Path), default=None,
        metavar="fonts.toml", help="字体配置文件（默认读取用户目录下的 nianbao/fonts.toml）。")(command)
    command = click.option(
        "--font", "fonts", multiple=True, metavar="角色=字体文件",
        help="指定某一角色的字体文件，可重复，例如 --font 仿宋=C:/Windows/Fonts/simfang.ttf；"
             "角色：标题、黑体、楷体、仿宋、宋体（.ttc 文件可写 文件#序号）。")(command)
    return command


def font_paths(fonts: tuple[str, ...]) -> dict[str, Path]:
    """role → font file for the ``--font ROLE=PATH`` values given (``#N`` face index kept)."""
    from generator.app import font_paths as parse

    return parse(fonts)
