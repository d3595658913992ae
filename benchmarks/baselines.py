"""The two baselines `make bench` compares tip-kg with.

    python benchmarks/baselines.py floor  SEEDS_DIR OUT.nt
    python benchmarks/baselines.py rdflib SEEDS_DIR OUT_DIR

Both turn each YAML scalar of an assertion into one naive triple
`<id/a/{assertion id}> <ontology#{field}> "value"` (plus the source header's), so they do
less than tip-kg, which checks everything and writes richer triples.

- floor: libyaml (CSafeLoader) with the garbage collector paused during the load, and
  N-Triples written by string formatting: nothing else, the fastest path we know.
- rdflib: the pure-Python YAML loader, rdflib's in-memory Dataset (one named graph per
  source) and rdflib's serializers for every export format tip-kg writes.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

ID = "https://w3id.org/tip-kg/id/"
KG = "https://w3id.org/tip-kg/ontology#"


def _load(path: Path, loader: type) -> dict:
    return yaml.load(path.read_bytes(), Loader=loader)  # only the safe loaders are passed


def _facts(doc: dict) -> Iterator[tuple[str, str, str, str]]:
    """(graph, subject, predicate, literal) for every scalar of a seed document."""
    source = doc["source"]
    graph = ID + "graph/" + source["id"]
    subject = ID + "source/" + source["id"]
    for key, value in source.items():
        yield graph, subject, KG + key, str(value)
    for item in doc.get("assertions") or ():
        subject = ID + "a/" + str(item["id"])
        for key, value in item.items():
            for v in value if isinstance(value, list) else (value,):
                yield graph, subject, KG + key, str(v)


def floor(seeds: Path, out: Path) -> None:
    with out.open("w", encoding="utf-8") as handle:
        for path in sorted(seeds.glob("*.yaml")):
            gc.disable()
            doc = _load(path, yaml.CSafeLoader)
            gc.enable()
            handle.writelines(
                f"<{s}> <{p}> {json.dumps(o, ensure_ascii=False)} .\n" for _, s, p, o in _facts(doc)
            )


def plain_rdflib(seeds: Path, out: Path) -> None:
    from rdflib import Dataset, Literal, URIRef

    dataset = Dataset()
    for path in sorted(seeds.glob("*.yaml")):
        doc = _load(path, yaml.SafeLoader)
        graphs: dict[str, object] = {}
        for g, s, p, o in _facts(doc):
            if g not in graphs:
                graphs[g] = dataset.graph(URIRef(g))
            graphs[g].add((URIRef(s), URIRef(p), Literal(o)))  # type: ignore[attr-defined]
    out.mkdir(parents=True, exist_ok=True)
    merged = dataset.graph(URIRef(ID + "graph/merged"))
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        merged.add((s, p, o))
    merged.serialize(out / "tip-kg.ttl", format="turtle")
    merged.serialize(out / "tip-kg.nt", format="nt")
    merged.serialize(out / "tip-kg.jsonld", format="json-ld")
    dataset.remove_graph(merged)
    dataset.serialize(out / "tip-kg.trig", format="trig")
    dataset.serialize(out / "tip-kg.nq", format="nquads")


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("floor", "rdflib"):
        print(__doc__, file=sys.stderr)
        return 2
    which, seeds, out = argv[0], Path(argv[1]), Path(argv[2])
    (floor if which == "floor" else plain_rdflib)(seeds, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
