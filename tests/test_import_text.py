"""Importing plain text copied from a portal: the shared sample, label variants, narrative."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from generator.errors import InputError
from generator.form import FIELDS
from generator.inputs.importers import import_report
from generator.inputs.importers.narrative import normalise_punctuation
from generator.report.model import Report

SAMPLE = Path("/work/shared/samples/baoligenhua-2025-portal-text.txt")
if not SAMPLE.exists():  # the repository may also carry a copy
    SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / SAMPLE.name


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_same_text(got: Report, want: Report) -> None:
    keys = set(got.narrative.parts) | set(want.narrative.parts)
    for key in sorted(keys):
        assert [squash(p) for p in got.narrative[key].paragraphs] == \
            [squash(p) for p in want.narrative[key].paragraphs], key
        assert got.narrative[key].heading == want.narrative[key].heading, key


def assert_same_numbers(got: Report, want: Report) -> None:
    diffs = {f.id: (got.numbers[f.id], want.numbers[f.id]) for f in FIELDS
             if got.numbers[f.id] != want.numbers[f.id]}
    assert diffs == {}


@pytest.mark.skipif(not SAMPLE.exists(), reason="shared sample text not available")
def test_sample_text_imports_as_the_bundled_example(example_report: Report) -> None:
    result = import_report(SAMPLE)
    assert result.source_format == "text"
    assert result.form_version == "2021"
    assert result.unmapped == []
    assert result.blanks == ()
    assert_same_numbers(result.report, example_report)
    assert_same_text(result.report, example_report)
    got, want = result.report.meta, example_report.meta
    for name in ("agency", "year", "portal_name", "portal_url", "phone", "address", "postcode",
                 "email", "processing_fee", "signatory"):
        assert getattr(got, name) == getattr(want, name), name
    # Paragraphs are not only equal after squashing: punctuation is restored exactly.
    assert result.report.narrative["opening"].paragraphs == \
        example_report.narrative["opening"].paragraphs


# ---------------------------------------------------------------------------
# Punctuation


@pytest.mark.parametrize("seen, want", [
    ("2025年,我苏木依申请公开政府信息共4件,其中,予以公开2件。", "2025年，我苏木依申请公开政府信息共4件，其中，予以公开2件。"),
    ("请与某镇人民政府联系(咨询电话:0482-6540003)。", "请与某镇人民政府联系（咨询电话：0482-6540003）。"),
    ("从某县门户网站(http://www.x.gov.cn/a,b;c)下载", "从某县门户网站（http://www.x.gov.cn/a,b;c）下载"),
    ("占比超60%,24小时内回应;共1,200条", "占比超60%，24小时内回应；共1,200条"),
    ("会议于10:30召开", "会议于10:30召开"),
    ("邮箱:abc.d@x.gov.cn,电话", "邮箱：abc.d@x.gov.cn，电话"),
    ('落实"三审三校"制度', "落实“三审三校”制度"),
    ("商业 企业 and English, kept", "商业企业 and English, kept"),
    ("1.多渠道协同建设:优化", "1.多渠道协同建设：优化"),
])
def test_half_width_punctuation_in_chinese_context(seen: str, want: str) -> None:
    assert normalise_punctuation(seen) == want


def test_eaten_tag_in_book_title_is_repaired_generally() -> None:
    seen = ("依据《某省办公厅关于转发 <某某工作细则> 的通知》(某办发〔2020〕1号)执行。"
            "其他内容。 某某工作细则>")
    assert normalise_punctuation(seen) == \
        "依据《某省办公厅关于转发〈某某工作细则〉的通知》（某办发〔2020〕1号）执行。其他内容。"


# ---------------------------------------------------------------------------
# Tables with variants, blanks and inconsistent totals

T2_VARIANTS = """\
二、主动公开政府信息情况
| 第二十条第 |
|||
| 信息内容 |
本年制发件数 |
本年废止件数 |
现行有效件 |
| 规章 |
0 |
0 |
0 |
| 规范性文件 |
3 |
1 |
12 |
| 第二十条第(五)项 |
|||
| 信息内容 |
本年处理决定数量 |
||
| 行政许可 |
140 |
||
| 第二十条第(六)项 |
|||
| 信息内容 |
本年处理决定数量 |
||
| 行政处罚 |
 |
||
| 行政强制 |
— |
||
| 第二十条第(八)项 |
|||
| 信息内容 |
本年收费金额单位:万元 |
||
| 行政事业性收费 |
0.35 |
||
"""

T3_BLANKS = """\
三、收到和处理政府信息公开申请情况
| (本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) |
申请人情况 |
||||||||
| 自然人 |
法人或其他组织 |
总计 |
|||||||
| 商业 企业 |
科研 机构 |
社会公益组织 |
法律服务机构 |
其他 |
|||||
| 一、本年新收政府信息公开申请数量 |
4 |
1 |
 |
 |
 |
 |
