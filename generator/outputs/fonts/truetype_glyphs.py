"""CFF (cubic) outlines turned into TrueType ``glyf`` records, with as little Python per point
as possible.

Converting a piece of a CJK font went, per glyph, through FreeType's decomposition callbacks,
``Cu2QuPen`` → ``ReverseContourPen`` → ``TTGlyphPen`` and then fontTools' ``glyf`` compiler
(bounds, greedy delta packing): about 0.6 ms a glyph, most of it pen method calls and the
per-point loops of the compiler.  Here the outline is read from FreeType's arrays in one call,
each cubic goes through fontTools' compiled ``cu2qu`` directly, and the glyph record is packed
in one pass (short deltas, repeated flags; no instructions), so that conversion is a fraction of
that.  The result is a regular TrueType glyph: fontTools and reportlab read it like any other.
"""

from __future__ import annotations

import ctypes
import math
import re
import struct
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from fontTools.cu2qu import curve_to_quadratic

#: Largest distance (font units) between a cubic curve and its quadratic approximation,
#: as fontTools' Cu2QuPen default for a 1000-unit em.
MAX_ERROR = 1.0

_ON_CURVE = 0x01
_X_SHORT, _Y_SHORT, _REPEAT, _X_SAME, _Y_SAME = 0x02, 0x04, 0x08, 0x10, 0x20


@dataclass(frozen=True)
class GlyphRecord:
    """One glyph's ``glyf`` bytes and what the font's summary tables need from it."""

    data: bytes  # empty for a glyph without contours (a space)
    points: int
    contours: int
    bounds: tuple[int, int, int, int] | None  # xMin, yMin, xMax, yMax


Contour = list[tuple[float, float, bool]]  # x, y, on-curve
Point = tuple[float, float]
#: A segment: its kind and its points after the current one (the last ends the segment).
Segment = tuple[int, tuple[Point, ...]]
LINE, CUBIC, QUADRATIC = 0, 1, 2


def quadratic_contour(start: Point, segments: Sequence[Segment]) -> Contour:
    """One closed contour of lines, cubic and quadratic curves from ``start``,
    as TrueType points, clockwise (CFF contours run counter-clockwise)."""
    points: Contour = [(start[0], start[1], True)]
    current = start
    last = len(segments) - 1
    for number, (kind, segment) in enumerate(segments):
        end = segment[-1]
        closes = number == last and end == start
        if kind == CUBIC:
            spline = curve_to_quadratic((current, segment[0], segment[1], end), MAX_ERROR)
            points.extend((x, y, False) for x, y in spline[1:-1])
        elif kind == QUADRATIC:  # already quadratic (a TrueType-flavoured source)
            points.extend((x, y, False) for x, y in segment[:-1])
        if not closes:
            points.append((end[0], end[1], True))
        current = end
    first = points[0]
    return [first, *reversed(points[1:])]


def encode(contours: Sequence[Contour]) -> GlyphRecord:
    """The ``glyf`` record of a simple glyph made of ``contours``."""
    xs: list[int] = []
    ys: list[int] = []
    on: list[int] = []
    ends: list[int] = []
    for contour in contours:
        if not contour:
            continue
        for x, y, is_on in contour:
            xs.append(math.floor(x + 0.5))  # round half up, as fontTools' otRound
            ys.append(math.floor(y + 0.5))
            on.append(1 if is_on else 0)
        ends.append(len(xs) - 1)
    return pack(xs, ys, on, ends)


def pack(xs: list[int], ys: list[int], on: Sequence[int], ends: list[int]) -> GlyphRecord:
    """The ``glyf`` record of integer points ``xs``/``ys`` (``on``: 1 on-curve, 0 off) whose
    contours end at the indexes ``ends``.

    Each coordinate is stored as fontTools' optimiser would: a repeat of the previous one costs
    nothing, a change of less than 256 units one byte, anything else two; runs of equal flags
    are folded.  Written as comprehensions, table lookups and one ``struct.pack`` per axis
    because this is the innermost loop of the conversion.
    """
    if not xs:
        return GlyphRecord(b"", 0, 0, None)
    dxs = [b - a for a, b in zip([0, *xs], xs)]
    dys = [b - a for a, b in zip([0, *ys], ys)]
    x_flags = bytes([_X_FLAG.get(d, 0) for d in dxs])
    y_flags = bytes([_Y_FLAG.get(d, 0) for d in dys])
    flags = bytes([a | b | c for a, b, c in zip(x_flags, y_flags, on)])
    # The struct format follows the flags: same → nothing, short → "B", long → "h".
    x_data = struct.pack(">" + x_flags.translate(_X_FORMAT, bytes((_X_SAME,))).decode("ascii"),
                         *[abs(d) if -256 < d < 256 else d for d in dxs if d])
    y_data = struct.pack(">" + y_flags.translate(_Y_FORMAT, bytes((_Y_SAME,))).decode("ascii"),
                         *[abs(d) if -256 < d < 256 else d for d in dys if d])
    bounds = (min(xs), min(ys), max(xs), max(ys))
    header = struct.pack(f">5h{len(ends)}HH", len(ends), *bounds, *ends, 0)
    folded = _REPEATS.sub(lambda m: bytes((m[1][0] | _REPEAT, len(m[0]) - 1)), flags)
    return GlyphRecord(header + folded + x_data + y_data, len(xs), len(ends), bounds)


