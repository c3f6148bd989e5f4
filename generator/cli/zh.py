"""The command line in Chinese: click's own messages, help layout and line breaking.

click writes its messages ("Usage:", "Show this message and exit.", "No such option …",
"Path … is not readable") through ``gettext`` calls looked up in each click module at call
time.  :func:`install` points those lookups at :data:`MESSAGES`, so every help page and
usage error a clerk sees is Chinese; a message missing from the catalogue stays English
(tests/test_cli_zh.py lists the ones a clerk can reach and fails on English).

:class:`ZhHelpFormatter` lays help out by display width (a Chinese character takes two
columns) and breaks lines between Chinese characters or at spaces, never inside a path, an
option name or a cell address, so ``C:/Windows/Fonts/simfang.ttf`` stays whole.
:class:`ZhCommand` / :class:`ZhGroup` use it, add a 示例 section from ``examples`` and keep
old option spellings working without listing them (:class:`AliasOption`).
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from functools import lru_cache, partial
from typing import Any, Iterable, Sequence

import click

#: click's English message -> Chinese.  Placeholders keep click's names; ``{x!r}`` becomes
#: “{x}”, so a Windows path is shown as typed rather than with doubled backslashes.
MESSAGES: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本说明后退出。",
    "Show the version and exit.": "显示版本号后退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 {command} {option} 查看说明和示例。",
    "No such option {name!r}.": "没有选项“{name}”。",
    "No such option: {name}": "没有选项“{name}”。",
    "No such command {name!r}.": "没有命令“{name}”。可用的命令见 nianbao --help；"
                                  "要处理一个工作簿，请把它的路径放在命令之后，例如 nianbao check 填报表.xlsx。",
    "Option {name!r} does not take a value.": "选项“{name}”后面不能跟值。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Missing argument '{param_hint}'.": "缺少参数 {param_hint}。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "Argument {name!r} takes {nargs} values.": "参数“{name}”需要 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的开头字符不对（{option}）",
    "Value must be an iterable.": "值必须是一组。",
    "Aborted!": "已取消。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在，请检查路径。",
    "{name} {filename!r} is a file.": "“{filename}”是一个文件，这里需要文件夹。",
    "{name} {filename!r} is a directory.": "“{filename}”是一个文件夹，这里需要文件。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”无法读取（没有读取权限），"
                                            "请检查文件权限或先把文件复制到自己的文件夹。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”无法写入（没有写入权限），"
                                            "请换一个文件夹。",
    "{name} {filename!r} is not executable.": "{name}“{filename}”不能运行。",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”：{message}",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 超出范围 {range}。",
    "{value!r} is not a valid UUID.": "“{value}”不是有效的 UUID。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "integer": "整数",
    "float": "数字",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已停用",
    "Do you want to continue?": "是否继续？",
    "Repeat for confirmation": "请再输入一次确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续……",
}

#: click's plural messages, by their singular form -> (one, many) in Chinese.
PLURAL_MESSAGES: dict[str, tuple[str, str]] = {
    "Got unexpected extra argument ({args})": ("多了参数：{args}。", "多了参数：{args}。"),
    "Did you mean {possibility}?": ("您是不是要用 {possibility}？",
                                    "（您是不是要用以下之一：{possibilities}？）"),
    "Option {name!r} requires an argument.": ("选项“{name}”后面需要一个值。",
                                              "选项“{name}”后面需要 {nargs} 个值。"),
    "{value!r} is not {choice}.": ("“{value}”不是 {choice}。", "“{value}”不是可选值之一：{choices}。"),
    "Takes {nargs} values but 1 was given.": ("需要 {nargs} 个值，只给了 1 个。",
                                              "需要 {nargs} 个值，给了 {len} 个。"),
    "{value!r} does not match the format {format}.": ("“{value}”不符合格式 {format}。",
                                                      "“{value}”不符合以下格式：{formats}。"),
    "{len_type} values are required, but {len_value} was given.": (
        "需要 {len_type} 个值，给了 {len_value} 个。", "需要 {len_type} 个值，给了 {len_value} 个。"),
}

_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui",
                  "utils", "shell_completion", "_termui_impl")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    pair = PLURAL_MESSAGES.get(singular)
    if pair is None:
        return singular if n == 1 else plural
    return pair[0] if n == 1 else pair[1]


def install() -> None:
    """Make click's messages Chinese for this process (idempotent)."""
    for name in _CLICK_MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # a module a click version does not have
            continue
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# Line breaking by display width

