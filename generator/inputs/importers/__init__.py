"""Importing a published annual report (.docx, PDF, saved portal page, or copied text) as a model.

:func:`import_report` reads the file into paragraphs and tables
(:mod:`.text`, :mod:`.html`, :mod:`.docx`, :mod:`.pdf`), splits the narrative into text slots
(:mod:`.narrative`), maps the tables' cells to form fields (:mod:`.tables`) and returns the
:class:`~generator.report.model.Report` with everything it could not place (``unmapped``, with the
text seen) and what the clerk should know (``notes``: 2019-format mappings, labels matched
only approximately, values joined by the form's arithmetic).  Nothing is invented: a number
the report did not print (a blank cell, a table that could not be read) is left out of the
model — the workbook cell stays blank — and listed in ``unread`` and ``problems``; totals are
as printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import InputError
from generator.inputs.importers.document import SourceDocument
from generator.inputs.importers.narrative import (
    agency_from_opening,
    contacts_from_opening,
    drop_trailing_signature,
    join_wrapped_lines,
    processing_fee_from,
    split_narrative,
    year_from_opening,
)
from generator.inputs.labels import normalise
from generator.report.model import Meta, Narrative, Numbers, Report

if TYPE_CHECKING:
    from generator.findings import Finding
from generator.form import field_path
from generator.inputs.importers.tables import map_tables, table_status, unread_fields

#: file suffix -> source format
SUFFIXES: dict[str, str] = {
    ".docx": "docx",
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
    ".txt": "text", ".text": "text", ".md": "text",
    ".pdf": "pdf",
}
FORMAT_NAMES = {"docx": "Word 文档（.docx）", "html": "网页（.html）", "text": "纯文本",
                "pdf": "PDF 文件"}


@dataclass(frozen=True)
class ImportResult:
    """The imported report and everything the clerk must look at before trusting it."""

    report: Report
    unmapped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source_format: str = ""  # "docx", "html", "text" or "pdf"
    form_version: str = "2021"  # "2019" when the tables follow the 2019 trial format
    blanks: tuple[str, ...] = ()  # field ids printed blank (left blank)
    #: input field ids the import holds no number for (blank in the workbook), form order
    unread: tuple[str, ...] = ()
    #: why numbers are missing, per table or row, in words for the clerk
    problems: list[str] = field(default_factory=list)
    #: per table: found or not, cells read
    table_status: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every input cell of the three tables was read from the report."""
        return not self.unread


def detect_format(path: Path) -> str:
    """The source format of ``path``: by its content (a .docx renamed to .pdf is read as a
    .docx), the suffix deciding only between HTML and plain text.  Files that are not a
    report — a picture, a workbook, an archive, binary data — are an :class:`InputError`
    saying what they are (:mod:`.sniff`)."""
    from generator.inputs.importers.sniff import sniff

    return sniff(path, SUFFIXES.get(path.suffix.lower()))


def check_source(path: Path) -> str:
    """The source format of ``path`` once it is known to be a file holding a report's text;
    cheap (the first bytes only), so callers run it before any other work."""
    if not path.exists():
        raise InputError("找不到该文件，请检查路径是否正确。", path=path)
    if path.is_dir():
        raise InputError("这是一个文件夹，不是报告文件。", path=path)
    return detect_format(path)


def read_source(path: Path, kind: str | None = None) -> SourceDocument:
    """Paragraphs and tables of the file, whatever its format (``kind``: what
    :func:`check_source` already said of it)."""
    kind = kind or check_source(path)
    if kind == "docx":
        from generator.inputs.importers.docx import read_docx
        return read_docx(path)
    if kind == "pdf":
        from generator.inputs.importers.pdf import read_pdf
        return read_pdf(path)
    if kind == "html":
        from generator.inputs.importers.html import read_html
        return read_html(path)
    from generator.inputs.importers.text import read_text
    return read_text(path)


