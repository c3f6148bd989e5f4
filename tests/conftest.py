"""Shared fixtures and the suite's environment.

* The bundled example as a model and as a workbook (``example_report``, ``example_workbook``).
* A private home for the whole session (autouse): HOME, the XDG folders, APPDATA,
  LOCALAPPDATA and NIANBAO_CACHE_DIR point into one temporary folder, so no test reads the
  developer's font configuration or writes a cache into the real home.  ``os.environ`` is
  changed, so ``nianbao`` run as a subprocess gets the same folders.  The font cache
  (NIANBAO_CACHE_DIR) is one folder for the whole session: fonts converted by one test are
  reused by the next, as on a user's machine.
* Hypothesis profiles, all without deadline: ``fast`` (the default: no shrinking), ``ci``
  (when ``CI`` is set: no shrinking, derandomized, no example database) and ``dev``
  (``HYPOTHESIS_PROFILE=dev``: shrinks failures).
* ``font_situation``: the three font situations a PDF test must pass under (see below).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, Phase, settings

from generator.report.model import Report, report_from_json

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
EXAMPLE_JSON = TESTS / "data" / "example_report.json"
EXAMPLE_WORKBOOK = REPO / "inputs" / "example-2025.xlsx"

# ---------------------------------------------------------------------------
# Hypothesis.  Registered at import time: settings objects built by the test modules inherit
# from the profile loaded when they are created.  Per-test max_examples still win.
#
# Shrinking a failure can take Hypothesis up to five minutes per test (it did: 320 s for one
# workbook test), so only the ``dev`` profile shrinks; the others report the failing example
# as found, in seconds.

_NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
settings.register_profile(  # the default: random examples, failures replayed from .hypothesis/
    "fast", deadline=None, phases=_NO_SHRINK, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(  # CI: the same examples on every run, nothing stored
    "ci", deadline=None, phases=_NO_SHRINK, derandomize=True, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(  # HYPOTHESIS_PROFILE=dev: shrink a failure to a minimal example
    "dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE")
                      or ("ci" if os.environ.get("CI") else "fast"))


# ---------------------------------------------------------------------------
# The example


@pytest.fixture(scope="session")
def example_report() -> Report:
    """The 宝力根花苏木 2025 report as a model (tests/data/example_report.json)."""
    return report_from_json(EXAMPLE_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def example_workbook() -> Path:
    """The bundled example workbook (inputs/example-2025.xlsx); read it, never write it."""
    return EXAMPLE_WORKBOOK


# ---------------------------------------------------------------------------
# A private home for the session

_HOME_VARIABLES = {
    "HOME": "home",
    "USERPROFILE": "home",  # Path.home() on Windows
    "XDG_CACHE_HOME": "home/.cache",
    "XDG_CONFIG_HOME": "home/.config",
    "XDG_DATA_HOME": "home/.local/share",
    "APPDATA": "home/AppData/Roaming",
    "LOCALAPPDATA": "home/AppData/Local",
    "NIANBAO_CACHE_DIR": "nianbao-cache",
}


_TERMINAL_VARIABLES = ("COLUMNS", "LINES")


@pytest.fixture(scope="session")
def session_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's temporary home folder (the environment points into it)."""
    base = tmp_path_factory.mktemp("session-home")
    saved = {name: os.environ.get(name) for name in (*_HOME_VARIABLES, *_TERMINAL_VARIABLES)}
    for name in _TERMINAL_VARIABLES:
        # The console's width is each test's own choice (pytest-xdist's workers inherit
        # COLUMNS=80, a terminal may give any width): output is tested piped, unless a test
        # sets COLUMNS itself.
        os.environ.pop(name, None)
    for name, relative in _HOME_VARIABLES.items():
        folder = base / relative
        folder.mkdir(parents=True, exist_ok=True)
        os.environ[name] = str(folder)
    try:
        yield base / "home"
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="session", autouse=True)
def _private_home(session_home: Path) -> None:
    """Every test runs with the session's temporary home (see the module docstring)."""


@pytest.fixture(scope="session")
def converted_fonts(session_home: Path) -> Path:
    """The session's font cache folder, holding the bundled fonts' everyday pieces (converted
    here if no test converted them yet: a test that copies the cache must not depend on
    which tests ran before it)."""
    from generator.outputs.fonts import (
        FontSearch,
        choose_fonts,
        default_cache_dir,
        prepare_fonts,
    )
    from generator.outputs.glyphs import fixed_text

    bundled = FontSearch((), fontconfig=False, config_path=None)
    prepare_fonts(choose_fonts(search=bundled), fixed_text=fixed_text())
    return default_cache_dir()


# ---------------------------------------------------------------------------
# Font situations
#
# How to use (tests/test_pdf.py, tests/test_libreoffice.py):
#
#     def test_something(font_situation: FontSituation, tmp_path: Path) -> None:
#         ...  # render; the environment already describes the situation
#
# runs the test three times, ids ``[bundled]``, ``[opentype]``, ``[truetype]``:
#
# * ``bundled``: no system CJK font.  NIANBAO_FONT_DIRS is empty (the reportlab PDF uses the
#   bundled Noto fonts); FONTCONFIG_FILE lists only the folders without CJK fonts (LibreOffice
#   sees no Chinese font but the bundled ones its fonts.conf adds).  Never skipped.
# * ``opentype``: only OpenType/CFF CJK fonts (fonts-noto-cjk).  NIANBAO_FONT_DIRS and
#   FONTCONFIG_FILE list the folders holding them (plus the non-CJK folders for fontconfig).
# * ``truetype``: only TrueType CJK fonts (AR PL, WenQuanYi), the same way.
#
# The last two are skipped, with the package to install, when this machine has no such font
# (``.ci/install-system-packages`` installs both).  One situation only:
#
#     @pytest.mark.parametrize("font_situation", ["opentype"], indirect=True)
#
# The fixture is function-scoped (monkeypatch): the variables are restored after each test.
# Code that caches font lookups per process must key them on the environment it read.

