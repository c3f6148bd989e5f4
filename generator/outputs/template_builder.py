"""Builds ``templates/annual_report.docx``, the docxtpl template of the official report.

The template is generated from the form declaration (:mod:`generator.form`) so that table
labels, merges and section headings have one source, and it is committed so that an
administrator can open it in Word/WPS and restyle it (named styles 标题, 一级标题, 二级标题,
正文, 表格文字, 落款; table style 公文表格).  Every part of the OOXML package is written here;
nothing comes from python-docx's default template.

Layout follows GB/T 9704-2012 (``shared/spec/official_format.md`` §2): A4, margins top 37 mm,
bottom 35 mm, inside 28 mm, outside 26 mm (mirrored), 22 lines of 28 characters of 三号
仿宋 on an exact 28.95 pt line pitch, page numbers ``— 1 —`` in 四号宋体 on the outside edge.

Placeholders (the contract with :mod:`generator.outputs.context`):

* ``{{ t3.new.natural_person }}`` — every number, named by its field id;
* ``{%p for p in text.<slot> %}`` — the paragraphs of each text slot (dots in slot keys
  become underscores: ``text.overview_proactive``);
* ``{%p for item in extra_items %}`` — the clerk's own items of 六 (``item.heading``,
  ``item.paragraphs``);
* ``{%p if text.other_proposals %}`` — around the heading of an item printed only above
  text (:attr:`generator.form.TextSlot.printed_only_with_text`);
* ``title_lines``, ``signature.agency``, ``signature.date``, ``draft`` and ``title``.

:func:`build_template` returns the bytes; they depend only on this code and the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from generator.form import (
    DRAFT_MARK,
    SECTION_BY_NUMBER,
    TABLE_BY_KEY,
    TEXT_SLOTS,
    GridCell,
    TableForm,
    geometry,
)
from generator.outputs.determinism import write_zip
from generator.outputs.ooxml import (
    CT_NS,
    PKG_REL_NS,
    R_NS,
    REL,
    SIZE_PT,
    W_NS,
    XML_DECLARATION,
    el,
    fonts,
    mm_to_twips,
    paragraph,
    size,
    val,
)

# ---------------------------------------------------------------------------
# Page and type (GB/T 9704-2012 §5.2, official_format.md §2.2–2.5); the numbers are declared
# once in generator.form.geometry and shared with the PDF and the HTML.

PAGE_WIDTH = geometry.PAGE_WIDTH
PAGE_HEIGHT = geometry.PAGE_HEIGHT
MARGIN_TOP = geometry.MARGIN_TOP  # 天头 2098
MARGIN_BOTTOM = geometry.MARGIN_BOTTOM  # 1984
MARGIN_INSIDE = geometry.MARGIN_INSIDE  # 订口 1587
MARGIN_OUTSIDE = geometry.MARGIN_OUTSIDE  # 1474
TEXT_WIDTH = geometry.TEXT_WIDTH  # 版心 156 mm = 8845 twips
HEADER_DISTANCE = mm_to_twips(15)
#: Bottom of the page-number paragraph above the paper edge; puts the 一字线 about 7 mm
#: below the 版心 (≈ 28 mm above the paper's bottom edge).
FOOTER_DISTANCE = mm_to_twips(24.5)

#: Exact line pitch: 28.95 pt, 22 lines = 224.7 mm of the 225 mm 版心.
LINE_PITCH = geometry.LINE_PITCH
LINES_PER_PAGE = geometry.LINES_PER_PAGE
CHARS_PER_LINE = geometry.CHARS_PER_LINE
BODY_PT = SIZE_PT["三号"]
#: 28 characters a line: body text is set 0.3 pt closer (28 × 15.7 pt = 439.6 pt of the
#: 442.25 pt 版心).  Measured in LibreOffice 7.4: −0.25 pt left no room and it dropped
#: 。、；： at the ends of justified lines; a w:docGrid of type linesAndChars (charSpace
#: −841 = geometry.GRID_CHAR_SPACE, what Word writes for 28 characters) makes LibreOffice
#: give every 16 pt character two 15.75 pt grid cells, 14 characters a line, and no grid
#: pitch of 16 pt or more holds 28 (geometry.BODY_CHAR_SPACING says why);
#: tests/test_docgrid_libreoffice.py keeps measuring it.  The section keeps a line grid.
BODY_CHAR_SPACING = geometry.BODY_CHAR_SPACING
CHAR_TWIPS = round(BODY_PT * 20)  # one 三号 character, for indents: 320

TABLE_PT = SIZE_PT["五号"]
TABLE_CELL_MARGIN = geometry.CELL_MARGIN_X  # 1 mm left and right inside each cell
TABLE_CELL_PADDING = geometry.CELL_MARGIN_Y  # 0.35 mm above and below
#: Exact line pitch of table text (twips): rows get the same height in every output.
TABLE_LINE = round(geometry.table_leading(TABLE_PT) * 20)

FONT_TITLE = "方正小标宋简体"
FONT_HEI = "黑体"
FONT_KAI = "楷体_GB2312"
FONT_FANG = "仿宋_GB2312"
FONT_SONG = "宋体"
FONT_LATIN = "Times New Roman"


#: Style ids (ASCII, stable) -> the names an administrator sees in Word/WPS.
STYLE_NAMES: dict[str, str] = {
    "Normal": "Normal",  # shown as 正文 by Chinese Word/WPS
    "Title": "Title",  # shown as 标题
    "Heading1": "一级标题",
    "Heading2": "二级标题",
    "TableText": "表格文字",
    "Signature": "落款",
    "Header": "header",  # 页眉
    "Footer": "footer",  # 页脚
    "OfficialTable": "公文表格",
    "DefaultParagraphFont": "Default Paragraph Font",  # 默认段落字体
}

#: Column widths in twips per table of the committed template (numbers no wider than their
#: headings); :mod:`generator.outputs.docx` resizes each table for the report's numbers.
COLUMN_WIDTHS: dict[str, tuple[int, ...]] = {
    key: geometry.default_geometry(key).widths for key in ("t2", "t3", "t4")
}

#: Body rows of a table kept with its heading and header rows (keepNext): a table that
#: does not fit the rest of a page splits between rows, never leaving its heading alone.
KEPT_BODY_ROWS = 2


# ---------------------------------------------------------------------------
# Placeholders


def value_placeholder(field_id: str) -> str:
    """``{{ t3.new.natural_person }}``: the field id is already a valid Jinja attribute path."""
    return "{{ " + field_id + " }}"


def text_variable(slot_key: str) -> str:
    """``text.overview_proactive`` for slot ``overview.proactive``."""
    return "text." + slot_key.replace(".", "_")


# ---------------------------------------------------------------------------
# Parts


def _root(tag: str, body: str, namespaces: dict[str, str]) -> bytes:
    ns = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in namespaces.items())
    return (XML_DECLARATION + f"<{tag}{ns}>{body}</{tag}>").encode("utf-8")


_W = {"w": W_NS, "r": R_NS}


def _content_types() -> bytes:
    wml = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    overrides = [
        ("/word/document.xml", f"{wml}.document.main+xml"),
        ("/word/styles.xml", f"{wml}.styles+xml"),
        ("/word/settings.xml", f"{wml}.settings+xml"),
        ("/word/fontTable.xml", f"{wml}.fontTable+xml"),
        ("/word/header1.xml", f"{wml}.header+xml"),
        ("/word/header2.xml", f"{wml}.header+xml"),
        ("/word/footer1.xml", f"{wml}.footer+xml"),
        ("/word/footer2.xml", f"{wml}.footer+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
    ]
    body = (
        el("Default", {"Extension": "rels",
                       "ContentType": "application/vnd.openxmlformats-package.relationships+xml"})
        + el("Default", {"Extension": "xml", "ContentType": "application/xml"})
        + "".join(el("Override", {"PartName": p, "ContentType": c}) for p, c in overrides)
    )
    return (XML_DECLARATION + f'<Types xmlns="{CT_NS}">{body}</Types>').encode("utf-8")


def _relationships(rels: list[tuple[str, str, str]]) -> bytes:
    body = "".join(el("Relationship", {"Id": rid, "Type": kind, "Target": target})
                   for rid, kind, target in rels)
    return (XML_DECLARATION + f'<Relationships xmlns="{PKG_REL_NS}">{body}</Relationships>'
            ).encode("utf-8")


def _package_rels() -> bytes:
    return _relationships([
        ("rId1", f"{REL}/officeDocument", "word/document.xml"),
        ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
         "docProps/core.xml"),
        ("rId3", f"{REL}/extended-properties", "docProps/app.xml"),
    ])


def _document_rels() -> bytes:
    return _relationships([
        ("rId1", f"{REL}/styles", "styles.xml"),
        ("rId2", f"{REL}/settings", "settings.xml"),
        ("rId3", f"{REL}/fontTable", "fontTable.xml"),
        ("rId4", f"{REL}/header", "header1.xml"),
        ("rId5", f"{REL}/header", "header2.xml"),
        ("rId6", f"{REL}/footer", "footer1.xml"),
        ("rId7", f"{REL}/footer", "footer2.xml"),
    ])


def _core() -> bytes:
    # Fixed dates: the template's bytes (and every report's) must not depend on the clock.
    ns = {
        "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
        "dc": "http://purl.org/dc/elements/1.1/",
        "dcterms": "http://purl.org/dc/terms/",
        "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    }
    body = (
        el("dc:title", None, "{{ title }}")
        + el("dc:creator", None, "nianbao")
        + el("cp:lastModifiedBy", None, "nianbao")
        + el("dc:language", None, "zh-CN")
        + el("dcterms:created", {"xsi:type": "dcterms:W3CDTF"}, "2021-01-01T00:00:00Z")
        + el("dcterms:modified", {"xsi:type": "dcterms:W3CDTF"}, "2021-01-01T00:00:00Z")
    )
    return _root("cp:coreProperties", body, ns)


def _app() -> bytes:
    body = el("Application", None, "nianbao") + el("DocSecurity", None, "0")
    return (XML_DECLARATION
            + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            + body + "</Properties>").encode("utf-8")


def _font_table() -> bytes:
    # altName lets Word/WPS find the font under its other name (e.g. 仿宋 on Windows 10,
    # which no longer ships 仿宋_GB2312); charset 86 = GB2312.
    entries = [
        (FONT_LATIN, None, "00", "roman"),
        (FONT_SONG, "SimSun", "86", "auto"),
        (FONT_HEI, "SimHei", "86", "modern"),
        (FONT_FANG, "仿宋", "86", "modern"),
        (FONT_KAI, "楷体", "86", "modern"),
        (FONT_TITLE, "方正小标宋_GBK", "86", "script"),
    ]
    body = "".join(
        el("w:font", {"w:name": name},
           val("w:altName", alt) if alt else None,
           val("w:charset", charset), val("w:family", family), val("w:pitch", "variable"))
        for name, alt, charset, family in entries
    )
    return _root("w:fonts", body, _W)


def _settings() -> bytes:
    body = (
        el("w:zoom", {"w:percent": 100})
        + el("w:mirrorMargins")
        + val("w:defaultTabStop", CHAR_TWIPS * 2)
        + el("w:evenAndOddHeaders")
        + val("w:characterSpacingControl", "doNotCompress")
        + el("w:compat", None,
             el("w:compatSetting", {"w:name": "compatibilityMode",
                                    "w:uri": "http://schemas.microsoft.com/office/word",
                                    "w:val": 15}))
        + el("w:themeFontLang", {"w:val": "en-US", "w:eastAsia": "zh-CN"})
        + val("w:decimalSymbol", ".")
        + val("w:listSeparator", ",")
    )
    return _root("w:settings", body, _W)


def _rpr(east_asia: str, pt: float, latin: str = FONT_LATIN, extra: str = "") -> str:
    return el("w:rPr", None, fonts(east_asia, latin), extra, size(pt))


def _style(style_id: str, kind: str, ppr: str = "", rpr: str = "", *, based_on: str | None = None,
           next_style: str | None = None, default: bool = False, extra: str = "") -> str:
    attrs = {"w:type": kind, "w:default": 1 if default else None, "w:styleId": style_id}
    return el("w:style", attrs,
              val("w:name", STYLE_NAMES.get(style_id, style_id)),
              val("w:basedOn", based_on) if based_on else None,
              val("w:next", next_style) if next_style else None,
              el("w:qFormat") if kind == "paragraph" else None,
              ppr, rpr, extra)


def _exact_spacing(line: int = LINE_PITCH, before: int = 0, after: int = 0) -> str:
    return el("w:spacing", {"w:before": before, "w:after": after, "w:line": line,
                            "w:lineRule": "exact"})


def _no_snap() -> str:
    """Off the document grid: text that is not 三号 body text keeps its own size and pitch."""
    return val("w:snapToGrid", 0)


def _no_indent() -> str:
    return el("w:ind", {"w:firstLineChars": 0, "w:firstLine": 0})


def _styles() -> bytes:
    defaults = el(
        "w:docDefaults", None,
        el("w:rPrDefault", None, el(
            "w:rPr", None, fonts(FONT_FANG), el("w:kern", {"w:val": 2}), size(BODY_PT),
            el("w:lang", {"w:val": "en-US", "w:eastAsia": "zh-CN", "w:bidi": "ar-SA"}))),
        el("w:pPrDefault", None, el("w:pPr", None, _exact_spacing())),
    )
    body_indent = el("w:ind", {"w:firstLineChars": 200, "w:firstLine": 2 * CHAR_TWIPS})
    styles = [
        # 正文: 仿宋_GB2312 三号, exact 28.95 pt, 2-character first-line indent, justified.
        _style("Normal", "paragraph",
               el("w:pPr", None, el("w:widowControl"), val("w:autoSpaceDE", 0),
                  val("w:autoSpaceDN", 0), _exact_spacing(), body_indent, val("w:jc", "both")),
               _rpr(FONT_FANG, BODY_PT, extra=val("w:spacing", BODY_CHAR_SPACING)),
               default=True),
        # 标题: 方正小标宋简体 二号, centred; each line of the title is its own paragraph.
        _style("Title", "paragraph",
               el("w:pPr", None, el("w:keepNext"), el("w:keepLines"), _no_snap(),
                  _exact_spacing(), _no_indent(), val("w:jc", "center"), val("w:outlineLvl", 0)),
               _rpr(FONT_TITLE, SIZE_PT["二号"], FONT_TITLE, _no_snap() + val("w:spacing", 0)),
               based_on="Normal", next_style="Normal"),
        # 一级标题 一、: 黑体 三号, indented like body text.
        _style("Heading1", "paragraph",
               el("w:pPr", None, el("w:keepNext"), el("w:keepLines"), val("w:outlineLvl", 0)),
               _rpr(FONT_HEI, BODY_PT), based_on="Normal", next_style="Normal"),
        # 二级标题 （一）: 楷体_GB2312 三号.
        _style("Heading2", "paragraph",
               el("w:pPr", None, el("w:keepNext"), el("w:keepLines"), val("w:outlineLvl", 1)),
               _rpr(FONT_KAI, BODY_PT), based_on="Normal", next_style="Normal"),
        # 表格文字: 宋体 五号 on an exact 13.65 pt pitch, off the character grid, centred.
        # A table whose widest number does not fit steps down to 小五 as a whole (the
        # .docx renderer rewrites its runs; generator.form.geometry decides).
        _style("TableText", "paragraph",
               el("w:pPr", None, el("w:widowControl"), _no_snap(),
                  _exact_spacing(TABLE_LINE), _no_indent(), val("w:jc", "center")),
               # Digits in 宋体 too: half an em in every renderer (a substituted Times New
               # Roman – DejaVu Serif on Linux – is 0.64 em and made 9-digit numbers wrap).
               _rpr(FONT_SONG, TABLE_PT, FONT_SONG, extra=_no_snap() + val("w:spacing", 0)),
               based_on="Normal"),
        # 落款 (GB/T 9704 §7.3.5.1, stamped): the date 右空四字, the agency centred over it;
        # the .docx renderer sets each line's right indent (context.signature_lines).
        _style("Signature", "paragraph",
               el("w:pPr", None, el("w:keepNext"), el("w:keepLines"),
                  el("w:ind", {"w:right": 4 * CHAR_TWIPS, "w:firstLineChars": 0,
                               "w:firstLine": 0}),
                  val("w:jc", "right")),
               based_on="Normal"),
        # 页眉: the draft mark; 页脚: page numbers in 四号宋体.
        _style("Header", "paragraph",
               el("w:pPr", None, el("w:spacing", {"w:before": 0, "w:after": 0, "w:line": 240,
                                                  "w:lineRule": "auto"}),
                  _no_indent(), val("w:jc", "center")),
               _rpr(FONT_HEI, SIZE_PT["四号"], extra=el("w:b") + _no_snap()
                    + val("w:color", "C00000") + val("w:spacing", 0)),
               based_on="Normal"),
        _style("Footer", "paragraph",
               el("w:pPr", None, el("w:spacing", {"w:before": 0, "w:after": 0, "w:line": 240,
                                                  "w:lineRule": "auto"}), _no_indent()),
               _rpr(FONT_SONG, SIZE_PT["四号"], FONT_SONG, _no_snap() + val("w:spacing", 0)),
               based_on="Normal"),
        _style("DefaultParagraphFont", "character", default=True),
        el("w:style", {"w:type": "table", "w:default": 1, "w:styleId": "TableNormal"},
           val("w:name", "Normal Table"),
           el("w:tblPr", None, el("w:tblInd", {"w:w": 0, "w:type": "dxa"}),
              _cell_margins())),
        # 公文表格: 0.5 pt single black borders, 1 mm cell margins.
        el("w:style", {"w:type": "table", "w:styleId": "OfficialTable"},
           val("w:name", STYLE_NAMES["OfficialTable"]), val("w:basedOn", "TableNormal"),
           el("w:pPr", None, _no_snap(), _exact_spacing(TABLE_LINE), _no_indent(),
              val("w:jc", "center")),
           el("w:rPr", None, fonts(FONT_SONG, FONT_SONG), size(TABLE_PT)),
           el("w:tblPr", None, _borders("w:tblBorders", inner=True), _cell_margins()),
           el("w:tcPr", None, val("w:vAlign", "center"))),
    ]
    return _root("w:styles", defaults + "".join(styles), _W)


def _cell_margins() -> str:
    return el("w:tblCellMar", None,
              el("w:top", {"w:w": TABLE_CELL_PADDING, "w:type": "dxa"}),
              el("w:left", {"w:w": TABLE_CELL_MARGIN, "w:type": "dxa"}),
              el("w:bottom", {"w:w": TABLE_CELL_PADDING, "w:type": "dxa"}),
              el("w:right", {"w:w": TABLE_CELL_MARGIN, "w:type": "dxa"}))


def _borders(tag: str, inner: bool) -> str:
    sides = ["top", "left", "bottom", "right"] + (["insideH", "insideV"] if inner else [])
    return el(tag, None, *(el(f"w:{side}", {"w:val": "single", "w:sz": 4, "w:space": 0,
                                           "w:color": "000000"}) for side in sides))


# ---------------------------------------------------------------------------
# Headers and footers


def _header() -> bytes:
    # The draft mark appears on every page when the report is built with --draft.
    body = paragraph("{% if draft %}" + DRAFT_MARK + "{% endif %}", "Header")
    return _root("w:hdr", body, _W)


def _page_number_runs() -> str:
    rpr = el("w:rPr", None, fonts(FONT_SONG, FONT_SONG))
    return (
        el("w:r", None, rpr, el("w:t", {"xml:space": "preserve"}, "— "))
        + el("w:r", None, rpr, el("w:fldChar", {"w:fldCharType": "begin"}))
        + el("w:r", None, rpr, el("w:instrText", {"xml:space": "preserve"}, " PAGE "))
        + el("w:r", None, rpr, el("w:fldChar", {"w:fldCharType": "separate"}))
        + el("w:r", None, rpr, el("w:t", None, "1"))
        + el("w:r", None, rpr, el("w:fldChar", {"w:fldCharType": "end"}))
        + el("w:r", None, rpr, el("w:t", {"xml:space": "preserve"}, " —"))
    )


def _footer(odd: bool) -> bytes:
    # Odd pages: right-aligned, one character (四号) from the right; even pages mirrored.
    one_char = round(SIZE_PT["四号"] * 20)
    side = "w:right" if odd else "w:left"
    ppr = el("w:pPr", None, val("w:pStyle", "Footer"),
             el("w:ind", {side: one_char}), val("w:jc", "right" if odd else "left"))
    return _root("w:ftr", el("w:p", None, ppr, _page_number_runs()), _W)


# ---------------------------------------------------------------------------
# Tables


@dataclass(frozen=True)
class _Layout:
    widths: tuple[int, ...]

    def span_width(self, col: int, colspan: int) -> int:
        return sum(self.widths[col:col + colspan])


def _cell_paragraph(form: TableForm, cell: GridCell, keep_next: bool) -> str:
    if cell.field_id is not None:
        content = value_placeholder(cell.field_id)
    else:
        content = cell.text
    left = geometry.label_left(form, cell.role, cell.rowspan)
    ppr_extra = (el("w:keepNext") if keep_next else "") + (val("w:jc", "left") if left else "")
    return paragraph(content, "TableText", ppr_extra)


def _tc(width: int, colspan: int, body: str, vmerge: str | None) -> str:
    tcpr = el("w:tcPr", None,
              el("w:tcW", {"w:w": width, "w:type": "dxa"}),
              val("w:gridSpan", colspan) if colspan > 1 else None,
              el("w:vMerge", {"w:val": vmerge} if vmerge == "restart" else None)
              if vmerge else None,
              val("w:vAlign", "center"))
    return el("w:tc", None, tcpr, body)


def _table(form: TableForm) -> str:
    layout = _Layout(COLUMN_WIDTHS[form.key])
    assert len(layout.widths) == form.n_cols and sum(layout.widths) == TEXT_WIDTH, form.key
    grid = el("w:tblGrid", None, *(el("w:gridCol", {"w:w": w}) for w in layout.widths))
    tblpr = el("w:tblPr", None, val("w:tblStyle", "OfficialTable"),
               el("w:tblW", {"w:w": TEXT_WIDTH, "w:type": "dxa"}),
               val("w:jc", "center"),
               el("w:tblLayout", {"w:type": "fixed"}),
               el("w:tblLook", {"w:val": "0000", "w:firstRow": 0, "w:lastRow": 0,
                                "w:firstColumn": 0, "w:lastColumn": 0, "w:noHBand": 1,
                                "w:noVBand": 1}))
    kept = geometry.kept_rows(form, KEPT_BODY_ROWS)
    rows = []
    for r in range(form.n_rows):
        trpr = el("w:trPr", None, el("w:cantSplit"),
                  el("w:tblHeader") if r < form.header_rows else None)
        cells = []
        c = 0
        while c < form.n_cols:
            cell = form.cell_at(r, c)
            assert cell is not None and cell.col == c, (form.key, r, c)
            width = layout.span_width(c, cell.colspan)
            keep = r in kept
            if cell.row == r:
                vmerge = "restart" if cell.rowspan > 1 else None
                cells.append(_tc(width, cell.colspan, _cell_paragraph(form, cell, keep), vmerge))
            else:  # covered by a cell merged from above
                filler = paragraph("", "TableText", el("w:keepNext") if keep else "")
                cells.append(_tc(width, cell.colspan, filler, "continue"))
            c += cell.colspan
        rows.append(el("w:tr", None, trpr, *cells))
    return el("w:tbl", None, tblpr, grid, *rows)


# ---------------------------------------------------------------------------
# The body


def _loop(variable: str, iterable: str, inner: str) -> str:
    """docxtpl paragraph loop: the ``{%p %}`` paragraphs vanish, ``inner`` repeats."""
    return (paragraph("{%p for " + variable + " in " + iterable + " %}")
            + inner + paragraph("{%p endfor %}"))


def _when(condition: str, inner: str) -> str:
    """docxtpl paragraph condition: ``inner`` is printed only when ``condition`` holds."""
    return paragraph("{%p if " + condition + " %}") + inner + paragraph("{%p endif %}")


def _text_slot(slot_key: str) -> str:
    return _loop("p", text_variable(slot_key), paragraph("{{ p }}"))


def _headed_slots(section: str) -> list[str]:
    """The slots of ``section`` that have a fixed heading, in order: each heading and its
    paragraphs, the heading only above text when the slot is
    :attr:`~generator.form.TextSlot.printed_only_with_text`."""
    parts = []
    for slot in TEXT_SLOTS:
        if slot.section != section or slot.heading is None:
            continue
        headed = paragraph(slot.heading, "Heading2") + _text_slot(slot.key)
        parts.append(_when(text_variable(slot.key), headed) if slot.printed_only_with_text
                     else headed)
    return parts


def _heading1(number: str, new_page: bool = False) -> str:
    return paragraph(SECTION_BY_NUMBER[number].heading, "Heading1",
                     el("w:pageBreakBefore") if new_page else "")


def _body() -> str:
    parts = [
        _loop("line", "title_lines", paragraph("{{ line }}", "Title")),
        paragraph(""),  # 标题下空一行
        _text_slot("opening"),
        _heading1("一"),
        _text_slot("overview"),
    ]
    parts += _headed_slots("一")
    for number in ("二", "三", "四"):
        section = SECTION_BY_NUMBER[number]
        assert section.table is not None
        new_page = section.table in geometry.NEW_PAGE_TABLES  # never split (see there)
        parts += [_heading1(number, new_page), _table(TABLE_BY_KEY[section.table])]
    parts += [
        _heading1("五"), _text_slot("problems"),
        _heading1("六"),
        *_headed_slots("六"),
        _loop("item", "extra_items",
              paragraph("{{ item.heading }}", "Heading2")
              + _loop("p", "item.paragraphs", paragraph("{{ p }}"))),
        # 正文下空一行, then 署名 and 成文日期, kept together with the last lines of text.
        paragraph("", None, el("w:keepNext")),
        # One paragraph each; the .docx renderer breaks a long agency name into lines and
        # sets the indents of the 落款 (context.signature_lines).
        paragraph("{{ signature.agency }}", "Signature"),
        paragraph("{{ signature.date }}", "Signature"),
    ]
    sect = el(
        "w:sectPr", None,
        el("w:headerReference", {"w:type": "default", "r:id": "rId4"}),
        el("w:headerReference", {"w:type": "even", "r:id": "rId5"}),
        el("w:footerReference", {"w:type": "default", "r:id": "rId6"}),
        el("w:footerReference", {"w:type": "even", "r:id": "rId7"}),
        el("w:pgSz", {"w:w": PAGE_WIDTH, "w:h": PAGE_HEIGHT}),
        el("w:pgMar", {"w:top": MARGIN_TOP, "w:right": MARGIN_OUTSIDE,
                       "w:bottom": MARGIN_BOTTOM, "w:left": MARGIN_INSIDE,
                       "w:header": HEADER_DISTANCE, "w:footer": FOOTER_DISTANCE,
                       "w:gutter": 0}),
        el("w:cols", {"w:space": 425}),
        # 22 lines: a line grid (页面设置 › 文档网格 › 只指定行网格); 28 characters come from
        # the Normal style's character spacing (see BODY_CHAR_SPACING).
        el("w:docGrid", {"w:type": "lines", "w:linePitch": LINE_PITCH}),
    )
    return el("w:body", None, *parts, sect)


def _document() -> bytes:
    return _root("w:document", _body(), _W)


# ---------------------------------------------------------------------------


def template_parts() -> dict[str, bytes]:
    """Every part of the template package, by zip member name."""
    return {
        "[Content_Types].xml": _content_types(),
        "_rels/.rels": _package_rels(),
        "docProps/core.xml": _core(),
        "docProps/app.xml": _app(),
        "word/_rels/document.xml.rels": _document_rels(),
        "word/document.xml": _document(),
        "word/styles.xml": _styles(),
        "word/settings.xml": _settings(),
        "word/fontTable.xml": _font_table(),
        "word/header1.xml": _header(),
        "word/header2.xml": _header(),
        "word/footer1.xml": _footer(odd=True),
        "word/footer2.xml": _footer(odd=False),
    }


def build_template() -> bytes:
    """The template .docx as bytes (deterministic)."""
    return write_zip(template_parts())


def write_template(target: Path) -> Path:
    """Write the template atomically to ``target`` and return it."""
    from generator.safeio import write_bytes_atomic

    return write_bytes_atomic(target, build_template())




# ---------------------------------------------------------------------------
# After the template is filled: the layout that depends on the report


def _q(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _form_of_table(tbl, used: set[str]) -> TableForm | None:
    """The official table a ``w:tbl`` is (by its grid), each form at most once."""
    cols = tbl.findall(f"{_q('tblGrid')}/{_q('gridCol')}")
    rows = tbl.findall(_q("tr"))
    for form in TABLE_BY_KEY.values():
        if form.key not in used and len(cols) == form.n_cols and len(rows) == form.n_rows:
            used.add(form.key)
            return form
    return None


#: Children of w:rPr that follow w:sz/w:szCs (ECMA-376 element order, which Word enforces).
_AFTER_SIZE = ("highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs",
               "em", "lang", "eastAsianLayout", "specVanish", "oMath")


def _set_size(rpr, half_points: int) -> None:
    """``w:sz`` and ``w:szCs`` of a run set to ``half_points``, in schema order."""
    from lxml import etree

    for name in ("sz", "szCs"):
        node = rpr.find(_q(name))
        if node is None:
            node = etree.Element(_q(name))
            later = next((c for c in rpr if c.tag in {_q(t) for t in _AFTER_SIZE}
                          or (name == "sz" and c.tag == _q("szCs"))), None)
            (later.addprevious(node) if later is not None else rpr.append(node))
        node.set(_q("val"), str(half_points))


def resize_table(tbl, geo: geometry.TableGeometry) -> None:
    """Give a filled official table the report's column widths and, when its widest number
    needs it, the one-step-smaller size for the whole table (runs and line pitch)."""
    for col, node in zip(geo.widths, tbl.findall(f"{_q('tblGrid')}/{_q('gridCol')}")):
        node.set(_q("w"), str(col))
    for tr in tbl.findall(_q("tr")):
        c = 0
        for tc in tr.findall(_q("tc")):
            tcpr = tc.find(_q("tcPr"))
            span_node = tcpr.find(_q("gridSpan")) if tcpr is not None else None
            span = int(span_node.get(_q("val"))) if span_node is not None else 1
            width = tcpr.find(_q("tcW")) if tcpr is not None else None
            if width is not None:
                width.set(_q("w"), str(geometry.span_width(geo.widths, c, span)))
            c += span
    if abs(geo.size_pt - TABLE_PT) < 0.01:
        return
    line = str(round(geo.leading_pt * 20))
    for p in tbl.iter(_q("p")):
        spacing = _paragraph_property(p, "spacing")
        spacing.attrib.update({_q("line"): line, _q("lineRule"): "exact",
                               _q("before"): "0", _q("after"): "0"})
        for r in p.findall(_q("r")):
            _set_size(_first_child(r, "rPr"), geo.half_points)


def _first_child(parent, tag: str):
    """``parent``'s ``w:tag`` child (a properties element, which comes first), made if absent."""
    from lxml import etree

    node = parent.find(_q(tag))
    if node is None:
        node = etree.Element(_q(tag))
        parent.insert(0, node)
    return node


