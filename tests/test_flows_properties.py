"""Properties of the flow graph on random small flow sets (hypothesis)."""

from __future__ import annotations

import io
import itertools

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.flows.analysis import graph_diff, reach
from kg.flows.graphfiles import export_view, graphml_bytes
from kg.flows.network import FlowFilter, build_graph, select_flows
from kg.flows.read import Flow

CODES = ("AFG", "ARE", "DEU", "KAZ", "KGZ", "RUS", "TJK", "TUR", "USA", "UZB", "western-europe")
SOURCES = ("a", "b", "c")
PURPOSES = ("forced_labor", "sexual_exploitation")


@st.composite
def flows(draw: st.DrawFn) -> Flow:
    internal = draw(st.booleans()) and draw(st.booleans())
    if internal:
        code = draw(st.sampled_from(CODES))
        route: tuple[str, ...] = (code, code)
    else:
        route = tuple(draw(st.lists(st.sampled_from(CODES), min_size=2, max_size=4, unique=True)))
    return Flow(
        route=route,
        assertion=draw(st.sampled_from(("x1", "x2", "x3", "x4"))),
        source=draw(st.sampled_from(SOURCES)),
        purposes=tuple(sorted(draw(st.sets(st.sampled_from(PURPOSES))))),
        years=tuple(sorted(draw(st.sets(st.integers(2000, 2010), min_size=1, max_size=2)))),
    )


flow_sets = st.lists(flows(), max_size=12)
filters = st.builds(
    FlowFilter,
    sources=st.frozensets(st.sampled_from(SOURCES)),
    years=st.lists(
        st.tuples(st.integers(2000, 2010), st.integers(0, 4)).map(lambda t: (t[0], t[0] + t[1])),
        max_size=2,
    ).map(tuple),
    purposes=st.frozensets(st.sampled_from(PURPOSES)),
    country=st.none() | st.sampled_from(CODES),
)


@given(flow_sets)
def test_each_stated_leg_is_an_edge(stated: list[Flow]) -> None:
    graph = build_graph(stated)
    for flow in stated:
        for leg in itertools.pairwise(flow.route):
            assert graph.has_edge(*leg)
            assert flow.assertion in graph.edges[leg]["assertions"]
    assert all(d["support"] >= 1 for _, _, d in graph.edges(data=True))


@given(flow_sets, filters)
def test_filters_only_ever_remove_edges(stated: list[Flow], keep: FlowFilter) -> None:
    full, narrowed = build_graph(stated), build_graph(select_flows(stated, keep))
    assert set(narrowed.edges) <= set(full.edges)
    assert set(narrowed.nodes) <= set(full.nodes)
    for edge in narrowed.edges:
        assert narrowed.edges[edge]["support"] <= full.edges[edge]["support"]


@given(flow_sets, st.sampled_from(SOURCES))
def test_diff_of_a_source_with_itself_is_empty(stated: list[Flow], source: str) -> None:
    one = build_graph(select_flows(stated, FlowFilter(sources=frozenset([source]))))
    same = build_graph(select_flows(stated, FlowFilter(sources=frozenset([source]))))
    d = graph_diff(one, same)
    assert d.empty and set(d.edges_kept) == set(one.edges)


@given(flow_sets, st.sampled_from(CODES))
def test_every_stated_destination_is_reachable(stated: list[Flow], start: str) -> None:
    graph = build_graph(stated)
    if start not in graph:
        return
    reached = {r.place: r for r in reach(graph, start)}
    for flow in stated:
        if start in flow.route:
            for later in flow.route[flow.route.index(start) + 1 :]:
                if later != start:
                    assert reached[later].stated


@settings(max_examples=40, deadline=None)
@given(flow_sets)
def test_graphml_round_trip_keeps_every_attribute(stated: list[Flow]) -> None:
    view = export_view(build_graph(stated))
    back = nx.read_graphml(io.BytesIO(graphml_bytes(build_graph(stated))))
    assert dict(back.nodes(data=True)) == dict(view.nodes(data=True))
    assert {(u, v): d for u, v, d in back.edges(data=True)} == {
        (u, v): d for u, v, d in view.edges(data=True)
    }
