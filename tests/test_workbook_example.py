"""The bundled example workbook holds the 宝力根花苏木 2025 report exactly as published.

The sample text (shared/samples/baoligenhua-2025-portal-text.txt) is a crawl of the portal page:
its punctuation was normalised to half-width, so paragraphs are compared after NFKC of both
sides.  The numbers of the tables are parsed from the sample's ``|`` table text, independently
of tests/data/example_report.json.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from generator.form import (
    FEES_HEADING,
    OVERVIEW_TOPICS,
    PROPOSALS_HEADING,
    SECTIONS,
    TABLE2,
    TABLE3,
    TABLE4,
    TEXT_SLOTS,
)
from generator.inputs.workbook.reader import read_workbook
from generator.report.model import Report

SAMPLE = (Path(__file__).resolve().parents[2] / "shared" / "samples"
          / "baoligenhua-2025-portal-text.txt")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


@pytest.fixture(scope="module")
def sample() -> str:
    if not SAMPLE.exists():
        pytest.skip(f"the shared sample is not beside the repository ({SAMPLE})")
    text = SAMPLE.read_text(encoding="utf-8")
    # The portal footer ("打印", 公安备案号) follows three blank lines; it is not the report.
    return text[:text.index("\n\n\n打印")]


def _repair_opening(line: str) -> str:
    # Crawl artefact: the portal's 〈…〉 around the format's title became " <…> " and a stray
    # copy of the title with a lone ">" was appended to the paragraph.
    line = line.replace(" <中华人民共和国政府信息公开工作年度报告格式> ",
                        "〈中华人民共和国政府信息公开工作年度报告格式〉")
    suffix = " 中华人民共和国政府信息公开工作年度报告格式>"
    assert line.endswith(suffix)
    return line[:-len(suffix)]


def sample_paragraphs(sample: str) -> dict[str, list[str]]:
    """The sample's paragraphs per text slot, found by the printed headings."""
    headings = {nfkc(s.heading): s.number for s in SECTIONS}
    sub = {nfkc(h): key for key, h in OVERVIEW_TOPICS}
    sub[nfkc(FEES_HEADING)] = "other.fees"
    sub[nfkc(PROPOSALS_HEADING)] = "other.proposals"
    section_slot = {"一": "overview", "五": "problems"}
    lines = sample.splitlines()
    parts: dict[str, list[str]] = {"opening": [_repair_opening(lines[0])]}
    slot: str | None = None
    for line in lines[1:]:
        key = nfkc(line).rstrip("。")
        if key in headings:
            slot = section_slot.get(headings[key])  # 二/三/四 are tables, 六 has items only
            continue
        if key in sub:
            slot = sub[key]
            continue
        if slot is not None and line.strip():
            parts.setdefault(slot, []).append(line)
    return parts


def sample_numbers(sample: str) -> dict[str, int]:
    """Every number of the three tables, in reading order of the sample's ``|`` cells."""
    starts = [sample.index(t.section_heading) for t in (TABLE2, TABLE3, TABLE4)]
    ends = starts[1:] + [sample.index(SECTIONS[4].heading)]
    values: dict[str, int] = {}
    for table, start, end in zip((TABLE2, TABLE3, TABLE4), starts, ends):
        segment = sample[start + len(table.section_heading):end]
        tokens = [t.strip() for t in segment.split("|") if t.strip()]
        digits = [int(t) for t in tokens if re.fullmatch(r"\d+", t)]
        assert len(digits) == len(table.fields), table.name
        values.update({f.id: n for f, n in zip(table.fields, digits)})
    return values


def test_example_workbook_reads_into_the_json_model(example_workbook: Path,
                                                    example_report: Report) -> None:
    result = read_workbook(example_workbook)
    assert result.report == example_report
    assert result.findings == ()
    assert result.blanks == ()


def test_every_paragraph_equals_the_sample(example_workbook: Path, sample: str) -> None:
    report = read_workbook(example_workbook).report
    expected = sample_paragraphs(sample)
    for slot in TEXT_SLOTS:
        got = [nfkc(p) for p in report.narrative[slot.key].paragraphs]
        assert got == [nfkc(p) for p in expected.get(slot.key, [])], slot.key
    assert len(expected["overview.platform"]) == 5
    assert "全年主动公开政府信息279条" in report.narrative["overview.proactive"].paragraphs[0]


def test_every_number_equals_the_sample(example_workbook: Path, sample: str) -> None:
    numbers = read_workbook(example_workbook).report.numbers
    expected = sample_numbers(sample)
    assert {k: numbers[k] for k in expected} == expected
    assert numbers["t3.new.total"] == 4
    assert numbers["t3.disclosed.natural_person"] == 2
    assert numbers["t3.unavailable_not_held.natural_person"] == 2
    assert numbers["t3.outcome_total.total"] == 4


def test_meta_matches_the_sample(example_workbook: Path, sample: str) -> None:
    meta = read_workbook(example_workbook).report.meta
    assert meta.agency == "扎赉特旗宝力根花苏木人民政府" and meta.year == 2025
    assert f"({meta.portal_url})" in sample
    assert f"咨询电话:{meta.phone}" in sample
    assert meta.portal_name in sample
