"""One way to read a number — typed in a workbook cell, or printed in a published report.

Both inputs fold full-width digits and signs (NFKC: ``１２３`` is 123), drop spaces and
thousands separators (``1,234``, ``1，234``; a comma anywhere else is not a separator, so
``1,23`` is not a number) and accept a sign and a decimal point (``-5``, ``+5``, ``2.5``,
``.5``).  What differs is said by the :class:`NumberStyle`:

* ``TYPED`` — a clerk's workbook cell: a dash or 「无」 is text where a number belongs, and
  an Excel error (``#N/A``) is named as one;
* ``PRINTED`` — a published report's table cell: a dash, 「无」 or 「空」 is a cell printed
  blank, and a unit after the number (``12件``, ``0.5万元``) is dropped.

A number that cannot be read is never turned into 0: the caller gets :data:`BLANK` or a
:class:`NotANumber` saying what was seen, and reports it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum

from generator.form import ValueKind
from generator.report.model import Number

#: No count or amount in an annual report comes near this; a larger number (1e20, a cell
#: stored as ``1e999`` = infinity) is a typing or file error, reported rather than printed.
MAX_ABS_NUMBER = Decimal(10) ** 15

_SEPARATORS = re.compile(r"(?<=\d),(?=\d{3})")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_UNIT = re.compile(r"(?<=[\d.])(件|个|项|万元|元|条)$")
#: What a published table prints for an empty cell (after NFKC: 「－」 is "-", 「／」 "/").
_PRINTED_BLANKS = frozenset({"-", "--", "—", "——", "–", "/", "无", "空"})


class NumberStyle(Enum):
    """Where a number was written (see the module's docstring)."""

    TYPED = "typed"
    PRINTED = "printed"


class Blank:
    """Marker: the cell is empty (or, printed, shows a dash)."""

    def __repr__(self) -> str:
        return "BLANK"


BLANK = Blank()


@dataclass(frozen=True)
class NotANumber:
    """What was found where a number belongs, and what kind of thing it is (in Chinese)."""

    raw: object
    what: str


def parse_number_text(text: str, style: NumberStyle) -> Decimal | Blank | NotANumber:
    """A number written as text: the number, :data:`BLANK`, or what was seen instead."""
    cleaned = _SPACES.sub("", unicodedata.normalize("NFKC", text)).replace("，", ",")
    if not cleaned:
        return BLANK
    if style is NumberStyle.PRINTED:
        if cleaned in _PRINTED_BLANKS:
            return BLANK
        cleaned = _UNIT.sub("", cleaned)
    elif cleaned.startswith("#"):
        return NotANumber(text.strip(), "错误值")
    cleaned = _SEPARATORS.sub("", cleaned)
    if not _NUMBER.fullmatch(cleaned):
        return NotANumber(text.strip(), "文字")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return NotANumber(text.strip(), "文字")
    if abs(number) >= MAX_ABS_NUMBER:
        return NotANumber(text.strip(), "超出范围的数字")
    return number


#: :data:`MAX_ABS_NUMBER` as an int, for the fast path of a whole
#: number (an int compares with an int in a fraction of the time it takes with a Decimal).
_INT_LIMIT = int(MAX_ABS_NUMBER)


def whole_number(value: object, kind: ValueKind) -> Number | None:
    """A plain int cell's value as :func:`parse_number` reads it, or None for any other
    value (which then goes the general way).

    Nearly every number cell of a workbook holds a whole number in range; the reader reads
    it so, without the general path's checks for blanks, booleans, dates, floats and text.
    It stands beside :func:`parse_number`, whose ``int`` branch it must agree with (a
    property test holds them together).
    """
    if type(value) is int and -_INT_LIMIT < value < _INT_LIMIT:  # not bool: type, not isinstance
        return Decimal(value) if kind is ValueKind.AMOUNT else value
    return None


def parse_number(value: object, kind: ValueKind) -> Number | Blank | NotANumber:
    """A workbook number cell's value (as the reader got it): the number as the field's kind
    holds it (``Decimal`` for amounts, ``int`` for whole counts), :data:`BLANK`, or what was
    found instead.  A non-whole count (2.5) is kept as a ``Decimal`` for the checker."""
    if value is None:
        return BLANK
    if isinstance(value, bool):
        return NotANumber("TRUE" if value else "FALSE", "逻辑值")
    if isinstance(value, (datetime, date)):
        return NotANumber(value.isoformat() if isinstance(value, date) else value, "日期")
    if isinstance(value, int):
        if abs(value) >= MAX_ABS_NUMBER:
            return NotANumber(value, "超出范围的数字")
        return Decimal(value) if kind is ValueKind.AMOUNT else value
    if isinstance(value, float):
        if not math.isfinite(value):  # <v>1e999</v> reads as inf; NaN from a damaged file
            return NotANumber(special_float(value), "无效的数字")
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
        if not number.is_finite():
            return NotANumber(str(value), "无效的数字")
    else:
        parsed = parse_number_text(str(value), NumberStyle.TYPED)
        if not isinstance(parsed, Decimal):
            return parsed
        number = parsed
    if abs(number) >= MAX_ABS_NUMBER:
        return NotANumber(str(value).strip(), "超出范围的数字")
    if kind is ValueKind.AMOUNT:
        return number
    return int(number) if number == number.to_integral_value() else number


def special_float(value: float) -> str:
    """Infinity or NaN as a clerk would be told of it."""
    if math.isnan(value):
        return "NaN"
    return "无穷大" if value > 0 else "负无穷大"
