"""Recalculate the workbook through LibreOffice so its formulas get cached values, then check
the totals, the check cells and the default-text formulas against the Python code."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from generator.form import TABLE3, TABLE4
from generator.inputs.workbook.reader import read_workbook
from generator.outputs.workbook import (
    check_row,
    meta_address,
    text_address,
    write_workbook,
)
from generator.report.layout import default_field_address
from generator.report.model import Meta, Numbers, Report
from generator.report.sentences import default_fee_sentence, default_opening

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed; .ci/install-system-packages installs it")


def recalculate(paths: list[Path], folder: Path) -> dict[str, Path]:
    """Every workbook of ``paths`` converted to .xlsx by LibreOffice headless (formulas computed
    and cached), in ONE soffice call (one start instead of one per workbook): name -> result."""
    out = folder / "recalculated"
    profile = folder / "lo-profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "xlsx", "--outdir", str(out), *map(str, paths)],
        check=True, timeout=300, capture_output=True)
    results = {path.name: out / path.name for path in paths}
    missing = sorted(name for name, result in results.items() if not result.exists())
    assert not missing, f"LibreOffice produced no file for {missing}"
    return results


META_CASES = {
    "sample": Meta("扎赉特旗宝力根花苏木人民政府", 2025, portal_name="扎赉特旗人民政府门户网站",
                   portal_url="http://www.zltq.gov.cn/", phone="0482-6540003"),
    "all-contacts": Meta("某县教育局", 2024, address="某县人民路1号", postcode="100000",
                         phone="010-1234567", email="gk@example.cn",
                         processing_fee=Decimal("120.5")),
    "nothing": Meta("某镇人民政府", 2025),
}


def _blank_with_meta(path: Path, meta: Meta) -> Path:
    """A blank workbook with ``meta`` typed into 基本信息 (the default-text formulas use it)."""
    write_workbook(path)
    wb = openpyxl.load_workbook(path)
    for key in ("agency", "year", "portal_name", "portal_url", "phone", "address", "postcode",
                "email", "processing_fee"):
        value = getattr(meta, key)
        if value not in ("", None, Decimal(0)):
            a = meta_address(key)
            wb[a.sheet].cell(a.row, a.col).value = value
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def recalculated(example_report: Report,
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """The workbooks of this module, written, then recalculated together: name -> (written,
    recalculated)."""
    folder = tmp_path_factory.mktemp("recalculate")
    written = folder / "written"
    written.mkdir()
    balanced = write_workbook(written / "balanced.xlsx", example_report)
    unbalanced_numbers = dict(example_report.numbers.values)
    unbalanced_numbers["t3.carried_over.research"] = 1  # 一+二 ≠ （七）+四 in column F
    unbalanced = write_workbook(written / "unbalanced.xlsx",
                                example_report.replace(numbers=Numbers(unbalanced_numbers)))
    wb = openpyxl.load_workbook(unbalanced)
    wb["表四"]["E4"] = 9  # a value pasted over the 行政复议 总计 formula
    wb.save(unbalanced)
    paths = [balanced, unbalanced, write_workbook(written / "example.xlsx", example_report)]
    paths += [_blank_with_meta(written / f"blank-{name}.xlsx", meta)
              for name, meta in META_CASES.items()]
    results = recalculate(paths, folder)
    return {path.name: (path, results[path.name]) for path in paths}


def _values(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path, data_only=True)


def test_totals_and_checks_compute(recalculated: dict[str, tuple[Path, Path]]) -> None:
    good = _values(recalculated["balanced.xlsx"][1])
    assert good["表三"]["J4"].value == 4
    assert good["表三"]["D27"].value == 4
    assert good["表三"]["J27"].value == 4
    assert good["表四"]["O4"].value == 0
    row = check_row(TABLE3)
    checks = [good["表三"].cell(row, c).value for c in range(4, 11)]
    assert all(str(v).startswith("✓") for v in checks), checks
    assert all(str(good["表四"].cell(check_row(TABLE4), c).value).startswith("✓")
               for c in (1, 6, 11))

    bad = _values(recalculated["unbalanced.xlsx"][1])
    checks = [str(bad["表三"].cell(row, c).value) for c in range(4, 11)]
    research = default_field_address(TABLE3.field_by_id["t3.carried_over.research"]).col
    assert checks[research - 4].startswith("✗")
    assert checks[-1].startswith("✗")  # the 总计 column is off too
    assert sum(c.startswith("✗") for c in checks) == 2
    t4 = [str(bad["表四"].cell(check_row(TABLE4), c).value) for c in (1, 6, 11)]
    assert t4[0].startswith("✗") and t4[1].startswith("✓")


def test_recalculated_file_reads_without_findings(
        example_report: Report, recalculated: dict[str, tuple[Path, Path]]) -> None:
    result = read_workbook(recalculated["example.xlsx"][1])
    assert result.report == example_report
    assert result.findings == ()


@pytest.mark.parametrize("case", list(META_CASES))
def test_default_text_formulas_equal_the_generator(
        case: str, recalculated: dict[str, tuple[Path, Path]]) -> None:
    meta = META_CASES[case]
    path, result = recalculated[f"blank-{case}.xlsx"]
    computed = _values(result)
    opening, fee = text_address("opening"), text_address("other.fees")
    assert computed[opening.sheet][opening.coordinate].value == default_opening(meta)
    assert computed[fee.sheet][fee.coordinate].value == default_fee_sentence(meta)
    # Read back, the formula cells mean "the generator's default"
    report = read_workbook(path).report
    assert report.narrative["opening"].paragraphs == ()
    assert (report.meta.agency, report.meta.year) == (meta.agency, meta.year)
