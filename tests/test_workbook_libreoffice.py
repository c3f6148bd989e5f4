"""Recalculate the workbook through LibreOffice so its formulas get cached values, then check
the totals, the check cells and the default-text formulas against the Python code."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from generator.defaults import default_fee_sentence, default_opening
from generator.form import TABLE3, TABLE4
from generator.model import Meta, Numbers, Report
from generator.workbook.layout import default_field_address
from generator.workbook.reader import read_workbook
from generator.workbook.writer import check_row, meta_address, text_address, write_workbook

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed; .ci/install-system-packages installs it")


def recalculate(path: Path, tmp_path: Path) -> Path:
    """``path`` converted to .xlsx by LibreOffice headless (formulas computed and cached)."""
    out = tmp_path / "recalculated"
    out.mkdir(exist_ok=True)
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        check=True, timeout=180, capture_output=True)
    result = out / path.name
    assert result.exists(), "LibreOffice produced no file"
    return result


def _values(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path, data_only=True)


def test_totals_and_checks_compute(example_report: Report, tmp_path: Path) -> None:
    balanced = write_workbook(tmp_path / "balanced.xlsx", example_report)
    unbalanced_numbers = dict(example_report.numbers.values)
    unbalanced_numbers["t3.carried_over.research"] = 1  # 一+二 ≠ （七）+四 in column F
    unbalanced = write_workbook(tmp_path / "unbalanced.xlsx",
                                example_report.replace(numbers=Numbers(unbalanced_numbers)))
    wb = openpyxl.load_workbook(unbalanced)
    wb["表四"]["E4"] = 9  # a value pasted over the 行政复议 总计 formula
    wb.save(unbalanced)

    good = _values(recalculate(balanced, tmp_path))
    assert good["表三"]["J4"].value == 4
    assert good["表三"]["D27"].value == 4
    assert good["表三"]["J27"].value == 4
    assert good["表四"]["O4"].value == 0
    row = check_row(TABLE3)
    checks = [good["表三"].cell(row, c).value for c in range(4, 11)]
    assert all(str(v).startswith("✓") for v in checks), checks
    assert all(str(good["表四"].cell(check_row(TABLE4), c).value).startswith("✓")
               for c in (1, 6, 11))

    bad = _values(recalculate(unbalanced, tmp_path))
    checks = [str(bad["表三"].cell(row, c).value) for c in range(4, 11)]
    research = default_field_address(TABLE3.field_by_id["t3.carried_over.research"]).col
    assert checks[research - 4].startswith("✗")
    assert checks[-1].startswith("✗")  # the 总计 column is off too
    assert sum(c.startswith("✗") for c in checks) == 2
    t4 = [str(bad["表四"].cell(check_row(TABLE4), c).value) for c in (1, 6, 11)]
    assert t4[0].startswith("✗") and t4[1].startswith("✓")


def test_recalculated_file_reads_without_findings(example_report: Report,
                                                  tmp_path: Path) -> None:
    path = recalculate(write_workbook(tmp_path / "x.xlsx", example_report), tmp_path)
    result = read_workbook(path)
    assert result.report == example_report
    assert result.findings == ()


@pytest.mark.parametrize("meta", [
    Meta("扎赉特旗宝力根花苏木人民政府", 2025, portal_name="扎赉特旗人民政府门户网站",
         portal_url="http://www.zltq.gov.cn/", phone="0482-6540003"),
    Meta("某县教育局", 2024, address="某县人民路1号", postcode="100000", phone="010-1234567",
         email="gk@example.cn", processing_fee=Decimal("120.5")),
    Meta("某镇人民政府", 2025),
], ids=["sample", "all-contacts", "nothing"])
def test_default_text_formulas_equal_the_generator(meta: Meta, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "blank.xlsx")
    wb = openpyxl.load_workbook(path)
    for key in ("agency", "year", "portal_name", "portal_url", "phone", "address", "postcode",
                "email", "processing_fee"):
        value = getattr(meta, key)
        if value not in ("", None, Decimal(0)):
            a = meta_address(key)
            wb[a.sheet].cell(a.row, a.col).value = value
    wb.save(path)
    computed = _values(recalculate(path, tmp_path))
    opening, fee = text_address("opening"), text_address("other.fees")
    assert computed[opening.sheet][opening.coordinate].value == default_opening(meta)
    assert computed[fee.sheet][fee.coordinate].value == default_fee_sentence(meta)
    # Read back, the formula cells mean "the generator's default"
    report = read_workbook(path).report
    assert report.narrative["opening"].paragraphs == ()
    assert (report.meta.agency, report.meta.year) == (meta.agency, meta.year)