def _delta_flags(short: int, positive: int) -> dict[int, int]:
    table = {d: short | positive for d in range(1, 256)}
    table.update({-d: short for d in range(1, 256)})
    table[0] = positive  # "same as before" shares the bit that marks a positive short delta
    return table


_X_FLAG = _delta_flags(_X_SHORT, _X_SAME)
_Y_FLAG = _delta_flags(_Y_SHORT, _Y_SAME)
_X_FORMAT = bytes.maketrans(bytes((0, _X_SHORT, _X_SHORT | _X_SAME)), b"hBB")
_Y_FORMAT = bytes.maketrans(bytes((0, _Y_SHORT, _Y_SHORT | _Y_SAME)), b"hBB")
#: A flag repeated: folded into the flag with the repeat bit and a count (at most 255 more).
_REPEATS = re.compile(rb"(.)\1{1,255}", re.DOTALL)


# ---------------------------------------------------------------------------
# Reading outlines


def freetype_glyphs(path: str, index: int
                    ) -> tuple[Callable[[int], int], Callable[[int], GlyphRecord]]:
    """``(glyph_id(code_point), record(glyph_id))`` of a font read with FreeType: the glyph
    of a character by the face's Unicode character map (0 when it has none), and its record.
    Raises ImportError/OSError when freetype-py or its library is missing."""
    import freetype

    face = freetype.Face(path, index)
    glyph_id: Callable[[int], int] = face.get_char_index
    flags = freetype.FT_LOAD_NO_SCALE | freetype.FT_LOAD_NO_HINTING | freetype.FT_LOAD_NO_BITMAP
    slot = face.glyph._FT_GlyphSlot

    def record(gid: int) -> GlyphRecord:
        face.load_glyph(gid, flags)
        outline = slot.contents.outline
        n, nc = outline.n_points, outline.n_contours
        if n <= 0 or nc <= 0:
            return GlyphRecord(b"", 0, 0, None)
        # FT_Vector is two FT_Pos (C long): read all coordinates at once.
        flat = ctypes.cast(outline.points, ctypes.POINTER(ctypes.c_long * (2 * n))).contents[:]
        tags = ctypes.string_at(outline.tags, n)
        ends = ctypes.cast(outline.contours, ctypes.POINTER(ctypes.c_short * nc)).contents[:]
        return _freetype_record(flat, tags, ends)

    return glyph_id, record


#: FreeType's point tags reduced to the curve kind (bit 0 on-curve, bit 1 cubic control).
_KIND = bytes(tag & 3 for tag in range(256))


def _freetype_record(flat: list[int], tags: bytes, ends: list[int]) -> GlyphRecord:
    """The record of an outline as FreeType gives a CFF glyph: every contour starts on the
    curve, lines are one on-curve point, cubics two control points and an end point (the
    contour's start when the curve closes it).  Other shapes take the general path."""
    kinds = tags.translate(_KIND)
    all_x, all_y = flat[0::2], flat[1::2]
    xs: list[int] = []
    ys: list[int] = []
    on: list[int] = []
    out_ends: list[int] = []
    floor = math.floor
    to_quadratic = curve_to_quadratic
    begin = 0
    for end in ends:
        if kinds[begin] != 1 or 0 in kinds[begin:end + 1]:
            return encode(_freetype_contours(flat, tags, ends))
        cx, cy = all_x[begin:end + 1], all_y[begin:end + 1]
        begin = end + 1
        sx, sy = cx[0], cy[0]
        fx, fy, fo = [sx], [sy], [1]
        px, py = sx, sy
        i, last = 1, len(cx) - 1
        while i <= last:
            if kinds[begin - len(cx) + i] == 1:
                px, py = cx[i], cy[i]
                fx.append(px)
                fy.append(py)
                fo.append(1)
                i += 1
                continue
            if i + 1 > last:
                return encode(_freetype_contours(flat, tags, ends))
            closing = i + 2 > last
            ex, ey = (sx, sy) if closing else (cx[i + 2], cy[i + 2])
            spline = to_quadratic(((px, py), (cx[i], cy[i]), (cx[i + 1], cy[i + 1]), (ex, ey)),
                                  MAX_ERROR)
            for qx, qy in spline[1:-1]:
                fx.append(floor(qx + 0.5))
                fy.append(floor(qy + 0.5))
                fo.append(0)
            if not closing:
                fx.append(ex)
                fy.append(ey)
                fo.append(1)
            px, py = ex, ey
            i += 3
        if len(fx) > 1 and fo[-1] and fx[-1] == sx and fy[-1] == sy:
            del fx[-1], fy[-1], fo[-1]  # a line back to the start closes the contour anyway
        # Clockwise for TrueType: the start stays first, the rest runs backwards.
        xs.append(sx)
        xs += fx[:0:-1]
        ys.append(sy)
        ys += fy[:0:-1]
        on.append(1)
        on += fo[:0:-1]
        out_ends.append(len(xs) - 1)
    return pack(xs, ys, on, out_ends)


