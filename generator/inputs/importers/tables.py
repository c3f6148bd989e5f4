"""Turn a published table's cells, whatever the source, into numbers of the form.

A cell is placed by its labels, never by its position alone: each body row is matched to a
form row by its row label(s) and each value to a form column by the header above it (row
label × column label), all derived from :mod:`generator.form` and compared tolerantly
(:mod:`.labels`).  Where the source states merges (HTML, .docx), a value's column is
computed from the spans and named by the header path over it; plain text copied from a
portal loses the spans, so there the values of a row are read in the official column order
after checking that the header names those columns.

What is printed is what is imported: a blank cell is not imported (it stays blank in the
workbook) and is listed as a blank — never replaced by 0 or by a balancing total; totals
are taken as printed (the checker then shows the report's own inconsistencies), and every
cell that fits no field is reported with the text seen.  Tables without stated merges are
read from their cell sequence by :mod:`.sequence`.

The 2019 trial format (国办公开办函〔2019〕60号, official_format.md §1.8) is recognised:

* 表二 — only 「处理决定数量」 (第二十条第（五）（六）项) means the same as 2021's
  「本年处理决定数量」 and is imported, with a note.  「本年新制作数量」/「本年新公开数量」/
  「对外公开总数量」 are *not* mapped to 本年制发件数/现行有效件数: 2019 counted documents made
  and published (a published total includes repealed ones), 2021 counts documents issued,
  repealed and in force, and a wrong carry-over would then drift into every later year.
  They, 「上一年项目数量」/「本年增/减」, 其他对外管理服务事项 and （九）政府集中采购 are
  reported as not imported, with the numbers seen, for the clerk to fill in by hand.
* 表三 — the single row 「（六）其他处理」 is imported as （六）3.其他, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from generator.form import (
    FIELD_BY_ID,
    FIELDS,
    T2_ITEM_COLUMN,
    T3_APPLICANTS,
    T3_CARRIED_FORWARD,
    T3_CARRIED_OVER,
    T3_COLUMNS,
    T3_NEW,
    T3_OUTCOME_GROUPS,
    T3_OUTCOME_TOTAL,
    T3_OUTCOMES,
    T4_DIRECT_SUIT,
    T4_LITIGATION,
    T4_RESULTS,
    T4_REVIEW,
    T4_ROW,
    T4_SUIT_AFTER_REVIEW,
    TABLE2,
    TABLE3,
    TABLE4,
    TABLE_BY_KEY,
    TableForm,
    ValueKind,
    field_path,
)
from generator.inputs.headers import column_chains
from generator.inputs.importers.document import RawCell, RawTable
from generator.inputs.importers.sequence import (
    READERS,
    Kind,
    SequenceRead,
    Token,
    tokens_of_cell,
    tokens_of_line,
)
from generator.inputs.labels import Strictness, best_match, normalise
from generator.inputs.numbers import BLANK, NumberStyle, parse_number_text
from generator.report.model import Number

# ---------------------------------------------------------------------------
# Naming fields for people


# ---------------------------------------------------------------------------
# Cell values

@dataclass(frozen=True)
class CellValue:
    """A value cell read: ``number`` if it held one, ``blank`` if empty or a dash."""

    text: str
    number: Decimal | None = None
    blank: bool = False


def read_value(text: str) -> CellValue:
    """A printed value cell, read as every input reads a number (:mod:`generator.inputs.numbers`)."""
    parsed = parse_number_text(text, NumberStyle.PRINTED)
    if parsed is BLANK:
        return CellValue(text.strip(), blank=True)
    if isinstance(parsed, Decimal):
        return CellValue(text.strip(), parsed)
    return CellValue(text.strip())


def _is_number(text: str) -> bool:
    return read_value(text).number is not None


def _is_label(text: str) -> bool:
    value = read_value(text)
    return not value.blank and value.number is None


# ---------------------------------------------------------------------------
# Result of mapping


@dataclass
class TableImport:
    """Numbers found, which were blank, and what was noted or could not be placed."""

    values: dict[str, Number] = field(default_factory=dict)
    blanks: list[str] = field(default_factory=list)  # field ids printed blank
    notes: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    tables_found: list[str] = field(default_factory=list)  # table keys, in order seen
    format_2019: bool = False
    #: what could not be read and stays blank in the workbook: the clerk must fill it in
    problems: list[str] = field(default_factory=list)

    def absorb(self, other: "TableImport") -> None:
        self.values.update(other.values)
        self.blanks.extend(other.blanks)
        self.notes.extend(other.notes)
        self.unmapped.extend(other.unmapped)
        self.problems.extend(other.problems)
        self.format_2019 = self.format_2019 or other.format_2019

    def absorb_sequence(self, key: str, read: SequenceRead) -> None:
        for fid, number in read.values.items():
            if FIELD_BY_ID[fid].kind is ValueKind.COUNT and number != number.to_integral():
                self.problems.append(f"{field_path(fid)} 应为整数件数，看到的是「{number}」，未导入")
                continue
            self.values[fid] = _typed(fid, number)
        self.blanks.extend(read.blanks)
        self.notes.extend(read.notes)
        self.problems.extend(read.problems)
        self.unmapped.extend(read.unmapped)

    def put(self, field_id: str, cell: CellValue, where: str) -> None:
        """Store one value cell as printed; a blank stays unset (blank in the workbook)."""
        path = field_path(field_id)
        if field_id in self.values or field_id in self.blanks:
            self.unmapped.append(f"{where}：{path} 出现了两次，第二次的「{cell.text}」未导入")
            return
        if cell.blank:
            self.blanks.append(field_id)
            return
        if cell.number is None:
            self.unmapped.append(f"{where}：{path} 应为数字，看到的是「{cell.text}」，未导入")
            return
        if FIELD_BY_ID[field_id].kind is ValueKind.COUNT and cell.number != cell.number.to_integral():
            self.unmapped.append(f"{where}：{path} 应为整数件数，看到的是「{cell.text}」，未导入")
            return
        self.values[field_id] = _typed(field_id, cell.number)


def _typed(field_id: str, number: Decimal) -> Number:
    if FIELD_BY_ID[field_id].kind is ValueKind.AMOUNT:
        return number
    return int(number)


# ---------------------------------------------------------------------------
# Grid layout of a table whose spans are known


@dataclass(frozen=True)
class Placed:
    """A cell at its grid position; ``origin`` is the row where it starts."""

    cell: RawCell
    row: int
    col: int


def layout(rows: tuple[tuple[RawCell, ...], ...]) -> list[list[Placed]]:
    """Every row's cells with their grid column, including cells reaching down from above.

    This is the HTML table algorithm: a cell takes the first free column, and a rowspan
    reserves its columns in the rows below.  The list of row ``r`` holds each covering
    cell once, ordered by column.
    """
    taken: dict[tuple[int, int], Placed] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed = Placed(cell, r, c)
            for dr in range(max(1, cell.rowspan)):
                for dc in range(max(1, cell.colspan)):
                    taken[(r + dr, c + dc)] = placed
            c += max(1, cell.colspan)
    out: list[list[Placed]] = []
    for r in range(len(rows)):
        seen: list[Placed] = []
        for c in sorted(c for (rr, c) in taken if rr == r):
            p = taken[(r, c)]
            if p not in seen:
                seen.append(p)
        out.append(seen)
    return out


def header_paths(grid: list[list[Placed]], header_rows: int) -> dict[int, list[str]]:
    """Grid column → the header texts over it, top to bottom (merged headers once)."""
    paths: dict[int, list[str]] = {}
    for r in range(header_rows):
        for p in grid[r]:
            for c in range(p.col, p.col + max(1, p.cell.colspan)):
                path = paths.setdefault(c, [])
                if normalise(p.cell.text) and (not path or path[-1] != p.cell.text):
                    path.append(p.cell.text)
    return paths


# ---------------------------------------------------------------------------
# Which table is which

T2_ROWS: tuple[tuple[str, str], ...] = tuple(dict.fromkeys(
    (f.row, f.row_label) for f in TABLE2.fields))
#: Label variants seen in real reports that canonical forms cannot bridge.
T2_ROW_ALIASES: tuple[tuple[str, str], ...] = (("normative_documents", "规范性文件"),)
T2_COLUMNS: tuple[tuple[str, str], ...] = tuple(dict.fromkeys(
    (f.col_label, f.col_label) for f in TABLE2.fields))
#: 2019 trial-format labels: canonical label -> 2021 column key, or None if not the same thing.
T2_2019_COLUMNS: dict[str, str | None] = {
    normalise("本年新制作数量"): None,
    normalise("本年新公开数量"): None,
    normalise("对外公开总数量"): None,
    normalise("上一年项目数量"): None,
    normalise("本年增/减"): None,
    normalise("处理决定数量"): "decisions",
    normalise("采购项目数量"): None,
    normalise("采购总金额"): None,
}
T2_2019_ROWS = {normalise("其他对外管理服务事项"), normalise("政府集中采购")}


def classify(table: RawTable, section: str | None) -> str | None:
    """The form table (t2/t3/t4) a source table is, by its labels; the section as a hint."""
    texts = {normalise(c.text) for row in table.rows for c in row}
    cores = {normalise(c.text, Strictness.CORE) for row in table.rows for c in row}
    if normalise(T3_APPLICANTS) in texts or normalise(T3_NEW[1], Strictness.CORE) in cores:
        return "t3"
    if normalise(T4_REVIEW[1]) in texts and normalise(T4_LITIGATION) in texts:
        return "t4"
    t2_labels = {normalise(label) for _, label in T2_ROWS + T2_ROW_ALIASES} | T2_2019_ROWS
    if normalise(T2_ITEM_COLUMN) in texts or texts & t2_labels or \
            any(t.startswith("第二十条") for t in texts):
        return "t2"
    return {"二": "t2", "三": "t3", "四": "t4"}.get(section or "")


def _tokens(table: RawTable) -> list[Token]:
    if table.lines:
        return [t for row in table.rows for cell in row for t in tokens_of_line(cell.text)]
    return [t for row in table.rows for cell in row for t in tokens_of_cell(cell.text)]


def _complete(scratch: TableImport, key: str) -> bool:
    """Whether the label-based reading of a table placed every cell and nothing else."""
    form = TABLE_BY_KEY[key]
    return not scratch.unmapped and not scratch.problems and all(
        f.id in scratch.values or f.id in scratch.blanks for f in form.fields)


def map_tables(tables: list[tuple[str | None, RawTable]]) -> TableImport:
    """Map every source table to fields; tables that are none of the three are reported.

    A table whose merges are known (HTML, .docx) is read through its grid.  Otherwise every
    piece the source gave for that table — text tables split at a caption line, lines of a
    ``pdftotext`` output — is read as one sequence of cells (:mod:`.sequence`), unless the
    row-by-row reading of a ``|``/tab table already placed every cell.
    """
    result = TableImport()
    groups: dict[str, list[RawTable]] = {}
    for section, table in tables:
        key = classify(table, section)
        if key is None:
            if table.lines:
                result.unmapped.extend(
                    f"{section and f'第{section}部分' or ''}的文字「{_clip(cell.text)}」"
                    "（此处只应有表格或小标题，未导入）"
                    for row in table.rows for cell in row if normalise(cell.text))
                continue
            first = next((c.text for row in table.rows for c in row if normalise(c.text)), "")
            result.unmapped.append(f"{table.where}（首格「{first[:30]}」）不是规定的三张表之一，未导入")
            continue
        groups.setdefault(key, []).append(table)
        if table.lines:  # sentences among a table's lines are text for the clerk to place
            result.unmapped.extend(
                f"{TABLE_BY_KEY[key].name}处的文字「{_clip(cell.text)}」（此处只应有表格，未导入）"
                for row in table.rows for cell in row if "。" in cell.text)
    for key in ("t2", "t3", "t4"):
        group = groups.get(key)
        if not group:
            continue
        result.tables_found.append(key)
        mapper = {"t2": _map_t2, "t3": _map_t3, "t4": _map_t4}[key]
        with_spans = [t for t in group if t.spans_known]
        if with_spans:
            mapper(with_spans[0], result)
            for extra in with_spans[1:]:
                # A table continued on a new page (nianbao cuts 表三 there, header rows and
                # merged labels repeated): its rows fill only fields not read before.
                scratch = TableImport()
                mapper(extra, scratch)
                seen = result.values.keys() | set(result.blanks)
                read = scratch.values.keys() | set(scratch.blanks)
                if read and not read & seen:
                    result.absorb(scratch)
                    continue
                result.unmapped.append(f"{extra.where}又是一张{TABLE_BY_KEY[key].name}，"
                                       "只导入了第一张")
            continue
        cell_tables = [t for t in group if not t.lines]
        if len(cell_tables) == 1 and all(t is cell_tables[0] or not _has_number(t) for t in group):
            scratch = TableImport()
            mapper(cell_tables[0], scratch)
            if _complete(scratch, key):
                result.absorb(scratch)
                continue
        read = READERS[key]([t for table in group for t in _tokens(table)])
        result.absorb_sequence(key, read)
    for form in (TABLE2, TABLE3, TABLE4):
        if form.key not in result.tables_found:
            result.problems.append(f"报告中没有找到{form.name}（可能以图片插入），"
                                   f"{form.name}全部留空，请对照原文填写")
    return result


def _has_number(table: RawTable) -> bool:
    return any(t.kind is Kind.NUMBER for t in _tokens(table))


def _clip(text: str, limit: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


def unread_fields(values: dict[str, Number]) -> list[str]:
    """Input fields of the form the import holds no number for, in form order."""
    return [f.id for f in FIELDS if not f.is_total and f.id not in values]


def table_status(values: dict[str, Number], found: list[str]) -> list[str]:
    """One line per table: found or not, and how many of its input cells were read."""
    lines = []
    for form in (TABLE2, TABLE3, TABLE4):
        inputs = form.input_fields
        read = sum(f.id in values for f in inputs)
        if form.key not in found:
            lines.append(f"{form.name}：没有找到，{len(inputs)} 格全部留空")
        elif read == len(inputs):
            lines.append(f"{form.name}：已找到，{len(inputs)} 格全部读出")
        else:
            lines.append(f"{form.name}：已找到，读出 {read}/{len(inputs)} 格，"
                         f"{len(inputs) - read} 格未读出（工作簿中留空）")
    return lines


# ---------------------------------------------------------------------------
# 表二: blocks of caption, header row (信息内容 + column labels), data rows


def _map_t2(table: RawTable, result: TableImport) -> None:
    where = f"{table.where}（表二）"
    header: list[str] | None = None
    for row in table.rows:
        texts = [c.text for c in row]
        filled = [t for t in texts if normalise(t)]
        if not filled:
            continue
        first = normalise(filled[0])
        if len(filled) == 1 and first.startswith("第二十条"):
            header = None
            continue
        names_row = best_match(filled[0], T2_ROWS + T2_ROW_ALIASES)[0] is not None or \
            first in T2_2019_ROWS
        names_column = any(normalise(t) in T2_2019_COLUMNS or best_match(t, T2_COLUMNS)[0]
                           for t in filled)
        if first == normalise(T2_ITEM_COLUMN) or (
                not names_row and names_column and all(_is_label(t) for t in filled)):
            # A header row: 信息内容 then the column labels.  Some portals omit 信息内容.
            labels = [t for t in texts if normalise(t)]
            header = labels[1:] if first == normalise(T2_ITEM_COLUMN) else labels
            continue
        label_at = next(i for i, t in enumerate(texts) if normalise(t))
        label, cells = texts[label_at], row[label_at + 1:]
        if not _is_label(label):
            result.unmapped.append(f"{where}：一行没有行标签，数字「{'、'.join(filled)}」未导入")
            continue
        if normalise(label) in T2_2019_ROWS:
            result.format_2019 = True
            result.unmapped.append(f"{where}：「{label}」是 2019 年试行格式的项目，2021 年格式已取消，"
                                   f"数字「{_seen(cells)}」未导入")
            continue
        row_key, fuzzy = best_match(label, T2_ROWS + T2_ROW_ALIASES)
        if row_key is None:
            result.unmapped.append(f"{where}：行「{label}」不是表二的项目，数字「{_seen(cells)}」未导入")
            continue
        if fuzzy or normalise(label) != normalise(dict(T2_ROWS)[row_key]):
            result.notes.append(f"{where}：行「{label}」按「{dict(T2_ROWS)[row_key]}」导入")
        if header is None:
            result.unmapped.append(f"{where}：行「{label}」上方没有栏目标题，数字「{_seen(cells)}」未导入")
            continue
        columns = [(f.col, f.col_label) for f in TABLE2.fields if f.row == row_key]
        for i, col_label in enumerate(header):
            cell = read_value(cells[i].text) if i < len(cells) else None
            col_key = _t2_column(col_label, columns, label, where, result, cell)
            if col_key is None:
                continue
            if cell is None:
                continue  # reported as missing at the end
            result.put(f"t2.{row_key}.{col_key}", cell, where)
        extra = [c.text for c in cells[len(header):] if normalise(c.text)]
        if extra:
            result.unmapped.append(f"{where}：行「{label}」多出的单元格「{'、'.join(extra)}」未导入")


def _t2_column(col_label: str, columns: list[tuple[str, str]], row_label: str, where: str,
               result: TableImport, cell: CellValue | None) -> str | None:
    seen = normalise(col_label)
    shown = cell.text if cell is not None else ""
    if seen in T2_2019_COLUMNS:
        result.format_2019 = True
        key = T2_2019_COLUMNS[seen]
        if key is not None and key in dict(columns):
            result.notes.append(f"{where}：2019 年试行格式的「{col_label}」按「{dict(columns)[key]}」导入"
                                f"（{row_label}）")
            return key
        result.unmapped.append(f"{where}：{row_label} / {col_label}：「{shown}」"
                               "（2019 年试行格式的栏目，与 2021 年格式含义不同，未导入，请按 2021 年格式填写）")
        return None
    key, fuzzy = best_match(col_label, columns)
    if key is None:
        result.unmapped.append(f"{where}：{row_label} / {col_label}：「{shown}」（栏目不是表二的栏目，未导入）")
        return None
    if fuzzy:
        result.notes.append(f"{where}：栏目「{col_label}」按「{dict(columns)[key]}」导入")
    return key


def _seen(cells: tuple[RawCell, ...] | list[RawCell]) -> str:
    return "、".join(c.text.strip() for c in cells if normalise(c.text)) or "（空）"


# ---------------------------------------------------------------------------
# 表三: header (申请人情况 …), then one body row per outcome


T3_SIMPLE_ROWS: tuple[tuple[str, str], ...] = (
    T3_NEW, T3_CARRIED_OVER,
    *((items[0][0], group) for group, items in T3_OUTCOME_GROUPS if len(items) == 1),
    T3_OUTCOME_TOTAL, T3_CARRIED_FORWARD,
)
T3_ITEM_ROWS: tuple[tuple[str, str], ...] = tuple(
    (key, label) for group, items in T3_OUTCOME_GROUPS if len(items) > 1 for key, label in items)
T3_GROUPS: tuple[tuple[str, str], ...] = tuple(
    (group, group) for group, items in T3_OUTCOME_GROUPS if len(items) > 1)
#: 2019: 「（六）其他处理」 was one row; it is 2021's （六）3.其他.
T3_2019_SINGLE_GROUP = (T3_OUTCOME_GROUPS[-1][0], T3_OUTCOME_GROUPS[-1][1][-1][0])
T3_COLUMN_KEYS = tuple(key for key, _ in T3_COLUMNS)


def _t3_row_key(labels: list[str]) -> tuple[str | None, str | None]:
    """(row key, note) for a body row's labels, most specific label first."""
    for text in reversed(labels):
        if normalise(text, Strictness.CORE) == normalise(T3_OUTCOMES, Strictness.CORE):
            continue
        key, fuzzy = best_match(text, T3_SIMPLE_ROWS + T3_ITEM_ROWS)
        if key is not None:
            note = None
            if fuzzy:
                note = f"行「{text}」按「{FIELD_BY_ID[f't3.{key}.total'].row_label}」导入"
            return key, note
        group, _ = best_match(text, T3_GROUPS)
        if group == T3_2019_SINGLE_GROUP[0]:
            return T3_2019_SINGLE_GROUP[1], "2019"
        if group is not None:
            return None, None
    return None, None


