"""The narrative of a published report: punctuation repair and splitting into text slots.

Two jobs, both shared by every source format:

* :func:`normalise_punctuation` undoes what portal crawlers do to Chinese text — half-width
  ``, : ; ( ) ? !`` and straight quotes next to Chinese characters become full-width, spaces
  between Chinese characters go, and an HTML-tag-like ``<…>`` the crawler ate inside a
  book title (``《关于印发 <XX格式> 的通知》`` plus a stray `` XX格式>`` later) is repaired to
  ``〈XX格式〉``.  URLs, e-mail addresses and runs of ASCII (``0482-6540003``, ``10:30``,
  ``1,200``) are left as they are.
* :func:`split_narrative` walks the paragraphs in reading order and assigns them to the
  slots of :data:`generator.form.TEXT_SLOTS` by the headings of form.py: the opening before
  一、, each section, 一's five topics, 五, and 六's （一）（二） plus extra items.  Headings
  are matched tolerantly (``(一)主动公开情况。`` with or without the trailing 。, renamed
  sections such as 「存在的问题及改进情况」), and the page furniture of a portal (打印,
  公网安备…) and the signature block are cut off.  It also pulls the metadata the text states
  (agency, year, portal, phone, publish date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from generator.form import (
    DRAFT_MARK,
    EXTRA_ITEMS,
    FEES_HEADING,
    OVERVIEW_TOPICS,
    PERIOD_START,
    PROPOSALS_HEADING,
    SECTIONS,
)
from generator.inputs.importers.document import (
    RawCell,
    RawTable,
    SourceBlock,
    SourceParagraph,
)
from generator.inputs.labels import normalise, similarity
from generator.report.model import TextPart

# ---------------------------------------------------------------------------
# Punctuation

_WIDE_PUNCT = set("，。、；：？！（）《》〈〉「」『』【】〔〕“”‘’—…·～")
# An address starts where a run of its characters starts (the lookbehinds): tried at every
# position of a long run of letters, the pattern would take quadratic time.
_URL = re.compile(r"(?<![A-Za-z0-9.])(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+"
                  r"|(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PLACEHOLDER_BASE = 0xE000  # private-use characters stand in for protected URLs
_EATEN_TAG = re.compile(r"\s*<\s*([^<>\n]*?[\u4e00-\u9fff][^<>\n]*?)\s*>\s*")
_SPACES = " \t\u00a0\u2002\u2003\u2009\u200a"


def _is_ideograph(ch: str) -> bool:
    if len(ch) != 1:
        return False  # no neighbour: the start or end of the paragraph
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FFFF or ch == "〇"


def _is_wide(ch: str) -> bool:
    """A character of Chinese text: ideographs, CJK and full-width punctuation."""
    if not ch:
        return False
    o = ord(ch)
    return (_is_ideograph(ch) or ch in _WIDE_PUNCT or 0x3000 < o <= 0x303F
            or 0xFF01 <= o <= 0xFF5E)


def _neighbour(chars: list[str], i: int, step: int) -> str:
    j = i + step
    while 0 <= j < len(chars) and chars[j] in _SPACES:
        j += step
    return chars[j] if 0 <= j < len(chars) else ""


_SIMPLE = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_ASCII_PUNCT = re.compile(r"[,;:?!.]")
_ANY_SPACE = re.compile("[" + " \t\u00a0\u2002\u2003\u2009\u200a" + "]")
_NEEDS_WORK = re.compile("[,;:?!.()\"" + " \t\u00a0\u2002\u2003\u2009\u200a" + "]")


def normalise_punctuation(text: str) -> str:
    """Chinese text with crawler damage repaired (see the module docstring)."""
    text = text.replace("\u200b", "").replace("\ufeff", "")
    text = _repair_eaten_tags(text)
    protected: list[str] = []

    def protect(match: re.Match[str]) -> str:
        url = match.group(0)
        tail = ""
        while url and url[-1] in ".,;:!?":
            url, tail = url[:-1], url[-1] + tail
        protected.append(url)
        return chr(_PLACEHOLDER_BASE + len(protected) - 1) + tail

    if "@" in text or "www." in text or "://" in text:
        text = _URL.sub(protect, text)
    if not _NEEDS_WORK.search(text):  # plain Chinese text: nothing to repair
        return _restore(text, protected).strip(_SPACES + "\u3000\n\r")
    chars = list(text)
    # Only the positions of ASCII punctuation are looked at: most lines have none.
    for match in _ASCII_PUNCT.finditer(text):
        i = match.start()
        ch = chars[i]
        if ch in _SIMPLE:
            before, after = _neighbour(chars, i, -1), _neighbour(chars, i, 1)
            if ch in ",:" and before.isascii() and before.isdigit() and after.isascii() \
                    and after.isdigit():
                continue  # 1,200 or 10:30
            if _is_wide(before) or _is_wide(after):
                chars[i] = _SIMPLE[ch]
            elif ch in ",;" and not (before.isascii() and before.isalpha()
                                     and (after.isascii() and after.isalpha() or not after)):
                # Between symbols and digits in Chinese text (「占比超60%,24小时」) a comma
                # is still Chinese; only an English phrase keeps its comma.
                chars[i] = _SIMPLE[ch]
        elif ch == "." and _is_ideograph(_neighbour(chars, i, -1)):
            after = _neighbour(chars, i, 1)
            if not after or _is_wide(after):
                chars[i] = "。"
    if "(" in text or ")" in text:
        _convert_brackets(chars)
    if '"' in text:
        _convert_quotes(chars)
    text = "".join(chars)
    if _ANY_SPACE.search(text):
        text = _squeeze_spaces(text)
    return _restore(text, protected).strip(_SPACES + "\u3000\n\r")


def _restore(text: str, protected: list[str]) -> str:
    """Put the URLs and e-mail addresses back where their placeholders stand."""
    for n, url in enumerate(protected):
        text = text.replace(chr(_PLACEHOLDER_BASE + n), url)
    return text


def _repair_eaten_tags(text: str) -> str:
    """``印发 <XX> 的通知 … XX>`` → ``印发〈XX〉的通知 …``: a crawler took ``<XX>`` for a tag."""
    eaten = _EATEN_TAG.findall(text)
    if not eaten:
        return text
    text = _EATEN_TAG.sub(lambda m: f"〈{m.group(1).strip()}〉", text)
    for inner in set(eaten):
        # The crawler re-emits the "tag" body followed by '>' somewhere later; drop it.
        text = re.sub(r"\s*" + re.escape(inner.strip()) + r"\s*>", "", text)
    return text


def _convert_brackets(chars: list[str]) -> None:
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    lonely: list[int] = []
    for i, ch in enumerate(chars):
        if ch == "(":
            stack.append(i)
        elif ch == ")":
            if stack:
                pairs.append((stack.pop(), i))
            else:
                lonely.append(i)
    lonely.extend(stack)
    # wide[i]: wide characters before position i, so each pair's inside is counted in O(1)
    # (scanning every pair's inside is quadratic in nested brackets).
    wide = [0]
    for c in chars:
        wide.append(wide[-1] + _is_wide(c))
    for start, end in pairs:
        inside = wide[end] - wide[start + 1] > 0
        if inside or _is_wide(_neighbour(chars, start, -1)) or _is_wide(_neighbour(chars, end, 1)):
            chars[start], chars[end] = "（", "）"
    for i in lonely:
        if _is_wide(_neighbour(chars, i, -1)) or _is_wide(_neighbour(chars, i, 1)):
            chars[i] = "（" if chars[i] == "(" else "）"


def _convert_quotes(chars: list[str]) -> None:
    quotes = [i for i, ch in enumerate(chars) if ch == '"']
    for start, end in zip(quotes[::2], quotes[1::2]):
        if any(_is_wide(c) for c in chars[start + 1:end]):
            chars[start], chars[end] = "“", "”"


def _squeeze_spaces(text: str) -> str:
    """Drop spaces a crawler put between Chinese characters or around full-width punctuation."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _SPACES:
            j = i
            while j < len(text) and text[j] in _SPACES:
                j += 1
            before = out[-1] if out else ""
            after = text[j] if j < len(text) else ""
            wide_punct = before in _WIDE_PUNCT or after in _WIDE_PUNCT
            both_cjk = _is_ideograph(before) and _is_ideograph(after) if before and after else False
            if not (wide_punct or both_cjk or not before or not after):
                out.append(" ")
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


