"""Errors the user can act on.  Their text is shown as it is, in Chinese, without a traceback."""

from __future__ import annotations

from pathlib import Path

#: Exit codes of every command.
EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2


class NianbaoError(Exception):
    """A problem the user can fix; ``str(error)`` is the whole message."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        super().__init__(f"{self.path.name}：{message}" if self.path is not None else message)


class InputError(NianbaoError):
    """An input file cannot be read (wrong type, broken, encrypted, too large, …)."""


class TemplateError(NianbaoError):
    """A .docx template is missing placeholders or has Jinja errors."""


class OutputError(NianbaoError):
    """An output cannot be written (exists without --force, no permission, …)."""
