"""The seed loader under mutation: a real seed file, broken at random, never crashes a run.

Part of the standing reliability suite (issue 12). Each example mutates the curated 2006
TIP seed file (lines dropped, doubled, swapped, re-indented; values replaced by hostile
tokens; bytes flipped; the file cut short) and runs the whole validation on it in-process.
Whatever the input, the run ends in a report whose every finding points into the file,
and a file that validates also builds. Bounded: a fixed number of examples, no deadline.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg
from tests.conftest import SEEDS, SOURCES, have_sources

ORIGINAL = (SEEDS / "tip-2006-kazakhstan.yaml").read_bytes()
LINES = ORIGINAL.split(b"\n")

TOKENS = [
    "",
    "-1",
    "[",
    "]",
    "{",
    "}",
    "null",
    "~",
    "!!python/object/apply:os.system [id]",
    "&a x",
    "*a",
    "'unterminated",
    '"x',
    "2005-02-30",
    "9" * 30,
    "Narnia",
    "yes",
    "0x1F",
    "1e9",
    "\t",
    "@",
    "|",
    ">",
    "- ",
    ":",
    "#",
    "[KAZ, KAZ]",
    "Kazakhstan",
    "{start: 2006, end: 2005}",
    "!!binary aGk=",
    "<<: *a",
    "? [x]",
    "\u202e",
    "\x00",
]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            lines = [b""]
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(
            st.sampled_from(["drop", "double", "swap", "value", "indent", "byte", "insert", "cut"])
        )
        if op == "drop":
            del lines[i]
        elif op == "double":
            lines.insert(i, lines[i])
        elif op == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif op == "value" and b":" in lines[i]:
            key = lines[i].split(b":", 1)[0]
            lines[i] = key + b": " + draw(st.sampled_from(TOKENS)).encode("utf-8")
        elif op == "indent":
            lines[i] = (b"  " + lines[i]) if draw(st.booleans()) else lines[i][2:]
        elif op == "byte" and lines[i]:
            j = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:j] + bytes([draw(st.integers(0, 255))]) + lines[i][j + 1 :]
        elif op == "insert":
            lines.insert(i, draw(st.text(max_size=40)).encode("utf-8", "surrogatepass"))
        elif op == "cut":
            lines = lines[: max(1, i)]
    return b"\n".join(lines)


@given(mutated())
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_mutation_of_a_seed_file_gives_a_located_report(tmp_path_factory, raw: bytes) -> None:
    assert have_sources(), f"the source texts are not at {SOURCES}"
    work = tmp_path_factory.mktemp("fuzz")
    seeds = work / "seeds"
    seeds.mkdir()
    path = seeds / "mutant.yaml"
    path.write_bytes(raw)
    result = kg.validate(seeds, sources_dir=SOURCES, cache_dir=False, jobs=1)
    for finding in result.report.findings:
        assert finding.location is not None, finding
        assert Path(finding.location.path).name == "mutant.yaml", finding.render()
        assert finding.message
    if result.report.ok:
        out = work / "out"
        built = kg.build(seeds, out, sources_dir=SOURCES, cache_dir=False, jobs=1)
        assert (out / "tip-kg.nt").stat().st_size > 0, built
