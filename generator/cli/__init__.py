"""The ``nianbao`` command line: a click group whose sub-commands load only when used.

Each sub-command lives in its own module under ``generator.cli`` and exposes ``command``;
adding one is adding a module and a line to :data:`COMMANDS`.  Every error the user can act
on is a :class:`~generator.errors.NianbaoError` and is printed in Chinese without a
traceback; ``--debug`` shows the traceback too.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
from pathlib import Path

import click

from generator.cli.zh import ZhGroup
from generator.errors import EXIT_BAD_INPUT, EXIT_OK, NianbaoError

#: sub-command name -> (module under generator.cli, one-line help shown by --help)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "生成空白填报工作簿（或由上年工作簿生成本年工作簿）"),
    "check": ("check", "读取并校验填报工作簿"),
    "build": ("build", "由工作簿生成年度报告（.docx，可选 PDF/HTML）"),
    "batch": ("batch", "批量校验并生成一个文件夹中的全部工作簿"),
    "rules": ("rules", "列出全部校验规则"),
    "fonts": ("fonts", "显示 PDF 各字体角色选用的字体文件"),
    "template": ("template", "检查或重新生成 .docx 模板"),
    "import": ("import_", "把已发布的年报（.docx/.pdf/.html/文本）导入为工作簿"),
    "diff": ("diff", "比较上年与本年工作簿的数字变化"),
    "serve": ("serve", "启动本机网页：在浏览器中检查并生成年度报告"),
    "portal": ("portal", "县级填报门户：各机关在线报送，县政务公开办审核"),
}


#: a first argument with one of these endings is a workbook to build (dragged onto nianbao)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

GREETING = """\
nianbao（年报）：由填好的 Excel 填报工作簿生成政府信息公开工作年度报告
（Word 文件 .docx 和 PDF）。

填报人员常用的三个命令（在命令提示符或终端中输入）：

  1. 生成空白填报工作簿，再用 Excel 或 WPS 填写其中浅黄色的格子：
       nianbao init --agency 某某镇人民政府 --year 2025

  2. 检查填好的工作簿，按提示逐格修改：
       nianbao check 填报表.xlsx

  3. 生成年度报告（.docx 和 PDF，放在工作簿所在的文件夹）：
       nianbao build 填报表.xlsx --pdf

也可以把填好的工作簿直接拖到 nianbao 图标上：先检查，没有错误就在
工作簿旁边生成 .docx 和 PDF。
全部命令：nianbao --help    某个命令的说明和示例：nianbao check --help"""


def started_from_file_manager() -> bool:
    """True when the console window closes as soon as nianbao ends (double-click, drag-and-drop).

    On Windows a console opened for the program alone holds only the launcher and Python
    (a terminal the clerk typed in holds its shell too).  ``NIANBAO_PAUSE=1``/``0`` decides
    explicitly (for shortcuts and tests).
    """
    forced = os.environ.get("NIANBAO_PAUSE")
    if forced in ("0", "1"):
        return forced == "1"
    if sys.platform != "win32" or not sys.stdin or not sys.stdin.isatty():
        return False
    try:
        import ctypes

        processes = (ctypes.c_uint32 * 8)()
        count = ctypes.windll.kernel32.GetConsoleProcessList(processes, 8)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return False
    return 0 < count <= 2


def pause_if_file_manager() -> None:
    """Keep the window open until Enter, so a double-clicked nianbao can be read."""
    if started_from_file_manager():
        try:
            input("\n按回车键关闭本窗口……")
        except (EOFError, KeyboardInterrupt):
            pass


class LazyGroup(ZhGroup):
    """A group that imports a sub-command's module only when that sub-command runs.

    A workbook path in place of a command is built (``nianbao 填报表.xlsx`` is
    ``nianbao build 填报表.xlsx --pdf``), which is what dropping a file onto the program does.
    """

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        # any existing file too: the reader says in Chinese what a dropped .xls or .docx is
        if name not in COMMANDS and (Path(name).suffix.lower() in WORKBOOK_SUFFIXES
                                     or os.path.isfile(name)):
            ctx.meta["nianbao.dropped"] = True
            rest = args[1:] or ["--pdf"]
            return "build", self.get_command(ctx, "build"), [name, *rest]
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self.get_command(ctx, name) is not None]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        # A registered command whose module is not written yet is simply not offered.
        if importlib.util.find_spec(f"{__name__}.{COMMANDS[name][0]}") is None:
            return None
        module = importlib.import_module(f"{__name__}.{COMMANDS[name][0]}")
        return module.command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return self._invoke(ctx)
        finally:
            if ctx.meta.get("nianbao.dropped") or ctx.meta.get("nianbao.greeted"):
                pause_if_file_manager()

    def _invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except NianbaoError as error:
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            click.secho(f"错误：{error}", fg="red", err=True)
            sys.exit(error.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("已中断。", err=True)
            sys.exit(130)
        except OSError as error:  # a full disk or read-only folder met outside safeio
            from generator.safeio import environment_message

            message = environment_message(error, error.filename or "输出文件夹")
            if message is None:
                self._internal_error(ctx, error)
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            click.secho(f"错误：{message}", fg="red", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except Exception as error:  # noqa: BLE001 - last line of defence: never a bare traceback
            self._internal_error(ctx, error)

    @staticmethod
    def _internal_error(ctx: click.Context, error: Exception) -> None:
        if ctx.obj and ctx.obj.get("debug"):
            traceback.print_exc()
        click.secho(
            f"内部错误：{type(error).__name__}：{error}\n"
            "这是 nianbao 的问题，不是您的操作错误。请加 --debug 重新运行，并把输出发给技术支持。",
            fg="red", err=True)
        sys.exit(EXIT_BAD_INPUT)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             invoke_without_command=True, no_args_is_help=False,
             examples=(("nianbao init --agency 某某镇人民政府 --year 2025", "生成空白填报工作簿："),
                       ("nianbao check 填报表.xlsx", "检查填好的工作簿："),
                       ("nianbao build 填报表.xlsx --pdf", "在工作簿旁边生成 .docx 和 PDF："),
                       ("nianbao 填报表.xlsx", "只给一个工作簿（或把它拖到 nianbao 上）：检查后生成 "
                                            ".docx 和 PDF")))
@click.option("--debug", is_flag=True, help="出错时显示完整的技术信息（traceback）。")
@click.version_option(package_name="nianbao", message="nianbao %(version)s")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """nianbao（年报）：由 Excel 工作簿生成政府信息公开工作年度报告。

    不带任何参数运行时显示简短的使用说明。
    """
    from generator.cli.output import safe_console_streams

    safe_console_streams()  # a GBK console must not fail on an emoji from a workbook
    ctx.obj = {"debug": debug}
    if ctx.invoked_subcommand is None:
        click.echo(GREETING)
        ctx.meta["nianbao.greeted"] = True
        ctx.exit(EXIT_OK)
