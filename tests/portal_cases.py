"""Django test client cases of the portal, run by tests/test_portal.py in a process of their own
(Django is configured once per process, and tests/test_web*.py configure it for the local page).

The database is PORTAL_TEST_DATABASE_URL when set (PostgreSQL), else SQLite in a temp folder.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Iterator

import pytest
from portal_support import AGENCY_A, AGENCY_B, PASSWORD, make_portal

EXAMPLE = Path(__file__).resolve().parent.parent / "inputs" / "example-2025.xlsx"


@pytest.fixture(scope="module")
def portal() -> Iterator[object]:
    from generator.portal import config, jobs

    data = Path(tempfile.mkdtemp(prefix="portal-cases-"))
    make_portal(data, os.environ.get("PORTAL_TEST_DATABASE_URL", ""))
    loaded = config.load(data, extra={"year": 2025})
    config.configure(loaded)
    jobs.GENERATOR = jobs.Generator(loaded, workers=1)
    yield loaded
    jobs.GENERATOR.close()


def client(username: str | None = None, *, csrf: bool = False) -> object:
    from django.test import Client

    c = Client(enforce_csrf_checks=csrf, HTTP_HOST="127.0.0.1")
    if username:
        assert c.login(username=username, password=PASSWORD)
    return c


def upload(c: object, path: Path = EXAMPLE, name: str | None = None) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from generator.portal import jobs

    answer = c.post("/agency/upload", {"file": SimpleUploadedFile(name or path.name, path.read_bytes())})
    assert answer.status_code == 303, answer.content[:500]
    assert jobs.GENERATOR.wait_idle(300)


@pytest.fixture(scope="module")
def a_submitted(portal: object) -> dict[str, str]:
    """Agency A uploads the example and submits it; returns A's object URLs."""
    from generator.portal.models import Submission

    a = client("clerk_a")
    upload(a)
    page = a.get("/agency").content.decode()
    assert 'data-verdict="passed"' in page, page
    files = re.findall(r'href="(/files/\d+/\w+)"', page)
    assert {f.rsplit("/", 1)[1] for f in files} == {"docx", "pdf", "html", "xlsx"}
    answer = a.post("/agency/submit", {"explanation": "演示数据"})
    assert answer.status_code == 303
    submission = Submission.objects.get(agency__name=AGENCY_A)
    assert submission.status == "pending"
    version = submission.current
    return {"files": files, "version": f"/versions/{version.id}",
            "submission": f"/county/submission/{submission.id}",
            "return": f"/county/submission/{submission.id}/return",
            "approve": f"/county/submission/{submission.id}/approve"}


def test_clerk_gets_real_files(a_submitted: dict[str, str]) -> None:
    import docx

    a = client("clerk_a")
    answer = a.get(next(f for f in a_submitted["files"] if f.endswith("/docx")))
    assert answer.status_code == 200
    body = b"".join(answer.streaming_content)
    document = docx.Document(io.BytesIO(body))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"{AGENCY_A}\n2025年政府信息公开工作年度报告" in text
    assert "filename*=utf-8''" in answer["Content-Disposition"].lower()
    pdf = b"".join(a.get(next(f for f in a_submitted["files"] if f.endswith("/pdf"))).streaming_content)
    assert pdf.startswith(b"%PDF")


def test_other_agency_gets_404_for_every_url_of_a(a_submitted: dict[str, str]) -> None:
    b = client("clerk_b")
    for url in [*a_submitted["files"], a_submitted["version"], a_submitted["submission"]]:
        assert b.get(url).status_code == 404, url
    for url in (a_submitted["return"], a_submitted["approve"]):
        assert b.post(url, {"comment": "x"}).status_code == 404, url
    for url in ("/county/", "/county/approved.zip", "/county/aggregate.xlsx", "/county/audit"):
        assert b.get(url).status_code == 404, url
    # B's own page shows nothing of A's.
    page = b.get("/agency").content.decode()
    assert AGENCY_B in page and AGENCY_A not in page
    # Ids next to A's are no better than A's own.
    version_id = int(a_submitted["version"].rsplit("/", 1)[1])
    for other in (version_id - 1, version_id + 1, 10**9):
        assert b.get(f"/files/{other}/docx").status_code == 404


