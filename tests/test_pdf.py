"""The reportlab PDF: same words as the report, GB/T 9704 geometry, embedded fonts, stable bytes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from fontTools.ttLib import TTFont as FTFont
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdf_glyphs import _to_unicode, unprinted
from pypdf import PdfReader
from reportlab.platypus import BaseDocTemplate, Spacer

from generator.form import FIELDS, TABLE3, TABLES, ValueKind
from generator.outputs import RenderOptions, renderer
from generator.outputs.document import (
    Heading,
    Paragraph,
    Signature,
    TableBlock,
    Title,
    blocks,
)
from generator.outputs.fonts import FontSearch, choose_fonts, load_fonts
from generator.outputs.fonts.embed import KEPT_NAME_IDS
from generator.outputs.glyphs import faces_for as _faces
from generator.outputs.glyphs import fixed_text, printed_in_every_report
from generator.outputs.pdf import render_bytes, table_look
from generator.outputs.pdf_layout import (
    BODY_HEIGHT,
    BODY_WIDTH,
    DRAFT_MARK,
    MARGIN_INSIDE,
    MARGIN_OUTSIDE,
    MARGIN_TOP,
    PAGE_NUMBER_GAP,
    FormTable,
    PageSetup,
    mirrored,
    page_templates,
)
from generator.report.model import Numbers, Report, report_from_json

EXAMPLE = Path(__file__).parent / "data" / "example_report.json"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def report() -> Report:
    return report_from_json(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pdf(report: Report) -> bytes:
    data, _ = render_bytes(report, RenderOptions())
    return data


@pytest.fixture(scope="session")
def bundled_search(tmp_path_factory: pytest.TempPathFactory) -> FontSearch:
    """A machine without Chinese fonts: no font folders, no fontconfig, no config file."""
    return FontSearch((), fontconfig=False, config_path=None,
                      cache_dir=tmp_path_factory.mktemp("font-cache"))


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def without_page_numbers(pages: list[str]) -> str:
    """The pages' text, squeezed, each without its own page number (— 3 —) and nothing else:
    a paragraph may itself read like one (「——2025——」)."""
    kept = []
    for number, page in enumerate(pages, start=1):
        text = squeeze(page)
        mark = text.rfind(f"—{number}—")
        kept.append(text[:mark] + text[mark + len(f"—{number}—"):] if mark >= 0 else text)
    return "".join(kept)


def expected_sequence(report: Report) -> list[str]:
    """Every text of the report in reading order, as the PDF must show it."""
    out: list[str] = []
    for block in blocks(report):
        if isinstance(block, (Title, Heading, Paragraph)):
            out.append(block.text)
        elif isinstance(block, TableBlock):
            for cell in sorted(block.form.cells, key=lambda c: (c.row, c.col)):
                if cell.field_id is None:
                    out.append(cell.text)
        elif isinstance(block, Signature):
            out += [block.agency, block.date]
    return [squeeze(t) for t in out if t]


def test_every_text_of_the_report_in_reading_order(report: Report, font_situation: object) -> None:
    pdf, _ = render_bytes(report, RenderOptions())  # in this font situation
    assert unprinted(pdf) == []  # every character drawn has a glyph in its embedded font
    text = without_page_numbers(page_texts(pdf))
    cursor = 0
    for expected in expected_sequence(report):
        found = text.find(expected, cursor)
        assert found >= 0, f"not found after position {cursor}: {expected[:40]}"
        cursor = found + len(expected)


def table_numbers(data: bytes, form, next_heading: str | None) -> str:
    """The digits printed in one table: its section text with every label removed."""
    text = without_page_numbers(page_texts(data))
    start = text.index(form.section_heading) + len(form.section_heading)
    end = text.index(next_heading, start) if next_heading else len(text)
    segment = text[start:end]
    for label in sorted({c.text for c in form.cells if c.text}, key=len, reverse=True):
        segment = segment.replace(squeeze(label), "")
    return segment


def numbers_in_grid_order(report: Report, form) -> str:
    from generator.report.sentences import format_number

    fields = sorted(form.fields, key=lambda f: (f.grid_row, f.grid_col))
    return "".join(format_number(report.numbers[f.id]) for f in fields)


def distinct_numbers_report(report: Report) -> Report:
    """The example with a different number in every input cell (totals recomputed)."""
    values: dict[str, object] = {}
    for i, field in enumerate(f for f in FIELDS if not f.is_total):
        values[field.id] = Decimal(f"{i}.25") if field.kind is ValueKind.AMOUNT else 100 + i
    return report.replace(numbers=Numbers(values).with_totals())


@pytest.mark.parametrize("which", ["example", "distinct"])
def test_every_number_in_its_cell_order(report: Report, pdf: bytes, which: str) -> None:
    if which == "distinct":
        report = distinct_numbers_report(report)
        data, _ = render_bytes(report, RenderOptions())
    else:
        data = pdf
    headings = [t.section_heading for t in TABLES] + ["五、存在的主要问题及改进情况"]
    for form, next_heading in zip(TABLES, headings[1:]):
        assert table_numbers(data, form, next_heading) == numbers_in_grid_order(report, form), \
            form.name


def _font_dicts(data: bytes):
    reader = PdfReader(io.BytesIO(data))
    seen = {}
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            seen[font["/BaseFont"]] = font
    return seen


def _embedded_file(font) -> object:
    if font["/Subtype"] == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    return descriptor.get_object().get("/FontFile2") if descriptor else None


def test_every_font_is_an_embedded_subset(pdf: bytes) -> None:
    fonts = _font_dicts(pdf)
    assert fonts
    for name, font in fonts.items():
        assert _embedded_file(font) is not None, f"{name} is not embedded"
        assert re.match(r"/[A-Z]{6}\+", name), f"{name} is not a subset"


def _embedded_names(data: bytes) -> dict[str, dict[int, str]]:
    """Each embedded subset's name records: nameID -> text (any platform)."""
    out: dict[str, dict[int, str]] = {}
    for name, font in _font_dicts(data).items():
        program = FTFont(io.BytesIO(_embedded_file(font).get_object().get_data()))
        out[str(name)] = {record.nameID: record.toUnicode() for record in program["name"].names}
    return out


