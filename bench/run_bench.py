"""How fast is nianbao?  Per-stage times for one report, and a whole batch.

    python bench/run_bench.py --n 200 [--jobs 2] [--no-pdf] [--keep DIR]

Generates N synthetic, valid workbooks (bench/synthetic.py), then prints:
  * per-stage medians in one warm process: read, check, .docx, PDF (reportlab);
  * the batch: wall time and reports per second for `nianbao batch` with --jobs workers;
  * when LibreOffice is installed: the same .docx files converted to PDF in one soffice call,
    and its time per report beside reportlab's.
Nothing here is a test: the figures are for reading, not for asserting.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthetic import synthetic_report  # noqa: E402

from generator.batch import BatchPlan, run_batch  # noqa: E402
from generator.checks.checker import check_read  # noqa: E402
from generator.inputs.workbook.reader import read_workbook  # noqa: E402
from generator.outputs import RenderOptions, renderer  # noqa: E402
from generator.outputs.workbook import write_workbook  # noqa: E402


def make_workbooks(n: int, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(n):
        path = folder / f"{seed:05d}.xlsx"
        write_workbook(path, synthetic_report(seed), overwrite=True)
        paths.append(path)
    return paths


def milliseconds(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:7.1f} ms（中位数） {max(seconds) * 1000:7.1f} ms（最大）"


def per_stage(paths: list[Path], out: Path, with_pdf: bool) -> dict[str, list[float]]:
    """Each stage timed separately for every workbook, in this (warm) process."""
    options = RenderOptions()
    stages: dict[str, list[float]] = {"读取 read": [], "校验 check": [], ".docx": []}
    if with_pdf:
        stages["PDF (reportlab)"] = []
    docx, pdf = renderer("docx"), renderer("pdf") if with_pdf else None
    # one warm-up report: imports, template parse, font registration happen here, not below
    warm = read_workbook(paths[0])
    docx(warm.report, out / "warm.docx", options)
    if pdf:
        pdf(warm.report, out / "warm.pdf", options)
    for index, path in enumerate(paths):
        t0 = time.perf_counter()
        read = read_workbook(path)
        t1 = time.perf_counter()
        check_read(read)
        t2 = time.perf_counter()
        docx(read.report, out / f"{index:05d}.docx", options)
        t3 = time.perf_counter()
        stages["读取 read"].append(t1 - t0)
        stages["校验 check"].append(t2 - t1)
        stages[".docx"].append(t3 - t2)
        if pdf:
            pdf(read.report, out / f"{index:05d}.pdf", options)
            stages["PDF (reportlab)"].append(time.perf_counter() - t3)
    return stages


def libreoffice_ratio(docx_files: list[Path], out: Path, reportlab_median: float | None) -> None:
    from generator.outputs.libreoffice import convert_docx_to_pdf, find_soffice

    if find_soffice() is None:
        print("LibreOffice：未安装，跳过对比。")
        return
    started = time.perf_counter()
    convert_docx_to_pdf(docx_files, out, timeout=60 + 5 * len(docx_files))
    elapsed = time.perf_counter() - started
    per_report = elapsed / len(docx_files)
    print(f"LibreOffice 一次转换 {len(docx_files)} 份 .docx：{elapsed:6.2f} s，"
          f"每份 {per_report * 1000:7.1f} ms")
    if reportlab_median:
        print(f"  LibreOffice / reportlab 每份耗时之比：{per_report / reportlab_median:5.1f} 倍")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="合成工作簿数量")
    parser.add_argument("--jobs", type=int, default=2, help="批量处理的并行进程数")
    parser.add_argument("--no-pdf", action="store_true", help="不测 PDF")
    parser.add_argument("--lo-sample", type=int, default=20,
                        help="LibreOffice 对比所用的 .docx 份数（0 为不测）")
    parser.add_argument("--keep", type=Path, default=None, help="保留生成文件的文件夹")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    with_pdf = not args.no_pdf

    t0 = time.perf_counter()
    paths = make_workbooks(args.n, work / "workbooks")
    print(f"生成 {args.n} 个合成工作簿：{time.perf_counter() - t0:6.2f} s（{work}）")

    stage_dir = work / "stages"
    stage_dir.mkdir(exist_ok=True)
    stages = per_stage(paths, stage_dir, with_pdf)
    print("单份报告，各环节（同一进程内，已预热）：")
    for name, seconds in stages.items():
        print(f"  {name:<16} {milliseconds(seconds)}")
    whole = [sum(parts) for parts in zip(*stages.values())]
    print(f"  {'合计 total':<16} {milliseconds(whole)}")

    formats = ("docx", "pdf") if with_pdf else ("docx",)
    started = time.perf_counter()
    items = run_batch(BatchPlan(work / "workbooks", work / "batch", formats, jobs=args.jobs))
    elapsed = time.perf_counter() - started
    print(f"批量（{args.jobs} 个进程，{'+'.join(formats)}）：{len(items)} 份 {elapsed:6.2f} s，"
          f"每秒 {len(items) / elapsed:6.1f} 份")

    if args.lo_sample:
        docx_files = sorted(stage_dir.glob("0*.docx"))[: args.lo_sample]
        lo_out = work / "libreoffice"
        lo_out.mkdir(exist_ok=True)
        reportlab = statistics.median(stages["PDF (reportlab)"]) if with_pdf else None
        libreoffice_ratio(docx_files, lo_out, reportlab)


if __name__ == "__main__":
    main()
