"""The rendered .docx: headings, tables (labels, merges, numbers), fonts, page, bytes, text."""

from __future__ import annotations

import io
import random
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from conftest import FontSituation
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.findings import Severity
from generator.form import FIELDS, SECTIONS, TABLES, ValueKind
from generator.outputs import RenderOptions
from generator.outputs.context import title_lines
from generator.outputs.document import Heading, Paragraph, blocks
from generator.outputs.docx import render, render_bytes
from generator.outputs.template_builder import (
    DRAFT_MARK,
    LINE_PITCH,
    MARGIN_BOTTOM,
    MARGIN_INSIDE,
    MARGIN_OUTSIDE,
    MARGIN_TOP,
)
from generator.report.model import Narrative, Numbers, Report, TextPart


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def grid_of(table) -> dict[tuple[int, int], object]:
    """(row, grid column) -> the w:tc element that starts there (vMerge continuations too)."""
    cells: dict[tuple[int, int], object] = {}
    for r, tr in enumerate(table._tbl.tr_lst):
        c = 0
        for tc in tr.tc_lst:
            cells[(r, c)] = tc
            c += tc.grid_span
    return cells


def tc_text(tc) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def vmerge(tc) -> str | None:
    """'restart', 'continue' or None."""
    tcpr = tc.tcPr
    if tcpr is None:
        return None
    node = tcpr.find(qn("w:vMerge"))
    if node is None:
        return None
    return node.get(qn("w:val")) or "continue"


@pytest.fixture(scope="module")
def example_docx(example_report: Report) -> bytes:
    data, findings = render_bytes(example_report)
    assert findings == []
    return data


def test_six_section_headings_in_order(example_docx: bytes) -> None:
    document = open_docx(example_docx)
    level1 = [p.text for p in document.paragraphs if p.style.name == "一级标题"]
    assert level1 == [s.heading for s in SECTIONS]


def test_paragraphs_follow_the_shared_block_order(example_report: Report,
                                                  example_docx: bytes) -> None:
    # The .docx prints the same headings and paragraphs, in the same order, as PDF/HTML.
    document = open_docx(example_docx)
    printed = [p.text for p in document.paragraphs
               if p.text and p.style.name in ("Normal", "一级标题", "二级标题")]
    expected = [b.text for b in blocks(example_report) if isinstance(b, (Heading, Paragraph))]
    assert printed == expected


def test_title_and_signature(example_report: Report, example_docx: bytes) -> None:
    document = open_docx(example_docx)
    titles = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert titles == ["扎赉特旗宝力根花苏木人民政府", "2025年政府信息公开工作年度报告"]
    signature = [p.text for p in document.paragraphs if p.style.name == "落款"]
    assert signature == ["扎赉特旗宝力根花苏木人民政府", "2026年1月20日"]
    # The last paragraph of text and the blank line are kept with the signature.
    paragraphs = document.paragraphs
    first_sig = next(i for i, p in enumerate(paragraphs) if p.style.name == "落款")
    assert paragraphs[first_sig - 1].text == ""
    assert paragraphs[first_sig - 2].text == "2025年未收到建议提案。"
    for p in paragraphs[first_sig - 2:first_sig]:
        assert p.paragraph_format.keep_with_next, p.text
    assert document.styles["落款"].paragraph_format.keep_with_next


@pytest.mark.parametrize("form", TABLES, ids=lambda t: t.key)
def test_table_labels_and_merges_equal_the_form(example_docx: bytes, form) -> None:
    table = open_docx(example_docx).tables[TABLES.index(form)]
    grid = grid_of(table)
    assert len(table._tbl.tr_lst) == form.n_rows
    assert len(table._tbl.tblGrid.gridCol_lst) == form.n_cols
    for cell in form.cells:
        tc = grid[(cell.row, cell.col)]
        assert tc.grid_span == cell.colspan, (form.key, cell)
        if cell.field_id is None:
            assert tc_text(tc) == cell.text, (form.key, cell.row, cell.col)
        assert vmerge(tc) == ("restart" if cell.rowspan > 1 else None), cell
        for r in range(cell.row + 1, cell.last_row + 1):
            below = grid[(r, cell.col)]
            assert vmerge(below) == "continue" and below.grid_span == cell.colspan
            assert tc_text(below) == ""
    # Nothing else in the table: every tc is a form cell or a merge continuation.
    assert len(grid) == len(form.cells) + sum(c.rowspan - 1 for c in form.cells)


