"""Reading a table from the sequence of its cells, whatever shape the source gave it.

Text copied from a portal, ``pdftotext`` output (with ``-layout`` or without) and the text of
a PDF lose the table's grid: what is left is the cells in reading order — labels and numbers,
some on a line of their own, some several to a line, a value sometimes broken over two lines
(「1」「62」 for 162).  This module turns such a sequence into the numbers of the form:

* :func:`tokens_of_line` / :func:`tokens_of_cell` split a line or a cell into tokens
  (label, number, or a cell printed blank) — tabs, ``|``, runs of spaces and the boundary
  between a label and the numbers after it all separate tokens;
* :func:`read_sequence` finds the rows by their labels (tolerantly, :mod:`.labels`) and takes
  the run of numbers after each label as that row's cells in the form's column order
  (:mod:`generator.form`).  A row with more number tokens than the form has columns is joined
  back only where exactly one way of joining adjacent tokens satisfies the form's own
  arithmetic (the row total, 表四's group totals); otherwise the row is left unread and
  reported with what was seen.  A row with too few numbers is never padded: it stays unread.

Nothing here writes a number the source did not print.  Linear in the number of tokens
(joins are tried only for one row at a time, and only for a few surplus tokens).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Iterable

from generator.form import (
    T2_ITEM_COLUMN,
    T3_APPLICANTS,
    T3_CARRIED_FORWARD,
    T3_CARRIED_OVER,
    T3_COLUMNS,
    T3_NEW,
    T3_NOTE,
    T3_ORGANISATIONS,
    T3_OUTCOME_GROUPS,
    T3_OUTCOME_TOTAL,
    T3_OUTCOMES,
    T4_RESULTS,
    TABLE2,
    TABLE4,
)
from generator.inputs.headers import caption_stem, opens_caption
from generator.inputs.importers.variants import T2_ROW_ALIASES
from generator.inputs.labels import Strictness, best_match, normalise
from generator.inputs.numbers import BLANK, NumberStyle, parse_number_text


class Kind(str, Enum):
    LABEL = "label"
    NUMBER = "number"
    BLANK = "blank"  # a cell printed empty or as a dash


@dataclass(frozen=True)
class Token:
    text: str
    kind: Kind


# A run of numbers at the end of a label (「规章 0 0 0」, 「行政许可 9487」).
_TRAILING_NUMBERS = re.compile(r"^(?P<label>.*?\D)\s+(?P<numbers>-?\d[\d,.]*(?:\s+-?\d[\d,.]*)*)$")
_SEPARATORS = re.compile(r"\t|\||[ \u00a0\u3000]{2,}")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


_SPACE = re.compile(r"\s")


def _number_token(text: str) -> Token | None:
    """A number or a cell printed blank, read as every input reads a number
    (:mod:`generator.inputs.numbers`); None for a label.  Spaces separate tokens before
    this is called: 「105 12」 is two numbers, never 10512."""
    folded = _fold(text)
    if _SPACE.search(folded):  # a number cell's digits are never spaced out in a sequence
        return None
    parsed = parse_number_text(folded, NumberStyle.PRINTED)
    if parsed is BLANK:
        return Token(folded, Kind.BLANK)
    if isinstance(parsed, Decimal):
        return Token(str(parsed), Kind.NUMBER)
    return None


def tokens_of_cell(text: str) -> list[Token]:
    """One cell's tokens: a number, a blank, a label, or a label followed by numbers."""
    text = _fold(text)
    if not text:
        return [Token("", Kind.BLANK)]
    return _tokens_of_piece(text)


def _tokens_of_piece(text: str) -> list[Token]:
    single = _number_token(text)
    if single is not None:
        return [single]
    words = text.split()
    if len(words) > 1 and all(_number_token(w) is not None for w in words):
        return [_number_token(w) for w in words]  # type: ignore[misc]
    m = _TRAILING_NUMBERS.match(text)
    if m and normalise(m.group("label")):
        numbers = [_number_token(w) for w in m.group("numbers").split()]
        if all(n is not None for n in numbers):
            return [Token(m.group("label").strip(), Kind.LABEL), *numbers]  # type: ignore[list-item]
    return [Token(text, Kind.LABEL)]


_PAGE_NUMBER = re.compile(r"^\s*(?:[-—－–]\s*\d{1,3}\s*[-—－–]|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?)\s*$")


