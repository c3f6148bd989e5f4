"""The PDF, laid out with reportlab: the same words as the .docx, GB/T 9704 page geometry.

The report's content comes only from :func:`generator.render.document.blocks`; this module
decides fonts (through :mod:`generator.fonts`), turns blocks into flowables
(:mod:`.pdf_layout`), checks every character against the font that prints it, and writes
the file atomically.  Output bytes are reproducible (``invariant``).
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import zlib

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.platypus import BaseDocTemplate, Flowable, Spacer

from .. import geometry
from ..findings import Finding, Severity
from ..fonts import OFFICIAL_FONT_NAMES, ROLE_LABELS, FontSearch, LoadedFont, choose_fonts, load_fonts
from ..model import Report
from ..safeio import write_bytes_atomic
from . import RenderOptions
from .context import clean_report, signature_lines, table_geometry, title_lines
from .document import Block, Heading, Paragraph, Signature, TableBlock, Title, blocks
from .pdf_layout import (
    BODY_SIZE,
    BODY_TRACKING,
    BODY_WIDTH,
    DRAFT_MARK,
    LINE_PITCH,
    TITLE_LEADING,
    TITLE_SIZE,
    Face,
    FormTable,
    KeepWithNext,
    PageSetup,
    SignatureBlock,
    TableLook,
    TextBlock,
    TextStyle,
    page_number_text,
    mirrored,
    page_templates,
)

#: Table typography of the committed template (numbers no wider than their headings): type
#: size and column widths as fractions of the 版心, from generator.geometry – the .docx and
#: the HTML read the same declaration; a report's own numbers may widen the columns.
TABLE_LOOKS: dict[str, tuple[float, tuple[float, ...]]] = {
    key: (geo.size_pt, tuple(w / geometry.TEXT_WIDTH for w in geo.widths))
    for key, geo in ((k, geometry.default_geometry(k)) for k in ("t2", "t3", "t4"))
}

#: Roles tried, in order, for a character the role's own font lacks.
FALLBACK_ORDER = ("fangsong", "song", "title", "kaiti", "heiti")

#: How many missing characters are reported one by one per font role.
MAX_MISSING_REPORTED = 30

PAGE_NUMBER_CHARS = "".join(sorted(set(page_number_text(0) + "0123456789")))

SUBJECT = "政府信息公开工作年度报告"

_BUILD_LOCK = threading.Lock()


class _QuickFlate(pdfdoc.PDFStreamFilterZCompress):
    """reportlab's Flate filter at zlib level 3 instead of 6.

    Compressing the embedded font subsets was a third of a report's PDF time; level 3 takes
    about half as long for files some 5 % larger.
    """

    def encode(self, text: str | bytes) -> bytes:
        return zlib.compress(text.encode("utf8") if isinstance(text, str) else text, 3)


_QUICK_FLATE = _QuickFlate()
# The .docx starts a new paragraph at every line break (context._split_lines); so does the PDF.
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029")


def render(report: Report, target: Path, options: RenderOptions) -> list[Finding]:
    """Write ``report`` as a PDF to ``target``; return font warnings (missing glyphs …)."""
    data, findings = render_bytes(report, options)
    write_bytes_atomic(target, data)
    return findings


def render_bytes(report: Report, options: RenderOptions,
                 search: FontSearch | None = None) -> tuple[bytes, list[Finding]]:
    """The PDF's bytes and the findings, without writing a file (tests, batch)."""
    report, findings = clean_report(report)  # the same characters dropped as in the .docx
    items = list(_one_paragraph_per_line(blocks(report)))
    placed = _place_text(items, options.draft)
    choices = choose_fonts(options.font_paths, options.font_config, search)
    loaded = load_fonts(choices, {role: "".join(sorted(chars))
                                  for role, chars in _chars_by_role(placed).items()}, search)
    faces = _faces(loaded)
    findings += _missing_glyph_findings(placed, loaded, faces) + _stand_in_findings(loaded)

    setup = PageSetup(number_face=faces["song"], draft=options.draft, draft_face=faces["heiti"])
    buffer = io.BytesIO()
    meta = report.meta
    doc = BaseDocTemplate(
        buffer, pagesize=page_templates(setup)[0].pagesize, pageTemplates=page_templates(setup),
        title=report.title, author=meta.agency, subject=SUBJECT,
        keywords=", ".join(k for k in ("政府信息公开", "年度报告", str(meta.year), meta.agency) if k),
        creator="nianbao", producer="nianbao (reportlab)", invariant=1,
        leftMargin=0, rightMargin=0, topMargin=0, bottomMargin=0, lang="zh-CN",
        # The canvas would otherwise start with Helvetica, a font the PDF does not embed.
        initialFontName=faces["fangsong"].name, initialFontSize=BODY_SIZE,
    )
    story = mirrored(build_story(items, faces, title_lines(meta.agency, meta.year),
                                 stamped=options.stamped))
    with _BUILD_LOCK:
        # reportlab keeps settings and font subset state in module globals: one build at a
        # time per process.  Binary streams (no ASCII85) are smaller and faster to write;
        # every stream (pages, fonts) is compressed by the module's one Flate filter object.
        saved, saved_flate = rl_config.useA85, pdfdoc.PDFZCompress
        rl_config.useA85, pdfdoc.PDFZCompress = 0, _QUICK_FLATE
        try:
            doc.build(story)
        finally:
            rl_config.useA85, pdfdoc.PDFZCompress = saved, saved_flate
    return buffer.getvalue(), findings


