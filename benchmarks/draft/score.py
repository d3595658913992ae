"""Benchmark of `kg draft` (issue 15): score drafted flows, roles and tiers against hand labels.

Run with `make bench-draft` or `python benchmarks/draft/score.py [--drafts FILE.json]`.
Without `--drafts` it runs `python -m kg draft --format json` once over every labelled text
(read from ../shared/narratives/ and ../shared/seeds/), times the run and scores its output;
with `--drafts` it scores a saved output instead (of kg draft or of any other tool that
writes the same JSON). The contract between the two is /work/notes/draft-contract.md, the
labelling rules are benchmarks/draft/README.md.

Scored per text and micro-averaged over texts (counts summed, then divided):
- pairs: directed (origin, destination), every flow expanded origin x destination, an
  internal flow gives (X, X); regions count as places;
- transit: (origin, transit, destination) triples, expanded the same way;
- roles: (country, role) from country_role assertions;
- tiers: (country, year, tier) from tier_placement assertions.
Countries are ISO alpha-3 codes, regions the labels of kg/data/regions.tsv; compared exactly.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LABELS = HERE / "labels"
RESULTS = HERE / "results.json"
SHARED = ROOT.parent / "shared"

# Issue 15's targets: (metric, which figure of it, minimum).
TARGETS: tuple[tuple[str, str, float], ...] = (
    ("pairs", "precision", 0.95),
    ("pairs", "recall", 0.90),
    ("transit", "recall", 0.80),
    ("roles", "recall", 0.95),
    ("tiers", "recall", 0.95),
)
METRICS = ("pairs", "transit", "roles", "tiers")
# Issue 15's speed target: a report year of 190 narratives in under 20 s.
YEAR_TEXTS, YEAR_SECONDS = 190, 20.0
# Generous bound so a hanging draft command cannot hang the benchmark.
RUN_TIMEOUT = 900


class BenchError(Exception):
    """A problem the benchmark reports in one line; `code` is the exit status."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives of one metric."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float | None:
        """tp / (tp + fp); None when nothing was found (undefined, not perfect)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """tp / (tp + fn); None when the labels hold nothing."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall; 0.0 when both are defined and tp is 0."""
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


def compare(gold: Iterable[tuple], found: Iterable[tuple]) -> Counts:
    """Compare two sets of tuples.

    >>> compare({("KEN", "SAU"), ("KEN", "KEN")}, {("KEN", "SAU"), ("SAU", "KEN")})
    Counts(tp=1, fp=1, fn=1)
    >>> compare(set(), set())
    Counts(tp=0, fp=0, fn=0)
    """
    gold, found = set(gold), set(found)
    return Counts(len(gold & found), len(found - gold), len(gold - found))


def _as_list(value: Any) -> list:
    """A seed field as a list: the seed format allows a scalar where it means one value.

    >>> _as_list("KAZ"), _as_list(["KAZ", "RUS"]), _as_list(None)
    (['KAZ'], ['KAZ', 'RUS'], [])
    """
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def draft_sets(draft: Mapping[str, Any]) -> dict[str, set[tuple]]:
    """The pairs, transit triples, roles and tiers one drafted document states.

    Flows expand origin x destination (and origin x transit x destination); an internal
    flow gives (X, X) for each origin (the text's country when it names none); a
    country_role or tier_placement without a country or year takes the document's.

    >>> doc = {"country": "KEN", "year": 2008, "assertions": [
    ...   {"kind": "flow", "origin": ["CHN", "IND"], "transit": ["KEN"],
    ...    "destination": ["Europe"]},
    ...   {"kind": "flow", "origin": "KEN", "destination": "KEN", "internal": True},
    ...   {"kind": "flow", "internal": True},
    ...   {"kind": "country_role", "country": "KEN", "role": ["source", "transit"]},
    ...   {"kind": "tier_placement", "tier": "tier_2"},
    ...   {"kind": "indicator", "country": "KEN", "metric": "prosecutions", "value": 3}]}
    >>> s = draft_sets(doc)
    >>> sorted(s["pairs"])
    [('CHN', 'Europe'), ('IND', 'Europe'), ('KEN', 'KEN')]
    >>> sorted(s["transit"])
    [('CHN', 'KEN', 'Europe'), ('IND', 'KEN', 'Europe')]
    >>> sorted(s["roles"]), sorted(s["tiers"])
    ([('KEN', 'source'), ('KEN', 'transit')], [('KEN', 2008, 'tier_2')])
    """
    out: dict[str, set[tuple]] = {m: set() for m in METRICS}
    home, edition = draft.get("country"), draft.get("year")
    for a in draft.get("assertions") or []:
        kind = a.get("kind")
        if kind == "flow":
            origins = _as_list(a.get("origin"))
            destinations = _as_list(a.get("destination"))
            if a.get("internal"):
                for o in origins or _as_list(home):
                    out["pairs"].add((o, o))
            for o in origins:
                for d in destinations:
                    out["pairs"].add((o, d))
                    for t in _as_list(a.get("transit")):
                        out["transit"].add((o, t, d))
        elif kind == "country_role":
            country = a.get("country") or home
            for role in _as_list(a.get("role")):
                out["roles"].add((country, role))
        elif kind == "tier_placement":
            country = a.get("country") or home
            for year in _as_list(a.get("year")) or _as_list(edition):
                out["tiers"].add((country, year, a.get("tier")))
    return out


