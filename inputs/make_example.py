"""Regenerate the bundled example workbook from tests/data/example_report.json.

Run from the repository root:  python inputs/make_example.py
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.report.model import report_from_json  # noqa: E402
from generator.outputs.workbook import write_workbook  # noqa: E402

SOURCE = REPO / "tests" / "data" / "example_report.json"
TARGET = REPO / "inputs" / "example-2025.xlsx"


def main() -> None:
    report = report_from_json(SOURCE.read_text(encoding="utf-8"))
    write_workbook(TARGET, report, overwrite=True)
    print(f"written {TARGET.relative_to(REPO)}")


if __name__ == "__main__":
    main()
