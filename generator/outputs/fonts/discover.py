"""Which font file prints each role of the PDF, and why (discovery only: nothing is loaded).

GB/T 9704 names a typeface per element (标题 小标宋, 一级标题 黑体, 二级标题 楷体, 正文 仿宋,
页码 宋体).  The resolver picks, per role, a file that is really there, in this order:

1. a file named on the command line (``--font 仿宋=D:/字体/simfang.ttf``);
2. a file named in the font configuration file (``--font-config`` or the user's default
   ``fonts.toml``, see :func:`default_config_path`), which may also list extra font folders;
3. the official fonts on this machine (Windows font folder names, fontconfig, macOS folders);
4. open TrueType fonts installed on the machine (AR PL, WenQuanYi, LXGW WenKai …), as
   stand-ins;
5. the OFL Noto Serif/Sans SC fonts shipped on PyPI in ``pylopdf-fonts-zh-cn``.  They have
   PostScript (CFF) outlines, which reportlab cannot embed, so :mod:`.convert` turns them
   into TrueType once per machine.

:func:`choose_fonts` decides (cheap, used by ``nianbao fonts``); :func:`.load.load_fonts`
makes the choice printable.  Where the resolver looks is a :class:`FontSearch`, which tests
replace to simulate a machine without Chinese fonts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from generator.outputs.fonts.embed import FontError, FontFile, open_truetype
from generator.outputs.fonts.probe_cache import ProbeRecord, file_key, probe_cache

# ---------------------------------------------------------------------------
# Roles


#: The typefaces a report uses, in the order they are shown to the user.
ROLES: tuple[str, ...] = ("title", "heiti", "kaiti", "fangsong", "song")

#: How the user names a role (command line, configuration file, messages).
ROLE_LABELS: dict[str, str] = {
    "title": "标题（小标宋）",
    "heiti": "黑体",
    "kaiti": "楷体",
    "fangsong": "仿宋",
    "song": "宋体",
}
#: What each role is used for in the report.
ROLE_USES: dict[str, str] = {
    "title": "报告标题",
    "heiti": "一级标题（一、）",
    "kaiti": "二级标题（（一））",
    "fangsong": "正文、落款",
    "song": "表格、页码",
}
#: The font a clerk should install for an official copy.
OFFICIAL_FONT_NAMES: dict[str, str] = {
    "title": "方正小标宋简体",
    "heiti": "黑体（simhei.ttf）",
    "kaiti": "楷体_GB2312（或 楷体 simkai.ttf）",
    "fangsong": "仿宋_GB2312（或 仿宋 simfang.ttf）",
    "song": "宋体（simsun.ttc）",
}

#: Other names accepted for a role on the command line and in the configuration file.
ROLE_ALIASES: dict[str, str] = {
    "title": "title", "标题": "title", "小标宋": "title", "方正小标宋": "title",
    "xiaobiaosong": "title",
    "heiti": "heiti", "黑体": "heiti", "hei": "heiti",
    "kaiti": "kaiti", "楷体": "kaiti", "kai": "kaiti",
    "fangsong": "fangsong", "仿宋": "fangsong", "正文": "fangsong", "body": "fangsong",
    "song": "song", "宋体": "song", "songti": "song", "宋": "song",
}


def role_of(name: str) -> str:
    """The role a user-given name means (``仿宋`` → ``fangsong``); raises for unknown names."""
    role = ROLE_ALIASES.get(name.strip().lower()) or ROLE_ALIASES.get(name.strip())
    if role is None:
        known = "、".join(f"{r}（{ROLE_LABELS[r]}）" for r in ROLES)
        raise FontError(f"不认识的字体角色“{name}”。可用的角色：{known}。")
    return role


class Source(str, Enum):
    """Why a font was chosen, as shown by ``nianbao fonts``."""

    CLI = "命令行"
    CONFIG = "配置文件"
    OFFICIAL = "系统官方字体"
    SYSTEM = "系统替代字体"
    OPEN = "开源字体"
    BUNDLED = "内置字体（PyPI）"


# ---------------------------------------------------------------------------
# What to look for


@dataclass(frozen=True)
class Candidate:
    """A font the resolver looks for: file names (any folder) or fontconfig family names."""

    files: tuple[str, ...]
    families: tuple[str, ...] = ()
    index: int = 0  # face inside a .ttc found by file name
    source: Source = Source.OFFICIAL
    stand_in: bool = False


_SONG_OFFICIAL = Candidate(("simsun.ttc", "simsun.ttf", "CESI_SS_GB2312.TTF"),
                           ("SimSun", "宋体", "CESI宋体-GB2312"))
_SUNGTI = Candidate(("gbsn00lp.ttf",), ("AR PL SungtiL GB",), source=Source.OPEN, stand_in=True)
_UMING = Candidate(("uming.ttc",), ("AR PL UMing CN",), source=Source.OPEN, stand_in=True)

#: Per role, best first.  Official names first; then fonts that resemble the typeface.
CANDIDATES: dict[str, tuple[Candidate, ...]] = {
    "title": (
        Candidate(("FZXBSJW.TTF", "方正小标宋简体.ttf", "方正小标宋简体.TTF", "FZXBSK.TTF",
                   "方正小标宋_GBK.ttf", "CESI_XBS_GB2312.TTF"),
                  ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", "FZXiaoBiaoSong-B05",
                   "CESI小标宋-GB2312")),
        replace(_SONG_OFFICIAL, source=Source.SYSTEM, stand_in=True),
        Candidate(("STZHONGS.TTF", "STSONG.TTF"), ("STZhongsong", "华文中宋", "STSong", "华文宋体"),
                  source=Source.SYSTEM, stand_in=True),
        _SUNGTI,
        _UMING,
    ),
    "heiti": (
        Candidate(("simhei.ttf", "CESI_HT_GB2312.TTF"), ("SimHei", "黑体", "CESI黑体-GB2312")),
        Candidate(("STXIHEI.TTF", "STHeiti Medium.ttc", "STHeiti Light.ttc"),
                  ("STXihei", "华文细黑", "STHeiti"), source=Source.SYSTEM, stand_in=True),
        Candidate(("wqy-zenhei.ttc",), ("WenQuanYi Zen Hei",), source=Source.OPEN, stand_in=True),
        Candidate(("wqy-microhei.ttc",), ("WenQuanYi Micro Hei",), source=Source.OPEN,
                  stand_in=True),
    ),
    "kaiti": (
        Candidate(("楷体_GB2312.ttf", "KT_GB2312.ttf", "KAI_GB2312.ttf", "KaiTi_GB2312.ttf",
                   "simkai.ttf", "CESI_KT_GB2312.TTF"),
                  ("楷体_GB2312", "KaiTi_GB2312", "KaiTi", "楷体", "CESI楷体-GB2312")),
        Candidate(("STKAITI.TTF",), ("STKaiti", "华文楷体"), source=Source.SYSTEM, stand_in=True),
        Candidate(("gkai00mp.ttf",), ("AR PL KaitiM GB",), source=Source.OPEN, stand_in=True),
        Candidate(("ukai.ttc",), ("AR PL UKai CN",), source=Source.OPEN, stand_in=True),
        Candidate(("LXGWWenKai-Regular.ttf",), ("LXGW WenKai",), source=Source.OPEN,
                  stand_in=True),
    ),
    "fangsong": (
        Candidate(("仿宋_GB2312.ttf", "FS_GB2312.ttf", "FANGSONG_GB2312.TTF", "FangSong_GB2312.ttf",
                   "simfang.ttf", "CESI_FS_GB2312.TTF"),
                  ("仿宋_GB2312", "FangSong_GB2312", "FangSong", "仿宋", "CESI仿宋-GB2312")),
        Candidate(("STFANGSO.TTF", "STFangsong.ttf"), ("STFangsong", "华文仿宋"),
                  source=Source.SYSTEM, stand_in=True),
        _UMING,
        _SUNGTI,
    ),
    "song": (
        _SONG_OFFICIAL,
        Candidate(("STSONG.TTF",), ("STSong", "华文宋体"), source=Source.SYSTEM, stand_in=True),
        _SUNGTI,
        _UMING,
    ),
}

#: Characters every automatically chosen font must have (a report's everyday words).
SAMPLE_TEXT = "政府信息公开工作年度报告一二三四五六主动申请办理结果总计，。、（）《》：；0123456789—"

#: The bundled font package and which of its faces serves which role.
BUNDLED_PACKAGE = "pylopdf_fonts_zh_cn"
BUNDLED_FACES: dict[str, str] = {"title": "serif", "heiti": "sans", "kaiti": "serif",
                                 "fangsong": "serif", "song": "serif"}

# ---------------------------------------------------------------------------
# Where to look


def default_font_dirs() -> tuple[Path, ...]:
    """The folders fonts are installed in on this operating system."""
    home = Path.home()
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        dirs = [windir / "Fonts"]
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        return tuple(dirs)
    if sys.platform == "darwin":
        return (home / "Library" / "Fonts", Path("/Library/Fonts"),
                Path("/System/Library/Fonts"), Path("/System/Library/Fonts/Supplemental"),
                Path("/Library/Application Support/Microsoft"))
    data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return (data_home / "fonts", home / ".fonts", Path("/usr/local/share/fonts"),
            Path("/usr/share/fonts"))


def default_config_path() -> Path:
    """The user's font configuration file (read when it exists)."""
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "nianbao" / "fonts.toml"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "nianbao" / "fonts.toml"


