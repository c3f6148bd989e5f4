"""The PDF, laid out with reportlab: the same words as the .docx, GB/T 9704 page geometry.

The report's content comes only from :func:`generator.outputs.document.blocks`; this module
decides fonts (through :mod:`generator.outputs.fonts`), turns blocks into flowables
(:mod:`.pdf_layout`), checks every character against the font that prints it, and writes
the file atomically.  Output bytes are reproducible (``invariant``).
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, ttfonts
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Spacer
from reportlab.platypus.flowables import PageBreakIfNotEmpty

from generator.errors import NianbaoError
from generator.findings import Finding
from generator.form import TableForm, geometry
from generator.outputs import RenderOptions
from generator.outputs.context import (
    clean_report,
    signature_lines,
    table_geometry,
    title_lines,
)
from generator.outputs.document import (
    Block,
    Heading,
    Paragraph,
    Signature,
    TableBlock,
    Title,
    blocks,
)
from generator.outputs.fonts import (
    FontSearch,
    choose_fonts,
    conversion_apart,
    load_fonts,
    prepare_fonts,
)
from generator.outputs.glyphs import (
    chars_by_role,
    faces_for,
    fixed_text,
    missing_glyph_findings,
    place_text,
    reserved_characters,
    stand_in_findings,
    unprinted_findings,
)
from generator.outputs.memo import Memo
from generator.outputs.pdf_layout import (
    BODY_HEIGHT,
    BODY_SIZE,
    BODY_TRACKING,
    BODY_WIDTH,
    LINE_PITCH,
    TITLE_LEADING,
    TITLE_SIZE,
    Face,
    FormTable,
    KeepWithNext,
    PageSetup,
    SignatureBlock,
    TableLook,
    TextBlock,
    TextStyle,
    mirrored,
    page_templates,
    reserve_document_subsets,
)
from generator.report.model import Report
from generator.safeio import write_bytes_atomic

#: Table typography of the committed template (numbers no wider than their headings): type
#: size and column widths as fractions of the 版心, from generator.form.geometry – the .docx and
#: the HTML read the same declaration; a report's own numbers may widen the columns.
TABLE_LOOKS: dict[str, tuple[float, tuple[float, ...]]] = {
    key: (geo.size_pt, tuple(w / geometry.TEXT_WIDTH for w in geo.widths))
    for key, geo in ((k, geometry.default_geometry(k)) for k in ("t2", "t3", "t4"))
}

SUBJECT = "政府信息公开工作年度报告"

_BUILD_LOCK = threading.Lock()


class _QuickFlate(pdfdoc.PDFStreamFilterZCompress):
    """reportlab's Flate filter at zlib level 3 instead of 6.

    Compressing the embedded font subsets was a third of a report's PDF time; level 3 takes
    about half as long for files some 5 % larger.

    Streams seen before (font subsets that every report embeds the same: headings, table
    labels) are not compressed again: the last ones are kept, by content.  A subset program
    kept by embed._keep_subsets comes back as the very same bytes object, so it is first
    looked up by identity (hashing a 100 KB program for every report cost more than the
    rest of its lookup).
    """

    def __init__(self) -> None:
        self._kept: dict[bytes, bytes] = {}
        self._kept_size = 0
        #: id(stream) → (the stream, kept so its id stays its own; its compressed bytes).
        self._by_object: dict[int, tuple[bytes, bytes]] = {}

    def encode(self, text: str | bytes) -> bytes:
        data = text.encode("utf8") if isinstance(text, str) else text
        if len(data) < _KEEP_FROM:
            return zlib.compress(data, 3)
        same = self._by_object.get(id(data))
        if same is not None and same[0] is data:
            return same[1]
        key = hashlib.sha1(data).digest() + len(data).to_bytes(8, "big")
        found = self._kept.get(key)
        if found is None:
            found = zlib.compress(data, 3)
            if self._kept_size + len(found) > _KEEP_BYTES:
                self._kept.clear()
                self._kept_size = 0
            self._kept[key] = found
            self._kept_size += len(found)
        if data is text:  # only a bytes object handed in again can be found by identity
            if len(self._by_object) >= _KEEP_OBJECTS:
                self._by_object.clear()
            self._by_object[id(data)] = (data, found)
        return found


def _format_array(array: pdfdoc.PDFArray, document: Any, IND: bytes = b"\n ") -> bytes:  # noqa: N803
    """``PDFArray.format`` with its bytes, faster for arrays of plain numbers.

    Every font subset has an array of 256 widths, and reportlab formats each number through
    its generic ``format`` dispatch; ``fp_str`` writes a run of numbers in one call.  The bytes
    are reportlab's: ten numbers a line.
    """
    sequence = array.sequence
    one_per_line = (array.multiline and rl_config.pdfMultiLine) or array.multiline == "forced"
    if one_per_line or not all(type(e) in (int, float) for e in sequence):
        return _REPORTLAB_FORMAT_ARRAY(array, document, IND)
    # The widths of the reserved subsets are the same in every report: kept by value (equal
    # numbers, 2 and 2.0 or 0.0 and -0.0, are written alike by fp_str).
    return _FORMATTED_ARRAYS.kept(tuple(sequence), lambda: _numbers_array(sequence))


def _numbers_array(numbers: Sequence[int | float]) -> bytes:
    lines = (fp_str(*numbers[i:i + 10]) for i in range(0, len(numbers), 10))
    return b"[ " + " \n  ".join(lines).encode("ascii") + b" ]"


_FORMATTED_ARRAYS: Memo[tuple[int | float, ...], bytes] = Memo(1024)


def _kept_to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """``ttfonts.makeToUnicodeCMap`` (a pure function of its arguments), kept: the reserved
    subsets (table labels, headings) have the same name and characters in every report."""
    return _TO_UNICODE_CMAPS.kept((fontname, tuple(subset)),
                                  lambda: _REPORTLAB_TO_UNICODE_CMAP(fontname, subset))


_TO_UNICODE_CMAPS: Memo[tuple[str, tuple[int, ...]], str] = Memo(1024)
_REPORTLAB_TO_UNICODE_CMAP = ttfonts.makeToUnicodeCMap


_REPORTLAB_FORMAT_ARRAY = pdfdoc.PDFArray.format
#: Streams shorter than this are compressed every time (page contents, small subsets).
_KEEP_FROM = 16 * 1024
#: Compressed bytes kept at most.
_KEEP_BYTES = 16 * 1024 * 1024
#: Streams kept by identity at most (their uncompressed bytes stay alive while kept).
_KEEP_OBJECTS = 32
_QUICK_FLATE = _QuickFlate()
# The .docx starts a new paragraph at every line break (context._split_lines); so does the PDF.
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029")


def render(report: Report, target: Path, options: RenderOptions) -> list[Finding]:
    """Write ``report`` as a PDF to ``target``; return font warnings (missing glyphs …)."""
    data, findings = render_bytes(report, options)
    write_bytes_atomic(target, data)
    return findings


def prepare(options: RenderOptions, jobs: int = 1) -> None:
    """Before a batch, in the parent: convert the everyday pieces of a CFF font the PDF will use
    (the bundled fonts) with ``jobs`` processes, so the workers find them converted."""
    if options.pdf_engine != "reportlab":
        return
    try:
        choices = choose_fonts(options.font_paths, options.font_config)
        prepare_fonts(choices, jobs=jobs, fixed_text=fixed_text())
        # Opened here too: workers forked from this process inherit the opened fonts instead
        # of each parsing them again (about 0.4 s of CPU per worker); spawned ones open them
        # in their own warm_up.
        load_fonts(choices, {}, fixed_text=fixed_text())
    except NianbaoError:
        pass  # every workbook reports the font problem in its own row


def warm_up(options: RenderOptions) -> None:
    """Once per batch worker: open the chosen fonts (tens of milliseconds per large font)."""
    if options.pdf_engine != "reportlab":
        return
    try:
        load_fonts(choose_fonts(options.font_paths, options.font_config), {},
                   fixed_text=fixed_text())
    except NianbaoError:
        pass


def prepare_apart(options: RenderOptions) -> bool:
    """Whether :func:`prepare` is better run in a process of its own while a batch's workers
    write the other formats: it has fonts to convert (seconds), and the cache folder will
    hand the converted pieces to the workers."""
    if options.pdf_engine != "reportlab":
        return False
    try:
        choices = choose_fonts(options.font_paths, options.font_config)
        return conversion_apart(choices, fixed_text=fixed_text())
    except NianbaoError:
        return False


def render_bytes(report: Report, options: RenderOptions,
                 search: FontSearch | None = None) -> tuple[bytes, list[Finding]]:
    """The PDF's bytes and the findings, without writing a file (tests, batch)."""
    report, findings = clean_report(report)  # the same characters dropped as in the .docx
    items = list(_one_paragraph_per_line(blocks(report)))
    placed = place_text(items, options.draft)
    choices = choose_fonts(options.font_paths, options.font_config, search)
    chars = chars_by_role(placed)
    loaded = load_fonts(choices, chars, search, fixed_text=fixed_text())
    faces = faces_for(loaded)
    findings += missing_glyph_findings(placed, loaded, faces, chars) + stand_in_findings(loaded)

    setup = PageSetup(number_face=faces["song"], draft=options.draft, draft_face=faces["heiti"])
    buffer = io.BytesIO()
    meta = report.meta
    doc = BaseDocTemplate(
        buffer, pagesize=page_templates(setup)[0].pagesize, pageTemplates=page_templates(setup),
        title=report.title, author=meta.agency, subject=SUBJECT,
        keywords=", ".join(k for k in ("政府信息公开", "年度报告", str(meta.year), meta.agency) if k),
        creator="nianbao", producer="nianbao (reportlab)", invariant=1,
        leftMargin=0, rightMargin=0, topMargin=0, bottomMargin=0, lang="zh-CN",
        # The canvas would otherwise start with Helvetica, a font the PDF does not embed.
        initialFontName=faces["fangsong"].name, initialFontSize=BODY_SIZE,
    )
    story = mirrored(build_story(items, faces, title_lines(meta.agency, meta.year),
                                 stamped=options.stamped))
    with _BUILD_LOCK:
        # reportlab keeps settings and font subset state in module globals: one build at a
        # time per process.  Binary streams (no ASCII85) are smaller and faster to write;
        # every stream (pages, fonts) is compressed by the module's one Flate filter object.
        saved, saved_flate = rl_config.useA85, pdfdoc.PDFZCompress
        rl_config.useA85, pdfdoc.PDFZCompress = 0, _QUICK_FLATE
        pdfdoc.PDFArray.format = _format_array
        ttfonts.makeToUnicodeCMap = _kept_to_unicode_cmap
        canvases: list[Canvas] = []
        reserved = reserved_characters(faces)

        class RecordingCanvas(Canvas):
            """The canvas, kept so the fonts can say what they could not print in this PDF;
            the text every report prints takes the first font subsets (the same in every PDF)."""

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                canvases.append(self)
                reserve_document_subsets(self._doc, reserved)

        try:
            doc.build(story, canvasmaker=RecordingCanvas)
        finally:
            rl_config.useA85, pdfdoc.PDFZCompress = saved, saved_flate
            pdfdoc.PDFArray.format = _REPORTLAB_FORMAT_ARRAY
            ttfonts.makeToUnicodeCMap = _REPORTLAB_TO_UNICODE_CMAP
    findings += unprinted_findings(placed, loaded, faces, canvases[0]._doc, findings)
    return buffer.getvalue(), findings


