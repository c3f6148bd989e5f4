"""``nianbao check`` and ``nianbao rules`` from the command line: output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from generator.checks.checker import RULES
from generator.cli import main


def broken_copy(example: Path, tmp_path: Path) -> Path:
    """The example with 表三!D6 = 3 (an error) and a blank 表二!B7 (a notice)."""
    wb = openpyxl.load_workbook(example)
    wb["表三"]["D6"] = 3
    wb["表二"]["B7"] = None
    target = tmp_path / "broken.xlsx"
    wb.save(target)
    return target


def run(*args: str) -> "object":
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_clean_workbook_exits_0(example_workbook: Path) -> None:
    result = run("check", str(example_workbook))
    assert result.exit_code == 0
    assert "未发现问题" in result.output


def test_errors_exit_1_and_are_grouped_by_sheet(example_workbook: Path, tmp_path: Path) -> None:
    result = run("check", str(broken_copy(example_workbook, tmp_path)))
    assert result.exit_code == 1
    out = result.output
    assert "【表二】" in out and "【表三】" in out
    assert out.index("【表三】") < out.index("【表二】")  # errors first, then notices
    assert "T3-1" in out and "V-2" in out
    # 表三!D6 wrong: one T3-1 error (the 总计 column's would only repeat it)
    assert out.rstrip().splitlines()[-1] == "共 1 个错误、1 个警告、1 条提示"


def test_warnings_only_exit_0(example_workbook: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(example_workbook)
    wb["基本信息"]["B14"] = "张喆"
    path = tmp_path / "warn.xlsx"
    wb.save(path)
    result = run("check", str(path))
    assert result.exit_code == 0
    assert "共 0 个错误、1 个警告、0 条提示" in result.output


def test_unreadable_exits_2(tmp_path: Path) -> None:
    missing = run("check", str(tmp_path / "nope.xlsx"))
    assert missing.exit_code == 2
    assert "找不到该文件" in missing.output
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK\x03\x04 not really")
    assert run("check", str(garbage)).exit_code == 2


def test_json_output(example_workbook: Path, tmp_path: Path) -> None:
    path = broken_copy(example_workbook, tmp_path)
    result = run("check", str(path), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["format"] == 1 and data["file"] == str(path) and data["previous"] is None
    assert data["summary"] == {"errors": 1, "warnings": 1, "notices": 1,
                               "text": "共 1 个错误、1 个警告、1 条提示"}
    first = data["findings"][0]
    assert set(first) == {"severity", "severity_label", "rule", "message", "cells", "expected",
                          "found", "hint"}
    assert (first["severity"], first["severity_label"], first["rule"]) == ("error", "错误", "T3-1")
    assert first["cells"][0] == "表三!D4"
    assert "表三!D6" in first["cells"] and not any(c.startswith("表三!J") for c in first["cells"])
    assert [f["severity"] for f in data["findings"]] == ["error", "warning", "notice"]


def test_json_clean(example_workbook: Path) -> None:
    result = run("check", str(example_workbook), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["findings"] == []


def test_previous_option(example_workbook: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(example_workbook)
    wb["表三"]["D28"] = 1
    last = tmp_path / "last.xlsx"
    wb.save(last)
    result = run("check", str(example_workbook), "--previous", str(last), "--format", "json")
    data = json.loads(result.output)
    assert [f["rule"] for f in data["findings"]] == ["Y-1", "Y-1"]
    assert data["previous"] == str(last)


def test_python_m_generator_exit_codes(example_workbook: Path, tmp_path: Path) -> None:
    ok = subprocess.run([sys.executable, "-m", "generator", "check", str(example_workbook)],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([sys.executable, "-m", "generator", "check",
                          str(broken_copy(example_workbook, tmp_path))], capture_output=True,
                         text=True)
    assert bad.returncode == 1
    assert "很可能是" not in bad.stdout  # formula totals: T3-1 cannot single out D6
    assert "表三!D6:D26" in bad.stdout
    gone = subprocess.run([sys.executable, "-m", "generator", "check", str(tmp_path / "x.xlsx")],
                          capture_output=True, text=True)
    assert gone.returncode == 2 and "Traceback" not in gone.stderr


def test_rules_command_lists_every_rule() -> None:
    text = run("rules")
    assert text.exit_code == 0
    for rule in RULES:
        assert rule.id in text.output
    data = json.loads(run("rules", "--format", "json").output)
    assert [r["id"] for r in data] == [r.id for r in RULES]
    assert data[0]["severity_label"] == "错误"
    markdown = run("rules", "--format", "markdown").output
    assert markdown.startswith("| 编号 | 级别 | 规则 | 说明 |")
