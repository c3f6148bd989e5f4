"""The report as an ordered list of blocks, the one reading order every renderer follows.

Renderers that lay out text themselves (PDF, HTML) walk :func:`blocks`; the .docx template
gets the same content through :func:`generator.outputs.context.template_context`.  Defaults the
generator writes itself (opening paragraph, fee sentence) are filled in here, so every format
prints the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Union

from generator.form import (
    SECTIONS,
    TABLE_BY_KEY,
    TEXT_SLOTS,
    TableForm,
    TextSlot,
    item_heading,
)
from generator.report.model import Report
from generator.report.sentences import format_date, format_number, printed_paragraphs


@dataclass(frozen=True)
class Title:
    text: str


@dataclass(frozen=True)
class Heading:
    """``level`` 1 is 一、… (黑体), 2 is （一）… (楷体)."""

    text: str
    level: int


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class TableBlock:
    """One of the three official tables, with every grid cell's printed text."""

    form: TableForm
    texts: dict[str, str]  # field id -> printed number


@dataclass(frozen=True)
class Signature:
    agency: str
    date: str


Block = Union[Title, Heading, Paragraph, TableBlock, Signature]


def paragraphs_of(report: Report, slot: TextSlot) -> tuple[str, ...]:
    """The paragraphs printed for a slot: the clerk's text, or the generator's default."""
    return printed_paragraphs(report, slot.key)


def slot_headings(report: Report) -> dict[str, str]:
    """The printed level-2 heading of every slot that has one, numbering 六's items in order."""
    headings: dict[str, str] = {}
    counters: dict[str, int] = {}
    for slot in TEXT_SLOTS:
        if slot.custom_heading:
            part = report.narrative[slot.key]
            if part.is_empty and not part.heading.strip():
                continue
            index = counters.get(slot.section or "", 0)
            headings[slot.key] = item_heading(index, part.heading.strip() or "其他事项")
        elif slot.printed_only_with_text and not paragraphs_of(report, slot):
            continue  # left out: the items after it take its number
        elif slot.heading:
            index = counters.get(slot.section or "", 0)
            headings[slot.key] = slot.heading
        else:
            continue
        counters[slot.section or ""] = index + 1
    return headings


def table_texts(report: Report, form: TableForm) -> dict[str, str]:
    return {f.id: format_number(report.numbers[f.id]) for f in form.fields}


def blocks(report: Report) -> Iterator[Block]:
    """Title, opening, the six sections in order, then the signature."""
    headings = slot_headings(report)
    slots_by_section: dict[str | None, list[TextSlot]] = {}
    for slot in TEXT_SLOTS:
        slots_by_section.setdefault(slot.section, []).append(slot)

    yield Title(report.title)
    for slot in slots_by_section.get(None, []):
        for text in paragraphs_of(report, slot):
            yield Paragraph(text)
    for section in SECTIONS:
        yield Heading(section.heading, 1)
        if section.table:
            form = TABLE_BY_KEY[section.table]
            yield TableBlock(form, table_texts(report, form))
        for slot in slots_by_section.get(section.number, []):
            paragraphs = paragraphs_of(report, slot)
            if slot.key in headings and (paragraphs or not slot.heading_needs_text):
                yield Heading(headings[slot.key], 2)
            for text in paragraphs:
                yield Paragraph(text)
    date = format_date(report.meta.publish_date) if report.meta.publish_date else ""
    yield Signature(report.meta.signing_agency, date)