def tokens_of_line(line: str) -> list[Token]:
    """A line of text split at tabs, ``|`` and runs of spaces; empty pieces are dropped.

    A page number line (「- 3 -」, 「第 3 页」) of a table broken over pages gives no token.
    """
    if _PAGE_NUMBER.match(_fold(line)):
        return []
    out: list[Token] = []
    for piece in _SEPARATORS.split(line):
        piece = _fold(piece)
        if piece:
            out.extend(_tokens_of_piece(piece))
    return out


# ---------------------------------------------------------------------------
# Result


@dataclass
class SequenceRead:
    """Values read (field id → Decimal as printed), cells printed blank, and what to report."""

    values: dict[str, Decimal] = field(default_factory=dict)
    blanks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)  # rows of no form row, with their numbers


def _unknown_row(label: str, current_tokens: list[Token] | None, k: int) -> bool:
    """Whether an unrecognised label starts a row of its own (its numbers are then reported).

    A label that follows a row still short of numbers is the rest of that row's wrapped
    label (「计其他情形）」); after a complete row it is a row the form does not have.
    Single characters (a vertical label 「三」「、」「本」…) never start a row.
    """
    if len(normalise(label)) <= 1 or current_tokens is None:
        return False
    return sum(t.kind is not Kind.LABEL for t in current_tokens) >= k


def _report_unknown(unknown: list[tuple[str, list[Token]]], table: str, read: SequenceRead) -> None:
    for label, tokens in unknown:
        numbers = [t.text or "（空）" for t in tokens if t.kind is not Kind.LABEL]
        if numbers:
            read.unmapped.append(f"{table}：行「{label}」不是{table}的项目，数字「{'、'.join(numbers)}」未导入")


def _valid_join(parts: tuple[str, ...]) -> str | None:
    joined = "".join(parts)
    if len(parts) > 1 and (joined.startswith("0") or any("." in p for p in parts[:-1])):
        return None  # a joined value never starts with 0 ("0" "1" is two cells)
    return joined


def join_candidates(texts: list[str], k: int) -> list[list[str]]:
    """Every way to join adjacent tokens of ``texts`` into ``k`` values (no leading zeros)."""
    n = len(texts)
    if n == k:
        return [list(texts)]
    if n < k or n - k > 4:
        return []
    found: list[list[str]] = []
    for cuts in itertools.combinations(range(1, n), k - 1):
        bounds = (0, *cuts, n)
        values = []
        for a, b in zip(bounds, bounds[1:]):
            v = _valid_join(tuple(texts[a:b]))
            if v is None:
                break
            values.append(v)
        else:
            found.append(values)
    return found


def _resolve(cells: list[Token], k: int, balanced, where: str,  # noqa: ANN001 - predicate
             read: SequenceRead) -> list[Token] | None:
    """The row's ``k`` cells from the tokens after its label, or None (reported) if unsure."""
    cells = list(cells)
    while cells and cells[-1].kind is Kind.BLANK and len(cells) > k:
        cells.pop()  # padding after the last column
    while cells and cells[0].kind is Kind.BLANK and len(cells) > k:
        cells.pop(0)
    seen = "、".join(c.text or "（空）" for c in cells) or "（无）"
    if len(cells) == k:
        return cells
    if len(cells) < k:
        read.problems.append(f"{where}：只读到 {len(cells)} 个数（应有 {k} 个：{seen}），"
                             "这一行未导入，请对照原文填写")
        return None
    if any(c.kind is Kind.BLANK for c in cells):
        read.problems.append(f"{where}：读到 {len(cells)} 个格（应有 {k} 个：{seen}），"
                             "无法确定各栏的数，这一行未导入，请对照原文填写")
        return None
    options = [values for values in join_candidates([c.text for c in cells], k)
               if balanced is not None and balanced([Decimal(v) for v in values])]
    if len(options) == 1:
        read.notes.append(f"{where}：原文的「{seen}」被分在几行，按合计关系拼为"
                          f"「{'、'.join(options[0])}」导入，请核对")
        return [Token(v, Kind.NUMBER) for v in options[0]]
    why = "有几种拼法都符合合计关系" if len(options) > 1 else "无法按合计关系确定哪些数被拆开了"
    read.problems.append(f"{where}：读到 {len(cells)} 个数（应有 {k} 个：{seen}），{why}，"
                         "这一行未导入，请对照原文填写")
    return None


