"""Serving the portal with waitress (see :mod:`generator.serving`); generation runs in
:class:`~.jobs.Generator`'s bounded pool."""

from __future__ import annotations

from generator import limits
from generator.portal.config import PortalConfig, configure
from generator.serving import BackgroundServer, WSGIApp, limit_body

MAX_BODY_BYTES = limits.MAX_FILE_BYTES + limits.MIB  # one workbook and the form around it
THREADS = 16


def _too_large(size: int) -> tuple[str, bytes]:
    from generator.inputs.workbook.source import too_large_message

    body = ("<!doctype html><meta charset=utf-8><title>文件过大</title><p>"
            f"{too_large_message(size)}</p><p><a href=\"/agency\">返回</a></p>").encode("utf-8")
    return "text/html; charset=utf-8", body


def make_app(config: PortalConfig, *, workers: int | None = None) -> WSGIApp:
    configure(config)
    from django.core.wsgi import get_wsgi_application

    from generator.portal import jobs

    django_app = get_wsgi_application()
    if jobs.GENERATOR is None:
        jobs.GENERATOR = jobs.Generator(config, workers)
        jobs.GENERATOR.resume()  # what a killed server left half done
    return limit_body(django_app, MAX_BODY_BYTES, _too_large)


def _close_generator() -> None:
    from generator.portal import jobs

    if jobs.GENERATOR is not None:
        jobs.GENERATOR.close()
        jobs.GENERATOR = None


class Server(BackgroundServer):
    """The portal on ``host:port`` (0: a free port); stopping it ends the generation pool."""

    def __init__(self, config: PortalConfig, host: str = "127.0.0.1", port: int = 8080, *,
                 workers: int | None = None) -> None:
        # Behind the county's HTTPS proxy on this machine: trust its X-Forwarded-Proto only.
        trusted = {"trusted_proxy": "127.0.0.1", "trusted_proxy_headers": {"x-forwarded-proto"}} \
            if config.https_proxy else {}
        super().__init__(make_app(config, workers=workers), host, port, threads=THREADS,
                         max_body=MAX_BODY_BYTES, name="nianbao-portal",
                         on_stop=_close_generator, **trusted)
