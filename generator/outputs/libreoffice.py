"""PDF through LibreOffice (``--pdf-engine libreoffice``): convert the .docx itself.

The reportlab PDF re-implements the layout; this engine prints the very .docx the clerk gets,
so the PDF looks like Word's page (merges, exact line spacing, Chinese line breaking).  It
needs ``soffice`` on the machine.  Lessons measured in stack_notes §3:

* every run gets its own LibreOffice profile directory: two conversions sharing one profile
  silently lose the second PDF;
* the process is given a timeout and its whole process group is killed when it hangs;
* several documents are converted in one ``soffice`` call (≈0.1 s per extra document instead
  of ≈1 s per process) — :func:`convert_docx_to_pdf` takes a list;
* on Linux a private ``fonts.conf`` (:mod:`.fontconfig_aliases`) maps 仿宋_GB2312/黑体/
  楷体_GB2312/方正小标宋简体/宋体 to installed faces, else all of them fall back to one font;
  it also adds the bundled Noto SC fonts and sends glyph fallback to Chinese (SC) faces, not
  to the Japanese face that Noto CJK collections list first.

LibreOffice PDFs carry a creation date and a random /ID, so two runs never give identical
bytes; compare them by text, not bytes.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Sequence

from generator.checks.rules import PDF_FONT
from generator.errors import NianbaoError
from generator.findings import Finding, Severity
from generator.outputs import RenderOptions
from generator.outputs.fontconfig_aliases import (
    FONT_GROUPS,
    available_families,
    choose_aliases,
    write_fonts_conf,
)
from generator.report.model import Report
from generator.safeio import atomic_path

MISSING_MESSAGE = "未找到 LibreOffice（soffice），请安装后重试，或改用默认的 --pdf-engine reportlab"
DEFAULT_TIMEOUT = 120.0

#: Where installers put soffice when it is not on PATH.
_INSTALL_PATHS: tuple[str, ...] = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    "/opt/libreoffice/program/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/snap/bin/libreoffice",
)


class LibreOfficeError(NianbaoError):
    """LibreOffice is missing, hung, or did not produce a PDF."""


def find_soffice() -> Path | None:
    """The LibreOffice executable: ``soffice``/``libreoffice`` on PATH, else a usual install path."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    for candidate in _INSTALL_PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def require_soffice() -> Path:
    """Like :func:`find_soffice`, but a clear message for the clerk when it is missing."""
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError(MISSING_MESSAGE)
    return soffice


def _uses_fontconfig() -> bool:
    # LibreOffice on Windows and macOS asks the OS for fonts; FONTCONFIG_FILE means nothing there.
    return sys.platform not in ("win32", "darwin")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop soffice and the soffice.bin it started (they share our new process group)."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)],
                           capture_output=True, check=False)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    try:
        proc.kill()
    except OSError:
        pass
    try:
        proc.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError):
        pass


def _stderr_tail(data: bytes) -> str:
    text = data.decode("utf-8", "replace").strip()
    return text[-300:]


def convert_docx_to_pdf(docx_paths: Sequence[Path], out_dir: Path, *,
                        timeout: float = DEFAULT_TIMEOUT) -> list[Path]:
    """Convert every .docx in ``docx_paths`` to ``out_dir/<stem>.pdf`` in ONE soffice call.

    Returns the PDF paths in the order of ``docx_paths``.  Each PDF is moved into place
    atomically; inputs are not touched.  Raises :class:`LibreOfficeError` when soffice is
    missing, exceeds ``timeout`` seconds (the process group is killed), or leaves a document
    unconverted.
    """
    docs = [Path(p) for p in docx_paths]
    if not docs:
        return []
    for doc in docs:
        if not doc.is_file():
            raise LibreOfficeError("找不到要转换的 .docx 文件。", path=doc)
    stems = [d.stem for d in docs]
    duplicates = sorted({s for s in stems if stems.count(s) > 1})
    if duplicates:
        raise LibreOfficeError(
            f"有多个同名文档（{'、'.join(duplicates)}），转换后的 PDF 会互相覆盖，请改名后重试。")
    soffice = require_soffice()
    out_dir = Path(out_dir)

    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as work_name:
        work = Path(work_name)
        inbox, outbox, profile = work / "in", work / "out", work / "profile"
        for folder in (inbox, outbox, profile):
            folder.mkdir()
        # ASCII copies: soffice gets no surprises from Chinese, spaces or leading dashes in
        # names, and the output names are known in advance.
        staged = []
        for i, doc in enumerate(docs):
            copy = inbox / f"doc{i:04d}.docx"
            shutil.copyfile(doc, copy)
            staged.append(copy)

        env = dict(os.environ)
        if _uses_fontconfig():
            conf, _ = write_fonts_conf(work)
            env["FONTCONFIG_FILE"] = str(conf)
        command = [
            str(soffice),
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
            "--nolockcheck",
            "--convert-to", "pdf:writer_pdf_Export",
            "--outdir", str(outbox),
            *[str(p) for p in staged],
        ]
        popen_kwargs: dict[str, object] = {}
        if os.name == "posix":
            popen_kwargs["start_new_session"] = True  # own process group, killable as one
        else:  # pragma: no cover - Windows
            popen_kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
        try:
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=env, cwd=work,
                                    **popen_kwargs)  # type: ignore[call-overload]
        except OSError as exc:
            raise LibreOfficeError(
                f"无法启动 LibreOffice（{soffice}）：{exc.strerror or exc}。"
                "请检查安装，或改用默认的 --pdf-engine reportlab") from exc
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise LibreOfficeError(
                f"LibreOffice 转换 PDF 超过 {timeout:g} 秒仍未完成，已强制结束。"
                "请关闭正在运行的 LibreOffice 后重试，或改用默认的 --pdf-engine reportlab") from None
        except BaseException:
            _kill_group(proc)
            raise

        results: list[Path] = []
        failed = [doc.name for doc, copy in zip(docs, staged)
                  if not (outbox / f"{copy.stem}.pdf").is_file()]
        if failed:
            detail = _stderr_tail(stderr)
            raise LibreOfficeError(
                f"LibreOffice 未能把 {'、'.join(failed)} 转换为 PDF"
                f"（退出码 {proc.returncode}{'：' + detail if detail else ''}）。"
                "请确认文档能用 Word/WPS 打开，或改用默认的 --pdf-engine reportlab")
        for doc, copy in zip(docs, staged):
            target = out_dir / f"{doc.stem}.pdf"
            with atomic_path(target) as tmp:
                shutil.move(str(outbox / f"{copy.stem}.pdf"), tmp)
            results.append(target)
        return results


