"""N-1: numbers the prose states about applications, 复议, 诉讼 and fees, against the tables.

Reports say things like "依申请公开政府信息共4件，其中，予以公开2件，不掌握信息2件".  This
module finds such claims — a keyword (予以公开, 上年结转, 行政复议 …) followed closely by a
number with a unit (件/起/宗/例/个/案), in Arabic or Chinese numerals — and compares each
with the tables.  It is built not to cry wolf:

* the number must follow its keyword within the same clause, with no other keyword, number or
  clause punctuation in between (so "收到申请4件，予以公开2件" never pairs 予以公开 with 4);
* "收到/受理 N 件" is accepted as 本年新收 or as 新收 + 上年结转;
* application keywords count only in sentences about applications (containing 申请, or in the
  slot （二）依申请公开情况); 收到/受理 only with 申请 in the same clause, so "受理群众诉求200件"
  and "收到人大代表建议3件" are ignored;
* "各N件" (one number for several keywords) is skipped, and so is a number whose phrase names
  several rows or another quantity ("不予公开等其他类型164件", "累计答复402件": :data:`AGGREGATE_RE`);
* negations count as 0 only in plain forms ("未发生行政复议、行政诉讼案件", "未收到政府信息公开申请").

Every warning quotes the sentence so the clerk can judge a narrower scope.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable, Iterator

from generator.checks.cells import Sources, meta_cell, printed_paragraphs, text_cell
from generator.checks.rules import REGISTRY, Rule
from generator.findings import Finding, Severity
from generator.form import T3_OUTCOME_GROUPS, TEXT_SLOT_BY_KEY, TEXT_SLOTS
from generator.report.layout import field_address
from generator.report.model import Number, Numbers, Report
from generator.report.sentences import format_number

#: an accepted reading: (what the table calls it, value, field ids whose sum it is)
Reading = tuple[str, Number, tuple[str, ...]]


def _t3(row: str) -> str:
    return f"t3.{row}.total"


def _group_rows(prefix: str) -> tuple[str, ...]:
    for label, items in T3_OUTCOME_GROUPS:
        if label.startswith(prefix):
            return tuple(_t3(key) for key, _ in items)
    raise KeyError(prefix)


def _reading(label: str, ids: tuple[str, ...]) -> Callable[[Numbers], Reading]:
    return lambda n: (label, sum((n[i] for i in ids), 0), ids)


@dataclass(frozen=True)
class Topic:
    """What a keyword talks about and the table values a stated number may equal."""

    key: str
    label: str  # how the message names it, e.g. 予以公开
    keywords: tuple[str, ...]  # regular expressions
    readings: tuple[Callable[[Numbers], Reading], ...]
    about_applications: bool = True  # needs a sentence about 申请
    negatable: bool = False  # "未…" states 0
    clause_word: str = ""  # a word the keyword's own clause must contain


NEW = (_t3("new"),)
CARRIED_OVER = (_t3("carried_over"),)
REVIEW = ("t4.cases.review_total",)
LITIGATION = ("t4.cases.direct_suit_total", "t4.cases.suit_after_review_total")

TOPICS: tuple[Topic, ...] = (
    Topic("new", "本年新收申请", (r"新收",), (_reading("一、本年新收", NEW),)),
    Topic("received", "收到（受理）申请",
          (r"收到", r"受理", r"接到", r"接收", r"依申请公开"),
          (_reading("一、本年新收", NEW), _reading("一、本年新收加二、上年结转", NEW + CARRIED_OVER)),
          negatable=True, clause_word="申请"),  # "受理群众诉求200件" is not about applications
    Topic("carried_over", "上年结转", (r"上年结转", r"上年度结转"),
          (_reading("二、上年结转", CARRIED_OVER),)),
    Topic("completed", "办结", (r"办结", r"办理完毕"),
          (_reading("三、（七）总计", (_t3("outcome_total"),)),)),
    Topic("disclosed", "予以公开", (r"(?<!不)予以公开", r"同意公开", r"全部公开"),
          (_reading("（一）予以公开", (_t3("disclosed"),)),)),
    Topic("partly", "部分公开", (r"部分公开",), (_reading("（二）部分公开", (_t3("partly_disclosed"),)),)),
    Topic("withheld", "不予公开", (r"不予以?公开",), (_reading("（三）不予公开", _group_rows("（三）")),)),
    Topic("not_held", "不掌握相关信息", (r"不掌握", r"信息不存在"),
          (_reading("（四）1.本机关不掌握相关政府信息", (_t3("unavailable_not_held"),)),
           _reading("（四）无法提供", _group_rows("（四）")))),
    Topic("unavailable", "无法提供", (r"无法提供",),
          (_reading("（四）无法提供", _group_rows("（四）")),
           _reading("（四）1.本机关不掌握相关政府信息", (_t3("unavailable_not_held"),)))),
    Topic("unprocessed", "不予处理", (r"不予处理",), (_reading("（五）不予处理", _group_rows("（五）")),)),
    Topic("carried_forward", "结转下年度",
          (r"结转(?:至|到)?下一?年度?", r"转入下一?年度?"),
          (_reading("四、结转下年度继续办理", (_t3("carried_forward"),)),)),
    Topic("review", "行政复议", (r"行政复议",),
          (_reading("表四行政复议总计", REVIEW),), about_applications=False, negatable=True),
    Topic("litigation", "行政诉讼", (r"行政诉讼",),
          (_reading("表四行政诉讼总计", LITIGATION),
           _reading("表四未经复议直接起诉总计", LITIGATION[:1]),
           _reading("表四复议后起诉总计", LITIGATION[1:])),
          about_applications=False, negatable=True),
)
TOPIC_BY_KEY = {t.key: t for t in TOPICS}

_KEYWORD_TOPIC: list[tuple[str, str]] = [(kw, t.key) for t in TOPICS for kw in t.keywords]
KEYWORD_RE = re.compile("|".join(f"(?P<k{i}>{kw})" for i, (kw, _) in enumerate(_KEYWORD_TOPIC)))

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "零〇一二两三四五六七八九十百千"
UNITS = "件起宗例个案"
NUMBER_RE = re.compile(rf"(?P<num>\d+|[{_CN}]+)\s*(?P<unit>[{UNITS}])")
ANY_NUMBER_RE = re.compile(rf"\d|[{_CN}]+[{UNITS}]")
CLAUSE_SPLIT_RE = re.compile(r"[，,；;：:（）()]")
JOINERS = ("", "、", "和", "及", "与", "或")
SENTENCE_RE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
MAX_GAP = 15  # characters between a keyword and its number
#: Words between a keyword and its number that make the number about something else or about
#: several rows at once: 「不予公开等其他类型164件」 (402 − 172 − 66), 「收到申请…累计答复402件」.
#: N-1 compares a number only when the phrase names exactly one row or total of a table.
AGGREGATE_RE = re.compile(r"等|其他|其它|类型|各类|累计|答复|回复|(?<!继续)办理|办结|处理|以外|之外")
NEGATION_RE = re.compile(r"(未|没有|尚无|无(?!法))(发生|收到|出现|产生|接到|受理|涉及|有)?")
MAX_NEGATION_GAP = 12
#: after a negated keyword only these may follow in the clause ("…行政诉讼案件")
NEGATION_TAIL_RE = re.compile(
    r"^(?:政府信息公开|信息公开|依申请公开)?(?:申请)?(?:案件|案|事项|的情况|情况|的|类)*[。！？!?；;]?$")


def parse_chinese_number(text: str) -> int | None:
    """十二 → 12, 两 → 2, 二十 → 20, 一百零五 → 105, 4 → 4; None when it is not a number."""
    if text.isdigit():
        return int(text)
    total, current = 0, None
    for ch in text:
        if ch in CN_DIGITS:
            if current is not None and ch not in "零〇":
                return None  # "二三" is not a number we read
            current = CN_DIGITS[ch] if ch not in "零〇" else None
        elif ch in CN_UNITS:
            total += (current if current is not None else 1) * CN_UNITS[ch]
            current = None
        else:
            return None
    return total + (current or 0)


@dataclass(frozen=True)
class Claim:
    """A number the prose states: topic, value, the sentence, and the slot it is in."""

    topic: str
    number: int
    sentence: str
    slot: str


def _sentences(text: str) -> Iterator[str]:
    for match in SENTENCE_RE.finditer(text):
        sentence = match.group().strip()
        if sentence:
            yield sentence


def _keywords(clause: str) -> list[tuple[int, int, str]]:
    found = []
    for match in KEYWORD_RE.finditer(clause):
        index = int(match.lastgroup[1:])  # type: ignore[index]
        found.append((match.start(), match.end(), _KEYWORD_TOPIC[index][1]))
    return found


def claims_in_sentence(sentence: str, slot: str = "") -> list[Claim]:
    """Every (topic, number) the sentence states, anchored to its keyword."""
    normalised = unicodedata.normalize("NFKC", sentence)
    about_applications = "申请" in normalised or slot == "overview.on_request"
    claims: list[Claim] = []
    for clause in CLAUSE_SPLIT_RE.split(normalised):
        keywords = _keywords(clause)
        for i, (start, end, topic_key) in enumerate(keywords):
            topic = TOPIC_BY_KEY[topic_key]
            if topic.about_applications and not about_applications:
                continue
            if topic.clause_word and topic.clause_word not in clause:
                continue
            next_start = keywords[i + 1][0] if i + 1 < len(keywords) else len(clause)
            window = clause[end:next_start]
            match = NUMBER_RE.search(window)
            if match is not None:
                gap = window[: match.start()]
                if len(gap) > MAX_GAP or ANY_NUMBER_RE.search(gap) or gap.endswith("各") \
                        or AGGREGATE_RE.search(gap):
                    continue
                number = parse_chinese_number(match.group("num"))
                if number is not None:
                    claims.append(Claim(topic_key, number, sentence, slot))
                continue
            if topic.negatable and _negated(clause, start, keywords, i):
                claims.append(Claim(topic_key, 0, sentence, slot))
    return claims


def _negated(clause: str, start: int, keywords: list[tuple[int, int, str]], i: int) -> bool:
    """"未发生行政复议、行政诉讼案件": a plain negation before the keyword, nothing after it."""
    # Keywords joined by 、 share the negation: look before the first of the run.
    first = i
    while first > 0 and clause[keywords[first - 1][1]:keywords[first][0]] in JOINERS:
        first -= 1
    before = clause[: keywords[first][0]]
    negations = list(NEGATION_RE.finditer(before))
    if not negations:
        return False
    gap = before[negations[-1].end():]
    if len(gap) > MAX_NEGATION_GAP or ANY_NUMBER_RE.search(gap):
        return False
    last = i
    while last + 1 < len(keywords) and clause[keywords[last][1]:keywords[last + 1][0]] in JOINERS:
        last += 1
    return bool(NEGATION_TAIL_RE.match(clause[keywords[last][1]:]))


def claims_in_report(report: Report) -> list[Claim]:
    claims: list[Claim] = []
    for slot in TEXT_SLOTS:
        for paragraph in report.narrative[slot.key].paragraphs:
            for sentence in _sentences(paragraph):
                claims.extend(claims_in_sentence(sentence, slot.key))
    return claims


# The 信息处理费 of 基本信息 against the prose (六（一）): "收取信息处理费100元", "没有产生…处理费".
FEE_RE = re.compile(r"处理费")
FEE_AMOUNT_RE = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>万元|元)")
FEE_NEGATION_RE = re.compile(r"(没有|未|无|不)(产生|收取|收)?")


def fee_claims(sentence: str) -> list[Decimal]:
    """Amounts in 元 that a sentence states as the processing fee charged (0 for a negation)."""
    normalised = unicodedata.normalize("NFKC", sentence)
    amounts: list[Decimal] = []
    for clause in CLAUSE_SPLIT_RE.split(normalised):
        for match in FEE_RE.finditer(clause):
            after = clause[match.end():]
            amount = FEE_AMOUNT_RE.search(after)
            if amount is not None and amount.start() <= MAX_GAP and not re.search(
                    r"\d", after[: amount.start()]):
                try:
                    value = Decimal(amount.group("num"))
                except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
                    continue
                amounts.append(value * 10000 if amount.group("unit") == "万元" else value)
                continue
            before = clause[: match.start()]
            negations = list(FEE_NEGATION_RE.finditer(before))
            if negations and len(before) - negations[-1].end() <= MAX_NEGATION_GAP \
                    and not re.search(r"\d", before[negations[-1].end():]):
                amounts.append(Decimal(0))
    return amounts


# ---------------------------------------------------------------------------


N_1 = Rule("N-1", Severity.WARNING, "正文数字与表格",
           "正文中关于申请件数、办理结果、行政复议、行政诉讼和信息处理费的数字应与表格、基本信息一致。")


@REGISTRY.check(N_1)
def check_narrative_numbers(report: Report, sources: Sources | None = None) -> list[Finding]:
    """N-1 warnings: each claim that matches none of its accepted table values."""
    findings: list[Finding] = []
    seen: set[tuple[str, int, str]] = set()
    for claim in claims_in_report(report):
        key = (claim.topic, claim.number, claim.sentence)
        if key in seen:
            continue
        seen.add(key)
        topic = TOPIC_BY_KEY[claim.topic]
        readings = [reading(report.numbers) for reading in topic.readings]
        if any(value == claim.number for _, value, _ in readings):
            continue
        table_text = "，".join(f"{label}为 {format_number(value)}" for label, value, _ in readings)
        slot_label = TEXT_SLOT_BY_KEY[claim.slot].label
        table_cells = [str(field_address(fid, dict(sources) if sources else None))
                       for fid in readings[0][2]]
        findings.append(N_1.finding(
            f"正文“{slot_label}”中写{topic.label} {claim.number} 件，而表格中{table_text}："
                   f"“{claim.sentence}”",
            cells=(text_cell(claim.slot, sources), *table_cells),
            expected=format_number(readings[0][1]), found=claim.number,
            hint="如这句话只统计了部分情况可不修改；否则请改正文或核对表格",
            field_ids=readings[0][2]))
    fee = Decimal(report.meta.processing_fee)
    for slot in TEXT_SLOTS:
        for paragraph in printed_paragraphs(report, slot.key):
            for sentence in _sentences(paragraph):
                for amount in fee_claims(sentence):
                    if amount == fee:
                        continue
                    findings.append(N_1.finding(
                        f"正文“{TEXT_SLOT_BY_KEY[slot.key].label}”中写信息处理费 "
                               f"{format_number(amount)} 元，而基本信息中为 {format_number(fee)} 元："
                               f"“{sentence}”",
                        cells=(text_cell(slot.key, sources), meta_cell("processing_fee", sources)),
                        expected=format_number(fee), found=format_number(amount),
                        hint="请核对基本信息“本年度收取信息处理费（元）”；清空正文这一段即可自动生成一致的句子"))
    return findings

