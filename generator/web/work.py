"""The page's work, run in worker processes: each function calls :mod:`generator.app` and
returns plain, picklable data for the page (no Django here, so a worker never loads it).

A :class:`~generator.errors.NianbaoError` (an unreadable file, …) is returned as
:class:`Refused` with its message, the same words the command line prints after 「错误：」.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from generator import app
from generator.errors import NianbaoError
from generator.findings import Finding, Severity

#: zip entries get a fixed date so the same outputs give the same .zip
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Refused:
    """The input could not be used; ``message`` is the command line's Chinese message."""

    message: str


@dataclass(frozen=True)
class FindingView:
    severity: str  # 错误 | 警告 | 提示
    level: str  # error | warning | notice (CSS class)
    rule: str
    cells: tuple[str, ...]
    message: str
    hint: str


@dataclass(frozen=True)
class CellView:
    """One cell of a drawn table: a heading (``th``) or a number (``td``)."""

    tag: str
    text: str
    rowspan: int = 1
    colspan: int = 1
    classes: str = ""
    address: str = ""  # the workbook cell (表三!D6) of a number
    problem: str = ""  # the findings about this cell, for its title and tap popup
    level: str = ""  # the worst severity marked on the cell


@dataclass(frozen=True)
class TableView:
    name: str  # 表二
    key: str  # t2
    heading: str
    rows: tuple[tuple[CellView, ...], ...]
    header_rows: int


@dataclass(frozen=True)
class CheckView:
    """What the page shows after 检查并生成."""

    file_name: str
    title: str
    stem: str
    findings: tuple[FindingView, ...]
    tables: tuple[TableView, ...]
    errors: int
    warnings: int
    notices: int
    #: what writing the outputs found (e.g. substitute fonts in the PDF), each once
    render_findings: tuple[FindingView, ...] = ()

    @property
    def passed(self) -> bool:
        return self.errors == 0


def finding_view(finding: Finding) -> FindingView:
    return FindingView(finding.severity.value, finding.severity.name.lower(), finding.rule,
                       finding.cells, finding.message, finding.hint)


def _tables(result: app.CheckResult) -> tuple[TableView, ...]:
    from generator.form import TABLES, CellRole
    from generator.report.layout import field_address
    from generator.report.sentences import format_number

    marks: dict[str, list[Finding]] = {}
    for finding in result.findings:
        for named in finding.cells:
            marks.setdefault(named, []).append(finding)
    sources = dict(result.read.sources)
    values = result.report.numbers.values
    tables = []
    for form in TABLES:
        rows: list[list[CellView]] = [[] for _ in range(form.n_rows)]
        for cell in sorted(form.cells, key=lambda c: (c.row, c.col)):
            if cell.field_id is None:
                classes = cell.role.value
                if cell.role is CellRole.LABEL and cell.col == 0 and cell.rowspan > 1 \
                        and cell.colspan == 1:
                    classes += " vertical"
                rows[cell.row].append(CellView("th", cell.text, cell.rowspan, cell.colspan, classes))
                continue
            address = str(field_address(cell.field_id, sources))
            here = marks.get(address, [])
            worst = min(here, key=lambda f: f.severity.rank) if here else None
            text = format_number(values[cell.field_id]) if cell.field_id in values else ""
            problem = "\n".join(f"{f.severity.value}：{f.message}" + (f"（{f.hint}）" if f.hint else "")
                                for f in here)
            kind = "total" if cell.role is CellRole.TOTAL else "value"
            level = worst.severity.name.lower() if worst else ""
            rows[cell.row].append(CellView("td", text, cell.rowspan, cell.colspan,
                                           f"{kind} {'bad ' + level if level else ''}".strip(),
                                           address, problem, level))
        tables.append(TableView(form.name, form.key, form.section_heading,
                                tuple(tuple(r) for r in rows), form.header_rows))
    return tuple(tables)


def check_workbook(source: Path) -> CheckView | Refused:
    try:
        result = app.check(source)
    except NianbaoError as error:
        return Refused(str(error))
    findings = result.findings
    count = {s: sum(f.severity is s for f in findings) for s in Severity}
    return CheckView(source.name, result.report.title, app.output_stem(result.report),
                     tuple(finding_view(f) for f in findings), _tables(result),
                     count[Severity.ERROR], count[Severity.WARNING], count[Severity.NOTICE])


@dataclass(frozen=True)
class Built:
    paths: tuple[Path, ...]
    findings: tuple[FindingView, ...] = ()


