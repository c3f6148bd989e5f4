"""TrueType fonts opened for reportlab: each file once per process, under names no other file shares.

reportlab keeps fonts in process-wide registries.  Two traps follow from that, and this module
is the one place that deals with them:

* ``pdfmetrics.registerFont`` hands out the *first* font registered for a PostScript face
  name to every later font of the same face name.  Two different files that call themselves
  ``NotoSerifSC-Regular`` would therefore print with the first file's glyphs, and every
  character only the second file has becomes a box.  Each file is registered under a font name
  made from its identity, and its face name is made unique when another file already uses it.
* Opening a large CJK font costs tens of milliseconds, so an opened file is kept for the
  process; what changes between documents (which glyphs a PDF uses) lives in reportlab's
  per-document state, never here.
"""

from __future__ import annotations

import hashlib
import io
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from generator.errors import NianbaoError


class FontError(NianbaoError):
    """A font the user named cannot be used (missing, not a font, cannot be embedded)."""


@dataclass(frozen=True)
class FontFile:
    """A TrueType font, on disk or in memory, with a key that changes when its content does."""

    key: str
    path: Path | None = None
    data: bytes | None = field(default=None, repr=False, compare=False)

    @classmethod
    def on_disk(cls, path: Path) -> "FontFile":
        try:
            stat = path.stat()
        except OSError as exc:
            raise FontError(f"找不到字体文件 {path}（{exc.strerror or exc}）。") from exc
        return cls(f"{_resolved(path)}|{stat.st_size}|{stat.st_mtime_ns}", path=path)

    @classmethod
    def in_memory(cls, data: bytes) -> "FontFile":
        return cls("sha256:" + hashlib.sha256(data).hexdigest(), data=data)

    @property
    def label(self) -> str:
        """How messages name the file."""
        return str(self.path) if self.path is not None else "（内存中的转换字体）"


def _resolved(path: Path) -> Path:
    """``path.resolve()``, kept for absolute paths: a system font is looked up for every
    report, and resolving walks every folder of its path; a font file that changes is still
    seen by its size and modification time in :meth:`FontFile.on_disk`'s key.  A relative
    path (``--font 仿宋=fonts/x.ttf``) depends on the working folder and is resolved anew."""
    return _resolved_absolute(path) if path.is_absolute() else path.resolve()


@lru_cache(maxsize=256)
def _resolved_absolute(path: Path) -> Path:
    return path.resolve()


@dataclass(frozen=True)
class TrueTypeFont:
    """An opened, registered TrueType face: the name the PDF's canvas uses and what it can print."""

    name: str
    codepoints: frozenset[int]
    file: FontFile
    index: int

    def covers(self, ch: str) -> bool:
        return ord(ch) in self.codepoints


_opened: dict[tuple[str, int], TrueTypeFont] = {}
_lock = threading.Lock()


