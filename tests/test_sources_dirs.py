"""Several source text directories (`--sources A:B`, `KG_SOURCES=A:B`), looked up in order.

Curated texts and the published datasets live in different directories; the quote check
must reach both, and a typo in any one of them must not switch the check off.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import FIXTURE_SEEDS, FIXTURE_SOURCES, run_kg


def _split_texts(tmp_path: Path) -> tuple[Path, Path]:
    """The fixture texts spread over two directories: the first file in `a`, the rest in `b`."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    texts = sorted(FIXTURE_SOURCES.glob("*.txt"))
    assert len(texts) >= 2
    shutil.copy(texts[0], a / texts[0].name)
    for text in texts[1:]:
        shutil.copy(text, b / text.name)
    return a, b


def test_sources_list_reaches_texts_in_every_directory(tmp_path: Path) -> None:
    a, b = _split_texts(tmp_path)
    one = run_kg("validate", "--seeds", str(FIXTURE_SEEDS), "--sources", str(a))
    assert one.returncode == 0, one.stderr
    assert "UNCHECKED" in one.stdout  # one directory alone leaves quotes unchecked
    both = run_kg("validate", "--seeds", str(FIXTURE_SEEDS), "--sources", f"{a}:{b}")
    assert both.returncode == 0, both.stderr
    whole = run_kg("validate", "--seeds", str(FIXTURE_SEEDS), "--sources", str(FIXTURE_SOURCES))
    assert "UNCHECKED" not in both.stdout and "not found" not in both.stderr, both.stdout
    assert both.stdout == whole.stdout  # as many quotes checked as with all texts in one
    env = run_kg("validate", "--seeds", str(FIXTURE_SEEDS), env={"KG_SOURCES": f"{a}:{b}"})
    assert env.returncode == 0 and env.stdout == both.stdout, env.stdout + env.stderr


def test_sources_list_first_directory_wins(tmp_path: Path) -> None:
    good = tmp_path / "good"
    shutil.copytree(FIXTURE_SOURCES, good)
    bad = tmp_path / "bad"
    shutil.copytree(FIXTURE_SOURCES, bad)
    changed = sorted(bad.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nchanged\n", encoding="utf-8")
    ok = run_kg("validate", "--seeds", str(FIXTURE_SEEDS), "--sources", f"{good}:{bad}")
    assert ok.returncode == 0, ok.stderr
    wrong = run_kg("validate", "--seeds", str(FIXTURE_SEEDS), "--sources", f"{bad}:{good}")
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    assert f"{changed} has SHA-256" in wrong.stderr


def test_sources_list_with_a_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    a, b = _split_texts(tmp_path)
    missing = tmp_path / "nonexistent"
    for spec, env in ((f"{a}:{missing}:{b}", None), (None, f"{missing}:{a}")):
        args = ["validate", "--seeds", str(FIXTURE_SEEDS)]
        if spec:
            args += ["--sources", spec]
        result = run_kg(*args, env={"KG_SOURCES": env} if env else None)
        assert result.returncode == 2, result.stdout + result.stderr
        assert f"{missing}: the source texts directory" in result.stderr
        assert "hint:" in result.stderr and "Traceback" not in result.stderr


def test_source_text_may_be_a_relative_path_but_not_leave_the_directory(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(FIXTURE_SEEDS, seeds)
    sources = tmp_path / "sources"
    (sources / "sub").mkdir(parents=True)
    for text in FIXTURE_SOURCES.glob("*.txt"):
        shutil.copy(text, sources / "sub" / text.name)
    for path in seeds.glob("*.yaml"):
        body = path.read_text(encoding="utf-8")
        path.write_text(body.replace("  text: fx-", "  text: sub/fx-"), encoding="utf-8")
    ok = run_kg("validate", "--seeds", str(seeds), "--sources", str(sources))
    assert ok.returncode == 0, ok.stderr
    assert "UNCHECKED" not in ok.stdout
    first = sorted(seeds.glob("*.yaml"))[0]
    first.write_text(
        first.read_text(encoding="utf-8").replace("text: sub/", "text: ../"), encoding="utf-8"
    )
    bad = run_kg("validate", "--seeds", str(seeds), "--sources", str(sources))
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "`text` must be a file name or a relative path" in bad.stderr
