"""Page and table geometry of the printed report, declared once beside the form.

The .docx template (:mod:`generator.outputs.template_builder`), the rendered .docx
(:mod:`generator.outputs.docx` resizes the tables per report), the reportlab PDF
(:mod:`generator.outputs.pdf`) and the HTML page all read their numbers from here, so a
table has the same column widths and the same type size in every output.

Lengths are twips (1/20 pt) – Word's unit, integers, so the columns of a table add up to the
版心 width exactly; ``*_pt`` helpers give points for reportlab.

Rules (GB/T 9704-2012 and the issue "print fidelity"):

* tables are set in 五号 (10.5 pt); when the widest number of a table does not fit its column
  at that size, the *whole table* steps down one size (小五, 9 pt) – never single cells;
* number columns are as wide as their heading or their widest number needs (whichever is
  more); the label columns take what is left, down to a minimum;
* cell margins are 1 mm left and right, 0.35 mm above and below; numbers are centred; table
  text has an exact line pitch of 1.3 × its size, so every output gives a row the same height.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

from generator.form import TABLE_BY_KEY, CellRole, GridCell, TableForm


def mm_to_twips(value: float) -> int:
    return round(value * 1440 / 25.4)


# ---------------------------------------------------------------------------
# Page (GB/T 9704-2012 §5.2)

PAGE_WIDTH = 11906  # A4 210 mm
PAGE_HEIGHT = 16838  # A4 297 mm
MARGIN_TOP = mm_to_twips(37)
MARGIN_BOTTOM = mm_to_twips(35)
MARGIN_INSIDE = mm_to_twips(28)
MARGIN_OUTSIDE = mm_to_twips(26)
TEXT_WIDTH = PAGE_WIDTH - MARGIN_INSIDE - MARGIN_OUTSIDE  # 版心 156 mm = 8845 twips
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

#: Exact line pitch of body text: 28.95 pt; 22 lines fill the 225 mm 版心.
LINE_PITCH = 579
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28

#: 字号 in points.
SIZE_PT: dict[str, float] = {"二号": 22, "三号": 16, "四号": 14, "小四": 12, "五号": 10.5,
                             "小五": 9}

#: 字号 per role.
ROLE_SIZE: dict[str, str] = {
    "title": "二号", "body": "三号", "heading": "三号", "signature": "三号",
    "page_number": "四号", "table": "五号", "table_small": "小五",
}

BODY_PT = SIZE_PT["三号"]
#: One character of the 28-character grid: 442.25 pt / 28 = 15.79 pt (a 三号 character
#: closes up by 0.21 pt – Word's document grid, ``w:charSpace``, does the same).
GRID_CHAR = TEXT_WIDTH / CHARS_PER_LINE  # twips


#: The w:charSpace Word writes for a linesAndChars grid of 28 characters: the grid pitch is
#: the default 三号 size plus charSpace/4096 pt, so (15.79 − 16) × 4096 = −841.
GRID_CHAR_SPACE = round((GRID_CHAR / 20 - BODY_PT) * 4096)

#: Character spacing of body text in twentieths of a point (w:spacing): 28 characters of
#: 三号 take 439.6 pt of the 442.25 pt line, leaving room so no renderer squeezes a mark.
#: Not the document grid: measured in LibreOffice 7.4.7 (tests/test_docgrid_libreoffice.py),
#: LibreOffice reads a linesAndChars grid right (pitch = the Normal style's East Asian size +
#: charSpace: 15.75 pt for −841) but gives a CJK character wider than the pitch two cells, so
#: a pitch below 16 pt sets 14 characters a line; a pitch of 16 pt or more is kept, and 28 of
#: those (448 pt) do not fit the 442.25 pt line (27 a line at 16 pt, 26 at 17 pt).
BODY_CHAR_SPACING = -6


# ---------------------------------------------------------------------------
# Tables

TABLE_SIZES: tuple[float, ...] = (SIZE_PT["五号"], SIZE_PT["小五"])  # one step down at most
CELL_MARGIN_X = mm_to_twips(1)  # 57 twips left and right inside each cell
#: 0.35 mm (20 twips) above and below: with 0.5 mm, the example's 表三 under its heading
#: ended 1.1 pt above the 版心's bottom in the PDF, and LibreOffice, which sets it 0.8 pt
#: lower, split it before （七）总计 and left 三、本年度办理结果 blank on the next page.
#: Now it ends 5.7 pt above the bottom in both.
CELL_MARGIN_Y = mm_to_twips(0.35)
#: Room for the cell borders and rounding between renderers (Word, LibreOffice, reportlab).
CELL_SLACK = 20
#: Digits, the decimal point and the minus sign are half an em in 宋体 and Times New Roman.
DIGIT_EM = 0.5
NUMBER_ALIGN = "center"


def table_leading(size_pt: float) -> float:
    """Exact line pitch of table text in points."""
    return round(size_pt * 1.3, 2)


def _chars_width(chars: float, size_pt: float) -> int:
    """Width in twips of a column holding ``chars`` characters per line."""
    return round(chars * size_pt * 20) + 2 * CELL_MARGIN_X + CELL_SLACK


def number_width(text: str, size_pt: float) -> int:
    """Width in twips of a column a printed number fits on one line."""
    return _chars_width(len(text) * DIGIT_EM, size_pt)


@dataclass(frozen=True)
class _Plan:
    """How a table's columns are chosen: label columns with preferred/minimum characters;
    value columns with the characters their heading needs per line."""

    labels: Mapping[int, tuple[float, float]]  # column -> (preferred, minimum) characters
    flexible: int | None  # the label column that takes what is left
    heading_chars: Mapping[int, float]  # value column -> characters its heading needs


_PLANS: dict[str, _Plan] = {
    # 信息内容 | three number columns (one merged column in the single-column blocks).
    "t2": _Plan({0: (0, 6)}, 0, {1: 9, 2: 9, 3: 9}),
    # 三、本年度办理结果 (one character a line) | （三）不予公开 | item labels | 7 numbers.
    "t3": _Plan({0: (1, 1), 1: (7, 4), 2: (0, 5)}, 2,
                {3: 3, **{c: 2 for c in range(4, 10)}}),
    # fifteen number columns, two characters a line (结果/维持 as the form breaks them).
    "t4": _Plan({}, None, {c: 2 for c in range(15)}),
}


@dataclass(frozen=True)
class TableGeometry:
    """One table as printed: type size, column widths (twips), and whether numbers fit."""

    key: str
    size_pt: float
    widths: tuple[int, ...]
    numbers_fit: bool

    @property
    def leading_pt(self) -> float:
        return table_leading(self.size_pt)

    @property
    def widths_pt(self) -> tuple[float, ...]:
        return tuple(w / 20 for w in self.widths)

    @property
    def half_points(self) -> int:
        return round(self.size_pt * 2)


def _try(form: TableForm, plan: _Plan, size: float, widest: int) -> tuple[tuple[int, ...], bool]:
    """Column widths at ``size`` for numbers ``widest`` characters long, and whether they fit."""
    widths = [0] * form.n_cols
    need = number_width("0" * widest, size) if widest else 0
    for col, chars in plan.heading_chars.items():
        widths[col] = max(_chars_width(chars, size), need)
    label_min = {col: _chars_width(least, size) for col, (_, least) in plan.labels.items()}
    spare = TEXT_WIDTH - sum(widths) - sum(label_min.values())
    fits = spare >= 0
    if plan.flexible is None or not fits:
        # Equal number columns: the form's 表四, or numbers that wrap whatever is done
        # (they share what the label minimums leave).
        cols = sorted(plan.heading_chars)
        room = TEXT_WIDTH - sum(label_min.values())
        base, extra = divmod(room, len(cols))
        for i, col in enumerate(cols):
            widths[col] = base + (1 if i < extra else 0)
        fits = fits and all(widths[c] >= need for c in cols)
        for col, least in label_min.items():
            widths[col] = least
        return tuple(widths), fits
    for col, (preferred, _) in sorted(plan.labels.items()):
        if col == plan.flexible:
            continue
        grow = min(max(_chars_width(preferred, size) - label_min[col], 0), spare)
        widths[col] = label_min[col] + grow
        spare -= grow
    widths[plan.flexible] = label_min[plan.flexible] + spare
    return tuple(widths), True


def table_geometry(key: str, texts: Mapping[str, str] | None = None) -> TableGeometry:
    """The geometry of table ``key`` for its printed numbers (field id -> text).

    The widest number in a one-column cell sizes the number columns; a number in a merged
    cell (表二's 万元 amount over three columns) only has to fit its merged width.
    """
    form = TABLE_BY_KEY[key]
    plan = _PLANS[key]
    texts = texts or {}
    single = max((len(texts.get(c.field_id, "")) for c in form.cells
                  if c.field_id is not None and c.colspan == 1), default=0)
    merged = [(c, len(texts.get(c.field_id, ""))) for c in form.cells
              if c.field_id is not None and c.colspan > 1]
    widths: tuple[int, ...] = ()
    for size in TABLE_SIZES:
        widths, fits = _try(form, plan, size, single)
        if fits and all(span_width(widths, c.col, c.colspan) >= number_width("0" * n, size)
                        for c, n in merged):
            return TableGeometry(key, size, widths, True)
    return TableGeometry(key, TABLE_SIZES[-1], widths, False)


def default_geometry(key: str) -> TableGeometry:
    """The geometry of the committed template: no numbers wider than the headings."""
    return table_geometry(key)


def label_left(form: TableForm, role: CellRole, rowspan: int) -> bool:
    """表三's one-row labels run over several lines and read left-aligned; everything else
    (headers, captions, numbers, group labels) is centred – in every output."""
    return form.key == "t3" and role is CellRole.LABEL and rowspan == 1


def span_width(widths: Sequence[int], col: int, colspan: int) -> int:
    return sum(widths[col:col + colspan])


def merge_crosses(form: TableForm, row: int) -> bool:
    """True if a merged cell of ``form`` continues from ``row`` into the next row."""
    return any(c.rowspan > 1 and c.row <= row < c.last_row for c in form.cells
               if c.row >= form.header_rows)


#: Tables whose heading starts a new page in every output (.docx w:pageBreakBefore, the PDF
#: a page break), so the table is split only when it is taller than a page.  表三 with its
#: heading fills nearly a page (the example, measured: 212.5 mm of table + 10.2 mm of heading
#: in the 225 mm 版心), so any split would put it on two pages anyway; kept whole, the merged
#: labels 「三、本年度办理结果」「（五）不予处理」 need no continuation, which Word and
#: LibreOffice cannot do for a vertical merge (they leave the continued cell blank).  A
#: keepNext chain over the merged rows is not used: measured in LibreOffice 7.4 it drops the
#: table's last row (see :func:`kept_rows`).  A table taller than a page is cut where the
#: PDF breaks it (pdf.plan_breaks, template_builder.split_table).
NEW_PAGE_TABLES: frozenset[str] = frozenset({"t3"})


def kept_rows(form: TableForm, body_rows: int = 2) -> frozenset[int]:
    """Rows kept with the next one (.docx keepNext): the header rows and the first
    ``body_rows`` body rows, so the heading never stands alone on a page.

    Not the rows inside merged labels: measured in LibreOffice 7.4, a keepNext chain over
    表三's 「三、本年度办理结果」 that ended one row before the end of the table made it drop
    the table's last row (四、结转下年度继续办理) from the PDF.
    """
    last = form.n_rows - 1
    return frozenset(range(min(form.header_rows + body_rows, last)))


# Kept: the tables' labels are measured for every report, and numbers repeat.
@lru_cache(maxsize=4096)
def _em_width(text: str) -> float:
    """Width of ``text`` in em: CJK characters and full-width marks 1, the rest ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else DIGIT_EM for ch in text)


