"""Serving the page with waitress (see :mod:`generator.serving`).

:func:`make_app` builds the WSGI application around one :class:`~.jobs.Store`;
:class:`Server` runs it in a background thread.
"""

from __future__ import annotations

import json

from generator import limits
from generator.serving import LOCAL_HOSTS, BackgroundServer, WSGIApp, limit_body
from generator.web.jobs import Store

#: a request body may hold two workbooks (the diff) and the multipart overhead
MAX_BODY_BYTES = 2 * limits.MAX_FILE_BYTES + limits.MIB
THREADS = 8


def _too_large(size: int) -> tuple[str, bytes]:
    from generator.inputs.workbook.source import too_large_message

    body = json.dumps({"error": too_large_message(size)}, ensure_ascii=False).encode("utf-8")
    return "application/json; charset=utf-8", body


def make_app(store: Store, *, local_only: bool = True) -> WSGIApp:
    """The page as a WSGI application; bodies over :data:`MAX_BODY_BYTES` are refused before
    Django reads them."""
    from generator.web import settings

    settings.configure(upload_dir=store.upload_dir, local_only=local_only)
    from django.core.wsgi import get_wsgi_application

    from generator.web import views

    views.STORE = store
    return limit_body(get_wsgi_application(), MAX_BODY_BYTES, _too_large)


class Server(BackgroundServer):
    """The page on ``host:port`` (port 0: a free one); stopping it deletes the uploads."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8000, *,
                 store: Store | None = None, workers: int | None = None) -> None:
        self.store = store or Store(workers=workers)
        super().__init__(make_app(self.store, local_only=host in LOCAL_HOSTS), host, port,
                         threads=THREADS, max_body=MAX_BODY_BYTES, name="nianbao",
                         on_stop=self.store.close)
