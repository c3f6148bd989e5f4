"""The portal's data folder and its Django settings, built in code.

A data folder holds ``portal.json`` (database URL, secret key), the SQLite database when no
PostgreSQL URL was given, ``files/`` (every uploaded and generated file, content-addressed)
and ``tmp/`` (uploads being received, generation scratch space).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from generator.errors import InputError, OutputError
from generator.serving import HARDENED_SETTINGS, LOCAL_HOST_HEADERS, middleware

CONFIG_NAME = "portal.json"
SQLITE_NAME = "portal.sqlite3"
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class PortalConfig:
    data: Path
    database_url: str  # "" for the SQLite file in the data folder
    secret_key: str
    #: extra host names the portal answers to (the HTTPS proxy's public name)
    public_names: tuple[str, ...] = ()
    #: behind an HTTPS reverse proxy that sets X-Forwarded-Proto: secure cookies
    https_proxy: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def files(self) -> Path:
        return self.data / "files"

    @property
    def tmp(self) -> Path:
        return self.data / "tmp"


def database_settings(config: PortalConfig) -> dict[str, Any]:
    """Django's DATABASES entry for the configured URL."""
    if not config.database_url:
        import django

        options: dict[str, Any] = {"timeout": 30}
        if django.VERSION >= (5, 1):
            # WAL: readers do not wait for the writer; FULL: a commit is on disk when it returns;
            # IMMEDIATE: a writing transaction takes the lock at its start (no upgrade deadlock).
            options.update(init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
                           transaction_mode="IMMEDIATE")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(config.data / SQLITE_NAME),
                "OPTIONS": options}
    url = urlsplit(config.database_url)
    if url.scheme not in ("postgresql", "postgres"):
        raise InputError(f"数据库地址应以 postgresql:// 开头：{config.database_url}")
    options = {}
    if url.query:
        options = dict(part.split("=", 1) for part in url.query.split("&") if "=" in part)
    return {"ENGINE": "django.db.backends.postgresql", "NAME": unquote(url.path.lstrip("/")),
            "USER": unquote(url.username or ""), "PASSWORD": unquote(url.password or ""),
            "HOST": unquote(url.hostname or ""), "PORT": str(url.port or ""),
            "OPTIONS": options, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}


def create(data: Path, database_url: str = "") -> PortalConfig:
    """Write a new data folder's ``portal.json`` (refused when one is there)."""
    data.mkdir(parents=True, exist_ok=True)
    target = data / CONFIG_NAME
    if target.exists():
        raise OutputError(f"{data} 已经是门户的数据文件夹（有 {CONFIG_NAME}）。如需重建，请换一个空文件夹。")
    config = PortalConfig(data.resolve(), database_url, secrets.token_urlsafe(50))
    from generator.safeio import atomic_path

    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps({"database_url": database_url, "secret_key": config.secret_key},
                                  ensure_ascii=False, indent=1), encoding="utf-8")
    os.chmod(target, 0o600)  # holds the secret key and perhaps the database password
    for folder in (config.files, config.tmp):
        folder.mkdir(mode=0o700, exist_ok=True)
    return config


def load(data: Path, **overrides: Any) -> PortalConfig:
    target = data / CONFIG_NAME
    try:
        raw = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{data} 不是门户的数据文件夹（没有 {CONFIG_NAME}）。"
                         "请先运行 nianbao portal init --data 该文件夹。") from None
    except (OSError, ValueError) as error:
        raise InputError(f"无法读取 {target}：{error}") from None
    config = PortalConfig(data.resolve(), str(raw.get("database_url") or ""), str(raw["secret_key"]),
                          **overrides)
    for folder in (config.files, config.tmp):
        folder.mkdir(mode=0o700, exist_ok=True)
    return config


#: the configuration Django was set up with in this process
CURRENT: PortalConfig | None = None


def configure(config: PortalConfig) -> None:
    """Configure and set up Django for ``config`` once per process."""
    global CURRENT
    import django
    from django.conf import settings

    if settings.configured:
        if CURRENT is None or CURRENT.data != config.data:
            raise RuntimeError("Django is already configured for something else in this process")
        return
    hosts = [*LOCAL_HOST_HEADERS, *config.public_names]
    secure = config.https_proxy
    settings.configure(
        **HARDENED_SETTINGS,
        SECRET_KEY=config.secret_key,
        ALLOWED_HOSTS=hosts,
        CSRF_TRUSTED_ORIGINS=[f"https://{name}" for name in config.public_names],
        ROOT_URLCONF="generator.portal.urls",
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes",
                        "django.contrib.sessions", "generator.portal"],
        DATABASES={"default": database_settings(config)},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        MIDDLEWARE=middleware("django.contrib.auth.middleware.AuthenticationMiddleware"),
        # scrypt (Django's own, memory-hard): a login costs tens of milliseconds of CPU where
        # PBKDF2 at Django's default strength costs one to two seconds, which a 2-core county
        # server cannot give a hundred clerks logging in within a minute.  PBKDF2 hashes still
        # verify (and are upgraded to scrypt at the next login).
        PASSWORD_HASHERS=["django.contrib.auth.hashers.ScryptPasswordHasher",
                          "django.contrib.auth.hashers.PBKDF2PasswordHasher"],
        AUTH_PASSWORD_VALIDATORS=[
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
             "OPTIONS": {"min_length": 10}},
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
            {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
        ],
        LOGIN_URL="/login",
        SESSION_ENGINE="django.contrib.sessions.backends.db",
        SESSION_COOKIE_AGE=8 * 3600,  # a working day
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_NAME="nianbao_portal_session",
        CSRF_COOKIE_SAMESITE="Lax",
        CSRF_COOKIE_SECURE=secure,
        CSRF_COOKIE_NAME="nianbao_portal_csrf",
        CSRF_FAILURE_VIEW="generator.portal.views.csrf_failure",
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https") if secure else None,
        SECURE_HSTS_SECONDS=0,  # the county's proxy decides on HSTS
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [str(HERE / "templates"), str(HERE.parent / "web" / "templates")],
            "APP_DIRS": False,
            "OPTIONS": {"autoescape": True, "context_processors": [
                "django.template.context_processors.csrf",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth"]},
        }],
        FILE_UPLOAD_TEMP_DIR=str(config.tmp),
        DATA_UPLOAD_MAX_NUMBER_FILES=1,
        TIME_ZONE="Asia/Shanghai",
        LOGGING={"version": 1, "disable_existing_loggers": False,
                 "handlers": {"file": {"class": "logging.FileHandler",
                                       "filename": str(config.data / "portal.log"),
                                       "encoding": "utf-8"}},
                 # Errors go to the server's log, never to the user's page.
                 "loggers": {"django": {"handlers": ["file"], "level": "WARNING"},
                             "generator.portal": {"handlers": ["file"], "level": "INFO"}}},
    )
    CURRENT = config
    django.setup()


def migrate() -> None:
    """Create or update the schema with the migrations shipped in the package."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
