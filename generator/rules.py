"""The consistency rules, declared as data next to the form.

Each :class:`Rule` has an id (as in ``shared/spec/checker_rules.md``), a severity, a Chinese
title and description, and the fields taking part.  ``nianbao rules`` prints this list, the
README's rule table is generated from it, and :mod:`generator.checker` evaluates it.

The arithmetic rules (T3-1, T3-2, T3-3, T4-1) are not typed again here: they are derived from
:attr:`generator.form.Field.sum_of` and :attr:`generator.form.TableForm.balances` as
:class:`Identity` objects (``sum(left) == sum(right)``), which the checker also uses to find
the single cell that most likely holds a typing error.

Every finding is built with :func:`make_finding`, which takes the severity from the rule's
declaration — the workbook reader's V-2/V-3/V-4 findings included.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .findings import Finding, Severity
from .form import (
    FIELD_BY_ID,
    META_FIELDS,
    T3_CARRIED_FORWARD,
    T3_CARRIED_OVER,
    T3_COLUMNS,
    T3_NEW,
    T3_OUTCOME_TOTAL,
    T4_RESULTS,
    TABLE2,
    TABLE3,
    TABLE4,
    Field,
)


@dataclass(frozen=True)
class Rule:
    """One rule of the checker: what it checks and how serious a violation is."""

    id: str
    severity: Severity
    title: str  # short Chinese name, e.g. 表三列平衡
    description: str  # one or two Chinese sentences a clerk understands
    fields: tuple[str, ...] = ()  # field ids taking part (empty: text or metadata)
    needs_previous: bool = False  # only evaluated with last year's workbook

    @property
    def severity_label(self) -> str:
        return self.severity.value


# ---------------------------------------------------------------------------
# Linear identities derived from the form.


@dataclass(frozen=True)
class Identity:
    """``sum(left) == sum(right)`` over field ids; ``label`` names the row/column in Chinese."""

    rule: str
    label: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    left_text: str  # how the hint names the left side, e.g. "一+二"
    right_text: str  # e.g. "（七）总计+四"

    @cached_property
    def terms(self) -> dict[str, int]:
        """field id -> coefficient so that ``sum(coef * value) == 0`` when the identity holds."""
        coefficients: dict[str, int] = {}
        for fid in self.left:
            coefficients[fid] = coefficients.get(fid, 0) + 1
        for fid in self.right:
            coefficients[fid] = coefficients.get(fid, 0) - 1
        return {k: v for k, v in coefficients.items() if v}

    @property
    def field_ids(self) -> tuple[str, ...]:
        return (*self.left, *self.right)


def row_short_label(field: Field) -> str:
    """A row's name short enough for a message: 一、本年新收…, （二）部分公开, （三）不予公开 1.属于国家秘密."""
    label = field.row_label
    # Drop the explanatory parenthesis of （二）部分公开（区分处理的，…）; keep the leading （n）.
    cut = label.find("（", 1)
    if cut > 0 and label.endswith("）"):
        label = label[:cut]
    return label


def _short_row(key: str) -> str:
    """一, 二, 四 for rows labelled "一、…"; the label itself otherwise, e.g. （七）总计."""
    for row_key, label in (T3_NEW, T3_CARRIED_OVER, T3_OUTCOME_TOTAL, T3_CARRIED_FORWARD):
        if row_key == key:
            return label.split("、", 1)[0] if "、" in label else label
    raise KeyError(key)


T3_COLUMN_LABELS: dict[str, str] = dict(T3_COLUMNS)


def _column_label(col_key: str) -> str:
    label = T3_COLUMN_LABELS[col_key]
    # "其他" alone is ambiguous in a message; the form's group is 法人或其他组织.
    return "其他组织" if col_key == "other_org" else label


def _t4_group_label(field: Field) -> str:
    if field.col.startswith("review_"):
        return field.row_label
    return f"行政诉讼（{field.row_label}）"


