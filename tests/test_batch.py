"""``nianbao batch``: statuses, outputs, the summary workbook, names, and interrupted workers."""

from __future__ import annotations

import os
import signal
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from generator.batch import BatchPlan, Status, find_workbooks, run_batch, unique_stem
from generator.batch_summary import COLUMNS
from generator.cli import main
from generator.outputs.workbook import write_workbook
from generator.report.model import Numbers, Report
from generator.safeio import TEMP_PREFIX

HEADINGS = [c.heading for c in COLUMNS]


def _with_agency(report: Report, agency: str) -> Report:
    return replace(report, meta=replace(report.meta, agency=agency, signatory=""))


def _with_numbers(report: Report, **changes: int) -> Report:
    values = dict(report.numbers.values)
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    return replace(report, numbers=Numbers(values).with_totals())


@pytest.fixture()
def county(tmp_path: Path, example_report: Report) -> Path:
    """A county folder: good, warning-only, erroneous, unreadable, lock and non-workbook files."""
    root = tmp_path / "county"
    (root / "乡镇").mkdir(parents=True)
    write_workbook(root / "good.xlsx", example_report)
    # A township reporting 规章 is a warning (D-1), nothing worse.
    warning_only = _with_numbers(_with_agency(example_report, "甲镇人民政府"),
                                 t2__regulations__issued=1, t2__regulations__in_force=1)
    write_workbook(root / "乡镇" / "warning.xlsx", warning_only)
    # 一+二 = 4 but （七）+四 = 5 in the 自然人 column: an error (T3-1).
    broken = _with_numbers(_with_agency(example_report, "乙镇人民政府"),
                           t3__carried_forward__natural_person=1)
    write_workbook(root / "乡镇" / "error.xlsx", broken)
    (root / "unreadable.xlsx").write_text("这不是工作簿", encoding="utf-8")
    (root / "~$good.xlsx").write_bytes(b"lock")
    (root / "说明.txt").write_text("给县政务公开办的说明", encoding="utf-8")
    return root


def test_find_workbooks_skips_lock_files_and_non_workbooks(county: Path) -> None:
    workbooks, skipped = find_workbooks(county)
    assert sorted(p.name for p in workbooks) == ["error.xlsx", "good.xlsx", "unreadable.xlsx",
                                                 "warning.xlsx"]
    assert sorted(p.name for p in skipped) == ["~$good.xlsx", "说明.txt"]


