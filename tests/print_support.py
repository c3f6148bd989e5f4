"""Helpers of the print-fidelity tests: the stress report, renders, and PDF measurements.

The stress report is the bundled example pushed to the limits a county office meets: a
30-character agency name, 8–9-digit numbers in tables 2 and 3, 2,000-character paragraphs
with web addresses, e-mail addresses, Latin words and long numbers, and a 信息处理费 with
four decimals.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from generator.form import TABLE_BY_KEY, TEXT_SLOTS
from generator.outputs.libreoffice import find_soffice
from generator.report.model import Narrative, Numbers, Report, TextPart

STRESS_AGENCY = "伊犁哈萨克自治州察布查尔锡伯自治县孙扎齐牛录镇人民政府办公室"
STRESS_FEE = Decimal("1234.5678")

_SENTENCES = (
    "本机关通过政府门户网站https://www.cbcr.gov.cn/xxgk/zfxxgkml/index.html?from=nianbao&page=2"
    "发布政府信息3456条，其中规范性文件128件。",
    "公众可发送电子邮件至zhengwu.gongkai-office@chabuchaer.gov.cn咨询，"
    "或拨打0999-3623456、13912345678。",
    "依托Government Information Disclosure Platform和OpenData接口，累计访问量达123456789人次，"
    "较上年增长12.5%。",
    "对照《中华人民共和国政府信息公开条例》，落实“放管服”改革要求；完善主动公开目录、"
    "依申请公开流程：受理、登记、审核、答复，做到件件有回应。",
)


def long_paragraph(seed: int, length: int = 2000) -> str:
    """About ``length`` characters mixing Chinese, addresses, Latin words and digits."""
    parts: list[str] = []
    i = seed
    while sum(map(len, parts)) < length:
        parts.append(_SENTENCES[i % len(_SENTENCES)])
        i += 1
    return "".join(parts)


def stress_report(example: Report) -> Report:
    """The example with every limit of the issue pushed (see the module docstring)."""
    values: dict[str, object] = {}
    for key, digits in (("t2", 8), ("t3", 9), ("t4", 3)):
        for n, f in enumerate(TABLE_BY_KEY[key].fields):
            if f.kind.value == "amount":
                values[f.id] = Decimal("12345.678901")
            else:
                values[f.id] = int(str(10 ** (digits - 1) + 12345 * (n + 1))[:digits])
    # Totals are 9 digits too (not recomputed): a layout test, the checker is not asked.
    numbers = Numbers(values)
    parts = {}
    for n, slot in enumerate(TEXT_SLOTS):
        part = example.narrative[slot.key]
        if slot.key in ("overview.proactive", "problems"):
            part = TextPart((long_paragraph(n), long_paragraph(n + 1)), part.heading)
        if slot.key == "other.fees":
            part = TextPart((), part.heading)  # the generator's fee sentence
        parts[slot.key] = part
    meta = replace(example.meta, agency=STRESS_AGENCY, processing_fee=STRESS_FEE)
    return example.replace(meta=meta, numbers=numbers, narrative=Narrative(parts))


@contextmanager
def font_env() -> Iterator[None]:
    """While rendering: the TrueType fonts LibreOffice also prints with, for the reportlab PDF
    (the comparisons between the two PDFs measure layout, not the difference between two
    faces).  The environment is restored afterwards, so later tests in the process choose
    their fonts as they would have."""
    saved = os.environ.get("NIANBAO_FONT_DIRS")
    os.environ.setdefault("NIANBAO_FONT_DIRS", "/usr/share/fonts/truetype")
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("NIANBAO_FONT_DIRS", None)
        else:
            os.environ["NIANBAO_FONT_DIRS"] = saved


#: Why the tests that read LibreOffice's print of the .docx cannot run here (None: they can).
NO_LIBREOFFICE = (None if find_soffice() is not None else
                  "LibreOffice is not installed; .ci/install-system-packages installs it")


def libreoffice_pdf(paths: dict[str, Path]) -> Path:
    """LibreOffice's PDF of the .docx among ``paths``, or skip the test without LibreOffice."""
    if paths.get("lo") is None:
        pytest.skip(NO_LIBREOFFICE or "LibreOffice did not print the .docx")
    return paths["lo"]


def render_all(report: Report, out: Path) -> dict[str, Path | None]:
    """The .docx, the reportlab PDF, the HTML, and LibreOffice's PDF of the .docx (``lo``,
    None where LibreOffice is not installed: see :func:`libreoffice_pdf`)."""
    from generator.outputs import RenderOptions
    from generator.outputs import docx as docx_render
    from generator.outputs import html as html_render
    from generator.outputs import pdf as pdf_render
    from generator.outputs.libreoffice import convert_docx_to_pdf

    out.mkdir(parents=True, exist_ok=True)
    options = RenderOptions()
    paths: dict[str, Path | None] = {
        "docx": out / "report.docx", "pdf": out / "report.pdf", "html": out / "report.html"}
    with font_env():
        docx_render.render(report, out / "report.docx", options)
        pdf_render.render(report, out / "report.pdf", options)
        html_render.render(report, out / "report.html", options)
        paths["lo"] = (None if NO_LIBREOFFICE else
                       convert_docx_to_pdf([out / "report.docx"], out / "lo")[0])
    return paths


def temp_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="nianbao-print-"))
