"""The portal's pages.  Every object is looked up through the caller's agency (or the county
office's staff flag), so another agency's id answers 404 whatever it is; files are served
from the content store by the checksum in the row, never from a name a user gave."""

from __future__ import annotations

import datetime
import io
import json
import logging
import tempfile
import zipfile
from functools import wraps
from pathlib import Path
from typing import Any, Callable

from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
)
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from generator import limits
from generator.naming import DRAFT_FILE_PREFIX
from generator.portal import storage
from generator.portal.generate import FIGURES
from generator.portal.models import (
    STATUS_LABELS,
    Agency,
    AuditEvent,
    LoginFailure,
    StoredFile,
    Submission,
    Version,
    deadline_for,
)

log = logging.getLogger("generator.portal")
View = Callable[..., HttpResponse]

#: login throttling: this many failures per username or per address within WINDOW lock it
MAX_FAILURES = 5
WINDOW = datetime.timedelta(minutes=15)
LOCKED = "登录失败次数过多，请 15 分钟后再试；如忘记密码，请联系县政务公开办重置。"
BAD_LOGIN = "用户名或密码不正确。"
FILE_KINDS = {"docx": ("docx", ".docx"), "pdf": ("pdf", ".pdf"), "html": ("html", ".html"),
              "draft": ("draft", ".docx"), "xlsx": ("workbook", ".xlsx")}
UPLOADABLE = ("none", "errors", "returned")


def current_year() -> int:
    from generator.portal.config import CURRENT

    fixed = CURRENT.extra.get("year") if CURRENT is not None else None
    return int(fixed) if fixed else datetime.date.today().year - 1  # reports are for last year


def _config() -> Any:
    from generator.portal.config import CURRENT

    assert CURRENT is not None
    return CURRENT


def _ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def audit(request: HttpRequest, action: str, detail: str = "", agency: str = "") -> None:
    user = request.user
    AuditEvent.objects.create(username=user.get_username() if user.is_authenticated else "",
                              agency=agency, action=action, detail=detail[:2000], ip=_ip(request))


def page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(render_to_string(template, context, request=request), status=status)


def _agency_of(user: Any) -> Agency | None:
    profile = getattr(user, "portal_profile", None)
    return profile.agency if profile is not None else None


def clerk_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return HttpResponseRedirect("/login")
        agency = _agency_of(request.user)
        if agency is None:
            raise Http404
        return view(request, agency, *args, **kwargs)
    return wrapper


def staff_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return HttpResponseRedirect("/login") if request.method == "GET" and not kwargs \
                else HttpResponseForbidden("请先登录。")
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)
    return wrapper


def member_required(view: View) -> View:
    """Any logged-in account; logged-out callers of an object's URL get 403, not a redirect."""
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return HttpResponseForbidden("请先登录。")
        return view(request, *args, **kwargs)
    return wrapper


# --- login ---------------------------------------------------------------------------------


def _failure_keys(request: HttpRequest, username: str) -> list[str]:
    return [f"user:{username.lower()[:150]}", f"ip:{_ip(request)}"]


def _locked(keys: list[str]) -> bool:
    since = timezone.now() - WINDOW
    return LoginFailure.objects.filter(key__in=keys, first__gte=since,
                                       count__gte=MAX_FAILURES).exists()


def _record_failure(keys: list[str]) -> None:
    now = timezone.now()
    with transaction.atomic():
        for key in keys:
            row, created = LoginFailure.objects.select_for_update().get_or_create(
                key=key, defaults={"count": 1, "first": now})
            if not created:
                if row.first < now - WINDOW:
                    row.count, row.first = 1, now
                else:
                    row.count += 1
                row.save()


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if request.user.is_authenticated:
            return HttpResponseRedirect("/")
        return page(request, "portal/login.html", {})
    username = request.POST.get("username", "").strip()
    password = request.POST.get("password", "")
    keys = _failure_keys(request, username)
    if _locked(keys):
        AuditEvent.objects.create(username=username[:150], action="login_locked", ip=_ip(request))
        return page(request, "portal/login.html", {"error": LOCKED, "username": username}, 429)
    user = authenticate(request, username=username, password=password)
    if user is None:
        _record_failure(keys)
        AuditEvent.objects.create(username=username[:150], action="login_failed", ip=_ip(request))
        return page(request, "portal/login.html", {"error": BAD_LOGIN, "username": username}, 401)
    # One commit for the session, last_login, the counter and the audit row: on SQLite each
    # commit waits for the disk, and a hundred clerks may log in within a minute.
    with transaction.atomic():
        LoginFailure.objects.filter(key=keys[0]).delete()
        login(request, user)
        agency = _agency_of(user)
        audit(request, "login", agency=agency.name if agency else "")
    return HttpResponseRedirect("/")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit(request, "logout")
    logout(request)
    return HttpResponseRedirect("/login")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponseRedirect("/login")
    if request.user.is_staff:
        return HttpResponseRedirect("/county/")
    if _agency_of(request.user) is None:
        return page(request, "portal/message.html", {"message": "该账号没有所属机关，请联系县政务公开办。"}, 403)
    return HttpResponseRedirect("/agency")