# ---------------------------------------------------------------------------
# Headings

_SECTION = re.compile(r"^([一二三四五六七八九十])\s*[、，,.．]\s*(.+?)\s*[。：:]?$")
_ITEM = re.compile(r"^[（(]\s*([一二三四五六七八九十]{1,2})\s*[）)]\s*(.*)$", re.S)
_SECTION_MAX = 30
_ITEM_TITLE_MAX = 30
SECTION_THRESHOLD = 0.5
ITEM_THRESHOLD = 0.6


def match_section(text: str, after: int) -> int | None:
    """The index in :data:`SECTIONS` of a section heading later than ``after``, else None."""
    m = _SECTION.match(text.strip())
    if not m or len(m.group(2)) > _SECTION_MAX or "。" in m.group(2):
        return None
    index = "一二三四五六".find(m.group(1))
    if index <= after:
        return None
    wanted = SECTIONS[index].heading.split("、", 1)[1]
    if similarity(m.group(2), wanted) >= SECTION_THRESHOLD:
        return index
    return None


def split_item(text: str) -> tuple[str, str] | None:
    """``（一）Title。Body…`` → (title, body); None if the paragraph is no item heading."""
    m = _ITEM.match(text.strip())
    if not m:
        return None
    rest = m.group(2).strip()
    if len(rest) <= _ITEM_TITLE_MAX and not re.search(r"[。：:]\s*\S", rest):
        return rest.rstrip("。：: "), ""
    stop = re.search(r"[。：:]", rest)
    if stop and stop.start() <= _ITEM_TITLE_MAX:
        return rest[:stop.start()].strip(), rest[stop.end():].strip()
    return None


