"""The second red-team round (issue 15): each numbered case answered as promised.

A content problem is a finding naming sheet!cell (exit 1); a broken file is exit 2 saying
what to do; the environment's fault (disk full, encoding) is said so in Chinese; nothing
prints 内部错误 for input nianbao can classify, and one workbook never stops a batch.
Case 5 (import) is tested with the importers; case 13's English click texts with the CLI.
"""

from __future__ import annotations

import errno
import importlib.util
import io
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from generator import batch
from generator.batch import BatchPlan, Status, run_batch
from generator.cli import main
from generator.errors import InputError
from generator.inputs.workbook.reader import read_workbook
from generator.naming import MAX_NAME_BYTES, safe_file_stem
from generator.outputs.workbook import meta_address, write_workbook
from generator.report.model import Report
from generator.safeio import TEMP_PREFIX

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
_spec = importlib.util.spec_from_file_location("make_corpus", TESTS / "bad_inputs" / "make_corpus.py")
make_corpus = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("make_corpus", make_corpus)
_spec.loader.exec_module(make_corpus)

INTERNAL = "内部错误"
YEAR_CELL = str(meta_address("year"))  # 基本信息!B3
FEE_CELL = str(meta_address("processing_fee"))
FIRST_T3 = make_corpus.first_input("t3")


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    """The real command line in a fresh interpreter (what a clerk's console sees)."""
    full_env = {**os.environ, "HOME": str(cwd or REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True,
                          text=True, cwd=cwd, env=full_env, timeout=300, errors="replace")


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _with_agency(report: Report, agency: str) -> Report:
    return replace(report, meta=replace(report.meta, agency=agency, signatory=""))


def _saved(wb: openpyxl.Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def _patched_part(path: Path, part: str, change) -> Path:  # noqa: ANN001 - str -> str
    """Rewrite one XML part of the workbook at ``path`` (CRCs stay correct)."""
    entries = make_corpus.zip_parts(path.read_bytes())
    entries = [make_corpus.RawEntry(e.name, change(e.data.decode("utf-8")).encode("utf-8"))
               if e.name == part else e for e in entries]
    make_corpus.write_zip(path, entries)
    return path


def _sheet_part(sheet: str) -> str:
    return make_corpus.sheet_part(make_corpus.filled_workbook(), sheet)


def _set_raw_value(path: Path, address: str, xml_value: str) -> Path:
    """Store ``<v>xml_value</v>`` in a cell as a number, exactly as a hostile file could."""
    sheet, coordinate = address.split("!")

    def change(xml: str) -> str:
        cell = re.compile(rf'<c r="{coordinate}"[^>]*?(/>|>.*?</c>)', re.S)
        assert cell.search(xml), address
        return cell.sub(f'<c r="{coordinate}"><v>{xml_value}</v></c>', xml, count=1)

    return _patched_part(path, _sheet_part(sheet), change)


# ---------------------------------------------------------------------------
# 1. 报告年度 blank, 0, 2025.5, negative, >= 9999, 1e20


@pytest.mark.parametrize("year", [None, 0, 2025.5, -2025, 9999, 1e20, "二〇二五"])
def test_an_unusable_year_is_a_finding_on_its_cell(tmp_path: Path, year: object) -> None:
    path = _saved(make_corpus._set_meta("year", year), tmp_path / "year.xlsx")
    read = read_workbook(path)
    assert read.report.meta.year == 0
    on_cell = [f for f in read.findings if YEAR_CELL in f.cells]
    assert on_cell and on_cell[0].rule in ("V-3", "S-3"), read.findings
    code, output = invoke("check", str(path))
    assert code == 1, output
    assert YEAR_CELL in output and INTERNAL not in output


def test_build_and_init_from_with_an_unusable_year(tmp_path: Path) -> None:
    path = _saved(make_corpus._set_meta("year", 0), tmp_path / "year.xlsx")
    code, output = invoke("build", str(path), "-o", str(tmp_path / "out"))
    assert code == 1 and YEAR_CELL in output and INTERNAL not in output, output
    target = tmp_path / "next.xlsx"
    code, output = invoke("init", "--from", str(path), str(target))
    assert code == 0 and INTERNAL not in output, output
    assert "报告年度" in output  # says the year is left blank to fill in
    assert openpyxl.load_workbook(target)["基本信息"]["B3"].value is None


def test_a_batch_with_an_unusable_year_writes_every_other_workbook(
        tmp_path: Path, example_report: Report) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    for i, town in enumerate("甲乙丙丁戊"):
        write_workbook(root / f"{i}.xlsx", _with_agency(example_report, f"{town}镇人民政府"))
    _saved(make_corpus._set_meta("year", 2025.5), root / "bad.xlsx")
    code, output = invoke("batch", str(root), "-o", str(out), "--jobs", "4")
    assert code == 1, output
    assert len(list(out.glob("*.docx"))) == 5
    rows = list(openpyxl.load_workbook(out / "汇总-2025.xlsx").active.iter_rows(values_only=True))
    bad = next(r for r in rows if r[0] == "bad.xlsx")
    assert bad[2] == "有错误" and YEAR_CELL in bad[5]


# ---------------------------------------------------------------------------
# 2. Infinity, NaN and absurd numbers


@pytest.mark.parametrize("stored", ["1e999", "-1E999", "1e20"])
def test_an_infinite_or_absurd_number_is_a_finding(tmp_path: Path, stored: str,
                                                   example_workbook: Path) -> None:
    path = tmp_path / "inf.xlsx"
    path.write_bytes(make_corpus.workbook_bytes(make_corpus.filled_workbook()))
    _set_raw_value(path, FIRST_T3, stored)
    read = read_workbook(path)
    assert [f.rule for f in read.findings if FIRST_T3 in f.cells] == ["V-3"]
    code, output = invoke("check", str(path))
    assert code == 1 and FIRST_T3 in output and INTERNAL not in output, output
    code, output = invoke("diff", str(example_workbook), str(path))
    assert code == 0 and INTERNAL not in output, output
    code, output = invoke("init", "--from", str(path), str(tmp_path / "next.xlsx"))
    assert code == 0 and INTERNAL not in output, output


def test_an_infinite_fee_is_never_printed(tmp_path: Path) -> None:
    path = tmp_path / "fee.xlsx"
    path.write_bytes(make_corpus.workbook_bytes(make_corpus.filled_workbook()))
    _set_raw_value(path, FEE_CELL, "1e999")
    read = read_workbook(path)
    assert [f.rule for f in read.findings if FEE_CELL in f.cells] == ["V-3"]
    assert read.report.meta.processing_fee == 0
    code, output = invoke("build", str(path), "-o", str(tmp_path / "out"), "--draft")
    assert INTERNAL not in output and "Infinity" not in output, output
    for docx in (tmp_path / "out").glob("*.docx"):
        text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
        assert "Infinity" not in text and "inf" not in text.lower()


# ---------------------------------------------------------------------------
# 3. Cell text is printed literally, never read as terminal markup


@pytest.mark.parametrize("text", ["[/red]4", "[/]", "[red]四[/red]", "[bold]x"])
def test_markup_in_a_cell_is_quoted_literally(tmp_path: Path, text: str) -> None:
    wb = make_corpus.filled_workbook()
    sheet, coordinate = FIRST_T3.split("!")
    wb[sheet][coordinate].value = text
    path = _saved(wb, tmp_path / "markup.xlsx")
    code, output = invoke("check", str(path))
    assert code == 1 and INTERNAL not in output, output
    assert f"“{text}”" in output


def test_an_agency_name_with_markup_in_a_batch(tmp_path: Path, example_report: Report) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    write_workbook(root / "[/]a.xlsx", _with_agency(example_report, "甲镇人民政府[/]"))
    write_workbook(root / "b.xlsx", _with_agency(example_report, "[red]乙镇人民政府[/red]"))
    result = run_cli("batch", str(root), "-o", str(out), "--jobs", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "甲镇人民政府[/]" in result.stdout and "[red]乙镇人民政府[/red]" in result.stdout
    assert (out / "汇总-2025.xlsx").exists()


# ---------------------------------------------------------------------------
# 4. The pre-parse scan cannot be skipped by leading whitespace


PADDING = " " * (70 * 1024)  # more than one 64 KiB scan chunk


def _without_declaration(xml: str) -> str:
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", xml)


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/styles.xml"])
def test_a_doctype_after_whitespace_is_refused(tmp_path: Path, part: str) -> None:
    path = tmp_path / "padded.xlsx"
    path.write_bytes(make_corpus.workbook_bytes(make_corpus.filled_workbook()))

    def change(xml: str) -> str:
        xml = _without_declaration(xml)
        root = re.match(r"<([\w:]+)", xml).group(1)
        return PADDING + f'<!DOCTYPE {root} [<!ENTITY e "注入的名称">]>' + xml

    _patched_part(path, part, change)
    with pytest.raises(InputError, match="实体声明"):
        read_workbook(path)
    code, output = invoke("check", str(path))
    assert code == 2 and "实体声明" in output and INTERNAL not in output


def test_rows_after_whitespace_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    path.write_bytes(make_corpus.workbook_bytes(make_corpus.filled_workbook()))
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in range(200, 10_400))

    def change(xml: str) -> str:
        return PADDING + _without_declaration(xml).replace("</sheetData>", rows + "</sheetData>")

    _patched_part(path, _sheet_part("填报说明"), change)
    with pytest.raises(InputError, match="行数过多"):
        read_workbook(path)


def test_utf16_markup_without_a_bom_is_scanned(tmp_path: Path) -> None:
    path = tmp_path / "utf16.xlsx"
    path.write_bytes(make_corpus.workbook_bytes(make_corpus.filled_workbook()))
    entries = make_corpus.zip_parts(path.read_bytes())
    xml = '<!DOCTYPE x [<!ENTITY e "x">]><styleSheet/>'.encode("utf-16-le")
    make_corpus.write_zip(path, make_corpus.replace_part(entries, "xl/styles.xml", xml))
    with pytest.raises(InputError, match="实体声明"):
        read_workbook(path)


# ---------------------------------------------------------------------------
# 6–9. Batch: odd file names, concurrent runs, -o into the source, a killed parent


def test_a_gbk_file_name_is_shown_decoded(tmp_path: Path, example_report: Report) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    gbk_name = os.fsdecode("测试文件.xlsx".encode("gbk"))  # what unzip leaves from a Windows zip
    write_workbook(root / gbk_name, example_report)
    write_workbook(root / "正常.xlsx", _with_agency(example_report, "甲镇人民政府"))
    result = run_cli("batch", str(root), "-o", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert INTERNAL not in result.stdout + result.stderr
    files = [r[0] for r in openpyxl.load_workbook(out / "汇总-2025.xlsx").active.iter_rows(
        min_row=2, values_only=True) if str(r[0]).endswith(".xlsx")]
    assert sorted(files) == ["正常.xlsx", "测试文件.xlsx"]
    assert len(list(out.glob("*.docx"))) == 2


def test_a_batch_leaves_a_running_batchs_temporary_files(tmp_path: Path,
                                                         example_report: Report) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    out.mkdir()
    write_workbook(root / "a.xlsx", example_report)
    # another batch, still running (our parent process is alive), mid-way through a file
    other = out / f"{TEMP_PREFIX}batch{os.getppid()}-0a1b2c3d-x.docx"
    other.write_bytes(b"in progress")
    # and one of a batch that was killed (no such process)
    dead = out / f"{TEMP_PREFIX}batch{2**22 + 12345}-deadbeef-y.docx"
    dead.write_bytes(b"left behind")
    items = run_batch(BatchPlan(root, out, ("docx",), jobs=1))
    assert [i.status for i in items] == [Status.PASSED]
    assert other.read_bytes() == b"in progress"
    assert not dead.exists()


def test_two_batches_into_one_folder_both_finish(tmp_path: Path, example_report: Report) -> None:
    out = tmp_path / "out"
    runs = []
    for name in ("一", "二"):
        root = tmp_path / name
        root.mkdir()
        for town in "甲乙丙":
            write_workbook(root / f"{town}.xlsx", _with_agency(example_report, f"{name}{town}镇人民政府"))
        runs.append(subprocess.Popen(
            [sys.executable, "-m", "generator", "batch", str(root), "-o", str(out), "--jobs", "2"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
            env={**os.environ, "HOME": str(tmp_path)}))
    for run in runs:
        stdout, stderr = run.communicate(timeout=300)
        assert run.returncode == 0 and INTERNAL not in stdout + stderr, stdout + stderr
    assert len(list(out.glob("*.docx"))) == 6
    assert (out / "汇总-2025.xlsx").exists()
    assert not list(out.glob(f"{TEMP_PREFIX}*"))


def test_batch_into_its_own_folder(tmp_path: Path, example_report: Report) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    write_workbook(folder / "a.xlsx", example_report)
    for _ in range(2):  # the second run must not take the first run's summary for a workbook
        code, output = invoke("batch", str(folder), "-o", str(folder), "--jobs", "1")
        assert code == 0, output
        assert "共 1 个工作簿" in output
    assert (folder / "汇总-2025.xlsx").exists()
    # each run names its outputs afresh: the second run's report replaces the first's
    assert [p.name for p in folder.glob("*.docx")] == [
        "扎赉特旗宝力根花苏木人民政府2025年政府信息公开工作年度报告.docx"]


_PROCESS = batch.process_workbook


def _misbehaving(source, out_dir, formats, options, previous=None, **kwargs):  # noqa: ANN001
    if "hang" in source.name:
        time.sleep(600)
    if "boom" in source.name:
        raise RuntimeError("unforeseen")
    return _PROCESS(source, out_dir, formats, options, previous, **kwargs)


def test_a_hang_and_an_exception_take_only_their_own_rows(
        tmp_path: Path, example_report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    root, out = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    for name, town in (("a", "甲"), ("hang", "乙"), ("boom", "丙"), ("z", "丁")):
        write_workbook(root / f"{name}.xlsx", _with_agency(example_report, f"{town}镇人民政府"))
    monkeypatch.setattr(batch, "process_workbook", _misbehaving)
    items = run_batch(BatchPlan(root, out, ("docx",), jobs=2, timeout=3))
    statuses = {item.source.name: item.status for item in items}
    assert statuses == {"a.xlsx": Status.PASSED, "boom.xlsx": Status.INTERNAL,
                        "hang.xlsx": Status.TIMEOUT, "z.xlsx": Status.PASSED}
    by_name = {item.source.name: item for item in items}
    assert "RuntimeError" in by_name["boom.xlsx"].first_error
    assert "3 秒" in by_name["hang.xlsx"].first_error
    assert len(list(out.glob("*.docx"))) == 2


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(c) for c in (task / "children").read_text().split())
    return found


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_workers_die_with_a_killed_parent(tmp_path: Path, example_report: Report) -> None:
    root = tmp_path / "in"
    root.mkdir()
    for i in range(3):
        write_workbook(root / f"hang{i}.xlsx", example_report)
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from generator import batch\n"
        "batch.process_workbook = lambda *a, **k: time.sleep(600)\n"
        f"batch.run_batch(batch.BatchPlan(Path({str(root)!r}), Path({str(tmp_path / 'out')!r}),"
        " ('docx',), jobs=2))\n")
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=REPO,
                              env={**os.environ, "HOME": str(tmp_path)})
    workers: set[int] = set()
    for _ in range(200):  # wait until both workers run
        workers = _children(parent.pid)
        if len(workers) == 2:
            break
        time.sleep(0.1)
    assert len(workers) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    for _ in range(100):
        if all(_gone(w) for w in workers):
            break
        time.sleep(0.1)
    assert all(_gone(w) for w in workers), workers


# ---------------------------------------------------------------------------
# 10. A GBK console


def test_a_gbk_console_prints_what_it_cannot_encode(tmp_path: Path) -> None:
    wb = make_corpus.filled_workbook()
    sheet, coordinate = FIRST_T3.split("!")
    wb[sheet][coordinate].value = "四\u200b😀"
    path = _saved(wb, tmp_path / "emoji.xlsx")
    result = run_cli("check", str(path), cwd=tmp_path, env={"PYTHONIOENCODING": "gbk"})
    assert result.returncode == 1, result.stderr
    assert INTERNAL not in result.stdout + result.stderr
    assert "\\u200b" in result.stdout and "\\U0001f600" in result.stdout


def test_a_gbk_console_build_writes_the_report(tmp_path: Path, example_report: Report) -> None:
    report = replace(example_report, meta=replace(example_report.meta,
                                                  agency="宝力根花苏木\u200b人民政府😀"))
    path = tmp_path / "emoji.xlsx"
    write_workbook(path, report)
    result = run_cli("build", str(path), "-o", str(tmp_path / "out"), cwd=tmp_path,
                     env={"PYTHONIOENCODING": "gbk"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert INTERNAL not in result.stdout + result.stderr
    [docx] = (tmp_path / "out").glob("*.docx")
    assert "\u200b" not in docx.name


# ---------------------------------------------------------------------------
# 11. A full disk


def test_a_full_disk_is_said_so(tmp_path: Path, example_workbook: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    out = tmp_path / "out"
    code, output = invoke("build", str(example_workbook), "-o", str(out))
    assert code == 2, output
    assert "磁盘空间不足" in output and INTERNAL not in output
    assert not [p for p in out.iterdir()] if out.exists() else True


@pytest.mark.parametrize("code, said", [(errno.EACCES, "没有在"), (errno.EROFS, "只读"),
                                         (errno.EDQUOT, "磁盘空间不足")])
def test_an_unwritable_folder_is_said_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         code: int, said: str) -> None:
    import tempfile

    from generator.errors import OutputError
    from generator.safeio import write_bytes_atomic

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)  # what a folder we may not write gives
    with pytest.raises(OutputError, match=said):
        write_bytes_atomic(tmp_path / "report.docx", b"x")
    assert not (tmp_path / "report.docx").exists()


# ---------------------------------------------------------------------------
# 12. One corrupted byte in the central directory


def _central(data: bytes, offset: int, value: bytes) -> bytes:
    start = data.index(b"PK\x01\x02")
    return data[:start + offset] + value + data[start + offset + len(value):]


def test_corrupted_central_directory_is_damaged(tmp_path: Path, example_workbook: Path) -> None:
    data = example_workbook.read_bytes()
    version = tmp_path / "version.xlsx"
    version.write_bytes(_central(data, 6, b"\xff\x00"))  # "version needed to extract"
    empty = tmp_path / "empty-name.xlsx"
    make_corpus.write_zip(empty, [*make_corpus.zip_parts(data), make_corpus.RawEntry("", b"x")])
    for path in (version, empty):
        with pytest.raises(InputError, match="文件已损坏"):
            read_workbook(path)
        code, output = invoke("check", str(path))
        assert code == 2 and "文件已损坏" in output and INTERNAL not in output, output


def test_a_part_shorter_than_its_declared_size_is_damaged(tmp_path: Path,
                                                         example_workbook: Path) -> None:
    # The CRC of the data there is matches, so zipfile reads it without complaint; the
    # directory's size (which the zip bomb guard judged) is a lie all the same.
    import struct
    import zipfile

    data = bytearray(example_workbook.read_bytes())
    with zipfile.ZipFile(example_workbook) as archive:
        names = archive.namelist()
    first_sheet = names.index("xl/worksheets/sheet1.xml")
    central = data.index(b"PK\x01\x02")
    for _ in range(first_sheet):  # walk to the sheet's own directory entry
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, central + 28)
        central += 46 + name_length + extra_length + comment_length
    local = struct.unpack_from("<I", data, central + 42)[0]
    for header, offset in ((central, 24), (local, 22)):  # uncompressed size, in both headers
        size = struct.unpack_from("<I", data, header + offset)[0]
        struct.pack_into("<I", data, header + offset, size + 500)
    forged = tmp_path / "forged-size.xlsx"
    forged.write_bytes(bytes(data))
    with zipfile.ZipFile(forged) as archive:
        assert len(archive.read("xl/worksheets/sheet1.xml")) + 500 == \
            archive.getinfo("xl/worksheets/sheet1.xml").file_size  # zipfile lets it through
    with pytest.raises(InputError, match="实际长度与目录记载不符"):
        read_workbook(forged)
    code, output = invoke("check", str(forged))
    assert code == 2 and "文件已损坏" in output and "sheet1.xml" in output, output


# ---------------------------------------------------------------------------
# 13. Exit codes of the click-level refusals (their wording is the clerk issue's)


def test_click_refusals_exit_2(tmp_path: Path, example_workbook: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    code, _ = invoke("build", str(example_workbook), "-o", str(afile))
    assert code == 2
    code, _ = invoke("check", str(example_workbook), "--no-such-option")
    assert code == 2


# ---------------------------------------------------------------------------
# 14. An array formula is quoted by its formula


def test_an_array_formula_is_quoted_by_its_text(tmp_path: Path) -> None:
    path = tmp_path / "array.xlsx"
    path.write_bytes(make_corpus.workbook_bytes(make_corpus.filled_workbook()))
    sheet, coordinate = FIRST_T3.split("!")

    def change(xml: str) -> str:
        cell = re.compile(rf'<c r="{coordinate}"[^>]*?(/>|>.*?</c>)', re.S)
        return cell.sub(f'<c r="{coordinate}"><f t="array" ref="{coordinate}">SUM(1,2)</f></c>',
                        xml, count=1)

    _patched_part(path, _sheet_part(sheet), change)
    code, output = invoke("check", str(path))
    assert code == 1, output
    assert "SUM(1,2)" in output and "object at 0x" not in output


# ---------------------------------------------------------------------------
# 15. Output file names


def test_long_names_are_cut_to_the_limit_and_stripped() -> None:
    stem = safe_file_stem("局" * 1_000_000 + "2025年")
    assert 0 < len(stem.encode("utf-8")) <= MAX_NAME_BYTES - 8 - 30
    assert set(stem) == {"局"}
    assert safe_file_stem("报告\u202excod.exe") == "报告xcod.exe"
    assert safe_file_stem("甲\u200b镇\u200d\ufeff\u2066人民政府") == "甲镇人民政府"
    assert safe_file_stem("\u200b\u202e") == "年度报告"


def test_a_bidi_override_never_reaches_the_file_name(tmp_path: Path,
                                                     example_report: Report) -> None:
    path = tmp_path / "bidi.xlsx"
    write_workbook(path, _with_agency(example_report, "甲镇\u202e人民政府\u200b"))
    code, output = invoke("build", str(path), "-o", str(tmp_path / "out"))
    assert code == 0, output
    [docx] = (tmp_path / "out").glob("*.docx")
    assert docx.name == "甲镇人民政府2025年政府信息公开工作年度报告.docx"


# ---------------------------------------------------------------------------
# 16. The template sandbox bounds time and size


def _template_with(tmp_path: Path, inject: str) -> Path:
    from generator.resources import default_template

    data = default_template().read_bytes()
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            blob = source.read(info)
            if info.filename == "word/document.xml":
                blob = blob.decode("utf-8").replace("{{ line }}", inject + "{{ line }}", 1).encode()
            target.writestr(info, blob)
    path = tmp_path / "hostile.docx"
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("inject, message", [
    ("{{ 'x'*2000000000 }}", "过大"),
    ("{{ 'x'|center(2000000000) }}", "过大"),
    ("{{ '{:>999999999}'.format(1) }}", "过大"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "range"),
    ("{% for i in range(10000) %}{{ 'x'*1000000 }}{% endfor %}", "过长"),
])
def test_a_hostile_template_is_stopped(tmp_path: Path, example_workbook: Path, inject: str,
                                       message: str) -> None:
    template = _template_with(tmp_path, inject)
    code, output = invoke("template", "check", str(template))
    assert code in (0, 2) and INTERNAL not in output  # compiles at once: nothing is folded
    code, output = invoke("build", str(example_workbook), "--template", str(template),
                          "-o", str(tmp_path / "out"))
    assert code == 2 and message in output and INTERNAL not in output, output


def test_a_slow_template_is_stopped_by_the_clock(tmp_path: Path, example_workbook: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.outputs import sandbox

    monkeypatch.setattr(sandbox, "MAX_RENDER_SECONDS", 0.5)
    template = _template_with(
        tmp_path, "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}")
    code, output = invoke("build", str(example_workbook), "--template", str(template),
                          "-o", str(tmp_path / "out"))
    assert code == 2 and "0.5 秒" in output and INTERNAL not in output, output


# ---------------------------------------------------------------------------
# The mutation fuzz (bench/fuzz_check.py runs the long version: --n 50000)

_fuzz_spec = importlib.util.spec_from_file_location("fuzz_check", REPO / "bench" / "fuzz_check.py")
fuzz_check = importlib.util.module_from_spec(_fuzz_spec)
sys.modules.setdefault("fuzz_check", fuzz_check)  # dataclasses look their module up
_fuzz_spec.loader.exec_module(fuzz_check)

#: Fixed seeds, so CI is repeatable; every third case is of each mutation kind.
FUZZ_CASES = 600


def test_mutation_fuzz_gives_only_clean_outcomes(tmp_path: Path, example_workbook: Path) -> None:
    from collections import Counter

    base = example_workbook.read_bytes()
    parts = fuzz_check._parts(base)
    outcomes: Counter[tuple[str, str]] = Counter()
    for seed in range(FUZZ_CASES):
        kind, data = fuzz_check.make_case(base, seed, parts)
        outcome = fuzz_check.check_bytes(data, tmp_path, timeout=120)
        assert outcome.kind in ("checked", "refused"), (seed, kind, outcome.detail)
        outcomes[(kind, outcome.kind)] += 1
    # the mutations reach the reader and the checker, not only the zip layer
    assert outcomes[("xml", "checked")] > 20 and outcomes[("value", "checked")] > 20, outcomes
    assert outcomes[("bytes", "refused")] > 100, outcomes
