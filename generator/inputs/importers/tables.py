"""Turn a published table's cells, whatever the source, into numbers of the form.

A cell is placed by its labels, never by its position alone: each body row is matched to a
form row by its row label(s) and each value to a form column by the header above it (row
label × column label).  One mapper (:func:`map_table`) reads all three tables: the labels
it expects are the form's own grid (:func:`generator.inputs.headers.row_chains` and
``column_chains``), compared tolerantly (:mod:`generator.inputs.labels`); what the grid cannot
tell — label variants of real reports, the 2019 trial format — is data (:data:`VARIANTS`).  Where the source states merges (HTML, .docx), a value's column is
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

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property, lru_cache

from generator.form import (
    FIELD_BY_ID,
    FIELDS,
    T2_ITEM_COLUMN,
    T3_APPLICANTS,
    T3_COLUMNS,
    T3_NEW,
    T4_LITIGATION,
    T4_REVIEW,
    TABLE2,
    TABLE3,
    TABLE4,
    TABLE_BY_KEY,
    TABLES,
    CellRole,
    TableForm,
    ValueKind,
    field_path,
)
from generator.inputs.headers import (
    caption_stem,
    column_chains,
    opens_caption,
    row_chains,
)
from generator.inputs.importers.document import RawCell, RawTable
from generator.inputs.importers.sequence import (
    READERS,
    Kind,
    SequenceRead,
    Token,
    tokens_of_cell,
    tokens_of_line,
)
from generator.inputs.importers.variants import (
    T2_2019_COLUMNS,
    T2_2019_ROWS,
    T2_ROW_ALIASES,
    T3_2019_SINGLE_GROUP,
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


def classify(table: RawTable, section: str | None) -> str | None:
    """The form table (t2/t3/t4) a source table is, by its labels; the section as a hint."""
    texts = {normalise(c.text) for row in table.rows for c in row}
    cores = {normalise(c.text, Strictness.CORE) for row in table.rows for c in row}
    if normalise(T3_APPLICANTS) in texts or normalise(T3_NEW[1], Strictness.CORE) in cores:
        return "t3"
    if normalise(T4_REVIEW[1]) in texts and normalise(T4_LITIGATION) in texts:
        return "t4"
    t2_labels = {normalise(label) for _, label in T2_ROWS + T2_ROW_ALIASES} | T2_2019_ROWS
    stem = caption_stem(TABLE2)
    if normalise(T2_ITEM_COLUMN) in texts or texts & t2_labels or \
            any(opens_caption(t, stem) for t in texts):
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
    groups = _group_tables(tables, result)
    for form in TABLES:
        group = groups.get(form.key)
        if not group:
            continue
        result.tables_found.append(form.key)
        with_spans = [t for t in group if t.spans_known]
        if with_spans:
            _read_with_spans(form, with_spans, result)
        else:
            _read_without_spans(form, group, result)
    result.problems.extend(f"报告中没有找到{form.name}（可能以图片插入），"
                           f"{form.name}全部留空，请对照原文填写"
                           for form in TABLES if form.key not in result.tables_found)
    return result


def _group_tables(tables: list[tuple[str | None, RawTable]],
                  result: TableImport) -> dict[str, list[RawTable]]:
    """The source tables of each form table, in order; what is none of them is reported."""
    groups: dict[str, list[RawTable]] = {}
    for section, table in tables:
        key = classify(table, section)
        if key is None:
            result.unmapped.extend(_not_a_table(section, table))
            continue
        groups.setdefault(key, []).append(table)
        if table.lines:  # sentences among a table's lines are text for the clerk to place
            result.unmapped.extend(
                f"{TABLE_BY_KEY[key].name}处的文字「{_clip(cell.text)}」（此处只应有表格，未导入）"
                for row in table.rows for cell in row if "。" in cell.text)
    return groups


def _not_a_table(section: str | None, table: RawTable) -> list[str]:
    if table.lines:
        return [f"{section and f'第{section}部分' or ''}的文字「{_clip(cell.text)}」"
                "（此处只应有表格或小标题，未导入）"
                for row in table.rows for cell in row if normalise(cell.text)]
    first = next((c.text for row in table.rows for c in row if normalise(c.text)), "")
    return [f"{table.where}（首格「{first[:30]}」）不是规定的三张表之一，未导入"]


def _read_with_spans(form: TableForm, tables: list[RawTable], result: TableImport) -> None:
    map_table(tables[0], form, result)
    for extra in tables[1:]:
        # A table continued on a new page (nianbao cuts 表三 there, header rows and
        # merged labels repeated): its rows fill only fields not read before.
        scratch = TableImport()
        map_table(extra, form, scratch)
        seen = result.values.keys() | set(result.blanks)
        read = scratch.values.keys() | set(scratch.blanks)
        if read and not read & seen:
            result.absorb(scratch)
            continue
        result.unmapped.append(f"{extra.where}又是一张{form.name}，只导入了第一张")


def _read_without_spans(form: TableForm, group: list[RawTable], result: TableImport) -> None:
    cell_tables = [t for t in group if not t.lines]
    if len(cell_tables) == 1 and all(t is cell_tables[0] or not _has_number(t) for t in group):
        scratch = TableImport()
        map_table(cell_tables[0], form, scratch)
        if _complete(scratch, form.key):
            result.absorb(scratch)
            return
    read = READERS[form.key]([t for table in group for t in _tokens(table)])
    result.absorb_sequence(form.key, read)


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
# What the form's grid cannot tell: label variants seen in real reports and the 2019 trial
# format.  These are data beside the form; the one mapper below reads every table with them.


@dataclass(frozen=True)
class Variants:
    """What real reports print for one table that the form's own grid does not name."""

    #: (row key, label) variants read as that row, with a note
    row_aliases: tuple[tuple[str, str], ...] = ()
    #: canonical labels of 2019 rows that 2021 dropped: reported with their numbers, not imported
    rows_2019: frozenset[str] = frozenset()
    #: a group label that was a single row in 2019 -> the 2021 row it is imported as
    single_rows_2019: Mapping[str, str] = field(default_factory=dict)
    #: canonical 2019 column label -> 2021 column key, or None if not the same thing
    columns_2019: Mapping[str, str | None] = field(default_factory=dict)
    #: how a note names the order values are read in when the header does not name the columns
    order_wording: str = "数字按规定的栏目顺序读取"


