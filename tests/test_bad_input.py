"""Bad input: one test each, asserting the message, the exit code, and that nothing was written."""

from __future__ import annotations

import re
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


def _run(tmp_path: Path, sources: Path, text: str | bytes,
         name: str = "bad.yaml") -> tuple[int, str, Path]:
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
    result = run_kg("build", "--seeds", str(seeds), "--sources", str(sources_dir),
                    "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "tip-kg.ttl").is_file()


def test_malformed_yaml(tmp_path: Path, sources_dir: Path) -> None:
    code, err, _ = _run(tmp_path, sources_dir, GOOD.replace("value: 29", "value: [29"))
    assert code == 1
    _has(err, None, None, "YAML syntax error")


def test_tab_indentation(tmp_path: Path, sources_dir: Path) -> None:
    text = GOOD.replace("    year: 2005\n    metric", "\tyear: 2005\n    metric")
    code, err, _ = _run(tmp_path, sources_dir, text)
    assert code == 1
    assert "indent with spaces" in err, err
    _has(err, line_of(text, "\tyear"), 1, "a tab character where YAML needs spaces")


def test_duplicate_key(tmp_path: Path, sources_dir: Path) -> None:
    text = GOOD.replace("value: 29", "value: 29\n    value: 30")
    code, err, _ = _run(tmp_path, sources_dir, text)
    assert code == 1
    first = line_of(text, "value: 29")
    _has(err, line_of(text, "value: 30"), 5, rf"duplicate key 'value' \(first at line {first}\)")


def test_unknown_field(tmp_path: Path, sources_dir: Path) -> None:
    text = GOOD.replace("metric: investigations", "metrik: investigations")
    code, err, _ = _run(tmp_path, sources_dir, text)
    assert code == 1
    _has(err, line_of(text, "metrik"), 5, "unknown field 'metrik'.*did you mean `metric`")


def test_unknown_country(tmp_path: Path, sources_dir: Path) -> None:
    text = GOOD.replace("origin: Kazakhstan", "origin: Kazakhstani")
    code, err, _ = _run(tmp_path, sources_dir, text)
    assert code == 1
    _has(err, line_of(text, "origin:"), col_of(text, "Kazakhstani"),
         "unknown country or region 'Kazakhstani'.*demonym.*Kazakhstan")


def test_year_3000(tmp_path: Path, sources_dir: Path) -> None:
    text = GOOD.replace("year: 2005\n    metric", "year: 3000\n    metric")
    code, err, _ = _run(tmp_path, sources_dir, text)
    assert code == 1
    _has(err, line_of(text, "3000"), col_of(text, "3000"), "year 3000 is out of range")


def test_negative_count(tmp_path: Path, sources_dir: Path) -> None:
    text = GOOD.replace("value: 29", "value: -29")
    code, err, _ = _run(tmp_path, sources_dir, text)
    assert code == 1
    _has(err, line_of(text, "-29"), col_of(text, "-29"), "must not be negative")


def test_duplicate_id(tmp_path: Path, sources_dir: Path) -> None:
    text = GOOD.replace("id: t-flow", "id: t-investigations-2005")
    code, err, _ = _run(tmp_path, sources_dir, text)
    assert code == 1
    _has(err, line_of(GOOD, "id: t-flow"), 5, "assertion id 't-investigations-2005' is used twice")


def test_quote_not_in_source(tmp_path: Path, sources_dir: Path) -> None:
    text = GOOD.replace("conducted 29", "conducted 92")
    code, err, _ = _run(tmp_path, sources_dir, text)
    assert code == 1
    _has(err, line_of(text, "conducted 92"), col_of(text, "Police"),
         "evidence of 't-investigations-2005' is not in the text")


def test_python_object_tag(tmp_path: Path, sources_dir: Path) -> None:
    text = GOOD.replace("value: 29", "value: !!python/object/apply:os.system [id]")
    code, err, _ = _run(tmp_path, sources_dir, text)
    assert code == 1
    _has(err, line_of(text, "!!python"), col_of(text, "!!python"),
         "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed")


def test_empty_file(tmp_path: Path, sources_dir: Path) -> None:
    code, err, _ = _run(tmp_path, sources_dir, "")
    assert code == 1
    _has(err, 1, 1, "the file is empty")


def test_bytes_not_utf8(tmp_path: Path, sources_dir: Path) -> None:
    text = GOOD.replace("origin: Kazakhstan", "origin: Kazakhstan \x00X")
    raw = text.encode().replace(b"\x00X", b"\xff")
    code, err, _ = _run(tmp_path, sources_dir, raw)
    assert code == 1
    _has(err, line_of(text, "\x00X"), col_of(text, "\x00X"), "byte 0xff is not valid UTF-8")


def test_billion_laughs(tmp_path: Path, sources_dir: Path) -> None:
    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        bomb.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    code, err, _ = _run(tmp_path, sources_dir, "\n".join(bomb) + "\n")
    assert code == 1
    _has(err, 1, 4, "anchors and aliases")
    assert err.count("error:") == 1, err


def test_utf8_bom_is_accepted(tmp_path: Path, sources_dir: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    result = run_kg("validate", "--seeds", str(seeds), "--sources", str(sources_dir))
    assert result.returncode == 0, result.stderr
    assert "2 quotes checked" in result.stdout


def test_every_error_at_once(tmp_path: Path, sources_dir: Path) -> None:
    text = (GOOD.replace("value: 29", "value: -1").replace("origin: Kazakhstan", "origin: Narnia")
            .replace("metric: investigations", "metric: investigatons"))
    code, err, _ = _run(tmp_path, sources_dir, text)
    assert code == 1
    _has(err, line_of(text, "value: -1"), col_of(text, "value: -1") + 7, "negative")
    _has(err, line_of(text, "Narnia"), col_of(text, "Narnia"), "Narnia")
    _has(err, line_of(text, "investigatons"), col_of(text, "investigatons"),
         "unknown metric 'investigatons'.*did you mean investigations")


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
    assert "0 quotes checked, 2 quotes UNCHECKED" in result.stdout
    assert "unchecked: no source directory given" in result.stderr


def test_sha256_mismatch(tmp_path: Path, sources_dir: Path) -> None:
    text = GOOD.replace("90d26", "00d26")
    code, err, _ = _run(tmp_path, sources_dir, text)
    assert code == 1
    _has(err, line_of(text, "sha256"), 3, "has SHA-256 90d26")
