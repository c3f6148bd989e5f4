"""How fast is reading one workbook?  The read stage of run_bench.py, split into its steps.

    python bench/read_bench.py [--n 200] [WORKBOOK]

Reads WORKBOOK (default: inputs/example-2025.xlsx) N times in one warm process and prints
the median, the fastest and the median at full speed (see below) of each step:
  * inspect: the guards over the raw file (generator/inputs/workbook/source.py);
  * parse: the OOXML parts into a snapshot (generator/inputs/workbook/grid.py);
  * map: the snapshot into a report (generator/inputs/workbook/reader.py);
  * read: all three, as `nianbao build` does (read_workbook);
and, for comparison, two full openpyxl loads of the same bytes (formulas and cached values),
the way the reader once read.  Times are CPU time of this process (``time.process_time``),
not wall time: the machine is shared, and other processes' work must not count.

CPU time still moves with the machine.  A shared or virtual machine runs this process at
full speed for a while, then for a while at about half (the host gives the processor to
other guests), and a median over a few hundred reads lands wherever the mix of the two puts
it.  So each timed run is bracketed by a probe: a fixed piece of pure-Python work timed
just before and just after it, whose fastest time over the whole bench is the machine at
full speed.  "全速时" is the plain median of the runs whose two probes were both within
15 % of that fastest time (how many, out of all, is printed beside it): the runs the
machine made at full speed, each time as measured, none scaled.  It is the figure to
compare with a target measured on an unloaded machine; the runs are chosen by the probes
alone, never by their own time, so a lucky run is no likelier to be chosen than an unlucky
one.  When too few runs qualify (the machine was slow throughout), it prints "—".  The
last line says how slow the machine was while the bench ran, and the fastest probe in
milliseconds: a short bench may never see full speed, and then its fastest probe is slower
than another run's.
Nothing here is a test.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402

from generator.inputs.workbook.reader import read_grid, read_workbook  # noqa: E402
from generator.inputs.workbook.source import inspect_workbook_file, parse_grid  # noqa: E402

EXAMPLE = Path(__file__).resolve().parent.parent / "inputs" / "example-2025.xlsx"


#: Rounds of the probe's loop: about a millisecond at full speed, short enough to see the
#: machine's speed change between two reads, long enough for the clock's resolution.
PROBE_ROUNDS = 20_000


#: How much slower than its fastest a probe may be and still count as full speed: the
#: probe's own spread at full speed is about 5 %, the machine's slow state 30-100 %.
FULL_SPEED_MARGIN = 1.15
#: Fewer full-speed runs than this give no median worth printing.
MIN_FULL_SPEED_RUNS = 5


def probe() -> float:
    """CPU seconds of a fixed piece of work that touches almost no memory: it takes longer
    only when the machine runs this process slower."""
    started = time.process_time()
    total = 0
    for number in range(PROBE_ROUNDS):
        total += number * number
    return time.process_time() - started


@dataclass
class Runs:
    """One step's timed runs, each with the probes just before and just after it."""

    seconds: list[float] = field(default_factory=list)
    probes: list[tuple[float, float]] = field(default_factory=list)

    def at_full_speed(self, fastest_probe: float) -> list[float]:
        """The runs made while the machine ran at full speed: both probes within
        :data:`FULL_SPEED_MARGIN` of the fastest probe of the bench."""
        limit = fastest_probe * FULL_SPEED_MARGIN
        return [run for run, (before, after) in zip(self.seconds, self.probes)
                if before <= limit and after <= limit]


def timed(step: Callable[[], object], n: int) -> Runs:
    step()  # warm: imports, caches
    runs = Runs()
    for _ in range(n):
        before = probe()
        started = time.process_time()
        step()
        runs.seconds.append(time.process_time() - started)
        runs.probes.append((before, probe()))
    return runs


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


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
    runs = {name: timed(step, args.n if "openpyxl" not in name else max(1, args.n // 10))
            for name, step in steps.items()}
    probes = [probe for run in runs.values() for pair in run.probes for probe in pair]
    fastest_probe = min(probes)
    print(f"{path.name}，每项 {args.n} 次（同一进程内，已预热，CPU 时间）：")
    for name, run in runs.items():
        fast = run.at_full_speed(fastest_probe)
        at_full_speed = "      —（全速时的次数太少）"
        if len(fast) >= MIN_FULL_SPEED_RUNS:
            share = f"{len(fast)}/{len(run.seconds)}"
            at_full_speed = f"{ms(statistics.median(fast))}（全速时，{share} 次）"
        print(f"  {name:<20} {ms(statistics.median(run.seconds))}（中位数）"
              f" {ms(min(run.seconds))}（最快） {at_full_speed}")
    slow = sum(p > FULL_SPEED_MARGIN * fastest_probe for p in probes) / len(probes)
    print(f"本机速度：校准循环最快一次 {ms(fastest_probe).strip()}，耗时的中位数是它的 "
          f"{statistics.median(probes) / fastest_probe:.2f} 倍（1.00 为全速；机器被其他程序"
          f"或其他虚拟机占用时变大），{slow:.0%} 的时间慢于全速 15% 以上。"
          f"次数少时最快一次也可能不是全速：比较几次运行的“最快一次”即可看出。")

if __name__ == "__main__":
    main()
