"""`kg flows`: the real answers on the seeds' graph, the CLI, and the committed outputs."""

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
from kg.flows.network import FlowFilter
from kg.flows.report import report_files
from tests.conftest import EXPORTS, SEEDS, run_kg

TIP = "tip-2006-kazakhstan"
WIKI = "wikipedia-human-trafficking-in-kazakhstan"
VIA_KAZ = ("wiki-2008-via-kazakhstan-forced-labor", "wiki-2008-via-kazakhstan-sexual-exploitation")


@pytest.fixture(scope="module")
def data() -> FlowData:
    return load_flow_data(FlowRequest(seeds_dir=SEEDS))


@pytest.fixture(scope="module")
def graph(data: FlowData) -> nx.DiGraph:
    return flow_graph(data, FlowFilter())


def only(data: FlowData, source: str) -> nx.DiGraph:
    return flow_graph(data, FlowFilter(sources=frozenset([source])))


# --- the real answers ------------------------------------------------------------------


def test_the_flows_come_from_the_rdf_with_their_exact_routes(data: FlowData) -> None:
    assert len(data.flows) == 50
    assert data.source_ids == (TIP, WIKI)
    via = [f for f in data.flows if f.assertion == VIA_KAZ[0]]
    assert sorted(f.route for f in via) == sorted(
        (o, "KAZ", d) for o in ("AFG", "KGZ", "TJK", "UZB") for d in ("ARE", "RUS"))
    assert all(f.years == (2008,) and f.sectors == ("agriculture", "construction") for f in via)


def test_kazakhstan_is_the_hub_with_the_highest_betweenness(graph: nx.DiGraph) -> None:
    rows = centrality_rows(graph)
    top = rows[0]
    assert (top.place, top.in_degree, top.out_degree) == ("KAZ", 5, 10)
    assert top.betweenness == pytest.approx(0.269231)
    assert top.transit_routes == 8
    assert all(r.betweenness == 0 and r.transit_routes == 0 for r in rows[1:])


def test_the_routes_through_kazakhstan(graph: nx.DiGraph) -> None:
    rows = route_rows(graph, through="KAZ")
    assert [r.route for r in rows] == [(o, "KAZ", d) for o in ("AFG", "KGZ", "TJK", "UZB")
                                       for d in ("ARE", "RUS")]
    assert {(r.assertions, r.sources, r.years) for r in rows} == {(VIA_KAZ, (WIKI,), (2008,))}


def test_each_places_implied_roles(graph: nx.DiGraph) -> None:
    destinations = ("ARE", "AZE", "DEU", "GRC", "ISR", "KOR", "TUR", "USA", "western-europe")
    assert implied_roles(graph) == {
        "KAZ": ("source", "transit", "destination"), "RUS": ("source", "destination"),
        **{c: ("source",) for c in ("AFG", "KGZ", "TJK", "UZB")},
        **{c: ("destination",) for c in destinations}}
    kaz = role_rows(graph)[0]
    assert (kaz.place, kaz.stated, kaz.internal, kaz.agreement) == (
        "KAZ", ("source", "transit", "destination"), True, "agree")


def test_the_2006_report_states_a_transit_role_its_flows_do_not_show(data: FlowData) -> None:
    kaz = role_rows(only(data, TIP))[0]
    assert kaz.place == "KAZ"
    assert kaz.implied == ("source", "destination")
    assert kaz.agreement == "stated, no flow shows it: transit"


def test_what_changes_between_the_two_sources(data: FlowData) -> None:
    d = graph_diff(only(data, TIP), only(data, WIKI))
    assert d.places_added == ("AFG", "AZE", "DEU", "USA")
    assert d.places_removed == ("KOR", "western-europe")
    assert d.edges_added == (("AFG", "KAZ"), ("KAZ", "AZE"), ("KAZ", "DEU"), ("KAZ", "USA"))
    assert d.edges_removed == (("KAZ", "KOR"), ("KAZ", "western-europe"), ("RUS", "KAZ"))
    assert ("KAZ", "KAZ") in d.edges_kept


