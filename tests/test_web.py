"""The clerk's page (``nianbao serve``) end to end, in a real Chromium driven by Playwright.

The server runs in this process on a free loopback port (waitress in a thread, work in its
worker processes); the browser is Debian's chromium.  Screenshots of each state at 1280 and
390 px are saved under $NIANBAO_SCREENSHOTS (default: a temporary folder) for looking at.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright import (
    sync_api,  # in the test extra: a missing package fails, never skips
)

from generator.inputs.workbook.reader import read_workbook

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = (1280, 390)

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (.ci/install-system-packages installs Debian's "
                "chromium); the page's browser tests need it", allow_module_level=True)


@pytest.fixture(scope="module")
def server() -> Iterator[object]:
    from generator.web.server import Server

    with Server("127.0.0.1", 0, workers=2) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, server):  # noqa: ANN001, ANN201 - Playwright objects
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    tab.goto(server.url)
    yield tab
    context.close()


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = Path(os.environ.get("NIANBAO_SCREENSHOTS") or tempfile.mkdtemp(prefix="nianbao-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page, shots: Path, name: str) -> None:  # noqa: ANN001
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def submit(page, form: str, files: dict[str, Path]) -> object:  # noqa: ANN001
    for name, path in files.items():
        page.set_input_files(f"#{form} input[name={name}]", str(path))
    page.click(f"#{form} button[type=submit]")
    result = page.locator(f"#{form} ~ [data-result]")
    result.locator("[data-verdict], [data-refused]").first.wait_for(timeout=120_000)
    return result


def download(page, link) -> tuple[str, bytes]:  # noqa: ANN001
    with page.expect_download() as info:
        link.click()
    value = info.value
    return value.suggested_filename, Path(value.path()).read_bytes()


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(cwd)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def typed_totals_with_wrong_d6(example: Path, tmp_path: Path) -> Path:
    """The example as many clerks send it (totals typed as numbers, not formulas) with
    表三!D6 one too high: its column total and row total now disagree with it."""
    wb = openpyxl.load_workbook(example)
    ws = wb["表三"]
    ws["D27"] = sum(ws.cell(r, 4).value for r in range(6, 27))
    ws["J6"] = sum(ws.cell(6, c).value for c in range(4, 10))
    ws["D6"] = ws["D6"].value + 1
    target = tmp_path / "表三D6有误.xlsx"
    wb.save(target)
    return target


def test_example_passes_and_downloads_equal_the_cli(page, example_workbook: Path,  # noqa: ANN001
                                                    tmp_path: Path, shots: Path) -> None:
    import docx
    import pdfplumber

    screenshot(page, shots, "1-empty")
    result = submit(page, "check-form", {"file": example_workbook})
    assert "通过" in result.locator("[data-verdict=passed]").inner_text()
    links = result.locator("[data-downloads] a")
    assert [links.nth(i).get_attribute("data-kind") for i in range(links.count())] == \
        ["docx", "pdf", "html", "zip"]
    assert result.locator("table.form").count() == 3
    assert result.locator("td.bad").count() == 0
    # What writing the outputs found (e.g. substitute fonts) is shown, as the CLI prints it.
    from generator import app

    direct = app.build(example_workbook, app.BuildOptions(out_dir=tmp_path / "direct",
                                                          formats=app.ALL_FORMATS))
    shown = result.inner_text()
    assert all(f.message in shown for f in direct.render_findings)
    assert ("生成时发现" in shown) == bool(direct.render_findings)
    screenshot(page, shots, "2-passed")

    built = cli("build", str(example_workbook), "-o", str(tmp_path / "cli"), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    (cli_docx,) = (tmp_path / "cli").glob("*.docx")
    got = {kind: download(page, result.locator(f"a[data-kind={kind}]"))
           for kind in ("docx", "pdf", "html", "zip")}
    name, data = got["docx"]
    assert name == cli_docx.name
    assert data == cli_docx.read_bytes()  # byte for byte what `nianbao build` writes
    assert "宝力根花苏木" in "".join(p.text for p in docx.Document(cli_docx).paragraphs[:3])

    pdf_path = tmp_path / got["pdf"][0]
    pdf_path.write_bytes(got["pdf"][1])
    with pdfplumber.open(pdf_path) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "政府信息公开工作年度报告" in text and "宝力根花苏木" in text
    html = got["html"][1].decode("utf-8")
    assert "<table" in html and "宝力根花苏木" in html
    with zipfile.ZipFile(io.BytesIO(got["zip"][1])) as z:
        assert sorted(z.namelist()) == sorted(got[k][0] for k in ("docx", "pdf", "html"))
        assert z.read(got["docx"][0]) == cli_docx.read_bytes()


def test_wrong_cell_is_named_marked_and_only_a_draft(page, example_workbook: Path,  # noqa: ANN001
                                                     tmp_path: Path, shots: Path) -> None:
    import docx

    bad = typed_totals_with_wrong_d6(example_workbook, tmp_path)
    result = submit(page, "check-form", {"file": bad})
    assert "未通过" in result.locator("[data-verdict=failed]").inner_text()
    rows = result.locator("table.findings tbody tr")
    first = rows.first.inner_text()
    assert "表三!D6" in first and "错误" in first and "应为 2，现为 3" in first
    cell = result.locator('table.form td[data-cell="表三!D6"]')
    assert "bad" in cell.get_attribute("class").split()
    assert "error" in cell.get_attribute("class").split()
    assert cell.inner_text() == "3"
    assert "很可能是 表三!D6 填错" in cell.get_attribute("title")
    # Only cells a finding names are marked.
    marked = result.locator("table.form td.bad")
    assert sorted(marked.nth(i).get_attribute("data-cell") for i in range(marked.count())) == \
        ["表三!D27", "表三!D6", "表三!J6"]
    cell.click()  # a tap shows the message
    popup = page.locator("#popup")
    assert popup.is_visible() and "表三!D6" in popup.inner_text()
    screenshot(page, shots, "3-errors")

    links = result.locator("[data-downloads] a")
    assert [links.nth(i).get_attribute("data-kind") for i in range(links.count())] == ["draft"]
    assert "草稿" in links.first.inner_text()
    assert "页眉标注“校验未通过，不得用于正式印发”" in links.first.inner_text()  # the form's mark
    name, data = download(page, links.first)
    assert name.startswith("草稿-") and name.endswith(".docx")
    draft = tmp_path / "draft.docx"
    draft.write_bytes(data)
    headers = " ".join(p.text for s in docx.Document(draft).sections for p in s.header.paragraphs)
    assert "校验未通过，不得用于正式印发" in headers


def test_junk_gives_the_cli_message_only(page, tmp_path: Path, shots: Path) -> None:  # noqa: ANN001
    junk = tmp_path / "年报.xlsx"
    junk.write_bytes(b"\x00\x01junk, not a workbook\n" * 40)
    result = submit(page, "check-form", {"file": junk})
    shown = result.inner_text().strip()
    checked = cli("check", str(junk), cwd=tmp_path)
    assert checked.returncode == 2
    assert shown == checked.stderr.strip()
    assert shown.startswith("错误：年报.xlsx：")
    assert result.locator("table, a").count() == 0  # nothing else: no tables, no downloads
    screenshot(page, shots, "4-unreadable")


def test_blank_workbook_download_opens(page, tmp_path: Path, shots: Path) -> None:  # noqa: ANN001
    page.fill("#blank-form input[name=agency]", "某某县民政局")
    page.fill("#blank-form input[name=year]", "2025")
    page.click("#blank-form button[type=submit]")
    result = page.locator("#blank-form ~ [data-result]")
    result.locator("[data-verdict=made]").wait_for(timeout=60_000)
    screenshot(page, shots, "5-blank")
    name, data = download(page, result.locator("a[data-kind=xlsx]"))
    assert name == "某某县民政局2025年政府信息公开工作年度报告填报表.xlsx"
    target = tmp_path / name
    target.write_bytes(data)
    assert "表三" in openpyxl.load_workbook(target).sheetnames
    meta = read_workbook(target).report.meta
    assert (meta.agency, meta.year) == ("某某县民政局", 2025)


def test_next_year_and_diff(page, example_workbook: Path, tmp_path: Path,  # noqa: ANN001
                            shots: Path) -> None:
    result = submit(page, "next-form", {"file": example_workbook})
    assert "已结转" in result.inner_text()
    name, data = download(page, result.locator("a[data-kind=xlsx]"))
    target = tmp_path / name
    target.write_bytes(data)
    assert "表三" in openpyxl.load_workbook(target).sheetnames
    assert read_workbook(target).report.meta.year == 2026
    screenshot(page, shots, "6-next-year")

    diff = submit(page, "diff-form", {"last": example_workbook, "this": target})
    text = diff.inner_text()
    assert "（2025年） → " in text and "（2026年）" in text
    cells = diff.locator("table.diff td.cells")
    assert cells.count() > 0 and all(cells.nth(i).inner_text().startswith("表")
                                     for i in range(cells.count()))
    screenshot(page, shots, "7-diff")


@pytest.mark.parametrize("format_name", ["html", "pdf"])  # the pdf: how most are published
def test_import_published_report(page, example_workbook: Path, tmp_path: Path,  # noqa: ANN001
                                 shots: Path, format_name: str) -> None:
    from generator import app

    built = app.build(example_workbook, app.BuildOptions(out_dir=tmp_path, formats=(format_name,)))
    (published,) = built.written
    # the card names every shape it reads, and the picker offers it
    assert format_name in page.inner_text("section[aria-labelledby=import-title] p").lower()
    assert f".{format_name}" in page.get_attribute("#import-form input[name=file]", "accept")
    result = submit(page, "import-form", {"file": published})
    assert "已读取" in result.inner_text()
    name, data = download(page, result.locator("a[data-kind=xlsx]"))
    assert name.endswith(".xlsx")
    target = tmp_path / "imported.xlsx"
    target.write_bytes(data)
    imported = read_workbook(target).report
    assert imported.meta.agency == "扎赉特旗宝力根花苏木人民政府"
    assert imported.numbers == read_workbook(example_workbook).report.numbers.with_totals()
    screenshot(page, shots, f"8-import-{format_name}")


def test_second_session_cannot_fetch_the_first_ones_files(browser, server, page,  # noqa: ANN001
                                                          example_workbook: Path) -> None:
    result = submit(page, "check-form", {"file": example_workbook})
    href = result.locator("a[data-kind=docx]").get_attribute("href")
    job = href.split("/")[2]
    assert page.request.get(server.url.rstrip("/") + href).status == 200
    other = browser.new_context()
    try:
        stranger = other.new_page()
        stranger.goto(server.url)
        for path in (href, f"/jobs/{job}", f"/download/{job}/zip"):
            assert stranger.request.get(server.url.rstrip("/") + path).status == 404
    finally:
        other.close()


def test_a_dropped_file_is_checked(page, example_workbook: Path) -> None:  # noqa: ANN001
    import base64

    data = base64.b64encode(example_workbook.read_bytes()).decode("ascii")
    page.evaluate("""([name, data]) => {
        const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name));
        const zone = document.querySelector("#check-form [data-drop]");
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }""", [example_workbook.name, data])
    assert page.inner_text("#check-form [data-name]") == f"已选择：{example_workbook.name}"
    page.click("#check-form button[type=submit]")
    result = page.locator("#check-form ~ [data-result]")
    result.locator("[data-verdict]").wait_for(timeout=120_000)
    assert "通过" in result.locator("[data-verdict=passed]").inner_text()
