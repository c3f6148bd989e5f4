"""Regenerate ``templates/annual_report.docx`` from the form declaration.

Run ``python templates/build_template.py`` (or ``nianbao template build``) after changing
:mod:`generator.form` or :mod:`generator.outputs.template_builder`, and commit the result;
a test checks that the committed file equals what the builder produces.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.outputs.template_builder import write_template  # noqa: E402

if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("annual_report.docx")
    print(write_template(target))