# ---------------------------------------------------------------------------
# Fonts the document asks for, and what LibreOffice will draw them with.

_RFONTS = re.compile(rb"<w:rFonts\b[^>]*>")
_FONT_ATTR = re.compile(rb'\bw:(?:eastAsia|ascii|hAnsi|cs)="([^"]+)"')
_FONT_PARTS = ("word/document.xml", "word/styles.xml", "word/footer1.xml", "word/footer2.xml",
               "word/header1.xml", "word/header2.xml", "word/numbering.xml")


def docx_font_names(docx: Path) -> tuple[str, ...]:
    """Font names a .docx uses in its text, styles, headers and footers, in first-use order."""
    names: dict[str, None] = {}
    with zipfile.ZipFile(docx) as archive:
        members = set(archive.namelist())
        parts = [p for p in _FONT_PARTS if p in members]
        parts += sorted(m for m in members if re.fullmatch(r"word/(header|footer)\d+\.xml", m)
                        and m not in parts)
        for part in parts:
            for element in _RFONTS.finditer(archive.read(part)):
                for match in _FONT_ATTR.finditer(element.group(0)):
                    names.setdefault(match.group(1).decode("utf-8", "replace"), None)
    return tuple(names)


def font_findings(font_names: Sequence[str], installed: frozenset[str] | None = None) -> list[Finding]:
    """One notice listing the official Chinese fonts LibreOffice will replace by a stand-in
    (the PDF then shows 预览字体), one warning listing those it has nothing for."""
    if not _uses_fontconfig():
        return []
    families = available_families() if installed is None else installed
    present = {f.casefold() for f in families}
    aliases = choose_aliases(families)
    # Latin fonts get metric-compatible stand-ins (Liberation); only Chinese roles are news.
    known = {name: group for group in FONT_GROUPS if group.role != "西文" for name in group.names}
    replaced: list[str] = []
    missing: list[str] = []
    for name in font_names:
        if name not in known or name.casefold() in present:
            continue
        if name in aliases:
            replaced.append(f"「{name}」→「{aliases[name]}」")
        else:
            missing.append(f"「{name}」")
    findings: list[Finding] = []
    if replaced:
        findings.append(PDF_FONT.finding(
            f"本机缺少正式字体，LibreOffice 生成的 PDF 使用预览字体代替：{'、'.join(replaced)}。",
            hint="如需正式字体，请安装这些字体后重新生成 PDF。"))
    if missing:
        findings.append(PDF_FONT.finding(
            f"本机没有 {'、'.join(missing)} 字体，也没有可代替的中文字体，"
            "PDF 中这部分文字可能显示为其他字体或方框。",
            hint="请安装正式字体（或 fonts-arphic-*、fonts-wqy-zenhei 等开源中文字体）后重新生成。",
            severity=Severity.WARNING))
    return findings


def render_pdf_via_libreoffice(report: Report, target: Path, options: RenderOptions, *,
                               timeout: float = DEFAULT_TIMEOUT,
                               docx: Path | None = None) -> list[Finding]:
    """Convert the report's .docx with LibreOffice and move the PDF to ``target`` atomically.

    ``docx`` is a .docx of this report already written (``build --pdf`` writes one anyway);
    without it the docx renderer makes one in a temporary folder.  Returns the docx renderer's
    findings (when it ran) plus the font notices."""
    from generator.outputs import (
        renderer,  # the .docx renderer, imported only when this engine is used
    )

    require_soffice()  # fail before any work when LibreOffice is not there
    target = Path(target)
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-docx-") as tmp_name:
        tmp = Path(tmp_name)
        if docx is None:
            docx = tmp / "report.docx"
            findings += renderer("docx")(report, docx, options)
        findings += font_findings(docx_font_names(docx))
        (pdf,) = convert_docx_to_pdf([docx], tmp / "pdf", timeout=timeout)
        with atomic_path(target) as out:
            shutil.move(str(pdf), out)
    return findings
