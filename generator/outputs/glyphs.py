"""Which font prints each piece of the PDF's text, and what it could not print.

Two checks, one wording: before layout, every character is looked up in its role's font (and
the fallbacks); after reportlab has written the file, every character it drew with a font that
lacks the glyph is collected from the fonts themselves (:func:`generator.outputs.fonts.embed.unprintable`).
The second catches whatever the first missed, so a box in the PDF is always a finding that says
where the character is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from generator.checks.rules import F_2, PDF_FONT
from generator.findings import Finding
from generator.form import DRAFT_MARK, SECTIONS, TABLES
from generator.outputs.document import Heading, Paragraph, Signature, TableBlock, Title
from generator.outputs.fonts import OFFICIAL_FONT_NAMES, ROLE_LABELS, LoadedFont
from generator.outputs.fonts.embed import unprintable
from generator.outputs.pdf_layout import Face, page_number_text

#: Roles tried, in order, for a character the role's own font lacks.
FALLBACK_ORDER = ("fangsong", "song", "title", "kaiti", "heiti")

#: How many missing characters are reported one by one per font role.
MAX_MISSING_REPORTED = 30

PAGE_NUMBER_CHARS = "".join(sorted(set(page_number_text(0) + "0123456789")))


@dataclass
class Placed:
    """A piece of text, the role whose font prints it, and where a clerk finds it."""

    role: str
    text: str
    where: str


def place_text(items: Iterable[object], draft: bool) -> list[Placed]:
    placed: list[Placed] = []
    section = "开头段落（编制说明）"
    subsection = ""
    count = 0
    for item in items:
        if isinstance(item, Title):
            placed.append(Placed("title", item.text, "标题"))
        elif isinstance(item, Heading):
            if item.level == 1:
                section, subsection = item.text, ""
                placed.append(Placed("heiti", item.text, f"标题“{item.text}”"))
            else:
                subsection = item.text
                placed.append(Placed("kaiti", item.text, f"{section}中的标题“{item.text}”"))
            count = 0
        elif isinstance(item, Paragraph):
            count += 1
            placed.append(Placed("fangsong", item.text, f"{section}{subsection}第{count}段"))
        elif isinstance(item, TableBlock):
            for cell in item.form.cells:
                text = item.texts.get(cell.field_id, "") if cell.field_id else cell.text
                placed.append(Placed("song", text, f"{item.form.name}"))
        elif isinstance(item, Signature):
            placed.append(Placed("fangsong", f"{item.agency}{item.date}", "落款"))
    placed.append(Placed("song", PAGE_NUMBER_CHARS, "页码"))
    if draft:
        placed.append(Placed("heiti", DRAFT_MARK, "页眉“未通过校验”标记"))
    return placed


#: The form's section headings, which 黑体 prints in every report.
SECTION_HEADINGS = "".join(section.heading for section in SECTIONS)


def fixed_text() -> dict[str, str]:
    """Roles whose every character is known before any report is read, with those characters:
    黑体 prints the form's section headings and the draft mark, nothing else (see
    :func:`place_text`).  A converted font serving only such roles needs a few hundred glyphs
    (:func:`generator.outputs.fonts.load_fonts`)."""
    return {"heiti": "".join(sorted(set(SECTION_HEADINGS + DRAFT_MARK)))}


def printed_in_every_report() -> dict[str, str]:
    """Per role, the characters every report prints with it, in the form's order: the
    tables' labels and the page numbers (宋体), the section headings (黑体)."""
    labels = "".join(cell.text for table in TABLES for cell in table.labels)
    return {"song": labels + PAGE_NUMBER_CHARS, "heiti": SECTION_HEADINGS}


def reserved_characters(faces: dict[str, Face]) -> dict[str, str]:
    """Registered font name → the characters of :func:`printed_in_every_report` it prints,
    in that order (a character the role's font lacks goes to the fallback that prints it).
    Kept for the faces of :func:`faces_for`, which are the same objects for the same fonts."""
    kept = _reserved.get(id(faces))
    if kept is not None and kept[0] is faces:
        return dict(kept[1])
    reserved = _reserve(faces)
    if len(_reserved) >= 32:
        _reserved.clear()
    _reserved[id(faces)] = (faces, reserved)
    return dict(reserved)


_reserved: dict[int, tuple[dict[str, Face], dict[str, str]]] = {}


def _reserve(faces: dict[str, Face]) -> dict[str, str]:
    reserved: dict[str, list[str]] = {}
    for role, text in printed_in_every_report().items():
        if role not in faces:
            continue
        for ch in dict.fromkeys(text):
            reserved.setdefault(faces[role].pick(ch).name, []).append(ch)
    return {name: "".join(chars) for name, chars in reserved.items()}


def _texts_by_role(placed: Iterable[Placed]) -> dict[str, str]:
    """All the text each role prints, joined (for one set operation per role)."""
    texts: dict[str, list[str]] = {}
    for p in placed:
        texts.setdefault(p.role, []).append(p.text)
    return {role: "".join(parts) for role, parts in texts.items()}


def chars_by_role(placed: Iterable[Placed]) -> dict[str, str]:
    """Per role, the characters it prints, sorted, without whitespace (``str.split`` drops
    exactly the characters ``str.isspace`` calls whitespace)."""
    return {role: "".join("".join(sorted(set(text))).split())
            for role, text in _texts_by_role(placed).items()}


