"""Load on the page: N concurrent clerks upload the example and wait for their downloads.

Starts ``nianbao serve``'s server in-process on a free loopback port, then N threads each
open the page (own session and CSRF token), upload inputs/example-2025.xlsx to 检查并生成,
follow the job until it is done and fetch the .docx, the PDF, the HTML and the .zip.  Every
answer is checked (通过, the four downloads, the .docx equal to one built directly); the
total time is printed.  Exit code 1 when any answer is wrong.

    python bench/web_load.py [--clients 20] [--workers N]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import secrets
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "example-2025.xlsx"
TIMEOUT = 600.0


class Client:
    """One browser: its own cookies (session, CSRF) against the page."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = ""

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path.lstrip("/"), timeout=TIMEOUT) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def open_page(self) -> str:
        status, body = self.get("/")
        assert status == 200, status
        page = body.decode("utf-8")
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        return page

    def post_files(self, path: str, files: dict[str, tuple[str, bytes]],
                   fields: dict[str, str] | None = None) -> dict[str, object]:
        boundary = secrets.token_hex(16)
        parts: list[bytes] = []
        for name, value in {"csrfmiddlewaretoken": self.token, **(fields or {})}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                         f"{value}\r\n".encode())
        for name, (file_name, data) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                         f'filename="{file_name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                         .encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(
            self.base + path.lstrip("/"), data=body, method="POST",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                     "X-CSRFToken": self.token, "Referer": self.base,
                     "Origin": self.base.rstrip("/")})
        try:
            with self.opener.open(request, timeout=TIMEOUT) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as error:
            return json.loads(error.read())

    def wait(self, job: str) -> dict[str, object]:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            status, body = self.get(f"/jobs/{job}")
            assert status == 200, status
            answer = json.loads(body)
            if answer["state"] == "done":
                return answer
            time.sleep(0.2)
        raise TimeoutError(job)


def one_clerk(base: str, expected_docx: bytes) -> float:
    start = time.monotonic()
    client = Client(base)
    client.open_page()
    job = client.post_files("/check", {"file": (EXAMPLE.name, EXAMPLE.read_bytes())})["job"]
    answer = client.wait(str(job))
    assert answer["ok"], answer
    assert "通过" in str(answer["html"]), "the example must pass"
    files = answer["files"]
    assert isinstance(files, dict) and set(files) == {"docx", "pdf", "html", "zip"}, files
    downloads = {}
    for kind, url in files.items():
        status, data = client.get(url)
        assert status == 200, (kind, status)
        downloads[kind] = data
    assert downloads["docx"] == expected_docx, "the .docx differs from a direct build"
    assert downloads["pdf"].startswith(b"%PDF-"), "not a PDF"
    assert "<table" in downloads["html"].decode("utf-8")
    assert len(zipfile.ZipFile(BytesIO(downloads["zip"])).namelist()) == 3
    return time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: CPUs, at most 4)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from generator import app
    from generator.web.server import Server

    with tempfile.TemporaryDirectory() as tmp:
        built = app.build(EXAMPLE, app.BuildOptions(out_dir=Path(tmp)))
        expected = built.written[0].read_bytes()
    with Server("127.0.0.1", 0, workers=args.workers) as server:
        server.store.warm_up()  # worker start-up is not what is measured
        start = time.monotonic()
        errors: list[BaseException] = []
        lock = threading.Lock()

        def run(_: int) -> float | None:
            try:
                return one_clerk(server.url, expected)
            except BaseException as error:  # noqa: BLE001 - every failure is reported below
                with lock:
                    errors.append(error)
                return None

        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            times = [t for t in pool.map(run, range(args.clients)) if t is not None]
        total = time.monotonic() - start
    for error in errors:
        print(f"FAILED: {type(error).__name__}: {error}", file=sys.stderr)
    print(f"{len(times)}/{args.clients} uploads answered correctly in {total:.1f} s "
          f"(slowest {max(times, default=0):.1f} s, fastest {min(times, default=0):.1f} s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
