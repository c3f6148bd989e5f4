"""PDF time per report on the two font paths, and what `batch --pdf` costs over `batch`.

    python bench/pdf_fonts.py [--n 100] [--jobs 2] [--reports 30]

Prints:
  * the one-time conversion of the bundled (CFF) fonts into TrueType pieces, in a fresh cache;
  * the warm PDF time per report (median, worst) on the bundled-font path (a machine without
    Chinese fonts) and on the system-font path (the TrueType fonts this machine has);
  * `nianbao batch` over N synthetic reports with different texts, without and with --pdf, the
    second with an empty font cache (so the conversion is included), and their ratio.
Goals (issue 11): warm PDF ≤ 40 ms per report on both paths; the ratio ≤ 2.5.
Every figure is given as wall-clock time and as CPU time (this process's, or the batch's
processes' user + system time): on a machine other programs share, CPU time is the one to
compare between versions.
Nothing here is a test: the figures are for reading, not for asserting.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from run_bench import make_workbooks  # noqa: E402
from synthetic import synthetic_report  # noqa: E402

from generator.outputs import RenderOptions  # noqa: E402
from generator.outputs.fonts import FontError, FontSearch, Source, choose_fonts  # noqa: E402
from generator.outputs.pdf import render_bytes  # noqa: E402


def per_report(search: FontSearch, reports: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each report's PDF."""
    options = RenderOptions()
    render_bytes(synthetic_report(10_000), options, search=search)  # open fonts, fill the cache
    wall, cpu = [], []
    for seed in range(reports):
        report = synthetic_report(seed)
        started, started_cpu = time.perf_counter(), time.process_time()
        render_bytes(report, options, search=search)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu


def show(label: str, times: tuple[list[float], list[float]]) -> None:
    wall, cpu = times
    print(f"  {label:<22} {statistics.median(wall) * 1000:7.1f} ms（中位数）"
          f" {max(wall) * 1000:7.1f} ms（最大）；CPU {statistics.median(cpu) * 1000:7.1f} ms（中位数）")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def batch_seconds(source: Path, out: Path, jobs: int, pdf: bool,
                  cache: Path) -> tuple[float, float]:
    """Wall-clock seconds of the batch and CPU seconds of all its processes."""
    env = {**os.environ, "NIANBAO_FONT_DIRS": "", "NIANBAO_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "generator", "batch", str(source), "-o", str(out),
               "--jobs", str(jobs)] + (["--pdf"] if pdf else [])
    started, started_cpu = time.perf_counter(), children_cpu()
    subprocess.run(command, env=env, check=False, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=3600)
    return time.perf_counter() - started, children_cpu() - started_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100, help="批量测试的工作簿数量")
    parser.add_argument("--jobs", type=int, default=2, help="批量处理的并行进程数")
    parser.add_argument("--reports", type=int, default=30, help="单份 PDF 计时的报告数")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nianbao-bench-fonts-"))

    bundled = FontSearch((), fontconfig=False, config_path=None, cache_dir=work / "cache")
    started, started_cpu = time.perf_counter(), time.process_time() + children_cpu()
    render_bytes(synthetic_report(0), RenderOptions(), search=bundled)
    print(f"内置字体首次转换（空缓存，含第一份 PDF）：{time.perf_counter() - started:6.2f} s"
          f"（CPU {time.process_time() + children_cpu() - started_cpu:6.2f} s），"
          f"缓存 {sum(p.stat().st_size for p in (work / 'cache').glob('*.ttf')) / 1e6:.1f} MB")

    print("单份 PDF（同一进程内，已预热）：")
    show("内置字体 bundled", per_report(bundled, args.reports))
    system = FontSearch.from_environment()
    try:
        choices = choose_fonts(search=system)
    except FontError:
        choices = {}
    if choices and not any(c.source is Source.BUNDLED for c in choices.values()):
        show("系统字体 system", per_report(system, args.reports))
    else:
        print("  系统字体 system        本机没有可用的中文 TrueType 字体，跳过")

    source = work / "workbooks"
    make_workbooks(args.n, source)
    plain, plain_cpu = batch_seconds(source, work / "out-docx", args.jobs, False,
                                     work / "cache-unused")
    with_pdf, with_pdf_cpu = batch_seconds(source, work / "out-pdf", args.jobs, True,
                                           work / "cache-cold")
    print(f"批量 {args.n} 份（{args.jobs} 个进程）：不含 PDF {plain:6.2f} s，"
          f"含 PDF（字体缓存为空）{with_pdf:6.2f} s，之比 {with_pdf / plain:4.2f}")
    print(f"  CPU 时间（所有进程）：不含 PDF {plain_cpu:6.2f} s，含 PDF {with_pdf_cpu:6.2f} s，"
          f"之比 {with_pdf_cpu / plain_cpu:4.2f}")


if __name__ == "__main__":
    main()
