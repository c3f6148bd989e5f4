"""Round trip: a random report rendered as .docx and as HTML imports back as the same report.

"The same" is what the rendered report says: every number exactly (totals as held, not
recomputed), every printed paragraph (after whitespace normalisation — defaults the renderer
fills in for empty slots included), the extra items of 六 in printed order with their
headings, the agency, year, publish date and signatory, and — when the opening paragraph is
the generated default — the contacts it states.
"""

from __future__ import annotations

import re
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.form import FIELDS, TEXT_SLOTS, ValueKind
from generator.inputs.importers import import_report
from generator.report.model import Meta, Narrative, Numbers, Report, TextPart

# Characters of the random text: no 一…十 at the start (a section heading), none of the words
# that mark page furniture (打印, 版权所有…) or name 六's fixed items (收取…费, 建议提案).
FIRST = "政府信息公开工作本镇年度报告动依申请平台监督保障管理全条件号务服群众线上下"
BODY = FIRST + "一二三四五六七八九十0123456789，。；：、（）“”"
HEADING_CHARS = "落实上级年度政务公开工作要点情况组织领导队伍培训"


def _paragraph() -> st.SearchStrategy[str]:
    return st.builds(lambda a, b: a + b, st.sampled_from(FIRST),
                     st.text(alphabet=BODY, min_size=1, max_size=40))


paragraphs = st.lists(_paragraph(), min_size=0, max_size=3).map(tuple)


@st.composite
def reports(draw: st.DrawFn) -> Report:
    place = draw(st.text(alphabet="宝力根花苏木金厂兴国大营太平七家子", min_size=2, max_size=5))
    agency = place + draw(st.sampled_from(["镇人民政府", "苏木人民政府", "街道办事处", "乡人民政府"]))
    signatory = draw(st.sampled_from(["", "", f"{place}镇党政办公室"]))
    publish = draw(st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 12, 31))))
    if signatory:
        publish = publish or date(2026, 1, 20)  # an undated signature is told only by the agency
    meta = Meta(
        agency=agency,
        year=draw(st.integers(2019, 2030)),
        portal_name=draw(st.sampled_from(["某旗人民政府门户网站", "某县人民政府网"])),
        portal_url=draw(st.sampled_from(["", "http://www.zltq.gov.cn/", "https://x.gov.cn/a/b"])),
        phone=draw(st.sampled_from(["0482-6540003", "0123-7654321、7654322"])),
        address=draw(st.sampled_from(["", "某县某镇府前路1号"])),
        postcode=draw(st.sampled_from(["", "137600"])),
        email=draw(st.sampled_from(["", "zfb@x.gov.cn"])),
        processing_fee=draw(st.sampled_from([Decimal(0), Decimal(120), Decimal("35.5")])),
        publish_date=publish,
        signatory=signatory,
    )
    parts: dict[str, TextPart] = {}
    for slot in TEXT_SLOTS:
        texts = draw(paragraphs)
        if slot.key in ("opening", "other.fees") and draw(st.booleans()):
            texts = ()  # the renderer prints the generated default
        heading = ""
        if slot.custom_heading:
            heading = draw(st.one_of(st.just(""), st.text(HEADING_CHARS, min_size=2, max_size=12)))
        parts[slot.key] = TextPart(texts, heading)
    values: dict[str, int | Decimal] = {}
    for f in FIELDS:
        if f.kind is ValueKind.AMOUNT:
            values[f.id] = Decimal(draw(st.integers(0, 99999))) / 100
        else:
            values[f.id] = draw(st.integers(0, 3000))  # totals too: printed as held
    return Report(meta, Narrative(parts), Numbers(values))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def printed_slots(report: Report) -> dict[str, list[str]]:
    """Paragraphs per fixed slot as the renderer prints them."""
    from generator.outputs.document import paragraphs_of

    return {slot.key: [squash(p) for p in paragraphs_of(report, slot)]
            for slot in TEXT_SLOTS if not slot.custom_heading}


def printed_extras(report: Report) -> list[tuple[str, list[str]]]:
    out = []
    for slot in TEXT_SLOTS:
        if slot.custom_heading:
            part = report.narrative[slot.key]
            texts = [squash(p) for p in part.paragraphs if p.strip()]
            if texts:
                out.append((part.heading.strip() or "其他事项", texts))
    return out


def assert_round_trip(original: Report, path: Path) -> None:
    result = import_report(path)
    got = result.report
    assert result.unmapped == []
    assert result.blanks == ()
    for f in FIELDS:
        assert got.numbers[f.id] == original.numbers[f.id], f.id
    assert {k: [squash(p) for p in got.narrative[k].paragraphs] for k in printed_slots(original)} \
        == printed_slots(original)
    assert printed_extras(got) == printed_extras(original)
    m, o = got.meta, original.meta
    assert (m.agency, m.year, m.publish_date, m.signatory) == \
        (o.agency, o.year, o.publish_date, o.signatory)
    if not original.narrative["opening"].paragraphs:
        for name in ("portal_name", "portal_url", "phone", "address", "postcode", "email"):
            assert getattr(m, name) == getattr(o, name), name
    if not original.narrative["other.fees"].paragraphs:
        assert m.processing_fee == o.processing_fee


SETTINGS = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(reports())
def test_html_round_trip(report: Report) -> None:
    from generator.outputs import RenderOptions, renderer

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "report.html"
        renderer("html")(report, target, RenderOptions())
        assert_round_trip(report, target)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(reports())
def test_docx_round_trip(report: Report) -> None:
    from generator.outputs import RenderOptions, renderer

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "report.docx"
        renderer("docx")(report, target, RenderOptions())
        assert_round_trip(report, target)


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_bundled_example_round_trip(fmt: str, example_report: Report, tmp_path: Path) -> None:
    from generator.outputs import RenderOptions, renderer

    target = tmp_path / f"example.{fmt}"
    renderer(fmt)(example_report, target, RenderOptions())
    result = import_report(target)
    assert result.notes == [] and result.unmapped == []
    assert_round_trip(example_report, target)
