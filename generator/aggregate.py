"""``nianbao batch --aggregate``: the county's own input workbook, summed from its agencies.

Every number of tables 二/三/四 (表二's 现行有效件数 included) is the sum over the workbooks
of the batch that have no errors (通过 and 有警告) and report the year most of them report;
the totals are recomputed from the summed parts, so the form's identities hold whenever they
hold in each input.  A workbook with errors is never summed (a number that failed the
checks, or a cell that could not be read and holds 0 in the model, must not enter the
county's total): 汇总来源 gives its first error and asks to correct it.  基本信息 is left
for the county office to fill (only 报告年度 is written), 正文 is blank.  A sheet
「汇总来源」 lists the workbooks summed and those left out.

One agency is one 机关名称 and 报告年度.  When two or more workbooks of the batch are the same
agency (a corrected second version beside the first, a copy under another name), none of
them is summed: the total would count the agency twice, and picking one of them would be a
guess.  Each is listed as left out, naming the others, and the batch reports it
(:attr:`Aggregate.duplicates`; exit code 1) so the county keeps one and runs again.

The result is an ordinary input workbook: the county fills 基本信息 and 正文 and runs
``nianbao check`` / ``nianbao build`` on it like any agency's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from generator.batch import BatchItem, Status, relative_name
from generator.errors import NianbaoError, OutputError
from generator.form import FIELDS, META_FIELDS
from generator.outputs.xlsx_file import save_workbook
from generator.report.model import Meta, Numbers, Report
from generator.safeio import atomic_path

SOURCES_SHEET = "汇总来源"
#: statuses whose numbers are summed: checked without errors
SUMMED_STATUSES = frozenset({Status.PASSED.value, Status.WARNINGS.value})


@dataclass(frozen=True)
class Part:
    """One workbook summed into the aggregate."""

    item: BatchItem
    report: Report
    blanks: int  # input cells left blank, counted as 0


@dataclass(frozen=True)
class Aggregate:
    year: int
    numbers: Numbers
    parts: tuple[Part, ...]
    left_out: tuple[tuple[BatchItem, str], ...]  # (item, why)
    #: workbooks of one agency (机关名称 + 报告年度) found more than once: none is summed
    duplicates: tuple[tuple[BatchItem, ...], ...] = ()


def agency_key(item: BatchItem) -> tuple[str, int] | None:
    """Who a workbook is: 机关名称 (spaces ignored) and 报告年度; None when it was not read."""
    name = "".join(item.agency.split())
    if not name or not item.year:
        return None
    return name, item.year


def same_agency(items: Sequence[BatchItem]) -> tuple[tuple[BatchItem, ...], ...]:
    """The groups of two or more workbooks that are the same agency, in the batch's order.

    Every workbook whose 基本信息 was read counts, whatever its status: a copy with errors
    beside one that passed is still a second version the county has to choose between.
    """
    groups: dict[tuple[str, int], list[BatchItem]] = {}
    for item in items:
        key = agency_key(item)
        if key is not None:
            groups.setdefault(key, []).append(item)
    return tuple(tuple(group) for group in groups.values() if len(group) > 1)


def duplicate_reason(group: Sequence[BatchItem], base: Path) -> str:
    """Why the workbooks of ``group`` are left out, naming each of them."""
    names = "、".join(relative_name(item.source, base) for item in group)
    return f"未计入：同一机关有 {len(group)} 份工作簿（{names}），请只保留一份后重新汇总"


def not_summed_reason(item: BatchItem) -> str:
    """Why a workbook that did not pass is left out: numbers that failed the checks are
    never added into the county's total; the first error says where to look."""
    from generator.batch_summary import first_error_text

    first = first_error_text(item).rstrip("。")
    if item.status is Status.ERRORS:
        return f"校验有错误，未计入：{first or '见汇总表'}。请改正后重新汇总"
    return f"未计入：{item.status.value}" + (f"（{first}）" if first else "")


def sum_numbers(reports: Sequence[Report]) -> Numbers:
    """Every input field summed over ``reports``; totals recomputed from the summed parts."""
    values = {f.id: sum((r.numbers[f.id] for r in reports), 0) for f in FIELDS if not f.is_total}
    return Numbers(values).with_totals()


