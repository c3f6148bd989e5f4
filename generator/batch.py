"""A whole county in one run: check and render every workbook under a folder.

The parent process finds the workbooks, hands each to a worker process, and collects one
:class:`BatchItem` per file.  Workers render into temporary files beside the final outputs;
only the parent names and renames them, so names never collide and a killed worker leaves
nothing but its temporary files, which the parent removes.

Isolation: one workbook can take down only its own row.  An exception becomes a row with
状态 内部错误; a workbook that runs past :attr:`BatchPlan.timeout` has its worker killed and
gets 超时; a worker that dies (a crash, the OOM killer) gives 内部错误 — and a fresh worker
takes the next file.  Workers watch their parent and exit when it is gone (even after
SIGKILL), so none outlives a killed batch.  Temporary names carry this run's own prefix, so
two batches writing into one folder never remove each other's files.

Per-process work (importing renderers, parsing the .docx template, registering fonts) happens
once in :func:`warm_up`, when a worker starts.  Work every worker would otherwise repeat at
the same time happens once before (:func:`prepare`), or beside them when it takes seconds and
only one format needs it (:class:`Preparation`: the PDF's first conversion of the bundled
fonts).  Workers then leave that format for later, and the parent hands each such row back
to a worker once the preparation has ended, so the .docx files are written meanwhile.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from generator.checks.checker import RULE_BY_ID
from generator.errors import NianbaoError
from generator.findings import Finding, Severity
from generator.form import report_title
from generator.naming import safe_file_stem
from generator.outputs import FORMATS, RenderOptions, output_path
from generator.outputs.engines import engine_module, write_format
from generator.report.model import Report
from generator.safeio import TEMP_PREFIX, alive, environment_message

#: file endings taken as workbooks (others are listed as skipped); .xls/.et are reported as
#: unreadable with the advice to save as .xlsx, rather than silently ignored.
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".et", ".ods"})
LOCK_FILE_PREFIX = "~$"
WORKER_DIED = "处理该文件时工作进程意外退出（可能文件过大或已损坏），已跳过。请单独运行 nianbao check 查看原因。"
INTERNAL = ("内部错误：{kind}：{detail}。这是 nianbao 的问题，不是该工作簿填写的问题；其他工作簿不受影响。"
            "请单独运行 nianbao --debug check 该文件，并把输出发给技术支持。")
TIMED_OUT = ("处理该文件超过 {seconds} 秒仍未完成，已停止并跳过（其他工作簿不受影响）。"
             "请单独运行 nianbao check 该文件查看原因。")
#: Seconds one workbook may take (read, check and every format) before its worker is killed.
#: A real workbook takes a few seconds even with PDF; a hostile one must not hold the county
#: batch for ever.
DEFAULT_TIMEOUT = 300.0
#: Summary files a batch writes (汇总-2025.xlsx); never read back as workbooks.
SUMMARY_PREFIX = "汇总-"
#: Temporary files of batch runs: TEMP_PREFIX + "batch<parent pid>-<random>-".
_BATCH_TEMP = re.compile(rf"^{re.escape(TEMP_PREFIX)}batch(\d+)-")


class Status(str, Enum):
    """A workbook's outcome, as printed in the summary."""

    PASSED = "通过"
    WARNINGS = "有警告"
    ERRORS = "有错误"
    UNREADABLE = "无法读取"
    INTERNAL = "内部错误"
    TIMEOUT = "超时"


@dataclass(frozen=True)
class KeyTotals:
    """The few numbers a reviewer scans in the summary.

    None where the number is not known: 主动公开信息条数 when the prose does not state it, a
    table number when a cell it is made of could not be read (V-3: text, an error value or a
    formula without a value in a number cell; the model holds 0 there, which must never be
    shown as the agency's number).
    """

    proactive_items: int | None  # 主动公开信息条数, when the prose states it
    new_requests: int | None
    disclosed: int | None
    review_total: int | None
    litigation_total: int | None


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
    #: formats still to write once what they need is ready (the PDF while a batch converts
    #: the fonts), and the checked report to write them from; empty on a finished row
    awaiting: tuple[str, ...] = ()
    report: Report | None = None


