"""The PDF's fast paths write what the slow ones they replace write.

Each fast path in :mod:`generator.outputs.pdf_layout` (and its helpers) exists for speed only;
these tests compare it with the reportlab call or the plain code it stands in for, on text
that reaches the awkward cases (several 256-code subsets, fallback faces, characters no font
has, characters a PDF string must escape).
"""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pdfplumber
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfgen.canvas import Canvas

from generator.form import TABLES
from generator.outputs import RenderOptions, pdf_layout
from generator.outputs.fonts import LoadedFont, choose_fonts, embed, load_fonts
from generator.outputs.fonts.embed import unprintable
from generator.outputs.glyphs import Placed, chars_by_role, faces_for, fixed_text
from generator.outputs.kinsoku import units
from generator.outputs.pdf import render_bytes
from generator.outputs.pdf_layout import Face, _TextPen
from generator.report.model import Narrative, Report, TextPart

# More than 256 different characters (so a font needs a second subset), the labels of the
# tables, Latin text with the characters a PDF string escapes, a no-break space and two
# characters no font has (an unassigned code point and a private-use one).
LABELS = "".join(cell.text for table in TABLES for cell in table.labels)
ODD = "(a\\b) 1\xa02 ﹙x﹚ \u0378\ue000 ——……「政府？！」"
LINES = [LABELS[i:i + 40] for i in range(0, len(LABELS), 40)] + [ODD, ODD + LABELS[:20]]


@pytest.fixture()
def loaded(font_situation: object) -> dict[str, LoadedFont]:
    choices = choose_fonts()
    chars = "".join(sorted(set("".join(LINES))))
    return load_fonts(choices, {role: chars for role in choices}, fixed_text=fixed_text())


@pytest.fixture()
def faces(loaded: dict[str, LoadedFont]) -> dict[str, Face]:
    return faces_for(loaded)


def _with_pen(faces: dict[str, Face]) -> tuple[str, Canvas, Any]:
    canvas = Canvas(io.BytesIO())
    text = canvas.beginText(0, 0)
    pen = _TextPen(text)
    for role in ("song", "fangsong", "heiti"):
        for number, line in enumerate(LINES):
            pen.move_to(10.5 + number, 700 - 28.95 * number)
            pen.show_runs(faces[role], line, 16.0)
    return text.getCode(), canvas, text


def _with_reportlab(faces: dict[str, Face]) -> tuple[str, Canvas, Any]:
    canvas = Canvas(io.BytesIO())
    text = canvas.beginText(0, 0)
    current = None
    for role in ("song", "fangsong", "heiti"):
        for number, line in enumerate(LINES):
            text.setTextOrigin(10.5 + number, 700 - 28.95 * number)
            for run_face, run in faces[role].runs(line):
                if run_face.name != current:  # the pen, too, sets a font only when it changes
                    text.setFont(run_face.name, 16.0)
                    current = run_face.name
                text.textOut(run)
    return text.getCode(), canvas, text


def test_the_text_pen_writes_what_reportlab_textout_writes(faces: dict[str, Face]) -> None:
    ours, our_canvas, our_text = _with_pen(faces)
    theirs, their_canvas, their_text = _with_reportlab(faces)
    assert "+1 " in ours, "the text should need a second subset of a font"
    assert "\\\\" in ours and "\\(" in ours, "the text should have characters to escape"
    assert ours == theirs
    assert (our_text._x0, our_text._y0) == (their_text._x0, their_text._y0)
    # The fonts are numbered in the same order (F1, F2 …) and know the same characters.
    assert our_canvas._doc.fontMapping == their_canvas._doc.fontMapping
    for face in {f for role in ("song", "fangsong", "heiti") for f in (faces[role],
                                                                       *faces[role].fallbacks)}:
        ours_state, theirs_state = (face.font.state.get(c._doc) for c in (our_canvas,
                                                                           their_canvas))
        assert (ours_state is None) == (theirs_state is None)
        if ours_state is not None:
            assert ours_state.assignments == theirs_state.assignments