def _freetype_contours(flat: list[int], tags: bytes, ends: list[int]) -> list[Contour]:
    contours: list[Contour] = []
    begin = 0
    for end in ends:
        points: list[Point] = [(flat[2 * i], flat[2 * i + 1]) for i in range(begin, end + 1)]
        kinds = [tag & 3 for tag in tags[begin:end + 1]]  # 1 on, 2 cubic control, 0 conic control
        begin = end + 1
        if not points:
            continue
        if kinds[0] != 1:  # not a CFF outline's shape (starts off-curve): rotate to an on point
            on_points = [i for i, k in enumerate(kinds) if k == 1]
            if not on_points:
                continue
            shift = on_points[0]
            points, kinds = points[shift:] + points[:shift], kinds[shift:] + kinds[:shift]
        segments: list[Segment] = []
        i, last = 1, len(points) - 1
        start = points[0]
        while i <= last:
            kind = kinds[i]
            if kind == 1:
                segments.append((LINE, (points[i],)))
                i += 1
            elif kind == 2 and i + 1 <= last:
                end_point = points[i + 2] if i + 2 <= last else start
                segments.append((CUBIC, (points[i], points[i + 1], end_point)))
                i += 3
            else:  # a conic control point: the next on point ends it (or an implied midpoint)
                following = points[i + 1] if i + 1 <= last else start
                if i + 1 <= last and kinds[i + 1] != 1:
                    following = ((points[i][0] + following[0]) / 2,
                                 (points[i][1] + following[1]) / 2)
                    segments.append((QUADRATIC, (points[i], following)))
                    i += 1
                else:
                    segments.append((QUADRATIC, (points[i], following)))
                    i += 2
        contours.append(quadratic_contour(start, segments))
    return contours


def pen_reader(glyph_set: Any, glyph_order: Sequence[str]) -> Callable[[int], GlyphRecord]:
    """``record(glyph_id)`` interpreting the CFF charstrings with fontTools (no FreeType)."""

    def record(gid: int) -> GlyphRecord:
        pen = _SegmentPen()
        glyph_set[glyph_order[gid]].draw(pen)
        pen.closePath()
        return encode(pen.contours)

    return record


class _SegmentPen:
    """Collects a charstring's contours as start point and segments."""

    def __init__(self) -> None:
        self.contours: list[Contour] = []
        self.start: tuple[float, float] | None = None
        self.segments: list[Segment] = []

    def moveTo(self, point: tuple[float, float]) -> None:  # noqa: N802 - the pen protocol
        self.closePath()
        self.start = point

    def lineTo(self, point: tuple[float, float]) -> None:  # noqa: N802
        self.segments.append((LINE, (point,)))

    def curveTo(self, *points: Point) -> None:  # noqa: N802
        if len(points) != 3:
            raise ValueError("a CFF curve has two control points")
        self.segments.append((CUBIC, tuple(points)))

    def qCurveTo(self, *points: Point) -> None:  # noqa: N802
        self.segments.append((QUADRATIC, tuple(points)))

    def closePath(self) -> None:  # noqa: N802
        if self.start is not None:
            self.contours.append(quadratic_contour(self.start, self.segments))
        self.start, self.segments = None, []

    endPath = closePath  # noqa: N815

    def addComponent(self, name: str, transform: Any) -> None:  # noqa: N802
        raise ValueError("composite glyphs do not occur in CFF fonts")
