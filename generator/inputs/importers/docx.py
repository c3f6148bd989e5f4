"""A report as a .docx: ours, or a typical one typed in Word/WPS with the official tables.

The body is read in order — paragraphs (also inside content controls) and tables.  Table
merges are read from the XML, the way Word stores them: ``w:gridSpan`` is a colspan, a
``w:vMerge`` run (``restart`` then continuations) is one cell with a rowspan, so the table
becomes the same :class:`RawTable` an HTML ``<table>`` gives.  A paragraph with manual line
breaks (a title broken over two lines) gives one source paragraph per line.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

from generator.errors import InputError
from generator.inputs import ooxml
from generator.inputs.importers.document import RawCell, SourceDocument

MAX_DOCX_BYTES = 50 * 1024 * 1024

_RESAVE = "请在 Word 或 WPS 中打开后另存为 .docx 再导入。"
#: How the shared OOXML guard names a report and what it tells the clerk.
DOCUMENT = ooxml.PackageKind("文档", "请向文件提供方核实文件来源；如确需导入，请在 Word 或 WPS 中"
                             "打开后另存为新的 .docx 再试。",
                             "请重新复制一份再导入；若仍不行，" + _RESAVE)


def read_docx(path: Path) -> SourceDocument:
    if path.stat().st_size > MAX_DOCX_BYTES:
        raise InputError("文件太大，请检查是否选错了文件。", path=path)
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            if handle.read(2) == b"PK":  # a zip cut short: a .docx not completely copied
                raise InputError(f"{ooxml.DAMAGED}（压缩结构不完整）。{DOCUMENT.damaged_advice}",
                                 path=path)
        raise InputError("不是 .docx 文件（可能是旧的 .doc 或 WPS 格式）。请在 Word 或 WPS 中"
                         "打开后另存为 .docx 再导入。", path=path)
    data = _checked_bytes(path)
    try:
        # The bytes the guard checked, not the path again: what was checked is what is parsed.
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for broken packages
        # the cause stays on the chain: ``--debug`` shows it, the clerk is told what to do
        raise InputError("无法作为 Word 文档（.docx）打开：文件内容不完整，或不是 Word 保存的文档。"
                         + _RESAVE, path=path) from exc
    doc = SourceDocument(source_format="docx")
    _walk(document.element.body, doc, document)
    return doc


def _checked_bytes(path: Path) -> bytes:
    """The file's bytes once the shared OOXML guard (:mod:`generator.inputs.ooxml`) passed
    them: no zip bomb, no DTD or entity in any part, no odd encoding — before python-docx
    inflates or parses anything."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取该文件（{exc.strerror}）。{DOCUMENT.damaged_advice}", path=path) from exc
    with ooxml.open_archive(path, data, DOCUMENT) as archive:
        try:
            entries = [info for info in archive.infolist() if not info.is_dir()]
            ooxml.check_entries(path, entries, DOCUMENT)
            ooxml.read_parts(path, archive, entries, DOCUMENT)
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - zipfile raises many types for a broken file
            raise InputError(f"{ooxml.DAMAGED}（文档的部件无法解压）。{DOCUMENT.damaged_advice}",
                             path=path) from exc
    return data


_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_DELETED = {qn("w:del"), qn("w:moveFrom")}
_NOT_TEXT = {qn("w:pPr"), qn("w:rPr"), qn("w:instrText"), qn("w:delText"), qn("w:drawing"),
             qn("w:pict"), "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"}


def paragraph_text(p) -> str:  # noqa: ANN001 - an lxml w:p element
    """A paragraph's text as Word shows it: runs (in hyperlinks and insertions too), tabs and
    line breaks; deleted runs left out.  Reads the XML directly: python-docx's
    ``Paragraph.text`` runs an XPath per run, which made a long document take a minute."""
    parts: list[str] = []
    stack = [iter(p)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag
        if tag in _DELETED or tag in _NOT_TEXT:
            continue
        if tag == _T:
            parts.append(child.text or "")
        elif tag == _TAB:
            parts.append("\t")
        elif tag in (_BR, _CR):
            if tag == _CR or child.get(qn("w:type")) in (None, "textWrapping"):
                parts.append("\n")
        elif len(child):
            stack.append(iter(child))
    return "".join(parts)


def _walk(container, doc: SourceDocument, parent) -> None:  # noqa: ANN001 - lxml elements
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            for line in paragraph_text(child).split("\n"):
                doc.add_paragraph(line)
        elif child.tag == qn("w:tbl"):
            doc.add_table(_table_rows(child, parent), spans_known=True)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                _walk(content, doc, parent)


class _Cell:
    """A cell being collected; ``rowspan`` grows while vMerge continuations follow."""

    def __init__(self, text: str, colspan: int) -> None:
        self.text, self.colspan, self.rowspan = text, colspan, 1


def _cell_text(tc, parent) -> str:  # noqa: ANN001
    return "\n".join(paragraph_text(p) for p in tc.iter(qn("w:p")))


def _table_rows(tbl, parent) -> list[list[RawCell]]:  # noqa: ANN001
    rows: list[list[_Cell]] = []
    open_merges: dict[int, _Cell] = {}  # grid column -> cell a vMerge continues
    for tr in tbl.iterchildren(qn("w:tr")):
        col = _grid_before(tr)
        # Cells left out at the start of a row still take grid columns: keep them as blanks.
        row: list[_Cell] = [_Cell("", col)] if col else []
        for tc in tr.iterchildren(qn("w:tc")):
            span = max(1, int(tc.grid_span or 1))
            merge = tc.vMerge
            if merge == "continue" and col in open_merges:
                open_merges[col].rowspan += 1
            else:
                cell = _Cell(_cell_text(tc, parent), span)
                row.append(cell)
                if merge == "restart":
                    open_merges[col] = cell
                else:
                    open_merges.pop(col, None)
            col += span
        rows.append(row)
    return [[RawCell(c.text, c.rowspan, c.colspan) for c in row] for row in rows]


def _grid_before(tr) -> int:  # noqa: ANN001
    tr_pr = tr.find(qn("w:trPr"))
    if tr_pr is None:
        return 0
    before = tr_pr.find(qn("w:gridBefore"))
    if before is None:
        return 0
    try:
        return int(before.get(qn("w:val"), "0"))
    except ValueError:
        return 0
