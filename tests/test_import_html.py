"""Importing saved portal pages: the 2019 trial format, portal label variants, hostile input."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Callable

from generator.form import FIELDS, TABLE2, TABLE3, TABLE4, TableForm
from generator.inputs.importers import import_report

Cell = tuple[str, int, int]  # text, rowspan, colspan


def table_html(rows: list[list[Cell]], spans: bool = True) -> str:
    out = ["<table border='1'>"]
    for row in rows:
        out.append("<tr>")
        for text, rowspan, colspan in row:
            attrs = ""
            if spans and rowspan > 1:
                attrs += f" rowspan='{rowspan}'"
            if spans and colspan > 1:
                attrs += f" colspan='{colspan}'"
            out.append(f"<td{attrs}><p>{text}</p></td>")
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def page(body: str, charset: str = "utf-8") -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='{charset}'><title>年报</title>"
            f"<script>var x = '一、总体情况';</script><style>p{{}}</style></head><body>"
            f"{body}</body></html>")


# ---------------------------------------------------------------------------
# 2019 trial format (official_format.md §1.8)

T2_2019: list[list[Cell]] = [
    [("第二十条第（一）项", 1, 4)],
    [("信息内容", 1, 1), ("本年新制作数量", 1, 1), ("本年新公开数量", 1, 1), ("对外公开总数量", 1, 1)],
    [("规章", 1, 1), ("0", 1, 1), ("0", 1, 1), ("0", 1, 1)],
    [("规范性文件", 1, 1), ("2", 1, 1), ("3", 1, 1), ("15", 1, 1)],
    [("第二十条第（五）项", 1, 4)],
    [("信息内容", 1, 1), ("上一年项目数量", 1, 1), ("本年增/减", 1, 1), ("处理决定数量", 1, 1)],
    [("行政许可", 1, 1), ("30", 1, 1), ("2", 1, 1), ("125", 1, 1)],
    [("其他对外管理服务事项", 1, 1), ("5", 1, 1), ("0", 1, 1), ("6", 1, 1)],
    [("第二十条第（六）项", 1, 4)],
    [("信息内容", 1, 1), ("上一年项目数量", 1, 1), ("本年增/减", 1, 1), ("处理决定数量", 1, 1)],
    [("行政处罚", 1, 1), ("10", 1, 1), ("-1", 1, 1), ("40", 1, 1)],
    [("行政强制", 1, 1), ("1", 1, 1), ("0", 1, 1), ("2", 1, 1)],
    [("第二十条第（八）项", 1, 4)],
    [("信息内容", 1, 1), ("上一年项目数量", 1, 1), ("本年增/减", 1, 2)],
    [("行政事业性收费", 1, 1), ("3", 1, 1), ("0", 1, 2)],
    [("第二十条第（九）项", 1, 4)],
    [("信息内容", 1, 1), ("采购项目数量", 1, 1), ("采购总金额", 1, 2)],
    [("政府集中采购", 1, 1), ("4", 1, 1), ("12.5", 1, 2)],
]

T3_HEADER: list[list[Cell]] = [
    [("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), ("申请人情况", 1, 7)],
    [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
    [("商业企业", 1, 1), ("科研机构", 1, 1), ("社会公益组织", 1, 1), ("法律服务机构", 1, 1), ("其他", 1, 1)],
]


def numbers(base: int) -> list[Cell]:
    return [(str(base + i), 1, 1) for i in range(7)]


T3_2019_BODY: list[tuple[list[Cell], int]] = [
    ([("一、本年新收政府信息公开申请数量", 1, 3)], 100),
    ([("二、上年结转政府信息公开申请数量", 1, 3)], 200),
    ([("三、本年度办理结果", 20, 1), ("（一）予以公开", 1, 2)], 300),
    ([("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2)], 400),
    ([("（三）不予公开", 8, 1), ("1.属于国家秘密", 1, 1)], 500),
    *(([(label, 1, 1)], 510 + 10 * i) for i, label in enumerate(
        ["2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
         "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷",
         "8.属于行政查询事项"])),
    ([("（四）无法提供", 3, 1), ("1.本机关不掌握相关政府信息", 1, 1)], 600),
    ([("2.没有现成信息需要另行制作", 1, 1)], 610),
    ([("3.补正后申请内容仍不明确", 1, 1)], 620),
    ([("（五）不予处理", 5, 1), ("1.信访举报投诉类申请", 1, 1)], 700),
    ([("2.重复申请", 1, 1)], 710),
    ([("3.要求提供公开出版物", 1, 1)], 720),
    ([("4.无正当理由大量反复申请", 1, 1)], 730),
    ([("5.要求行政机关确认或重新出具已获取信息", 1, 1)], 740),
    ([("（六）其他处理", 1, 2)], 800),
    ([("（七）总计", 1, 2)], 900),
    ([("四、结转下年度继续办理", 1, 3)], 1000),
]


def t4_rows(relabel: Callable[[str], str] = lambda s: s) -> list[list[Cell]]:
    results = [relabel(r) for r in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]
    return [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [*((r, 2, 1) for r in results), ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        [*((r, 1, 1) for r in results), *((r, 1, 1) for r in results)],
        [(str(i + 1), 1, 1) for i in range(15)],
    ]


def test_2019_trial_format_maps_what_means_the_same(tmp_path: Path) -> None:
    t3 = T3_HEADER + [labels + numbers(base) for labels, base in T3_2019_BODY]
    body = ("<h1>某镇人民政府2019年政府信息公开工作年度报告</h1>"
            "<p>本报告根据条例编制。</p><h2>一、总体情况</h2><p>概述。</p>"
            "<h2>二、主动公开政府信息情况</h2>" + table_html(T2_2019) +
            "<h2>三、收到和处理政府信息公开申请情况</h2>" + table_html(t3) +
            "<h2>四、政府信息公开行政复议、行政诉讼情况</h2>" + table_html(t4_rows()))
    path = tmp_path / "2019.html"
    path.write_text(page(body), encoding="utf-8")
    result = import_report(path)
    n = result.report.numbers
    assert result.form_version == "2019"
    # 处理决定数量 is 2021's 本年处理决定数量.
    assert (n["t2.licensing.decisions"], n["t2.penalty.decisions"],
            n["t2.coercion.decisions"]) == (125, 40, 2)
    assert sum("处理决定数量" in note for note in result.notes) == 3
    # What means something else is reported with the numbers seen, not guessed.
    for fid in ("t2.regulations.issued", "t2.normative_documents.issued",
                "t2.normative_documents.in_force", "t2.fees.amount"):
        assert fid in result.unread and fid not in n.values  # blank in the workbook, not 0
    unmapped = "\n".join(result.unmapped)
    for seen in ("本年新制作数量：「2」", "对外公开总数量：「15」", "其他对外管理服务事项",
                 "政府集中采购", "上一年项目数量：「30」", "本年增/减：「-1」"):
        assert seen in unmapped, seen
    assert any("表二" in line and "未读出" in line for line in result.table_status)
    # 表三: every row by its label; the single （六）其他处理 row becomes （六）3.其他.
    assert [n[f"t3.new.{c}"] for c in ("natural_person", "total")] == [100, 106]
    assert n["t3.withheld_state_secret.natural_person"] == 500
    assert n["t3.withheld_query_matters.other_org"] == 575
    assert n["t3.unprocessed_confirmation.total"] == 746
    assert n["t3.other_other.natural_person"] == 800
    assert n["t3.other_no_correction.natural_person"] == 0
    assert n["t3.outcome_total.research"] == 902
    assert n["t3.carried_forward.total"] == 1006
    assert any("其他处理" in note and "3.其他" in note for note in result.notes)
    # 表四 by its header paths.
    assert [n[f.id] for f in sorted(TABLE4.fields, key=lambda f: f.grid_col)] == list(range(1, 16))


# ---------------------------------------------------------------------------
# A 2021 report as a portal prints it


def official_rows(table: TableForm, values: dict[str, str],
                  relabel: Callable[[str], str] = lambda s: s) -> list[list[Cell]]:
    """The form's own grid (as test_form checks against the spec) with variant labels."""
    rows: list[list[Cell]] = [[] for _ in range(table.n_rows)]
    for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
        text = values.get(cell.field_id, "") if cell.field_id else relabel(cell.text)
        rows[cell.row].append((text, cell.rowspan, cell.colspan))
    return rows


