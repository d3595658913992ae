"""Bad input: one test each, asserting the message, the exit code, and that nothing was written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import run_kg

GOOD = """\
source:
  id: tip-2006-kazakhstan
  title: "Trafficking in Persons Report 2006: Kazakhstan"
  publisher: U.S. Department of State
  published: 2006-06-05
  period: {start: 2005-01-01, end: 2005-12-31}
  text: 000_e99b225cc022d9a6.txt
  sha256: 90d262109e4caa36598419ea7a4c6b429449d2376b1fc9bccac1f5bc5d2ac585
  license: https://creativecommons.org/publicdomain/mark/1.0/
assertions:
  - id: t-investigations-2005
    kind: indicator
    country: KAZ
    year: 2005
    metric: investigations
    value: 29
    evidence: Police conducted 29 trafficking investigations in 2005
  - id: t-flow
    kind: flow
    origin: Kazakhstan
    destination: [U.A.E., Turkey]
    year: 2005
    evidence: Kazakhstani men, women, and children are trafficked to the U.A.E., Turkey
"""


def _run(
    tmp_path: Path, sources: Path, text: str | bytes, name: str = "bad.yaml"
) -> tuple[int, str, Path]:
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    path = seeds / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "exports"
    out.mkdir(exist_ok=True)
    (out / "tip-kg.ttl").write_text("previous build\n")
    result = run_kg("build", "--seeds", str(seeds), "--sources", str(sources), "--out", str(out))
    assert "Traceback" not in result.stderr
    # nothing is half-written: the previous export is intact and no file was added
    assert sorted(p.name for p in out.iterdir()) == ["tip-kg.ttl"]
    assert (out / "tip-kg.ttl").read_text() == "previous build\n"
    return result.returncode, result.stderr, path


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line of `text` that contains `needle`."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def col_of(text: str, needle: str) -> int:
    """The 1-based column where `needle` starts on its line."""
    return text.splitlines()[line_of(text, needle) - 1].index(needle) + 1


def _has(stderr: str, line: int | None, col: int | None, pattern: str) -> None:
    col_part = rf"{col}" if col is not None else r"\d+"
    line_part = rf"{line}" if line is not None else r"\d+"
    assert re.search(rf"bad\.yaml:{line_part}:{col_part}: error: .*{pattern}", stderr), stderr


def test_good_seed_builds(tmp_path: Path, sources_dir: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.yaml").write_text(GOOD)
    result = run_kg(
        "build",
        "--seeds",
        str(seeds),
        "--sources",
        str(sources_dir),
        "--out",
        str(tmp_path / "out"),
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "tip-kg.ttl").is_file()


@dataclass(frozen=True)
class Bad:
    """One kind of bad input: the file's text and the errors expected, each as the
    needle whose line (and column, a needle or a number) the error must point at."""

    text: str | bytes
    expect: tuple[tuple[str | int | None, str | int | None, str], ...]
    only: bool = False  # the expected errors are the only ones


def _bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{'abcdefghi'[i]}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _swap(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new)


_NOT_UTF8 = _swap("origin: Kazakhstan", "origin: Kazakhstan \x00X")
_MANY = (
    _swap("value: 29", "value: -1")
    .replace("origin: Kazakhstan", "origin: Narnia")
    .replace("metric: investigations", "metric: investigatons")
)

# Every kind of bad input the adversarial review of issue 12 tried, one row each; each must
# give file:line:col, exit 1, no traceback, and leave the previous exports as they were.
BAD: dict[str, Bad] = {
    "malformed-yaml": Bad(_swap("value: 29", "value: [29"), ((None, None, "YAML syntax error"),)),
    "tab-indentation": Bad(
        _swap("    year: 2005\n    metric", "\tyear: 2005\n    metric"),
        (("\tyear", 1, "a tab character where YAML needs spaces.*indent with spaces"),),
    ),
    "duplicate-key": Bad(
        _swap("value: 29", "value: 29\n    value: 30"),
        (("value: 30", 5, r"duplicate key 'value' \(first at line 16\)"),),
    ),
    "unknown-field": Bad(
        _swap("metric: investigations", "metrik: investigations"),
        (("metrik", 5, "unknown field 'metrik'.*did you mean `metric`"),),
    ),
    "unknown-country": Bad(
        _swap("origin: Kazakhstan", "origin: Kazakhstani"),
        (
            (
                "origin:",
                "Kazakhstani",
                "unknown country or region 'Kazakhstani'.*demonym.*Kazakhstan",
            ),
        ),
    ),
    "year-3000": Bad(
        _swap("year: 2005\n    metric", "year: 3000\n    metric"),
        (("3000", "3000", "year 3000 is out of range"),),
    ),
    "negative-count": Bad(
        _swap("value: 29", "value: -29"), (("-29", "-29", "must not be negative"),)
    ),
    "duplicate-id": Bad(
        _swap("id: t-flow", "id: t-investigations-2005"),
        ((18, 5, "assertion id 't-investigations-2005' is used twice"),),
    ),
    "quote-not-in-source": Bad(
        _swap("conducted 29", "conducted 92"),
        (("conducted 92", "Police", "evidence of 't-investigations-2005' is not in the text"),),
    ),
    "python-object-tag": Bad(
        _swap("value: 29", "value: !!python/object/apply:os.system [id]"),
        (
            (
                "!!python",
                "!!python",
                "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
            ),
        ),
    ),
    "empty-file": Bad("", ((1, 1, "the file is empty"),)),
    "not-utf8": Bad(
        _NOT_UTF8.encode().replace(b"\x00X", b"\xff"),
        (("\x00X", "\x00X", "byte 0xff is not valid UTF-8"),),
    ),
    "billion-laughs": Bad(_bomb(), ((1, 4, "anchors and aliases"),), only=True),
    "every-error-at-once": Bad(
        _MANY,
        (
            ("value: -1", 12, "negative"),
            ("Narnia", "Narnia", "Narnia"),
            (
                "investigatons",
                "investigatons",
                "unknown metric 'investigatons'.*did you mean investigations",
            ),
        ),
    ),
    "sha256-mismatch": Bad(_swap("90d26", "00d26"), (("sha256", 3, "has SHA-256 90d26"),)),
    "missing-required-field": Bad(
        _swap("    metric: investigations\n", ""),
        (("id: t-investigations", 5, "missing the required field `metric`"),),
    ),
    "unknown-kind": Bad(
        _swap("kind: indicator", "kind: indicatr"),
        (("indicatr", "indicatr", "unknown kind 'indicatr'.*`indicator`"),),
    ),
    "year-not-a-number": Bad(
        _swap("year: 2005\n    metric", "year: soon\n    metric"),
        (("soon", "soon", "`year` 'soon' is not a year"),),
    ),
    "list-for-one-value": Bad(
        _swap("metric: investigations", "metric: [investigations, x]"),
        (("metric:", "[", "`metric` takes one value, not a list"),),
    ),
    "empty-value": Bad(
        _swap("metric: investigations", "metric:"), (("metric:", None, "`metric` is empty"),)
    ),
    "bad-id": Bad(
        _swap("id: t-flow", "id: T Flow!"),
        (("T Flow!", "T Flow!", "id 'T Flow!' is not a valid identifier"),),
    ),
    "unknown-concept": Bad(
        _swap("metric: investigations", "metric: arrestz"),
        (("arrestz", "arrestz", "unknown metric 'arrestz'"),),
    ),
    "period-reversed": Bad(
        _swap("end: 2005-12-31}", "end: 2004-12-31}"),
        (("period:", "{", "`period` ends before it starts"),),
    ),
    "impossible-date": Bad(
        _swap("published: 2006-06-05", "published: 2006-13-05"),
        (("published:", "2006-13", "month 13 in `published` does not exist"),),
    ),
    "empty-evidence": Bad(
        _swap("evidence: Police conducted 29 trafficking investigations in 2005", "evidence: ''"),
        (("evidence: ''", "''", "`evidence` is empty"),),
    ),
    "two-documents": Bad(
        GOOD + "---\nsource: {}\n", (("---", 1, "YAML syntax error: .*another document"),)
    ),
    "assertions-not-a-list": Bad(
        GOOD.split("assertions:")[0] + "assertions: 7\n",
        (("assertions:", 13, "`assertions:` must be a list"),),
    ),
    "not-a-mapping": Bad("- 1\n- 2\n", ((1, 1, "must be a mapping with `source:`"),)),
    "complex-key": Bad(
        _swap("    value: 29", "    ? [a, b]\n    : 29"),
        (("? [a, b]", "[", "a mapping key must be a plain name"),),
    ),
    "number-too-large": Bad(
        _swap("value: 29", "value: " + "9" * 400),
        (("value: 999", "999", "`value` 9+... is too large"),),
    ),
    "nested-too-deep": Bad(
        _swap("value: 29", "value: " + "[" * 5000 + "]" * 5000),
        (("value: [[[", None, "YAML syntax error: exceeded maximum nesting depth"),),
    ),
    "internal-elsewhere": Bad(
        _swap("destination: [U.A.E., Turkey]", "destination: [U.A.E., Turkey]\n    internal: true"),
        (("destination:", 5, "an internal flow must have its origin as destination"),),
    ),
    "control-character": Bad(
        _swap("origin: Kazakhstan", "origin: Kaz\x07akhstan"),
        (("Kaz\x07", "\x07", "character U\\+0007 is not allowed"),),
    ),
    "no-source-section": Bad(
        "assertions:" + GOOD.split("assertions:")[1], ((1, 1, "the file has no `source:` section"),)
    ),
    "source-not-a-mapping": Bad(
        "source: just text\nassertions: []\n", ((1, 9, "`source:` must be a mapping"),)
    ),
    "unknown-source-field": Bad(
        _swap("  license:", "  licence: x\n  license:"),
        (("licence", 3, "unknown field 'licence' in the source header.*did you mean `license`"),),
    ),
    "sha256-not-hex": Bad(
        _swap("sha256: 90d2", "sha256: zz90d2"),
        (("sha256", "zz", "`sha256` must be 64 lower-case hex digits"),),
    ),
    # issue 12, item 5: a transit equal to a later origin made the route TUR -> TUR -> ARE
    "issue12-transit-is-an-origin": Bad(
        _swap("origin: Kazakhstan", "origin: [Kazakhstan, Turkey]\n    transit: [Turkey]"),
        (
            (
                "transit:",
                5,
                "a route passes the same place twice: .*Türkiye → Türkiye → United Arab Emirates",
            ),
        ),
        only=True,
    ),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input(name: str, tmp_path: Path, sources_dir: Path) -> None:
    case = BAD[name]
    code, err, _ = _run(tmp_path, sources_dir, case.text)
    assert code == 1, err
    shown = case.text if isinstance(case.text, str) else _NOT_UTF8
    for line, col, pattern in case.expect:
        at_line = line_of(shown, line) if isinstance(line, str) else line
        at_col = col_of(shown, col) if isinstance(col, str) else col
        _has(err, at_line, at_col, pattern)
    if case.only:
        assert err.count(": error: ") == len(case.expect), err


def test_utf8_bom_is_accepted(tmp_path: Path, sources_dir: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    result = run_kg("validate", "--seeds", str(seeds), "--sources", str(sources_dir))
    assert result.returncode == 0, result.stderr
    assert "2 quotes checked" in result.stdout


@pytest.mark.parametrize("args", [["--seeds", "/nonexistent/seeds"], ["--frobnicate"]])
def test_usage_and_io_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    result = run_kg("validate", *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr


def test_debug_shows_traceback(tmp_path: Path) -> None:
    result = run_kg("--debug", "validate", "--seeds", "/nonexistent/seeds")
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_unchecked_quotes_are_not_passed(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.yaml").write_text(GOOD)
    result = run_kg("validate", "--seeds", str(seeds), env={"KG_SOURCES": ""})
    assert result.returncode == 0
    assert "0 quotes checked, 2 QUOTES UNCHECKED" in result.stdout
    assert "unchecked: no source directory given" in result.stderr


def test_issue13_strict_refuses_unchecked_quotes(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.yaml").write_text(GOOD)
    out = tmp_path / "out"
    result = run_kg(
        "build", "--strict", "--seeds", str(seeds), "--out", str(out), env={"KG_SOURCES": ""}
    )
    assert result.returncode == 1, result.stderr
    assert re.search(
        r"good\.yaml:\d+:\d+: error: quotes of source 'tip-2006-kazakhstan' are "
        r"unchecked: no source directory given \(refused by --strict\)",
        result.stderr,
    ), result.stderr
    assert not out.exists()
    # without --strict the same build writes, and its summary line says so in capitals
    result = run_kg("build", "--seeds", str(seeds), "--out", str(out), env={"KG_SOURCES": ""})
    assert result.returncode == 0, result.stderr
    assert "2 QUOTES UNCHECKED" in result.stdout and (out / "tip-kg.nt").is_file()