def default_cache_dir() -> Path:
    """Where converted fonts are kept between runs."""
    if os.environ.get("NIANBAO_CACHE_DIR"):
        return Path(os.environ["NIANBAO_CACHE_DIR"]) / "fonts"
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "nianbao" / "cache" / "fonts"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nianbao" / "fonts"


@dataclass(frozen=True)
class FontSearch:
    """Where the resolver looks for fonts.

    ``font_dirs`` are searched (recursively) for the candidate file names; ``fontconfig``
    also asks ``fc-list`` for family names; ``bundled`` allows the PyPI fallback.  The
    environment variable ``NIANBAO_FONT_DIRS`` (folders separated by ``os.pathsep``; empty
    for none) replaces the system folders and turns fontconfig off, which is how a machine
    without Chinese fonts is simulated.
    """

    font_dirs: tuple[Path, ...] = ()
    fontconfig: bool = True
    config_path: Path | None = None
    bundled: bool = True
    cache_dir: Path = field(default_factory=default_cache_dir)

    @classmethod
    def from_environment(cls) -> "FontSearch":
        dirs_env = os.environ.get("NIANBAO_FONT_DIRS")
        if dirs_env is not None:
            dirs = tuple(Path(p) for p in dirs_env.split(os.pathsep) if p)
            return cls(dirs, fontconfig=False, config_path=default_config_path())
        return cls(default_font_dirs(), fontconfig=True, config_path=default_config_path())