VARIANTS = {
    "商业企业": "商业<br>企业", "结果纠正": "结果<br>纠正", "科研机构": "科研 机构",
    "行政规范性文件": "规范性文件", "本年收费金额（单位：万元）": "本年收费金额单位:万元",
    "第二十条第（一）项": "第二十条第", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）":
    "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)",
    "（一）予以公开": "(一)予以公开",
}


def relabel(text: str) -> str:
    return VARIANTS.get(text, text)


def distinct_values() -> dict[str, str]:
    values = {f.id: str(i + 1) for i, f in enumerate(FIELDS)}
    values["t2.fees.amount"] = "0.35"
    values["t3.new.research"] = ""  # blank
    values["t3.new.total"] = "999"  # a total that disagrees with its parts, as printed
    return values


def portal_page(spans: bool = True) -> str:
    values = distinct_values()
    tables = [table_html(official_rows(t, values, relabel), spans) for t in (TABLE2, TABLE3, TABLE4)]
    return page(
        "<div class='nav'><a href='/'>首页</a> &gt; <a>政务公开</a></div>"
        "<table class='layout'><tr><td>"
        "<h1>扎赉特旗宝力根花苏木人民政府<br>2025年政府信息公开工作年度报告</h1>"
        "<div class='info'>发布时间：2026-01-20 来源：苏木办公室 字号：大 中 小</div>"
        "<p>本年度报告根据《中华人民共和国政府信息公开条例》(国令第711号)编制。"
        "本年度报告电子版可以从扎赉特旗人民政府门户网站(http://www.zltq.gov.cn/)下载。</p>"
        "<p><strong>一、总体情况</strong></p><p>2025年，我苏木认真贯彻条例。</p>"
        "<p>(一)主动公开情况。全年主动公开信息279条。</p>"
        "<p>二、主动公开政府信息情况</p>" + tables[0] +
        "<p>三、收到和处理政府信息公开申请情况</p>" + tables[1] +
        "<p>四、政府信息公开行政复议、行政诉讼情况</p>" + tables[2] +
        "<p>五、存在的问题及改进情况</p><p>主要问题：一是不足。</p>"
        "<p>六、其他需要报告的事项</p><p>（一）收取信息处理费情况</p><p>本年度没有产生信息处理费。</p>"
        "</td></tr></table>"
        "<div class='footer'><p>【打印本页】</p><p>蒙公网安备 15222302000112号</p></div>",
        charset="gbk")


