"""Converting the bundled CFF fonts: the packed glyph records, the outlines against fontTools'
own pen pipeline, and the small piece of a font that prints only the form's headings."""

from __future__ import annotations

import io
import multiprocessing

import pytest
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont as FTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph, table__g_l_y_f

from generator.form import DRAFT_MARK, SECTIONS
from generator.outputs.fonts import (
    BUNDLED_FACES,
    FontSearch,
    bundled_font_path,
    choose_fonts,
    convert_piece,
    default_cache_dir,
    load_fonts,
    source_font,
)
from generator.outputs.fonts.convert import partition
from generator.outputs.fonts.truetype_glyphs import _freetype_contours, encode, pack
from generator.outputs.glyphs import fixed_text


def _read_back(data: bytes) -> Glyph:
    glyph = Glyph(data)
    glyph.expand(table__g_l_y_f())
    return glyph


def test_packed_record_reads_back_as_the_same_points() -> None:
    # Zero, short, long (over 255 units) and negative steps; a run of 300 equal flags (more
    # than one repeat count can hold); two contours.
    xs = [0, 0, 10, 300, -400, -400, 5] + [6 + i for i in range(300)]
    ys = [0, 50, 50, -20, -20, 700, 700] + [700] * 300
    on = [1, 0, 1, 1, 0, 1, 1] + [1] * 300
    ends = [5, len(xs) - 1]
    record = pack(xs, ys, on, ends)
    glyph = _read_back(record.data)
    assert glyph.numberOfContours == 2
    assert list(glyph.endPtsOfContours) == ends
    assert [tuple(p) for p in glyph.coordinates] == list(zip(xs, ys))
    assert [flag & 1 for flag in glyph.flags] == on
    assert (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax) == (-400, -20, 305, 700)
    assert record.bounds == (-400, -20, 305, 700) and record.points == len(xs)


def test_empty_glyph_has_no_record() -> None:
    record = pack([], [], [], [])
    assert record.data == b"" and record.bounds is None and record.points == 0


@pytest.mark.parametrize("face", ["serif", "sans"])
def test_converted_glyphs_have_the_outlines_of_fonttools_pen_pipeline(face: str) -> None:
    """The fast converter against the library's reference: Cu2QuPen (error 1 unit, contours
    reversed) into TTGlyphPen, point for point."""
    path = bundled_font_path(face)
    assert path is not None
    text = "政府信息公开？！，。ABCxyz19—《》镕堃"
    converted = FTFont(io.BytesIO(convert_piece(path, 0, [ord(c) for c in text], 0)))
    source = FTFont(str(path), lazy=True)
    glyph_set = source.getGlyphSet()
    glyf = converted["glyf"]
    for ch in text:
        pen = TTGlyphPen(None)
        glyph_set[source.getBestCmap()[ord(ch)]].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        expected = pen.glyph()
        mine = glyf[converted.getBestCmap()[ord(ch)]]
        assert mine.numberOfContours == expected.numberOfContours > 0, ch
        assert sorted(map(tuple, mine.coordinates)) == sorted(map(tuple, expected.coordinates)), ch
        expected.recalcBounds(None)
        assert (mine.xMin, mine.yMin, mine.xMax, mine.yMax) == (
            expected.xMin, expected.yMin, expected.xMax, expected.yMax), ch
    assert converted["maxp"].numGlyphs == len(converted.getGlyphOrder())
    assert converted["head"].unitsPerEm == source["head"].unitsPerEm


def test_pieces_of_a_fixed_text_font_are_fixed_disjoint_and_complete() -> None:
    path = bundled_font_path("sans")
    assert path is not None
    fixed = fixed_text()["heiti"]
    source = source_font(path, 0, fixed)
    everyday = source_font(path, 0)
    cmap = FTFont(str(path), lazy=True).getBestCmap()
    assert source.fixed and not everyday.fixed
    assert set(source.pieces[0]) == {ord(c) for c in fixed} & set(cmap)
    seen: set[int] = set()
    for piece in source.pieces:
        assert seen.isdisjoint(piece)
        seen.update(piece)
    assert seen == set(cmap) == {cp for piece in everyday.pieces for cp in piece}
    # The same characters give the same cut, in whatever order they come.
    assert source.pieces == partition(cmap, frozenset(ord(c) for c in reversed(fixed)))


