"""The importer's words for the form's captions and wrapped headers come from the form.

A caption band (表二's 「第二十条第（一）项」), a header broken over two lines by a narrow page
(「商业」「企业」) and 表四's result headers that plain pdftotext prints among the numbers are
all recognised by what :mod:`generator.form` declares, so a revised form changes them too.
"""

from __future__ import annotations

from generator.form import T3_COLUMNS, T4_RESULTS, TABLE2, TABLE3, CellRole
from generator.inputs.headers import caption_stem, opens_caption
from generator.inputs.importers.document import RawCell, RawTable
from generator.inputs.importers.sequence import (
    _T3_HEADER_WORDS,
    _T4_HEADER_WORDS,
    T4_IDS,
    Kind,
    read_t4,
    tokens_of_line,
)
from generator.inputs.importers.tables import classify
from generator.inputs.labels import normalise


def test_the_caption_stem_is_what_every_caption_of_the_form_starts_with() -> None:
    stem = caption_stem(TABLE2)
    captions = [c.text for c in TABLE2.cells if c.role is CellRole.CAPTION]
    assert stem == "第二十条第" and len(captions) == 4
    assert all(opens_caption(normalise(c), stem) for c in captions)
    assert opens_caption(normalise("第二十条第（九）项"), stem)  # 2019's, gone from the form
    assert opens_caption("第二十条", stem)  # a caption broken over two lines
    assert not opens_caption("第二十", stem) and not opens_caption("第二十条规定", stem)
    assert caption_stem(TABLE3) == "" and not opens_caption("第二十条第", "")


def test_a_table_of_captions_and_numbers_alone_is_table_two() -> None:
    table = RawTable(rows=((RawCell("第二十条"),), (RawCell("第（一）项"),), (RawCell("3"),)),
                     spans_known=False)
    assert classify(table, None) == "t2"
    assert classify(RawTable(rows=((RawCell("3"),),), spans_known=False), None) is None


def test_wrapped_headers_are_the_halves_of_the_forms_long_headers() -> None:
    for _, label in T3_COLUMNS:
        halves = {normalise(label[:2]), normalise(label[2:])}
        if len(label) >= 4:
            assert normalise(label) in _T3_HEADER_WORDS and halves <= _T3_HEADER_WORDS
        else:  # 「自然人」「其他」「总计」 name rows too: never taken for a header
            assert normalise(label) not in _T3_HEADER_WORDS
    for _, label in T4_RESULTS:
        assert _T4_HEADER_WORDS.match(normalise(label))
    assert _T4_HEADER_WORDS.match("结果维持结果纠正其他结果尚未审结总计")
    assert not _T4_HEADER_WORDS.match("行政复议") and not _T4_HEADER_WORDS.match("总")


def test_table_four_header_words_among_its_numbers_are_skipped() -> None:
    # plain pdftotext: a wrapped header's halves on lines of their own between the numbers
    numbers = [str(n) for n in range(1, 16)]
    lines = ["行政复议", "结果", "维持", "  ".join(numbers[:7]), "尚未", "审结",
             "  ".join(numbers[7:]), "其他结果总计"]
    tokens = [t for line in lines for t in tokens_of_line(line)]
    assert [t.text for t in tokens if t.kind is Kind.LABEL][1:3] == ["结果", "维持"]
    read = read_t4(tokens)
    assert not read.problems
    assert [str(read.values[k]) for k in T4_IDS] == numbers
