"""The pages of the static site: an index, and a page per country, source and concept.

Every page is plain HTML with its CSS and script inline, so the site makes no request
to another host and works from `file://`; every link is relative. Each entity page has
`{page}.ttl` and `{page}.jsonld` beside it (the entity's concise bounded description with
labels) and embeds the same JSON-LD. The search index is a script file (`search-index.js`)
rather than JSON fetched at run time, because browsers refuse `fetch` on `file://`; the
same entries are also written as `search.json` for other programs.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path

from rdflib import URIRef

from kg import __version__
from kg.errors import UsageError
from kg.export import write_files
from kg.site.graph import (
    DCTERMS,
    ID,
    KG,
    OWL,
    PROV,
    RDF,
    SKOS,
    SiteGraph,
    jsonld_text,
    read_exports,
    to_jsonld,
    to_turtle,
)

# a page bigger than this is a defect of the generator (the site promises < 200 KB pages)
PAGE_LIMIT = 200_000
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")

_STYLE = """body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:62rem;padding:1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #bbb;
padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#eee}
blockquote,q{color:#333}code{font-size:.9em}nav a{margin-right:1rem}
.quote{font-style:italic}.muted{color:#555}"""

_SEARCH_SCRIPT = """(function(){var box=document.getElementById('q'),
out=document.getElementById('hits');
box.addEventListener('input',function(){var q=box.value.trim().toLowerCase();out.textContent='';
if(!q)return;(window.KG_SEARCH||[]).filter(function(e){return e.names.some(function(n){
return n.toLowerCase().indexOf(q)>=0;});}).slice(0,30).forEach(function(e){
var li=document.createElement('li'),a=document.createElement('a');a.href=e.href;
a.textContent=e.name;li.appendChild(a);li.appendChild(document.createTextNode(' ('+e.kind+')'));
out.appendChild(li);});});})();"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def page_path(iri: str) -> str | None:
    """The site path (without suffix) of an entity IRI, e.g. `id/country/KAZ`; None for an
    IRI outside the graph's namespace or with a segment unsafe as a file name."""
    if not iri.startswith(ID):
        return None
    segments = iri[len(ID) :].split("/")
    if not all(_SAFE_SEGMENT.match(s) for s in segments):
        return None
    return "id/" + "/".join(segments)


class _Site:
    def __init__(self, graph: SiteGraph) -> None:
        self.g = graph
        self.countries = graph.instances(KG.Country)
        self.sources = graph.instances(KG.Source)
        self.concepts = graph.instances(SKOS.Concept)
        # only entities that get a page are linked, so every link resolves
        self.pages: dict[str, str] = {}
        for node in self.countries + self.sources + self.concepts:
            path = page_path(str(node))
            if path:
                self.pages[str(node)] = path
        self.files: dict[str, bytes] = {}

    # -- links -------------------------------------------------------------------------
    def link(self, node: object, here: str) -> str:
        label = _e(self.g.label(node))  # type: ignore[arg-type]
        target = self.pages.get(str(node))
        if target is None:
            return label
        return f'<a href="{_e(_relative(target + ".html", here))}">{label}</a>'

    def links(self, nodes: list, here: str) -> str:
        return ", ".join(self.link(n, here) for n in nodes)

    # -- page frame --------------------------------------------------------------------
    def page(self, path: str, title: str, body: str, jsonld: object) -> None:
        home = _relative("index.html", path)
        script = jsonld_text(jsonld).replace("</", "<\\/")
        text = (
            f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)} · tip-kg</title>\n<style>{_STYLE}</style>\n"
            f'<script type="application/ld+json">\n{script}\n</script>\n</head>\n<body>\n'
            f'<nav><a href="{_e(home)}">tip-kg</a></nav>\n<main>\n<h1>{_e(title)}</h1>\n'
            f"{body}</main>\n</body>\n</html>\n"
        )
        data = text.encode("utf-8")
        if len(data) > PAGE_LIMIT:
            raise UsageError(
                f"{path}: the page would be {len(data)} bytes, over the "
                f"{PAGE_LIMIT}-byte limit of a site page",
                hint="report this as a defect of `kg site`",
            )
        self.files[path] = data

    def entity_page(self, node: URIRef, title: str, body: str) -> None:
        path = self.pages[str(node)]
        triples = self.g.describe(node)
        description = to_jsonld(triples)
        self.files[path + ".ttl"] = to_turtle(triples)
        self.files[path + ".jsonld"] = (jsonld_text(description) + "\n").encode("utf-8")
        name = posixpath.basename(path)
        head = (
            f'<p class="muted">IRI <code>{_e(node)}</code> · as '
            f'<a href="{_e(name)}.ttl">Turtle</a> · as '
            f'<a href="{_e(name)}.jsonld">JSON-LD</a></p>\n'
        )
        self.page(path + ".html", title, head + body, description)

    # -- assertion tables --------------------------------------------------------------
    def quote(self, node: URIRef) -> str:
        quotes = self.g.objects(node, KG.evidence)
        return "<br>".join(f'<span class="quote">“{_e(q)}”</span>' for q in quotes)

    def source_of(self, node: URIRef, here: str) -> str:
        return self.links(self.g.objects(node, PROV.wasDerivedFrom), here)

    def year(self, node: URIRef) -> str:
        return ", ".join(self.g.label(y) for y in self.g.objects(node, KG.year))

    def flow_table(self, flows: list[URIRef], here: str) -> str:
        if not flows:
            return "<p>None recorded.</p>\n"
        rows = []
        for f in sorted(flows, key=lambda n: (self.year(n), str(n))):
            route = " → ".join(
                self.links(self.g.objects(f, prop), here)
                for prop in (KG.origin, KG.transit, KG.destination)
                if self.g.objects(f, prop)
            )
            rows.append(
                f"<tr><td>{route}</td><td>{_e(self.year(f))}</td>"
                f"<td>{self.links(self.g.objects(f, KG.purpose), here)}</td>"
                f"<td>{self.source_of(f, here)}</td><td>{self.quote(f)}</td></tr>"
            )
        return (
            "<table><thead><tr><th>route</th><th>year</th><th>purpose</th>"
            "<th>source</th><th>evidence</th></tr></thead><tbody>\n"
            + "\n".join(rows)
            + "\n</tbody></table>\n"
        )

    def fact_table(self, nodes: list[URIRef], columns: list[tuple[str, URIRef]], here: str) -> str:
        if not nodes:
            return "<p>None recorded.</p>\n"
        head = "".join(f"<th>{_e(name)}</th>" for name, _ in columns)
        rows = []
        for n in sorted(nodes, key=lambda n: (self.year(n), str(n))):
            cells = "".join(
                f"<td>{self.links(self.g.objects(n, prop), here)}</td>" for _, prop in columns
            )
            rows.append(
                f"<tr>{cells}<td>{self.source_of(n, here)}</td><td>{self.quote(n)}</td></tr>"
            )
        return (
            f"<table><thead><tr>{head}<th>source</th><th>evidence</th></tr></thead>"
            "<tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
        )

    # -- pages -------------------------------------------------------------------------
    def country(self, c: URIRef) -> None:
        here = self.pages[str(c)] + ".html"
        g = self.g
        of_country = g.subjects(KG.country, c)
        kinds = {n: set(g.objects(n, RDF.type)) for n in of_country}
        roles = [n for n in of_country if KG.CountryRole in kinds[n]]
        tiers = [n for n in of_country if KG.TierPlacement in kinds[n]]
        figures = [n for n in of_country if KG.Indicator in kinds[n]]
        body = [f"<p>ISO 3166 {_e(g.value(c, KG.isoAlpha3) or '')}"]
        same = [o for o in g.objects(c, OWL.sameAs) if isinstance(o, URIRef)]
        if same:
            body.append(" · same as " + ", ".join(f'<a href="{_e(o)}">{_e(o)}</a>' for o in same))
        body.append("</p>\n<h2>Roles</h2>\n")
        body.append(
            self.fact_table(
                roles, [("role", KG.role), ("year", KG.year), ("purpose", KG.purpose)], here
            )
        )
        body.append("<h2>Tier placements</h2>\n")
        body.append(self.fact_table(tiers, [("tier", KG.tier), ("year", KG.year)], here))
        body.append("<h2>Flows out</h2>\n")
        body.append(self.flow_table(g.subjects(KG.origin, c), here))
        body.append("<h2>Flows in</h2>\n")
        body.append(self.flow_table(g.subjects(KG.destination, c), here))
        body.append("<h2>Flows through</h2>\n")
        body.append(self.flow_table(g.subjects(KG.transit, c), here))
        body.append("<h2>Figures</h2>\n")
        body.append(
            self.fact_table(
                figures, [("metric", KG.metric), ("year", KG.year), ("value", KG.value)], here
            )
        )
        self.entity_page(c, g.label(c), "".join(body))

    def source(self, s: URIRef) -> None:
        here = self.pages[str(s)] + ".html"
        g = self.g
        rows = []
        for a in g.subjects(PROV.wasDerivedFrom, s):
            kinds = sorted(
                g.label(k)
                for k in g.objects(a, RDF.type)
                if isinstance(k, URIRef) and k != KG.Assertion
            )
            rows.append(
                f"<tr><td>{_e(g.value(a, DCTERMS.identifier) or '')}</td>"
                f"<td>{_e(', '.join(kinds))}</td><td>{_e(g.label(a))}</td>"
                f"<td>{self.quote(a)}</td></tr>"
            )
        meta = []
        for name, prop in (
            ("publisher", DCTERMS.publisher),
            ("issued", DCTERMS.issued),
            ("licence", DCTERMS.license),
        ):
            values = g.objects(s, prop)
            if values:
                meta.append(f"<li>{name}: {self.links(values, here)}</li>")
        body = (
            f"<ul>{''.join(meta)}</ul>\n<h2>Assertions ({len(rows)})</h2>\n"
            "<table><thead><tr><th>id</th><th>kind</th><th>statement</th>"
            "<th>evidence</th></tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
        )
        self.entity_page(s, g.label(s), body)

    def concept(self, c: URIRef) -> None:
        here = self.pages[str(c)] + ".html"
        g = self.g
        items = [
            ("notation", _e(g.value(c, SKOS.notation) or "")),
            ("definition", _e(g.value(c, SKOS.definition) or "")),
            ("scheme", self.links(g.objects(c, SKOS.inScheme), here)),
            ("broader", self.links(g.objects(c, SKOS.broader), here)),
            ("narrower", self.links(g.objects(c, SKOS.narrower), here)),
        ]
        body = (
            "<dl>\n" + "".join(f"<dt>{k}</dt><dd>{v or '—'}</dd>\n" for k, v in items) + "</dl>\n"
        )
        self.entity_page(c, g.label(c), body)

    def index(self) -> None:
        g = self.g
        dataset = g.void.value(
            predicate=RDF.type, object=URIRef("http://www.w3.org/ns/dcat#Dataset")
        )
        title = str(g.void.value(dataset, DCTERMS.title) or "tip-kg")
        description = str(g.void.value(dataset, DCTERMS.description) or "")
        licence = str(g.void.value(dataset, DCTERMS.license) or "")
        counts = []
        for cls in sorted(set(g.graph.objects(None, RDF.type)), key=str):
            if isinstance(cls, URIRef) and str(cls).startswith(str(KG)):
                counts.append((g.label(cls), len(g.instances(cls))))
        years = sorted({g.label(y) for y in g.graph.objects(None, KG.year)})
        downloads = g.downloads()
        body = [
            f"<p>{_e(description)}</p>\n<h2>Search</h2>\n"
            '<p><label for="q">Country, source or concept</label> '
            '<input id="q" type="search" autocomplete="off"></p>\n<ul id="hits"></ul>\n',
            "<h2>Sources</h2>\n<ul>\n",
        ]
        body += [f"<li>{self.link(s, 'index.html')}</li>\n" for s in self.sources]
        body.append("</ul>\n<h2>Countries</h2>\n<p>")
        body.append(self.links(sorted(self.countries, key=g.label), "index.html"))
        body.append(
            "</p>\n<h2>What the graph holds</h2>\n<table><thead><tr><th>kind</th>"
            "<th>count</th></tr></thead><tbody>\n"
        )
        body += [f"<tr><td>{_e(k)}</td><td>{n}</td></tr>\n" for k, n in counts]
        body.append(f"</tbody></table>\n<p>Years covered: {_e(', '.join(years) or '—')}</p>\n")
        body.append(
            "<h2>How to cite</h2>\n<p>"
            + _e(f"{title}, version {__version__}. ")
            + f"<code>{_e(ID[:-3])}</code>. Licence: "
            f'<a href="{_e(licence)}">{_e(licence)}</a>.</p>\n'
        )
        body.append(
            "<h2>Downloads</h2>\n<table><thead><tr><th>file</th><th>what</th>"
            "<th>media type</th><th>bytes</th><th>SHA-256</th></tr></thead><tbody>\n"
        )
        for d in downloads:
            body.append(
                f'<tr><td><a href="exports/{_e(d.name)}">{_e(d.name)}</a></td>'
                f"<td>{_e(d.title)}</td><td>{_e(d.media_type)}</td><td>{d.size}</td>"
                f"<td><code>{_e(d.sha256)}</code></td></tr>\n"
            )
        body.append(
            '</tbody></table>\n<p>The <a href="exports/void.ttl">VoID/DCAT '
            "description</a> lists the same.</p>\n"
            '<script src="search-index.js"></script>\n'
            f"<script>{_SEARCH_SCRIPT}</script>\n"
        )
        jsonld = {
            "@context": "https://schema.org/",
            "@type": "Dataset",
            "@id": str(dataset),
            "name": title,
            "description": description,
            "license": licence,
            "version": __version__,
            "url": ID[:-3],
            "temporalCoverage": f"{years[0]}/{years[-1]}" if years else None,
            "distribution": [
                {
                    "@type": "DataDownload",
                    "name": d.name,
                    "encodingFormat": d.media_type,
                    "contentUrl": f"{ID[:-3]}exports/{d.name}",
                    "contentSize": str(d.size),
                }
                for d in downloads
            ],
        }
        jsonld = {k: v for k, v in jsonld.items() if v is not None}
        self.page("index.html", title, "".join(body), jsonld)

    def search_index(self) -> None:
        entries = []
        for kind, nodes in (
            ("country", self.countries),
            ("source", self.sources),
            ("concept", self.concepts),
        ):
            for node in nodes:
                if str(node) not in self.pages:
                    continue
                names = sorted(
                    {self.g.label(node)}
                    | {
                        str(v)
                        for prop in (SKOS.altLabel, KG.isoAlpha3, SKOS.notation)
                        for v in self.g.objects(node, prop)
                    }
                )
                entries.append(
                    {
                        "name": self.g.label(node),
                        "kind": kind,
                        "names": names,
                        "href": self.pages[str(node)] + ".html",
                    }
                )
        entries.sort(key=lambda e: (e["name"].lower(), e["href"]))
        data = json.dumps(entries, ensure_ascii=False, sort_keys=True, indent=0)
        self.files["search.json"] = (data + "\n").encode("utf-8")
        self.files["search-index.js"] = (
            "window.KG_SEARCH = " + data.replace("</", "<\\/") + ";\n"
        ).encode("utf-8")


def _relative(target: str, here: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(here) or ".")


def build_site(exports_dir: str | Path, out_dir: str | Path) -> list[Path]:
    """Write the static site of the graph built in `exports_dir` to `out_dir`; returns
    the files written. The export files and void.ttl are copied under `exports/` so the
    download links work offline."""
    exports_dir, out_dir = Path(exports_dir), Path(out_dir)
    graph = read_exports(exports_dir)
    site = _Site(graph)
    for c in site.countries:
        if str(c) in site.pages:
            site.country(c)
    for s in site.sources:
        if str(s) in site.pages:
            site.source(s)
    for c in site.concepts:
        if str(c) in site.pages:
            site.concept(c)
    site.index()
    site.search_index()
    for name in ["void.ttl"] + [d.name for d in graph.downloads()]:
        path = exports_dir / name
        if path.is_file():
            site.files[f"exports/{name}"] = path.read_bytes()
    return write_files(out_dir, site.files)
