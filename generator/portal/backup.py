"""``nianbao portal backup`` and ``restore``: the database as Django's JSON dump plus every
stored file, checked against its checksum both ways.

The rows are dumped first and the files copied after: a file is always written before the
row that names it commits, so every file a dumped row names is already there.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from generator.errors import InputError, OutputError
from generator.portal import storage
from generator.portal.config import PortalConfig

DUMP = "database.json"
MANIFEST = "manifest.json"
APPS = ["auth.user", "portal"]


def backup(config: PortalConfig, target: Path) -> tuple[int, int]:
    """Write the backup; return (rows, files)."""
    from django.core.management import call_command

    from generator.portal.models import StoredFile
    from generator.safeio import atomic_path

    out = io.StringIO()
    call_command("dumpdata", *APPS, "--natural-foreign", stdout=out, verbosity=0)
    rows = json.loads(out.getvalue())
    files = list(StoredFile.objects.values_list("sha256", flat=True))
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DUMP, out.getvalue())
        for sha in files:
            path = storage.path_of(config.files, sha)
            if not storage.verify(config.files, sha):
                raise OutputError(f"存储的文件 {path} 缺失或校验和不符，备份未完成。请检查磁盘。")
            archive.write(path, f"files/{sha[:2]}/{sha}")
        archive.writestr(MANIFEST, json.dumps({"rows": len(rows), "files": files}))
    return len(rows), len(files)


def restore(config: PortalConfig, source: Path) -> tuple[int, int]:
    """Load a backup into a freshly initialised data folder (empty database)."""
    import hashlib
    import tempfile

    from django.core.management import call_command
    from django.db import transaction

    from generator.portal.models import Agency

    if Agency.objects.exists():
        raise OutputError("该数据文件夹的数据库里已有数据；请恢复到一个新初始化的数据文件夹。")
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as error:
        raise InputError(f"无法读取备份文件：{error}", path=source) from None
    with archive:
        names = set(archive.namelist())
        if DUMP not in names or MANIFEST not in names:
            raise InputError("这不是 nianbao portal backup 写的备份文件。", path=source)
        manifest = json.loads(archive.read(MANIFEST))
        for sha in manifest["files"]:
            data = archive.read(f"files/{sha[:2]}/{sha}")
            if hashlib.sha256(data).hexdigest() != sha:
                raise InputError(f"备份中的文件 {sha} 校验和不符，备份已损坏。", path=source)
            storage.put_chunks(config.files, config.tmp, [data])
        with tempfile.NamedTemporaryFile("wb", suffix=".json", dir=config.tmp, delete=False) as dump:
            dump.write(archive.read(DUMP))
        try:
            with transaction.atomic():
                call_command("loaddata", dump.name, verbosity=0)
        finally:
            Path(dump.name).unlink()
    _reset_sequences()
    return int(manifest["rows"]), len(manifest["files"])


def _reset_sequences() -> None:
    """PostgreSQL's id sequences after rows loaded with their ids."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    models = [*apps.get_app_config("portal").get_models(), *apps.get_app_config("auth").get_models()]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
