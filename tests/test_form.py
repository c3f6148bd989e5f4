"""The form declaration (generator/form.py) against the spec's cell grids.

The labels and positions are parsed from ``shared/spec/official_format.md`` §1.4 where its
notation allows, and the rest is asserted with the spec's exact strings.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from generator.form import (
    FIELDS,
    TABLE2,
    TABLE3,
    TABLE4,
    TABLES,
    CellRole,
    TableForm,
    ValueKind,
)
from generator.inputs.headers import row_label

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "official_format.md"
BACKTICK = re.compile(r"`([^`]+)`")


@pytest.fixture(scope="module")
def spec() -> str:
    if not SPEC.exists():
        pytest.skip(f"the spec is not beside the repository ({SPEC})")
    return SPEC.read_text(encoding="utf-8")


def _between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i:text.index(end, i)]


def _t2_grid(spec: str) -> str:
    return _between(spec, "Cell grid (14 rows × 4 cols):", "9 numeric inputs")


def _t3_grid(spec: str) -> str:
    return _between(spec, "Header (rows 1–3):", "25 data rows")


def _t4_grid(spec: str) -> str:
    section = _between(spec, "#### 1.4.3", "(Rowspan-2 on row 2")
    return section[section.index("| r | cells |"):]


def _label_counts(table: TableForm) -> Counter[str]:
    return Counter(c.text for c in table.labels)


@pytest.mark.parametrize("table,grid", [(TABLE2, _t2_grid), (TABLE3, _t3_grid),
                                        (TABLE4, _t4_grid)], ids=["t2", "t3", "t4"])
def test_every_label_is_the_spec_label(spec: str, table: TableForm, grid) -> None:
    assert _label_counts(table) == Counter(BACKTICK.findall(grid(spec)))


def test_labels_use_full_width_punctuation_and_curly_quotes() -> None:
    texts = [c.text for t in TABLES for c in t.labels]
    assert all(not re.search(r"[():,]", t) for t in texts), "half-width punctuation in a label"
    assert "3.危及\u201c三安全一稳定\u201d" in texts
    assert "本年收费金额（单位：万元）" in texts
    assert ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请" in texts)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.key)
def test_every_grid_position_is_covered_exactly_once(table: TableForm) -> None:
    cover = Counter((r, c) for cell in table.cells
                    for r in range(cell.row, cell.last_row + 1)
                    for c in range(cell.col, cell.last_col + 1))
    expected = {(r, c) for r in range(table.n_rows) for c in range(table.n_cols)}
    assert set(cover) == expected
    assert max(cover.values()) == 1


def test_table_sizes() -> None:
    # The spec's prose says "9 numeric inputs" but its own grid has 10: 2×3 + 1 + 2 + 1.
    assert (TABLE2.n_rows, TABLE2.n_cols, len(TABLE2.input_fields)) == (14, 4, 10)
    assert (TABLE3.n_rows, TABLE3.n_cols, len(TABLE3.fields)) == (28, 10, 175)
    assert (TABLE4.n_rows, TABLE4.n_cols, len(TABLE4.fields)) == (4, 15, 15)
    assert len({f.id for f in FIELDS}) == len(FIELDS)


def test_table2_positions_and_spans(spec: str) -> None:
    """Every line ``| r | c1 `label` · c2-4 colspan 3 num`` of the spec's table 2 grid."""
    checked = 0
    for line in _t2_grid(spec).splitlines():
        m = re.match(r"\| (\d+) \| (.*) \|$", line)
        if not m:
            continue
        row = int(m[1]) - 1
        for part in m[2].split(" · "):
            p = re.match(r"c(\d+)(?:-(\d+))?(?: colspan \d+)? (?:`([^`]+)`|num)", part)
            assert p, part
            col, last = int(p[1]) - 1, int(p[2] or p[1]) - 1
            cell = TABLE2.cell_at(row, col)
            assert cell is not None and (cell.row, cell.col, cell.last_col) == (row, col, last)
            if p[3]:
                assert cell.text == p[3]
            else:
                assert cell.field_id is not None
            checked += 1
    assert checked == 30  # every label and value part of the 14 rows


def test_table2_amount_is_the_only_money_field() -> None:
    amounts = [f.id for f in FIELDS if f.kind is ValueKind.AMOUNT]
    assert amounts == ["t2.fees.amount"]


def test_table3_row_labels_follow_the_spec(spec: str) -> None:
    """Rows 4–28: the most specific label of each body row, and every rowspan."""
    body = _t3_grid(spec)[_t3_grid(spec).index("Body (rows 4–28"):]
    rows = 0
    for line in body.splitlines():
        m = re.match(r"\| (\d+) \|", line)
        if not m:
            continue
        grid_row = int(m[1]) - 1
        labels = BACKTICK.findall(line)
        first = next(f for f in TABLE3.fields if f.grid_row == grid_row)
        label = row_label(TABLE3, first)
        assert label is not None and label.text == labels[-1]
        assert [f.grid_col for f in TABLE3.fields if f.grid_row == grid_row] == list(range(3, 10))
        rows += 1
    assert rows == 25
    for col, top, _, bottom, span in re.findall(r"([A-J])(\d+):([A-J])(\d+) \**rowspan (\d+)",
                                                _t3_grid(spec)):
        cell = TABLE3.cell_at(int(top) - 1, "ABCDEFGHIJ".index(col))
        assert cell is not None and cell.rowspan == int(span) == int(bottom) - int(top) + 1
    outcomes = TABLE3.cell_at(5, 0)
    assert outcomes is not None and (outcomes.text, outcomes.rowspan) == ("三、本年度办理结果", 22)