VARIANTS: dict[str, Variants] = {
    "t2": Variants(row_aliases=T2_ROW_ALIASES, rows_2019=frozenset(T2_2019_ROWS),
                   columns_2019=T2_2019_COLUMNS),
    "t3": Variants(single_rows_2019=dict([T3_2019_SINGLE_GROUP]),
                   order_wording=f"数字按规定的栏目顺序（{T3_COLUMNS[0][1]}…{T3_COLUMNS[-1][1]}）读取"),
    "t4": Variants(order_wording="数字按规定顺序读取"),
}


# ---------------------------------------------------------------------------
# A table's shape, derived from the form's grid once


@dataclass(frozen=True)
class Shape:
    """What the mapper needs to know of one form table, all derived from its grid.

    ``rows`` are the label chains of :func:`~generator.inputs.headers.row_chains`; a form
    whose headers restart under each caption (表二's 「第二十条…」 blocks) names the columns
    of each block by that block's header row, a form with its header on top (表三, 表四)
    names them once, by the grid or in the official order.
    """

    form: TableForm
    variants: Variants
    rows: dict[str, list[str]]
    columns: tuple[str, ...]  # column keys in the official (grid) order

    @cached_property
    def row_leaves(self) -> tuple[tuple[str, str], ...]:
        """(row key, label) for every row's own label, with the variants of real reports."""
        own = tuple((key, chain[0]) for key, chain in self.rows.items() if chain)
        return own + self.variants.row_aliases

    @cached_property
    def row_labels(self) -> dict[str, str]:
        """Row key -> how the clerk's workbook names the row (「（三）不予公开1.属于国家秘密」)."""
        return {f.row: f.row_label for f in self.form.fields}

    @cached_property
    def named_rows(self) -> bool:
        """Whether rows are named by labels (表四's single row is not)."""
        return any(self.rows.values())

    @cached_property
    def label_columns(self) -> int:
        """How many grid columns hold row labels, left of the first value."""
        return min(f.grid_col for f in self.form.fields)

    @cached_property
    def captions(self) -> tuple[str, ...]:
        return tuple(c.text for c in self.form.cells if c.role is CellRole.CAPTION)

    @cached_property
    def caption_stem(self) -> str:
        """What every caption starts with (「第二十条第」): a caption the form no longer has
        (2019's 「第二十条第（九）项」) still opens a block."""
        return caption_stem(self.form)

    @cached_property
    def corner_labels(self) -> frozenset[str]:
        """Canonical header labels over the row-label columns (表二's 「信息内容」)."""
        value_cols = {f.grid_col for f in self.form.fields}
        return frozenset(normalise(c.text) for c in self.form.labels
                         if c.role is CellRole.HEADER
                         and not value_cols & set(range(c.col, c.last_col + 1)))

    @cached_property
    def column_labels(self) -> tuple[tuple[str, str], ...]:
        """(column key, label) of every field, as a header row names them."""
        return tuple(dict.fromkeys((f.col, f.col_label) for f in self.form.fields))

    @cached_property
    def distinguishing_labels(self) -> list[str]:
        """The header labels that tell the columns apart (表四: the three groups, then the five
        results), outermost first: a header printed without one of them is read in order."""
        chains = column_chains(self.form)
        depth = {key: _distinct_depth(key, chains) for key in chains}
        levels = range(max(depth.values(), default=0), -1, -1)
        return list(dict.fromkeys(chain[level] for level in levels
                                  for key, chain in chains.items() if level <= depth[key]))

    def columns_of(self, row_key: str) -> list[tuple[str, str]]:
        """(column key, label) of one row's fields (表二's rows differ)."""
        return [(f.col, f.col_label) for f in self.form.fields if f.row == row_key]