def _store(read: SequenceRead, field_ids: list[str], cells: list[Token]) -> None:
    for fid, cell in zip(field_ids, cells):
        if cell.kind is Kind.NUMBER:
            read.values[fid] = Decimal(cell.text)
        else:
            read.blanks.append(fid)


# ---------------------------------------------------------------------------
# Row labels of each table

T3_COLUMN_KEYS = tuple(key for key, _ in T3_COLUMNS)
T3_ROWS: tuple[tuple[str, str], ...] = (
    T3_NEW, T3_CARRIED_OVER,
    *((items[0][0], group) for group, items in T3_OUTCOME_GROUPS if len(items) == 1),
    *((key, label) for group, items in T3_OUTCOME_GROUPS if len(items) > 1 for key, label in items),
    T3_OUTCOME_TOTAL, T3_CARRIED_FORWARD,
)
T3_GROUPS: tuple[tuple[str, str], ...] = tuple(
    (group, group) for group, items in T3_OUTCOME_GROUPS if len(items) > 1)
T3_ROW_ORDER: tuple[str, ...] = (
    T3_NEW[0], T3_CARRIED_OVER[0],
    *(key for _, items in T3_OUTCOME_GROUPS for key, _ in items),
    T3_OUTCOME_TOTAL[0], T3_CARRIED_FORWARD[0],
)
_T3_HEADER = {normalise(t) for t in (T3_APPLICANTS, T3_ORGANISATIONS, T3_OUTCOMES, T3_NOTE)} | {
    normalise(label) for _, label in T3_COLUMNS}
_ROW_LABEL = dict(T3_ROWS)


def _wrapped_header_words(labels: Iterable[str]) -> frozenset[str]:
    """Column headers as a narrow page or a PDF's text breaks them: a header of four
    characters or more wraps after its second (「商业」「企业」, 「尚未」「审结」); shorter
    ones (「自然人」「其他」, which also name rows) are left whole and out."""
    return frozenset(normalise(w) for label in labels
                     for w in (label, label[:2], label[2:]) if len(label) >= 4)


_T3_HEADER_WORDS = _wrapped_header_words(label for _, label in T3_COLUMNS)


def _t3_label(text: str, expected: str | None) -> tuple[str, str] | None:
    """("row", key) or ("group", label) for a label of 表三's body, else None.

    「其他」 and 「总计」 also head columns; bare, they name a row only where the form expects
    that row next (after 2.申请人逾期未按收费… / after the outcomes).
    """
    c = normalise(text)
    if not c or normalise(text, Strictness.CORE) == normalise(T3_OUTCOMES, Strictness.CORE):
        return ("header", "")
    if c in _T3_HEADER or c in _T3_HEADER_WORDS:
        if c == normalise("其他") and expected == "other_other":
            return ("row", "other_other")
        if c == normalise("总计") and expected == T3_OUTCOME_TOTAL[0]:
            return ("row", T3_OUTCOME_TOTAL[0])
        return ("header", "")
    key, fuzzy = best_match(text, T3_ROWS)
    if key is not None:
        return ("fuzzy" if fuzzy else "row", key)
    group, _ = best_match(text, T3_GROUPS)
    if group is not None:
        return ("group", group)
    return None


_VERTICAL_CHAR = re.compile(r"^[\u4e00-\u9fff、]\s+(?=\S)")


def _split_item_and_group(text: str) -> list[str]:
    """「（四）无法提供 1.本机关不掌握…」 printed on one line: the group, then the item.

    A leading single character and a space is a letter of the vertical 「三、本年度办理结果」
    printed down the left of the rows (「果 （七）总计」): it is dropped.
    """
    text = _VERTICAL_CHAR.sub("", text)
    m = re.match(r"^([（(][一二三四五六七][）)][^0-9（(]*?)\s*([0-9]+\s*[.．、].+)$", text)
    return [m.group(1), m.group(2)] if m else [text]


_GROUP_OF: dict[str, str] = {key: group for group, items in T3_OUTCOME_GROUPS for key, _ in items}


def _short_of(tokens: list[Token]) -> bool:
    """A row still waiting for its numbers (its label is being continued)."""
    return sum(t.kind is not Kind.LABEL for t in tokens) < len(T3_COLUMN_KEYS)


