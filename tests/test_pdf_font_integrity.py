"""Every character a PDF prints is in the embedded font that draws it, on a machine without
Chinese fonts (the bundled Noto fonts, converted once into TrueType pieces), in one process and
in a batch worker; and a character no font has is a finding that says where it is."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pdfplumber
import pytest
from pdf_glyphs import drawn_characters, unprinted

from generator.form import DRAFT_MARK
from generator.outputs import RenderOptions
from generator.outputs.fonts import (
    FontSearch,
    PieceCache,
    default_cache_dir,
    source_font,
)
from generator.outputs.fonts.convert import partition
from generator.outputs.pdf import render_bytes
from generator.outputs.workbook import write_workbook
from generator.report.model import Narrative, Report, TextPart

#: Agency names and paragraphs that share few characters, so each PDF needs glyphs the
#: ones before it did not use; 堃 玥 赟 喆 lie outside GB 2312 (a later piece of the font).
AGENCIES = ["春眠镇人民政府", "觉晓乡人民政府", "啼鸟街道办事处", "夜来风雨声镇人民政府",
            "花落知多少乡人民政府", "鹅鹅鹅曲项向天歌街道办事处"]
PARAGRAPHS = [
    ["政府？！"],
    ["处处闻啼鸟，夜来风雨声。", "堃玥赟喆四位同志负责网站维护。"],
    ["床前明月光，疑是地上霜；举头望明月、低头思故乡。"],
    ["白日依山尽，黄河入海流（欲穷千里目，更上一层楼）。"],
    ["千山鸟飞绝，万径人踪灭：孤舟蓑笠翁，独钓寒江雪。"],
    ["红掌拨清波——白毛浮绿水……《咏鹅》“骆宾王”"],
]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def variant(report: Report, number: int) -> Report:
    return report.replace(
        meta=replace(report.meta, agency=AGENCIES[number]),
        narrative=Narrative({**report.narrative.parts,
                             "overview": TextPart(tuple(PARAGRAPHS[number]))}))


def assert_every_character_printed(data: bytes, report: Report, *, draft: bool = False) -> None:
    assert unprinted(data) == []
    drawn = {d.char for d in drawn_characters(data)}
    expected = set(report.meta.agency + "".join(PARAGRAPHS[AGENCIES.index(report.meta.agency)]))
    if draft:
        expected |= set(DRAFT_MARK)
    assert expected - drawn == set()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        text = squeeze("".join(page.extract_text() or "" for page in pdf.pages))
    assert squeeze(report.meta.agency) in text
    for paragraph in PARAGRAPHS[AGENCIES.index(report.meta.agency)]:
        assert squeeze(paragraph) in text
    if draft:
        assert DRAFT_MARK in text


@pytest.fixture()
def bundled(example_report: Report) -> FontSearch:
    """A machine without Chinese fonts; the session's font cache (conversion is not the point),
    holding the pieces the example needs."""
    search = FontSearch((), fontconfig=False, config_path=None, cache_dir=default_cache_dir())
    render_bytes(example_report, RenderOptions(), search=search)
    return search


@pytest.fixture()
def fresh_cache(tmp_path: Path, bundled: FontSearch) -> FontSearch:
    """A machine without Chinese fonts whose cache starts as a copy of the session's."""
    folder = tmp_path / "cache"
    folder.mkdir()
    for piece in default_cache_dir().glob("*.ttf"):
        shutil.copy2(piece, folder / piece.name)
    return FontSearch((), fontconfig=False, config_path=None, cache_dir=folder)


def test_six_reports_in_one_process_print_every_character(example_report: Report,
                                                         bundled: FontSearch) -> None:
    for number in range(len(AGENCIES)):
        report = variant(example_report, number)
        draft = number % 2 == 1
        data, findings = render_bytes(report, RenderOptions(draft=draft), search=bundled)
        assert [f.message for f in findings if f.rule == "F-2"] == []
        assert_every_character_printed(data, report, draft=draft)


