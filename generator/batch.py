"""A whole county in one run: check and render every workbook under a folder.

The parent process finds the workbooks, hands each to a worker, and collects one
:class:`BatchItem` per file.  Workers render into temporary files beside the final outputs;
only the parent names and renames them, so names never collide and a killed worker leaves
nothing but its temporary files, which the parent removes.

Per-process work (importing renderers, parsing the .docx template, registering fonts) happens
once in :func:`warm_up`, run as the pool initializer.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .errors import NianbaoError
from .findings import Finding, Severity
from .form import report_title
from .model import Report
from .naming import safe_file_stem
from .render import FORMATS, RenderOptions, output_path, renderer
from .safeio import TEMP_PREFIX

#: file endings taken as workbooks (others are listed as skipped); .xls/.et are reported as
#: unreadable with the advice to save as .xlsx, rather than silently ignored.
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".et", ".ods"})
LOCK_FILE_PREFIX = "~$"
WORKER_DIED = "处理该文件时工作进程意外退出（可能文件过大或已损坏），已跳过。请单独运行 nianbao check 查看原因。"


class Status(str, Enum):
    """A workbook's outcome, as printed in the summary."""

    PASSED = "通过"
    WARNINGS = "有警告"
    ERRORS = "有错误"
    UNREADABLE = "无法读取"


@dataclass(frozen=True)
class KeyTotals:
    """The few numbers a reviewer scans in the summary."""

    proactive_items: int | None  # 主动公开信息条数, when the prose states it
    new_requests: int
    disclosed: int
    review_total: int
    litigation_total: int


@dataclass(frozen=True)
class BatchItem:
    """What happened to one workbook."""

    source: Path
    status: Status
    agency: str = ""
    year: int | None = None
    errors: int = 0
    warnings: int = 0
    first_error: str = ""
    totals: KeyTotals | None = None
    outputs: tuple[Path, ...] = ()
    #: temporary outputs a worker wrote, by format name; the parent renames them
    pending: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchPlan:
    """What to do: where to look, where to write, which formats, how many workers."""

    source_dir: Path
    out_dir: Path
    formats: tuple[str, ...] = ("docx",)
    jobs: int = 1
    previous_dir: Path | None = None
    options: RenderOptions = field(default_factory=RenderOptions)


def find_workbooks(root: Path) -> tuple[list[Path], list[Path]]:
    """(workbooks, skipped files) under ``root``, recursively, in a stable order.

    Office lock files (``~$…``) and files that are not workbooks are skipped; hidden folders
    and our own temporary files are not looked into.
    """
    workbooks: list[Path] = []
    skipped: list[Path] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if name.startswith(TEMP_PREFIX):
                continue
            if name.startswith(LOCK_FILE_PREFIX) or path.suffix.lower() not in WORKBOOK_SUFFIXES:
                skipped.append(path)
            else:
                workbooks.append(path)
    return workbooks, skipped


_PROACTIVE_ITEMS = re.compile(r"主动公开[^。；，,]{0,12}?(?:信息|各类信息)?(?:共)?(\d+)\s*条")


def proactive_items(report: Report) -> int | None:
    """主动公开信息条数 as the 一（一） prose states it (the tables have no such number)."""
    for key in ("overview.proactive", "overview"):
        for paragraph in report.narrative[key].paragraphs:
            match = _PROACTIVE_ITEMS.search(paragraph)
            if match:
                return int(match.group(1))
    return None


def key_totals(report: Report) -> KeyTotals:
    n = report.numbers
    return KeyTotals(
        proactive_items=proactive_items(report),
        new_requests=int(n["t3.new.total"]),
        disclosed=int(n["t3.disclosed.total"]),
        review_total=int(n["t4.cases.review_total"]),
        litigation_total=int(n["t4.cases.direct_suit_total"]) + int(n["t4.cases.suit_after_review_total"]),
    )


# ---------------------------------------------------------------------------
# The worker side


