"""An item of 六 the national format does not ask for is printed only when it has text.

「（二）建议提案办理结果公开情况」 is common practice, not part of the form (the checker only
gives a notice when it is blank).  Left blank, its heading is left out of every output —
the .docx, the PDF and the web page alike — and the clerk's own items after it take its
number.  With text, it is printed as before.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pdfplumber
import pytest

from generator.form import FEES_HEADING, PROPOSALS_HEADING
from generator.outputs import RenderOptions, renderer
from generator.outputs.html import report_html
from generator.report.model import Narrative, Report, TextPart

OWN_ITEM = "落实上级年度政务公开工作要点情况"


def with_six(report: Report, proposals: tuple[str, ...]) -> Report:
    narrative = dict(report.narrative.parts)
    narrative["other.proposals"] = TextPart(proposals)
    narrative["other.extra1"] = TextPart(("按要点落实。",), OWN_ITEM)
    return report.replace(narrative=Narrative(narrative))


def docx_level2(report: Report, tmp_path: Path) -> list[str]:
    target = tmp_path / "r.docx"
    renderer("docx")(report, target, RenderOptions())
    document = docx.Document(str(target))
    return [p.text for p in document.paragraphs if p.style.name == "二级标题"]


def pdf_text(report: Report, tmp_path: Path) -> str:
    target = tmp_path / "r.pdf"
    renderer("pdf")(report, target, RenderOptions())
    with pdfplumber.open(io.BytesIO(target.read_bytes())) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


@pytest.mark.parametrize("proposals, expected", [
    ((), [FEES_HEADING, f"（二）{OWN_ITEM}"]),
    (("本年度未收到人大代表建议和政协委员提案。",), [FEES_HEADING, PROPOSALS_HEADING, f"（三）{OWN_ITEM}"]),
])
def test_every_output_prints_the_proposals_item_only_with_text(
        example_report: Report, tmp_path: Path, proposals: tuple[str, ...],
        expected: list[str]) -> None:
    report = with_six(example_report, proposals)
    assert docx_level2(report, tmp_path)[-len(expected):] == expected
    assert (PROPOSALS_HEADING in docx_level2(report, tmp_path)) == bool(proposals)

    text = pdf_text(report, tmp_path).replace(" ", "")
    assert (PROPOSALS_HEADING in text) == bool(proposals)
    assert expected[-1] in text

    page = report_html(report)
    assert (PROPOSALS_HEADING in page) == bool(proposals)
    assert expected[-1] in page