def estimated_table_height(key: str, texts: Mapping[str, str]) -> float:
    """Height in points of table ``key`` as printed, from widths in em (no font needed).

    A cheap bound for deciding whether a table that starts a page (NEW_PAGE_TABLES) can fit
    it; the exact break is measured with the PDF's fonts only when it cannot
    (pdf.table_breaks).  Labels narrower than 2.2 characters are set one character a line,
    as the outputs do; each row adds its rule (0.5 pt).
    """
    form = TABLE_BY_KEY[key]
    geo = table_geometry(key, texts)
    size = geo.size_pt
    leading = table_leading(size)
    pad = 2 * CELL_MARGIN_Y / 20 + 0.5
    heights = [leading + pad] * form.n_rows
    merged: list[tuple[int, int, float]] = []
    for cell, inner, vertical, label_lines in _cells_measured(key, geo.widths, size):
        if label_lines is not None:
            lines = label_lines
        else:
            text = texts.get(cell.field_id or "", "0")
            lines = len(text) if vertical else _lines_of(text, size, inner)
        need = lines * leading + pad
        if cell.rowspan == 1:
            heights[cell.row] = max(heights[cell.row], need)
        else:
            merged.append((cell.row, cell.last_row, need))
    for first, last, need in merged:
        have = sum(heights[first:last + 1])
        if have < need:
            extra = (need - have) / (last - first + 1)
            for r in range(first, last + 1):
                heights[r] += extra
    return sum(heights)