@dataclass(frozen=True)
class BatchPlan:
    """What to do: where to look, where to write, which formats, how many workers."""

    source_dir: Path
    out_dir: Path
    formats: tuple[str, ...] = ("docx",)
    jobs: int = 1
    previous_dir: Path | None = None
    options: RenderOptions = field(default_factory=RenderOptions)
    #: seconds per workbook before its worker is stopped (:data:`DEFAULT_TIMEOUT`)
    timeout: float = DEFAULT_TIMEOUT


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


def unread_fields(findings: Iterable[Finding]) -> frozenset[str]:
    """The fields whose cell could not be read as a number (the findings of the rules that
    say so name them: :attr:`~generator.checks.rules.Rule.number_unread`)."""
    return frozenset(i for f in findings
                     if f.rule in RULE_BY_ID and RULE_BY_ID[f.rule].number_unread
                     for i in f.field_ids)


def depends_on(field_id: str, unread: frozenset[str]) -> bool:
    """Whether ``field_id``'s value comes from a cell in ``unread``: the field itself, or for
    a total (always recomputed from its parts by the reader) any of its parts."""
    from generator.form import FIELD_BY_ID

    f = FIELD_BY_ID[field_id]
    if not f.is_total:
        return field_id in unread
    return any(depends_on(part, unread) for part in f.sum_of)


def key_totals(report: Report, unread: frozenset[str] = frozenset()) -> KeyTotals:
    """The summary's numbers of ``report``; None for one that depends on a cell in ``unread``
    (nothing invented: an unreadable cell is not a 0)."""
    n = report.numbers

    def known(*field_ids: str) -> int | None:
        if any(depends_on(i, unread) for i in field_ids):
            return None
        return sum(int(n[i]) for i in field_ids)

    return KeyTotals(
        proactive_items=proactive_items(report),
        new_requests=known("t3.new.total"),
        disclosed=known("t3.disclosed.total"),
        review_total=known("t4.cases.review_total"),
        litigation_total=known("t4.cases.direct_suit_total", "t4.cases.suit_after_review_total"),
    )


# ---------------------------------------------------------------------------
# The worker side


def warm_up(formats: Sequence[str], options: RenderOptions) -> None:
    """Do once per process what every report would otherwise repeat: import the checker and
    the renderers, parse the template, register fonts (each renderer caches its own)."""
    for format_name in formats:
        warm = _engine_hook(format_name, options, "warm_up")
        if warm is not None:
            warm(options)


def prepare(formats: Sequence[str], options: RenderOptions, jobs: int) -> None:
    """Once, before the workers need it: what every worker would otherwise do at the same
    time (the PDF converts the bundled fonts' everyday pieces with ``jobs`` processes)."""
    for format_name in formats:
        hook = _engine_hook(format_name, options, "prepare")
        if hook is not None:
            hook(options, jobs)


def _engine_hook(format_name: str, options: RenderOptions, hook: str) -> Callable[..., Any] | None:
    """A function the module of ``format_name``'s engine offers to batches, if it has one."""
    name = engine_module(format_name, options)
    if name is None:
        return None
    module = __import__(f"generator.outputs.{name}", fromlist=[hook])
    found: Callable[..., Any] | None = getattr(module, hook, None)
    return found


def prepare_apart(formats: Sequence[str], options: RenderOptions) -> tuple[str, ...]:
    """The formats whose :func:`prepare` is worth running in a process of its own beside the
    workers (the PDF's first conversion of the bundled fonts: seconds of work the workers'
    .docx need not wait for)."""
    apart = []
    for format_name in formats:
        hook = _engine_hook(format_name, options, "prepare_apart")
        if hook is not None and hook(options):
            apart.append(format_name)
    return tuple(apart)


def _prepare_in_own_process(parent_pid: int, formats: tuple[str, ...], options: RenderOptions,
                            jobs: int) -> None:
    """The life of the process :class:`Preparation` starts: prepare, then end."""
    _watch_parent(parent_pid)
    try:
        prepare(formats, options, jobs)
    except Exception:  # noqa: BLE001 - each workbook then reports what fails for it
        pass


