"""A report published as a PDF, read with pdfplumber.

pdfplumber gives every character with its position; its layout mode lays the page out as
text with the columns kept apart by spaces, much as ``pdftotext -layout`` does.  That text
goes through the same path as a text copy (:mod:`.text`), where tables are read from their
cell sequence (:mod:`.sequence`): a table broken over pages is one run of lines, a label
wrapped inside its cell is a label line of its own, and page numbers are page furniture.

A scanned PDF (pages as images) has no text: the import says so instead of importing an
empty report.  Encrypted or broken files are an :class:`InputError`, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import InputError
from generator.inputs.importers.document import SourceDocument
from generator.inputs.importers.text import parse_text

MAX_PDF_BYTES = 50 * 1024 * 1024
MAX_PAGES = 200
UNREADABLE = ("无法读取这个 PDF 文件，文件可能已损坏或设有密码。"
              "请从门户网站重新下载，或把报告网页另存为 .html 后导入。")


def read_pdf(path: Path) -> SourceDocument:
    if path.stat().st_size > MAX_PDF_BYTES:
        raise InputError("PDF 文件太大，不像一份年度报告，请检查是否选错了文件。", path=path)
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover - a runtime dependency
        raise InputError("缺少读取 PDF 的组件 pdfplumber，请重新安装本程序。", path=path) from exc
    pages: list[str] = []
    try:
        with pdfplumber.open(path) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise InputError(f"PDF 有 {len(pdf.pages)} 页，不像一份年度报告，请检查是否选错了文件。",
                                 path=path)
            for page in pdf.pages:
                text = page.extract_text(layout=True) or ""
                pages.append("\n".join(line.rstrip() for line in text.splitlines()))
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many (private) types on broken files
        # the cause stays on the chain: ``--debug`` shows it, the clerk is told what to do
        raise InputError(UNREADABLE, path=path) from exc
    if not any(p.strip() for p in pages):
        raise InputError("这个 PDF 里没有文字（可能是扫描件，页面是图片），无法导入。"
                         "请找到报告的网页或 Word 版本再导入。", path=path)
    doc = parse_text("\n".join(pages))
    doc.source_format = "pdf"
    return doc
