"""The report as the context of the .docx template, plus what every format shares with it.

:func:`template_context` turns a :class:`~generator.model.Report` into the names the template
uses (see :mod:`generator.render.template_builder`): numbers as ``t3.new.natural_person``,
paragraphs per text slot as ``text.overview_proactive``, the clerk's extra items of 六 as
``extra_items``, ``title_lines``, ``signature`` and ``draft``.  Paragraph texts, headings and
numbers come from :mod:`generator.render.document`, so the .docx prints the same words as the
PDF and HTML.

Text is cleaned on the way: characters XML forbids are removed (with a warning naming the
place), and a line break inside a paragraph starts a new paragraph.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from ..defaults import format_date
from ..findings import Finding, Severity
from ..form import FIELDS, META_FIELDS, REPORT_TITLE_SUFFIX, TABLES, TEXT_SLOTS
from ..model import Report
from .document import paragraphs_of, slot_headings, table_texts

#: Rule id of the warning about removed characters.
RULE_ILLEGAL_CHARS = "R-1"

#: Characters XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/FFFF).
#: Form feed and bell are among them: docxtpl would turn them into page and paragraph breaks.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029")

#: A title longer than this many characters is broken into two lines (二号 characters that fit
#: the 156 mm 版心: 442 pt / 22 pt = 20).
TITLE_LINE_CHARS = 20


def display_width(text: str) -> float:
    """Width in Chinese characters: ASCII letters and digits are half as wide."""
    return sum(0.5 if ord(ch) < 0x80 else 1 for ch in text)


def title_lines(agency: str, year: int) -> tuple[str, ...]:
    """The title as printed, in balanced lines.

    A title of at most :data:`TITLE_LINE_CHARS` characters stays on one line; otherwise the
    agency is line 1 and ``{year}年政府信息公开工作年度报告`` line 2 (the break every real
    report uses).  An agency name too long for one line is itself cut into equal parts.
    """
    title = f"{agency}{year}{REPORT_TITLE_SUFFIX}"
    if display_width(title) <= TITLE_LINE_CHARS:
        return (title,)
    second = f"{year}{REPORT_TITLE_SUFFIX}"
    if len(agency) <= TITLE_LINE_CHARS:
        return (agency, second)
    parts = math.ceil(len(agency) / TITLE_LINE_CHARS)
    step = math.ceil(len(agency) / parts)
    return (*(agency[i:i + step] for i in range(0, len(agency), step)), second)


def _cell(kind: str, key: str, heading: bool = False) -> str:
    """The workbook cell (as ``nianbao init`` lays it out) holding a meta item or text slot.

    Imported only when a character had to be removed: the workbook layout pulls in openpyxl.
    """
    from ..workbook.writer import meta_address, text_address

    return str(meta_address(key) if kind == "meta" else text_address(key, heading))


@dataclass(frozen=True)
class _Cleaner:
    """Removes forbidden characters and remembers where it found them."""

    findings: list[Finding]

    def __call__(self, value: str, where: str, cell: tuple[str, str, bool]) -> str:
        cleaned = _ILLEGAL.sub("", value)
        if cleaned != value:
            removed = len(value) - len(cleaned)
            self.findings.append(Finding(
                Severity.WARNING, RULE_ILLEGAL_CHARS,
                f"{where}含有 {removed} 个 Word 文档不允许的控制字符（多由复制粘贴带入），生成时已删除。",
                cells=(_cell(*cell),),
                hint=f"请在工作簿中检查{where}的文字，删除看不见的特殊字符后重新生成。"))
        return cleaned


def _split_lines(paragraphs: tuple[str, ...]) -> list[str]:
    """A line break inside a paragraph starts a new paragraph; blank lines are dropped."""
    out: list[str] = []
    for text in paragraphs:
        out.extend(line.strip() for line in _LINE_BREAKS.split(text) if line.strip())
    return out


def _namespace(mapping: dict[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(**mapping)


def clean_report(report: Report) -> tuple[Report, list[Finding]]:
    """The report with forbidden characters removed from every text, and a warning per place.

    The PDF and HTML renderers may use this too, so that all formats drop the same characters.
    """
    from dataclasses import replace

    from ..model import Narrative, TextPart

    findings: list[Finding] = []
    clean = _Cleaner(findings)
    meta_labels = {m.key: m.label for m in META_FIELDS}
    meta_changes = {
        key: clean(getattr(report.meta, key), f"基本信息「{label}」", ("meta", key, False))
        for key, label in meta_labels.items()
        if isinstance(getattr(report.meta, key, None), str)
    }
    parts = {}
    for slot in TEXT_SLOTS:
        part = report.narrative[slot.key]
        paragraphs = tuple(clean(p, f"正文「{slot.label}」第{i}段", ("text", slot.key, False))
                           for i, p in enumerate(part.paragraphs, start=1))
        heading = clean(part.heading, f"正文「{slot.label}」的小标题", ("text", slot.key, True))
        parts[slot.key] = TextPart(paragraphs, heading)
    if not findings:
        return report, []
    return report.replace(meta=replace(report.meta, **meta_changes),
                          narrative=Narrative(parts)), findings


def template_context(report: Report, *, draft: bool = False) -> tuple[dict[str, Any], list[Finding]]:
    """The names the .docx template uses, and warnings about text that had to be cleaned."""
    report, findings = clean_report(report)
    headings = slot_headings(report)

    text: dict[str, list[str]] = {}
    extra_items: list[SimpleNamespace] = []
    for slot in TEXT_SLOTS:
        paragraphs = _split_lines(paragraphs_of(report, slot))
        if slot.custom_heading:
            if paragraphs and slot.key in headings:
                extra_items.append(_namespace({"heading": headings[slot.key],
                                               "paragraphs": paragraphs}))
            continue
        text[slot.key.replace(".", "_")] = paragraphs

    numbers: dict[str, dict[str, dict[str, str]]] = {}
    for form in TABLES:
        rows = numbers.setdefault(form.key, {})
        for field_id, printed in table_texts(report, form).items():
            _, row, col = field_id.split(".")
            rows.setdefault(row, {})[col] = printed

    meta = report.meta
    context: dict[str, Any] = {
        "title": report.title,
        "title_lines": list(title_lines(meta.agency, meta.year)),
        "text": _namespace(text),
        "extra_items": extra_items,
        "signature": _namespace({
            "agency": meta.signing_agency,
            "date": format_date(meta.publish_date) if meta.publish_date else "",
        }),
        "draft": draft,
    }
    for table_key, rows in numbers.items():
        context[table_key] = _namespace({row: _namespace(cols) for row, cols in rows.items()})
    return context, findings


def context_names() -> dict[str, tuple[str, ...]]:
    """Every dotted name the template may use, grouped: ``required`` and ``optional``.

    ``required`` is what a custom template must print (every number, every text slot, the
    title, the signature and the draft mark); ``optional`` may be left out.
    """
    required = [f.id for f in FIELDS]
    required += ["text." + s.key.replace(".", "_") for s in TEXT_SLOTS if not s.custom_heading]
    required += ["extra_items", "title_lines", "signature.agency", "signature.date", "draft"]
    return {"required": tuple(required), "optional": ("title",)}