def test_six_reports_in_one_batch_worker_print_every_character(
        example_report: Report, tmp_path: Path, converted_fonts: Path) -> None:
    source = tmp_path / "收来的工作簿"
    source.mkdir()
    for number in range(len(AGENCIES)):
        write_workbook(source / f"{number}.xlsx", variant(example_report, number))
    env = {**os.environ, "NIANBAO_FONT_DIRS": "", "NIANBAO_CACHE_DIR": str(tmp_path / "cache")}
    shutil.copytree(converted_fonts, tmp_path / "cache" / "fonts", dirs_exist_ok=True)
    result = subprocess.run([sys.executable, "-m", "generator", "batch", str(source), "-o",
                             str(tmp_path / "out"), "--pdf", "--jobs", "1"],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    for number, agency in enumerate(AGENCIES):
        pdfs = list((tmp_path / "out").glob(f"{agency}*.pdf"))
        assert len(pdfs) == 1, sorted(p.name for p in (tmp_path / "out").iterdir())
        assert_every_character_printed(pdfs[0].read_bytes(), variant(example_report, number))


def test_a_character_no_font_has_is_reported_where_it_is(example_report: Report,
                                                        bundled: FontSearch) -> None:
    report = example_report.replace(narrative=Narrative({
        **example_report.narrative.parts, "overview": TextPart(("第一段。", "笑脸\U0001F600在此。"))}))
    data, findings = render_bytes(report, RenderOptions(), search=bundled)
    missing = [f for f in findings if f.rule == "F-2"]
    assert len(missing) == 1 and missing[0].found == "\U0001F600"
    assert "第2段" in missing[0].message and "方框" in missing[0].message
    assert [d.char for d in unprinted(data)] == ["\x00"]  # the one emoji, drawn as .notdef


def test_the_check_after_rendering_reports_what_the_check_before_missed(
        example_report: Report, bundled: FontSearch, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("generator.outputs.pdf.missing_glyph_findings",
                        lambda placed, loaded, faces, chars=None: [])
    report = example_report.replace(narrative=Narrative({
        **example_report.narrative.parts, "overview": TextPart(("笑脸\U0001F600在此。",))}))
    _, findings = render_bytes(report, RenderOptions(), search=bundled)
    missing = [f for f in findings if f.rule == "F-2"]
    assert [f.found for f in missing] == ["\U0001F600"]
    assert "第1段" in missing[0].message


def test_pieces_depend_on_the_font_only_and_cover_it_once() -> None:
    from generator.outputs.fonts import bundled_font_path

    path = bundled_font_path("serif")
    assert path is not None
    source = source_font(path)
    everything = [cp for piece in source.pieces for cp in piece]
    assert len(everything) == len(set(everything))
    assert source.pieces == partition(reversed(everything))
    first = set(source.pieces[0])
    assert {ord(ch) for ch in "政府信息公开，。、；：？！（）《》“”0123456789ABCabc"} <= first
    assert ord("堃") not in first and ord("堃") in set(everything)


def test_cache_keeps_one_file_per_piece_and_removes_stale_ones(example_report: Report,
                                                               fresh_cache: FontSearch) -> None:
    bundled = fresh_cache
    folder = bundled.cache_dir
    stale = [folder / "NotoSerifSC-Regular-0123456789abcdef-fedcba9876543210.ttf",
             folder / "NotoSerifSC-Regular-0-0123456789abcdef-v0.0.1.1-p00.ttf"]
    for path in stale:
        path.write_bytes(b"old")
    unrelated = folder / "notes.txt"
    unrelated.write_text("keep")
    render_bytes(example_report, RenderOptions(), search=bundled)
    assert not any(path.exists() for path in stale)
    assert unrelated.exists()
    names = sorted(p.name for p in folder.glob("*.ttf"))
    assert names and all(re.fullmatch(r"Noto(Serif|Sans)SC-Regular-0-[0-9a-f]{16}-v.+-p\d\d-[0-9a-f]{8}\.ttf",
                                      n) for n in names), names
    before = {p: p.stat().st_mtime_ns for p in folder.glob("*.ttf")}
    render_bytes(variant(example_report, 2), RenderOptions(), search=bundled)
    assert all(p.stat().st_mtime_ns == t for p, t in before.items())  # reused, not rewritten


def test_a_cache_folder_that_cannot_be_written_still_builds_the_same_pdf(
        example_report: Report, bundled: FontSearch, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    unwritable = replace(bundled, cache_dir=blocked / "cache")
    from_memory, findings = render_bytes(example_report, RenderOptions(), search=unwritable)
    assert not [f for f in findings if f.rule == "F-2"]
    from_disk, _ = render_bytes(example_report, RenderOptions(), search=bundled)
    assert from_memory == from_disk
    assert PieceCache(blocked / "cache").folder is not None and not (blocked / "cache").exists()


def test_every_shared_face_name_prints_its_own_file(tmp_path: Path) -> None:
    """Two files that call themselves by the same PostScript name: reportlab would hand the
    first one's glyphs to the second."""
    from test_fonts import build_tiny_font

    from generator.outputs.fonts import FontFile, open_truetype

    first = open_truetype(FontFile.on_disk(build_tiny_font(tmp_path / "a.ttf", "甲乙", "Same")))
    second = open_truetype(FontFile.on_disk(build_tiny_font(tmp_path / "b.ttf", "丙丁", "Same")))
    assert first.name != second.name
    from reportlab.pdfbase import pdfmetrics

    assert pdfmetrics.getFont(second.name).face.charToGlyph.keys() >= {ord("丙"), ord("丁")}
    assert pdfmetrics.getFont(first.name).face.name != pdfmetrics.getFont(second.name).face.name


def test_a_pending_conversion_is_known_before_the_wait(
        bundled: FontSearch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.outputs.fonts import choose_fonts, conversion_pending
    from generator.outputs.glyphs import fixed_text

    monkeypatch.setattr("generator.outputs.fonts.convert._in_memory", {})  # as in a new process
    choices = choose_fonts(search=bundled)
    # Asked as `nianbao build` asks: the 黑体 face prints the form's headings only.
    assert not conversion_pending(choices, bundled, fixed_text=fixed_text())  # the fixture converted them
    empty = replace(bundled, cache_dir=tmp_path / "empty")
    assert conversion_pending(choose_fonts(search=empty), empty, fixed_text=fixed_text())


def test_build_says_before_the_one_time_conversion_that_it_is_coming(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from generator.cli import main

    def refuse(*args: object, **kwargs: object) -> list[bytes]:
        raise SystemExit(9)  # stop at the conversion: converting is tested above

    monkeypatch.setattr("generator.outputs.fonts.convert._convert_many", refuse)
    monkeypatch.setattr("generator.outputs.fonts.convert._in_memory", {})  # as in a new process
    workbook = Path(__file__).resolve().parent.parent / "inputs" / "example-2025.xlsx"
    env = {"NIANBAO_FONT_DIRS": "", "NIANBAO_CACHE_DIR": str(tmp_path / "cold")}
    result = CliRunner().invoke(main, ["build", str(workbook), "--pdf", "-o", str(tmp_path)],
                                env=env)
    assert "首次使用内置字体，正在转换" in result.output
    assert result.exit_code == 9


def test_the_first_batch_writes_its_docx_files_while_the_fonts_are_converted(
        example_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On an empty font cache the conversion runs beside the workers: every row's PDF is left
    for later and written once the pieces exist, and the PDFs are byte for byte those of a
    batch that found the pieces already converted."""
    from generator import batch
    from generator.outputs.fonts import convert

    source = tmp_path / "收来的工作簿"
    source.mkdir()
    for number in range(len(AGENCIES)):
        write_workbook(source / f"{number}.xlsx", variant(example_report, number))
    monkeypatch.setenv("NIANBAO_FONT_DIRS", "")
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cold"))
    monkeypatch.setattr(convert, "_in_memory", {})  # pieces earlier tests kept in this process
    finished = tmp_path / "finished"
    finished.mkdir()
    finish = batch.finish_isolated

    def recording_finish(item: batch.BatchItem, out_dir: Path,
                         options: RenderOptions) -> batch.BatchItem:
        (finished / item.source.stem).touch()  # the worker is a forked copy of this process
        return finish(item, out_dir, options)

    monkeypatch.setattr(batch, "finish_isolated", recording_finish)
    assert batch.prepare_apart(("docx", "pdf"), RenderOptions()) == ("pdf",)
    cold = batch.run_batch(batch.BatchPlan(source, tmp_path / "cold-out", ("docx", "pdf"), jobs=2))
    left_for_later = sorted(p.name for p in finished.iterdir())
    assert batch.prepare_apart(("docx", "pdf"), RenderOptions()) == ()  # the pieces exist now
    warm = batch.run_batch(batch.BatchPlan(source, tmp_path / "warm-out", ("docx", "pdf"), jobs=2))

    assert [item.errors for item in cold] == [0] * len(AGENCIES)
    assert [(i.status, i.warnings) for i in cold] == [(i.status, i.warnings) for i in warm]
    assert left_for_later == sorted(str(n) for n in range(len(AGENCIES)))
    assert sorted(p.name for p in finished.iterdir()) == left_for_later  # none the second time
    for number, agency in enumerate(AGENCIES):
        cold_pdf, = (tmp_path / "cold-out").glob(f"{agency}*.pdf")
        warm_pdf, = (tmp_path / "warm-out").glob(f"{agency}*.pdf")
        assert cold_pdf.read_bytes() == warm_pdf.read_bytes()
        assert_every_character_printed(cold_pdf.read_bytes(), variant(example_report, number))
        assert len(list((tmp_path / "cold-out").glob(f"{agency}*.docx"))) == 1
    assert not [p for p in (tmp_path / "cold-out").iterdir() if p.name.startswith(".")]


def test_batch_says_before_the_one_time_conversion_that_it_is_coming(
        example_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from generator.cli import main
    from generator.outputs.fonts import convert

    monkeypatch.setattr(convert, "_in_memory", {})  # as in a new process
    source = tmp_path / "收来的工作簿"
    source.mkdir()
    write_workbook(source / "0.xlsx", variant(example_report, 0))
    env = {"NIANBAO_FONT_DIRS": "", "NIANBAO_CACHE_DIR": str(tmp_path / "cold")}
    arguments = ["batch", str(source), "-o", str(tmp_path / "out"), "--pdf", "--jobs", "1"]
    first = CliRunner().invoke(main, arguments, env=env)
    again = CliRunner().invoke(main, arguments, env=env)
    assert first.exit_code == again.exit_code == 0, first.output
    assert "首次使用内置字体，正在转换" in first.output
    assert "正在转换" not in again.output
    pdf, = (tmp_path / "out").glob(f"{AGENCIES[0]}*.pdf")
    assert_every_character_printed(pdf.read_bytes(), variant(example_report, 0))


def test_a_rare_character_converts_only_its_own_small_piece(
        example_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Preparing a batch converts the everyday pieces only; a report with GB 2312 level-2
    characters (place names: 扎赉特旗, 付垅) then converts the small pieces holding them, not
    all 3,008 characters of level 2."""
    from generator.outputs.fonts import choose_fonts, convert, prepare_fonts
    from generator.outputs.fonts.convert import LEVEL2_PIECE_SIZE, _tiers
    from generator.outputs.glyphs import fixed_text

    monkeypatch.setattr(convert, "_in_memory", {})  # pieces earlier tests kept in this process
    search = FontSearch((), fontconfig=False, config_path=None, cache_dir=tmp_path / "cache")
    choices = choose_fonts(search=search)
    prepare_fonts(choices, search, jobs=1, fixed_text=fixed_text())
    prepared = set((tmp_path / "cache").glob("*.ttf"))
    report = example_report.replace(
        meta=replace(example_report.meta, agency="扎赉特旗付垅镇人民政府"),
        narrative=Narrative({**example_report.narrative.parts,
                             "overview": TextPart(("付垅镇全年公开信息。",))}))
    data, _ = render_bytes(report, RenderOptions(), search=search)
    added = {p.name for p in set((tmp_path / "cache").glob("*.ttf")) - prepared}

    _, level2 = _tiers()
    text = report.meta.agency + "".join("".join(p.paragraphs)
                                        for p in report.narrative.parts.values())
    rare = {ch for ch in text if ord(ch) in level2}
    serif = source_font(choices["fangsong"].path)
    piece_of = {cp: n for n, piece in enumerate(serif.pieces) for cp in piece}
    holding = {piece_of[ord(ch)] for ch in rare}
    level2_pieces = {piece_of[cp] for cp in level2 if cp in piece_of}
    assert {"垅", "赉"} <= rare and 1 < len(holding) < len(level2_pieces) == 8
    assert added == {serif.piece_file_name(n) for n in holding}
    assert all(len(serif.pieces[n]) <= LEVEL2_PIECE_SIZE for n in holding)
    assert unprinted(data) == []
    assert rare <= {d.char for d in drawn_characters(data)}
