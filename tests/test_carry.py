"""``nianbao init --from LAST.xlsx``: next year's workbook from last year's.

LAST is the bundled example with non-zero 四、结转下年度继续办理 (and 现行有效件数, contact
details, an extra item of 六) so that every carried value is visible.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from generator.app import check as check_workbook
from generator.cli import main
from generator.form import (
    INPUT_FIELDS,
    META_FIELDS,
    TABLE2,
    TABLE3,
    TEXT_SLOTS,
)
from generator.inputs.workbook.reader import read_workbook
from generator.outputs.carry_forward import (
    CLEARED_META,
    carry_from,
    carry_pairs,
    in_force_fields,
    summary,
)
from generator.outputs.workbook import (
    CARRIED_FILL,
    IN_FORCE_REFERENCE_TITLES,
    INPUT_FILL,
    REFERENCE_FILL,
    REFERENCE_MARK,
    TEXT_REFERENCE_COL,
    guide_rows,
    meta_address,
    text_address,
    write_workbook,
)
from generator.report.layout import default_field_address
from generator.report.model import Meta, Narrative, Numbers, Report, TextPart

#: 四、结转下年度继续办理 of last year, per applicant column (总计 7).
FORWARD = {"natural_person": 2, "commercial": 1, "research": 0, "public_interest": 0,
           "legal_service": 3, "other_org": 1}
IN_FORCE = {"regulations": 0, "normative_documents": 12}
AGENCY = "扎赉特旗宝力根花苏木人民政府"
NEW_NAME = f"{AGENCY}2026年政府信息公开工作年度报告填报表.xlsx"


def last_year_report(example: Report) -> Report:
    """The example with requests carried forward (added to 新收 so each column balances)."""
    values = dict(example.numbers.values)
    for col, n in FORWARD.items():
        values[f"t3.carried_forward.{col}"] = n
        values[f"t3.new.{col}"] = values[f"t3.new.{col}"] + n
    for row, n in IN_FORCE.items():
        values[f"t2.{row}.in_force"] = n
    parts = dict(example.narrative.parts)
    parts["other.fees"] = TextPart()  # the fee sentence is left to the generator's default
    parts["other.extra1"] = TextPart(("全年完成政务公开工作要点各项任务。",), "落实政务公开工作要点情况")
    meta = Meta(**{**{m.key: getattr(example.meta, m.key) for m in META_FIELDS},
                   "address": "宝力根花苏木政府院内", "postcode": "137600",
                   "email": "blgh@example.cn", "processing_fee": Decimal("30"),
                   "signatory": AGENCY})
    return Report(meta, Narrative(parts), Numbers(values).with_totals())


@pytest.fixture(scope="module")
def last(tmp_path_factory: pytest.TempPathFactory, example_report: Report) -> Path:
    path = write_workbook(tmp_path_factory.mktemp("last") / "2025年填报表.xlsx",
                          last_year_report(example_report))
    assert not check_workbook(path).has_errors
    return path


@pytest.fixture(scope="module")
def carried(tmp_path_factory: pytest.TempPathFactory, last: Path) -> Path:
    target = tmp_path_factory.mktemp("carried") / "2026.xlsx"
    result = CliRunner().invoke(main, ["init", "--from", str(last), str(target)])
    assert result.exit_code == 0, result.output
    return target


def _cell(path: Path, address: object) -> openpyxl.cell.cell.Cell:
    wb = openpyxl.load_workbook(path)
    return wb[address.sheet].cell(address.row, address.col)  # type: ignore[attr-defined]


def _set(path: Path, target: Path, values: dict[str, object]) -> Path:
    """A copy of ``path`` with cells set by openpyxl (``表三!D5`` -> value)."""
    wb = openpyxl.load_workbook(path)
    for ref, value in values.items():
        sheet, coordinate = ref.split("!")
        wb[sheet][coordinate] = value
    wb.save(target)
    return target


# ---------------------------------------------------------------------------
# The command


def test_default_name_summary_and_input_untouched(last: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    before = (last.read_bytes(), last.stat().st_mtime_ns)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "--from", str(last)])
    assert result.exit_code == 0, result.output
    assert list(tmp_path.iterdir()) == [tmp_path / NEW_NAME]
    # 基本信息: agency, year, level, region, portal name and address, phone, address,
    # postcode, email, signatory = 11; 17 paragraphs of the example + the extra item's one.
    assert ("已结转：基本信息 11 项、上年结转 6 格（合计 7 件）、上年正文 18 段（仅供参考）"
            in result.output)
    assert f"nianbao check \"{tmp_path / NEW_NAME}\" --previous \"{last}\"" in result.output
    assert "警告" not in result.output
    assert (last.read_bytes(), last.stat().st_mtime_ns) == before


def test_refuses_to_overwrite_without_force(carried: Path, last: Path, tmp_path: Path) -> None:
    target = tmp_path / "x.xlsx"
    shutil.copy(carried, target)
    before = target.read_bytes()
    again = CliRunner().invoke(main, ["init", "--from", str(last), str(target)])
    assert again.exit_code == 2
    assert "已存在" in again.output and "--force" in again.output
    assert target.read_bytes() == before
    forced = CliRunner().invoke(main, ["init", "--from", str(last), str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    assert read_workbook(target).report.meta.year == 2026


def test_never_writes_over_last_years_file(last: Path, tmp_path: Path) -> None:
    copy = tmp_path / "last.xlsx"
    shutil.copy(last, copy)
    before = (copy.read_bytes(), copy.stat().st_mtime_ns)
    result = CliRunner().invoke(main, ["init", "--from", str(copy), str(copy), "--force"])
    assert result.exit_code == 2
    assert "输入文件" in result.output
    assert (copy.read_bytes(), copy.stat().st_mtime_ns) == before


@pytest.mark.parametrize("content,phrase", [(b"not a workbook at all", "不是 Excel 工作簿"),
                                            (None, "找不到该文件")])
def test_unreadable_last_year_is_exit_2(tmp_path: Path, content: bytes | None,
                                        phrase: str) -> None:
    bad = tmp_path / "上年.xlsx"
    if content is not None:
        bad.write_bytes(content)
    target = tmp_path / "new.xlsx"
    result = CliRunner().invoke(main, ["init", "--from", str(bad), str(target)])
    assert result.exit_code == 2
    assert phrase in result.output and "上年.xlsx" in result.output
    assert "Traceback" not in result.output
    assert not target.exists()


def test_from_does_not_mix_with_agency_or_year(last: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", "--from", str(last), str(tmp_path / "n.xlsx"),
                                       "--year", "2027"])
    assert result.exit_code == 2 and "--from 不能与" in result.output
    assert not (tmp_path / "n.xlsx").exists()


def test_last_year_with_errors_is_carried_with_a_warning(last: Path, tmp_path: Path) -> None:
    broken = _set(last, tmp_path / "broken.xlsx",
                  {"表三!F28": "/", "表三!D6": 99})  # text in 四 (科研机构), and 自然人 unbalanced
    result = CliRunner().invoke(main, ["init", "--from", str(broken), str(tmp_path / "n.xlsx")])
    assert result.exit_code == 0, result.output
    # V-3 at F28 and T3-1 in the 自然人 column (the 总计 column's T3-1 only repeats it, so
    # it is not a second error); both involve row 四
    assert "警告：上年工作簿有 2 个错误（已照常结转）" in result.output
    assert "其中 2 个涉及表三“四、结转下年度继续办理”" in result.output
    assert f"nianbao check \"{broken}\"" in result.output
    report = read_workbook(tmp_path / "n.xlsx").report
    assert report.numbers["t3.carried_over.natural_person"] == 2
    assert report.numbers["t3.carried_over.research"] == 0  # the text read as 0


# ---------------------------------------------------------------------------
# What the new workbook reads as


def test_reads_as_next_year_with_only_the_carry_over(carried: Path, last: Path) -> None:
    before = read_workbook(last).report
    result = read_workbook(carried)
    report = result.report
    for m in META_FIELDS:
        if m.key == "year":
            assert report.meta.year == 2026
        elif m.key == "publish_date":
            assert report.meta.publish_date is None
        elif m.key == "processing_fee":
            assert report.meta.processing_fee == 0
            assert _cell(carried, meta_address(m.key)).value is None  # cleared, not 0
        else:
            assert getattr(report.meta, m.key) == getattr(before.meta, m.key), m.key
    for this_id, last_id in (*carry_pairs(), ("t3.carried_over.total", "t3.carried_forward.total")):
        assert report.numbers[this_id] == before.numbers[last_id], this_id
    assert report.numbers["t3.carried_over.total"] == 7
    carried_ids = {this_id for this_id, _ in carry_pairs()}
    for f in INPUT_FIELDS:
        if f.id not in carried_ids:
            assert report.numbers[f.id] == 0, f.id
    assert set(result.blanks) == {f.id for f in INPUT_FIELDS} - carried_ids
    for slot in TEXT_SLOTS:  # opening and fees: default formulas, read as "the default"
        assert report.narrative[slot.key] == TextPart(), slot.key
    assert {f.rule for f in result.findings} == {"V-2"}


def test_text_column_holds_only_the_defaults(carried: Path) -> None:
    wb = openpyxl.load_workbook(carried)
    for slot in TEXT_SLOTS:
        a = text_address(slot.key)
        value = wb[a.sheet].cell(a.row, a.col).value
        if slot.key in ("opening", "other.fees"):
            assert str(value).startswith("=IF("), slot.key
        else:
            assert value is None, slot.key
        if slot.custom_heading:
            h = text_address(slot.key, heading=True)
            assert wb[h.sheet].cell(h.row, h.col).value is None


# ---------------------------------------------------------------------------
# Cross-year check (Y-1)


def test_untouched_carried_workbook_has_no_y1(carried: Path, last: Path) -> None:
    rules = {f.rule for f in check_workbook(carried, previous=last).findings}
    assert "Y-1" not in rules
    assert "Y-2" in rules  # 现行有效件数 not filled yet: 12 + 0 − 0 ≠ 0


def test_filled_consistently_has_no_y1_y2_or_imbalance(carried: Path, last: Path,
                                                       tmp_path: Path) -> None:
    # This year: 3 new requests per column D..I; all carried and new ones disclosed, none
    # carried forward.  表二: 2 issued, 1 repealed → 12 + 2 − 1 = 13 in force.
    values: dict[str, object] = {}
    for f in TABLE3.input_fields:
        a = default_field_address(f)
        if f.row == "new":
            values[str(a)] = 3
        elif f.row == "disclosed":
            values[str(a)] = 3 + FORWARD[f.col]
    values.update({"表二!B4": 2, "表二!C4": 1, "表二!D4": 13, "表二!B3": 0, "表二!C3": 0,
                   "表二!D3": 0})
    filled = _set(carried, tmp_path / "filled.xlsx", values)
    findings = check_workbook(filled, previous=last).findings
    rules = {f.rule for f in findings}
    assert not rules & {"Y-1", "Y-2", "T3-1", "T3-2", "T3-3"}, findings
    result = CliRunner().invoke(main, ["check", str(filled), "--previous", str(last),
                                       "--format", "json"])
    assert "Y-1" not in {f["rule"] for f in json.loads(result.output)["findings"]}


def test_altered_carried_cell_gives_y1_naming_it(carried: Path, last: Path,
                                                 tmp_path: Path) -> None:
    altered = _set(carried, tmp_path / "altered.xlsx", {"表三!D5": 5})
    y1 = [f for f in check_workbook(altered, previous=last).findings if f.rule == "Y-1"]
    by_cell = {f.cells[0]: f for f in y1}
    assert set(by_cell) == {"表三!D5", "表三!J5"}  # the column and the 总计 column
    assert (by_cell["表三!D5"].expected, by_cell["表三!D5"].found) == ("2", "5")
    assert "自然人" in by_cell["表三!D5"].message
    result = CliRunner().invoke(main, ["check", str(altered), "--previous", str(last),
                                       "--format", "json"])
    cells = [f["cells"][0] for f in json.loads(result.output)["findings"] if f["rule"] == "Y-1"]
    assert "表三!D5" in cells


# ---------------------------------------------------------------------------
# How the carried workbook looks


def test_carried_cells_are_locked_purple_and_say_where_they_came_from(carried: Path,
                                                                      last: Path) -> None:
    wb = openpyxl.load_workbook(carried)
    ws = wb["表三"]
    assert ws.protection.sheet and not ws.protection.password
    sources = read_workbook(last).sources
    for this_id, last_id in carry_pairs():
        a = default_field_address(TABLE3.field_by_id[this_id])
        cell = ws.cell(a.row, a.col)
        value = FORWARD[TABLE3.field_by_id[this_id].col]
        assert cell.value == value
        assert cell.protection.locked, this_id
        assert cell.fill.fgColor.rgb.endswith(CARRIED_FILL.fgColor.rgb)
        source = str(sources[last_id])
        assert source == f"表三!{a.coordinate[0]}28"
        assert cell.comment is not None
        assert cell.comment.text == (f"由上年工作簿“{last.name}” {source} 结转：{value}。"
                                     "如确需修改，可取消工作表保护（无密码）后修改。")
    assert ws["J5"].value == "=SUM(D5:I5)"
    # the row above and below stay ordinary inputs
    assert not ws["D4"].protection.locked and ws["D4"].fill.fgColor.rgb.endswith(
        INPUT_FILL.fgColor.rgb)
    assert ws["D4"].comment is None


def test_table2_shows_last_years_in_force_beside_the_grid(carried: Path) -> None:
    wb = openpyxl.load_workbook(carried)
    ws = wb["表二"]
    col = TABLE2.n_cols + 1  # E, outside the official grid
    assert (ws.cell(2, col).value, ws.cell(2, col + 1).value) == IN_FORCE_REFERENCE_TITLES
    assert "本年制发" in ws.cell(1, col).value and "本年废止" in ws.cell(1, col).value
    for field_id in in_force_fields():
        f = TABLE2.field_by_id[field_id]
        a = default_field_address(f)
        last_value = ws.cell(a.row, col)
        assert last_value.value == IN_FORCE[f.row]
        assert last_value.protection.locked
        assert last_value.fill.fgColor.rgb.endswith(REFERENCE_FILL.fgColor.rgb)
        assert ws.cell(a.row, col + 1).value == f"=E{a.row}+B{a.row}-C{a.row}"
        assert ws.cell(a.row, a.col).value is None  # this year's 现行有效 is left to the clerk
    named = [ref for dn in wb.defined_names.values() for sheet, ref in dn.destinations
             if sheet == "表二"]
    assert named and not [ref for ref in named if ref.startswith(("$E", "$F"))]


def test_text_sheet_keeps_last_years_paragraphs_for_reference(carried: Path, last: Path) -> None:
    before = read_workbook(last).report
    wb = openpyxl.load_workbook(carried)
    ws = wb["正文"]
    assert ws.cell(1, TEXT_REFERENCE_COL).value.startswith("上年内容（参考")
    for slot in TEXT_SLOTS:
        row = text_address(slot.key).row
        cell = ws.cell(row, TEXT_REFERENCE_COL)
        part = before.narrative[slot.key]
        if slot.key == "other.extra1":
            assert cell.value == "【小标题】落实政务公开工作要点情况\n全年完成政务公开工作要点各项任务。"
        elif part.paragraphs:
            assert cell.value == "\n".join(part.paragraphs), slot.key
        assert cell.protection.locked and cell.alignment.wrap_text
        assert cell.fill.fgColor.rgb.endswith(REFERENCE_FILL.fgColor.rgb)
    # last year's fee cell held the default formula: the reference shows what it printed
    fee = ws.cell(text_address("other.fees").row, TEXT_REFERENCE_COL).value
    assert fee.endswith("本年度共收取信息处理费30.00元。")  # 元 with two decimals
    assert ws.cell(text_address("other.extra2").row, TEXT_REFERENCE_COL).value is None


def test_guide_explains_the_carried_colour(carried: Path) -> None:
    ws = openpyxl.load_workbook(carried)["填报说明"]
    rows = {ws.cell(r, 2).value: ws.cell(r, 1) for r in range(1, ws.max_row + 1)}
    purple = [text for text, swatch in rows.items()
              if text and swatch.fill.fgColor.rgb.endswith(CARRIED_FILL.fgColor.rgb)]
    assert len(purple) == 1 and "从上年结转，已锁定" in purple[0]
    grey = [text for text, swatch in rows.items()
            if text and swatch.fill.fgColor.rgb.endswith(REFERENCE_FILL.fgColor.rgb)]
    assert len(grey) == 1 and "仅供参考" in grey[0]
    assert any(t and "2025年填报表.xlsx" in t and "结转生成" in t for t in rows)
    blank = [text for text, _, _ in guide_rows()]
    assert not [t for t in blank if "上年" in t and "结转" in t and "锁定" in t]


# ---------------------------------------------------------------------------
# The reader is not misled by the reference columns


def _without_names(path: Path, target: Path) -> Path:
    wb = openpyxl.load_workbook(path)
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    wb.save(target)
    return target


def test_label_fallback_reads_the_inputs_not_the_references(example_report: Report,
                                                            tmp_path: Path) -> None:
    # Last year's texts read exactly like labels of the form: a reader looking for those
    # labels (no defined names) must still find the real rows.
    report = last_year_report(example_report)
    parts = dict(report.narrative.parts)
    parts["overview"] = TextPart(("五、存在的主要问题及改进情况",))
    parts["overview.platform"] = TextPart(("机关名称",))
    report = report.replace(narrative=Narrative(parts))
    last = write_workbook(tmp_path / "last.xlsx", report)
    new = tmp_path / "new.xlsx"
    assert CliRunner().invoke(main, ["init", "--from", str(last), str(new)]).exit_code == 0
    filled = _set(new, tmp_path / "filled.xlsx", {"正文!C9": "本年问题。", "表二!D4": 13,
                                                 "基本信息!B13": date(2027, 1, 15)})
    ws = openpyxl.load_workbook(filled)["正文"]
    assert ws.cell(text_address("overview").row, TEXT_REFERENCE_COL).value == (
        f"{REFERENCE_MARK}五、存在的主要问题及改进情况")
    named = read_workbook(filled)
    bare = read_workbook(_without_names(filled, tmp_path / "bare.xlsx"))
    assert bare.report == named.report
    assert bare.report.narrative["problems"].paragraphs == ("本年问题。",)
    assert str(bare.sources["text.problems"]) == "正文!C9"
    assert bare.report.numbers["t2.normative_documents.in_force"] == 13
    assert str(bare.sources["t2.normative_documents.in_force"]) == "表二!D4"
    assert bare.report.numbers["t3.carried_over.legal_service"] == 3
    assert bare.report.meta.publish_date == date(2027, 1, 15)


def test_carrying_a_carried_workbook_again(carried: Path, tmp_path: Path) -> None:
    filled = _set(carried, tmp_path / "2026.xlsx", {"表三!D28": 4, "表三!D4": 2,
                                                    "正文!C9": "二〇二六年的问题。"})
    nxt = tmp_path / "2027.xlsx"
    result = CliRunner().invoke(main, ["init", "--from", str(filled), str(nxt)])
    assert result.exit_code == 0, result.output
    report = read_workbook(nxt).report
    assert report.meta.year == 2027
    assert report.numbers["t3.carried_over.natural_person"] == 4
    assert report.numbers["t3.carried_over.total"] == 4
    ws = openpyxl.load_workbook(nxt)["正文"]
    assert ws.cell(text_address("problems").row, TEXT_REFERENCE_COL).value == "二〇二六年的问题。"


# ---------------------------------------------------------------------------
# carry.py on its own


def test_carry_from_decides_what_is_carried(last: Path) -> None:
    carried = carry_from(read_workbook(last), "x.xlsx")
    assert [this for this, _ in carry_pairs()] == [
        f"t3.carried_over.{c}" for c in FORWARD]
    assert [c.value for c in carried.carried_over] == list(FORWARD.values())
    assert carried.year == 2026 and carried.last_year == 2025
    assert {k for k, v in carried.meta.items() if v is None} >= CLEARED_META
    assert carried.meta["year"] == 2026
    assert [r.value for r in carried.in_force] == list(IN_FORCE.values())
    assert summary(carried).startswith("已结转：基本信息 11 项、上年结转 6 格（合计 7 件）")


def test_last_year_without_a_year_leaves_it_blank(tmp_path: Path) -> None:
    last = write_workbook(tmp_path / "noyear.xlsx", agency="某镇人民政府")
    new = tmp_path / "new.xlsx"
    result = CliRunner().invoke(main, ["init", "--from", str(last), str(new)])
    assert result.exit_code == 0, result.output
    assert "没有可识别的报告年度" in result.output
    wb = openpyxl.load_workbook(new)
    assert wb["基本信息"][meta_address("year").coordinate].value is None
    assert wb["基本信息"][meta_address("agency").coordinate].value == "某镇人民政府"


# ---------------------------------------------------------------------------
# LibreOffice: the carried workbook opens, computes and prints as intended

SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/install-system-packages installs it")
def test_libreoffice_computes_and_prints_the_carried_workbook(carried: Path,
                                                              tmp_path: Path) -> None:
    import pdfplumber

    profile = (tmp_path / "lo-profile").as_uri()
    filled = _set(carried, tmp_path / "filled.xlsx", {"表二!B4": 2, "表二!C4": 1})
    for fmt in ("xlsx", "pdf"):
        subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                        "--convert-to", fmt, "--outdir", str(tmp_path / fmt), str(filled)],
                       check=True, timeout=180, capture_output=True,
                       env={**os.environ, "HOME": str(tmp_path)})
    values = openpyxl.load_workbook(tmp_path / "xlsx" / "filled.xlsx", data_only=True)
    assert values["表三"]["J5"].value == 7
    assert values["表二"]["F4"].value == 13  # 12 + 2 − 1
    assert values["表三"]["D30"].value.startswith("✗")  # 2 carried, nothing handled yet
    with pdfplumber.open(tmp_path / "pdf" / "filled.pdf") as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    text_page = next(p for p in pages if "上年内容（参考" in p)
    assert "2025年，宝力根花苏木" in text_page.replace(" ", "")
    t3 = next(p for p in pages if "勾稽校验" in p)
    row = next(line for line in t3.splitlines() if line.startswith("二、上年结转"))
    assert row.split()[1:] == ["2", "1", "0", "0", "3", "1", "7"]
    t2 = next(p for p in pages if "第二十条第（一）项" in p)
    row = next(line for line in t2.splitlines() if line.startswith("行政规范性文件"))
    assert row.split()[1:] == ["2", "1", "12", "13"]  # 制发, 废止, (现行有效 blank), 上年, 上年+制发−废止


def test_the_bundled_example_as_last_year(example_workbook: Path, tmp_path: Path) -> None:
    before = (example_workbook.read_bytes(), example_workbook.stat().st_mtime_ns)
    new = tmp_path / "2026.xlsx"
    result = CliRunner().invoke(main, ["init", "--from", str(example_workbook), str(new)])
    assert result.exit_code == 0, result.output
    assert "上年结转 6 格（合计 0 件）、上年正文 17 段（仅供参考）" in result.output
    assert (example_workbook.read_bytes(), example_workbook.stat().st_mtime_ns) == before
    assert read_workbook(new).report.meta.year == 2026