def test_reciprocity_and_components(graph: nx.DiGraph) -> None:
    s = network_summary(graph)
    assert (s.places, s.edges, s.internal_edges) == (15, 16, 1)
    assert s.reciprocal_pairs == (("KAZ", "RUS"),)
    assert s.strong_components == (("KAZ", "RUS"),)
    assert len(s.weak_components) == 1


def test_reach_tells_stated_routes_from_chained_legs(graph: nx.DiGraph) -> None:
    rows = {r.place: r for r in reach(graph, "UZB")}
    assert {p for p, r in rows.items() if r.stated} == {"KAZ", "RUS", "ARE"}
    assert rows["TUR"].path == ("UZB", "KAZ", "TUR") and not rows["TUR"].stated
    assert {r.place for r in reach(graph, "KAZ", "to")} == {"AFG", "KGZ", "RUS", "TJK", "UZB"}


def test_regional_view(graph: nx.DiGraph) -> None:
    rows = {(r.origin, r.destination): r.scope for r in scope_rows(graph)}
    assert rows[("KAZ", "KAZ")] == "domestic"
    assert rows[("UZB", "KAZ")] == "within sub-region"
    assert rows[("KAZ", "TUR")] == "within region"
    assert rows[("KAZ", "RUS")] == rows[("KAZ", "western-europe")] == "between regions"
    assert scope_totals(scope_rows(graph)) == {
        "domestic": (1, 3), "within sub-region": (3, 12), "within region": (10, 18),
        "between regions": (10, 17)}


def test_filters_narrow_the_graph(data: FlowData) -> None:
    g = flow_graph(data, FlowFilter(years=((2004, 2006),)))
    assert {f.source for f in g.graph["flows"]} == {TIP}
    g = flow_graph(data, FlowFilter(country="AFG"))
    assert sorted(g.edges) == [("AFG", "KAZ"), ("KAZ", "ARE"), ("KAZ", "RUS")]
    g = flow_graph(data, FlowFilter(victim_groups=frozenset({"girls"})))
    assert sorted(g.edges) == [("KAZ", "KAZ"), ("KGZ", "KAZ"), ("RUS", "KAZ"), ("TJK", "KAZ"),
                               ("UZB", "KAZ")]


def test_the_law_enforcement_series(data: FlowData) -> None:
    series = {(o.metric, o.year): o.value for o in data.observations}
    assert series == {
        ("investigations", 2004): 27, ("investigations", 2005): 29,
        ("investigations", 2006): 13, ("investigations", 2007): 22,
        ("prosecutions", 2004): 14, ("prosecutions", 2005): 5,
        ("prosecutions", 2006): 7, ("prosecutions", 2007): 16,
        ("convictions", 2004): 12, ("convictions", 2005): 13,
        ("convictions", 2006): 1, ("convictions", 2007): 19}


def test_diff_by_year_refuses_two_sources_as_a_change_over_time(data: FlowData) -> None:
    # 2005 is the TIP file's year and 2008 the Wikipedia file's: not one source's change
    with pytest.raises(UsageError, match="the two sides come from different sources"):
        answer("diff", FlowRequest(seeds_dir=SEEDS, years=("2005", "2008")), data)


# --- graph files -----------------------------------------------------------------------


def test_graphml_reads_back_with_attributes_intact(graph: nx.DiGraph) -> None:
    view = export_view(graph)
    back = nx.read_graphml(io.BytesIO(graphml_bytes(graph)))
    assert back.is_directed()
    assert dict(back.nodes(data=True)) == dict(view.nodes(data=True))
    assert {(u, v): d for u, v, d in back.edges(data=True)} == {
        (u, v): d for u, v, d in view.edges(data=True)}
    assert back.nodes["KAZ"]["implied_roles"] == "source;transit;destination"
    assert back.edges["UZB", "KAZ"]["years"] == "2005;2008"


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


def test_the_committed_flow_outputs_are_current(data: FlowData) -> None:
    files = report_files(data)
    assert report_files(data) == files, "two runs gave different bytes"
    for name, content in files.items():
        path = EXPORTS / name
        assert path.is_file(), f"{path} is missing: run make build"
        if name.startswith("figures/"):
            # pixels depend on the matplotlib and FreeType versions; what is drawn does not
            fresh = re.search(rb"tip-kg figure digest ([0-9a-f]{64})", content)
            assert fresh and figure_digest(path) == fresh[1].decode(), \
                f"{path} is stale: run make build"
        else:
            assert path.read_bytes() == content, f"{path} is stale: run make build"


