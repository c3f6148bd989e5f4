"""The checker: declares the rules it checks, each beside its check, and runs them all.

Each check function carries its rules (``@REGISTRY.check(RULE)``, see :mod:`generator.checks.rules`);
:func:`check_report` runs every registered check, so a new rule is one declaration and one
function, here or in a check module this one imports (as :mod:`generator.checks.narrative_numbers`).

:func:`check_report` judges a :class:`~generator.report.model.Report` (numbers as the workbook shows
them, totals included) and returns findings addressed to workbook cells.  :func:`check_read`
combines the findings of reading a workbook (V-2, V-3, V-4) with the rule findings; reading the
file is the use-case layer's (:func:`generator.app.check`).

Arithmetic rules are linear identities (:data:`generator.checks.rules.IDENTITIES`).  When an identity
is broken the checker looks for the single cell whose change would repair every broken identity
it takes part in without breaking one that holds; if exactly one cell does that for a broken
identity, the finding names it first ("很可能是 表三!D7 填错：应为 3，现为 4").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Iterable, Iterator, Mapping

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from generator.checks.cells import meta_cell, printed_paragraphs, text_cell
from generator.checks.narrative_numbers import N_1  # noqa: F401 - imported for its check (N-1) in REGISTRY
from generator.checks.rules import (
    ALL_FIELDS,
    IDENTITIES,
    REGISTRY,
    S_3,
    T2_IN_FORCE_FIELDS,
    T3_CARRY_FIELDS,
    V_4,
    Identity,
    IdentityKind,
    Rule,
    describe_field,
    identity_fields,
    row_short_label,
    t2_field,
)
from generator.findings import Finding, Severity
from generator.form import (
    COUNTY_DEPARTMENT,
    COUNTY_GOVERNMENT,
    DEADLINE_DAY,
    DEADLINE_MONTH,
    FIELD_BY_ID,
    FIELDS,
    FORMAT_FIRST_YEAR,
    LEVELS_WITHOUT_REGULATIONS,
    META_FIELDS,
    OVERVIEW_TOPICS,
    PERIOD_END,
    PERIOD_START,
    SECTION_BY_NUMBER,
    T3_CARRIED_FORWARD,
    T3_CARRIED_OVER,
    T3_COLUMNS,
    TEXT_SLOTS,
    TOWNSHIP,
    ValueKind,
    publication_deadline,
    statistics_period,
)
from generator.report.layout import (
    SHEET_ORDER,
    CellAddress,
    field_address,
)
from generator.report.model import Report
from generator.report.read_result import ReadResult
from generator.report.sentences import format_date, format_number

Sources = Mapping[str, CellAddress]


# ---------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class CheckResult:
    """What ``nianbao check`` found in one workbook: the reading and every finding, sorted."""

    read: "ReadResult"
    findings: tuple[Finding, ...]

    @property
    def report(self) -> Report:
        return self.read.report

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def notices(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.NOTICE)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)


def cell_sort_key(cell: str) -> tuple[int, int, int]:
    """(sheet order, row, column) of ``表三!D7``; a bare sheet name sorts before its cells."""
    sheet, _, coordinate = cell.partition("!")
    sheet_index = SHEET_ORDER.index(sheet) if sheet in SHEET_ORDER else len(SHEET_ORDER)
    if not coordinate:
        return sheet_index, 0, 0
    try:
        letters, row = coordinate_from_string(coordinate.split(":", 1)[0])
        return sheet_index, row, column_index_from_string(letters)
    except ValueError:
        return sheet_index, 0, 0


def finding_sort_key(finding: Finding) -> tuple[object, ...]:
    first = finding.cells[0] if finding.cells else ""
    return (finding.severity.rank, *cell_sort_key(first), finding.rule, finding.message)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=finding_sort_key)


# ---------------------------------------------------------------------------
# Addresses


def _addr(field_id: str, sources: Sources | None) -> str:
    return str(field_address(field_id, dict(sources) if sources else None))


def _range(field_ids: tuple[str, ...], sources: Sources | None) -> str:
    """``表三!D6:D26`` for a run of fields on one sheet, else the addresses joined by 、."""
    addresses = [field_address(fid, dict(sources) if sources else None) for fid in field_ids]
    first, last = addresses[0], addresses[-1]
    if len(addresses) == 1:
        return str(first)
    if all(a.sheet == first.sheet for a in addresses):
        return f"{first}:{last.coordinate}"
    return "、".join(str(a) for a in addresses)


# ---------------------------------------------------------------------------
# Linear identities and the single wrong cell


def _value(report: Report, field_id: str) -> int | Fraction:
    value = report.numbers[field_id]
    if isinstance(value, int):  # whole counts, the usual case: exact, and quicker than Fractions
        return value
    return Fraction(value) if not isinstance(value, Decimal) else Fraction(str(value))


def _residual(identity: Identity, values: Mapping[str, int | Fraction]) -> int | Fraction:
    return sum((coef * values[fid] for fid, coef in identity.terms.items()), 0)


def single_cell_candidates(identities: Iterable[Identity], values: Mapping[str, int | Fraction]
                           ) -> dict[str, Fraction]:
    """Cells whose one change repairs every broken identity they are in and breaks none.

    Returns field id -> the value the cell should have.  A cell qualifies when every
    identity containing it is broken and all of them ask for the same correction.
    """
    identities = tuple(identities)
    residuals = {id(i): _residual(i, values) for i in identities}
    containing: dict[str, list[Identity]] = {}
    for identity in identities:
        for fid in identity.terms:
            containing.setdefault(fid, []).append(identity)
    candidates: dict[str, Fraction] = {}
    for fid, members in containing.items():
        deltas = set()
        for identity in members:
            r = residuals[id(identity)]
            if r == 0:
                break
            deltas.add(-Fraction(r) / identity.terms[fid])
        else:
            if len(deltas) == 1:
                candidates[fid] = values[fid] + deltas.pop()
    return candidates


def _show(value: int | Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return format_number(Decimal(value.numerator) / Decimal(value.denominator))


T3_1 = Rule("T3-1", Severity.ERROR, "表三各列平衡",
            "表三每一列：第一项（本年新收）加第二项（上年结转）之和，等于第三项（七）总计加第四项"
            "（结转下年度继续办理）之和。", identity_fields("T3-1"))
T3_2 = Rule("T3-2", Severity.ERROR, "表三（七）总计",
            "表三每一列：（七）总计等于（一）至（六）各项办理结果之和。", identity_fields("T3-2"))
T3_3 = Rule("T3-3", Severity.ERROR, "表三总计列",
            "表三每一行：总计等于自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他六类申请人之和。",
            identity_fields("T3-3"))
T4_1 = Rule("T4-1", Severity.ERROR, "表四总计",
            "表四行政复议、未经复议直接起诉、复议后起诉三组：总计等于结果维持、结果纠正、其他结果、尚未审结之和。",
            identity_fields("T4-1"))
#: the rules of the identities, by id (each identity names its rule)
IDENTITY_RULES: dict[str, Rule] = {r.id: r for r in (T3_1, T3_2, T3_3, T4_1)}


def _identity_finding(identity: Identity, values: Mapping[str, int | Fraction],
                      candidates: Mapping[str, Fraction], sources: Sources | None) -> Finding:
    left = sum((values[f] for f in identity.left), Fraction(0))
    right = sum((values[f] for f in identity.right), Fraction(0))
    named = [fid for fid in identity.terms if fid in candidates]
    if identity.kind is IdentityKind.BALANCE:
        # In the sheet's own words: the row labels 一、本年新收 … and the column label.
        new, carried_over = (row_short_label(FIELD_BY_ID[f]) for f in identity.left)
        outcome_total, carried_forward = identity.right
        message = (f"{identity.table_name}{identity.label}：“{_brief(new)}”加“{_brief(carried_over)}”"
                   f"为 {_show(left)}，“{identity.right_text.split('+')[0]}”加"
                   f"“{_brief(row_short_label(FIELD_BY_ID[carried_forward]))}”"
                   f"为 {_show(right)}，两者应相等")
        # the parts of （七）总计 in this column, as the form sums them
        outcome_parts = FIELD_BY_ID[outcome_total].sum_of
        if FIELD_BY_ID[identity.left[0]].col == "total" or not outcome_parts:
            anchor = identity.field_ids
            check = "、".join(_addr(f, sources) for f in anchor)
        else:
            # The clerk types the rows of the column; （七）总计 is their sum (a formula in
            # the workbook), so the cells to look at are the column's input cells.
            anchor = (*identity.left, *outcome_parts, carried_forward)
            check = (f"{_addr(identity.left[0], sources)}、{_addr(identity.left[1], sources)}、"
                     f"{_range(outcome_parts, sources)}（各项办理结果）、"
                     f"{_addr(carried_forward, sources)}（“（七）总计”是这些办理结果之和，会自动计算）")
        generic = f"请核对{identity.label}各格：{check}"
        expected, found = _show(left), _show(right)
    else:
        message = (f"{identity.table_name}{identity.label}：{identity.left_text}为 {_show(left)}，"
                   f"但{identity.parts_phrase or identity.right_text}为 {_show(right)}")
        anchor = identity.left
        generic = (f"{identity.label}：{identity.right_text}={_show(right)}，但"
                   f"{identity.left_text}={_show(left)}，请核对 {_addr(identity.left[0], sources)}"
                   f" 或 {_range(identity.right, sources)}")
        expected, found = _show(right), _show(left)
    if len(named) == 1:
        fid = named[0]
        hint = (f"很可能是 {_addr(fid, sources)} 填错：应为 {_show(candidates[fid])}，"
                f"现为 {_show(values[fid])}")
    else:
        hint = generic
    cells: list[str] = [_addr(f, sources) for f in named]
    for fid in anchor:
        address = _addr(fid, sources)
        if address not in cells:
            cells.append(address)
    return IDENTITY_RULES[identity.rule].finding(message, cells=cells, expected=expected, found=found,
                        hint=hint, field_ids=tuple(named) + tuple(f for f in anchor
                                                               if f not in named))


def _brief(row_label: str) -> str:
    """「一、本年新收政府信息公开申请数量」 → 「一、本年新收」: the words a clerk looks for."""
    suffix = "政府信息公开申请数量"
    return row_label[: -len(suffix)] if row_label.endswith(suffix) else row_label


def _implied_total_column(broken: list[Identity]) -> set[int]:
    """T3-1 of the 总计 column when it only repeats other columns' T3-1.

    When every row's 总计 is the sum of its applicants (T3-3 holds, as with the workbook's
    formulas), the 总计 column's balance is the sum of the other columns' balances: one
    wrong input breaks both, and the second finding would name formula cells.
    """
    if any(i.kind is IdentityKind.ROW_TOTAL for i in broken):
        return set()
    balances = [i for i in broken if i.kind is IdentityKind.BALANCE]
    totals = [i for i in balances if FIELD_BY_ID[i.left[0]].col == "total"]
    if totals and len(balances) > len(totals):
        return {id(i) for i in totals}
    return set()


@REGISTRY.check(T3_1, T3_2, T3_3, T4_1)
def check_identities(report: Report, sources: Sources | None = None) -> list[Finding]:
    """T3-1, T3-2, T3-3, T4-1 over the numbers as given (totals are not recomputed)."""
    values = {f.id: _value(report, f.id) for f in FIELDS}
    broken = [i for i in IDENTITIES if _residual(i, values) != 0]
    if not broken:
        return []
    implied = _implied_total_column(broken)
    broken = [i for i in broken if id(i) not in implied]
    candidates = single_cell_candidates(IDENTITIES, values)
    return [_identity_finding(i, values, candidates, sources) for i in broken]


# ---------------------------------------------------------------------------
# V-1: values


def decimal_places(value: Decimal) -> int:
    """Digits after the point once trailing zeros go (0 for whole numbers and 1E+3)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


