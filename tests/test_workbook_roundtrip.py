"""model → workbook → model is the identity, for random tables, texts and metadata."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.form import AGENCY_LEVELS, FIELDS, TEXT_SLOTS, ValueKind
from generator.inputs.workbook.reader import read_workbook
from generator.outputs.workbook import write_workbook
from generator.report.model import Meta, Narrative, Numbers, Report, TextPart

# Characters an .xlsx cannot hold (XML 1.0 control characters) and the line breaks that
# separate paragraphs are not part of a paragraph's text.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIALS = ["&", "<", ">", "{{ name }}", "{%", "%}", "镕", "喆", "堃", "昇", "😀", "“", "”",
             "（", "）", "=", "#REF!", "_", "\u3000", "'", '"']


def _clean_line(text: str) -> str:
    text = _ILLEGAL.sub("", text)
    text = re.sub(r"[\r\n\x85\u2028\u2029]", "", text)
    return text.strip()


line = st.lists(
    st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
              st.sampled_from(_SPECIALS)),
    max_size=6,
).map("".join).map(_clean_line)
paragraph = line.filter(bool)
paragraphs = st.lists(paragraph, max_size=4).map(tuple)


@st.composite
def numbers(draw: st.DrawFn) -> Numbers:
    values = {}
    for f in FIELDS:
        if f.is_total:
            continue
        if f.kind is ValueKind.AMOUNT:
            values[f.id] = draw(st.decimals(min_value=0, max_value=10 ** 8, places=4,
                                            allow_nan=False, allow_infinity=False))
        else:
            values[f.id] = draw(st.integers(min_value=0, max_value=10 ** 6))
    return Numbers(values).with_totals()


@st.composite
def reports(draw: st.DrawFn) -> Report:
    text = st.one_of(st.just(""), line)
    meta = Meta(
        agency=draw(paragraph),
        year=draw(st.integers(2021, 2100)),
        level=draw(st.sampled_from(("",) + AGENCY_LEVELS)),
        region=draw(text), portal_name=draw(text), portal_url=draw(text), phone=draw(text),
        address=draw(text), postcode=draw(text), email=draw(text),
        processing_fee=draw(st.decimals(min_value=0, max_value=10 ** 6, places=2,
                                        allow_nan=False, allow_infinity=False)),
        publish_date=draw(st.one_of(st.none(), st.dates(date(2021, 1, 1), date(2100, 12, 31)))),
        signatory=draw(text),
    )
    parts = {slot.key: TextPart(draw(paragraphs),
                                draw(line) if slot.custom_heading else "")
             for slot in TEXT_SLOTS}
    return Report(meta, Narrative(parts), draw(numbers()))


# ~0.6 s per example (a whole workbook written and read back): 15 keep the suite fast.
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report=reports())
def test_model_workbook_model_is_identity(report: Report) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_workbook(Path(tmp) / "r.xlsx", report)
        result = read_workbook(path)
    assert result.report.meta == report.meta
    assert result.report.narrative == report.narrative
    assert result.report.numbers == report.numbers
    assert not result.findings
    assert not result.blanks


def test_example_round_trip(example_report: Report, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "x.xlsx", example_report)
    assert read_workbook(path).report == example_report


def test_multi_line_text_becomes_paragraphs(example_report: Report, tmp_path: Path) -> None:
    import openpyxl

    path = write_workbook(tmp_path / "x.xlsx", example_report)
    wb = openpyxl.load_workbook(path)
    cell = wb.defined_names["nb.text.overview.platform"].destinations
    sheet, ref = next(iter(cell))
    text = wb[sheet][ref.replace("$", "")].value
    assert text.count("\n") == 4  # five paragraphs in one cell, one per line
    assert read_workbook(path).report.narrative["overview.platform"].paragraphs == \
        example_report.narrative["overview.platform"].paragraphs