def read_t3(tokens: list[Token]) -> SequenceRead:
    rows: dict[str, list[Token]] = {}
    group_rows: dict[str, list[Token]] = {}
    flat: list[Token] = []  # every value token after 一、本年新收, in order
    duplicates: list[str] = []
    unknown: list[tuple[str, list[Token]]] = []
    current: tuple[str, str] | None = None  # ("row"|"group", key)
    started = False
    order_index = 0
    for token in tokens:
        if token.kind is Kind.LABEL:
            for piece in _split_item_and_group(token.text):
                expected = T3_ROW_ORDER[order_index] if order_index < len(T3_ROW_ORDER) else None
                found = _t3_label(piece, expected)
                if found is None:
                    if started and current is not None and current[0] != "unknown" and _unknown_row(
                            piece, rows.get(current[1]) if current[0] == "row"
                            else group_rows.get(current[1]), len(T3_COLUMN_KEYS)):
                        unknown.append((piece, []))
                        current = ("unknown", piece)
                    continue  # else a wrapped part of a label
                if found[0] == "header":
                    continue  # a header repeated on a new page
                if found == ("row", T3_NEW[0]):
                    started = True
                if not started:
                    continue
                if found[0] == "fuzzy":
                    # Matched only approximately: the wrapped tail of a label (「复申请」 of
                    # 「4.无正当理由大量反复申请」) must not open a row already seen.
                    if found[1] in rows:
                        continue
                    found = ("row", found[1])
                if found[0] == "row" and found[1] in rows:
                    duplicates.append(found[1])
                    current = None
                    continue
                if found[0] == "group" and current is not None and current[0] == "row" \
                        and current[1] in _GROUP_OF and _GROUP_OF[current[1]] == found[1] \
                        and _short_of(rows[current[1]]):
                    continue  # the group's merged cell printed beside its item's numbers
                current = found
                if found[0] == "row":
                    rows[found[1]] = []
                    order_index = T3_ROW_ORDER.index(found[1]) + 1
                else:
                    group_rows.setdefault(found[1], [])
            continue
        if not started or current is None:
            continue
        flat.append(token)
        if current[0] == "unknown":
            unknown[-1][1].append(token)
            continue
        target = rows[current[1]] if current[0] == "row" else group_rows[current[1]]
        target.append(token)
    if not started:
        read = SequenceRead()
        read.problems.append(f"表三：找不到「{T3_NEW[1]}」这一行，表三未导入")
        return read

    def balanced(values: list[Decimal]) -> bool:
        return sum(values[:-1]) == values[-1]

    by_rows = _read_t3_rows(rows, group_rows, balanced)
    _report_unknown(unknown, "表三", by_rows)
    if (by_rows.problems or by_rows.unmapped) and not duplicates:
        by_order = _t3_by_order(rows, group_rows, flat, balanced)
        if by_order is not None:
            return by_order
    by_rows.problems.extend(f"表三「{_ROW_LABEL[k]}」出现了两次，第二次未导入" for k in duplicates)
    return by_rows


def _t3_by_order(rows: dict[str, list[Token]], group_rows: dict[str, list[Token]],
                 flat: list[Token], balanced) -> SequenceRead | None:  # noqa: ANN001
    """Rows read in the form's order when labels and numbers are out of step.

    A PDF centres a wrapped label vertically in its cell, so a row's numbers can land on the
    line of the next label.  When the numbers seen are exactly 7 per row found, in the form's
    order, and every row of 7 adds up to its total, the rows are taken in that order.
    """
    groups_alone = [g for g, items in T3_OUTCOME_GROUPS
                    if g in group_rows and not any(k in rows for k, _ in items)]
    position = {key: i for i, key in enumerate(T3_ROW_ORDER)}
    order = sorted([("row", k) for k in rows] + [("group", g) for g in groups_alone],
                   key=lambda e: position[e[1] if e[0] == "row" else dict(T3_OUTCOME_GROUPS)[e[1]][0][0]])
    width = len(T3_COLUMN_KEYS)
    if not order or any(t.kind is not Kind.NUMBER for t in flat) or len(flat) != width * len(order):
        return None
    chunks = [flat[i:i + width] for i in range(0, len(flat), width)]
    if not all(balanced([Decimal(t.text) for t in chunk]) for chunk in chunks):
        return None
    regrouped_rows = {k: [] for k in rows}
    regrouped_groups: dict[str, list[Token]] = {}
    for (kind, key), chunk in zip(order, chunks):
        (regrouped_rows if kind == "row" else regrouped_groups)[key] = list(chunk)
    read = _read_t3_rows(regrouped_rows, regrouped_groups, balanced)
    if read.problems:
        return None
    read.notes.append("表三的行标签与数字没有对齐（PDF 中换行的标签），各行的数按规定的行序读取，"
                      "每行都与其总计相符，请核对")
    return read


