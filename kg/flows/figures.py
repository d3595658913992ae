"""Figures: the flow network and the law-enforcement time series, as PNG and SVG bytes.

Drawn on a bare matplotlib `Figure` (the Agg renderer, no pyplot and no global state),
with a fixed layout seed, a fixed font, no dates and a fixed SVG hash salt, so the same
graph gives the same bytes. Each file carries a digest of what it draws (PNG text chunk
and SVG description): a test can tell a stale figure from a renderer that changed.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import math
from collections.abc import Iterable
from typing import Any

import matplotlib
import networkx as nx
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from kg import __version__
from kg.flows.analysis import between_places, centrality_rows, implied_roles
from kg.flows.read import Observation

ARROW_LIMIT = 400  # above this many edges, plain lines instead of arrows
LAYOUT_SEED = 20060605  # the 2006 TIP report's publication date
# Okabe-Ito colours: told apart with every common colour-vision deficiency
ROLE_COLOURS = {
    "transit hub": "#009E73",
    "source": "#E69F00",
    "source and destination": "#CC79A7",
    "destination": "#0072B2",
    "no flow": "#999999",
}
METRIC_COLOURS = {"investigations": "#0072B2", "prosecutions": "#E69F00", "convictions": "#009E73"}
_STYLE = {
    "font.family": "DejaVu Sans",
    "svg.hashsalt": "tip-kg",
    "svg.fonttype": "path",
    "path.simplify": True,
}


def role_class(roles: Iterable[str]) -> str:
    """The colour class of a place from its implied roles.

    >>> role_class(("source", "transit", "destination")), role_class(("destination",))
    ('transit hub', 'destination')
    """
    roles = set(roles)
    if "transit" in roles:
        return "transit hub"
    if {"source", "destination"} <= roles:
        return "source and destination"
    for role in ("source", "destination"):
        if role in roles:
            return role
    return "no flow"


def network_layout(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Node positions: a spring layout with a fixed seed, rounded so that the last bits of
    floating point never move a pixel from one machine to the next.

    >>> from kg.flows.network import build_graph
    >>> from kg.flows.read import Flow
    >>> g = build_graph([Flow.of("UZB>KAZ>RUS")])
    >>> network_layout(g) == network_layout(g)
    True
    """
    if not graph:
        return {}
    simple = between_places(graph)
    undirected = nx.Graph()
    undirected.add_nodes_from(sorted(simple))
    for u, v in sorted(simple.edges):
        weight = simple.edges[u, v]["support"] + (
            undirected.edges[u, v]["weight"] if undirected.has_edge(u, v) else 0
        )
        undirected.add_edge(u, v, weight=math.log1p(weight))
    k = 1.6 / math.sqrt(max(len(undirected), 1))
    pos = nx.spring_layout(undirected, seed=LAYOUT_SEED, k=k, iterations=200, weight="weight")
    return {node: (round(float(x), 4), round(float(y), 4)) for node, (x, y) in sorted(pos.items())}


_LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}


def _radius(node: dict[str, Any]) -> float:
    """A drawn node's radius in points, its dashed ring included."""
    return math.sqrt(node["size"] * (1.7 if node["internal"] else 1)) / 2


def _digest(drawn: Any) -> str:
    return hashlib.sha256(json.dumps(drawn, sort_keys=True).encode()).hexdigest()


def _save(fig: Figure, digest: str, stem: str) -> dict[str, bytes]:
    out = {}
    for fmt, metadata in (
        (
            "png",
            {"Software": f"tip-kg {__version__}", "Description": f"tip-kg figure digest {digest}"},
        ),
        (
            "svg",
            {
                "Creator": f"tip-kg {__version__}",
                "Date": None,
                "Description": f"tip-kg figure digest {digest}",
            },
        ),
    ):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=150, metadata=metadata)
        out[f"{stem}.{fmt}"] = buffer.getvalue()
    return out