def build(source: Path, out_dir: Path, formats: tuple[str, ...], draft: bool = False) -> Built | Refused:
    """One step of the page's build (one format at a time, so the page can show progress)."""
    try:
        result = app.build(source, app.BuildOptions(out_dir=out_dir, formats=formats, draft=draft))
    except NianbaoError as error:
        return Refused(str(error))
    return Built(result.written, tuple(finding_view(f) for f in result.render_findings))


def zip_outputs(paths: tuple[Path, ...], target: Path) -> Path:
    """All outputs as one .zip (deterministic: fixed dates, given order)."""
    from generator.safeio import atomic_path

    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            info = zipfile.ZipInfo(path.name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return target


@dataclass(frozen=True)
class WorkbookMade:
    """A workbook written for download, and what the clerk should read about it."""

    path: Path
    lines: tuple[str, ...] = ()  # plain sentences
    warnings: tuple[str, ...] = ()
    unmapped: tuple[str, ...] = ()  # import: what could not be placed
    notes: tuple[str, ...] = ()  # import: what to verify
    findings: tuple[FindingView, ...] = ()


def blank(agency: str, year: int | None, out_dir: Path) -> WorkbookMade | Refused:
    try:
        path = app.blank_workbook(agency, year, out_dir=out_dir)
    except NianbaoError as error:
        return Refused(str(error))
    return WorkbookMade(path, ("用 Excel、WPS 或 LibreOffice 打开，按“填报说明”依次填写基本信息、正文和"
                               "表二至表四（只填浅黄色格子），保存后在本页上传检查。",))


def roll_forward(last: Path, out_dir: Path) -> WorkbookMade | Refused:
    try:
        result = app.roll_forward(last, out_dir=out_dir)
    except NianbaoError as error:
        return Refused(str(error))
    warnings: list[str] = []
    if result.year_unknown:
        warnings.append("上年工作簿没有可识别的报告年度，新工作簿的“报告年度”留空，请在基本信息中填写。")
    if result.last_errors:
        which = (f"其中 {result.touching_carry} 个涉及表三“四、结转下年度继续办理”，结转过来的数字可能不准；"
                 if result.touching_carry else "")
        warnings.append(f"上年工作簿有 {len(result.last_errors)} 个错误（已照常结转）。{which}"
                        "请先在本页检查上年工作簿。")
    return WorkbookMade(result.written, (result.summary,), tuple(warnings),
                        findings=tuple(finding_view(f) for f in result.last_errors))


def import_report(report: Path, out_dir: Path) -> WorkbookMade | Refused:
    try:
        from generator.naming import safe_file_stem

        target = out_dir / f"{safe_file_stem(report.stem, reserve_suffix_bytes=5)}.xlsx"
        result = app.import_report(report, app.ImportOptions(target=target, run_check=True))
    except NianbaoError as error:
        return Refused(str(error))
    meta = result.imported.report.meta
    lines = [f"已读取：{report.name}（{result.imported.form_version} 年格式）—— {meta.agency} {meta.year} 年"]
    if result.missing_meta:
        lines.append(f"原报告中没有{'、'.join(result.missing_meta)}，请在工作簿的“基本信息”中补填。")
    return WorkbookMade(result.written, tuple(lines), unmapped=result.unmapped, notes=result.notes,
                        findings=tuple(finding_view(f) for f in result.findings))


@dataclass(frozen=True)
class ChangeView:
    address: str
    path: str
    last: str
    this: str
    remark: str
    implausible: bool


@dataclass(frozen=True)
class DiffView:
    last_name: str
    this_name: str
    last_year: int
    this_year: int
    adjacent: bool
    changes: tuple[ChangeView, ...] = field(default_factory=tuple)
    implausible: int = 0


def _factor(ratio: object) -> str:
    if ratio is None:
        return ""
    from decimal import Decimal

    assert isinstance(ratio, Decimal)
    return f"本年是上年的 {ratio:.1f} 倍" if ratio >= 1 else f"本年只有上年的 {ratio * 100:.0f}%"


def diff(last: Path, this: Path) -> DiffView | Refused:
    from generator.report.sentences import format_number

    try:
        result = app.diff(last, this)
    except NianbaoError as error:
        return Refused(str(error))
    changes = tuple(ChangeView(c.address, c.path, format_number(c.last), format_number(c.this),
                               ("变化异常，请核实：" if c.implausible else "") + _factor(c.ratio),
                               c.implausible) for c in result.changes)
    return DiffView(last.name, this.name, result.last_year, result.this_year, result.adjacent,
                    changes, result.implausible)


def warm_up() -> None:
    """Import what every job needs once per worker process, not in the first request."""
    from generator.outputs import renderer

    for name in app.ALL_FORMATS:
        renderer(name)
