"""Robustness: random bytes and random damage to a valid workbook give only clean outcomes.

In process, reading and checking a file either returns a result or raises
:class:`~generator.errors.InputError`; any other exception is a bug.  Through the command line
(fewer examples: each one starts an interpreter), ``nianbao check`` exits 0, 1 or 2 with no
traceback and no "内部错误".  Example counts are bounded so CI stays fast.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from generator.app import check as check_workbook
from generator.errors import InputError

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
_spec = importlib.util.spec_from_file_location("make_corpus", TESTS / "bad_inputs" / "make_corpus.py")
make_corpus = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("make_corpus", make_corpus)
_spec.loader.exec_module(make_corpus)

VALID = make_corpus.workbook_bytes(make_corpus.filled_workbook())
ENTRIES = make_corpus.zip_parts(VALID)
XML_PARTS = [e.name for e in ENTRIES if e.name.endswith((".xml", ".rels"))]

#: CI runs a fixed, small set of examples; NIANBAO_FUZZ=500 explores more (and at random).
_DEEP = int(os.environ.get("NIANBAO_FUZZ", "0"))
FAST = settings(max_examples=_DEEP or 60, deadline=None, derandomize=not _DEEP,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: Each example of these writes a whole workbook with openpyxl (~0.5 s): fewer of them.
WORKBOOKS = settings(FAST, max_examples=_DEEP or 20)
CLI = settings(max_examples=max(8, _DEEP // 20), deadline=None, derandomize=not _DEEP,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def clean_outcome(data: bytes, name: str = "input.xlsx") -> str:
    """Check ``data`` as a workbook file: "checked" or "refused"; anything else raises."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(data)
        try:
            check_workbook(path)
        except InputError as error:
            assert name in str(error)
            return "refused"
        finally:
            assert path.read_bytes() == data  # the input is never written
        return "checked"


# ---------------------------------------------------------------------------
# Strategies: ways to damage the valid workbook.

flips = st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(1, 255)),
                 min_size=1, max_size=8)


def flip_bytes(changes: list[tuple[int, int]]) -> bytes:
    data = bytearray(VALID)
    for position, mask in changes:
        data[position] ^= mask
    return bytes(data)


def rezip(replaced: dict[str, bytes | None]) -> bytes:
    """The valid workbook with some parts replaced (None drops the part), CRCs correct."""
    entries = [make_corpus.RawEntry(e.name, replaced[e.name]) if e.name in replaced else e
               for e in ENTRIES if replaced.get(e.name, b"") is not None]
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / "x.xlsx"
        make_corpus.write_zip(target, entries)
        return target.read_bytes()


@st.composite
def corrupted_xml(draw: st.DrawFn) -> bytes:
    name = draw(st.sampled_from(XML_PARTS))
    xml = next(e.data for e in ENTRIES if e.name == name)
    at = draw(st.integers(0, len(xml)))
    how = draw(st.sampled_from(["truncate", "insert", "overwrite", "delete", "tag"]))
    junk = draw(st.binary(min_size=1, max_size=40))
    if how == "truncate":
        xml = xml[:at]
    elif how == "insert":
        xml = xml[:at] + junk + xml[at:]
    elif how == "overwrite":
        xml = xml[:at] + junk + xml[at + len(junk):]
    elif how == "delete":
        xml = xml[:at] + xml[at + draw(st.integers(1, 200)):]
    else:  # an element renamed: well-formed text, unexpected structure
        xml = xml.replace(b"<c ", b"<q ", draw(st.integers(1, 50)))
    return rezip({name: xml})


dropped_part = st.sampled_from([e.name for e in ENTRIES]).map(lambda name: rezip({name: None}))

cell_values = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.decimals(allow_nan=False, places=6),
    st.text(max_size=60), st.dates(min_value=date(1900, 3, 1)),
    st.sampled_from(["#REF!", "#DIV/0!", "#N/A", "#VALUE!", "=1/0", "=SUM(A1:A3)", "１２３",
                     "1,234", "-", "—", "不适用", " 7 ", "=A1", "='[x.xlsx]S'!A1"]),
)


def with_values(values: list[tuple[int, object]]) -> bytes:
    """The valid workbook with some input cells of 表三/表二/表四 set to odd values."""
    from generator.form import TABLES
    from generator.report.layout import default_field_address

    wb = make_corpus.filled_workbook()
    fields = [f for t in TABLES for f in t.fields]
    for index, value in values:
        address = default_field_address(fields[index % len(fields)])
        if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
            value = str(value)  # openpyxl cannot write NaN/inf as numbers; Excel cannot either
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)  # not storable in a cell at all
        wb[address.sheet].cell(address.row, address.col).value = value
    return make_corpus.workbook_bytes(wb)


odd_values = st.lists(st.tuples(st.integers(0, 500), cell_values), min_size=1, max_size=6)


# ---------------------------------------------------------------------------
# In process.


@FAST
@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    assert clean_outcome(data) == "refused"


@FAST
@given(st.binary(max_size=2048))
def test_random_bytes_behind_a_zip_signature(data: bytes) -> None:
    assert clean_outcome(b"PK\x03\x04" + data) == "refused"


@FAST
@given(flips)
def test_flipped_bytes(changes: list[tuple[int, int]]) -> None:
    clean_outcome(flip_bytes(changes))


@FAST
@given(corrupted_xml())
def test_corrupted_xml(data: bytes) -> None:
    clean_outcome(data)


@settings(max_examples=len(ENTRIES), deadline=None, derandomize=True)
@given(dropped_part)
def test_dropped_part(data: bytes) -> None:
    clean_outcome(data)


@WORKBOOKS
@given(odd_values)
@example([(41, -1.7976931348623157e+308)])  # read back as -inf: crashed int() once
def test_odd_values_in_number_cells(values: list[tuple[int, object]]) -> None:
    clean_outcome(with_values(values))


def test_the_damage_is_real() -> None:
    """The strategies do damage: the undamaged workbook checks clean, a damaged one not."""
    assert clean_outcome(VALID) == "checked"
    from generator.form import TABLES
    from generator.report.layout import default_field_address

    first = str(default_field_address([f for t in TABLES for f in t.fields][0]))
    result = check_workbook_bytes(with_values([(0, "二十二")]))
    assert any(f.rule == "V-3" and first in f.cells for f in result.findings)
    with zipfile.ZipFile(__import__("io").BytesIO(rezip({"xl/workbook.xml": None}))) as archive:
        assert "xl/workbook.xml" not in archive.namelist()


def check_workbook_bytes(data: bytes):  # noqa: ANN201 - CheckResult, imported lazily
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "x.xlsx"
        path.write_bytes(data)
        return check_workbook(path)


# ---------------------------------------------------------------------------
# Through the command line.

def _cli_check(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "input.xlsx"
        path.write_bytes(data)
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        done = subprocess.run([sys.executable, "-m", "generator", "check", str(path)],
                              cwd=directory, env=env, capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)
        output = done.stdout + done.stderr
        assert done.returncode in (0, 1, 2), output
        assert "Traceback" not in output and "内部错误" not in output, output
        if done.returncode == 2:
            assert "input.xlsx" in output
        assert path.read_bytes() == data
        assert sorted(os.listdir(directory)) == ["input.xlsx"]


@CLI
@given(st.one_of(st.binary(max_size=512), flips.map(flip_bytes), corrupted_xml(), dropped_part,
                 odd_values.map(with_values)))
def test_check_command_exits_cleanly(data: bytes) -> None:
    _cli_check(data)
