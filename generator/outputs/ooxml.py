"""Small helpers and constants for writing WordprocessingML by hand.

The template builder writes every part of the .docx package itself (no python-docx default
template, whose theme makes Chinese text fall back to a Japanese font).  Elements are built
as strings with :func:`el`, which escapes text and attribute values, so the output is
deterministic and reads like the XML it produces.
"""

from __future__ import annotations

from typing import Mapping

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# --- units -----------------------------------------------------------------------------

TWIPS_PER_PT = 20
TWIPS_PER_INCH = 1440


def mm_to_twips(mm: float) -> int:
    """Millimetres to twentieths of a point, rounded to the nearest twip."""
    return round(mm / 25.4 * TWIPS_PER_INCH)


def pt_to_half_points(pt: float) -> int:
    """``w:sz`` counts half-points."""
    return round(pt * 2)


#: Chinese type sizes (字号) in points, GB/T 9704 §2.1.
SIZE_PT: dict[str, float] = {"二号": 22, "三号": 16, "四号": 14, "小四": 12, "五号": 10.5,
                             "小五": 9}

# --- element builder ---------------------------------------------------------------------


def escape(value: str) -> str:
    """Character data with ``& < >`` escaped (xml.sax.saxutils pulls in urllib: 0.1 s)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(value: str) -> str:
    """An attribute value in double quotes."""
    return '"' + escape(value).replace('"', "&quot;") + '"'

Child = "str | None"


def el(tag: str, attrs: Mapping[str, object] | None = None, *children: str | None) -> str:
    """``<tag a="v">children</tag>`` (or ``<tag a="v"/>``); ``None`` children are skipped.

    Attribute values are escaped; children are already-built XML strings (use :func:`text`
    for character data).
    """
    attr_text = "".join(f" {name}={quoteattr(str(value))}" for name, value in (attrs or {}).items()
                        if value is not None)
    body = "".join(c for c in children if c)
    if not body:
        return f"<{tag}{attr_text}/>"
    return f"<{tag}{attr_text}>{body}</{tag}>"


def text(value: str) -> str:
    """Escaped character data."""
    return escape(value)


def val(tag: str, value: object) -> str:
    """The ubiquitous ``<w:x w:val="…"/>``."""
    return el(tag, {"w:val": value})


def w_t(value: str) -> str:
    """A ``w:t`` that keeps leading/trailing spaces."""
    return el("w:t", {"xml:space": "preserve"}, text(value)) if value else ""


def run(value: str, rpr: str = "") -> str:
    return el("w:r", None, rpr, w_t(value))


def paragraph(value: str = "", style: str | None = None, ppr_extra: str = "",
              rpr: str = "") -> str:
    """A paragraph with an optional style id, extra pPr children and one run of text."""
    ppr = el("w:pPr", None, val("w:pStyle", style) if style else None, ppr_extra) \
        if (style or ppr_extra) else ""
    return el("w:p", None, ppr, run(value, rpr) if value else None)


def fonts(east_asia: str, latin: str = "Times New Roman") -> str:
    """``w:rFonts`` with the East-Asian slot set and the eastAsia hint for ambiguous characters.

    Without ``w:hint="eastAsia"`` Word draws “ ” — … with the Latin font (MS-OI29500 §2.1.88).
    """
    return el("w:rFonts", {"w:ascii": latin, "w:hAnsi": latin, "w:eastAsia": east_asia,
                           "w:cs": latin, "w:hint": "eastAsia"})


def size(pt: float) -> str:
    half = pt_to_half_points(pt)
    return val("w:sz", half) + val("w:szCs", half)
