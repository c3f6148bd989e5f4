"""Shared fixtures: the bundled example as a model and as a workbook."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.model import Report, report_from_json

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
EXAMPLE_JSON = TESTS / "data" / "example_report.json"
EXAMPLE_WORKBOOK = REPO / "inputs" / "example-2025.xlsx"


@pytest.fixture(scope="session")
def example_report() -> Report:
    """The 宝力根花苏木 2025 report as a model (tests/data/example_report.json)."""
    return report_from_json(EXAMPLE_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def example_workbook() -> Path:
    """The bundled example workbook (inputs/example-2025.xlsx); read it, never write it."""
    return EXAMPLE_WORKBOOK
