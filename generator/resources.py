"""Where the files that ship with nianbao are, installed or run from a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
#: ``templates/`` is copied into the package by the wheel build; a checkout has it at the top.
_TEMPLATE_DIRS = (_PACKAGE_DIR / "templates", _PACKAGE_DIR.parent / "templates")

DEFAULT_TEMPLATE = "annual_report.docx"


def templates_dir() -> Path:
    """The folder holding the bundled templates."""
    for folder in _TEMPLATE_DIRS:
        if folder.is_dir():
            return folder
    return _TEMPLATE_DIRS[-1]


def default_template() -> Path:
    return templates_dir() / DEFAULT_TEMPLATE