def _subsets(data: bytes) -> dict[str, tuple[set[str], bytes]]:
    """Each embedded subset: the characters it maps (ToUnicode) and its font program."""
    out: dict[str, tuple[set[str], bytes]] = {}
    for name, font in _font_dicts(data).items():
        chars = set(_to_unicode(font).values())
        out[str(name)] = (chars, _embedded_file(font).get_object().get_data())
    return out


@pytest.mark.parametrize("path", ["system", "bundled"])
def test_reports_with_different_words_embed_the_same_subsets_for_the_tables_labels(
        report: Report, bundled_search: FontSearch, path: str) -> None:
    """The labels every report prints take the first subsets of their font, so two reports
    of different agencies embed those subsets byte for byte alike (made once per process)."""
    from generator.report.model import Narrative, TextPart

    search = bundled_search if path == "bundled" else None
    other = report.replace(
        meta=replace(report.meta, agency="觉晓乡啼鸟街道办事处"),
        narrative=Narrative({**report.narrative.parts,
                             "overview": TextPart(("春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。",))}))
    first = _subsets(render_bytes(report, RenderOptions(), search=search)[0])
    second = _subsets(render_bytes(other, RenderOptions(), search=search)[0])
    shared: set[str] = set()
    for name, (chars, program) in first.items():
        if name in second and second[name][1] == program:
            shared |= chars
    labels = {ch for ch in printed_in_every_report()["song"] if ord(ch) > 127}
    assert labels - shared == set()
    assert "觉" not in shared and "啼" not in shared  # the agency's own characters come later