def _derive_identities() -> tuple[Identity, ...]:
    identities: list[Identity] = []
    # T3-1: the note of table 3 itself.
    for balance in TABLE3.balances:
        col_key = FIELD_BY_ID[balance.left[0]].col
        left = "+".join(_short_row(FIELD_BY_ID[f].row) for f in balance.left)
        right = "+".join(_short_row(FIELD_BY_ID[f].row) for f in balance.right)
        identities.append(Identity("T3-1", f"{_column_label(col_key)}列", balance.left,
                                   balance.right, left, right))
    outcome_total_key = T3_OUTCOME_TOTAL[0]
    outcome_rows: tuple[str, ...] = ()
    for f in TABLE3.fields:
        if f.row == outcome_total_key and f.col != "total":
            outcome_rows = tuple(FIELD_BY_ID[p].row for p in f.sum_of)
            break
    # T3-2: （七）总计 of every column, the total column included.
    for col_key, _ in T3_COLUMNS:
        parts = tuple(f"t3.{row}.{col_key}" for row in outcome_rows)
        identities.append(Identity("T3-2", f"{_column_label(col_key)}列",
                                   (f"t3.{outcome_total_key}.{col_key}",), parts,
                                   _short_row(outcome_total_key), "（一）至（六）各项之和"))
    # T3-3: the 总计 column of every row; T4-1: the 总计 of each group of table 4.
    for f in TABLE3.fields:
        if f.is_total and f.col == "total":
            identities.append(Identity("T3-3", f"“{row_short_label(f)}”行", (f.id,), f.sum_of,
                                       "总计", "六类申请人之和"))
    parts_text = "+".join(label.removeprefix("结果").removesuffix("结果") for _, label in T4_RESULTS[:-1])
    for f in TABLE4.fields:
        if f.is_total:
            identities.append(Identity("T4-1", _t4_group_label(f), (f.id,), f.sum_of, "总计",
                                       parts_text))
    return tuple(identities)


IDENTITIES: tuple[Identity, ...] = _derive_identities()


