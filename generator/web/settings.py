"""Django for the local page, configured in code: no settings module, no database.

Sessions are signed cookies (the session only holds a random owner token); CSRF protection,
clickjacking and no-sniff headers are Django's own middleware; a Content-Security-Policy
keeps the page to its own scripts and styles, so it never reaches for a CDN.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from generator.serving import HARDENED_SETTINGS, LOCAL_HOST_HEADERS, middleware

HERE = Path(__file__).resolve().parent
TEMPLATE_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"


def configure(*, upload_dir: Path, local_only: bool = True) -> None:
    """Configure and set up Django once per process; a later server in the same process (the
    tests, the bench) only points the upload spool and host check at its own values."""
    import django
    from django.conf import settings

    if settings.configured:
        settings.FILE_UPLOAD_TEMP_DIR = str(upload_dir)
        settings.ALLOWED_HOSTS = LOCAL_HOST_HEADERS if local_only else ["*"]
        return
    settings.configure(
        **HARDENED_SETTINGS,
        # A new key per server start: sessions and CSRF tokens end with the server, as the files do.
        SECRET_KEY=secrets.token_urlsafe(50),
        # Host header check: a page on 127.0.0.1 is not reachable through DNS rebinding.
        ALLOWED_HOSTS=LOCAL_HOST_HEADERS if local_only else ["*"],
        ROOT_URLCONF="generator.web.views",
        INSTALLED_APPS=[],
        DATABASES={},
        MIDDLEWARE=middleware(),
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_EXPIRE_AT_BROWSER_CLOSE=True,
        SESSION_COOKIE_NAME="nianbao_session",
        CSRF_COOKIE_SAMESITE="Strict",
        CSRF_COOKIE_AGE=None,  # ends with the browser, like the session
        CSRF_COOKIE_NAME="nianbao_csrf",
        CSRF_FAILURE_VIEW="generator.web.views.csrf_failure",
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [str(TEMPLATE_DIR)],
            "APP_DIRS": False,
            "OPTIONS": {"autoescape": True,
                        "context_processors": ["django.template.context_processors.csrf"]},
        }],
        # Uploads larger than 2.5 MB spool to the server's private folder, not the system's.
        FILE_UPLOAD_TEMP_DIR=str(upload_dir),
        FILE_UPLOAD_DIRECTORY_PERMISSIONS=0o700,
        DATA_UPLOAD_MAX_NUMBER_FILES=2,
        LOGGING_CONFIG=None,
    )
    django.setup()