@pytest.mark.parametrize("path", ["system", "bundled"])
def test_embedded_subsets_name_their_font_without_its_licence_text(
        report: Report, pdf: bytes, bundled_search: FontSearch, path: str) -> None:
    """A subset keeps who made the font (copyright, family, PostScript name), not the licence's
    full text, which AR PL fonts repeated in every one of a report's subsets (41 KB each)."""
    data = pdf if path == "system" else render_bytes(report, RenderOptions(),
                                                     search=bundled_search)[0]
    names = _embedded_names(data)
    assert names
    for font, records in names.items():
        assert set(records) <= KEPT_NAME_IDS, (font, sorted(records))
        assert records.get(0), f"{font} lost its copyright notice"
        assert records.get(1) and records.get(6), f"{font} lost its family or PostScript name"
        assert 13 not in records


def test_without_chinese_system_fonts_the_bundled_font_is_embedded(
        report: Report, bundled_search: FontSearch) -> None:
    data, findings = render_bytes(report, RenderOptions(), search=bundled_search)
    fonts = _font_dicts(data)
    assert fonts and all(_embedded_file(f) is not None for f in fonts.values())
    assert all("Noto" in name for name in fonts), sorted(fonts)
    assert {"NotoSerifSC" in n for n in fonts} == {True, False}  # serif body, sans headings
    text = squeeze("".join(page_texts(data)))
    assert squeeze(report.title) in text
    assert all(f.rule != "F-2" for f in findings), [f.message for f in findings]
    notice = [f for f in findings if f.rule == "PDF-FONT"]
    assert notice and "Noto Serif SC" in notice[0].message


def test_two_builds_give_identical_bytes(report: Report, pdf: bytes, tmp_path: Path) -> None:
    again, _ = render_bytes(report, RenderOptions())
    assert again == pdf
    # The converted bundled font is rebuilt the same way in a fresh cache.
    first, _ = render_bytes(report, RenderOptions(), search=FontSearch(
        (), fontconfig=False, config_path=None, cache_dir=tmp_path / "a"))
    second, _ = render_bytes(report, RenderOptions(), search=FontSearch(
        (), fontconfig=False, config_path=None, cache_dir=tmp_path / "b"))
    assert first == second
    assert list((tmp_path / "a").glob("*.ttf")) and list((tmp_path / "b").glob("*.ttf"))


def test_document_information(report: Report, pdf: bytes) -> None:
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info.title == report.title
    assert info.author == report.meta.agency
    assert info.creator == "nianbao"
    assert "政府信息公开" in info.subject


def test_render_writes_the_file_through_the_registry(report: Report, tmp_path: Path) -> None:
    target = tmp_path / "out" / "报告.pdf"
    findings = renderer("pdf")(report, target, RenderOptions())
    assert target.read_bytes().startswith(b"%PDF")
    assert all(f.rule in ("PDF-FONT", "F-2", "R-1") for f in findings)
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".nianbao-tmp-")]


def test_draft_mark_on_every_page_only_for_drafts(report: Report, pdf: bytes,
                                                  font_situation: object) -> None:
    draft, _ = render_bytes(report, RenderOptions(draft=True))
    texts = page_texts(draft)
    assert len(texts) > 1
    assert all(DRAFT_MARK in squeeze(t) for t in texts)
    assert not any(DRAFT_MARK in squeeze(t) for t in page_texts(pdf))


def _chars(data: bytes):
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return [(page.page_number, page.chars, page.lines + page.rects) for page in doc.pages]


