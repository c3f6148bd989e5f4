"""Every shape a report reaches a county office in, made from the project's own renders.

One report with varied numbers (0, one-digit, four-digit, a fee with decimals) is rendered
by the project as PDF (reportlab), HTML and .docx; from those the test makes the shapes seen
in real life — ``pdftotext -layout`` and plain ``pdftotext`` of the PDF, a browser copy of the
HTML (cells separated by tab lines of their own), a crawler's one value per line (CRLF,
GB18030), a tab-separated copy (UTF-16, as Notepad saves "Unicode") — and imports each.

Every number must come back exactly and the import be complete.  Plain ``pdftotext`` of a
real published PDF reorders table 3 into separate text flows: there every number read must
still be right and every other cell be listed as unread, never filled with 0.  A property test then damages tables at random and checks that no cell
the source did not print ever holds a number.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from generator.cli import main as cli_main
from generator.form import FIELDS, TABLES, ValueKind
from generator.inputs.importers import import_report
from generator.outputs import RenderOptions, renderer
from generator.report.model import Numbers, Report

# ---------------------------------------------------------------------------
# The report and its renders


@pytest.fixture(scope="module")
def varied(example_report: Report) -> Report:
    rnd = random.Random(5)
    values: dict[str, int | Decimal] = {}
    for f in FIELDS:
        if f.is_total:
            continue
        if f.kind is ValueKind.AMOUNT:
            values[f.id] = Decimal(rnd.randint(0, 99999)) / 100
        else:
            values[f.id] = rnd.choice([0, 0, 1, 2, 3, 12, 40, 105, 1234])
    return example_report.replace(numbers=Numbers(values).with_totals())


@pytest.fixture(scope="module")
def renders(varied: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("renders")
    for fmt in ("pdf", "html", "docx"):
        renderer(fmt)(varied, out / f"report.{fmt}", RenderOptions())
    return out


def _pdftotext(pdf: Path, target: Path, *layout: str) -> Path:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed; .ci/install-system-packages installs it")
    subprocess.run(["pdftotext", *layout, str(pdf), str(target)], check=True)
    return target


def _html_blocks(path: Path) -> list[tuple[str, object]]:
    """Paragraphs and tables (rows of cell texts) of an HTML page, in reading order."""
    root = lxml_html.fromstring(path.read_text(encoding="utf-8"))
    out: list[tuple[str, object]] = []

    def walk(el) -> None:  # noqa: ANN001
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("script", "style", "head"):
            return
        if tag == "table":
            out.append(("table", [[" ".join(td.text_content().split()) for td in tr
                                   if td.tag in ("td", "th")] for tr in el.iter("tr")]))
            return
        if tag in ("p", "h1", "h2", "h3", "h4", "li"):
            text = el.text_content().strip()
            if text:
                out.append(("p", text))
            return
        for child in el:
            walk(child)

    walk(root)
    return out


def browser_copy(path: Path) -> str:
    """What Chromium copies from a page: cells separated by tab characters on lines of their own."""
    parts: list[str] = []
    for kind, item in _html_blocks(path):
        if kind == "p":
            parts.append(item)  # type: ignore[arg-type]
        else:
            parts.extend("\n\t\n".join(row) + "\n" for row in item)  # type: ignore[union-attr]
    return "\n\n".join(parts)


def one_value_per_line(path: Path) -> str:
    """A portal crawler's text: one text node per line."""
    parts: list[str] = []
    for kind, item in _html_blocks(path):
        if kind == "p":
            parts.append(item)  # type: ignore[arg-type]
        else:
            parts.extend(c for row in item for c in row if c)  # type: ignore[union-attr]
    return "\r\n".join(parts)


def tab_separated(path: Path) -> str:
    parts: list[str] = []
    for kind, item in _html_blocks(path):
        if kind == "p":
            parts.append(item)  # type: ignore[arg-type]
        else:
            parts.extend("\t".join(row) for row in item)  # type: ignore[union-attr]
    return "\n".join(parts)


def make_shape(shape: str, renders: Path) -> Path:
    target = renders / f"{shape}.txt"
    if shape == "pdf":
        return renders / "report.pdf"
    if shape in ("html", "docx"):
        return renders / f"report.{shape}"
    if shape == "pdftotext-layout":
        return _pdftotext(renders / "report.pdf", target, "-layout")
    if shape == "pdftotext-plain":
        return _pdftotext(renders / "report.pdf", target)
    if shape == "browser-copy":
        target.write_text(browser_copy(renders / "report.html"), encoding="utf-8")
    elif shape == "one-per-line-gb18030":
        target.write_bytes(one_value_per_line(renders / "report.html").encode("gb18030"))
    elif shape == "tabs-utf16":
        target.write_text(tab_separated(renders / "report.html"), encoding="utf-16")
    return target


def _numbers_of(report: Report) -> dict[str, Decimal]:
    return {f.id: Decimal(str(report.numbers[f.id])) for f in FIELDS}


ORDERED_SHAPES = ["pdf", "html", "docx", "pdftotext-layout", "pdftotext-plain", "browser-copy",
                  "one-per-line-gb18030", "tabs-utf16"]


