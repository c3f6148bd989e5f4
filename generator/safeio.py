"""Writing files so that a crash or kill leaves either the old file or the complete new one.

Every output goes to a temporary file in the target's own directory (so the final rename is
atomic), is flushed to disk, and is then renamed over the target.  On an exception the
temporary file is removed; after a hard kill (SIGKILL, power loss) it may stay behind, so its
name carries the writer's process id and the target's name, and the next write of the same
target removes such leftovers of processes that are gone.

Input files are never outputs: :mod:`generator.inputs.workbook.source` registers every file it reads
with :func:`mark_input`, and :func:`atomic_path` refuses to replace one of them.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from generator.errors import OutputError

TEMP_PREFIX = ".nianbao-tmp-"

#: Files read as input during this process; never replaced by an output.
#: (device, inode, size, mtime) of every input read in this process.  Size and mtime guard
#: against inode reuse: a deleted input's inode may be given to a new, unrelated file.
_INPUTS: set[tuple[int, int, int, int]] = set()


def _identity(info: os.stat_result) -> tuple[int, int, int, int]:
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def mark_input(path: str | Path) -> None:
    """Remember that ``path`` is an input of this run, so no output may replace it."""
    try:
        info = Path(path).stat()
    except OSError:
        return
    _INPUTS.add(_identity(info))


def is_input(path: str | Path) -> bool:
    """Whether ``path`` is (the same file as) an input read during this run."""
    try:
        info = Path(path).stat()
    except OSError:
        return False
    return _identity(info) in _INPUTS


def temp_name_pattern(target: Path) -> re.Pattern[str]:
    """The names :func:`atomic_path` gives temporary files for ``target``; group 1 is the pid."""
    return re.compile(rf"^{re.escape(TEMP_PREFIX)}(\d+)-{re.escape(target.name)}\.")


@contextmanager
def atomic_path(target: str | Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it onto ``target``.

    The temporary file lives in the same directory so the final rename is atomic.  On any
    exception the temporary file is removed and ``target`` is left as it was.  Refuses
    (:class:`OutputError`) when ``target`` exists and ``overwrite`` is false, and always when
    ``target`` is one of this run's input files.
    """
    target = Path(target)
    if is_input(target):
        raise OutputError(f"输出文件与输入文件是同一个文件：{target}。nianbao 不会覆盖输入文件，"
                          "请换一个输出文件名或文件夹。")
    if target.exists() and not overwrite:
        raise OutputError(f"文件已存在：{target}。如需覆盖，请加 --force。")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(target)
        fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-{target.name}.",
                                        suffix=target.suffix, dir=target.parent)
    except OSError as exc:
        raise OutputError(os_error_message(exc, target.parent)) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            yield tmp
            _give_mode(tmp, target)
            _flush_to_disk(tmp)
            if target.is_dir():
                raise OutputError(f"无法写入 {target}：同名的文件夹已存在，请换一个输出文件名。")
            os.replace(tmp, target)
        except OSError as exc:  # a full disk while writing: the environment's fault, said so
            message = environment_message(exc, target.parent)
            if message is None:
                raise
            raise OutputError(message) from exc
        _flush_directory(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


#: errno values that are the machine's fault, not nianbao's nor the workbook's.
_DISK_FULL = frozenset(code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None), errno.EFBIG)
                       if code is not None)


def environment_message(error: OSError, where: str | Path) -> str | None:
    """A Chinese message for an OSError caused by the disk or folder, None for any other.

    A full disk, an exceeded quota, a read-only medium or a folder without write permission
    is something the clerk (or the administrator) can fix; saying "internal error" would send
    them to the wrong person.
    """
    if error.errno in _DISK_FULL:
        return (f"磁盘空间不足，无法在 {where} 写入文件。请清理该磁盘（或换一个有空间的输出文件夹）"
                "后重试。")
    if error.errno == errno.EROFS:
        return f"{where} 所在的磁盘是只读的（如光盘、写保护的 U 盘），无法写入。请换一个输出文件夹。"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"没有在 {where} 写入文件的权限。请换一个输出文件夹，或请管理员开放写入权限。"
    return None


def os_error_message(error: OSError, where: str | Path) -> str:
    """:func:`environment_message`, or a plain description of any other write failure."""
    return environment_message(error, where) or (
        f"无法在 {where} 写入文件（{error.strerror or type(error).__name__}）。"
        "请检查磁盘和文件夹权限后重试。")


def write_bytes_atomic(target: str | Path, data: bytes, *, overwrite: bool = True) -> Path:
    """Write ``data`` to ``target`` atomically and return the target path."""
    with atomic_path(target, overwrite=overwrite) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def _give_mode(tmp: Path, target: Path) -> None:
    """The permissions a plain ``open(target, "w")`` would give, not mkstemp's private 0600:
    an existing target keeps its mode, a new one gets 0666 less the umask."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_UMASK
    try:
        os.chmod(tmp, mode)
    except OSError:
        pass


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def _flush_to_disk(path: Path) -> None:
    """fsync the finished temporary file, so the rename never exposes an empty file."""
    try:
        with path.open("rb+") as stream:
            os.fsync(stream.fileno())
    except OSError:
        pass  # a file system without fsync still gets the atomic rename


def _flush_directory(directory: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_stale_temps(target: Path) -> None:
    """Remove temporary files for ``target`` left by killed processes (POSIX only: on Windows
    there is no harmless way to ask whether a process id is alive)."""
    if os.name != "posix":
        return
    pattern = temp_name_pattern(target)
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        match = pattern.match(name)
        if match and not _alive(int(match.group(1))):
            try:
                (target.parent / name).unlink()
            except OSError:
                pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        # os.kill(pid, 0) on Windows *terminates* the process: ask without touching it.
        return _alive_on_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _alive_on_windows(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5  # access denied: it exists, someone else's
    try:
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


#: Whether a process id is alive (POSIX; batch uses it to clear its dead runs' temp files).
alive = _alive
