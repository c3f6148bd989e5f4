"""What a file is, told by its first bytes: for the two inputs that refuse a file that is
not theirs and say what it is instead.

The workbook guard (:mod:`generator.inputs.workbook.source`) is given a picture, a PDF or an
old .xls where a .xlsx belongs; the import (:mod:`generator.inputs.importers.sniff`) a
scanned page, an archive or the workbook itself where a published report belongs.  Both
name the file by these signatures, so the two never disagree about what a file is; each
says what to do in its own words.
"""

from __future__ import annotations

#: How a zip (every OOXML package: .xlsx, .docx) and an OLE2 compound file (old Office
#: files: .xls, .doc, .ppt, and any encrypted Office file) begin.
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_MAGIC = b"%PDF-"
RTF_MAGIC = b"{\\rtf"

#: picture formats: signature -> name shown to the clerk
_PICTURE_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
)
#: ISO media brands of still pictures (phones save scans as HEIC)
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif")
#: archives: signature -> name shown to the clerk
_ARCHIVE_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"Rar!\x1a\x07", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
)


def picture_kind(head: bytes) -> str | None:
    """The picture format ``head`` starts with (``"PNG"`` …), or None."""
    for magic, name in _PICTURE_MAGICS:
        if head.startswith(magic):
            return name
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "HEIC"
    # BMP: "BM", then reserved zeros and a known header size (two letters alone are text)
    if (head.startswith(b"BM") and len(head) >= 18 and head[6:10] == b"\x00\x00\x00\x00"
            and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 64, 108, 124)):
        return "BMP"
    return None


def archive_kind(head: bytes) -> str | None:
    """What archive ``head`` starts (``"RAR 压缩包"`` …; a zip is not one here: it may be
    an Office file), or None."""
    return next((name for magic, name in _ARCHIVE_MAGICS if head.startswith(magic)), None)


#: What an OLE2 file holds, by the name of a stream its directory lists.
ENCRYPTED, EXCEL, WORD, POWERPOINT = "encrypted", "excel", "word", "powerpoint"
_OLE2_STREAMS: tuple[tuple[str, str], ...] = (
    ("EncryptionInfo", ENCRYPTED), ("EncryptedPackage", ENCRYPTED),
    ("Workbook", EXCEL), ("Book", EXCEL),
    ("WordDocument", WORD),
    ("PowerPoint Document", POWERPOINT),
)


def ole2_contents(data: bytes) -> frozenset[str]:
    """What an OLE2 compound file holds (:data:`ENCRYPTED`, :data:`EXCEL`, :data:`WORD`,
    :data:`POWERPOINT`): its directory stores stream names in UTF-16LE, so finding a name in
    the bytes is enough.  An embedded object adds its own streams, so a caller asks for the
    kind it expects first."""
    return frozenset(kind for name, kind in _OLE2_STREAMS if name.encode("utf-16-le") in data)