def _one_paragraph_per_line(items: Iterable[Block]) -> Iterator[Block]:
    """A line break inside a paragraph starts a new paragraph, as in the .docx."""
    for item in items:
        if isinstance(item, Paragraph):
            for line in _LINE_BREAKS.split(item.text):
                if line.strip():
                    yield Paragraph(line.strip())
        else:
            yield item


# ---------------------------------------------------------------------------
# Which font prints what, and where it is (for the missing-glyph report)


@dataclass
class _Placed:
    """A piece of text, the role whose font prints it, and where a clerk finds it."""

    role: str
    text: str
    where: str


def _place_text(items: Iterable[object], draft: bool) -> list[_Placed]:
    placed: list[_Placed] = []
    section = "开头段落（编制说明）"
    subsection = ""
    count = 0
    for item in items:
        if isinstance(item, Title):
            placed.append(_Placed("title", item.text, "标题"))
        elif isinstance(item, Heading):
            if item.level == 1:
                section, subsection = item.text, ""
                placed.append(_Placed("heiti", item.text, f"标题“{item.text}”"))
            else:
                subsection = item.text
                placed.append(_Placed("kaiti", item.text, f"{section}中的标题“{item.text}”"))
            count = 0
        elif isinstance(item, Paragraph):
            count += 1
            where = f"{section}{subsection}第{count}段"
            placed.append(_Placed("fangsong", item.text, where))
        elif isinstance(item, TableBlock):
            for cell in item.form.cells:
                text = item.texts.get(cell.field_id, "") if cell.field_id else cell.text
                placed.append(_Placed("song", text, f"{item.form.name}"))
        elif isinstance(item, Signature):
            placed.append(_Placed("fangsong", f"{item.agency}{item.date}", "落款"))
    placed.append(_Placed("song", PAGE_NUMBER_CHARS, "页码"))
    if draft:
        placed.append(_Placed("heiti", DRAFT_MARK, "页眉“未通过校验”标记"))
    return placed


def _chars_by_role(placed: Iterable[_Placed]) -> dict[str, set[str]]:
    chars: dict[str, set[str]] = {}
    for p in placed:
        chars.setdefault(p.role, set()).update(ch for ch in p.text if not ch.isspace())
    return chars


def _faces(loaded: dict[str, LoadedFont]) -> dict[str, Face]:
    plain = {role: Face(font.name, font.codepoints) for role, font in loaded.items()}
    ordered = [plain[r] for r in FALLBACK_ORDER if r in plain]
    return {role: face.with_fallbacks(ordered) for role, face in plain.items()}


def _missing_glyph_findings(placed: list[_Placed], loaded: dict[str, LoadedFont],
                            faces: dict[str, Face]) -> list[Finding]:
    """One warning per character a role's font lacks, naming where it first occurs."""
    seen: dict[tuple[str, str], list[str]] = {}
    for p in placed:
        for ch in loaded[p.role].missing(p.text):
            seen.setdefault((p.role, ch), []).append(p.where)
    findings: list[Finding] = []
    per_role: dict[str, int] = {}
    for (role, ch), places in seen.items():
        per_role[role] = per_role.get(role, 0) + 1
        if per_role[role] > MAX_MISSING_REPORTED:
            continue
        font = loaded[role]
        substitute = faces[role].pick(ch)
        where = places[0] + (f"等 {len(places)} 处" if len(places) > 1 else "")
        if substitute.name != font.name:
            other = next(f.choice.face for f in loaded.values() if f.name == substitute.name)
            effect = f"PDF 中该字改用字体 {other} 印出，字形可能与前后文字不一致。"
        else:
            effect = "PDF 中该字会显示为空白或方框。"
        findings.append(Finding(
            Severity.WARNING, "F-2",
            f"PDF 的{ROLE_LABELS[role]}字体 {font.choice.face} 中没有“{ch}”字（U+{ord(ch):04X}），"
            f"出现在：{where}。{effect}",
            hint="请核对该字是否为错别字或生僻字；如确需使用，请用 --font 或字体配置文件"
                 "指定包含该字的字体（nianbao fonts 可查看当前字体）。",
            found=ch,
        ))
    for role, total in per_role.items():
        if total > MAX_MISSING_REPORTED:
            findings.append(Finding(
                Severity.WARNING, "F-2",
                f"PDF 的{ROLE_LABELS[role]}字体 {loaded[role].choice.face} 另缺 "
                f"{total - MAX_MISSING_REPORTED} 个字（共缺 {total} 个），未逐一列出。",
                hint="该字体可能不是中文字体，请用 nianbao fonts 检查字体设置。",
            ))
    return findings