@pytest.mark.parametrize("shape", ORDERED_SHAPES)
def test_every_number_comes_back(shape: str, varied: Report, renders: Path) -> None:
    result = import_report(make_shape(shape, renders))
    got = {fid: Decimal(str(v)) for fid, v in result.report.numbers.values.items()}
    assert {fid: got.get(fid) for fid in _numbers_of(varied)} == _numbers_of(varied)
    assert result.complete and result.problems == []
    assert (result.report.meta.agency, result.report.meta.year) == \
        (varied.meta.agency, varied.meta.year)


def test_plain_pdftotext_of_a_real_pdf_reads_what_it_can_and_lists_the_rest(
        tmp_path: Path) -> None:
    """Plain pdftotext of the published 洪泽区 PDF puts table 3's labels and its columns into
    separate text flows: what is read must be right, and every other cell listed, not 0."""
    from test_import_real import REAL, expected_fields

    source = _pdftotext(REAL / "hongze-district-2024.pdf", tmp_path / "hongze.txt")
    result = import_report(source)
    expected = expected_fields("hongze-district-2024")
    got = result.report.numbers.values
    assert got, "nothing read at all"
    for fid, value in got.items():
        assert Decimal(str(value)) == expected[fid], fid
    inputs = [f.id for f in FIELDS if not f.is_total]
    assert set(result.unread) == {fid for fid in inputs if fid not in got}
    if result.unread:
        assert result.problems and not result.complete


def test_import_exits_1_and_names_the_tables_it_cannot_read(renders: Path, tmp_path: Path,
                                                           varied: Report) -> None:
    from click.testing import CliRunner

    # The report with its tables cut out, as when they were pasted as pictures.
    text = tab_separated(renders / "report.html")
    kept = [line for line in text.split("\n") if "\t" not in line]
    source = tmp_path / "no-tables.txt"
    source.write_text("\n".join(kept), encoding="utf-8")
    result = CliRunner().invoke(cli_main, ["import", str(source), "-o", str(tmp_path / "o.xlsx")])
    assert result.exit_code == 1, result.output
    assert "表三" in result.output and "Traceback" not in result.output
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "o.xlsx")
    assert wb["表三"]["D4"].value is None  # blank, not 0
    result = CliRunner().invoke(cli_main, ["import", str(source), "-o", str(tmp_path / "c.xlsx"),
                                           "--check"])
    assert result.exit_code == 1 and "I-1" in result.output


# ---------------------------------------------------------------------------
# Property: a cell the source did not print never holds a number


def _grid_rows(table, numbers: dict[str, Decimal]) -> list[list[tuple[str | None, str]]]:  # noqa: ANN001
    """The table's rows as (field id or None, printed text), merged labels once."""
    cells: dict[tuple[int, int], tuple[str | None, str]] = {}
    for label in table.cells:
        if label.field_id is None:  # a fixed label, at the top-left cell of its merge
            cells[(label.row, label.col)] = (None, label.text)
    for f in table.fields:
        cells[(f.grid_row, f.grid_col)] = (f.id, str(numbers[f.id]))
    rows: list[list[tuple[str | None, str]]] = []
    for r in range(table.n_rows):
        rows.append([cells[(r, c)] for c in range(table.n_cols) if (r, c) in cells])
    return rows


@st.composite
def damaged_tables(draw: st.DrawFn) -> tuple[dict[str, Decimal], set[str], str]:
    numbers = {f.id: Decimal(draw(st.sampled_from([0, 0, 1, 2, 7, 30, 162, 4051])))
               for f in FIELDS if not f.is_total}
    full = Numbers({k: int(v) if IS_COUNT[k] else v for k, v in numbers.items()}).with_totals()
    printed = {f.id: Decimal(str(full[f.id])) for f in FIELDS}
    inputs = sorted(numbers)
    damaged = set(draw(st.lists(st.sampled_from(inputs), max_size=6)))
    style = draw(st.sampled_from(["tabs", "lines", "dash"]))
    lines = ["某县某镇人民政府2024年政府信息公开工作年度报告", "一、总体情况", "概述。"]
    for table in TABLES:
        lines.append(table.section_heading)
        for row in _grid_rows(table, printed):
            texts = []
            for fid, text in row:
                if fid in damaged:
                    text = {"tabs": "", "lines": "", "dash": "—"}[style]
                texts.append(text)
            if style == "tabs":
                lines.append("\t".join(texts))
            else:
                lines.extend(t for t in texts if t)
    lines += ["五、存在的主要问题及改进情况", "问题。", "六、其他需要报告的事项", "无。"]
    return printed, damaged, "\n".join(lines)


IS_COUNT = {f.id: f.kind is ValueKind.COUNT for f in FIELDS}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(damaged_tables())
def test_no_number_the_source_did_not_print(tmp_path: Path, case) -> None:  # noqa: ANN001
    printed, damaged, text = case
    source = tmp_path / "damaged.txt"
    source.write_text(text, encoding="utf-8")
    result = import_report(source)
    values = result.report.numbers.values
    for fid, value in values.items():
        assert fid not in damaged, f"{fid} was not printed but holds {value}"
        assert Decimal(str(value)) == printed[fid], fid
    for fid in damaged:
        assert fid in result.unread
    if not damaged:
        assert result.complete, result.problems  # an undamaged table is read whole