def test_the_text_pen_records_what_no_font_could_print(faces: dict[str, Face],
                                                       loaded: dict[str, LoadedFont]) -> None:
    _, canvas, _ = _with_pen(faces)
    gaps = {ch for font in loaded.values() for piece in font.pieces
            for ch in unprintable(piece, canvas._doc)}
    assert gaps == {"\u0378", "\ue000"}


def test_characters_by_role_are_sorted_and_without_whitespace() -> None:
    spaces = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())
    placed = [Placed("song", f"表 一{spaces}b a", "x"), Placed("heiti", "\u3000二、", "y"),
              Placed("song", "\xa0一1", "z")]
    plain: dict[str, set[str]] = {}
    for p in placed:
        plain.setdefault(p.role, set()).update(ch for ch in p.text if not ch.isspace())
    assert chars_by_role(placed) == {role: "".join(sorted(found)) for role, found in plain.items()}
    assert chars_by_role(placed)["song"] == "1ab一表"


def _variant(report: Report, agency: str, paragraph: str) -> Report:
    parts = dict(report.narrative.parts)
    parts["overview.proactive"] = TextPart((paragraph,))
    return report.replace(meta=replace(report.meta, agency=agency),
                          narrative=Narrative(parts))


def test_what_one_pdf_placed_in_the_reserved_subsets_does_not_change_the_next(
        example_report: Report, font_situation: object) -> None:
    """A PDF's placements start from the reserved characters earlier PDFs placed
    (pdf_layout._Seed): the next PDF must be the same bytes as without them."""
    first = _variant(example_report, "春眠镇人民政府", "表一表二（政府？！）处理决定数量。")
    second = _variant(example_report, "啼鸟街道办事处", "夜来风雨声，花落知多少。表三 — 1 —")
    render_bytes(first, RenderOptions())
    seeded, _ = render_bytes(second, RenderOptions())
    assert any(seed.code_of and seed.pieces for seeds in pdf_layout._SEEDS.values()
               for seed in seeds.values())
    pdf_layout._SEEDS.clear()
    unseeded, findings = render_bytes(second, RenderOptions())
    assert seeded == unseeded
    assert not [f for f in findings if f.rule == "F-2"]
    with pdfplumber.open(io.BytesIO(seeded)) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages).replace(" ", "")
    assert "啼鸟街道办事处" in text and "夜来风雨声，花落知多少。" in text


def test_a_kept_reservation_is_the_state_reportlab_leaves(faces: dict[str, Face]) -> None:
    """embed.reserve_first_subsets copies into a new document the font state reportlab's
    splitString left in the first one with the same reservation."""
    font = faces["song"].font
    characters = LABELS + ODD
    embed._reserved_states.clear()
    by_reportlab, kept = Canvas(io.BytesIO()), Canvas(io.BytesIO())
    embed.reserve_first_subsets(font.fontName, by_reportlab._doc, characters)
    assert (font.fontName, characters) in embed._reserved_states
    embed.reserve_first_subsets(font.fontName, kept._doc, characters)
    theirs, ours = font.state[by_reportlab._doc], font.state[kept._doc]
    assert ours is not theirs and ours.subsets is not theirs.subsets
    assert len(theirs.subsets) >= 2 and theirs.nextCode % 256 == 0
    assert vars(ours) == vars(theirs)