class Preparation:
    """:func:`prepare` of some formats running in its own process while the workers start.

    Until it ends, workers leave those formats for later (:attr:`later`); a row that is
    otherwise finished waits for them (see :func:`_run_in_workers`).  The process is not a
    daemon: the conversion it runs uses processes of its own.
    """

    def __init__(self, formats: tuple[str, ...], options: RenderOptions, jobs: int) -> None:
        self.later = formats
        self._process = multiprocessing.get_context().Process(
            target=_prepare_in_own_process, name="nianbao-batch-prepare",
            args=(os.getpid(), formats, options, jobs))
        self._process.start()

    @property
    def sentinel(self) -> int:
        return self._process.sentinel

    def running(self) -> bool:
        return self._process.is_alive()

    def stop(self) -> None:
        """End it (a batch that is over needs nothing it would still prepare)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=5)


def _status(findings: Sequence[Finding]) -> Status:
    if any(f.severity is Severity.ERROR for f in findings):
        return Status.ERRORS
    if any(f.severity is Severity.WARNING for f in findings):
        return Status.WARNINGS
    return Status.PASSED


def process_workbook(source: Path, out_dir: Path, formats: Sequence[str],
                     options: RenderOptions, previous: dict[str, Path] | None = None, *,
                     later: Sequence[str] = ()) -> BatchItem:
    """Read, check and (when there are no errors) render one workbook into temporary files.

    ``previous`` maps 机关名称 to last year's workbook; the match is made after reading, so the
    cross-year rules run without reading any file twice.  Formats in ``later`` are left for
    :func:`finish_workbook` (the row says which, and carries the report for them).
    """
    from generator.checks.checker import check_read, for_build
    from generator.inputs.workbook.reader import read_workbook

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
        first_error=_first_error_text(errors),
        totals=key_totals(report, unread_fields(result.findings)))
    if errors:
        return item
    wanted = [f for f in FORMATS if f in formats]  # in FORMATS order, see _write_formats
    awaiting = tuple(f for f in wanted if f in later)
    item = replace(item, awaiting=awaiting, report=report if awaiting else None)
    return _write_formats(item, report, [f for f in wanted if f not in awaiting], out_dir,
                          options)


def finish_workbook(item: BatchItem, out_dir: Path, options: RenderOptions) -> BatchItem:
    """Write the formats a row of :func:`process_workbook` left for later."""
    if item.report is None or not item.awaiting:
        return replace(item, awaiting=(), report=None)
    return _write_formats(replace(item, awaiting=(), report=None), item.report, item.awaiting,
                          out_dir, options)


def _write_formats(item: BatchItem, report: Report, formats: Sequence[str], out_dir: Path,
                   options: RenderOptions) -> BatchItem:
    """``item`` with ``formats`` of ``report`` written into temporary files too; on any failure
    the row's error, and none of its temporary files left."""
    pending = dict(item.pending)
    try:
        # in FORMATS order: the LibreOffice PDF engine converts the .docx written first
        for format_name in formats:
            tmp = _temporary_output(out_dir, FORMATS[format_name][1])
            pending[format_name] = tmp
            write_format(format_name, report, tmp, options, docx=pending.get("docx"))
    except Exception as error:  # noqa: BLE001 - one broken report must not stop the batch
        for tmp in pending.values():
            tmp.unlink(missing_ok=True)
        item = replace(item, pending={}, awaiting=(), report=None)
        if isinstance(error, OSError) and environment_message(error, out_dir):
            return replace(item, status=Status.ERRORS, errors=item.errors + 1,
                           first_error=str(environment_message(error, out_dir)))
        if not isinstance(error, NianbaoError):
            return replace(internal_error(item.source, error), agency=item.agency,
                           year=item.year, warnings=item.warnings, totals=item.totals)
        return replace(item, status=Status.ERRORS, errors=item.errors + 1, first_error=str(error))
    return replace(item, pending=pending)


def _first_error_text(errors: Sequence[Finding]) -> str:
    if not errors:
        return ""
    first = errors[0]
    where = f"{first.cells[0]} " if first.cells else ""
    return f"{where}{first.message}"


#: The prefix of this run's temporary files; a worker gets its parent's (see :func:`_worker`).
_run_prefix = f"{TEMP_PREFIX}batch{os.getpid()}-{secrets.token_hex(4)}-"


def _temporary_output(out_dir: Path, suffix: str) -> Path:
    import tempfile

    fd, name = tempfile.mkstemp(prefix=_run_prefix, suffix=suffix, dir=out_dir)
    os.close(fd)
    return Path(name)


def internal_error(source: Path, error: BaseException) -> BatchItem:
    """The row of a workbook whose processing raised something nianbao did not foresee."""
    detail = readable(str(error))[:300] or "（无说明）"
    return BatchItem(source, Status.INTERNAL, errors=1,
                     first_error=INTERNAL.format(kind=type(error).__name__, detail=detail))