def open_truetype(file: FontFile, index: int = 0) -> TrueTypeFont:
    """Open ``file`` (face ``index`` of a collection) and register it with reportlab, once.

    Raises :class:`FontError` when reportlab cannot use it (PostScript outlines, a damaged
    file, a collection without that face).
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    with _lock:
        cached = _opened.get((file.key, index))
        if cached is not None:
            return cached
        digest = hashlib.sha256(f"{file.key}#{index}".encode()).hexdigest()[:12]
        name = f"nb-{digest}"
        source: Any = file.path if file.path is not None else io.BytesIO(file.data or b"")
        try:
            font = TTFont(name, str(source) if isinstance(source, Path) else source,
                          subfontIndex=index)
        except (TTFError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            raise FontError(f"字体文件 {file.label} 无法嵌入 PDF：{exc}") from exc
        _keep_tables(font.face)
        _keep_subsets(font.face)
        _record_unprintable(font)
        _make_face_name_unique(font, digest)
        pdfmetrics.registerFont(font)
        opened = TrueTypeFont(name, frozenset(font.face.charToGlyph), file, index)
        _opened[(file.key, index)] = opened
        return opened


def reportlab_font(font: TrueTypeFont) -> Any:
    """The reportlab font object behind ``font`` (for metrics and the integrity check)."""
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics.getFont(font.name)


def unprintable(font: TrueTypeFont, document: Any) -> set[str]:
    """Characters drawn with ``font`` in the PDF ``document`` that the font has no glyph for
    (each printed as the font's empty .notdef glyph)."""
    recorded: WeakKeyDictionary[Any, set[str]] = reportlab_font(font).nianbao_unprintable
    return set(recorded.get(document, ()))


def reserve_first_subsets(name: str, document: Any, characters: str) -> None:
    """Give ``characters`` the first codes of the registered font ``name`` in the PDF
    ``document``, and start the document's other characters in a subset of their own.

    reportlab numbers a font's characters per document in the order they are first drawn and
    cuts them into subsets of 256 codes, each embedded as a font program of its own.  The
    tables' labels, printed by every report, shared their subset with the report's own words
    (the agency's name comes first, in the title), so no two reports embedded the same subset
    and each rebuilt and recompressed some 100 KB of font program.  Reserved first, those
    subsets are the same in every report, and the program made and compressed for one report
    serves the next (:func:`_keep_subsets`, ``pdf._QuickFlate``).  Characters the font has no
    glyph for, and spaces, are not reserved.
    """
    from reportlab.pdfbase import pdfmetrics

    font = pdfmetrics.getFont(name)
    key = (name, characters)
    kept = _reserved_states.get(key)
    if kept is not None and document not in font.state:
        # The same reservation in a new document: the state reportlab's splitString left
        # in the first one, copied (reportlab 5.1's TTFont.State: the code of each character,
        # the characters of each subset, the next code).  tests/test_pdf_fast_paths.py
        # compares it with splitString's own.
        assignments, subsets, next_code = kept
        state = font._assignState(document)
        state.assignments = dict(assignments)
        state.subsets = [list(subset) for subset in subsets]
        state.nextCode = next_code
        return
    covered = font.face.charToGlyph
    reserved = "".join(ch for ch in dict.fromkeys(characters)
                       if ord(ch) in covered and not ch.isspace())
    if not reserved:
        return
    fresh = document not in font.state
    font.splitString(reserved, document)
    state = font.state[document]
    if state.nextCode & 0xFF:  # close the last reserved subset: the next code starts one
        state.nextCode = (state.nextCode | 0xFF) + 1
    if fresh:
        if len(_reserved_states) >= 64:
            _reserved_states.clear()
        _reserved_states[key] = (dict(state.assignments),
                                 [list(subset) for subset in state.subsets], state.nextCode)


#: (font name, characters) → the font's state in a document right after reserving them.
_reserved_states: dict[tuple[str, str], tuple[dict[int, int], list[list[int]], int]] = {}


def _record_unprintable(font: Any) -> None:
    """Wrap ``splitString`` (which reportlab calls for every string it draws with the font) to
    remember, per document, each character that falls back to glyph 0."""
    original = font.splitString
    # The characters with a glyph, as a set of strings: the test per string drawn is then one
    # set operation in C, not a Python loop over its characters.
    covered = frozenset(map(chr, font.face.charToGlyph))
    recorded: WeakKeyDictionary[Any, set[str]] = WeakKeyDictionary()

    def split_string(text: str | bytes, doc: Any, encoding: str = "utf-8") -> Any:
        chars = text.decode("utf-8") if isinstance(text, bytes) else text
        if not covered.issuperset(chars):
            gaps = {ch for ch in set(chars) - covered if not ch.isspace()}
            if gaps:
                recorded.setdefault(doc, set()).update(gaps)
        return original(chars, doc, encoding)

    font.splitString = split_string
    font.nianbao_unprintable = recorded


def _make_face_name_unique(font: Any, digest: str) -> None:
    """Rename the face when another registered file already uses its PostScript name.

    reportlab's registry (``pdfmetrics._dynFaceNames``, private but the cause of the trap in
    the module docstring) maps a face name to the first font object registered with it.
    """
    from reportlab.pdfbase import pdfmetrics

    taken = getattr(pdfmetrics, "_dynFaceNames", {})
    face_name: bytes = font.face.name
    if face_name in taken:
        font.face.name = face_name + b"-" + digest[:6].encode("ascii")


#: Subsets kept per font file (the 黑体 headings, the table labels … repeat in every report;
#: a CJK subset program is up to a few hundred KB).
SUBSETS_KEPT = 8


def _keep_subsets(face: Any) -> None:
    """Keep the last font subsets made: reportlab builds the embedded font program of each
    256-glyph subset of each document, and a face that prints the same text in every report
    (headings, table labels, page numbers) asks for the same subset each time.  The program
    depends only on the subset's characters, so the bytes are the same."""
    make = face.makeSubset
    made: dict[tuple[int, ...], bytes] = {}
    lock = threading.Lock()

    def make_subset(subset: Any) -> bytes:
        key = tuple(subset)
        with lock:
            data = made.get(key)
        if data is None:
            data = make(subset)
            with lock:
                if len(made) >= SUBSETS_KEPT:
                    made.pop(next(iter(made)))
                made[key] = data
        return data

    face.makeSubset = make_subset


def _keep_tables(face: Any) -> None:
    """Keep the font's tables once read: reportlab copies the whole ``glyf`` table out of the
    file for every font subset of every document (tens of milliseconds for a large CJK font),
    and the opened face lives for the whole process anyway.  The ``name`` table every subset
    copies is cut down to the records that say whose font it is (:func:`naming_records`)."""
    read = face.get_table
    tables: dict[str, bytes] = {}

    def get_table(tag: str) -> bytes:
        data = tables.get(tag)
        if data is None:
            data = read(tag)
            if tag == "name":
                data = naming_records(data)
            tables[tag] = data
        return data

    face.get_table = get_table


#: Name records an embedded subset keeps: copyright notice, family, style, unique name, full
#: name, version, PostScript name and trademark (the OpenType ``name`` IDs 0–7), and the
#: address of the licence (ID 14).
KEPT_NAME_IDS = frozenset((*range(8), 14))


def naming_records(name_table: bytes) -> bytes:
    """The ``name`` table for an embedded subset: the records of :data:`KEPT_NAME_IDS`.

    A PDF needs none of the ``name`` table (ISO 32000-1 §9.9 lists the TrueType tables an
    embedded font program must keep, and ``name`` is not one); reportlab copies it whole into
    every 256-glyph subset.  The AR PL fonts carry their licence's full text there (nameID 13,
    41 KB), so a report printed with them embedded it five to eight times, and compressing it
    was a tenth of the PDF's time.  The copyright, naming and trademark records and the
    licence's address stay (Ghostscript and dvipdfmx keep no name table at all; the SIL Open
    Font License's FAQ names a font embedded in a document as the case that needs no licence
    text).  The font's embedding permission is in its ``OS/2`` table, which is kept whole and
    which reportlab enforces.  A table fontTools cannot read is kept as it is.
    """
    from fontTools.ttLib.tables._n_a_m_e import table__n_a_m_e

    table = table__n_a_m_e()
    try:
        table.decompile(name_table, None)
        table.names = [record for record in table.names if record.nameID in KEPT_NAME_IDS]
        compiled: bytes = table.compile(None)
    except Exception:  # noqa: BLE001 - any damage in a table PDFs do not need: keep it whole
        return name_table
    return compiled