def _distinct_depth(key: str, chains: dict[str, list[str]]) -> int:
    """How far up a column's header chain one must read to tell it from every other column."""
    chain = chains[key]
    for depth in range(len(chain)):
        if not any(other[:depth + 1] == chain[:depth + 1] for k, other in chains.items() if k != key):
            return depth
    return len(chain) - 1


@cache
def shape_of(key: str) -> Shape:
    form = TABLE_BY_KEY[key]
    return Shape(form, VARIANTS[key], row_chains(form), tuple(column_chains(form)))


# ---------------------------------------------------------------------------
# Naming a body row by its labels


@dataclass(frozen=True)
class RowName:
    """The row a body row's labels name, and what to tell the clerk about the match."""

    key: str
    label: str  # the label that named it
    fuzzy: bool = False
    single_2019: bool = False


def resolve_row(shape: Shape, labels: list[str]) -> RowName | None:
    """The form row named by a body row's labels, most specific (rightmost) label first.

    A row's own label names it (「1.属于国家秘密」); a group label (「（三）不予公开」) only
    narrows the rows the labels further left may name — standing alone it names no row,
    except a group that was a single row in 2019 (「（六）其他处理」).
    """
    return _resolve_row(shape.form.key, tuple(labels))


@lru_cache(maxsize=4096)  # the same labels recur in every row scan and every report
def _resolve_row(key: str, labels: tuple[str, ...]) -> RowName | None:
    shape = shape_of(key)
    candidates = shape.rows
    for text in reversed(labels):
        leaves = [(k, label) for k, label in shape.row_leaves if k in candidates]
        key, fuzzy = best_match(text, leaves)
        if key is not None:
            return RowName(key, text, fuzzy)
        groups = list(dict.fromkeys((g, g) for chain in candidates.values() for g in chain[1:]))
        group, _ = best_match(text, groups)
        if group is None:
            continue
        single = shape.variants.single_rows_2019.get(group)
        if single is not None:
            return RowName(single, text, single_2019=True)
        candidates = {k: chain for k, chain in candidates.items() if group in chain[1:]}
    return None


def _row_note(shape: Shape, name: RowName) -> str | None:
    """A note when the label read is not the form's own: approximate, other words (a variant,
    「规范性文件」), or an item number the form's label does not carry (「1.规章」); a
    numbered label read without or with another number (「属于国家秘密」) is the same item."""
    official = shape.rows[name.key][0]
    numbered = normalise(official) != normalise(official, Strictness.CORE)
    other_words = normalise(name.label, Strictness.CORE) != normalise(official, Strictness.CORE)
    other_number = normalise(name.label) != normalise(official) and not numbered
    if name.fuzzy or other_words or other_number:
        return f"行「{name.label}」按「{shape.row_labels[name.key]}」导入"
    return None


# ---------------------------------------------------------------------------
# The one mapper


