"""Time every shipped competency query on the graph built from the seeds.

    python benchmarks/bench_queries.py [--seeds DIR] [--sources DIR] [--runs N]

Prints the median wall time per query (and the load time); not part of `make test`.
"""

from __future__ import annotations

import argparse
import statistics
import time

from kg import load_graph
from kg.query import named_queries, run_query


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="seeds")
    parser.add_argument("--sources")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    store = load_graph(args.seeds, args.sources)
    print(f"load_graph: {time.perf_counter() - started:.3f} s, {len(store)} quads")
    for query in named_queries():
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            rows = len(run_query(store, query.text).rows)
            times.append(time.perf_counter() - started)
        print(f"{query.name:<30} {statistics.median(times) * 1000:8.2f} ms  {rows:>4} rows")


if __name__ == "__main__":
    main()