9 |
||
| 三、本年度办理结果 |
(一)予以公开 |
2 |
0 |
0 |
0 |
0 |
0 |
2 |
|
| (七)总计 |
2 |
0 |
0 |
0 |
0 |
0 |
2 |
||
"""

HEAD = ("某县某镇人民政府2024年政府信息公开工作年度报告\n"
        "本年度报告根据《中华人民共和国政府信息公开条例》编制。\n一、总体情况\n概述。\n")


def write(tmp_path: Path, text: str, name: str = "report.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_label_variants_map_to_the_2021_fields(tmp_path: Path) -> None:
    result = import_report(write(tmp_path, HEAD + T2_VARIANTS))
    n = result.report.numbers
    assert (n["t2.normative_documents.issued"], n["t2.normative_documents.repealed"],
            n["t2.normative_documents.in_force"]) == (3, 1, 12)
    assert n["t2.licensing.decisions"] == 140
    assert n["t2.fees.amount"] == Decimal("0.35")
    assert result.unmapped == []
    assert any("规范性文件" in note and "行政规范性文件" in note for note in result.notes)
    assert any("现行有效件" in note for note in result.notes)


def test_blank_cells_stay_blank_and_are_listed_never_filled_in(tmp_path: Path) -> None:
    result = import_report(write(tmp_path, HEAD + T2_VARIANTS + T3_BLANKS))
    n = result.report.numbers
    # Printed blank (an empty cell, a dash): not in the model, so blank in the workbook.
    for fid in ("t2.penalty.decisions", "t2.coercion.decisions", "t3.new.research",
                "t3.new.other_org"):
        assert fid in result.blanks and fid not in n.values and fid in result.unread
    assert any("表三 一、本年新收政府信息公开申请数量 / 科研机构" in p for p in result.problems)
    # The printed total 9 ≠ 4 + 1: taken as printed, not recomputed.
    assert n["t3.new.total"] == 9
    assert n["t3.new.natural_person"] == 4 and n["t3.new.commercial"] == 1
    # Rows the report left out are reported, not invented.
    assert "t3.carried_over.natural_person" in result.unread
    assert any("二、上年结转" in p for p in result.problems)
    assert not result.complete


def test_unknown_rows_are_reported_with_the_text_seen(tmp_path: Path) -> None:
    text = HEAD + T2_VARIANTS.replace("| 行政强制 |", "| 行政检查 |")
    result = import_report(write(tmp_path, text))
    assert any("行政检查" in item for item in result.unmapped)


# ---------------------------------------------------------------------------
# Narrative

NARRATIVE = """\
首页 > 政务公开 > 年度报告
某县某镇人民政府
2024年政府信息公开工作年度报告
发布时间:2025-01-20
本年度报告根据《中华人民共和国政府信息公开条例》编制。本年度报告电子版可以从某县人民政府门户网站(http://www.mx.gov.cn)下载。如有疑问请与某镇党政办联系(地址:某县某镇府前路1号,邮编:123456,咨询电话:0123-7654321,电子邮箱:mzb@mx.gov.cn)。
一、总体情况
2024年,我镇认真贯彻条例。
(一)主动公开情况。全年主动公开信息100条。
第二段。
(二)依申请公开情况
收到申请2件。
(三)政府信息管理情况。
管理。
(四)平台建设情况
平台。
(五)监督保障情况。
监督。
二、主动公开政务信息情况
该部分以表格形式报告。
三、收到和处理政府信息公开申请情况
四、政府信息公开行政复议、行政诉讼情况
五、存在的问题及改进情况
主要问题:一是不足。
六、其他需要报告的事项
(一)收取信息处理费情况
本年度未收取信息处理费。
(二)人大代表建议和政协委员提案办理结果公开情况
无。
(三)落实上级年度政务公开工作要点情况
已落实。
某县某镇人民政府
2025年1月20日
打印
关闭
"""


def test_narrative_slots_meta_and_page_furniture(tmp_path: Path) -> None:
    result = import_report(write(tmp_path, NARRATIVE))
    report = result.report
    meta = report.meta
    assert (meta.agency, meta.year) == ("某县某镇人民政府", 2024)
    assert meta.portal_url == "http://www.mx.gov.cn"
    assert meta.portal_name == "某县人民政府门户网站"
    assert (meta.phone, meta.postcode, meta.email) == ("0123-7654321", "123456", "mzb@mx.gov.cn")
    assert meta.address == "某县某镇府前路1号"
    assert meta.publish_date is not None and meta.publish_date.isoformat() == "2025-01-20"
    assert meta.signatory == ""
    text = {key: report.narrative[key].paragraphs for key in report.narrative.parts}
    assert text["opening"][0].startswith("本年度报告根据")
    assert text["overview"] == ("2024年，我镇认真贯彻条例。",)
    assert text["overview.proactive"] == ("全年主动公开信息100条。", "第二段。")
    assert text["overview.on_request"] == ("收到申请2件。",)
    assert text["overview.management"] == ("管理。",)
    assert text["overview.platform"] == ("平台。",)
    assert text["overview.supervision"] == ("监督。",)
    assert text["problems"] == ("主要问题：一是不足。",)
    assert text["other.fees"] == ("本年度未收取信息处理费。",)
    assert text["other.proposals"] == ("无。",)
    assert text["other.extra1"] == ("已落实。",)
    assert report.narrative["other.extra1"].heading == "落实上级年度政务公开工作要点情况"
    # The signature, the footer and the navigation are not report text.
    assert all("打印" not in p and "首页" not in p for ps in text.values() for p in ps)
    assert any("该部分以表格形式报告" in item for item in result.unmapped)
    assert any("主动公开政务信息情况" in note for note in result.notes)


def test_overrides_and_missing_agency(tmp_path: Path) -> None:
    path = write(tmp_path, "一、总体情况\n我单位2024年认真贯彻条例。\n")
    with pytest.raises(InputError, match="--agency"):
        import_report(path)
    result = import_report(path, agency="某局", year=2024)
    assert (result.report.meta.agency, result.report.meta.year) == ("某局", 2024)


def test_not_a_report(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="没有找到年度报告的内容"):
        import_report(write(tmp_path, "hello\nworld\n"))
    with pytest.raises(InputError, match="另存为 .docx"):
        import_report(write(tmp_path, "x", "old.doc"))


def test_tab_separated_rows_from_a_browser_copy(tmp_path: Path) -> None:
    rows = [
        "行政复议\t\t\t\t\t行政诉讼",
        "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉",
        "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计",
        "\t".join(str(i) for i in range(1, 16)),
    ]
    text = HEAD + "四、政府信息公开行政复议、行政诉讼情况\n" + "\n".join(rows) + "\n五、存在的主要问题及改进情况\n无。\n"
    result = import_report(write(tmp_path, text))
    n = result.report.numbers
    assert [n[f"t4.cases.{k}"] for k in ("review_upheld", "review_total", "direct_suit_upheld",
                                         "suit_after_review_total")] == [1, 5, 6, 15]
    assert result.report.narrative["problems"].paragraphs == ("无。",)


# ---------------------------------------------------------------------------
# Paragraphs of a PDF's text: wrapped lines and the gaps around digits


def _paragraphs(lines: list[str]) -> list[str]:
    from generator.inputs.importers.document import SourceParagraph
    from generator.inputs.importers.narrative import join_wrapped_lines

    joined = join_wrapped_lines([SourceParagraph(line) for line in lines])
    return [b.text for b in joined if isinstance(b, SourceParagraph)]


# A paragraph as pdftotext wraps it at the page width: every line but the last one full.
_WRAPPED = [
    "本报告由某某区人民政府办公室根据《中华人民共和国政府信息公开条例》（以下简称《条例》）",
    "要求编制。报告中所列数据统计期限自 2024 年 1 月 1 日起至 2024 年 12 月 31 日止，如对本",
    "报告有疑问，请与某某区人民政府办公室联系（地址：某某区某某大道 90号，电话：0517-8",
    "7290606）。本年度区政府网站发布各类政府信息 2428 条，公开政府常务会议 7期，解读",
    "信息发布 7 条。（此后另起一段）",
    "二是依申请公开情况。全年受理政府信息公开申请 17 件，均在法定期限内答复（详见表三）。",
    "三是政府信息管理情况。严格执行“三审三校”制度，未经审核的信息一律不准发布，确保信",
    "息准确规范。",
]


def test_a_full_line_ending_in_a_bracket_goes_on_a_short_one_ends() -> None:
    paragraphs = _paragraphs(_WRAPPED)
    assert paragraphs[0].startswith("本报告由") and "（以下简称《条例》）要求编制。" in paragraphs[0]
    assert paragraphs[0].endswith("（此后另起一段）")
    assert [p[:2] for p in paragraphs] == ["本报", "二是", "三是"]


def test_a_short_line_ending_in_a_bracket_ends_its_paragraph() -> None:
    lines = _WRAPPED + ["全年共办理申请 17 件（其中 1 件转下年）", "另起一段的文字，与上一段无关。"]
    assert _paragraphs(lines)[-2:] == ["全年共办理申请17件（其中1件转下年）", "另起一段的文字，与上一段无关。"]


def test_gaps_between_chinese_and_digits_are_closed_others_kept() -> None:
    text = _paragraphs(_WRAPPED)[0]
    assert "自2024年1月1日起至2024年12月31日止" in text
    assert "某某大道90号" in text and "发布各类政府信息2428条，公开政府常务会议7期" in text
    assert "0517-87290606）" in text
    kept = _paragraphs(["使用 WPS 软件编辑，网址 www.example.gov.cn 可查阅，共 3 个 4 类。"])[0]
    assert kept == "使用 WPS 软件编辑，网址 www.example.gov.cn 可查阅，共3个4类。"
