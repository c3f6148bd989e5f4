"""The county portal: its test-client cases on SQLite and PostgreSQL, its commands, and the
whole flow in Debian's chromium against ``nianbao portal serve`` (killed -9 after an upload).

The Django test-client cases (tests/portal_cases.py) run in a pytest process of their own:
Django is set up once per process and tests/test_web*.py set it up for the local page.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Iterator

import pytest
from portal_support import (
    AGENCY_A,
    AGENCY_B,
    PASSWORD,
    Cluster,
    ServerProcess,
    make_portal,
    nianbao,
    why_no_postgres,
)

TESTS = Path(__file__).resolve().parent
EXAMPLE = TESTS.parent / "inputs" / "example-2025.xlsx"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = TESTS.parent / "outputs" / "portal-screens"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    reason = why_no_postgres()
    if reason:
        pytest.skip(reason)
    started = Cluster()
    yield started
    started.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return ""
    return request.getfixturevalue("cluster").new_database()


def test_client_cases(database_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(TESTS), "PORTAL_TEST_DATABASE_URL": database_url}
    # -n 0: the cases share one portal database, so they run in one process (the suite's
    # own -n auto would spread them over workers)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
                             str(TESTS / "portal_cases.py")], capture_output=True, text=True,
                            env=env, timeout=1200)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert re.search(r"\b1[0-9] passed\b", result.stdout), result.stdout[-2000:]


def test_init_refuses_twice_and_add_user_checks_password(tmp_path: Path) -> None:
    data = tmp_path / "portal"
    nianbao("portal", "init", "--data", str(data))
    again = nianbao("portal", "init", "--data", str(data), check=False)
    assert again.returncode == 2 and "已经是门户的数据文件夹" in again.stderr
    weak = nianbao("portal", "add-user", "--data", str(data), "--username", "x", "--agency", AGENCY_B,
                   "--password-stdin", stdin="123\n", check=False)
    assert weak.returncode == 2 and "至少 10 个字符" in weak.stderr and "Traceback" not in weak.stderr
    missing = nianbao("portal", "serve", "--data", str(tmp_path / "none"), check=False)
    assert missing.returncode == 2 and "portal init" in missing.stderr


def _is_worker(pid: int) -> bool:
    try:
        return "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    except OSError:
        return False


def _login(page: object, url: str, username: str) -> None:
    page.goto(url + "login")
    page.fill("input[name=username]", username)
    page.fill("input[type=password]", PASSWORD)
    page.click("button[type=submit]")


def _wait_checked(page: object) -> str:
    for _ in range(120):
        verdict = page.get_attribute("[data-verdict]", "data-verdict")
        if verdict != "queued":
            return str(verdict)
        time.sleep(1)
        page.reload()
    raise AssertionError("generation did not finish")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium (/usr/bin/chromium) is not installed")
def test_browser_flow_with_kill_9(database_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    data = tmp_path / "portal"
    make_portal(data, database_url)
    server = ServerProcess(data)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            a = browser.new_context(accept_downloads=True).new_page()
            _login(a, server.url, "clerk_a")
            assert AGENCY_A in a.inner_text("h1")
            a.set_input_files("input[name=file]", str(EXAMPLE))
            a.click("form.upload button")
            a.wait_for_selector("[data-verdict]")
            # kill -9 right after the upload was acknowledged; then start again on the same data.
            workers = server.children()
            server.kill()
            server = ServerProcess(data, port=server.port)
            a.goto(server.url + "agency")
            assert _wait_checked(a) == "passed"
            # The killed server's workers leave by themselves (they look for it every 2 s).
            for _ in range(30):
                lingering = [pid for pid in workers if _is_worker(pid)]
                if not lingering:
                    break
                time.sleep(1)
            assert not lingering, f"workers of the killed server still running: {lingering}"
            assert "第 1 版" in a.inner_text("section.version h2")
            with a.expect_download() as download:
                a.click("[data-kind=docx]")
            saved = tmp_path / "a.docx"
            download.value.save_as(saved)
            import docx

            assert AGENCY_A in "".join(p.text for p in docx.Document(str(saved)).paragraphs)
            urls = [a.get_attribute(f"[data-kind={k}]", "href") for k in ("docx", "pdf", "html", "xlsx")]
            urls.append(a.get_attribute("table.versions a", "href"))
            a.fill("textarea[name=explanation]", "示例数据") if a.query_selector("textarea") else None
            a.click("form.submit button")
            assert a.inner_text("[data-status]") == "待审核"
            a.set_viewport_size({"width": 1280, "height": 900})
            a.screenshot(path=str(SHOTS / f"agency-{'pg' if database_url else 'sqlite'}.png"), full_page=True)

            # Agency B and a logged-out browser get 403/404 for each of A's URLs.
            b = browser.new_context().new_page()
            _login(b, server.url, "clerk_b")
            assert AGENCY_B in b.inner_text("h1")
            anonymous = browser.new_context().new_page()
            for url in urls:
                assert b.goto(server.url + url.lstrip("/")).status == 404, url
                assert anonymous.goto(server.url + url.lstrip("/")).status in (403, 404), url
            # A POST without the form's token is refused.
            refused = b.request.post(server.url + "agency/submit", form={"explanation": "x"})
            assert refused.status == 403

            # The county office sees both agencies and returns A's submission with a comment.
            admin = browser.new_context().new_page()
            _login(admin, server.url, "county")
            admin.set_viewport_size({"width": 1280, "height": 700})
            assert admin.inner_text(f'tr[data-agency="{AGENCY_A}"] [data-status]') == "待审核"
            assert admin.inner_text(f'tr[data-agency="{AGENCY_B}"] [data-status]') == "未提交"
            admin.screenshot(path=str(SHOTS / f"dashboard-{'pg' if database_url else 'sqlite'}.png"),
                             full_page=True)
            admin.click(f'tr[data-agency="{AGENCY_A}"] a')
            admin.fill("textarea[name=comment]", "请补充表二的说明后重新提交")
            admin.click("form.return button")
            assert admin.inner_text(f'tr[data-agency="{AGENCY_A}"] [data-status]') == "已退回"
            a.goto(server.url + "agency")
            assert "请补充表二的说明后重新提交" in a.inner_text("[data-comment]")
            assert a.inner_text("[data-status]") == "已退回"
            browser.close()
    finally:
        server.stop()


def test_secure_cookies_behind_https_proxy(tmp_path: Path) -> None:
    data = tmp_path / "portal"
    make_portal(data)
    server = ServerProcess(data, extra=("--https-proxy", "--public-name", "nianbao.example.gov.cn"))
    try:
        request = urllib.request.Request(server.url + "login", headers={
            "X-Forwarded-Proto": "https", "Host": "nianbao.example.gov.cn"})
        cookie = urllib.request.urlopen(request).headers.get("Set-Cookie") or ""
        assert "nianbao_portal_csrf=" in cookie
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        # An unknown host name is refused (Django's host check), with no traceback.
        try:
            urllib.request.urlopen(urllib.request.Request(server.url + "login", headers={"Host": "evil.example"}))
            raise AssertionError("an unknown Host was served")
        except urllib.error.HTTPError as error:
            assert error.code == 400 and b"Traceback" not in error.read()
    finally:
        server.stop()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_backup_and_restore(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    urls = ["", ""]
    if kind == "postgresql":
        cluster = request.getfixturevalue("cluster")
        urls = [cluster.new_database(), cluster.new_database()]
    data = tmp_path / "portal"
    make_portal(data, urls[0])
    server = ServerProcess(data)
    try:
        import http.cookiejar

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        _http_login(opener, server.url, "clerk_a")
        _http_upload(opener, server.url, EXAMPLE)
    finally:
        server.stop()
    archive = tmp_path / "backup.zip"
    result = nianbao("portal", "backup", "--data", str(data), str(archive))
    assert "个文件" in result.stdout
    names = zipfile.ZipFile(archive).namelist()
    assert "database.json" in names and any(n.startswith("files/") for n in names)
    restored = tmp_path / "restored"
    nianbao("portal", "restore", "--data", str(restored), *(["--database-url", urls[1]] if urls[1] else []),
            str(archive))
    server = ServerProcess(restored)
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        _http_login(opener, server.url, "clerk_a")
        page = opener.open(server.url + "agency").read().decode()
        assert "第 1 版" in page and "example-2025.xlsx" in page
        link = re.search(r'href="(/files/\d+/xlsx)"', page).group(1)
        assert opener.open(server.url + link.lstrip("/")).read() == EXAMPLE.read_bytes()
        # New rows after a restore get new ids (PostgreSQL's sequences were moved past the old).
        _http_upload(opener, server.url, EXAMPLE)
        assert "第 2 版" in opener.open(server.url + "agency").read().decode()
    finally:
        server.stop()


def _csrf(opener: object, url: str) -> str:
    page = opener.open(url).read().decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _http_login(opener: object, base: str, username: str) -> None:
    from urllib.parse import urlencode

    token = _csrf(opener, base + "login")
    body = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(base + "login", data=body, headers={"Referer": base + "login"})
    assert "/agency" in opener.open(request).geturl()


def _http_upload(opener: object, base: str, path: Path) -> None:
    token = _csrf(opener, base + "agency")
    boundary = "----nianbaoportaltest"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + path.read_bytes() + \
        f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(base + "agency/upload", data=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": base + "agency"})
    assert "m=uploaded" in opener.open(request).geturl()


def test_aggregate_of_no_approved_report_is_blank_not_zero(tmp_path: Path) -> None:
    import openpyxl

    from generator.form import INPUT_FIELDS
    from generator.portal.aggregate import county_workbook
    from generator.report.layout import field_address

    target = county_workbook([], "扎赉特旗", 2025, tmp_path / "county.xlsx")
    wb = openpyxl.load_workbook(target)
    for f in INPUT_FIELDS:
        address = field_address(f.id)
        assert wb[address.sheet].cell(address.row, address.col).value is None, f.id


def test_aggregate_sums_two_reports(tmp_path: Path, example_report: object) -> None:
    from dataclasses import replace

    from generator import app
    from generator.portal.aggregate import county_workbook
    from generator.report.model import report_to_json

    other = replace(example_report, meta=replace(example_report.meta, agency=AGENCY_B))
    target = county_workbook([report_to_json(example_report), report_to_json(other)], "扎赉特旗",
                             2025, tmp_path / "county.xlsx")
    summed = app.check(target).report
    assert summed.meta.agency == "扎赉特旗" and summed.meta.year == 2025
    for field_id in ("t3.new.total", "t3.new.natural_person", "t4.cases.review_total",
                     "t3.carried_forward.total"):
        assert summed.numbers[field_id] == 2 * example_report.numbers[field_id], field_id
    assert example_report.numbers["t3.new.total"] != 0