def _fields_of(rule_id: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for identity in IDENTITIES:
        if identity.rule == rule_id:
            seen.update((fid, None) for fid in identity.field_ids)
    return tuple(seen)


def _t2(row: str, col: str) -> str:
    return f"t2.{row}.{col}"


_T2_IN_FORCE_FIELDS = tuple(
    _t2(row, col) for row in ("regulations", "normative_documents")
    for col in ("issued", "repealed", "in_force"))
_T3_CARRY_FIELDS = tuple(
    f"t3.{row}.{col}" for row in (T3_CARRIED_OVER[0], T3_CARRIED_FORWARD[0]) for col, _ in T3_COLUMNS)
_ALL_FIELDS = tuple(f.id for t in (TABLE2, TABLE3, TABLE4) for f in t.fields)


RULES: tuple[Rule, ...] = (
    Rule("T3-1", Severity.ERROR, "表三各列平衡",
         "表三每一列：第一项（本年新收）加第二项（上年结转）之和，等于第三项（七）总计加第四项"
         "（结转下年度继续办理）之和。", _fields_of("T3-1")),
    Rule("T3-2", Severity.ERROR, "表三（七）总计",
         "表三每一列：（七）总计等于（一）至（六）各项办理结果之和。", _fields_of("T3-2")),
    Rule("T3-3", Severity.ERROR, "表三总计列",
         "表三每一行：总计等于自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他六类申请人之和。",
         _fields_of("T3-3")),
    Rule("T4-1", Severity.ERROR, "表四总计",
         "表四行政复议、未经复议直接起诉、复议后起诉三组：总计等于结果维持、结果纠正、其他结果、尚未审结之和。",
         _fields_of("T4-1")),
    Rule("V-1", Severity.ERROR, "数字取值",
         "件数必须是不小于 0 的整数；收费金额（万元）不能为负数，最多 4 位小数（即精确到 1 元）。",
         _ALL_FIELDS),
    Rule("V-2", Severity.NOTICE, "空白单元格",
         "数字单元格空白时按 0 印出并列为提示；正式公开的报告应填 0，不应留空。", _ALL_FIELDS),
    Rule("V-3", Severity.ERROR, "数字单元格中有文字",
         "数字单元格中填写了文字（如“/”“—”“不适用”“22（其中修订16件）”），无法作为数字使用。",
         _ALL_FIELDS),
    Rule("V-4", Severity.ERROR, "合计与各项之和不符",
         "手工填写的合计（或 Excel 公式保存的结果）与按各项重新计算的合计不一致。",
         tuple(f.id for t in (TABLE3, TABLE4) for f in t.total_fields)),
    Rule("Y-1", Severity.WARNING, "上年结转与上年报告",
         "本年表三“二、上年结转”应等于上年报告表三“四、结转下年度继续办理”（逐列比较）。",
         _T3_CARRY_FIELDS, needs_previous=True),
    Rule("Y-2", Severity.NOTICE, "现行有效件数与上年",
         "表二规章、行政规范性文件：现行有效件数 = 上年现行有效件数 + 本年制发件数 − 本年废止件数"
         "（清理、修订的统计口径不同时可能不符，仅作提示）。", _T2_IN_FORCE_FIELDS,
         needs_previous=True),
    Rule("D-1", Severity.WARNING, "乡镇、县级部门的规章",
         "规章只能由省级和设区的市级人民政府制定；乡镇（苏木、街道）、县级人民政府和县级部门在表二“规章”"
         "一行填有数字时提示核对。", tuple(_t2("regulations", c) for c in
                                            ("issued", "repealed", "in_force"))),
    Rule("S-1", Severity.ERROR, "必备内容",
         "正文必须有：一、总体情况（含主动公开、依申请公开、政府信息管理、平台建设、监督保障五个方面，"
         "缺少某一方面为警告），五、存在的主要问题及改进情况，六、其他需要报告的事项（为空是错误）。"),
    Rule("S-3", Severity.ERROR, "基本信息必填项",
         "基本信息中的" + "、".join(m.label for m in META_FIELDS if m.required)
         + "必须填写：它们印在开头段落和落款中。发布日期未填写时 check 只给警告（起草时常常还不知道），"
         "build（生成正式文件）和 batch 按错误处理。"),
    Rule("S-2", Severity.WARNING, "报告年度与发布日期",
         "2021 版格式适用于 2021 年度及以后的报告；发布日期应在报告年度结束之后、次年 1 月 31 日之前。"),
    Rule("N-1", Severity.WARNING, "正文数字与表格",
         "正文中关于申请件数、办理结果、行政复议、行政诉讼和信息处理费的数字应与表格、基本信息一致。"),
    Rule("F-1", Severity.WARNING, "生僻字",
         "正文和基本信息中的每个字都应在国标 GB2312 字库内（仿宋_GB2312 等字体缺少“镕”“喆”“堃”等字），"
         "否则 Word 会用其他字体替代显示。"),
)
RULE_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


# ---------------------------------------------------------------------------
# Building findings: the one place that attaches a rule's severity to a message.


def make_finding(rule_id: str, message: str, *, cells: tuple[str, ...] | list[str] = (),
                 expected: object = None, found: object = None, hint: str = "",
                 field_ids: tuple[str, ...] | list[str] = (),
                 severity: Severity | None = None) -> Finding:
    """A :class:`Finding` of ``rule_id`` with the rule's severity (unless overridden).

    ``severity`` is only overridden where a rule has two grades (S-1: error for an empty
    五/六, warning for a missing topic of 一).
    """
    rule = RULE_BY_ID[rule_id]
    return Finding(severity or rule.severity, rule_id, message, tuple(str(c) for c in cells),
                   expected, found, hint, tuple(field_ids))


def describe_field(field_id: str) -> str:
    """How a message names a number of the form: 表三“一、本年新收…”行“自然人”列."""
    f = FIELD_BY_ID[field_id]
    table = {"t2": TABLE2, "t3": TABLE3, "t4": TABLE4}[f.table].name
    if f.table == "t4":
        return f"{table}“{_t4_group_label(f)}”的“{f.col_label}”"
    return f"{table}“{row_short_label(f)}”行“{f.col_label}”列"


def rules_markdown() -> str:
    """The rule table for the README: id, severity, title, description."""
    lines = ["| 编号 | 级别 | 规则 | 说明 |", "|---|---|---|---|"]
    for rule in RULES:
        extra = "（需上年工作簿）" if rule.needs_previous else ""
        lines.append(f"| {rule.id} | {rule.severity.value} | {rule.title} | {rule.description}{extra} |")
    return "\n".join(lines) + "\n"