# ---------------------------------------------------------------------------
# The configuration file


@dataclass(frozen=True)
class FontSpec:
    """A font file the user named: path, face index inside a .ttc, and where it was named."""

    path: Path
    index: int
    source: Source
    origin: str  # "命令行" or the configuration file's path


def parse_font_arg(text: str) -> tuple[str, Path, int]:
    """``ROLE=PATH`` or ``ROLE=PATH#INDEX`` from the command line → (role, path, index)."""
    if "=" not in text:
        raise FontError(f"--font 的写法是 角色=字体文件，例如 --font 仿宋=C:/Windows/Fonts/simfang.ttf；"
                        f"收到的是“{text}”。")
    role_name, value = text.split("=", 1)
    path, index = _split_index(value.strip())
    return role_of(role_name), path, index


def parse_font_args(values: Iterable[str]) -> dict[str, Path]:
    """``--font`` values (``ROLE=PATH[#N]``, repeatable) → role → path for
    :attr:`~generator.outputs.RenderOptions.font_paths` (the ``#N`` face index is kept)."""
    out: dict[str, Path] = {}
    for value in values:
        role, path, index = parse_font_arg(value)
        out[role] = Path(f"{path}#{index}") if index else path
    return out


def _split_index(value: str) -> tuple[Path, int]:
    if "#" in value:
        head, _, tail = value.rpartition("#")
        if tail.isdigit():
            return Path(head).expanduser(), int(tail)
    return Path(value).expanduser(), 0