def test_the_report_embeds_the_figures_and_key_tables() -> None:
    text = (EXPORTS / "analysis.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)]+)\)", text):
        assert (EXPORTS / target).is_file(), target
    assert "![" in text and "figures/flows-network.png" in text
    assert "figures/law-enforcement.png" in text
    assert "| KAZ | Kazakhstan | source, transit, destination |" in text
    assert "## Routes through Kazakhstan" in text
    with Image.open(EXPORTS / "figures" / "flows-network.png") as image:
        assert image.size == (1500, 1200)


def test_the_edge_csv_matches_the_graph(graph: nx.DiGraph) -> None:
    rows = list(csv.DictReader(io.StringIO((EXPORTS / "flows-edges.csv").read_text())))
    assert {(r["source"], r["target"]) for r in rows} == set(graph.edges)
    uzb = next(r for r in rows if (r["source"], r["target"]) == ("UZB", "KAZ"))
    assert uzb["support"] == "6" and uzb["scope"] == "within sub-region"


# --- the command line ------------------------------------------------------------------


def test_cli_centrality_table_puts_kazakhstan_first() -> None:
    result = run_kg("flows", "centrality", "--top", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split()[:2] == ["place", "name"]
    assert lines[3].split()[:2] == ["KAZ", "Kazakhstan"]
    assert len(lines) == 6


def test_cli_roles_as_json() -> None:
    result = run_kg("flows", "roles", "--format", "json", "--source", TIP)
    assert result.returncode == 0, result.stderr
    roles = {r["place"]: r for r in json.loads(result.stdout)["roles"]}
    assert roles["KAZ"]["stated"] == ["source", "transit", "destination"]
    assert roles["KAZ"]["implied"] == ["source", "destination"]


def test_cli_reach_and_routes_as_csv() -> None:
    result = run_kg("flows", "reach", "Uzbekistan", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0] == {"place": "KAZ", "name": "Kazakhstan", "hops": "1",
                       "shortest_path": "UZB → KAZ", "stated_route": "true"}
    result = run_kg("flows", "routes", "--through", "kz", "--format", "csv")
    assert len(result.stdout.splitlines()) == 1 + 8


def test_cli_diff_of_two_sources() -> None:
    result = run_kg("flows", "diff", "--source", TIP, "--source", WIKI, "--format", "json")
    assert result.returncode == 0, result.stderr
    changes = {(r["change"], r["item"]) for r in json.loads(result.stdout)["diff"]}
    assert ("removed", "western-europe") in changes and ("added", "KAZ → USA") in changes


def test_cli_diff_of_a_source_with_itself_is_empty() -> None:
    result = run_kg("flows", "diff", "--source", TIP, "--source", TIP, "--format", "json")
    assert {r["change"] for r in json.loads(result.stdout)["diff"]} == {"kept"}


@pytest.mark.parametrize(("args", "message"), [
    (("reach", "Kazakstan"), "kg: error: reach Kazakstan: no such country or region "
                             "(hint: did you mean Kazakhstan?)"),
    (("roles", "--country", "Kazakhstani"), "looks like a demonym"),
    (("roles", "--purpose", "forced_labour"), "did you mean forced_labor"),
    (("roles", "--source", "tip"), "did you mean tip-2006-kazakhstan?"),
    (("roles", "--year", "05"), "--year 05: not a year"),
    (("diff", "--source", TIP), "diff compares two sources or two years"),
    (("reach", "France"), "FRA is on no flow"),
])
def test_cli_user_errors_are_one_line_with_a_hint(args: tuple[str, ...], message: str) -> None:
    result = run_kg("flows", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_cli_export_writes_the_graph_files(tmp_path: Path) -> None:
    result = run_kg("flows", "export", "--out", str(tmp_path), "--country", "AFG")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "flows-edges.csv", "flows-nodes.csv", "flows.gexf", "flows.graphml"]
    back = nx.read_graphml(tmp_path / "flows.graphml")
    assert sorted(back.edges) == [("AFG", "KAZ"), ("KAZ", "ARE"), ("KAZ", "RUS")]