#: one unbreakable piece: a cell address (表三!D4, 表三!D4:F9), a run of printable ASCII (a path,
#: an option, a number), or one other character
_TOKEN = re.compile(r"[^\s!=、，。；：]{1,12}!\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?"
                    r"|[^\s!=、，。；：]{1,6}=[!-~]+|[!-~]+|\s+|.", re.S)
#: never at the start of a line / never at the end of one (simple 禁则)
_NO_LINE_START = frozenset("，。、；：？！）》」』”’%)]}>.,;:?")
_NO_LINE_END = frozenset("（《「『“‘([{<")


@lru_cache(maxsize=4096)
def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cell_len(text: str) -> int:
    """Columns ``text`` takes in a terminal (a Chinese character takes two).

    Not rich's cell_len: help and usage errors are printed without importing rich.
    """
    return sum(_char_width(ch) for ch in text)


def _tokens(text: str) -> list[str]:
    """Pieces between which a line may break; punctuation stays with its neighbour."""
    pieces: list[str] = []
    glue_next = False
    for match in _TOKEN.finditer(text):
        piece = match.group(0)
        if pieces and not piece.isspace() and not pieces[-1].isspace() and (
                glue_next or piece[0] in _NO_LINE_START):
            pieces[-1] += piece
        else:
            pieces.append(piece)
        glue_next = not piece.isspace() and piece[-1] in _NO_LINE_END
    return pieces


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> list[str]:
    """``text`` (one paragraph) as lines at most ``width`` columns wide where possible.

    Breaks between Chinese characters and at spaces; a piece wider than a line (a very long
    path) is put on a line of its own rather than cut.
    """
    lines: list[str] = []
    line, indent = "", initial_indent
    used = cell_len(indent)
    for piece in _tokens(text):
        size = cell_len(piece)
        if piece.isspace():
            if line:
                line += " "
                used += 1
            continue
        if line and used + size > width:
            lines.append(indent + line.rstrip())
            line, indent = "", subsequent_indent
            used = cell_len(indent)
        line += piece
        used += size
    if line or not lines:
        lines.append(indent + line.rstrip())
    return lines