def test_headings_font_is_one_small_piece_and_prints_every_heading() -> None:
    search = FontSearch((), fontconfig=False, config_path=None, cache_dir=default_cache_dir())
    choices = choose_fonts(search=search)
    assert choices["heiti"].convert and choices["heiti"].path != choices["fangsong"].path
    headings = "".join(section.heading for section in SECTIONS) + DRAFT_MARK
    loaded = load_fonts(choices, {"heiti": headings, "fangsong": "政府信息公开"}, search,
                        fixed_text=fixed_text())
    heiti = loaded["heiti"]
    assert len(heiti.pieces) == 1
    assert len(heiti.codepoints) < 300  # not the thousands of the everyday tier
    assert heiti.missing(headings) == []
    assert len(loaded["fangsong"].pieces[0].codepoints) > 3000  # body text: the everyday tier


def test_quadratic_outline_from_freetype_keeps_its_points() -> None:
    """The general path (an outline that is not CFF-shaped: quadratic control points, two in a
    row implying an on-curve point between them) gives the TrueType points, clockwise."""
    flat = [0, 0, 100, 0, 100, 100, 0, 100]
    tags = bytes([1, 0, 0, 1])
    glyph = _read_back(encode(_freetype_contours(flat, tags, [3])).data)
    assert [tuple(p) for p in glyph.coordinates] == [(0, 0), (0, 100), (100, 100), (100, 50),
                                                      (100, 0)]
    assert [flag & 1 for flag in glyph.flags] == [1, 1, 0, 1, 0]


def _convert_in_a_daemon(path: str, results: "multiprocessing.Queue[object]") -> None:
    from generator.outputs.fonts.convert import _convert_work

    try:
        pieces = _convert_work([(path, 0, (0x4E00, 0x4E01), 90), (path, 0, (0x4E09,), 91)], 2)
        results.put([len(piece) for piece in pieces])
    except BaseException as exc:  # noqa: BLE001 - the test reports whatever it was
        results.put(f"{type(exc).__name__}: {exc}")


def test_a_batch_worker_converts_the_pieces_it_needs_itself() -> None:
    """Batch workers are daemonic processes, which multiprocessing refuses children: a report
    needing two pieces the batch had not converted ended as 内部错误 (daemonic processes are
    not allowed to have children)."""
    path = bundled_font_path(BUNDLED_FACES["song"])
    assert path is not None
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    worker = context.Process(target=_convert_in_a_daemon, args=(str(path), results), daemon=True)
    worker.start()
    answer = results.get(timeout=120)
    worker.join(timeout=30)
    assert isinstance(answer, list) and len(answer) == 2 and all(answer), answer


def test_a_piece_takes_the_character_map_and_metrics_fonttools_reads() -> None:
    """Pieces map characters by FreeType and read the metrics from the raw ``hmtx`` table
    (cheaper than fontTools, which names every glyph first); both agree with fontTools, for
    glyphs with a full metrics record and for those past ``numberOfHMetrics``."""
    from generator.outputs.fonts.convert import _horizontal_metrics
    from generator.outputs.fonts.truetype_glyphs import freetype_glyphs

    path = bundled_font_path(BUNDLED_FACES["fangsong"])
    assert path is not None
    font = FTFont(str(path), lazy=True)
    cmap, order, hmtx = font.getBestCmap(), font.getGlyphOrder(), font["hmtx"]
    glyph_id, _ = freetype_glyphs(str(path), 0)
    points = source_font(path).pieces[0] + (0x20, 0x4E00, 0x10FFFF, 0xE000)
    assert {cp: glyph_id(cp) for cp in points} == {
        cp: order.index(cmap[cp]) if cp in cmap else 0 for cp in points}
    count = font["hhea"].numberOfHMetrics
    gids = [0, 1, 2, count - 1, count, len(order) - 1]
    assert count < len(order)  # the font has glyphs past the full records: both kinds tried
    assert _horizontal_metrics(font, gids) == [tuple(hmtx[order[gid]]) for gid in gids]


def test_a_converted_piece_has_no_glyph_names_but_maps_every_character() -> None:
    path = bundled_font_path(BUNDLED_FACES["heiti"])
    assert path is not None
    codepoints = tuple(sorted({ord(ch) for ch in "政府信息公开工作年度报告ABC123，。"}))
    piece = FTFont(io.BytesIO(convert_piece(path, 0, codepoints, 0)))
    assert piece["post"].formatType == 3.0
    assert set(piece.getBestCmap()) == set(codepoints)
