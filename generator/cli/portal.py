"""``nianbao portal``: the county portal (see :mod:`generator.portal`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.cli.zh import ZhGroup
from generator.errors import InputError, NianbaoError, OutputError

DATA = click.option("--data", "data", required=True, type=click.Path(path_type=Path, file_okay=False),
                    help="门户的数据文件夹（数据库、上传和生成的文件）。")


def _open(data: Path, **overrides: object) -> object:
    from generator.portal import config

    loaded = config.load(data, **overrides)
    try:
        config.configure(loaded)
        config.migrate()  # a newer nianbao brings its schema changes with it
    except ImportError as error:
        if error.name == "psycopg":
            raise NianbaoError("使用 PostgreSQL 需要 psycopg：请运行 pip install \"nianbao[portal-postgres]\"。"
                               ) from None
        raise
    except Exception as error:
        from django.db import DatabaseError

        if isinstance(error, DatabaseError):
            raise NianbaoError(f"无法连接或更新数据库：{error}".strip()) from None
        raise
    return loaded


@click.group("portal", cls=ZhGroup, examples=(
    ("nianbao portal init --data D:/年报门户", "新建门户（数据库为数据文件夹中的 SQLite 文件）："),
    ("nianbao portal add-user --data D:/年报门户 --username zhen1 --agency 某某镇人民政府 "
     "--password-stdin < 密码.txt", "为一个机关的填报人员建账号（密码从文件或键盘读入）："),
    ("nianbao portal serve --data D:/年报门户 --host 0.0.0.0 --port 8080", "启动门户："),
))
def command() -> None:
    """县级填报门户：各机关上传、提交年报，县政务公开办审核。"""


@command.command("init", examples=(
    ("nianbao portal init --data D:/年报门户", "SQLite 数据库："),
    ("nianbao portal init --data D:/年报门户 --database-url postgresql://nianbao:密码@localhost/nianbao",
     "PostgreSQL 数据库："),
))
@DATA
@click.option("--database-url", default="", help="PostgreSQL 数据库地址 postgresql://用户:密码@主机/库名；"
              "不给则在数据文件夹中用 SQLite 文件。")
def init(data: Path, database_url: str) -> None:
    """新建门户的数据文件夹和数据库。"""
    from generator.portal import config

    config.create(data, database_url)
    _open(data)
    where = "PostgreSQL" if database_url else f"SQLite（{data / config.SQLITE_NAME}）"
    click.echo(f"门户已初始化：{data}，数据库 {where}。下一步：nianbao portal add-user 开设账号。")


@command.command("add-user", examples=(
    ("nianbao portal add-user --data D:/年报门户 --username zhen1 --agency 某某镇人民政府 "
     "--password-stdin < 密码.txt", "机关填报人员（密码从文件或键盘读入）："),
    ("nianbao portal add-user --data D:/年报门户 --username xian --agency 某某县政务公开办 "
     "--admin --password-stdin < 密码.txt", "县政务公开办（管理员）："),
))
@DATA
@click.option("--username", required=True, help="登录用的用户名。")
@click.option("--agency", default="", help="所属机关全称（与工作簿“基本信息”中的机关名称一致）。")
@click.option("--admin", is_flag=True, help="县政务公开办的管理账号（可看全部机关）。")
@click.option("--password-stdin", is_flag=True, required=True, help="从标准输入读取密码。")
def add_user(data: Path, username: str, agency: str, admin: bool, password_stdin: bool) -> None:
    """开设一个机关填报员或县政务公开办的账号（已有则重设密码）。"""
    _open(data)
    from django.contrib.auth.models import User
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from generator.portal.models import Agency, AuditEvent, Profile

    password = sys.stdin.readline().rstrip("\r\n")
    username, agency = username.strip(), agency.strip()
    if not username:
        raise InputError("用户名不能为空。")
    if not admin and not agency:
        raise InputError("请用 --agency 给出所属机关全称；县政务公开办的账号请加 --admin。")
    try:
        validate_password(password, User(username=username))
    except ValidationError as error:
        raise InputError("密码不合要求：" + "；".join(_password_messages(error))) from None
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.is_staff = admin
        user.save()
        row = Agency.objects.get_or_create(name=agency)[0] if agency else None
        Profile.objects.update_or_create(user=user, defaults={"agency": row})
        AuditEvent.objects.create(username="（命令行）", agency=agency,
                                  action="add_user" if created else "reset_user",
                                  detail=f"{username}{'（管理）' if admin else ''}")
    click.echo(f"{'已开设' if created else '已更新'}账号 {username}"
               f"{'（县政务公开办）' if admin else ''}{'，所属机关：' + agency if agency else ''}。")


def _password_messages(error: object) -> list[str]:
    codes = {"password_too_short": "至少 10 个字符", "password_too_common": "太常见，容易被猜到",
             "password_entirely_numeric": "不能全是数字", "password_too_similar": "与用户名太相似"}
    return [codes.get(e.code or "", " ".join(e.messages)) for e in error.error_list]  # type: ignore[attr-defined]


@command.command("serve", examples=(
    ("nianbao portal serve --data D:/年报门户", "只在本机打开："),
    ("nianbao portal serve --data D:/年报门户 --host 0.0.0.0 --port 8080", "局域网内可访问："),
))
@DATA
@click.option("--host", default="127.0.0.1", show_default=True, help="监听的地址。")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="端口（0 表示任选空闲端口）。")
@click.option("--workers", type=click.IntRange(1, 32), default=None,
              help="同时生成报告的进程数（默认：CPU 核数，最多 4）。")
@click.option("--public-name", multiple=True, help="对外的域名（HTTPS 反向代理的主机名），可重复。")
@click.option("--https-proxy", is_flag=True, help="在 HTTPS 反向代理之后运行：Cookie 只经 HTTPS 发送。")
@click.option("--year", type=click.IntRange(2021, 2100), default=None,
              help="收报的年度（默认：去年）。")
def serve(data: Path, host: str, port: int, workers: int | None, public_name: tuple[str, ...],
          https_proxy: bool, year: int | None) -> None:
    """启动门户。按 Ctrl+C 停止。"""
    extra = {"year": year} if year else {}
    config = _open(data, public_names=public_name, https_proxy=https_proxy, extra=extra)
    from generator.portal.server import Server

    try:
        server = Server(config, host, port, workers=workers)  # type: ignore[arg-type]
    except OSError as error:
        raise NianbaoError(f"无法在 {host}:{port} 上启动（{error.strerror or error}）。"
                           "端口可能已被占用，请换一个端口。") from error
    from generator.serving import serve_until_stopped

    def started() -> None:
        click.echo(f"nianbao 门户已启动：{server.url}")
        sys.stdout.flush()

    serve_until_stopped(server, click.echo, started)


@command.command("backup", examples=(
    ("nianbao portal backup --data D:/年报门户 备份-2026-01-31.zip", "备份数据库和全部文件："),
))
@DATA
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
def backup(data: Path, target: Path) -> None:
    """把数据库和全部文件备份到一个 .zip。"""
    if target.exists():
        raise OutputError(f"文件已存在：{target}。请换一个文件名。")
    config = _open(data)
    from generator.portal.backup import backup as run

    rows, files = run(config, target)  # type: ignore[arg-type]
    click.echo(f"已备份 {rows} 条记录、{files} 个文件到 {target}。")


@command.command("restore", examples=(
    ("nianbao portal restore 备份-2026-01-31.zip --data D:/年报门户-恢复", "恢复到新的数据文件夹："),
))
@DATA
@click.option("--database-url", default="", help="恢复到 PostgreSQL（不给则用 SQLite 文件）。")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def restore(data: Path, database_url: str, source: Path) -> None:
    """由备份 .zip 恢复到一个新的数据文件夹。"""
    from generator.portal import config as portal_config

    portal_config.create(data, database_url)
    config = _open(data)
    from generator.portal.backup import restore as run

    rows, files = run(config, source)  # type: ignore[arg-type]
    click.echo(f"已恢复 {rows} 条记录、{files} 个文件到 {data}。")
