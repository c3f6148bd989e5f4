"""The LibreOffice PDF engine: finding soffice, converting in batches with a private profile and
font aliases, timeouts, and the clerk-facing messages."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import FontSituation

from generator.errors import EXIT_BAD_INPUT
from generator.findings import Severity
from generator.outputs import RenderOptions
from generator.outputs import fontconfig_aliases as fca
from generator.outputs import libreoffice as lo
from generator.report.model import report_from_json

EXAMPLE = Path(__file__).parent / "data" / "example_report.json"
HAVE_SOFFICE = lo.find_soffice() is not None
needs_soffice = pytest.mark.skipif(
    not HAVE_SOFFICE,
    reason="LibreOffice (soffice) is not installed; .ci/install-system-packages installs it")
posix_only = pytest.mark.skipif(os.name != "posix", reason="fake soffice is a shell script")


def small_docx(path: Path, lines: list[tuple[str, str]]) -> Path:
    """A .docx with one paragraph per (east-Asian font name, text)."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document()
    for font, text in lines:
        run = document.add_paragraph().add_run(text)
        run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    document.save(str(path))
    return path


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def compact(text: str) -> str:
    return "".join(text.split())


# ---------------------------------------------------------------------------
# soffice missing


@pytest.fixture
def no_soffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lo.shutil, "which", lambda name: None)
    monkeypatch.setattr(lo, "_INSTALL_PATHS", ())