def _first_body_row(table: RawTable) -> int | None:
    """The row of 「一、本年新收…」, else the first labelled row that holds a number.

    Header labels (「总计」, 「其他」) also name body rows, so a row counts as a body row
    only if it holds a number — or is the 「本年新收」 row, which opens every table 3.
    """
    for r, row in enumerate(table.rows):
        if any(_t3_row_key([c.text])[0] == T3_NEW[0] for c in row if _is_label(c.text)):
            return r
    for r, row in enumerate(table.rows):
        labels = [c.text for c in row if _is_label(c.text)]
        if labels and _t3_row_key(labels)[0] is not None and any(_is_number(c.text) for c in row):
            return r
    return None


def _map_t3(table: RawTable, result: TableImport) -> None:
    where = f"{table.where}（表三）"
    body = _first_body_row(table)
    if body is None:
        result.unmapped.append(f"{where}：找不到「{T3_NEW[1]}」等数据行，表三未导入")
        return
    by_grid = _columns_by_grid(table, body, TABLE3) if table.spans_known else None
    if by_grid is None:
        header_text = {normalise(c.text) for row in table.rows[:body] for c in row}
        absent = [label for _, label in T3_COLUMNS if normalise(label) not in header_text]
        if absent:
            result.notes.append(f"{where}：表头中没有找到栏目「{'、'.join(absent)}」，"
                                "数字按规定的栏目顺序（自然人…总计）读取，请核对")
        elif table.spans_known:
            result.notes.append(f"{where}：表头合并单元格不完整，数字按规定的栏目顺序读取")
    grid = layout(table.rows) if by_grid is not None else None
    for r in range(body, len(table.rows)):
        row = table.rows[r]
        if not any(normalise(c.text) for c in row):
            continue
        if grid is not None and by_grid is not None:
            first_value_col = min(by_grid)
            labels = [p.cell.text for p in grid[r] if p.col < first_value_col and _is_label(p.cell.text)]
            cells = {by_grid[p.col]: p.cell for p in grid[r] if p.row == r and p.col in by_grid}
            extra = [p.cell.text for p in grid[r] if p.row == r and p.col >= first_value_col
                     and p.col not in by_grid and normalise(p.cell.text)]
        else:
            lead = 0
            while lead < len(row) and _is_label(row[lead].text):
                lead += 1
            labels = [c.text for c in row[:lead]]
            values = row[lead:lead + len(T3_COLUMN_KEYS)]
            cells = dict(zip(T3_COLUMN_KEYS, values))
            extra = [c.text for c in row[lead + len(T3_COLUMN_KEYS):] if normalise(c.text)]
        row_key, note = _t3_row_key(labels)
        shown = "".join(labels) or "（无行标签）"
        if row_key is None:
            result.unmapped.append(f"{where}：行「{shown}」不是表三的项目，数字「{_seen(list(cells.values()))}」未导入")
            continue
        if note == "2019":
            result.format_2019 = True
            result.notes.append(f"{where}：2019 年试行格式的单行「{shown}」按「（六）其他处理 3.其他」导入")
        elif note:
            result.notes.append(f"{where}：{note}")
        for col_key in T3_COLUMN_KEYS:
            if col_key in cells:
                result.put(f"t3.{row_key}.{col_key}", read_value(cells[col_key].text), where)
        if extra:
            result.unmapped.append(f"{where}：行「{shown}」多出的单元格「{'、'.join(extra)}」未导入")


