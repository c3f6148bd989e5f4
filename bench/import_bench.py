"""How fast is ``nianbao import`` on large or hostile inputs?  Figures for reading, not tests.

    python bench/import_bench.py

Prints seconds for: a paragraph of 200 000 ASCII letters, 100 000 nested brackets, a 5 MB
text of short lines, a .docx of 100 000 paragraphs, and HTML nested 3000 elements deep.
Each should grow linearly with its size (double the size, double the time).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.inputs.importers import import_report  # noqa: E402
from generator.inputs.importers.narrative import normalise_punctuation  # noqa: E402

HEAD = "某县某镇人民政府2024年政府信息公开工作年度报告\n一、总体情况\n本年度认真贯彻条例。\n"
CHARS = "政府信息公开工作本镇年度报告动依申请平台监督保障管理全条件号务服群众线上下"


def timed(label: str, action) -> None:  # noqa: ANN001
    start = time.perf_counter()
    action()
    print(f"{label:<40} {time.perf_counter() - start:6.2f} s")


def main() -> None:
    rnd = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for n in (100_000, 200_000):
            timed(f"normalise {n} ASCII letters", lambda n=n: normalise_punctuation("a" * n))
            timed(f"normalise {n} nested brackets",
                  lambda n=n: normalise_punctuation("(" * (n // 2) + "中" + ")" * (n // 2)))
        lines = [HEAD] + ["".join(rnd.choice(CHARS) for _ in range(20)) + "。" for _ in range(150_000)]
        text = out / "big.txt"
        text.write_bytes("\n".join(lines).encode("utf-8")[: 5 * 1024 * 1024 - 16])
        timed("import a 5 MB text", lambda: import_report(text, agency="某镇", year=2024))
        html = out / "deep.html"
        html.write_text("<html><body>" + "<div>" * 3000 + HEAD.replace("\n", "<br>")
                        + "</div>" * 3000 + "</body></html>", encoding="utf-8")
        timed("import HTML nested 3000 deep", lambda: import_report(html))
        body = "".join(f"<w:p><w:r><w:t>{''.join(rnd.choice(CHARS) for _ in range(20))}。</w:t>"
                       "</w:r></w:p>" for _ in range(100_000))
        docx = out / "big.docx"
        ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                       'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
                       'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                       '<Override PartName="/word/document.xml" ContentType="application/vnd.'
                       'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
            z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                       'openxmlformats.org/package/2006/relationships"><Relationship Id="r1" '
                       'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                       'officeDocument" Target="word/document.xml"/></Relationships>')
            head = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in HEAD.split("\n") if line)
            z.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {ns}><w:body>'
                       f"{head}{body}</w:body></w:document>")
        timed("import a .docx of 100 000 paragraphs", lambda: import_report(docx))


if __name__ == "__main__":
    main()
