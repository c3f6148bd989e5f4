"""What several checks share: where a finding about 基本信息 or 正文 points, and what a text
slot prints.

Kept apart from :mod:`generator.checks.checker` so that a check module (such as
:mod:`generator.checks.narrative_numbers`, which the checker runs) can use them without importing
the checker back: modules import in one direction, with no cycle (tests/test_layers.py).
"""

from __future__ import annotations

from typing import Mapping

from generator.report.layout import (
    SHEET_META,
    SHEET_TEXT,
    CellAddress,
    meta_key,
    text_heading_key,
    text_key,
)
from generator.report.model import Report
from generator.report.sentences import printed_paragraphs as printed

#: key -> address read (``ReadResult.sources``): field ids, ``meta.<attr>``, ``text.<slot>``
Sources = Mapping[str, CellAddress]


def meta_cell(attribute: str, sources: Sources | None) -> str:
    """The cell holding a 基本信息 item, or the sheet name when unknown."""
    if sources and meta_key(attribute) in sources:
        return str(sources[meta_key(attribute)])
    return SHEET_META


def text_cell(slot_key: str, sources: Sources | None, *, heading: bool = False) -> str:
    """The cell holding a text slot (or its custom heading), or the sheet name when unknown."""
    key = text_heading_key(slot_key) if heading else text_key(slot_key)
    if sources and key in sources:
        return str(sources[key])
    if heading and sources and text_key(slot_key) in sources:
        return str(sources[text_key(slot_key)])
    return SHEET_TEXT


def printed_paragraphs(report: Report, slot_key: str) -> tuple[str, ...]:
    """What the report prints for a slot, generator defaults included (opening, fee sentence):
    the same paragraphs the renderers print (both ask :mod:`generator.report.sentences`)."""
    return printed(report, slot_key)