def _paragraph_property(p, tag: str):
    """The paragraph's ``w:pPr/w:tag``, made if absent and placed before ``w:jc`` (which
    follows ``w:spacing`` and ``w:ind`` in the schema order Word enforces)."""
    from lxml import etree

    ppr = _first_child(p, "pPr")
    node = ppr.find(_q(tag))
    if node is None:
        node = etree.Element(_q(tag))
        jc = ppr.find(_q("jc"))
        (jc.addprevious(node) if jc is not None else ppr.append(node))
    return node


def _paragraph_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(_q("t")))


def _set_right_indent(p, twips: int) -> None:
    ind = _paragraph_property(p, "ind")
    for name in ("rightChars", "right"):
        ind.attrib.pop(_q(name), None)
    ind.set(_q("right"), str(twips))
    ind.set(_q("firstLine"), "0")
    ind.attrib.pop(_q("firstLineChars"), None)


def set_signature(body, lines: tuple, agency: str, date: str) -> None:
    """Break the 落款's agency paragraph into its lines and set every line's right indent
    (context.signature_lines: stamped 右空四字 with the agency centred over the date)."""
    import copy

    signature = [p for p in body.findall(_q("p"))
                 if (s := p.find(f"{_q('pPr')}/{_q('pStyle')}")) is not None
                 and s.get(_q("val")) == "Signature"]
    agency_lines = [line for line in lines if line.role == "agency"]
    date_lines = [line for line in lines if line.role == "date"]
    for p in signature:
        text = _paragraph_text(p)
        if date_lines and text == date:
            _set_right_indent(p, round(date_lines[0].right * geometry.GRID_CHAR))
        elif agency_lines and text == agency:
            previous = p
            for i, line in enumerate(agency_lines):
                target = p if i == 0 else copy.deepcopy(p)
                if i:
                    previous.addnext(target)
                runs = target.findall(_q("r"))
                for extra in runs[1:]:
                    target.remove(extra)
                if runs:
                    ts = runs[0].findall(_q("t"))
                    for extra in ts[1:]:
                        runs[0].remove(extra)
                    if ts:
                        ts[0].text = line.text
                _set_right_indent(target, round(line.right * geometry.GRID_CHAR))
                previous = target