def _heading_key(heading: str) -> str:
    """The words that identify an item heading: ``（一）主动公开情况`` → ``主动公开``."""
    body = _ITEM.match(heading)
    text = normalise(body.group(2) if body else heading)
    return text[:-2] if text.endswith("情况") else text


#: Words by which real reports name the five topics of 一 (「平台建设方面」, 「监督保障方面」,
#: 「依申请公开方面」…): a title holding one of them and no other topic's means that topic.
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "overview.proactive": ("主动公开",),
    "overview.on_request": ("依申请",),
    "overview.management": ("信息管理", "政务信息管理"),
    "overview.platform": ("平台",),
    "overview.supervision": ("监督", "保障"),
}


def match_topic(title: str) -> str | None:
    """The topic of 一 a heading names, by its words, else by similarity."""
    seen = normalise(title)
    hits = {key for key, words in TOPIC_WORDS.items() if any(w in seen for w in words)}
    if len(hits) == 1:
        return hits.pop()
    return match_item(title, OVERVIEW_TOPICS)


def match_item(title: str, candidates: tuple[tuple[str, str], ...]) -> str | None:
    """The slot key whose heading ``title`` names (tolerantly), else None.

    A title containing the heading's identifying words (``主动公开`` in 「主动公开方面」)
    matches outright; otherwise the most similar heading at or above
    :data:`ITEM_THRESHOLD` wins.
    """
    best, best_score = None, 0.0
    seen = normalise(title)
    for key, heading in candidates:
        words = _heading_key(heading)
        numbered = _ITEM.match(heading)
        bare = numbered.group(2) if numbered else heading
        score = 1.0 if words and words in seen else similarity(title, bare)
        if score > best_score:
            best, best_score = key, score
    return best if best_score >= ITEM_THRESHOLD else None


