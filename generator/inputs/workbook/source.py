"""Opening a workbook file the clerk gave us: refuse what is not a readable .xlsx, clearly.

Everything that touches the raw file goes through :func:`inspect_workbook_file` (and the
loaders built on it), so the guards against broken, encrypted, old-format and hostile files
live in one place.  The order matters: the file is read once, as bytes, and judged *before*
openpyxl parses anything —

1. the file itself: exists, is a regular file, not empty, not larger than
   :data:`~generator.limits.MAX_FILE_BYTES`;
2. its magic bytes (never its extension): an OLE2 compound file is an old .xls or an
   encrypted workbook, text is a CSV, and so on;
3. the zip archive (:mod:`generator.inputs.ooxml`, the guard shared with .docx reports):
   it opens (else it is truncated or damaged), has a sane number of parts, and every part's
   declared size and compression ratio are within the limits (zip bomb);
4. what the archive holds: .ods, .docx, .xlsb and plain zip files are told apart from .xlsx;
5. every part, decompressed once and streamed in bounded chunks: no ``<!DOCTYPE``/
   ``<!ENTITY`` (entity expansion, external entities), a plain encoding, and per worksheet
   no more rows or cells than the limits — so a sheet with a million rows is refused after
   reading its first ten thousand, not loaded.

Only then is anything parsed: the reader (:mod:`.grid`) parses the XML parts the guard
decompressed (:attr:`WorkbookFile.parts`), so each part is inflated once and what was
checked is what is parsed; openpyxl (for callers that need a full workbook) parses the
checked bytes, never the path again, through defusedxml (``openpyxl.xml.DEFUSEDXML``) or
lxml with entity resolution off.

Macro-enabled workbooks (.xlsm, a ``vbaProject.bin`` part) are *read*: openpyxl never runs
macros and, with ``keep_vba`` off, does not even keep them in memory; nianbao never writes
the clerk's file back.  :attr:`WorkbookFile.has_macros` tells a caller that wants to warn.

The input file is only ever opened for reading; its bytes and modification time stay as
they were.
"""

from __future__ import annotations

import codecs
import io
import re
import stat
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Iterator

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.utils import column_index_from_string
from openpyxl.workbook.workbook import Workbook

from generator import limits
from generator.errors import InputError
from generator.inputs import filekind, ooxml
from generator.inputs.ooxml import DAMAGED, TOO_LARGE
from generator.safeio import mark_input

if TYPE_CHECKING:
    from generator.inputs.workbook.grid import WorkbookGrid

# --- Messages ----------------------------------------------------------------------------
# Every refusal says what the file is and what to do.  Key phrases are stable: the tests and
# the README quote them.

SAVE_AS_XLSX = "请在 Excel 或 WPS 中打开，另存为 .xlsx 格式后重试。"
NOT_XLSX = "这不是 Excel 工作簿（.xlsx）文件"
DAMAGED_WHAT_TO_DO = ("请从原处（邮件附件、U 盘）重新复制一份；若仍不行，请在 Excel 或 WPS 中打开，"
                      "另存为新的 .xlsx 文件后重试。")
ENCRYPTED = "该文件已加密，请在 Excel 中取消密码（文件→信息→保护工作簿）后重试。"
SUSPICIOUS_WHAT_TO_DO = ("请向文件提供方核实；如需继续，请用 nianbao init 生成新的工作簿，"
                         "把内容重新填入后再试。")
TOO_MANY_ROWS = "行数过多"


