"""Page geometry and the flowables the PDF is laid out with.

Everything here is format mechanics – no knowledge of what a report says:

* :class:`Face` measures and picks glyphs (with a per-character fallback to another font
  when the role's font lacks a character);
* :class:`TextBlock` is a paragraph broken by :mod:`.kinsoku` and drawn line by line with
  character spacing for justification and for the 28-characters-per-line grid;
* :class:`FormTable` lays out one of the official tables in per-page pieces: header rows
  repeat, and a vertical merge that crosses a page break becomes one merge per page with the
  label repeated (reportlab cannot split a ``SPAN`` across pages);
* :class:`SignatureBlock` keeps the 落款 with the last lines of text (its lines and indents
  come from :func:`generator.outputs.context.signature_lines`, shared by every output);
* :func:`page_decorations` draws page numbers (``— N —``) and the draft mark.

Geometry follows GB/T 9704-2012 (official_format.md §2): A4, 版心 156 × 225 mm, top 37 mm,
inside 28 mm, outside 26 mm (mirrored for double-sided printing).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import groupby
from typing import Any, Callable, Sequence
from weakref import WeakKeyDictionary, ref

from reportlab.lib.colors import black, red
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    Flowable,
    Frame,
    NextPageTemplate,
    PageTemplate,
    Table,
    TableStyle,
)
from reportlab.platypus.tables import CellStyle

from generator.form import DRAFT_MARK, CellRole, GridCell, TableForm
from generator.form.geometry import DIGIT_EM, label_left, table_leading
from generator.outputs.fonts import embed
from generator.outputs.kinsoku import MAX_SPREAD_EM, Line, break_lines
from generator.outputs.memo import Memo

# ---------------------------------------------------------------------------
# Geometry (points)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP = 37 * mm
MARGIN_BOTTOM = 35 * mm
MARGIN_INSIDE = 28 * mm
MARGIN_OUTSIDE = 26 * mm
BODY_WIDTH = PAGE_WIDTH - MARGIN_INSIDE - MARGIN_OUTSIDE  # 156 mm
BODY_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM  # 225 mm

BODY_SIZE = 16.0  # 三号
TITLE_SIZE = 22.0  # 二号
PAGE_NUMBER_SIZE = 14.0  # 四号
LINE_PITCH = 28.95  # exact line spacing: 22 lines fill the 225 mm 版心
CHARS_PER_LINE = 28
#: Character spacing that fits 28 三号 characters into 156 mm, as Word's document grid does.
BODY_TRACKING = (BODY_WIDTH - CHARS_PER_LINE * BODY_SIZE) / (CHARS_PER_LINE - 1)
TITLE_LEADING = LINE_PITCH  # the .docx sets the title on the body's exact pitch too
PAGE_NUMBER_GAP = 7 * mm  # the 一字线 sits 7 mm below the 版心

EPS = 0.01


# ---------------------------------------------------------------------------
# Fonts as the layout sees them


class Face:
    """A registered font: widths for measuring, and which font prints each character.

    ``fallbacks`` are other registered faces tried, in order, for a character this one has
    no glyph for; a character no face has is printed with this face (and reported).
    """

    def __init__(self, name: str, codepoints: frozenset[int],
                 fallbacks: Sequence["Face"] = ()) -> None:
        self.name = name
        self.codepoints = codepoints
        self.fallbacks = tuple(fallbacks)
        self.font: Any = pdfmetrics.getFont(name)  # the registered reportlab font
        face = self.font.face
        self._widths = face.charWidths
        self._default = face.defaultWidth
        self._cache: dict[str, float] = {}
        self._sized: dict[float, _SizedWidths] = {}

    def with_fallbacks(self, fallbacks: Sequence["Face"]) -> "Face":
        return Face(self.name, self.codepoints, [f for f in fallbacks if f.name != self.name])

    def pick(self, ch: str) -> "Face":
        if ord(ch) in self.codepoints:
            return self
        for other in self.fallbacks:
            if ord(ch) in other.codepoints:
                return other
        return self

    def char_width(self, ch: str) -> float:
        """Advance width of one character at 1 pt."""
        width = self._cache.get(ch)
        if width is None:
            face = self.pick(ch)
            width = face._widths.get(ord(ch), face._default) / 1000.0
            self._cache[ch] = width
        return width

    def width(self, text: str, size: float) -> float:
        if len(text) == 1:
            return self.char_width(text) * size
        return sum(map(self.char_width, text)) * size

    def measure(self, size: float) -> Callable[[str], float]:
        """``lambda text: self.width(text, size)`` for the line breaker, which measures every
        unit of a paragraph: the widths are kept per size, so measuring a character seen
        before is one dictionary lookup instead of three Python calls."""
        widths = self._sized.get(size)
        if widths is None:
            widths = self._sized[size] = _SizedWidths(self, size)
        return widths.__getitem__

    def runs(self, text: str) -> list[tuple["Face", str]]:
        """``text`` cut into runs printed with one face each."""
        out: list[tuple[Face, str]] = []
        for ch in text:
            face = self.pick(ch)
            if out and out[-1][0] is face:
                out[-1] = (face, out[-1][1] + ch)
            else:
                out.append((face, ch))
        return out


class _SizedWidths(dict[str, float]):
    """:meth:`Face.width` of texts at one size, computed on first asking (``__missing__``)."""

    def __init__(self, face: Face, size: float) -> None:
        super().__init__()
        self.face = face
        self.size = size

    def __missing__(self, text: str) -> float:
        width = self.face.width(text, self.size)
        if len(self) < 65536:  # numbers and addresses are units too: bounded
            self[text] = width
        return width


# ---------------------------------------------------------------------------
# Paragraphs


@dataclass(frozen=True)
class TextStyle:
    """How a :class:`TextBlock` is set."""

    face: Face
    size: float
    leading: float
    align: str = "justify"  # justify, left, center, right
    first_indent: float = 0.0  # points
    left_indent: float = 0.0
    tracking: float = 0.0  # added after every character
    space_before: float = 0.0
    space_after: float = 0.0
    vertical: bool = False  # one character per line (a narrow table label)
    keep_with_next: bool = False
    widow_control: bool = True
    color: object = black


@dataclass(frozen=True)
class LaidLine:
    text: str
    width: float  # natural width including tracking between characters
    indent: float
    last: bool  # last line of the paragraph (never justified)


_LAYOUTS: Memo[tuple[str, "TextStyle", float], tuple["LaidLine", ...]] = Memo(4096)


class TextBlock(Flowable):
    """A paragraph (or a part of one after a page break) laid out with Chinese line breaking."""

    def __init__(self, text: str, style: TextStyle, lines: Sequence[LaidLine] | None = None,
                 width: float | None = None, *, space_before: float | None = None,
                 space_after: float | None = None) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self._lines = list(lines) if lines is not None else None
        self._laid_width = width
        self.spaceBefore = style.space_before if space_before is None else space_before
        self.spaceAfter = style.space_after if space_after is None else space_after
        self.keepWithNext = style.keep_with_next

    # -- layout
    def lines(self, avail_width: float) -> list[LaidLine]:
        """The laid-out lines for a column ``avail_width`` wide (computed once per width)."""
        if self._lines is None or (self._laid_width is not None
                                   and abs(self._laid_width - avail_width) > EPS):
            self._lines = self._layout(avail_width)
            self._laid_width = avail_width
        return self._lines

    def _layout(self, avail_width: float) -> list[LaidLine]:
        # Headings and table labels are the same in every report: their lines are kept.
        key = (self.text, self.style, round(avail_width, 3))
        return list(_LAYOUTS.kept(key, lambda: self._break(avail_width)))

    def _break(self, avail_width: float) -> tuple[LaidLine, ...]:
        return tuple(self._break_lines(avail_width))

    def _break_lines(self, avail_width: float) -> list[LaidLine]:
        s = self.style
        measure = s.face.measure(s.size)
        if s.vertical:
            chars = [c for c in self.text if not c.isspace()] or [""]
            return [LaidLine(c, measure(c), 0.0, i == len(chars) - 1) for i, c in enumerate(chars)]
        out: list[LaidLine] = []
        for p_index, piece in enumerate(self.text.split("\n")):
            width = avail_width - s.left_indent
            lines: list[Line] = break_lines(piece, width, measure, first_indent=s.first_indent,
                                            tracking=s.tracking)
            for i, line in enumerate(lines):
                indent = s.left_indent + (s.first_indent if i == 0 else 0.0)
                out.append(LaidLine(line.text, line.width, indent, line.last))
        return out

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        count = len(self.lines(availWidth))
        self.leading = self.style.leading
        if self.style.vertical and count * self.leading > availHeight:
            # A vertical label in a short piece of a merged cell closes up its characters.
            self.leading = max(self.style.size, availHeight / max(count, 1))
        self.height = count * self.leading
        return availWidth, self.height

    def min_height(self, avail_width: float) -> float:
        """The least height this block can be drawn in (vertical labels close up)."""
        count = len(self.lines(avail_width))
        return count * (self.style.size if self.style.vertical else self.style.leading)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        lines = self.lines(availWidth)
        fit = int((availHeight + EPS) // self.style.leading)
        n = len(lines)
        if fit >= n:
            # reportlab asks to split only what did not fit: its tolerance (1e-6 pt) is finer
            # than EPS, so a block within EPS of the space left is one line too tall here.
            fit = n - 1
        if self.style.widow_control and n > 1:
            # No single line of a paragraph alone at the foot or the head of a page.
            if n - fit < 2:
                fit = n - 2
            if fit < 2:
                return []
        if fit <= 0:
            return []
        return [
            TextBlock(self.text, self.style, lines[:fit], availWidth, space_after=0.0),
            TextBlock(self.text, self.style, lines[fit:], availWidth, space_before=0.0),
        ]

    # -- drawing
    def line_texts(self, avail_width: float) -> list[str]:
        return [line.text for line in self.lines(avail_width)]

    def draw(self) -> None:
        # One text object for the whole block: a text object per line cost a quarter of the
        # PDF's time (each starts again with colour, spacing and font).
        text = self.canv.beginText(0, 0)
        text.setFillColor(self.style.color)
        self.draw_into(_TextPen(text), 0.0, 0.0)
        self.canv.drawText(text)

    def draw_into(self, pen: "_TextPen", x: float, y: float) -> None:
        """Draw the lines into ``pen``'s text object with the block's origin at ``x``, ``y``
        (the block must be wrapped, and the text object's colour set)."""
        s = self.style
        width = self._laid_width if self._laid_width is not None else self.width
        top = y + self.height
        leading = getattr(self, "leading", s.leading)
        for number, line in enumerate(self.lines(width)):
            middle = top - (number + 0.5) * leading
            baseline = middle - 0.36 * s.size  # CJK glyphs sit 0.36 em above the baseline
            draw_line(None, line, width, baseline, s, pen, x)


class _TextPen:
    """A text object that is told the font and spacing only when they change, and that writes
    each run's text operators itself.

    reportlab's ``textOut`` measures the string again (to move a cursor this layout never
    uses: every line sets its own origin) and looks the font up by name for every string, some
    four hundred times a report.  The operators are the ones ``textOut`` writes for a TrueType
    font, byte for byte: the subset's font name when the subset changes, then the string in
    that subset's codes.
    """

    def __init__(self, text: Any) -> None:
        self.text = text
        self.font: tuple[str, float] | None = None
        self.char_space: float | None = None
        self._document = text._canvas._doc
        self._bottom_up = bool(text._canvas.bottomup)
        self._size_operators = ""
        self._glyphs = _document_glyphs(self._document)

    def set_font(self, name: str, size: float) -> None:
        font = self.font  # compared part by part: no tuple made for every run
        if font is None or font[0] != name or font[1] != size:
            self.text.setFont(name, size)  # also forgets the current subset
            self.font = (name, size)
            self._size_operators = f"{fp_str(size)} Tf {fp_str(self.text._leading)} TL"

    def move_to(self, x: float, y: float) -> None:
        """``setTextOrigin(x, y)``: the operator and the cursor reportlab 5.1's
        PDFTextObject.setTextOrigin writes for a bottom-up canvas, without its method call
        and %-formatting per line (tests/test_pdf_fast_paths.py compares the two)."""
        text = self.text
        if not self._bottom_up:
            text.setTextOrigin(x, y)
            return
        text._code.append(f"1 0 0 1 {fp_str(x, y)} Tm")
        text._x0 = text._x = x
        text._y0 = text._y = y

    def set_char_space(self, value: float) -> None:
        if self.char_space != value:
            self.text.setCharSpace(value)
            self.char_space = value

    def show_runs(self, face: "Face", line: str, size: float) -> None:
        """Print ``line`` with ``face``, each character in the face that has its glyph.

        Writes what reportlab's ``textOut`` writes for each run of :meth:`Face.runs`
        (tests/test_pdf_fast_paths.py compares the two), from the document's
        :class:`_Placement` of the face instead of asking ``splitString`` for every string: a
        character's subset and code never change within a document once assigned, and
        ``setFont`` writes no code for a TrueType font (both so in reportlab 5.1)."""
        if not line:
            return
        names = self._glyphs.names
        text = self.text
        operators = []
        for run, codes in self._glyphs.placement(face).pieces(line):
            self.set_font(run.name, size)
            if run.subset != text._curSubset:
                name = names.get(run) or self._glyphs.internal_name(run)
                operators.append(f"{name} {self._size_operators}")
                text._curSubset = run.subset
            operators.append(f"({codes}) Tj")
        # One entry for the whole line: the text object joins its entries with a space, as
        # the runs' operators are joined here, and setFont adds none for a TrueType font.
        text._code.append(" ".join(operators))


@dataclass(eq=False, frozen=True)
class _SubsetRun:
    """One 256-code subset of a registered font: consecutive characters of the same subset
    are printed with one ``Tj``.  One object per font and subset for the process
    (:func:`_subset_run`), so runs compare by identity; the subset's name in a PDF is that
    PDF's (:attr:`_DocumentGlyphs.names`).  It holds the registered font, not a
    :class:`Face`: a face's fallbacks and width tables belong to the documents that made it."""

    name: str  # the registered font's name
    font: Any  # the registered reportlab font (one per name for the process)
    subset: int


_SUBSET_RUNS: dict[tuple[str, int], _SubsetRun] = {}


def _subset_run(face: Face, subset: int) -> _SubsetRun:
    key = (face.name, subset)
    found = _SUBSET_RUNS.get(key)
    if found is None:
        found = _SUBSET_RUNS[key] = _SubsetRun(face.name, face.font, subset)
    return found


#: A PDF string's bytes as ``escapePDF`` writes them, one code at a time (it escapes each byte
#: on its own, so a string's escape is the concatenation: so in reportlab 5.1 and rl_accel
#: 0.9; tests/test_pdf_fast_paths.py compares whole lines with ``textOut``'s).
_ESCAPED = tuple(escapePDF(bytes([code])) for code in range(256))

#: Pieces of a line: the subset run and the escaped codes of each of its runs.
Pieces = tuple[tuple[_SubsetRun, str], ...]


@dataclass
class _Seed:
    """What a face prints from the reserved subsets (:func:`reserve_document_subsets`): the same
    in every PDF with the same reservation, so a new PDF's placement starts with it instead of
    asking reportlab again for the tables' labels."""

    run_of: dict[str, _SubsetRun] = field(default_factory=dict)
    code_of: dict[str, str] = field(default_factory=dict)
    pieces: dict[str, Pieces] = field(default_factory=dict)


#: Lines kept per seed (a form's labels and headings are some hundreds).
SEED_LINES = 4096

_SEEDS: "WeakKeyDictionary[Face, dict[tuple[tuple[str, str], ...], _Seed]]" = WeakKeyDictionary()
_NO_SEED = _Seed()


class _Placement:
    """For one face drawing in one PDF: each character's subset run and code, escaped for a
    PDF string, as reportlab's ``splitString`` assigned them; and each line's pieces."""

    def __init__(self, face: Face, glyphs: "_DocumentGlyphs") -> None:
        self.face = face
        self.glyphs = glyphs
        self.seed = _NO_SEED
        if glyphs.reservation:
            seeds = _SEEDS.setdefault(face, {})
            if glyphs.reservation not in seeds and len(seeds) >= 4:
                seeds.clear()
            self.seed = seeds.setdefault(glyphs.reservation, _Seed())
        self.run_of = dict(self.seed.run_of)
        self.code_of = dict(self.seed.code_of)
        self._pieces: dict[str, Pieces] = {}

    def pieces(self, line: str) -> Pieces:
        """``line`` cut into runs of one subset each, with their escaped codes (a line drawn
        before in this PDF, or made of reserved characters only, is looked up whole)."""
        found = self._pieces.get(line) or self.seed.pieces.get(line)
        if found is not None:
            return found
        run_of, code_of = self.run_of, self.code_of
        chars = set(line)
        if not run_of.keys() >= chars:
            self.add(line)
        found = tuple((run, "".join(map(code_of.__getitem__, group)))
                      for run, group in groupby(line, run_of.__getitem__))
        self._pieces[line] = found
        seed = self.seed
        if (seed is not _NO_SEED and len(seed.pieces) < SEED_LINES
                and seed.run_of.keys() >= chars):
            seed.pieces[line] = found
        return found

    def add(self, line: str) -> None:
        """Place the characters of ``line`` not placed yet, in the order they first appear:
        the order reportlab numbers a font's new characters in when the line is drawn run by
        run.  They go through the registered font's ``splitString`` (one call per run of
        characters the same face prints), so the font also records a character it has no
        glyph for (embed._record_unprintable)."""
        document = self.glyphs.document
        reserved_end = self.glyphs.reserved_end
        run_of, code_of, seed = self.run_of, self.code_of, self.seed
        new = [ch for ch in dict.fromkeys(line) if ch not in run_of]
        for printing, group in groupby(new, self.face.pick):
            chars = "".join(group)
            end = reserved_end.get(printing.name, 0)
            position = 0
            for subset, string in printing.font.splitString(chars, document):
                run = _subset_run(printing, subset)
                for ch, code in zip(chars[position:position + len(string)], string,
                                    strict=True):
                    run_of[ch] = run
                    escaped = code_of[ch] = _ESCAPED[code]
                    if seed is not _NO_SEED and 0 < subset * 256 + code < end:
                        # Numbered by the reservation: the same in the next PDF.
                        seed.run_of[ch], seed.code_of[ch] = run, escaped
                position += len(string)
            if position != len(chars):
                raise AssertionError("splitString gave not one code per character")


class _DocumentGlyphs:
    """The placements of every face drawing in one PDF, and the names of its subsets.

    Kept in :data:`_DOCUMENT_GLYPHS` by the document, which it must not keep alive itself:
    it holds the document weakly (a strong reference from the value would keep every PDF a
    process ever drew, with all its pages, in memory)."""

    def __init__(self, document: Any) -> None:
        self._document = ref(document)
        self._placements: dict[Face, _Placement] = {}
        self.names: dict[_SubsetRun, str] = {}
        #: The characters reserved per font name (:func:`reserve_document_subsets`), as a key.
        self.reservation: tuple[tuple[str, str], ...] = ()
        #: Per font name, the first code the reservation left unassigned.
        self.reserved_end: dict[str, int] = {}

    @property
    def document(self) -> Any:
        document = self._document()
        if document is None:  # only drawn while its canvas, which holds it, is drawing
            raise RuntimeError("the PDF document these glyphs belong to is gone")
        return document

    def placement(self, face: Face) -> _Placement:
        found = self._placements.get(face)
        if found is None:
            found = self._placements[face] = _Placement(face, self)
        return found

    def internal_name(self, run: _SubsetRun) -> str:
        # Asked of reportlab when first printed, as textOut does: its first call for a font
        # gives the font its number in the document (F1, F2 …), in order of first use.
        name = self.names[run] = run.font.getSubsetInternalName(run.subset, self.document)
        return name


_DOCUMENT_GLYPHS: "WeakKeyDictionary[Any, _DocumentGlyphs]" = WeakKeyDictionary()


def reserve_document_subsets(document: Any, reserved: dict[str, str]) -> None:
    """Before anything is drawn in ``document``: give each registered font's ``reserved``
    characters its first codes (:func:`generator.outputs.fonts.embed.reserve_first_subsets`),
    and remember the reservation, so every PDF with the same one starts its placements from
    what the previous PDFs placed in the reserved subsets."""
    glyphs = _document_glyphs(document)
    if glyphs._placements:
        raise RuntimeError("reserve_document_subsets comes before the first text is drawn")
    for name, characters in reserved.items():
        embed.reserve_first_subsets(name, document, characters)
        state = pdfmetrics.getFont(name).state.get(document)
        if state is not None:
            glyphs.reserved_end[name] = state.nextCode
    glyphs.reservation = tuple(sorted(reserved.items()))


def _document_glyphs(document: Any) -> _DocumentGlyphs:
    found = _DOCUMENT_GLYPHS.get(document)
    if found is None:
        found = _DOCUMENT_GLYPHS[document] = _DocumentGlyphs(document)
    return found


def draw_line(canvas: Any, line: LaidLine, width: float, baseline: float, s: TextStyle,
              pen: _TextPen | None = None, dx: float = 0.0) -> None:
    """Draw one line; justified lines spread their characters over the whole measure.

    ``pen`` is the block's text object (whose origin is ``dx`` left of the block's); without
    one the line gets its own."""
    count = len(line.text)
    if count == 0:
        return
    avail = width - line.indent
    tracking = s.tracking
    x = line.indent
    if s.align == "justify" and not line.last and count > 1:
        natural = line.width - s.tracking * (count - 1)
        spread = (avail - natural) / (count - 1)
        # Never more than a quarter em between two characters: a line that cannot be
        # filled otherwise (before an unbreakable number) is left short.
        if spread - s.tracking <= MAX_SPREAD_EM * s.size + EPS:
            tracking = spread
    elif s.align == "center":
        x = line.indent + (avail - line.width) / 2
    elif s.align == "right":
        x = line.indent + avail - line.width
    own = pen is None
    if pen is None:
        text = canvas.beginText(x, baseline)
        text.setFillColor(s.color)
        pen = _TextPen(text)
    else:
        pen.move_to(x + dx, baseline)
    pen.set_char_space(tracking)
    pen.show_runs(s.face, line.text, s.size)
    if own:
        canvas.drawText(pen.text)


# ---------------------------------------------------------------------------
# Tables


@dataclass(frozen=True)
class TableLook:
    """Typography of one official table."""

    face: Face
    size: float
    col_fractions: tuple[float, ...]  # of the 版心 width, summing to 1
    padding: float = 2.0  # left and right
    line_width: float = 0.5
    padding_y: float | None = None  # above and below (default: ``padding``)

    @property
    def leading(self) -> float:
        return table_leading(self.size)

    @property
    def pad_y(self) -> float:
        return self.padding if self.padding_y is None else self.padding_y


@dataclass
class _Cell:
    grid: GridCell
    text: str
    block: TextBlock | None  # labels; numbers are plain strings


class FormTable(Flowable):
    """One official table, split between pages only between rows.

    Each page gets its own reportlab :class:`Table` (a *piece*): the header rows
    (``form.header_rows``) first, then the body rows that fit.  A merged cell that crosses a
    page break becomes one merged cell per piece, each repeating the label – the official
    form allows this, and reportlab cannot split a ``SPAN``.  Row heights are measured here,
    so each piece knows its exact height and never needs reportlab to split it.

    ``lead`` are flowables kept on the same page as the table's first piece (its heading).
    ``breaks`` are grid rows planned to start a new piece (the .docx cuts its table there
    too); a planned break that does not fit the page gives way to :meth:`choose_break`.
    """

    def __init__(self, form: TableForm, texts: dict[str, str], look: TableLook,
                 lead: Sequence[Flowable] = (), start: int | None = None,
                 _prepared: "_Prepared | None" = None, breaks: Sequence[int] = ()) -> None:
        super().__init__()
        self.form = form
        self.texts = texts
        self.look = look
        self.lead = list(lead)
        self.breaks = tuple(breaks)
        self.start = form.header_rows if start is None else start
        self._prepared = _prepared
        self.spaceAfter = LINE_PITCH / 2

    # -- measurement
    def prepared(self, width: float) -> "_Prepared":
        if self._prepared is None or abs(self._prepared.width - width) > EPS:
            self._prepared = _Prepared(self.form, self.texts, self.look, width)
        return self._prepared

    def _lead_height(self, width: float) -> float:
        total = 0.0
        for i, flowable in enumerate(self.lead):
            _, h = flowable.wrap(width, PAGE_HEIGHT)
            total += h + (flowable.getSpaceBefore() if i else 0.0) + flowable.getSpaceAfter()
        return total

    def body_rows(self) -> list[int]:
        return list(range(self.start, self.form.n_rows))

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        prep = self.prepared(availWidth)
        self.width = availWidth
        self.height = self._lead_height(availWidth) + sum(prep.piece_heights(
            prep.header + self.body_rows()))
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        prep = self.prepared(availWidth)
        body = self.body_rows()
        room = availHeight - self._lead_height(availWidth) - EPS
        planned = [b - self.start for b in self.breaks if b > self.start]
        end: int | None = planned[0] if planned else None
        if end is None or sum(prep.piece_heights(prep.header + body[:end])) > room:
            end = prep.choose_break(body, room)
        if end is None:
            return []
        piece = prep.table(prep.header + body[:end])
        rest = FormTable(self.form, self.texts, self.look, (), body[end], prep, self.breaks)
        return [*self.lead, piece, rest]

    def draw(self) -> None:
        prep = self.prepared(self.width)
        y = self.height
        for i, flowable in enumerate([*self.lead, prep.table(prep.header + self.body_rows())]):
            w, h = flowable.wrap(self.width, PAGE_HEIGHT)
            if i:
                y -= flowable.getSpaceBefore()
            y -= h
            flowable.drawOn(self.canv, 0, y)
            y -= flowable.getSpaceAfter()

    def pieces_for_test(self, width: float, heights: Sequence[float]) -> list[list[int]]:
        """The grid rows of each piece when pages offer ``heights`` (tests, pdf.plan_breaks)."""
        prep = self.prepared(width)
        body = self.body_rows()
        out: list[list[int]] = []
        for room in heights:
            if not body:
                break
            if sum(prep.piece_heights(prep.header + body)) <= room:
                out.append(prep.header + body)
                body = []
                break
            end = prep.choose_break(body, room)
            if end is None:
                out.append([])
                continue
            out.append(prep.header + body[:end])
            body = body[end:]
        return out


class _TablePlan:
    """What a form table's layout at one width owes to the form alone: column widths, each
    cell's inner width, the labels' styles and lines, which roles each row holds.

    The same in every report, so made once per process (:func:`_table_plan`): measuring the
    three hundred cells of the three tables again was a tenth of a report's PDF time."""

    def __init__(self, form: TableForm, look: TableLook, width: float) -> None:
        self.form = form
        self.col_widths = tuple(width * f for f in look.col_fractions)
        self.inner = tuple(sum(self.col_widths[cell.col:cell.last_col + 1]) - 2 * look.padding
                           for cell in form.cells)
        self.label_style = TextStyle(look.face, look.size, look.leading, align="center",
                                     widow_control=False)
        #: Cell index → the label's style and lines, and the least height it can be drawn in.
        self.labels: dict[int, tuple[TextStyle, tuple[LaidLine, ...]]] = {}
        self.label_heights: dict[int, float] = {}
        for index, (cell, inner) in enumerate(zip(form.cells, self.inner)):
            if cell.field_id is not None:
                continue
            style = self.label_style
            if label_left(form, cell.role, cell.rowspan):
                style = replace(style, align="left")
            if cell.role is CellRole.LABEL and inner < 2.2 * look.size:
                style = replace(style, vertical=True)
            block = TextBlock(cell.text, style)
            self.labels[index] = (style, tuple(block.lines(inner)))
            self.label_heights[index] = block.min_height(inner)
        roles: list[set[CellRole]] = [set() for _ in range(form.n_rows)]
        for cell in form.cells:
            for r in range(cell.row, cell.last_row + 1):
                roles[r].add(cell.role)
        self.row_roles = tuple(frozenset(found) for found in roles)
        self._pieces: Memo[tuple[int, ...], tuple[tuple[tuple[int, int], ...],
                                                  tuple[tuple[Any, ...], ...]]] = Memo(256)

    def piece(self, rows: tuple[int, ...]) -> tuple[tuple[tuple[int, int], ...],
                                                     tuple[tuple[Any, ...], ...]]:
        """Where the cells go in the piece of grid ``rows``: (cell index, first row of the
        piece it is written in) for each cell the piece shows, and the piece's SPAN commands
        (a merged cell cut by a page break repeats its label in every piece).  Kept: the
        pieces of a form table are nearly always cut at the same rows."""
        return self._pieces.kept(rows, lambda: self._place(rows))

    def _place(self, rows: tuple[int, ...]) -> tuple[tuple[tuple[int, int], ...],
                                                      tuple[tuple[Any, ...], ...]]:
        position = {r: i for i, r in enumerate(rows)}
        placed: list[tuple[int, int]] = []
        spans: list[tuple[Any, ...]] = []
        for index, cell in enumerate(self.form.cells):
            inside = [position[r] for r in range(cell.row, cell.last_row + 1) if r in position]
            if not inside:
                continue
            first, last = inside[0], inside[-1]
            placed.append((index, first))
            if last > first or cell.colspan > 1:
                spans.append(("SPAN", (cell.col, first), (cell.last_col, last)))
        return tuple(placed), tuple(spans)


#: Table plans by form, look and width.  Like the other pure caches of this module (the
#: span caches below, a face's width tables) it is also filled outside pdf.py's build lock
#: (the .docx asks pdf.table_breaks): two threads may plan the same table twice, but a dict
#: operation is atomic, and a plan depends on its key only, so neither sees a wrong one.
_PLANS: dict[tuple[int, TableLook, float], _TablePlan] = {}


def _table_plan(form: TableForm, look: TableLook, width: float) -> _TablePlan:
    key = (id(form), look, width)
    plan = _PLANS.get(key)
    if plan is None or plan.form is not form:
        if len(_PLANS) >= 64:
            _PLANS.clear()
        plan = _PLANS[key] = _TablePlan(form, look, width)
    return plan


class _Prepared:
    """A table measured for one width: cell contents, column widths, natural row heights."""

    def __init__(self, form: TableForm, texts: dict[str, str], look: TableLook,
                 width: float) -> None:
        self.form = form
        self.look = look
        self.width = width
        plan = self._plan = _table_plan(form, look, width)
        self.col_widths = list(plan.col_widths)
        self.header = list(range(form.header_rows))
        self.cells: list[_Cell] = []
        for index, (cell, inner) in enumerate(zip(form.cells, plan.inner)):
            if cell.field_id is not None:
                text = texts.get(cell.field_id, "0")
                block = None
                if number_setting(look.face, text, look.size)[1] > inner + EPS:
                    # Wider than its column even at the table's size (the geometry steps a
                    # whole table down once, never single cells): the number wraps.
                    block = TextBlock(text, plan.label_style)
                    block.wrap(inner, PAGE_HEIGHT)
                self.cells.append(_Cell(cell, text, block))
                continue
            style, lines = plan.labels[index]
            block = TextBlock(cell.text, style, lines, inner)
            block.wrap(inner, PAGE_HEIGHT)
            self.cells.append(_Cell(cell, cell.text, block))
        pad = 2 * look.pad_y
        # A row's rule adds to its height in Word and LibreOffice: count it here too.
        pad += look.line_width
        self.natural = [look.leading + pad] * form.n_rows
        self.needs: list[tuple[GridCell, float]] = []  # merged cells: content height
        label_heights = plan.label_heights
        for index, (c, inner) in enumerate(zip(self.cells, plan.inner)):
            if index in label_heights:
                need = label_heights[index] + pad
            else:
                need = (c.block.min_height(inner) if c.block is not None else look.leading) + pad
            if c.grid.rowspan == 1:
                self.natural[c.grid.row] = max(self.natural[c.grid.row], need)
            else:
                self.needs.append((c.grid, need))
        self.row_roles = plan.row_roles
        self._heights: dict[tuple[int, ...], list[float]] = {}

    def piece_heights(self, rows: Sequence[int]) -> list[float]:
        """Row heights of a piece: natural heights, stretched where a merged cell needs it.
        (Kept per piece: choosing a page break asks for the same pieces several times.)"""
        key = tuple(rows)
        found = self._heights.get(key)
        if found is None:
            found = self._heights[key] = self._piece_heights(key)
        return list(found)

    def _piece_heights(self, rows: Sequence[int]) -> list[float]:
        heights = [self.natural[r] for r in rows]
        position = {r: i for i, r in enumerate(rows)}
        for grid, need in self.needs:
            inside = [position[r] for r in range(grid.row, grid.last_row + 1) if r in position]
            if not inside:
                continue
            have = sum(heights[i] for i in inside)
            if have + EPS < need:
                extra = (need - have) / len(inside)
                for i in inside:
                    heights[i] += extra
        return heights

    def _stretched(self, rows: Sequence[int]) -> bool:
        natural = sum(self.natural[r] for r in rows)
        return sum(self.piece_heights(rows)) > natural + EPS

    def choose_break(self, body: Sequence[int], room: float) -> int | None:
        """How many of ``body`` go on this page (None: move the table to the next page).

        Preference, best first: a break after a row of numbers where no merged cell is
        stretched on either side and the next row starts a new block (a caption band);
        then the same without the block rule; then any break after a row of numbers.
        """
        fitting = [end for end in range(len(body), 0, -1)
                   if sum(self.piece_heights(self.header + list(body[:end]))) <= room]
        if not fitting:
            return None
        has_captions = any(CellRole.CAPTION in roles for roles in self.row_roles)
        min_rows = min(2, len(body))

        def ends_with_numbers(end: int) -> bool:
            return bool(self.row_roles[body[end - 1]] & {CellRole.VALUE, CellRole.TOTAL})

        def unstretched(end: int) -> bool:
            return (not self._stretched(self.header + list(body[:end]))
                    and not self._stretched(self.header + list(body[end:])))

        def starts_block(end: int) -> bool:
            return end == len(body) or CellRole.CAPTION in self.row_roles[body[end]]

        tiers: list[Callable[[int], bool]] = [
            lambda e: ends_with_numbers(e) and unstretched(e) and (
                starts_block(e) or not has_captions),
            lambda e: ends_with_numbers(e) and unstretched(e),
            ends_with_numbers,
        ]
        fallback = next((e for e in fitting if e >= min_rows and ends_with_numbers(e)), None)
        if fallback is None:
            return None
        used = sum(self.piece_heights(self.header + list(body[:fallback])))
        for accept in tiers:
            for end in fitting:
                if end < min_rows or not accept(end):
                    continue
                # A nicer break is worth leaving at most a fifth of the page's room empty.
                height = sum(self.piece_heights(self.header + list(body[:end])))
                if used - height <= 0.2 * room:
                    return end
                break
        return fallback

    def table(self, rows: Sequence[int]) -> Table:
        """The reportlab table of one piece (``rows`` are grid rows, header first)."""
        look = self.look
        placed, spans = self._plan.piece(tuple(rows))
        data: list[list[object]] = [["" for _ in range(self.form.n_cols)] for _ in rows]
        commands: list[tuple] = [("GRID", (0, 0), (-1, -1), look.line_width, black), *spans]
        cells = self.cells
        for index, first in placed:
            c = cells[index]
            data[first][c.grid.col] = [c.block] if c.block is not None else c.text
        shared = self.cell_style
        return _NumberTable(look.face, data, colWidths=self.col_widths,
                            rowHeights=self.piece_heights(rows), style=TableStyle(commands),
                            hAlign="LEFT", cellStyles=[[shared] * self.form.n_cols for _ in rows])

    @cached_property
    def cell_style(self) -> CellStyle:
        """The one style of every cell: reportlab makes a style object per cell and applies each
        style command to each of them (eight commands over three hundred cells of 表三); the
        cells of a form table all look the same, so they share one, never changed."""
        look = self.look
        style = CellStyle("form-table")
        style.fontname, style.fontsize, style.leading = look.face.name, look.size, look.leading
        style.alignment, style.valign = "CENTER", "MIDDLE"
        style.leftPadding = style.rightPadding = look.padding
        style.topPadding = style.bottomPadding = look.pad_y
        style.color = black
        return style


def number_setting(face: Face, text: str, size: float) -> tuple[float, float]:
    """How a table number prints: the character spacing that sets it on the digit pitch its
    column is planned for (``geometry.DIGIT_EM``, half an em: 宋体 and Times New Roman, which
    the .docx prints numbers in), and the width it then takes.  A face with wider digits (Noto
    Serif SC's are 0.56 em) would wrap a 9-digit number its column holds in the .docx; digits
    narrower than that keep their own widths (never a positive spacing)."""
    natural = face.measure(size)(text)
    if len(text) < 2:
        return 0.0, natural
    tracking = min(0.0, (DIGIT_EM * size * len(text) - natural) / len(text))
    return tracking, natural + tracking * (len(text) - 1)


_SPAN_RANGES: Memo[tuple[Any, ...], tuple[dict[Any, Any], list[Any], list[Any]]] = Memo(256)
_SPAN_RECTS: Memo[tuple[Any, ...], tuple[dict[Any, Any], dict[Any, tuple[Any, ...]],
                                         dict[Any, tuple[Any, ...]]]] = Memo(256)


def _frozen_blocks(blocks: dict[Any, list[Any]]) -> dict[Any, tuple[Any, ...]]:
    """reportlab's sorted lists of blocked spans per rule position, as tuples: reportlab 5.1
    only reads them (len, index), so every table can share them, and none can change them
    (a later reportlab that appended to them would fail loudly on a tuple, not print wrong)."""
    return {position: tuple(spans) for position, spans in blocks.items()}


class _NumberTable(Table):
    """reportlab's table, its text (numbers and labels) drawn in one text object.

    reportlab draws every string cell with its own text object, the empty cells under a merge
    too, and every label through the flowable machinery (save state, translate, text object);
    a report's tables hold some two hundred numbers, which made the tables a third of the
    PDF's time.  Cells are collected while reportlab draws backgrounds and rules and drawn
    afterwards, in reportlab's order, at reportlab's positions (centred, middle: the same
    formulas as ``Table._drawCell``); characters go through the face's fallbacks like all
    other text.
    """

    def __init__(self, face: Face, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._face = face
        self._cells: list[tuple[str | TextBlock, Any, float, float]] = []

    # The spans of a form table are the same in every report (and its row positions nearly
    # always): reportlab's _calcSpanRanges and _calcSpanRects, which walk every cell in
    # Python, were a twentieth of a report's PDF time.  Their results, the attributes
    # reportlab 5.1 sets, are kept by what they are computed from and copied into each new
    # table; tests/test_pdf_fast_paths.py compares them with reportlab's own.
    def _calcSpanRanges(self) -> None:  # noqa: N802
        key = (self._ncols, self._nrows, tuple(self._spanCmds))

        def computed() -> tuple[dict[Any, Any], list[Any], list[Any]]:
            super(_NumberTable, self)._calcSpanRanges()
            return dict(self._spanRanges), list(self._colSpanCells), list(self._rowSpanCells)

        kept = _SPAN_RANGES.kept(key, computed)
        self._spanRanges = dict(kept[0])
        self._colSpanCells, self._rowSpanCells = list(kept[1]), list(kept[2])
        self._span_key = key

    def _calcSpanRects(self) -> None:  # noqa: N802
        span_key = getattr(self, "_span_key", None)
        if getattr(self, "_spanRects", None) or span_key is None:
            super()._calcSpanRects()  # reportlab decides whether to compute again
            return
        key = (span_key, tuple(self._colpositions), tuple(self._rowpositions),
               getattr(self, "_hmax", None))

        def computed() -> tuple[dict[Any, Any], dict[Any, tuple[Any, ...]],
                                dict[Any, tuple[Any, ...]]]:
            super(_NumberTable, self)._calcSpanRects()
            return (dict(self._spanRects), _frozen_blocks(self._vBlocks),
                    _frozen_blocks(self._hBlocks))

        kept = _SPAN_RECTS.kept(key, computed)
        self._spanRects = dict(kept[0])
        self._vBlocks, self._hBlocks = dict(kept[1]), dict(kept[2])
        self._hmax_spanRects = getattr(self, "_hmax", None)

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:  # noqa: N802
        (col_x, row_y), (width, height) = pos, size
        if isinstance(cellval, str):
            if cellval:  # a number: x is the cell's middle, y its first baseline
                lines = cellval.count("\n") + 1
                y = row_y + (cellstyle.bottomPadding + height - cellstyle.topPadding
                             + lines * cellstyle.leading) / 2.0 - cellstyle.fontsize
                x = col_x + (width + cellstyle.leftPadding - cellstyle.rightPadding) * 0.5
                self._cells.append((cellval, cellstyle, x, y))
            return
        if (isinstance(cellval, list) and len(cellval) == 1 and isinstance(cellval[0], TextBlock)
                and cellstyle.alignment in ("CENTER", "CENTRE") and cellstyle.valign == "MIDDLE"):
            block = cellval[0]  # a label: placed as reportlab places a flowable in a cell
            w, h = block.wrapOn(self.canv, width - cellstyle.leftPadding - cellstyle.rightPadding,
                                height - cellstyle.topPadding - cellstyle.bottomPadding)
            x = col_x + (width + cellstyle.leftPadding - cellstyle.rightPadding - w) / 2.0
            y = row_y + (height + cellstyle.bottomPadding - cellstyle.topPadding + h) / 2.0 - h
            self._cells.append((block, cellstyle, x, y))
            return
        super()._drawCell(cellval, cellstyle, pos, size)

    def draw(self) -> None:
        self._cells = []
        super().draw()
        if not self._cells:
            return
        canvas = self.canv
        text = canvas.beginText(0, 0)
        pen = _TextPen(text)
        color = None
        for value, style, x, y in self._cells:
            wanted = value.style.color if isinstance(value, TextBlock) else style.color
            if wanted != color:
                text.setFillColor(wanted)
                color = wanted
            if isinstance(value, TextBlock):
                value.draw_into(pen, x, y)
                continue
            for line in value.split("\n"):
                size = style.fontsize
                tracking, width = number_setting(self._face, line, size)
                pen.set_char_space(tracking)
                pen.move_to(x - width / 2, y)
                pen.show_runs(self._face, line, size)
                y -= style.leading
        canvas.drawText(text)


# ---------------------------------------------------------------------------
# Keeping headings with what follows


class KeepWithNext(Flowable):
    """Headings that must stay on the page where the following text starts.

    reportlab's ``keepWithNext`` moves the heading *and the whole next paragraph* to a new
    page when they do not fit together; this splits the paragraph instead, so only the
    heading's page changes, never more than needed.
    """

    def __init__(self, lead: Sequence[Flowable], body: Flowable) -> None:
        super().__init__()
        self.lead = list(lead)
        self.body = body
        self.spaceBefore = self.lead[0].getSpaceBefore() if self.lead else body.getSpaceBefore()
        self.spaceAfter = body.getSpaceAfter()

    def _stack(self) -> list[Flowable]:
        return [*self.lead, self.body]

    def _lead_height(self, width: float) -> float:
        total = 0.0
        for i, f in enumerate(self.lead):
            total += f.wrap(width, PAGE_HEIGHT)[1] + f.getSpaceAfter()
            if i:
                total += f.getSpaceBefore()
        return total + self.body.getSpaceBefore()

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self.height = self._lead_height(availWidth) + self.body.wrap(availWidth, availHeight)[1]
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        room = availHeight - self._lead_height(availWidth)
        if room <= 0:
            return []
        self.body.wrap(availWidth, room)
        parts = self.body.split(availWidth, room)
        if len(parts) < 2:
            return []
        return [*self.lead, *parts]

    def draw(self) -> None:
        y = self.height
        for i, f in enumerate(self._stack()):
            _, h = f.wrap(self.width, PAGE_HEIGHT)
            if i:
                y -= f.getSpaceBefore()
            y -= h
            f.drawOn(self.canv, 0, y)
            y -= f.getSpaceAfter()


# ---------------------------------------------------------------------------
# Signature


class SignatureBlock(Flowable):
    """落款: one blank line, then the agency and the date, kept with the text before them.

    ``tail`` is the last paragraph; when the block does not fit, the paragraph is split so
    that at least its last two lines move with the signature to the next page – a page with
    the signature alone is what GB/T 9704 practice forbids.
    """

    def __init__(self, tail: Flowable | None, lines: Sequence[TextBlock]) -> None:
        super().__init__()
        self.tail = tail
        self.sig_lines = list(lines)
        self.spaceBefore = tail.getSpaceBefore() if tail is not None else 0.0

    def _parts(self) -> list[Flowable]:
        return ([self.tail] if self.tail is not None else []) + self.sig_lines

    def _sig_height(self, width: float) -> float:
        return LINE_PITCH + sum(line.wrap(width, PAGE_HEIGHT)[1] for line in self.sig_lines)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        tail = self.tail.wrap(availWidth, PAGE_HEIGHT)[1] if self.tail is not None else 0.0
        self.height = tail + self._sig_height(availWidth)
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        if self.tail is None:
            return []
        room = availHeight - self._sig_height(availWidth)
        if room <= 0:
            return []
        self.tail.wrap(availWidth, room)
        parts = self.tail.split(availWidth, room)
        if len(parts) < 2:
            return []
        return [*parts[:-1], SignatureBlock(parts[-1], self.sig_lines)]

    def draw(self) -> None:
        y = self.height
        if self.tail is not None:
            _, h = self.tail.wrap(self.width, PAGE_HEIGHT)
            y -= h
            self.tail.drawOn(self.canv, 0, y)
        y -= LINE_PITCH
        for line in self.sig_lines:
            _, h = line.wrap(self.width, PAGE_HEIGHT)
            y -= h
            line.drawOn(self.canv, 0, y)


# ---------------------------------------------------------------------------
# Pages


@dataclass
class PageSetup:
    """What is drawn outside the 版心 on every page."""

    number_face: Face
    draft: bool = False
    draft_face: Face | None = None
    first_number: int = 1
    numbers: list[int] = field(default_factory=list)  # page numbers drawn (for tests)


def page_number_text(number: int) -> str:
    """``— 1 —``: 一字线 (em dash) on each side, a half-width space between."""
    return f"\u2014 {number} \u2014"


def page_decorations(setup: PageSetup) -> Callable:
    def on_page(canvas, doc) -> None:
        number = canvas.getPageNumber()
        odd = number % 2 == 1
        face = setup.number_face
        text = page_number_text(number)
        text_width = face.width(text, PAGE_NUMBER_SIZE)
        one_char = PAGE_NUMBER_SIZE
        left = MARGIN_INSIDE if odd else MARGIN_OUTSIDE
        if odd:  # odd pages: right-aligned, 空一字 from the right edge of the 版心
            x = left + BODY_WIDTH - one_char - text_width
        else:  # even pages: left-aligned, 空一字 from the left edge
            x = left + one_char
        middle = MARGIN_BOTTOM - PAGE_NUMBER_GAP
        baseline = middle - 0.36 * PAGE_NUMBER_SIZE
        canvas.saveState()
        line = canvas.beginText(x, baseline)
        _TextPen(line).show_runs(face, text, PAGE_NUMBER_SIZE)
        canvas.drawText(line)
        if setup.draft and setup.draft_face is not None:
            mark_face = setup.draft_face
            size = 14.0
            mark_width = mark_face.width(DRAFT_MARK, size)
            mark = canvas.beginText(left + (BODY_WIDTH - mark_width) / 2,
                                    PAGE_HEIGHT - MARGIN_TOP / 2 - 0.36 * size)
            mark.setFillColor(red)
            _TextPen(mark).show_runs(mark_face, DRAFT_MARK, size)
            canvas.drawText(mark)
        canvas.restoreState()
        setup.numbers.append(number)

    return on_page


def mirrored(story: Sequence[Flowable]) -> list[Flowable]:
    """``story`` on alternating odd/even page templates (page 1 is odd).

    A template cycle is used rather than ``autoNextPageTemplate``, which reportlab 5.1 keeps
    for two pages at a time (odd, even, even, odd, odd …).
    """
    return [NextPageTemplate(["even", "odd"]), *story]


def page_templates(setup: PageSetup) -> list[PageTemplate]:
    """Odd and even pages; the binding (inside) margin is on the left of odd pages.
    Use with :func:`mirrored`."""
    decorate = page_decorations(setup)

    def frame(left: float, name: str) -> Frame:
        return Frame(left, MARGIN_BOTTOM, BODY_WIDTH, BODY_HEIGHT, leftPadding=0, rightPadding=0,
                     topPadding=0, bottomPadding=0, id=name, showBoundary=0)

    return [
        PageTemplate("odd", [frame(MARGIN_INSIDE, "odd")], onPage=decorate, pagesize=A4),
        PageTemplate("even", [frame(MARGIN_OUTSIDE, "even")], onPage=decorate, pagesize=A4),
    ]