def label_sets(label: Mapping[str, Any]) -> dict[str, set[tuple]]:
    """The four sets of a label file, as tuples.

    >>> sorted(label_sets({"pairs": [["KEN", "SAU"]], "tiers": [["KEN", 2008, "tier_2"]]})
    ...        ["tiers"])
    [('KEN', 2008, 'tier_2')]
    """
    return {m: {tuple(x) for x in label.get(m) or []} for m in METRICS}


def score_text(label: Mapping[str, Any], draft: Mapping[str, Any] | None) -> dict[str, Counts]:
    """Counts per metric for one text; a missing draft finds nothing.

    >>> lab = {"pairs": [["KEN", "SAU"]], "roles": [["KEN", "source"]]}
    >>> score_text(lab, None)["pairs"]
    Counts(tp=0, fp=0, fn=1)
    """
    gold = label_sets(label)
    found = draft_sets(draft) if draft is not None else {m: set() for m in METRICS}
    return {m: compare(gold[m], found[m]) for m in METRICS}


def micro(per_text: Iterable[Mapping[str, Counts]]) -> dict[str, Counts]:
    """Micro-average: the counts of every text summed per metric.

    >>> micro([{"pairs": Counts(1, 0, 1)}, {"pairs": Counts(2, 1, 0)}])["pairs"]
    Counts(tp=3, fp=1, fn=1)
    """
    total = {m: Counts() for m in METRICS}
    for scores in per_text:
        for m, c in scores.items():
            total[m] = total[m] + c
    return total


def macro(per_text: Iterable[Mapping[str, Counts]], metric: str, figure: str) -> float | None:
    """Mean of one figure over the texts where it is defined (not a target: shown because two
    long lists, Bulgaria 2002 and Poland 2007, weigh heavily in the micro-average).

    >>> macro([{"pairs": Counts(1, 0, 1)}, {"pairs": Counts(0, 0, 0)}, {"pairs": Counts(1, 0, 0)}],
    ...       "pairs", "recall")
    0.75
    """
    values = [getattr(s[metric], figure) for s in per_text]
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def verdict(value: float | None, target: float) -> str:
    """'met', or by how much the value misses the target.

    >>> verdict(0.96, 0.95), verdict(0.875, 0.90), verdict(None, 0.9)
    ('met', 'missed by 0.025', 'missed (nothing to score)')
    """
    if value is None:
        return "missed (nothing to score)"
    if value >= target:
        return "met"
    return f"missed by {target - value:.3f}"


def fmt(value: float | None) -> str:
    """A ratio with three decimals, '-' when undefined.

    >>> fmt(2 / 3), fmt(None)
    ('0.667', '-')
    """
    return "-" if value is None else f"{value:.3f}"


# ---------------------------------------------------------------- the runner


def load_labels(directory: Path = LABELS) -> list[dict[str, Any]]:
    """Every label file, in file-name order."""
    labels = []
    for path in sorted(directory.glob("*.json")):
        try:
            label = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BenchError(f"{path}: not a readable label file: {exc}", 1) from exc
        if not isinstance(label, dict) or not isinstance(label.get("text"), str):
            raise BenchError(f"{path}: a label file is an object with a 'text' name", 1)
        labels.append(label)
    if not labels:
        raise BenchError(f"{directory}: no label files (hint: benchmarks/draft/labels/*.json)")
    return labels


