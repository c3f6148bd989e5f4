"""Chinese line breaking in the PDF: no line starts with a closer, none ends with an opener."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from generator.outputs import RenderOptions
from generator.outputs.fonts import choose_fonts, load_fonts
from generator.outputs.glyphs import faces_for as _faces
from generator.outputs.glyphs import fixed_text
from generator.outputs.kinsoku import _may_break_before, break_lines, units, violations
from generator.outputs.pdf import _Styles, render_bytes
from generator.outputs.pdf_layout import BODY_WIDTH, TextBlock
from generator.report.model import Meta, Narrative, Report, TextPart

CLOSERS = "，。、；：？！）》」』”’…"
OPENERS = "（《「『“‘"


def crafted_paragraph() -> str:
    """Text that puts closers and openers at every position a line boundary can fall on.

    Runs of 1…40 ordinary characters separate the marks, so across the paragraph each mark
    lands at every column of a 28-character line (and at every column of the shorter first
    line); pairs of closers (``》，``, ``”。``) and ``……``/``——`` test the harder cases.
    """
    pieces = []
    filler = "政府信息公开工作年度报告统计数据说明"
    for i in range(1, 41):
        run = (filler * 3)[:i]
        closer = CLOSERS[i % len(CLOSERS)]
        opener = OPENERS[i % len(OPENERS)]
        pieces.append(f"{run}{closer}{opener}{filler[: (i * 7) % 9 + 1]}")
        if i % 5 == 0:
            pieces.append("》，")
        if i % 7 == 0:
            pieces.append("”。")
        if i % 6 == 0:
            pieces.append("……")
        if i % 8 == 0:
            pieces.append("——")
    return "".join(pieces)


def test_units_keep_numbers_addresses_and_paired_marks_whole() -> None:
    parts = units("见http://www.zltq.gov.cn/，电话0482-6540003——完……")
    # An address may break after / and . (issue 13: no line spread before a long address);
    # a telephone number stays whole.
    start = parts.index("http:/")
    assert parts[start:start + 6] == ["http:/", "/", "www.", "zltq.", "gov.", "cn/"]
    assert "0482-6540003" in parts and "12.5%" in units("增长12.5%")
    assert "——" in parts and "……" in parts


def test_break_lines_moves_a_character_down_instead_of_starting_with_a_comma() -> None:
    def measure(text: str) -> float:
        return 10.0 * len(text)

    lines = break_lines("一二三四五，六七", 50.0, measure)
    assert [line.text for line in lines] == ["一二三四", "五，六七"]
    lines = break_lines("一二三四《五六》", 50.0, measure)
    assert [line.text for line in lines] == ["一二三四", "《五六》"]


_token = st.tuples(
    st.text(alphabet=OPENERS, max_size=2),
    st.sampled_from(list("政府信息公开报告") + ["2025", "ab"]),
    st.text(alphabet=CLOSERS, max_size=2),
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_token, min_size=1, max_size=80), st.integers(min_value=9, max_value=30),
       st.integers(min_value=0, max_value=2))
def test_break_lines_property(tokens: list[str], chars: int, indent: int) -> None:
    """Whenever a legal break exists (every run of units with no allowed break between them
    fits even the indented first line), every line obeys the rules, fits the width, and no
    character is lost."""
    text = "".join(tokens)

    def measure(s: str) -> float:
        return sum(5.0 if ord(c) < 128 else 10.0 for c in s)

    width = chars * 10.0
    # Tokens do not always allow a break between them: "2025" twice is one number, which
    # stays whole, and the closers after it go with it.
    parts = units(text)
    runs = [parts[0]] if parts else []
    for k in range(1, len(parts)):
        if _may_break_before(parts, k):
            runs.append(parts[k])
        else:
            runs[-1] += parts[k]
    assume(all(measure(run) <= width - indent * 10.0 for run in runs))
    lines = break_lines(text, width, measure, first_indent=indent * 10.0)
    assert "".join(line.text for line in lines) == text
    assert violations([line.text for line in lines]) == []
    for i, line in enumerate(lines):
        assert line.width <= width - (indent * 10.0 if i == 0 else 0.0) + 1e-6
    assert lines[-1].last and not any(line.last for line in lines[:-1])


@pytest.fixture(scope="module")
def faces():
    choices = choose_fonts()
    chars = "".join(sorted(set(crafted_paragraph())))
    return _faces(load_fonts(choices, {role: chars for role in choices}, fixed_text=fixed_text()))


def test_crafted_paragraph_laid_out_without_forbidden_breaks(faces) -> None:
    text = crafted_paragraph()
    block = TextBlock(text, _Styles(faces).body)
    lines = block.line_texts(BODY_WIDTH)
    assert len(lines) > 20
    assert "".join(lines) == text
    assert violations(lines) == []
    for line in block.lines(BODY_WIDTH):
        assert line.indent + line.width <= BODY_WIDTH + 0.01
    # The crafted text really does tempt: a naive cut at the 版心 width would break rules.
    naive = _naive_lines(text, faces, block)
    assert violations(naive), "the crafted paragraph should tempt the naive breaker"


def _naive_lines(text: str, faces, block: TextBlock) -> list[str]:
    style = block.style
    lines, current, width = [], "", style.first_indent
    for ch in text:
        w = style.face.width(ch, style.size) + style.tracking
        if current and width + w > BODY_WIDTH + style.tracking:
            lines.append(current)
            current, width = "", 0.0
        current += ch
        width += w
    return lines + [current]


def test_crafted_paragraph_in_the_pdf_obeys_the_rules(tmp_path: Path,
                                                      font_situation: object) -> None:
    meta = Meta(agency="测试镇人民政府", year=2025)
    text = crafted_paragraph()
    report = Report(meta, Narrative({"opening": TextPart((text,))}))
    data, _ = render_bytes(report, RenderOptions())
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page_lines = []
        for page in pdf.pages:
            page_lines += [line["text"].replace(" ", "")
                           for line in page.extract_text_lines(layout=False)]
    start = next(i for i, line in enumerate(page_lines) if line and text.startswith(line))
    lines, joined = [], ""
    for line in page_lines[start:]:
        if line.startswith("—") and line.endswith("—"):  # a page number
            continue
        lines.append(line)
        joined += line
        if len(joined) >= len(text):
            break
    assert joined == text
    assert violations(lines) == []