@pytest.mark.parametrize("form", TABLES, ids=lambda t: t.key)
def test_table_widths_are_consistent(example_docx: bytes, form) -> None:
    # WPS trusts gridCol, Word tcW: they must agree, and the table must fit the 版心.
    table = open_docx(example_docx).tables[TABLES.index(form)]
    cols = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.gridCol_lst]
    assert sum(cols) == 11906 - MARGIN_INSIDE - MARGIN_OUTSIDE
    for (r, c), tc in grid_of(table).items():
        assert tc.tcPr.tcW.w == sum(cols[c:c + tc.grid_span]), (r, c)
    header_rows = [tr.trPr.find(qn("w:tblHeader")) is not None for tr in table._tbl.tr_lst]
    assert header_rows == [r < form.header_rows for r in range(form.n_rows)]
    assert all(tr.trPr.find(qn("w:cantSplit")) is not None for tr in table._tbl.tr_lst)


def form_grids(document) -> list[tuple[object, dict[tuple[int, int], object]]]:
    """Each official table's grid, in form order.  A table cut where it continues on a new
    page (template_builder.split_table) is joined again: the continuation's repeated header
    rows are dropped and its rows follow the first piece's."""
    joined: list[tuple[object, int, dict[tuple[int, int], object]]] = []
    forms = iter(TABLES)
    for table in document.tables:
        grid, n = grid_of(table), len(table.rows)
        if joined and joined[-1][1] < joined[-1][0].n_rows:
            form, have, whole = joined[-1]
            for (r, c), tc in grid.items():
                if r >= form.header_rows:
                    whole[(have + r - form.header_rows, c)] = tc
            joined[-1] = (form, have + n - form.header_rows, whole)
        else:
            joined.append((next(forms), n, grid))
    assert all(n == form.n_rows for form, n, _ in joined)
    return [(form, grid) for form, _, grid in joined]


def numbers_in_docx(data: bytes) -> dict[str, str]:
    document = open_docx(data)
    found = {}
    for form, grid in form_grids(document):
        for f in form.fields:
            found[f.id] = tc_text(grid[(f.grid_row, f.grid_col)])
    return found


def test_every_number_of_the_example_in_its_cell(example_report: Report,
                                                 example_docx: bytes) -> None:
    found = numbers_in_docx(example_docx)
    assert found["t3.new.natural_person"] == "4"
    assert found["t3.unavailable_not_held.total"] == "2"
    for f in FIELDS:
        value = example_report.numbers[f.id]
        assert found[f.id] == (str(value) if f.kind is ValueKind.COUNT
                               else format(Decimal(value).normalize(), "f")), f.id


_values = st.fixed_dictionaries({
    f.id: (st.decimals(min_value=0, max_value=9999, places=2, allow_nan=False)
           if f.kind is ValueKind.AMOUNT else st.integers(min_value=0, max_value=99999))
    for f in FIELDS
})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=_values)
def test_random_numbers_land_in_their_cells(example_report: Report, values) -> None:
    report = example_report.replace(numbers=Numbers(values))
    found = numbers_in_docx(render_bytes(report)[0])
    for f in FIELDS:
        expected = values[f.id]
        if f.kind is ValueKind.AMOUNT:
            assert Decimal(found[f.id]) == expected
        else:
            assert found[f.id] == str(expected)


def test_styles_set_east_asian_fonts(example_docx: bytes) -> None:
    document = open_docx(example_docx)
    expected = {"Normal": "仿宋_GB2312", "Title": "方正小标宋简体", "一级标题": "黑体",
                "二级标题": "楷体_GB2312", "表格文字": "宋体", "footer": "宋体"}
    for name, font in expected.items():
        rfonts = document.styles[name].element.rPr.rFonts
        assert rfonts.get(qn("w:eastAsia")) == font, name
        assert rfonts.get(qn("w:hint")) == "eastAsia", name
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:ascii")) == "Times New Roman"
    styles_xml = zipfile.ZipFile(io.BytesIO(example_docx)).read("word/styles.xml").decode()
    assert 'w:eastAsia="zh-CN"' in styles_xml and "eastAsiaTheme" not in styles_xml
    assert "word/theme/theme1.xml" not in zipfile.ZipFile(io.BytesIO(example_docx)).namelist()
    # Body: 三号, exact line pitch, two-character first-line indent.
    normal_p = document.styles["Normal"].element.pPr
    assert normal_p.spacing.get(qn("w:line")) == str(LINE_PITCH)
    assert normal_p.spacing.get(qn("w:lineRule")) == "exact"
    assert normal_p.ind.get(qn("w:firstLineChars")) == "200"
    assert document.styles["Normal"].font.size.pt == 16
    assert document.styles["Title"].font.size.pt == 22


