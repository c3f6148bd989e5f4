"""The input workbook a clerk fills: ``nianbao init`` writes it blank, tests and the bundled
example write it from a :class:`~generator.report.model.Report`.

Every label, merge, total and identity comes from :mod:`generator.form`; every position from
:mod:`generator.report.layout`.  Input cells are shaded light yellow and unlocked, totals
are grey formulas, and the sheets are protected without a password so that labels and
formulas are not overwritten by accident.  Each input cell carries a defined name
(:func:`~generator.report.layout.defined_name`) so the reader finds it wherever it moves.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from generator.form import (
    AGENCY_LEVELS,
    DEFAULT_SENTENCES,
    FIELD_BY_ID,
    META_FIELDS,
    TABLES,
    TEXT_SLOTS,
    Amount,
    CellRole,
    Field,
    GridCell,
    Item,
    Listed,
    Sentence,
    Subject,
    TableForm,
    ValueKind,
    WhenZero,
    Words,
)
from generator.inputs.labels import normalise
from generator.outputs.xlsx_file import save_workbook
from generator.report.layout import (
    SHEET_GUIDE,
    SHEET_META,
    SHEET_TEXT,
    TABLE_SHEETS,
    CellAddress,
    default_field_address,
    defined_name,
    meta_key,
    text_heading_key,
    text_key,
)
from generator.report.model import Meta, Report
from generator.report.sentences import format_number
from generator.safeio import atomic_path

if TYPE_CHECKING:  # only the type: carry.py decides what is carried, this module lays it out
    from generator.outputs.carry_forward import Carried

# ---------------------------------------------------------------------------
# Positions on 基本信息 and 正文 (the tables' positions are the form's grid, see layout.py).

META_FIRST_ROW = 2  # row 1 holds the column headings
TEXT_FIRST_ROW = 2
META_LABEL_COL, META_VALUE_COL, META_HINT_COL = 1, 2, 3
TEXT_LABEL_COL, TEXT_HEADING_COL, TEXT_BODY_COL = 1, 2, 3
#: 正文's column of last year's paragraphs in a carried workbook (reference, never read).
TEXT_REFERENCE_COL, TEXT_REFERENCE_WIDTH = 4, 60
#: 正文 column C, where the clerk types the paragraphs
TEXT_BODY_WIDTH = 100


def meta_address(attribute: str) -> CellAddress:
    """Where a 基本信息 item's value sits in a workbook written here."""
    index = [m.key for m in META_FIELDS].index(attribute)
    return CellAddress(SHEET_META, META_FIRST_ROW + index, META_VALUE_COL)


def text_address(slot_key: str, heading: bool = False) -> CellAddress:
    """Where a text slot's paragraphs (or its custom heading) sit in a workbook written here."""
    index = [s.key for s in TEXT_SLOTS].index(slot_key)
    return CellAddress(SHEET_TEXT, TEXT_FIRST_ROW + index,
                       TEXT_HEADING_COL if heading else TEXT_BODY_COL)


def check_row(table: TableForm) -> int:
    """The row of a table sheet holding its check cells: one blank row below the table."""
    return table.n_rows + 2


# ---------------------------------------------------------------------------
# Look.

FONT = "宋体"
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # light yellow: the clerk writes here
TOTAL_FILL = PatternFill("solid", fgColor="D9D9D9")  # grey: computed, do not type
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")  # light blue: labels of the form
CHECK_FILL = PatternFill("solid", fgColor="E2EFDA")  # light green: a check that holds
BAD_FILL = PatternFill("solid", fgColor="FF0000")  # red: a check that fails
CARRIED_FILL = PatternFill("solid", fgColor="CCC0DA")  # light purple: carried from last year, locked
REFERENCE_FILL = PatternFill("solid", fgColor="F2F2F2")  # pale grey: last year's, for reference
REFERENCE_COLOR = "7F7F7F"  # grey text: reference cells are read by people, never by nianbao
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
UNLOCKED = Protection(locked=False)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)
DATE_FORMAT = 'yyyy"年"m"月"d"日"'

OK_MARK = "✓"
BAD_MARK = "✗"

#: Column widths (in characters) per table sheet, so every label is readable.
_TABLE_WIDTHS: dict[str, list[float]] = {
    "t2": [22, 18, 18, 18],
    "t3": [7, 16, 44] + [10] * 7,
    "t4": [9] * 15,
}


