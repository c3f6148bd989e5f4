"""A clerk without help: the greeting, dropping a workbook on nianbao, Chinese help and usage
errors, option names, findings at 80 columns, the font notice, and 发布日期 in drafts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner

from generator.app import check as check_workbook
from generator.cli import COMMANDS, GREETING, main
from generator.cli.output import (
    FONT_NOTICE,
    findings_json,
    print_findings,
    split_font_notice,
)
from generator.cli.zh import cell_len, wrap
from generator.findings import Finding, Severity
from generator.outputs.workbook import meta_address

REPO = Path(__file__).resolve().parent.parent
STEM = "扎赉特旗宝力根花苏木人民政府2025年政府信息公开工作年度报告"
ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "Error:", "No such",
           "is not readable", "is a file", "Missing argument", "Try '", "Invalid value")


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None):  # noqa: ANN201, A002
    return CliRunner().invoke(main, list(args), env={"NIANBAO_PAUSE": "0", **(env or {})},
                              input=input, prog_name="nianbao")


def _copy(example: Path, folder: Path, name: str = "填报表.xlsx") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    shutil.copyfile(example, target)
    return target


def _all_commands() -> list[tuple[str, ...]]:
    names: list[tuple[str, ...]] = [()]
    for name in COMMANDS:
        names.append((name,))
        command = main.get_command(click.Context(main), name)
        if isinstance(command, click.Group):
            names.extend((name, sub) for sub in command.commands)
    return names


# ---------------------------------------------------------------------------
# Starting it


def test_nianbao_alone_greets_with_three_commands_and_exits_0() -> None:
    result = subprocess.run([sys.executable, "-m", "generator"], cwd=REPO, capture_output=True,
                            text=True, timeout=60, env={**os.environ, "NIANBAO_PAUSE": "0"})
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("nianbao（年报）：")
    for example in ("nianbao init --agency", "nianbao check 填报表.xlsx",
                    "nianbao build 填报表.xlsx --pdf"):
        assert example in text
    assert "拖到 nianbao" in text and "按回车键" not in text
    assert not any(word in text + result.stderr for word in ENGLISH)
    assert all(cell_len(line) <= 80 for line in text.splitlines())  # a classic console


def test_greeting_waits_for_enter_when_started_from_a_file_manager() -> None:
    result = run(env={"NIANBAO_PAUSE": "1"}, input="\n")
    assert result.exit_code == 0
    assert result.output.startswith(GREETING) and "按回车键关闭本窗口" in result.output


def test_a_workbook_alone_is_checked_and_built_next_to_it(example_workbook: Path,
                                                          tmp_path: Path) -> None:
    workbook = _copy(example_workbook, tmp_path / "我的文件")
    result = run(str(workbook), env={"NIANBAO_PAUSE": "1"}, input="\n", )
    assert result.exit_code == 0, result.output
    assert (workbook.parent / f"{STEM}.docx").exists()
    assert (workbook.parent / f"{STEM}.pdf").exists()
    assert "校验：填报表.xlsx 未发现问题" in result.output
    assert result.output.rstrip().endswith("按回车键关闭本窗口……")  # the window stays open


def test_a_dropped_workbook_with_errors_keeps_the_window_open(example_workbook: Path,
                                                              tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(example_workbook)
    wb["表三"]["E10"] = "abc"
    workbook = tmp_path / "有错.xlsx"
    wb.save(workbook)
    result = run(str(workbook), env={"NIANBAO_PAUSE": "1"}, input="\n")
    assert result.exit_code == 1
    assert "表三!E10" in result.output and "按回车键关闭本窗口" in result.output
    assert not list(tmp_path.glob("*.docx"))


def test_build_writes_next_to_the_workbook_unless_o(example_workbook: Path,
                                                    tmp_path: Path) -> None:
    workbook = _copy(example_workbook, tmp_path / "a")
    assert run("build", str(workbook)).exit_code == 0
    assert (tmp_path / "a" / f"{STEM}.docx").exists()
    out = tmp_path / "生成结果"
    assert run("build", str(workbook), "-o", str(out)).exit_code == 0
    assert (out / f"{STEM}.docx").exists()
    old = tmp_path / "旧写法"
    assert run("build", str(workbook), "--out", str(old)).exit_code == 0  # still accepted
    assert (old / f"{STEM}.docx").exists()


# ---------------------------------------------------------------------------
# Help and usage errors


@pytest.mark.parametrize("command", _all_commands(), ids=lambda c: " ".join(c) or "nianbao")
def test_every_help_is_chinese_with_an_example(command: tuple[str, ...]) -> None:
    result = run(*command, "--help", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("用法：nianbao")
    assert "选项：" in text and "显示本说明后退出。" in text and "示例：" in text
    examples = text.split("示例：", 1)[1]
    assert re.search(r"^ {4}nianbao ", examples, re.M), examples
    assert not any(word in text for word in ENGLISH), text
    assert "--out " not in text  # the old spelling works but is not offered
    for line in text.splitlines():
        # at 80 columns only a piece that cannot be broken (a long path) may overflow
        if cell_len(line) > 80:
            assert " " not in line.strip().split(" ")[-1], line


def test_options_are_named_alike_across_commands() -> None:
    for command in ("build", "batch", "import", "init", "template build"):
        text = run(*command.split(), "--help").output
        assert "-o, --output" in text, command


def test_long_paths_in_help_stay_whole() -> None:
    for command in ("build", "batch", "fonts"):
        text = run(command, "--help", env={"COLUMNS": "80"}).output
        assert "C:/Windows/Fonts/simfang.ttf" in text, command
        assert "仿宋=C:/Windows/Fonts/simfang.ttf" in text


@pytest.mark.parametrize(("args", "expected"), [
    (("build", "--pfd", "x.xlsx"), "没有选项“--pfd”。 您是不是要用 '--pdf'？"),
    (("chek",), "没有命令“chek”"),
    (("check",), "缺少参数 “工作簿.xlsx”。"),
    (("check", "x.xlsx", "--format", "xml"), "“--format” 的值不对"),
    (("batch", "d", "--jobs", "0"), "“--jobs”、“-j” 的值不对：0 超出范围"),
])
def test_usage_errors_are_chinese(args: tuple[str, ...], expected: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert expected in result.output, result.output
    assert "用法：nianbao" in result.output and "查看说明和示例" in result.output
    assert not any(word in result.output for word in ENGLISH), result.output


def test_output_folder_naming_a_file_is_said_in_chinese(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    result = run("batch", str(tmp_path), "-o", str(afile))
    assert result.exit_code == 2
    assert f"“{afile}”是一个文件，这里需要文件夹。" in result.output
    assert "“--out”" not in result.output and not any(w in result.output for w in ENGLISH)


def test_unreadable_file_is_said_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = tmp_path / "模板.docx"
    template.write_bytes(b"x")
    # the tests may run as root, who can read anything: let the permission check say no
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, *a, **k:
                        False if Path(path) == template else real_access(path, mode, *a, **k))
    result = CliRunner().invoke(main, ["template", "check", str(template)], prog_name="nianbao")
    assert result.exit_code == 2
    assert f"文件“{template}”无法读取（没有读取权限）" in result.output, result.output
    assert not any(word in result.output for word in ENGLISH)


# ---------------------------------------------------------------------------
# Findings at the console's width


@pytest.fixture()
def broken(example_workbook: Path, tmp_path: Path) -> Path:
    wb = openpyxl.load_workbook(example_workbook)
    wb["表三"]["D6"] = wb["表三"]["D6"].value + 1  # T3-1 in two columns, a N-1 warning
    wb["表三"]["E10"] = "abc"
    target = tmp_path / "broken.xlsx"
    wb.save(target)
    return target


def test_80_columns_one_block_per_finding_addresses_whole(broken: Path) -> None:
    result = run("check", str(broken), env={"COLUMNS": "80"})
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert not any("┃" in line or "│" in line for line in lines)  # no table
    findings = check_workbook(broken).findings
    heads = [line for line in lines if re.match(r"^(错误|警告|提示) ", line)]
    assert len(heads) == len(findings)
    for finding, head in zip(findings, heads):
        assert head.startswith(f"{finding.severity.value} {finding.rule} ")
    for line in lines:
        assert cell_len(line) <= 80, line
    # every address in every message is on one line, never cut in two
    text = "\n".join(lines)
    for finding in findings:
        for address in re.findall(r"表[二三四]![A-Z]+\d+(?::[A-Z]+\d+)?",
                                   finding.message + finding.hint):
            assert address in text, address
    assert "  问题：" in text and "  怎么改：" in text


def test_wide_console_keeps_the_table_and_json_is_unchanged(broken: Path) -> None:
    wide = run("check", str(broken), env={"COLUMNS": "160"})
    assert "┃ 级别" in wide.output
    narrow = run("check", str(broken), "--format", "json", env={"COLUMNS": "80"})
    expected = findings_json(list(check_workbook(broken).findings), file=str(broken))
    assert json.loads(narrow.output) == expected


def test_cells_column_breaks_between_addresses() -> None:
    from rich.console import Console

    cells = tuple(f"表三!D{row}" for row in (4, 5, 27, 28))
    finding = Finding(Severity.ERROR, "T3-1", "表三自然人列：两者应相等", cells, hint="请核对")
    console = Console(width=80, record=True, color_system=None)
    print_findings([finding], console=console)
    assert "表三!D4、D5、D27、D28" in console.export_text()
    lines = wrap("表三!D4、D5、D27、D28、表三!J4、J5", 12)
    assert all(piece in lines for piece in ("表三!D4、", "D5、D27、"))


# ---------------------------------------------------------------------------
# The stand-in font notice


def test_stand_in_font_notice_is_one_line() -> None:
    notice = Finding(Severity.NOTICE, "PDF-FONT", "PDF 使用了替代字体，正式印发前请安装官方字体：…")
    other = Finding(Severity.WARNING, "F-2", "缺字")
    assert split_font_notice([notice, other, notice]) == ([other], FONT_NOTICE)
    assert split_font_notice([other]) == ([other], None)
    no_font = Finding(Severity.WARNING, "PDF-FONT", "本机没有「仿宋」字体，也没有可代替的中文字体")
    assert split_font_notice([notice, no_font]) == ([no_font], FONT_NOTICE)
    assert "\n" not in FONT_NOTICE and cell_len(FONT_NOTICE) <= 100


def test_build_prints_the_font_notice_at_most_once(example_workbook: Path,
                                                   tmp_path: Path) -> None:
    result = run("build", str(example_workbook), "-o", str(tmp_path), "--pdf", "--html")
    assert result.exit_code == 0, result.output
    assert "PDF-FONT" not in result.output and "生成时发现" not in result.output
    assert result.output.count("替代字体") <= 1


# ---------------------------------------------------------------------------
# 发布日期 while drafting (S-3)


@pytest.fixture()
def undated(example_workbook: Path, tmp_path: Path) -> Path:
    wb = openpyxl.load_workbook(example_workbook)
    sheet, cell = str(meta_address("publish_date")).split("!")
    wb[sheet][cell] = None
    target = tmp_path / "undated.xlsx"
    wb.save(target)
    return target


def test_missing_publish_date_is_a_warning_in_check(undated: Path) -> None:
    result = run("check", str(undated))
    assert result.exit_code == 0, result.output
    assert "发布日期”没有填写，生成正式文件前须填写" in result.output
    finding = next(f for f in check_workbook(undated).findings if f.rule == "S-3")
    assert finding.severity is Severity.WARNING


def test_missing_publish_date_stops_build_unless_draft(undated: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", str(undated), "-o", str(out))
    assert result.exit_code == 1 and not out.exists()
    assert "发布日期" in result.output
    draft = run("build", str(undated), "-o", str(out), "--draft")
    assert draft.exit_code == 1 and (out / f"草稿-{STEM}.docx").exists()
    assert "草稿" in draft.output


def test_missing_publish_date_is_an_error_in_batch(undated: Path, tmp_path: Path) -> None:
    from generator.batch import Status, process_workbook
    from generator.outputs import RenderOptions

    item = process_workbook(undated, tmp_path, ("docx",), RenderOptions())
    assert item.status is Status.ERRORS and "发布日期" in item.first_error and not item.pending


def test_init_and_template_build_take_o(tmp_path: Path) -> None:
    target = tmp_path / "空白.xlsx"
    assert run("init", "-o", str(target), "--year", "2025").exit_code == 0
    assert openpyxl.load_workbook(target)["基本信息"]
    template = tmp_path / "t.docx"
    assert run("template", "build", "-o", str(template)).exit_code == 0 and template.exists()
    both = run("init", str(tmp_path / "a.xlsx"), "-o", str(tmp_path / "b.xlsx"))
    assert both.exit_code == 2 and "只需给一次" in both.output



def test_a_dropped_file_that_is_no_workbook_is_explained(tmp_path: Path) -> None:
    dropped = tmp_path / "旧表格.xls"
    dropped.write_text("不是工作簿", encoding="utf-8")
    result = run(str(dropped), env={"NIANBAO_PAUSE": "1"}, input="\n")
    assert result.exit_code == 2
    assert "另存为 .xlsx" in result.output and "没有命令" not in result.output
    assert "按回车键关闭本窗口" in result.output


@pytest.mark.parametrize(("processes", "expected"), [(2, True), (3, False), (0, False)])
def test_file_manager_start_is_told_from_the_console_process_count(
        monkeypatch: pytest.MonkeyPatch, processes: int, expected: bool) -> None:
    """On Windows a console holding only the launcher and Python was opened for nianbao
    (double-click or drag-and-drop); one the clerk typed in holds the shell too."""
    import ctypes

    from generator.cli import started_from_file_manager

    class Kernel32:
        @staticmethod
        def GetConsoleProcessList(buffer, size: int) -> int:  # noqa: ANN001, N802
            return processes

    class WinDLL:
        kernel32 = Kernel32()

    monkeypatch.delenv("NIANBAO_PAUSE", raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "windll", WinDLL(), raising=False)
    monkeypatch.setattr(sys, "stdin", type("Tty", (), {"isatty": staticmethod(lambda: True)})())
    assert started_from_file_manager() is expected
    monkeypatch.setenv("NIANBAO_PAUSE", "0")
    assert started_from_file_manager() is False
