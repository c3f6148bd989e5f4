"""PostScript-outline (CFF) fonts made embeddable: converted to TrueType once, in fixed pieces.

reportlab embeds only TrueType (``glyf``) outlines, and the fonts nianbao ships (Noto Serif SC /
Noto Sans SC) are CFF.  Converting a whole 30,000-glyph font takes several seconds, and
converting per document made every report pay for it and the cache grow without bound.  So a
font's repertoire is cut into **pieces** that depend only on the font itself:

* the everyday piece: Latin, CJK punctuation, full-width forms, the symbols of GB 2312 and
  its level-1 hanzi (the 3,755 commonest characters);
* GB 2312's level-2 hanzi (3,008 rarer ones, place names among them), in pieces of 376: a
  report needs a handful of them, and converting a small piece when one is first needed
  costs a tenth of a second, where converting all 3,008 ahead cost most of a second;
* the rest of the font's characters, by code point, 1,600 at a time.

A font that prints only text known in advance (the 黑体 of the form's headings) is cut with
those characters as a first piece of their own, before the pieces above (see
:func:`partition`): for the same fonts the pieces are still fixed sets.

A piece is converted the first time a document needs one of its characters, kept in the cache
folder as one TrueType file named after the source font's hash and nianbao's version (files of
other versions are removed), and never changes afterwards.  Because piece boundaries depend on
the font only, the same report always embeds the same glyphs from the same pieces: the PDF is
byte-identical whatever the cache held before.  A cache folder that cannot be written is not an
error: the pieces are then kept in memory for the process.

Outlines are read with FreeType (``freetype-py``, fast) when it is installed, otherwise with
fontTools' CFF interpreter; cubic curves become quadratic ones (fontTools' ``cu2qu``, error ≤ 1
unit) and are packed into glyph records by :mod:`.truetype_glyphs` (about 0.2 ms a glyph).
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import re
import struct
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from generator import __version__
from generator.outputs.fonts.discover import default_cache_dir, probe
from generator.outputs.fonts.embed import FontError, FontFile
from generator.outputs.fonts.probe_cache import key_of, probe_cache
from generator.outputs.fonts.truetype_glyphs import (
    GlyphRecord,
    freetype_glyphs,
    pen_reader,
)

#: Bump when the converted glyphs or the piece boundaries change.
CONVERTER_VERSION = "5"

#: Glyphs per piece beyond GB 2312: about one to two seconds of conversion each.
PIECE_SIZE = 1600
#: Glyphs per piece of GB 2312's level-2 hanzi (eight pieces): the few a report needs are
#: converted when first needed, in about a tenth of a second each.
LEVEL2_PIECE_SIZE = 376

#: Ranges of the everyday pieces besides GB 2312 (Latin, punctuation, symbols, full-width forms).
EVERYDAY_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E), (0x00A0, 0x00FF), (0x2000, 0x206F), (0x2100, 0x218F),
    (0x2190, 0x21FF), (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x25FF),
    (0x3000, 0x303F), (0xFF00, 0xFFEF),
)


def _gb2312_rows(first: int, last: int) -> set[int]:
    """Code points of GB 2312 rows ``first``..``last`` (row 1 is 0xA1; level-1 hanzi are 16–55)."""
    found: set[int] = set()
    for row in range(0xA0 + first, 0xA0 + last + 1):
        for cell in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes((row, cell)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


@lru_cache(maxsize=1)
def _tiers() -> tuple[frozenset[int], frozenset[int]]:
    everyday = {cp for lo, hi in EVERYDAY_RANGES for cp in range(lo, hi + 1)}
    everyday |= _gb2312_rows(1, 9) | _gb2312_rows(16, 55)
    return frozenset(everyday), frozenset(_gb2312_rows(56, 87))


def partition(codepoints: Iterable[int],
              fixed: frozenset[int] = frozenset()) -> tuple[tuple[int, ...], ...]:
    """A font's characters cut into pieces: the everyday tier as one piece, GB 2312 level 2 in
    runs of :data:`LEVEL2_PIECE_SIZE`, then the rest in code point order, in runs of
    :data:`PIECE_SIZE`.

    The everyday tier stays whole because a line switches font at every change of piece:
    text set from one piece is drawn in one run (a level-2 character is rare enough that its
    own piece costs a switch).  A font that prints only text known in
    advance (the form's own headings: ``fixed``) gets those characters as a small first piece
    instead, so that it needs converting a few hundred glyphs rather than thousands.
    """
    everyday, level2 = _tiers()
    all_points = sorted(set(codepoints))
    own = tuple(cp for cp in all_points if cp in fixed)
    first = tuple(cp for cp in all_points if cp in everyday and cp not in fixed)
    second = tuple(cp for cp in all_points if cp in level2 and cp not in everyday
                   and cp not in fixed)
    rest = tuple(cp for cp in all_points if cp not in everyday and cp not in level2
                 and cp not in fixed)
    pieces = [piece for piece in (own, first) if piece]
    pieces.extend(second[i:i + LEVEL2_PIECE_SIZE] for i in range(0, len(second),
                                                                 LEVEL2_PIECE_SIZE))
    pieces.extend(rest[i:i + PIECE_SIZE] for i in range(0, len(rest), PIECE_SIZE))
    return tuple(pieces)


# ---------------------------------------------------------------------------
# The source font


@dataclass(frozen=True)
class SourceFont:
    """A CFF font file (face ``index`` of a collection) and what converting it depends on."""

    path: Path
    index: int
    digest: str  # of the file's bytes
    pieces: tuple[tuple[int, ...], ...]
    fixed: bool = False  # piece 0 holds the fixed text of a font that prints nothing else

    @property
    def stem(self) -> str:
        return re.sub(r"[^A-Za-z0-9_.-]", "_", self.path.stem)[:60] or "font"

    def piece_file_name(self, number: int) -> str:
        return self._piece_file_names[number]

    @cached_property
    def _piece_file_names(self) -> tuple[str, ...]:
        names = []
        for number, piece in enumerate(self.pieces):
            # The code points' digest too: a piece is its content, whatever cut it was made by.
            points = hashlib.sha256(",".join(map(str, piece)).encode()).hexdigest()[:8]
            names.append(f"{self.stem}-{self.index}-{self.digest}-v{__version__}."
                         f"{CONVERTER_VERSION}-p{number:02d}-{points}.ttf")
        return tuple(names)

    @cached_property
    def _piece_of(self) -> dict[int, int]:
        """Code point → number of the piece holding it (asked for every document)."""
        return {cp: number for number, piece in enumerate(self.pieces) for cp in piece}

    def everyday_pieces(self) -> list[int]:
        """Numbers of the pieces of the everyday tier (what almost every report needs)."""
        everyday, _ = _tiers()
        return [n for n, piece in enumerate(self.pieces) if piece and piece[0] in everyday]

    def pieces_for(self, chars: Iterable[str]) -> list[int]:
        """Numbers of the pieces holding ``chars`` (piece 0 always: the face's first piece)."""
        piece_of = self._piece_of
        numbers = {piece_of.get(ord(ch), 0) for ch in set(chars)}
        numbers.add(0)
        return sorted(numbers)


@lru_cache(maxsize=16)
def _source_cached(path: Path, index: int, size: int, mtime_ns: int,
                   fixed: frozenset[int]) -> SourceFont:
    return SourceFont(path, index, _digest(path, size, mtime_ns),
                      partition(_codepoints(path, index, size, mtime_ns), fixed), bool(fixed))


@lru_cache(maxsize=16)
def _digest(path: Path, size: int, mtime_ns: int) -> str:
    """The first 16 hex digits of the font file's SHA-256, remembered with its probe in the
    cache folder (:mod:`.probe_cache`) for the same size and modification time."""
    key = key_of(path, 0, size, mtime_ns)
    remembered = probe_cache(default_cache_dir())
    known = remembered.digest(key)
    if known is not None:
        return known
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    found = digest.hexdigest()[:16]
    remembered.put_digest(key, found)
    return found


@lru_cache(maxsize=16)
def _codepoints(path: Path, index: int, size: int, mtime_ns: int) -> frozenset[int]:
    # The font was opened when it was chosen: its character map is taken from there (decoding
    # a CJK font's map again took a tenth of a second per font and batch).
    probed = probe(path, index)
    if probed.error:
        raise FontError(f"字体文件 {path} 无法使用：{probed.error}。")
    return probed.cmap


def source_font(path: Path, index: int = 0, fixed: Iterable[str] = ()) -> SourceFont:
    """The CFF font at ``path`` and its pieces; ``fixed``: the characters of a font that prints
    only text known in advance (see :func:`partition`), empty for a font that prints reports'
    own text."""
    stat = path.stat()
    return _source_cached(path.resolve(), index, stat.st_size, stat.st_mtime_ns,
                          frozenset(ord(ch) for ch in fixed))


# ---------------------------------------------------------------------------
# Converting one piece


def convert_piece(path: Path, index: int, codepoints: Sequence[int], number: int) -> bytes:
    """A TrueType font holding the glyphs of ``codepoints`` from the CFF font at ``path``.

    Metrics and names come from the source; the PostScript name gets the piece number, so no
    two pieces share a face name in the PDF.  Dates are the source's: the bytes are the same
    every time.  Glyph records are packed by :mod:`.truetype_glyphs`; the summary tables
    (bounding boxes, maxp) are filled from them here rather than recomputed by fontTools, which
    would unpack every glyph again.
    """
    from fontTools.fontBuilder import FontBuilder
    from fontTools.ttLib import TTFont as FTFont
    from fontTools.ttLib import newTable
    from fontTools.ttLib.tables._g_l_y_f import Glyph

    font = FTFont(str(path), fontNumber=index, lazy=True)
    glyph_id, record = _glyph_source(path, index, font)
    mapping = {cp: gid for cp in codepoints if (gid := glyph_id(cp))}
    # The piece's glyphs in the order of their first character.  Their names are not kept
    # (post format 3), so they are made from the glyph ids rather than read from the CFF.
    gids = list(dict.fromkeys([0, *mapping.values()]))
    name_of = {gid: ".notdef" if gid == 0 else f"g{gid}" for gid in gids}
    order = list(name_of.values())
    records = {name_of[gid]: record(gid) for gid in gids}
    metrics = dict(zip(order, _horizontal_metrics(font, gids)))
    head, hhea, os2, names = font["head"], font["hhea"], font["OS/2"], font["name"]
    family = names.getBestFamilyName() or path.stem
    ps_name = (names.getDebugName(6) or family).replace(" ", "") + f"-P{number:02d}"

    builder = FontBuilder(head.unitsPerEm, isTTF=True)
    builder.font.recalcBBoxes = False  # set below from the records
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap({cp: name_of[gid] for cp, gid in mapping.items()})
    builder.font["loca"] = newTable("loca")
    glyf = builder.font["glyf"] = newTable("glyf")
    glyf.glyphs = {name: Glyph(rec.data) for name, rec in records.items()}
    glyf.glyphOrder = order
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent, lineGap=hhea.lineGap,
                                  **_extents(records, metrics))
    builder.setupNameTable({
        "familyName": family,
        "styleName": names.getBestSubFamilyName() or "Regular",
        "psName": ps_name,
        "copyright": names.getDebugName(0) or "",
        "licenseDescription": names.getDebugName(13) or "",
        "licenseInfoURL": names.getDebugName(14) or "",
    })
    builder.setupOS2(
        sTypoAscender=os2.sTypoAscender, sTypoDescender=os2.sTypoDescender,
        sTypoLineGap=os2.sTypoLineGap, usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent, fsType=os2.fsType, usWeightClass=os2.usWeightClass,
        achVendID=os2.achVendID,
    )
    builder.setupPost(keepGlyphNames=False)  # format 3: PDF needs no glyph names
    builder.updateHead(created=head.created, modified=head.modified, fontRevision=head.fontRevision,
                       **_font_box(records))
    maxp = builder.font["maxp"]
    maxp.numGlyphs = len(order)
    maxp.maxPoints = max((rec.points for rec in records.values()), default=0)
    maxp.maxContours = max((rec.contours for rec in records.values()), default=0)
    out = io.BytesIO()
    builder.save(out)
    font.close()
    return out.getvalue()


def _font_box(records: Mapping[str, GlyphRecord]) -> dict[str, int]:
    boxes = [rec.bounds for rec in records.values() if rec.bounds is not None]
    if not boxes:
        return {"xMin": 0, "yMin": 0, "xMax": 0, "yMax": 0}
    return {"xMin": min(b[0] for b in boxes), "yMin": min(b[1] for b in boxes),
            "xMax": max(b[2] for b in boxes), "yMax": max(b[3] for b in boxes)}


def _extents(records: Mapping[str, GlyphRecord],
             metrics: Mapping[str, tuple[int, int]]) -> dict[str, int]:
    """hhea's summary of the glyphs (what fontTools' recalculation would give)."""
    advance = max((width for width, _ in metrics.values()), default=0)
    left, right, extent = [], [], []
    for name, rec in records.items():
        if rec.bounds is None:
            continue
        width, lsb = metrics[name]
        x_min, _, x_max, _ = rec.bounds
        left.append(lsb)
        right.append(width - lsb - (x_max - x_min))
        extent.append(lsb + (x_max - x_min))
    return {"advanceWidthMax": advance, "minLeftSideBearing": min(left, default=0),
            "minRightSideBearing": min(right, default=0), "xMaxExtent": max(extent, default=0)}


def _glyph_source(path: Path, index: int, font: Any
                  ) -> tuple[Callable[[int], int], Callable[[int], GlyphRecord]]:
    """``(glyph_id(code_point), record(glyph_id))``: FreeType when available (about five
    times faster than interpreting the CFF charstrings in Python, and its character map costs
    nothing to decode), fontTools otherwise."""
    try:
        return freetype_glyphs(str(path), index)
    except (ImportError, OSError):  # OSError: the package is there but its library is not
        cmap = font.getBestCmap() or {}
        glyph_order = font.getGlyphOrder()
        gid_of = {name: gid for gid, name in enumerate(glyph_order)}
        return ((lambda cp: gid_of.get(cmap.get(cp, ".notdef"), 0)),
                pen_reader(font.getGlyphSet(), glyph_order))


def _horizontal_metrics(font: Any, gids: Sequence[int]) -> list[tuple[int, int]]:
    """(advance width, left side bearing) of each glyph id, read from the raw ``hmtx`` table:
    fontTools would first name all 30,000 glyphs of the font, which needs its CFF charset."""
    count = font["hhea"].numberOfHMetrics
    data = font.reader["hmtx"]
    last_advance = struct.unpack_from(">H", data, 4 * (count - 1))[0]
    metrics = []
    for gid in gids:
        if gid < count:
            advance, bearing = struct.unpack_from(">Hh", data, 4 * gid)
        else:  # past the full records: the last advance, and a bearing of its own
            advance, bearing = last_advance, struct.unpack_from(">h", data, 4 * count + 2 * (gid - count))[0]
        metrics.append((advance, bearing))
    return metrics


# ---------------------------------------------------------------------------
# The cache


_in_memory: dict[str, bytes] = {}  # pieces that could not be written to any cache folder
_swept: set[tuple[Path, Path, str]] = set()  # cache folders already cleared of stale pieces
_memory_lock = threading.Lock()


class PieceCache:
    """Converted pieces on disk (``folder``; ``None`` for memory only)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def files(self, source: SourceFont, numbers: Sequence[int], jobs: int = 1) -> list[FontFile]:
        """The TrueType files of ``numbers``' pieces, converting the missing ones (in ``jobs``
        processes when there are several)."""
        found: dict[int, FontFile] = {}
        missing: list[int] = []
        for number in numbers:
            file = self._lookup(source, number)
            if file is None:
                missing.append(number)
            elif file.path is None and self.folder is not None and file.data is not None:
                found[number] = self._store(source, number, file.data)  # kept for next time
            else:
                found[number] = file
        for number, data in zip(missing, _convert_many(source, missing, jobs)):
            found[number] = self._store(source, number, data)
        self._remove_stale(source)
        return [found[number] for number in numbers]

    def prepare(self, wanted: Sequence[tuple[SourceFont, int]], jobs: int) -> int:
        """Convert the missing pieces of ``wanted`` (several fonts) in one pool of ``jobs``
        processes, largest first; returns how many were converted."""
        missing = [(source, n) for source, n in wanted if not self.has(source, n)]
        missing.sort(key=lambda item: -len(item[0].pieces[item[1]]))
        work = [(str(source.path), source.index, source.pieces[n], n) for source, n in missing]
        for (source, number), data in zip(missing, _convert_work(work, jobs)):
            self._store(source, number, data)
        for source in {source.path: source for source, _ in missing}.values():
            self._remove_stale(source)
        return len(missing)

    def shared(self) -> bool:
        """Whether a piece one process converts is found by the others: there is a cache
        folder and it can be written (a read-only home keeps pieces in one process's memory)."""
        if self.folder is None:
            return False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return os.access(self.folder, os.W_OK | os.X_OK)

    def has(self, source: SourceFont, number: int) -> bool:
        return self._lookup(source, number) is not None

    def _lookup(self, source: SourceFont, number: int) -> FontFile | None:
        # A piece is known by its name (source hash, versions, number), wherever it is kept, so
        # the same piece is one font for the process: the PDF does not depend on the cache.
        name = source.piece_file_name(number)
        if self.folder is not None and (self.folder / name).is_file():
            return FontFile(name, path=self.folder / name)
        with _memory_lock:
            data = _in_memory.get(name)
        return FontFile(name, data=data) if data is not None else None

    def _store(self, source: SourceFont, number: int, data: bytes) -> FontFile:
        name = source.piece_file_name(number)
        if self.folder is not None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".ttf", dir=self.folder)
                try:
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(data)
                    os.replace(tmp, self.folder / name)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
                return FontFile(name, path=self.folder / name)
            except OSError:
                pass  # a read-only home still builds: keep the piece for this process
        with _memory_lock:
            _in_memory[name] = data
        return FontFile(name, data=data)

    def _remove_stale(self, source: SourceFont) -> None:
        """Delete this font's pieces of other source versions or nianbao versions, and the
        per-document files of the converter before pieces existed (once per process)."""
        if self.folder is None or not self.folder.is_dir():
            return
        with _memory_lock:
            key = (self.folder, source.path, source.digest)
            if key in _swept:
                return
            _swept.add(key)
        current = source.piece_file_name(0).rsplit("-p00-", 1)[0] + "-p"
        stem = re.escape(source.stem)
        mine = re.compile(rf"{stem}-\d+-[0-9a-f]{{16}}-v.*\.ttf"  # pieces
                          rf"|{stem}-[0-9a-f]{{16}}-[0-9a-f]{{16}}\.ttf")  # per-document files
        for entry in self.folder.iterdir():
            if mine.fullmatch(entry.name) and not entry.name.startswith(current):
                try:
                    entry.unlink()
                except OSError:
                    pass  # another process may be reading it; it goes next time


def _convert_one(args: tuple[str, int, tuple[int, ...], int]) -> bytes:
    path, index, codepoints, number = args
    return convert_piece(Path(path), index, codepoints, number)


def _convert_many(source: SourceFont, numbers: Sequence[int], jobs: int) -> list[bytes]:
    return _convert_work([(str(source.path), source.index, source.pieces[n], n)
                          for n in numbers], jobs)


def _convert_work(work: Sequence[tuple[str, int, tuple[int, ...], int]], jobs: int) -> list[bytes]:
    # A batch worker is a daemonic process, and multiprocessing refuses it children: the
    # pieces its report needs (rare characters the batch did not convert beforehand) are
    # converted in the worker itself, on the core it already has.
    if jobs > 1 and len(work) > 1 and not multiprocessing.current_process().daemon:
        try:
            with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as pool:
                return list(pool.map(_convert_one, work))
        except (OSError, RuntimeError, ImportError):
            pass  # no processes here (a sandbox, a frozen program): convert one by one
    return [_convert_one(item) for item in work]


def default_jobs() -> int:
    """Processes for a conversion: the machine's cores, at most four."""
    return max(1, min(4, os.cpu_count() or 1))