def _columns_by_grid(table: RawTable, body: int, form: TableForm) -> dict[int, str] | None:
    """Grid column → the form's column key, or None unless every column of the form is found.

    The headers printed over a column (top to bottom) are matched against the form's own
    header chain of each column (:func:`generator.inputs.headers.column_chains`): the
    lowest header names the column (「总计」), and where the form has several columns of
    that name (表四's 「总计」 under 行政复议, 未经复议直接起诉, 复议后起诉) the nearest header
    above that names one of their groups tells them apart.
    """
    chains = column_chains(form)
    leaves = list(dict.fromkeys((chain[0], chain[0]) for chain in chains.values()))
    mapping: dict[int, str] = {}
    for col, path in header_paths(layout(table.rows), body).items():
        leaf, _ = best_match(path[-1], leaves)
        if leaf is None:
            continue
        candidates = [key for key, chain in chains.items() if chain[0] == leaf]
        for seen in reversed(path[:-1]):
            if len(candidates) == 1:
                break
            parents = list(dict.fromkeys((p, p) for key in candidates for p in chains[key][1:]))
            parent, _ = best_match(seen, parents)
            if parent is not None:
                candidates = [key for key in candidates if parent in chains[key][1:]]
        if len(candidates) == 1:
            mapping[col] = candidates[0]
    if sorted(mapping.values()) != sorted(chains):
        return None
    return mapping


