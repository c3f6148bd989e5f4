"""Renderers: one module per output format, all over the same :class:`~generator.report.model.Report`.

A format is a module under ``generator.outputs`` with a ``render(report, target, options)``
function (see :class:`Renderer`); :data:`FORMATS` maps the format name to it.  Adding an
output format is adding a module and a line here, not a branch in the command line.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from generator.findings import Finding
from generator.report.model import Report

#: format name -> (module under generator.outputs, file suffix), in the order a build writes
#: them (the LibreOffice PDF converts the .docx written before it)
FORMATS: dict[str, tuple[str, str]] = {
    "docx": ("docx", ".docx"),
    "pdf": ("pdf", ".pdf"),
    "html": ("html", ".html"),
}
#: how a PDF is made: reportlab lays it out itself; libreoffice converts the report's .docx
PDF_ENGINES: tuple[str, ...] = ("reportlab", "libreoffice")


@dataclass(frozen=True)
class RenderOptions:
    """What the user chose on the command line, passed unchanged to every renderer."""

    template: Path | None = None  # a custom .docx template (docx renderer)
    draft: bool = False  # print the form's DRAFT_MARK on every page
    pdf_engine: str = "reportlab"  # or "libreoffice"
    font_paths: dict[str, Path] = field(default_factory=dict)  # role -> font file
    font_config: Path | None = None
    #: 落款 per GB/T 9704 §7.3.5.1 (stamped, the default) or §7.3.5.2 (unstamped).
    stamped: bool = True


class Renderer(Protocol):
    def __call__(self, report: Report, target: Path, options: RenderOptions) -> list[Finding]:
        """Write ``report`` to ``target`` atomically; return warnings found while rendering."""


def renderer(format_name: str) -> Renderer:
    """The ``render`` function of a format, imported on first use."""
    module_name, _ = FORMATS[format_name]
    module = importlib.import_module(f"{__name__}.{module_name}")
    return module.render


def output_path(out_dir: Path, stem: str, format_name: str) -> Path:
    return out_dir / f"{stem}{FORMATS[format_name][1]}"
