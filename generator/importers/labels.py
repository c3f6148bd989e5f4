"""Tolerant comparison of labels and headings seen in published reports with form.py's.

Published reports print the form's labels with small differences: half-width brackets and
colons, spaces or line breaks inside header cells (「商业 企业」, 「结果<br>纠正」), a lost item
number (「第二十条第」), missing brackets (「本年收费金额单位:万元」).  Comparing *canonical*
forms — only letters, digits and CJK characters kept — makes all of these equal without a
list of every variant.  What canonical forms cannot bridge (renamed labels) is matched by
similarity, and callers say so in a note.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from typing import Iterable, TypeVar

K = TypeVar("K")

_KEEP = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff〇]")
_LEADING_NUMBER = re.compile(r"^(?:[0-9]+|[一二三四五六七八九十]+)")


def canon(text: str) -> str:
    """The label with only letters, digits and CJK characters left (NFKC-folded)."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(_KEEP.findall(folded))


def core(text: str) -> str:
    """:func:`canon` without a leading item number (``（一）``, ``1.``, ``一、``)."""
    return _LEADING_NUMBER.sub("", canon(text), count=1)


def similarity(a: str, b: str) -> float:
    """How alike two labels are (0–1), compared in canonical form."""
    ca, cb = canon(a), canon(b)
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
    c_seen, k_seen = canon(seen), core(seen)
    if not c_seen:
        return None, False
    for key_of in (canon, core):
        target = c_seen if key_of is canon else k_seen
        hits = {k for k, label in items if key_of(label) == target}
        if len(hits) == 1:
            return hits.pop(), False
        if len(hits) > 1:
            return None, False
    # A truncated label (「现行有效件」) or one with words added at the end: the shorter of
    # the two must still be long enough not to prefix everything (「其他」 would).
    hits = {k for k, label in items
            if (len(k_seen) >= 4 and core(label).startswith(k_seen))
            or (len(core(label)) >= 4 and k_seen.startswith(core(label)))}
    if len(hits) == 1:
        return hits.pop(), True
    scored = sorted(((SequenceMatcher(None, k_seen, core(label), autojunk=False).ratio(), i)
                     for i, (_, label) in enumerate(items)), reverse=True)
    if scored and scored[0][0] >= threshold:
        if len(scored) == 1 or scored[1][0] < scored[0][0] or \
                items[scored[1][1]][0] == items[scored[0][1]][0]:
            return items[scored[0][1]][0], True
    return None, False
