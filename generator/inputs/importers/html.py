"""A report page saved from a portal (.html/.htm), or Word's "save as web page".

The file is untrusted: it is parsed with lxml's HTML parser with network access off, no
entity declarations are honoured (the HTML parser knows only HTML's own character
references), comments, processing instructions, scripts and styles are dropped, and spans
are clamped so a hostile ``colspan="100000"`` cannot blow up the grid.

Paragraph-like elements (``p``, ``div``, ``h1``…, ``li``, ``<br>``-separated lines) become
paragraphs; a ``<table>`` without a table inside becomes a :class:`RawTable` with its
``rowspan``/``colspan``; a table that holds tables (page layout) is walked into.
"""

from __future__ import annotations

import re
from html import escape as html_escape
from html.parser import HTMLParser
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from generator.errors import InputError
from generator.inputs.importers.document import RawCell, SourceDocument
from generator.inputs.importers.text import decode_text

MAX_HTML_BYTES = 20 * 1024 * 1024
MAX_COLSPAN = 50
MAX_ROWSPAN = 200

_DROP = {"script", "style", "noscript", "head", "iframe", "object", "embed", "svg", "select",
         "button", "template", "textarea", "input", "img", "map", "footer"}
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section",
           "article", "blockquote", "center", "dd", "dt", "dl", "pre", "address", "header",
           "main", "aside", "nav", "form", "fieldset", "table", "tr", "hr", "body", "html",
           "caption", "figure", "figcaption"}
_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def decode_html(data: bytes) -> str:
    """The page as text: the charset the page declares, else UTF-8, else GB18030."""
    m = _CHARSET.search(data[:4096])
    if m:
        name = m.group(1).decode("ascii").lower()
        if name in ("gb2312", "gbk", "gb_2312-80", "x-gbk"):
            name = "gb18030"
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def read_html(path: Path) -> SourceDocument:
    data = path.read_bytes()
    if len(data) > MAX_HTML_BYTES:
        raise InputError("网页文件太大，请检查是否选错了文件。", path=path)
    return parse_html(decode_html(data))


def parse_html(text: str) -> SourceDocument:
    """Paragraphs and tables of an HTML page, in reading order."""
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str with an encoding decl.
    if not text.strip():
        return SourceDocument(source_format="html")
    parser = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                                  huge_tree=False)
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        # the parser's own words stay on the chain (``--debug``); the clerk gets what to do
        raise InputError("无法解析网页文件，文件可能已损坏。请在浏览器中重新打开报告页面，"
                         "另存为网页（.html）后再导入。") from exc
    if any("depth" in str(entry.message).lower() for entry in parser.error_log):
        # libxml2 stops at 256 nested elements and drops the rest of the page; portals wrap
        # reports in hundreds of <div>s.  Nesting carries no meaning here: flatten and retry.
        root = lxml_html.document_fromstring(flatten_deep_html(text), parser=parser)
    doc = SourceDocument(source_format="html")
    body = root.find("body")
    _Walker(doc).walk(body if body is not None else root)
    return doc


MAX_DEPTH = 100  # elements nested deeper than this are unwrapped (their content kept)
_KEEP_DEEP = {"table", "tbody", "thead", "tfoot", "tr", "td", "th", "p", "li", "h1", "h2", "h3",
              "h4", "h5", "h6", "script", "style"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source",
         "wbr", "param", "track"}


class _Flattener(HTMLParser):
    """Re-serialises HTML with non-table elements beyond :data:`MAX_DEPTH` unwrapped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, emitted)
        self.emitted_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text = self.get_starttag_text() or f"<{tag}>"
        if tag in _VOID:
            self.out.append(text)
            return
        emit = self.emitted_depth < MAX_DEPTH or tag in _KEEP_DEEP
        if emit:
            self.out.append(text)
            self.emitted_depth += 1
        self.stack.append((tag, emit))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                while len(self.stack) > i:
                    name, emitted = self.stack.pop()
                    if emitted:
                        self.out.append(f"</{name}>")
                        self.emitted_depth -= 1
                return

    def handle_data(self, data: str) -> None:
        self.out.append(html_escape(data, quote=False))


def flatten_deep_html(text: str) -> str:
    """``text`` with deeply nested wrapper elements unwrapped, in one linear pass."""
    flattener = _Flattener()
    flattener.feed(text)
    flattener.close()
    return "".join(flattener.out)


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _span(value: str | None, limit: int) -> int:
    try:
        n = int(str(value).strip()) if value is not None else 1
    except ValueError:
        return 1
    return min(max(n, 1), limit)


class _Walker:
    """Collects inline text into paragraphs and emits tables where they stand."""

    def __init__(self, doc: SourceDocument) -> None:
        self.doc = doc
        self.line: list[str] = []

    def flush(self) -> None:
        text = re.sub(r"[ \t\r\n\u00a0]+", " ", "".join(self.line)).strip()
        self.line.clear()
        self.doc.add_paragraph(text)

    def walk(self, el: etree._Element) -> None:
        tag = _tag(el)
        if tag in _DROP:
            return
        if tag == "table" and el.find(".//table") is None:
            self.flush()
            self.doc.add_table(_table_rows(el), spans_known=True)
            return
        if tag == "br":
            self.flush()
            return
        block = tag in _BLOCKS or tag in ("td", "th")
        if block:
            self.flush()
        if el.text and tag:
            self.line.append(el.text)
        for child in el:
            self.walk(child)
            if child.tail:
                self.line.append(child.tail)
        if block:
            self.flush()


def cell_text(el: etree._Element) -> str:
    """A cell's text with ``<br>``/``<p>`` as line breaks (labels are compared without them)."""
    parts: list[str] = []

    def visit(node: etree._Element) -> None:
        tag = _tag(node)
        if tag in _DROP:
            return
        if tag == "br":
            parts.append("\n")
        elif tag in ("p", "div", "li"):
            parts.append("\n")
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            visit(child)
            if child.tail:
                parts.append(child.tail)

    visit(el)
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line)


def _table_rows(table: etree._Element) -> list[list[RawCell]]:
    rows: list[list[RawCell]] = []
    for tr in table.iter("tr"):
        # Only rows of this table (a table here holds no nested table, see walk()).
        cells = [RawCell(cell_text(td), _span(td.get("rowspan"), MAX_ROWSPAN),
                         _span(td.get("colspan"), MAX_COLSPAN))
                 for td in tr if _tag(td) in ("td", "th")]
        if cells:
            rows.append(cells)
    return rows