def import_report(path: str | Path, *, agency: str | None = None,
                  year: int | None = None, kind: str | None = None) -> ImportResult:
    """Read a published report into a :class:`Report`; ``agency``/``year`` override the text,
    ``kind`` is what :func:`check_source` already said of the file.

    Raises :class:`InputError` when the file cannot be read, holds no recognisable report,
    or the agency/year cannot be found and were not given.
    """
    path = Path(path)
    source = read_source(path, kind)
    result = import_source(source, agency=agency, year=year, path=path)
    suffix = path.suffix.lower()
    said = SUFFIXES.get(suffix)
    if said and said != source.source_format:  # read by its content, not its suffix
        right = {"docx": ".docx", "pdf": ".pdf"}.get(source.source_format, "")
        note = (f"文件的扩展名是 {suffix}，实际内容是 {FORMAT_NAMES[source.source_format]}，"
                "已按实际内容读取" + (f"；建议把扩展名改为 {right}" if right else ""))
        result = replace(result, notes=[note, *result.notes])
    return result


def import_source(source: SourceDocument, *, agency: str | None = None,
                  year: int | None = None, path: Path | None = None) -> ImportResult:
    """:func:`import_report` for an already parsed source (tests build sources in memory)."""
    blocks = source.blocks
    if source.source_format in ("text", "pdf"):
        blocks = join_wrapped_lines(blocks)  # lines of a crawler or pdftotext: paragraphs again
    split = split_narrative(blocks)
    tables = map_tables(split.tables)
    if not split.parts and not tables.tables_found:
        raise InputError("没有找到年度报告的内容（既没有“一、总体情况”等章节，也没有统计表）。"
                         "请确认选择的是年度报告本身。", path=path)
    opening = split.opening
    agency = agency or split.title_agency or agency_from_opening(opening)
    year = year or split.title_year or year_from_opening(opening)
    missing = [name for name, value in (("机关名称", agency), ("报告年度", year)) if not value]
    if missing:
        options = " ".join(f"--{'agency 机关全称' if m == '机关名称' else 'year 年度'}" for m in missing)
        raise InputError(f"报告中找不到{'和'.join(missing)}（标题和开头段落里都没有）。"
                         f"请在命令后加上 {options} 再导入。", path=path)
    contacts = contacts_from_opening(opening)
    signature = split.signature or drop_trailing_signature(split, agency)
    signatory = signature if signature and normalise(signature) != normalise(agency) else ""
    fee = processing_fee_from("".join(split.parts["other.fees"].paragraphs)
                              if "other.fees" in split.parts else "")
    meta = Meta(agency=agency, year=int(year), publish_date=split.publish_date,
                signatory=signatory, processing_fee=Decimal(fee) if fee else Decimal(0),
                **contacts)
    report = Report(meta, Narrative(split.parts), Numbers(tables.values))
    notes = list(split.notes) + list(tables.notes)
    problems = list(tables.problems)
    problems.extend(f"空白单元格：{field_path(fid)}（原报告此格为空，工作簿中留空，请对照原文填写）"
                    for fid in tables.blanks)
    unread = tuple(unread_fields(tables.values))
    return ImportResult(
        report=report,
        unmapped=list(split.unmapped) + list(tables.unmapped),
        notes=notes,
        source_format=source.source_format,
        form_version="2019" if tables.format_2019 else "2021",
        blanks=tuple(tables.blanks),
        unread=unread,
        problems=problems,
        table_status=table_status(tables.values, tables.tables_found),
    )


UNREAD_RULE = "I-1"


def unread_findings(result: ImportResult) -> list["Finding"]:
    """One error per table naming the workbook cells the import left blank.

    ``import --check`` counts them: a report whose numbers could not all be read has not
    been checked, whatever its arithmetic says.
    """
    from generator.findings import Finding, Severity
    from generator.form import FIELD_BY_ID, TABLES
    from generator.report.layout import default_field_address

    findings: list[Finding] = []
    for form in TABLES:
        ids = [fid for fid in result.unread if FIELD_BY_ID[fid].table == form.key]
        if not ids:
            continue
        cells = tuple(str(default_field_address(FIELD_BY_ID[fid])) for fid in ids)
        findings.append(Finding(
            Severity.ERROR, UNREAD_RULE,
            f"{form.name}有 {len(ids)} 格没能从原报告中读出（工作簿中留空）",
            cells, hint="请对照原报告把这些格填上；原报告确实印的是 0 才填 0。",
            field_ids=tuple(ids)))
    return findings


__all__ = ["ImportResult", "unread_findings", "UNREAD_RULE", "import_report", "import_source", "read_source", "detect_format",
           "check_source", "FORMAT_NAMES"]