#: A tag's namespace prefix, if it has one (``x:``), matched possessively (``*+``, ``?+``): a
#: tag name is never a prefix, so the engine need not give its letters back one by one at
#: every "<" (this more than halved the scan).
_PREFIX = r"(?:[A-Za-z_][\w.-]*+:)?+"
#: A ``row`` tag's name and, if it has one, its ``r`` (one group), after the "<" and prefix.
#: The look for ``r`` stops at the next "<" as well as at ">": an attribute holds no "<" in
#: well-formed XML, and without that stop a part of ``<row `` repeated and never closed cost
#: time growing with the square of its length (seconds per chunk, from a tiny upload).
_ROW_TAIL = r'row(?=[\s/>])(?:[^<>]*?\sr\s*=\s*["\'](\d+))?'
#: A ``<c>`` (group 1 "c") or a ``<row>`` with its ``r`` if it has one (group 2), in one
#: pass: one pattern over a sheet costs a third of two.
_ROW_OR_CELL = re.compile(rf"<{_PREFIX}(c(?=[\s/>])|{_ROW_TAIL})")
#: The rows of :data:`_ROW_OR_CELL` alone (their ``r``, or ""): it finds the same rows, as
#: no ``<c>`` it matches can hide a row from it.
_ROW = re.compile(rf"<{_PREFIX}{_ROW_TAIL}")
#: :data:`_ROW` for a stretch without ":row", where no row has a prefix.  Its literal start
#: "<row" lets the regex engine skip from row to row instead of trying every tag: several
#: times faster over a sheet.
_UNPREFIXED_ROW = re.compile(rf"<{_ROW_TAIL}")
#: Every ``<c>`` and ``<si>`` that :data:`_ROW_OR_CELL` and :data:`_SHARED_STRING` count
#: takes at least three characters of the text ("<c" and the character after the name,
#: which is not the "<" of another), so a text this many times a limit cannot exceed it.
_CHARS_PER_COUNTED_TAG = 3
_SHARED_STRING = re.compile(rf"<{_PREFIX}si(?=[\s/>])")
#: A merge's corners; its look for ``ref`` stops at "<" too, as :data:`_ROW_TAIL`'s does.
_MERGE = re.compile(rf'<{_PREFIX}mergeCell(?=[\s/>])[^<>]*?\sref\s*=\s*["\']'
                    r'\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?')
WORKSHEET_CONTENT_TYPE = "spreadsheetml.worksheet+xml"
SHARED_STRINGS_PART = "xl/sharedStrings.xml"


@dataclass(frozen=True)
class WorkbookFile:
    """A workbook file that passed every check, held in memory as the bytes that were checked."""

    path: Path
    data: bytes
    #: sheet names in workbook order, as declared in ``xl/workbook.xml``
    sheet_names: tuple[str, ...]
    #: the file carries a VBA project (.xlsm); it is never executed
    has_macros: bool
    #: the XML parts as the guard decompressed them: the reader parses these, not ``data``
    parts: ooxml.Parts = field(default_factory=lambda: ooxml.Parts({}, frozenset()))


#: How the guard names a workbook and what it tells the clerk.
WORKBOOK = ooxml.PackageKind("工作簿", SUSPICIOUS_WHAT_TO_DO, DAMAGED_WHAT_TO_DO)


def load_workbook(path: str | Path) -> Workbook:
    """Open ``path`` as an openpyxl workbook (formulas kept, not cached values).

    Raises :class:`InputError` with a Chinese message for anything that is not a readable
    .xlsx workbook, before openpyxl parses it.  The file itself is never written.
    """
    return parse_workbook(inspect_workbook_file(path), data_only=False)


def load_cached_values(path: str | Path) -> Workbook:
    """The same file opened for the values Excel cached for formula cells (may be None)."""
    return parse_workbook(inspect_workbook_file(path), data_only=True)


def parse_workbook(checked: WorkbookFile, *, data_only: bool) -> Workbook:
    """Let openpyxl parse bytes that :func:`inspect_workbook_file` accepted.

    A caller that needs both the formulas and the cached values inspects once and parses
    twice.  Any failure of openpyxl on such bytes is a damaged file, said in Chinese.
    """
    with _parse_errors(checked):
        return openpyxl.load_workbook(io.BytesIO(checked.data), data_only=data_only,
                                      keep_vba=False, keep_links=False)


def load_grid(path: str | Path) -> "WorkbookGrid":
    """Inspect ``path`` once and read it into a :class:`~generator.inputs.workbook.grid.WorkbookGrid`.

    What the reader uses: formulas and their cached values from one read-only parse, several
    times faster than the two full loads of :func:`load_workbook` and
    :func:`load_cached_values`.  Refusals are the same as theirs.
    """
    return parse_grid(inspect_workbook_file(path))