def _clean(text: str) -> str:
    """Text as a cell may hold it: XML-illegal control characters removed."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _set_text(cell: Cell, text: str) -> None:
    """Store ``text`` as text even when it starts with ``=`` (which openpyxl takes for a formula)."""
    cell.value = _clean(text)
    cell.data_type = "s"


def _name(wb: Workbook, key: str, address: CellAddress) -> None:
    ref = f"{quote_sheetname(address.sheet)}!${get_column_letter(address.col)}${address.row}"
    wb.defined_names[defined_name(key)] = DefinedName(defined_name(key), attr_text=ref)


def _ref(address: CellAddress) -> str:
    """An absolute reference to a cell of another sheet, for formulas."""
    return f"{quote_sheetname(address.sheet)}!${get_column_letter(address.col)}${address.row}"


def _validation(kind: str, prompt: str, error: str, *, operator: str | None = None,
                formula1: str | None = None, formula2: str | None = None) -> DataValidation:
    dv = DataValidation(type=kind, operator=operator, formula1=formula1, formula2=formula2,
                        allow_blank=True, showInputMessage=True, showErrorMessage=True,
                        promptTitle="填写提示", prompt=prompt, errorTitle="输入有误", error=error)
    return dv


def _fit_width(ws: Worksheet, landscape: bool = False, one_page: bool = False) -> None:
    """Print on A4, one page wide (and one page tall when ``one_page``)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if landscape:
        ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _protect(ws: Worksheet) -> None:
    # No password: a guard against accidents, not security.  Rows and columns may still be
    # resized so long text can be made visible.
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False
    ws.protection.formatCells = False


# ---------------------------------------------------------------------------
# Formulas derived from the form.


def sum_formula(field: Field) -> str:
    """``=SUM(D4:I4)`` when the parts are adjacent in one row or column, else ``=A4+B4+…``."""
    parts = [default_field_address(FIELD_BY_ID[p]) for p in field.sum_of]
    rows = {a.row for a in parts}
    cols = {a.col for a in parts}
    first, last = min(parts), max(parts)
    if len(rows) == 1 and sorted(a.col for a in parts) == list(range(min(cols), max(cols) + 1)):
        return f"=SUM({first.coordinate}:{last.coordinate})"
    if len(cols) == 1 and sorted(a.row for a in parts) == list(range(min(rows), max(rows) + 1)):
        return f"=SUM({first.coordinate}:{last.coordinate})"
    return "=" + "+".join(a.coordinate for a in parts)


def _plus(field_ids: tuple[str, ...]) -> str:
    return "+".join(default_field_address(FIELD_BY_ID[f]).coordinate for f in field_ids)


#: Excel limits a text constant in a formula to 255 characters
_MAX_LITERAL = 255


def _literal(text: str) -> str:
    """``text`` as Excel string constants joined by ``&`` (quotes doubled, ≤ 255 each)."""
    chunks = [text[i:i + _MAX_LITERAL] for i in range(0, len(text), _MAX_LITERAL)] or [""]
    return "&".join('"' + chunk.replace('"', '""') + '"' for chunk in chunks)


def _item_formula(item: Item) -> str:
    ref = _ref(meta_address(item.key))
    if item.default:
        return f'IF({ref}="",{_literal(item.default)},{ref})'
    if item.before or item.after:
        return f'IF({ref}="","",{_literal(item.before)}&{ref}&{_literal(item.after)})'
    return ref


def sentence_formula(sentence: Sentence) -> str:
    """A sentence of the form as one Excel expression over 基本信息 (no leading ``=``): the
    same words :func:`generator.report.sentences.sentence_text` prints, recalculated as the clerk
    types."""
    parts: list[str] = []
    for piece in sentence:
        if isinstance(piece, Words):
            parts.append(_literal(piece.text))
        elif isinstance(piece, Item):
            parts.append(_item_formula(piece))
        elif isinstance(piece, Subject):
            ref = _ref(meta_address(piece.key))
            word = _literal(piece.word)
            parts.append(f"IF(RIGHT({ref},{len(piece.word)})={word},{ref},{ref}&{word})")
        elif isinstance(piece, Listed):
            joined = "&".join(
                f'IF({_ref(meta_address(i.key))}="","",'
                f'{_literal(piece.separator + i.before)}&{_ref(meta_address(i.key))}&{_literal(i.after)})'
                for i in piece.items)
            # the items each start with the separator: drop the first one, wrap the rest
            parts.append(f'IF(({joined})="","",{_literal(piece.before)}&'
                         f'MID({joined},{len(piece.separator) + 1},1000)&{_literal(piece.after)})')
        elif isinstance(piece, Amount):
            # 元 with two decimals, rounded half up, as defaults.format_yuan prints it
            parts.append(f'TEXT({_ref(meta_address(piece.key))},"0.00")')
        elif isinstance(piece, WhenZero):
            parts.append(f"IF(N({_ref(meta_address(piece.key))})=0,"
                         f"{sentence_formula(piece.zero)},{sentence_formula(piece.otherwise)})")
    return "&".join(parts)