def warm_up(formats: Sequence[str], options: RenderOptions) -> None:
    """Do once per process what every report would otherwise repeat: import the checker and
    the renderers, parse the template, register fonts (each renderer caches its own)."""
    from . import checker  # noqa: F401  (import cost paid once)

    for format_name in formats:
        warm = getattr(__import__(f"generator.render.{FORMATS[format_name][0]}",
                                  fromlist=["warm_up"]), "warm_up", None)
        if warm is not None:
            warm(options)


def prepare(formats: Sequence[str], options: RenderOptions, jobs: int) -> None:
    """Once, in the parent, before any worker starts: what every worker would otherwise do
    at the same time (the PDF converts the bundled fonts' everyday pieces with ``jobs``
    processes)."""
    for format_name in formats:
        module = __import__(f"generator.render.{FORMATS[format_name][0]}", fromlist=["prepare"])
        hook = getattr(module, "prepare", None)
        if hook is not None:
            hook(options, jobs)


def _status(findings: Sequence[Finding]) -> Status:
    if any(f.severity is Severity.ERROR for f in findings):
        return Status.ERRORS
    if any(f.severity is Severity.WARNING for f in findings):
        return Status.WARNINGS
    return Status.PASSED


def process_workbook(source: Path, out_dir: Path, formats: Sequence[str],
                     options: RenderOptions, previous: dict[str, Path] | None = None) -> BatchItem:
    """Read, check and (when there are no errors) render one workbook into temporary files.

    ``previous`` maps 机关名称 to last year's workbook; the match is made after reading, so the
    cross-year rules run without reading any file twice.
    """
    from .checker import check_read, for_build
    from .workbook.reader import read_workbook

    try:
        read = read_workbook(source)
        last_path = (previous or {}).get(read.report.meta.agency.strip())
        last = read_workbook(last_path).report if last_path else None
    except NianbaoError as error:
        return BatchItem(source, Status.UNREADABLE, first_error=str(error), errors=1)
    result = for_build(check_read(read, previous=last))  # S-3: 发布日期 needed to build
    report = result.report
    errors = result.errors
    item = BatchItem(
        source, _status(result.findings), agency=report.meta.agency, year=report.meta.year,
        errors=len(errors), warnings=len(result.warnings),
        first_error=_first_error_text(errors), totals=key_totals(report))
    if errors:
        return item
    pending: dict[str, Path] = {}
    try:
        for format_name in formats:
            tmp = _temporary_output(out_dir, FORMATS[format_name][1])
            pending[format_name] = tmp
            renderer(format_name)(report, tmp, options)
    except Exception as error:  # noqa: BLE001 - one broken report must not stop the batch
        for tmp in pending.values():
            tmp.unlink(missing_ok=True)
        message = str(error) if isinstance(error, NianbaoError) else f"生成失败：{type(error).__name__}：{error}"
        return replace(item, status=Status.ERRORS, errors=item.errors + 1, first_error=message)
    return replace(item, pending=pending)


def _first_error_text(errors: Sequence[Finding]) -> str:
    if not errors:
        return ""
    first = errors[0]
    where = f"{first.cells[0]} " if first.cells else ""
    return f"{where}{first.message}"


def _temporary_output(out_dir: Path, suffix: str) -> Path:
    import tempfile

    fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=suffix, dir=out_dir)
    os.close(fd)
    return Path(name)


# ---------------------------------------------------------------------------
# The parent side


def previous_by_agency(previous_dir: Path) -> dict[str, Path]:
    """Last year's workbooks keyed by 机关名称 (the first file wins for a repeated name)."""
    from .workbook.reader import read_workbook

    found: dict[str, Path] = {}
    workbooks, _ = find_workbooks(previous_dir)
    for path in workbooks:
        try:
            agency = read_workbook(path).report.meta.agency
        except NianbaoError:
            continue
        found.setdefault(agency.strip(), path)
    return found


