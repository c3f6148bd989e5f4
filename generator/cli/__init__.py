"""The ``nianbao`` command line: a click group whose sub-commands load only when used.

Each sub-command lives in its own module under ``generator.cli`` and exposes ``command``;
adding one is adding a module and a line to :data:`COMMANDS`.  Every error the user can act
on is a :class:`~generator.errors.NianbaoError` and is printed in Chinese without a
traceback; ``--debug`` shows the traceback too.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback

import click

from ..errors import EXIT_BAD_INPUT, NianbaoError

#: sub-command name -> (module under generator.cli, one-line help shown by --help)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "生成空白填报工作簿（或由上年工作簿生成本年工作簿）"),
    "check": ("check", "读取并校验填报工作簿"),
    "build": ("build", "由工作簿生成年度报告（.docx，可选 PDF/HTML）"),
    "batch": ("batch", "批量校验并生成一个文件夹中的全部工作簿"),
    "rules": ("rules", "列出全部校验规则"),
    "fonts": ("fonts", "显示 PDF 各字体角色选用的字体文件"),
    "template": ("template", "检查或重新生成 .docx 模板"),
    "import": ("import_", "把已发布的年报（.docx/.html/文本）导入为工作簿"),
    "diff": ("diff", "比较上年与本年工作簿的数字变化"),
}


class LazyGroup(click.Group):
    """A group that imports a sub-command's module only when that sub-command runs."""

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
            from ..safeio import environment_message

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


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="出错时显示完整的技术信息（traceback）。")
@click.version_option(package_name="nianbao", message="nianbao %(version)s")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """nianbao（年报）：由 Excel 工作簿生成政府信息公开工作年度报告。"""
    from .output import safe_console_streams

    safe_console_streams()  # a GBK console must not fail on an emoji from a workbook
    ctx.obj = {"debug": debug}