def parse_grid(checked: WorkbookFile) -> "WorkbookGrid":
    """:func:`load_grid` for bytes that :func:`inspect_workbook_file` accepted."""
    from generator.inputs.workbook.grid import grid_from_parts

    with _parse_errors(checked):
        return grid_from_parts(checked.parts)


@contextmanager
def _parse_errors(checked: WorkbookFile) -> Iterator[None]:
    """Any failure of openpyxl on checked bytes becomes a Chinese message for the clerk."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (x14 validations, …); those are
            # not the clerk's concern and must not clutter the command's output.
            warnings.simplefilter("ignore")
            yield
    except MemoryError as exc:
        raise InputError(f"{TOO_LARGE}，读取时内存不足。请确认选对了文件。", path=checked.path) from exc
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for broken files
        if isinstance(exc, DefusedXmlException):
            raise InputError(f"{WORKBOOK.noun}{ooxml.ENTITIES}。{SUSPICIOUS_WHAT_TO_DO}",
                             path=checked.path) from exc
        raise InputError(
            f"{DAMAGED}，无法作为 .xlsx 工作簿读取（内部数据不合格式）。{DAMAGED_WHAT_TO_DO}",
            path=checked.path) from exc


def inspect_workbook_file(path: str | Path) -> WorkbookFile:
    """Read ``path`` once and check everything that can be checked without openpyxl.

    Returns the checked bytes, or raises :class:`InputError` naming the file and saying
    what to do.
    """
    path = Path(path)
    data = _read_file(path)
    head = data[:8]
    if head.startswith(filekind.OLE2_MAGIC):
        _refuse_ole2(path, data)
    if not head.startswith(filekind.ZIP_MAGICS):
        _refuse_not_zip(path, data)
    archive = ooxml.open_archive(path, data, WORKBOOK)
    with archive:
        try:
            return _inspect_archive(path, data, archive)
        except InputError:
            raise
        except MemoryError as exc:
            raise InputError(f"{TOO_LARGE}，读取时内存不足。请确认选对了文件。", path=path) from exc
        except Exception as exc:  # noqa: BLE001 - zipfile raises many types for a broken file
            raise InputError(f"{DAMAGED}（有部件无法解压）。{DAMAGED_WHAT_TO_DO}",
                             path=path) from exc


# --- 1. The file itself ------------------------------------------------------------------


def _read_file(path: Path) -> bytes:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError("找不到该文件，请检查路径是否正确。", path=path) from None
    except OSError as exc:
        raise InputError(f"无法访问该文件（{exc.strerror}），请检查路径和权限。", path=path) from exc
    if stat.S_ISDIR(info.st_mode):
        raise InputError("这是一个文件夹，不是工作簿文件。", path=path)
    if not stat.S_ISREG(info.st_mode):
        raise InputError("这不是普通文件（可能是设备或管道），请选择 .xlsx 工作簿文件。", path=path)
    if path.name.startswith("~$"):
        raise InputError("这是 Excel 打开工作簿时生成的临时锁文件，不是工作簿。请关闭 Excel 后"
                         "忽略或删除它，选择真正的工作簿文件。", path=path)
    mark_input(path)  # whatever this run writes, it must never replace this file
    if info.st_size > limits.MAX_FILE_BYTES:
        raise InputError(too_large_message(info.st_size), path=path)
    try:
        with path.open("rb") as stream:  # read-only: the clerk's file is never written
            data = stream.read(limits.MAX_FILE_BYTES + 1)
    except PermissionError as exc:
        raise InputError("没有读取该文件的权限；若文件正在 Excel 中打开，请关闭后重试。",
                         path=path) from exc
    except OSError as exc:
        raise InputError(f"读取文件失败（{exc.strerror}）。{DAMAGED_WHAT_TO_DO}", path=path) from exc
    if len(data) > limits.MAX_FILE_BYTES:  # it grew while we looked
        raise InputError(too_large_message(len(data)), path=path)
    if not data:
        raise InputError("文件是空的（0 字节），可能未保存或未完整复制。请重新保存或复制工作簿后重试。",
                         path=path)
    return data


def too_large_message(size: int) -> str:
    return (f"{TOO_LARGE}（{ooxml.mb(size)}，上限 {ooxml.mb(limits.MAX_FILE_BYTES)}），不像是年报填报工作簿。"
            "请确认选对了文件；若工作簿中插入了大图片，请删除后另存再试。")


# --- 2. Magic bytes ----------------------------------------------------------------------


def _other_file(head: bytes) -> str | None:
    """What to call a file clerks mix up with a workbook (「PNG 图片」「RAR 压缩包（请先解压）」)."""
    if head.startswith(filekind.PDF_MAGIC):
        return "PDF 文件"
    if head.startswith(filekind.RTF_MAGIC):
        return "RTF 文档"
    picture = filekind.picture_kind(head)
    if picture:
        return f"{picture} 图片"
    archive = filekind.archive_kind(head)
    return f"{archive}（请先解压）" if archive else None


def _refuse_ole2(path: Path, data: bytes) -> None:
    """An OLE2 compound file: an encrypted workbook, an old .xls, or another old Office file.

    The answer is a refusal in every case, only the advice differs (:func:`ole2_contents`;
    a workbook is what is expected here, so it is looked for before a Word document).
    """
    contents = filekind.ole2_contents(data)
    if filekind.ENCRYPTED in contents:
        raise InputError(ENCRYPTED, path=path)
    if filekind.EXCEL in contents:
        raise InputError(f"这是旧版 Excel 97-2003 工作簿（.xls）。{SAVE_AS_XLSX}", path=path)
    if filekind.WORD in contents:
        raise InputError("这是旧版 Word 文档（.doc），不是填报工作簿。请选择填报用的 .xlsx 工作簿。",
                         path=path)
    raise InputError(f"这是旧版 Office 文件，不是 .xlsx 工作簿。{SAVE_AS_XLSX}", path=path)


def _refuse_not_zip(path: Path, data: bytes) -> None:
    kind = _other_file(data[:64])
    if kind:
        raise InputError(f"{NOT_XLSX}，而是{kind}。请选择填报用的 .xlsx 工作簿。", path=path)
    text = _as_text(data[:65536])
    if text is not None:
        start = text.lstrip("\ufeff \t\r\n")[:2048].lower()
        if "urn:schemas-microsoft-com:office:spreadsheet" in text[:65536]:
            raise InputError(f"{NOT_XLSX}，而是“XML 电子表格 2003”格式。{SAVE_AS_XLSX}", path=path)
        if start.startswith(("<!doctype html", "<html", "<table", "<meta")) or "<html" in start:
            raise InputError(f"{NOT_XLSX}，而是网页（HTML）格式的表格，常见于从其他系统导出的"
                             f"“.xls”文件。{SAVE_AS_XLSX}", path=path)
        if start.startswith("<"):
            raise InputError(f"{NOT_XLSX}，而是 XML 文本文件。请选择填报用的 .xlsx 工作簿。", path=path)
        lines = [line for line in text.splitlines()[:20] if line.strip()]
        # CSV: most lines split by ASCII commas or tabs (Chinese prose uses "，", not ",")
        if lines and sum(("," in line or "\t" in line) for line in lines) >= max(
                1, (len(lines) + 1) // 2):
            raise InputError(f"{NOT_XLSX}，而是文本格式的表格（CSV）。{SAVE_AS_XLSX}", path=path)
        raise InputError(f"{NOT_XLSX}，而是纯文本文件。请选择填报用的 .xlsx 工作簿；"
                         f"若内容来自 Excel，{SAVE_AS_XLSX}", path=path)
    raise InputError(f"{NOT_XLSX}（无法识别文件内容）。请确认选对了文件；若它能在 Excel 中打开，"
                     f"{SAVE_AS_XLSX}", path=path)


def _as_text(sample: bytes) -> str | None:
    """``sample`` decoded if it looks like text (UTF-8/16 or GB18030), else None."""
    candidates: list[str] = []
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates.append("utf-16")
    elif b"\x00" in sample:
        return None
    candidates += ["utf-8-sig", "gb18030"]
    for encoding in candidates:
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError as exc:
            # a multi-byte character cut at the end of the sample is still text
            if exc.start < len(sample) - 4:
                continue
            text = sample[:exc.start].decode(encoding, errors="replace")
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
        if controls <= len(text) // 100:
            return text
    return None


# --- 3–5. The archive --------------------------------------------------------------------

#: Parts read before the others: the sheet names they give let later messages name a sheet.
_FIRST_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml")


def _inspect_archive(path: Path, data: bytes, archive: zipfile.ZipFile) -> WorkbookFile:
    entries = [info for info in archive.infolist() if not info.is_dir()]
    names = {info.filename for info in entries}
    ooxml.check_entries(path, entries, WORKBOOK)
    _refuse_other_zip_kinds(path, archive, names)
    if any(info.flag_bits & 0x1 for info in entries):
        raise InputError(ENCRYPTED, path=path)

    # The DOCTYPE scan runs over workbook.xml and its relationships before they are parsed
    # to learn the sheet names; the rest is scanned after, so messages can name the sheet.
    first: dict[str, bytes | None] = {}
    for name in _FIRST_PARTS:
        if name in names:
            first[name] = ooxml.read_part(path, archive, archive.getinfo(name), WORKBOOK)
    parts = ooxml.Parts({k: v for k, v in first.items() if v is not None}, frozenset(first))
    sheet_names, part_to_sheet = _sheet_parts(parts)
    if len(sheet_names) > limits.MAX_SHEETS:
        raise InputError(f"工作表过多（{len(sheet_names)} 个，上限 {limits.MAX_SHEETS} 个），"
                         "不像是年报填报工作簿。请确认选对了文件。", path=path)
    learnt = bool(part_to_sheet)
    for name, part in first.items():  # a sheet's relationship may point at one of these
        if part and (name in part_to_sheet or not learnt):
            _Counter(path, archive.getinfo(name), part_to_sheet.get(name))(_scan_text(part))

    def counter(info: zipfile.ZipInfo) -> "_Counter | None":
        sheet = part_to_sheet.get(info.filename)
        if sheet is None and learnt and _never_a_sheet(info.filename):
            return None
        return _Counter(path, info, sheet)

    parts = ooxml.read_parts(path, archive, entries, WORKBOOK, counter, already=first,
                             trees=parts)
    has_macros = any(n.rsplit("/", 1)[-1].lower() == "vbaproject.bin" for n in names)
    return WorkbookFile(path=path, data=data, sheet_names=tuple(sheet_names),
                        has_macros=has_macros, parts=parts)


def _refuse_other_zip_kinds(path: Path, archive: zipfile.ZipFile, names: set[str]) -> None:
    """Zip-based files that are not .xlsx: OpenDocument, Word, PowerPoint, .xlsb, plain zip."""
    if "mimetype" in names:
        mimetype = _read_small(archive, "mimetype")
        if b"opendocument.spreadsheet" in mimetype:
            raise InputError(f"{NOT_XLSX}，而是 OpenDocument 电子表格（.ods，常见于 LibreOffice/WPS）。"
                             "请在 LibreOffice、WPS 或 Excel 中打开，另存为 .xlsx 格式后重试。",
                             path=path)
        if b"opendocument" in mimetype:
            raise InputError(f"{NOT_XLSX}，而是 OpenDocument 文档（.odt 等），不是工作簿。"
                             "请选择填报用的 .xlsx 工作簿。", path=path)
    if "word/document.xml" in names:
        raise InputError(f"{NOT_XLSX}，而是 Word 文档（.docx）。请选择填报用的 .xlsx 工作簿"
                         "（若要由已发布的年报生成工作簿，请用 nianbao import）。", path=path)
    if "ppt/presentation.xml" in names:
        raise InputError(f"{NOT_XLSX}，而是 PowerPoint 演示文稿。请选择填报用的 .xlsx 工作簿。",
                         path=path)
    if "xl/workbook.bin" in names:
        raise InputError(f"这是 Excel 二进制工作簿（.xlsb），nianbao 不能读取。{SAVE_AS_XLSX}",
                         path=path)
    if "[Content_Types].xml" not in names:
        raise InputError(f"{NOT_XLSX}，而是普通的 zip 压缩包。若工作簿在压缩包里，请先解压，"
                         "再选择其中的 .xlsx 文件。", path=path)
    if "xl/workbook.xml" not in names:
        raise InputError(f"{DAMAGED}：找不到工作簿的主体部分（xl/workbook.xml）。{DAMAGED_WHAT_TO_DO}",
                         path=path)
    if b"purl.oclc.org/ooxml/spreadsheetml" in _read_small(archive, "xl/workbook.xml", 4096):
        raise InputError("这是“Strict Open XML 电子表格”格式，nianbao 不能读取。请在 Excel 中"
                         "另存为普通的“Excel 工作簿 (*.xlsx)”格式后重试。", path=path)


def _read_small(archive: zipfile.ZipFile, name: str, limit: int = 256) -> bytes:
    with archive.open(name) as stream:
        return stream.read(limit)


def _sheet_parts(first: ooxml.Parts) -> tuple[list[str], dict[str, str]]:
    """Sheet names in order, and each worksheet part's sheet name (for messages).

    Both parts were scanned already (no DTD, bounded size) and are parsed safely.
    A workbook whose names cannot be learnt here is left for the reader to judge.
    """
    try:
        workbook = first.xml("xl/workbook.xml")
        rels = first.xml("xl/_rels/workbook.xml.rels") \
            if "xl/_rels/workbook.xml.rels" in first else None
    except Exception:  # noqa: BLE001 - malformed XML: the reader will refuse it with a message
        return [], {}
    targets: dict[str, str] = {}
    if rels is not None:
        for rel in rels:
            rel_id, target = rel.get("Id"), rel.get("Target")
            if rel_id and target:
                resolved = (target.lstrip("/") if target.startswith("/")
                            else str(PurePosixPath("xl") / target))
                targets[rel_id] = _normalise_part(resolved)
    sheet_names: list[str] = []
    part_to_sheet: dict[str, str] = {}
    for element in workbook.iter("{*}sheet"):  # in any namespace, as before: lxml filters
        name = element.get("name") or "?"
        sheet_names.append(name)
        rel_id = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
        if rel_id in targets:
            part_to_sheet[targets[rel_id]] = name
    return sheet_names, part_to_sheet


def _normalise_part(name: str) -> str:
    parts: list[str] = []
    for piece in name.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _never_a_sheet(name: str) -> bool:
    """Parts no reader parses as a worksheet once the workbook named its sheets' parts: their
    rows and cells need no counting (their DTD scan still runs)."""
    return (name.endswith(".rels") or name.startswith(("docProps/", "xl/theme/"))
            or name in ("xl/styles.xml", "xl/workbook.xml", "[Content_Types].xml"))


def _scan_text(part: bytes) -> str:
    """A part's markup as the guard's streaming scan sees it (Latin-1, NUL bytes dropped)."""
    return part.decode("latin-1").replace("\x00", "")


class _Counter:
    """Counts one part's rows, cells, merges and shared strings while the guard streams it.

    Every part that may be parsed as a worksheet is counted: those the workbook names as
    sheets, and every other part but the few known never to be one (:func:`_never_a_sheet`);
    when the names could not be learnt, every part.

    Rows (their number and the highest ``r``) and merges are counted exactly in every
    stretch, so a million-row sheet is refused after its first ten thousand rows.  Cells
    and shared strings are not counted until the part's text is long enough to hold more
    than the limit (:data:`_CHARS_PER_COUNTED_TAG`): a workbook's sheets never are, and
    counting them is most of the cost of the scan.  The stretches seen until then are held
    (at most three times the limit in characters, plus one stretch) and counted when the
    text gets that long, so every check is made at the same stretch as if all were counted.
    """

    def __init__(self, path: Path, info: zipfile.ZipInfo, sheet: str | None) -> None:
        self.path = path
        self.where = f"工作表「{sheet}」" if sheet else f"部件 {info.filename}"
        self.shared_strings = info.filename == SHARED_STRINGS_PART
        self.rows = self.cells = self.strings = self.highest_row = self.merges = 0
        #: the stretches whose cells and strings are not counted yet, and their length;
        #: None once they are all counted
        self.uncounted: list[str] | None = []
        self.uncounted_chars = 0

    def __call__(self, body: str) -> None:
        if "<" not in body:
            return
        self._count_tags(body)
        at = body.find("mergeCell")
        if at != -1:  # most of a sheet is cells: start at the first merge
            self._count_merges(body, max(0, body.rfind("<", 0, at)))
        self._check_limits()

    def _count_tags(self, body: str) -> None:
        """Rows in every stretch; cells and strings once the text is long enough."""
        if self.uncounted is None:
            self._count_exactly(body, rows=True)
            return
        self._count_rows(body)
        self.uncounted.append(body)
        self.uncounted_chars += len(body)
        if self.uncounted_chars > _CHARS_PER_COUNTED_TAG * limits.MAX_SHEET_CELLS:
            for earlier in self.uncounted:
                self._count_exactly(earlier, rows=False)
            self.uncounted = None

    def _count_merges(self, body: str, start: int) -> None:
        for ref in _MERGE.findall(body, start):
            self.merges += 1
            if self.merges > limits.MAX_SHEET_MERGES or _merge_area(*ref) > limits.MAX_MERGE_CELLS:
                self._refuse_merges()

    def _refuse_merges(self) -> None:
        raise InputError(f"{self.where}的合并单元格过多或过大（超过 {limits.MAX_SHEET_MERGES} "
                         f"处，或一处超过 {limits.MAX_MERGE_CELLS} 格），不像是年报填报"
                         "工作簿。请取消多余的合并后另存，或用 nianbao init 生成的工作簿"
                         "重新填写。", path=self.path)

    def _check_limits(self) -> None:
        path, where = self.path, self.where
        if max(self.rows, self.highest_row) > limits.MAX_SHEET_ROWS:
            raise InputError(f"{where}{TOO_MANY_ROWS}（超过 {limits.MAX_SHEET_ROWS} 行），"
                             "不像是年报填报工作簿。请删除表格下方多余的行后另存，或用 "
                             "nianbao init 生成的工作簿重新填写。", path=path)
        if self.cells > limits.MAX_SHEET_CELLS:
            raise InputError(f"{where}的单元格过多（超过 {limits.MAX_SHEET_CELLS} 个），"
                             "不像是年报填报工作簿。请删除多余的行和列后另存再试。", path=path)
        if self.strings > limits.MAX_SHEET_CELLS:
            raise InputError(f"工作簿中的文字条目过多（超过 {limits.MAX_SHEET_CELLS} 条），"
                             "不像是年报填报工作簿。请确认选对了文件。", path=path)

    def _count_rows(self, body: str) -> None:
        """The rows of one stretch and the highest ``r``, as :meth:`_count_exactly` finds them."""
        numbers = (_ROW if ":row" in body else _UNPREFIXED_ROW).findall(body)
        self.rows += len(numbers)
        for row in numbers:
            if row:
                self.highest_row = max(self.highest_row, int(row))

    def _count_exactly(self, body: str, *, rows: bool) -> None:
        """The cells and shared strings of one stretch, and its rows unless ``rows`` is off
        (:meth:`_count_rows` counted them)."""
        for tag, row in _ROW_OR_CELL.findall(body):
            if tag == "c":
                self.cells += 1
            elif rows:
                self.rows += 1
                if row:
                    self.highest_row = max(self.highest_row, int(row))
        if self.shared_strings:
            self.strings += len(_SHARED_STRING.findall(body))


def _merge_area(first_col: str, first_row: str, last_col: str, last_row: str) -> int:
    """Cells covered by a ``<mergeCell ref="A1:C3">`` (1 for a single-cell ref, whose last
    column and row :data:`_MERGE` gives as "")."""
    if not last_col:
        return 1
    if first_col == last_col:  # one column, as most merges of a form are
        return abs(int(last_row) - int(first_row)) + 1
    rows = abs(int(last_row) - int(first_row)) + 1
    cols = abs(column_index_from_string(last_col.upper()) - column_index_from_string(first_col.upper())) + 1
    return rows * cols