def test_page_numbers_outside_edge_7mm_below_the_text_block(pdf: bytes) -> None:
    body_bottom = MARGIN_TOP + BODY_HEIGHT  # from the top of the page
    pages = _chars(pdf)
    assert len(pages) >= 3
    for number, chars, _ in pages:
        below = [c for c in chars if c["top"] > body_bottom]
        text = "".join(c["text"] for c in below).replace(" ", "")
        assert text == f"—{number}—"
        digits = [c for c in below if c["text"].isdigit()]
        middle = (digits[0]["top"] + digits[0]["bottom"]) / 2
        assert abs(middle - (body_bottom + PAGE_NUMBER_GAP)) < 3
        assert all(abs(c["size"] - 14) < 0.1 for c in below)
        left = MARGIN_INSIDE if number % 2 else MARGIN_OUTSIDE
        right = left + BODY_WIDTH
        if number % 2:  # odd: right-aligned, one character in from the right edge
            assert abs(below[-1]["x1"] - (right - 14)) < 1
        else:
            assert abs(below[0]["x0"] - (left + 14)) < 1


def poppler_words(data: bytes, tmp_path: Path) -> list[list[dict[str, float | str]]]:
    """Words with their boxes as poppler draws them, per page.

    pdfminer (under pdfplumber) drops the character spacing after the last glyph of each
    text string, so its boxes drift on justified lines; poppler applies it as the PDF says.
    """
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    out = subprocess.run([exe, "-bbox", str(source), "-"], capture_output=True, text=True,
                         check=True).stdout
    pages: list[list[dict[str, float | str]]] = []
    for page in out.split("<page ")[1:]:
        words = []
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                             r'yMax="([\d.]+)">([^<]*)</word>', page):
            x0, top, x1, bottom = (float(v) for v in m.groups()[:4])
            words.append({"x0": x0, "top": top, "x1": x1, "bottom": bottom, "text": m.group(5)})
        pages.append(words)
    return pages


def test_nothing_outside_the_text_block(pdf: bytes, tmp_path: Path) -> None:
    """Text, table rules and cells stay inside the mirrored 156 × 225 mm 版心."""
    body_bottom = MARGIN_TOP + BODY_HEIGHT
    tol = 0.6
    words = poppler_words(pdf, tmp_path)
    pages = _chars(pdf)
    assert len(words) == len(pages)
    for (number, _, graphics), page_words in zip(pages, words):
        left = MARGIN_INSIDE if number % 2 else MARGIN_OUTSIDE
        right = left + BODY_WIDTH
        body = [w for w in page_words if w["top"] < body_bottom]
        assert body
        for w in body:
            assert w["x0"] >= left - tol and w["x1"] <= right + tol, (number, w)
            assert w["top"] >= MARGIN_TOP - tol and w["bottom"] <= body_bottom + tol, (number, w)
        for g in graphics:
            assert g["x0"] >= left - tol and g["x1"] <= right + tol
            assert g["top"] >= MARGIN_TOP - tol and g["bottom"] <= body_bottom + tol
        # Mirrored margins: lines and tables start at the inside margin on odd pages.
        starts = [w["x0"] for w in body] + [g["x0"] for g in graphics]
        assert min(starts) == pytest.approx(left, abs=1.0)
        # Justified lines (or table rules) end exactly at the right edge of the 版心.
        ends = [w["x1"] for w in body] + [g["x1"] for g in graphics]
        assert max(ends) == pytest.approx(right, abs=0.3)


def test_title_body_and_headings_use_their_fonts_and_sizes(pdf: bytes) -> None:
    _, chars, _ = _chars(pdf)[0]
    sizes = {round(c["size"]) for c in chars}
    assert {22, 16, 14} <= sizes
    title = [c for c in chars if round(c["size"]) == 22]
    assert "".join(c["text"] for c in title).startswith("扎赉特旗")
    heading_font = {c["fontname"] for c in chars if c["text"] == "总" and round(c["size"]) == 16}
    body_font = {c["fontname"] for c in chars if c["text"] == "年" and round(c["size"]) == 16}
    assert heading_font and body_font and heading_font != body_font