def test_missing_soffice_gives_the_chinese_message(no_soffice, tmp_path: Path) -> None:
    assert lo.find_soffice() is None
    with pytest.raises(lo.LibreOfficeError) as info:
        lo.require_soffice()
    assert str(info.value) == ("未找到 LibreOffice（soffice），请安装后重试，"
                               "或改用默认的 --pdf-engine reportlab")
    assert info.value.exit_code == EXIT_BAD_INPUT
    doc = small_docx(tmp_path / "a.docx", [("黑体", "一、总体情况")])
    with pytest.raises(lo.LibreOfficeError, match="未找到 LibreOffice"):
        lo.convert_docx_to_pdf([doc], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_missing_soffice_fails_before_rendering(no_soffice, tmp_path: Path) -> None:
    report = report_from_json(EXAMPLE.read_text(encoding="utf-8"))
    with pytest.raises(lo.LibreOfficeError, match="--pdf-engine reportlab"):
        lo.render_pdf_via_libreoffice(report, tmp_path / "r.pdf", RenderOptions(pdf_engine="libreoffice"))
    assert list(tmp_path.iterdir()) == []


def test_install_paths_are_found_when_not_on_path(monkeypatch, tmp_path: Path) -> None:
    exe = tmp_path / "soffice"
    exe.write_text("")
    monkeypatch.setattr(lo.shutil, "which", lambda name: None)
    monkeypatch.setattr(lo, "_INSTALL_PATHS", (str(tmp_path / "nope"), str(exe)))
    assert lo.find_soffice() == exe


# ---------------------------------------------------------------------------
# fonts.conf


def test_aliases_prefer_official_fonts_then_open_stand_ins() -> None:
    installed = {"FangSong", "AR PL UMing CN", "WenQuanYi Zen Hei", "AR PL KaitiM GB",
                 "AR PL SungtiL GB", "SimSun"}
    aliases = fca.choose_aliases(installed)
    assert aliases["仿宋_GB2312"] == "FangSong"  # the real 仿宋 beats UMing
    assert "FangSong" not in aliases  # installed: no alias
    assert aliases["黑体"] == aliases["SimHei"] == "WenQuanYi Zen Hei"
    assert aliases["楷体_GB2312"] == aliases["KaiTi"] == "AR PL KaitiM GB"
    assert aliases["方正小标宋简体"] == "AR PL SungtiL GB"
    assert aliases["宋体"] == "SimSun" and "SimSun" not in aliases
    assert set(aliases.values()) <= installed


def test_aliases_on_a_machine_with_open_fonts_only() -> None:
    aliases = fca.choose_aliases({"AR PL UMing CN", "WenQuanYi Zen Hei", "AR PL UKai CN"})
    assert aliases["仿宋_GB2312"] == "AR PL UMing CN"
    assert aliases["楷体_GB2312"] == "AR PL UKai CN"
    assert aliases["方正小标宋简体"] == "AR PL UMing CN"
    assert fca.choose_aliases({"DejaVu Sans"}) == {}
    assert "黑体" in fca.missing_names({"DejaVu Sans"})


def test_installed_official_name_gets_no_alias() -> None:
    aliases = fca.choose_aliases({"仿宋_GB2312", "黑体", "AR PL UMing CN"})
    assert "仿宋_GB2312" not in aliases and "黑体" not in aliases
    assert aliases["仿宋"] == "仿宋_GB2312"


def test_fonts_conf_is_valid_xml_with_include_and_aliases(tmp_path: Path) -> None:
    path, aliases = fca.write_fonts_conf(tmp_path, {"AR PL UMing CN", "A&B <Hei>"})
    root = ET.fromstring(path.read_text(encoding="utf-8").split("\n", 2)[2])
    assert root.tag == "fontconfig"
    system = fca.system_config()
    includes = [e.text for e in root.iter("include")]
    assert includes == ([str(system)] if system else [])
    declared = {a.find("family").text: a.find("prefer/family").text for a in root.iter("alias")}
    assert declared == aliases and declared["仿宋_GB2312"] == "AR PL UMing CN"
    assert all(a.get("binding") == "same" for a in root.iter("alias"))
    # the bundled faces: their folder is a font folder, and they stand in last
    bundled = fca.bundled_font_dir()
    assert bundled is not None  # pylopdf-fonts-zh-cn is a dependency
    assert [e.text for e in root.iter("dir")] == [str(bundled)]
    assert aliases["黑体"] == "Noto Sans SC" and aliases["楷体_GB2312"] == "Noto Serif SC"
    # glyph fallback: the Chinese faces this machine has, appended to every request
    (edit,) = root.iter("edit")
    assert (edit.get("name"), edit.get("mode")) == ("family", "append_last")
    assert [e.text for e in edit.iter("string")] == list(fca.BUNDLED_FAMILIES)


@pytest.mark.skipif(shutil.which("fc-match") is None or shutil.which("fc-list") is None,
                    reason="fontconfig tools (fc-list, fc-match) are not installed; "
                           ".ci/install-system-packages installs them")
def test_fonts_conf_maps_names_to_installed_faces(font_situation: FontSituation,
                                                 tmp_path: Path) -> None:
    """In each font situation, every alias really resolves to the face it names."""
    installed = fca.available_families()
    path, aliases = fca.write_fonts_conf(tmp_path)
    assert aliases  # the bundled faces stand in when nothing else does
    env = {**os.environ, "FONTCONFIG_FILE": str(path)}
    for name, face in aliases.items():
        assert face in installed
        pattern = re.sub(r"([-:,\\])", r"\\\1", name)  # fc-match syntax: '-' starts a size
        out = subprocess.run(["fc-match", "--format", "%{family}", pattern], env=env,
                             capture_output=True, check=True).stdout.decode()
        assert face in out.split(","), f"{name} -> {out!r}, wanted {face}"


def test_font_findings_name_the_substitutes() -> None:
    if not lo._uses_fontconfig():
        pytest.skip("LibreOffice uses the system fonts on this platform")
    found = lo.font_findings(["仿宋_GB2312", "黑体", "Courier", "方正小标宋简体", "Times New Roman"],
                             frozenset({"AR PL UMing CN", "黑体", "Liberation Serif"}))
    assert [f.severity for f in found] == [Severity.NOTICE]
    assert "「仿宋_GB2312」→「AR PL UMing CN」、「方正小标宋简体」→「AR PL UMing CN」" in found[0].message
    assert "黑体" not in found[0].message  # installed: nothing to say
    assert "Times New Roman" not in found[0].message
    warned = lo.font_findings(["仿宋_GB2312", "黑体"], frozenset({"DejaVu Sans"}))
    assert [f.severity for f in warned] == [Severity.WARNING]
    assert "「仿宋_GB2312」、「黑体」" in warned[0].message
    assert lo.font_findings(["黑体"], frozenset({"黑体"})) == []


def test_docx_font_names_reads_rfonts_only(tmp_path: Path) -> None:
    doc = small_docx(tmp_path / "f.docx", [("楷体_GB2312", "（一）"), ("仿宋_GB2312", "正文")])
    names = lo.docx_font_names(doc)
    assert names[:2] == ("楷体_GB2312", "仿宋_GB2312")
    assert "en-US" not in names and "zh-CN" not in names  # w:lang is not a font


# ---------------------------------------------------------------------------
# A fake soffice: records its arguments, and misbehaves on request.


def fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "bin" / "soffice"
    script.parent.mkdir(exist_ok=True)
    script.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    script.chmod(0o755)
    return script


@posix_only
def test_timeout_kills_the_whole_process_group(monkeypatch, tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    script = fake_soffice(tmp_path, f"""
        sleep 300 &
        echo $! > {pid_file}
        wait
    """)
    monkeypatch.setattr(lo, "find_soffice", lambda: script)
    doc = small_docx(tmp_path / "a.docx", [("黑体", "一")])
    with pytest.raises(lo.LibreOfficeError, match="超过 1 秒仍未完成，已强制结束"):
        lo.convert_docx_to_pdf([doc], tmp_path / "out", timeout=1)
    child = int(pid_file.read_text())
    # the grandchild is gone (or a zombie about to be reaped by init), not left running
    try:
        state = Path(f"/proc/{child}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        state = "gone"
    assert state in ("gone", "Z")
    assert not (tmp_path / "out" / "a.pdf").exists()


@posix_only
def test_unconverted_document_is_named(monkeypatch, tmp_path: Path) -> None:
    script = fake_soffice(tmp_path, """
        echo "Error: source file could not be loaded" >&2
        exit 0
    """)
    monkeypatch.setattr(lo, "find_soffice", lambda: script)
    doc = small_docx(tmp_path / "坏文档.docx", [("黑体", "一")])
    with pytest.raises(lo.LibreOfficeError) as info:
        lo.convert_docx_to_pdf([doc], tmp_path / "out")
    assert "坏文档.docx" in str(info.value) and "source file could not be loaded" in str(info.value)


@posix_only
def test_each_run_has_its_own_profile_and_font_config(monkeypatch, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    script = fake_soffice(tmp_path, f"""
        echo "ARGS $*" >> {log}
        echo "FC $FONTCONFIG_FILE" >> {log}
        outdir=""; prev=""
        for a in "$@"; do
          if [ "$prev" = "--outdir" ]; then outdir="$a"; fi
          prev="$a"
        done
        for a in "$@"; do
          case "$a" in *.docx) b=$(basename "$a" .docx); cp "$a" "$outdir/$b.pdf";; esac
        done
    """)
    monkeypatch.setattr(lo, "find_soffice", lambda: script)
    a = small_docx(tmp_path / "甲 报告.docx", [("黑体", "甲")])
    b = small_docx(tmp_path / "-乙.docx", [("黑体", "乙")])
    out = tmp_path / "out"
    assert lo.convert_docx_to_pdf([a, b], out) == [out / "甲 报告.pdf", out / "-乙.pdf"]
    assert (out / "甲 报告.pdf").read_bytes() == a.read_bytes()  # the fake "PDF" is the copy
    assert (out / "-乙.pdf").read_bytes() == b.read_bytes()
    lo.convert_docx_to_pdf([a], out)
    calls = [line.split() for line in log.read_text().splitlines() if line.startswith("ARGS")]
    assert len(calls) == 2
    assert sum(arg.endswith(".docx") for arg in calls[0]) == 2  # both documents in ONE call
    profiles = [next(arg for arg in call if arg.startswith("-env:UserInstallation=file:///"))
                for call in calls]
    assert profiles[0] != profiles[1]
    assert all("--headless" in call and "--convert-to" in call for call in calls)
    if lo._uses_fontconfig():
        fc = [line.split(" ", 1)[1] for line in log.read_text().splitlines() if line.startswith("FC")]
        assert all(path.endswith("fonts.conf") for path in fc)
    assert sorted(p.name for p in out.iterdir()) == ["-乙.pdf", "甲 报告.pdf"]  # no temp files


def test_same_stem_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    a = small_docx(tmp_path / "r.docx", [("黑体", "一")])
    b = small_docx(tmp_path / "x" / "r.docx", [("黑体", "二")])
    with pytest.raises(lo.LibreOfficeError, match="同名"):
        lo.convert_docx_to_pdf([a, b], tmp_path / "out")


def test_no_documents_no_call(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(lo, "find_soffice", lambda: pytest.fail("soffice must not be looked up"))
    assert lo.convert_docx_to_pdf([], tmp_path) == []


# ---------------------------------------------------------------------------
# The real thing


#: Characters whose Japanese and Chinese forms differ (直 骨 写 角): a face drawn from the
#: wrong region of a Noto CJK collection is a different PDF font.
FACE_SAMPLE = "直骨写角说"


def line_fonts(path: Path) -> list[frozenset[str]]:
    """For each text line of the PDF, top to bottom: the fonts (subset-tagged PDF names, one
    per embedded subset) that draw its characters."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [frozenset(ch["fontname"] for ch in line["chars"] if not ch["text"].isspace())
                for page in pdf.pages for line in page.extract_text_lines()]


@needs_soffice
def test_real_batch_conversion_keeps_text_and_uses_aliases(font_situation: FontSituation,
                                                          tmp_path: Path) -> None:
    a = small_docx(tmp_path / "宝力根花 2025.docx", [
        ("黑体", "一、总体情况"), ("仿宋_GB2312", "全年主动公开政府信息279条 & <C> {{ x }}"),
        ("楷体_GB2312", "（一）主动公开情况"), ("方正小标宋简体", "年度报告")])
    b = small_docx(tmp_path / "second.docx", [("仿宋_GB2312", "第二份文档 2026年1月20日")])
    docs = [a, b]
    pairs: list[tuple[str, str]] = []
    if lo._uses_fontconfig():
        # Each official name beside the face it should be drawn with, in one document: the
        # two lines must be drawn by the same embedded font.  With a Noto/Source Han CJK
        # collection installed, a name nothing aliases falls back to its Chinese face, not to
        # the Japanese face the collection lists first.
        available = fca.available_families()
        aliases = fca.choose_aliases(available)
        names = ("黑体", "仿宋_GB2312", "楷体_GB2312", "方正小标宋简体")
        assert set(names) <= set(aliases), aliases  # the bundled faces at least stand in
        if font_situation.bundled:
            assert {aliases[n] for n in names} <= set(fca.BUNDLED_FAMILIES), aliases
        pairs = [(n, aliases[n]) for n in names]
        collections = [f for f in fca.CHINESE_FALLBACK
                       if f in available and f not in fca.BUNDLED_FAMILIES]
        if collections:
            pairs.append(("某区自定义字体", collections[0]))
        docs.append(small_docx(tmp_path / "faces.docx",
                               [(font, FACE_SAMPLE) for pair in pairs for font in pair]))
    pdf_a, pdf_b, *pdf_faces = lo.convert_docx_to_pdf(docs, tmp_path / "pdf")
    text = compact(pdf_text(pdf_a))
    for expected in ("一、总体情况", "全年主动公开政府信息279条&<C>{{x}}", "（一）主动公开情况", "年度报告"):
        assert compact(expected) in text
    assert compact("第二份文档 2026年1月20日") in compact(pdf_text(pdf_b))
    if pairs:
        lines = line_fonts(pdf_faces[0])
        assert len(lines) == 2 * len(pairs)
        for i, (name, face) in enumerate(pairs):
            assert lines[2 * i] == lines[2 * i + 1], (name, face, lines[2 * i], lines[2 * i + 1])


@needs_soffice
def test_example_report_through_the_docx_renderer(font_situation: FontSituation,
                                                  tmp_path: Path) -> None:
    report = report_from_json(EXAMPLE.read_text(encoding="utf-8"))
    target = tmp_path / "report.pdf"
    findings = lo.render_pdf_via_libreoffice(report, target, RenderOptions(pdf_engine="libreoffice"))
    assert target.read_bytes().startswith(b"%PDF")
    text = compact(pdf_text(target))
    from generator.outputs.document import Heading, TableBlock, blocks

    for block in blocks(report):
        if isinstance(block, Heading):
            assert compact(block.text) in text, block.text
        elif isinstance(block, TableBlock):
            for field_id, number in block.texts.items():
                if number != "0":
                    assert number in text, field_id
    assert compact(report.title) in text
    assert all(f.rule == "PDF-FONT" or f.severity is not Severity.ERROR for f in findings)
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


@needs_soffice
def test_build_converts_the_docx_it_wrote_instead_of_rendering_it_again(
        tmp_path: Path, example_workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner
    from pypdf import PdfReader

    from generator.cli import main
    from generator.outputs import docx as docx_renderer

    calls: list[Path] = []
    original = docx_renderer.render

    def counting(report, target, options):  # noqa: ANN001
        calls.append(Path(target))
        return original(report, target, options)

    monkeypatch.setattr(docx_renderer, "render", counting)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(example_workbook), "-o", str(out), "--pdf",
                                       "--pdf-engine", "libreoffice"])
    assert result.exit_code == 0, result.output
    assert [p.parent for p in calls] == [out]  # rendered once, into the output folder
    pdf = next(out.glob("*.pdf"))
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "三、收到和处理政府信息公开申请情况" in text.replace(" ", "")