def unique_stem(stem: str, taken: set[str]) -> str:
    """``stem``, or ``stem（2）``, ``stem（3）``… the first one this run has not used yet.

    Two workbooks of the same agency (a resubmission, a copy) both get their outputs; neither
    overwrites the other.  Case is folded because Windows file names are case-insensitive.
    """
    candidate, number = stem, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{stem}（{number}）"
    taken.add(candidate.casefold())
    return candidate


def finalise(item: BatchItem, out_dir: Path, taken: set[str]) -> BatchItem:
    """Give a worker's temporary outputs their final, unique names (parent process only)."""
    if not item.pending:
        return item
    stem = unique_stem(safe_file_stem(report_title(item.agency, item.year or 0)), taken)
    outputs = []
    for format_name, tmp in item.pending.items():
        final = output_path(out_dir, stem, format_name)
        os.replace(tmp, final)
        outputs.append(final)
    return replace(item, outputs=tuple(outputs), pending={})


def remove_temporary_files(out_dir: Path) -> None:
    for leftover in out_dir.glob(f"{TEMP_PREFIX}*"):
        leftover.unlink(missing_ok=True)


def run_batch(plan: BatchPlan, *, on_start: Callable[[int], None] | None = None,
              on_done: Callable[[BatchItem], None] | None = None) -> list[BatchItem]:
    """Process every workbook of ``plan``; results in the order the files were found."""
    plan.out_dir.mkdir(parents=True, exist_ok=True)
    workbooks, _ = find_workbooks(plan.source_dir)
    workbooks = [w for w in workbooks if plan.out_dir.resolve() not in w.resolve().parents]
    previous = previous_by_agency(plan.previous_dir) if plan.previous_dir else {}
    if on_start:
        on_start(len(workbooks))
    prepare(plan.formats, plan.options, plan.jobs)
    results: dict[Path, BatchItem] = {}
    taken: set[str] = set()

    def done(item: BatchItem) -> None:
        item = finalise(item, plan.out_dir, taken)
        results[item.source] = item
        if on_done:
            on_done(item)

    try:
        if plan.jobs <= 1:
            warm_up(plan.formats, plan.options)
            for path in workbooks:
                done(process_workbook(path, plan.out_dir, plan.formats, plan.options, previous))
        else:
            _run_in_pool(plan, workbooks, previous, done)
    finally:
        remove_temporary_files(plan.out_dir)
    return [results[path] for path in workbooks if path in results]


def _run_in_pool(plan: BatchPlan, workbooks: Sequence[Path], previous: dict[str, Path],
                 done: Callable[[BatchItem], None]) -> None:
    """Run in worker processes; a worker that dies takes only its own file down with it.

    A killed worker breaks the pool and every unfinished file fails with it.  Those files are
    then run one per fresh single-worker pool, so the one that kills its worker again is
    reported on its own and the others complete.
    """
    from concurrent.futures import as_completed

    broken: list[Path] = []
    with ProcessPoolExecutor(max_workers=plan.jobs, initializer=warm_up,
                             initargs=(plan.formats, plan.options)) as pool:
        futures: dict[Future[BatchItem], Path] = {
            pool.submit(process_workbook, path, plan.out_dir, plan.formats, plan.options,
                        previous): path
            for path in workbooks
        }
        for future in as_completed(futures):
            try:
                done(future.result())
            except BrokenProcessPool:
                broken.append(futures[future])
    for path in broken:
        with ProcessPoolExecutor(max_workers=1, initializer=warm_up,
                                 initargs=(plan.formats, plan.options)) as pool:
            future = pool.submit(process_workbook, path, plan.out_dir, plan.formats,
                                 plan.options, previous)
            try:
                done(future.result())
            except BrokenProcessPool:
                done(BatchItem(path, Status.UNREADABLE, errors=1, first_error=WORKER_DIED))


def summary_year(items: Iterable[BatchItem]) -> str:
    """The year most workbooks report, for the summary's file name."""
    years = Counter(item.year for item in items if item.year)
    return str(years.most_common(1)[0][0]) if years else "未知年度"
