"""What both web front ends (the clerk's page and the county portal) need to serve Django
with waitress, written once: the body limit in front of Django, the Content-Security-Policy
middleware, a server in a background thread, and running it until Ctrl+C or a service
manager's SIGTERM.

waitress is a production WSGI server that also runs on Windows, where most clerks are.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any, Callable, Iterable

from generator import limits

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Middleware = Callable[[Callable[[Any], Any]], Callable[[Any], Any]]

#: Only this server's own scripts, styles and images; no frames, no foreign form targets.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; object-src 'none'; "
                           "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
#: the addresses that keep a server on this machine, and the Host headers that reach it there
#: (a page on 127.0.0.1 is then not reachable through DNS rebinding)
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
LOCAL_HOST_HEADERS = ["127.0.0.1", "localhost", "[::1]"]


#: Django settings both front ends share: the browser is told to sniff nothing, frame
#: nothing and leak no referrer; cookies are out of scripts' reach; uploads are private; no
#: debug pages; Chinese, time-zone aware.  Each front end adds its own (sessions, cookies'
#: names and SameSite, hosts, database, templates).
HARDENED_SETTINGS: dict[str, object] = {
    "DEBUG": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "CSRF_COOKIE_HTTPONLY": True,  # the pages send the form's token: no script needs the cookie
    "FILE_UPLOAD_PERMISSIONS": 0o600,
    "DATA_UPLOAD_MAX_MEMORY_SIZE": limits.MIB,  # the form fields other than files
    "SECURE_CONTENT_TYPE_NOSNIFF": True,
    "SECURE_REFERRER_POLICY": "same-origin",
    "X_FRAME_OPTIONS": "DENY",
    "USE_I18N": False,
    "USE_TZ": True,
    "LANGUAGE_CODE": "zh-hans",
}

def middleware(*extra: str) -> list[str]:
    """The middleware both front ends run, in Django's order; ``extra`` (authentication)
    goes after CSRF."""
    return ["django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            *extra,
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
            "generator.serving.content_security_policy"]


def content_security_policy(get_response: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Django middleware: every response carries :data:`CONTENT_SECURITY_POLICY` unless a view
    set its own."""
    def middleware(request: Any) -> Any:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
    return middleware


def declared_length(environ: dict[str, Any]) -> int:
    """The request's Content-Length, 0 when absent or not a number."""
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def limit_body(app: WSGIApp, max_bytes: int,
               too_large: Callable[[int], tuple[str, bytes]]) -> WSGIApp:
    """``app`` behind a size check: a body declared larger than ``max_bytes`` is answered 413
    with ``too_large(size)`` (its content type and body) before Django reads any of it."""
    def limited(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        size = declared_length(environ)
        if size <= max_bytes:
            return app(environ, start_response)
        content_type, body = too_large(size)
        start_response("413 Request Entity Too Large",
                       [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]
    return limited


class BackgroundServer:
    """A WSGI application on ``host:port`` (port 0: a free one) in a background thread; the
    command line waits on it, the tests and the benches start one on a free port."""

    def __init__(self, app: WSGIApp, host: str, port: int, *, threads: int, max_body: int,
                 name: str, on_stop: Callable[[], None] | None = None,
                 **waitress_options: Any) -> None:
        from waitress.server import create_server

        # waitress warns on stderr whenever requests wait for a thread ("Task queue depth"),
        # which short status polls cause under load: nothing for a clerk to act on.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self._server = create_server(
            app, host=host, port=port, threads=threads,
            # waitress buffers a body up to this size and answers 413 above it itself.
            max_request_body_size=max_body + limits.MIB, ident=name,
            clear_untrusted_proxy_headers=True, **waitress_options)
        self.port: int = self._server.effective_port
        self.host = host
        self._on_stop = on_stop
        self._thread = threading.Thread(target=self._server.run, name=name, daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> "BackgroundServer":
        self._thread.start()
        return self

    def wait(self) -> None:
        while self._thread.is_alive():
            self._thread.join(0.5)

    def stop(self) -> None:
        # Let running requests finish before their sockets close under them.
        self._server.task_dispatcher.shutdown(timeout=5)
        self._server.close()
        if self._thread.is_alive():
            self._thread.join(5)
        if self._on_stop is not None:
            self._on_stop()

    def __enter__(self) -> "BackgroundServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_until_stopped(server: BackgroundServer, echo: Callable[[str], object],
                        started: Callable[[], None]) -> None:
    """Run ``server`` until Ctrl+C or SIGTERM (systemd's stop, a Windows service wrapper's
    end), then stop it cleanly so its jobs end and its temporary files go.

    ``started`` tells the user where the server is; it runs once the server listens, inside
    the same guard as the waiting, so a Ctrl+C the moment the address appears still stops the
    server cleanly instead of leaving its worker threads to hold the process open."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        if hasattr(signal, "SIGTERM"):
            signal.signal(signal.SIGTERM, interrupt)
        server.start()
        started()
        server.wait()
    except KeyboardInterrupt:
        echo("正在停止……")
    finally:
        server.stop()