def opening_formula() -> str:
    """The 正文 opening cell of a blank workbook: the form's opening sentence as a formula over
    基本信息, so it follows what the clerk types there.

    Kept equal to the Python default by a LibreOffice test (tests/test_workbook_libreoffice.py).
    """
    agency = _ref(meta_address("agency"))
    return (f'=IF({agency}="","（请先填写“基本信息”，此处将自动生成开头段落）",'
            f'{sentence_formula(DEFAULT_SENTENCES["opening"])})')


def fee_formula() -> str:
    """六（一）of a blank workbook: the form's fee sentence as a formula."""
    return "=" + sentence_formula(DEFAULT_SENTENCES["other.fees"])


#: Text slots whose blank-workbook cell holds a formula (every slot of the form's
#: DEFAULT_SENTENCES); the reader treats a formula there as "print the generator's default"
#: (generator/outputs/document.py fills it).
FORMULA_SLOTS: dict[str, Callable[[], str]] = {"opening": opening_formula, "other.fees": fee_formula}


# ---------------------------------------------------------------------------
# Sheets.

GUIDE_TITLE = "政府信息公开工作年度报告填报表 — 填报说明"
GUIDE_HOW: tuple[str, ...] = (
    "一、怎么填",
    "1. 先填“基本信息”：机关名称、报告年度、门户网站网址、咨询电话、发布日期为必填。",
    "2. 再填“正文”：每个部分写在 C 列一个单元格里；需要分段时，在单元格内按 Alt+Enter（WPS、"
    "LibreOffice 同样适用）换行，每一行就是报告里的一段。开头段落和“收取信息处理费情况”已按"
    "基本信息自动生成，可以直接使用，也可以改写。",
    "3. 最后填“表二”“表三”“表四”：只在浅黄色格子里填数字，没有的填 0，不要留空、不要写文字"
    "（如“无”“/”“—”）。",
    "4. 灰色格子是合计，会自动计算，不要改动。表格下方的校验格显示“✓”表示数字平衡，变成红色的"
    "“✗”表示数字对不上，请检查后再提交。",
    "5. 保存为 .xlsx 格式，然后运行：nianbao check 文件名.xlsx 检查，nianbao build 文件名.xlsx 生成报告。",
)
LEGEND_HEADING = "二、颜色说明"
GUIDE_RULES: tuple[str, ...] = (
    "三、数字的规则",
    "1. 件数只能填 0 或正整数；表二“本年收费金额”以万元为单位，可以有小数（最多 4 位）。",
    "2. 表三每一列：一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度继续办理。",
    "3. 表三（七）总计 = （一）至（六）各项之和；“总计”列 = 自然人 + 各类法人或其他组织之和。",
    "4. 部分公开（区分处理）的申请只计入（二）部分公开，不再计入其他情形。",
    "5. 表四每一组：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结。",
    "",
    "工作表已加保护（没有密码），以免误改标题和公式；如确需修改，可在“审阅”中撤销工作表保护。",
)
_LEGEND: tuple[tuple[PatternFill, str], ...] = (
    (INPUT_FILL, "浅黄色：请在这里填写"),
    (TOTAL_FILL, "灰色：自动计算的合计，不要改动"),
    (CHECK_FILL, f"浅绿色“{OK_MARK}”：校验通过"),
    (BAD_FILL, f"红色“{BAD_MARK}”：数字对不上，请检查"),
    (HEADER_FILL, "浅蓝色：官方表格的标题，不要改动"),
)
#: Legend entries only a workbook carried from last year's has.
CARRIED_LEGEND: tuple[tuple[PatternFill, str], ...] = (
    (CARRIED_FILL, "淡紫色：从上年结转，已锁定（表三“二、上年结转”；批注写明来源，如确需修改可撤销"
                   "工作表保护，没有密码）"),
    (REFERENCE_FILL, "浅灰底灰字：上年的数字或文字，仅供参考，不是填报格，不会进入报告"),
)
#: (text, swatch fill, bold) per row of 填报说明 in a blank workbook.
_GuideRow = tuple[str, PatternFill | None, bool]


