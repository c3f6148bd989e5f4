"""The rule registry: every rule of the checker with its id, severity, wording and check.

A rule is declared once, where its check is written: the check function carries its rules
(:meth:`RuleRegistry.check`), so adding a rule is one place::

    D_1 = Rule("D-1", Severity.WARNING, "乡镇、县级部门的规章", "规章只能由……")

    @REGISTRY.check(D_1)
    def check_level(report, sources): ...

Rules that the workbook reader reports while reading (V-2, V-3, V-4, and S-3 for a blank
year) are declared here, because the reader sits below the checks and makes those findings
itself.  ``generator.checks.checker`` imports every check module, so ``checker.RULES`` is the whole
list; ``nianbao rules`` prints it and the README's rule table is generated from it.

The arithmetic rules (T3-1, T3-2, T3-3, T4-1) are not typed again: their
:class:`Identity` objects (``sum(left) == sum(right)``) are derived here from
:attr:`generator.form.Field.sum_of` and :attr:`generator.form.TableForm.balances`, each with
the words its finding uses, so the checker never asks which rule an identity belongs to.

Every finding is built by its rule (:meth:`Rule.finding`, or :func:`make_finding` by id),
which attaches the severity declared here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping, TypeVar

from generator.findings import Finding, Severity
from generator.form import (
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
    TABLE_BY_KEY,
    Field,
)
from generator.report.model import Report

#: key -> the cell read (``ReadResult.sources``, a ``workbook.layout.CellAddress``); typed
#: loosely here because the workbook package imports this module (no cycle)
AnySources = Mapping[str, Any]
#: a check of this year's report alone: (report, sources) -> findings
Check = Callable[[Report, AnySources | None], list[Finding]]
#: a check against last year's report: (report, previous, sources) -> findings
PreviousCheck = Callable[[Report, Report, AnySources | None], list[Finding]]
CheckT = TypeVar("CheckT", bound=Check)
PreviousCheckT = TypeVar("PreviousCheckT", bound=PreviousCheck)


@dataclass(frozen=True)
class Rule:
    """One rule of the checker: what it checks and how serious a violation is."""

    id: str
    severity: Severity
    title: str  # short Chinese name, e.g. 表三列平衡
    description: str  # one or two Chinese sentences a clerk understands
    fields: tuple[str, ...] = ()  # field ids taking part (empty: text or metadata)
    needs_previous: bool = False  # only evaluated with last year's workbook
    #: a warning of this rule is an error when a report file is built (a draft may lack the
    #: 发布日期, a file to publish may not)
    error_when_built: bool = False
    #: False for rules about what the clerk fills in the workbook only, which a published
    #: report is not blamed for (``nianbao import --check``: a portal page has no 发布日期)
    applies_to_published: bool = True
    #: its notices say the PDF used stand-in fonts: a front end may show them as one line
    #: (every Windows PC lacks 方正小标宋, so the notice comes with every PDF)
    stand_in_font_notice: bool = False
    #: its findings name number cells that could not be read (the model holds 0 there, for
    #: the checks): a summary of the numbers must show those blank, never as 0
    number_unread: bool = False

    @property
    def severity_label(self) -> str:
        return self.severity.value

    def finding(self, message: str, *, cells: tuple[str, ...] | list[str] = (),
                expected: object = None, found: object = None, hint: str = "",
                field_ids: tuple[str, ...] | list[str] = (),
                severity: Severity | None = None) -> Finding:
        """A :class:`Finding` of this rule with its severity (unless overridden).

        ``severity`` is only overridden where a rule has two grades (S-1: error for an empty
        五/六, warning for a missing topic of 一).
        """
        return Finding(severity or self.severity, self.id, message, tuple(str(c) for c in cells),
                       expected, found, hint, tuple(field_ids))


# ---------------------------------------------------------------------------
# Linear identities derived from the form.


class IdentityKind(Enum):
    """What an identity says, which decides how its finding is worded."""

    #: 表三's own note: 一+二 = （七）总计+四, per column
    BALANCE = "balance"
    #: a total is the sum of the cells above it in its column: （七）总计 = （一）…（六）
    COLUMN_TOTAL = "column total"
    #: a total is the sum of the cells before it in its row: 总计 = 六类申请人
    ROW_TOTAL = "row total"
    #: a total of one of 表四's groups: 总计 = 维持+纠正+其他+尚未审结
    GROUP_TOTAL = "group total"


@dataclass(frozen=True)
class Identity:
    """``sum(left) == sum(right)`` over field ids; ``label`` names the row/column in Chinese."""

    rule: str
    kind: IdentityKind
    label: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    left_text: str  # how the hint names the left side, e.g. "一+二"
    right_text: str  # e.g. "（七）总计+四"
    #: how the message names the parts of a total, e.g. 六类申请人之和 (else ``right_text``)
    parts_phrase: str = ""

    @property
    def table_name(self) -> str:
        """表三 or 表四: the table the identity is about."""
        return TABLE_BY_KEY[FIELD_BY_ID[self.left[0]].table].name

    @property
    def is_total(self) -> bool:
        """One total on the left equals its parts on the right (every kind but BALANCE)."""
        return self.kind is not IdentityKind.BALANCE

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
        identities.append(Identity("T3-1", IdentityKind.BALANCE, f"“{_column_label(col_key)}”列",
                                   balance.left, balance.right, left, right))
    outcome_total_key = T3_OUTCOME_TOTAL[0]
    outcome_rows: tuple[str, ...] = ()
    for f in TABLE3.fields:
        if f.row == outcome_total_key and f.col != "total":
            outcome_rows = tuple(FIELD_BY_ID[p].row for p in f.sum_of)
            break
    # T3-2: （七）总计 of every column, the total column included.
    for col_key, _ in T3_COLUMNS:
        parts = tuple(f"t3.{row}.{col_key}" for row in outcome_rows)
        identities.append(Identity("T3-2", IdentityKind.COLUMN_TOTAL, f"“{_column_label(col_key)}”列",
                                   (f"t3.{outcome_total_key}.{col_key}",), parts,
                                   _short_row(outcome_total_key), "（一）至（六）各项之和"))
    # T3-3: the 总计 column of every row; T4-1: the 总计 of each group of table 4.
    for f in TABLE3.fields:
        if f.is_total and f.col == "total":
            identities.append(Identity("T3-3", IdentityKind.ROW_TOTAL, f"“{row_short_label(f)}”行",
                                       (f.id,), f.sum_of, "总计", "六类申请人之和"))
    parts_text = "+".join(label.removeprefix("结果").removesuffix("结果") for _, label in T4_RESULTS[:-1])
    for f in TABLE4.fields:
        if f.is_total:
            identities.append(Identity("T4-1", IdentityKind.GROUP_TOTAL, _t4_group_label(f),
                                       (f.id,), f.sum_of, "总计", parts_text,
                                       "结果维持、结果纠正、其他结果、尚未审结之和"))
    return tuple(identities)


IDENTITIES: tuple[Identity, ...] = _derive_identities()


def identity_fields(rule_id: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for identity in IDENTITIES:
        if identity.rule == rule_id:
            seen.update((fid, None) for fid in identity.field_ids)
    return tuple(seen)


def t2_field(row: str, col: str) -> str:
    return f"t2.{row}.{col}"


T2_IN_FORCE_FIELDS = tuple(
    t2_field(row, col) for row in ("regulations", "normative_documents")
    for col in ("issued", "repealed", "in_force"))
T3_CARRY_FIELDS = tuple(
    f"t3.{row}.{col}" for row in (T3_CARRIED_OVER[0], T3_CARRIED_FORWARD[0]) for col, _ in T3_COLUMNS)
ALL_FIELDS = tuple(f.id for t in (TABLE2, TABLE3, TABLE4) for f in t.fields)


# ---------------------------------------------------------------------------
# The registry: rules paired with the checks that make their findings.


@dataclass(frozen=True)
class CheckEntry:
    """One check function and the rules whose findings it makes."""

    rules: tuple[Rule, ...]
    check: Check | None = None
    previous_check: PreviousCheck | None = None  # the check needs last year's report

    @property
    def name(self) -> str:
        function = self.check or self.previous_check
        return getattr(function, "__name__", "?")


#: how ``nianbao rules`` orders rules: by group (tables, values, year, level, sections,
#: narrative, fonts), then by number; a group not listed comes last
RULE_GROUPS = ("T", "V", "Y", "D", "S", "N", "F")


def rule_order(rule: Rule) -> tuple[int, str, int, str]:
    group, _, number = rule.id.partition("-")
    position = RULE_GROUPS.index(group[0]) if group[:1] in RULE_GROUPS else len(RULE_GROUPS)
    return position, group, int(number) if number.isdigit() else 0, rule.id


class RuleRegistry:
    """Every declared rule, and which check makes each one's findings.

    Filled while the check modules are imported (their decorators) and never changed after:
    two reports checked one after the other see the same registry.
    """

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}
        self._entries: list[CheckEntry] = []
        self._read: set[str] = set()
        self._rendered: set[str] = set()

    def declare(self, rule: Rule) -> Rule:
        """Declare a rule (once: a second, different rule with the same id is a mistake)."""
        known = self._rules.get(rule.id)
        if known is not None and known != rule:
            raise ValueError(f"rule {rule.id} declared twice")
        self._rules[rule.id] = rule
        return rule

    def found_while_reading(self, rule: Rule) -> Rule:
        """Declare a rule whose findings the workbook reader makes (V-2, V-3, V-4)."""
        self._read.add(rule.id)
        return self.declare(rule)

    def check(self, *rules: Rule) -> Callable[[CheckT], CheckT]:
        """Decorate the check ``(report, sources) -> findings`` of ``rules``."""
        declared = self._declared(rules, needs_previous=False)

        def register(function: CheckT) -> CheckT:
            self._add(CheckEntry(declared, check=function))
            return function
        return register

    def check_previous(self, *rules: Rule) -> Callable[[PreviousCheckT], PreviousCheckT]:
        """Decorate the check ``(report, previous, sources) -> findings`` of ``rules``, which
        runs only when last year's report is given."""
        declared = self._declared(rules, needs_previous=True)

        def register(function: PreviousCheckT) -> PreviousCheckT:
            self._add(CheckEntry(declared, previous_check=function))
            return function
        return register

    def _declared(self, rules: tuple[Rule, ...], *, needs_previous: bool) -> tuple[Rule, ...]:
        if not rules:
            raise ValueError("a check must name the rules it checks")
        for rule in rules:
            if rule.needs_previous != needs_previous:
                raise ValueError(f"rule {rule.id}: needs_previous does not match its check")
            self.declare(rule)
        return rules

    def _add(self, entry: CheckEntry) -> None:
        if any(e.check is entry.check and e.previous_check is entry.previous_check
               for e in self._entries):
            return  # the same function registered again (a module reloaded)
        self._entries.append(entry)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(sorted(self._rules.values(), key=rule_order))

    @property
    def entries(self) -> tuple[CheckEntry, ...]:
        return tuple(self._entries)

    def get(self, rule_id: str) -> Rule | None:
        return self._rules.get(rule_id)

    def __getitem__(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def found_while_rendering(self, rule: Rule) -> Rule:
        """Declare a rule whose findings a renderer makes (F-2, PDF-FONT): about the printed
        file, not the report's data, so no check of the report runs for it."""
        self._rendered.add(rule.id)
        return self.declare(rule)

    def is_rendered(self, rule_id: str) -> bool:
        """Whether a renderer makes the rule's findings."""
        return rule_id in self._rendered

    def is_read(self, rule_id: str) -> bool:
        """Whether the workbook reader makes findings of the rule."""
        return rule_id in self._read

    def checks_of(self, rule_id: str) -> tuple[CheckEntry, ...]:
        return tuple(e for e in self._entries if any(r.id == rule_id for r in e.rules))


#: the one registry of nianbao's rules (complete once ``generator.checks.checker`` is imported)
REGISTRY = RuleRegistry()


# ---------------------------------------------------------------------------
# Rules the workbook reader reports (generator/inputs/workbook/reader.py makes their findings).

V_2 = REGISTRY.found_while_reading(Rule(
    "V-2", Severity.NOTICE, "空白单元格",
    "数字单元格空白时按 0 印出并列为提示；正式公开的报告应填 0，不应留空。", ALL_FIELDS))
V_3 = REGISTRY.found_while_reading(Rule(
    "V-3", Severity.ERROR, "数字单元格中有文字",
    "数字单元格中填写了文字（如“/”“—”“不适用”“22（其中修订16件）”），无法作为数字使用。",
    ALL_FIELDS, number_unread=True))
V_4 = REGISTRY.found_while_reading(Rule(
    "V-4", Severity.ERROR, "合计与各项之和不符",
    "手工填写的合计（或 Excel 公式保存的结果）与按各项重新计算的合计不一致。",
    tuple(f.id for t in (TABLE3, TABLE4) for f in t.total_fields)))
#: S-3 is checked by ``checker.check_required_meta``; the reader also reports a blank 报告年度
#: (the model holds 0 for it, which the check cannot tell from an unreadable year)
S_3 = REGISTRY.found_while_reading(Rule(
    "S-3", Severity.ERROR, "基本信息必填项",
    "基本信息中的" + "、".join(m.label for m in META_FIELDS if m.required)
    + "必须填写：它们印在开头段落和落款中。发布日期未填写时 check 只给警告（起草时常常还不知道），"
    "build（生成正式文件）和 batch 按错误处理。", error_when_built=True,
    applies_to_published=False))


# ---------------------------------------------------------------------------
# Building findings by rule id (the reader, and code that only knows the id).


def make_finding(rule_id: str, message: str, *, cells: tuple[str, ...] | list[str] = (),
                 expected: object = None, found: object = None, hint: str = "",
                 field_ids: tuple[str, ...] | list[str] = (),
                 severity: Severity | None = None) -> Finding:
    """A :class:`Finding` of ``rule_id`` with the rule's severity (see :meth:`Rule.finding`)."""
    return REGISTRY[rule_id].finding(message, cells=cells, expected=expected, found=found,
                                     hint=hint, field_ids=field_ids, severity=severity)


def describe_field(field_id: str) -> str:
    """How a message names a number of the form: 表三“一、本年新收…”行“自然人”列."""
    f = FIELD_BY_ID[field_id]
    table = {"t2": TABLE2, "t3": TABLE3, "t4": TABLE4}[f.table].name
    if f.table == "t4":
        return f"{table}“{_t4_group_label(f)}”的“{f.col_label}”"
    return f"{table}“{row_short_label(f)}”行“{f.col_label}”列"


def rules_markdown(rules: Iterable[Rule]) -> str:
    """The rule table for the README: id, severity, title, description."""
    lines = ["| 编号 | 级别 | 规则 | 说明 |", "|---|---|---|---|"]
    for rule in rules:
        extra = "（需上年工作簿）" if rule.needs_previous else ""
        lines.append(f"| {rule.id} | {rule.severity.value} | {rule.title} | {rule.description}{extra} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Rules of the printed file (generator/outputs/glyphs.py and libreoffice.py make their findings).

F_2 = REGISTRY.found_while_rendering(Rule(
    "F-2", Severity.WARNING, "PDF 字体缺字",
    "生成PDF时所用字体中没有某个字：该字改用其他字体印出，或（没有任何字体包含它时）印为空白；"
    "报告中注明出现的章节和段落，绝不悄悄印成方框。"))
PDF_FONT = REGISTRY.found_while_rendering(Rule(
    "PDF-FONT", Severity.NOTICE, "PDF 替代字体",
    "本机没有公文规定的字体时，PDF用其他中文字体代替（可以阅读和打印）；"
    "完全没有可用的中文字体时为警告。", stand_in_font_notice=True))
