"""A private fontconfig file that tells LibreOffice which installed face to use for each
official Chinese font name.

A .docx names its fonts the way Chinese Word/WPS does (仿宋_GB2312, 黑体, 楷体_GB2312,
方正小标宋简体, 宋体).  On a Linux machine without those fonts, fontconfig sends every
unknown name to one fallback face, so the whole PDF came out in WenQuanYi Zen Hei
(stack_notes §3).  :func:`fonts_conf` writes a ``fonts.conf`` that includes the system
configuration and adds one ``<alias binding="same">`` per missing official name, pointing at
the best face that is really installed: an official font under another of its names
(仿宋_GB2312 → FangSong) first, then the open stand-ins (仿宋 → AR PL UMing CN, 黑体 →
WenQuanYi Zen Hei, 楷体 → AR PL KaitiM GB, 小标宋/宋体 → AR PL SungtiL GB).  Names that are
installed get no alias: the real font wins.

Two more things keep the PDF Chinese on machines with few or no Chinese fonts:

* the folder of the bundled fonts (Noto Serif SC / Noto Sans SC from ``pylopdf-fonts-zh-cn``,
  the reportlab PDF's fallback) is added as a font folder, so a machine without any Chinese
  font still gets Chinese glyphs, and those faces are the last stand-ins;
* Noto/Source Han CJK files hold one face per region (JP, KR, SC, TC, HK; the JP face comes
  first).  A name nothing maps (a font the clerk picked that this machine lacks) falls back
  to the first face that has the glyph, which is the Japanese one.  A pattern rule appends the
  Chinese (SC) faces to every request, so glyph fallback lands on the simplified-Chinese
  forms.  It appends, so a Latin request still gets its Latin font first.

LibreOffice reads the file through the ``FONTCONFIG_FILE`` environment variable (Linux and
other fontconfig systems; Windows and macOS LibreOffice use the system's own fonts).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape

SYSTEM_FONTS_CONF = Path("/etc/fonts/fonts.conf")

#: The PyPI package with the fallback fonts, and the family names of its two faces.
BUNDLED_PACKAGE = "pylopdf_fonts_zh_cn"
BUNDLED_FAMILIES: tuple[str, ...] = ("Noto Serif SC", "Noto Sans SC")

#: Chinese faces appended to every fontconfig request (glyph fallback), best first: the
#: simplified-Chinese faces of the pan-CJK families, then the bundled faces.
CHINESE_FALLBACK: tuple[str, ...] = ("Noto Serif CJK SC", "Source Han Serif SC",
                                     "Noto Sans CJK SC", "Source Han Sans SC") + BUNDLED_FAMILIES


@dataclass(frozen=True)
class FontGroup:
    """Names a document may use for one typeface role, and the faces that can stand in.

    ``names`` are what Word/WPS documents write; ``stand_ins`` are tried in order, official
    faces first (under any of their names), open faces after.
    """

    role: str  # Chinese name of the role, used in messages
    names: tuple[str, ...]
    stand_ins: tuple[str, ...]


FONT_GROUPS: tuple[FontGroup, ...] = (
    FontGroup(
        "仿宋",
        ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "仿宋体"),
        ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong", "华文仿宋",
         "AR PL UMing CN", "AR PL SungtiL GB", "Noto Serif CJK SC", "Source Han Serif SC",
         "AR PL UKai CN", "Noto Serif SC"),
    ),
    FontGroup(
        "黑体",
        ("黑体", "SimHei"),
        ("黑体", "SimHei", "STHeiti", "华文黑体", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
         "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC"),
    ),
    FontGroup(
        "楷体",
        ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi"),
        ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "STKaiti", "华文楷体",
         "AR PL KaitiM GB", "AR PL UKai CN", "LXGW WenKai",
         # no 楷 face at all: a Song face, as the reportlab PDF does (its 楷体 role is serif)
         "Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif SC"),
    ),
    FontGroup(
        "小标宋",
        ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05",
         "小标宋"),
        ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05",
         "AR PL SungtiL GB", "宋体", "SimSun", "AR PL UMing CN", "Noto Serif CJK SC",
         "Source Han Serif SC", "Noto Serif SC"),
    ),
    FontGroup(
        "宋体",
        ("宋体", "SimSun", "新宋体", "NSimSun"),
        ("宋体", "SimSun", "新宋体", "NSimSun", "STSong", "华文宋体", "AR PL SungtiL GB",
         "AR PL UMing CN", "Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif SC"),
    ),
    FontGroup(
        "西文",
        ("Times New Roman",),
        ("Times New Roman", "Liberation Serif", "Tinos", "DejaVu Serif"),
    ),
)


def installed_families() -> frozenset[str]:
    """Every family name fontconfig knows (all localised names of every face).

    Empty when ``fc-list`` is not available (then no aliases can be chosen).
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return frozenset()
    try:
        result = subprocess.run([fc_list, "--format", "%{family}\n"], capture_output=True,
                                timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    names: set[str] = set()
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        # a face lists its names comma-separated; commas inside names are escaped as "\,"
        for name in line.replace("\\,", "\0").split(","):
            name = name.replace("\0", ",").strip()
            if name:
                names.add(name)
    return frozenset(names)


def bundled_font_dir() -> Path | None:
    """The folder holding the bundled Noto Serif SC / Sans SC files, if the package is there."""
    try:
        module = __import__(BUNDLED_PACKAGE)
    except ImportError:
        return None
    folder = Path(module.serif_path()).parent
    return folder if folder.is_dir() else None


def available_families() -> frozenset[str]:
    """What LibreOffice can draw with through our fonts.conf: the installed families plus the
    bundled faces (their folder is added by :func:`fonts_conf`)."""
    families = installed_families()
    if bundled_font_dir() is not None:
        families |= frozenset(BUNDLED_FAMILIES)
    return families


def choose_aliases(installed: Iterable[str]) -> dict[str, str]:
    """Official name -> installed face, for every official name that is not installed itself
    and has a stand-in that is.  Ordered as :data:`FONT_GROUPS` declares the names."""
    present = {name.casefold() for name in installed}
    aliases: dict[str, str] = {}
    for group in FONT_GROUPS:
        for name in group.names:
            if name.casefold() in present:
                continue  # the real font is there: no alias
            for stand_in in group.stand_ins:
                if stand_in != name and stand_in.casefold() in present:
                    aliases[name] = stand_in
                    break
    return aliases


def missing_names(installed: Iterable[str]) -> tuple[str, ...]:
    """Official names with neither the font itself nor any stand-in installed."""
    present = {name.casefold() for name in installed}
    aliases = choose_aliases(installed)
    return tuple(name for group in FONT_GROUPS for name in group.names
                 if name.casefold() not in present and name not in aliases)


def system_config() -> Path | None:
    """The fontconfig file the system would use without us (to include it)."""
    configured = os.environ.get("FONTCONFIG_FILE")
    if configured and Path(configured).is_file():
        return Path(configured)
    return SYSTEM_FONTS_CONF if SYSTEM_FONTS_CONF.is_file() else None


def fonts_conf(aliases: dict[str, str], include: Path | None, *,
               font_dirs: Iterable[Path] = (), fallback: Iterable[str] = ()) -> str:
    """The text of a ``fonts.conf`` including ``include``, adding the folders ``font_dirs``,
    the ``aliases`` and a rule appending the ``fallback`` families to every request."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
        "<!-- written by nianbao for one LibreOffice run: official Chinese font names -> "
        "installed faces -->",
        "<fontconfig>",
    ]
    if include is not None:
        lines.append(f'  <include ignore_missing="yes">{escape(str(include))}</include>')
    for folder in font_dirs:
        lines.append(f"  <dir>{escape(str(folder))}</dir>")
    for name, face in aliases.items():
        lines += [
            '  <alias binding="same">',
            f"    <family>{escape(name)}</family>",
            f"    <prefer><family>{escape(face)}</family></prefer>",
            "  </alias>",
        ]
    fallback = list(fallback)
    if fallback:
        # appended last and weak: the requested family and its aliases still come first;
        # only glyph fallback (and names nothing else matches) reaches these faces.
        lines += ['  <match target="pattern">',
                  '    <edit name="family" mode="append_last" binding="weak">',
                  *[f"      <string>{escape(family)}</string>" for family in fallback],
                  "    </edit>",
                  "  </match>"]
    lines.append("</fontconfig>")
    return "\n".join(lines) + "\n"


def write_fonts_conf(folder: Path, installed: Iterable[str] | None = None) -> tuple[Path, dict[str, str]]:
    """Write ``fonts.conf`` into ``folder``; return its path and the aliases it declares.

    ``installed`` defaults to the families fontconfig lists; the bundled faces are added to
    it (and their folder to the file) whenever the package is installed."""
    families = installed_families() if installed is None else frozenset(installed)
    bundled = bundled_font_dir()
    if bundled is not None:
        families |= frozenset(BUNDLED_FAMILIES)
    aliases = choose_aliases(families)
    present = {name.casefold() for name in families}
    fallback = [family for family in CHINESE_FALLBACK if family.casefold() in present]
    path = folder / "fonts.conf"
    path.write_text(fonts_conf(aliases, system_config(),
                               font_dirs=[bundled] if bundled is not None else [],
                               fallback=fallback), encoding="utf-8")
    return path, aliases