@dataclass(frozen=True)
class BodyRow:
    """A body row as printed: its labels, its value cells, and cells beyond the columns.

    ``values`` pairs each value cell with its column key where the table's columns are
    already known (grid or official order); under a block's header row (表二) the key is
    None until the header names it.
    """

    labels: list[str]
    values: list[tuple[str | None, RawCell]]
    extra: list[str] = field(default_factory=list)

    @property
    def cells(self) -> list[RawCell]:
        return [cell for _, cell in self.values]


def map_table(table: RawTable, form: TableForm, result: TableImport) -> None:
    """Place every cell of one source table at a field of ``form``, by its labels.

    Rows are named by the labels left of them (:func:`resolve_row`); columns by the grid
    where the source states merges, else by the header row of the current block (表二), else
    in the official order (with a note when the header does not name them).
    """
    _Mapper(table, shape_of(form.key), result).run()


@dataclass
class _Mapper:
    table: RawTable
    shape: Shape
    result: TableImport
    by_grid: dict[int, str] | None = None
    grid: list[list[Placed]] | None = None

    @property
    def where(self) -> str:
        return f"{self.table.where}（{self.shape.form.name}）"

    def unmapped(self, text: str) -> None:
        self.result.unmapped.append(f"{self.where}：{text}")

    def note(self, text: str) -> None:
        self.result.notes.append(f"{self.where}：{text}")

    # -- the rows ----------------------------------------------------------------

    def run(self) -> None:
        if self.shape.captions:
            self.run_blocks()
            return
        body = self.first_body_row()
        if body is None:
            self.unmapped(self.no_body_text())
            return
        self.locate_columns(body)
        if self.shape.named_rows:
            for r in range(body, len(self.table.rows)):
                if any(normalise(c.text) for c in self.table.rows[r]):
                    self.map_row(self.body_row(r), None)
            return
        # A form of one unlabelled row (表四) takes the one row; what follows it is reported.
        self.map_row(self.body_row(body), None)
        for later in self.table.rows[body + 1:]:
            if any(normalise(c.text) for c in later):
                self.unmapped(f"数字行之后的「{_seen(later)}」未导入")

    def run_blocks(self) -> None:
        """Blocks of caption, header row, body rows: each header names its block's columns."""
        header: list[str] | None = None
        broken = ""  # a caption's start on a row of its own (「第二十条」): the next row ends it
        for row in self.table.rows:
            filled = [c.text for c in row if normalise(c.text)]
            if not filled:
                continue
            rest_of_caption = bool(broken) and len(filled) == 1 and \
                normalise(broken + filled[0]).startswith(self.shape.caption_stem)
            broken = ""
            if rest_of_caption:
                continue
            if self.is_caption(filled):
                header = None
                if self.shape.caption_stem.startswith(normalise(filled[0])):
                    broken = filled[0]
            elif self.is_header(filled):
                header = self.header_labels(filled)
            else:
                self.map_row(self.text_row(row), header)

    def is_caption(self, filled: list[str]) -> bool:
        """A single filled cell that is one of the form's captions, or its start."""
        if len(filled) != 1:
            return False
        return opens_caption(normalise(filled[0]), self.shape.caption_stem) or \
            best_match(filled[0], [(c, c) for c in self.shape.captions])[0] is not None

    def is_header(self, filled: list[str]) -> bool:
        """A row of labels only that names columns (or opens with 「信息内容」), not a row."""
        if normalise(filled[0]) in self.shape.corner_labels:
            return True
        names_row = best_match(filled[0], self.shape.row_leaves)[0] is not None or \
            normalise(filled[0]) in self.shape.variants.rows_2019
        names_column = any(normalise(t) in self.shape.variants.columns_2019
                           or best_match(t, self.shape.column_labels)[0] for t in filled)
        return not names_row and names_column and all(_is_label(t) for t in filled)

    def header_labels(self, filled: list[str]) -> list[str]:
        """The column labels of a header row; some portals omit the corner 「信息内容」."""
        return filled[1:] if normalise(filled[0]) in self.shape.corner_labels else filled

    def first_body_row(self) -> int | None:
        """The first row of numbers, below the header.

        Header labels (「总计」, 「其他」) also name body rows, so a labelled row counts only
        if it holds a number — or names the form's first row (「一、本年新收…」), which
        opens the body even when printed blank.  A form of one unlabelled row starts at the
        first row that is mostly numbers.
        """
        rows = self.table.rows
        if not self.shape.named_rows:
            return next((r for r, row in enumerate(rows) if _mostly_numbers(row)), None)
        first = next(iter(self.shape.rows))
        opening = next((r for r, row in enumerate(rows)
                        if any(self.names(c.text) == first for c in row if _is_label(c.text))), None)
        if opening is not None:
            return opening
        return next((r for r, row in enumerate(rows) if self.names_numbers(row)), None)

    def names_numbers(self, row: tuple[RawCell, ...]) -> bool:
        """Whether a row's labels name a form row and it holds a number."""
        labels = [c.text for c in row if _is_label(c.text)]
        return bool(labels) and resolve_row(self.shape, labels) is not None and \
            any(_is_number(c.text) for c in row)

    def names(self, text: str) -> str | None:
        name = resolve_row(self.shape, [text])
        return name.key if name else None

    def no_body_text(self) -> str:
        if self.shape.named_rows:
            first = next(iter(self.shape.rows.values()))[0]
            return f"找不到「{first}」等数据行，{self.shape.form.name}未导入"
        return f"找不到数字行，{self.shape.form.name}未导入"

    # -- the columns -------------------------------------------------------------

    def locate_columns(self, body: int) -> None:
        """Columns by the grid where merges are known, else in the official order, noted."""
        form = self.shape.form
        if self.table.spans_known:
            self.by_grid = _columns_by_grid(self.table, body, form)
        if self.by_grid is not None:
            self.grid = layout(self.table.rows)
            return
        header_text = {normalise(c.text) for row in self.table.rows[:body] for c in row}
        absent = [label for label in self.shape.distinguishing_labels
                  if normalise(label) not in header_text]
        if absent:
            self.note(f"表头中没有找到栏目「{'、'.join(absent)}」，"
                      f"{self.shape.variants.order_wording}，请核对")
        elif self.table.spans_known:
            self.note("表头合并单元格不完整，数字按规定的栏目顺序读取")

    def body_row(self, r: int) -> BodyRow:
        if self.grid is None or self.by_grid is None:
            return self.text_row(self.table.rows[r], self.shape.columns)
        return _grid_row(self.grid[r], r, self.by_grid, self.shape.columns)

    def text_row(self, row: tuple[RawCell, ...], columns: tuple[str, ...] | None = None) -> BodyRow:
        """A row known only in order: its leading labels (as many as the form has label
        columns; a form without any skips them), then its values, in ``columns`` order if
        given (else all of them, for a header row to name)."""
        cells = list(row)
        if self.shape.label_columns:  # a row named by labels starts at its label
            while cells and not normalise(cells[0].text):
                cells.pop(0)
        lead = 0
        while lead < len(cells) and _is_label(cells[lead].text):
            lead += 1
        labels = [c.text for c in cells[:min(lead, self.shape.label_columns)]]
        rest = cells[lead:] if not self.shape.label_columns else cells[len(labels):]
        if columns is None:
            return BodyRow(labels, [(None, c) for c in rest])
        extra = [c.text for c in rest[len(columns):] if normalise(c.text)]
        return BodyRow(labels, list(zip(columns, rest)), extra)

    # -- one body row --------------------------------------------------------------

    def map_row(self, row: BodyRow, header: list[str] | None) -> None:
        shown = "".join(row.labels)
        key = next(iter(self.shape.rows))
        if self.shape.named_rows:
            found = self.name_row(row, shown)
            if found is None:
                return
            key = found
            if header is None and self.shape.captions:
                self.unmapped(f"行「{shown}」上方没有栏目标题，数字「{_seen(row.cells)}」未导入")
                return
        values = row.values if header is None else self.name_columns(row, header, key, shown)
        for col_key, cell in values:  # named and stored in turn, so messages keep cell order
            if col_key is not None:
                self.result.put(f"{self.shape.form.key}.{key}.{col_key}", read_value(cell.text),
                                self.where)
        extra = row.extra if header is None else \
            [c.text for c in row.cells[len(header):] if normalise(c.text)]
        if extra:
            named = f"行「{shown}」" if self.shape.named_rows else ""
            self.unmapped(f"{named}多出的单元格「{'、'.join(extra)}」未导入")

    def name_row(self, row: BodyRow, shown: str) -> str | None:
        """The row key of a body row, or None once reported why it is not imported."""
        name = self.shape.form.name
        if not row.labels:
            self.unmapped(f"一行没有行标签，数字「{_seen(row.cells)}」未导入")
            return None
        if normalise(row.labels[-1]) in self.shape.variants.rows_2019:
            self.result.format_2019 = True
            self.unmapped(f"「{shown}」是 2019 年试行格式的项目，2021 年格式已取消，"
                          f"数字「{_seen(row.cells)}」未导入")
            return None
        found = resolve_row(self.shape, row.labels)
        if found is None:
            self.unmapped(f"行「{shown}」不是{name}的项目，数字「{_seen(row.cells)}」未导入")
            return None
        if found.single_2019:
            self.result.format_2019 = True
            chain = self.shape.rows[found.key]
            self.note(f"2019 年试行格式的单行「{shown}」按「{chain[1]} {chain[0]}」导入")
        elif (note := _row_note(self.shape, found)) is not None:
            self.note(note)
        return found.key

    def name_columns(self, row: BodyRow, header: list[str], key: str,
                     shown: str) -> Iterator[tuple[str | None, RawCell]]:
        """A row's values under its block's header labels, each with the column it names."""
        columns = self.shape.columns_of(key)
        cells = row.cells
        for i, col_label in enumerate(header):
            cell = cells[i] if i < len(cells) else None
            col_key = self.name_column(col_label, columns, shown, cell)
            if col_key is not None and cell is not None:  # a cell not printed stays unread
                yield col_key, cell

    def name_column(self, col_label: str, columns: list[tuple[str, str]], shown: str,
                    cell: RawCell | None) -> str | None:
        seen = normalise(col_label)
        printed = cell.text.strip() if cell is not None else ""
        columns_2019 = self.shape.variants.columns_2019
        if seen in columns_2019:
            self.result.format_2019 = True
            key = columns_2019[seen]
            if key is not None and key in dict(columns):
                self.note(f"2019 年试行格式的「{col_label}」按「{dict(columns)[key]}」导入（{shown}）")
                return key
            self.unmapped(f"{shown} / {col_label}：「{printed}」"
                          "（2019 年试行格式的栏目，与 2021 年格式含义不同，未导入，请按 2021 年格式填写）")
            return None
        key, fuzzy = best_match(col_label, columns)
        if key is None:
            self.unmapped(f"{shown} / {col_label}：「{printed}」"
                          f"（栏目不是{self.shape.form.name}的栏目，未导入）")
            return None
        if fuzzy:
            self.note(f"栏目「{col_label}」按「{dict(columns)[key]}」导入")
        return key