def test_logged_out_gets_nothing(a_submitted: dict[str, str]) -> None:
    anonymous = client()
    for url in [*a_submitted["files"], a_submitted["version"], a_submitted["submission"]]:
        assert anonymous.get(url).status_code in (403, 404), url
    for url in (a_submitted["return"], a_submitted["approve"], "/agency/upload", "/agency/submit"):
        assert anonymous.post(url).status_code in (302, 403), url
    for url in ("/agency", "/county/", "/agency/workbook"):
        answer = anonymous.get(url)
        assert answer.status_code == 302 and answer["Location"] == "/login", url


def test_post_without_csrf_token_is_refused(a_submitted: dict[str, str], portal: object) -> None:
    from generator.portal.models import Submission

    admin = client("county", csrf=True)
    answer = admin.post(a_submitted["approve"])
    assert answer.status_code == 403
    assert "页面已过期" in answer.content.decode()
    assert Submission.objects.get(agency__name=AGENCY_A).status == "pending"
    # The login form itself needs the token too.
    assert client(csrf=True).post("/login", {"username": "clerk_a", "password": PASSWORD}).status_code == 403
    # With the form's token the same browser gets in.
    fresh = client(csrf=True)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', fresh.get("/login").content.decode())
    assert token
    answer = fresh.post("/login", {"username": "clerk_a", "password": PASSWORD,
                                   "csrfmiddlewaretoken": token.group(1)})
    assert answer.status_code == 302


def test_admin_dashboard_return_then_approve(a_submitted: dict[str, str]) -> None:
    from generator.portal.models import AuditEvent, Submission

    admin = client("county")
    board = admin.get("/county/").content.decode()
    row_a = re.search(rf'data-agency="{AGENCY_A}">(.*?)</tr>', board, re.S).group(1)
    row_b = re.search(rf'data-agency="{AGENCY_B}">(.*?)</tr>', board, re.S).group(1)
    assert "待审核" in row_a and "未提交" in row_b
    detail = admin.get(a_submitted["submission"]).content.decode()
    assert "演示数据" in detail and 'data-verdict="passed"' in detail
    # A comment is required to return.
    admin.post(a_submitted["return"], {"comment": ""})
    assert Submission.objects.get(agency__name=AGENCY_A).status == "pending"
    answer = admin.post(a_submitted["return"], {"comment": "表三第六行请再核对"})
    assert answer.status_code == 303
    page = client("clerk_a").get("/agency").content.decode()
    assert "已退回" in page and "表三第六行请再核对" in page
    # Returned: A uploads again (a new version) and resubmits; the admin approves.
    a = client("clerk_a")
    upload(a)
    submission = Submission.objects.get(agency__name=AGENCY_A)
    assert submission.versions.count() == 2 and submission.status == "none"
    assert a.post("/agency/submit", {"explanation": "已核对"}).status_code == 303
    assert admin.post(f"/county/submission/{submission.id}/approve").status_code == 303
    assert Submission.objects.get(id=submission.id).status == "approved"
    assert "已通过" in client("clerk_a").get("/agency").content.decode()
    actions = set(AuditEvent.objects.filter(agency=AGENCY_A).values_list("action", flat=True))
    assert {"upload", "submit", "return", "approve"} <= actions
    # An approved report is locked for the clerk.
    upload_answer = a.post("/agency/upload", {})
    assert upload_answer.status_code == 303 and "nofile" in upload_answer["Location"]
    # All approved reports in one zip; the aggregate workbook sums them.
    archive = zipfile.ZipFile(io.BytesIO(admin.get("/county/approved.zip").content))
    assert sorted(n.rsplit(".", 1)[1] for n in archive.namelist()) == ["docx", "html", "pdf"]
    assert all(n.startswith(AGENCY_A + "/") for n in archive.namelist())
    _check_aggregate(admin.get("/county/aggregate.xlsx").content)


def _check_aggregate(content: bytes) -> None:
    import tempfile

    from generator import app

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "agg.xlsx"
        path.write_bytes(content)
        summed = app.check(path).report.numbers
    example = app.check(EXAMPLE).report.numbers
    # One approved report: the county's sums are its numbers.
    assert summed["t3.new.total"] == example["t3.new.total"] and example["t3.new.total"] != 0
    assert summed["t4.cases.review_total"] == example["t4.cases.review_total"]


