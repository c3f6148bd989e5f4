"""The package type-checks: ``mypy`` with the settings in pyproject.toml ([tool.mypy]).

Strict for the form, the model, the rule registry and the workbook snapshot; the modules
listed there as "to be typed" are skipped until they are.  Run as the tests run, so a change
that breaks the types fails here, in CI, and not only on the machine of whoever runs mypy.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_mypy_finds_no_errors() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
