"""Mutation fuzz of ``check``: damage the example workbook many ways, count crashes.

Each case takes ``inputs/example-2025.xlsx`` and applies one seeded mutation:

* ``bytes``  — flip, delete, insert or duplicate a few raw bytes, or truncate the file;
* ``xml``    — rewrite one XML part (CRCs correct, so the damage reaches the parser): cut or
  repeat a stretch, insert hostile markup (DOCTYPE, huge row numbers, odd cell types, …);
* ``value``  — give a cell an odd value: ``1e999``, ``NaN``, 400 digits, ``-0``, a bidi
  control, an array formula, a wrong ``t=`` type, …

and runs the checker on it in process.  A clean outcome is a result (findings) or an
:class:`~generator.errors.InputError`; anything else is a crash, and so is a case that runs
past ``--timeout`` seconds (a hang).  Crashing inputs are written to ``--save`` for replay.

    python bench/fuzz_check.py --n 50000 --jobs 2
    python bench/fuzz_check.py --replay crashes/case-123.xlsx

The CI test (tests/test_red_team.py) runs a few hundred cases of the same generator.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import random
import re
import signal
import sys
import tempfile
import time
import traceback
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

EXAMPLE = REPO / "inputs" / "example-2025.xlsx"

ODD_VALUES = (
    "1e999", "-1e999", "1E308", "1e20", "NaN", "nan", "inf", "-0", "0.0000001", "2025.5",
    "-2025", "9999", "99999999999999999999", "9" * 400, "", " ", "1,234", "１２３", "0x10",
    "1_000", "+5", ".5", "5.", "1e-999", "\u202e12", "12\u200b", "[/red]4", "[/]", "#DIV/0!",
    "TRUE", "45000", "-1", "3.14159265358979323846264338327950288", "&#x41;", "2147483648",
)
CELL_TYPES = ("n", "s", "b", "e", "str", "inlineStr", "d", "x", "")
HOSTILE_MARKUP = (
    '<!DOCTYPE x [<!ENTITY e "e">]>', '<row r="99999999">', '<row r="0"/>', '<row r="-1"/>',
    '<c r="XFD1048577" t="s"><v>999999</v></c>', '<c r="A0"><v>1</v></c>',
    '<c r="ZZZZ1"><v>1</v></c>', '<c t="s"><v>-1</v></c>', '<c r="B3" t="d"><v>garbage</v></c>',
    '<mergeCell ref="A1:XFD1048576"/>', '<mergeCell ref="B2:A1"/>', '<f t="array" ref="A1:B2">1</f>',
    '<f t="shared" si="99"/>', '<v>1e999</v>', "&#0;", "&#xD800;", "&bogus;", "<![CDATA[x]]>",
    '<definedName name="x">\'表三\'!$Z$99999</definedName>', '<sheet name="" sheetId="0" r:id="rId99"/>',
    "\x00", "\ufeff", "<?xml version='1.0' encoding='utf-7'?>", "</worksheet>", "<worksheet>",
)


@dataclass(frozen=True)
class Outcome:
    kind: str  # "checked", "refused", "crash", "hang"
    detail: str = ""


# ---------------------------------------------------------------------------
# Mutations


def _parts(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def _zip(parts: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, blob in parts:
            archive.writestr(info.filename, blob)
    return buffer.getvalue()


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    how = rng.choice(("flip", "flip", "delete", "insert", "duplicate", "truncate"))
    if how == "truncate":
        return bytes(out[:rng.randrange(len(out))])
    for _ in range(rng.randint(1, 8)):
        position = rng.randrange(len(out))
        if how == "flip":
            out[position] ^= rng.randint(1, 255)
        elif how == "delete":
            del out[position:position + rng.randint(1, 16)]
        elif how == "insert":
            out[position:position] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        else:
            out[position:position] = out[position:position + rng.randint(1, 64)]
    return bytes(out)


def mutate_xml(data: bytes, rng: random.Random, parts: list | None = None) -> bytes:
    parts = list(parts or _parts(data))
    xml_indexes = [i for i, (info, _) in enumerate(parts)
                   if info.filename.endswith((".xml", ".rels"))]
    index = rng.choice(xml_indexes)
    info, blob = parts[index]
    text = blob.decode("utf-8", errors="replace")
    for _ in range(rng.randint(1, 3)):
        if not text:
            break
        start = rng.randrange(len(text))
        end = min(len(text), start + rng.randint(1, 200))
        how = rng.choice(("cut", "repeat", "markup", "markup", "number", "swap"))
        if how == "cut":
            text = text[:start] + text[end:]
        elif how == "repeat":
            text = text[:end] + text[start:end] * rng.randint(2, 50) + text[end:]
        elif how == "markup":
            tag = text.find("<", start)
            at = tag if tag != -1 else start
            text = text[:at] + rng.choice(HOSTILE_MARKUP) + text[at:]
        elif how == "number":
            numbers = list(re.finditer(r"\d+", text))
            if numbers:
                match = rng.choice(numbers)
                value = rng.choice(("0", "-1", "99999999", "1048577", "16385", "9" * 30, ""))
                text = text[:match.start()] + value + text[match.end():]
        else:
            other = rng.randrange(len(text))
            a, b = sorted((start, other))
            text = text[:a] + text[b:b + 50] + text[a + 50:b] + text[a:a + 50] + text[b + 50:]
    parts[index] = (info, text.encode("utf-8"))
    return _zip(parts)


def mutate_value(data: bytes, rng: random.Random, parts: list | None = None) -> bytes:
    parts = list(parts or _parts(data))
    sheets = [i for i, (info, _) in enumerate(parts)
              if info.filename.startswith("xl/worksheets/sheet") or
              info.filename == "xl/sharedStrings.xml"]
    index = rng.choice(sheets)
    info, blob = parts[index]
    text = blob.decode("utf-8")
    for _ in range(rng.randint(1, 4)):
        how = rng.choice(("value", "value", "type", "formula"))
        if how == "value":
            values = list(re.finditer(r"<(v|t)( [^>]*)?>([^<]*)</\1>", text))
            if values:
                match = rng.choice(values)
                odd = rng.choice(ODD_VALUES).replace("&", "&amp;") if "&#" not in match[0] \
                    else rng.choice(ODD_VALUES)
                text = text[:match.start(3)] + odd + text[match.end(3):]
        elif how == "type":
            cells = list(re.finditer(r"<c r=\"[A-Z]+\d+\"", text))
            if cells:
                match = rng.choice(cells)
                text = (text[:match.end()] + f' t="{rng.choice(CELL_TYPES)}"'
                        + re.sub(r'^ t="[^"]*"', "", text[match.end():]))
        else:
            values = list(re.finditer(r"<v>([^<]*)</v>", text))
            if values:
                match = rng.choice(values)
                formula = rng.choice(('<f t="array" ref="A1">SUM(1)</f>', "<f>1/0</f>",
                                      '<f t="shared" si="0"/>', "<f></f>"))
                text = text[:match.start()] + formula + text[match.start():]
    parts[index] = (info, text.encode("utf-8"))
    return _zip(parts)


MUTATORS = ("bytes", "xml", "value")


def make_case(base: bytes, seed: int, parts: list | None = None) -> tuple[str, bytes]:
    rng = random.Random(seed)
    kind = MUTATORS[seed % len(MUTATORS)]
    if kind == "bytes":
        return kind, mutate_bytes(base, rng)
    if kind == "xml":
        return kind, mutate_xml(base, rng, parts)
    return kind, mutate_value(base, rng, parts)


# ---------------------------------------------------------------------------
# Running


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang()


def check_bytes(data: bytes, directory: Path, timeout: float = 0) -> Outcome:
    """Check ``data`` as a workbook in process: checked, refused, crash or hang."""
    from generator.app import check as check_workbook
    from generator.errors import InputError

    path = directory / "case.xlsx"
    path.write_bytes(data)
    if timeout and hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        result = check_workbook(path)
        _print(result.findings)  # as `nianbao check` shows them: markup, odd characters
        return Outcome("checked")
    except InputError:
        return Outcome("refused")
    except _Hang:
        return Outcome("hang", f"ran past {timeout:g} s")
    except Exception as error:  # noqa: BLE001 - a crash is what we count
        frame = traceback.extract_tb(error.__traceback__)[-1]
        return Outcome("crash", f"{type(error).__name__}: {error} "
                                f"({Path(frame.filename).name}:{frame.lineno})"[:300])
    finally:
        if timeout and hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)


def _print(findings: object) -> None:
    from rich.console import Console

    from generator.cli.output import print_findings

    stream = io.StringIO()
    console = Console(file=stream, width=160, no_color=True, markup=False, emoji=False,
                      highlight=False)
    print_findings(findings, console=console)  # type: ignore[arg-type]
    stream.getvalue().encode("gbk", errors="backslashreplace")


_BASE: bytes = b""
_PARTS: list = []
_DIR: Path | None = None
_TIMEOUT = 0.0


def _init(base: bytes, timeout: float) -> None:
    global _BASE, _PARTS, _DIR, _TIMEOUT
    _BASE, _PARTS, _TIMEOUT = base, _parts(base), timeout
    _DIR = Path(tempfile.mkdtemp(prefix="nianbao-fuzz-"))
    import warnings

    warnings.simplefilter("ignore")


def _run_one(seed: int) -> tuple[int, str, Outcome]:
    assert _DIR is not None
    kind, data = make_case(_BASE, seed, _PARTS)
    return seed, kind, check_bytes(data, _DIR, _TIMEOUT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="mutations to run")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per case (hang)")
    parser.add_argument("--save", type=Path, default=None, help="folder for crashing inputs")
    parser.add_argument("--replay", type=Path, default=None, help="check one saved input")
    args = parser.parse_args(argv)

    if args.replay:
        with tempfile.TemporaryDirectory() as directory:
            print(check_bytes(args.replay.read_bytes(), Path(directory), args.timeout))
        return 0

    base = EXAMPLE.read_bytes()
    counts: Counter[tuple[str, str]] = Counter()
    signatures: Counter[str] = Counter()
    examples: dict[str, int] = {}
    started = time.monotonic()
    seeds = range(args.seed, args.seed + args.n)
    with multiprocessing.Pool(args.jobs, initializer=_init, initargs=(base, args.timeout)) as pool:
        for done, (seed, kind, outcome) in enumerate(pool.imap_unordered(_run_one, seeds, 16), 1):
            counts[(kind, outcome.kind)] += 1
            if outcome.kind in ("crash", "hang"):
                signatures[outcome.detail] += 1
                examples.setdefault(outcome.detail, seed)
                if args.save:
                    args.save.mkdir(parents=True, exist_ok=True)
                    (args.save / f"case-{seed}.xlsx").write_bytes(make_case(base, seed)[1])
            if done % 1000 == 0:
                bad = sum(v for (_, k), v in counts.items() if k in ("crash", "hang"))
                print(f"{done}/{args.n} cases, {bad} crashes/hangs, "
                      f"{time.monotonic() - started:.0f} s", flush=True)
    elapsed = time.monotonic() - started
    crashes = sum(v for (_, k), v in counts.items() if k == "crash")
    hangs = sum(v for (_, k), v in counts.items() if k == "hang")
    print(f"\n{args.n} mutations in {elapsed:.0f} s on {args.jobs} processes "
          f"(seeds {args.seed}..{args.seed + args.n - 1})")
    for kind in MUTATORS:
        row = {k: counts[(kind, k)] for k in ("checked", "refused", "crash", "hang")}
        print(f"  {kind:6} " + "  ".join(f"{k} {v}" for k, v in row.items()))
    print(f"crashes: {crashes}  hangs: {hangs}")
    for detail, count in signatures.most_common(20):
        print(f"  {count:5} × {detail}  (seed {examples[detail]})")
    return 1 if crashes or hangs else 0


if __name__ == "__main__":
    sys.exit(main())