def test_upload_of_another_agencys_workbook_is_refused(portal: object) -> None:
    b = client("clerk_b")
    upload(b)  # the example is A's workbook
    page = b.get("/agency").content.decode()
    assert 'data-verdict="refused"' in page and AGENCY_A in page
    assert "submit" not in re.findall(r'action="/agency/(\w+)"', page)


def test_unreadable_upload_gives_the_cli_message(portal: object, tmp_path: Path) -> None:
    from generator.errors import InputError
    from generator.inputs.workbook.source import inspect_workbook_file

    junk = tmp_path / "垃圾.xlsx"
    junk.write_bytes(b"this is not a workbook" * 10)
    with pytest.raises(InputError) as cli:
        inspect_workbook_file(junk)
    b = client("clerk_b")
    upload(b, junk)
    page = b.get("/agency").content.decode()
    import html

    assert str(cli.value) in html.unescape(page)


def test_too_large_upload_is_refused(portal: object) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from generator import limits

    b = client("clerk_b")
    big = SimpleUploadedFile("big.xlsx", b"\0" * (limits.MAX_FILE_BYTES + 1))
    answer = b.post("/agency/upload", {"file": big})
    assert answer.status_code == 413 and "20" in answer.content.decode()


def test_blank_workbook_names_the_agency(portal: object, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    answer = client("clerk_b").get("/agency/workbook")
    assert answer.status_code == 200
    path = tmp_path / "b.xlsx"
    path.write_bytes(answer.content)
    from generator import app

    meta = app.check(path).report.meta
    assert meta.agency == AGENCY_B and meta.year == 2025
    assert load_workbook(path, read_only=True).sheetnames


def test_login_throttled_after_failures(portal: object) -> None:
    c = client()
    for _ in range(5):
        assert c.post("/login", {"username": "clerk_b", "password": "wrong"}).status_code == 401
    answer = c.post("/login", {"username": "clerk_b", "password": PASSWORD})
    assert answer.status_code == 429 and "15 分钟" in answer.content.decode()
    from generator.portal.models import LoginFailure

    LoginFailure.objects.all().delete()  # for the cases after this one
    assert c.post("/login", {"username": "clerk_b", "password": PASSWORD}).status_code == 302


def test_password_hashed_and_cookies_flags(portal: object) -> None:
    from django.contrib.auth.models import User

    assert User.objects.get(username="clerk_a").password.startswith("scrypt$")
    c = client()
    c.post("/login", {"username": "clerk_a", "password": PASSWORD})
    cookie = c.cookies["nianbao_portal_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_no_stack_trace_to_users(portal: object) -> None:
    answer = client("clerk_a").get("/files/1/../../etc/passwd")
    assert answer.status_code == 404 and "Traceback" not in answer.content.decode()


def test_workbook_rolled_forward_from_last_years_submission(portal: object, tmp_path: Path) -> None:
    """With a 2024 submission on file, 下载本年度工作簿 gives 2025's, carried from it."""
    from dataclasses import replace

    from django.contrib.auth.models import User

    from generator import app
    from generator.outputs.workbook import write_workbook
    from generator.portal import storage
    from generator.portal.models import Agency, StoredFile, Submission, Version
    from generator.report.model import report_from_json

    example = report_from_json((Path(__file__).parent / "data" / "example_report.json").read_text("utf-8"))
    last = replace(example, meta=replace(example.meta, agency=AGENCY_B, year=2024))
    assert last.meta.phone and last.meta.portal_url
    book = write_workbook(tmp_path / "b-2024.xlsx", last)
    sha, size = storage.put_file(portal.files, portal.tmp, book)
    submission = Submission.objects.create(agency=Agency.objects.get(name=AGENCY_B), year=2024,
                                           status="approved")
    version = Version.objects.create(submission=submission, number=1, state="done",
                                     uploaded_by=User.objects.get(username="clerk_b"),
                                     file_name=book.name,
                                     workbook=StoredFile.objects.create(sha256=sha, size=size))
    submission.current = submission.submitted = version
    submission.save()
    b = client("clerk_b")
    assert "已由 2024 年报送的数据结转" in b.get("/agency").content.decode()
    answer = b.get("/agency/workbook")
    assert answer.status_code == 200
    rolled = tmp_path / "rolled.xlsx"
    rolled.write_bytes(answer.content)
    meta = app.check(rolled).report.meta
    assert (meta.agency, meta.year) == (AGENCY_B, 2025)
    assert (meta.phone, meta.portal_url) == (last.meta.phone, last.meta.portal_url)
