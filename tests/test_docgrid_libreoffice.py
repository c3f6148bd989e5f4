"""Why the .docx gets 28 characters a line from character spacing, not the document grid.

Issue 13 asks for Word's way: ``w:docGrid type="linesAndChars"`` with the matching
``w:charSpace`` (Word: pitch = default size + charSpace/4096 pt; 28 characters of the
156 mm 版心 are 15.79 pt, charSpace −841).  These tests render the example with such grids
in LibreOffice 7.4 and measure the printed characters with pdfplumber.

What they show (and why the doubt "14 = half of 28, a wrong base size?" does not hold):

* LibreOffice reads the grid right.  Its writerfilter (SectionPropertyMap::CloseSectionGroup)
  takes the East Asian size of the *Normal* style (16 pt here; 12 pt when Normal has none) and
  adds charSpace in whole twips (−841 → −20 + 15 twips = −0.25 pt), so its pitch is 15.75 pt
  against Word's 15.79 pt.  The measured advance of 31.49 pt is exactly two such cells.
* What halves the line is the layout rule: a CJK character wider than a grid cell takes two
  cells (sw/source/core/txtnode/fntcache.cxx, the grid branches of DrawText/GetTextSize).
  Word instead closes the characters up to the pitch.  So any pitch below the 16 pt 三号
  character gives 14 a line.
* A pitch of 16 pt or more is honoured (characters are set at the pitch), but 28 × 16 pt =
  448 pt is wider than the 442.25 pt 版心: 27 characters a line at 16 pt, 26 at 17 pt.

So no ``linesAndChars`` grid gives 28 三号 characters a line in LibreOffice 7.4: the
template keeps a line grid (22 lines) and the Normal style's −0.3 pt character spacing
(geometry.BODY_CHAR_SPACING).  The day LibreOffice closes characters up to the grid as Word
does, ``test_word_grid_gives_each_character_two_cells`` fails and the template can switch.
"""

from __future__ import annotations

import re
import statistics
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from print_support import NO_LIBREOFFICE, font_env
from test_print_fidelity import lines_of

from generator.form import geometry
from generator.outputs import RenderOptions
from generator.outputs import docx as docx_render
from generator.outputs.libreoffice import convert_docx_to_pdf

BODY = geometry.SIZE_PT["三号"]
#: LibreOffice's pitch for charSpace −841: 16 pt − 20 twips + 15 twips (fraction truncated).
LO_PITCH = BODY + (-20 + 15) / 20

#: charSpace values measured: Word's value for 28 characters, a pitch equal to the
#: character (−1: −1 pt + 4095/4096 pt, which LibreOffice rounds to 0) and one of 17 pt.
CHAR_SPACES = {"word": geometry.GRID_CHAR_SPACE, "equal": -1, "wider": 4096}


def _with_char_grid(source: Path, target: Path, char_space: int) -> None:
    """``source`` with a linesAndChars grid and without the Normal style's −0.3 pt spacing."""
    with zipfile.ZipFile(source) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    document = parts["word/document.xml"].decode("utf-8")
    grid = (f'<w:docGrid w:type="linesAndChars" w:linePitch="{geometry.LINE_PITCH}" '
            f'w:charSpace="{char_space}"/>')
    document, n = re.subn(r"<w:docGrid [^>]*/>", grid, document)
    assert n == 1
    styles = parts["word/styles.xml"].decode("utf-8")
    spacing = f'<w:spacing w:val="{geometry.BODY_CHAR_SPACING}"/>'
    assert spacing in styles
    normal = re.search(r'<w:style [^>]*w:styleId="Normal".*?</w:style>', styles, re.S)
    # LibreOffice takes the grid's base size from the Normal style's own East Asian size.
    assert normal and f'<w:sz w:val="{round(BODY * 2)}"/>' in normal.group(0)
    parts["word/document.xml"] = document.encode("utf-8")
    parts["word/styles.xml"] = styles.replace(spacing, "").encode("utf-8")
    with zipfile.ZipFile(target, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _measure(pdf: Path) -> tuple[int, float]:
    """Most common length of an all-CJK body line, and the median advance inside lines."""
    lengths: list[int] = []
    advances: list[float] = []
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            for line in lines_of(list(page.chars), BODY):
                if not all(ord(c["text"]) > 0x2e80 for c in line):
                    continue
                lengths.append(len(line))
                # Advances between ideographs (punctuation may be set narrower).
                advances += [b["x0"] - a["x0"] for a, b in zip(line, line[1:])
                             if 0x4e00 <= ord(a["text"]) <= 0x9fff]
    return statistics.mode(lengths), statistics.median(advances)


@pytest.fixture(scope="module")
def measured(example_report, tmp_path_factory) -> dict[str, tuple[int, float]]:
    if NO_LIBREOFFICE:
        pytest.skip(NO_LIBREOFFICE)
    out = tmp_path_factory.mktemp("docgrid")
    spacing = out / "spacing.docx"
    sources = {"spacing": spacing}
    with font_env():
        docx_render.render(example_report, spacing, RenderOptions())
        for name, char_space in CHAR_SPACES.items():
            sources[name] = out / f"{name}.docx"
            _with_char_grid(spacing, sources[name], char_space)
        pdfs = convert_docx_to_pdf(list(sources.values()), out / "lo")
    return {name: _measure(pdf) for name, pdf in zip(sources, pdfs)}


def test_grid_char_space_is_what_word_writes_for_28_characters() -> None:
    pitch = BODY + geometry.GRID_CHAR_SPACE / 4096
    assert geometry.GRID_CHAR_SPACE == -841
    assert abs(pitch * geometry.CHARS_PER_LINE - geometry.TEXT_WIDTH / 20) < 0.05


def test_word_grid_gives_each_character_two_cells(measured) -> None:
    length, advance = measured["word"]
    assert abs(advance - 2 * LO_PITCH) < 0.05, advance  # 31.49 pt: two 15.75 pt cells
    assert length == geometry.CHARS_PER_LINE // 2


def test_a_pitch_of_the_character_size_or_more_cannot_hold_28(measured) -> None:
    length, advance = measured["equal"]
    assert abs(advance - BODY) < 0.05 and length == 27
    length, advance = measured["wider"]
    assert abs(advance - (BODY + 1)) < 0.05 and length == 26
    assert geometry.CHARS_PER_LINE * BODY > geometry.TEXT_WIDTH / 20  # 448 pt > 442.25 pt


def test_character_spacing_gives_28_characters(measured) -> None:
    length, advance = measured["spacing"]
    assert length == geometry.CHARS_PER_LINE
    assert abs(advance - (BODY + geometry.BODY_CHAR_SPACING / 20)) < 0.1