#: 万元 with 6 decimals is 0.01 元: published reports print fees such as 19167.08326 and
#: 14515.939627 万元, so anything finer than 1 元 must still pass.
MAX_AMOUNT_PLACES = 6


V_1 = Rule("V-1", Severity.ERROR, "数字取值",
           "件数必须是不小于 0 的整数；收费金额（万元）不能为负数，最多 6 位小数（即精确到分）。",
           ALL_FIELDS)


@REGISTRY.check(V_1)
def check_values(report: Report, sources: Sources | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for f in FIELDS:
        value = report.numbers[f.id]
        cell = _addr(f.id, sources)
        what = describe_field(f.id)
        if f.kind is ValueKind.COUNT:
            whole = isinstance(value, int) or (isinstance(value, Decimal)
                                               and value == value.to_integral_value())
            if value < 0 or not whole:
                findings.append(V_1.finding(
                    f"{what}应为不小于 0 的整数，现为 {format_number(value)}",
                    cells=(cell,), expected="不小于 0 的整数", found=format_number(value),
                    hint="件数只能填 0、1、2……这样的整数", field_ids=(f.id,)))
        else:
            amount = Decimal(str(value))
            places = decimal_places(amount)
            if amount < 0 or places > MAX_AMOUNT_PLACES:
                findings.append(V_1.finding(
                    f"{what}应为不小于 0、最多 {MAX_AMOUNT_PLACES} 位小数的金额（万元），"
                           f"现为 {value}",
                    cells=(cell,), expected="不小于 0 的金额", found=str(value),
                    hint="单位是万元，6 位小数即精确到分，例如 0.035 或 24252.311082",
                    field_ids=(f.id,)))
    fee = report.meta.processing_fee
    if fee < 0:
        findings.append(V_1.finding(
            f"基本信息“本年度收取信息处理费（元）”不能为负数，现为 {format_number(fee)}",
            cells=(meta_cell("processing_fee", sources),), expected="不小于 0",
            found=format_number(fee), hint="未收取请填 0"))
    elif decimal_places(Decimal(fee)) > 2:
        # The fee sentence prints 元 with two decimals (defaults.format_yuan): say so.
        from generator.report.sentences import format_yuan

        findings.append(V_1.finding(
            f"基本信息“本年度收取信息处理费（元）”有 {decimal_places(Decimal(fee))}"
            f" 位小数（{fee}），报告中按四舍五入印为 {format_yuan(fee)} 元",
            cells=(meta_cell("processing_fee", sources),), expected="最多 2 位小数（精确到分）",
            found=str(fee), hint=f"请核对金额，按实际收取的元、角、分填写，例如 {format_yuan(fee)}",
            severity=Severity.WARNING))
    return findings


# ---------------------------------------------------------------------------
# Y-1, Y-2: against last year's report


Y_1 = Rule("Y-1", Severity.WARNING, "上年结转与上年报告",
           "本年表三“二、上年结转”应等于上年报告表三“四、结转下年度继续办理”（逐列比较）。",
           T3_CARRY_FIELDS, needs_previous=True)
Y_2 = Rule("Y-2", Severity.NOTICE, "现行有效件数与上年",
           "表二规章、行政规范性文件：现行有效件数 = 上年现行有效件数 + 本年制发件数 − 本年废止件数"
           "（清理、修订的统计口径不同时可能不符，仅作提示）。", T2_IN_FORCE_FIELDS,
           needs_previous=True)


@REGISTRY.check_previous(Y_1)
def check_carry_over(report: Report, previous: Report, sources: Sources | None = None
                     ) -> list[Finding]:
    """Y-1: this year's 二、上年结转 is last year's 四、结转下年度继续办理, column by column."""
    findings: list[Finding] = []
    over_key, forward_key = T3_CARRIED_OVER[0], T3_CARRIED_FORWARD[0]
    for col_key, col_label in T3_COLUMNS:
        this_id, last_id = f"t3.{over_key}.{col_key}", f"t3.{forward_key}.{col_key}"
        this, last = report.numbers[this_id], previous.numbers[last_id]
        if this != last:
            cell = _addr(this_id, sources)
            findings.append(Y_1.finding(
                f"表三“{col_label}”列：本年“二、上年结转”为 {format_number(this)}，"
                f"上年报告“四、结转下年度继续办理”为 {format_number(last)}",
                cells=(cell,), expected=format_number(last), found=format_number(this),
                hint=f"请核对 {cell}；如上年数字有更正，请在正文中说明", field_ids=(this_id,)))
    return findings


@REGISTRY.check_previous(Y_2)
def check_in_force(report: Report, previous: Report, sources: Sources | None = None
                   ) -> list[Finding]:
    """Y-2: 现行有效 = last year's 现行有效 + 制发 − 废止 (规章, 行政规范性文件)."""
    findings: list[Finding] = []
    for row_key, row_label in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
        ids = {c: t2_field(row_key, c) for c in ("issued", "repealed", "in_force")}
        last_in_force = previous.numbers[ids["in_force"]]
        issued, repealed = report.numbers[ids["issued"]], report.numbers[ids["repealed"]]
        expected = last_in_force + issued - repealed
        found = report.numbers[ids["in_force"]]
        if found != expected:
            cell = _addr(ids["in_force"], sources)
            findings.append(Y_2.finding(
                f"表二“{row_label}”：现行有效件数为 {format_number(found)}，而上年现行有效 "
                f"{format_number(last_in_force)} + 本年制发 {format_number(issued)} − 本年废止 "
                f"{format_number(repealed)} = {format_number(expected)}",
                cells=(cell, _addr(ids["issued"], sources), _addr(ids["repealed"], sources)),
                expected=format_number(expected), found=format_number(found),
                hint="如有清理、修订等口径差异可不修改，仅供核对", field_ids=tuple(ids.values())))
    return findings


# ---------------------------------------------------------------------------
# D-1: 规章 reported by an agency that cannot make 规章

_TOWNSHIP_SUFFIXES = ("乡", "镇", "苏木", "街道")
_GOVERNMENT_SUFFIXES = ("人民政府", "政府", "办事处", "街道办事处")
_COUNTY_UNITS = ("县", "旗", "区")
_DEPARTMENT_SUFFIXES = ("局", "办", "委", "委员会", "办公室", "中心")


def infer_level(agency: str) -> str:
    """The agency level from its name, "" when the name does not tell.

    乡/镇/苏木/街道 (+人民政府/办事处) → township; 县/旗/区 + 人民政府 → county government;
    a 局/办/委 under a 县/旗/区 → county department.  自治区 is a province, not a 区.
    """
    name = agency.strip()
    core = name
    for suffix in _GOVERNMENT_SUFFIXES:
        if core.endswith(suffix):
            core = core[: -len(suffix)]
            break
    if core != name or name.endswith(_TOWNSHIP_SUFFIXES):
        if core.endswith(_TOWNSHIP_SUFFIXES):
            return TOWNSHIP
        if core.endswith(_COUNTY_UNITS) and not core.endswith("自治区"):
            return COUNTY_GOVERNMENT
        return ""
    if name.endswith(_DEPARTMENT_SUFFIXES):
        # the unit the department belongs to: the last 省/市/县/旗/区 in the name
        units = [(name.rfind(u), u) for u in ("省", "市", "州", "盟", *_COUNTY_UNITS)]
        position, unit = max(units)
        if position < 0:
            return ""
        if unit in _COUNTY_UNITS and not name[: position + 1].endswith("自治区"):
            return COUNTY_DEPARTMENT
    return ""


def agency_level(report: Report) -> str:
    return report.meta.level.strip() or infer_level(report.meta.agency)


D_1 = Rule("D-1", Severity.WARNING, "乡镇、县级部门的规章",
           "规章只能由省级和设区的市级人民政府制定；乡镇（苏木、街道）、县级人民政府和县级部门在表二“规章”"
           "一行填有数字时提示核对。", tuple(t2_field("regulations", c) for c in
                                              ("issued", "repealed", "in_force")))


@REGISTRY.check(D_1)
def check_level(report: Report, sources: Sources | None = None) -> list[Finding]:
    level = agency_level(report)
    if level not in LEVELS_WITHOUT_REGULATIONS:
        return []
    ids = [f"t2.regulations.{c}" for c in ("issued", "repealed", "in_force")]
    nonzero = [fid for fid in ids if report.numbers[fid] != 0]
    if not nonzero:
        return []
    how = "" if report.meta.level.strip() else "（按机关名称判断）"
    cells = [_addr(fid, sources) for fid in nonzero]
    return [D_1.finding(
        f"机关层级为“{level}”{how}，不能制定规章，但表二“规章”一行填有数字",
        cells=cells, expected=0, found="、".join(format_number(report.numbers[f]) for f in nonzero),
        hint="规章只能由省级和设区的市级人民政府制定；本机关制发的文件请填在“行政规范性文件”一行",
        field_ids=tuple(nonzero))]


# ---------------------------------------------------------------------------
# S-1: required sections; S-2: year and publish date


S_1 = Rule("S-1", Severity.ERROR, "必备内容",
           "正文必须有：一、总体情况（含主动公开、依申请公开、政府信息管理、平台建设、监督保障五个方面，"
           "缺少某一方面为警告），五、存在的主要问题及改进情况，六、其他需要报告的事项（为空是错误；"
           "缺少信息处理费情况为警告，缺少建议提案办理结果只作提示，国家格式未要求此项）。")


@REGISTRY.check(S_1)
def check_sections(report: Report, sources: Sources | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for key, heading in OVERVIEW_TOPICS:
        if not printed_paragraphs(report, key):
            findings.append(S_1.finding(
                f"一、总体情况缺少“{heading}”的内容", cells=(text_cell(key, sources),),
                expected="有内容", found="（空白）",
                hint=f"请在“正文”工作表的“一、{heading}”处填写；确实没有的请写明情况",
                severity=Severity.WARNING))
    for number in ("五", "六"):
        section = SECTION_BY_NUMBER[number]
        slots = [s for s in TEXT_SLOTS if s.section == number]
        if not any(printed_paragraphs(report, s.key) for s in slots):
            findings.append(S_1.finding(
                f"{section.heading}没有内容", cells=(text_cell(slots[0].key, sources),),
                expected="有内容", found="（空白）",
                hint=f"“{section.heading}”是年度报告的必备部分，请在“正文”工作表中填写"))
    for slot in TEXT_SLOTS:
        if slot.section == "六" and slot.required and not printed_paragraphs(report, slot.key):
            # 建议提案办理结果 is not an item of the national format (many real reports have
            # no such paragraph): a notice at most.  信息处理费 is, so its absence warns.
            proposals = slot.key == "other.proposals"
            findings.append(S_1.finding(
                f"六、其他需要报告的事项缺少“{slot.heading}”的内容",
                cells=(text_cell(slot.key, sources),), expected="有内容", found="（空白）",
                hint=("国家格式未要求此项，留空则报告中不印这个小标题；本地要求写的，"
                      "可写明如“本年度未收到人大代表建议和政协委员提案”"
                      if proposals else "没有的请写明，如“本年度未收取信息处理费”"),
                severity=Severity.NOTICE if proposals else Severity.WARNING))
    return findings


#: required items a draft may lack: a warning in ``check``, an error when a file is built
#: (:func:`for_build`); the publication date is often known only at the end
BUILD_ONLY_META = frozenset({"publish_date"})


@REGISTRY.check(S_3)
def check_required_meta(report: Report, sources: Sources | None = None) -> list[Finding]:
    """S-3: every required 基本信息 item is filled (the opening and the signature print them)."""
    findings: list[Finding] = []
    for m in META_FIELDS:
        value = getattr(report.meta, m.key)
        if m.required and (value is None or (isinstance(value, str) and not value.strip())):
            later = m.key in BUILD_ONLY_META
            findings.append(S_3.finding(
                f"基本信息“{m.label}”没有填写" + ("，生成正式文件前须填写" if later else ""),
                cells=(meta_cell(m.key, sources),), expected=m.hint, found="（空）",
                hint=f"请在“基本信息”工作表填写{m.label}，{m.hint}",
                severity=Severity.WARNING if later else None))
    return findings


def _error_when_built(finding: Finding) -> bool:
    rule = REGISTRY.get(finding.rule)
    return rule is not None and rule.error_when_built and finding.severity is Severity.WARNING


def for_build(result: CheckResult) -> CheckResult:
    """``result`` as it stands when a report file is generated: the warnings of rules that
    are errors in a file to publish (S-3: the 基本信息 items a draft may lack, see
    :data:`BUILD_ONLY_META`) are errors."""
    promoted = tuple(replace(f, severity=Severity.ERROR) if _error_when_built(f) else f
                     for f in result.findings)
    if promoted == result.findings:
        return result
    return replace(result, findings=tuple(sorted(promoted, key=finding_sort_key)))


S_2 = Rule("S-2", Severity.WARNING, "报告年度与发布日期",
           f"{FORMAT_FIRST_YEAR} 版格式适用于 {FORMAT_FIRST_YEAR} 年度及以后的报告；发布日期应在报告年度"
           f"结束之后、次年 {DEADLINE_MONTH} 月 {DEADLINE_DAY} 日之前。")


@REGISTRY.check(S_2)
def check_dates(report: Report, sources: Sources | None = None) -> list[Finding]:
    findings: list[Finding] = []
    year = report.meta.year
    if year == 0:  # blank or unreadable: the reader's S-3 or V-3 names the cell
        return findings
    if not 1 <= year <= 9998:  # no calendar date can be made from it
        return [S_2.finding(
            f"报告年度 {year} 不是有效的年份", cells=(meta_cell("year", sources),),
            expected="四位数字的年份", found=year, hint="请在“基本信息”填写报告年度，如 2025")]
    if year < FORMAT_FIRST_YEAR:
        findings.append(S_2.finding(
            f"报告年度为 {year} 年，而 {FORMAT_FIRST_YEAR} 版年报格式自 {FORMAT_FIRST_YEAR} 年度报告起适用",
            cells=(meta_cell("year", sources),), expected=f"≥{FORMAT_FIRST_YEAR}", found=year,
            hint=f"请核对“报告年度”；{FORMAT_FIRST_YEAR - 1} 年度及以前的报告使用旧格式"))
    findings.extend(_statistics_period(report, sources))
    published = report.meta.publish_date
    if published is None:
        return findings
    deadline = publication_deadline(year)
    year_end = date(year, *PERIOD_END)
    cell = meta_cell("publish_date", sources)
    if published > deadline:
        findings.append(S_2.finding(
            f"发布日期 {format_date(published)} 晚于 {format_date(deadline)}",
            cells=(cell,), expected=f"不晚于{format_date(deadline)}", found=format_date(published),
            hint=f"《条例》第四十九条要求每年 {DEADLINE_MONTH} 月 {DEADLINE_DAY} 日前公布上一年度报告，"
                 "请核对发布日期"))
    elif published <= year_end:
        findings.append(S_2.finding(
            f"发布日期 {format_date(published)} 早于报告年度结束（{format_date(year_end)}）",
            cells=(cell,), expected=f"晚于{format_date(year_end)}", found=format_date(published),
            hint="年度报告统计到 {} 月 {} 日，请核对发布日期或报告年度".format(*PERIOD_END)))
    return findings


#: the 统计期限 as an opening states it (the form's period, 起 allowed after the start)
_PERIOD_RE = re.compile(r"(\d{{4}})年{}月{}日(?:起)?至(\d{{4}})年{}月{}日".format(*PERIOD_START,
                                                                              *PERIOD_END))


def _statistics_period(report: Report, sources: Sources | None) -> list[Finding]:
    """An opening copied from last year states last year's 统计期限."""
    findings: list[Finding] = []
    year = report.meta.year
    for paragraph in printed_paragraphs(report, "opening"):
        for match in _PERIOD_RE.finditer(unicodedata.normalize("NFKC", paragraph)):
            if int(match[1]) != year or int(match[2]) != year:
                findings.append(S_2.finding(
                    f"开头段落写的统计期限为“{match[0]}”，与报告年度 {year} 年不一致",
                    cells=(text_cell("opening", sources),),
                    expected=statistics_period(year), found=match[0],
                    hint="可能沿用了上年的开头段落；清空该格即可由基本信息自动生成"))
    return findings


# ---------------------------------------------------------------------------
# F-1: characters outside GB2312

# Characters a GB2312 font shows although Python's gb2312 codec maps the code point elsewhere
# (GB2312 0xA1AA is drawn for both — and ―, 0xA1A4 for both · and ・).
_GB2312_EQUIVALENTS = {"\u2014": "\u2015", "\u00b7": "\u30fb"}


def outside_gb2312(text: str) -> list[str]:
    """Distinct characters of ``text`` that a GB2312 body font lacks, in order of appearance."""
    seen: dict[str, None] = {}
    for ch in text:
        if ch in seen or ch.isspace() or ord(ch) < 0x80:
            continue
        try:
            _GB2312_EQUIVALENTS.get(ch, ch).encode("gb2312")
        except UnicodeEncodeError:
            seen[ch] = None
    return list(seen)


def _texts(report: Report, sources: Sources | None) -> Iterator[tuple[str, str, str]]:
    """(where, cell, text) of every text the report prints: 基本信息 and the narrative."""
    for meta in META_FIELDS:
        value = getattr(report.meta, meta.key)
        if isinstance(value, str) and value:
            yield f"基本信息“{meta.label}”", meta_cell(meta.key, sources), value
    for slot in TEXT_SLOTS:
        part = report.narrative[slot.key]
        if slot.custom_heading and part.heading:
            yield f"正文“{slot.label}”的小标题", text_cell(slot.key, sources, heading=True), \
                part.heading
        for paragraph in part.paragraphs:
            if paragraph.strip():
                yield f"正文“{slot.label}”", text_cell(slot.key, sources), paragraph


F_1 = Rule("F-1", Severity.WARNING, "生僻字",
           "正文和基本信息中的每个字都应在国标 GB2312 字库内（仿宋_GB2312 等字体缺少“镕”“喆”“堃”等字），"
           "否则 Word 会用其他字体替代显示。")


@REGISTRY.check(F_1)
def check_characters(report: Report, sources: Sources | None = None) -> list[Finding]:
    findings: list[Finding] = []
    reported: set[tuple[str, str]] = set()
    for where, cell, text in _texts(report, sources):
        for ch in outside_gb2312(text):
            if (ch, cell) in reported:
                continue
            reported.add((ch, cell))
            name = unicodedata.name(ch, "")
            code = f"U+{ord(ch):04X}"
            findings.append(F_1.finding(
                f"{where}中的“{ch}”（{code}）不在 GB2312 字库中，Word 会用其他字体替代显示这个字",
                cells=(cell,), expected="GB2312 字符", found=f"{ch}（{code}{' ' + name if name else ''}）",
                hint="如是人名、地名用字可保留，打印前请核对该字的显示效果；如是误输入请改为常用字"))
    return findings


# ---------------------------------------------------------------------------
# Putting it together


#: every rule, in the order ``nianbao rules`` lists them (the registry is complete here: this
#: module and the check modules it imports have declared theirs)
RULES: tuple[Rule, ...] = REGISTRY.rules
RULE_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def check_report(report: Report, *, sources: Sources | None = None,
                 previous: Report | None = None) -> list[Finding]:
    """Every rule over ``report``; ``sources`` gives the cells actually read, ``previous`` is
    last year's report (Y-1, Y-2).  Findings come back sorted (severity, sheet, cell)."""
    findings: list[Finding] = []
    for entry in REGISTRY.entries:
        if entry.check is not None:
            findings.extend(entry.check(report, sources))
        elif entry.previous_check is not None and previous is not None:
            findings.extend(entry.previous_check(report, previous, sources))
    return sort_findings(findings)


def check_published(report: Report) -> list[Finding]:
    """:func:`check_report` over a report as published (``nianbao import --check``): without
    the rules about what only the workbook holds (a portal page has no 发布日期)."""
    return [f for f in check_report(report)
            if (rule := REGISTRY.get(f.rule)) is None or rule.applies_to_published]


def check_read(read: "ReadResult", *, previous: Report | None = None) -> CheckResult:
    """Check a workbook already read (the batch reads first, then finds last year's report)."""
    rule_findings = check_report(read.report, sources=read.sources, previous=previous)
    # A total typed by hand that disagrees with its parts is reported by the reader (V-4) and
    # by the total's own identity (T3-2/T3-3/T4-1), which also names the likely wrong cell:
    # keep the latter only.
    covered = broken_totals(read.report)
    reading = [f for f in read.findings
               if not (f.rule == V_4.id and f.field_ids and f.field_ids[0] in covered)]
    return CheckResult(read, tuple(sort_findings([*reading, *rule_findings])))


def broken_totals(report: Report) -> frozenset[str]:
    """Total fields whose own identity (总计 = sum of parts) is broken in ``report``."""
    values = {f.id: _value(report, f.id) for f in FIELDS}
    return frozenset(i.left[0] for i in IDENTITIES
                     if i.is_total and _residual(i, values) != 0)


__all__ = [
    "RULES", "RULE_BY_ID", "CheckResult", "check_published", "check_report", "check_read", "check_identities", "single_cell_candidates",
    "sort_findings", "infer_level", "outside_gb2312",
]