def test_kept_font_tables_are_what_reportlab_writes() -> None:
    """pdf._kept_to_unicode_cmap and pdf._format_array (with its kept arrays) against
    reportlab's own ttfonts.makeToUnicodeCMap and PDFArray.format."""
    from reportlab.pdfbase import pdfdoc, ttfonts

    from generator.outputs import pdf

    subset = [0, *range(0x4E00, 0x4E00 + 255)]
    for _ in range(2):  # the second time from what was kept
        assert (pdf._kept_to_unicode_cmap("AAAAAA+Face", subset)
                == ttfonts.makeToUnicodeCMap("AAAAAA+Face", subset))
    document = pdfdoc.PDFDocument()
    for sequence in ([1000] * 250 + [500, 0, 2.5, 0.0, -0.0, 1e-9], [3, 2.0, 1], [1, 2]):
        array = pdfdoc.PDFArray(list(sequence))
        for _ in range(2):
            assert pdf._format_array(array, document) == pdf._REPORTLAB_FORMAT_ARRAY(array,
                                                                                     document)


def _units_one_character_at_a_time(text: str) -> list[str]:
    """kinsoku.units as it was written before its regular-expression scan (the reference)."""
    from generator.outputs.kinsoku import _LATIN_RUN, PAIRED, _address_pieces

    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in PAIRED and i + 1 < n and text[i + 1] == ch:
            j = i
            while j < n and text[j] == ch:
                j += 1
            out.append(text[i:j])
            i = j
            continue
        match = _LATIN_RUN.match(text, i)
        if match and match.end() - i > 1:
            out.extend(_address_pieces(match.group()))
            i = match.end()
            continue
        out.append(ch)
        i += 1
    return out


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ09._:/-@#&=+~%?，。（）—…表 \n\u3000", max_size=60))
def test_units_are_cut_as_one_character_at_a_time(text: str) -> None:
    assert units(text) == _units_one_character_at_a_time(text)


def test_units_of_real_text_are_cut_as_one_character_at_a_time() -> None:
    text = ("电话0482-6540003，网址http://www.example.gov.cn/a?b=1&c=2，邮箱a.b@example.cn；"
            "增长12.5%——较上年……（见表三）。" + LABELS)
    assert units(text) == _units_one_character_at_a_time(text)
    assert "0482-6540003" in units(text) and "——" in units(text)


def _estimated_height_cell_by_cell(key: str, texts: dict[str, str]) -> float:
    """geometry.estimated_table_height as written before it kept the labels' measures."""
    import math

    from generator.form import TABLE_BY_KEY, CellRole
    from generator.form import geometry as g

    form, geo = TABLE_BY_KEY[key], g.table_geometry(key, texts)
    size, leading = geo.size_pt, g.table_leading(geo.size_pt)
    pad = 2 * g.CELL_MARGIN_Y / 20 + 0.5
    heights = [leading + pad] * form.n_rows
    merged = []
    for cell in form.cells:
        inner = g.span_width(geo.widths, cell.col, cell.colspan) / 20 - 2 * g.CELL_MARGIN_X / 20
        text = texts.get(cell.field_id, "0") if cell.field_id is not None else cell.text
        if cell.role is CellRole.LABEL and inner < 2.2 * size:
            lines = len(text)
        else:
            lines = max(1, math.ceil(g._em_width(text) * size / inner - 1e-9))
        need = lines * leading + pad
        if cell.rowspan == 1:
            heights[cell.row] = max(heights[cell.row], need)
        else:
            merged.append((cell.row, cell.last_row, need))
    for first, last, need in merged:
        have = sum(heights[first:last + 1])
        if have < need:
            for r in range(first, last + 1):
                heights[r] += (need - have) / (last - first + 1)
    return sum(heights)


@pytest.mark.parametrize("digits", [1, 4, 9, 14])
def test_the_estimated_table_height_is_measured_as_cell_by_cell(digits: int) -> None:
    from generator.form import TABLES
    from generator.form.geometry import estimated_table_height

    for table in TABLES:
        texts = {c.field_id: "8" * digits for c in table.cells if c.field_id is not None}
        assert (estimated_table_height(table.key, texts)
                == _estimated_height_cell_by_cell(table.key, texts))