# --- the clerk's page ------------------------------------------------------------------------


def _submission(agency: Agency, year: int, *, lock: bool = False) -> Submission:
    query = Submission.objects.select_for_update() if lock else Submission.objects
    submission, _ = query.get_or_create(agency=agency, year=year)
    return submission


def _version_context(version: Version | None) -> dict[str, Any]:
    if version is None:
        return {}
    files = {kind: f"/files/{version.id}/{kind}" for kind, (attr, _) in FILE_KINDS.items()
             if getattr(version, f"{attr}_id") is not None}
    return {"version": version, "findings": version.findings, "files": files,
            "figures": [(FIGURES[k], v) for k, v in version.figures.items() if k in FIGURES]}


@require_GET
@clerk_required
def agency_page(request: HttpRequest, agency: Agency) -> HttpResponse:
    year = current_year()
    submission = Submission.objects.filter(agency=agency, year=year).first()
    versions = list(submission.versions.select_related("uploaded_by", "workbook")) if submission else []
    current = next((v for v in versions if submission and v.id == submission.current_id), None)
    previous = _last_year_version(agency, year)
    context = {"agency": agency, "year": year, "submission": submission, "versions": versions,
               "status": STATUS_LABELS[submission.status if submission else "none"],
               "can_upload": submission is None or submission.status in UPLOADABLE,
               "can_submit": bool(submission and current and submission.status == "none"
                                  and current.state == "done" and current.errors == 0),
               "deadline": agency.deadline(year), "previous": previous,
               "max_mb": limits.MAX_FILE_BYTES // limits.MIB, "message": request.GET.get("m", "")}
    context.update(_version_context(current))
    return page(request, "portal/agency.html", context)


def _last_year_version(agency: Agency, year: int) -> Version | None:
    """Last year's submitted (else latest readable) version, to roll forward from."""
    last = Submission.objects.filter(agency=agency, year=year - 1).first()
    if last is None:
        return None
    chosen = last.submitted or last.current
    if chosen is not None and chosen.state == "done":
        return chosen
    return last.versions.filter(state="done").first()


MESSAGES = {"uploaded": "已收到上传的工作簿，正在检查并生成报告，请稍候刷新本页。",
            "submitted": "已提交，等待县政务公开办审核。",
            "locked": "本年度报告已提交或已通过，不能再上传。如需修改，请联系县政务公开办退回。",
            "nofile": "请先选择文件。",
            "explain": "工作簿还有警告，请在“说明”中写明原因后再提交。",
            "notready": "当前版本有错误或尚未检查完，不能提交。"}


def _see_other(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


@require_POST
@clerk_required
def upload(request: HttpRequest, agency: Agency) -> HttpResponse:
    from generator.inputs.workbook.source import too_large_message
    from generator.naming import safe_file_stem

    file = request.FILES.get("file")
    if file is None:
        return _see_other("/agency?m=nofile")
    # The whole name made safe, suffix included (as the local page does); shown and offered
    # back as a download name only, never used as a path.
    name = safe_file_stem(Path(file.name or "工作簿.xlsx").name, reserve_suffix_bytes=0)
    if file.size is not None and file.size > limits.MAX_FILE_BYTES:
        return page(request, "portal/message.html",
                    {"message": f"{name}：{too_large_message(file.size)}", "back": "/agency"}, 413)
    config = _config()
    # The bytes are on disk (fsynced) before the row that names them commits.
    sha, size = storage.put_chunks(config.files, config.tmp, file.chunks())
    year = current_year()
    with transaction.atomic():
        submission = _submission(agency, year, lock=True)
        if submission.status not in UPLOADABLE:
            return _see_other("/agency?m=locked")
        stored, _ = StoredFile.objects.get_or_create(sha256=sha, defaults={"size": size})
        number = (submission.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = Version.objects.create(submission=submission, number=number,
                                         uploaded_by=request.user, file_name=name, workbook=stored)
        submission.current = version
        submission.status = "none"
        submission.explanation = ""
        submission.save()
        audit(request, "upload", f"第 {number} 版 {name} sha256={sha}", agency.name)
        transaction.on_commit(lambda: _queue(version.id))
    return _see_other("/agency?m=uploaded")


def _queue(version_id: int) -> None:
    from generator.portal import jobs

    if jobs.GENERATOR is not None:
        jobs.GENERATOR.submit(version_id)


@require_POST
@clerk_required
def submit(request: HttpRequest, agency: Agency) -> HttpResponse:
    explanation = request.POST.get("explanation", "").strip()[:4000]
    with transaction.atomic():
        submission = Submission.objects.select_for_update().filter(
            agency=agency, year=current_year()).first()
        current = submission.current if submission else None
        if submission is None or current is None or submission.status != "none" \
                or current.state != "done" or current.errors:
            return _see_other("/agency?m=notready")
        if current.warnings and not explanation:
            return _see_other("/agency?m=explain")
        submission.status = "pending"
        submission.submitted = current
        submission.submitted_at = timezone.now()
        submission.explanation = explanation
        submission.save()
        audit(request, "submit", f"第 {current.number} 版" + (f"；说明：{explanation}" if explanation else ""),
              agency.name)
    return _see_other("/agency?m=submitted")


@require_GET
@clerk_required
def workbook(request: HttpRequest, agency: Agency) -> HttpResponse:
    """This year's workbook: rolled forward from last year's submission, else blank."""
    from generator import app

    year = current_year()
    previous = _last_year_version(agency, year)
    config = _config()
    with tempfile.TemporaryDirectory(dir=config.tmp) as work:
        if previous is not None:
            last = Path(work) / "last.xlsx"
            last.write_bytes(storage.path_of(config.files, previous.workbook.sha256).read_bytes())
            made = app.roll_forward(last, out_dir=Path(work))
            path = made.written
        else:
            path = app.blank_workbook(agency.name, year, out_dir=Path(work))
        data = path.read_bytes()
        name = path.name
    audit(request, "download_workbook", "由上年报送结转" if previous else "空白", agency.name)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = _attachment(name)
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"report{Path(name).suffix}\"; filename*=UTF-8''{quote(name)}"


# --- objects shared by the clerk and the county office -----------------------------------------


def _visible_version(request: HttpRequest, version_id: int) -> Version:
    """The version if the caller may see it; 404 otherwise (the same answer as no such id)."""
    version = Version.objects.select_related("submission__agency").filter(id=version_id).first()
    if version is None:
        raise Http404
    if request.user.is_staff:
        return version
    agency = _agency_of(request.user)
    if agency is None or version.submission.agency_id != agency.id:
        raise Http404
    return version


@require_GET
@member_required
def file_download(request: HttpRequest, version_id: int, kind: str) -> HttpResponse:
    version = _visible_version(request, version_id)
    if kind not in FILE_KINDS:
        raise Http404
    attr, suffix = FILE_KINDS[kind]
    stored: StoredFile | None = getattr(version, attr)
    if stored is None:
        raise Http404
    path = storage.path_of(_config().files, stored.sha256)
    if kind == "xlsx":
        name = version.file_name
    else:
        stem = version.title or "年度报告"
        name = (DRAFT_FILE_PREFIX if kind == "draft" else "") + stem + suffix
    audit(request, "download", f"第 {version.number} 版 {kind}", version.submission.agency.name)
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


@require_GET
@member_required
def version_page(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _visible_version(request, version_id)
    context = {"submission": version.submission, "agency": version.submission.agency}
    context.update(_version_context(version))
    return page(request, "portal/version.html", context)


# --- the county office -------------------------------------------------------------------------


def _rows(year: int) -> list[dict[str, Any]]:
    today = timezone.localdate()
    submissions = {s.agency_id: s for s in Submission.objects.filter(year=year).select_related("current")}
    last_upload = dict(Version.objects.filter(submission__year=year).values_list(
        "submission__agency_id").annotate(at=Max("uploaded_at")))
    rows = []
    for agency in Agency.objects.all():
        submission = submissions.get(agency.id)
        current = submission.current if submission else None
        status = submission.status if submission else "none"
        deadline = agency.deadline(year)
        rows.append({"agency": agency, "submission": submission, "current": current,
                     "status": status, "status_label": STATUS_LABELS[status],
                     "last_upload": last_upload.get(agency.id), "deadline": deadline,
                     "overdue": today > deadline and status not in ("pending", "approved"),
                     "figures": [current.figures.get(k, "") if current else "" for k in FIGURES]})
    order = list(STATUS_LABELS)
    rows.sort(key=lambda r: (not r["overdue"], order.index(r["status"]), r["agency"].name))
    return rows


@require_GET
@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    year = current_year()
    rows = _rows(year)
    counts = {label: sum(r["status"] == key for r in rows) for key, label in STATUS_LABELS.items()}
    return page(request, "portal/dashboard.html",
                {"year": year, "rows": rows, "counts": counts, "figure_names": list(FIGURES.values()),
                 "overdue": sum(r["overdue"] for r in rows), "message": request.GET.get("m", "")})


def _staff_submission(submission_id: int, *, lock: bool = False) -> Submission:
    query = Submission.objects.select_for_update() if lock else Submission.objects
    submission = query.select_related("agency").filter(id=submission_id).first()
    if submission is None:
        raise Http404
    return submission


@require_GET
@staff_required
def submission_page(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _staff_submission(submission_id)
    versions = list(submission.versions.select_related("uploaded_by", "workbook"))
    shown = submission.submitted or submission.current
    context = {"submission": submission, "agency": submission.agency, "versions": versions,
               "can_review": submission.status == "pending",
               "deadline": submission.agency.deadline(submission.year)}
    context.update(_version_context(shown))
    return page(request, "portal/submission.html", context)


@require_POST
@staff_required
def return_submission(request: HttpRequest, submission_id: int) -> HttpResponse:
    comment = request.POST.get("comment", "").strip()[:4000]
    with transaction.atomic():
        submission = _staff_submission(submission_id, lock=True)
        if not comment:
            return _see_other(f"/county/submission/{submission_id}?m=comment")
        if submission.status not in ("pending", "approved"):
            return _see_other(f"/county/submission/{submission_id}")
        submission.status = "returned"
        submission.comment = comment
        submission.save()
        audit(request, "return", comment, submission.agency.name)
    return _see_other("/county/?m=returned")


@require_POST
@staff_required
def approve_submission(request: HttpRequest, submission_id: int) -> HttpResponse:
    with transaction.atomic():
        submission = _staff_submission(submission_id, lock=True)
        if submission.status != "pending":
            return _see_other(f"/county/submission/{submission_id}")
        submission.status = "approved"
        submission.comment = ""
        submission.save()
        audit(request, "approve", f"第 {submission.submitted.number if submission.submitted else '?'} 版",
              submission.agency.name)
    return _see_other("/county/?m=approved")


def _approved(year: int) -> list[Submission]:
    return list(Submission.objects.filter(year=year, status="approved")
                .select_related("agency", "submitted__docx", "submitted__pdf", "submitted__html")
                .order_by("agency__name"))


@require_GET
@staff_required
def approved_zip(request: HttpRequest) -> HttpResponse:
    year = current_year()
    files = _config().files
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for submission in _approved(year):
            version = submission.submitted
            if version is None:
                continue
            for attr, suffix in (("docx", ".docx"), ("pdf", ".pdf"), ("html", ".html")):
                stored = getattr(version, attr)
                if stored is not None:
                    info = zipfile.ZipInfo(f"{submission.agency.name}/{version.title}{suffix}",
                                           (2020, 1, 1, 0, 0, 0))
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, storage.path_of(files, stored.sha256).read_bytes())
    audit(request, "download_approved", f"{year} 年")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = _attachment(f"{year}年已通过的年度报告.zip")
    return response


@require_GET
@staff_required
def aggregate(request: HttpRequest) -> HttpResponse:
    from generator.portal.aggregate import county_workbook

    year = current_year()
    reports = [s.submitted.report_json for s in _approved(year) if s.submitted and s.submitted.report_json]
    name = request.GET.get("name", "").strip()[:100] or "本县（区）汇总"
    with tempfile.TemporaryDirectory(dir=_config().tmp) as work:
        path = county_workbook(reports, name, year, Path(work) / "aggregate.xlsx")
        data = path.read_bytes()
    audit(request, "download_aggregate", f"{year} 年，{len(reports)} 份")
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = _attachment(f"{year}年汇总（{len(reports)}个机关）.xlsx")
    return response


@require_GET
@staff_required
def audit_page(request: HttpRequest) -> HttpResponse:
    return page(request, "portal/audit.html", {"events": AuditEvent.objects.all()[:500]})


# --- errors and headers --------------------------------------------------------------------------


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return page(request, "portal/message.html",
                {"message": "页面已过期，请刷新页面后重试。", "back": "/"}, 403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return page(request, "portal/message.html", {"message": "找不到该页面或文件。", "back": "/"}, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django has logged the traceback to portal.log; the user gets a plain sentence.
    return HttpResponse("<!doctype html><meta charset=utf-8><title>出错了</title>"
                        "<p>服务器内部出错，已记录在服务器日志中。请稍后重试，或联系县政务公开办。</p>",
                        status=500)


__all__ = ["User", "deadline_for", "json"]
