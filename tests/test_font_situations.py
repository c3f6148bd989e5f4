"""The test environment of tests/conftest.py is what it claims: in each font situation,
fontconfig (as LibreOffice sees it through FONTCONFIG_FILE) lists exactly the CJK fonts of
the situation; the home folders point into the session's temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FontSituation

needs_fc_list = pytest.mark.skipif(
    shutil.which("fc-list") is None,
    reason="fontconfig (fc-list) is not installed; .ci/install-system-packages installs it")


def cjk_formats() -> set[str]:
    """The outline formats of the CJK fonts fontconfig lists in the current environment."""
    done = subprocess.run(["fc-list", ":lang=zh-cn", "--format", "%{fontformat}\n"],
                          capture_output=True, text=True, check=True, env=dict(os.environ))
    return set(done.stdout.split())


@needs_fc_list
def test_each_situation_shows_only_its_cjk_fonts(font_situation: FontSituation) -> None:
    assert font_situation.fontconfig_file is not None
    expected = {"bundled": set(), "opentype": {"CFF"}, "truetype": {"TrueType"}}
    assert cjk_formats() == expected[font_situation.name]
    dirs = os.environ["NIANBAO_FONT_DIRS"]
    assert dirs == os.pathsep.join(str(d) for d in font_situation.font_dirs)
    assert (dirs == "") == font_situation.bundled
    assert all(Path(d).is_dir() for d in font_situation.font_dirs)


def test_the_environment_points_into_the_session_folder(session_home: Path) -> None:
    """No test reads the developer's font configuration or writes into the real home."""
    base = session_home.parent
    for name in ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "APPDATA",
                 "LOCALAPPDATA", "NIANBAO_CACHE_DIR"):
        assert Path(os.environ[name]).is_relative_to(base), name
    assert Path.home() == session_home