def process_isolated(source: Path, out_dir: Path, formats: Sequence[str],
                     options: RenderOptions, previous: dict[str, Path] | None = None, *,
                     later: Sequence[str] = ()) -> BatchItem:
    """:func:`process_workbook`, with any exception turned into that workbook's row."""
    try:
        return process_workbook(source, out_dir, formats, options, previous, later=later)
    except Exception as error:  # noqa: BLE001 - one workbook must never stop the batch
        return internal_error(source, error)


def finish_isolated(item: BatchItem, out_dir: Path, options: RenderOptions) -> BatchItem:
    """:func:`finish_workbook`, with any exception turned into that workbook's row."""
    try:
        return finish_workbook(item, out_dir, options)
    except Exception as error:  # noqa: BLE001 - one workbook must never stop the batch
        for tmp in item.pending.values():
            tmp.unlink(missing_ok=True)
        return internal_error(item.source, error)


def readable(text: str) -> str:
    """``text`` with undecodable file-name bytes shown as characters.

    A file unzipped from a Windows archive may have a GBK-encoded name; Python keeps its
    bytes as lone surrogates, which no console or workbook can write.  They are decoded as
    GB18030 (a superset of GBK), the encoding such names come in, or replaced.
    """
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    raw = text.encode("utf-8", errors="surrogateescape")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def display_name(path: Path) -> str:
    """A path as it can be printed and stored (see :func:`readable`)."""
    return readable(str(path))


def relative_name(path: Path, base: Path) -> str:
    """``path`` as the county knows it: relative to the batch's folder ``base`` (as it is,
    if outside it), printable as :func:`display_name`."""
    try:
        return display_name(path.relative_to(base))
    except ValueError:
        return display_name(path)


# ---------------------------------------------------------------------------
# The parent side


def previous_by_agency(previous_dir: Path) -> dict[str, Path]:
    """Last year's workbooks keyed by 机关名称 (the first file wins for a repeated name)."""
    from generator.inputs.workbook.reader import read_workbook

    found: dict[str, Path] = {}
    workbooks, _ = find_workbooks(previous_dir)
    for path in workbooks:
        try:
            agency = read_workbook(path).report.meta.agency
        except Exception:  # noqa: BLE001 - an unreadable last-year file is simply not matched
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
    item = replace(item, agency=readable(item.agency), first_error=readable(item.first_error))
    if not item.pending:
        return item
    stem = unique_stem(safe_file_stem(report_title(item.agency, item.year or 0)), taken)
    outputs = []
    try:
        for format_name, tmp in item.pending.items():
            final = output_path(out_dir, stem, format_name)
            os.replace(tmp, final)
            outputs.append(final)
    except OSError as error:
        from generator.safeio import os_error_message

        for tmp in item.pending.values():
            Path(tmp).unlink(missing_ok=True)
        return replace(item, status=Status.ERRORS, errors=item.errors + 1, pending={},
                       outputs=tuple(outputs), first_error=os_error_message(error, out_dir))
    return replace(item, outputs=tuple(outputs), pending={})


def remove_temporary_files(out_dir: Path, prefix: str | None = None) -> None:
    """Remove this run's temporary files, and those of batch runs whose process is gone.

    Another batch writing into the same folder at the same time keeps its own files.
    """
    prefix = prefix or _run_prefix
    try:
        names = os.listdir(out_dir)
    except OSError:
        return
    for name in names:
        match = _BATCH_TEMP.match(name)
        if name.startswith(prefix) or (match and os.name == "posix"
                                       and not alive(int(match.group(1)))):
            try:
                (out_dir / name).unlink()
            except OSError:
                pass


def is_summary_file(path: Path) -> bool:
    return path.name.startswith(SUMMARY_PREFIX) and path.suffix.lower() == ".xlsx"


def workbooks_to_process(plan: BatchPlan) -> list[Path]:
    """The workbooks under the source folder, less what this batch writes itself.

    An output folder inside the source folder is not looked into (it holds last run's
    outputs); an output folder that *is* the source folder, or contains it (``batch d -o d``),
    still has every workbook processed — only summary files (汇总-*.xlsx) are left out.
    """
    workbooks, _ = find_workbooks(plan.source_dir)
    source, out = plan.source_dir.resolve(), plan.out_dir.resolve()
    kept = []
    for path in workbooks:
        resolved = path.resolve()
        if out != source and source in out.parents and out in resolved.parents:
            continue
        if resolved.parent == out and is_summary_file(path):
            continue
        kept.append(path)
    return kept


