"""The page's views and URLs: one page, a start view per form, job status, downloads.

Every view finds the caller's owner token in its (signed-cookie) session; jobs and downloads
are looked up with it, so a second browser gets 404 for the first one's files.
"""

from __future__ import annotations

import datetime
import secrets
from pathlib import Path
from typing import Callable

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import path, re_path
from django.views.decorators.http import require_GET, require_POST
from django.views.static import serve

from generator import limits
from generator.app import DRAFT_MARK
from generator.errors import InputError
from generator.naming import safe_file_stem
from generator.web import tasks, work
from generator.web.jobs import Job, Store
from generator.web.settings import STATIC_DIR

OWNER_KEY = "owner"
EXPIRED = "页面已过期（可能服务已重新启动），请刷新页面后重试。"
NO_FILE = "请先选择文件。"
NO_AGENCY = "请填写机关名称。"
BAD_YEAR = "报告年度应为 2021 至 2100 之间的四位数字，例如 2025。"
WORKBOOK_ACCEPT = ".xlsx,.xlsm"
REPORT_ACCEPT = ".docx,.html,.htm,.txt,.pdf"

#: set by :func:`generator.web.server.make_app`
STORE: Store | None = None


def store() -> Store:
    assert STORE is not None, "generator.web.server.make_app() sets the store"
    return STORE


def owner_of(request: HttpRequest, *, create: bool = False) -> str | None:
    owner = request.session.get(OWNER_KEY)
    if owner is None and create:
        owner = secrets.token_urlsafe(32)
        request.session[OWNER_KEY] = owner
    return owner


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    owner_of(request, create=True)
    context = {
        "this_year": datetime.date.today().year - 1,  # reports are written for last year
        "max_mb": limits.MAX_FILE_BYTES // limits.MIB,
        "max_bytes": limits.MAX_FILE_BYTES,
        "workbook_accept": WORKBOOK_ACCEPT,
        "report_accept": REPORT_ACCEPT,
    }
    return HttpResponse(render_to_string("web/index.html", context, request=request))


def _save_upload(request: HttpRequest, job: Job, name: str) -> Path | work.Refused:
    """Store the uploaded file under the job's folder, keeping the clerk's file name (so the
    messages name the file as the command line would)."""
    upload = request.FILES.get(name)
    if upload is None:
        return work.Refused(NO_FILE)
    # The whole name made safe (its suffix too): the importer goes by the suffix.
    file_name = safe_file_stem(Path(upload.name or "").name, reserve_suffix_bytes=0)
    if upload.size is not None and upload.size > limits.MAX_FILE_BYTES:
        from generator.inputs.workbook.source import too_large_message

        return work.Refused(str(InputError(too_large_message(upload.size), path=file_name)))
    folder = job.folder / "in" / name
    folder.mkdir(parents=True, mode=0o700)
    target = folder / file_name
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return target


def _start(request: HttpRequest, kind: str, uploads: tuple[str, ...],
           run: Callable[..., object], *extra: object) -> JsonResponse:
    owner = owner_of(request)
    if owner is None:
        return _error(EXPIRED, 403)
    job = store().new_job(owner, kind)
    paths: list[Path] = []
    for name in uploads:
        saved = _save_upload(request, job, name)
        if isinstance(saved, work.Refused):
            job.finish(saved)
            return JsonResponse({"job": job.id})
        paths.append(saved)
    store().start(job, lambda j: run(store(), j, *paths, *extra))
    return JsonResponse({"job": job.id})


@require_POST
def start_check(request: HttpRequest) -> JsonResponse:
    return _start(request, "check", ("file",), tasks.check_and_build)


@require_POST
def start_next_year(request: HttpRequest) -> JsonResponse:
    return _start(request, "next_year", ("file",), tasks.next_year)


@require_POST
def start_import(request: HttpRequest) -> JsonResponse:
    return _start(request, "import", ("file",), tasks.import_report)


@require_POST
def start_diff(request: HttpRequest) -> JsonResponse:
    return _start(request, "diff", ("last", "this"), tasks.diff)


@require_POST
def start_blank(request: HttpRequest) -> JsonResponse:
    agency = request.POST.get("agency", "").strip()
    if not agency:
        return _error(NO_AGENCY)
    year_text = request.POST.get("year", "").strip()
    year: int | None = None
    if year_text:
        if not (year_text.isascii() and year_text.isdigit() and 2021 <= int(year_text) <= 2100):
            return _error(BAD_YEAR)
        year = int(year_text)
    return _start(request, "blank", (), tasks.blank, agency, year)


RESULT_TEMPLATES = {"check": "web/result_check.html", "next_year": "web/result_workbook.html",
                    "blank": "web/result_workbook.html", "import": "web/result_workbook.html",
                    "diff": "web/result_diff.html"}


@require_GET
def status(request: HttpRequest, job_id: str) -> JsonResponse:
    job = store().get(job_id, owner_of(request))
    if job is None:
        raise Http404
    answer: dict[str, object] = {"state": job.state, "stage": job.stage, "done": job.done,
                                 "total": job.total}
    if job.state == "done":
        result = job.result
        template = ("web/result_refused.html" if isinstance(result, work.Refused)
                    else RESULT_TEMPLATES[job.kind])
        files = {kind: f"/download/{job.id}/{kind}" for kind in job.files}
        answer["ok"] = not isinstance(result, work.Refused)
        answer["files"] = files
        answer["html"] = render_to_string(template, {"result": result, "job": job, "files": files,
                                                     "names": {k: n for k, (_, n) in job.files.items()},
                                                     "draft_mark": DRAFT_MARK},
                                          request=request)
    return JsonResponse(answer)


@require_GET
def download(request: HttpRequest, job_id: str, kind: str) -> FileResponse:
    job = store().get(job_id, owner_of(request))
    if job is None or kind not in job.files:
        raise Http404
    path, name = job.files[kind]
    if not path.is_file():  # expired meanwhile
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    return _error(EXPIRED, 403)


urlpatterns = [
    path("", index, name="index"),
    path("check", start_check),
    path("next-year", start_next_year),
    path("import", start_import),
    path("diff", start_diff),
    path("blank", start_blank),
    path("jobs/<str:job_id>", status),
    path("download/<str:job_id>/<str:kind>", download),
    re_path(r"^static/(?P<path>.+)$", serve, {"document_root": str(STATIC_DIR)}),
]