def plain_six_slot(text: str, previous: str | None) -> str:
    """The item of 六 a paragraph without heading belongs to: 信息处理费, 建议提案, else as before."""
    if "处理费" in text:
        return "other.fees"
    if "建议" in text and "提案" in text:
        return "other.proposals"
    return previous or "other.fees"


TABLE_SECTIONS = frozenset(s.number for s in SECTIONS if s.table)

SIX_ITEMS: tuple[tuple[str, str], ...] = (("other.fees", FEES_HEADING),
                                          ("other.proposals", PROPOSALS_HEADING))


# ---------------------------------------------------------------------------
# Page furniture, titles, dates

_CHROME = re.compile(
    r"公网安备|ICP备|版权所有|主办单位|承办单位|网站标识码|技术支持|^【?打印(本页)?】?$|^【?关闭(窗口)?】?$"
    r"|^分享到|扫一扫|^上一篇|^下一篇|^相关(链接|阅读|文章)|^附件[:：]?$|^【下载|^(?:相关)?附件下载"
    rf"|^{re.escape(DRAFT_MARK)}$"  # a draft's header, read back from the report
    r"|^来源[:：]|字号[:：]|浏览(次数)?[:：]|访问量|^【?\s*大\s*中\s*小\s*】?$")
_DATE = re.compile(r"^[（(]?\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[）)]?$")
_PUBLISHED = re.compile(r"(?:发布|成文|印发)(?:时间|日期)\s*[:：]?\s*(\d{4})\s*[-年/.]\s*(\d{1,2})"
                        r"\s*[-月/.]\s*(\d{1,2})")
_TITLE = re.compile(
    r"^(?:(?P<y1>\d{4})年度?)?(?P<agency>.*?)(?:(?P<y2>\d{4})年度?)?"
    r"(?:政府|政务)信息公开(?:工作)?(?:年度)?(?:工作)?报告$")


_PAGE_FURNITURE = re.compile(r"^(?:[-—－–]\s*\d{1,3}\s*[-—－–]|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?"
                             r"|\d+\s*/\s*\d+)$")
_ATTACHMENT = re.compile(r"^(?:相关)?附件(?:下载)?\s*[:：]|\.(?:pdf|docx?|wps|xlsx?|ofd)\s*$", re.I)
_PORTAL_META = re.compile(r"^(?:标题|发布时间|发布日期|文号|发文字号|发布机构|发文机关|索引号|来源|栏目|原始链接"
                          r"|本地目录|正文|分类|主题分类|成文日期|生效日期|有效性|信息来源)\s*[:：]")
_SENTENCE_END = "。！？；!?;…”）)」』"  # not 「：」: a crawler breaks 「电子邮箱：」/「x@163.com」
#: Closing brackets end a short line (「（此件主动公开）」, a heading) but also stand inside
#: sentences (「（以下简称《条例》）要求编制」): a full line ending in one goes on.
_CLOSING_BRACKETS = "）)」』"
#: How full a line must be, of the source's usual full line, to count as wrapped.
_FULL_LINE_SHARE = 0.85
#: A gap between a Chinese character and a digit is what PDF text extraction makes of
#: Word's automatic spacing (「2024 年 1 月」, 「大道 90号」): no Chinese text has one.
_DIGIT_GAP = re.compile(r"(?<=[\u3400-\u9fff（《“，、：])[ \u00a0]+(?=\d)"
                        r"|(?<=\d)[ \u00a0]+(?=[\u3400-\u9fff）》”，。、；：])")
_PUBLICITY_NOTE = re.compile(r"^[（(]\s*此件[^）)]{0,12}[）)]$")  # 「（此件主动公开）」 under a signature


def is_page_furniture(text: str) -> bool:
    """A page number (「-2-」, 「第 2 页 共 5 页」) printed between paragraphs of a PDF."""
    return bool(_PAGE_FURNITURE.match(text.strip()))


