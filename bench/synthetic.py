"""Synthetic, valid, realistic reports for the benchmark: varied names, prose and numbers.

Every report satisfies the form's identities (so it passes the checker and is rendered), and
its prose states the same application numbers as table 3 (so N-1 stays quiet).
"""

from __future__ import annotations

import random
from datetime import date

from generator.form import T3_COLUMNS, T3_OUTCOME_GROUPS, TEXT_SLOTS
from generator.report.model import Meta, Narrative, Numbers, Report, TextPart

COUNTIES = ["扎赉特旗", "科尔沁右翼前旗", "突泉县", "阿尔山市", "乌兰浩特市", "兴化市", "海城市",
            "秦安县", "通榆县", "湖口县", "绥滨县", "大冶市", "汉台区", "昌图县", "遂溪县"]
PLACES = ["宝力根花", "巴彦高勒", "好力保", "音德尔", "新林", "胡尔勒", "阿拉达尔吐", "努文木仁",
          "大营", "西四", "兴国", "八面", "付垅", "连生", "金牛", "徐望", "七家子", "建新"]
KINDS = ["苏木", "镇", "乡", "街道"]
SENTENCES = [
    "严格落实“三审三校”制度，确保发布信息准确、规范、及时。",
    "围绕乡村振兴、民生保障、生态保护等群众关心关注的领域，规范公开内容、优化公开渠道。",
    "定期开展已公开信息“回头看”，对过时、失效信息及时清理撤换。",
    "依托政务新媒体、公示栏和“村村响”广播，将信息传递至群众“家门口”。",
    "全年组织专题培训，聚焦条例解读、保密审查等核心内容，提升队伍专业能力。",
    "将政务公开纳入年度绩效考核，实行“月调度、季考核、年总评”。",
]
APPLICANTS = [key for key, _ in T3_COLUMNS[:-1]]
OUTCOME_ROWS = [key for _, items in T3_OUTCOME_GROUPS for key, _ in items]


def agency_name(rng: random.Random) -> str:
    kind = rng.choice(KINDS)
    unit = "办事处" if kind == "街道" else "人民政府"
    return f"{rng.choice(COUNTIES)}{rng.choice(PLACES)}{kind}{unit}"


def _paragraphs(rng: random.Random, low: int, high: int) -> tuple[str, ...]:
    return tuple("".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 6)))
                 for _ in range(rng.randint(low, high)))


def _table3(rng: random.Random) -> dict[str, int]:
    values: dict[str, int] = {}
    for column in APPLICANTS:
        busy = column == "natural_person" or rng.random() < 0.2
        outcomes = {row: (rng.choice([0, 0, 0, 1, 2, 3]) if busy else 0) for row in OUTCOME_ROWS}
        carried_forward = rng.choice([0, 0, 1]) if busy else 0
        total = sum(outcomes.values()) + carried_forward
        carried_over = min(total, rng.choice([0, 0, 1]))
        for row, value in outcomes.items():
            values[f"t3.{row}.{column}"] = value
        values[f"t3.carried_forward.{column}"] = carried_forward
        values[f"t3.carried_over.{column}"] = carried_over
        values[f"t3.new.{column}"] = total - carried_over
    return values


def _table4(rng: random.Random) -> dict[str, int]:
    values: dict[str, int] = {}
    for group in ("review", "direct_suit", "suit_after_review"):
        for result in ("upheld", "corrected", "other", "pending"):
            values[f"t4.cases.{group}_{result}"] = rng.choice([0, 0, 0, 0, 1])
    return values


def synthetic_report(seed: int) -> Report:
    """One valid report; the same seed gives the same report."""
    rng = random.Random(seed)
    year = 2025
    agency = agency_name(rng)
    values: dict[str, object] = {**_table3(rng), **_table4(rng)}
    issued = rng.choice([0, 0, 1, 2])
    values.update({"t2.normative_documents.issued": issued,
                   "t2.normative_documents.in_force": issued + rng.randint(0, 5),
                   "t2.licensing.decisions": rng.choice([0, 0, 12, 124]),
                   "t2.penalty.decisions": rng.choice([0, 0, 3, 30])})
    numbers = Numbers(values).with_totals()
    items = rng.randint(40, 400)
    parts = {slot.key: TextPart(_paragraphs(rng, 1, 3)) for slot in TEXT_SLOTS
             if not slot.custom_heading and slot.key not in ("opening", "other.fees")}
    parts["overview.proactive"] = TextPart(
        (f"全年主动公开政府信息{items}条。" + rng.choice(SENTENCES),) + _paragraphs(rng, 0, 2))
    parts["overview.on_request"] = TextPart(
        (f"{year}年，本机关共收到政府信息公开申请{numbers['t3.new.total']}件。",))
    parts["other.proposals"] = TextPart((f"{year}年未收到建议提案。",))
    meta = Meta(agency=agency, year=year, portal_name="人民政府门户网站",
                portal_url="http://www.example.gov.cn/", phone="0482-6540003",
                publish_date=date(year + 1, 1, rng.randint(10, 28)))
    return Report(meta, Narrative(parts), numbers)

