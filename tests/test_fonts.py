"""The font resolver, embedding and the missing-glyph report, with a tiny font made here."""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont as FTFont
from pypdf import PdfReader

from generator.cli import main
from generator.outputs import RenderOptions
from generator.outputs.fonts import (
    SAMPLE_TEXT,
    FontError,
    FontSearch,
    PieceCache,
    Source,
    bundled_font_path,
    choose_fonts,
    convert_piece,
    default_cache_dir,
    load_fonts,
    parse_font_arg,
    parse_font_args,
    read_config,
    source_font,
)
from generator.outputs.glyphs import fixed_text
from generator.outputs.pdf import render_bytes
from generator.report.model import report_from_json

EXAMPLE = Path(__file__).parent / "data" / "example_report.json"
TINY_CHARS = SAMPLE_TEXT + "年度报告人民"


def build_tiny_font(path: Path, chars: str, family: str = "NianbaoTiny") -> Path:
    """A TrueType font with one box-shaped glyph per character of ``chars``."""
    chars = "".join(dict.fromkeys(chars))
    names = [".notdef", "space"] + [f"uni{ord(c):04X}" for c in chars]
    glyphs = {}
    for i, name in enumerate(names):
        pen = TTGlyphPen(None)
        if name != "space":
            inset = 100 + (i % 5) * 20
            pen.moveTo((inset, -100 + inset))
            pen.lineTo((inset, 800 - inset))
            pen.lineTo((900 - inset, 800 - inset))
            pen.lineTo((900 - inset, -100 + inset))
            pen.closePath()
        glyphs[name] = pen.glyph()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({32: "space", **{ord(c): f"uni{ord(c):04X}" for c in chars}})
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({n: (500 if n == "space" or (n.startswith("uni") and int(
        n[3:], 16) < 128) else 1000, 0) for n in names})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": family, "styleName": "Regular",
                            "psName": f"{family}-Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    builder.save(str(path))
    return path


NO_SYSTEM = FontSearch((), fontconfig=False, config_path=None, bundled=False)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return build_tiny_font(tmp_path / "tiny.ttf", TINY_CHARS)


def write_config(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


def test_config_file_names_a_font_for_every_role(tmp_path: Path, tiny: Path) -> None:
    config = write_config(tmp_path / "fonts.toml", """
[fonts]
"标题" = "tiny.ttf"
heiti = "tiny.ttf"
"楷体" = { path = "tiny.ttf", index = 0 }
"仿宋" = "tiny.ttf"
song = "tiny.ttf"
""")
    choices = choose_fonts(font_config=config, search=NO_SYSTEM)
    assert set(choices) == {"title", "heiti", "kaiti", "fangsong", "song"}
    for choice in choices.values():
        assert choice.path == tiny  # relative to the configuration file
        assert choice.source is Source.CONFIG and str(config) in choice.reason
        assert choice.face == "NianbaoTiny"
        assert not choice.stand_in and not choice.convert


def test_command_line_beats_the_config_file(tmp_path: Path, tiny: Path) -> None:
    other = build_tiny_font(tmp_path / "other.ttf", TINY_CHARS, family="NianbaoOther")
    config = write_config(tmp_path / "fonts.toml",
                          "[fonts]\n" + "".join(f'{r} = "tiny.ttf"\n' for r in
                                                ("title", "heiti", "kaiti", "fangsong", "song")))
    choices = choose_fonts({"仿宋": other}, config, NO_SYSTEM)
    assert choices["fangsong"].face == "NianbaoOther"
    assert choices["fangsong"].source is Source.CLI
    assert choices["heiti"].face == "NianbaoTiny"


def test_font_arguments() -> None:
    assert parse_font_arg("宋体=C:/Windows/Fonts/simsun.ttc#1") == (
        "song", Path("C:/Windows/Fonts/simsun.ttc"), 1)
    assert parse_font_arg("fangsong=D:/字体/仿宋_GB2312.ttf")[0] == "fangsong"
    assert parse_font_args(["黑体=a.ttf", "宋体=b.ttc#2"]) == {
        "heiti": Path("a.ttf"), "song": Path("b.ttc#2")}
    with pytest.raises(FontError, match="角色=字体文件"):
        parse_font_arg("simfang.ttf")
    with pytest.raises(FontError, match="不认识的字体角色“隶书”"):
        parse_font_arg("隶书=x.ttf")


def test_unusable_fonts_are_refused_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(FontError, match="字体文件不存在"):
        choose_fonts({"fangsong": tmp_path / "missing.ttf"}, search=NO_SYSTEM)
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"not a font at all")
    with pytest.raises(FontError, match="不是可用的字体文件"):
        choose_fonts({"fangsong": junk}, search=NO_SYSTEM)
    bad = write_config(tmp_path / "bad.toml", "[fonts\nfangsong = 1")
    with pytest.raises(FontError, match="格式有误"):
        read_config(bad, required=True)
    with pytest.raises(FontError, match="找不到字体配置文件"):
        read_config(tmp_path / "none.toml", required=True)
    assert read_config(tmp_path / "none.toml", required=False).fonts == {}


