"""The guard every OOXML input passes — a clerk's .xlsx workbook and a published .docx report.

An OOXML file is a zip archive of XML parts.  Before any XML parser sees a byte of it:

1. the archive opens (else the file is truncated or damaged) — :func:`open_archive`;
2. it has a sane number of parts, and every part's declared size, the total, and each large
   part's compression ratio are within :mod:`generator.limits` (zip bomb) —
   :func:`check_entries`;
3. every part is decompressed once, in bounded chunks, from its first byte to its last, and
   refused if it holds ``<!DOCTYPE``/``<!ENTITY`` (entity expansion, external entities) or
   declares an encoding the scan cannot see through (UTF-7, EBCDIC, UTF-32) —
   :func:`read_part`.  A caller may watch the text as it streams (the workbook counts rows
   and cells there, so a million-row sheet is refused after its first ten thousand rows).
   Reading every byte lets zipfile check each part's CRC and the guard its length against
   the size the archive declares, so a forged size ends as "damaged", never as a bomb.

The bytes read are kept (:class:`Parts`) and are what the readers parse, through
:func:`parse_xml` (lxml with no DTD, no entities, no network): each part is decompressed
exactly once, and what was checked is what is parsed.  Parts that are not XML (images, a
VBA project) are checked the same way but not kept: nothing parses them.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping

from defusedxml import DTDForbidden
from lxml import etree

from generator import limits
from generator.errors import InputError


@dataclass(frozen=True)
class PackageKind:
    """What to call a package in messages, and what to tell the clerk to do about it."""

    #: the file as the clerk knows it: 工作簿, 文档
    noun: str
    #: after a refusal that suggests a hostile file
    suspicious_advice: str
    #: after a refusal that suggests a damaged file
    damaged_advice: str


DAMAGED = "文件已损坏或未完整复制"
TOO_LARGE = "文件过大"
TOO_LARGE_UNPACKED = "文件解压后过大"
#: The key phrases of the two XML refusals (tests and the README quote them).
ENTITIES = "内部 XML 含有不允许的实体声明，可能是恶意文件，已拒绝读取"
ODD_ENCODING = "内部 XML 使用了不允许的字符编码，可能是恶意文件，已拒绝读取"

#: XML encodings whose bytes for ``<!DOCTYPE`` are plain ASCII, plus UTF-16 (decoded).
#: Anything else (UTF-7, EBCDIC, …) could hide a DOCTYPE from the scan and is refused.
ASCII_COMPATIBLE_ENCODINGS = frozenset(
    {"utf8", "usascii", "ascii", "iso88591", "latin1", "gbk", "gb2312", "gb18030", "cp936"})

_XML_DECL_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
# Tags can only be real markup: a "<" inside text is always escaped in well-formed XML.
_DTD = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
#: No real tag is longer than this; past it the scan stops holding text back.
_MAX_CARRY = 4 * limits.SCAN_CHUNK_BYTES
#: What may precede the first tag: whitespace and byte-order marks, as Latin-1 characters
#: (UTF-8 BOM "ï»¿", UTF-16 BOMs "ÿþ"/"þÿ" — their NUL bytes are already dropped).
_LEADING = " \t\r\n\u00ef\u00bb\u00bf\u00ff\u00fe"

#: Called with each scanned stretch of a part's markup (whole tags only, never one split).
Watcher = Callable[[str], None]


def mb(size: int) -> str:
    """A size for a message: ``3.2 MB``, ``1.5 GB``."""
    if size >= 1024 * limits.MIB:
        return f"{size / (1024 * limits.MIB):.1f} GB"
    return f"{size / limits.MIB:.1f} MB"


class Parts(Mapping[str, bytes]):
    """The XML parts of a checked package, by name, as decompressed by the guard.

    ``names`` also holds the parts that were checked but not kept (not XML); looking one of
    those up gives ``b""``, which no XML parser accepts, so a reader pointed at an image
    fails as it would have on the image's bytes.
    """

    def __init__(self, kept: Mapping[str, bytes], names: frozenset[str]) -> None:
        self._kept = dict(kept)
        self.names = names
        self._trees: dict[str, etree._Element] = {}

    def xml(self, name: str) -> etree._Element:
        """The part parsed by :func:`parse_xml`, once: the guard and the reader both need
        ``xl/workbook.xml``.  Callers must not modify the tree."""
        tree = self._trees.get(name)
        if tree is None:
            tree = self._trees[name] = parse_xml(self[name])
        return tree

    def __getitem__(self, name: str) -> bytes:
        if name in self._kept:
            return self._kept[name]
        if name in self.names:
            return b""
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.names))

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return name in self.names


def open_archive(path: Path, data: bytes, kind: PackageKind) -> zipfile.ZipFile:
    """``data`` as a zip archive, or an :class:`InputError` saying the file is damaged.

    zipfile raises whatever its parsing of a corrupted directory runs into: BadZipFile,
    but also NotImplementedError (a "version needed" byte flipped), IndexError (an empty
    entry name), struct.error, UnicodeError …  All of them mean one thing to the clerk.
    """
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except MemoryError as exc:
        raise InputError(f"{TOO_LARGE}，读取时内存不足。请确认选对了文件。", path=path) from exc
    except Exception as exc:  # noqa: BLE001 - see above
        raise InputError(f"{DAMAGED}（压缩结构不完整）。{kind.damaged_advice}", path=path) from exc


def check_entries(path: Path, entries: list[zipfile.ZipInfo], kind: PackageKind) -> None:
    """Refuse a zip bomb by the sizes the archive declares; reading enforces them (CRC, length)."""
    if len(entries) > limits.MAX_ZIP_ENTRIES:
        raise InputError(f"{TOO_LARGE_UNPACKED}：压缩包内有 {len(entries)} 个部件（上限 "
                         f"{limits.MAX_ZIP_ENTRIES} 个），可能是损坏或恶意的文件，已拒绝读取。"
                         f"{kind.suspicious_advice}", path=path)
    total = 0
    for info in entries:
        size, packed = info.file_size, max(info.compress_size, 1)
        total += size
        too_big = size > limits.MAX_ENTRY_BYTES
        too_dense = (size > limits.RATIO_CHECK_MIN_BYTES
                     and size / packed > limits.MAX_COMPRESSION_RATIO)
        if too_big or too_dense:
            detail = (f"上限 {mb(limits.MAX_ENTRY_BYTES)}" if too_big else
                      f"压缩比 {size // packed}:1，上限 {limits.MAX_COMPRESSION_RATIO}:1")
            raise InputError(f"{TOO_LARGE_UNPACKED}（部件 {info.filename} 解压后 {mb(size)}，"
                             f"{detail}），可能是“压缩炸弹”等恶意文件，已拒绝读取。"
                             f"{kind.suspicious_advice}", path=path)
    if total > limits.MAX_TOTAL_BYTES:
        raise InputError(f"{TOO_LARGE_UNPACKED}（共 {mb(total)}，上限 {mb(limits.MAX_TOTAL_BYTES)}），"
                         f"可能是“压缩炸弹”等恶意文件，已拒绝读取。{kind.suspicious_advice}", path=path)


def read_part(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, kind: PackageKind,
              watch: Watcher | None = None) -> bytes | None:
    """Stream one part once: refuse a DTD or an odd encoding; its bytes if it is XML, else None.

    Every part is scanned, from its first byte to its last, whatever it starts with: a
    part that opens with 64 KiB of whitespace (or looks binary) is still parsed by an XML
    parser if the package points at it.  The bytes are scanned as Latin-1 with NUL bytes
    dropped, which turns UTF-16 markup (either byte order, with or without a BOM) into the
    same ASCII markup as UTF-8's, so one scan needs no guess at the encoding.
    """
    chunks: list[bytes] = []
    length = 0
    with archive.open(info) as stream:
        chunk = stream.read(limits.SCAN_CHUNK_BYTES)
        _refuse_utf32(path, info, chunk, kind)
        carry = ""
        started = xml = False  # the first non-whitespace character has been seen / was "<"
        while True:
            final = not chunk
            chunks.append(chunk)
            length += len(chunk)
            piece = chunk.decode("latin-1")
            if "\x00" in piece:  # UTF-16 (or binary): drop the NULs, see above
                piece = piece.replace("\x00", "")
            text = carry + piece if carry else piece
            # Hold back an incomplete tag at the end for the next round, so that no tag is
            # split (a "<!DOC" + "TYPE" would slip through) and none is counted twice.
            cut = len(text)
            if not final:
                last = text.rfind("<")
                if last != -1 and ">" not in text[last:] and cut - last <= _MAX_CARRY:
                    cut = last
            body, carry = (text[:cut], text[cut:]) if cut < len(text) else (text, "")
            if not started:
                head = body.lstrip(_LEADING)
                if head:
                    started, xml = True, head.startswith("<")
                    _check_declared_encoding(path, info, head, kind)
            # "!" is found by memchr, far faster than "<!": most parts have none at all.
            if "!" in body and "<!" in body and _DTD.search(body):
                raise InputError(f"{kind.noun}{ENTITIES}（{info.filename}）。{kind.suspicious_advice}",
                                 path=path)
            if watch is not None:
                watch(body)
            if final:
                if length != info.file_size:  # zipfile checks the CRC, not a size it outgrew
                    raise InputError(f"{DAMAGED}（部件 {info.filename} 的实际长度与目录记载不符）。"
                                     f"{kind.damaged_advice}", path=path)
                return b"".join(chunks) if xml else None
            # A short read is the end of the part (zipfile reads on until it has all it was
            # asked for or the part ends, and has checked the CRC then): reading again would
            # only give the empty chunk that ends the loop.
            chunk = (stream.read(limits.SCAN_CHUNK_BYTES)
                     if len(chunk) == limits.SCAN_CHUNK_BYTES else b"")


def _refuse_utf32(path: Path, info: zipfile.ZipInfo, first: bytes, kind: PackageKind) -> None:
    """UTF-32 has three NUL bytes per character; no package is written so, and the NUL
    dropping of the scan would not make its markup readable — refuse it outright."""
    if first.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\x00<",
                         b"<\x00\x00\x00")):
        raise InputError(f"{kind.noun}{ODD_ENCODING}（{info.filename}）。{kind.suspicious_advice}",
                         path=path)


def _check_declared_encoding(path: Path, info: zipfile.ZipInfo, head: str,
                             kind: PackageKind) -> None:
    """Refuse an XML declaration naming an encoding the scan cannot see through (UTF-7,
    EBCDIC, …): in those, ``<!DOCTYPE`` is not spelt in ASCII bytes."""
    declared = _XML_DECL_ENCODING.match(head)
    if declared:
        label = declared.group(1)
        encoding = re.sub(r"[-_]", "", label.lower())
        if encoding not in ASCII_COMPATIBLE_ENCODINGS and not encoding.startswith("utf16"):
            raise InputError(f"{kind.noun}{ODD_ENCODING}（{info.filename}：{label}）。"
                             f"{kind.suspicious_advice}", path=path)


def read_parts(path: Path, archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo],
               kind: PackageKind, watcher_for: Callable[[zipfile.ZipInfo], Watcher | None]
               | None = None, already: Mapping[str, bytes | None] | None = None,
               trees: Parts | None = None) -> Parts:
    """Every part through :func:`read_part`, once; ``already`` holds parts read before, and
    ``trees`` a :class:`Parts` of those whose parsed trees the result takes over."""
    kept: dict[str, bytes] = {}
    for info in entries:
        if already is not None and info.filename in already:
            data = already[info.filename]
        else:
            watch = watcher_for(info) if watcher_for is not None else None
            data = read_part(path, archive, info, kind, watch)
        if data is not None:
            kept[info.filename] = data
    parts = Parts(kept, frozenset(info.filename for info in entries))
    if trees is not None:
        parts._trees.update(trees._trees)
    return parts


class _ThreadParsers(threading.local):
    """One lxml parser per thread: lxml parsers must not be shared between threads (a web
    server reads in several), and one used again reads a workbook a few per cent faster
    than a new one per part (the same instructions, on memory already warm)."""

    def __init__(self) -> None:
        self.parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                                      remove_comments=True, remove_pis=True, huge_tree=False,
                                      collect_ids=False)


_PARSERS = _ThreadParsers()


def parse_xml(data: bytes) -> etree._Element:
    """One part the guard has read.  No DTD is loaded, no entity resolved, nothing fetched;
    comments and processing instructions are dropped so that element children are elements
    only."""
    root = etree.fromstring(data, _PARSERS.parser)
    if root.getroottree().docinfo.doctype:  # the guard refuses these first; never parse one
        raise DTDForbidden(root.getroottree().docinfo.doctype, None, None)
    return root


def unzip(data: bytes) -> Parts:
    """Every file part of an archive, unchecked: for callers that hold bytes no guard needs
    to judge (tests of the reader itself)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()
                 if not info.is_dir()}
    return Parts(files, frozenset(files))