class ZhHelpFormatter(click.HelpFormatter):
    """click's help layout, measured in display columns and broken like Chinese text."""

    def __init__(self, indent_increment: int = 2, width: int | None = None,
                 max_width: int | None = None) -> None:
        super().__init__(indent_increment, width, max_width or 100)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        prefix = gettext("Usage:") if prefix is None else prefix.rstrip()
        start = f"{'':>{self.current_indent}}{prefix}{prog}"
        lines = wrap(args, self.width, start + " ", " " * (cell_len(start) + 1)) if args else [start]
        self.write("\n".join(lines) + "\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for i, block in enumerate(_paragraphs(text)):
            if i:
                self.write("\n")
            if block.startswith("\b"):  # click's mark: keep these lines as written
                for line in block[1:].strip("\n").splitlines():
                    self.write(f"{indent}{line}\n")
                continue
            self.write("\n".join(wrap(join_lines(block.split("\n")), self.width, indent, indent))
                       + "\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        rows = list(rows)
        first_width = min(max((cell_len(first) for first, _ in rows), default=0), col_max)
        column = self.current_indent + first_width + col_spacing
        for first, second in rows:
            head = f"{'':>{self.current_indent}}{first}"
            if not second:
                self.write(head + "\n")
                continue
            lines = wrap(second, max(self.width, column + 20), " " * column, " " * column)
            if cell_len(first) <= first_width:
                self.write(head + " " * (column - cell_len(head)) + lines[0][column:] + "\n")
            else:
                self.write(head + "\n" + lines[0] + "\n")
            for line in lines[1:]:
                self.write(line + "\n")


def join_lines(lines: Sequence[str]) -> str:
    """Source lines of one paragraph as one line: a space between two ASCII ends only
    (Chinese text has no spaces between its lines)."""
    text = ""
    for line in (line.strip() for line in lines):
        if text and line and (text[-1].isascii() and line[0].isascii()):
            text += " "
        text += line
    return text


def _paragraphs(text: str) -> list[str]:
    return [block for block in re.split(r"\n\s*\n", text.strip("\n")) if block.strip()]


class ZhContext(click.Context):
    formatter_class = ZhHelpFormatter


class AliasOption(click.Option):
    """An option whose old spellings (``aliases``) still work but are not listed in help."""

    def __init__(self, *args: Any, aliases: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aliases = tuple(aliases)
        self.opts.extend(a for a in self.aliases if a not in self.opts)

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        shown = self.opts
        self.opts = [o for o in shown if o not in self.aliases]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = shown


def output_option(dest: str, help: str, **kwargs: Any):  # noqa: ANN201, A002 - a decorator
    """``-o/--output`` for every command that writes somewhere (``--out`` still accepted)."""
    kwargs.setdefault("metavar", "文件夹")
    return click.option("-o", "--output", dest, cls=AliasOption, aliases=("--out",), help=help,
                        **kwargs)


def error_hint(param: click.Parameter, ctx: click.Context | None) -> str:
    """How a usage error names a parameter: “--format”, “工作簿.xlsx” (old spellings not shown)."""
    if isinstance(param, click.Argument):
        return f"“{param.make_metavar(ctx) if ctx is not None else param.human_readable_name}”"
    hidden = getattr(param, "aliases", ())
    names = [o for o in param.opts if o not in hidden] or [param.human_readable_name]
    return "、".join(f"“{name}”" for name in names)


def missing_message(error: click.exceptions.MissingParameter) -> str:
    """click's "Missing argument 'X'." in Chinese, with a full stop of its own."""
    kind = error.param_type or (error.param.param_type_name if error.param else "parameter")
    what = {"argument": "参数", "option": "选项"}.get(kind, "参数")
    hint = error_hint(error.param, error.ctx) if error.param is not None else ""
    return f"缺少{what} {hint}。请在命令中写上它，或运行 {error.ctx.command_path if error.ctx else 'nianbao'} --help 查看示例。"


class _Examples:
    """Help with a 示例 section: ``examples`` is (command line, what it does) pairs."""

    examples: tuple[tuple[str, str], ...] = ()
    context_class = ZhContext
    params: list[click.Parameter]

    def _init_examples(self, kwargs: dict[str, Any]) -> None:
        self.examples = tuple(kwargs.pop("examples", ()))
        kwargs.setdefault("options_metavar", "[选项]")

    def _localise_params(self) -> None:
        for param in self.params:
            param.get_error_hint = partial(error_hint, param)  # type: ignore[method-assign]

    def format_examples(self, formatter: click.HelpFormatter) -> None:
        if not self.examples:
            return
        with formatter.section("示例"):
            for line, what in self.examples:
                formatter.write_text(what)
                formatter.write(f"{'':>{formatter.current_indent + 2}}{line}\n")


class ZhCommand(_Examples, click.Command):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._init_examples(kwargs)
        super().__init__(*args, **kwargs)
        self._localise_params()

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.format_examples(formatter)
        super().format_epilog(ctx, formatter)


class ZhGroup(_Examples, click.Group):
    command_class = ZhCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._init_examples(kwargs)
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)
        self._localise_params()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.MissingParameter as error:
            raise click.UsageError(missing_message(error), ctx=error.ctx) from None

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.format_examples(formatter)
        super().format_epilog(ctx, formatter)


ZhGroup.group_class = ZhGroup
install()