def test_no_font_anywhere_is_an_error_that_says_what_to_do() -> None:
    with pytest.raises(FontError, match="--font"):
        choose_fonts(search=NO_SYSTEM)


def test_official_file_names_are_found_in_font_folders(tmp_path: Path, tiny: Path) -> None:
    folder = tmp_path / "Fonts"
    folder.mkdir()
    shutil.copy(tiny, folder / "SIMFANG.TTF")  # file names are matched case-insensitively
    build_tiny_font(folder / "simhei.ttf", "黑体")  # lacks the sample text: skipped
    search = FontSearch((folder,), fontconfig=False, config_path=None, bundled=True)
    choices = choose_fonts(search=search)
    assert choices["fangsong"].source is Source.OFFICIAL
    assert choices["fangsong"].path.name == "SIMFANG.TTF" and not choices["fangsong"].stand_in
    if bundled_font_path("sans") is not None:
        assert choices["heiti"].source is Source.BUNDLED and choices["heiti"].stand_in
        assert "黑体" in choices["heiti"].warning and "simhei.ttf" in choices["heiti"].warning


def test_extra_folders_from_the_config_file(tmp_path: Path, tiny: Path) -> None:
    folder = tmp_path / "公文字体"
    folder.mkdir()
    shutil.copy(tiny, folder / "FZXBSJW.TTF")
    config = write_config(tmp_path / "fonts.toml", '[fonts]\ndirs = ["公文字体"]\n')
    choices = choose_fonts(font_config=config,
                           search=FontSearch((), fontconfig=False, config_path=None))
    assert choices["title"].source is Source.OFFICIAL and choices["title"].path.parent == folder


def test_bundled_font_is_converted_to_truetype_pieces_and_cached(tmp_path: Path) -> None:
    path = bundled_font_path("serif")
    assert path is not None  # pylopdf-fonts-zh-cn is a dependency
    real = source_font(path)
    numbers = real.pieces_for("政府信息公开镕堃")
    assert numbers[0] == 0 and len(numbers) >= 2  # 堃 lies outside GB 2312
    # The cache's behaviour on small pieces of the real font (whole pieces take seconds each).
    source = replace(real, pieces=(tuple(map(ord, "政府信息公开 ")), tuple(map(ord, "镕堃"))))
    files = PieceCache(tmp_path / "cache").files(source, [0, 1], jobs=1)
    assert [f.path.name for f in files] == [source.piece_file_name(0), source.piece_file_name(1)]
    fonts = [FTFont(str(file.path)) for file in files]
    assert all("glyf" in font and "CFF " not in font for font in fonts)
    assert set(fonts[1].getBestCmap()) == {ord("镕"), ord("堃")}
    stamps = [file.path.stat().st_mtime_ns for file in files]
    again = PieceCache(tmp_path / "cache").files(source, [0, 1])
    assert [f.path for f in again] == [f.path for f in files]
    assert [f.path.stat().st_mtime_ns for f in again] == stamps  # the cache is reused
    other = PieceCache(tmp_path / "cache2").files(source, [1], jobs=1)
    assert other[0].path.read_bytes() == files[1].path.read_bytes()  # same input, same bytes
    assert not list((tmp_path / "cache").glob(".tmp-*"))


def test_freetype_and_fonttools_draw_the_same_outlines(monkeypatch: pytest.MonkeyPatch) -> None:
    path = bundled_font_path("serif")
    assert path is not None
    codepoints = [ord(c) for c in "政府？！ABC"]
    with_freetype = FTFont(io.BytesIO(convert_piece(path, 0, codepoints, 0)))
    import builtins

    real_import = builtins.__import__

    def no_freetype(name: str, *args: object, **kwargs: object) -> object:
        if name == "freetype":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_freetype)
    with_fonttools = FTFont(io.BytesIO(convert_piece(path, 0, codepoints, 0)))
    for cp in codepoints:
        a = with_freetype["glyf"][with_freetype.getBestCmap()[cp]]
        b = with_fonttools["glyf"][with_fonttools.getBestCmap()[cp]]
        a.recalcBounds(with_freetype["glyf"])
        b.recalcBounds(with_fonttools["glyf"])
        assert a.numberOfContours == b.numberOfContours > 0
        assert abs(a.xMin - b.xMin) <= 2 and abs(a.yMax - b.yMax) <= 2


