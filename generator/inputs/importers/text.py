"""Plain text copied from a portal page: paragraphs one per line, tables flattened into ``|``.

The crawler/browser copy this reads (see ``shared/samples/baoligenhua-2025-portal-text.txt``)
writes each table row as ``| cell |`` with the cells of one row spread over several lines
(``| 信息内容 |`` / ``本年制发件数 |`` …), empty cells as bare ``|``, and every row padded
with empty cells to the table's width.  Merges are lost: a rowspan cell is printed once, in
its first row, so cells of a row are known only in order (``spans_known=False``).

Rows copied with tabs between cells (a browser's plain copy) are read as tables too.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import InputError
from generator.inputs.importers.document import RawCell, SourceDocument

MAX_TEXT_BYTES = 5 * 1024 * 1024


def decode_text(data: bytes) -> str:
    """UTF-16 (Windows Notepad's "Unicode", told by its BOM or its NUL bytes), UTF-8 (with or
    without BOM), else GB18030 — the encodings a clerk's text file comes in."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    head = data[:65536]
    if head.count(b"\x00") >= 2 and len(data) % 2 == 0:
        # No text file holds NUL bytes, except UTF-16 without BOM: there every ASCII
        # character (digits, line ends) has a NUL beside it — after it (LE) or before (BE).
        even_nuls, odd_nuls = head[0::2].count(0), head[1::2].count(0)
        encoding = "utf-16-be" if even_nuls > odd_nuls else "utf-16-le"
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def read_text(path: Path) -> SourceDocument:
    data = path.read_bytes()
    if len(data) > MAX_TEXT_BYTES:
        raise InputError("文件太大，不像一份年度报告的文字，请检查是否选错了文件。", path=path)
    return parse_text(decode_text(data))


def _is_pipe_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") or stripped.endswith("|")


def _only_pipes(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and set(stripped) <= {"|", " "}


def _cells(row_text: str) -> list[RawCell]:
    pieces = row_text.split("|")
    # The text before the first '|' and after the last one is not a cell.
    return [RawCell(piece.strip()) for piece in pieces[1:-1]]


def parse_text(text: str) -> SourceDocument:
    """Paragraphs and ``|``-tables of a portal text copy, in order."""
    doc = SourceDocument(source_format="text")
    rows: list[str] = []  # the current table's rows as raw text
    tab_rows: list[list[RawCell]] = []

    def close_table() -> None:
        if rows:
            doc.add_table([_cells(r) for r in rows], spans_known=False)
            rows.clear()

    def close_tab_table() -> None:
        if tab_rows:
            doc.add_table(list(tab_rows), spans_known=False)
            tab_rows.clear()

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if "\t" in stripped and not _is_pipe_line(line):
            close_table()
            tab_rows.append([RawCell(c.strip()) for c in stripped.split("\t")])
            continue
        close_tab_table()
        if rows and not rows[-1].rstrip().endswith("|"):
            rows[-1] += "\n" + line  # a cell whose text runs over several lines
            continue
        if _is_pipe_line(line):
            if stripped.startswith("|") and not _only_pipes(line):
                rows.append(stripped)  # a new row starts with '| first cell'
            elif rows:
                rows[-1] += "\n" + stripped
            else:
                rows.append(stripped)
            continue
        close_table()
        doc.add_paragraph(stripped)
    close_table()
    close_tab_table()
    return doc
