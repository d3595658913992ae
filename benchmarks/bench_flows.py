"""Benchmark: build and analyse a flow graph of 200 countries (not a test; nothing asserts).

Run on its own with `make bench-flows` or `python benchmarks/bench_flows.py [--flows N]`.
The flows are random (fixed seed) between 200 real ISO countries, 1 to 3 legs each, so
the graph has the shape of a many-country report: prints seconds per step.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from typing import Any

from kg.flows.analysis import (
    centrality_rows,
    network_summary,
    reach,
    role_rows,
    route_rows,
    scope_rows,
)
from kg.flows.figures import network_drawing
from kg.flows.graphfiles import graph_files
from kg.flows.network import FlowFilter, build_graph, select_flows
from kg.flows.read import Flow
from kg.places import all_countries

PURPOSES = ("forced_labor", "sexual_exploitation", "domestic_servitude", "forced_begging")
GROUPS = ("men", "women", "children", "girls", "boys")


def synthetic_flows(countries: int, flows: int, seed: int = 7) -> list[Flow]:
    """`flows` random flows among the first `countries` ISO countries."""
    rng = random.Random(seed)
    codes = [p.code for p in all_countries()][:countries]
    out = []
    for i in range(flows):
        route = rng.sample(codes, rng.choice((2, 2, 2, 3, 3, 4)))
        out.append(
            Flow(
                route=tuple(route),
                assertion=f"a{i // 3}",
                source=f"s{i % 5}",
                purposes=tuple(sorted(rng.sample(PURPOSES, rng.randint(1, 2)))),
                victim_groups=tuple(sorted(rng.sample(GROUPS, rng.randint(1, 3)))),
                years=(rng.randint(2000, 2023),),
            )
        )
    return out


def timed(label: str, step: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = step()
    print(f"{label:<42} {time.perf_counter() - started:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--flows", type=int, default=3000)
    args = parser.parse_args()
    flows = timed(
        f"synthesise {args.flows} flows", lambda: synthetic_flows(args.countries, args.flows)
    )
    graph = timed("build the graph", lambda: build_graph(flows))
    print(f"  {graph.number_of_nodes()} places, {graph.number_of_edges()} edges")
    timed(
        "filter (one source, 2005-2015)",
        lambda: build_graph(
            select_flows(flows, FlowFilter(sources=frozenset({"s1"}), years=((2005, 2015),)))
        ),
    )
    timed("roles", lambda: role_rows(graph))
    timed("centrality (betweenness)", lambda: centrality_rows(graph))
    timed("summary (reciprocity, components)", lambda: network_summary(graph))
    timed("routes", lambda: route_rows(graph))
    start = sorted(graph)[0]
    timed(f"reach from {start}", lambda: reach(graph, start))
    timed("regions (M49 scopes)", lambda: scope_rows(graph))
    timed("GraphML, GEXF, CSV", lambda: graph_files(graph))
    timed("network figure (PNG and SVG)", lambda: network_drawing(graph, "benchmark"))


if __name__ == "__main__":
    main()
