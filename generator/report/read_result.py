"""What reading a workbook gives, as data the checks take without knowing how it was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from generator.findings import Finding
from generator.report.layout import CellAddress
from generator.report.model import Report


@dataclass(frozen=True)
class ReadResult:
    """What reading a workbook gave: the report, problems found, and where each value was."""

    report: Report
    findings: tuple[Finding, ...] = ()
    #: key -> address read: field ids, ``meta.<attr>``, ``text.<slot>``, ``heading.<slot>``
    sources: Mapping[str, CellAddress] = field(default_factory=dict)
    #: field ids whose input cell was blank (read as 0)
    blanks: tuple[str, ...] = ()
