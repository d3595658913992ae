"""The flow graph as files other tools open: GraphML, GEXF and a node/edge CSV pair.

GraphML and GEXF hold only scalar attributes, so lists become `;`-separated strings.
Nodes and edges are added in sorted order, so the files are the same byte for byte
for the same graph. GraphML nodes carry `labels` (`:Country`, `:Region`) and edges a
`label`, which is what Neo4j's GraphML import (APOC) reads as labels and types.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, SubElement

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from kg import __version__
from kg.export import write_files
from kg.flows.analysis import centrality_rows, flow_scope, implied_roles
from kg.flows.commands import (
    FlowData,
    FlowRequest,
    check_request,
    flow_graph,
    load_flow_data,
    resolve_filter,
)

NODE_COLUMNS = (
    "label",
    "kind",
    "iri",
    "m49_region",
    "m49_subregion",
    "stated_roles",
    "implied_roles",
    "betweenness",
    "transit_routes",
    "labels",
)
EDGE_COLUMNS = (
    "support",
    "weight",
    "flows",
    "assertions",
    "sources",
    "purposes",
    "sectors",
    "victim_groups",
    "years",
    "internal",
    "scope",
    "label",
)


def _scalar(value: Any) -> str | int | float | bool:
    if isinstance(value, tuple | list):
        return ";".join(str(v) for v in value)
    return value


def export_view(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy of `graph` with scalar attributes only, the analysis results added to the
    nodes (implied roles, betweenness, stated transit routes) and the M49 scope to edges.

    >>> from kg.flows.network import build_graph
    >>> from kg.flows.read import Flow
    >>> view = export_view(build_graph([Flow.of("UZB>KAZ>RUS", years=(2005, 2008))]))
    >>> view.edges["UZB", "KAZ"]["years"], view.nodes["KAZ"]["implied_roles"]
    ('2005;2008', 'transit')
    """
    roles = implied_roles(graph)
    centrality = {row.place: row for row in centrality_rows(graph)}
    view = nx.DiGraph()
    for node in sorted(graph):
        data = graph.nodes[node]
        row = centrality[node]
        attributes = {
            **{k: data[k] for k in NODE_COLUMNS[:6]},
            "implied_roles": roles[node],
            "betweenness": row.betweenness,
            "transit_routes": row.transit_routes,
            "labels": ":Country" if data["kind"] == "country" else ":Region",
        }
        view.add_node(node, **{k: _scalar(attributes[k]) for k in NODE_COLUMNS})
    for start, end in sorted(graph.edges):
        data = graph.edges[start, end]
        attributes = {
            **data,
            "weight": data["support"],
            "scope": flow_scope(graph, start, end),
            "label": "FLOW",
        }
        view.add_edge(start, end, **{k: _scalar(attributes[k]) for k in EDGE_COLUMNS})
    return view


def graphml_bytes(graph: nx.DiGraph) -> bytes:
    """The graph as GraphML (what Cytoscape, Gephi and Neo4j's APOC import read)."""
    text = "\n".join(nx.generate_graphml(export_view(graph), prettyprint=True))
    return (text + "\n").encode("utf-8")


def gexf_bytes(graph: nx.DiGraph) -> bytes:
    """The graph as GEXF 1.2 for Gephi, without the date networkx would stamp on it."""
    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph(export_view(graph))
    meta = writer.xml.find("meta")
    if meta is not None:  # the date of writing would make every rebuild differ
        writer.xml.remove(meta)
    meta = Element("meta")
    SubElement(meta, "creator").text = f"tip-kg {__version__}"
    SubElement(meta, "description").text = "Trafficking flows between countries and regions"
    writer.xml.insert(0, meta)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def csv_bytes(graph: nx.DiGraph) -> tuple[bytes, bytes]:
    """(nodes CSV, edges CSV): one row per place with `id` first, one per edge with
    `source` and `target` first, the way Gephi's and Neo4j's CSV imports expect."""
    view = export_view(graph)
    nodes, edges = io.StringIO(), io.StringIO()
    node_writer = csv.writer(nodes, lineterminator="\n")
    node_writer.writerow(("id", *NODE_COLUMNS))
    for node, data in view.nodes(data=True):
        node_writer.writerow((node, *(data[k] for k in NODE_COLUMNS)))
    edge_writer = csv.writer(edges, lineterminator="\n")
    edge_writer.writerow(("source", "target", *EDGE_COLUMNS))
    for start, end, data in view.edges(data=True):
        edge_writer.writerow((start, end, *(data[k] for k in EDGE_COLUMNS)))
    return nodes.getvalue().encode("utf-8"), edges.getvalue().encode("utf-8")


def graph_files(graph: nx.DiGraph) -> dict[str, bytes]:
    """Every graph export by file name."""
    nodes, edges = csv_bytes(graph)
    return {
        "flows.graphml": graphml_bytes(graph),
        "flows.gexf": gexf_bytes(graph),
        "flows-nodes.csv": nodes,
        "flows-edges.csv": edges,
    }


def write_graph_exports(
    request: FlowRequest, out_dir: str | Path = "exports", data: FlowData | None = None
) -> list[Path]:
    """Write flows.graphml, flows.gexf and flows-nodes.csv/flows-edges.csv of the flows
    the request's filters keep."""
    check_request(request)
    data = data or load_flow_data(request)
    graph = flow_graph(data, resolve_filter(request, data))
    return write_files(Path(out_dir), graph_files(graph))