def _carried_intro(carried: "Carried") -> list[str]:
    """The paragraph on top of 填报说明 saying what came from last year's workbook."""
    last = f"{carried.last_year} 年度" if carried.last_year else "上年"
    year = f"已改为 {carried.year}" if carried.year else "请填写"
    return [
        f"本工作簿由上年（{last}）工作簿“{carried.source_name}”结转生成",
        f"1. “基本信息”沿用上年，报告年度{year}，发布日期和信息处理费已清空，请逐项核对。",
        "2. 表三“二、上年结转政府信息公开申请数量”已按上年“四、结转下年度继续办理”逐列填好（淡紫色格子，"
        "已锁定，批注写明来源）。如上年数字确有更正，可撤销工作表保护（没有密码）后修改，并在正文中说明。",
        "3. 表二 E 列是上年的现行有效件数，正文 D 列是上年各部分的文字，都是浅灰底灰字、仅供参考，"
        "不是填报格，不会进入报告。本年现行有效件数 = 上年现行有效件数 + 本年制发件数 − 本年废止件数。",
        "4. 其他数字和正文都是空白，请按本年度情况填写。填好后运行 nianbao check 本文件.xlsx --previous "
        "上年文件.xlsx，可核对上年结转。",
        "",
    ]


def guide_rows(carried: "Carried | None" = None) -> list[_GuideRow]:
    """填报说明 row by row: the title, (what was carried,) how to fill, the colour legend,
    the rules of the numbers."""
    rows: list[_GuideRow] = [(GUIDE_TITLE, None, True), ("", None, False)]
    if carried is not None:
        intro = _carried_intro(carried)
        rows += [(intro[0], None, True), *((line, None, False) for line in intro[1:])]
    rows += [(GUIDE_HOW[0], None, True), *((line, None, False) for line in GUIDE_HOW[1:])]
    rows += [("", None, False), (LEGEND_HEADING, None, True)]
    legend = _LEGEND + (CARRIED_LEGEND if carried is not None else ())
    rows += [(text, fill, False) for fill, text in legend]
    rows += [("", None, False), (GUIDE_RULES[0], None, True)]
    rows += [(line, None, False) for line in GUIDE_RULES[1:]]
    return rows


#: The text of 填报说明 of a blank workbook, line by line.
GUIDE_LINES: tuple[str, ...] = tuple(text for text, _, _ in guide_rows())