def _one_paragraph_per_line(items: Iterable[Block]) -> Iterator[Block]:
    """A line break inside a paragraph starts a new paragraph, as in the .docx."""
    for item in items:
        if isinstance(item, Paragraph):
            for line in _LINE_BREAKS.split(item.text):
                if line.strip():
                    yield Paragraph(line.strip())
        else:
            yield item


# ---------------------------------------------------------------------------
# Blocks → flowables


@dataclass
class _Styles:
    faces: dict[str, Face]
    body: TextStyle = field(init=False)
    heading1: TextStyle = field(init=False)
    heading2: TextStyle = field(init=False)
    title: TextStyle = field(init=False)
    signature: TextStyle = field(init=False)

    def __post_init__(self) -> None:
        indent = 2 * (BODY_SIZE + BODY_TRACKING)  # 首行缩进二字, on the 28-character grid
        f = self.faces
        self.body = TextStyle(f["fangsong"], BODY_SIZE, LINE_PITCH, "justify", indent,
                              tracking=BODY_TRACKING)
        self.heading1 = TextStyle(f["heiti"], BODY_SIZE, LINE_PITCH, "justify", indent,
                                  tracking=BODY_TRACKING)
        self.heading2 = TextStyle(f["kaiti"], BODY_SIZE, LINE_PITCH, "justify", indent,
                                  tracking=BODY_TRACKING)
        self.title = TextStyle(f["title"], TITLE_SIZE, TITLE_LEADING, "center",
                               widow_control=False, space_after=LINE_PITCH)
        self.signature = TextStyle(f["fangsong"], BODY_SIZE, LINE_PITCH, "left",
                                   tracking=BODY_TRACKING, widow_control=False)