def apply_print_layout(root, layout, breaks: Mapping[str, Sequence[int]] | None = None) -> None:
    """Everything of the filled document that depends on the report: table widths and
    sizes, the 落款 (a :class:`~generator.outputs.context.PrintLayout`), and the tables cut
    where they continue on a new page (``breaks``: table key → grid rows, pdf.table_breaks)."""
    body = root.find(_q("body"))
    if body is None or layout is None:
        return
    used: set[str] = set()
    for tbl in list(body.iter(_q("tbl"))):
        form = _form_of_table(tbl, used)
        if form is not None and form.key in layout.tables:
            resize_table(tbl, layout.tables[form.key])
        if form is not None and breaks and breaks.get(form.key):
            split_table(tbl, form, breaks[form.key])
    set_signature(body, layout.signature, layout.agency, layout.date)


def _grid_columns(tr) -> list[tuple[int, object]]:
    """(grid column, w:tc) of each cell of a row."""
    out = []
    col = 0
    for tc in tr.findall(_q("tc")):
        out.append((col, tc))
        span = tc.find(f"{_q('tcPr')}/{_q('gridSpan')}")
        col += int(span.get(_q("val"))) if span is not None else 1
    return out


def split_table(tbl, form: TableForm, breaks: Sequence[int]) -> None:
    """Cut ``tbl`` into one table per page, each continuation starting at a grid row of
    ``breaks`` on a new page, with the header rows repeated and every merged label that
    crosses the cut restarted with its text (issue 13 point 9).

    Word and LibreOffice leave the continued part of a vertical merge blank on the next
    page, and a table cannot be told to repeat it: so the table is cut where the page
    breaks (the PDF's planned break, with room to spare) and an empty 1 pt paragraph with
    w:pageBreakBefore between the pieces starts the next page (two tables with nothing
    between them would be joined into one by Word).
    """
    from copy import deepcopy

    from lxml import etree

    rows = tbl.findall(_q("tr"))
    if len(rows) != form.n_rows or not breaks:
        return
    header = rows[:form.header_rows]
    cells = [dict(_grid_columns(tr)) for tr in rows]
    anchor = tbl
    for start, end in zip(breaks, [*breaks[1:], form.n_rows]):
        if not form.header_rows <= start < end <= form.n_rows:
            return
        piece = etree.Element(_q("tbl"))
        for part in ("tblPr", "tblGrid"):
            node = tbl.find(_q(part))
            if node is not None:
                piece.append(deepcopy(node))
        for tr in header:
            piece.append(deepcopy(tr))
        for r in range(start, end):
            piece.append(rows[r])  # moved out of the first table
        for col, tc in cells[start].items():
            cell = form.cell_at(start, col)
            if cell is None or cell.row >= start:
                continue
            origin = cells[cell.row].get(cell.col)
            merge = tc.find(f"{_q('tcPr')}/{_q('vMerge')}")
            if origin is None or merge is None:
                continue
            merge.set(_q("val"), "restart")
            for p in tc.findall(_q("p")):
                tc.remove(p)
            for p in origin.findall(_q("p")):
                tc.append(deepcopy(p))
        separator = etree.fromstring(
            f'<w:p xmlns:w="{W_NS}"><w:pPr><w:pageBreakBefore/><w:snapToGrid w:val="0"/>'
            '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
            '<w:ind w:firstLine="0" w:firstLineChars="0"/>'
            '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>')
        anchor.addnext(separator)
        separator.addnext(piece)
        anchor = piece