def _guide_sheet(ws: Worksheet, carried: "Carried | None" = None) -> None:
    ws.column_dimensions["A"].width = 4
    ws.column_dimensions["B"].width = 100
    for i, (line, fill, bold) in enumerate(guide_rows(carried), start=1):
        if len(line) > 48:  # wrapped lines: room for two or three lines of text
            ws.row_dimensions[i].height = 15 * (1 + len(line) // 48)
        cell = ws.cell(i, 2, line or None)
        cell.alignment = LEFT
        cell.font = Font(name=FONT, size=16 if i == 1 else 11, bold=bold)
        if fill is not None:
            swatch = ws.cell(i, 1)
            swatch.fill = fill
            swatch.border = BORDER
    _fit_width(ws)
    _protect(ws)


def _heading_row(ws: Worksheet, titles: tuple[str, ...]) -> None:
    for col, title in enumerate(titles, start=1):
        cell = ws.cell(1, col, title)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = CENTER
    ws.freeze_panes = "A2"


def _meta_values(meta: Meta | None, agency: str, year: int | None) -> dict[str, object]:
    """基本信息 values to write: a report's meta, or only agency/year for a blank workbook."""
    if meta is None:
        return {"agency": agency or None, "year": year}
    return {m.key: getattr(meta, m.key) for m in META_FIELDS}


def _meta_sheet(wb: Workbook, ws: Worksheet, values: dict[str, object]) -> None:
    _heading_row(ws, ("项目", "填写内容", "说明"))
    for col, width in zip("ABC", (26, 48, 70)):
        ws.column_dimensions[col].width = width
    year = _validation("whole", "四位数字的年份，如 2025。", "报告年度应为 2021 至 2100 之间的四位整数。",
                       operator="between", formula1="2021", formula2="2100")
    level = _validation("list", "可从下拉列表中选择；不确定可留空。", "请从下拉列表中选择机关层级。",
                        formula1='"' + ",".join(AGENCY_LEVELS) + '"')
    fee = _validation("decimal", "单位：元；未收取填 0。", "这里只能填写大于或等于 0 的数字（单位：元）。",
                      operator="greaterThanOrEqual", formula1="0")
    for dv in (year, level, fee):
        ws.add_data_validation(dv)
    for m in META_FIELDS:
        address = meta_address(m.key)
        row = address.row
        _row_label(ws.cell(row, META_LABEL_COL), m.label, required=m.required)
        cell = ws.cell(row, META_VALUE_COL)
        value = values.get(m.key)
        if value == "":
            value = None
        if isinstance(value, str):
            _set_text(cell, value)
        elif isinstance(value, Decimal):
            cell.value = int(value) if value == value.to_integral_value() else value
        else:
            cell.value = value
        if m.key == "publish_date":
            cell.number_format = DATE_FORMAT
        cell.fill = INPUT_FILL
        cell.protection = UNLOCKED
        cell.border = BORDER
        cell.alignment = LEFT
        cell.font = Font(name=FONT)
        hint = ws.cell(row, META_HINT_COL, ("（必填）" if m.required else "") + m.hint)
        hint.alignment = LEFT
        hint.font = Font(name=FONT, color="595959")
        ws.row_dimensions[row].height = 22
        validation = {"year": year, "level": level, "processing_fee": fee}.get(m.key)
        if validation is not None:
            validation.add(cell)
        _name(wb, meta_key(m.key), address)
    _fit_width(ws, landscape=True)
    _protect(ws)


#: points per wrapped line of 11 pt text (宋体 and Calibri lines are about 14.3 pt)
LINE_POINTS = 15.5
#: Excel's largest row height
MAX_ROW_POINTS = 409


def _columns(text: str) -> int:
    """Width of ``text`` in column-width units: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _text_rows(text: str, width: int = 90) -> float:
    """A row height (points) that shows ``text`` wrapped in a column ``width`` characters wide.

    Only for text written into the workbook: a row without text keeps no height at all, so
    Excel, WPS and LibreOffice grow it as the clerk types (a fixed height clips the text).
    """
    usable = max(width - 2, 10)  # cell padding
    lines = sum(max(1, -(-_columns(p) // usable)) for p in text.split("\n"))
    return min(MAX_ROW_POINTS, LINE_POINTS * lines + 4)


def _row_label(cell: Cell, text: str, *, required: bool) -> None:
    """A row's label on 基本信息 or 正文: bold when the item is required."""
    cell.value = text
    cell.font = Font(name=FONT, bold=required)
    cell.border = BORDER
    cell.alignment = LEFT


def _reference_style(cell: Cell, alignment: Alignment = TOP_LEFT) -> None:
    """Last year's value or text beside an input: pale grey, grey text, locked."""
    cell.fill = REFERENCE_FILL
    cell.font = Font(name=FONT, size=10, color=REFERENCE_COLOR)
    cell.alignment = alignment
    cell.border = BORDER


#: Every text the reader looks for when a workbook has lost its defined names.
_READER_LABELS: frozenset[str] = frozenset(
    normalise(text) for text in (*(s.label for s in TEXT_SLOTS),
                                 *(m.label for m in META_FIELDS),
                                 *(c.text for t in TABLES for c in t.labels)))
REFERENCE_MARK = "（上年）"


def reference_text(carried: "Carried", slot_key: str) -> str:
    """What 正文's reference column shows for a slot: last year's heading and paragraphs.

    A reference that reads exactly like one of the form's labels (last year's text was only
    “五、存在的主要问题及改进情况”) is marked, so that a reader looking for that label in a
    workbook without defined names never takes the reference cell for it.
    """
    reference = carried.text_reference(slot_key)
    if reference is None:
        return ""
    lines = [f"【小标题】{reference.heading}"] if reference.heading else []
    text = "\n".join([*lines, *reference.paragraphs])
    return f"{REFERENCE_MARK}{text}" if normalise(text) in _READER_LABELS else text


def _text_sheet(wb: Workbook, ws: Worksheet, report: Report | None,
                carried: "Carried | None" = None) -> None:
    _heading_row(ws, ("部分", "小标题（仅“其他事项”需要填写）",
                      "正文（一个单元格可写多段：按 Alt+Enter 换行即分段）"))
    for col, width in zip("ABC", (30, 26, TEXT_BODY_WIDTH)):
        ws.column_dimensions[col].width = width
    if carried is not None:
        header = ws.cell(1, TEXT_REFERENCE_COL, "上年内容（参考，不会进入报告）")
        _reference_style(header, CENTER)
        header.font = Font(name=FONT, bold=True, color=REFERENCE_COLOR)
        ws.column_dimensions[get_column_letter(TEXT_REFERENCE_COL)].width = TEXT_REFERENCE_WIDTH
    prompt = _validation("textLength", "每段一行：在单元格内按 Alt+Enter 换行即另起一段。",
                         "文字过长。", operator="lessThanOrEqual", formula1="32000")
    prompt.showErrorMessage = False
    ws.add_data_validation(prompt)
    for slot in TEXT_SLOTS:
        body = text_address(slot.key)
        row = body.row
        _row_label(ws.cell(row, TEXT_LABEL_COL), slot.label, required=slot.required)
        heading = ws.cell(row, TEXT_HEADING_COL)
        heading.border = BORDER
        heading.alignment = LEFT
        heading.font = Font(name=FONT)
        if slot.custom_heading:
            heading.fill = INPUT_FILL
            heading.protection = UNLOCKED
            if report is not None and report.narrative[slot.key].heading:
                _set_text(heading, report.narrative[slot.key].heading)
            _name(wb, text_heading_key(slot.key), text_address(slot.key, heading=True))
        else:
            heading.value = slot.heading or ""
            heading.font = Font(name=FONT, color="595959")
        cell = ws.cell(row, TEXT_BODY_COL)
        text = ""
        if report is not None:
            text = "\n".join(report.narrative[slot.key].paragraphs)
            if text:
                _set_text(cell, text)
        elif slot.key in FORMULA_SLOTS:
            # a formula's text appears only when the spreadsheet computes it: the row sizes
            # itself then, and keeps growing when the clerk types over the formula
            cell.value = FORMULA_SLOTS[slot.key]()
        cell.fill = INPUT_FILL
        cell.protection = UNLOCKED
        cell.alignment = TOP_LEFT
        cell.border = BORDER
        cell.font = Font(name=FONT)
        prompt.add(cell)
        if carried is not None:
            reference = reference_text(carried, slot.key)
            _reference_style(ws.cell(row, TEXT_REFERENCE_COL))
            if reference:
                # no height either: the row fits the reference when opened and still grows
                # when this year's text, typed in C, is longer
                _set_text(ws.cell(row, TEXT_REFERENCE_COL), reference)
        if text:
            ws.row_dimensions[row].height = _text_rows(text, TEXT_BODY_WIDTH)
        _name(wb, text_key(slot.key), body)
    note_row = TEXT_FIRST_ROW + len(TEXT_SLOTS) + 1
    ws.cell(note_row, 1, "开头段落和“收取信息处理费情况”留空时，生成报告时自动按基本信息填写；"
                         "“其他事项”不用时留空即可。").font = Font(name=FONT, color="595959")
    if carried is not None:
        ws.cell(note_row + 1, 1, f"{get_column_letter(TEXT_REFERENCE_COL)} 列是上年工作簿"
                                 f"“{carried.source_name}”的正文，仅供参考，不会进入报告；"
                                 "本年的文字请写在 C 列。").font = Font(name=FONT, color="595959")
    _fit_width(ws, landscape=True)
    _protect(ws)


def _label_alignment(table: TableForm, grid: GridCell) -> Alignment:
    """Headers and captions centred; 表三's outcome labels flush left like the official form."""
    if grid.rowspan > 8:  # 三、本年度办理结果 is written top to bottom
        return Alignment(horizontal="center", vertical="center", text_rotation=255,
                         wrap_text=True)
    if table.key == "t3" and grid.role is CellRole.LABEL and grid.col > 0:
        return LEFT
    return CENTER


def _table_sheet(wb: Workbook, ws: Worksheet, table: TableForm, report: Report | None,
                 carried: "Carried | None" = None) -> None:
    for i, width in enumerate(_TABLE_WIDTHS[table.key], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    count = _validation("whole", "填写件数（0 或正整数），没有请填 0。",
                        "这里只能填写大于或等于 0 的整数（件数）。",
                        operator="greaterThanOrEqual", formula1="0")
    amount = _validation("decimal", "单位：万元，可以有小数（最多 4 位），没有请填 0。",
                         "这里只能填写大于或等于 0 的数字（单位：万元）。",
                         operator="greaterThanOrEqual", formula1="0")
    ws.add_data_validation(count)
    ws.add_data_validation(amount)
    for grid in table.cells:
        top, left = grid.row + 1, grid.col + 1
        bottom, right = grid.last_row + 1, grid.last_col + 1
        if bottom > top or right > left:
            ws.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)
        for r in range(top, bottom + 1):  # borders on every cell of a merge
            for c in range(left, right + 1):
                ws.cell(r, c).border = BORDER
        cell = ws.cell(top, left)
        cell.font = Font(name=FONT, size=10)
        if grid.field_id is None:
            cell.value = grid.text
            cell.fill = HEADER_FILL
            cell.alignment = _label_alignment(table, grid)
            if grid.role is CellRole.CAPTION:
                cell.font = Font(name=FONT, size=10, bold=True)
            continue
        f = FIELD_BY_ID[grid.field_id]
        cell.alignment = Alignment(horizontal="center", vertical="center")
        _name(wb, f.id, default_field_address(f))
        if f.is_total:
            cell.value = sum_formula(f)
            cell.fill = TOTAL_FILL
            continue
        if report is not None and f.id in report.numbers.values:
            # A number the report does not hold (an import that could not read it) stays
            # blank: writing 0 would pass for a number the report printed.
            cell.value = report.numbers[f.id]
        cell.fill = INPUT_FILL
        cell.protection = UNLOCKED
        if f.kind is ValueKind.AMOUNT:
            cell.number_format = "0.######"  # V-1 accepts 6 decimals: show them all
            amount.add(cell)
        else:
            cell.number_format = "0"
            count.add(cell)
    for r in range(1, table.n_rows + 1):
        ws.row_dimensions[r].height = 20 if table.key == "t3" else 30
    if table.key == "t3":
        for grid in table.labels:  # long labels (（二）部分公开…, （六）1./2.) need two lines
            span_width = sum(_TABLE_WIDTHS["t3"][grid.col:grid.last_col + 1])
            if grid.rowspan == 1 and len(grid.text) * 2 > span_width:  # a CJK char is 2 wide
                ws.row_dimensions[grid.row + 1].height = 32
    _check_cells(ws, table)
    if carried is not None:
        _carried_cells(ws, table, carried)
        _in_force_reference(ws, table, carried)
    ws.print_options.horizontalCentered = True
    wide = table.key in ("t3", "t4")
    _fit_width(ws, landscape=wide, one_page=wide)
    ws.print_title_rows = f"1:{table.header_rows}" if table.header_rows else None
    _protect(ws)


def _check_cell(ws: Worksheet, row: int, col: int, formula: str, bad_when: str,
                last_col: int | None = None) -> None:
    if last_col is not None and last_col > col:
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=last_col)
    cell = ws.cell(row, col, formula)
    cell.fill = CHECK_FILL
    cell.border = BORDER
    cell.alignment = CENTER
    cell.font = Font(name=FONT, size=9)
    ws.conditional_formatting.add(
        cell.coordinate,
        FormulaRule(formula=[bad_when], fill=BAD_FILL, font=Font(color="FFFFFF", bold=True)))


