"""Output file names that are safe on Windows and Linux.

The report's file name is its title, ``<机关名称><年度>年政府信息公开工作年度报告``; the agency
name is typed by a clerk and may hold characters a file system refuses (``/ \\ : * ? " < > |``,
control characters), a trailing dot or space (Windows drops them), or be a reserved device
name (``CON``, ``NUL``, ``COM1`` …).  :func:`safe_file_stem` turns any title into a stem that
can be written on both systems and never leaves the output folder.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters Windows forbids in names, plus both path separators and control characters.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
#: Bytes a name may take on common file systems (255); a UTF-8 Chinese character takes 3.
MAX_NAME_BYTES = 255
FALLBACK_STEM = "年度报告"
#: Before the name of every draft (a report built with errors, ``--draft``): a draft never
#: takes the name of the report itself, so it can neither overwrite nor pass for it.
DRAFT_FILE_PREFIX = "草稿-"


def safe_file_stem(title: str, *, reserve_suffix_bytes: int = 8) -> str:
    """A file stem for ``title``: forbidden characters become ``_``, never empty or ``..``.

    ``reserve_suffix_bytes`` leaves room for the suffix (``.docx``) and atomic-write prefixes
    within the 255-byte limit.  Invisible format characters (bidi overrides such as U+202E,
    zero-width spaces and joiners, BOMs) are removed: in a file name they make it display
    as something else ("报告\u202excod.exe").  Linear in the title's length: a title of a
    megabyte is cut first, then cleaned.
    """
    limit = MAX_NAME_BYTES - reserve_suffix_bytes - 30  # 30: room for temp-file prefixes
    # Nothing longer than the limit in characters can survive; cutting first keeps the work
    # bounded (every step below is linear, and the result is at most `limit` bytes).
    stem = unicodedata.normalize("NFC", title[: limit * 4])
    stem = "".join(ch for ch in stem if unicodedata.category(ch) != "Cf")
    stem = _FORBIDDEN.sub("_", stem)
    stem = re.sub(r"\s+", " ", stem).strip()
    stem = stem.rstrip(". ")  # Windows strips trailing dots and spaces silently
    stem = stem.lstrip(".-")  # no hidden files, no names that look like command options
    if not stem or set(stem) <= {"_", " "}:
        stem = FALLBACK_STEM
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    # Cut at the byte limit once; a character split by the cut is dropped whole.
    stem = stem.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
    return stem.rstrip(". ") or FALLBACK_STEM
