"""Serving the portal with waitress; generation in :class:`~.jobs.Generator`'s bounded pool."""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterable

from .. import limits
from .config import PortalConfig, configure

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
MAX_BODY_BYTES = limits.MAX_FILE_BYTES + limits.MIB  # one workbook and the form around it
THREADS = 16


def _too_large(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    from ..workbook.source import _too_large_message

    size = int(environ.get("CONTENT_LENGTH") or 0)
    body = ("<!doctype html><meta charset=utf-8><title>文件过大</title><p>"
            f"{_too_large_message(size)}</p><p><a href=\"/agency\">返回</a></p>").encode("utf-8")
    start_response("413 Request Entity Too Large", [("Content-Type", "text/html; charset=utf-8"),
                                                    ("Content-Length", str(len(body)))])
    return [body]


def make_app(config: PortalConfig, *, workers: int | None = None) -> WSGIApp:
    configure(config)
    from django.core.wsgi import get_wsgi_application

    from . import jobs

    django_app = get_wsgi_application()
    if jobs.GENERATOR is None:
        jobs.GENERATOR = jobs.Generator(config, workers)
        jobs.GENERATOR.resume()  # what a killed server left half done

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
    """The portal on ``host:port`` (0: a free port) in a background thread."""

    def __init__(self, config: PortalConfig, host: str = "127.0.0.1", port: int = 8080, *,
                 workers: int | None = None) -> None:
        import logging

        from waitress.server import create_server

        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        trusted = {"trusted_proxy": "127.0.0.1", "trusted_proxy_headers": {"x-forwarded-proto"}} \
            if config.https_proxy else {}
        self._server = create_server(
            make_app(config, workers=workers), host=host, port=port, threads=THREADS,
            max_request_body_size=MAX_BODY_BYTES + limits.MIB, ident="nianbao-portal",
            clear_untrusted_proxy_headers=True, **trusted)
        self.port: int = self._server.effective_port  # type: ignore[union-attr]
        self.host = host
        self._thread = threading.Thread(target=self._server.run, name="portal", daemon=True)

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
        from . import jobs

        self._server.close()
        self._server.task_dispatcher.shutdown()  # type: ignore[union-attr]
        self._thread.join(5)
        if jobs.GENERATOR is not None:
            jobs.GENERATOR.close()
            jobs.GENERATOR = None
