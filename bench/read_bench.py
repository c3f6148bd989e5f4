"""How fast is reading one workbook?  The read stage of run_bench.py, split into its steps.

    python bench/read_bench.py [--n 200] [WORKBOOK]

Reads WORKBOOK (default: inputs/example-2025.xlsx) N times in one warm process and prints
the median and the fastest time of each step:
  * inspect: the guards over the raw file (generator/inputs/workbook/source.py);
  * parse: the OOXML parts into a snapshot (generator/inputs/workbook/grid.py);
  * map: the snapshot into a report (generator/inputs/workbook/reader.py);
  * read: all three, as `nianbao build` does (read_workbook);
and, for comparison, two full openpyxl loads of the same bytes (formulas and cached values),
the way the reader once read.  Times are CPU time of this process (``time.process_time``),
not wall time: the machine is shared, and other processes' work must not count.  Read the
fastest figure beside the median.  Nothing here is a test.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402

from generator.inputs.workbook.reader import read_grid, read_workbook  # noqa: E402
from generator.inputs.workbook.source import inspect_workbook_file, parse_grid  # noqa: E402

EXAMPLE = Path(__file__).resolve().parent.parent / "inputs" / "example-2025.xlsx"


def timed(step: Callable[[], object], n: int) -> list[float]:
    step()  # warm: imports, caches
    seconds = []
    for _ in range(n):
        started = time.process_time()
        step()
        seconds.append(time.process_time() - started)
    return seconds


def two_full_loads(data: bytes) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        openpyxl.load_workbook(io.BytesIO(data))
        openpyxl.load_workbook(io.BytesIO(data), data_only=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workbook", nargs="?", type=Path, default=EXAMPLE)
    parser.add_argument("--n", type=int, default=200, help="每个环节的重复次数")
    args = parser.parse_args()
    path: Path = args.workbook
    checked = inspect_workbook_file(path)
    grid = parse_grid(checked)
    steps: dict[str, Callable[[], object]] = {
        "inspect 检查": lambda: inspect_workbook_file(path),
        "parse 解析": lambda: parse_grid(checked),
        "map 映射": lambda: read_grid(grid),
        "read 读取（合计）": lambda: read_workbook(path),
        "openpyxl 两次完整加载": lambda: two_full_loads(checked.data),
    }
    print(f"{path.name}，每项 {args.n} 次（同一进程内，已预热，CPU 时间）：")
    for name, step in steps.items():
        seconds = timed(step, args.n if "openpyxl" not in name else max(1, args.n // 10))
        print(f"  {name:<20} {statistics.median(seconds) * 1000:7.2f} ms（中位数）"
              f" {min(seconds) * 1000:7.2f} ms（最快）")


if __name__ == "__main__":
    main()