def run_batch(plan: BatchPlan, *, on_start: Callable[[int], None] | None = None,
              on_done: Callable[[BatchItem], None] | None = None) -> list[BatchItem]:
    """Process every workbook of ``plan``; results in the order the files were found.

    Every workbook gets a row, whatever happens to it (see the module docstring).
    """
    plan.out_dir.mkdir(parents=True, exist_ok=True)
    workbooks = workbooks_to_process(plan)
    previous = previous_by_agency(plan.previous_dir) if plan.previous_dir else {}
    if on_start:
        on_start(len(workbooks))
    preparation = start_preparation(plan) if workbooks else None
    results: dict[Path, BatchItem] = {}
    taken: set[str] = set()

    def done(item: BatchItem) -> None:
        item = finalise(item, plan.out_dir, taken)
        results[item.source] = item
        if on_done:
            on_done(item)

    try:
        _run_in_workers(plan, workbooks, previous, done, preparation)
    finally:
        if preparation is not None:
            preparation.stop()
        remove_temporary_files(plan.out_dir)
    return [results[path] for path in workbooks if path in results]


def start_preparation(plan: BatchPlan) -> Preparation | None:
    """Prepare what the formats need before the workers start (:func:`prepare`), except what
    is better done beside them (:func:`prepare_apart`): that is started in its own process,
    which is returned.  A failure here is not the batch's: each workbook reports its own."""
    try:
        apart = prepare_apart(plan.formats, plan.options)
        prepare([f for f in plan.formats if f not in apart], plan.options, plan.jobs)
        return Preparation(apart, plan.options, plan.jobs) if apart else None
    except Exception:  # noqa: BLE001 - each workbook then reports what fails for it
        return None


# ---------------------------------------------------------------------------
# Worker processes


#: How often a worker checks that its parent is still there, in seconds.
PARENT_POLL_SECONDS = 0.5


def _watch_parent(parent_pid: int) -> None:
    """End this worker as soon as the batch that started it is gone.

    On Linux the kernel sends SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG); on
    every POSIX system a thread also notices the worker being re-parented; on Windows the
    thread waits on the parent's process handle.
    """
    if os.name == "posix":
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

        def poll() -> None:
            while os.getppid() == parent_pid:
                time.sleep(PARENT_POLL_SECONDS)
            os._exit(1)
    else:
        parent = multiprocessing.parent_process()
        if parent is None:
            return

        def poll() -> None:
            from multiprocessing.connection import wait

            wait([parent.sentinel])
            os._exit(1)

    if os.getppid() != parent_pid and os.name == "posix":
        os._exit(1)  # the parent died before we started watching
    threading.Thread(target=poll, name="nianbao-parent-watch", daemon=True).start()


def _worker(conn: "multiprocessing.connection.Connection", parent_pid: int, run_prefix: str,
            formats: tuple[str, ...], options: RenderOptions, later: tuple[str, ...]) -> None:
    """A worker's life: warm up (but for the formats left for later), then take tasks until
    told to stop: ``(source, out_dir, previous, later, resume)``, as ``assign`` in
    :func:`_run_in_workers` sends them (``resume``: a row to finish, see :class:`_Task`)."""
    global _run_prefix
    _watch_parent(parent_pid)
    _run_prefix = run_prefix
    try:
        warm_up([f for f in formats if f not in later], options)
    except Exception:  # noqa: BLE001 - each workbook will report what fails for it
        pass
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        source, out_dir, previous, later, resume = task
        if resume is not None:
            conn.send(finish_isolated(resume, out_dir, options))
        else:
            conn.send(process_isolated(source, out_dir, formats, options, previous, later=later))


@dataclass(frozen=True)
class _Task:
    """A workbook for a worker to process, or a row of one whose formats left for later it
    is to finish (``resume``)."""

    source: Path
    resume: BatchItem | None = None


@dataclass
class _Slot:
    """One worker process and the task it is working on."""

    process: multiprocessing.process.BaseProcess
    conn: "multiprocessing.connection.Connection"
    task: _Task | None = None
    deadline: float = 0.0


