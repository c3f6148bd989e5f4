"""One table locator driven by the form's grids (generator/inputs/headers.py row_chains and
column_chains, generator/inputs/importers/tables.map_table): rows named by the labels left
of them, columns by the headers over them, for 表二, 表三 and 表四 alike."""

from __future__ import annotations

from generator.form import (
    T3_NEW,
    T3_OUTCOMES,
    T4_DIRECT_SUIT,
    T4_RESULTS,
    T4_REVIEW,
    T4_SUIT_AFTER_REVIEW,
    TABLE2,
    TABLE3,
    TABLE4,
    CellRole,
    TableForm,
)
from generator.inputs.headers import row_chains
from generator.inputs.importers.document import RawCell, RawTable
from generator.inputs.importers.tables import (
    TableImport,
    map_table,
    map_tables,
    resolve_row,
    shape_of,
)


def printed(form: TableForm, spans: bool = True) -> tuple[tuple[RawCell, ...], ...]:
    """``form`` printed as the official grid: labels as declared, each value cell holding
    its field's position in the form (1, 2, 3 …), merges stated."""
    number = {f.id: str(i) for i, f in enumerate(form.fields, start=1)}
    rows: list[tuple[RawCell, ...]] = []
    for r in range(form.n_rows):
        cells = sorted((c for c in form.cells if c.row == r), key=lambda c: c.col)
        rows.append(tuple(
            RawCell(number[c.field_id] if c.field_id else c.text,
                    c.rowspan if spans else 1, c.colspan if spans else 1)
            for c in cells))
    return tuple(rows)


def expected(form: TableForm) -> dict[str, int]:
    return {f.id: i for i, f in enumerate(form.fields, start=1)}


# ---------------------------------------------------------------------------
# The row chains are the form's own labels


def test_row_chains_are_the_labels_left_of_each_row_nearest_first() -> None:
    t3 = row_chains(TABLE3)
    assert t3["withheld_state_secret"] == ["1.属于国家秘密", "（三）不予公开", T3_OUTCOMES]
    assert t3["other_other"] == ["3.其他", "（六）其他处理", T3_OUTCOMES]
    assert t3["disclosed"] == ["（一）予以公开", T3_OUTCOMES]
    assert t3["new"] == [T3_NEW[1]]
    # In the form's row order, one chain per row
    keys = list(t3)
    assert keys[:3] == ["new", "carried_over", "disclosed"]
    assert keys[-2:] == ["outcome_total", "carried_forward"]
    assert set(t3) == {f.row for f in TABLE3.fields}
    assert row_chains(TABLE2) == {
        "regulations": ["规章"], "normative_documents": ["行政规范性文件"],
        "licensing": ["行政许可"], "penalty": ["行政处罚"], "coercion": ["行政强制"],
        "fees": ["行政事业性收费"]}
    # 表四's single row has no label: its header cells name columns, not rows
    assert row_chains(TABLE4) == {"cases": []}


def test_every_chain_label_is_a_row_label_cell_of_the_grid() -> None:
    for form in (TABLE2, TABLE3, TABLE4):
        labels = {c.text for c in form.cells if c.role is CellRole.LABEL}
        for chain in row_chains(form).values():
            assert set(chain) <= labels


