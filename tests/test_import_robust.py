"""Inputs that used to crash or lose the report: stray dots, UTF-16, deep HTML, topic headings
as real reports word them, 六 without sub-headings, attachment lines and signatures."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.checks.checker import check_report
from generator.inputs.importers import import_report
from generator.inputs.importers.html import parse_html
from generator.inputs.importers.narrative import normalise_punctuation
from generator.inputs.importers.sequence import join_candidates, read_t3, tokens_of_line

HEAD = "某县某镇人民政府2024年政府信息公开工作年度报告\n一、总体情况\n本年度认真贯彻条例。\n"
REAL = Path("/work/shared/samples/real")


@pytest.mark.parametrize("text", [".", ".com。）", ". 句子", ".."])
def test_a_paragraph_starting_with_a_dot_does_not_crash(text: str) -> None:
    assert normalise_punctuation(text).startswith(".")


def test_dot_paragraphs_in_text_and_html(tmp_path: Path) -> None:
    source = tmp_path / "dot.txt"
    source.write_text(HEAD + "电子邮箱：\nszfbdzzwk\n@1\n63\n.com。）\n", encoding="utf-8")
    result = import_report(source)
    assert "szfbdzzwk@163.com。）" in "".join(result.report.narrative["overview"].paragraphs)
    page = tmp_path / "dot.html"
    page.write_text("<html><body><p>某县某镇人民政府2024年政府信息公开工作年度报告</p>"
                    "<p>一、总体情况</p><p>本年度认真贯彻条例。</p><p>.com。）</p></body></html>",
                    encoding="utf-8")
    assert ".com。）" in import_report(page).report.narrative["overview"].paragraphs


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "gb18030"])
def test_text_encodings(tmp_path: Path, encoding: str) -> None:
    source = tmp_path / "report.txt"
    source.write_bytes(HEAD.encode(encoding))
    meta = import_report(source).report.meta
    assert (meta.agency, meta.year) == ("某县某镇人民政府", 2024)


@pytest.mark.parametrize("depth", [300, 3000])
def test_deeply_nested_html_keeps_the_report(depth: int) -> None:
    page = (REAL / "putian-cgj-2022.html").read_text(encoding="utf-8")
    html = "<html><body>" + "<div>" * depth + page + "</div>" * depth + "</body></html>"
    doc = parse_html(html)
    texts = [getattr(b, "text", "") for b in doc.blocks]
    assert any("一、总体情况" in t for t in texts)
    assert sum(hasattr(b, "rows") for b in doc.blocks) >= 3


def test_topic_headings_by_meaning_and_no_false_s1(tmp_path: Path) -> None:
    text = ("某县某局2024年政府信息公开工作年度报告\n一、总体情况\n概述。\n"
            "（一）主动公开方面。\n主动公开。\n（二）解读回应方面。\n解读。\n"
            "（三）依申请公开方面。\n依申请。\n（四）政府信息管理方面。\n管理。\n"
            "（五）平台建设方面。\n平台。\n（六）监督保障方面。\n监督。\n"
            "五、存在的主要问题及改进情况\n问题。\n六、其他需要报告的事项\n无。\n")
    source = tmp_path / "topics.txt"
    source.write_text(text, encoding="utf-8")
    result = import_report(source)
    parts = result.report.narrative
    assert parts["overview.platform"].paragraphs == ("平台。",)
    assert parts["overview.supervision"].paragraphs == ("监督。",)
    assert parts["overview.management"].paragraphs == ("管理。",)
    # 解读回应 is no topic of the form: kept, with the topic before it, and said so.
    assert "解读。" in parts["overview.proactive"].paragraphs
    assert any("解读回应" in note for note in result.notes)
    assert not [f for f in check_report(result.report)
                if f.rule == "S-1" and "一、总体情况" in f.message]


def test_six_as_plain_paragraphs_without_signature_or_attachments(tmp_path: Path) -> None:
    text = (HEAD + "五、存在的主要问题及改进情况\n问题。\n六、其他需要报告的事项\n"
            "本年度未收取信息处理费。\n本年度无其他需要报告的事项。\n"
            "某县某镇人民政府\n2025年1月20日\n（此件主动公开）\n"
            "附件下载：某政办发[2025]1号.pdf\n")
    source = tmp_path / "six.txt"
    source.write_text(text, encoding="utf-8")
    result = import_report(source)
    fees = result.report.narrative["other.fees"].paragraphs
    assert fees == ("本年度未收取信息处理费。", "本年度无其他需要报告的事项。")
    six = [p for key, part in result.report.narrative.parts.items() if key.startswith("other")
           for p in part.paragraphs]
    assert not any("附件" in p or "某县某镇人民政府" == p or "此件" in p or p.endswith("日")
                   for p in six)
    assert result.report.meta.publish_date.isoformat() == "2025-01-20"
    assert not [u for u in result.unmapped if "六" in u]


def test_wrapped_crawler_lines_are_rejoined(tmp_path: Path) -> None:
    text = ("标题：三明市2021年政府信息公开工作年度报告\n发布时间：\n索引号：\n正文：\n"
            "根据条例，现公布\n三明\n市人民政府20\n21\n年政府信息公开工作年度报告。\n"
            "一、总体情况\n202\n1\n年，全市认真贯彻。\n（\n四\n）平台建设方面。\n平台。\n")
    source = tmp_path / "crawler.txt"
    source.write_text(text, encoding="utf-8")
    result = import_report(source)
    assert result.report.meta.agency == "三明市"
    assert result.report.narrative["overview"].paragraphs == ("2021年，全市认真贯彻。",)
    assert result.report.narrative["overview.platform"].paragraphs == ("平台。",)
    assert result.report.narrative["opening"].paragraphs == (
        "根据条例，现公布三明市人民政府2021年政府信息公开工作年度报告。",)


# ---------------------------------------------------------------------------
# The sequence reader itself


def test_tokens_of_a_layout_line() -> None:
    tokens = tokens_of_line("  （四）无法提供   1.本机关不掌握相关政府信息   31    0  105 12  0 0  31")
    # Labels come NFKC-folded (compared in canonical form); 「105 12」 is two numbers.
    assert [t.text for t in tokens] == ["(四)无法提供", "1.本机关不掌握相关政府信息",
                                        "31", "0", "105", "12", "0", "0", "31"]
    assert [t.text for t in tokens_of_line("- 3 -")] == []


def test_join_candidates_never_make_leading_zeros() -> None:
    assert join_candidates(["1", "62"], 1) == [["162"]]
    assert join_candidates(["0", "1"], 1) == []


def test_a_split_value_is_joined_only_when_the_total_confirms_it() -> None:
    def row(*cells: str) -> list:
        return tokens_of_line("一、本年新收政府信息公开申请数量") + \
            [t for c in cells for t in tokens_of_line(c)]

    confirmed = read_t3(row("160", "0", "0", "2", "0", "0", "1", "62"))
    assert confirmed.values["t3.new.total"] == 162 and confirmed.values["t3.new.natural_person"] == 160
    assert any("拼为" in note for note in confirmed.notes)
    # 1|2|3|4|5|6|7|8: no join makes the first six add up to the last — nothing is imported.
    unsure = read_t3(row("1", "2", "3", "4", "5", "6", "7", "8"))
    assert not [k for k in unsure.values if k.startswith("t3.new.")]
    assert any("一、本年新收" in p and "未导入" in p for p in unsure.problems)


def test_too_few_numbers_leave_the_row_blank() -> None:
    read = read_t3(tokens_of_line("一、本年新收政府信息公开申请数量 5 0 0 0 5"))
    assert not [k for k in read.values if k.startswith("t3.new.")]
    assert any("只读到 5 个数" in p for p in read.problems)
