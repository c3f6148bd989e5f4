"""The chosen fonts made printable for one document: opened, converted where needed.

Nothing here is per document but the answer: files are opened once per process
(:mod:`.embed`) and CFF fonts are converted once per machine in fixed pieces (:mod:`.convert`),
so one report can never change what another prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Mapping

from generator.outputs.fonts.convert import (
    PieceCache,
    SourceFont,
    default_jobs,
    source_font,
)
from generator.outputs.fonts.discover import SAMPLE_TEXT, FontChoice, FontSearch
from generator.outputs.fonts.embed import FontFile, TrueTypeFont, open_truetype


@dataclass(frozen=True)
class LoadedFont:
    """A role's font, ready for reportlab: one TrueType face, or the converted pieces of a CFF
    font that together hold the document's characters (the first piece is the role's face)."""

    choice: FontChoice
    pieces: tuple[TrueTypeFont, ...]

    @property
    def name(self) -> str:
        return self.pieces[0].name

    @cached_property
    def codepoints(self) -> frozenset[int]:
        return frozenset().union(*(piece.codepoints for piece in self.pieces))

    @cached_property
    def chars(self) -> frozenset[str]:
        """The characters of :attr:`codepoints` (asked about every text of every document)."""
        return frozenset(map(chr, self.codepoints))

    def covers(self, ch: str) -> bool:
        return ch in self.chars

    def missing(self, text: str) -> list[str]:
        """Characters of ``text`` this font has no glyph for, in order of appearance."""
        gaps = set(text).difference(self.chars)
        if not gaps:
            return []
        return [ch for ch in dict.fromkeys(text) if ch in gaps and not ch.isspace()]


def load_fonts(choices: Mapping[str, FontChoice], chars_by_role: Mapping[str, str],
               search: FontSearch | None = None, jobs: int | None = None, *,
               fixed_text: Mapping[str, str]) -> dict[str, LoadedFont]:
    """Every role's font, able to print that role's characters where the font has them.

    A CFF font serving several roles is converted for the union of their characters; the
    pieces come from the cache folder of ``search`` (memory when it cannot be written).
    ``fixed_text`` maps the roles that only ever print text known in advance (the form's
    headings) to all the characters they can print: a CFF font serving only such roles is cut
    so that those characters are one small piece (:func:`.convert.partition`).  It is
    required, here and in :func:`prepare_fonts` / :func:`conversion_pending`: a caller that
    left it out would cut the same font otherwise than the PDF does, converting pieces the
    PDF never uses.
    """
    search = search or FontSearch.from_environment()
    wanted: dict[tuple[Path, int], set[str]] = {}
    for role, choice in choices.items():
        if choice.convert:
            chars = wanted.setdefault((choice.path, choice.index), set(SAMPLE_TEXT))
            chars.update(chars_by_role.get(role, ""))
    cache = PieceCache(search.cache_dir)
    converted: dict[tuple[Path, int], tuple[TrueTypeFont, ...]] = {}
    for (path, index), chars in sorted(wanted.items(), key=lambda item: (str(item[0][0]),
                                                                            item[0][1])):
        source = source_font(path, index, _fixed_chars(choices, path, index, fixed_text))
        files = cache.files(source, source.pieces_for(chars), jobs or default_jobs())
        converted[(path, index)] = tuple(open_truetype(file) for file in files)
    loaded: dict[str, LoadedFont] = {}
    for role, choice in choices.items():
        if choice.convert:
            pieces = converted[(choice.path, choice.index)]
        else:
            pieces = (open_truetype(FontFile.on_disk(choice.path), choice.index),)
        key = (choice, tuple(piece.name for piece in pieces))
        font = _loaded.get(key)
        if font is None:
            # Kept: the same fonts serve the next document, with what they know computed once.
            if len(_loaded) >= 64:
                _loaded.clear()
            font = _loaded[key] = LoadedFont(choice, pieces)
        loaded[role] = font
    return loaded


_loaded: dict[tuple[FontChoice, tuple[str, ...]], LoadedFont] = {}


def _fixed_chars(choices: Mapping[str, FontChoice], path: Path, index: int,
                 fixed_text: Mapping[str, str]) -> str:
    """The characters of the CFF font ``path``#``index`` when every role it serves prints
    fixed text only (with the sample text every face is probed with), else ``""``."""
    roles = [role for role, c in choices.items()
             if c.convert and (c.path, c.index) == (path, index)]
    if not fixed_text or not roles or any(role not in fixed_text for role in roles):
        return ""
    return "".join(sorted(set(SAMPLE_TEXT).union(*(fixed_text[role] for role in roles))))


def _sources(choices: Mapping[str, FontChoice],
             fixed_text: Mapping[str, str]) -> list[SourceFont]:
    return [source_font(path, index, _fixed_chars(choices, path, index, fixed_text))
            for path, index in sorted({(c.path, c.index) for c in choices.values() if c.convert},
                                      key=lambda key: (str(key[0]), key[1]))]


def prepare_fonts(choices: Mapping[str, FontChoice], search: FontSearch | None = None,
                  jobs: int | None = None, *, fixed_text: Mapping[str, str]) -> int:
    """Convert the everyday pieces of every chosen CFF font ahead of a batch (only the fixed
    text's piece of a font that prints fixed text only), all fonts in one pool of ``jobs``
    processes; returns how many pieces had to be converted.  The small pieces of rarer
    characters are converted by the first report that needs one."""
    search = search or FontSearch.from_environment()
    wanted: list[tuple[SourceFont, int]] = []
    for source in _sources(choices, fixed_text):
        wanted.extend((source, n) for n in _converted_ahead(source))
    return PieceCache(search.cache_dir).prepare(wanted, jobs or default_jobs())


def conversion_pending(choices: Mapping[str, FontChoice], search: FontSearch | None = None, *,
                       fixed_text: Mapping[str, str]) -> bool:
    """Whether a PDF with these fonts will first convert a CFF font's everyday pieces (seconds,
    once per machine): front ends say so before the wait."""
    search = search or FontSearch.from_environment()
    cache = PieceCache(search.cache_dir)
    return any(not cache.has(source, n) for source in _sources(choices, fixed_text)
               for n in _converted_ahead(source))


def _converted_ahead(source: SourceFont) -> list[int]:
    """The pieces a batch converts before its PDFs (the fixed text's own piece of a font that
    prints fixed text only); the others are converted by the first report that needs one."""
    return source.pieces_for(()) if source.fixed else source.everyday_pieces()


def conversion_apart(choices: Mapping[str, FontChoice], search: FontSearch | None = None, *,
                     fixed_text: Mapping[str, str]) -> bool:
    """Whether another process can convert these fonts' pieces while this one does other
    work: some are still to convert, and the cache folder will hand them over."""
    search = search or FontSearch.from_environment()
    return (conversion_pending(choices, search, fixed_text=fixed_text)
            and PieceCache(search.cache_dir).shared())