def test_body_lines_are_28_characters_on_a_29_point_pitch(report: Report) -> None:
    long = "政" * 200
    data, _ = render_bytes(report.replace(narrative=type(report.narrative)(
        {"opening": type(report.narrative["opening"])((long,))})), RenderOptions())
    with pdfplumber.open(io.BytesIO(data)) as doc:
        lines = doc.pages[0].extract_text_lines()
    full = [line for line in lines if set(line["text"].replace(" ", "")) == {"政"}]
    assert [len(line["text"].replace(" ", "")) for line in full[1:-1]] == [28] * (len(full) - 2)
    assert len(full[0]["text"].replace(" ", "")) == 26  # first line indented two characters
    tops = [line["top"] for line in full]
    assert all(abs((b - a) - 28.95) < 0.05 for a, b in zip(tops, tops[1:]))


# ---------------------------------------------------------------------------
# Tables across page breaks


@pytest.fixture(scope="module")
def song_faces(report: Report):
    choices = choose_fonts()
    chars = "".join(sorted({ch for c in TABLE3.cells for ch in c.text} | set("0123456789—")))
    return _faces(load_fonts(choices, {role: chars for role in choices}, fixed_text=fixed_text()))


def test_table_pieces_cover_every_row_once_and_fit(report: Report, song_faces) -> None:
    texts = {f.id: "0" for f in FIELDS}
    for form in TABLES:
        table = FormTable(form, texts, table_look(form.key, song_faces["song"]))
        prep = table.prepared(BODY_WIDTH)
        for first_room in range(60, int(BODY_HEIGHT), 9):
            pieces = table.pieces_for_test(BODY_WIDTH, [first_room] + [BODY_HEIGHT] * 5)
            placed = [p for p in pieces if p]
            body_rows = [r for p in placed for r in p[form.header_rows:]]
            assert body_rows == list(range(form.header_rows, form.n_rows))
            for i, piece in enumerate(pieces):
                if piece:
                    assert piece[:form.header_rows] == list(range(form.header_rows))
                    room = first_room if i == 0 else BODY_HEIGHT
                    assert sum(prep.piece_heights(piece)) <= room + 0.01


@pytest.mark.parametrize("offset", [120, 200, 260, 320, 380, 440, 500])
def test_table3_split_at_any_height_repeats_header_and_merged_labels(
        song_faces, offset: int) -> None:
    """Table 3 after ``offset`` points of other content: it breaks between rows, repeats its
    three header rows, and every page that holds part of a merged group shows its label."""
    texts = {f.id: "0" for f in TABLE3.fields}
    setup = PageSetup(number_face=song_faces["song"])
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pageTemplates=page_templates(setup), invariant=1,
                          initialFontName=song_faces["song"].name)
    doc.build(mirrored([Spacer(BODY_WIDTH, offset),
                        FormTable(TABLE3, texts, table_look("t3", song_faces["song"]))]))
    pages = [squeeze(t) for t in page_texts(buffer.getvalue())]
    assert len(pages) == 2
    for text in pages:
        assert "申请人情况" in text and "法人或其他组织" in text and "社会公益组织" in text
    groups = [c for c in TABLE3.cells if c.rowspan > 1 and c.field_id is None and c.row >= 3]
    for group in groups:
        items = [c.text for c in TABLE3.cells
                 if c.col == group.col + 1 and group.row <= c.row <= group.last_row and c.text]
        for text in pages:
            if any(squeeze(item) in text for item in items):
                assert squeeze(group.text) in text, (offset, group.text)
    # Every row label exactly once (merged labels aside).
    labels = [c.text for c in TABLE3.cells if c.row >= 3 and c.rowspan == 1 and c.text]
    joined = "".join(pages)
    for label in labels:
        assert joined.count(squeeze(label)) >= 1


