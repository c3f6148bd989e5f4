"""Opening a workbook file the clerk gave us: refuse what is not a readable .xlsx, clearly.

Everything that touches the raw file goes through :func:`load_workbook`, so the guards
against broken, encrypted, old-format and hostile files live in one place.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook

from ..errors import InputError


def load_workbook(path: str | Path) -> Workbook:
    """Open ``path`` read-only-on-disk as an openpyxl workbook (formulas kept, not cached values).

    Raises :class:`InputError` with a Chinese message for anything that is not a readable
    .xlsx workbook.  The file itself is never written.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("找不到该文件，请检查路径是否正确。", path=path)
    if path.is_dir():
        raise InputError("这是一个文件夹，不是工作簿文件。", path=path)
    try:
        return openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise InputError(
            f"无法作为 .xlsx 工作簿打开（{type(exc).__name__}）。请在 Excel 或 WPS 中打开后"
            "另存为 .xlsx 格式再试。", path=path) from exc


def load_cached_values(path: str | Path) -> Workbook:
    """The same file opened for the values Excel cached for formula cells (may be None)."""
    return openpyxl.load_workbook(Path(path), data_only=True)
