"""What a PDF really draws: every character shown, the font drawing it, and whether that font's
embedded file has an outline for it (a character without one prints as a box or a blank).

Read from the file itself (content streams, ToUnicode maps, the embedded TrueType subsets), not
from nianbao's own bookkeeping, so the tests that use it can catch what the renderer missed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from fontTools.ttLib import TTFont as FTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream


@dataclass(frozen=True)
class Drawn:
    char: str
    font: str  # the PDF's BaseFont, e.g. AAAAAA+NotoSerifSC-Regular-P00
    has_outline: bool
    page: int


_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_BFRANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _to_unicode(font: object) -> dict[int, str]:
    data = font["/ToUnicode"].get_object().get_data()  # type: ignore[index]
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in _BFRANGE.findall(block):
            start = int(dst, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + offset)
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, dst in _BFCHAR.findall(block):
            mapping[int(code, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    return mapping


def _outlines(font: object) -> dict[int, bool]:
    """Code → does the embedded subset draw something for it."""
    descriptor = font["/FontDescriptor"].get_object()  # type: ignore[index]
    embedded = FTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
    glyf = embedded["glyf"]
    result: dict[int, bool] = {}
    for table in embedded["cmap"].tables:
        for code, name in table.cmap.items():
            glyph = glyf[name]
            drawn = name != ".notdef" and glyph.numberOfContours != 0
            result[code] = result.get(code, False) or drawn
    return result


def drawn_characters(data: bytes) -> list[Drawn]:
    reader = PdfReader(io.BytesIO(data))
    out: list[Drawn] = []
    per_font: dict[int, tuple[str, dict[int, str], dict[int, bool]]] = {}
    for number, page in enumerate(reader.pages, start=1):
        resources = page["/Resources"]["/Font"]
        content = ContentStream(page.get_contents(), reader)
        current: tuple[str, dict[int, str], dict[int, bool]] | None = None
        for operands, operator in content.operations:
            if operator == b"Tf":
                ref = resources.raw_get(operands[0])
                key = ref.idnum if hasattr(ref, "idnum") else id(ref)
                if key not in per_font:
                    font = ref.get_object()
                    per_font[key] = (str(font["/BaseFont"]), _to_unicode(font), _outlines(font))
                current = per_font[key]
                continue
            if operator in (b"Tj", b"'", b'"'):
                strings = [operands[-1]]
            elif operator == b"TJ":
                strings = [item for item in operands[0] if not isinstance(item, (int, float))
                           and not hasattr(item, "as_numeric")]
            else:
                continue
            assert current is not None, "text drawn before any font was chosen"
            name, unicode_of, outline_of = current
            for string in strings:
                raw = getattr(string, "original_bytes", string)
                if isinstance(raw, str):
                    raw = raw.encode("latin-1")
                for code in raw:
                    char = unicode_of.get(code, "\ufffd")
                    out.append(Drawn(char, name, outline_of.get(code, False), number))
    return out


def unprinted(data: bytes) -> list[Drawn]:
    """Characters the PDF draws with no outline, whitespace aside."""
    return [d for d in drawn_characters(data) if not d.has_outline and not d.char.isspace()]
