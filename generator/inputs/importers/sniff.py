"""What a file given to ``nianbao import`` really is, told by its content before its suffix.

Clerks pick the wrong file: a scanned page saved as a picture, the filled workbook itself, a
.docx someone renamed to .pdf, an .ofd from the document system.  :func:`sniff` reads the
first bytes (and, for a zip, its list of parts) and either names the reader to use —
``"docx"``, ``"pdf"``, ``"html"``, ``"text"`` — or raises an :class:`InputError` saying in
plain words what the file is and what to do instead.  A file whose content is a known
format is read as that format whatever its suffix; the suffix only decides between the
text formats (HTML or plain text), and a file read as text must look like text: NUL bytes
outside UTF-16, control characters, undecodable bytes mean it is not a report.

Nothing here parses XML: zip part names and a bounded substring search are enough.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from generator.errors import InputError
from generator.inputs import filekind

#: how much of the file the sniff reads (the binary test looks at this much text)
HEAD_BYTES = 64 * 1024
#: an OLE2 file's stream names may sit anywhere; it is searched up to this size
MAX_OLE_BYTES = 50 * 1024 * 1024
#: larger zips are not listed here (the .docx reader refuses them as too large)
MAX_ZIP_BYTES = 50 * 1024 * 1024


#: The key phrases of the refusals (tests and the README quote them).
IMAGE = "不是年报的文字，无法导入"
IMAGE_ADVICE = "扫描件请找原始的 Word 或 PDF 文件，或对照图片在填报工作簿中手工填写。"
NOT_TEXT = "这个文件的内容不是文字"
WORKBOOK = "不需要导入"
WORKBOOK_ADVICE = "用 nianbao check 检查或 nianbao build 生成报告"
REPORT_FILES = "请选择已发布年报的 Word（.docx）、PDF、网页（.html）或文本（.txt）文件。"
UNPACK = "若报告在压缩包里，请先解压，再导入其中的 .docx 或 .pdf 文件。"
OLD_DOC = ("不能直接读取旧的 .doc/.wps 文件。请在 Word 或 WPS 中打开，"
           "另存为 .docx 后再导入。")

def sniff(path: Path, suffix_kind: str | None) -> str:
    """The reader for ``path`` (``suffix_kind`` is what its suffix says, or None), or an
    :class:`InputError` when the file is not a report at all."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
            more = bool(handle.read(1))
    except PermissionError as exc:
        raise InputError("没有读取该文件的权限；若文件正在 Word 或 WPS 中打开，请关闭后重试。",
                         path=path) from exc
    except OSError as exc:
        raise InputError(f"无法读取该文件（{exc.strerror}），请检查路径和权限。", path=path) from exc
    if not head:
        raise InputError("文件是空的（0 字节），可能未保存或未完整复制。请重新保存或复制后再导入。",
                         path=path)
    if filekind.PDF_MAGIC in head[:1024]:
        return "pdf"
    if head.startswith(filekind.ZIP_MAGICS):
        return _zip_kind(path)
    if head.startswith(filekind.OLE2_MAGIC):
        _refuse_ole2(path)
    image = filekind.picture_kind(head)
    if image:
        raise InputError(f"这是一张图片（{image}），{IMAGE}。{IMAGE_ADVICE}", path=path)
    archive = filekind.archive_kind(head)
    if archive:
        raise InputError(f"这是一个{archive}，不是报告文件。{UNPACK}", path=path)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(filekind.RTF_MAGIC):
        raise InputError("这是 RTF 格式的文档，不能直接读取。请在 Word 或 WPS 中打开，"
                         "另存为 .docx 后再导入。", path=path)
    if path.suffix.lower() in (".doc", ".wps"):
        raise InputError(OLD_DOC, path=path)
    kind = suffix_kind if suffix_kind in ("html", "text") else _text_kind(head)
    # a sample cut from a longer file may end inside a character (GB18030, UTF-8, a
    # surrogate pair): it is text if it is text without its last few bytes
    samples = [head[:len(head) - cut] for cut in range(4)] if more else [head]
    if all(looks_binary(sample) for sample in samples):
        raise InputError(f"{NOT_TEXT}（是其他软件的数据），不是年度报告，无法导入。{REPORT_FILES}",
                         path=path)
    return kind


def _text_kind(head: bytes) -> str:
    lowered = head.lower()
    if b"<html" in lowered or b"<table" in lowered or b"<!doctype" in lowered:
        return "html"
    return "text"