def expected_numbers() -> dict[str, object]:
    want: dict[str, object] = {}
    for fid, text in distinct_values().items():
        want[fid] = Decimal(text) if fid == "t2.fees.amount" else int(text or 0)
    return want


def test_portal_page_in_gbk_with_layout_table_and_label_variants(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_bytes(portal_page().encode("gbk"))
    result = import_report(path)
    report = result.report
    assert {f.id: report.numbers[f.id] for f in FIELDS} == expected_numbers()
    assert result.blanks == ("t3.new.research",)
    assert result.unmapped == []
    assert (report.meta.agency, report.meta.year) == ("扎赉特旗宝力根花苏木人民政府", 2025)
    assert report.meta.publish_date is not None and report.meta.publish_date.isoformat() == "2026-01-20"
    assert report.meta.portal_url == "http://www.zltq.gov.cn/"
    assert report.narrative["overview.proactive"].paragraphs == ("全年主动公开信息279条。",)
    assert report.narrative["other.fees"].paragraphs == ("本年度没有产生信息处理费。",)
    assert report.narrative["opening"].paragraphs[0].startswith("本年度报告根据《中华人民共和国政府信息公开条例》（国令第711号）")
    everything = " ".join(p for part in report.narrative.parts.values() for p in part.paragraphs)
    assert "一、总体情况" not in everything and "公网安备" not in everything and "首页" not in everything


def test_portal_page_that_lost_its_spans_reads_in_official_order(tmp_path: Path) -> None:
    path = tmp_path / "flat.html"
    path.write_text(portal_page(spans=False).replace("gbk", "utf-8"), encoding="utf-8")
    result = import_report(path)
    assert {f.id: result.report.numbers[f.id] for f in FIELDS} == expected_numbers()
    assert any("按规定的栏目顺序" in note for note in result.notes)


def test_hostile_html_is_parsed_without_expanding_anything(tmp_path: Path) -> None:
    hostile = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<!DOCTYPE html [<!ENTITY boom "炸炸炸炸炸炸炸炸"><!ENTITY ext SYSTEM "file:///etc/passwd">]>'
        "<html><body><p>某镇人民政府2024年政府信息公开工作年度报告</p>"
        "<p>一、总体情况</p><p>开始&boom;&ext;结束，&amp;正常。</p>"
        "<table><tr><td colspan='1000000' rowspan='99999999'>x</td></tr></table>"
        "<script>alert(1)</script></body></html>")
    path = tmp_path / "hostile.html"
    path.write_text(hostile, encoding="utf-8")
    result = import_report(path)
    overview = result.report.narrative["overview"].paragraphs
    assert len(overview) == 1
    assert "炸" not in overview[0] and "root:" not in overview[0]
    assert overview[0].startswith("开始") and "&正常" in overview[0]
    assert any("不是规定的三张表之一" in item for item in result.unmapped)