def _pdf_fonts(data: bytes) -> dict[str, object]:
    fonts = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    return fonts


def test_tiny_font_is_embedded_and_missing_characters_are_reported(tmp_path: Path,
                                                                   tiny: Path) -> None:
    config = write_config(tmp_path / "fonts.toml", "[fonts]\n" + "".join(
        f'{r} = "tiny.ttf"\n' for r in ("title", "heiti", "kaiti", "fangsong", "song")))
    report = report_from_json(EXAMPLE.read_text(encoding="utf-8"))
    data, findings = render_bytes(report, RenderOptions(font_config=config), search=NO_SYSTEM)
    fonts = _pdf_fonts(data)
    assert fonts and all(re.match(r"/[A-Z]{6}\+NianbaoTiny", name) for name in fonts)
    for font in fonts.values():
        descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0]["/FontDescriptor"]
        assert descriptor.get_object().get("/FontFile2") is not None
    missing = [f for f in findings if f.rule == "F-2"]
    # The title's first character the tiny font lacks is named, with where it is.
    first_missing = next(ch for ch in report.title if ch not in TINY_CHARS)
    title_warning = [f for f in missing if f"“{first_missing}”" in f.message and "标题（小标宋）" in f.message]
    assert title_warning and "出现在：标题" in title_warning[0].message
    assert "空白或方框" in title_warning[0].message
    assert all(f.severity.name == "WARNING" for f in missing)
    assert any("另缺" in f.message for f in missing)  # the long tail is summarised
    assert not any(f.rule == "PDF-FONT" for f in findings)  # the user chose these fonts


def test_missing_body_character_is_printed_with_another_font_and_reported(tmp_path: Path,
                                                                          tiny: Path) -> None:
    report = report_from_json(EXAMPLE.read_text(encoding="utf-8"))
    search = FontSearch((), fontconfig=False, config_path=None, cache_dir=default_cache_dir())
    data, findings = render_bytes(report, RenderOptions(font_paths={"fangsong": tiny}),
                                  search=search)
    opening = report.narrative["opening"].paragraphs[0]
    ch = next(c for c in opening if c not in TINY_CHARS)
    warning = next(f for f in findings if f.rule == "F-2" and f"“{ch}”" in f.message)
    assert "仿宋" in warning.message and "开头段落（编制说明）第1段" in warning.message
    assert "改用字体 Noto Serif SC" in warning.message
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert re.sub(r"\s+", "", opening) in text  # printed, not blank


def test_load_fonts_registers_each_file_once(tiny: Path) -> None:
    choices = choose_fonts({r: tiny for r in ("title", "heiti", "kaiti", "fangsong", "song")},
                           search=NO_SYSTEM)
    first = load_fonts(choices, {}, NO_SYSTEM, fixed_text=fixed_text())
    second = load_fonts(choices, {}, NO_SYSTEM, fixed_text=fixed_text())
    assert len({f.name for f in first.values()}) == 1
    assert first["song"].name == second["song"].name
    assert first["song"].missing("年政镕") == ["镕"]
    assert first["song"].missing("年度报告") == []


def test_fonts_command_shows_roles_sources_and_stand_in_warnings(tmp_path: Path,
                                                                 tiny: Path) -> None:
    config = write_config(tmp_path / "fonts.toml", '[fonts]\n"仿宋" = "tiny.ttf"\n')
    runner = CliRunner()
    env = {"NIANBAO_FONT_DIRS": "", "XDG_CONFIG_HOME": str(tmp_path / "no-config"),
           "COLUMNS": "200"}
    result = runner.invoke(main, ["fonts", "--font-config", str(config)], env=env)
    assert result.exit_code == 0, result.output
    assert "NianbaoTiny" in result.output and "配置文件" in result.output
    assert "内置字体（PyPI）" in result.output
    assert "黑体 使用替代字体" in result.output
    assert "仿宋 使用替代字体" not in result.output
    result = runner.invoke(main, ["fonts", "--font", "仿宋=/no/such/font.ttf"], env=env)
    assert result.exit_code == 2
    assert "字体文件不存在" in result.output