def _read_t3_rows(rows: dict[str, list[Token]], group_rows: dict[str, list[Token]],
                  balanced) -> SequenceRead:  # noqa: ANN001
    read = SequenceRead()
    rows = dict(rows)  # _group_rows marks the items of a one-row group as seen

    for key in T3_ROW_ORDER:
        if key not in rows:
            continue
        ids = [f"t3.{key}.{c}" for c in T3_COLUMN_KEYS]
        cells = _resolve(rows[key], len(T3_COLUMN_KEYS), balanced,
                         f"表三「{_ROW_LABEL[key]}」", read)
        if cells is not None:
            _store(read, ids, cells)
    _group_rows(group_rows, rows, balanced, read)
    missing = [_ROW_LABEL[k] for k in T3_ROW_ORDER if k not in rows
               and not any(f"t3.{k}.{c}" in read.values for c in T3_COLUMN_KEYS)]
    if missing:
        read.problems.append(f"表三：没有找到这些行：{'、'.join(missing)}，这些格未导入，请对照原文填写")
    return read


def _group_rows(group_rows: dict[str, list[Token]], rows: dict[str, list[Token]],
                balanced, read: SequenceRead) -> None:  # noqa: ANN001
    """A group printed as one row (「（六）其他处理」 of the 2019 format, or merged in a PDF).

    The items of the group are non-negative counts summing to the row: a row of zeros means
    every item is 0; otherwise the number is 「3.其他」's (as the 2019 format meant it) and
    the other items stay unread.
    """
    for group, tokens in group_rows.items():
        if not any(t.kind is not Kind.LABEL for t in tokens):
            continue
        items = dict(T3_OUTCOME_GROUPS)[group]
        if any(key in rows for key, _ in items):
            read.problems.append(f"表三「{group}」这一行的数「{'、'.join(t.text for t in tokens)}」"
                                 "未导入（其下各项已单独列出）")
            continue
        cells = _resolve(tokens, len(T3_COLUMN_KEYS), balanced, f"表三「{group}」", read)
        if cells is None:
            continue
        for col, cell in zip(T3_COLUMN_KEYS, cells):
            if cell.kind is Kind.NUMBER and Decimal(cell.text) == 0:
                for key, _ in items:
                    read.values[f"t3.{key}.{col}"] = Decimal(0)
            elif cell.kind is Kind.NUMBER:
                read.values[f"t3.{items[-1][0]}.{col}"] = Decimal(cell.text)
            else:
                read.blanks.append(f"t3.{items[-1][0]}.{col}")
        for key, _ in items:
            rows.setdefault(key, [])
        read.notes.append(f"表三「{group}」印成一行：为 0 的栏各项都按 0 导入，不为 0 的栏按"
                          f"「{items[-1][1]}」导入，其余各项留空，请对照原文填写")


# 表二 ---------------------------------------------------------------------

T2_ROWS: tuple[tuple[str, str], ...] = tuple(dict.fromkeys(
    (f.row, f.row_label) for f in TABLE2.fields)) + T2_ROW_ALIASES
_T2_CAPTION_STEM = caption_stem(TABLE2)
_T2_COLUMNS = {row: [f for f in TABLE2.fields if f.row == row] for row, _ in T2_ROWS}
_T2_HEADER = {normalise(T2_ITEM_COLUMN)} | {normalise(f.col_label) for f in TABLE2.fields}


