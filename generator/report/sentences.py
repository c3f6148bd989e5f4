"""Sentences the generator writes itself, from the same data the tables use.

The workbook offers them as filled defaults the clerk can overwrite, so the opening paragraph
and the fee sentence can never disagree with 基本信息.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from generator.form import (
    DEFAULT_SENTENCES,
    FEE_SENTENCE,
    OPENING_SENTENCE,
    Amount,
    Item,
    Listed,
    Sentence,
    Subject,
    WhenZero,
    Words,
)
from generator.report.model import Meta, Number, Report


def format_date(value: date) -> str:
    """GB/T 9704 成文日期: Arabic digits, full year, no zero padding: ``2026年1月20日``."""
    return f"{value.year}年{value.month}月{value.day}日"


def format_number(value: Number) -> str:
    """A table number as printed: counts as integers, 万元 amounts without trailing zeros."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    return str(int(value))


def format_yuan(value: Decimal) -> str:
    """An amount of 元 as printed: two decimals, rounded half up (1234.5678 -> 1234.57)."""
    return format(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")


def _item(meta: Meta, item: Item) -> str:
    value = getattr(meta, item.key)
    text = "" if value is None else str(value)
    if not text:
        return item.default
    return f"{item.before}{text}{item.after}"


def sentence_text(sentence: Sentence, meta: Meta) -> str:
    """A sentence of the form (:data:`generator.form.OPENING_SENTENCE` …) filled from 基本信息."""
    out: list[str] = []
    for piece in sentence:
        if isinstance(piece, Words):
            out.append(piece.text)
        elif isinstance(piece, Item):
            out.append(_item(meta, piece))
        elif isinstance(piece, Subject):
            name = str(getattr(meta, piece.key))
            out.append(name if name.endswith(piece.word) else f"{name}{piece.word}")
        elif isinstance(piece, Listed):
            present = [_item(meta, i) for i in piece.items if getattr(meta, i.key)]
            if present:
                out.append(f"{piece.before}{piece.separator.join(present)}{piece.after}")
        elif isinstance(piece, Amount):
            out.append(format_yuan(Decimal(getattr(meta, piece.key))))
        elif isinstance(piece, WhenZero):
            out.append(sentence_text(piece.otherwise if getattr(meta, piece.key) else piece.zero,
                                     meta))
    return "".join(out)


def default_opening(meta: Meta) -> str:
    """The 编制说明 paragraph: basis, six parts, statistics period, where to download, contact."""
    return sentence_text(OPENING_SENTENCE, meta)


def default_fee_sentence(meta: Meta) -> str:
    """六（一）: the form's 信息处理费 sentence, for a fee charged or none."""
    return sentence_text(FEE_SENTENCE, meta)


def default_text(slot_key: str, meta: Meta) -> str | None:
    """What the report prints for a slot of :data:`generator.form.DEFAULT_SENTENCES` that the
    clerk left blank; None for any other slot."""
    sentence = DEFAULT_SENTENCES.get(slot_key)
    return None if sentence is None else sentence_text(sentence, meta)


def printed_paragraphs(report: Report, slot_key: str) -> tuple[str, ...]:
    """The paragraphs a report prints for a text slot: the clerk's text, or the form's
    default sentence when the slot is blank (what every renderer and every check sees)."""
    paragraphs = tuple(p.strip() for p in report.narrative[slot_key].paragraphs if p.strip())
    if paragraphs:
        return paragraphs
    default = default_text(slot_key, report.meta)
    return () if default is None else (default,)
