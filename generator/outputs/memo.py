"""Results the PDF computes again in every report, kept by what they are computed from.

Table labels, headings, span rectangles, width arrays: much of a PDF is the same in every
report.  A :class:`Memo` keeps such results of pure functions, keyed by everything they depend
on, and is emptied whole when it reaches its limit, so a long-running server keeps a bounded
number of them and a report never sees anything but what its own inputs would compute.
"""

from __future__ import annotations

from typing import Callable, Generic, Hashable, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """At most ``limit`` results by key; the results must be pure functions of their keys."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: dict[K, V] = {}

    def kept(self, key: K, make: Callable[[], V]) -> V:
        """The result for ``key``: kept from before, or made now by ``make()`` and kept."""
        found = self._kept.get(key)
        if found is None:
            found = make()
            if len(self._kept) >= self.limit:
                self._kept.clear()
            self._kept[key] = found
        return found

    def clear(self) -> None:
        self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)