def join_wrapped_lines(blocks: list[SourceBlock]) -> list[SourceBlock]:
    """Rejoin paragraphs that a text source broke into lines.

    A crawler writes one text node per line (「三明」「市人民政府20」「21」「年…」) and
    ``pdftotext`` wraps at the page width.  Outside the table sections a line is joined to
    the one before when that one ends without closing punctuation and neither is a heading;
    inside 二、三、四 lines are kept as they are (they are the tables' cells).  A line
    ending in a closing bracket ends its paragraph only when it is shorter than the source's
    full lines (:func:`full_line_length`).  The gaps PDF text extraction puts between Chinese
    characters and digits are closed.  Linear.
    """
    out: list[SourceBlock] = []
    buffer: list[str] = []
    section = -1
    wrapped_at = full_line_length(blocks) * _FULL_LINE_SHARE

    def flush() -> None:
        if buffer:
            out.append(SourceParagraph(_DIGIT_GAP.sub("", "".join(buffer))))
            buffer.clear()

    for block in blocks:
        if isinstance(block, RawTable):
            flush()
            out.append(block)
            continue
        raw = block.text.strip().replace("\f", "")
        if not raw:
            continue
        # Headings, dates and page numbers are short or start with a bracket: only those
        # need the normalised text to be recognised (normalising is most of the time spent).
        text = normalise_punctuation(raw) if len(raw) <= 60 or raw[0] in "（(" else raw
        found = match_section(text, section)
        if found is not None:
            flush()
            section = found
            out.append(SourceParagraph(raw))
            continue
        if section >= 0 and SECTIONS[section].table:
            flush()
            out.append(SourceParagraph(raw))
            continue
        if is_page_furniture(text):
            continue  # a page number between two halves of a paragraph
        if is_chrome(text) or _ATTACHMENT.search(text):
            flush()  # 「打印」「关闭」 stay lines of their own: they end the report
            out.append(SourceParagraph(raw))
            continue
        starts_heading = split_item(text) is not None or bool(_SECTION.match(text)) \
            or parse_date(text) is not None or bool(_PUBLICITY_NOTE.match(text))
        if buffer and not starts_heading and not _closed(buffer, wrapped_at) \
                and not _PORTAL_META.match(text):
            buffer.append(raw)
            continue
        flush()
        buffer.append(raw)
    flush()
    return out


