"""Loopback load test of ``nianbao portal serve``: N agencies log in and upload within a minute.

    python bench/portal_load.py [--agencies 100] [--seconds 60] [--workers 2]

Makes a data folder with N agencies (each with its own workbook, the example's numbers under
its own name), starts the portal on 127.0.0.1, then N client threads each log in and upload
at evenly spread moments over ``--seconds``.  Every answer is checked (login lands on the
agency page, the upload is acknowledged); then it waits until every upload is checked and
rendered and checks each agency's page says 通过.  Prints the median and worst response times
of the uploads and of the pages, and how long generation took to catch up.  Bounded: at most
N logins, N uploads and a polling loop that gives up after ``--timeout`` seconds.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from portal_support import PASSWORD, ServerProcess, nianbao  # noqa: E402


def make_data(data: Path, agencies: int) -> list[tuple[str, str, Path]]:
    """N accounts (one password hash computed once) and N workbooks."""
    from dataclasses import replace

    from generator.outputs.workbook import write_workbook
    from generator.report.model import report_from_json

    nianbao("portal", "init", "--data", str(data))
    nianbao("portal", "add-user", "--data", str(data), "--username", "template", "--agency",
            "模板机关", "--password-stdin", stdin=PASSWORD + "\n")
    example = report_from_json((REPO / "tests" / "data" / "example_report.json").read_text("utf-8"))
    books = data.parent / "books"
    books.mkdir()
    users = []
    script = ["from generator.portal import config", f"c = config.load(__import__('pathlib').Path({str(data)!r}))",
              "config.configure(c)", "from django.contrib.auth.models import User",
              "from generator.portal.models import Agency, Profile",
              "h = User.objects.get(username='template').password"]
    for i in range(agencies):
        name = f"扎赉特旗第{i + 1:03d}局"
        book = write_workbook(books / f"{i:03d}.xlsx", replace(example, meta=replace(example.meta, agency=name)))
        users.append((f"clerk{i:03d}", name, book))
        script.append(f"u = User.objects.create(username='clerk{i:03d}', password=h); "
                      f"Profile.objects.create(user=u, agency=Agency.objects.create(name={name!r}))")
    import subprocess

    subprocess.run([sys.executable, "-c", "\n".join(script)], check=True)
    return users


def opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def timed(times: list[float], call: "callable") -> object:  # type: ignore[valid-type]
    start = time.perf_counter()
    result = call()
    times.append(time.perf_counter() - start)
    return result


def one_agency(base: str, username: str, book: Path, web: urllib.request.OpenerDirector,
               times: dict[str, list[float]], failures: list[str]) -> None:
    try:
        login = timed(times["page"], lambda: web.open(base + "login").read().decode())
        body = urlencode({"username": username, "password": PASSWORD,
                          "csrfmiddlewaretoken": token(login)}).encode()
        # Logging in hashes the password (PBKDF2, Django's default strength): counted apart.
        landed = timed(times["login"], lambda: web.open(urllib.request.Request(
            base + "login", data=body, headers={"Referer": base + "login"})))
        page = landed.read().decode()
        if not landed.geturl().endswith("/agency"):
            failures.append(f"{username}: login landed on {landed.geturl()}")
            return
        boundary = "----nianbaoload"
        form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n"
                f"{token(page)}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"{book.name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode() \
            + book.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
        answer = timed(times["upload"], lambda: web.open(urllib.request.Request(
            base + "agency/upload", data=form, headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": base + "agency"})))
        if "m=uploaded" not in answer.geturl() or "第 1 版" not in answer.read().decode():
            failures.append(f"{username}: upload not acknowledged ({answer.geturl()})")
    except Exception as error:  # noqa: BLE001 - every failure is counted and printed
        failures.append(f"{username}: {type(error).__name__}: {error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="portal-load-"))
    data = root / "portal"
    users = make_data(data, args.agencies)
    server = ServerProcess(data, workers=args.workers)
    times: dict[str, list[float]] = {"login": [], "upload": [], "page": []}
    failures: list[str] = []
    sessions = {username: opener() for username, _, _ in users}
    try:
        start = time.monotonic()
        threads = []
        for i, (username, _, book) in enumerate(users):
            delay = start + i * args.seconds / len(users) - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            thread = threading.Thread(target=one_agency, args=(server.url, username, book,
                                                               sessions[username], times, failures))
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(300)
        uploaded = time.monotonic() - start
        # Every upload checked and rendered: each agency's page says 通过 with three files.
        pending = {u for u, _, _ in users}
        deadline = time.monotonic() + args.timeout
        while pending and time.monotonic() < deadline:
            for username in sorted(pending):
                web = sessions[username]  # the same browser session as the upload
                page = timed(times["page"], lambda: web.open(server.url + "agency").read().decode())
                if 'data-verdict="queued"' in page:
                    continue
                if 'data-verdict="passed"' not in page or 'data-kind="pdf"' not in page:
                    failures.append(f"{username}: not passed after generation")
                pending.discard(username)
            time.sleep(2)
        generated = time.monotonic() - start
        failures += [f"{u}: still not generated after {args.timeout:.0f} s" for u in sorted(pending)]
    finally:
        server.stop()
    print(f"{len(users)} agencies, uploads spread over {args.seconds:.0f} s, {args.workers} generation workers")
    print(f"all uploads answered after {uploaded:.1f} s; all reports generated after {generated:.1f} s")
    for name, measured in times.items():
        if measured:
            print(f"{name}: {len(measured)} answers, median {statistics.median(measured) * 1000:.0f} ms, "
                  f"worst {max(measured) * 1000:.0f} ms")
    print(f"failures: {len(failures)}")
    for failure in failures[:20]:
        print("  " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
