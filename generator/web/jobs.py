"""Jobs of the page: private folders per session, work in worker processes, progress, expiry.

Every upload starts a :class:`Job` owned by the browser session that sent it.  Its files live
in ``<root>/<owner folder>/<job id>/`` under a private temporary root (mode 0700), and are
deleted an hour after the job started or when the server stops.  A job id is 128 random bits
and a job is only ever returned to its owner, so one clerk can neither guess nor fetch
another's files.

The heavy steps (reading and checking, each output format) run in a pool of worker
processes, so a long PDF never holds the server's request threads or the interpreter lock;
a small thread per job walks its steps and records the progress the page polls.
"""

from __future__ import annotations

import atexit
import hashlib
import multiprocessing
import os
import secrets
import shutil
import tempfile
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from generator.web import work

ROOT_PREFIX = "nianbao-web-"
#: how long a job's files are kept (seconds)
MAX_AGE = 3600.0
#: how often expired jobs are looked for (seconds)
SWEEP_EVERY = 60.0
WORKER_DIED = ("处理该文件时工作进程意外退出（可能文件过大或已损坏）。"
               "请重新上传；若仍不行，请在命令行运行 nianbao check 查看原因。")


@dataclass
class Job:
    """One piece of work the page asked for, and everything it produced."""

    id: str
    owner: str
    kind: str  # check | blank | next_year | import | diff
    folder: Path
    created: float = field(default_factory=time.monotonic)
    state: str = "queued"  # queued | running | done
    stage: str = "排队中"
    done: int = 0
    total: int = 1
    result: Any = None  # a view from generator.web.work, or work.Refused
    #: download kind -> (file, name offered to the browser)
    files: dict[str, tuple[Path, str]] = field(default_factory=dict)

    def step(self, stage: str, total: int | None = None) -> None:
        if total is not None:
            self.total = total
        self.state = "running"
        self.stage = stage

    def finish(self, result: Any) -> None:
        self.result = result
        self.done = self.total
        self.stage = "完成"
        self.state = "done"


def remove_stale_roots(parent: Path, max_age: float) -> None:
    """Delete the folders of earlier servers that ended without cleaning up (killed, the
    console window closed on Windows).  A running server touches its folder every
    :data:`SWEEP_EVERY` seconds, so a folder untouched for ``max_age`` has no server."""
    limit = time.time() - max_age
    for folder in parent.glob(f"{ROOT_PREFIX}*"):
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit and _ours(folder):
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _ours(folder: Path) -> bool:
    try:
        return folder.stat().st_uid == os.getuid()
    except AttributeError:  # Windows: the temporary folder is the user's own
        return True


def _cpu_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class Store:
    """All jobs of one server, their folders and the worker pools."""

    def __init__(self, root: Path | None = None, *, workers: int | None = None,
                 max_age: float = MAX_AGE) -> None:
        remove_stale_roots(Path(root or tempfile.gettempdir()), max_age)
        self.root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX, dir=root))
        os.chmod(self.root, 0o700)
        self.upload_dir = self.root / "uploads"  # Django's spool for large uploads
        self.upload_dir.mkdir(mode=0o700)
        self.max_age = max_age
        self._workers = workers or _cpu_workers()
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._processes: ProcessPoolExecutor | None = None
        self._threads = ThreadPoolExecutor(max_workers=32, thread_name_prefix="nianbao-job")
        self._closed = threading.Event()
        self._sweeper = threading.Thread(target=self._sweep_loop, name="nianbao-sweep", daemon=True)
        self._sweeper.start()
        atexit.register(self.close)  # a normal exit removes the files too

    # --- jobs -------------------------------------------------------------------------

    @staticmethod
    def owner_folder(owner: str) -> str:
        # The folder is named after a hash, so the session's secret never appears on disk.
        return hashlib.sha256(owner.encode()).hexdigest()[:24]

    def new_job(self, owner: str, kind: str) -> Job:
        job_id = secrets.token_urlsafe(16)
        folder = self.root / self.owner_folder(owner) / job_id
        folder.mkdir(parents=True, mode=0o700)
        job = Job(job_id, owner, kind, folder)
        with self._lock:
            self._jobs[job_id] = job
        return job

    def get(self, job_id: str, owner: str | None) -> Job | None:
        """The job, only for its owner (anyone else gets None, as for an unknown id)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or owner is None or not secrets.compare_digest(job.owner, owner):
            return None
        return job

    def start(self, job: Job, run: Callable[[Job], Any]) -> None:
        """Run ``run(job)`` in a job thread; its return value is the job's result."""
        def body() -> None:
            try:
                job.finish(run(job))
            except BrokenProcessPool:
                self._reset_processes()
                job.files.clear()
                job.finish(work.Refused(WORKER_DIED))
        self._threads.submit(body)

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run ``function(*args)`` in a worker process and wait for its result."""
        future: Future[Any] = self._process_pool().submit(function, *args)
        return future.result()

    # --- pools and cleanup --------------------------------------------------------------

    def _process_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._processes is None:
                # spawn, not fork: the server has threads, and Windows only has spawn anyway.
                self._processes = ProcessPoolExecutor(
                    max_workers=self._workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=work.warm_up)
            return self._processes

    def _reset_processes(self) -> None:
        with self._lock:
            pool, self._processes = self._processes, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def warm_up(self) -> None:
        """Start the worker processes now (the first upload would otherwise wait for them)."""
        self.call(work.warm_up)

    def sweep(self, now: float | None = None) -> int:
        """Delete jobs older than :attr:`max_age`; return how many were deleted."""
        now = time.monotonic() if now is None else now
        with self._lock:
            old = [j for j in self._jobs.values() if now - j.created > self.max_age]
            for job in old:
                del self._jobs[job.id]
        for job in old:
            shutil.rmtree(job.folder, ignore_errors=True)
        return len(old)

    def _sweep_loop(self) -> None:
        while not self._closed.wait(SWEEP_EVERY):
            self.touch()
            self.sweep()

    def touch(self) -> None:
        """Mark the root as in use (see :func:`remove_stale_roots`)."""
        try:
            os.utime(self.root)
        except OSError:
            pass

    def close(self) -> None:
        """Stop the pools and delete every file of every session."""
        atexit.unregister(self.close)
        self._closed.set()
        self._threads.shutdown(wait=False, cancel_futures=True)
        self._reset_processes()
        shutil.rmtree(self.root, ignore_errors=True)