def full_line_length(blocks: list[SourceBlock]) -> int:
    """The length of a full line of the source's text: the upper quartile of its lines'
    lengths (most lines of a wrapped paragraph are full; only its last one is short).  Zero
    for a source of fewer than eight lines, where no length is usual."""
    lengths = sorted(len(b.text.strip()) for b in blocks if isinstance(b, SourceParagraph))
    return lengths[len(lengths) * 3 // 4] if len(lengths) >= 8 else 0


def _closed(buffer: list[str], wrapped_at: float = 0) -> bool:
    """Whether the paragraph collected so far is complete: it ends a sentence or is a
    heading.  A last line at least ``wrapped_at`` long that ends in a closing bracket was
    wrapped there (zero: never)."""
    last = buffer[-1].rstrip()
    if last and last[-1] in _CLOSING_BRACKETS and wrapped_at and len(last) >= wrapped_at:
        return False
    if last and last[-1] in _SENTENCE_END:
        return True
    if last.endswith("报告") or ">" in last or "＞" in last:
        return True  # a title, or a portal's breadcrumb line (首页 > 政务公开 > 年度报告)
    if len(buffer) > 400:
        return True  # no paragraph is that long: keep the work per line bounded
    if sum(map(len, buffer)) > 80:
        return False  # headings, dates and portal fields are short
    text = normalise_punctuation("".join(buffer))
    item = split_item(text)
    return (item is not None and not item[1]) or bool(_PORTAL_META.match(text)) \
        or parse_date(text) is not None or bool(_SECTION.match(text)) \
        or parse_title(text) is not None


def is_chrome(text: str) -> bool:
    """Portal page furniture (print buttons, record numbers, footers), not report text."""
    return bool(_CHROME.search(text.strip()))


def parse_date(text: str) -> date | None:
    m = _DATE.match(text.strip()) or _PUBLISHED.search(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_title(text: str) -> tuple[str, int] | None:
    """(agency, year) from a title such as ``XX镇人民政府2025年政府信息公开工作年度报告``."""
    compact = _PORTAL_META.sub("", re.sub(r"\s+", "", text))  # 「标题：…」 of a crawler
    if len(compact) > 80:
        return None
    m = _TITLE.match(compact)
    if not m or not (m.group("y1") or m.group("y2")):
        return None
    agency = m.group("agency").strip()
    if not agency:
        return None
    return agency, int(m.group("y1") or m.group("y2"))


# ---------------------------------------------------------------------------
# Splitting


@dataclass
class NarrativeSplit:
    """What the paragraphs said: slot texts, the tables by section, metadata found, notes."""

    parts: dict[str, TextPart] = field(default_factory=dict)
    tables: list[tuple[str | None, RawTable]] = field(default_factory=list)
    title: str = ""
    title_agency: str = ""
    title_year: int | None = None
    publish_date: date | None = None
    signature: str = ""
    last_slot: str = ""  # the slot that received the last paragraph of the report
    notes: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)

    @property
    def opening(self) -> str:
        return "".join(self.parts.get("opening", TextPart()).paragraphs)


def _sentence_like(text: str) -> bool:
    return "。" in text or "，" in text or len(text) >= 30


def split_narrative(blocks: list[SourceBlock]) -> NarrativeSplit:
    """Assign paragraphs to slots and tables to sections (see the module docstring)."""
    result = NarrativeSplit()
    paragraphs: dict[str, list[str]] = {}
    headings: dict[str, str] = {}
    pre: list[str] = []
    section = -1  # index into SECTIONS; -1 before 一、
    slot: str | None = None
    extras = 0
    ended = False
    page_date: date | None = None

    table_lines: list[str] = []  # raw lines where a table belongs, not yet emitted
    plain_six: set[str] = set()  # slots of 六 filled from paragraphs without a heading

    def add(key: str, text: str) -> None:
        paragraphs.setdefault(key, []).append(text)
        result.last_slot = key

    def flush_lines() -> None:
        if table_lines:
            rows = tuple((RawCell(line),) for line in table_lines)
            result.tables.append((SECTIONS[section].number, RawTable(rows, False, 0, lines=True)))
            table_lines.clear()

    for block in blocks:
        if isinstance(block, RawTable):
            flush_lines()
            number = SECTIONS[section].number if section >= 0 else None
            result.tables.append((number, block))
            continue
        if ended:
            continue
        text = normalise_punctuation(block.text)
        if not text:
            continue
        if is_page_furniture(text) and not (section >= 0 and SECTIONS[section].table):
            continue
        if section >= 0 and _ATTACHMENT.search(text) and len(text) < 120:
            ended = True  # 「附件下载：….pdf」: the page's attachment list, after the report
            result.notes.append(f"正文结束于附件行「{text[:30]}」，其后内容已忽略")
            continue
        if is_chrome(text):
            if section < 0 and page_date is None:
                page_date = parse_date(text)  # 「发布时间：2025-01-20 来源：…」
            if section >= 0:
                ended = True  # everything after the first footer line is page furniture
                result.notes.append(f"正文结束于网页附加内容「{text[:30]}」，其后内容已忽略")
            continue
        found = match_section(text, section)
        if found is not None:
            flush_lines()
            section = found
            slot = {"一": "overview", "五": "problems"}.get(SECTIONS[section].number)
            if normalise(text) != normalise(SECTIONS[section].heading):
                result.notes.append(f"章节标题「{text}」按「{SECTIONS[section].heading}」导入")
            continue
        if section < 0:
            pre.append(text)
            continue
        number = SECTIONS[section].number
        item = split_item(text)
        if number == "一" and item:
            key = match_topic(item[0])
            if key:
                slot = key
                if item[1]:
                    add(key, item[1])
                continue
            result.notes.append(f"一、总体情况中的小标题「{item[0]}」不是五个规定主题之一，"
                                f"其文字并入前一栏目")
        if number == "六" and item:
            key = match_item(item[0], SIX_ITEMS)
            if key is None and extras < EXTRA_ITEMS:
                extras += 1
                key = f"other.extra{extras}"
                headings[key] = item[0]
            if key:
                slot = key
                if item[1]:
                    add(key, item[1])
                continue
        if number == "六" and (slot is None or slot in plain_six):
            # 六 written as plain paragraphs (no （一）（二）): by what each one is about.
            key = plain_six_slot(text, slot)
            plain_six.add(key)
            slot = key
            add(key, text)
            continue
        if slot is None and number in TABLE_SECTIONS:
            # pdftotext output or a one-cell-per-line copy: the table as lines of text, read
            # by the table readers (which report what they cannot place).
            table_lines.append(block.text)
            continue
        if slot is None:
            result.unmapped.append(f"{SECTIONS[section].heading} 下的文字「{_clip(text)}」"
                                   "（此处只应有表格或小标题，未导入）")
            continue
        add(slot, text)

    if section >= 0:
        flush_lines()
    _take_signature(result, paragraphs)
    _take_front_matter(result, pre, paragraphs)
    result.publish_date = result.publish_date or page_date
    result.parts = {key: TextPart(tuple(texts), headings.get(key, ""))
                    for key, texts in paragraphs.items()}
    for key, heading in headings.items():
        result.parts.setdefault(key, TextPart((), heading))
    return result


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _take_front_matter(result: NarrativeSplit, pre: list[str],
                       paragraphs: dict[str, list[str]]) -> None:
    """Title, date line and opening paragraph(s) from what came before 一、."""
    start = 0
    for end, line in enumerate(pre):
        if not re.sub(r"\s+", "", line).endswith("报告"):
            continue
        # A long title is broken over two or three lines: join upwards only as far as needed.
        for width in (1, 2, 3):
            if end - width + 1 < 0:
                break
            candidate = "".join(pre[end - width + 1:end + 1])
            parsed = parse_title(candidate)
            if parsed:
                result.title = candidate
                result.title_agency, result.title_year = parsed
                start = end + 1
                break
        if result.title:
            break
    opening: list[str] = []
    for text in pre[start:]:
        when = parse_date(text)
        if when and (_DATE.match(text) or len(text) < 40):
            result.publish_date = result.publish_date or when
            continue
        if normalise(text) == "编制说明" or _PORTAL_META.match(text):
            continue  # a crawler's 发布时间：/索引号：/原始链接： fields are no report text
        opening.append(text)
    if not result.title:
        # Without a title, portal navigation may precede the report: keep only the run of
        # sentences directly before 一、.
        run: list[str] = []
        for text in reversed(opening):
            if not _sentence_like(text):
                break
            run.insert(0, text)
        opening = run
    if opening:
        paragraphs["opening"] = opening + paragraphs.get("opening", [])


def drop_trailing_signature(split: NarrativeSplit, agency: str) -> str:
    """Cut an undated signature (a last line naming the agency) off the last slot.

    A dated signature is recognised while splitting; an undated one only once the agency is
    known.  Returns the line cut, or "".
    """
    parts, last_key = split.parts, split.last_slot
    if last_key not in parts:
        return ""
    part = parts[last_key]
    if part.paragraphs and normalise(part.paragraphs[-1]) == normalise(agency):
        parts[last_key] = TextPart(part.paragraphs[:-1], part.heading)
        return part.paragraphs[-1]
    return ""


_FEE_CHARGED = re.compile(r"收取(?:了)?(?:信息)?(?:公开)?处理费(?:共计|合计)?\s*(\d+(?:\.\d+)?)\s*元")


def processing_fee_from(text: str) -> str | None:
    """The 信息处理费 in 元 stated in 六（一）, if the text states an amount."""
    m = _FEE_CHARGED.search(text)
    return m.group(1) if m else None


def _take_signature(result: NarrativeSplit, paragraphs: dict[str, list[str]]) -> None:
    """Cut ``机关名称`` / ``2026年1月20日`` off the last slot and remember them."""
    if result.last_slot not in paragraphs:
        return
    last_key = result.last_slot
    texts = paragraphs[last_key]
    while texts and _PUBLICITY_NOTE.match(texts[-1]):
        texts.pop()
    if texts and _DATE.match(texts[-1]):
        result.publish_date = parse_date(texts[-1])
        texts.pop()
        if texts and len(texts[-1]) <= 40 and not re.search(r"[。，；：]", texts[-1]):
            result.signature = texts.pop()
    if not texts:
        del paragraphs[last_key]


# ---------------------------------------------------------------------------
# Metadata stated in the opening paragraph

_AGENCY_IN_OPENING = (
    re.compile(r"全文包括(.{2,40}?)信息公开(?:工作)?总体情况"),
    re.compile(r"请与(.{2,40}?)联系"),
)
_YEAR_IN_OPENING = (
    # the opening's 统计期限 starts on the form's first day of the period
    re.compile(r"统计期限为\s*(\d{{4}})\s*年\s*{}\s*月\s*{}\s*日".format(*PERIOD_START)),
    re.compile(r"(\d{4})\s*年(?:度)?(?:政府|政务)?信息公开"),
)
_PHONE = re.compile(r"(?:电话|热线)(?:号码)?\s*[:：]?\s*([0-9][0-9\-－—– ]{5,}[0-9](?:[、/，,][0-9\-－—– ]{5,}[0-9])*)")
_PORTAL_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~/?#\[\]@!$&'*+;=%:]+")
_PORTAL_NAME = re.compile(r"(?:可以?|可)?(?:从|在|登录)([^，。；、（）]{2,40}?)(?:（[^）]*）)?(?:上)?(?:下载|查阅|获取)")
_ADDRESS = re.compile(r"(?:联系)?地址\s*[:：]\s*([^；;，,。）)]+)")
_POSTCODE = re.compile(r"(?:邮编|邮政编码)\s*[:：]?\s*(\d{6})")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def agency_from_opening(opening: str) -> str:
    for pattern in _AGENCY_IN_OPENING:
        m = pattern.search(opening)
        if m:
            agency = m.group(1).strip()
            # "…人民政府政府信息公开" keeps 政府 twice; "…人民政府信息公开" once.
            return agency[:-2] if agency.endswith("政府政府") else agency
    return ""


def year_from_opening(opening: str) -> int | None:
    for pattern in _YEAR_IN_OPENING:
        m = pattern.search(opening)
        if m:
            return int(m.group(1))
    return None


def contacts_from_opening(opening: str) -> dict[str, str]:
    """portal_name, portal_url, phone, address, postcode, email — those the text states."""
    found: dict[str, str] = {}
    if m := _PORTAL_URL.search(opening):
        found["portal_url"] = m.group(0).rstrip(".,;:")
    if m := _PORTAL_NAME.search(opening):
        name = m.group(1).strip()
        if name and not _PORTAL_URL.match(name):
            found["portal_name"] = name
    if m := _PHONE.search(opening):
        found["phone"] = re.sub(r"[－—–]", "-", m.group(1)).strip()
    if m := _ADDRESS.search(opening):
        found["address"] = m.group(1).strip()
    if m := _POSTCODE.search(opening):
        found["postcode"] = m.group(1)
    if m := _EMAIL.search(opening):
        found["email"] = m.group(0)
    return found


__all__ = [
    "NarrativeSplit",
    "agency_from_opening",
    "contacts_from_opening",
    "is_chrome",
    "match_item",
    "match_section",
    "normalise_punctuation",
    "parse_date",
    "parse_title",
    "split_item",
    "split_narrative",
    "year_from_opening",
]
