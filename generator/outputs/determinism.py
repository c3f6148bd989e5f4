"""Byte-identical output: zip archives with constant timestamps and a fixed member order.

python-docx, docxtpl and Word write the current time into every zip member header, so two
builds of the same report differ although every XML part is equal.  :func:`write_zip` is the
one place that writes an OOXML package; it fixes the timestamp, the permissions, the
compression and the member order (``[Content_Types].xml`` first, as Office expects).
"""

from __future__ import annotations

import io
import zipfile
from typing import Iterable, Mapping

#: The earliest time a zip header can hold; used for every member.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
#: ``-rw-r--r--`` as a regular file, in the high 16 bits of ``external_attr``.
_FILE_MODE = 0o100644 << 16

CONTENT_TYPES = "[Content_Types].xml"


def ordered_names(names: Iterable[str]) -> list[str]:
    """Member order: content types, then package rels, then the rest by name."""

    def key(name: str) -> tuple[int, str]:
        if name == CONTENT_TYPES:
            return 0, name
        if name == "_rels/.rels":
            return 1, name
        return 2, name

    return sorted(names, key=key)


def write_zip(parts: Mapping[str, bytes]) -> bytes:
    """A deflated zip of ``parts`` whose bytes depend only on the names and contents."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ordered_names(parts):
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = _FILE_MODE
            info.create_system = 3  # unix; fixed so the header does not depend on the host
            archive.writestr(info, parts[name], compresslevel=6)
    return buffer.getvalue()


def normalise_zip(data: bytes) -> bytes:
    """Rewrite any zip (e.g. a .docx saved by python-docx) with fixed timestamps and order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    return write_zip(parts)


def read_zip(data: bytes) -> dict[str, bytes]:
    """Every member of a zip archive, by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