def table_look(key: str, face: Face, texts: dict[str, str] | None = None) -> TableLook:
    """The look of table ``key``: one size and the column widths for its widest number."""
    if texts is None:
        size, fractions = TABLE_LOOKS[key]
    else:
        geo = table_geometry(key, texts)
        size, fractions = geo.size_pt, tuple(w / geometry.TEXT_WIDTH for w in geo.widths)
    return TableLook(face, size, fractions, padding=geometry.CELL_MARGIN_X / 20,
                     padding_y=geometry.CELL_MARGIN_Y / 20)


def plan_breaks(form: TableForm, texts: dict[str, str], face: Face) -> tuple[int, ...]:
    """Grid rows where a table that starts a page under its one-line heading continues on
    the next page (empty when it fits one page).  The PDF breaks there and the .docx cuts
    its table there, repeating the header rows and the merged labels."""
    if geometry.table_fits_page(form.key, texts):  # the .docx decides alike, without fonts
        return ()
    table = FormTable(form, texts, table_look(form.key, face, texts))
    slack = geometry.PAGE_TABLE_SLACK
    first = BODY_HEIGHT - LINE_PITCH - slack
    pieces = table.pieces_for_test(BODY_WIDTH, [first] + [BODY_HEIGHT - slack] * form.n_rows)
    return tuple(piece[form.header_rows] for piece in pieces[1:]
                 if len(piece) > form.header_rows)


