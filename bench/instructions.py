"""Instructions per report: a speed figure that does not move with the machine's load.

    python bench/instructions.py [--reports 5] [--stage pdf|read]

On a shared or virtual machine, the wall-clock and even the CPU-time figures of the other
benches swing by a third between two runs of the same code.  The number of instructions the
processor executes for the same work barely moves, so this is the figure to compare two
versions by (run it on each, or on two git worktrees).  It counts them with valgrind's
cachegrind (``apt-get install valgrind``): a warm process renders (or reads) N reports, an
identical process renders none, and the difference divided by N is the cost of one report.
Valgrind runs programs some fifty times slower: keep N small.

Stages:
  * pdf: the PDF of N synthetic reports with different texts, on the bundled-font path and
    on the system-font path (the TrueType fonts this machine has);
  * read: N reads of the bundled example workbook.
Nothing here is a test.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The measured program: warm up once, then do the work ``count`` times.
PROGRAM = """
import pathlib, sys
sys.path[:0] = [{bench!r}, {root!r}]
stage, path, count, cache = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
if stage == "pdf":
    from synthetic import synthetic_report
    from generator.outputs import RenderOptions
    from generator.outputs.fonts import FontSearch
    from generator.outputs.pdf import render_bytes
    search = (FontSearch.from_environment() if path == "system" else
              FontSearch((), fontconfig=False, config_path=None, cache_dir=pathlib.Path(cache)))
    render_bytes(synthetic_report(10_000), RenderOptions(), search=search)
    for seed in range(count):
        render_bytes(synthetic_report(seed), RenderOptions(), search=search)
else:
    from generator.inputs.workbook.reader import read_workbook
    example = pathlib.Path({root!r}) / "inputs" / "example-2025.xlsx"
    read_workbook(example)
    for _ in range(count):
        read_workbook(example)
"""


def instructions(script: Path, stage: str, path: str, count: int, cache: Path) -> int:
    """Instructions valgrind counts for one run of the measured program."""
    result = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, str(script), stage, path, str(count), str(cache)],
        capture_output=True, text=True, check=True, timeout=3600)
    found = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if found is None:
        raise SystemExit("valgrind 的输出中没有指令数：\n" + result.stderr[-2000:])
    return int(found[1].replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=5, help="每次计数的报告份数")
    parser.add_argument("--stage", choices=("pdf", "read"), default="pdf")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("需要 valgrind（apt-get install valgrind）。")
    work = Path(tempfile.mkdtemp(prefix="nianbao-bench-instructions-"))
    script = work / "measured.py"
    script.write_text(PROGRAM.format(bench=str(ROOT / "bench"), root=str(ROOT)),
                      encoding="utf-8")
    paths = ("bundled", "system") if args.stage == "pdf" else ("example",)
    for path in paths:
        cache = work / f"cache-{path}"
        instructions(script, args.stage, path, 1, cache)  # fill the font cache first
        base = instructions(script, args.stage, path, 0, cache)
        total = instructions(script, args.stage, path, args.reports, cache)
        per_report = (total - base) / args.reports
        print(f"  {args.stage} {path:<8} 每份 {per_report / 1e6:8.1f} 百万条指令"
              f"（{args.reports} 份的平均）")


if __name__ == "__main__":
    main()
