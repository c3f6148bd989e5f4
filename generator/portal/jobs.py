"""Generation in a bounded pool of worker processes, so uploads stay responsive.

An upload is stored and its :class:`~.models.Version` committed as ``queued`` before the clerk
gets an answer; then the version is checked and rendered in a worker process, and the
results are stored and committed in one transaction.  At start-up every version still
``queued`` (the server was killed meanwhile) is queued again, so nothing acknowledged is lost.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from generator.portal import generate, storage
from generator.portal.config import PortalConfig

log = logging.getLogger("generator.portal")
WORKER_DIED = ("处理该文件时工作进程意外退出（可能文件过大或已损坏）。请重新上传；"
               "若仍不行，请在命令行运行 nianbao check 查看原因。")


def default_workers() -> int:
    # One process per core (at most 4): generation is CPU-bound; more would only queue.
    return max(1, min(4, os.cpu_count() or 1))


class Generator:
    def __init__(self, config: PortalConfig, workers: int | None = None) -> None:
        self.config = config
        self.workers = workers or default_workers()
        self._processes: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        # The threads only wait for the processes and write the results.
        self._threads = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="portal-gen")
        self._pending = threading.Semaphore(0)
        self.idle = threading.Event()
        self.idle.set()
        self._active = 0

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._processes is None:
                self._processes = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=generate.warm_up, initargs=(os.getpid(),))
            return self._processes

    def submit(self, version_id: int) -> None:
        with self._lock:
            self._active += 1
            self.idle.clear()
        self._threads.submit(self._run, version_id)

    def resume(self) -> int:
        """Queue every version left ``queued`` by a previous run; return how many."""
        from generator.portal.models import Version

        ids = list(Version.objects.filter(state="queued").order_by("id").values_list("id", flat=True))
        for version_id in ids:
            self.submit(version_id)
        return len(ids)

    def _run(self, version_id: int) -> None:
        from django.db import close_old_connections

        try:
            self._generate(version_id)
        except Exception:  # noqa: BLE001 - logged; the version stays queued for the next start
            log.exception("generation of version %s failed", version_id)
        finally:
            close_old_connections()
            with self._lock:
                self._active -= 1
                if self._active == 0:
                    self.idle.set()

    def _generate(self, version_id: int) -> None:
        from generator.portal.models import Version

        version = Version.objects.select_related("submission__agency", "workbook").get(id=version_id)
        if version.state != "queued":
            return
        work = Path(tempfile.mkdtemp(prefix="gen-", dir=self.config.tmp))
        try:
            # The worker reads a copy named as the clerk named it, so messages name their file.
            source = work / "in" / Path(version.file_name).name
            source.parent.mkdir()
            shutil.copyfile(storage.path_of(self.config.files, version.workbook.sha256), source)
            try:
                result = self._pool().submit(
                    generate.generate, str(source), version.submission.agency.name,
                    version.submission.year, str(work / "out")).result()
            except BrokenProcessPool:
                with self._lock:
                    pool, self._processes = self._processes, None
                if pool is not None:
                    pool.shutdown(wait=False, cancel_futures=True)
                result = {"refused": WORKER_DIED, "files": {}}
            self._finish(version_id, result)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _finish(self, version_id: int, result: dict[str, Any]) -> None:
        import json

        from django.db import transaction

        from generator.portal.models import StoredFile, Submission, Version

        # Files first (written and fsynced), rows after, in one transaction.
        stored = {kind: storage.put_file(self.config.files, self.config.tmp, Path(path))
                  for kind, path in result.get("files", {}).items()}
        with transaction.atomic():
            version = Version.objects.select_for_update().get(id=version_id)
            if version.state != "queued":
                return
            for kind, (sha, size) in stored.items():
                row, _ = StoredFile.objects.get_or_create(sha256=sha, defaults={"size": size})
                setattr(version, kind, row)
            if result.get("refused"):
                version.state = "refused"
                version.refused = result["refused"]
            else:
                version.state = "done"
                version.title = result["title"]
                version.errors = result["errors"]
                version.warnings = result["warnings"]
                version.notices = result["notices"]
                version.findings_json = json.dumps(result["findings"], ensure_ascii=False)
                version.figures_json = json.dumps(result["figures"], ensure_ascii=False)
                version.report_json = result["report_json"]
            version.save()
            submission = Submission.objects.select_for_update().get(id=version.submission_id)
            if submission.current_id == version.id and submission.status in ("none", "errors"):
                submission.status = "errors" if (version.refused or version.errors) else "none"
                submission.save(update_fields=["status", "updated_at"])

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self.idle.wait(timeout)

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            pool, self._processes = self._processes, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


#: set by :func:`generator.portal.server.make_app`
GENERATOR: Generator | None = None
