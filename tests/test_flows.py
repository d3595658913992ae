"""`kg flows`: the answers on the fixture corpus, the CLI, and the committed outputs.

The answers are derived by hand from the fixture flows (tests/fixtures/seeds):
A (2005): Kazakhstan to Turkey, Russia and Western Europe; Uzbekistan and Kyrgyzstan to
Kazakhstan. B (2007): Kazakhstan to Russia and South Korea; Kyrgyzstan through Kazakhstan
to Turkey. C (2008): Moldova through Ukraine to Turkey and Russia; within Moldova;
Uzbekistan through Kazakhstan to Russia. 12 flows, 9 places, 10 edges (legs).
The committed outputs of the real seeds are checked as properties (`real_seeds`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from PIL import Image

from kg.errors import UsageError
from kg.flows import FlowRequest, answer, load_flow_data
from kg.flows.analysis import (
    centrality_rows,
    graph_diff,
    implied_roles,
    network_summary,
    reach,
    role_rows,
    route_rows,
    scope_rows,
    scope_totals,
)
from kg.flows.commands import FlowData, flow_graph
from kg.flows.graphfiles import export_view, gexf_bytes, graphml_bytes
from kg.flows.network import FlowFilter, build_graph
from kg.flows.read import Flow
from kg.flows.report import report_files
from tests.conftest import EXPORTS, FIXTURE_SEEDS, FIXTURE_SOURCES, SEEDS, run_kg

A = "fx-monitor-2006"
B = "fx-review-2008"
C = "fx-bulletin-2009"
FIXTURES = ("--seeds", str(FIXTURE_SEEDS), "--sources", str(FIXTURE_SOURCES))


@pytest.fixture(scope="module")
def data() -> FlowData:
    return load_flow_data(FlowRequest(seeds_dir=FIXTURE_SEEDS, sources_dir=FIXTURE_SOURCES))


@pytest.fixture(scope="module")
def graph(data: FlowData) -> nx.DiGraph:
    return flow_graph(data, FlowFilter())


@pytest.fixture(scope="module")
def real_data() -> FlowData:
    return load_flow_data(FlowRequest(seeds_dir=SEEDS))


def only(data: FlowData, source: str) -> nx.DiGraph:
    return flow_graph(data, FlowFilter(sources=frozenset([source])))


def kg_flows(*args: str) -> object:
    return run_kg("flows", *args, *FIXTURES)


# --- the answers on the fixtures ---------------------------------------------------------


def test_the_flows_come_from_the_rdf_with_their_exact_routes(data: FlowData) -> None:
    assert len(data.flows) == 12
    assert data.source_ids == (C, A, B)
    assert sorted(f.route for f in data.flows if f.source == C) == [
        ("MDA", "MDA"),
        ("MDA", "UKR", "RUS"),
        ("MDA", "UKR", "TUR"),
        ("UZB", "KAZ", "RUS"),
    ]
    via = next(f for f in data.flows if f.assertion == "c-uzb-via-kaz-2008")
    assert (via.years, via.sectors, via.purposes) == ((2008,), ("construction",), ("forced_labor",))


def test_kazakhstan_is_the_hub_with_the_highest_betweenness(graph: nx.DiGraph) -> None:
    rows = centrality_rows(graph)
    top, second = rows[0], rows[1]
    # in: Uzbekistan, Kyrgyzstan; out: Turkey, Russia, Western Europe, South Korea
    assert (top.place, top.in_degree, top.out_degree) == ("KAZ", 2, 4)
    # 2 origins x 4 destinations = 8 of the 8 x 7 ordered pairs of the other places
    assert top.betweenness == pytest.approx(8 / 56, abs=1e-6)
    assert top.transit_routes == 2  # KGZ → KAZ → TUR (B), UZB → KAZ → RUS (C)
    # Ukraine: Moldova to Turkey and to Russia
    assert (second.place, second.betweenness, second.transit_routes) == (
        "UKR",
        pytest.approx(2 / 56, abs=1e-6),
        2,
    )
    assert all(r.betweenness == 0 and r.transit_routes == 0 for r in rows[2:])


def test_the_routes_through_kazakhstan(graph: nx.DiGraph) -> None:
    rows = route_rows(graph, through="KAZ")
    assert [(r.route, r.assertions, r.sources, r.years) for r in rows] == [
        (("KGZ", "KAZ", "TUR"), ("b-kgz-via-kaz-2007",), (B,), (2007,)),
        (("UZB", "KAZ", "RUS"), ("c-uzb-via-kaz-2008",), (C,), (2008,)),
    ]


def test_each_places_implied_roles(graph: nx.DiGraph) -> None:
    assert implied_roles(graph) == {
        "KAZ": ("source", "transit", "destination"),
        "UKR": ("transit",),
        # internal trafficking is not a destination role
        **{c: ("source",) for c in ("KGZ", "MDA", "UZB")},
        **{c: ("destination",) for c in ("KOR", "RUS", "TUR", "western-europe")},
    }
    rows = {r.place: r for r in role_rows(graph)}
    kaz, mda = rows["KAZ"], rows["MDA"]
    assert (kaz.stated, kaz.internal, kaz.agreement) == (
        ("source", "transit", "destination"),
        False,
        "agree",
    )
    assert (mda.stated, mda.internal, mda.agreement) == (("source",), True, "agree")
    assert rows["UKR"].agreement == "no role stated"


def test_a_source_states_a_transit_role_its_flows_do_not_show(data: FlowData) -> None:
    kaz = role_rows(only(data, A))[0]
    assert kaz.place == "KAZ"
    assert kaz.implied == ("source", "destination")
    assert kaz.agreement == "stated, no flow shows it: transit"


def test_what_changes_between_two_sources(data: FlowData) -> None:
    d = graph_diff(only(data, A), only(data, B))
    assert d.places_added == ("KOR",)
    assert d.places_removed == ("UZB", "western-europe")
    assert d.edges_added == (("KAZ", "KOR"),)
    assert d.edges_removed == (("KAZ", "western-europe"), ("UZB", "KAZ"))
    assert set(d.edges_kept) == {("KAZ", "RUS"), ("KAZ", "TUR"), ("KGZ", "KAZ")}


def test_reciprocity_and_components(graph: nx.DiGraph) -> None:
    s = network_summary(graph)
    assert (s.places, s.edges, s.flows, s.internal_edges) == (9, 10, 12, 1)
    assert s.reciprocal_pairs == () and s.strong_components == ()
    # Moldova's routes reach Turkey and Russia, which Kazakhstan's reach too: one component
    assert len(s.weak_components) == 1 and len(s.weak_components[0]) == 9


def test_a_route_back_makes_a_reciprocal_pair_and_a_strong_component(data: FlowData) -> None:
    # the fixtures have no route back; one more flow, Russia to Kazakhstan, makes one
    back = Flow(route=("RUS", "KAZ"), assertion="x-back", source="x", purposes=(), years=(2008,))
    s = network_summary(build_graph([*data.flows, back]))
    assert (s.places, s.edges, s.flows) == (9, 11, 13)
    assert s.reciprocal_pairs == (("KAZ", "RUS"),)
    assert s.strong_components == (("KAZ", "RUS"),)
    assert s.reciprocity > 0


def test_reach_tells_stated_routes_from_chained_legs(graph: nx.DiGraph) -> None:
    rows = {r.place: r for r in reach(graph, "UZB")}
    assert set(rows) == {"KAZ", "RUS", "TUR", "KOR", "western-europe"}
    assert {p for p, r in rows.items() if r.stated} == {"KAZ", "RUS"}
    assert rows["TUR"].path == ("UZB", "KAZ", "TUR") and not rows["TUR"].stated
    assert {r.place for r in reach(graph, "KAZ", "to")} == {"KGZ", "UZB"}


def test_regional_view(graph: nx.DiGraph) -> None:
    rows = {(r.origin, r.destination): r.scope for r in scope_rows(graph)}
    assert rows == {
        ("MDA", "MDA"): "domestic",
        # Central Asia; Eastern Europe
        ("KGZ", "KAZ"): "within sub-region",
        ("UZB", "KAZ"): "within sub-region",
        ("MDA", "RUS"): "within sub-region",
        # Asia
        ("KAZ", "KOR"): "within region",
        ("KAZ", "TUR"): "within region",
        ("KGZ", "TUR"): "within region",
        # Asia and Europe
        ("KAZ", "RUS"): "between regions",
        ("KAZ", "western-europe"): "between regions",
        ("MDA", "TUR"): "between regions",
        ("UZB", "RUS"): "between regions",
    }
    # (origin-destination pairs, flows): Kazakhstan to Russia is stated by A and by B
    assert scope_totals(scope_rows(graph)) == {
        "domestic": (1, 1),
        "within sub-region": (3, 3),
        "within region": (3, 3),
        "between regions": (4, 5),
    }


def test_filters_narrow_the_graph(data: FlowData) -> None:
    g = flow_graph(data, FlowFilter(years=((2004, 2006),)))
    assert {f.source for f in g.graph["flows"]} == {A}
    g = flow_graph(data, FlowFilter(country="UKR"))
    assert sorted(g.edges) == [("MDA", "UKR"), ("UKR", "RUS"), ("UKR", "TUR")]
    g = flow_graph(data, FlowFilter(victim_groups=frozenset({"girls"})))
    assert sorted(g.edges) == [("KAZ", "RUS"), ("KAZ", "TUR"), ("KAZ", "western-europe")]
    g = flow_graph(data, FlowFilter(purposes=frozenset({"forced_begging"})))
    assert sorted(g.edges) == [("MDA", "MDA")]


def test_the_law_enforcement_series(data: FlowData) -> None:
    # every source's figure stays, the two that disagree included (convictions in 2005)
    series = {(o.metric, o.country, o.year, o.value, o.source) for o in data.observations}
    assert series == {
        ("investigations", "KAZ", 2004, 30, A),
        ("investigations", "KAZ", 2005, 40, A),
        ("investigations", "KAZ", 2005, 40, B),
        ("investigations", "KAZ", 2007, 55, B),
        ("prosecutions", "KAZ", 2007, 21, B),
        ("convictions", "KAZ", 2005, 12, A),
        ("convictions", "KAZ", 2005, 10, B),
        ("convictions", "KAZ", 2007, 18, B),
        ("convictions", "MDA", 2008, 5, C),
    }


def test_diff_by_year_refuses_two_sources_as_a_change_over_time(data: FlowData) -> None:
    # A's flows are of 2005 and B's of 2007: not one source's change over time
    with pytest.raises(
        UsageError,
        match=r"the two sides come from different sources "
        r"\(2005: fx-monitor-2006; 2007: fx-review-2008\)",
    ):
        answer(
            "diff",
            FlowRequest(
                seeds_dir=FIXTURE_SEEDS, sources_dir=FIXTURE_SOURCES, years=("2005", "2007")
            ),
            data,
        )


# --- graph files -----------------------------------------------------------------------


def test_graphml_reads_back_with_attributes_intact(graph: nx.DiGraph) -> None:
    view = export_view(graph)
    back = nx.read_graphml(io.BytesIO(graphml_bytes(graph)))
    assert back.is_directed()
    assert dict(back.nodes(data=True)) == dict(view.nodes(data=True))
    assert {(u, v): d for u, v, d in back.edges(data=True)} == {
        (u, v): d for u, v, d in view.edges(data=True)
    }
    assert back.nodes["KAZ"]["implied_roles"] == "source;transit;destination"
    assert back.edges["UZB", "KAZ"]["years"] == "2005;2008"  # A's flow, C's first leg


def test_gexf_reads_back_with_attributes_intact(graph: nx.DiGraph) -> None:
    view = export_view(graph)
    data = gexf_bytes(graph)
    assert b"lastmodifieddate" not in data
    back = nx.read_gexf(io.BytesIO(data))
    assert dict(back.nodes(data=True)) == dict(view.nodes(data=True))
    for u, v, d in view.edges(data=True):
        got = dict(back.edges[u, v])
        got.pop("id")  # GEXF numbers its edges
        assert got == {**d, "weight": float(d["weight"])}


# --- the committed outputs -------------------------------------------------------------


def figure_digest(path: Path) -> str:
    """The digest a figure says it draws: PNG text chunk or SVG description."""
    if path.suffix == ".png":
        text = Image.open(path).text["Description"]  # type: ignore[attr-defined]
    else:
        text = path.read_text(encoding="utf-8")
    match = re.search(r"tip-kg figure digest ([0-9a-f]{64})", text)
    assert match, f"{path} carries no figure digest"
    return match[1]


@pytest.mark.real_seeds
def test_the_committed_flow_outputs_are_current(real_data: FlowData) -> None:
    files = report_files(real_data)
    assert report_files(real_data) == files, "two runs gave different bytes"
    for name, content in files.items():
        path = EXPORTS / name
        assert path.is_file(), f"{path} is missing: run make build"
        if name.startswith("figures/"):
            # pixels depend on the matplotlib and FreeType versions; what is drawn does not
            fresh = re.search(rb"tip-kg figure digest ([0-9a-f]{64})", content)
            assert fresh and figure_digest(path) == fresh[1].decode(), (
                f"{path} is stale: run make build"
            )
        else:
            assert path.read_bytes() == content, f"{path} is stale: run make build"


@pytest.mark.real_seeds
def test_the_committed_report_embeds_its_figures(real_data: FlowData) -> None:
    text = (EXPORTS / "analysis.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)]+)\)", text):
        assert (EXPORTS / target).is_file(), target
    assert "![" in text and "figures/flows-network.png" in text
    assert "figures/law-enforcement.png" in text
    # every place of the flow graph has its row in the roles table
    for place in flow_graph(real_data, FlowFilter()).nodes:
        assert f"\n| {place} | " in text, place
    with Image.open(EXPORTS / "figures" / "flows-network.png") as image:
        assert image.size == (1500, 1200)


@pytest.mark.real_seeds
def test_the_committed_edge_csv_matches_the_graph(real_data: FlowData) -> None:
    graph = flow_graph(real_data, FlowFilter())
    rows = list(csv.DictReader(io.StringIO((EXPORTS / "flows-edges.csv").read_text())))
    assert {(r["source"], r["target"]) for r in rows} == set(graph.edges)
    for r in rows:
        assert int(r["support"]) == graph.edges[r["source"], r["target"]]["support"] >= 1


def test_the_report_holds_the_key_tables(data: FlowData) -> None:
    text = report_files(data)["analysis.md"].decode("utf-8")
    assert (
        "| KAZ | Kazakhstan | source, transit, destination | source, transit, "
        "destination | no | agree |" in text
    )
    assert "## Routes through Kazakhstan" in text
    assert (
        "| UZB → KAZ → RUS | 2 | c-uzb-via-kaz-2008 | fx-bulletin-2009 | forced_labor "
        "| 2008 |" in text
    )


def test_the_edge_csv_matches_the_graph(graph: nx.DiGraph, tmp_path: Path) -> None:
    result = kg_flows("export", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "flows-edges.csv").read_text())))
    assert {(r["source"], r["target"]) for r in rows} == set(graph.edges)
    uzb = next(r for r in rows if (r["source"], r["target"]) == ("UZB", "KAZ"))
    # A's flow from Uzbekistan to Kazakhstan and the first leg of C's route to Russia
    assert uzb["support"] == "2" and uzb["scope"] == "within sub-region"


# --- the command line ------------------------------------------------------------------


def test_cli_centrality_table_puts_kazakhstan_first() -> None:
    result = kg_flows("centrality", "--top", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split()[:2] == ["place", "name"]
    assert lines[3].split()[:2] == ["KAZ", "Kazakhstan"]
    assert lines[4].split()[:2] == ["UKR", "Ukraine"]
    assert len(lines) == 6


def test_cli_roles_as_json() -> None:
    result = kg_flows("roles", "--format", "json", "--source", A)
    assert result.returncode == 0, result.stderr
    roles = {r["place"]: r for r in json.loads(result.stdout)["roles"]}
    assert roles["KAZ"]["stated"] == ["source", "transit", "destination"]
    assert roles["KAZ"]["implied"] == ["source", "destination"]
    assert "MDA" not in roles  # C's, not A's


def test_cli_reach_and_routes_as_csv() -> None:
    result = kg_flows("reach", "Uzbekistan", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0] == {
        "place": "KAZ",
        "name": "Kazakhstan",
        "hops": "1",
        "shortest_path": "UZB → KAZ",
        "stated_route": "true",
    }
    assert len(rows) == 5
    result = kg_flows("routes", "--through", "kz", "--format", "csv")
    assert len(result.stdout.splitlines()) == 1 + 2


def test_cli_diff_of_two_sources() -> None:
    result = kg_flows("diff", "--source", A, "--source", B, "--format", "json")
    assert result.returncode == 0, result.stderr
    changes = {(r["change"], r["item"]) for r in json.loads(result.stdout)["diff"]}
    assert ("removed", "western-europe") in changes and ("added", "KAZ → KOR") in changes
    assert ("removed", "UZB → KAZ") in changes


def test_cli_diff_of_a_source_with_itself_is_empty() -> None:
    result = kg_flows("diff", "--source", A, "--source", A, "--format", "json")
    assert {r["change"] for r in json.loads(result.stdout)["diff"]} == {"kept"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("reach", "Kazakstan"),
            "kg: error: reach Kazakstan: no such country or region "
            "(hint: did you mean Kazakhstan?)",
        ),
        (("roles", "--country", "Kazakhstani"), "looks like a demonym"),
        (("roles", "--purpose", "forced_labour"), "did you mean forced_labor"),
        (("roles", "--source", "fx-monitor"), "did you mean fx-monitor-2006?"),
        (("roles", "--year", "05"), "--year 05: not a year"),
        (("diff", "--source", A), "diff compares two sources or two years"),
        (("reach", "France"), "FRA is on no flow"),
    ],
)
def test_cli_user_errors_are_one_line_with_a_hint(args: tuple[str, ...], message: str) -> None:
    result = kg_flows(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_cli_export_writes_the_graph_files(tmp_path: Path) -> None:
    result = kg_flows("export", "--out", str(tmp_path), "--country", "UKR")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "flows-edges.csv",
        "flows-nodes.csv",
        "flows.gexf",
        "flows.graphml",
    ]
    back = nx.read_graphml(tmp_path / "flows.graphml")
    assert sorted(back.edges) == [("MDA", "UKR"), ("UKR", "RUS"), ("UKR", "TUR")]