def test_a_postscript_font_named_by_the_user_is_converted(tmp_path: Path, tiny: Path,
                                                           converted_fonts: Path) -> None:
    otf = bundled_font_path("serif")
    # Converting is tested above; start from the session's converted pieces (seconds each).
    shutil.copytree(converted_fonts, tmp_path / "cache", dirs_exist_ok=True)
    search = FontSearch((), fontconfig=False, config_path=None, bundled=False,
                        cache_dir=tmp_path / "cache")
    paths = {r: tiny for r in ("title", "heiti", "kaiti", "song")} | {"fangsong": otf}
    choices = choose_fonts(paths, search=search)
    assert choices["fangsong"].convert and choices["fangsong"].source is Source.CLI
    loaded = load_fonts(choices, {"fangsong": "镕喆堃"}, search, fixed_text=fixed_text())
    # Each piece is in this cache folder, named as the process knows it.
    written = {p.name for p in (tmp_path / "cache").glob("*.ttf")}
    assert {piece.file.key for piece in loaded["fangsong"].pieces} <= written
    assert loaded["fangsong"].missing("镕喆堃政") == []


def test_what_a_font_holds_is_remembered_until_the_file_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second process (here: the in-memory probes forgotten) learns a font's face and
    characters from the cache folder without opening it; a changed file is opened again."""
    import os

    from generator.outputs.fonts import discover, probe_cache

    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(probe_cache, "_caches", {})
    font = build_tiny_font(tmp_path / "tiny.ttf", TINY_CHARS)
    first = discover.probe(font)
    assert (first.face, first.truetype, first.error) == ("NianbaoTiny", True, "")
    assert (tmp_path / "cache" / "fonts" / probe_cache.FILE_NAME).is_file()

    opened: list[Path] = []
    real_open = discover._open_face

    def counting_open(path: Path, index: int) -> probe_cache.ProbeRecord:
        opened.append(path)
        return real_open(path, index)

    monkeypatch.setattr(discover, "_open_face", counting_open)
    discover._probe.cache_clear()
    monkeypatch.setattr(probe_cache, "_caches", {})  # as in a new process: read from the file
    again = discover.probe(font)
    assert opened == [] and again == first
    assert again.covers(TINY_CHARS) and not again.covers("龘")

    build_tiny_font(font, TINY_CHARS + "龘", family="NianbaoTinyTwo")
    os.utime(font, ns=(1, 1))  # whatever the clock: the file is not the one remembered
    changed = discover.probe(font)
    assert opened == [font] and changed.face == "NianbaoTinyTwo" and changed.covers("龘")


def test_a_cache_folder_that_cannot_be_written_still_probes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.outputs.fonts import discover, probe_cache

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(blocked))
    monkeypatch.setattr(probe_cache, "_caches", {})
    discover._probe.cache_clear()
    found = discover.probe(build_tiny_font(tmp_path / "tiny.ttf", TINY_CHARS))
    assert found.face == "NianbaoTiny" and found.covers(TINY_CHARS)
    assert blocked.read_text(encoding="utf-8") == "a file where the cache folder would be"


def test_a_fonts_digest_is_remembered_with_its_probe(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Converted pieces are named by the font file's digest: hashed once per file and machine,
    not in every process (a 10 MB font took a tenth of a second)."""
    import hashlib

    from generator.outputs.fonts import convert, discover, probe_cache

    monkeypatch.setenv("NIANBAO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(probe_cache, "_caches", {})
    font = build_tiny_font(tmp_path / "tiny.ttf", TINY_CHARS)
    stat = font.stat()
    discover.probe(font)
    convert._digest.cache_clear()
    first = convert._digest(font, stat.st_size, stat.st_mtime_ns)
    assert first == hashlib.sha256(font.read_bytes()).hexdigest()[:16]

    def no_hashing(*args: object) -> object:
        raise AssertionError("hashed again")

    monkeypatch.setattr(convert.hashlib, "sha256", no_hashing)
    monkeypatch.setattr(probe_cache, "_caches", {})  # as in a new process
    convert._digest.cache_clear()
    assert convert._digest(font, stat.st_size, stat.st_mtime_ns) == first
    monkeypatch.setattr(discover, "_open_face", no_hashing)  # the probe's entry is whole too
    discover._probe.cache_clear()
    assert discover.probe(font).face == "NianbaoTiny"
    discover._probe.cache_clear()
    convert._digest.cache_clear()