def test_signature_right_aligned_after_the_text(pdf: bytes, report: Report) -> None:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[-1]
        lines = page.extract_text_lines()
    left = MARGIN_INSIDE if len(doc.pages) % 2 else MARGIN_OUTSIDE
    agency = next(line for line in lines if line["text"].replace(" ", "") == report.meta.agency)
    date = next(line for line in lines if line["text"].replace(" ", "") == "2026年1月20日")
    # GB/T 9704 §7.3.5.1, a stamped document (the default): the date 右空四字, the agency
    # centred over the date.
    assert abs(left + BODY_WIDTH - date["x1"] - 4 * 15.79) < 1.5
    assert abs((agency["x0"] + agency["x1"]) / 2 - (date["x0"] + date["x1"]) / 2) < 1.5
    assert date["top"] > agency["top"]
    body = [line for line in lines if line["top"] < agency["top"] and line["x0"] < agency["x0"]]
    assert body, "the signature is not alone on its page"


# ---------------------------------------------------------------------------
# Any report lays out


_text = st.lists(st.sampled_from(
    list("政府信息公开工作年度报告申请办理镇乡人民") + list("，。、；：？！“”《》（）……——")
    + ["2025", "http://www.example.gov.cn/", "0482-6540003", "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 3]),
    min_size=1, max_size=300).map("".join)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(paragraphs=st.lists(_text, min_size=1, max_size=6),
       numbers=st.lists(st.integers(min_value=0, max_value=10 ** 9), min_size=1, max_size=5),
       agency=st.text(alphabet=st.sampled_from(list("扎赉特旗宝力根花苏木人民政府镇乡街道办事处")),
                      min_size=2, max_size=45))
def test_any_report_lays_out_inside_the_text_block(font_situation: object, report: Report,
                                                   paragraphs: list[str],
                                                   numbers: list[int], agency: str) -> None:
    from generator.report.model import Narrative, TextPart

    values = {f.id: numbers[i % len(numbers)] for i, f in enumerate(FIELDS)
              if f.kind is ValueKind.COUNT}
    changed = report.replace(
        meta=replace(report.meta, agency=agency),
        narrative=Narrative({**report.narrative.parts, "overview": TextPart(tuple(paragraphs)),
                             "problems": TextPart(tuple(reversed(paragraphs)))}),
        numbers=Numbers(values))
    data, _ = render_bytes(changed, RenderOptions())
    assert unprinted(data) == []
    text = without_page_numbers(page_texts(data))
    for paragraph in paragraphs:
        assert squeeze(paragraph) in text
    body_bottom = MARGIN_TOP + BODY_HEIGHT
    with pdfplumber.open(io.BytesIO(data)) as doc:
        for page in doc.pages:
            left = MARGIN_INSIDE if page.page_number % 2 else MARGIN_OUTSIDE
            for g in page.lines + page.rects:
                assert left - 0.6 <= g["x0"] and g["x1"] <= left + BODY_WIDTH + 0.6
                assert g["bottom"] <= body_bottom + 0.6
            for c in page.chars:
                if c["top"] < body_bottom:  # pdfminer's x drifts on justified lines: check y
                    assert c["top"] >= MARGIN_TOP - 0.6 and c["bottom"] <= body_bottom + 0.6


@pytest.mark.parametrize("path", ["system", "bundled"])
def test_nine_digit_table_numbers_print_whole_on_every_font_path(
        report: Report, bundled_search: FontSearch, path: str) -> None:
    """Columns are planned for half-em digits (宋体, Times New Roman); Noto Serif SC's are
    wider, and its 9-digit numbers wrapped in 表三 until they were set on the planned pitch."""
    from print_support import stress_report

    stress = stress_report(report)
    search = bundled_search if path == "bundled" else None
    data, _ = render_bytes(stress, RenderOptions(), search=search)
    with pdfplumber.open(io.BytesIO(data)) as document:
        words = {w for page in document.pages for w in (page.extract_text() or "").split()}
    numbers = [str(stress.numbers[f.id]) for f in TABLE3.fields]
    assert max(map(len, numbers)) == 9
    assert [n for n in numbers if n not in words] == []
