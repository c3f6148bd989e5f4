"""Helpers of the portal's tests (not collected): a throwaway PostgreSQL cluster, a data folder
with accounts, and ``nianbao portal serve`` as a separate process (so it can be killed -9)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

AGENCY_A = "扎赉特旗宝力根花苏木人民政府"  # the agency of inputs/example-2025.xlsx
AGENCY_B = "扎赉特旗教育局"
PASSWORD = "Nianbao-portal-2025!"
USERS = (("clerk_a", AGENCY_A, False), ("clerk_b", AGENCY_B, False), ("county", "", True))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def why_no_postgres() -> str:
    """Empty when a throwaway cluster can be started here; else the reason, for the skip."""
    if postgres_bin() is None:
        return "PostgreSQL is not installed (Debian package postgresql: /usr/lib/postgresql/*/bin)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'nianbao[portal-postgres]')"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: PostgreSQL refuses to run as root"
    return ""


class Cluster:
    """initdb + pg_ctl in a temporary folder, on a free loopback port, trust auth."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        assert self.bin is not None
        self.root = Path(tempfile.mkdtemp(prefix="nianbao-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # postgres will not run as root: run it as nobody
            os.chmod(self.root, 0o777)
            self.as_user = ["runuser", "-u", "nobody", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.root / "log"), "-o",
                  f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        self._dbs = 0

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bin / tool), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.root)

    def new_database(self) -> str:
        import psycopg

        self._dbs += 1
        name = f"portal{self._dbs}"
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def nianbao(*args: str, stdin: str = "", env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "generator", *args], input=stdin, text=True,
                            capture_output=True, env=env, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"nianbao {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result


def make_portal(data: Path, database_url: str = "") -> None:
    """A data folder with clerks of agencies A and B and a county admin."""
    nianbao("portal", "init", "--data", str(data), *(["--database-url", database_url] if database_url else []))
    for username, agency, admin in USERS:
        nianbao("portal", "add-user", "--data", str(data), "--username", username,
                *(["--agency", agency] if agency else []), *(["--admin"] if admin else []),
                "--password-stdin", stdin=PASSWORD + "\n")


class ServerProcess:
    """``nianbao portal serve`` in its own process."""

    def __init__(self, data: Path, port: int | None = None, workers: int = 1,
                 extra: tuple[str, ...] = ()) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = open(data / f"serve-{self.port}.out", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "portal", "serve", "--data", str(data),
             "--port", str(self.port), "--workers", str(workers), "--year", "2025", *extra],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "login", timeout=2).read()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"portal did not start: {(data / f'serve-{self.port}.out').read_text()}")
                time.sleep(0.2)

    def children(self) -> list[int]:
        """The server's child processes (its generation workers), from /proc."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.append(int(stat.parent.name))
        return found

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no clean-up of any kind
        self.process.wait(10)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()
