"""Findings: what reading or checking a workbook found, addressed so a clerk can fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Iterable


class Severity(str, Enum):
    """错误 blocks the official copy, 警告 is printed and kept, 提示 is information."""

    ERROR = "错误"
    WARNING = "警告"
    NOTICE = "提示"

    @property
    def rank(self) -> int:
        return {"错误": 0, "警告": 1, "提示": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    """One thing wrong (or worth knowing) about a report.

    ``cells`` are workbook addresses such as ``表三!D7``; the first one is where the clerk
    should look first.  ``expected``/``found`` are shown as they are (numbers or text).
    """

    severity: Severity
    rule: str
    message: str
    cells: tuple[str, ...] = ()
    expected: object = None
    found: object = None
    hint: str = ""
    field_ids: tuple[str, ...] = field(default=(), compare=False)

    @property
    def sheet(self) -> str:
        return self.cells[0].split("!", 1)[0] if self.cells else ""

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity.name.lower(),
            "severity_label": self.severity.value,
            "rule": self.rule,
            "message": self.message,
            "cells": list(self.cells),
            "expected": _plain(self.expected),
            "found": _plain(self.found),
            "hint": self.hint,
        }


def _plain(value: object) -> object:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def count_by_severity(findings: Iterable[Finding]) -> dict[Severity, int]:
    counts = {s: 0 for s in Severity}
    for f in findings:
        counts[f.severity] += 1
    return counts


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