def _check_cells(ws: Worksheet, table: TableForm) -> None:
    """Visible checks below the table; they turn red while the numbers disagree."""
    row = check_row(table)
    if table.key == "t3":
        label = ws.cell(row, 1, "勾稽校验：一＋二＝（七）总计＋四")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        label.font = Font(name=FONT, size=10, bold=True)
        label.alignment = CENTER
        for balance in table.balances:
            col = default_field_address(FIELD_BY_ID[balance.left[0]]).col
            left, right = _plus(balance.left), _plus(balance.right)
            _check_cell(ws, row, col,
                        f'=IF({left}={right},"{OK_MARK} 平衡","{BAD_MARK} 不平衡")',
                        f"({left})<>({right})")
        ws.row_dimensions[row].height = 30
    groups = table.total_fields if table.key == "t4" else ()
    for f in groups:  # 表四: one check per group, guarding against a value pasted over 总计
        total = default_field_address(f)
        parts = [default_field_address(FIELD_BY_ID[p]) for p in f.sum_of]
        added = "+".join(p.coordinate for p in parts)
        first = min(p.col for p in parts)
        _check_cell(ws, row, first,
                    f'=IF({total.coordinate}={added},"{OK_MARK} {f.row_label}总计正确",'
                    f'"{BAD_MARK} {f.row_label}总计≠各项之和")',
                    f"{total.coordinate}<>{added}", last_col=total.col)
    if table.key == "t4":
        ws.row_dimensions[row].height = 30
    note = ws.cell(row + 2, 1, "浅黄色格子填写数字（没有填 0）；灰色格子自动计算，不要改动。")
    note.font = Font(name=FONT, size=10, color="595959")


