"""The input layer shared by the workbook reader and the importer: one label normaliser, one
number parser, one OOXML guard (generator/inputs/)."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document

from generator.errors import InputError
from generator.form import (
    T4_DIRECT_SUIT,
    T4_LITIGATION,
    T4_RESULTS,
    T4_REVIEW,
    T4_SUIT_AFTER_REVIEW,
    TABLE3,
    TABLE4,
)
from generator.inputs.headers import column_chains
from generator.inputs.importers import import_report
from generator.inputs.importers.document import RawCell, RawTable
from generator.inputs.importers.tables import TableImport, map_table, read_value
from generator.inputs.labels import Strictness, best_match, normalise
from generator.inputs.numbers import BLANK, NotANumber, NumberStyle, parse_number_text
from generator.inputs.workbook import source
from generator.inputs.workbook.reader import read_workbook
from generator.outputs.workbook import build_workbook
from generator.report.model import Report

# ---------------------------------------------------------------------------
# Labels


def test_strictness_levels() -> None:
    assert normalise("1、属于国家秘密") == normalise("1.属于国家秘密") == "1属于国家秘密"
    assert normalise("商业\n企业") == normalise("（商业 企业）") == "商业企业"
    assert normalise("（一）本机关不掌握相关政府信息", Strictness.CORE) == "本机关不掌握相关政府信息"
    assert normalise("（一）本机关不掌握相关政府信息") == "一本机关不掌握相关政府信息"
    assert normalise(None) == ""


def test_the_importer_and_the_workbook_agree_on_a_label() -> None:
    # 「1、」 for 「1.」: the importer matched it, the workbook reader did not (issue 12).
    key, fuzzy = best_match("1、属于国家秘密", [("secret", "1.属于国家秘密"), ("law", "2.其他法律")])
    assert (key, fuzzy) == ("secret", False)


def test_a_workbook_label_typed_with_other_separators_is_found(example_report: Report,
                                                                tmp_path: Path) -> None:
    wb = build_workbook(example_report)
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    ws = wb["表三"]
    retyped = {"1.属于国家秘密": "1、属于国家秘密", "商业企业": "商业 企业"}
    changed = 0
    for row in ws.iter_rows():
        for cell in row:
            if cell.value in retyped:
                cell.value = retyped[cell.value]
                changed += 1
    assert changed == 2
    path = tmp_path / "retyped.xlsx"
    wb.save(path)
    result = read_workbook(path)
    assert result.report.numbers == example_report.numbers
    secret = next(f for f in TABLE3.fields if f.row_label.endswith("属于国家秘密")
                  and f.col == "total")
    assert result.sources[secret.id].sheet == "表三"


# ---------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize("text, expected", [
    ("１,２３４", Decimal(1234)), ("1，234", Decimal(1234)), (" 12 ", Decimal(12)),
    ("-5", Decimal(-5)), ("2.5", Decimal("2.5")),
])
def test_both_styles_read_the_same_numbers(text: str, expected: Decimal) -> None:
    assert parse_number_text(text, NumberStyle.TYPED) == expected
    assert parse_number_text(text, NumberStyle.PRINTED) == expected
    assert read_value(text).number == expected


def test_styles_differ_only_where_said() -> None:
    assert parse_number_text("—", NumberStyle.PRINTED) is BLANK
    assert parse_number_text("—", NumberStyle.TYPED) == NotANumber("—", "文字")
    assert parse_number_text("12件", NumberStyle.PRINTED) == Decimal(12)
    assert parse_number_text("12件", NumberStyle.TYPED) == NotANumber("12件", "文字")
    assert parse_number_text("#N/A", NumberStyle.TYPED) == NotANumber("#N/A", "错误值")
    assert parse_number_text("", NumberStyle.TYPED) is BLANK


def test_a_misplaced_comma_is_not_a_separator() -> None:
    # Before, the importer dropped every comma (「1,23」 read as 123); a number that cannot
    # be read must be reported, never guessed.
    for style in NumberStyle:
        assert isinstance(parse_number_text("1,23", style), NotANumber)
    assert read_value("1,23").number is None
    assert parse_number_text("1e16", NumberStyle.TYPED) == NotANumber("1e16", "文字")
    assert parse_number_text("1" + "0" * 15, NumberStyle.PRINTED) == \
        NotANumber("1" + "0" * 15, "超出范围的数字")


# ---------------------------------------------------------------------------
# The OOXML guard


def test_each_workbook_part_is_decompressed_once(example_workbook: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    original = zipfile.ZipFile.open

    def counting(self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: object,
                 **kwargs: object) -> object:
        opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return original(self, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "open", counting)
    grid = source.load_grid(example_workbook)
    with zipfile.ZipFile(example_workbook) as archive:
        names = sorted(i.filename for i in archive.infolist() if not i.is_dir())
    # _refuse_other_zip_kinds peeks at the head of workbook.xml to tell Strict OOXML apart
    peeks = ["xl/workbook.xml"]
    assert sorted(opened) == sorted(names + peeks)
    assert "表三" in grid.sheet_names


def _docx(tmp_path: Path, name: str, patch: dict[str, bytes]) -> Path:
    """A real .docx (python-docx) with some parts replaced or added."""
    buffer = io.BytesIO()
    document = Document()
    document.add_paragraph("某镇人民政府2025年政府信息公开工作年度报告")
    document.save(buffer)
    path = tmp_path / name
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as original, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            if info.filename not in patch:
                out.writestr(info, original.read(info))
        for part, data in patch.items():
            out.writestr(part, data)
    return path


def test_a_docx_with_entities_is_refused(tmp_path: Path) -> None:
    with zipfile.ZipFile(_docx(tmp_path, "plain.docx", {})) as archive:
        body = archive.read("word/document.xml")
    declaration, rest = body.split(b"?>", 1)
    hostile = declaration + b'?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">]>' + rest
    path = _docx(tmp_path, "entities.docx", {"word/document.xml": hostile})
    with pytest.raises(InputError, match="实体声明") as error:
        import_report(path)
    assert "文档" in str(error.value)


def test_a_docx_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = _docx(tmp_path, "bomb.docx", {"word/media/zeros.xml": b"\0" * (3 * 1024 * 1024)})
    with pytest.raises(InputError, match="压缩炸弹"):
        import_report(path)


def test_a_damaged_docx_says_so(tmp_path: Path) -> None:
    good = _docx(tmp_path, "good.docx", {}).read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(good[: len(good) * 6 // 10])
    with pytest.raises(InputError, match="损坏|不是 .docx"):
        import_report(path)


# ---------------------------------------------------------------------------
# Columns named by the form's own header chains


def _table4(groups: list[tuple[str, str]]) -> RawTable:
    """A 表四 with merges stated, its groups (parent, group) in the order given; the
    numbers row holds 1..15 in printed order."""
    results = [label for _, label in T4_RESULTS]
    top = [RawCell(parent, colspan=5 * n) for parent, n in
           dict.fromkeys((p, sum(q == p for q, _ in groups)) for p, _ in groups)]
    middle = [RawCell(group, colspan=5) for _, group in groups]
    bottom = [RawCell(label) for _ in groups for label in results]
    numbers = [RawCell(str(i)) for i in range(1, 5 * len(groups) + 1)]
    return RawTable((tuple(top), tuple(middle), tuple(bottom), tuple(numbers)), spans_known=True)


def test_table4_columns_are_found_by_their_headers_not_their_order() -> None:
    review, direct, after = T4_REVIEW[1], T4_DIRECT_SUIT[1], T4_SUIT_AFTER_REVIEW[1]
    # 复议后起诉 printed before 未经复议直接起诉: the numbers follow their headers
    table = _table4([(review, review), (T4_LITIGATION, after), (T4_LITIGATION, direct)])
    result = TableImport()
    map_table(table, TABLE4, result)
    chains = column_chains(TABLE4)
    assert list(chains)[5] == "direct_suit_upheld" and list(chains)[10] == "suit_after_review_upheld"
    assert result.values["t4.cases.review_upheld"] == 1
    assert result.values["t4.cases.suit_after_review_upheld"] == 6
    assert result.values["t4.cases.direct_suit_upheld"] == 11
    assert result.values["t4.cases.direct_suit_total"] == 15
    assert not result.notes and not result.unmapped


def test_a_column_whose_group_is_missing_is_not_guessed() -> None:
    review = T4_REVIEW[1]
    # 行政诉讼's two groups not printed: its ten columns cannot be told apart, so no column
    # is placed by header and the numbers are read in the official order, with a note.
    table = _table4([(review, review), (T4_LITIGATION, ""), (T4_LITIGATION, "")])
    result = TableImport()
    map_table(table, TABLE4, result)
    assert result.values["t4.cases.suit_after_review_total"] == 15
    assert any("按规定顺序读取" in note for note in result.notes)
