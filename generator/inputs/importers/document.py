"""A published report as the importers see it: paragraphs and tables in reading order.

Every source format (.docx, saved portal page, plain text copied from a portal) is first
turned into a :class:`SourceDocument`; everything after that — splitting the narrative,
mapping table cells to form fields — works on this one shape and never on the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class SourceParagraph:
    """One paragraph (or one line, for plain text) outside any table."""

    text: str


@dataclass(frozen=True)
class RawCell:
    """A table cell as the source printed it: its text and, where the source says, its span."""

    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class RawTable:
    """A table's rows of cells.

    ``spans_known`` is true when the source states merges (HTML ``rowspan``/``colspan``,
    .docx ``gridSpan``/``vMerge``): then a cell's column can be computed.  Plain text copied
    from a portal loses them — cells of a row are known only in order.  ``ordinal`` is the
    table's 1-based position in the document, used in messages.
    """

    rows: tuple[tuple[RawCell, ...], ...]
    spans_known: bool
    ordinal: int = 0
    #: True for lines of text found where a table belongs (``pdftotext`` output, a copy with
    #: one cell per line): each row is one line, whose cells are still to be split.
    lines: bool = False

    @property
    def where(self) -> str:
        if self.lines:
            return "表格文字"
        return f"第{self.ordinal}个表格" if self.ordinal else "表格"

    def all_text(self) -> str:
        return "".join(cell.text for row in self.rows for cell in row)


SourceBlock = Union[SourceParagraph, RawTable]


@dataclass
class SourceDocument:
    """The blocks of one source file in reading order, and what kind of file it was."""

    blocks: list[SourceBlock] = field(default_factory=list)
    source_format: str = ""  # "text", "html" or "docx"

    def add_paragraph(self, text: str) -> None:
        text = text.strip()
        if text:
            self.blocks.append(SourceParagraph(text))

    def add_table(self, rows: list[list[RawCell]], spans_known: bool) -> None:
        rows_t = tuple(tuple(r) for r in rows if r)
        if rows_t:
            ordinal = sum(isinstance(b, RawTable) for b in self.blocks) + 1
            self.blocks.append(RawTable(rows_t, spans_known, ordinal))