def _run_in_workers(plan: BatchPlan, workbooks: Sequence[Path], previous: dict[str, Path],
                    done: Callable[[BatchItem], None],
                    preparation: Preparation | None = None) -> None:
    """Run the workbooks in up to ``plan.jobs`` worker processes, each under a time limit.

    While ``preparation`` runs, workers leave its formats for later; a row back with formats
    awaiting waits here and goes back to a worker, ahead of the remaining workbooks, once
    the preparation has ended.  So the first batch on a machine without Chinese fonts writes
    its .docx files while the fonts are converted, instead of after.
    """
    from multiprocessing.connection import wait

    context = multiprocessing.get_context()
    queue = [_Task(path) for path in reversed(workbooks)]
    waiting: list[BatchItem] = []  # rows whose formats await the preparation
    slots: list[_Slot] = []

    def later() -> tuple[str, ...]:
        return preparation.later if preparation is not None and preparation.running() else ()

    def start() -> _Slot:
        parent_end, child_end = context.Pipe()
        process = context.Process(target=_worker, name="nianbao-batch-worker", daemon=True,
                                  args=(child_end, os.getpid(), _run_prefix, plan.formats,
                                        plan.options, later()))
        process.start()
        child_end.close()
        return _Slot(process, parent_end)

    def stop(slot: _Slot) -> None:
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join()
        slot.conn.close()
        slots.remove(slot)

    def assign(slot: _Slot) -> None:
        if not queue:
            return
        task = slot.task = queue.pop()
        slot.deadline = time.monotonic() + plan.timeout
        try:
            slot.conn.send((task.source, plan.out_dir, previous, later(), task.resume))
        except (OSError, ValueError):  # died while idle: its sentinel reports it next round
            pass

    def returned(item: BatchItem) -> None:
        if not item.awaiting:
            done(item)
        elif later():
            waiting.append(item)
        else:  # the preparation ended while this row was on its way
            queue.append(_Task(item.source, item))

    try:
        while queue or waiting or any(s.task is not None for s in slots):
            if waiting and not later():  # the preparation has ended: finish its rows first
                queue.extend(_Task(item.source, item) for item in reversed(waiting))
                waiting.clear()
                for slot in slots:
                    if slot.task is None:
                        assign(slot)
            while queue and len(slots) < max(plan.jobs, 1):
                slot = start()
                slots.append(slot)
                assign(slot)  # the time limit includes the worker's warm-up (a few seconds)
            now = time.monotonic()
            busy = [s for s in slots if s.task is not None]
            timeout = max(0.0, min((s.deadline for s in busy), default=now + 1.0) - now)
            waitables: list[object] = [s.conn for s in slots] + [s.process.sentinel for s in slots]
            if later() and preparation is not None:
                waitables.append(preparation.sentinel)
            ready = wait(waitables, timeout=min(timeout, 1.0))
            for slot in list(slots):
                if slot.conn in ready or slot.process.sentinel in ready:
                    try:
                        item = slot.conn.recv()
                    except (EOFError, OSError):  # the worker died
                        if slot.task is not None:
                            done(BatchItem(slot.task.source, Status.INTERNAL, errors=1,
                                           first_error=WORKER_DIED))
                        stop(slot)
                        continue
                    slot.task = None
                    returned(item)
                    assign(slot)
                elif slot.task is not None and time.monotonic() > slot.deadline:
                    source = slot.task.source
                    stop(slot)
                    done(BatchItem(source, Status.TIMEOUT, errors=1,
                                   first_error=TIMED_OUT.format(seconds=f"{plan.timeout:g}")))
            for slot in list(slots):  # idle workers with nothing left to do may go
                if slot.task is None and not queue and not waiting:
                    try:
                        slot.conn.send(None)
                    except (OSError, ValueError):
                        pass
                    stop(slot)
    finally:
        for slot in list(slots):
            try:
                slot.conn.send(None)
            except (OSError, ValueError):
                pass
        for slot in list(slots):
            slot.process.join(timeout=5)
            stop(slot)


def summary_year(items: Iterable[BatchItem]) -> str:
    """The year most workbooks report, for the summary's file name."""
    years = Counter(item.year for item in items if item.year)
    return str(years.most_common(1)[0][0]) if years else "未知年度"
