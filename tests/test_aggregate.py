"""``nianbao batch --aggregate``: a county workbook summed from the agencies that passed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from generator.aggregate import SOURCES_SHEET
from generator.app import check as check_workbook
from generator.cli import main
from generator.form import FIELD_BY_ID, FIELDS, META_FIELDS, TEXT_SLOTS
from generator.inputs.workbook.reader import read_workbook
from generator.outputs.workbook import meta_address, text_address, write_workbook
from generator.report.layout import default_field_address
from generator.report.model import Numbers, Report

#: rules about what the county itself writes (基本信息, 正文), not about the summed numbers
COUNTY_FILLS_IN = {"S-1", "S-2", "S-3"}


def _variant(report: Report, agency: str, **changes: int) -> Report:
    values = dict(report.numbers.values)
    for key, delta in changes.items():
        field_id = key.replace("__", ".")
        values[field_id] = report.numbers[field_id] + delta
    meta = replace(report.meta, agency=agency, signatory="")
    return replace(report, meta=meta, numbers=Numbers(values).with_totals())


@pytest.fixture()
def county(tmp_path: Path, example_report: Report) -> tuple[Path, list[Report]]:
    root = tmp_path / "收到的工作簿"
    root.mkdir()
    good = [
        example_report,
        # new 自然人 request disclosed: the identities still hold
        _variant(example_report, "甲镇人民政府", t3__new__natural_person=3,
                 t3__disclosed__natural_person=3, t2__normative_documents__issued=2,
                 t2__normative_documents__in_force=5, t4__cases__review_upheld=1),
        _variant(example_report, "乙镇人民政府", t3__new__commercial=2,
                 t3__disclosed__commercial=2, t2__normative_documents__in_force=7),
    ]
    for index, report in enumerate(good):
        write_workbook(root / f"{index}.xlsx", report)
    # an error (T3-1) and an unreadable file: neither is summed
    write_workbook(root / "error.xlsx", _variant(example_report, "丙镇人民政府",
                                                 t3__carried_over__natural_person=1))
    (root / "坏文件.xlsx").write_text("不是工作簿", encoding="utf-8")
    return root, good


def _run(county: Path, tmp_path: Path, *extra: str):  # noqa: ANN202
    target = tmp_path / "县" / "全县汇总.xlsx"
    result = CliRunner().invoke(main, ["batch", str(county), "-o", str(tmp_path / "out"),
                                       "--jobs", "1", "--aggregate", str(target), *extra])
    return result, target


def test_aggregate_sums_the_tables_of_the_workbooks_that_passed(
        county: tuple[Path, list[Report]], tmp_path: Path) -> None:
    root, good = county
    result, target = _run(root, tmp_path)
    assert result.exit_code == 1, result.output  # the batch had an error and an unreadable file
    assert "汇总工作簿" in result.output and "计入 3 个工作簿" in result.output

    wb = openpyxl.load_workbook(target)
    for f in FIELDS:
        if f.is_total:
            continue
        sheet, cell = str(default_field_address(f)).split("!")
        expected = sum(r.numbers[f.id] for r in good)
        assert wb[sheet][cell].value == expected, f.id
    # 表二 现行有效件数 is summed like every other number
    sheet, cell = str(default_field_address(FIELD_BY_ID["t2.normative_documents.in_force"])).split("!")
    assert wb[sheet][cell].value == 3 * good[0].numbers["t2.normative_documents.in_force"] + 12

    # read back as an input workbook: the totals are the sums of the totals
    report = read_workbook(target).report
    for total in ("t3.new.total", "t3.disclosed.total", "t4.cases.review_total"):
        assert report.numbers[total] == sum(r.numbers[total] for r in good), total

    # 基本信息 is the county's: only 报告年度 written
    for m in META_FIELDS:
        sheet, cell = str(meta_address(m.key)).split("!")
        value = wb[sheet][cell].value
        assert value == (2025 if m.key == "year" else None), m.key

    listing = list(wb[SOURCES_SHEET].iter_rows(values_only=True))
    assert listing[0][:3] == ("文件", "机关名称", "状态")
    summed = {row[0]: row for row in listing[1:] if row and row[-1] == "已计入"}
    assert set(summed) == {"0.xlsx", "1.xlsx", "2.xlsx"}
    assert summed["1.xlsx"][1] == "甲镇人民政府"
    left = {row[0]: row[-1] for row in listing[1:] if row and str(row[-1]).startswith("未计入")}
    assert left == {"error.xlsx": "未计入：有错误", "坏文件.xlsx": "未计入：无法读取"}


def test_aggregate_checks_clean_once_the_county_fills_its_part(
        county: tuple[Path, list[Report]], tmp_path: Path, example_workbook: Path) -> None:
    root, _ = county
    _, target = _run(root, tmp_path)
    # as written, the only findings ask for 基本信息 and 正文: the numbers are consistent
    findings = check_workbook(target).findings
    assert findings and {f.rule for f in findings} <= COUNTY_FILLS_IN, findings

    wb = openpyxl.load_workbook(target)
    example = openpyxl.load_workbook(example_workbook)
    for m in META_FIELDS:
        sheet, cell = str(meta_address(m.key)).split("!")
        if m.key == "agency":
            wb[sheet][cell] = "扎赉特旗人民政府办公室"
        elif m.key != "year":
            wb[sheet][cell] = example[sheet][cell].value

    for slot in TEXT_SLOTS:
        sheet, cell = str(text_address(slot.key)).split("!")
        wb[sheet][cell] = example[sheet][cell].value
    filled = tmp_path / "县" / "填好的全县汇总.xlsx"
    wb.save(filled)
    result = check_workbook(filled)
    assert not result.errors, result.errors


def test_aggregate_never_overwrites_and_never_lands_in_the_source_folder(
        county: tuple[Path, list[Report]], tmp_path: Path) -> None:
    root, _ = county
    _, target = _run(root, tmp_path)
    before = target.read_bytes()
    again, _ = _run(root, tmp_path)
    assert again.exit_code == 2 and "文件已存在" in again.output
    assert target.read_bytes() == before
    forced, _ = _run(root, tmp_path, "--force")
    assert forced.exit_code == 1 and "汇总工作簿" in forced.output

    inside = CliRunner().invoke(main, ["batch", str(root), "-o", str(tmp_path / "out2"),
                                       "--aggregate", str(root / "全县.xlsx")])
    assert inside.exit_code == 2 and "不能放在要处理的文件夹" in inside.output
    assert not (tmp_path / "out2").exists() and not (root / "全县.xlsx").exists()
