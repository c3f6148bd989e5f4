"""Checking an upload and making its files, in a worker process (no Django here).

Returns plain data: the findings as the local page shows them, the main figures, the report
as JSON (for next year's workbook and the county aggregate) and the paths written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: the main figures the dashboard shows: field id -> column heading
FIGURES: dict[str, str] = {
    "t3.new.total": "本年新收申请",
    "t3.outcome_total.total": "本年办结",
    "t3.carried_forward.total": "结转下年",
    "t4.cases.review_total": "行政复议",
    "t4.cases.direct_suit_total": "行政诉讼（未经复议）",
    "t4.cases.suit_after_review_total": "行政诉讼（复议后）",
}


@dataclass
class Generated:
    refused: str = ""  # the command line's message when the file cannot be used
    title: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    notices: int = 0
    figures: dict[str, str] = field(default_factory=dict)
    report_json: str = ""
    #: format (docx | pdf | html | draft) -> file written under out_dir
    files: dict[str, str] = field(default_factory=dict)


def generate(source: str, agency: str, year: int, out_dir: str) -> dict[str, Any]:
    from generator import app
    from generator.errors import NianbaoError
    from generator.findings import Severity
    from generator.report.model import report_to_json
    from generator.report.sentences import format_number
    from generator.web.work import finding_view

    try:
        result = app.check(source)
    except NianbaoError as error:
        return asdict(Generated(refused=str(error)))
    meta = result.report.meta
    if meta.agency.strip() != agency:
        return asdict(Generated(refused=(
            f"工作簿“基本信息”中的机关名称是“{meta.agency}”，而您的账号属于“{agency}”。"
            "请上传本机关的工作簿，或在“基本信息”中改正机关名称后重新上传。")))
    if meta.year != year:
        return asdict(Generated(refused=(
            f"工作簿“基本信息”中的报告年度是 {meta.year}，本门户现在收的是 {year} 年度的报告。"
            "请上传本年度的工作簿，或改正报告年度后重新上传。")))
    findings = result.findings
    count = {s: sum(f.severity is s for f in findings) for s in Severity}
    numbers = result.report.numbers
    done = Generated(title=result.report.title,
                     findings=[asdict(finding_view(f)) for f in findings],
                     errors=count[Severity.ERROR], warnings=count[Severity.WARNING],
                     notices=count[Severity.NOTICE],
                     figures={k: format_number(numbers[k]) for k in FIGURES},
                     report_json=report_to_json(result.report))
    out = Path(out_dir)
    try:
        if result.has_errors:
            built = app.build(source, app.BuildOptions(out_dir=out / "draft", formats=("docx",),
                                                       draft=True), checked=result)
            done.files["draft"] = str(built.written[0])
        else:
            built = app.build(source, app.BuildOptions(out_dir=out, formats=app.ALL_FORMATS),
                              checked=result)
            for path in built.written:
                done.files[path.suffix.lstrip(".")] = str(path)
            done.findings += [asdict(finding_view(f)) for f in built.render_findings
                              if f not in findings]
            # Rendering can warn too (a text it had to shorten): count what is shown.
            done.warnings = sum(f["level"] == "warning" for f in done.findings)
            done.notices = sum(f["level"] == "notice" for f in done.findings)
    except NianbaoError as error:
        return asdict(Generated(refused=str(error)))
    return asdict(done)


def warm_up(parent: int | None = None) -> None:
    """The worker's initializer: watch the server (``parent``, its pid), import the renderers.

    The server passes its pid: a worker still starting when the server is killed would
    otherwise take its new parent (init) for the server and never leave."""
    import os
    import threading

    parent = os.getppid() if parent is None else parent
    if os.getppid() != parent:
        os._exit(0)

    def watch() -> None:
        # A server killed with -9 cannot stop its workers: they notice and leave by themselves.
        import time

        while os.getppid() == parent:
            time.sleep(2)
        os._exit(0)

    threading.Thread(target=watch, name="portal-parent-watch", daemon=True).start()
    if hasattr(os, "nice"):
        # Generation yields the CPU to the server process: logins, uploads and pages answer
        # first, reports are made with what is left (they are waited for anyway).
        os.nice(10)
    from generator.web.work import warm_up as web_warm_up

    web_warm_up()
