"""The national form (国办公开办函〔2021〕30号), declared once.

Everything that knows a label, a position, a merge or a sum derives it from here: the
workbook writer and reader, the checker, and every renderer.  Labels are reproduced
character for character from ``shared/spec/official_format.md`` §1.4 (full-width
punctuation, curly quotes in “三安全一稳定”).

The three tables are declared as *grids*: each :class:`GridCell` has a 0-based row and
column inside the official table, a span, and either a fixed label or a :class:`Field`
(one number of the form).  A renderer walks :attr:`TableForm.cells`; a reader or writer
walks :attr:`TableForm.fields`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cached_property
from typing import Union


class ValueKind(str, Enum):
    """What a number in the form is: a whole count of items, or money in 万元."""

    COUNT = "count"
    AMOUNT = "amount"


class CellRole(str, Enum):
    """How a grid cell is typeset: captions and headers are labels, values hold numbers."""

    CAPTION = "caption"  # a band across the whole table, e.g. 第二十条第（一）项
    HEADER = "header"  # a column heading
    LABEL = "label"  # a row heading
    VALUE = "value"  # a number the clerk enters
    TOTAL = "total"  # a number computed from other numbers


@dataclass(frozen=True)
class Field:
    """One number of the official form.

    ``id`` is ``"<table>.<row>.<column>"`` (ASCII, stable: it names workbook cells and JSON
    keys).  ``sum_of`` lists the fields this one totals; it is empty for input fields.
    """

    table: str
    row: str
    col: str
    kind: ValueKind
    grid_row: int
    grid_col: int
    row_label: str
    col_label: str
    sum_of: tuple[str, ...] = ()

    @cached_property  # looked up for every number of every read and check: made once
    def id(self) -> str:
        return f"{self.table}.{self.row}.{self.col}"

    @cached_property  # as id: asked for every field of every read and check
    def is_total(self) -> bool:
        return bool(self.sum_of)


@dataclass(frozen=True)
class GridCell:
    """A cell of the official table: its top-left position, span, and content."""

    row: int
    col: int
    role: CellRole
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    field_id: str | None = None

    @property
    def last_row(self) -> int:
        return self.row + self.rowspan - 1

    @property
    def last_col(self) -> int:
        return self.col + self.colspan - 1


@dataclass(frozen=True)
class Balance:
    """An identity the form states between two groups of fields: sum(left) == sum(right)."""

    name: str
    left: tuple[str, ...]
    right: tuple[str, ...]


@dataclass(frozen=True)
class TableForm:
    """One of the three tables: its number, heading, grid and fields."""

    key: str  # "t2", "t3", "t4"
    number: str  # "二", "三", "四"
    section_heading: str  # the section heading above the table
    n_rows: int
    n_cols: int
    header_rows: int  # rows repeated when the table breaks across pages
    cells: tuple[GridCell, ...]
    fields: tuple[Field, ...]
    balances: tuple[Balance, ...] = ()

    @property
    def name(self) -> str:
        """The short name clerks use: 表二, 表三, 表四."""
        return f"表{self.number}"

    @cached_property
    def field_by_id(self) -> dict[str, Field]:
        return {f.id: f for f in self.fields}

    @property
    def input_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.is_total)

    @property
    def total_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.is_total)

    @property
    def labels(self) -> tuple[GridCell, ...]:
        return tuple(c for c in self.cells if c.field_id is None)

    def cell_at(self, row: int, col: int) -> GridCell | None:
        """The grid cell covering (row, col), following merges."""
        for cell in self.cells:
            if cell.row <= row <= cell.last_row and cell.col <= col <= cell.last_col:
                return cell
        return None


# ---------------------------------------------------------------------------
# A small builder so each table below reads like the official grid.


@dataclass
class _GridBuilder:
    key: str
    cells: list[GridCell] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)

    def label(self, row: int, col: int, text: str, role: CellRole = CellRole.LABEL,
              rowspan: int = 1, colspan: int = 1) -> None:
        self.cells.append(GridCell(row, col, role, text, rowspan, colspan))

    def value(self, row: int, col: int, row_key: str, col_key: str, row_label: str,
              col_label: str, kind: ValueKind = ValueKind.COUNT, colspan: int = 1,
              sum_of: tuple[str, ...] = ()) -> Field:
        f = Field(self.key, row_key, col_key, kind, row, col, row_label, col_label, sum_of)
        role = CellRole.TOTAL if sum_of else CellRole.VALUE
        self.cells.append(GridCell(row, col, role, "", 1, colspan, f.id))
        self.fields.append(f)
        return f


# ---------------------------------------------------------------------------
# 表二 主动公开政府信息情况 (14 rows x 4 columns)

T2_ITEM_COLUMN = "信息内容"


def _table2() -> TableForm:
    g = _GridBuilder("t2")
    # (caption, column headings as (key, label), rows as (key, label))
    blocks: list[tuple[str, list[tuple[str, str]], list[tuple[str, str]], ValueKind]] = [
        ("第二十条第（一）项",
         [("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")],
         [("regulations", "规章"), ("normative_documents", "行政规范性文件")], ValueKind.COUNT),
        ("第二十条第（五）项", [("decisions", "本年处理决定数量")],
         [("licensing", "行政许可")], ValueKind.COUNT),
        ("第二十条第（六）项", [("decisions", "本年处理决定数量")],
         [("penalty", "行政处罚"), ("coercion", "行政强制")], ValueKind.COUNT),
        ("第二十条第（八）项", [("amount", "本年收费金额（单位：万元）")],
         [("fees", "行政事业性收费")], ValueKind.AMOUNT),
    ]
    row = 0
    for caption, columns, rows, kind in blocks:
        g.label(row, 0, caption, CellRole.CAPTION, colspan=4)
        g.label(row + 1, 0, T2_ITEM_COLUMN, CellRole.HEADER)
        span = 3 // len(columns)
        for i, (_, col_label) in enumerate(columns):
            g.label(row + 1, 1 + i * span, col_label, CellRole.HEADER, colspan=span)
        for r, (row_key, row_label) in enumerate(rows, start=row + 2):
            g.label(r, 0, row_label)
            for i, (col_key, col_label) in enumerate(columns):
                g.value(r, 1 + i * span, row_key, col_key, row_label, col_label, kind, colspan=span)
        row += 2 + len(rows)
    return TableForm("t2", "二", "二、主动公开政府信息情况", row, 4, 0,
                     tuple(g.cells), tuple(g.fields))


# ---------------------------------------------------------------------------
# 表三 收到和处理政府信息公开申请情况 (28 rows x 10 columns)

T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_APPLICANTS = "申请人情况"
T3_ORGANISATIONS = "法人或其他组织"
T3_OUTCOMES = "三、本年度办理结果"

#: The applicant columns D–J, in order; the last one is the total.
T3_COLUMNS: tuple[tuple[str, str], ...] = (
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("public_interest", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
)

#: Outcome groups under 三、本年度办理结果: (group label, [(row key, item label)]).
#: A group with a single unnamed item spans columns B:C.
T3_OUTCOME_GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("（一）予以公开", (("disclosed", ""),)),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", (("partly_disclosed", ""),)),
    ("（三）不予公开", (
        ("withheld_state_secret", "1.属于国家秘密"),
        ("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开"),
        ("withheld_three_safeties", "3.危及“三安全一稳定”"),
        ("withheld_third_party", "4.保护第三方合法权益"),
        ("withheld_internal_affairs", "5.属于三类内部事务信息"),
        ("withheld_process_information", "6.属于四类过程性信息"),
        ("withheld_enforcement_files", "7.属于行政执法案卷"),
        ("withheld_query_matters", "8.属于行政查询事项"),
    )),
    ("（四）无法提供", (
        ("unavailable_not_held", "1.本机关不掌握相关政府信息"),
        ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
        ("unavailable_still_unclear", "3.补正后申请内容仍不明确"),
    )),
    ("（五）不予处理", (
        ("unprocessed_petition", "1.信访举报投诉类申请"),
        ("unprocessed_repeated", "2.重复申请"),
        ("unprocessed_publications", "3.要求提供公开出版物"),
        ("unprocessed_excessive", "4.无正当理由大量反复申请"),
        ("unprocessed_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
    )),
    ("（六）其他处理", (
        ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("other_fee_unpaid", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other_other", "3.其他"),
    )),
)
T3_OUTCOME_TOTAL = ("outcome_total", "（七）总计")
T3_NEW = ("new", "一、本年新收政府信息公开申请数量")
T3_CARRIED_OVER = ("carried_over", "二、上年结转政府信息公开申请数量")
T3_CARRIED_FORWARD = ("carried_forward", "四、结转下年度继续办理")
T3_FIRST_VALUE_COL = 3  # column D


def _table3() -> TableForm:
    g = _GridBuilder("t3")
    g.label(0, 0, T3_NOTE, CellRole.HEADER, rowspan=3, colspan=3)
    g.label(0, 3, T3_APPLICANTS, CellRole.HEADER, colspan=7)
    g.label(1, 3, T3_COLUMNS[0][1], CellRole.HEADER, rowspan=2)
    g.label(1, 4, T3_ORGANISATIONS, CellRole.HEADER, colspan=5)
    g.label(1, 9, T3_COLUMNS[-1][1], CellRole.HEADER, rowspan=2)
    for i, (_, label) in enumerate(T3_COLUMNS[1:-1]):
        g.label(2, 4 + i, label, CellRole.HEADER)

    outcome_rows: list[str] = []
    value_rows: list[tuple[int, str, str, bool]] = []  # grid row, key, label, is total row

    def body_row(r: int, key: str, label: str, total_row: bool = False) -> None:
        value_rows.append((r, key, label, total_row))

    g.label(3, 0, T3_NEW[1], colspan=3)
    body_row(3, *T3_NEW)
    g.label(4, 0, T3_CARRIED_OVER[1], colspan=3)
    body_row(4, *T3_CARRIED_OVER)
    r = 5
    first_outcome_row = r
    for group_label, items in T3_OUTCOME_GROUPS:
        if len(items) == 1 and not items[0][1]:
            g.label(r, 1, group_label, colspan=2)
            body_row(r, items[0][0], group_label)
            outcome_rows.append(items[0][0])
            r += 1
            continue
        g.label(r, 1, group_label, rowspan=len(items))
        for key, item_label in items:
            g.label(r, 2, item_label)
            body_row(r, key, f"{group_label}{item_label}")
            outcome_rows.append(key)
            r += 1
    g.label(r, 1, T3_OUTCOME_TOTAL[1], colspan=2)
    body_row(r, *T3_OUTCOME_TOTAL, total_row=True)
    g.label(first_outcome_row, 0, T3_OUTCOMES, rowspan=r - first_outcome_row + 1)
    r += 1
    g.label(r, 0, T3_CARRIED_FORWARD[1], colspan=3)
    body_row(r, *T3_CARRIED_FORWARD)

    applicant_keys = [key for key, _ in T3_COLUMNS[:-1]]
    for grid_row, row_key, row_label, total_row in value_rows:
        for i, (col_key, col_label) in enumerate(T3_COLUMNS):
            if col_key == "total":
                sum_of = tuple(f"t3.{row_key}.{c}" for c in applicant_keys)
            elif total_row:
                sum_of = tuple(f"t3.{o}.{col_key}" for o in outcome_rows)
            else:
                sum_of = ()
            g.value(grid_row, T3_FIRST_VALUE_COL + i, row_key, col_key, row_label, col_label,
                    sum_of=sum_of)

    balances = tuple(
        Balance(col_label,
                (f"t3.{T3_NEW[0]}.{col_key}", f"t3.{T3_CARRIED_OVER[0]}.{col_key}"),
                (f"t3.{T3_OUTCOME_TOTAL[0]}.{col_key}", f"t3.{T3_CARRIED_FORWARD[0]}.{col_key}"))
        for col_key, col_label in T3_COLUMNS
    )
    return TableForm("t3", "三", "三、收到和处理政府信息公开申请情况", r + 1, 10, 3,
                     tuple(g.cells), tuple(g.fields), balances)


# ---------------------------------------------------------------------------
# 表四 政府信息公开行政复议、行政诉讼情况 (4 rows x 15 columns)

T4_REVIEW = ("review", "行政复议")
T4_LITIGATION = "行政诉讼"
T4_DIRECT_SUIT = ("direct_suit", "未经复议直接起诉")
T4_SUIT_AFTER_REVIEW = ("suit_after_review", "复议后起诉")
T4_RESULTS: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)
T4_ROW = "cases"


def _table4() -> TableForm:
    g = _GridBuilder("t4")
    g.label(0, 0, T4_REVIEW[1], CellRole.HEADER, colspan=5)
    g.label(0, 5, T4_LITIGATION, CellRole.HEADER, colspan=10)
    for i, (_, label) in enumerate(T4_RESULTS):
        g.label(1, i, label, CellRole.HEADER, rowspan=2)
    g.label(1, 5, T4_DIRECT_SUIT[1], CellRole.HEADER, colspan=5)
    g.label(1, 10, T4_SUIT_AFTER_REVIEW[1], CellRole.HEADER, colspan=5)
    for block, offset in ((T4_DIRECT_SUIT, 5), (T4_SUIT_AFTER_REVIEW, 10)):
        for i, (_, label) in enumerate(T4_RESULTS):
            g.label(2, offset + i, label, CellRole.HEADER)
    for block, offset in ((T4_REVIEW, 0), (T4_DIRECT_SUIT, 5), (T4_SUIT_AFTER_REVIEW, 10)):
        group_key, group_label = block
        parts = tuple(f"t4.{T4_ROW}.{group_key}_{k}" for k, _ in T4_RESULTS[:-1])
        for i, (result_key, result_label) in enumerate(T4_RESULTS):
            g.value(3, offset + i, T4_ROW, f"{group_key}_{result_key}", group_label,
                    result_label, sum_of=parts if result_key == "total" else ())
    return TableForm("t4", "四", "四、政府信息公开行政复议、行政诉讼情况", 4, 15, 3,
                     tuple(g.cells), tuple(g.fields))


TABLE2 = _table2()
TABLE3 = _table3()
TABLE4 = _table4()
TABLES: tuple[TableForm, ...] = (TABLE2, TABLE3, TABLE4)
TABLE_BY_KEY: dict[str, TableForm] = {t.key: t for t in TABLES}
FIELDS: tuple[Field, ...] = tuple(f for t in TABLES for f in t.fields)
FIELD_BY_ID: dict[str, Field] = {f.id: f for f in FIELDS}
INPUT_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if not f.is_total)


def field_path(field_id: str) -> str:
    """How a field is named to the clerk: ``表三 一、本年新收政府信息公开申请数量 / 自然人``."""
    f = FIELD_BY_ID[field_id]
    return f"{TABLE_BY_KEY[f.table].name} {f.row_label} / {f.col_label}"


# ---------------------------------------------------------------------------
# The narrative: six sections, the five topics of 一, and the items of 六.


@dataclass(frozen=True)
class TextSlot:
    """A place in the report that holds paragraphs the clerk writes.

    ``heading`` is the level-2 heading printed above the paragraphs (None for a section's own
    text).  Slots with ``custom_heading`` let the clerk name an extra item of 六.  A slot
    ``printed_only_with_text`` loses its heading when it has no text: an item the national
    format does not ask for, whose bare heading would read as a report missing something.
    """

    key: str
    section: str | None  # "一" … "六"; None for the opening paragraph
    heading: str | None
    label: str  # how the workbook names the slot for the clerk
    required: bool = False
    custom_heading: bool = False
    printed_only_with_text: bool = False

    @property
    def heading_needs_text(self) -> bool:
        """Whether the heading is printed only above text (the clerk's items of 六 too)."""
        return self.custom_heading or self.printed_only_with_text


@dataclass(frozen=True)
class Section:
    """One of the six sections: its number, heading, and what it holds."""

    number: str
    heading: str
    table: str | None = None  # key of the table printed in this section


SECTIONS: tuple[Section, ...] = (
    Section("一", "一、总体情况"),
    Section("二", TABLE2.section_heading, "t2"),
    Section("三", TABLE3.section_heading, "t3"),
    Section("四", TABLE4.section_heading, "t4"),
    Section("五", "五、存在的主要问题及改进情况"),
    Section("六", "六、其他需要报告的事项"),
)
SECTION_BY_NUMBER: dict[str, Section] = {s.number: s for s in SECTIONS}

#: The five topics the notice names for 一、总体情况, as printed level-2 headings.
OVERVIEW_TOPICS: tuple[tuple[str, str], ...] = (
    ("overview.proactive", "（一）主动公开情况"),
    ("overview.on_request", "（二）依申请公开情况"),
    ("overview.management", "（三）政府信息管理情况"),
    ("overview.platform", "（四）政府信息公开平台建设情况"),
    ("overview.supervision", "（五）监督保障情况"),
)

FEES_HEADING = "（一）收取信息处理费情况"
PROPOSALS_HEADING = "（二）建议提案办理结果公开情况"
EXTRA_ITEMS = 3  # 六（三）… the clerk may add, e.g. 落实上级年度政务公开工作要点情况

TEXT_SLOTS: tuple[TextSlot, ...] = (
    TextSlot("opening", None, None, "开头段落（编制说明）", required=True),
    TextSlot("overview", "一", None, "一、总体情况（概述）"),
    *(TextSlot(key, "一", heading, f"一、{heading}", required=True)
      for key, heading in OVERVIEW_TOPICS),
    TextSlot("problems", "五", None, SECTION_BY_NUMBER["五"].heading, required=True),
    TextSlot("other.fees", "六", FEES_HEADING, f"六、{FEES_HEADING}", required=True),
    # not an item of the national format (see checks.checker): left blank, it is left out
    TextSlot("other.proposals", "六", PROPOSALS_HEADING, f"六、{PROPOSALS_HEADING}",
             required=True, printed_only_with_text=True),
    *(TextSlot(f"other.extra{i}", "六", None, f"六、其他事项{i}（可选，自拟小标题）",
               custom_heading=True) for i in range(1, EXTRA_ITEMS + 1)),
)
TEXT_SLOT_BY_KEY: dict[str, TextSlot] = {s.key: s for s in TEXT_SLOTS}

CHINESE_ORDINALS = "一二三四五六七八九十"


def item_heading(index: int, title: str) -> str:
    """A level-2 heading ``（n）title`` for the index-th item (0-based) of a section."""
    return f"（{CHINESE_ORDINALS[index]}）{title}"


# ---------------------------------------------------------------------------
# 基本信息: the report's metadata.


@dataclass(frozen=True)
class MetaField:
    """One item of 基本信息: model attribute, label shown to the clerk, whether required."""

    key: str
    label: str
    required: bool
    hint: str


META_FIELDS: tuple[MetaField, ...] = (
    MetaField("agency", "机关名称", True, "填写机关全称，如：扎赉特旗宝力根花苏木人民政府"),
    MetaField("year", "报告年度", True, "四位数字，如：2025"),
    MetaField("level", "机关层级", False,
              "可选：乡镇（苏木、街道）、县级人民政府、县级部门、设区的市级及以上；留空则按名称判断"),
    MetaField("region", "所属地区/上级机关", False, "可选，如：兴安盟扎赉特旗"),
    MetaField("portal_name", "门户网站名称", False, "如：扎赉特旗人民政府门户网站"),
    MetaField("portal_url", "门户网站网址", True, "如：http://www.zltq.gov.cn/"),
    MetaField("phone", "咨询电话", True, "如：0482-6540003"),
    MetaField("address", "联系地址", False, "可选"),
    MetaField("postcode", "邮政编码", False, "可选"),
    MetaField("email", "电子邮箱", False, "可选"),
    MetaField("processing_fee", "本年度收取信息处理费（元）", False,
              "按国办函〔2020〕109号收取的信息处理费，单位：元；未收取填 0"),
    MetaField("publish_date", "发布日期", True, "如：2026年1月20日（也可填 Excel 日期）"),
    MetaField("signatory", "落款机关", False, "留空则与机关名称相同"),
)

# ---------------------------------------------------------------------------
# Facts of the national format: levels, dates, the draft mark.

TOWNSHIP = "乡镇（苏木、街道）"
COUNTY_GOVERNMENT = "县级人民政府"
COUNTY_DEPARTMENT = "县级部门"
CITY_OR_ABOVE = "设区的市级及以上"
#: 机关层级 as 基本信息 offers them
AGENCY_LEVELS: tuple[str, ...] = (TOWNSHIP, COUNTY_GOVERNMENT, COUNTY_DEPARTMENT, CITY_OR_ABOVE)
#: levels that cannot make 规章 (《立法法》: only provincial and 设区的市 governments do)
LEVELS_WITHOUT_REGULATIONS: frozenset[str] = frozenset({TOWNSHIP, COUNTY_GOVERNMENT,
                                                        COUNTY_DEPARTMENT})

#: the first report year the 2021 format (国办公开办函〔2021〕30号) applies to
FORMAT_FIRST_YEAR = 2021
#: 《条例》第四十九条: the report is published by 31 January of the following year
DEADLINE_MONTH, DEADLINE_DAY = 1, 31
#: the statistics period is the calendar year: (month, day) it starts and ends on
PERIOD_START, PERIOD_END = (1, 1), (12, 31)
#: the header of every page of a report built despite errors (``build --draft``)
DRAFT_MARK = "校验未通过，不得用于正式印发"


def publication_deadline(year: int) -> date:
    """The last day the report of ``year`` may be published: 31 January of ``year + 1``."""
    return date(year + 1, DEADLINE_MONTH, DEADLINE_DAY)


def statistics_period(year: int | str) -> str:
    """所列数据统计期限: ``2025年1月1日至2025年12月31日``."""
    (m1, d1), (m2, d2) = PERIOD_START, PERIOD_END
    return f"{year}年{m1}月{d1}日至{year}年{m2}月{d2}日"


# ---------------------------------------------------------------------------
# The sentences the report prints by itself, declared as pieces so that the Python text
# (generator/report/sentences.py) and the blank workbook's formula (generator/outputs/workbook.py)
# are derived from one declaration and cannot disagree.

#: the regulation and the notice the opening names as the report's basis
REGULATION = "《中华人民共和国政府信息公开条例》（国令第711号）"
FORMAT_NOTICE = ("《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作"
                 "年度报告格式〉的通知》（国办公开办函〔2021〕30号）")
FEE_RULES = "《国务院办公厅关于印发〈政府信息公开信息处理费管理办法〉的通知》（国办函〔2020〕109号）"


@dataclass(frozen=True)
class Words:
    """Fixed words of a sentence."""

    text: str


@dataclass(frozen=True)
class Item:
    """A 基本信息 item (``Meta`` attribute) as typed; ``default`` when it is empty.

    ``before`` and ``after`` are printed around it only when it is not empty.
    """

    key: str
    default: str = ""
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class Subject:
    """The agency as the subject of 「…信息公开总体情况」: 「…人民政府」 keeps one 政府
    (「…人民政府信息公开」), any other name gets one (「…局政府信息公开」)."""

    key: str = "agency"
    word: str = "政府"


@dataclass(frozen=True)
class Listed:
    """Items joined by ``separator``, the non-empty ones only, wrapped in ``before``/``after``
    when at least one is there: （地址：…；咨询电话：…）."""

    items: tuple[Item, ...]
    separator: str = "；"
    before: str = "（"
    after: str = "）"


@dataclass(frozen=True)
class Amount:
    """A 元 amount of 基本信息, printed with two decimals (rounded half up)."""

    key: str


@dataclass(frozen=True)
class WhenZero:
    """``zero`` when the 基本信息 number ``key`` is 0 (or blank), else ``otherwise``."""

    key: str
    zero: "Sentence"
    otherwise: "Sentence"


Piece = Union[Words, Item, Subject, Listed, Amount, WhenZero]
Sentence = tuple[Piece, ...]


def _other_section_names() -> str:
    # "二、主动公开政府信息情况" -> "主动公开政府信息情况"; the opening lists sections 二…六
    return "，".join(s.heading.split("、", 1)[1] for s in SECTIONS[1:])


#: The opening paragraph (编制说明): basis, the six parts, statistics period, where to
#: download it, whom to ask.
OPENING_SENTENCE: Sentence = (
    Words(f"本年度报告根据{REGULATION}、{FORMAT_NOTICE}制作。全文包括"),
    Subject(),
    Words(f"信息公开{SECTIONS[0].heading.split('、', 1)[1]}，{_other_section_names()}。"
          "所列数据统计期限为"),
    Item("year"), Words("年{}月{}日至".format(*PERIOD_START)), Item("year"),
    Words("年{}月{}日。本年度报告电子版可以从".format(*PERIOD_END)),
    Item("portal_name", default="门户网站"), Item("portal_url", before="（", after="）"),
    Words("下载。如对本年度报告有疑问，请与"), Item("agency"), Words("联系"),
    Listed((Item("address", before="地址："), Item("postcode", before="邮编："),
            Item("phone", before="咨询电话："), Item("email", before="电子邮箱："))),
    Words("。"),
)
#: 六（一）, the 信息处理费 sentence: its basis, then whether a fee was charged
FEE_BASIS = Words(f"按照{FEE_RULES}规定的按件、按量收费标准，")
FEE_SENTENCE: Sentence = (
    WhenZero("processing_fee", (FEE_BASIS, Words("本年度没有产生信息处理费。")),
             (FEE_BASIS, Words("本年度共收取信息处理费"), Amount("processing_fee"), Words("元。"))),
)
#: text slot -> the sentence the report prints when the clerk leaves the slot blank
DEFAULT_SENTENCES: dict[str, Sentence] = {"opening": OPENING_SENTENCE, "other.fees": FEE_SENTENCE}

REPORT_TITLE_SUFFIX = "年政府信息公开工作年度报告"


def report_title(agency: str, year: int) -> str:
    """The report's title and file stem: ``{机关名称}{年度}年政府信息公开工作年度报告``."""
    return f"{agency}{year}{REPORT_TITLE_SUFFIX}"