def aggregate(items: Sequence[BatchItem], base: Path = Path(".")) -> Aggregate:
    """Read again the workbooks of ``items`` that passed and sum them (the batch keeps no
    reports in memory: a county's 60 workbooks are read one by one here).  Workbooks of one
    agency found more than once are left out (see the module docstring); ``base`` is the
    folder their names are given relative to."""
    from generator.inputs.workbook.reader import read_workbook

    duplicates = same_agency(items)
    repeated = {item.source: group for group in duplicates for item in group}
    candidates = [item for item in items if item.status.value in SUMMED_STATUSES]
    years = Counter(item.year for item in candidates if item.year)
    if not years:
        raise OutputError("没有通过校验的工作簿，无法生成汇总工作簿（--aggregate）。"
                          "请先按汇总表修改有错误的工作簿后重新运行。")
    year = years.most_common(1)[0][0]
    parts: list[Part] = []
    left_out: list[tuple[BatchItem, str]] = []
    for item in items:
        if item.source in repeated:
            left_out.append((item, duplicate_reason(repeated[item.source], base)))
            continue
        if item.status.value not in SUMMED_STATUSES:
            left_out.append((item, not_summed_reason(item)))
            continue
        if item.year != year:
            left_out.append((item, f"未计入：报告年度为 {item.year}，不是 {year}"))
            continue
        try:
            read = read_workbook(item.source)
        except NianbaoError as error:  # changed since the batch read it
            left_out.append((item, f"未计入：现在无法读取（{error}）"))
            continue
        parts.append(Part(item, read.report, len(read.blanks)))
    return Aggregate(year, sum_numbers([p.report for p in parts]), tuple(parts), tuple(left_out),
                     duplicates)


def write_aggregate(result: Aggregate, target: Path, base: Path, *,
                    overwrite: bool = False) -> Path:
    """The aggregate as an input workbook at ``target`` (atomically)."""
    from openpyxl.styles import Alignment, Font, PatternFill

    from generator.outputs.workbook import build_workbook, meta_address

    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"汇总工作簿的文件名应以 .xlsx 结尾：{target}")
    if target.exists() and not overwrite:
        raise OutputError(f"文件已存在：{target}。汇总工作簿可能已填写了基本信息，不会覆盖；"
                          "请换一个文件名，或加 --force 覆盖。")
    report = Report(meta=Meta(agency="", year=result.year), numbers=result.numbers)
    # the sum of no workbook is not 0: with none summed (every agency repeated, say) the
    # tables are left blank, as in a new workbook, and 汇总来源 says why
    wb = build_workbook(report) if result.parts else build_workbook(year=result.year)
    for m in META_FIELDS:  # 基本信息 is the county's to fill: only 报告年度 is written
        if m.key != "year":
            address = meta_address(m.key)
            sheet, cell = str(address).split("!")
            wb[sheet][cell].value = None

    ws = wb.create_sheet(SOURCES_SHEET)
    ws.append(["文件", "机关名称", "状态", "新收申请总计", "空白格（按 0 计）", "说明"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for part in result.parts:
        ws.append([relative_name(part.item.source, base), part.report.meta.agency,
                   part.item.status.value, int(part.report.numbers["t3.new.total"]),
                   part.blanks, "已计入"])
    for item, why in result.left_out:
        ws.append([relative_name(item.source, base), item.agency, item.status.value, None, None, why])
    ws.append([])
    ws.append([f"共计入 {len(result.parts)} 个工作簿（{result.year} 年度、校验无错误），"
               f"未计入 {len(result.left_out)} 个。"
               + ("表二至表四为计入的工作簿之和。" if result.parts
                  else "没有计入任何工作簿，表二至表四留空。")])
    for column, width in zip("ABCDEF", (32, 30, 10, 12, 12, 40)):
        ws.column_dimensions[column].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # an agency name is text, never a formula
    ws.freeze_panes = "A2"
    with atomic_path(target, overwrite=overwrite) as tmp:
        save_workbook(wb, tmp)
    return target