def test_table3_header(spec: str) -> None:
    note = TABLE3.cell_at(0, 0)
    assert note is not None and (note.rowspan, note.colspan) == (3, 3)
    assert note.text == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert [TABLE3.cell_at(2, c).text for c in range(3, 10)] == [  # type: ignore[union-attr]
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    org = TABLE3.cell_at(1, 4)
    assert org is not None and (org.text, org.colspan) == ("法人或其他组织", 5)


def test_table3_totals_and_balances() -> None:
    total = TABLE3.field_by_id["t3.outcome_total.natural_person"]
    assert len(total.sum_of) == 21
    assert TABLE3.field_by_id["t3.new.total"].sum_of == tuple(
        f"t3.new.{c}" for c in ("natural_person", "commercial", "research", "public_interest",
                                "legal_service", "other_org"))
    assert len(TABLE3.balances) == 7
    b = TABLE3.balances[0]
    assert b.left == ("t3.new.natural_person", "t3.carried_over.natural_person")
    assert b.right == ("t3.outcome_total.natural_person", "t3.carried_forward.natural_person")


def test_table4_positions(spec: str) -> None:
    lines = {int(m[1]): m[2] for m in re.finditer(r"^\| (\d) \| (.*) \|$", _t4_grid(spec), re.M)}
    for r, line in lines.items():
        for first, last, label in re.findall(r"c(\d+)(?:-(\d+))?(?: colspan \d+)? `([^`]+)`", line):
            cell = TABLE4.cell_at(r - 1, int(first) - 1)
            assert cell is not None and cell.text == label
            assert (cell.col, cell.last_col) == (int(first) - 1, int(last or first) - 1)
    assert "each **rowspan 2**" in lines[2]
    assert all(TABLE4.cell_at(1, c).rowspan == 2 for c in range(5))  # type: ignore[union-attr]
    assert [f.grid_col for f in TABLE4.fields] == list(range(15))
    assert all(f.grid_row == 3 for f in TABLE4.fields)
    totals = [f for f in TABLE4.fields if f.is_total]
    assert [f.grid_col for f in totals] == [4, 9, 14]


def test_captions_and_headers_have_roles() -> None:
    captions = [c.text for c in TABLE2.cells if c.role is CellRole.CAPTION]
    assert captions == ["第二十条第（一）项", "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项"]


# ---------------------------------------------------------------------------
# The official sentences and facts: declared once in the form, derived everywhere else.

GENERATOR = Path(__file__).resolve().parent.parent / "generator"
#: modules still holding a copy of an official phrase, with the reason (the list only shrinks)
KNOWN_COPIES: dict[str, str] = {}


def _official_phrases() -> dict[str, str]:
    from generator import form

    return {"REGULATION": form.REGULATION, "FORMAT_NOTICE": form.FORMAT_NOTICE,
            "FEE_RULES": form.FEE_RULES, "DRAFT_MARK": form.DRAFT_MARK,
            "统计期限": "所列数据统计期限为", "没有产生信息处理费": "本年度没有产生信息处理费"}


def test_official_phrases_are_written_only_in_the_form() -> None:
    copies = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        name = path.relative_to(GENERATOR).as_posix()
        if name in ("form.py", "form/__init__.py"):
            continue
        text = path.read_text("utf-8")
        found = sorted(key for key, phrase in _official_phrases().items() if phrase in text)
        if found:
            copies[name] = ", ".join(found)
    assert copies == KNOWN_COPIES


def test_the_opening_text_and_its_formula_come_from_the_same_pieces() -> None:
    from generator.form import OPENING_SENTENCE, Words
    from generator.outputs.workbook import opening_formula
    from generator.report.model import Meta
    from generator.report.sentences import default_opening, sentence_text

    meta = Meta(agency="某某县人民政府", year=2025, portal_url="http://x.gov.cn", phone="0482-1")
    text, formula = default_opening(meta), opening_formula()
    assert text == sentence_text(OPENING_SENTENCE, meta)
    position = 0
    for piece in OPENING_SENTENCE:
        if isinstance(piece, Words):
            assert f'"{piece.text}"' in formula  # the same words in the workbook's formula
            position = text.index(piece.text, position)  # … and in the text, in order
    assert "某某县人民政府信息公开总体情况" in text  # 政府 once after …人民政府
    assert "（咨询电话：0482-1）" in text and "2025年1月1日至2025年12月31日" in text


def test_a_fee_sentence_follows_the_fee() -> None:
    from decimal import Decimal

    from generator.form import FEE_RULES
    from generator.report.model import Meta
    from generator.report.sentences import default_fee_sentence

    none = default_fee_sentence(Meta(agency="某局", year=2025))
    charged = default_fee_sentence(Meta(agency="某局", year=2025, processing_fee=Decimal("12.345")))
    assert none.startswith(f"按照{FEE_RULES}") and none.endswith("本年度没有产生信息处理费。")
    assert charged.endswith("本年度共收取信息处理费12.35元。")


def test_level_and_date_facts() -> None:
    from datetime import date

    from generator.form import (
        AGENCY_LEVELS,
        CITY_OR_ABOVE,
        LEVELS_WITHOUT_REGULATIONS,
        META_FIELDS,
        publication_deadline,
        statistics_period,
    )

    level_hint = next(m.hint for m in META_FIELDS if m.key == "level")
    assert all(level in level_hint for level in AGENCY_LEVELS)
    assert LEVELS_WITHOUT_REGULATIONS == set(AGENCY_LEVELS) - {CITY_OR_ABOVE}
    assert publication_deadline(2025) == date(2026, 1, 31)
    assert statistics_period(2025) == "2025年1月1日至2025年12月31日"