def network_drawing(
    graph: nx.DiGraph,
    title: str,
    stem: str = "figures/flows-network",
) -> tuple[dict[str, bytes], str]:
    """The network as PNG and SVG: colour by implied role, node area by strength, edge
    width by support, a dashed ring for internal flows; returns (files, digest)."""
    pos = network_layout(graph)
    roles = implied_roles(graph)
    rows = {row.place: row for row in centrality_rows(graph)}
    internal = {u for u, _ in nx.selfloop_edges(graph)}
    nodes = []
    for node in sorted(graph):
        row = rows[node]
        strength = row.in_strength + row.out_strength
        nodes.append(
            {
                "id": node,
                "label": graph.nodes[node]["label"],
                "xy": pos[node],
                "class": role_class(roles[node]),
                "size": 120 + 40 * strength,
                "internal": node in internal,
                "betweenness": row.betweenness,
                "transit": row.transit_routes,
            }
        )
    edges = [
        {"from": u, "to": v, "support": d["support"], "reciprocal": graph.has_edge(v, u)}
        for u, v, d in sorted(graph.edges(data=True))
        if u != v
    ]
    drawn = {"title": title, "nodes": nodes, "edges": edges}
    digest = _digest(drawn)
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(10, 8))
        ax = fig.add_axes((0.02, 0.02, 0.96, 0.9))
        ax.set_axis_off()
        by_id = {n["id"]: n for n in nodes}
        if len(edges) > ARROW_LIMIT:  # thousands of arrow patches take minutes to draw
            ax.add_collection(
                LineCollection(
                    [(by_id[e["from"]]["xy"], by_id[e["to"]]["xy"]) for e in edges],
                    linewidths=[0.3 + 0.3 * e["support"] for e in edges],
                    colors="#555555",
                    alpha=0.25,
                    zorder=1,
                )
            )
        for edge in edges if len(edges) <= ARROW_LIMIT else ():
            start, end = by_id[edge["from"]], by_id[edge["to"]]
            ax.add_patch(
                FancyArrowPatch(
                    start["xy"],
                    end["xy"],
                    arrowstyle="-|>",
                    mutation_scale=12,
                    connectionstyle=f"arc3,rad={0.18 if edge['reciprocal'] else 0.06}",
                    linewidth=0.6 + 0.7 * edge["support"],
                    color="#555555",
                    alpha=0.55,
                    shrinkA=_radius(start),
                    shrinkB=_radius(end) + 1,
                    zorder=1,
                )
            )
        for node in nodes:
            ax.scatter(
                [node["xy"][0]],
                [node["xy"][1]],
                s=node["size"],
                c=ROLE_COLOURS[node["class"]],
                edgecolors="white",
                linewidths=1.2,
                zorder=3,
            )
            if node["internal"]:
                ax.scatter(
                    [node["xy"][0]],
                    [node["xy"][1]],
                    s=node["size"] * 1.7,
                    facecolors="none",
                    edgecolors=ROLE_COLOURS[node["class"]],
                    linewidths=1.4,
                    linestyles="--",
                    zorder=2,
                )
            ax.annotate(
                node["label"],
                node["xy"],
                xytext=(0, _radius(node) + 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=11 if node["transit"] else 9,
                fontweight="bold" if node["transit"] else "normal",
                zorder=4,
                bbox=_LABEL_BOX,
            )
        hubs = [n for n in nodes if n["transit"]]
        for hub in sorted(hubs, key=lambda n: (-n["betweenness"], n["id"]))[:1]:
            ax.annotate(
                f"transit hub: {hub['transit']} stated routes pass through,\n"
                f"betweenness {hub['betweenness']:.2f}",
                hub["xy"],
                xytext=(0, -_radius(hub) - 6),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=8.5,
                color="#333333",
                zorder=4,
                bbox=_LABEL_BOX,
            )
        xs = [n["xy"][0] for n in nodes] or [0.0]
        ys = [n["xy"][1] for n in nodes] or [0.0]
        ax.set_xlim(min(xs) - 0.25, max(xs) + 0.25)
        ax.set_ylim(min(ys) - 0.25, max(ys) + 0.25)
        present = [c for c in ROLE_COLOURS if any(n["class"] == c for n in nodes)]
        handles = [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=9,
                markerfacecolor=ROLE_COLOURS[c],
                markeredgecolor="white",
                label=c,
            )
            for c in present
        ]
        if internal:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    markersize=12,
                    markerfacecolor="none",
                    markeredgecolor="#555555",
                    label="internal flows (dashed ring)",
                )
            )
        supports = sorted({e["support"] for e in edges})
        shown = sorted({supports[0], supports[len(supports) // 2], supports[-1]}) if edges else []
        for support in shown:
            handles.append(
                Line2D(
                    [],
                    [],
                    color="#555555",
                    alpha=0.55,
                    linewidth=0.6 + 0.7 * support,
                    label=f"{support} supporting assertion{'' if support == 1 else 's'}",
                )
            )
        ax.legend(
            handles=handles,
            loc="lower left",
            fontsize=8,
            frameon=False,
            title="role the flows imply · edge width",
            title_fontsize=8,
        )
        fig.suptitle(title, fontsize=13, y=0.97)
        fig.text(
            0.5,
            0.925,
            "node area: number of supporting assertions on its edges",
            ha="center",
            fontsize=8.5,
            color="#555555",
        )
        return _save(fig, digest, stem), digest


def series_chart(
    observations: list[Observation], title: str, stem: str = "figures/law-enforcement"
) -> tuple[dict[str, bytes], str]:
    """One line per metric over the years, each point labelled with its value and marked
    by the source it comes from; returns (files, digest)."""
    metrics = [m for m in METRIC_COLOURS if any(o.metric == m for o in observations)]
    sources = sorted({o.source for o in observations})
    years = sorted({o.year for o in observations})
    points = [
        {"metric": o.metric, "year": o.year, "value": o.value, "source": o.source}
        for o in sorted(observations, key=lambda o: (o.metric, o.year, o.source))
    ]
    digest = _digest({"title": title, "points": points})
    markers = dict(zip(sources, ("o", "s", "^", "D", "v"), strict=False))
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(8, 5))
        ax = fig.add_axes((0.09, 0.12, 0.88, 0.74))
        for metric in metrics:
            mine = [p for p in points if p["metric"] == metric]
            ax.plot(
                [p["year"] for p in mine],
                [p["value"] for p in mine],
                color=METRIC_COLOURS[metric],
                linewidth=2,
                label=metric,
                zorder=2,
            )
            for p in mine:
                ax.scatter(
                    [p["year"]],
                    [p["value"]],
                    marker=markers.get(p["source"], "o"),
                    s=50,
                    color=METRIC_COLOURS[metric],
                    edgecolors="white",
                    zorder=3,
                )
                ax.annotate(
                    f"{p['value']:g}",
                    (p["year"], p["value"]),
                    xytext=(0, 7),
                    textcoords="offset points",
                    ha="center",
                    fontsize=8.5,
                    color=METRIC_COLOURS[metric],
                )
        for left, right in itertools.pairwise(years):
            before = {p["source"] for p in points if p["year"] == left}
            after = {p["source"] for p in points if p["year"] == right}
            if before != after:
                ax.axvline((left + right) / 2, color="#999999", linestyle=":", linewidth=1)
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years])
        ax.set_ylabel("cases")
        top = max((p["value"] for p in points), default=1)
        ax.set_ylim(0, top * 1.18)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        metric_legend = ax.legend(loc="upper left", fontsize=9, frameon=False)
        ax.add_artist(metric_legend)
        ax.legend(
            handles=[
                Line2D(
                    [], [], marker=markers[s], linestyle="", color="#555555", label=f"source: {s}"
                )
                for s in sources
            ],
            loc="upper right",
            fontsize=8,
            frameon=False,
        )
        fig.suptitle(title, fontsize=12, y=0.96)
        fig.text(
            0.5,
            0.895,
            "a dotted line marks where the figures switch source",
            ha="center",
            fontsize=8.5,
            color="#555555",
        )
        return _save(fig, digest, stem), digest
