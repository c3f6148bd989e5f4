"""Chinese line breaking (禁则): where a line of Chinese text may end.

reportlab's ``wordWrap='CJK'`` only knows the Japanese list of characters that cannot start
a line, and never stops a line from ending with an opening bracket (stack_notes §2.5).  The
PDF renderer therefore breaks lines itself with :func:`break_lines`:

* no line starts with a closing bracket, quote or 点号 (:data:`CANNOT_START`);
* no line ends with an opening bracket or quote (:data:`CANNOT_END`);
* ``——`` and ``……`` stay whole; numbers and telephone numbers are not cut (unless longer
  than a line); web and e-mail addresses may break after ``/ . - ? & = @`` (a ``.`` or ``-``
  only before a letter), and Latin words at their spaces.

Where the greedy break is forbidden, the break moves back (the previous character goes to
the next line) so nothing ever hangs outside the 版心; justification then spreads the short
line, by at most :data:`MAX_SPREAD_EM` between two characters (a line that would need more
is left short, see :mod:`.pdf_layout`).  The functions are pure and measure text through a callback, so they are tested
without fonts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

#: Closing brackets and quotes, full- and half-width.
CLOSERS = "）》」』】〕〗〙〛〉｝］＞”’)]}"
#: Punctuation that belongs to the end of what precedes it (点号, ellipsis, units after numbers).
TRAILING_MARKS = "，。、；：？！．…‥～·・％‰℃°′″,.;:?!%"
#: No line may start with one of these.
CANNOT_START = frozenset(CLOSERS + TRAILING_MARKS)
#: Opening brackets and quotes: no line may end with one of these.
CANNOT_END = frozenset("（《「『【〔〖〘〚〈｛［＜“‘([{")
#: Marks written doubled that must not be split (破折号 ——, 省略号 ……).
PAIRED = frozenset("—…")

# A run that is never broken inside: Latin letters/digits with the characters that hold
# numbers, telephone numbers, e-mail and web addresses together.
_LATIN_RUN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._:/\-@#&=+~%?]*[A-Za-z0-9/%])?")

#: Characters after which an address may break; ``.`` and ``-`` only before a letter
#: (``12.5%`` and ``0999-3623456`` stay whole).
_BREAK_AFTER = frozenset("/?&=@")
_BREAK_AFTER_BEFORE_LETTER = frozenset(".-_")

#: The most a justified line is spread between two characters, in em.
MAX_SPREAD_EM = 0.25

Measure = Callable[[str], float]


def _address_pieces(run: str) -> list[str]:
    """A Latin run cut where an address may break (a number or plain word stays whole)."""
    if not any(ch.isalpha() for ch in run):
        return [run]
    pieces: list[str] = []
    start = 0
    for i, ch in enumerate(run[:-1]):
        nxt = run[i + 1]
        if ch in _BREAK_AFTER or (ch in _BREAK_AFTER_BEFORE_LETTER and nxt.isalpha()):
            pieces.append(run[start:i + 1])
            start = i + 1
    pieces.append(run[start:])
    return [p for p in pieces if p]


@dataclass(frozen=True)
class Line:
    """One laid-out line: its text, natural width, and whether it ends the paragraph."""

    text: str
    width: float
    last: bool


#: A unit of more than one character, as :func:`units` cuts them: a run of one doubled mark
#: (``——``, ``……``), or a Latin run of at least two characters (:data:`_LATIN_RUN`).
_LONG_UNIT = re.compile(r"([—…])\1+|[A-Za-z0-9](?:[A-Za-z0-9._:/\-@#&=+~%?]*[A-Za-z0-9/%])")


def units(text: str) -> list[str]:
    """Split text into the pieces a line break may fall between.

    Every CJK character is a unit of its own; a Latin run and a ``——``/``……`` pair are one.
    (The regular expression finds the longer units; everything between them is cut into
    characters at C speed: the loop over every character was a tenth of the line breaking.)
    """
    out: list[str] = []
    start = 0
    for match in _LONG_UNIT.finditer(text):
        out.extend(text[start:match.start()])
        if match.group(1):
            out.append(match.group())
        else:
            out.extend(_address_pieces(match.group()))
        start = match.end()
    out.extend(text[start:])
    return out


def _may_break_before(parts: Sequence[str], k: int) -> bool:
    """True if a line may end after ``parts[k-1]`` and the next start with ``parts[k]``."""
    return parts[k][0] not in CANNOT_START and parts[k - 1][-1] not in CANNOT_END


def _split_long_unit(unit: str, width: float, measure: Measure) -> list[str]:
    """Cut a unit wider than a whole line (a very long address) into pieces that fit."""
    pieces: list[str] = []
    current = ""
    for ch in unit:
        if current and measure(current + ch) > width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def break_lines(text: str, width: float, measure: Measure, *,
                first_indent: float = 0.0, tracking: float = 0.0) -> list[Line]:
    """Break ``text`` into lines no wider than ``width`` following the rules above.

    ``measure(s)`` is the natural advance width of ``s``; ``tracking`` is added after every
    character (negative to fit 28 characters of 三号 into the 版心, as Word's grid does);
    the first line is ``first_indent`` narrower.  A line's ``width`` includes tracking
    between its characters but not after the last one.
    """
    parts: list[str] = []
    for unit in units(text):
        if len(unit) > 1 and measure(unit) + tracking * (len(unit) - 1) > width - first_indent:
            parts.extend(_split_long_unit(unit, width - first_indent, measure))
        else:
            parts.append(unit)
    if not parts:
        return [Line("", 0.0, True)]
    widths = [measure(p) + tracking * len(p) for p in parts]
    lines: list[Line] = []
    i = 0
    n = len(parts)
    eps = 1e-6
    while i < n:
        avail = width - (first_indent if not lines else 0.0) + tracking  # no tracking after last
        acc = 0.0
        j = i
        while j < n and acc + widths[j] <= avail + eps:
            acc += widths[j]
            j += 1
        if j == i:  # a single unit wider than the line: place it anyway
            j = i + 1
        if j < n and not _may_break_before(parts, j):
            k = j - 1
            while k > i and not _may_break_before(parts, k):
                k -= 1
            if k > i:
                j = k
            else:
                # No allowed break inside this line (a run of closers longer than a line):
                # the first allowed break further on wins, even though the line overflows.
                k = j + 1
                while k < n and not _may_break_before(parts, k):
                    k += 1
                j = k
        line_text = "".join(parts[i:j])
        line_width = sum(widths[i:j]) - tracking
        lines.append(Line(line_text, line_width, j >= n))
        i = j
    return lines


def violations(lines: Sequence[str]) -> list[str]:
    """Describe every broken rule in a list of line texts (for tests and self-checks)."""
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        if number > 1 and line[0] in CANNOT_START:
            problems.append(f"line {number} starts with {line[0]!r}: {line!r}")
        if number < len(lines) and line[-1] in CANNOT_END:
            problems.append(f"line {number} ends with {line[-1]!r}: {line!r}")
        if number < len(lines) and line[-1] in PAIRED and lines[number][:1] == line[-1]:
            problems.append(f"line {number} splits {line[-1] * 2!r}")
    return problems
