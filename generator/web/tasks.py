"""What each form of the page does, step by step, in a job thread (see :mod:`.jobs`).

Each step that reads or writes a report runs in a worker process (:meth:`Store.call`); the
job records which step it is on so the page can show progress.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from generator.web import work
from generator.web.jobs import Job, Store

FORMAT_STAGES = {"docx": "正在生成 Word 文档（.docx）", "pdf": "正在生成 PDF",
                 "html": "正在生成网页（HTML）"}


def check_and_build(store: Store, job: Job, source: Path) -> object:
    """检查并生成: check; without errors every format and a .zip, with errors a draft .docx."""
    job.step("正在读取并检查工作簿", total=5)
    view = store.call(work.check_workbook, source)
    job.done = 1
    if isinstance(view, work.Refused):
        return view
    if not view.passed:
        job.step("正在生成草稿", total=2)
        built = store.call(work.build, source, job.folder / "draft", ("docx",), True)
        if isinstance(built, work.Refused):
            return built
        (path,) = built.paths
        job.files["draft"] = (path, path.name)  # the build names a draft so
        return view
    out = job.folder / "out"
    written: list[Path] = []
    found: list[work.FindingView] = []
    for format_name in ("docx", "pdf", "html"):
        job.step(FORMAT_STAGES[format_name])
        built = store.call(work.build, source, out, (format_name,))
        if isinstance(built, work.Refused):
            job.files.clear()
            return built
        (path,) = built.paths
        job.files[format_name] = (path, path.name)
        written.append(path)
        found += [f for f in built.findings if f not in found]
        job.done += 1
    job.step("正在打包 .zip")
    archive = work.zip_outputs(tuple(written), out / f"{view.stem}.zip")
    job.files["zip"] = (archive, archive.name)
    return dataclasses.replace(view, render_findings=tuple(found))


def _workbook(job: Job, made: object) -> object:
    if isinstance(made, work.WorkbookMade):
        job.files["xlsx"] = (made.path, made.path.name)
    return made


def blank(store: Store, job: Job, agency: str, year: int | None) -> object:
    job.step("正在生成空白工作簿")
    return _workbook(job, store.call(work.blank, agency, year, job.folder / "out"))


def next_year(store: Store, job: Job, last: Path) -> object:
    job.step("正在由上年工作簿生成本年工作簿")
    return _workbook(job, store.call(work.roll_forward, last, job.folder / "out"))


def import_report(store: Store, job: Job, report: Path) -> object:
    job.step("正在读取已发布的年报")
    return _workbook(job, store.call(work.import_report, report, job.folder / "out"))


def diff(store: Store, job: Job, last: Path, this: Path) -> object:
    job.step("正在比较两年的数字")
    return store.call(work.diff, last, this)