def _stand_in_findings(loaded: dict[str, LoadedFont]) -> list[Finding]:
    stand_ins = [f"{ROLE_LABELS[role]}用 {font.choice.face}（应为 {OFFICIAL_FONT_NAMES[role]}）"
                 for role, font in loaded.items() if font.choice.stand_in]
    if not stand_ins:
        return []
    return [Finding(Severity.NOTICE, "PDF-FONT",
                    "PDF 使用了替代字体，正式印发前请安装官方字体：" + "；".join(stand_ins) + "。",
                    hint="可用 --font 角色=字体文件 或字体配置文件指定官方字体；"
                         "运行 nianbao fonts 查看各字体的来源。")]


# ---------------------------------------------------------------------------
# Blocks → flowables


@dataclass
class _Styles:
    faces: dict[str, Face]
    body: TextStyle = field(init=False)
    heading1: TextStyle = field(init=False)
    heading2: TextStyle = field(init=False)
    title: TextStyle = field(init=False)
    signature: TextStyle = field(init=False)

    def __post_init__(self) -> None:
        indent = 2 * (BODY_SIZE + BODY_TRACKING)  # 首行缩进二字, on the 28-character grid
        f = self.faces
        self.body = TextStyle(f["fangsong"], BODY_SIZE, LINE_PITCH, "justify", indent,
                              tracking=BODY_TRACKING)
        self.heading1 = TextStyle(f["heiti"], BODY_SIZE, LINE_PITCH, "justify", indent,
                                  tracking=BODY_TRACKING)
        self.heading2 = TextStyle(f["kaiti"], BODY_SIZE, LINE_PITCH, "justify", indent,
                                  tracking=BODY_TRACKING)
        self.title = TextStyle(f["title"], TITLE_SIZE, TITLE_LEADING, "center",
                               widow_control=False, space_after=LINE_PITCH)
        self.signature = TextStyle(f["fangsong"], BODY_SIZE, LINE_PITCH, "left",
                                   tracking=BODY_TRACKING, widow_control=False)


def table_look(key: str, face: Face, texts: dict[str, str] | None = None) -> TableLook:
    """The look of table ``key``: one size and the column widths for its widest number."""
    if texts is None:
        size, fractions = TABLE_LOOKS[key]
    else:
        geo = table_geometry(key, texts)
        size, fractions = geo.size_pt, tuple(w / geometry.TEXT_WIDTH for w in geo.widths)
    return TableLook(face, size, fractions, padding=geometry.CELL_MARGIN_X / 20,
                     padding_y=geometry.CELL_MARGIN_Y / 20)


def build_story(items: Iterable[object], faces: dict[str, Face],
                title: Sequence[str] | None = None, *, stamped: bool = True) -> list[Flowable]:
    """The flowables of the whole report, in reading order; ``title`` are the title's lines."""
    styles = _Styles(faces)
    story: list[Flowable] = []
    pending: list[Flowable] = []  # headings waiting for what follows them

    def add(flowable: Flowable) -> None:
        if pending:
            flowable = KeepWithNext(list(pending), flowable)
            pending.clear()
        story.append(flowable)

    for item in items:
        if isinstance(item, Title):
            lines = title if title and "".join(title) == item.text else [item.text]
            story.append(TextBlock("\n".join(lines), styles.title))
        elif isinstance(item, Heading):
            style = styles.heading1 if item.level == 1 else styles.heading2
            pending.append(TextBlock(item.text, style))
        elif isinstance(item, Paragraph):
            add(TextBlock(item.text, styles.body))
        elif isinstance(item, TableBlock):
            texts = dict(item.texts)
            table = FormTable(item.form, texts, table_look(item.form.key, faces["song"], texts),
                              lead=list(pending))
            pending.clear()
            story.append(table)
        elif isinstance(item, Signature):
            story.extend(pending)
            pending.clear()
            story.append(_signature(item, story, styles, stamped))
    story.extend(pending)
    return story


def _signature(item: Signature, story: list[Flowable], styles: _Styles,
               stamped: bool = True) -> Flowable:
    """落款 by the rule every output follows (context.signature_lines)."""
    style = styles.signature
    face = style.face
    char = BODY_SIZE + BODY_TRACKING

    def width(text: str) -> float:
        return face.width(text, BODY_SIZE) + BODY_TRACKING * max(len(text) - 1, 0)

    lines = []
    for line in signature_lines(item.agency, item.date, stamped=stamped,
                                measure=lambda t: width(t) / char):
        x = max(BODY_WIDTH - line.right * char - width(line.text), 0.0)
        lines.append(TextBlock(line.text, replace(style, left_indent=x)))
    tail = story.pop() if story and not isinstance(story[-1], (FormTable, Spacer)) else None
    return SignatureBlock(tail, lines)