def faces_for(loaded: dict[str, LoadedFont]) -> dict[str, Face]:
    """Per role, the face the layout measures and draws with: the role's font (its first piece,
    then its other pieces), then the other roles' fonts for characters it lacks.

    The same fonts give the same faces, kept for the process: their width caches and the
    layouts measured with them (:class:`.pdf_layout.TextBlock`) serve the next document."""
    key = tuple(sorted((role, id(font)) for role, font in loaded.items()))
    cached = _faces.get(key)
    if cached is not None and cached[0] == loaded:
        return cached[1]
    pieces = {role: [Face(piece.name, piece.codepoints) for piece in font.pieces]
              for role, font in loaded.items()}
    others = [face for role in FALLBACK_ORDER if role in pieces for face in pieces[role]]
    faces = {role: own[0].with_fallbacks(own[1:] + others) for role, own in pieces.items()}
    if len(_faces) >= 32:
        _faces.clear()
    _faces[key] = (dict(loaded), faces)
    return faces


_faces: dict[tuple[tuple[str, int], ...], tuple[dict[str, LoadedFont], dict[str, Face]]] = {}


def missing_glyph_findings(placed: list[Placed], loaded: dict[str, LoadedFont],
                           faces: dict[str, Face],
                           chars: Mapping[str, str] | None = None) -> list[Finding]:
    """One warning per character a role's font lacks, naming where it first occurs.
    ``chars`` is :func:`chars_by_role` of ``placed`` when the caller has it already."""
    # Nearly always a role's font has every character the role prints: one test per role
    # then spares asking it about each of the report's few hundred texts.
    by_role = chars_by_role(placed) if chars is None else chars
    lacking = {role for role, text in by_role.items() if not loaded[role].chars.issuperset(text)}
    seen: dict[tuple[str, str], list[str]] = {}
    for p in placed:
        if p.role not in lacking:
            continue
        for ch in loaded[p.role].missing(p.text):
            seen.setdefault((p.role, ch), []).append(p.where)
    return _findings(seen, loaded, faces)


def unprinted_findings(placed: list[Placed], loaded: dict[str, LoadedFont],
                       faces: dict[str, Face], document: Any,
                       reported: Iterable[Finding]) -> list[Finding]:
    """Characters the written PDF draws as an empty glyph that no earlier finding named."""
    already = {finding.found for finding in reported if finding.rule == F_2.id}
    gaps: set[str] = set()
    for font in loaded.values():
        for piece in font.pieces:
            gaps |= unprintable(piece, document)
    gaps -= already
    if not gaps:
        return []
    seen: dict[tuple[str, str], list[str]] = {}
    for p in placed:
        for ch in dict.fromkeys(p.text):
            if ch in gaps:
                seen.setdefault((p.role, ch), []).append(p.where)
    for ch in sorted(gaps - {ch for _, ch in seen}):
        seen[("fangsong", ch)] = ["正文"]
    return _findings(seen, loaded, faces, printed_blank=True)


def _findings(seen: dict[tuple[str, str], list[str]], loaded: dict[str, LoadedFont],
              faces: dict[str, Face], printed_blank: bool = False) -> list[Finding]:
    findings: list[Finding] = []
    per_role: dict[str, int] = {}
    for (role, ch), places in seen.items():
        per_role[role] = per_role.get(role, 0) + 1
        if per_role[role] > MAX_MISSING_REPORTED:
            continue
        font = loaded[role]
        substitute = faces[role].pick(ch)
        where = places[0] + (f"等 {len(places)} 处" if len(places) > 1 else "")
        own = {piece.name for piece in font.pieces}
        if substitute.name not in own and not printed_blank:
            other = next(f.choice.face for f in loaded.values()
                         if substitute.name in {piece.name for piece in f.pieces})
            effect = f"PDF 中该字改用字体 {other} 印出，字形可能与前后文字不一致。"
        else:
            effect = "PDF 中该字会显示为空白或方框。"
        findings.append(F_2.finding(
            f"PDF 的{ROLE_LABELS[role]}字体 {font.choice.face} 中没有“{ch}”字（U+{ord(ch):04X}），"
            f"出现在：{where}。{effect}",
            hint="请核对该字是否为错别字或生僻字；如确需使用，请用 --font 或字体配置文件"
                 "指定包含该字的字体（nianbao fonts 可查看当前字体）。",
            found=ch,
        ))
    for role, total in per_role.items():
        if total > MAX_MISSING_REPORTED:
            findings.append(F_2.finding(
                f"PDF 的{ROLE_LABELS[role]}字体 {loaded[role].choice.face} 另缺 "
                f"{total - MAX_MISSING_REPORTED} 个字（共缺 {total} 个），未逐一列出。",
                hint="该字体可能不是中文字体，请用 nianbao fonts 检查字体设置。",
            ))
    return findings


def stand_in_findings(loaded: dict[str, LoadedFont]) -> list[Finding]:
    stand_ins = [f"{ROLE_LABELS[role]}用 {font.choice.face}（应为 {OFFICIAL_FONT_NAMES[role]}）"
                 for role, font in loaded.items() if font.choice.stand_in]
    if not stand_ins:
        return []
    return [PDF_FONT.finding(
        "PDF 使用了替代字体，正式印发前请安装官方字体：" + "；".join(stand_ins) + "。",
        hint="可用 --font 角色=字体文件 或字体配置文件指定官方字体；运行 nianbao fonts 查看各字体的来源。")]