def looks_binary(data: bytes) -> bool:
    """``data`` is not text in any encoding a report's text comes in.

    Decoded as :func:`~.text.decode_text` would (so UTF-16, with or without BOM, is text
    despite its NUL bytes), it is binary when more than one character in fifty is a control
    character (not tab, line end, form feed), an undecodable byte, a private-use or a
    non-character: a picture or a program decoded as text is full of them, a report never.
    """
    from generator.inputs.importers.text import decode_text

    text = decode_text(data)
    bad = sum(1 for ch in text
              if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ch == "\x7f" or ch == "\ufffd"
              or "\ue000" <= ch <= "\uf8ff" or ch in "\ufffe\uffff")
    return bad >= 4 and bad * 50 > len(text)


def _zip_kind(path: Path) -> str:
    """A zip: a .docx is read; a workbook, a presentation, an OFD or a plain zip is refused."""
    if path.stat().st_size > MAX_ZIP_BYTES:
        return "docx"  # the .docx reader says it is too large
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = _read_small(archive, "mimetype") if "mimetype" in names else b""
            workbook = (_read_small(archive, "xl/workbook.xml", 65536)
                        if "xl/workbook.xml" in names else b"")
    except Exception:  # noqa: BLE001 - a damaged zip: the .docx reader's guard says so
        return "docx"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if b"nb.meta." in workbook or "基本信息".encode() in workbook:
            what = "这是 nianbao 的填报工作簿"
        else:
            what = "这是 Excel 电子表格（.xlsx），不是已发布的年度报告；若它是填报工作簿，"
        raise InputError(f"{what}，{WORKBOOK}：请{WORKBOOK_ADVICE}。"
                         "nianbao import 导入的是已发布的年报（.docx、.pdf、.html 或 .txt）。",
                         path=path)
    if b"opendocument.spreadsheet" in mimetype:
        raise InputError("这是 OpenDocument 电子表格（.ods），不是已发布的年度报告；若它是填报工作簿，"
                         f"请在 WPS 或 Excel 中另存为 .xlsx，再{WORKBOOK_ADVICE}。", path=path)
    if b"opendocument" in mimetype:
        raise InputError("这是 OpenDocument 文档（.odt，常见于 WPS、LibreOffice），不能直接读取。"
                         "请在 WPS 或 LibreOffice 中打开，另存为 .docx 后再导入。", path=path)
    if "OFD.xml" in names:
        raise InputError("这是 OFD 版式文件，nianbao 不能读取。请在 OFD 阅读器中打开，导出为 PDF "
                         "后再导入，或找报告原始的 Word 文件。", path=path)
    if "ppt/presentation.xml" in names:
        raise InputError(f"这是 PowerPoint 演示文稿，不是年度报告，无法导入。{REPORT_FILES}", path=path)
    if "[Content_Types].xml" in names:
        return "docx"  # an Office package with its main part elsewhere: python-docx follows rels
    raise InputError(f"这是一个 zip 压缩包，不是报告文件。{UNPACK}", path=path)


def _read_small(archive: zipfile.ZipFile, name: str, limit: int = 256) -> bytes:
    with archive.open(name) as stream:
        return stream.read(limit)


def _refuse_ole2(path: Path) -> None:
    """An OLE2 compound file: an old .doc/.wps, an old .xls, an encrypted Office file, ….

    What it holds (:func:`~generator.inputs.filekind.ole2_contents`) tells the kinds apart;
    a report is what is expected here, so a Word document is looked for before a workbook.
    """
    with path.open("rb") as handle:
        contents = filekind.ole2_contents(handle.read(MAX_OLE_BYTES))
    if filekind.ENCRYPTED in contents:
        raise InputError("这个文件设有密码（已加密），无法读取。请在 Word 或 WPS 中打开，取消密码后"
                         "另存为 .docx 再导入。", path=path)
    if filekind.WORD in contents:
        raise InputError(OLD_DOC, path=path)
    if filekind.EXCEL in contents:
        raise InputError("这是旧版 Excel 工作簿（.xls），不是已发布的年度报告，无法导入。若它是填报"
                         f"工作簿，{WORKBOOK}：请在 Excel 或 WPS 中另存为 .xlsx，再{WORKBOOK_ADVICE}。",
                         path=path)
    if filekind.POWERPOINT in contents:
        raise InputError(f"这是旧版 PowerPoint 演示文稿（.ppt），不是年度报告，无法导入。{REPORT_FILES}",
                         path=path)
    raise InputError("这是旧版 Office 格式的文件（如 .doc、.wps），不能直接读取。请在 Word 或 WPS 中"
                     "打开，另存为 .docx 后再导入。", path=path)
