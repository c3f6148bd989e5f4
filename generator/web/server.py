"""Serving the page with waitress (a production WSGI server that also runs on Windows).

:func:`make_app` builds the WSGI application around one :class:`~.jobs.Store`;
:class:`Server` runs it in a background thread (the command line waits on it, the tests and
the bench start one on a free port).
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable

from .. import limits
from .jobs import Store

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: a request body may hold two workbooks (the diff) and the multipart overhead
MAX_BODY_BYTES = 2 * limits.MAX_FILE_BYTES + limits.MIB
THREADS = 8


def _too_large(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    import json

    from ..workbook.source import _too_large_message

    size = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.dumps({"error": _too_large_message(size)}, ensure_ascii=False).encode("utf-8")
    start_response("413 Request Entity Too Large",
                   [("Content-Type", "application/json; charset=utf-8"),
                    ("Content-Length", str(len(body)))])
    return [body]


def make_app(store: Store, *, local_only: bool = True) -> WSGIApp:
    """The page as a WSGI application; bodies over :data:`MAX_BODY_BYTES` are refused before
    Django reads them."""
    from . import settings

    settings.configure(upload_dir=store.upload_dir, local_only=local_only)
    from django.core.wsgi import get_wsgi_application

    from . import views

    views.STORE = store
    django_app = get_wsgi_application()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return _too_large(environ, start_response)
        return django_app(environ, start_response)

    return app


class Server:
    """The page on ``host:port`` (port 0: a free one) in a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8000, *,
                 store: Store | None = None, workers: int | None = None) -> None:
        import logging

        from waitress.server import create_server

        # waitress warns on stderr whenever requests wait for a thread ("Task queue depth"),
        # which the page's short status polls cause under load: nothing for a clerk to act on.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self.store = store or Store(workers=workers)
        local = host in ("127.0.0.1", "localhost", "::1")
        self._server = create_server(
            make_app(self.store, local_only=local), host=host, port=port, threads=THREADS,
            # waitress buffers a body up to this size and answers 413 above it.
            max_request_body_size=MAX_BODY_BYTES + limits.MIB, ident="nianbao",
            clear_untrusted_proxy_headers=True)
        self.port: int = self._server.effective_port  # type: ignore[union-attr]
        self.host = host
        self._thread = threading.Thread(target=self._server.run, name="nianbao-web", daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> "Server":
        self._thread.start()
        return self

    def wait(self) -> None:
        while self._thread.is_alive():
            self._thread.join(0.5)

    def stop(self) -> None:
        # Let running requests finish before their sockets close under them.
        self._server.task_dispatcher.shutdown(timeout=5)  # type: ignore[union-attr]
        self._server.close()
        self._thread.join(5)
        self.store.close()

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
