"""The use-case layer: what nianbao does, once, for every front end (command line, web page).

Each function takes typed inputs (paths and an options dataclass), does the whole job by
calling the modules that own the pieces (reader and checker, renderers, workbook writer,
importers, year-over-year diff, batch), and returns a typed result holding the findings and
the paths written.  Nothing here prints or exits: a front end decides how to show a result
(``generator.cli`` as tables and exit codes, ``generator.web`` as a page).

Errors the user can act on are raised as :class:`~generator.errors.NianbaoError` (in
Chinese), exactly as the modules below raise them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from generator.checks.checker import RULE_BY_ID, RULES, CheckResult
from generator.checks.rules import Rule, rules_markdown
from generator.errors import NianbaoError, OutputError
from generator.findings import Finding, Severity
from generator.form import DRAFT_MARK
from generator.naming import DRAFT_FILE_PREFIX, safe_file_stem

if TYPE_CHECKING:
    from generator.aggregate import Aggregate
    from generator.batch import BatchItem
    from generator.checks.yeardiff import CellChange
    from generator.inputs.importers import ImportResult
    from generator.outputs.carry_forward import Carried
    from generator.report.model import Report

#: every output format, in the order a build writes them (the LibreOffice PDF converts the .docx)
ALL_FORMATS: tuple[str, ...] = ("docx", "pdf", "html")
#: the PDF engines (``generator.outputs.PDF_ENGINES``; kept here so front ends need not import
#: the renderers to offer the choice)
PDF_ENGINES: tuple[str, ...] = ("reportlab", "libreoffice")
WORKBOOK_NAME_SUFFIX = "政府信息公开工作年度报告填报表"


# ---------------------------------------------------------------------------
# check


def check(source: str | Path, previous: str | Path | None = None) -> CheckResult:
    """Read and check a workbook (``previous``: last year's, for Y-1/Y-2).

    Raises :class:`~generator.errors.InputError` when a file cannot be read."""
    from generator.checks.checker import check_read
    from generator.inputs.workbook.reader import read_workbook

    read = read_workbook(source)
    last = read_workbook(previous).report if previous is not None else None
    return check_read(read, previous=last)


def rule_of(finding: Finding) -> Rule | None:
    """The declared rule a finding belongs to (None for a finding of no declared rule)."""
    return RULE_BY_ID.get(finding.rule)


def check_for_build(source: str | Path, previous: str | Path | None = None) -> CheckResult:
    """The check as it stands when report files are generated: what a draft may still lack
    (the 发布日期, S-3) is an error here."""
    from generator.checks.checker import for_build

    return for_build(check(source, previous))


def annotate(source: str | Path, target: Path, findings: tuple[Finding, ...] | list[Finding], *,
             overwrite: bool = False) -> Path:
    """Write ``target``: the workbook ``source`` with each finding as a comment on its cells
    (``source`` is only read)."""
    from generator.outputs.annotate import annotate_workbook

    return annotate_workbook(source, target, findings, overwrite=overwrite)


def font_paths(values: tuple[str, ...] | list[str]) -> dict[str, Path]:
    """role → font file for ``--font ROLE=PATH[#N]`` values (:attr:`BuildOptions.font_paths`);
    a Chinese :class:`~generator.errors.NianbaoError` for a value it cannot use."""
    if not values:  # the font modules are loaded only when a font is named
        return {}
    from generator.outputs.fonts import parse_font_args

    return parse_font_args(values)


# ---------------------------------------------------------------------------
# build


@dataclass(frozen=True)
class BuildOptions:
    """What to build and how; the defaults are ``nianbao build FILE`` without options."""

    out_dir: Path = Path("outputs")
    formats: tuple[str, ...] = ("docx",)
    template: Path | None = None
    draft: bool = False  # build even with errors, marked with the form's DRAFT_MARK
    pdf_engine: str = "reportlab"
    previous: Path | None = None
    font_paths: dict[str, Path] = field(default_factory=dict)  # role -> font file
    font_config: Path | None = None

    def __post_init__(self) -> None:
        unknown = [f for f in self.formats if f not in ALL_FORMATS]
        if unknown or not self.formats:
            raise ValueError(f"formats must be a non-empty subset of {ALL_FORMATS}: {self.formats}")
        if self.pdf_engine not in PDF_ENGINES:
            raise ValueError(f"unknown PDF engine {self.pdf_engine!r}")


@dataclass(frozen=True)
class BuildResult:
    """A build: the check, what was written (in format order) and what rendering found."""

    check: CheckResult
    written: tuple[Path, ...] = ()
    render_findings: tuple[Finding, ...] = ()
    #: True when errors stopped the build (nothing written)
    refused: bool = False
    #: True when the outputs carry the draft mark (draft asked and the workbook has errors)
    draft: bool = False

    @property
    def has_errors(self) -> bool:
        """Errors in the workbook or while rendering: the outputs are not for publication."""
        return self.check.has_errors or any(f.severity is Severity.ERROR
                                            for f in self.render_findings)

    def path(self, format_name: str) -> Path | None:
        from generator.outputs import FORMATS

        suffix = FORMATS[format_name][1]
        return next((p for p in self.written if p.suffix == suffix), None)


def output_stem(report: Report, *, draft: bool = False) -> str:
    """The file name of every output without its suffix: the report's title, made safe;
    a draft's begins with :data:`~generator.naming.DRAFT_FILE_PREFIX`."""
    if not draft:
        return safe_file_stem(report.title)
    prefix = DRAFT_FILE_PREFIX
    return prefix + safe_file_stem(report.title, reserve_suffix_bytes=8 + len(prefix.encode()))


def build(source: str | Path, options: BuildOptions = BuildOptions(),
          *, checked: CheckResult | None = None) -> BuildResult:
    """Check ``source`` and, unless it has errors (and no draft is asked), write the formats.

    ``checked`` reuses a check already made of the same file (a front end that showed the
    findings first).  The LibreOffice PDF engine converts the .docx this build writes when it
    writes one, else a temporary one.
    """
    from generator.outputs import RenderOptions, output_path

    if options.template is not None:
        # A broken template is found before the workbook is read (InputError-like, exit 2).
        from generator.outputs.docx import check_template

        check_template(options.template)
    result = checked if checked is not None else check_for_build(source, options.previous)
    errors = result.has_errors
    if errors and not options.draft:
        return BuildResult(result, refused=True)

    render_options = RenderOptions(template=options.template, draft=bool(options.draft and errors),
                                   pdf_engine=options.pdf_engine, font_paths=dict(options.font_paths),
                                   font_config=options.font_config)
    stem = output_stem(result.report, draft=render_options.draft)
    written: list[Path] = []
    render_findings: list[Finding] = []
    for format_name in (f for f in ALL_FORMATS if f in options.formats):
        target = output_path(options.out_dir, stem, format_name)
        docx = next((p for p in written if p.suffix == ".docx"), None)
        # Formats share the text clean-up, so the same warning can come from each: keep it once.
        render_findings += [f for f in _render(format_name, result.report, target, render_options, docx)
                            if f not in render_findings]
        written.append(target)
    return BuildResult(result, tuple(written), tuple(render_findings), draft=render_options.draft)


def _render(format_name: str, report: Report, target: Path, options: object,
            docx: Path | None) -> list[Finding]:
    from generator.outputs import RenderOptions
    from generator.outputs.engines import write_format

    assert isinstance(options, RenderOptions)
    return write_format(format_name, report, target, options, docx=docx)


# ---------------------------------------------------------------------------
# workbooks: blank and next year's


def workbook_file_name(agency: str, year: int | None) -> str:
    """``<机关名称><年度>年政府信息公开工作年度报告填报表.xlsx``, safe as a file name."""
    stem = f"{agency}{f'{year}年' if year else ''}{WORKBOOK_NAME_SUFFIX}"
    return f"{safe_file_stem(stem, reserve_suffix_bytes=len('.xlsx'))}.xlsx"


def _workbook_target(target: Path, overwrite: bool) -> Path:
    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"文件名应以 .xlsx 结尾：{target}")
    if target.exists() and not overwrite:
        raise OutputError(f"文件已存在：{target}。如需覆盖，请加 --force。")
    return target


def blank_workbook(agency: str, year: int | None, target: Path | None = None, *,
                   out_dir: Path | None = None, overwrite: bool = False) -> Path:
    """Write a blank input workbook with 机关名称 and 年度 filled in; return its path.

    ``target`` is the file; without it, :func:`workbook_file_name` in ``out_dir`` (default:
    the current folder)."""
    from generator.outputs.workbook import write_workbook

    agency = agency.strip()
    if target is None:
        target = (out_dir or Path.cwd()) / workbook_file_name(agency, year)
    return write_workbook(_workbook_target(target, overwrite), agency=agency, year=year,
                          overwrite=overwrite)


@dataclass(frozen=True)
class RollForwardResult:
    """``init --from``: next year's workbook and what came over from last year's."""

    written: Path
    carried: Carried
    #: what was carried, one paragraph in Chinese (:func:`generator.outputs.carry_forward.summary`)
    summary: str
    #: errors in last year's workbook (carried anyway)
    last_errors: tuple[Finding, ...] = ()
    #: how many of them touch 表三 四、结转下年度继续办理, the numbers carried forward
    touching_carry: int = 0

    @property
    def year_unknown(self) -> bool:
        return self.carried.year is None


def roll_forward(last: str | Path, target: Path | None = None, *, out_dir: Path | None = None,
                 overwrite: bool = False) -> RollForwardResult:
    """Write next year's workbook from last year's (``last`` is only read)."""
    from generator.checks.checker import check_read
    from generator.inputs.workbook.reader import read_workbook
    from generator.outputs.carry_forward import carry_from, carry_pairs, summary
    from generator.outputs.workbook import write_workbook

    last = Path(last)
    read = read_workbook(last)  # InputError when last year's file cannot be read
    carried = carry_from(read, last.name)
    if target is None:
        target = (out_dir or Path.cwd()) / workbook_file_name(
            str(carried.meta.get("agency") or ""), carried.year)
    written = write_workbook(_workbook_target(target, overwrite), overwrite=overwrite,
                             carried=carried)
    errors = check_read(read).errors
    forward = {last_id for _, last_id in carry_pairs()}
    touching = sum(1 for f in errors if forward & set(f.field_ids))
    return RollForwardResult(written, carried, summary(carried), errors, touching)


# ---------------------------------------------------------------------------
# import a published report


@dataclass(frozen=True)
class ImportOptions:
    target: Path | None = None  # the workbook to write; default: the report's name, .xlsx
    overwrite: bool = False
    agency: str | None = None  # when the report does not name it (or names it wrongly)
    year: int | None = None
    run_check: bool = False  # also check the report as published


@dataclass(frozen=True)
class ImportReportResult:
    """A published report turned into a workbook, with everything the clerk must look at."""

    imported: ImportResult
    written: Path
    #: what the clerk should verify: the importer's notes, then printed totals that differ
    notes: tuple[str, ...] = ()
    #: with ``run_check``: the numbers that could not be read (one error per table), then the
    #: findings over the report as published, without the rules about what only the workbook
    #: holds (S-3)
    findings: tuple[Finding, ...] = ()
    #: required 基本信息 items the report does not state (to fill in the workbook)
    missing_meta: tuple[str, ...] = ()
    checked: bool = False  # whether ``run_check`` was asked

    @property
    def unmapped(self) -> tuple[str, ...]:
        return tuple(self.imported.unmapped)

    @property
    def format_name(self) -> str:
        """How the report's file type is called: Word 文档（.docx）, 网页（.html）…"""
        from generator.inputs.importers import FORMAT_NAMES

        return FORMAT_NAMES.get(self.imported.source_format, self.imported.source_format)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def complete(self) -> bool:
        """Whether the import is finished: with ``run_check``, no error in the report as
        published; without, every number read (the others are blank in the workbook)."""
        return not self.has_errors if self.checked else self.imported.complete


def import_report(report: str | Path, options: ImportOptions = ImportOptions()) -> ImportReportResult:
    """Read a published report (.docx, .pdf, .html, .txt) and write it as an input workbook."""
    from generator.checks.checker import check_published
    from generator.form import META_FIELDS
    from generator.inputs.importers import check_source, unread_findings
    from generator.inputs.importers import import_report as read_report
    from generator.outputs.workbook import write_workbook

    report = Path(report)
    # What the file is comes first: a picture or the workbook itself is refused as such, not
    # met with advice about the output file (a workbook's default output is itself).
    kind = check_source(report)
    target = options.target or report.with_suffix(".xlsx")
    if target.exists() and not options.overwrite:  # say so before the work, not after it
        raise OutputError(f"文件已存在：{target}。如需覆盖，请加 --force；或用 -o 指定另一个文件名。")
    if target.resolve() == report.resolve():
        raise OutputError("输出文件不能与要导入的报告是同一个文件，请用 -o 指定另一个文件名。")
    imported = read_report(report, agency=options.agency, year=options.year, kind=kind)
    notes = (*imported.notes, *total_notes(imported.report))
    written = write_workbook(target, imported.report, overwrite=options.overwrite)
    meta = imported.report.meta
    missing = tuple(m.label for m in META_FIELDS
                    if m.required and not str(getattr(meta, m.key) or "").strip())
    findings: tuple[Finding, ...] = ()
    if options.run_check:
        # A published report rarely states every 基本信息 item (a portal page has no 发布日期):
        # what it lacks is for the clerk to fill in, not an error of the report.
        findings = (*unread_findings(imported), *check_published(imported.report))
    return ImportReportResult(imported, written, notes, findings, missing, options.run_check)


def total_notes(report: Report) -> list[str]:
    """Printed totals that differ from the sum of their parts (the workbook recomputes them)."""
    from generator.form import FIELDS, field_path

    recomputed = report.numbers.with_totals()
    return [f"原报告 {field_path(f.id)} 印的是 {report.numbers[f.id]}，明细合计为 "
            f"{recomputed[f.id]}；工作簿中的合计按明细自动计算"
            for f in FIELDS if f.is_total and report.numbers[f.id] != recomputed[f.id]]


# ---------------------------------------------------------------------------
# templates and fonts


def check_template(template: Path) -> None:
    """Raise :class:`~.errors.TemplateError` (exit 2) listing every problem of a custom .docx
    template: missing placeholders, broken Jinja, parts it may not hold."""
    from generator.outputs.docx import check_template as check

    check(template)


def write_standard_template(target: Path, *, overwrite: bool = False) -> Path:
    """The standard template (the styles a clerk may change in Word/WPS), written atomically."""
    from generator.outputs.template_builder import build_template
    from generator.safeio import write_bytes_atomic

    if target.exists() and not overwrite:
        raise OutputError(f"文件已存在：{target}。如需覆盖，请加 --force。")
    write_bytes_atomic(target, build_template())
    return target


def font_conversion_pending(options: "BuildOptions | BatchOptions") -> bool:
    """Whether a PDF made with ``options`` first converts the bundled fonts (a one-time wait
    of seconds the front end should announce); False when the fonts cannot be chosen at all
    (the PDF itself reports that)."""
    from generator.outputs.fonts import choose_fonts, conversion_pending
    from generator.outputs.glyphs import fixed_text

    try:
        return bool(conversion_pending(choose_fonts(options.font_paths, options.font_config),
                                       fixed_text=fixed_text()))
    except NianbaoError:
        return False


@dataclass(frozen=True)
class FontRow:
    """One font role of the PDF and the file chosen for it."""

    role: str  # 仿宋
    used_for: str  # 正文
    face: str
    file: str
    reason: str
    stand_in: bool  # not the official font (a bundled or substitute face)


@dataclass(frozen=True)
class FontReport:
    rows: tuple[FontRow, ...]
    warnings: tuple[str, ...]
    bundled: bool  # some role prints with the fonts that come with nianbao
    config_path: Path


def font_report(fonts: tuple[str, ...] | list[str], font_config: Path | None = None) -> FontReport:
    """Which font file each PDF role uses on this machine, and why (``nianbao fonts``)."""
    from generator.outputs.fonts import (
        ROLE_LABELS,
        ROLE_USES,
        ROLES,
        FontSearch,
        Source,
        choose_fonts,
        default_config_path,
        parse_font_args,
    )

    choices = choose_fonts(parse_font_args(fonts), font_config, FontSearch.from_environment())
    rows = []
    for role in ROLES:
        choice = choices[role]
        reason = choice.reason + ("，首次使用时转为 TrueType（每台电脑一次）" if choice.convert else "")
        rows.append(FontRow(ROLE_LABELS[role], ROLE_USES[role], choice.face,
                            str(choice.path) + (f"#{choice.index}" if choice.index else ""),
                            reason, choice.stand_in))
    return FontReport(tuple(rows), tuple(choices[r].warning for r in ROLES if choices[r].warning),
                      any(choices[r].source is Source.BUNDLED for r in ROLES),
                      font_config or default_config_path())


# ---------------------------------------------------------------------------
# year-over-year diff


@dataclass(frozen=True)
class DiffResult:
    last_year: int
    this_year: int
    changes: tuple[CellChange, ...]
    #: a change is implausible when one year is at least ``ratio`` times the other and both
    #: are at least ``min_value`` (``yeardiff.RATIO`` / ``MIN_VALUE``, for the explanation)
    ratio: int
    min_value: int

    @property
    def adjacent(self) -> bool:
        """Whether the two workbooks are of consecutive years (else one may be the wrong file)."""
        return self.this_year == self.last_year + 1

    @property
    def implausible(self) -> int:
        return sum(c.implausible for c in self.changes)


def diff(last: str | Path, this: str | Path) -> DiffResult:
    """Every table number that changed between last year's and this year's workbook."""
    from generator.checks.yeardiff import MIN_VALUE, RATIO, diff_reports
    from generator.inputs.workbook.reader import read_workbook

    last_read = read_workbook(last)
    this_read = read_workbook(this)
    changes = diff_reports(last_read.report, this_read.report, this_read.sources)
    return DiffResult(last_read.report.meta.year, this_read.report.meta.year, tuple(changes),
                      RATIO, MIN_VALUE)


# ---------------------------------------------------------------------------
# batch


@dataclass(frozen=True)
class BatchOptions:
    """``nianbao batch DIR``: what to write for each workbook found under ``source_dir``."""

    source_dir: Path
    out_dir: Path = Path("outputs")
    formats: tuple[str, ...] = ("docx",)
    jobs: int | None = None  # worker processes; None: one per CPU core
    previous_dir: Path | None = None  # last year's workbooks, matched by 机关名称 (Y-1, Y-2)
    pdf_engine: str = "reportlab"
    font_paths: dict[str, Path] = field(default_factory=dict)  # role -> font file
    font_config: Path | None = None
    #: also write the sum of the workbooks without errors as one workbook (全县汇总)
    aggregate: Path | None = None
    overwrite_aggregate: bool = False
    timeout: float | None = None  # seconds per workbook; None: the batch's default

    def __post_init__(self) -> None:
        unknown = [f for f in self.formats if f not in ALL_FORMATS]
        if unknown:
            raise ValueError(f"formats must be a subset of {ALL_FORMATS}: {self.formats}")
        if self.pdf_engine not in PDF_ENGINES:
            raise ValueError(f"unknown PDF engine {self.pdf_engine!r}")
        if self.jobs is not None and self.jobs < 1:
            raise ValueError("jobs must be at least 1")


@dataclass(frozen=True)
class BatchRow:
    """One workbook as the summary shows it on screen: its item and the on-screen columns."""

    item: BatchItem
    cells: tuple[str, ...]


@dataclass(frozen=True)
class BatchResult:
    items: tuple[BatchItem, ...]
    skipped: tuple[Path, ...]
    summary: Path  # the summary workbook (汇总-<年度>.xlsx)
    source_dir: Path = Path(".")
    #: ``aggregate``: the sum written, and where (None when not asked)
    aggregated: Aggregate | None = None
    aggregate_path: Path | None = None

    @property
    def failed(self) -> bool:
        """Whether a workbook has errors or could not be processed, or the aggregate left out
        an agency found in more than one workbook (exit code 1)."""
        from generator.batch import Status

        if self.aggregated is not None and self.aggregated.duplicates:
            return True
        return any(i.status in (Status.ERRORS, Status.UNREADABLE, Status.INTERNAL, Status.TIMEOUT)
                   for i in self.items)

    @property
    def screen_headings(self) -> tuple[tuple[str, int], ...]:
        """(heading, width) of the summary workbook's columns shown on screen."""
        from generator.batch_summary import COLUMNS

        return tuple((c.heading, c.width) for c in COLUMNS if c.on_screen)

    def screen_rows(self) -> tuple[BatchRow, ...]:
        """The items, problems first as in the summary workbook, with their on-screen cells."""
        from generator.batch_summary import COLUMNS, ordered, summary_rows

        items = ordered(list(self.items))
        shown = [i for i, column in enumerate(COLUMNS) if column.on_screen]
        return tuple(BatchRow(item, tuple("" if row[i] is None else str(row[i]) for i in shown))
                     for item, row in zip(items, summary_rows(items, self.source_dir)))


def display_name(path: Path) -> str:
    """A path as it can be printed (a GBK file name from a Windows archive decoded)."""
    from generator.batch import display_name as shown

    return shown(path)


def relative_name(path: Path, base: Path) -> str:
    """A batch's file as the county knows it: relative to the batch's folder, printable."""
    from generator.batch import relative_name as relative

    return relative(path, base)


def batch(options: BatchOptions, *, on_start: Callable[[int], None] | None = None,
          on_done: Callable[[BatchItem], None] | None = None) -> BatchResult:
    """Check and render every workbook under ``options.source_dir``, write the summary
    workbook and, when asked, the aggregate.

    Everything that can be refused is refused before the first workbook is read: a missing
    folder, no format, an aggregate target that would be overwritten or read back, and the
    LibreOffice PDF engine without LibreOffice on the machine.  ``on_start`` gets the number
    of workbooks, ``on_done`` each finished one (a progress bar)."""
    from generator.batch import (
        DEFAULT_TIMEOUT,
        SUMMARY_PREFIX,
        BatchPlan,
        find_workbooks,
        run_batch,
        summary_year,
    )
    from generator.batch_summary import write_summary
    from generator.outputs import RenderOptions

    source = options.source_dir
    if not source.is_dir():
        raise OutputError(f"找不到文件夹：{source}。请检查路径。")
    if options.aggregate is not None:
        _check_aggregate_target(options.aggregate, source, options.overwrite_aggregate)
    if not options.formats:
        raise OutputError("没有要生成的格式：去掉 --no-docx，或加 --pdf / --html。")
    if "pdf" in options.formats and options.pdf_engine == "libreoffice":
        from generator.outputs.libreoffice import require_soffice

        require_soffice()  # every workbook would fail the same way: say it once, first
    render_options = RenderOptions(pdf_engine=options.pdf_engine,
                                   font_paths=dict(options.font_paths),
                                   font_config=options.font_config)
    jobs = options.jobs or os.cpu_count() or 1
    plan = BatchPlan(source, options.out_dir, options.formats, jobs, options.previous_dir,
                     render_options, options.timeout or DEFAULT_TIMEOUT)
    items = run_batch(plan, on_start=on_start, on_done=on_done)
    _, skipped = find_workbooks(source)
    summary = write_summary(items, options.out_dir / f"{SUMMARY_PREFIX}{summary_year(items)}.xlsx",
                            source)
    aggregated, written = None, None
    if options.aggregate is not None:
        from generator.aggregate import aggregate as sum_up
        from generator.aggregate import write_aggregate

        aggregated = sum_up(items, source)
        written = write_aggregate(aggregated, options.aggregate, source,
                                  overwrite=options.overwrite_aggregate)
    return BatchResult(tuple(items), tuple(skipped), summary, source, aggregated, written)


def _check_aggregate_target(target: Path, source_dir: Path, overwrite: bool) -> None:
    """Refuse before the batch runs, not after it."""
    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"汇总工作簿的文件名应以 .xlsx 结尾：{target}")
    if source_dir.resolve() in target.resolve().parents:
        raise OutputError(f"汇总工作簿不能放在要处理的文件夹“{source_dir}”里：下次批量处理时它会被"
                          "当作一个机关的工作簿再加一次。请放到别的文件夹。")
    if target.exists() and not overwrite:
        raise OutputError(f"文件已存在：{target}。汇总工作簿可能已填写了基本信息，不会覆盖；"
                          "请换一个文件名，或加 --force 覆盖。")


__all__ = [
    "ALL_FORMATS", "DRAFT_FILE_PREFIX", "DRAFT_MARK", "PDF_ENGINES", "RULES", "RULE_BY_ID", "Rule", "BatchOptions", "BatchResult",
    "BatchRow", "BuildOptions", "BuildResult", "CheckResult", "DiffResult",
    "ImportOptions", "ImportReportResult", "NianbaoError", "RollForwardResult", "batch",
    "annotate", "blank_workbook", "build", "check", "diff", "display_name", "font_paths", "relative_name", "import_report", "output_stem", "roll_forward",
    "rules_markdown", "total_notes", "workbook_file_name",
]