SITUATIONS = ("bundled", "opentype", "truetype")
_SITUATION_PACKAGES = {"opentype": "fonts-noto-cjk",
                       "truetype": "fonts-arphic-uming, fonts-wqy-zenhei, ..."}
_CJK_LANGS = ("zh", "ja", "ko")


@dataclass(frozen=True)
class FontSituation:
    """One font situation: what NIANBAO_FONT_DIRS and FONTCONFIG_FILE are set to."""

    name: str  # "bundled", "opentype" or "truetype"
    font_dirs: tuple[Path, ...]  # NIANBAO_FONT_DIRS (empty: no system fonts for the PDF)
    fontconfig_file: Path | None  # a fonts.conf restricted to the situation's folders

    @property
    def bundled(self) -> bool:
        return not self.font_dirs


@dataclass(frozen=True)
class _SystemFonts:
    """The machine's font folders by what they hold (from ``fc-list``)."""

    latin: tuple[Path, ...]  # folders with no CJK font at all
    opentype: tuple[Path, ...]  # folders whose CJK fonts are all CFF
    truetype: tuple[Path, ...]  # folders whose CJK fonts are all TrueType


def _scan_system_fonts() -> _SystemFonts | None:
    """None when fontconfig's tools are not there (then only ``bundled`` can run)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    done = subprocess.run([fc_list, "--format", "%{file}\t%{fontformat}\t%{lang}\n"],
                          capture_output=True, timeout=60, check=False)
    kinds: dict[Path, set[str]] = {}
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        folder = Path(parts[0]).parent
        langs = parts[2].split("|")
        cjk = any(lang == prefix or lang.startswith(prefix + "-")
                  for lang in langs for prefix in _CJK_LANGS)
        kind = ("cff" if parts[1] == "CFF" else "truetype" if parts[1] == "TrueType"
                else "other") if cjk else "latin"
        kinds.setdefault(folder, set()).add(kind)
    return _SystemFonts(
        latin=tuple(sorted(f for f, k in kinds.items() if k == {"latin"})),
        opentype=tuple(sorted(f for f, k in kinds.items() if "cff" in k and k <= {"cff", "latin"})),
        truetype=tuple(sorted(f for f, k in kinds.items()
                              if "truetype" in k and k <= {"truetype", "latin"})))


def _restricted_fonts_conf(path: Path, dirs: tuple[Path, ...], conf_d: Path | None,
                           cache: Path) -> Path:
    """A fonts.conf that knows only ``dirs`` (plus the system's rules, which add no fonts
    but the user's folders, empty in the session's home)."""
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
             "<fontconfig>"]
    lines += [f"  <dir>{escape(str(d))}</dir>" for d in dirs]
    lines.append(f"  <cachedir>{escape(str(cache))}</cachedir>")
    if conf_d is not None:
        lines.append(f'  <include ignore_missing="yes">{escape(str(conf_d))}</include>')
    lines.append("</fontconfig>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def _font_situations(tmp_path_factory: pytest.TempPathFactory,
                     session_home: Path) -> dict[str, FontSituation | str]:
    """Each situation, or the reason it cannot be set up on this machine."""
    scanned = _scan_system_fonts()
    folder = tmp_path_factory.mktemp("font-situations")
    cache = folder / "fontconfig-cache"
    uses_fontconfig = sys.platform not in ("win32", "darwin")
    latin = scanned.latin if scanned is not None else ()
    conf_d = Path("/etc/fonts/conf.d")  # the system's rendering rules and generic aliases
    result: dict[str, FontSituation | str] = {}
    for name in SITUATIONS:
        if name == "bundled":
            dirs: tuple[Path, ...] = ()
        elif scanned is None:
            result[name] = "fontconfig (fc-list) is not installed: the CJK fonts cannot be found"
            continue
        else:
            dirs = scanned.opentype if name == "opentype" else scanned.truetype
            if not dirs:
                result[name] = (f"no {name} CJK font is installed on this machine "
                                f"({_SITUATION_PACKAGES[name]}; .ci/install-system-packages)")
                continue
        conf = None
        if uses_fontconfig:
            conf = _restricted_fonts_conf(folder / f"{name}.conf", dirs + latin,
                                          conf_d if conf_d.is_dir() else None, cache)
        result[name] = FontSituation(name, dirs, conf)
    return result


@pytest.fixture(params=SITUATIONS)
def font_situation(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
                   _font_situations: dict[str, FontSituation | str]) -> FontSituation:
    """Run the test under one font situation (parametrised over all three; see above)."""
    situation = _font_situations[request.param]
    if isinstance(situation, str):
        pytest.skip(situation)
    monkeypatch.setenv("NIANBAO_FONT_DIRS", os.pathsep.join(str(d) for d in situation.font_dirs))
    if situation.fontconfig_file is not None:
        monkeypatch.setenv("FONTCONFIG_FILE", str(situation.fontconfig_file))
    return situation
