"""The page's server without a browser: limits, headers, sessions, expiry, ``nianbao serve``."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import limits
from generator.web.jobs import Store

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("web_load", REPO / "bench" / "web_load.py")
web_load = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(web_load)  # the bench's small HTTP client (own cookies, CSRF)


@pytest.fixture(scope="module")
def server() -> Iterator[object]:
    from generator.web.server import Server

    with Server("127.0.0.1", 0, workers=1) as running:
        yield running


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd,
                          env={**os.environ, "HOME": str(cwd)}, capture_output=True, text=True,
                          timeout=120)


def test_page_is_self_contained(server) -> None:  # noqa: ANN001
    with urllib.request.urlopen(server.url) as response:
        page = response.read().decode("utf-8")
        headers = response.headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    session = next(c for c in headers.get_all("Set-Cookie") if c.startswith("nianbao_session="))
    assert "HttpOnly" in session and "SameSite=Strict" in session
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page)  # nothing from other hosts
    assert "检查并生成" in page and 'name="csrfmiddlewaretoken"' in page
    with urllib.request.urlopen(server.url + "static/web/app.js") as response:
        assert b"fetch(" in response.read()


def test_other_host_header_is_refused(server) -> None:  # noqa: ANN001
    request = urllib.request.Request(server.url, headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request)
    assert error.value.code == 400


def test_post_without_csrf_token_is_refused(server) -> None:  # noqa: ANN001
    client = web_load.Client(server.url)
    client.open_page()
    client.token = "forged"
    answer = client.post_files("/check", {"file": ("a.xlsx", b"x")})
    assert answer == {"error": "页面已过期（可能服务已重新启动），请刷新页面后重试。"}


def test_too_large_upload_gets_the_cli_message(server, tmp_path: Path) -> None:  # noqa: ANN001
    big = tmp_path / "大.xlsx"
    big.write_bytes(b"PK\x03\x04" + b"\0" * limits.MAX_FILE_BYTES)
    client = web_load.Client(server.url)
    client.open_page()
    job = client.post_files("/check", {"file": (big.name, big.read_bytes())})["job"]
    answer = client.wait(job)
    checked = cli("check", str(big), cwd=tmp_path)
    assert checked.returncode == 2
    message = re.sub(r"<[^>]+>", "", str(answer["html"])).strip()
    assert message == checked.stderr.strip()
    assert "文件过大" in message and answer["files"] == {}


def test_jobs_expire_with_their_files(tmp_path: Path) -> None:
    store = Store(root=tmp_path, workers=1, max_age=3600)
    try:
        old = store.new_job("owner-a", "check")
        (old.folder / "x.docx").write_bytes(b"x")
        new = store.new_job("owner-a", "check")
        new.created = old.created + 600  # started ten minutes later
        assert store.get(old.id, "owner-a") is old
        assert store.get(old.id, "owner-b") is None  # another session never sees it
        assert store.sweep(now=old.created + 3601) == 1
        assert store.get(old.id, "owner-a") is None and not old.folder.exists()
        assert store.get(new.id, "owner-a") is new and new.folder.exists()
    finally:
        store.close()
    assert not store.root.exists()


def _ctrl_c_as_in_a_terminal() -> None:
    """A program started in the background by a shell (``.ci/run &``, nohup) inherits SIGINT
    ignored, and Python then leaves it ignored; a clerk's Ctrl+C reaches a foreground one."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def serve(*args: str, cwd: Path) -> tuple[subprocess.Popen[str], list[str]]:
    (cwd / "tmp").mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(cwd), "TMPDIR": str(cwd / "tmp")}
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", "0",
                                "--no-browser", *args], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_ctrl_c_as_in_a_terminal if os.name == "posix" else None)
    lines = [process.stdout.readline()]
    return process, lines


def stopped(process: subprocess.Popen[str], how: int) -> tuple[str, str]:
    """Send ``how`` and wait for the server to end (killed, and the test failed, if it hangs)."""
    process.send_signal(how)
    try:
        return process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_prints_its_address_and_cleans_up_when_stopped(tmp_path: Path, stop: int) -> None:
    process, (line,) = serve(cwd=tmp_path)
    try:
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        with urllib.request.urlopen(match[0]) as response:
            assert "检查并生成" in response.read().decode("utf-8")
        assert list((tmp_path / "tmp").glob("nianbao-web-*"))  # its private folder
    finally:
        out, err = stopped(process, stop)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert not list((tmp_path / "tmp").glob("nianbao-web-*"))  # deleted on exit


def test_serve_on_another_host_warns(tmp_path: Path) -> None:
    process, (line,) = serve("--host", "0.0.0.0", cwd=tmp_path)
    _, err = stopped(process, signal.SIGINT)
    assert "没有账号" in err
    assert "http://0.0.0.0:" in line


def test_folders_of_dead_servers_are_removed_at_start(tmp_path: Path) -> None:
    dead = tmp_path / "nianbao-web-dead"
    (dead / "owner" / "job").mkdir(parents=True)
    two_hours_ago = time.time() - 7200
    os.utime(dead, (two_hours_ago, two_hours_ago))
    recent = tmp_path / "nianbao-web-recent"
    recent.mkdir()
    other = tmp_path / "unrelated"
    other.mkdir()
    os.utime(other, (two_hours_ago, two_hours_ago))
    store = Store(root=tmp_path, workers=1)
    try:
        assert not dead.exists()
        assert recent.exists() and other.exists() and store.root.exists()
    finally:
        store.close()
