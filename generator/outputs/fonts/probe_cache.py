"""What a font file holds, remembered between runs (face name, outlines, character map).

Choosing the fonts opens every candidate file with fontTools to learn its face name and the
characters it has: a tenth of a second or more per CJK font, in every process that makes a
PDF (``nianbao build``, each batch, the web page's generator).  The answer depends on the
file only, so it is kept in the font cache folder, keyed by the file's path, face index, size
and modification time: a font replaced or updated is opened again.

One JSON file per nianbao version (``probes-v0.1.0.json``; those of other versions are
removed), rewritten atomically when a font is added; entries for files no longer there are
dropped then.  A folder that cannot be read or written only costs the time it would save.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import __version__

#: Bump when what a probe finds, or how it is stored, changes.
FORMAT = 1
FILE_NAME = f"probes-v{__version__}.{FORMAT}.json"


@dataclass(frozen=True)
class ProbeRecord:
    """What opening one face of a font file found (``error`` empty when it is usable)."""

    face: str
    truetype: bool
    error: str
    cmap: frozenset[int]

    def covers(self, text: str) -> bool:
        return all(ord(ch) in self.cmap for ch in text)


def file_key(path: Path, index: int) -> str | None:
    """The key of ``path``'s face ``index`` as it is now (None when it cannot be looked at)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return key_of(path, index, stat.st_size, stat.st_mtime_ns)


def key_of(path: Path, index: int, size: int, mtime_ns: int) -> str:
    """The key of face ``index`` of ``path`` with that size and modification time."""
    return f"{path}|{index}|{size}|{mtime_ns}"


def _ranges(points: frozenset[int]) -> list[list[int]]:
    """Code points as ``[first, last]`` runs: a CJK font's 30,000 are a few hundred runs."""
    runs: list[list[int]] = []
    for point in sorted(points):
        if runs and runs[-1][1] == point - 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    return runs


def _points(runs: Any) -> frozenset[int]:
    return frozenset(p for first, last in runs for p in range(int(first), int(last) + 1))


class ProbeCache:
    """The remembered probes of one cache folder (loaded once per process)."""

    def __init__(self, folder: Path) -> None:
        self.file = folder / FILE_NAME
        self._entries: dict[str, dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def get(self, key: str) -> ProbeRecord | None:
        with self._lock:
            entry = self._load().get(key)
        if entry is None:
            return None
        try:
            return ProbeRecord(str(entry["face"]), bool(entry["truetype"]), str(entry["error"]),
                               _points(entry["cmap"]))
        except (KeyError, TypeError, ValueError):
            return None  # a damaged entry: probe the file again

    def put(self, key: str, record: ProbeRecord) -> None:
        self._update(key, {"face": record.face, "truetype": record.truetype,
                           "error": record.error, "cmap": _ranges(record.cmap)})

    def digest(self, key: str) -> str | None:
        """The file's content digest remembered with its probe (:func:`put_digest`)."""
        with self._lock:
            entry = self._load().get(key)
        found = entry.get("digest") if isinstance(entry, dict) else None
        return found if isinstance(found, str) else None

    def put_digest(self, key: str, digest: str) -> None:
        """Remember the digest of a file already probed (a converted font's pieces are named
        by it; hashing a 10 MB font took a tenth of a second per process)."""
        self._update(key, {"digest": digest})

    def _update(self, key: str, fields: dict[str, Any]) -> None:
        """``fields`` into the entry of ``key``; the file rewritten without the entries of
        files no longer there."""
        with self._lock:
            entries = self._load()
            entry = entries.get(key, {})
            if all(entry.get(name) == value for name, value in fields.items()):
                return
            entries[key] = {**entry, **fields}
            self._entries = {k: v for k, v in entries.items() if _still_there(k)}
            self._write(self._entries)

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._entries is None:
            try:
                loaded = json.loads(self.file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = {}
            self._entries = loaded if isinstance(loaded, dict) else {}
        return self._entries

    def _write(self, entries: dict[str, dict[str, Any]]) -> None:
        from generator.safeio import write_bytes_atomic

        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(self.file, json.dumps(entries, ensure_ascii=False,
                                                     sort_keys=True).encode("utf-8"))
            for stale in self.file.parent.glob("probes-v*.json"):
                if stale.name != FILE_NAME:
                    stale.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only cache folder: probe again next time


def _still_there(key: str) -> bool:
    path, index, _, _ = key.rsplit("|", 3)
    return file_key(Path(path), int(index)) == key


_caches: dict[Path, ProbeCache] = {}
_caches_lock = threading.Lock()


def probe_cache(folder: Path) -> ProbeCache:
    """The process's one :class:`ProbeCache` of ``folder``."""
    with _caches_lock:
        cache = _caches.get(folder)
        if cache is None:
            cache = _caches[folder] = ProbeCache(folder)
        return cache