@dataclass(frozen=True)
class FontConfig:
    """What a ``fonts.toml`` says: a file per role and extra folders to search."""

    path: Path | None
    fonts: dict[str, FontSpec]
    dirs: tuple[Path, ...]


def read_config(path: Path | None, *, required: bool) -> FontConfig:
    """Read a font configuration file::

        [fonts]
        fangsong = "C:/Windows/Fonts/simfang.ttf"
        song = { path = "C:/Windows/Fonts/simsun.ttc", index = 0 }
        dirs = ["D:/公文字体"]          # folders searched for the official fonts

    Role names may be English or Chinese (``仿宋 = "…"``).  Relative paths are relative to the
    file.  A missing file is an error only when the user named it (``required``).
    """
    if path is None or not path.is_file():
        if required and path is not None:
            raise FontError(f"找不到字体配置文件：{path}。")
        return FontConfig(None, {}, ())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FontError(f"无法读取字体配置文件 {path}：{exc}。") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FontError(f"字体配置文件 {path} 的格式有误（{exc}）。写法示例：\n[fonts]\n"
                        f"fangsong = \"C:/Windows/Fonts/simfang.ttf\"") from exc
    table = data.get("fonts", data)
    if not isinstance(table, dict):
        raise FontError(f"字体配置文件 {path} 中 [fonts] 应为“角色 = 字体文件”的列表。")
    base = path.parent
    fonts: dict[str, FontSpec] = {}
    dirs: list[Path] = []
    for key, value in table.items():
        if key in ("dirs", "folders", "目录", "字体目录"):
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise FontError(f"字体配置文件 {path}：{key} 应为文件夹路径的列表。")
            dirs.extend(_relative(base, Path(v).expanduser()) for v in values)
            continue
        role = role_of(key)
        if isinstance(value, str):
            font_path, index = _split_index(value)
        elif isinstance(value, dict) and isinstance(value.get("path"), str):
            font_path, index = Path(value["path"]).expanduser(), int(value.get("index", 0))
        else:
            raise FontError(f"字体配置文件 {path}：{key} 应为字体文件路径，"
                            f"例如 {key} = \"C:/Windows/Fonts/simfang.ttf\"。")
        fonts[role] = FontSpec(_relative(base, font_path), index, Source.CONFIG, str(path))
    return FontConfig(path, fonts, tuple(dirs))


def _relative(base: Path, path: Path) -> Path:
    return path if path.is_absolute() else base / path


# ---------------------------------------------------------------------------
# Finding installed fonts


@lru_cache(maxsize=16)
def _file_index(dirs: tuple[Path, ...]) -> dict[str, Path]:
    """Lower-case file name → path of every font file under ``dirs`` (first one wins)."""
    index: dict[str, Path] = {}
    for root in dirs:
        if not root.is_dir():
            continue
        for folder, subdirs, files in os.walk(root):
            subdirs.sort()
            for name in sorted(files):
                if name.lower().endswith((".ttf", ".ttc", ".otf", ".otc")):
                    index.setdefault(name.lower(), Path(folder) / name)
    return index