# ---------------------------------------------------------------------------
# What a workbook carried from last year's adds (see generator/outputs/carry_forward.py).


def carried_comment(carried: "Carried", source: CellAddress, value: object) -> str:
    """The note on a carried cell: where its value came from, and how to change it."""
    shown = format_number(value) if isinstance(value, (int, Decimal)) else str(value)
    return (f"由上年工作簿“{carried.source_name}” {source} 结转：{shown}。"
            "如确需修改，可取消工作表保护（无密码）后修改。")


def _carried_cells(ws: Worksheet, table: TableForm, carried: "Carried") -> None:
    """表三 二、上年结转: last year's 四、结转下年度继续办理, locked, purple, with a note."""
    mine = [c for c in carried.carried_over if FIELD_BY_ID[c.field_id].table == table.key]
    for item in mine:
        address = default_field_address(FIELD_BY_ID[item.field_id])
        cell = ws.cell(address.row, address.col)
        value = item.value
        cell.value = int(value) if isinstance(value, Decimal) and value == int(value) else value
        cell.fill = CARRIED_FILL
        cell.protection = Protection(locked=True)
        comment = Comment(carried_comment(carried, item.source, value), "nianbao")
        comment.width, comment.height = 260, 90
        cell.comment = comment
    if mine:
        note = ws.cell(check_row(table) + 3, 1,
                       f"淡紫色格子（{table.field_by_id[mine[0].field_id].row_label}）由上年工作簿"
                       f"“{carried.source_name}”的“四、结转下年度继续办理”结转，已锁定；"
                       "如确需修改，可撤销工作表保护（没有密码）。")
        note.font = Font(name=FONT, size=10, color="595959")


