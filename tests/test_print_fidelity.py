"""Print fidelity (issue 13), measured: the .docx through LibreOffice and the reportlab PDF,
read back with pdfplumber, on the bundled example and on a stress report (print_support)."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.oxml.ns import qn
from print_support import (
    NO_LIBREOFFICE,
    STRESS_AGENCY,
    libreoffice_pdf,
    render_all,
    stress_report,
)

from generator.checks.checker import check_report
from generator.form import TABLE_BY_KEY, geometry
from generator.outputs.context import signature_lines, title_lines
from generator.outputs.document import (
    Heading,
    Paragraph,
    Signature,
    Title,
    blocks,
)

MARKS = "。、；："
BODY = 16.0
GRID = geometry.GRID_CHAR / 20  # one character of the 28-character line, points
RIGHT_ODD = (28 + 156) * 72 / 25.4  # right edge of the 版心 on odd and even pages
RIGHT_EVEN = (26 + 156) * 72 / 25.4


@pytest.fixture(scope="module")
def outputs(example_report, tmp_path_factory) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for name, report in (("example", example_report), ("stress", stress_report(example_report))):
        paths = render_all(report, tmp_path_factory.mktemp(name))
        out[name] = {"report": report, **paths}
    return out


#: The PDFs compared where a test loops over them: LibreOffice's only where it is installed.
ENGINES = ("lo", "pdf") if NO_LIBREOFFICE is None else ("pdf",)


def pdf_of(output: dict, engine: str) -> Path:
    """The PDF of ``engine``: LibreOffice's print of the .docx ("lo", skipped without
    LibreOffice) or the reportlab PDF ("pdf")."""
    return libreoffice_pdf(output) if engine == "lo" else output["pdf"]


def pages(path: Path) -> list:
    with pdfplumber.open(path) as pdf:
        return [(page.page_number, page.extract_text() or "", list(page.chars),
                 list(page.lines) + list(page.rects)) for page in pdf.pages]


def source_text(report) -> str:
    """Every character the report prints outside its tables (no page numbers)."""
    parts: list[str] = []
    for block in blocks(report):
        if isinstance(block, (Title, Heading, Paragraph)):
            parts.append(block.text)
        elif isinstance(block, Signature):
            parts += [block.agency, block.date]
    return "".join(parts)


def lines_of(chars: list, size: float, spaces: bool = False) -> list[list[dict]]:
    """Characters of one size grouped into lines (by baseline), left to right."""
    rows: dict[int, list[dict]] = {}
    for c in chars:
        if abs(c["size"] - size) < 0.05 and (spaces or c["text"].strip()):
            rows.setdefault(round(c["bottom"]), []).append(c)
    return [sorted(row, key=lambda c: c["x0"]) for _, row in sorted(rows.items())]


# 1 ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["example", "stress"])
@pytest.mark.parametrize("engine", ["lo", "pdf"])
def test_no_line_end_punctuation_is_lost(outputs, name: str, engine: str) -> None:
    report = outputs[name]["report"]
    expected = source_text(report)
    # Text outside the tables (header rows repeat on continuation pages): 三号 and 二号.
    printed = "".join(c["text"] for _, _, chars, _ in pages(pdf_of(outputs[name], engine))
                      for c in chars if c["size"] > 15)
    for mark in MARKS:
        assert printed.count(mark) == expected.count(mark), (engine, mark)


@pytest.mark.parametrize("name", ["example", "stress"])
@pytest.mark.parametrize("engine", ["lo", "pdf"])
def test_every_table_row_is_printed(outputs, name: str, engine: str) -> None:
    # Labels spanning the label columns that fit one line there: each must be on a page.
    report = outputs[name]["report"]
    text = "".join(t for _, t, _, _ in pages(pdf_of(outputs[name], engine))).replace(" ", "")
    checked = 0
    for form in TABLE_BY_KEY.values():
        geo = geometry.table_geometry(form.key, {f.id: str(report.numbers[f.id])
                                                 for f in form.fields})
        for cell in form.cells:
            inner = geometry.span_width(geo.widths, cell.col, cell.colspan) / 20 - 6
            if (cell.role.value == "label" and cell.col == 0 and cell.colspan > 1
                    and len(cell.text) * geo.size_pt <= inner):
                assert cell.text in text, (engine, cell.text)
                checked += 1
    assert checked >= 1 and "四、结转下年度继续办理" in text  # 表三's last row


def test_libreoffice_sets_28_characters_and_22_lines(outputs) -> None:
    body_lines = [line for _, _, chars, _ in pages(libreoffice_pdf(outputs["example"]))
                  for line in lines_of(chars, BODY)]
    full = [line for line in body_lines
            if all(ord(c["text"]) > 0x2e80 for c in line) and line[0]["x0"] < 90]
    # LibreOffice hangs a closing mark into the margin (悬挂标点) rather than push it on.
    full = [line[:-1] if line[-1]["text"] in "。，、；：）”" and len(line) == 29 else line
            for line in full]
    assert full and max(len(line) for line in full) == 28
    assert sum(len(line) == 28 for line in full) > 20
    for _, _, chars, _ in pages(libreoffice_pdf(outputs["example"])):
        assert len(lines_of(chars, BODY)) <= geometry.LINES_PER_PAGE


# 2 and the page count --------------------------------------------------------


@pytest.mark.parametrize("name", ["example", "stress"])
@pytest.mark.parametrize("engine", ["lo", "pdf"])
def test_no_page_holds_only_a_heading(outputs, name: str, engine: str) -> None:
    for number, text, _, _ in pages(pdf_of(outputs[name], engine)):
        content = [line for line in text.splitlines() if not re.fullmatch(r"— \d+ —", line)]
        assert len(content) > 1, (engine, number, content)


def test_libreoffice_and_pdf_give_the_same_page_count_for_the_example(outputs) -> None:
    assert len(pages(libreoffice_pdf(outputs["example"]))) == len(pages(outputs["example"]["pdf"]))


def test_libreoffice_and_pdf_give_the_same_page_count_for_the_stress_report(outputs) -> None:
    # Same count, not the same lines: on this machine LibreOffice sets the Latin text in
    # DejaVu Serif (for Times New Roman) and reportlab in the CJK face's Latin glyphs, so
    # the 4,000 characters of addresses and English words take about 18 more lines through
    # LibreOffice.  What keeps the counts together is the page break before 表三 (below).
    lo, pdf = len(pages(libreoffice_pdf(outputs["stress"]))), len(pages(outputs["stress"]["pdf"]))
    assert lo == pdf, (lo, pdf)


# 9 ---------------------------------------------------------------------------------

T3_HEADING = "三、收到和处理政府信息公开申请情况"


@pytest.mark.parametrize("engine", ["lo", "pdf"])
def test_table_three_is_whole_on_the_page_its_heading_starts(outputs, engine: str) -> None:
    # 表三 of the example is not split, so its merged labels (三、本年度办理结果,
    # （五）不予处理) need no continuation page, where Word and LibreOffice leave them blank.
    # The stress report's 9-digit columns make the labels wrap and 表三 taller than a
    # page: there it still splits (at the same row in both PDFs), see the point 9.
    laid = pages(pdf_of(outputs["example"], engine))
    starts = [i for i, (_, text, _, _) in enumerate(laid) if T3_HEADING in text]
    assert len(starts) == 1, (engine, starts)
    i = starts[0]
    _, text, chars, _ = laid[i]
    assert text.lstrip().startswith(T3_HEADING), (engine, text[:40])  # top of the page
    flat = text.replace(" ", "").replace("\n", "")
    for label in ("（五）不予处理", "（七）总计", "四、结转下年度继续办理"):
        assert label in flat, (engine, label)
    # The vertical label 三、本年度办理结果 is set one character a line: all on this page.
    assert all(ch in flat for ch in "本年度办理结果")
    # The next page starts with the heading 四, not with repeated header rows of 表三.
    assert laid[i + 1][1].lstrip().startswith("四、政府信息公开行政复议"), engine


def _column_text(page: tuple, geo, first: int, last: int) -> str:
    """Table-size characters inside grid columns ``first``–``last`` of 表三, top to bottom."""
    _, _, chars, rules = page
    left = min(r["x0"] for r in rules)
    x0 = left + sum(geo.widths[:first]) / 20
    x1 = left + sum(geo.widths[:last + 1]) / 20
    inside = [c for c in chars if c["size"] < 12 and x0 < c["x0"] and c["x1"] < x1]
    return "".join(c["text"] for c in sorted(inside, key=lambda c: (round(c["top"]), c["x0"])))


@pytest.mark.parametrize("engine", ["lo", "pdf"])
def test_stress_table_three_repeats_its_merged_labels_on_the_next_page(outputs,
                                                                      engine: str) -> None:
    # 表三 of the stress report is taller than a page: both outputs continue it after
    # （五）不予处理's third row, and the next page repeats, in their columns, the labels of
    # the merges that cross the break (the .docx: a second table, template_builder.split_table).
    report = outputs["stress"]["report"]
    geo = geometry.table_geometry("t3", {f.id: str(report.numbers[f.id])
                                         for f in TABLE_BY_KEY["t3"].fields})
    laid = pages(pdf_of(outputs["stress"], engine))
    i = next(i for i, (_, text, _, _) in enumerate(laid) if T3_HEADING in text)
    for page in (laid[i], laid[i + 1]):
        assert "三、本年度办理结果" in _column_text(page, geo, 0, 0), (engine, page[0])
        assert "（五）不予处理" in _column_text(page, geo, 1, 1), (engine, page[0])
    before, after = (_column_text(page, geo, 2, 2) for page in (laid[i], laid[i + 1]))
    assert "3.要求提供公开出版物" in before and "4.无正当理由" not in before, engine
    assert "4.无正当理由" in after and "3.要求提供公开出版物" not in after, engine
    assert "申请人情况" in laid[i + 1][1]  # the header rows repeat


def test_stress_docx_cuts_table_three_with_a_page_break_between(outputs) -> None:
    document = docx.Document(str(outputs["stress"]["docx"]))
    tables = document.tables
    assert len(tables) == 4  # 表二, 表三 in two pieces, 表四
    piece = tables[2]
    form = TABLE_BY_KEY["t3"]
    assert len(tables[1].rows) == 21 and len(piece.rows) == form.header_rows + form.n_rows - 21
    first_body = piece.rows[form.header_rows]._tr
    restarted = [tc for tc in first_body.findall(qn("w:tc"))
                 if tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}") is not None]
    texts = ["".join(t.text for t in tc.iter(qn("w:t"))) for tc in restarted]
    assert texts == ["三、本年度办理结果", "（五）不予处理"]
    assert all(tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}").get(qn("w:val")) == "restart"
               for tc in restarted)
    between = piece._tbl.getprevious()
    assert between.tag == qn("w:p") and between.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None
    assert document.tables[1]._tbl.getnext() is between


def test_stress_docx_with_a_cut_table_three_reads_back_every_number(outputs) -> None:
    from generator.inputs.importers import import_report

    result = import_report(outputs["stress"]["docx"])
    report = outputs["stress"]["report"]
    assert not [u for u in result.unmapped if "表三" in u]
    for f in TABLE_BY_KEY["t3"].fields:
        assert result.report.numbers[f.id] == report.numbers[f.id], f.id


def test_example_docx_keeps_table_three_in_one_table(outputs) -> None:
    assert len(docx.Document(str(outputs["example"]["docx"])).tables) == 3


def test_docx_starts_table_three_heading_on_a_new_page(outputs) -> None:
    document = docx.Document(str(outputs["example"]["docx"]))
    flagged = [p.text for p in document.paragraphs
               if p._p.pPr is not None and p._p.pPr.find(qn("w:pageBreakBefore")) is not None]
    assert flagged == [T3_HEADING]


# 3 and 4 -----------------------------------------------------------------------


def _t3_numbers(report) -> list[str]:
    return sorted({str(report.numbers[f.id]) for f in TABLE_BY_KEY["t3"].fields})


@pytest.mark.parametrize("name", ["example", "stress"])
@pytest.mark.parametrize("engine", ["lo", "pdf"])
def test_table_numbers_print_whole_on_one_line(outputs, name: str, engine: str) -> None:
    report = outputs[name]["report"]
    words = {w for _, text, _, _ in pages(pdf_of(outputs[name], engine)) for w in text.split()}
    for key in ("t2", "t3"):
        for f in TABLE_BY_KEY[key].fields:
            printed = str(report.numbers[f.id])
            if isinstance(report.numbers[f.id], Decimal):
                printed = format(report.numbers[f.id].normalize(), "f")
            assert printed in words, (engine, f.id, printed)


@pytest.mark.parametrize("name, size", [("example", 10.5), ("stress", 9.0)])
def test_table_three_has_one_size_in_every_output(outputs, name: str, size: float) -> None:
    report = outputs[name]["report"]
    numbers = set(_t3_numbers(report))
    for engine in ENGINES:
        sizes = set()
        for _, text, chars, _ in pages(pdf_of(outputs[name], engine)):
            if "申请人情况" not in text or "第二十条" in text or "行政复议" in text:
                continue  # only pages of table 3 alone
            digits = [c for c in chars if c["text"].isdigit() and c["size"] < 12]
            sizes |= {round(c["size"], 1) for c in digits}
        assert sizes == {size}, (engine, sizes)
    document = docx.Document(io.BytesIO(outputs[name]["docx"].read_bytes()))
    table = document.tables[1]
    cols = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.gridCol_lst]
    geo = geometry.table_geometry("t3", {f.id: str(report.numbers[f.id])
                                         for f in TABLE_BY_KEY["t3"].fields})
    assert tuple(cols) == geo.widths and sum(cols) == geometry.TEXT_WIDTH
    run_sizes = {r.font.size.pt if r.font.size else 10.5
                 for row in table.rows for cell in row.cells for p in cell.paragraphs
                 for r in p.runs if r.text.strip()}
    assert run_sizes == {size}
    assert numbers  # the report has numbers to measure


def test_pdf_table_columns_are_the_declared_widths(outputs) -> None:
    report = outputs["stress"]["report"]
    geo = geometry.table_geometry("t3", {f.id: str(report.numbers[f.id])
                                         for f in TABLE_BY_KEY["t3"].fields})
    for number, text, chars, rules in pages(outputs["stress"]["pdf"]):
        if "申请人情况" not in text:
            continue
        xs = sorted({round(r["x0"], 1) for r in rules if abs(r["x0"] - r["x1"]) < 0.1})
        left = xs[0]
        expected = [round(left + sum(geo.widths_pt[:i]), 1) for i in range(11)]
        assert all(any(abs(x - e) < 0.3 for x in xs) for e in expected), (xs, expected)
        break
    else:
        pytest.fail("table 3 not found")


# 5 --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["example", "stress"])
def test_pdf_never_spreads_more_than_a_quarter_em(outputs, name: str) -> None:
    worst = 0.0
    for _, _, chars, _ in pages(outputs[name]["pdf"]):
        for line in lines_of(chars, BODY, spaces=True):
            for a, b in zip(line, line[1:]):
                worst = max(worst, b["x0"] - a["x1"])
    # The grid closes characters up by 0.21 pt; a justified line may add a quarter em.
    assert worst <= 0.25 * BODY + 0.5, worst


# 6 -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["example", "stress"])
def test_title_lines_are_the_same_in_every_output(outputs, name: str) -> None:
    report = outputs[name]["report"]
    expected = list(title_lines(report.meta.agency, report.meta.year))
    for engine in ENGINES:
        _, _, chars, _ = pages(pdf_of(outputs[name], engine))[0]
        got = ["".join(c["text"] for c in line) for line in lines_of(chars, 22.0)]
        assert got == expected, engine
    document = docx.Document(io.BytesIO(outputs[name]["docx"].read_bytes()))
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == expected
    html = outputs[name]["html"].read_text(encoding="utf-8")
    assert html.count('<span class="line">') == len(expected)


def test_stress_title_wraps_between_administrative_units() -> None:
    assert title_lines(STRESS_AGENCY, 2025) == (
        "伊犁哈萨克自治州察布查尔锡伯自治县", "孙扎齐牛录镇人民政府办公室",
        "2025年政府信息公开工作年度报告")


# 7 -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["example", "stress"])
@pytest.mark.parametrize("engine", ["lo", "pdf"])
def test_signature_is_stamped_layout_in_both_pdfs(outputs, name: str, engine: str) -> None:
    report = outputs[name]["report"]
    expected = signature_lines(report.meta.signing_agency, "2026年1月20日")
    number, _, chars, _ = pages(pdf_of(outputs[name], engine))[-1]
    right_edge = RIGHT_ODD if number % 2 else RIGHT_EVEN
    lines = {"".join(c["text"] for c in line): line for line in lines_of(chars, BODY)}
    date = lines["2026年1月20日"]
    assert abs(date[-1]["x1"] - (right_edge - 4 * GRID)) < 3, engine  # 右空四字
    centre = (date[0]["x0"] + date[-1]["x1"]) / 2
    # The .docx centres the agency over the date as measured with half-em digits (Times New
    # Roman, 宋体); where LibreOffice substitutes wider digits the centre moves by half the
    # difference.
    estimated = sum(0.5 if ord(ch) < 0x80 else 1 for ch in "2026年1月20日") * GRID
    tolerance = 3 + (abs(date[-1]["x1"] - date[0]["x0"] - estimated) / 2 if engine == "lo" else 0)
    for line in expected[:-1]:
        agency = lines[line.text]
        assert abs((agency[0]["x0"] + agency[-1]["x1"]) / 2 - centre) < tolerance, line.text
    assert len(expected) == (2 if name == "example" else 4)


def test_unstamped_layout_is_available() -> None:
    lines = signature_lines("扎赉特旗宝力根花苏木人民政府", "2026年1月20日", stamped=False)
    assert [line.right for line in lines] == [2.0, 7.5]


# 8 -------------------------------------------------------------------------------


def test_fee_prints_two_decimals_and_check_warns(outputs) -> None:
    sentence = "本年度共收取信息处理费1234.57元"
    for engine in ENGINES:
        text = "".join(t for _, t, _, _ in pages(pdf_of(outputs["stress"], engine))).replace("\n", "")
        assert sentence in text.replace(" ", ""), engine
    assert sentence in outputs["stress"]["html"].read_text(encoding="utf-8")
    findings = [f for f in check_report(outputs["stress"]["report"])
                if f.rule == "V-1" and "信息处理费" in f.message]
    assert findings and "1234.57" in findings[0].message
    assert not [f for f in check_report(outputs["example"]["report"])
                if f.rule == "V-1" and "信息处理费" in f.message]


# 10 ------------------------------------------------------------------------------


def test_html_tables_have_captions_and_form_widths(outputs) -> None:
    html = outputs["example"]["html"].read_text(encoding="utf-8")
    assert html.count("<caption") == 3 == html.count("<table")
    assert "结果<br>维持" in html and "尚未<br>审结" in html
    geo = geometry.default_geometry("t3")
    assert f'style="width:{100 * geo.widths[2] / geometry.TEXT_WIDTH:.2f}%"' in html


# The declaration itself ---------------------------------------------------------------


@pytest.mark.parametrize("digits, size", [(4, 10.5), (7, 10.5), (8, 9.0), (9, 9.0)])
def test_a_table_steps_down_one_size_as_a_whole(digits: int, size: float) -> None:
    form = TABLE_BY_KEY["t3"]
    geo = geometry.table_geometry("t3", {f.id: "9" * digits for f in form.fields})
    assert geo.size_pt == size and geo.numbers_fit
    assert sum(geo.widths) == geometry.TEXT_WIDTH
    for col in range(3, 10):  # every number column holds the widest number on one line
        assert geo.widths[col] >= geometry.number_width("9" * digits, size)


def test_numbers_too_wide_for_the_smaller_size_are_reported_not_shrunk() -> None:
    form = TABLE_BY_KEY["t3"]
    geo = geometry.table_geometry("t3", {f.id: "9" * 12 for f in form.fields})
    assert geo.size_pt == geometry.TABLE_SIZES[-1] and not geo.numbers_fit
    assert sum(geo.widths) == geometry.TEXT_WIDTH


def test_table_two_amount_only_needs_its_merged_width() -> None:
    amount = next(f.id for f in TABLE_BY_KEY["t2"].fields if f.kind.value == "amount")
    geo = geometry.table_geometry("t2", {amount: "12345.678901"})
    assert geo.size_pt == 10.5 and geo == geometry.default_geometry("t2")


def test_a_very_long_agency_name_wraps_on_whole_words_within_the_line() -> None:
    # 67 words: too many to weigh every arrangement (the corpus has this name).
    agency = "扎赉特旗宝力根花苏木人民政府" * 22 + "办公室"
    lines = title_lines(agency, 2025)
    assert "".join(lines) == f"{agency}2025年政府信息公开工作年度报告"
    assert all(sum(0.5 if ord(c) < 0x80 else 1 for c in line) <= 20 for line in lines)
    assert all(line.endswith(("旗", "苏木", "政府", "办公室", "报告", "公开", "年")) for line in lines)
    unbroken = title_lines("某" * 45, 2025)  # no unit to break at: cut where it must be
    assert unbroken == ("某" * 20, "某" * 20, "某" * 5 + "2025年政府信息公开工作年度报告")