@lru_cache(maxsize=1)
def _fontconfig_index() -> dict[str, tuple[Path, int]]:
    """Family name (lower case) → (file, face index) as fontconfig reports them."""
    exe = shutil.which("fc-list")
    if not exe:
        return {}
    try:
        result = subprocess.run([exe, "--format", "%{file}\t%{index}\t%{family}\n"],
                                capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return {}
    index: dict[str, tuple[Path, int]] = {}
    for line in sorted(result.stdout.splitlines()):
        parts = line.split("\t")
        if len(parts) != 3 or not parts[1].isdigit():
            continue
        for family in parts[2].split(","):
            index.setdefault(family.strip().lower(), (Path(parts[0]), int(parts[1])))
    return index


def _find_candidate(candidate: Candidate, dirs: tuple[Path, ...],
                    fontconfig: bool) -> list[tuple[Path, int]]:
    files = _file_index(dirs)
    found = [(files[name.lower()], candidate.index) for name in candidate.files
             if name.lower() in files]
    if fontconfig:
        fc = _fontconfig_index()
        found += [fc[family.lower()] for family in candidate.families if family.lower() in fc]
    return found


# ---------------------------------------------------------------------------
# Checking and loading a font file


@dataclass(frozen=True)
class FontChoice:
    """The file chosen for a role and why."""

    role: str
    path: Path
    index: int
    source: Source
    stand_in: bool
    face: str  # family name as the font names itself
    convert: bool = False  # PostScript outlines: convert the used characters to TrueType
    origin: str = ""  # the configuration file, for Source.CONFIG

    @property
    def reason(self) -> str:
        if self.source is Source.CONFIG and self.origin:
            return f"{self.source.value}（{self.origin}）"
        return self.source.value

    @property
    def warning(self) -> str:
        """Why this font should not go into an official copy ('' when it may)."""
        if not self.stand_in:
            return ""
        return (f"{ROLE_LABELS[self.role]} 使用替代字体 {self.face}，"
                f"正式印发请安装 {OFFICIAL_FONT_NAMES[self.role]}。")


def _open_face(path: Path, index: int) -> ProbeRecord:
    """Open face ``index`` of ``path`` with fontTools and say what it is."""
    error, face, truetype, cmap = "", "", False, frozenset[int]()
    try:
        from fontTools.ttLib import (
            TTFont as FTFont,  # lazy: not needed on warm paths
        )
        font = FTFont(str(path), fontNumber=index, lazy=True)
        truetype = "glyf" in font
        if not truetype and "CFF " not in font and "CFF2" not in font:
            error = "文件中没有可用的字形轮廓"
        face = font["name"].getBestFamilyName() or path.stem
        cmap = frozenset(font.getBestCmap() or {})
        os2 = font["OS/2"] if "OS/2" in font else None
        if os2 is not None and (os2.fsType & 0x000F) == 0x0002:
            error = "字体设置了“禁止嵌入”，不能嵌入 PDF"
        font.close()
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported the same way
        error = "不是可用的字体文件（无法读取其中的字体表，文件可能已损坏）"
    return ProbeRecord(face, truetype, error, cmap)


@lru_cache(maxsize=256)
def _probe(path: Path, index: int, key: str | None) -> ProbeRecord:
    if key is None:  # the file cannot be looked at: opening it says why
        return _open_face(path, index)
    remembered = probe_cache(default_cache_dir())
    record = remembered.get(key)
    if record is None:
        record = _open_face(path, index)
        remembered.put(key, record)
    return record


def probe(path: Path, index: int = 0) -> ProbeRecord:
    """What face ``index`` of ``path`` is (opened once per version of the file and machine:
    see :mod:`.probe_cache`)."""
    return _probe(path, index, file_key(path, index))


def _user_choice(role: str, spec: FontSpec) -> FontChoice:
    where = "命令行 --font" if spec.source is Source.CLI else f"字体配置文件 {spec.origin}"
    if not spec.path.is_file():
        raise FontError(f"{where} 指定的{ROLE_LABELS[role]}字体文件不存在：{spec.path}。")
    found = probe(spec.path, spec.index)
    if found.error:
        raise FontError(f"{where} 指定的{ROLE_LABELS[role]}字体 {spec.path} 无法使用：{found.error}。")
    return FontChoice(role, spec.path, spec.index, spec.source, False, found.face,
                      convert=not found.truetype, origin=spec.origin)


def bundled_font_path(face: str) -> Path | None:
    """The Noto Serif SC / Sans SC file of the PyPI font package, if installed."""
    try:
        module = __import__(BUNDLED_PACKAGE)
    except ImportError:
        return None
    path = Path(module.serif_path() if face == "serif" else module.sans_path())
    return path if path.is_file() else None


def choose_fonts(font_paths: Mapping[str, Path] | None = None, font_config: Path | None = None,
                 search: FontSearch | None = None) -> dict[str, FontChoice]:
    """Decide the font file of every role (see the module docstring for the order).

    ``font_paths`` come from the command line (role → file; ``file#N`` picks a .ttc face);
    ``font_config`` is a configuration file the user named.  Raises :class:`FontError` when
    a named file cannot be used, or when no font at all is found for a role.
    """
    search = search or FontSearch.from_environment()
    key = (tuple(sorted((role_of(r), str(p)) for r, p in (font_paths or {}).items())),
           str(font_config) if font_config else None, search)
    return dict(_choose_cached(*key))


@lru_cache(maxsize=32)
def _choose_cached(font_paths: tuple[tuple[str, str], ...], font_config: str | None,
                   search: FontSearch) -> tuple[tuple[str, FontChoice], ...]:
    config = (read_config(Path(font_config), required=True) if font_config
              else read_config(search.config_path, required=False))
    given: dict[str, FontSpec] = dict(config.fonts)
    for role, value in font_paths:
        path, index = _split_index(value)
        given[role] = FontSpec(path, index, Source.CLI, "命令行")
    dirs = config.dirs + search.font_dirs
    # Fonts the user named are checked first: a wrong path is the error worth reporting.
    named = {role: _user_choice(role, spec) for role, spec in given.items()}
    chosen: list[tuple[str, FontChoice]] = []
    for role in ROLES:
        if role in named:
            chosen.append((role, named[role]))
            continue
        choice = _auto_choice(role, dirs, search)
        if choice is None:
            raise FontError(
                f"找不到可用于“{ROLE_LABELS[role]}”的中文字体。请用 --font "
                f"{role}=字体文件 指定（例如 C:/Windows/Fonts/simfang.ttf），"
                f"或重新安装 nianbao 以获得内置字体（pip install nianbao）。")
        chosen.append((role, choice))
    return tuple(chosen)


def _auto_choice(role: str, dirs: tuple[Path, ...], search: FontSearch) -> FontChoice | None:
    for candidate in CANDIDATES[role]:
        for path, index in _find_candidate(candidate, dirs, search.fontconfig):
            found = probe(path, index)
            # Only TrueType outlines are taken from the system unasked: a CFF system font would
            # be converted first (seconds per thousand glyphs), and the bundled font, converted
            # once per machine, already covers that case.
            if found.error or not found.truetype or not found.covers(SAMPLE_TEXT):
                continue
            try:  # the file must also load in reportlab (kept for the PDF)
                open_truetype(FontFile.on_disk(path), index)
            except FontError:
                continue
            return FontChoice(role, path, index, candidate.source, candidate.stand_in,
                              found.face)
    if search.bundled:
        bundled = bundled_font_path(BUNDLED_FACES[role])
        if bundled is not None:
            found = probe(bundled, 0)
            if not found.error:
                return FontChoice(role, bundled, 0, Source.BUNDLED, True, found.face,
                                  convert=not found.truetype)
    return None