def table_breaks(report: Report, options: RenderOptions,
                 search: FontSearch | None = None) -> dict[str, tuple[int, ...]]:
    """:func:`plan_breaks` of the tables that start a page (geometry.NEW_PAGE_TABLES), measured
    with the PDF's table font; empty when no font can be loaded (the .docx is then not cut)."""
    report, _ = clean_report(report)
    tables = [b for b in blocks(report)
              if isinstance(b, TableBlock) and b.form.key in geometry.NEW_PAGE_TABLES]
    if not tables:
        return {}
    chars = {ch for b in tables for text in [*b.texts.values(), *(c.text for c in b.form.cells)]
             for ch in text if not ch.isspace()}
    try:
        choices = choose_fonts(options.font_paths, options.font_config, search)
        loaded = load_fonts({"song": choices["song"]}, {"song": "".join(sorted(chars))}, search,
                            fixed_text=fixed_text())
    except NianbaoError:
        return {}
    face = faces_for(loaded)["song"]
    return {b.form.key: plan_breaks(b.form, dict(b.texts), face) for b in tables}


def build_story(items: Iterable[object], faces: dict[str, Face],
                title: Sequence[str] | None = None, *, stamped: bool = True) -> list[Flowable]:
    """The flowables of the whole report, in reading order; ``title`` are the title's lines."""
    styles = _Styles(faces)
    story: list[Flowable] = []
    pending: list[Flowable] = []  # headings waiting for what follows them

    def add(flowable: Flowable) -> None:
        if pending:
            flowable = KeepWithNext(list(pending), flowable)
            pending.clear()
        story.append(flowable)

    for item in items:
        if isinstance(item, Title):
            lines = title if title and "".join(title) == item.text else [item.text]
            story.append(TextBlock("\n".join(lines), styles.title))
        elif isinstance(item, Heading):
            style = styles.heading1 if item.level == 1 else styles.heading2
            pending.append(TextBlock(item.text, style))
        elif isinstance(item, Paragraph):
            add(TextBlock(item.text, styles.body))
        elif isinstance(item, TableBlock):
            texts = dict(item.texts)
            breaks: tuple[int, ...] = ()
            if item.form.key in geometry.NEW_PAGE_TABLES:
                # Heading and table on a new page, as the .docx's w:pageBreakBefore.
                story.append(PageBreakIfNotEmpty())
                breaks = plan_breaks(item.form, texts, faces["song"])
            table = FormTable(item.form, texts, table_look(item.form.key, faces["song"], texts),
                              lead=list(pending), breaks=breaks)
            pending.clear()
            story.append(table)
        elif isinstance(item, Signature):
            story.extend(pending)
            pending.clear()
            story.append(_signature(item, story, styles, stamped))
    story.extend(pending)
    return story


def _signature(item: Signature, story: list[Flowable], styles: _Styles,
               stamped: bool = True) -> Flowable:
    """落款 by the rule every output follows (context.signature_lines)."""
    style = styles.signature
    face = style.face
    char = BODY_SIZE + BODY_TRACKING

    def width(text: str) -> float:
        return face.width(text, BODY_SIZE) + BODY_TRACKING * max(len(text) - 1, 0)

    lines = []
    for line in signature_lines(item.agency, item.date, stamped=stamped,
                                measure=lambda t: width(t) / char):
        x = max(BODY_WIDTH - line.right * char - width(line.text), 0.0)
        lines.append(TextBlock(line.text, replace(style, left_indent=x)))
    tail = story.pop() if story and not isinstance(story[-1], (FormTable, Spacer)) else None
    return SignatureBlock(tail, lines)

