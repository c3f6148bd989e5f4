"""``nianbao diff``: changed cells between two years, implausible changes flagged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.checks.yeardiff import diff_reports, implausible_change
from generator.cli import main
from generator.form import FIELDS
from generator.outputs.workbook import write_workbook
from generator.report.model import Meta, Numbers, Report


def with_numbers(report: Report, year: int, **changes: int) -> Report:
    values = dict(report.numbers.values)
    values.update({key.replace("__", "."): value for key, value in changes.items()})
    meta = Meta(**{**report.meta.__dict__, "year": year})
    return report.replace(meta=meta, numbers=Numbers(values).with_totals())


@pytest.fixture()
def two_years(example_report: Report) -> tuple[Report, Report]:
    last = with_numbers(example_report, 2025, t2__licensing__decisions=20,
                        t2__coercion__decisions=50, t2__normative_documents__in_force=12)
    this = with_numbers(example_report, 2026, t2__licensing__decisions=100,
                        t2__coercion__decisions=10, t2__normative_documents__in_force=30,
                        t2__penalty__decisions=50, t3__new__natural_person=6)
    return last, this


@pytest.mark.parametrize("last, this, flagged", [
    (20, 100, True), (50, 10, True), (10, 50, True), (12, 30, False), (0, 50, False),
    (4, 40, False), (9, 100, False), (100, 21, False), (0, 0, False),
])
def test_implausible_rule(last: int, this: int, flagged: bool) -> None:
    assert implausible_change(last, this) is flagged


def test_changed_cells_listed_in_form_order(two_years: tuple[Report, Report]) -> None:
    last, this = two_years
    listed = diff_reports(last, this)
    order = [f.id for f in FIELDS]
    assert [c.field_id for c in listed] == sorted((c.field_id for c in listed), key=order.index)
    changes = {c.field_id: c for c in listed}
    assert set(changes) == {
        "t2.licensing.decisions", "t2.coercion.decisions", "t2.normative_documents.in_force",
        "t2.penalty.decisions", "t3.new.natural_person", "t3.new.total"}
    assert changes["t2.licensing.decisions"].implausible
    assert changes["t2.coercion.decisions"].implausible
    assert not changes["t2.penalty.decisions"].implausible
    assert changes["t3.new.natural_person"].path == "表三 一、本年新收政府信息公开申请数量 / 自然人"
    assert changes["t3.new.natural_person"].address == "表三!D4"
    assert (changes["t3.new.natural_person"].last, changes["t3.new.natural_person"].this) == (4, 6)


def test_diff_command_on_two_workbooks(tmp_path: Path, two_years: tuple[Report, Report]) -> None:
    last, this = two_years
    last_path = write_workbook(tmp_path / "2025.xlsx", last)
    this_path = write_workbook(tmp_path / "2026.xlsx", this)
    result = CliRunner().invoke(main, ["diff", str(last_path), str(this_path)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()

    def row(path: str) -> str:
        found = [line for line in lines if path in line]
        assert len(found) == 1, (path, result.output)
        return re.sub(r"[│|]", " ", found[0])

    assert re.search(r"表三!D4\s+表三 一、本年新收政府信息公开申请数量 / 自然人\s+4\s+6\s",
                     row("一、本年新收政府信息公开申请数量 / 自然人"))
    licensing = row("表二 行政许可 / 本年处理决定数量")
    assert re.search(r"\s20\s+100\s", licensing) and "变化异常" in licensing and "5.0 倍" in licensing
    assert "变化异常" in row("表二 行政强制 / 本年处理决定数量")
    assert "变化异常" not in row("表二 行政处罚 / 本年处理决定数量")
    assert "变化异常" not in row("表二 行政规范性文件 / 现行有效件数")
    assert "共 6 格与上年不同，其中 2 格变化异常" in result.output
    assert "不是相邻两年" not in result.output


def test_diff_warns_about_non_adjacent_years(tmp_path: Path, example_report: Report) -> None:
    a = write_workbook(tmp_path / "a.xlsx", example_report)
    b = write_workbook(tmp_path / "b.xlsx", with_numbers(example_report, 2027))
    result = CliRunner().invoke(main, ["diff", str(a), str(b)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "不是相邻两年" in result.output and "完全相同" in result.output
