"""The portal page: parsed back with the stdlib HTML parser and compared with the form and the
report blocks it must reproduce."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.findings import Severity
from generator.form import INPUT_FIELDS, TABLES, CellRole, TableForm, ValueKind
from generator.outputs import RenderOptions, renderer
from generator.outputs.context import title_lines
from generator.outputs.document import (
    Heading,
    Paragraph,
    Signature,
    TableBlock,
    Title,
    blocks,
)
from generator.outputs.html import DRAFT_NOTICE, render, report_html
from generator.outputs.template_builder import DRAFT_MARK
from generator.report.model import (
    Narrative,
    Numbers,
    Report,
    TextPart,
    report_from_json,
)
from generator.report.sentences import format_number

EXAMPLE = Path(__file__).parent / "data" / "example_report.json"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


# ---------------------------------------------------------------------------
# A tiny DOM built with html.parser, strict about nesting so a broken page fails.


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list["Node | str"] = field(default_factory=list)

    def text(self) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag == "br":
                parts.append("\n")
            else:
                parts.append(child.text())
        return "".join(parts)

    def iter(self, tag: str | None = None):
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert tag not in VOID, f"end tag for void element {tag}"
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(page: str) -> TreeBuilder:
    builder = TreeBuilder()
    builder.feed(page)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements at the end of the page"
    return builder


def classes(node: Node) -> set[str]:
    return set((node.attrs.get("class") or "").split())


# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> Report:
    return report_from_json(EXAMPLE.read_text(encoding="utf-8"))


def expand(table: Node) -> dict[tuple[int, int], tuple[tuple[int, int], Node]]:
    """Every grid position -> (top-left position of the cell covering it, that cell)."""
    grid: dict[tuple[int, int], tuple[tuple[int, int], Node]] = {}
    for r, tr in enumerate(table.iter("tr")):
        c = 0
        for cell in (n for n in tr.children if isinstance(n, Node) and n.tag in ("th", "td")):
            while (r, c) in grid:
                c += 1
            rowspan = int(cell.attrs.get("rowspan") or 1)
            colspan = int(cell.attrs.get("colspan") or 1)
            for dr in range(rowspan):
                for dc in range(colspan):
                    assert (r + dr, c + dc) not in grid, f"cells overlap at {(r + dr, c + dc)}"
                    grid[(r + dr, c + dc)] = ((r, c), cell)
            c += colspan
    return grid


def expected_grid(form: TableForm, texts: dict[str, str]):
    expected = {}
    for cell in form.cells:
        text = texts[cell.field_id] if cell.field_id else cell.text
        for r in range(cell.row, cell.last_row + 1):
            for c in range(cell.col, cell.last_col + 1):
                expected[(r, c)] = ((cell.row, cell.col), text, cell.field_id is not None)
    return expected


def assert_tables_match_form(page: str, report: Report) -> None:
    tree = parse(page)
    tables = list(tree.root.iter("table"))
    assert len(tables) == len(TABLES)
    table_blocks = [b for b in blocks(report) if isinstance(b, TableBlock)]
    for node, block in zip(tables, table_blocks):
        form = block.form
        assert form.key in classes(node)
        grid = expand(node)
        expected = expected_grid(form, block.texts)
        assert set(grid) == set(expected), f"{form.name}: grid positions differ"
        for pos, (anchor, text, is_value) in expected.items():
            got_anchor, cell = grid[pos]
            assert got_anchor == anchor, f"{form.name} {pos}: merge differs"
            # 表四's headings break as the printed form does (结果<br>维持).
            assert cell.text().replace("\n", "") == text, f"{form.name} {pos}: {cell.text()!r} != {text!r}"
            assert cell.tag == ("td" if is_value else "th")
            if cell.tag == "th":
                assert cell.attrs.get("scope") == ("row" if "label" in classes(cell) else "col")


# ---------------------------------------------------------------------------


def test_page_skeleton_is_html5(example: Report) -> None:
    page = report_html(example)
    assert page.startswith("<!DOCTYPE html>\n")
    tree = parse(page)
    assert tree.doctype.lower() == "doctype html"
    html = next(tree.root.iter("html"))
    assert html.attrs["lang"] == "zh-CN"
    metas = list(tree.root.iter("meta"))
    assert {"charset": "utf-8"} in [m.attrs for m in metas]
    assert any(m.attrs.get("name") == "viewport" for m in metas)
    assert next(tree.root.iter("title")).text() == example.title
    assert len(list(tree.root.iter("h1"))) == 1


def test_self_contained_no_scripts_no_external_assets(example: Report) -> None:
    page = report_html(example, draft=True)
    tree = parse(page)
    tags = {n.tag for n in tree.root.iter()}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "base"}
    for node in tree.root.iter():
        for name, value in node.attrs.items():
            assert name not in ("src", "href", "srcset", "action"), node.tag
            assert not name.startswith("on"), f"event handler {name} on {node.tag}"
            assert "javascript:" not in (value or "")
    css = "".join(n.text() for n in tree.root.iter("style"))
    assert "url(" not in css and "@import" not in css and "http" not in css
    assert "<script" not in page.lower()


def test_tables_match_form_declaration(example: Report) -> None:
    assert_tables_match_form(report_html(example), example)


def test_header_rows_are_thead_and_wide_tables_scroll(example: Report) -> None:
    tree = parse(report_html(example))
    for node, form in zip(tree.root.iter("table"), TABLES):
        heads = list(node.iter("thead"))
        if form.header_rows:
            assert len(list(heads[0].iter("tr"))) == form.header_rows
        else:
            assert not heads
        assert len(list(node.iter("col"))) == form.n_cols
    wrappers = [n for n in tree.root.iter("div") if "table-wrap" in classes(n)]
    assert len(wrappers) == len(TABLES)
    css = next(tree.root.iter("style")).text()
    assert re.search(r"\.table-wrap\{[^}]*overflow-x:auto", css)
    assert re.search(r"table\.t3\{min-width:\d", css) and re.search(r"table\.t4\{min-width:\d", css)
    assert "@media print" in css and "@page{size:A4" in css


def test_vertical_label_is_the_long_first_column_merge(example: Report) -> None:
    tree = parse(report_html(example))
    vertical = [n.text() for n in tree.root.iter("th") if "vertical" in classes(n)]
    assert vertical == ["三、本年度办理结果"]


def test_blocks_appear_in_reading_order(example: Report) -> None:
    tree = parse(report_html(example))
    main = next(tree.root.iter("main"))
    got = []
    for node in main.children:
        if not isinstance(node, Node):
            assert not node.strip()
            continue
        if node.tag == "h1":
            got.append(("title", node.text()))
        elif node.tag in ("h2", "h3"):
            got.append((f"heading{int(node.tag[1]) - 1}", node.text()))
        elif node.tag == "p":
            got.append(("paragraph", node.text()))
        elif node.tag == "div" and "table-wrap" in classes(node):
            got.append(("table", next(node.iter("table")).attrs["class"].split()[-1]))
        elif node.tag == "div" and "signature" in classes(node):
            got.append(("signature", tuple(p.text() for p in node.iter("p"))))
        else:
            pytest.fail(f"unexpected element <{node.tag}> in the report")
    want = []
    for block in blocks(example):
        if isinstance(block, Title):
            lines = title_lines(example.meta.agency, example.meta.year)
            assert "".join(lines) == block.text
            want.append(("title", "".join(lines)))  # one block <span> per printed line
        elif isinstance(block, Heading):
            want.append((f"heading{block.level}", block.text))
        elif isinstance(block, Paragraph):
            want.extend(("paragraph", line) for line in block.text.split("\n"))
        elif isinstance(block, TableBlock):
            want.append(("table", block.form.key))
        elif isinstance(block, Signature):
            want.append(("signature", (block.agency, block.date)))
    assert got == want
    # the example really has content: headings of all six sections and the signature date
    assert [t for k, t in got if k == "heading1"][0] == "一、总体情况"
    assert ("signature", ("扎赉特旗宝力根花苏木人民政府", "2026年1月20日")) in got


def test_signature_is_right_aligned_at_the_end(example: Report) -> None:
    page = report_html(example)
    tree = parse(page)
    main = next(tree.root.iter("main"))
    last = [n for n in main.children if isinstance(n, Node)][-1]
    assert "signature" in classes(last)
    css = next(tree.root.iter("style")).text()
    assert re.search(r"\.signature p\{[^}]*text-align:right", css)
    # GB/T 9704 §7.3.5.1 (stamped): the date 右空四字, as in the .docx and the PDF.
    assert '<p class="date" style="padding-right:4em">2026年1月20日</p>' in page


@st.composite
def numbers(draw) -> Numbers:
    values = {}
    for f in INPUT_FIELDS:
        if f.kind is ValueKind.AMOUNT:
            cents = draw(st.integers(min_value=0, max_value=10**9))
            values[f.id] = Decimal(cents).scaleb(-draw(st.integers(0, 4)))
        else:
            values[f.id] = draw(st.integers(min_value=0, max_value=10**7))
    return Numbers(values).with_totals()


@settings(max_examples=30, deadline=None)
@given(numbers())
def test_every_number_is_in_its_cell(example: Report, values: Numbers) -> None:
    report = example.replace(numbers=values)
    page = report_html(report)
    assert_tables_match_form(page, report)
    # and independently of blocks(): each field's printed value, found by position
    tree = parse(page)
    for node, form in zip(tree.root.iter("table"), TABLES):
        grid = expand(node)
        for f in form.fields:
            assert grid[(f.grid_row, f.grid_col)][1].text() == format_number(values[f.id])


NASTY = "A & B <C> {{ name }} {% if x %} \"q\" 'a' &amp; </p><script>alert(1)</script>"


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("&<>{}\"'/;#=!-ab 仿宋一")), min_size=1, max_size=40))
def test_text_is_escaped_and_round_trips(example: Report, text: str) -> None:
    text = text.strip() or "&"
    narrative = dict(example.narrative.parts)
    narrative["problems"] = TextPart((text, NASTY))
    narrative["other.extra1"] = TextPart(("正文",), heading=f"<{text}>")
    report = example.replace(narrative=Narrative(narrative))
    page = report_html(report)
    tree = parse(page)
    paragraphs = [p.text() for p in tree.root.iter("p")]
    assert text in paragraphs and NASTY in paragraphs
    assert f"（三）<{text}>" in [h.text() for h in tree.root.iter("h3")]
    assert not list(tree.root.iter("script"))
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_agency_with_markup_is_escaped_in_title_and_signature(example: Report) -> None:
    meta = example.meta.__class__(**{**example.meta.__dict__, "agency": "A&B<i>镇</i>"})
    report = example.replace(meta=meta)
    tree = parse(report_html(report))
    assert next(tree.root.iter("h1")).text().replace("\n", "") == report.title
    assert next(tree.root.iter("title")).text() == report.title
    assert not list(tree.root.iter("i"))


def test_line_breaks_and_forbidden_characters(example: Report, tmp_path: Path) -> None:
    """Like the .docx: a line break starts a new paragraph, blank lines vanish, and characters
    XML/HTML forbid are removed with the same warning the .docx renderer gives."""
    narrative = dict(example.narrative.parts)
    narrative["problems"] = TextPart(("第一行\r\n\n  第二行\x0b\x00完\u2028第三行",))
    target = tmp_path / "r.html"
    findings = render(example.replace(narrative=Narrative(narrative)), target, RenderOptions())
    paragraphs = [p.text() for p in parse(target.read_text(encoding="utf-8")).root.iter("p")]
    i = paragraphs.index("第一行")
    assert paragraphs[i:i + 3] == ["第一行", "第二行完", "第三行"]
    assert len(findings) == 1 and findings[0].severity is Severity.WARNING
    assert "2 个" in findings[0].message and "五、存在的主要问题及改进情况" in findings[0].message


def test_title_breaks_like_the_docx(example: Report) -> None:
    page = report_html(example)
    h1 = next(parse(page).root.iter("h1"))
    assert h1.text() == "扎赉特旗宝力根花苏木人民政府2025年政府信息公开工作年度报告"
    # Each printed line a block; inside it, breaks only between words (GB/T 9704 §7.3.3).
    assert ('<h1><span class="line">扎赉特旗<wbr>宝力根花苏木<wbr>人民政府</span>'
            '<span class="line">2025年<wbr>政府信息公开<wbr>工作年度报告</span></h1>') in page
    short = example.replace(meta=example.meta.__class__(
        **{**example.meta.__dict__, "agency": "某镇"}))  # 20 characters: one line
    assert next(parse(report_html(short)).root.iter("h1")).text() == short.title


def test_deterministic_bytes(example: Report, tmp_path: Path) -> None:
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    assert render(example, a, RenderOptions()) == []
    assert render(example, b, RenderOptions()) == []
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes().decode("utf-8") == report_html(example)


def test_registry_renders_html_atomically(example: Report, tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.html"
    renderer("html")(example, target, RenderOptions())
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]  # no temp file left


def test_draft_notice_only_in_drafts(example: Report) -> None:
    assert DRAFT_NOTICE == DRAFT_MARK  # the words of the .docx header
    assert DRAFT_NOTICE not in report_html(example)
    tree = parse(report_html(example, draft=True))
    first = [n for n in next(tree.root.iter("main")).children if isinstance(n, Node)][0]
    assert first.text() == DRAFT_NOTICE


def test_roles_map_to_markup(example: Report) -> None:
    """Captions and headers are column headers, row labels are row headers, numbers are td."""
    tree = parse(report_html(example))
    table2 = next(tree.root.iter("table"))
    captions = [n for n in table2.iter("th") if "caption" in classes(n)]
    assert [c.text() for c in captions] == [c.text for c in TABLES[0].cells
                                            if c.role is CellRole.CAPTION]
    assert all(c.attrs["scope"] == "col" for c in captions)
    labels = [n for n in table2.iter("th") if n.attrs["scope"] == "row"]
    assert [n.text() for n in labels] == [c.text for c in TABLES[0].cells
                                          if c.role is CellRole.LABEL]
    # as in the .docx, only 表三's one-row labels are left-aligned
    left = [n.text() for n in tree.root.iter("th") if "left" in classes(n)]
    assert left == [c.text for c in TABLES[1].cells
                    if c.role is CellRole.LABEL and c.rowspan == 1]


def test_strict_html5_parser_finds_no_error(example: Report) -> None:
    """html5lib implements the WHATWG parsing algorithm; strict mode raises on any parse error
    (misnested tags, stray end tags, bad character references, missing doctype, …)."""
    import html5lib
    narrative = dict(example.narrative.parts)
    narrative["problems"] = TextPart((NASTY,))
    page = report_html(example.replace(narrative=Narrative(narrative)), draft=True)
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    document = parser.parse(page)
    assert not parser.errors
    tables = document.findall(".//table")
    assert len(tables) == len(TABLES)