#: 表二's reference columns beside the grid: last year's 现行有效件数, and what it makes.
IN_FORCE_REFERENCE_TITLES = ("上年现行有效件数（参考）", "上年＋本年制发－本年废止（参考）")
IN_FORCE_HINT = "现行有效 = 上年现行有效 + 本年制发 − 本年废止（灰色两列仅供核对，不是填报格）"


def _in_force_reference(ws: Worksheet, table: TableForm, carried: "Carried") -> None:
    """Last year's 现行有效件数 beside 表二's 规章 / 行政规范性文件 rows, outside the grid."""
    mine = [r for r in carried.in_force if r.key in table.field_by_id]
    if not mine:
        return
    first_col = table.n_cols + 1
    header_row = min(default_field_address(FIELD_BY_ID[r.key]).row for r in mine) - 1
    hint = ws.cell(header_row - 1, first_col, IN_FORCE_HINT)
    ws.merge_cells(start_row=header_row - 1, start_column=first_col, end_row=header_row - 1,
                   end_column=first_col + 1)
    _reference_style(hint, CENTER)
    for i, title in enumerate(IN_FORCE_REFERENCE_TITLES):
        ws.column_dimensions[get_column_letter(first_col + i)].width = 20 + 2 * i
        _reference_style(ws.cell(header_row, first_col + i, title), CENTER)
        ws.cell(header_row, first_col + i).font = Font(name=FONT, size=10, bold=True,
                                                         color=REFERENCE_COLOR)
    for reference in mine:
        f = FIELD_BY_ID[reference.key]
        row = default_field_address(f).row
        last = ws.cell(row, first_col, reference.value)
        _reference_style(last, CENTER)
        last.number_format = "0"
        issued, repealed = (default_field_address(FIELD_BY_ID[f"{f.table}.{f.row}.{c}"]).coordinate
                            for c in ("issued", "repealed"))
        made = ws.cell(row, first_col + 1, f"={last.coordinate}+{issued}-{repealed}")
        _reference_style(made, CENTER)
        made.number_format = "0"


# ---------------------------------------------------------------------------


def build_workbook(report: Report | None = None, *, agency: str = "",
                   year: int | None = None, carried: "Carried | None" = None) -> Workbook:
    """The input workbook: blank (``report`` None; ``agency``/``year`` prefilled if given),
    holding every value of ``report``, or next year's workbook ``carried`` from last year's
    (:mod:`generator.outputs.carry_forward`: 基本信息, 表三 二、上年结转 locked, and last year's
    现行有效件数 and paragraphs as reference columns that no reader takes for input).

    Reading the result back with :func:`generator.inputs.workbook.reader.read_workbook` gives
    ``report`` again (totals recomputed), which the round-trip tests assert.
    """
    if carried is not None and (report is not None or agency or year is not None):
        raise ValueError("a carried workbook takes 基本信息 from last year's, not from arguments")
    meta = report.meta if report is not None else None
    wb = Workbook()
    wb.remove(wb.active)
    _guide_sheet(wb.create_sheet(SHEET_GUIDE), carried)
    meta_ws = wb.create_sheet(SHEET_META)
    values = dict(carried.meta) if carried is not None else _meta_values(meta, agency, year)
    _meta_sheet(wb, meta_ws, values)
    _text_sheet(wb, wb.create_sheet(SHEET_TEXT), report, carried)
    for table in TABLES:
        _table_sheet(wb, wb.create_sheet(TABLE_SHEETS[table.key]), table, report, carried)
    wb.active = 1  # open on 基本信息
    return wb


def write_workbook(target: Path, report: Report | None = None, *, agency: str = "",
                   year: int | None = None, overwrite: bool = False,
                   carried: "Carried | None" = None) -> Path:
    """Write :func:`build_workbook` to ``target`` atomically; refuse to overwrite unless asked."""
    target = Path(target)
    wb = build_workbook(report, agency=agency, year=year, carried=carried)
    with atomic_path(target, overwrite=overwrite) as tmp:
        save_workbook(wb, tmp)
    return target


__all__ = ["build_workbook", "write_workbook", "meta_address", "text_address", "check_row",
           "sum_formula", "opening_formula", "fee_formula", "FORMULA_SLOTS", "guide_rows",
           "carried_comment", "reference_text", "CARRIED_FILL", "REFERENCE_FILL",
           "TEXT_REFERENCE_COL", "IN_FORCE_REFERENCE_TITLES", "REFERENCE_MARK"]
