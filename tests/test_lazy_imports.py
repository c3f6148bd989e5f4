"""A clean ``nianbao build`` of the .docx loads only what it uses (start-up time, issue 6).

The command runs in a fresh interpreter; afterwards the modules only a PDF, a printed table
of findings or the font resolver need must not have been imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "inputs" / "example-2025.xlsx"

_PROBE = """
import json, sys
from generator.cli import main
sys.argv = ["nianbao", "build", sys.argv[1], "-o", sys.argv[2]]
try:
    main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_docx_build_does_not_load_pdf_fonts_or_rich(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-c", _PROBE, str(EXAMPLE), str(tmp_path / "out")],
                         cwd=REPO, capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["code"] == 0
    assert list((tmp_path / "out").glob("*.docx"))  # it did build
    loaded = set(result["modules"])
    assert "generator.inputs.workbook.grid" in loaded  # the probe saw the reader's imports
    unwanted = {"reportlab", "rich", "generator.outputs.fonts", "generator.outputs.pdf"}
    assert not unwanted & loaded, sorted(unwanted & loaded)
