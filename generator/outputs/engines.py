"""Writing one format with the PDF engine the user chose: the one place that knows that a
LibreOffice PDF is the report's .docx converted, and needs no reportlab set-up.

Kept out of ``generator/outputs/__init__.py`` because the LibreOffice module imports that
package (for :class:`~generator.outputs.RenderOptions`): no import cycle.
"""

from __future__ import annotations

from pathlib import Path

from generator.findings import Finding
from generator.outputs import FORMATS, RenderOptions, renderer
from generator.report.model import Report


def write_format(format_name: str, report: Report, target: Path, options: RenderOptions, *,
                 docx: Path | None = None) -> list[Finding]:
    """Write one format of ``report`` to ``target`` with the PDF engine ``options`` names.

    ``docx`` is this report's .docx when one was written already: the LibreOffice engine
    converts it instead of making another.  Every front end and the batch write through
    here, so each honours ``--pdf-engine`` the same way."""
    if format_name == "pdf" and options.pdf_engine == "libreoffice":
        from generator.outputs.libreoffice import render_pdf_via_libreoffice

        return list(render_pdf_via_libreoffice(report, target, options, docx=docx))
    return list(renderer(format_name)(report, target, options))


def engine_module(format_name: str, options: RenderOptions) -> str | None:
    """The module under ``generator.outputs`` whose per-process set-up (``warm_up``,
    ``prepare``) a format needs: none for a PDF that LibreOffice makes."""
    if format_name == "pdf" and options.pdf_engine == "libreoffice":
        return None
    return FORMATS[format_name][0]
