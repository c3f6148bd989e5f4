"""Content-addressed file store: ``files/<aa>/<sha256>``, written and fsynced before the row.

A file is written to ``tmp/``, flushed and fsynced, renamed into place and its folder fsynced;
only then does the caller commit the database row that names it.  A kill at any moment
leaves at worst an unreferenced file (harmless), never a row without its file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO, Iterable

CHUNK = 1024 * 1024


def path_of(root: Path, sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256")
    return root / sha256[:2] / sha256


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder for fsync
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def put_chunks(root: Path, tmp_dir: Path, chunks: Iterable[bytes]) -> tuple[str, int]:
    """Store the bytes; return (sha256, size).  The same bytes are stored once."""
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="put-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        target = path_of(root, sha)
        if target.exists() and target.stat().st_size == size:
            os.unlink(tmp_name)
            return sha, size
        target.parent.mkdir(mode=0o700, exist_ok=True)
        os.replace(tmp_name, target)
        _fsync_dir(target.parent)
        return sha, size
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def put_file(root: Path, tmp_dir: Path, source: Path) -> tuple[str, int]:
    with source.open("rb") as handle:
        return put_chunks(root, tmp_dir, iter(lambda: handle.read(CHUNK), b""))


def verify(root: Path, sha256: str) -> bool:
    """Whether the stored file is there and still has its checksum."""
    path = path_of(root, sha256)
    try:
        with path.open("rb") as handle:
            return _digest(handle) == sha256
    except OSError:
        return False


def _digest(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()
