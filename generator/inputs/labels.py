"""One way to compare labels — of the form, of a clerk's workbook, of a published report.

Labels are seen with small differences: half-width or full-width brackets and colons,
spaces or line breaks inside header cells (「商业 企业」, 「结果<br>纠正」), another item
number separator (「1、属于国家秘密」 for 「1.属于国家秘密」), missing brackets
(「本年收费金额单位:万元」), a lost item number (「第二十条第」).  :func:`normalise` gives a
label's comparable form at a named :class:`Strictness`:

* ``CANONICAL`` — only letters, digits and CJK characters kept (after NFKC): every
  difference above but the lost item number disappears.  The workbook reader finds the
  official tables' labels this way, the workbook writer marks a clerk's text that would
  read as a label this way, and the importer compares this way first.
* ``CORE`` — ``CANONICAL`` without a leading item number (``（一）``, ``1.``, ``一、``).

What neither bridges (a truncated or renamed label) :func:`best_match` matches by prefix
or by similarity, and says the match was only approximate so the caller can note it.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from enum import Enum
from typing import Iterable, TypeVar

K = TypeVar("K")

_KEEP = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff〇]")
_LEADING_NUMBER = re.compile(r"^(?:[0-9]+|[一二三四五六七八九十]+)")


class Strictness(Enum):
    """How much of a label counts when two are compared (see the module's docstring)."""

    CANONICAL = "canonical"
    CORE = "core"


def normalise(text: object, level: Strictness = Strictness.CANONICAL) -> str:
    """``text``'s comparable form at ``level``; None (an empty cell) gives ``""``."""
    if text is None:
        return ""
    canonical = "".join(_KEEP.findall(unicodedata.normalize("NFKC", str(text))))
    if level is Strictness.CORE:
        return _LEADING_NUMBER.sub("", canonical, count=1)
    return canonical


def similarity(a: str, b: str) -> float:
    """How alike two labels are (0–1), compared in canonical form."""
    ca, cb = normalise(a), normalise(b)
    if not ca or not cb:
        return 0.0
    return SequenceMatcher(None, ca, cb, autojunk=False).ratio()


def best_match(seen: str, candidates: Iterable[tuple[K, str]], *,
               threshold: float = 0.8) -> tuple[K | None, bool]:
    """The candidate key whose label matches ``seen``, and whether the match was only fuzzy.

    Exact canonical equality wins, then equality without the leading item number, then a
    prefix of at least four characters (a truncated 「现行有效件」), then the single most
    similar label at or above ``threshold``.  Ties at any stage mean no match: guessing
    between two labels would put a number in the wrong cell.
    """
    items = list(candidates)
    k_seen = normalise(seen, Strictness.CORE)
    if not normalise(seen):
        return None, False
    for level in (Strictness.CANONICAL, Strictness.CORE):
        target = normalise(seen, level)
        hits = {k for k, label in items if normalise(label, level) == target}
        if len(hits) == 1:
            return hits.pop(), False
        if len(hits) > 1:
            return None, False
    cores = [normalise(label, Strictness.CORE) for _, label in items]
    # A truncated label (「现行有效件」) or one with words added at the end: the shorter of
    # the two must still be long enough not to prefix everything (「其他」 would).
    hits = {k for (k, _), c in zip(items, cores)
            if (len(k_seen) >= 4 and c.startswith(k_seen))
            or (len(c) >= 4 and k_seen.startswith(c))}
    if len(hits) == 1:
        return hits.pop(), True
    scored = sorted(((SequenceMatcher(None, k_seen, c, autojunk=False).ratio(), i)
                     for i, c in enumerate(cores)), reverse=True)
    if scored and scored[0][0] >= threshold:
        if len(scored) == 1 or scored[1][0] < scored[0][0] or \
                items[scored[1][1]][0] == items[scored[0][1]][0]:
            return items[scored[0][1]][0], True
    return None, False