def test_batch_statuses_outputs_and_summary(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(county), "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output

    summary = load_workbook(out / "汇总-2025.xlsx")
    rows = list(summary.active.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADINGS, "报告（Word）"]
    assert rows[-1][0] == "合计"
    by_file = {row[0]: dict(zip(rows[0], row)) for row in rows[1:-1]}
    assert set(by_file) == {"good.xlsx", os.path.join("乡镇", "warning.xlsx"),
                            os.path.join("乡镇", "error.xlsx"), "unreadable.xlsx"}
    good = by_file["good.xlsx"]
    assert good["状态"] == Status.PASSED.value
    assert good["机关名称"] == "扎赉特旗宝力根花苏木人民政府"
    assert (good["主动公开信息（条）"], good["新收申请总计"], good["予以公开"]) == (279, 4, 2)
    assert by_file[os.path.join("乡镇", "warning.xlsx")]["状态"] == Status.WARNINGS.value
    error = by_file[os.path.join("乡镇", "error.xlsx")]
    assert error["状态"] == Status.ERRORS.value and error["错误数"] >= 1
    assert "表三!" in error["第一个错误"]
    assert error["报告（Word）"] in (None, "")
    unreadable = by_file["unreadable.xlsx"]
    assert unreadable["状态"] == Status.UNREADABLE.value and unreadable["第一个错误"]

    outputs = sorted(p.name for p in out.iterdir())
    assert outputs == sorted([
        "汇总-2025.xlsx",
        "扎赉特旗宝力根花苏木人民政府2025年政府信息公开工作年度报告.docx",
        "甲镇人民政府2025年政府信息公开工作年度报告.docx",
    ])
    document = Document(str(out / "甲镇人民政府2025年政府信息公开工作年度报告.docx"))
    assert any("甲镇人民政府" in p.text for p in document.paragraphs)
    assert "跳过" in result.output and "说明.txt" in result.output


def test_unsafe_and_duplicate_agency_names(tmp_path: Path, example_report: Report) -> None:
    root = tmp_path / "in"
    root.mkdir()
    names = ["../上级/机关", "CON", "丙镇人民政府", "丙镇人民政府"]
    for index, agency in enumerate(names):
        write_workbook(root / f"{index}.xlsx", _with_agency(example_report, agency))
    out = tmp_path / "out"
    items = run_batch(BatchPlan(root, out, ("docx",), jobs=1))
    assert [item.status for item in items] == [Status.PASSED] * 4
    produced = [p for item in items for p in item.outputs]
    assert len(produced) == 4 and len({p.name.casefold() for p in produced}) == 4
    for path in produced:
        assert path.parent == out, "an agency name must not move a file out of the folder"
        assert "/" not in path.name and "\\" not in path.name and ".." not in path.name
        assert path.stem.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
    assert (tmp_path / "上级").exists() is False
    stems = sorted(p.stem for p in produced if "丙镇" in p.stem)
    assert stems == ["丙镇人民政府2025年政府信息公开工作年度报告",
                     "丙镇人民政府2025年政府信息公开工作年度报告（2）"]


def test_unique_stem_folds_case() -> None:
    taken: set[str] = set()
    assert unique_stem("Report", taken) == "Report"
    assert unique_stem("report", taken) == "report（2）"
    assert unique_stem("REPORT", taken) == "REPORT（3）"


from generator import batch as _batch_module

_PROCESS_WORKBOOK = _batch_module.process_workbook


def _killer(source, out_dir, formats, options, previous=None, **kwargs):  # noqa: ANN001
    """A worker that writes a partial temporary output, then dies like a killed process."""
    from generator import batch

    if "poison" in source.name:
        partial = batch._temporary_output(out_dir, ".docx")
        partial.write_bytes(b"PK\x03\x04 half a file")
        os.kill(os.getpid(), signal.SIGKILL)
    return _PROCESS_WORKBOOK(source, out_dir, formats, options, previous, **kwargs)


def test_killed_worker_leaves_no_partial_output(tmp_path: Path, example_report: Report,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import batch

    root = tmp_path / "in"
    root.mkdir()
    write_workbook(root / "a.xlsx", example_report)
    write_workbook(root / "poison.xlsx", _with_agency(example_report, "丁镇人民政府"))
    write_workbook(root / "z.xlsx", _with_agency(example_report, "戊镇人民政府"))
    monkeypatch.setattr(batch, "process_workbook", _killer)
    out = tmp_path / "out"
    items = run_batch(BatchPlan(root, out, ("docx",), jobs=2))

    statuses = {item.source.name: item.status for item in items}
    assert statuses == {"a.xlsx": Status.PASSED, "poison.xlsx": Status.INTERNAL,
                        "z.xlsx": Status.PASSED}
    left = sorted(p.name for p in out.iterdir())
    assert not [name for name in left if name.startswith(TEMP_PREFIX)], left
    assert len(left) == 2 and all(name.endswith(".docx") for name in left)
    for name in left:
        Document(str(out / name))  # every output that exists is a complete document


def test_summary_text_cannot_become_a_formula(tmp_path: Path, example_report: Report) -> None:
    root = tmp_path / "in"
    root.mkdir()
    write_workbook(root / "x.xlsx", _with_agency(example_report, "=HYPERLINK(\"http://x\",\"点我\")"))
    out = tmp_path / "out"
    CliRunner().invoke(main, ["batch", str(root), "-o", str(out), "--jobs", "1"])
    sheet = load_workbook(out / "汇总-2025.xlsx").active
    cell = sheet["B2"]
    assert cell.value == "=HYPERLINK(\"http://x\",\"点我\")"
    assert cell.data_type == "s"


# ---------------------------------------------------------------------------
# The PDF engine: the batch makes its PDFs the way `build --pdf-engine` does.

needs_soffice = pytest.mark.skipif(
    __import__("generator.outputs.libreoffice", fromlist=["find_soffice"]).find_soffice() is None,
    reason="LibreOffice (soffice) is not installed; .ci/install-system-packages installs it")


def _pdf_producer_and_text(path: Path) -> tuple[str, str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        producer = str(pdf.metadata.get("Producer", ""))
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    return producer, text


@needs_soffice
def test_batch_honours_the_libreoffice_pdf_engine(tmp_path: Path, example_report: Report) -> None:
    from generator import app

    root = tmp_path / "county"
    root.mkdir()
    write_workbook(root / "good.xlsx", _with_agency(example_report, "某某县教育局"))
    result = app.batch(app.BatchOptions(root, tmp_path / "out", ("docx", "pdf"), jobs=1,
                                        pdf_engine="libreoffice"))
    (item,) = result.items
    assert item.status is not Status.ERRORS and not result.failed
    pdf = next(p for p in item.outputs if p.suffix == ".pdf")
    producer, text = _pdf_producer_and_text(pdf)
    assert "LibreOffice" in producer  # converted from the .docx, not laid out by reportlab
    assert "某某县教育局" in text.replace(" ", "") and "政府信息公开工作年度报告" in text.replace(" ", "")
    assert {p.suffix for p in item.outputs} == {".docx", ".pdf"}


def test_batch_with_the_reportlab_engine_makes_a_reportlab_pdf(tmp_path: Path,
                                                               example_report: Report) -> None:
    from generator import app

    root = tmp_path / "county"
    root.mkdir()
    write_workbook(root / "good.xlsx", example_report)
    (item,) = app.batch(app.BatchOptions(root, tmp_path / "out", ("pdf",), jobs=1)).items
    (pdf,) = item.outputs
    producer, _ = _pdf_producer_and_text(pdf)
    assert "reportlab" in producer.lower() and "LibreOffice" not in producer


def test_batch_refuses_the_libreoffice_engine_without_libreoffice(
        tmp_path: Path, example_report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.outputs import libreoffice

    root = tmp_path / "county"
    root.mkdir()
    write_workbook(root / "good.xlsx", example_report)
    monkeypatch.setattr(libreoffice, "find_soffice", lambda: None)
    result = CliRunner().invoke(main, ["batch", str(root), "-o", str(tmp_path / "out"), "--pdf",
                                       "--pdf-engine", "libreoffice"])
    assert result.exit_code == 2, result.output
    assert "未找到 LibreOffice" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # refused before any workbook was read


def test_batch_options_refuse_an_unknown_engine(tmp_path: Path) -> None:
    from generator import app

    with pytest.raises(ValueError, match="engine"):
        app.BatchOptions(tmp_path, pdf_engine="wps")


def test_a_row_finished_later_writes_what_it_left_and_a_failure_leaves_nothing(
        tmp_path: Path, example_report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    """A workbook processed with the HTML left for later carries its checked report; finishing
    it writes the HTML beside the .docx, and a failure then removes both temporary files."""
    import pickle

    from generator import batch
    from generator.outputs import RenderOptions

    source = tmp_path / "甲.xlsx"
    write_workbook(source, _with_agency(example_report, "甲镇人民政府"))
    options = RenderOptions()
    item = batch.process_isolated(source, tmp_path, ("docx", "html"), options, later=("html",))
    assert item.awaiting == ("html",) and set(item.pending) == {"docx"}
    item = pickle.loads(pickle.dumps(item))  # as it travels between worker and parent
    assert item.report is not None and item.report.meta.agency == "甲镇人民政府"
    Document(str(item.pending["docx"]))

    done = batch.finish_isolated(item, tmp_path, options)
    assert (done.awaiting, done.report, set(done.pending)) == ((), None, {"docx", "html"})
    assert "甲镇人民政府" in done.pending["html"].read_text(encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("磁盘坏了")

    monkeypatch.setattr(batch, "write_format", broken)
    failed = batch.finish_isolated(item, tmp_path, options)
    assert failed.status is Status.INTERNAL and "RuntimeError" in failed.first_error
    assert failed.agency == "甲镇人民政府" and failed.pending == {}
    assert not item.pending["docx"].exists()