def test_kept_spans_of_a_form_table_are_what_reportlab_computes(faces: dict[str, Face]) -> None:
    from reportlab.platypus import Table

    from generator.form import TABLE3
    from generator.outputs.pdf import table_look
    from generator.outputs.pdf_layout import BODY_WIDTH, _Prepared

    prep = _Prepared(TABLE3, {}, table_look("t3", faces["song"]), BODY_WIDTH)
    for rows in (list(range(TABLE3.n_rows)), prep.header + list(range(10, TABLE3.n_rows))):
        for _ in range(2):  # the second table from what the first left
            table = prep.table(rows)
            table.wrap(BODY_WIDTH, 10_000)
            names = ("_spanRanges", "_colSpanCells", "_rowSpanCells", "_spanRects", "_vBlocks",
                     "_hBlocks", "_hmax_spanRects")
            ours = {name: getattr(table, name) for name in names}
            del table._spanRects
            Table._calcSpanRanges(table)
            Table._calcSpanRects(table)
            theirs = {name: getattr(table, name) for name in names}
            assert ours["_rowSpanCells"], "表三 has merged rows"
            for blocks in ("_vBlocks", "_hBlocks"):  # kept as tuples, which reportlab only reads
                theirs[blocks] = {k: tuple(v) for k, v in theirs[blocks].items()}
            assert ours == theirs


def test_a_table_from_kept_spans_has_every_attribute_reportlab_gives_one(
        faces: dict[str, Face]) -> None:
    """A newer reportlab that sets one more attribute in _calcSpanRanges/_calcSpanRects would
    leave it unset on tables made from the kept results: this compares a table computed by
    reportlab with one made from what was kept, attribute by attribute."""
    from generator.form import TABLE3
    from generator.outputs.pdf import table_look
    from generator.outputs.pdf_layout import BODY_WIDTH, _Prepared

    prep = _Prepared(TABLE3, {}, table_look("t3", faces["song"]), BODY_WIDTH)
    rows = list(range(TABLE3.n_rows))
    pdf_layout._SPAN_RANGES.clear()
    pdf_layout._SPAN_RECTS.clear()
    computed = prep.table(rows)
    computed.wrap(BODY_WIDTH, 10_000)
    kept = prep.table(rows)
    kept.wrap(BODY_WIDTH, 10_000)
    assert set(vars(kept)) == set(vars(computed))
    for name in ("_spanRanges", "_colSpanCells", "_rowSpanCells", "_spanRects"):
        assert getattr(kept, name) == getattr(computed, name)


def test_a_stream_compressed_again_is_looked_up_by_identity_and_by_content() -> None:
    import zlib

    from generator.outputs.pdf import _QuickFlate

    flate = _QuickFlate()
    program = bytes(range(256)) * 400  # a font program's size, kept
    first = flate.encode(program)
    assert flate.encode(program) is first  # the same object: by identity
    assert flate.encode(bytes(program)) == first  # equal bytes: by content
    assert first == zlib.compress(program, 3) and zlib.decompress(first) == program
    small = b"BT /F1+0 16 Tf (x) Tj ET"
    assert zlib.decompress(flate.encode(small)) == small


def test_a_rendered_pdf_leaves_nothing_of_itself_behind(example_report: Report) -> None:
    """The per-PDF glyph tables are kept by the document, weakly: once a PDF is rendered, its
    document (pages, streams, font subsets) is freed, however many PDFs a server renders."""
    import gc

    from reportlab.pdfbase.pdfdoc import PDFDocument

    def documents() -> int:
        gc.collect()
        return sum(1 for o in gc.get_objects() if isinstance(o, PDFDocument))

    render_bytes(example_report, RenderOptions())
    before = documents()
    for number in range(3):
        report = example_report.replace(meta=replace(example_report.meta,
                                                     agency=f"第{number}镇人民政府"))
        render_bytes(report, RenderOptions(draft=number == 1))
    assert documents() == before
    assert len(pdf_layout._DOCUMENT_GLYPHS) <= before
