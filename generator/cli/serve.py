"""``nianbao serve``: the clerk's web page on this machine (see :mod:`generator.web`)."""

from __future__ import annotations

import sys

import click

from generator.cli.zh import ZhCommand
from generator.serving import LOCAL_HOSTS, serve_until_stopped


@click.command("serve", cls=ZhCommand, examples=(
    ("nianbao serve", "在本机启动网页并打开浏览器："),
    ("nianbao serve --port 8001 --no-browser", "换一个端口，不自动打开浏览器："),
))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听的地址。默认只允许本机访问；其他地址会让局域网内的人都能打开本页面。")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="端口（0 表示任选一个空闲端口）。")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器。")
def command(host: str, port: int, no_browser: bool) -> None:
    """启动本机网页：在浏览器中上传工作簿，检查并生成年度报告。按 Ctrl+C 停止。"""
    from generator.errors import NianbaoError

    try:
        from generator.web.server import Server
    except ImportError as error:  # pragma: no cover - Django/waitress are dependencies
        raise NianbaoError(f"缺少网页所需的组件（{error.name}）。请重新安装 nianbao。") from error
    if host not in LOCAL_HOSTS:
        click.secho(f"警告：页面将在 {host} 上开放，局域网内任何人都能打开。本页面没有账号和登录，"
                    "请只在可信的网络中使用，用完即停止。", fg="yellow", err=True)
    try:
        server = Server(host, port)
    except OSError as error:
        raise NianbaoError(f"无法在 {host}:{port} 上启动（{error.strerror or error}）。"
                           "端口可能已被占用，请换一个端口，例如 --port 8001。") from error
    url = f"http://127.0.0.1:{server.port}/" if host in ("127.0.0.1", "localhost") else server.url

    def started() -> None:
        click.echo(f"nianbao 网页已启动：{url}")
        click.echo("在浏览器中打开上面的地址；按 Ctrl+C 停止（上传的文件会一并删除）。")
        sys.stdout.flush()
        if not no_browser:
            import webbrowser

            webbrowser.open(url)

    serve_until_stopped(server, click.echo, started)