def test_page_setup(example_docx: bytes) -> None:
    section = open_docx(example_docx).sections[0]
    twips = lambda length: round(length.twips)  # noqa: E731
    assert (twips(section.page_width), twips(section.page_height)) == (11906, 16838)
    assert twips(section.top_margin) == MARGIN_TOP == 2098
    assert twips(section.bottom_margin) == MARGIN_BOTTOM == 1984
    assert twips(section.left_margin) == MARGIN_INSIDE == 1587
    assert twips(section.right_margin) == MARGIN_OUTSIDE == 1474
    settings_xml = zipfile.ZipFile(io.BytesIO(example_docx)).read("word/settings.xml").decode()
    assert "<w:mirrorMargins/>" in settings_xml and "<w:evenAndOddHeaders/>" in settings_xml
    # 22 lines of 28.95 pt fill the 225 mm 版心 height within 1 mm.
    text_height = 16838 - MARGIN_TOP - MARGIN_BOTTOM
    assert abs(22 * LINE_PITCH - text_height) <= 57


def test_page_numbers_odd_right_even_left(example_docx: bytes) -> None:
    section = open_docx(example_docx).sections[0]
    odd = section.footer.paragraphs[0]
    even = section.even_page_footer.paragraphs[0]
    assert odd.alignment == 2 and even.alignment == 0  # RIGHT, LEFT
    for footer in (odd, even):
        xml = footer._p.xml
        assert "PAGE" in xml and "— " in footer.text and " —" in footer.text


def test_draft_mark_on_every_page_only_when_asked(example_report: Report,
                                                  example_docx: bytes) -> None:
    section = open_docx(example_docx).sections[0]
    assert DRAFT_MARK not in section.header.paragraphs[0].text
    draft = open_docx(render_bytes(example_report, RenderOptions(draft=True))[0]).sections[0]
    assert draft.header.paragraphs[0].text == DRAFT_MARK
    assert draft.even_page_header.paragraphs[0].text == DRAFT_MARK


def test_two_builds_give_identical_bytes(example_report: Report, tmp_path: Path) -> None:
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    render(example_report, a, RenderOptions())
    render(example_report, b, RenderOptions())
    assert a.read_bytes() == b.read_bytes()
    infos = zipfile.ZipFile(a).infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    core = zipfile.ZipFile(a).read("docProps/core.xml").decode()
    assert "2021-01-01T00:00:00Z" in core and example_report.title in core


NASTY = "A & B <C> {{ meta.agency }} {% if x %}y{% endif %} 3 > 2 “引号” — 完"


def test_user_text_comes_out_literally(example_report: Report) -> None:
    narrative = dict(example_report.narrative.parts)
    narrative["problems"] = TextPart((NASTY, "第二段"))
    report = example_report.replace(narrative=Narrative(narrative))
    document = open_docx(render_bytes(report)[0])
    texts = [p.text for p in document.paragraphs]
    i = texts.index(NASTY)
    assert texts[i + 1] == "第二段"  # a paragraph break is a new Word paragraph


def test_line_break_in_a_paragraph_starts_a_new_paragraph(example_report: Report) -> None:
    narrative = dict(example_report.narrative.parts)
    narrative["problems"] = TextPart(("第一行\n第二行\r\n\n第三行",))
    report = example_report.replace(narrative=Narrative(narrative))
    texts = [p.text for p in open_docx(render_bytes(report)[0]).paragraphs]
    i = texts.index("第一行")
    assert texts[i:i + 3] == ["第一行", "第二行", "第三行"]