def _grid_row(placed: list[Placed], r: int, by_grid: dict[int, str],
              columns: tuple[str, ...]) -> BodyRow:
    """A body row of a grid: labels left of the first value column (including those reaching
    down by a rowspan), values at the located columns in the official order, and every other
    filled cell starting in this row."""
    first = min(by_grid)
    labels = [p.cell.text for p in placed if p.col < first and _is_label(p.cell.text)]
    own = [p for p in placed if p.row == r]
    values = sorted(((by_grid[p.col], p.cell) for p in own if p.col in by_grid),
                    key=lambda kv: columns.index(kv[0]))
    extra = [p.cell.text for p in own if p.col not in by_grid and normalise(p.cell.text)
             and (p.col >= first or not _is_label(p.cell.text))]
    return BodyRow(labels, list[tuple[str | None, RawCell]](values), extra)


def _mostly_numbers(row: tuple[RawCell, ...]) -> bool:
    numbers = sum(_is_number(c.text) for c in row)
    return numbers > 0 and numbers >= len(row) / 2


def _seen(cells: tuple[RawCell, ...] | list[RawCell]) -> str:
    return "、".join(c.text.strip() for c in cells if normalise(c.text)) or "（空）"


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
        if not path:  # no header printed over this column: it names nothing
            continue
        leaf, _ = best_match(path[-1], leaves)
        if leaf is None:
            continue
        candidates = _narrow([key for key, chain in chains.items() if chain[0] == leaf],
                             path[:-1], chains)
        if len(candidates) == 1:
            mapping[col] = candidates[0]
    if sorted(mapping.values()) != sorted(chains):
        return None
    return mapping


def _narrow(candidates: list[str], above: list[str], chains: dict[str, list[str]]) -> list[str]:
    """The columns of one name left once the headers above it (nearest first) are read."""
    for seen in reversed(above):
        if len(candidates) == 1:
            break
        parents = list(dict.fromkeys((p, p) for key in candidates for p in chains[key][1:]))
        parent, _ = best_match(seen, parents)
        if parent is not None:
            candidates = [key for key in candidates if parent in chains[key][1:]]
    return candidates
