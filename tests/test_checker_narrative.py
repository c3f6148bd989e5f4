"""N-1: numbers stated in the prose against the tables — warn when wrong, stay quiet otherwise."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from generator.checks.checker import check_report
from generator.checks.narrative_numbers import (
    claims_in_sentence,
    fee_claims,
    parse_chinese_number,
)
from generator.findings import Severity
from generator.report.layout import CellAddress
from generator.report.model import Narrative, Numbers, Report, TextPart


def with_on_request(report: Report, *paragraphs: str, slot: str = "overview.on_request") -> Report:
    parts = dict(report.narrative.parts)
    parts[slot] = TextPart(paragraphs)
    return report.replace(narrative=Narrative(parts))


def with_numbers(report: Report, **changes: int) -> Report:
    values = dict(report.numbers.values)
    for key, value in changes.items():
        values[key.replace("__", ".")] = value
    return report.replace(numbers=Numbers(values).with_totals())


def n1(report: Report) -> list:
    return [f for f in check_report(report) if f.rule == "N-1"]


@pytest.fixture
def carried(example_report: Report) -> Report:
    """The example with 1 application carried over from last year and 1 carried forward:
    新收 4, 上年结转 1, 予以公开 2, 不掌握 2, 结转下年度 1."""
    return with_numbers(example_report, t3__carried_over__natural_person=1,
                        t3__carried_forward__natural_person=1)


@pytest.mark.parametrize("text, expected", [
    ("4", 4), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("两", 2), ("四", 4),
    ("一百零五", 105), ("零", 0), ("二三", None),
])
def test_parse_chinese_number(text: str, expected: int | None) -> None:
    assert parse_chinese_number(text) == expected


def test_the_bundled_sentence_is_read_and_agrees(example_report: Report) -> None:
    sentence = "2025年，我苏木依申请公开政府信息共4件，其中，予以公开2件，不掌握信息2件。"
    claims = [(c.topic, c.number) for c in claims_in_sentence(sentence, "overview.on_request")]
    assert claims == [("received", 4), ("disclosed", 2), ("not_held", 2)]
    assert n1(example_report) == []


# Sentences that agree with `carried` (新收 4, 上年结转 1, 予以公开 2, 不掌握 2, 结转 1, 办结 4).
QUIET = [
    "本年度共收到政府信息公开申请4件。",  # 收到 = 新收
    "本年度共受理政府信息公开申请5件（含上年结转1件）。",  # 受理 = 新收 + 上年结转
    "收到申请四件，予以公开两件，因本机关不掌握相关信息无法提供两件。",  # Chinese numerals
    "上年结转申请1件，结转下年度继续办理1件，全年办结4件。",
    "受理群众诉求200件，办理满意率100%。",  # not about 申请: ignored
    "收到人大代表建议3件。",  # no 申请 in the sentence: ignored
    "予以公开、部分公开各2件。",  # one number for two keywords: skipped, not guessed
    "全年主动公开政府信息279条。",  # 条 is not a count of applications
    "本年度未发生政府信息公开行政复议、行政诉讼案件。",  # table 4 is all 0
    "办结率100%，平均用时5个工作日。",
]


@pytest.mark.parametrize("sentence", QUIET)
def test_no_false_alarm(carried: Report, sentence: str) -> None:
    assert n1(with_on_request(carried, sentence)) == []


# Sentences that disagree with `carried`, and the topic that must be reported.
LOUD = [
    ("本年度共收到政府信息公开申请6件。", "收到（受理）申请 6 件"),  # neither 4 nor 5
    ("2025年，我苏木依申请公开政府信息共3件。", "收到（受理）申请 3 件"),
    ("收到申请4件，予以公开3件。", "予以公开 3 件"),  # anchored: 3 is the 予以公开 number
    ("其中不掌握信息一件。", "不掌握相关信息 1 件"),
    ("本年新收政府信息公开申请5件。", "本年新收申请 5 件"),  # 新收 means 新收 only
    ("上年结转申请0件。", "上年结转 0 件"),
    ("结转下年度继续办理两件。", "结转下年度 2 件"),
    ("全年未收到政府信息公开申请。", "收到（受理）申请 0 件"),
    ("本年度发生行政复议案件1起。", "行政复议 1 件"),
    ("本年度行政诉讼2件。", "行政诉讼 2 件"),
]


@pytest.mark.parametrize("sentence, what", LOUD)
def test_disagreement_warns_and_quotes(carried: Report, sentence: str, what: str) -> None:
    findings = n1(with_on_request(carried, sentence))
    assert len(findings) == 1, findings
    (finding,) = findings
    assert finding.severity is Severity.WARNING
    assert f"写{what}，" in finding.message
    assert finding.message.endswith(f"“{sentence}”")


def test_exact_message_and_cells(example_report: Report) -> None:
    sentence = "收到申请4件，予以公开3件。"
    report = with_on_request(example_report, sentence)
    (finding,) = check_report(report, sources={"text.overview.on_request": CellAddress("正文", 6, 3)})
    assert finding.rule == "N-1"
    assert finding.message == ("正文“一、（二）依申请公开情况”中写予以公开 3 件，而表格中（一）予以公开为 2："
                               "“收到申请4件，予以公开3件。”")
    assert finding.cells == ("正文!C6", "表三!J6")
    assert (finding.expected, finding.found) == ("2", 3)


def test_received_lists_both_readings(carried: Report) -> None:
    (finding,) = n1(with_on_request(carried, "共受理申请7件。"))
    assert finding.message == ("正文“一、（二）依申请公开情况”中写收到（受理）申请 7 件，而表格中一、本年新收为 4，"
                               "一、本年新收加二、上年结转为 5：“共受理申请7件。”")


def test_application_words_outside_on_request_need_shen_qing(example_report: Report) -> None:
    # In 五 the same words without 申请 are not about applications.
    quiet = with_on_request(example_report, "全年办结群众来信5件，予以公开工作动态30件。",
                            slot="problems")
    assert n1(quiet) == []
    loud = with_on_request(example_report, "全年共收到政府信息公开申请9件。", slot="problems")
    assert len(n1(loud)) == 1


# ---------------------------------------------------------------------------
# The 信息处理费 sentence against 基本信息


@pytest.mark.parametrize("sentence, amounts", [
    ("本年度没有产生信息处理费。", [Decimal(0)]),
    ("本年度没有产生信息公开处理费。", [Decimal(0)]),
    ("本年度共收取信息处理费120元。", [Decimal(120)]),
    ("本年度收取信息处理费0.5万元。", [Decimal(5000)]),
    ("依据国办函〔2020〕109号收取信息处理费。", []),
])
def test_fee_claims(sentence: str, amounts: list[Decimal]) -> None:
    assert fee_claims(sentence) == amounts


def test_fee_sentence_disagrees_with_meta(example_report: Report) -> None:
    meta = replace(example_report.meta, processing_fee=Decimal(100))
    report = example_report.replace(meta=meta)  # the example's own fee text says none was charged
    (finding,) = n1(report)
    assert finding.message.startswith("正文“六、（一）收取信息处理费情况”中写信息处理费 0 元，"
                                      "而基本信息中为 100 元：“")
    # The generator's own sentence (fee slot left empty) always agrees.
    parts = dict(report.narrative.parts)
    parts["other.fees"] = TextPart(())
    assert n1(report.replace(narrative=Narrative(parts))) == []


@pytest.mark.parametrize("sentence", [
    # 164 = 402 − 172 − 66: 不予公开 *and* the other outcomes, not the 不予公开 row.
    "全年共收到政府信息公开申请402件，其中予以公开172件，部分公开66件，不予公开等其他类型164件。",
    # 累计答复 is a count of replies, not of applications received.
    "收到政府信息公开申请后累计答复402件。",
])
def test_aggregate_phrases_are_not_compared(sentence: str) -> None:
    topics = {claim.topic for claim in claims_in_sentence(sentence)}
    assert "withheld" not in topics
    assert all(claim.number != 164 for claim in claims_in_sentence(sentence))
    assert not [c for c in claims_in_sentence(sentence) if c.topic == "received" and c.number == 402
                and "累计答复" in sentence]


def test_a_phrase_naming_one_row_is_still_compared() -> None:
    claims = claims_in_sentence("全年收到政府信息公开申请402件，其中不予公开164件。")
    assert ("withheld", 164) in {(c.topic, c.number) for c in claims}
