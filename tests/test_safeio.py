"""Atomic output: a failure, an interrupt or a kill leaves the old file or the complete new one."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.errors import OutputError
from generator.safeio import TEMP_PREFIX, atomic_path, mark_input, write_bytes_atomic

REPO = Path(__file__).resolve().parent.parent


def _temps(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(TEMP_PREFIX))


def test_success_replaces_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"
    target.write_bytes(b"old")
    write_bytes_atomic(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert _temps(tmp_path) == []


def test_the_temporary_file_sits_beside_the_target_until_the_end(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.docx"
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent  # same directory: the rename is atomic
        assert tmp.name.startswith(TEMP_PREFIX) and "report.docx" in tmp.name
        tmp.write_bytes(b"half")
        assert not target.exists()
    assert target.read_bytes() == b"half"


@pytest.mark.parametrize("error", [RuntimeError("renderer failed"), KeyboardInterrupt()])
def test_a_failure_midway_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path,
                                                                error: BaseException) -> None:
    target = tmp_path / "report.docx"
    target.write_bytes(b"the complete old report")
    with pytest.raises(type(error)):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"the first half of a new rep")
            raise error
    assert target.read_bytes() == b"the complete old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.docx"]


def test_a_renderer_crashing_midway_keeps_the_old_docx(tmp_path: Path, monkeypatch) -> None:
    """The real writer of a workbook, made to fail after it started writing."""
    from openpyxl.workbook.workbook import Workbook

    from generator.outputs import workbook as writer

    target = tmp_path / "填报表.xlsx"
    writer.write_workbook(target, agency="测试局", year=2025)
    before = target.read_bytes()

    def crash(self: Workbook, filename: object) -> None:
        if isinstance(filename, io.BytesIO):  # saved in memory first, to be made UTF-8
            filename.write(b"PK\x03\x04 partial")
        else:
            Path(str(filename)).write_bytes(b"PK\x03\x04 partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", crash)
    with pytest.raises(OutputError, match="磁盘空间不足"):  # the disk's fault, said in Chinese
        writer.write_workbook(target, agency="测试局", year=2026, overwrite=True)
    assert target.read_bytes() == before
    assert _temps(tmp_path) == []


def test_refuses_to_overwrite_without_permission(tmp_path: Path) -> None:
    target = tmp_path / "填报表.xlsx"
    target.write_bytes(b"keep me")
    with pytest.raises(OutputError, match="--force"):
        write_bytes_atomic(target, b"new", overwrite=False)
    assert target.read_bytes() == b"keep me"
    assert _temps(tmp_path) == []


def test_never_replaces_an_input_file(tmp_path: Path) -> None:
    source = tmp_path / "input.xlsx"
    source.write_bytes(b"the clerk's workbook")
    mark_input(source)
    link = tmp_path / "same-file.xlsx"
    os.link(source, link)  # another name for the same file is the same input
    for target in (source, link):
        with pytest.raises(OutputError, match="输入文件"):
            write_bytes_atomic(target, b"output")
    assert source.read_bytes() == b"the clerk's workbook"
    assert _temps(tmp_path) == []


def test_reading_a_workbook_marks_it_as_input(tmp_path: Path) -> None:
    from generator.inputs.workbook.source import load_workbook
    from generator.outputs.workbook import write_workbook

    workbook = write_workbook(tmp_path / "in.xlsx", agency="测试局", year=2025)
    load_workbook(workbook)
    with pytest.raises(OutputError, match="输入文件"):
        write_bytes_atomic(workbook, b"not a workbook")


def test_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="无法在"):
        write_bytes_atomic(blocker / "report.docx", b"x")


def test_a_directory_in_the_way_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "report.docx").mkdir()
    with pytest.raises(OutputError, match="文件夹"):
        write_bytes_atomic(tmp_path / "report.docx", b"x")
    assert _temps(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL and pid checks are POSIX")
def test_a_killed_writer_leaves_the_old_file_and_the_next_write_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"
    target.write_bytes(b"the complete old report")
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(REPO)!r})
        from generator.safeio import atomic_path
        with atomic_path({str(target)!r}) as tmp:
            tmp.write_bytes(b"half of the new")
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"the complete old report"
    assert len(_temps(tmp_path)) == 1  # a hard kill cannot clean up after itself …
    write_bytes_atomic(target, b"the new report")
    assert target.read_bytes() == b"the new report"
    assert _temps(tmp_path) == []  # … the next write of the same target does


def test_a_live_writers_temp_file_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"
    other = tmp_path / f"{TEMP_PREFIX}{os.getppid()}-report.docx.abc123.docx"
    other.write_bytes(b"another process is writing this")
    write_bytes_atomic(target, b"x")
    assert other.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_outputs_get_ordinary_permissions_not_mkstemps_private_ones(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    os.umask(mask)
    fresh = write_bytes_atomic(tmp_path / "report.html", b"<p>")
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~mask
    kept = tmp_path / "shared.docx"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    write_bytes_atomic(kept, b"new")
    assert kept.stat().st_mode & 0o777 == 0o640