# ---------------------------------------------------------------------------
# 表四: three header rows, one row of 15 numbers

T4_GROUPS: tuple[tuple[str, str], ...] = (T4_REVIEW, T4_DIRECT_SUIT, T4_SUIT_AFTER_REVIEW)
T4_COLUMN_KEYS: tuple[str, ...] = tuple(
    f.col for f in sorted(TABLE4.fields, key=lambda f: f.grid_col))


def _map_t4(table: RawTable, result: TableImport) -> None:
    where = f"{table.where}（表四）"
    body = next((r for r, row in enumerate(table.rows)
                 if sum(_is_number(c.text) for c in row) >= len(row) / 2
                 and any(_is_number(c.text) for c in row)), None)
    if body is None:
        result.unmapped.append(f"{where}：找不到数字行，表四未导入")
        return
    by_grid = _columns_by_grid(table, body, TABLE4) if table.spans_known else None
    row = table.rows[body]
    if by_grid is not None:
        grid = layout(table.rows)
        cells = {by_grid[p.col]: p.cell for p in grid[body] if p.row == body and p.col in by_grid}
        extra = [p.cell.text for p in grid[body] if p.col not in by_grid and normalise(p.cell.text)
                 and not _is_label(p.cell.text)]
    else:
        header_text = {normalise(c.text) for hrow in table.rows[:body] for c in hrow}
        needed = [label for _, label in T4_GROUPS + T4_RESULTS]
        absent = [label for label in needed if normalise(label) not in header_text]
        if absent:
            result.notes.append(f"{where}：表头中没有找到栏目「{'、'.join(absent)}」，数字按规定顺序读取，请核对")
        lead = 0
        while lead < len(row) and _is_label(row[lead].text):
            lead += 1
        cells = dict(zip(T4_COLUMN_KEYS, row[lead:lead + len(T4_COLUMN_KEYS)]))
        extra = [c.text for c in row[lead + len(T4_COLUMN_KEYS):] if normalise(c.text)]
    for col_key in T4_COLUMN_KEYS:
        if col_key in cells:
            result.put(f"t4.{T4_ROW}.{col_key}", read_value(cells[col_key].text), where)
    if extra:
        result.unmapped.append(f"{where}：多出的单元格「{'、'.join(extra)}」未导入")
    for later in table.rows[body + 1:]:
        if any(normalise(c.text) for c in later):
            result.unmapped.append(f"{where}：数字行之后的「{_seen(later)}」未导入")
