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
    left = {row[0]: row[-1] for row in listing[1:] if row and row[2] and row[-1] != "已计入"}
    assert set(left) == {"error.xlsx", "坏文件.xlsx"}
    assert left["error.xlsx"].startswith("校验有错误，未计入：表三!") \
        and left["error.xlsx"].endswith("。请改正后重新汇总")
    assert left["坏文件.xlsx"].startswith("未计入：无法读取（") and "坏文件.xlsx" in left["坏文件.xlsx"]


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


def _sources(target: Path) -> dict[str, tuple]:
    """汇总来源 by file name: (机关名称, 状态, 新收申请总计, 空白格, 说明)."""
    listing = list(openpyxl.load_workbook(target)[SOURCES_SHEET].iter_rows(values_only=True))
    return {row[0]: tuple(row[1:]) for row in listing[1:] if row and row[0] and row[2]}


def test_an_agency_found_in_two_workbooks_is_not_summed_at_all(
        tmp_path: Path, example_report: Report) -> None:
    """乙镇 sent a workbook with an error and then a corrected one: neither is summed (the
    total must not count 乙镇 twice, nor guess which one is right); both are named."""
    root = tmp_path / "收到的工作簿"
    root.mkdir()
    jia = _variant(example_report, "甲镇人民政府", t3__new__natural_person=3,
                   t3__disclosed__natural_person=3)
    write_workbook(root / "甲镇.xlsx", jia)
    write_workbook(root / "宝力根花.xlsx", example_report)
    write_workbook(root / "乙镇.xlsx", _variant(example_report, "乙镇人民政府",
                                               t3__carried_over__natural_person=1))  # T3-1
    # the corrected version, its 机关名称 typed with a space: still the same agency
    write_workbook(root / "乙镇-更正.xlsx", _variant(example_report, "乙镇 人民政府",
                                                   t3__new__commercial=2,
                                                   t3__disclosed__commercial=2))
    result, target = _run(root, tmp_path)
    assert result.exit_code == 1, result.output
    shown = "".join(result.output.split())  # the console wraps long lines
    assert "计入2个工作簿，未计入2个" in shown
    assert ("注意：同一机关“乙镇人民政府”有2份工作簿（乙镇-更正.xlsx、乙镇.xlsx），"
            "均未计入汇总工作簿。请只保留一份后重新汇总。") in shown

    wb = openpyxl.load_workbook(target)
    for f in FIELDS:
        if not f.is_total:
            sheet, cell = str(default_field_address(f)).split("!")
            assert wb[sheet][cell].value == example_report.numbers[f.id] + jia.numbers[f.id], f.id
    assert wb["表三"]["D4"].value == 4 + (4 + 3)  # 宝力根花 and 甲镇, not 乙镇 (either copy)

    sources = _sources(target)
    reason = "未计入：同一机关有 2 份工作簿（乙镇-更正.xlsx、乙镇.xlsx），请只保留一份后重新汇总"
    assert sources["乙镇.xlsx"] == ("乙镇人民政府", "有错误", None, None, reason)
    assert sources["乙镇-更正.xlsx"] == ("乙镇 人民政府", "有警告", None, None, reason)
    assert sources["甲镇.xlsx"][-1] == sources["宝力根花.xlsx"][-1] == "已计入"
    # each copy still gets its own report (the one that passed) and its summary row
    assert len(list((tmp_path / "out").glob("乙镇*.docx"))) == 1
    summary = list(openpyxl.load_workbook(tmp_path / "out" / "汇总-2025.xlsx").active
                   .iter_rows(values_only=True))
    assert {row[0] for row in summary[1:-1]} == {"甲镇.xlsx", "宝力根花.xlsx", "乙镇.xlsx",
                                                 "乙镇-更正.xlsx"}


def test_two_copies_of_one_workbook_sum_nothing_and_leave_the_tables_blank(
        tmp_path: Path, example_workbook: Path) -> None:
    """The tester's case: the example twice under two names.  表三!D4 was 8 (4 counted
    twice); now no workbook is summed, and the sum of none is blank, not 0."""
    root = tmp_path / "dup"
    root.mkdir()
    for name in ("a.xlsx", "b.xlsx"):
        (root / name).write_bytes(example_workbook.read_bytes())
    result, target = _run(root, tmp_path)
    assert result.exit_code == 1, result.output
    shown = "".join(result.output.split())  # the console wraps long lines
    assert "计入0个工作簿，未计入2个" in shown
    assert "有2份工作簿（a.xlsx、b.xlsx），均未计入汇总工作簿" in shown
    wb = openpyxl.load_workbook(target)
    for f in FIELDS:
        if not f.is_total:
            sheet, cell = str(default_field_address(f)).split("!")
            assert wb[sheet][cell].value is None, f.id
    reason = "未计入：同一机关有 2 份工作簿（a.xlsx、b.xlsx），请只保留一份后重新汇总"
    sources = _sources(target)
    assert set(sources) == {"a.xlsx", "b.xlsx"}
    assert all(row[-1] == reason and row[2] is None for row in sources.values())
    note = list(wb[SOURCES_SHEET].iter_rows(values_only=True))[-1][0]
    assert note.startswith("共计入 0 个工作簿") and "表二至表四留空" in note
    # both reports are still built, under distinct names
    assert len(list((tmp_path / "out").glob("*.docx"))) == 2


def test_an_agency_whose_numbers_failed_the_checks_is_not_summed(
        tmp_path: Path, example_report: Report) -> None:
    """表四!B4 = 「两件」 (V-3, the model holds 0 there): that agency's numbers are not added
    into the county's total at all, and 汇总来源 says why and what to do."""
    root = tmp_path / "收到的工作簿"
    root.mkdir()
    jia = _variant(example_report, "甲镇人民政府", t4__cases__review_upheld=1)
    write_workbook(root / "甲镇.xlsx", jia)
    write_workbook(root / "乙镇.xlsx", _variant(example_report, "乙镇人民政府",
                                               t4__cases__review_upheld=2))
    wb = openpyxl.load_workbook(root / "乙镇.xlsx")
    wb["表四"]["B4"] = "两件"
    wb.save(root / "乙镇.xlsx")
    result, target = _run(root, tmp_path)
    assert result.exit_code == 1, result.output

    wb = openpyxl.load_workbook(target)
    for f in FIELDS:
        if not f.is_total:
            sheet, cell = str(default_field_address(f)).split("!")
            assert wb[sheet][cell].value == jia.numbers[f.id], f.id
    sources = _sources(target)
    assert sources["甲镇.xlsx"][-1] == "已计入"
    assert sources["乙镇.xlsx"] == (
        "乙镇人民政府", "有错误", None, None,
        "校验有错误，未计入：表四!B4 填写的是文字“两件”，此处只能填数字，请改为数字（没有请填 0）"
        "。请改正后重新汇总")