def text_path(label: Mapping[str, Any], shared: Path) -> Path:
    """Where the labelled text lives: ../shared/narratives or ../shared/seeds."""
    return shared / label.get("dir", "narratives") / label["text"]


def _by_text(documents: Any, source: str) -> dict[str, Mapping[str, Any]]:
    """Draft documents keyed by their text's base name."""
    if isinstance(documents, dict):
        documents = [documents]
    if not isinstance(documents, list):
        raise BenchError(f"{source}: expected a JSON document or an array of them", 1)
    out = {}
    for doc in documents:
        if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
            raise BenchError(f"{source}: every draft needs a 'text' (the file name)", 1)
        out[os.path.basename(doc["text"])] = doc
    return out


def run_draft(paths: list[Path]) -> tuple[dict[str, Mapping[str, Any]], float]:
    """Run `python -m kg draft --format json` once over all `paths`: (drafts, seconds)."""
    probe = subprocess.run(
        [sys.executable, "-m", "kg", "draft", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if probe.returncode != 0:
        raise BenchError(
            "kg draft does not exist yet (python -m kg draft --help exited "
            f"{probe.returncode}); nothing to score"
        )
    # A scratch working directory: whatever the command might write lands there.
    with tempfile.TemporaryDirectory(prefix="bench-draft-") as scratch:
        start = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "kg", "draft", "--format", "json", *map(str, paths)],
                capture_output=True,
                text=True,
                cwd=scratch,
                timeout=RUN_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise BenchError(f"kg draft ran longer than {RUN_TIMEOUT} s; stopped") from exc
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise BenchError(f"kg draft exited {done.returncode}: {last}", 1)
    try:
        documents = json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise BenchError(f"kg draft: its output is not JSON: {exc}", 1) from exc
    return _by_text(documents, "kg draft output"), seconds


def read_drafts(path: Path) -> dict[str, Mapping[str, Any]]:
    """A saved draft output (one document or an array), keyed by text name."""
    try:
        documents = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BenchError(f"{path}: cannot read: {exc.strerror} (hint: --drafts FILE.json)") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BenchError(f"{path}: not JSON: {exc}", 1) from exc
    return _by_text(documents, str(path))


def _rows(labels: list[dict[str, Any]], scores: list[dict[str, Counts]]) -> list[str]:
    head = (
        f"{'text':<38} {'pairs P':>7} {'R':>6} {'F1':>6} {'tp/fp/fn':>10} "
        f"{'transit R':>9} {'roles R':>7} {'tiers R':>7}"
    )
    lines = [head, "-" * len(head)]
    for label, s in zip(labels, scores, strict=True):
        p = s["pairs"]
        lines.append(
            f"{label['text']:<38} {fmt(p.precision):>7} {fmt(p.recall):>6} {fmt(p.f1):>6} "
            f"{f'{p.tp}/{p.fp}/{p.fn}':>10} {fmt(s['transit'].recall):>9} "
            f"{fmt(s['roles'].recall):>7} {fmt(s['tiers'].recall):>7}"
        )
    return lines


def _summary(total: dict[str, Counts], scores: list[dict[str, Counts]]) -> list[str]:
    head = f"{'metric':<18} {'value':>6} {'target':>7}  verdict"
    lines = [head, "-" * len(head)]
    for metric, figure, target in TARGETS:
        value = getattr(total[metric], figure)
        lines.append(
            f"{metric + ' ' + figure:<18} {fmt(value):>6} {f'>= {target:.2f}':>7}  "
            f"{verdict(value, target)}"
        )
    lines.append("")
    lines.append(
        "not targets: pairs F1 " + fmt(total["pairs"].f1) + "; precision of transit "
        f"{fmt(total['transit'].precision)}, roles {fmt(total['roles'].precision)}, "
        f"tiers {fmt(total['tiers'].precision)}"
    )
    lines.append(
        "macro (mean over texts, not targets): "
        + ", ".join(f"{m} {f} {fmt(macro(scores, m, f))}" for m, f, _ in TARGETS)
    )
    lines.append(
        "counts tp/fp/fn: " + "; ".join(f"{m} {c.tp}/{c.fp}/{c.fn}" for m, c in total.items())
    )
    return lines


def _errors(label: Mapping[str, Any], draft: Mapping[str, Any] | None) -> list[str]:
    gold = label_sets(label)
    found = draft_sets(draft) if draft is not None else {m: set() for m in METRICS}
    lines = []
    for m in METRICS:
        missed, spurious = sorted(gold[m] - found[m], key=str), sorted(found[m] - gold[m], key=str)
        if missed:
            lines.append(f"  {m} missed:   " + ", ".join("-".join(map(str, x)) for x in missed))
        if spurious:
            lines.append(f"  {m} spurious: " + ", ".join("-".join(map(str, x)) for x in spurious))
    return lines


def _write_json(path: Path, data: Any) -> None:
    """Write to a temporary name beside `path` and rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def run(argv: list[str] | None = None) -> int:
    """The benchmark's command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="score.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--drafts",
        type=Path,
        metavar="FILE.json",
        help="score this saved draft output instead of running kg draft",
    )
    parser.add_argument("--labels", type=Path, default=LABELS, metavar="DIR")
    parser.add_argument(
        "--shared",
        type=Path,
        default=SHARED,
        metavar="DIR",
        help="holds narratives/ and seeds/ (default ../shared)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, metavar="FILE.json")
    parser.add_argument(
        "--errors", action="store_true", help="list the missed and spurious items of every text"
    )
    args = parser.parse_args(argv)
    try:
        labels = load_labels(args.labels)
        seconds = None
        if args.drafts is not None:
            drafts = read_drafts(args.drafts)
        else:
            paths = [text_path(label, args.shared) for label in labels]
            missing = [p for p in paths if not p.is_file()]
            if missing:
                raise BenchError(
                    f"{missing[0]}: labelled text not found "
                    f"({len(missing)} missing; hint: --shared DIR)"
                )
            drafts, seconds = run_draft(paths)
    except BenchError as exc:
        print(f"bench-draft: {exc}", file=sys.stderr)
        return exc.code

    scores = [score_text(label, drafts.get(label["text"])) for label in labels]
    total = micro(scores)
    absent = [label["text"] for label in labels if label["text"] not in drafts]
    print(
        f"draft benchmark: {len(labels)} labelled texts, drafts from "
        f"{args.drafts if args.drafts is not None else 'python -m kg draft --format json'}"
    )
    if absent:
        print(f"no draft for {len(absent)} text(s), scored as empty: {', '.join(absent)}")
    print()
    print("\n".join(_rows(labels, scores)))
    if args.errors:
        print()
        for label in labels:
            lines = _errors(label, drafts.get(label["text"]))
            if lines:
                print(label["text"])
                print("\n".join(lines))
    print()
    print("micro-averaged over texts:")
    print("\n".join(_summary(total, scores)))
    speed = None
    if seconds is not None:
        per_text = seconds / len(labels)
        projected = per_text * YEAR_TEXTS
        speed = {
            "seconds": round(seconds, 3),
            "texts": len(labels),
            "seconds_per_text": round(per_text, 4),
            f"projected_{YEAR_TEXTS}_texts": round(projected, 2),
            "target_seconds": YEAR_SECONDS,
        }
        print()
        print(
            f"speed: {seconds:.2f} s for {len(labels)} texts in one run (start-up included), "
            f"{per_text:.3f} s per text; {YEAR_TEXTS} texts -> {projected:.1f} s, target "
            f"< {YEAR_SECONDS:.0f} s: {'met' if projected < YEAR_SECONDS else 'missed'}"
        )
    results = {
        "drafts": str(args.drafts) if args.drafts is not None else "kg draft --format json",
        "texts": {
            label["text"]: {m: vars(c) for m, c in s.items()}
            for label, s in zip(labels, scores, strict=True)
        },
        "micro": {
            m: {**vars(c), "precision": c.precision, "recall": c.recall, "f1": c.f1}
            for m, c in total.items()
        },
        "targets": [
            {
                "metric": m,
                "figure": f,
                "target": t,
                "value": getattr(total[m], f),
                "verdict": verdict(getattr(total[m], f), t),
            }
            for m, f, t in TARGETS
        ],
        "macro": {f"{m} {f}": macro(scores, m, f) for m, f, _ in TARGETS},
        "missing_drafts": absent,
        "speed": speed,
    }
    try:
        _write_json(args.results, results)
    except OSError as exc:
        print(f"bench-draft: {args.results}: cannot write results: {exc.strerror}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(run())
