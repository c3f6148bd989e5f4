"""表三's rows are as tall in LibreOffice's print of the .docx as in the reportlab PDF.

Where a table breaks between pages depends only on its row heights and where it starts; the
continuation labels of issue 13 point 9 can only be placed by prediction if the heights agree.
Measured with pdfplumber from the horizontal rules of the first page of table 3.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
from print_support import libreoffice_pdf, render_all


def _first_table_three_rows(pdf: Path) -> list[float]:
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            if "申请人情况" not in (page.extract_text() or ""):
                continue
            ys = sorted({round(r["top"], 1) for r in list(page.lines) + list(page.rects)
                         if abs(r["top"] - r["bottom"]) < 0.5 and r["x1"] - r["x0"] > 20})
            return [b - a for a, b in zip(ys, ys[1:])]
    raise AssertionError("table 3 not found")


def test_table_three_rows_have_the_same_heights(example_report, tmp_path) -> None:
    paths = render_all(example_report, tmp_path)
    lo, pdf = _first_table_three_rows(libreoffice_pdf(paths)), _first_table_three_rows(paths["pdf"])
    shared = min(len(lo), len(pdf))
    assert shared >= 20  # header and most of the body on the first page in both
    assert all(abs(a - b) < 0.3 for a, b in zip(lo[:shared], pdf[:shared])), (lo, pdf)
    # Rows of one, two and three lines of 五号 text (13.65 pt pitch plus 0.7 mm of margins).
    assert {round(h) for h in lo} >= {16, 30, 43}
