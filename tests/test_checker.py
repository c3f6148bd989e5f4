"""The checker over report models: identities, the single wrong cell, and each rule's message."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.checks.checker import (
    check_identities,
    check_report,
    infer_level,
    outside_gb2312,
    sort_findings,
)
from generator.findings import Severity
from generator.form import T3_COLUMNS, TABLE3, TABLE4
from generator.report.layout import CellAddress, field_address
from generator.report.model import Narrative, Numbers, Report, TextPart


def with_numbers(report: Report, **changes: int | Decimal) -> Report:
    """``report`` with some fields changed (keys use __ for dots: t3__new__total)."""
    values = dict(report.numbers.values)
    for key, value in changes.items():
        values[key.replace("__", ".")] = value
    return report.replace(numbers=Numbers(values))


def with_text(report: Report, **parts: tuple[str, ...]) -> Report:
    slots = dict(report.narrative.parts)
    for key, paragraphs in parts.items():
        slots[key.replace("__", ".")] = TextPart(paragraphs)
    return report.replace(narrative=Narrative(slots))


def rules_of(findings) -> list[str]:
    return [f.rule for f in findings]


def addr(field_id: str) -> str:
    return str(field_address(field_id))


# ---------------------------------------------------------------------------
# The bundled example


def test_example_is_clean(example_report: Report) -> None:
    assert check_report(example_report) == []


# ---------------------------------------------------------------------------
# Property tests over tables 3 and 4

T3_APPLICANTS = [key for key, _ in T3_COLUMNS[:-1]]
OUTCOME_ROWS = [f.row for f in TABLE3.fields
                if f.col == "natural_person" and not f.is_total
                and f.row not in ("new", "carried_over", "carried_forward")]
T34_INPUTS = [f.id for f in (*TABLE3.input_fields, *TABLE4.input_fields)]
small = st.integers(min_value=0, max_value=6)


@st.composite
def consistent_numbers(draw: st.DrawFn) -> Numbers:
    """Tables 3 and 4 satisfying every identity, totals included."""
    values: dict[str, int] = {}
    for col in T3_APPLICANTS:
        outcomes = 0
        for row in OUTCOME_ROWS:
            values[f"t3.{row}.{col}"] = v = draw(small)
            outcomes += v
        values[f"t3.carried_forward.{col}"] = forward = draw(small)
        values[f"t3.carried_over.{col}"] = over = draw(st.integers(0, outcomes + forward))
        values[f"t3.new.{col}"] = outcomes + forward - over
    for f in TABLE4.input_fields:
        values[f.id] = draw(small)
    return Numbers(values).with_totals()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(numbers=consistent_numbers())
def test_consistent_tables_pass(example_report: Report, numbers: Numbers) -> None:
    report = example_report.replace(numbers=numbers)
    assert check_identities(report) == []
    assert [f for f in check_report(report) if f.severity is Severity.ERROR] == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(numbers=consistent_numbers(), field_id=st.sampled_from(T34_INPUTS),
       new_value=st.integers(0, 9))
def test_single_changed_cell_is_named(example_report: Report, numbers: Numbers, field_id: str,
                                      new_value: int) -> None:
    if numbers[field_id] == new_value:
        new_value += 1
    values = dict(numbers.values)
    old_value = values[field_id]
    values[field_id] = new_value
    report = example_report.replace(numbers=Numbers(values))
    errors = [f for f in check_report(report) if f.severity is Severity.ERROR]
    cell = addr(field_id)
    assert any(cell in f.cells for f in errors), errors
    if field_id.startswith("t3."):
        # Table 3 pins the cell down: every error it breaks names it first, with the fix.
        hint = f"很可能是 {cell} 填错：应为 {old_value}，现为 {new_value}"
        assert all(f.cells[0] == cell and f.hint == hint for f in errors), errors


# ---------------------------------------------------------------------------
# Identities: exact messages


def test_t3_1_message(example_report: Report) -> None:
    # 一 of 自然人 says 5 but the outcomes add up to 4; totals recomputed as a formula would.
    report = with_numbers(example_report, t3__new__natural_person=5, t3__new__total=5)
    findings = check_report(report)
    # One wrong input, one error: the 总计 column's T3-1 only repeats 自然人's (its cells are
    # formulas).  The prose ("共4件") disagrees too: N-1 is a warning, after the error.
    assert rules_of(findings) == ["T3-1", "N-1"]
    first = findings[0]
    assert first.severity is Severity.ERROR
    # In the sheet's words: its row labels and its column label.
    assert first.message == ("表三“自然人”列：“一、本年新收”加“二、上年结转”为 5，"
                             "“（七）总计”加“四、结转下年度继续办理”为 4，两者应相等")
    # The column's input cells — the edited D4 among them — and not D27 (a formula).
    assert first.cells == ("表三!D4", "表三!D5", *(f"表三!D{r}" for r in range(6, 27)),
                           "表三!D28")
    assert first.hint == ("请核对“自然人”列各格：表三!D4、表三!D5、表三!D6:D26（各项办理结果）、"
                          "表三!D28（“（七）总计”是这些办理结果之和，会自动计算）")
    assert (first.expected, first.found) == ("5", "4")
    assert not any(c.startswith("表三!J") for f in findings for c in f.cells if f.rule == "T3-1")


def test_t3_2_and_t3_3_name_the_wrong_cell(example_report: Report) -> None:
    report = with_numbers(example_report, t3__disclosed__natural_person=3)
    findings = check_report(report)
    assert rules_of(findings) == ["T3-2", "T3-3"]
    t32, t33 = findings
    assert t32.message == "表三“自然人”列：（七）总计为 4，但（一）至（六）各项之和为 5"
    assert t33.message == "表三“（一）予以公开”行：总计为 2，但六类申请人之和为 3"
    for finding in findings:
        assert finding.cells[0] == "表三!D6"
        assert finding.hint == "很可能是 表三!D6 填错：应为 2，现为 3"
    assert t32.cells == ("表三!D6", "表三!D27")
    assert t33.cells == ("表三!D6", "表三!J6")


def test_wrong_total_is_named(example_report: Report) -> None:
    report = with_numbers(example_report, t3__new__total=7)
    findings = [f for f in check_report(report) if f.severity is Severity.ERROR]
    assert rules_of(findings) == ["T3-1", "T3-3"]  # both start at J4; then by rule id
    assert {f.hint for f in findings} == {"很可能是 表三!J4 填错：应为 4，现为 7"}
    assert {f.cells[0] for f in findings} == {"表三!J4"}


def test_t4_1_message(example_report: Report) -> None:
    report = with_numbers(example_report, t4__cases__direct_suit_pending=2)
    (finding,) = check_report(report)
    assert finding.rule == "T4-1"
    assert finding.message == ("表四行政诉讼（未经复议直接起诉）：总计为 0，但结果维持、结果纠正、其他结果、"
                               "尚未审结之和为 2")
    # Any of the five cells could be the typo: all are named, the total first.
    assert finding.cells == ("表四!J4", "表四!F4", "表四!G4", "表四!H4", "表四!I4")
    assert finding.hint == ("行政诉讼（未经复议直接起诉）：维持+纠正+其他+尚未审结=2，但总计=0，"
                            "请核对 表四!J4 或 表四!F4:I4")


def test_sources_move_addresses(example_report: Report) -> None:
    report = with_numbers(example_report, t3__disclosed__natural_person=3)
    moved = {fid: CellAddress("表三", field_address(fid).row + 2, field_address(fid).col)
             for fid in (f.id for f in TABLE3.fields)}
    findings = check_report(report, sources=moved)
    assert findings[0].cells[0] == "表三!D8"


# ---------------------------------------------------------------------------
# V-1


def test_v1_negative_count(example_report: Report) -> None:
    report = with_numbers(example_report, t2__licensing__decisions=-1)
    (finding,) = check_report(report)
    assert (finding.rule, finding.severity) == ("V-1", Severity.ERROR)
    assert finding.message == "表二“行政许可”行“本年处理决定数量”列应为不小于 0 的整数，现为 -1"
    assert finding.cells == ("表二!B7",)


def test_v1_fractional_count(example_report: Report) -> None:
    report = with_numbers(example_report, t2__penalty__decisions=Decimal("2.5"))
    (finding,) = check_report(report)
    assert finding.message == "表二“行政处罚”行“本年处理决定数量”列应为不小于 0 的整数，现为 2.5"


def test_v1_amount_places(example_report: Report) -> None:
    # Real published fees have five and six decimals (万元): they pass.
    for amount in ("0.0350", "19167.08326", "14515.939627", "24252.311082"):
        ok = with_numbers(example_report, t2__fees__amount=Decimal(amount))
        assert check_report(ok) == [], amount
    report = with_numbers(example_report, t2__fees__amount=Decimal("0.1234567"))
    (finding,) = check_report(report)
    assert finding.message == ("表二“行政事业性收费”行“本年收费金额（单位：万元）”列应为不小于 0、"
                               "最多 6 位小数的金额（万元），现为 0.1234567")


# ---------------------------------------------------------------------------
# Y-1, Y-2


def test_y1_carried_over_differs_from_last_year(example_report: Report) -> None:
    previous = with_numbers(example_report, t3__carried_forward__natural_person=1,
                            t3__carried_forward__total=1)
    findings = check_report(example_report, previous=previous)
    assert rules_of(findings) == ["Y-1", "Y-1"]
    assert findings[0].severity is Severity.WARNING
    assert findings[0].message == ("表三“自然人”列：本年“二、上年结转”为 0，上年报告“四、结转下年度继续办理”"
                                   "为 1")
    assert findings[0].cells == ("表三!D5",)
    assert check_report(example_report, previous=example_report) == []


def test_y2_in_force(example_report: Report) -> None:
    previous = with_numbers(example_report, t2__normative_documents__in_force=5)
    report = with_numbers(example_report, t2__normative_documents__issued=2,
                          t2__normative_documents__in_force=6)
    (finding,) = check_report(report, previous=previous)
    assert (finding.rule, finding.severity) == ("Y-2", Severity.NOTICE)
    assert finding.message == ("表二“行政规范性文件”：现行有效件数为 6，而上年现行有效 5 + 本年制发 2 − "
                               "本年废止 0 = 7")
    assert finding.cells[0] == "表二!D4"
    fine = with_numbers(report, t2__normative_documents__in_force=7)
    assert check_report(fine, previous=previous) == []


# ---------------------------------------------------------------------------
# D-1


def test_d1_township_with_regulations(example_report: Report) -> None:
    report = with_numbers(example_report, t2__regulations__issued=1)
    (finding,) = check_report(report)
    assert (finding.rule, finding.severity) == ("D-1", Severity.WARNING)
    assert finding.message == "机关层级为“乡镇（苏木、街道）”，不能制定规章，但表二“规章”一行填有数字"
    assert finding.cells == ("表二!B3",)


def test_d1_level_inferred_from_name(example_report: Report) -> None:
    meta = replace(example_report.meta, level="", agency="扎赉特旗教育局")
    report = with_numbers(example_report.replace(meta=meta), t2__regulations__in_force=3)
    (finding,) = check_report(report)
    assert finding.message == ("机关层级为“县级部门”（按机关名称判断），不能制定规章，但表二“规章”一行"
                               "填有数字")
    city = report.replace(meta=replace(meta, agency="兴安盟行政公署"))
    assert check_report(city) == []


@pytest.mark.parametrize("name, level", [
    ("扎赉特旗宝力根花苏木人民政府", "乡镇（苏木、街道）"),
    ("东城区和平街道办事处", "乡镇（苏木、街道）"),
    ("衡东县杨林镇人民政府", "乡镇（苏木、街道）"),
    ("某某乡", "乡镇（苏木、街道）"),
    ("扎赉特旗人民政府", "县级人民政府"),
    ("宁国市商务局", ""),
    ("扎赉特旗教育局", "县级部门"),
    ("某某县人民政府办公室", "县级部门"),
    ("内蒙古自治区人民政府", ""),
    ("内蒙古自治区统计局", ""),
    ("某某市人民政府", ""),
])
def test_infer_level(name: str, level: str) -> None:
    assert infer_level(name) == level


# ---------------------------------------------------------------------------
# S-1


def test_s1_missing_topic_is_a_warning(example_report: Report) -> None:
    report = with_text(example_report, overview__platform=())
    (finding,) = check_report(report)
    assert (finding.rule, finding.severity) == ("S-1", Severity.WARNING)
    assert finding.message == "一、总体情况缺少“（四）政府信息公开平台建设情况”的内容"
    assert finding.cells == ("正文",)


def test_s1_empty_problems_is_an_error(example_report: Report) -> None:
    report = with_text(example_report, problems=("   ",))
    (finding,) = check_report(report, sources={"text.problems": CellAddress("正文", 9, 3)})
    assert (finding.rule, finding.severity) == ("S-1", Severity.ERROR)
    assert finding.message == "五、存在的主要问题及改进情况没有内容"
    assert finding.cells == ("正文!C9",)


def test_s1_generator_defaults_count_as_present(example_report: Report) -> None:
    # An empty opening and fee sentence print the generator's defaults: nothing is missing.
    report = with_text(example_report, opening=(), other__fees=())
    assert check_report(report) == []


def test_s1_empty_proposals_is_only_a_notice(example_report: Report) -> None:
    # 建议提案办理结果 is no item of the national format: a notice, never a warning or error.
    report = with_text(example_report, other__proposals=())
    (finding,) = check_report(report)
    assert (finding.rule, finding.severity) == ("S-1", Severity.NOTICE)
    assert finding.message == "六、其他需要报告的事项缺少“（二）建议提案办理结果公开情况”的内容"
    assert "国家格式未要求" in finding.hint


# ---------------------------------------------------------------------------
# S-2


def test_s2_late_publication(example_report: Report) -> None:
    meta = replace(example_report.meta, publish_date=date(2026, 2, 1))
    (finding,) = check_report(example_report.replace(meta=meta))
    assert (finding.rule, finding.severity) == ("S-2", Severity.WARNING)
    assert finding.message == "发布日期 2026年2月1日 晚于 2026年1月31日"
    on_time = replace(meta, publish_date=date(2026, 1, 31))
    assert check_report(example_report.replace(meta=on_time)) == []


def test_s2_published_before_year_end(example_report: Report) -> None:
    meta = replace(example_report.meta, publish_date=date(2025, 12, 30))
    (finding,) = check_report(example_report.replace(meta=meta))
    assert finding.message == "发布日期 2025年12月30日 早于报告年度结束（2025年12月31日）"


def test_s2_old_year(example_report: Report) -> None:
    meta = replace(example_report.meta, year=2020, publish_date=date(2021, 1, 20))
    report = example_report.replace(meta=meta)
    findings = [f for f in check_report(report) if f.rule == "S-2"]
    assert [f.message for f in findings] == [
        "报告年度为 2020 年，而 2021 版年报格式自 2021 年度报告起适用",
        # the example's opening still states 2025 as the statistics period
        "开头段落写的统计期限为“2025年1月1日至2025年12月31日”，与报告年度 2020 年不一致"]


def test_s3_required_meta(example_report: Report) -> None:
    meta = replace(example_report.meta, phone=" ", publish_date=None)
    findings = [f for f in check_report(example_report.replace(meta=meta)) if f.rule == "S-3"]
    assert sorted((f.severity, f.message) for f in findings) == sorted([
        (Severity.ERROR, "基本信息“咨询电话”没有填写"),
        (Severity.WARNING, "基本信息“发布日期”没有填写，生成正式文件前须填写")])
    date_finding = next(f for f in findings if "发布日期" in f.message)
    assert date_finding.hint == "请在“基本信息”工作表填写发布日期，如：2026年1月20日（也可填 Excel 日期）"
    assert not [f for f in check_report(example_report) if f.rule == "S-3"]


# ---------------------------------------------------------------------------
# F-1


def test_f1_rare_character(example_report: Report) -> None:
    meta = replace(example_report.meta, signatory="张喆")
    report = meta and example_report.replace(meta=meta)
    (finding,) = check_report(report, sources={"meta.signatory": CellAddress("基本信息", 14, 2)})
    assert (finding.rule, finding.severity) == ("F-1", Severity.WARNING)
    assert finding.message == ("基本信息“落款机关”中的“喆”（U+5586）不在 GB2312 字库中，"
                               "Word 会用其他字体替代显示这个字")
    assert finding.cells == ("基本信息!B14",)


def test_f1_in_narrative_once_per_cell(example_report: Report) -> None:
    report = with_text(example_report, other__proposals=("堃堃收到建议。", "又见堃。"))
    findings = check_report(report, sources={"text.other.proposals": CellAddress("正文", 12, 3)})
    assert [(f.rule, f.cells) for f in findings] == [("F-1", ("正文!C12",))]
    assert "“堃”（U+5803）" in findings[0].message


def test_outside_gb2312_keeps_common_punctuation() -> None:
    # The em dash and middle dot are drawn by GB2312 fonts (0xA1AA, 0xA1A4).
    assert outside_gb2312("收集—审核·发布“三安全一稳定”〔2021〕①") == []
    assert outside_gb2312("朱镕基、王昇") == ["镕", "昇"]


# ---------------------------------------------------------------------------


def test_findings_sorted_by_severity_sheet_row_column(example_report: Report) -> None:
    report = with_numbers(example_report, t3__disclosed__natural_person=3,
                          t2__licensing__decisions=-1)
    report = with_text(report, overview__platform=())
    findings = check_report(report)
    assert findings == sort_findings(reversed(findings))
    assert [f.severity for f in findings] == sorted((f.severity for f in findings),
                                                    key=lambda s: s.rank)
    errors = [f.cells[0] for f in findings if f.severity is Severity.ERROR]
    assert errors == ["表二!B7", "表三!D6", "表三!D6"]


def test_s2_opening_copied_from_last_year(example_report: Report) -> None:
    opening = example_report.narrative["opening"].paragraphs[0].replace("2025年", "2024年")
    report = with_text(example_report, opening=(opening,))
    (finding,) = check_report(report)
    assert (finding.rule, finding.severity) == ("S-2", Severity.WARNING)
    assert finding.message == ("开头段落写的统计期限为“2024年1月1日至2024年12月31日”，"
                               "与报告年度 2025 年不一致")