def test_xml_illegal_characters_are_dropped_with_a_warning(example_report: Report) -> None:
    narrative = dict(example_report.narrative.parts)
    narrative["overview.platform"] = TextPart(("平台\x0b建设\x00情况\x07",))
    report = example_report.replace(narrative=Narrative(narrative),
                                    meta=example_report.meta.__class__(
                                        **{**example_report.meta.__dict__,
                                           "signatory": "某某\x1f人民政府"}))
    data, findings = render_bytes(report)
    texts = [p.text for p in open_docx(data).paragraphs]
    assert "平台建设情况" in texts and "某某人民政府" in texts
    assert [f.severity for f in findings] == [Severity.WARNING, Severity.WARNING]
    messages = " ".join(f.message for f in findings)
    assert "基本信息「落款机关」" in messages
    assert "正文「一、（四）政府信息公开平台建设情况」第1段" in messages
    assert "3 个" in messages
    from generator.outputs.workbook import meta_address, text_address

    assert {f.cells for f in findings} == {(str(meta_address("signatory")),),
                                           (str(text_address("overview.platform")),)}


def test_extra_items_of_six_are_numbered_after_the_fixed_ones(example_report: Report) -> None:
    narrative = dict(example_report.narrative.parts)
    narrative["other.extra1"] = TextPart(("按要点落实。",), "落实上级年度政务公开工作要点情况")
    narrative["other.extra2"] = TextPart((), "没有正文的事项")
    report = example_report.replace(narrative=Narrative(narrative))
    document = open_docx(render_bytes(report)[0])
    level2 = [p.text for p in document.paragraphs if p.style.name == "二级标题"]
    assert level2[-3:] == ["（一）收取信息处理费情况", "（二）建议提案办理结果公开情况",
                           "（三）落实上级年度政务公开工作要点情况"]
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index("（三）落实上级年度政务公开工作要点情况") + 1] == "按要点落实。"


@pytest.mark.parametrize("agency, expected", [
    ("某某镇", ("某某镇2025年政府信息公开工作年度报告",)),
    ("某某镇人民政府", ("某某镇人民政府", "2025年政府信息公开工作年度报告")),
    ("扎赉特旗宝力根花苏木人民政府", ("扎赉特旗宝力根花苏木人民政府", "2025年政府信息公开工作年度报告")),
    ("某某省某某市某某县某某局某某事务服务中心管理办公室",
     # GB/T 9704 §7.3.3: a wrapped title keeps its words whole (administrative units).
     ("某某省某某市某某县某某局", "某某事务服务中心管理办公室", "2025年政府信息公开工作年度报告")),
])
def test_title_lines(agency: str, expected: tuple[str, ...]) -> None:
    assert title_lines(agency, 2025) == expected
    assert "".join(expected) == f"{agency}2025年政府信息公开工作年度报告"


def test_the_template_cannot_reach_python_internals(example_report: Report,
                                                    tmp_path: Path) -> None:
    # A custom template is data: the sandbox refuses attribute access to internals.
    from generator.errors import TemplateError
    from generator.outputs.determinism import write_zip
    from generator.outputs.template_builder import template_parts

    parts = template_parts()
    parts["word/footer1.xml"] = parts["word/footer1.xml"].replace(
        "PAGE".encode(), "PAGE {{ signature.__class__.__mro__ }}".encode())
    evil = tmp_path / "evil.docx"
    evil.write_bytes(write_zip(parts))
    with pytest.raises(TemplateError) as info:
        render_bytes(example_report, RenderOptions(template=evil))
    assert "不允许" in str(info.value) or "无法识别" in str(info.value)


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed; .ci/install-system-packages installs it")
def test_libreoffice_pdf_contains_every_heading_and_number(example_report: Report,
                                                          font_situation: FontSituation,
                                                          tmp_path: Path) -> None:
    import pypdf

    from generator.outputs.libreoffice import convert_docx_to_pdf

    rng = random.Random(7)
    values = {f.id: rng.randint(100, 999) for f in FIELDS if f.kind is ValueKind.COUNT}
    values.update({f.id: Decimal("12.34") for f in FIELDS if f.kind is ValueKind.AMOUNT})
    report = example_report.replace(numbers=Numbers(values))
    source = tmp_path / "report.docx"
    render(report, source, RenderOptions())
    (pdf,) = convert_docx_to_pdf([source], tmp_path, timeout=180)
    reader = pypdf.PdfReader(str(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    squashed = "".join(text.split())
    for section in SECTIONS:
        assert section.heading in squashed
    # Every number appears; three-digit random values make accidental matches unlikely.
    for f in FIELDS:
        assert str(values[f.id]) in squashed, f.id
    assert "扎赉特旗宝力根花苏木人民政府" in squashed and "2026年1月20日" in squashed
    assert len(reader.pages) >= 4