def _lines_of(text: str, size: float, inner: float) -> int:
    return max(1, math.ceil(_em_width(text) * size / inner - 1e-9))


@lru_cache(maxsize=64)
def _cells_measured(key: str, widths: tuple[int, ...], size: float,
                    ) -> tuple[tuple[GridCell, float, bool, int | None], ...]:
    """For :func:`estimated_table_height`, per cell of table ``key`` at ``widths`` and
    ``size``: its inner width in points, whether it is set one character a line, and the
    lines of a label (``None`` for a number, whose text is the report's).  Kept: the labels
    are the same in every report."""
    out: list[tuple[GridCell, float, bool, int | None]] = []
    for cell in TABLE_BY_KEY[key].cells:
        inner = span_width(widths, cell.col, cell.colspan) / 20 - 2 * CELL_MARGIN_X / 20
        vertical = cell.role is CellRole.LABEL and inner < 2.2 * size
        label_lines = None
        if cell.field_id is None:
            label_lines = len(cell.text) if vertical else _lines_of(cell.text, size, inner)
        out.append((cell, inner, vertical, label_lines))
    return tuple(out)


#: Room (points) a table that starts a page keeps free at the page's foot: LibreOffice sets a
#: table up to 1 pt lower than reportlab and its rows differ by up to 0.3 pt (表三, measured).
PAGE_TABLE_SLACK = 4.0


def table_fits_page(key: str, texts: Mapping[str, str]) -> bool:
    """Whether table ``key`` fits the page it starts under its one-line heading."""
    room = TEXT_HEIGHT / 20 - LINE_PITCH / 20 - PAGE_TABLE_SLACK
    return estimated_table_height(key, texts) <= room
