"""The report as the context of the .docx template, plus what every format shares with it.

:func:`template_context` turns a :class:`~generator.report.model.Report` into the names the template
uses (see :mod:`generator.outputs.template_builder`): numbers as ``t3.new.natural_person``,
paragraphs per text slot as ``text.overview_proactive``, the clerk's extra items of 六 as
``extra_items``, ``title_lines``, ``signature`` and ``draft``.  Paragraph texts, headings and
numbers come from :mod:`generator.outputs.document`, so the .docx prints the same words as the
PDF and HTML.

Text is cleaned on the way: characters XML forbids are removed (with a warning naming the
place), and a line break inside a paragraph starts a new paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from generator.findings import Finding, Severity
from generator.form import FIELDS, META_FIELDS, REPORT_TITLE_SUFFIX, TABLES, TEXT_SLOTS
from generator.form.geometry import TableGeometry, table_geometry
from generator.outputs.document import paragraphs_of, slot_headings, table_texts
from generator.report.model import Report
from generator.report.sentences import format_date

#: Rule id of the warning about removed characters.
RULE_ILLEGAL_CHARS = "R-1"

#: Characters XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/FFFF).
#: Form feed and bell are among them: docxtpl would turn them into page and paragraph breaks.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029")

#: A title line holds at most this many characters (二号 characters that fit the 156 mm 版心:
#: 442 pt / 22 pt = 20).
TITLE_LINE_CHARS = 20

#: Words after which a long agency name may wrap (GB/T 9704-2012 §7.3.3: a wrapped title
#: keeps its words whole).  Longer words first: 自治州 before 州.
AGENCY_BREAK_AFTER: tuple[str, ...] = (
    "特别行政区", "人民政府", "自治州", "自治县", "自治旗", "自治区", "办公室", "办公厅",
    "委员会", "办事处", "街道", "苏木", "中心", "省", "州", "盟", "市", "县", "旗", "区",
    "镇", "乡", "局", "厅", "委", "院", "处", "所", "站",
)
#: What may not follow such a break: the unit character starts a longer word
#: (…县|市场监督管理局, not …县市|场…; …县委 stays whole).
_NO_BREAK_BEFORE = ("场", "域", "委", "长", "级", "直", "属", "政府", "办事处")

#: The title after the agency, in the words it may wrap between.
def _suffix_words(year: int) -> tuple[str, ...]:
    return (f"{year}年", "政府信息公开", "工作年度报告")


def display_width(text: str) -> float:
    """Width in Chinese characters: ASCII letters and digits are half as wide."""
    return sum(0.5 if ord(ch) < 0x80 else 1 for ch in text)


def agency_words(agency: str) -> tuple[str, ...]:
    """``agency`` cut after each administrative unit: 扎赉特旗|宝力根花苏木|人民政府."""
    words: list[str] = []
    start = 0
    i = 0
    n = len(agency)
    while i < n:
        unit = next((u for u in AGENCY_BREAK_AFTER if agency.startswith(u, i)), None)
        if unit is None:
            i += 1
            continue
        end = i + len(unit)
        rest = agency[end:]
        # A break needs two characters on each side, and the next word must not start
        # with what completes this one.
        if (end - start >= 2 and len(rest) >= 2
                and not any(rest.startswith(w) for w in _NO_BREAK_BEFORE)):
            words.append(agency[start:end])
            start = end
        i = end
    if start < n:
        words.append(agency[start:])
    return tuple(words)


def _partitions(words: tuple[str, ...], limit: float):
    """Every way of setting ``words`` on lines no wider than ``limit`` (whole words only)."""
    n = len(words)
    if n == 0:
        yield ()
        return

    def walk(i: int):
        if i == n:
            yield ()
            return
        line = ""
        for j in range(i, n):
            line += words[j]
            if display_width(line) > limit and j > i:
                break
            for rest in walk(j + 1):
                yield ((i, j + 1), *rest)

    yield from walk(0)


def _shape_ok(widths: list[float]) -> bool:
    """梯形 (lines growing or shrinking) or 菱形 (growing, then shrinking); one character of
    difference counts as equal."""
    steps = [b - a for a, b in zip(widths, widths[1:])]
    signs = [0 if abs(d) <= 1 else (1 if d > 0 else -1) for d in steps]
    signs = [d for d in signs if d]
    if all(d > 0 for d in signs) or all(d < 0 for d in signs):
        return True
    first_down = signs.index(-1)
    return all(d < 0 for d in signs[first_down:])


#: Up to this many words every arrangement is weighed (2^(n-1) of them); beyond, lines are
#: filled greedily (a name that long has no title shape worth searching for).
_MAX_SEARCHED_WORDS = 12


def _greedy(words: tuple[str, ...], limit: float) -> tuple[str, ...]:
    lines: list[str] = []
    line = ""
    for word in words:
        if line and display_width(line + word) > limit:
            lines.append(line)
            line = ""
        line += word
    if line:
        lines.append(line)
    return tuple(lines)


def wrap_words(words: tuple[str, ...], limit: float, *, prefer_breaks: frozenset[int] = frozenset(),
               ) -> tuple[str, ...]:
    """``words`` on the fewest lines no wider than ``limit``, arranged per GB/T 9704 §7.3.3:
    words whole, 梯形 or 菱形, lines as even as possible.  ``prefer_breaks`` are word
    indexes a line should start at (the title's agency | year line)."""
    if any(display_width(w) > limit for w in words):
        # A word wider than a line (a name with no unit to break at) is cut where it must be.
        pieces: list[str] = []
        cut: dict[int, int] = {}
        for index, word in enumerate(words):
            cut[index] = len(pieces)
            pieces.extend(_greedy(tuple(word), limit) or ("",))
        words = tuple(pieces)
        prefer_breaks = frozenset(cut[i] for i in prefer_breaks if i in cut)
    if len(words) > _MAX_SEARCHED_WORDS:
        return _greedy(words, limit)
    best: tuple[tuple[float, ...], tuple[str, ...]] | None = None
    for parts in _partitions(words, limit):
        lines = tuple("".join(words[a:b]) for a, b in parts)
        widths = [display_width(line) for line in lines]
        starts = {a for a, _ in parts[1:]}
        missed = len(prefer_breaks - starts) if len(parts) > 1 else 0
        extra = len(starts - prefer_breaks)
        # The preferred breaks first (one more line is worth keeping the title's own last
        # line), then few lines, the 梯形/菱形 shape and even lines.
        cost = (10 * missed + 6 * len(lines) + (0 if _shape_ok(widths) else 3)
                + max(widths) - min(widths) + 0.5 * extra,)
        if best is None or cost < best[0]:
            best = (cost, lines)
    return best[1] if best is not None else ()


def title_lines(agency: str, year: int) -> tuple[str, ...]:
    """The title as printed, by one rule in every output (GB/T 9704-2012 §7.3.3).

    A title of at most :data:`TITLE_LINE_CHARS` characters stays on one line; otherwise it
    wraps only between words (the administrative units of the agency name, and
    ``{year}年 | 政府信息公开 | 工作年度报告``), preferring the break every real report uses
    (agency, then ``{year}年政府信息公开工作年度报告``), in a 梯形 or 菱形 of even lines.
    """
    title = f"{agency}{year}{REPORT_TITLE_SUFFIX}"
    if display_width(title) <= TITLE_LINE_CHARS:
        return (title,)
    head = agency_words(agency)
    words = head + _suffix_words(year)
    lines = wrap_words(words, TITLE_LINE_CHARS, prefer_breaks=frozenset({len(head)}))
    assert "".join(lines) == title
    return lines


def title_words(line: str, agency: str, year: int) -> tuple[str, ...]:
    """One title line cut into the words it may wrap between (the HTML wraps only there)."""
    words = agency_words(agency) + _suffix_words(year)
    out: list[str] = []
    rest = line
    for word in words:
        if not rest:
            break
        if rest.startswith(word):
            out.append(word)
            rest = rest[len(word):]
    if rest or not out:
        return (line,)
    return tuple(out)


#: 落款 layouts: ``stamped`` (GB/T 9704 §7.3.5.1, the default) and ``unstamped`` (§7.3.5.2).
SIGNATURE_LAYOUTS = ("stamped", "unstamped")


@dataclass(frozen=True)
class SignatureLine:
    """One line of the 落款 and its distance from the right edge of the 版心 in characters."""

    text: str
    right: float
    role: str  # agency or date


def signature_lines(agency: str, date: str, *, stamped: bool = True,
                    measure=display_width, line_chars: float = 28) -> tuple[SignatureLine, ...]:
    """The 落款 by one rule for every output; ``measure`` gives a text's width in characters.

    Stamped (加盖印章, the default): the date 右空四字; the agency centred over the date,
    wrapped at its administrative units so that no line reaches past the right margin.
    Unstamped: the agency 右空二字; the date starts two characters right of the agency's
    start, or ends 右空二字 when it is longer.
    """
    date_w = measure(date) if date else 0.0
    words = agency_words(agency) if agency else ()
    out: list[SignatureLine] = []
    if stamped:
        date_right = 4.0
        centre = date_right + date_w / 2 if date else date_right
        limit = max(2 * centre, measure("字" * 8)) if date else line_chars - date_right
        lines = wrap_words(words, limit) if words else ()
        for line in lines:
            width = measure(line)
            right = centre - width / 2 if date else date_right
            out.append(SignatureLine(line, max(right, 0.0), "agency"))
        if date:
            out.append(SignatureLine(date, date_right, "date"))
        return tuple(out)
    lines = wrap_words(words, line_chars - 2) if words else ()
    agency_w = max((measure(line) for line in lines), default=0.0)
    agency_right = 2.0
    date_right = agency_right + agency_w - 2 - date_w
    if date_right < 2:
        date_right = 2.0
        agency_right = date_right + date_w + 2 - agency_w
    out = [SignatureLine(line, max(agency_right, 0.0), "agency") for line in lines]
    if date:
        out.append(SignatureLine(date, date_right, "date"))
    return tuple(out)


def _cell(kind: str, key: str, heading: bool = False) -> str:
    """The workbook cell (as ``nianbao init`` lays it out) holding a meta item or text slot.

    Imported only when a character had to be removed: the workbook layout pulls in openpyxl.
    """
    from generator.outputs.workbook import meta_address, text_address

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

    from generator.report.model import Narrative, TextPart

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


@dataclass(frozen=True)
class PrintLayout:
    """What the .docx renderer sets after the template is filled: each table's geometry
    (resized for the report's widest number) and the 落款's lines and indents."""

    tables: dict[str, TableGeometry]
    signature: tuple[SignatureLine, ...]
    agency: str
    date: str


def print_layout(report: Report, *, stamped: bool = True) -> PrintLayout:
    """The layout every output shares: table geometry and the 落款 (see :mod:`generator.form.geometry`)."""
    meta = report.meta
    date = format_date(meta.publish_date) if meta.publish_date else ""
    return PrintLayout(
        tables={form.key: table_geometry(form.key, table_texts(report, form)) for form in TABLES},
        signature=signature_lines(meta.signing_agency, date, stamped=stamped),
        agency=meta.signing_agency, date=date)


#: Context key of the :class:`PrintLayout` (not a template placeholder).
PRINT_LAYOUT_KEY = "_print_layout"


def template_context(report: Report, *, draft: bool = False,
                     stamped: bool = True) -> tuple[dict[str, Any], list[Finding]]:
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
        PRINT_LAYOUT_KEY: print_layout(report, stamped=stamped),
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