def test_table4_needs_its_groups_to_tell_its_columns_apart() -> None:
    # 「总计」 names three columns of 表四, so the groups over them are needed; 表三's leaves
    # name one column each.
    groups = [T4_REVIEW[1], T4_DIRECT_SUIT[1], T4_SUIT_AFTER_REVIEW[1]]
    assert shape_of("t4").distinguishing_labels == groups + [label for _, label in T4_RESULTS]
    assert shape_of("t3").distinguishing_labels == [
        "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


# ---------------------------------------------------------------------------
# Rows resolved by their labels, most specific first


def test_a_row_is_named_by_its_own_label_within_its_group() -> None:
    shape = shape_of("t3")
    name = resolve_row(shape, [T3_OUTCOMES, "（三）不予公开", "1、属于国家秘密"])
    assert name is not None and name.key == "withheld_state_secret" and not name.fuzzy
    # A group alone names no row …
    assert resolve_row(shape, [T3_OUTCOMES, "（三）不予公开"]) is None
    # … except the 2019 single row 「（六）其他处理」
    single = resolve_row(shape, [T3_OUTCOMES, "（六）其他处理"])
    assert single is not None and single.key == "other_other" and single.single_2019


def test_a_group_printed_after_its_item_still_names_the_row() -> None:
    # A broken rowspan (a row deleted above) can leave the group's cell right of its item in
    # the grid; the old mapper stopped at the group and dropped the row.
    name = resolve_row(shape_of("t3"), [T3_OUTCOMES, "2.重复申请", "（五）不予处理"])
    assert name is not None and name.key == "unprocessed_repeated"


# ---------------------------------------------------------------------------
# The same mapper reads all three tables printed as the form


def test_each_table_printed_as_the_form_is_read_whole() -> None:
    for form in (TABLE2, TABLE3, TABLE4):
        result = TableImport()
        map_table(RawTable(printed(form), spans_known=True), form, result)
        assert result.values == expected(form), form.name
        assert not result.notes and not result.unmapped and not result.problems


def test_a_caption_broken_over_two_rows_is_one_caption() -> None:
    # a converted page can put 「第二十条」 and 「第（一）项」 on rows of their own
    rows: list[tuple[RawCell, ...]] = []
    for row in printed(TABLE2):
        text = row[0].text
        if len(row) == 1 and text.startswith("第二十条第"):
            rows += [(RawCell("第二十条", 1, row[0].colspan),),
                     (RawCell(text[len("第二十条"):], 1, row[0].colspan),)]
        else:
            rows.append(row)
    assert len(rows) == len(printed(TABLE2)) + 4
    result = TableImport()
    map_table(RawTable(tuple(rows), spans_known=True), TABLE2, result)
    assert result.values == expected(TABLE2)
    assert not result.notes and not result.unmapped and not result.problems


def test_a_text_copy_without_merges_is_read_in_the_official_order() -> None:
    for form in (TABLE3, TABLE4):
        result = TableImport()
        map_table(RawTable(printed(form, spans=False), spans_known=False), form, result)
        assert result.values == expected(form), form.name
        assert not result.unmapped


# ---------------------------------------------------------------------------
# Cases the three per-table mappers got wrong


def test_a_column_without_any_header_does_not_crash_the_import() -> None:
    # An empty column printed right of 表四 (a layout column of the portal): the header
    # locator used to fail with IndexError on the empty header path.
    rows = [row + (RawCell(""),) for row in printed(TABLE4)[:3]]
    rows.append(printed(TABLE4)[3] + (RawCell("99"),))
    result = map_tables([("四", RawTable(tuple(rows), spans_known=True, ordinal=3))])
    assert {k: v for k, v in result.values.items() if k.startswith("t4.")} == expected(TABLE4)
    assert result.unmapped == ["第3个表格（表四）：多出的单元格「99」未导入"]


def test_table4_whose_merges_were_lost_says_it_is_read_in_order() -> None:
    # Every header cell printed with span 1 (a .docx whose gridSpan was dropped): the values
    # are read in the official order; the clerk is told, as for 表三.
    table = RawTable(printed(TABLE4, spans=False), spans_known=True, ordinal=3)
    result = TableImport()
    map_table(table, TABLE4, result)
    assert result.values == expected(TABLE4)
    assert result.notes == ["第3个表格（表四）：表头合并单元格不完整，数字按规定的栏目顺序读取"]


def test_a_number_in_the_label_columns_is_reported_not_dropped() -> None:
    rows = list(printed(TABLE3))
    label, *values = rows[3]  # 一、本年新收… spans columns A:C
    rows[3] = (RawCell(label.text, colspan=2), RawCell("9"), *values)
    result = TableImport()
    map_table(RawTable(tuple(rows), spans_known=True, ordinal=2), TABLE3, result)
    assert result.values == expected(TABLE3)
    assert result.unmapped == [f"第2个表格（表三）：行「{T3_NEW[1]}」多出的单元格「9」未导入"]


def test_a_text_row_starting_with_the_empty_cell_of_a_merged_label_is_read() -> None:
    # A copy that keeps the columns writes the merged 「（三）不予公开」 as an empty cell in
    # the rows below it; the old reader took that cell for the first value and lost the row.
    rows = [tuple(RawCell(c.text) for c in row) for row in printed(TABLE3, spans=False)]
    r = next(i for i, row in enumerate(rows) if row[0].text == "2.其他法律行政法规禁止公开")
    rows[r] = (RawCell(""), *rows[r])
    result = TableImport()
    map_table(RawTable(tuple(rows), spans_known=False), TABLE3, result)
    assert result.values == expected(TABLE3)
    assert not result.unmapped