def read_t2(tokens: list[Token]) -> SequenceRead:
    read = SequenceRead()
    rows: dict[str, list[Token]] = {}
    unknown: list[tuple[str, list[Token]]] = []
    flat: list[Token] = []  # every value after the first row label, in order
    current: str | None = None
    for token in tokens:
        if token.kind is Kind.LABEL:
            c = normalise(token.text)
            if c in _T2_HEADER or opens_caption(c, _T2_CAPTION_STEM):
                current = None
                continue
            key, _ = best_match(token.text, T2_ROWS)
            if key is None and current is not None and _unknown_row(
                    token.text, rows.get(current), len(_T2_COLUMNS[current])):
                unknown.append((token.text, []))
                current = None
                continue
            if key is not None:
                if key in rows:
                    read.problems.append(f"表二「{dict(T2_ROWS)[key]}」出现了两次，第二次未导入")
                    current = None
                else:
                    current = key
                    rows[key] = []
            continue
        if rows:
            flat.append(token)
        if current is not None:
            rows[current].append(token)
        elif unknown:
            unknown[-1][1].append(token)
    _report_unknown(unknown, "表二", read)
    by_order = _t2_by_order(rows, flat)
    if by_order is not None and not read.problems and not read.unmapped and any(
            len([t for t in rows[k] if t.kind is not Kind.LABEL]) != len(fields)
            for k, fields in _T2_COLUMNS.items()):
        return by_order
    for key, fields in _T2_COLUMNS.items():
        if key not in rows:
            continue
        label = fields[0].row_label
        cells = _resolve(rows[key], len(fields), None, f"表二「{label}」", read)
        if cells is not None:
            _store(read, [f.id for f in fields], cells)
    missing = [fields[0].row_label for key, fields in _T2_COLUMNS.items() if fields and key not in rows]
    if missing:
        read.problems.append(f"表二：没有找到这些行：{'、'.join(missing)}，这些格未导入，请对照原文填写")
    return read


def _t2_by_order(rows: dict[str, list[Token]], flat: list[Token]) -> SequenceRead | None:
    """表二's numbers in the form's order, when a PDF's text put values before labels.

    Only when every row of 表二 was found once, in the form's order, and exactly as many
    numbers as the table has cells were seen after the first row label.
    """
    fields = [f for key in _T2_COLUMNS for f in _T2_COLUMNS[key]]
    if list(rows) != list(_T2_COLUMNS) or len(flat) != len(fields) or any(
            t.kind is not Kind.NUMBER for t in flat):
        return None
    read = SequenceRead()
    _store(read, [f.id for f in fields], flat)
    read.notes.append(f"表二的数字与行标签没有对齐（PDF 文字的顺序），{len(fields)} 个数按规定的行序读取，"
                      "请核对")
    return read


# 表四 ---------------------------------------------------------------------

#: A run of 表四's result headers (「结果维持」「其他结果」…, whole or wrapped, and 「总计」)
#: that plain pdftotext prints among the numbers.
_T4_HEADER_WORDS = re.compile("^(?:{})+$".format("|".join(map(re.escape, sorted(
    _wrapped_header_words(label for _, label in T4_RESULTS) | {normalise(T4_RESULTS[-1][1])},
    key=len, reverse=True)))))
T4_IDS: tuple[str, ...] = tuple(f.id for f in sorted(TABLE4.fields, key=lambda f: f.grid_col))


def read_t4(tokens: list[Token]) -> SequenceRead:
    """The first run of numbers after the header: 15 cells in the form's column order."""
    read = SequenceRead()
    run: list[Token] = []
    for token in tokens:
        if token.kind is Kind.LABEL:
            if _T4_HEADER_WORDS.match(normalise(token.text)):
                continue  # a header word printed among the numbers (plain pdftotext)
            if run and any(t.kind is Kind.NUMBER for t in run):
                break  # text after the numbers is not part of the row
            run = []
            continue
        run.append(token)
    if not any(t.kind is Kind.NUMBER for t in run):
        read.problems.append("表四：找不到数字行，表四未导入")
        return read
    width = len(T4_RESULTS)

    def balanced(values: list[Decimal]) -> bool:
        return all(sum(values[i:i + width - 1]) == values[i + width - 1]
                   for i in range(0, len(values), width))

    cells = _resolve(run, len(T4_IDS), balanced, "表四数字行", read)
    if cells is not None:
        _store(read, list(T4_IDS), cells)
    return read


READERS = {"t2": read_t2, "t3": read_t3, "t4": read_t4}

__all__ = ["Kind", "Token", "SequenceRead", "tokens_of_cell", "tokens_of_line", "read_t2",
           "read_t3", "read_t4", "READERS", "join_candidates"]
