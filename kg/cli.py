"""The `kg` command line: parse arguments, call one library function, render, exit.

Exit codes: 0 success, 1 invalid data, 2 usage or I/O error. A traceback only with --debug.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from kg import __version__
from kg.errors import InvalidData, KgError, UsageError, printable
from kg.findings import Report


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors; keep that
        self.print_usage(sys.stderr)
        self.exit(2, f"kg: error: {message}\n")


def _common(p: argparse.ArgumentParser, sources: bool = True) -> None:
    p.add_argument(
        "--seeds",
        default="seeds",
        metavar="DIR",
        help="directory of seed YAML files (default: seeds)",
    )
    if sources:
        p.add_argument(
            "--sources",
            metavar="DIR[:DIR...]",
            help="directories of the source texts the quotes are checked against, "
            "looked up in order (default: $KG_SOURCES)",
        )
    p.add_argument(
        "--ontology",
        metavar="DIR",
        help="ontology directory (default: the one shipped with tip-kg)",
    )
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )


def _strict(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--strict",
        action="store_true",
        help="refuse unchecked quotes (a missing source text) as errors",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kg",
        description="tip-kg: a knowledge graph of human-trafficking "
        "facts curated from cited sources",
    )
    parser.add_argument("--version", action="version", version=f"tip-kg {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("validate", help="check the seeds and report every problem at once")
    _common(p)
    _strict(p)
    p.set_defaults(run=_validate)

    p = sub.add_parser("build", help="validate, then write the exports")
    _common(p)
    _strict(p)
    p.add_argument(
        "--out", default="exports", metavar="DIR", help="output directory (default: exports)"
    )
    p.set_defaults(run=_build)

    p = sub.add_parser("stats", help="counts per class, per source and per metric")
    _common(p)
    p.set_defaults(run=_stats)

    p = sub.add_parser(
        "load",
        help="load the graph into a SPARQL Graph Store and verify it",
        description="Credentials come from the environment only: "
        "KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD (Basic or Digest), or "
        "KG_ENDPOINT_TOKEN (Bearer).",
    )
    p.add_argument("--store", metavar="GSP_URL", help="Graph Store Protocol endpoint")
    p.add_argument("--query", metavar="SPARQL_URL", help="SPARQL query endpoint")
    p.add_argument(
        "--server",
        nargs=2,
        metavar=("KIND", "BASE_URL"),
        help="fill in --store and --query for oxigraph, fuseki, virtuoso or graphdb",
    )
    p.add_argument("--graph", metavar="IRI", help="put everything into this one graph")
    p.add_argument(
        "--append",
        action="store_true",
        help="add to the graphs (POST) instead of replacing them (PUT)",
    )
    p.add_argument(
        "--data",
        default="exports/tip-kg.nq",
        metavar="FILE",
        help="the graph to send (default: exports/tip-kg.nq)",
    )
    _http_options(p)
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    p.set_defaults(run=_load)

    p = sub.add_parser("site", help="write a static website of the built graph (offline)")
    p.add_argument(
        "--exports",
        default="exports",
        metavar="DIR",
        help="the built exports to read (default: exports)",
    )
    p.add_argument("--out", default="site", metavar="DIR", help="output directory (default: site)")
    p.set_defaults(run=_site)

    p = sub.add_parser("serve", help="a local read-only SPARQL endpoint over the built graph")
    p.add_argument(
        "--data",
        default="exports/tip-kg.nq",
        metavar="FILE",
        help="the graph to serve (default: exports/tip-kg.nq)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=7879, help="port (default: 7879; 0: any free)")
    p.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="stop a query after this long (default: 30)",
    )
    p.add_argument("--workers", type=int, default=4, help="queries run at once (default: 4)")
    p.add_argument(
        "--queue",
        type=int,
        default=16,
        metavar="N",
        help="queries that may wait for a worker; more get 503 (default: 16)",
    )
    p.add_argument(
        "--client-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="time a connection has to send each request whole, idle time included (default: 10)",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=64,
        metavar="N",
        help="connections open at once; more get 503 (default: 64)",
    )
    p.add_argument(
        "--allow-service",
        action="append",
        default=[],
        metavar="IRI",
        help="let queries use SERVICE <IRI> for this endpoint (repeatable); "
        "without it SERVICE is refused",
    )
    p.set_defaults(run=_serve)
    p = sub.add_parser(
        "query",
        help="run a SPARQL query (a named one, a .rq file or text)",
        description="Run a SPARQL query over the built graph. QUERY is a "
        "named query (see --list), a FILE.rq, - for stdin, or the query "
        "text (after --).",
    )
    p.add_argument("query", nargs="?", metavar="QUERY", help="NAME, FILE.rq, - or SPARQL text")
    p.add_argument("--list", action="store_true", help="list the named queries and exit")
    p.add_argument(
        "--bind",
        action="append",
        default=[],
        metavar="VAR=VALUE",
        help="bind a query variable: <IRI> or prefix:local for IRIs, "
        '"text" / a number / true|false for literals (repeatable)',
    )
    p.add_argument(
        "--seeds",
        default="seeds",
        metavar="DIR",
        help="directory of seed YAML files (default: seeds)",
    )
    p.add_argument(
        "--sources", metavar="DIR", help="directory of the source texts (default: $KG_SOURCES)"
    )
    p.add_argument(
        "--ontology",
        metavar="DIR",
        help="ontology directory (default: the one shipped with tip-kg)",
    )
    p.add_argument(
        "--format",
        choices=("table", "csv", "tsv", "json"),
        default="table",
        help="table (default) or a SPARQL 1.1 results format",
    )
    p.add_argument(
        "--endpoint",
        metavar="SPARQL_URL",
        help="ask this SPARQL endpoint instead of the embedded store (credentials "
        "from KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD or KG_ENDPOINT_TOKEN)",
    )
    _http_options(p)
    p.set_defaults(run=_query)

    p = sub.add_parser(
        "compare",
        help="each claim of one source against the others: agrees, "
        "more specific, only one source, contradicts",
    )
    _common(p)
    p.add_argument(
        "--source",
        dest="source_ids",
        action="append",
        default=[],
        metavar="ID",
        help="a source to compare (repeat; default: every source)",
    )
    p.add_argument(
        "--country",
        metavar="PLACE",
        help="only claims about PLACE (its own, and flows from or to it)",
    )
    p.set_defaults(run=_compare)

    p = sub.add_parser("coverage", help="what of each source text no assertion accounts for")
    _common(p)
    p.set_defaults(run=_coverage)
    _flows_parser(sub)

    p = sub.add_parser(
        "draft",
        help="draft a seed file from a TIP country narrative",
        description="Draft a seed file (every assertion marked status: draft) "
        "from each TIP country narrative text.",
    )
    p.add_argument(
        "texts",
        nargs="+",
        metavar="TEXT",
        help="narrative text files (UTF-8), or directories of *.txt",
    )
    p.add_argument(
        "--out", metavar="DIR", help="directory for the drafted seed files (default: drafts)"
    )
    p.add_argument(
        "--country", metavar="PLACE", help="the narrative's country (default: what the text says)"
    )
    p.add_argument(
        "--year",
        type=int,
        metavar="YEAR",
        help="the report year (default: what the text or the file name says)",
    )
    p.add_argument("--source-id", metavar="ID", help="the seed's source id (one text only)")
    p.add_argument(
        "--format",
        choices=("yaml", "json"),
        default="yaml",
        help="yaml: seed files in --out (default); json: print the drafts",
    )
    p.add_argument("--force", action="store_true", help="overwrite existing seed files")
    p.set_defaults(run=_draft)
    _import_parser(sub)
    return parser


def _draft(args: argparse.Namespace) -> int:
    from kg.draft.command import run

    return run(args)


def _import_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "import",
        help="published datasets (edge lists, tier table) as seed files",
        description="Write one seed file per dataset file: KIND is "
        "`edgelists` (cib117 edgelistYEAR.txt files or their folder) or `tiers` "
        "(the Heiss map_tiers.csv). Prints what was kept, merged and dropped.",
    )
    p.add_argument(
        "kind", choices=("edgelists", "tiers"), metavar="KIND", help="edgelists or tiers"
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="dataset files or folders")
    p.add_argument(
        "--out",
        default="seeds/imported",
        metavar="DIR",
        help="where the seed files go (default: seeds/imported)",
    )
    p.add_argument(
        "--sources",
        metavar="DIR[:DIR...]",
        help="the sources directories the quote check will read the dataset files "
        "from; each seed names its file relative to the one that holds it "
        "(default: $KG_SOURCES, else the file's own folder)",
    )
    p.add_argument("--force", action="store_true", help="replace existing imported files")
    p.add_argument(
        "--keep-going",
        action="store_true",
        help="write the clean rows and list the rows that cannot be imported "
        "(default: refuse the whole import, exit 1)",
    )
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="summary format (default: text)"
    )
    p.set_defaults(run=_import)


def _http_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--timeout", type=float, default=60.0, metavar="SECONDS", help="per request (default: 60)"
    )
    p.add_argument(
        "--retries",
        type=int,
        default=3,
        metavar="N",
        help="tries again after connection errors, timeouts and 429/502/503/504 (default: 3)",
    )
    p.add_argument(
        "--insecure",
        action="store_true",
        help="do not verify TLS certificates (TLS is verified by default)",
    )


_FLOWS_HELP = {
    "summary": "size, reciprocity and components of the flow network",
    "roles": "each country's stated roles beside the roles its flows imply",
    "centrality": "degree, strength and betweenness (the transit hubs)",
    "routes": "every origin → … → destination route the flows state",
    "reach": "where victims from COUNTRY can end up (or, with --to, come from)",
    "diff": "edges and places that appear or disappear between two sources or years",
    "regions": "flows as domestic, within a UN M49 sub-region or region, or between regions",
    "export": "write flows.graphml, flows.gexf and the node/edge CSV pair",
    "report": "write the graph files, figures and analysis.md",
}


def _flows_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("flows", help="route-network analysis of the trafficking flows")
    flows = p.add_subparsers(dest="flows_command", metavar="SUBCOMMAND", parser_class=_Parser)
    flows.required = True
    for name, text in _FLOWS_HELP.items():
        q = flows.add_parser(name, help=text, description=text)
        q.add_argument(
            "--seeds",
            default="seeds",
            metavar="DIR",
            help="directory of seed YAML files (default: seeds)",
        )
        q.add_argument(
            "--sources", metavar="DIR", help="directory of the source texts (default: $KG_SOURCES)"
        )
        q.add_argument("--ontology", metavar="DIR", help="ontology directory")
        if name in ("export", "report"):
            q.add_argument(
                "--out",
                default="exports",
                metavar="DIR",
                help="output directory (default: exports)",
            )
        else:
            q.add_argument(
                "--format",
                choices=("text", "json", "csv"),
                default="text",
                help="output format (default: text)",
            )
        if name != "report":
            q.add_argument(
                "--source",
                dest="source_ids",
                action="append",
                default=[],
                metavar="ID",
                help="only this source's flows (repeatable)",
            )
            q.add_argument(
                "--year",
                action="append",
                default=[],
                metavar="YYYY[-YYYY]",
                help="only flows of this year or range (repeatable)",
            )
            q.add_argument(
                "--purpose",
                action="append",
                default=[],
                metavar="NOTATION",
                help="only flows for this purpose, e.g. forced_labor (repeatable)",
            )
            q.add_argument(
                "--victim-group",
                action="append",
                default=[],
                metavar="NOTATION",
                help="only flows of this victim group, e.g. women (repeatable)",
            )
            q.add_argument(
                "--country",
                metavar="PLACE",
                help="only flows that start, pass through or end in PLACE",
            )
        if name == "reach":
            q.add_argument("place", metavar="COUNTRY")
            way = q.add_mutually_exclusive_group()
            way.add_argument(
                "--from",
                dest="direction",
                action="store_const",
                const="from",
                default="from",
                help="where victims from COUNTRY end up (default)",
            )
            way.add_argument(
                "--to",
                dest="direction",
                action="store_const",
                const="to",
                help="where victims who end up in COUNTRY come from",
            )
        if name == "routes":
            q.add_argument("--through", metavar="PLACE", help="only routes with a stop in PLACE")
        if name == "centrality":
            q.add_argument("--top", type=int, metavar="N", help="only the first N rows")
        q.set_defaults(run=_flows)


def _print_findings(report: Report, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    for finding in report:
        print(finding.render(), file=sys.stderr)


def _summary(report: Report) -> str:
    s = report.stats
    parts = [
        f"{s.get('files', 0)} files",
        f"{s.get('assertions', 0)} assertions",
        f"{s.get('quotes_checked', 0)} quotes checked",
    ]
    if s.get("quotes_unchecked"):
        parts.append(
            f"{s['quotes_unchecked']} QUOTES UNCHECKED (source texts not found; "
            "--strict refuses this)"
        )
    parts.append(f"{len(report.errors)} errors, {len(report.warnings)} warnings")
    return ", ".join(parts)


def _validate(args: argparse.Namespace) -> int:
    from kg.pipeline import validate
    from kg.progress import wanted

    report = validate(
        args.seeds, args.sources, args.ontology, progress=wanted(), strict=args.strict
    ).report
    _print_findings(report, args.format)
    if args.format == "text":
        print(("valid: " if report.ok else "invalid: ") + _summary(report))
    return 0 if report.ok else 1


def _build(args: argparse.Namespace) -> int:
    from kg.pipeline import build
    from kg.progress import wanted

    started = time.perf_counter()
    result = build(
        args.seeds, args.out, args.sources, args.ontology, progress=wanted(), strict=args.strict
    )
    elapsed = time.perf_counter() - started
    if args.format == "json":
        doc = result.report.as_dict()
        doc.update(
            files=[str(p) for p in result.files],
            triples=result.triples,
            quads=result.quads,
            up_to_date=result.up_to_date,
            seconds=round(elapsed, 3),
        )
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    _print_findings(result.report, "text")
    print(f"built: {_summary(result.report)}")
    if result.up_to_date:
        print(
            f"{args.out}/ is up to date (no seed, text or ontology changed): "
            f"{result.triples} triples, {result.quads} quads, checked in {elapsed:.2f} s"
        )
    else:
        print(
            f"wrote {len(result.files)} files to {args.out}/: {result.triples} triples, "
            f"{result.quads} quads in {elapsed:.2f} s"
        )
    return 0


def _compare(args: argparse.Namespace) -> int:
    from kg.pipeline import compare

    result = compare(args.seeds, args.source_ids, args.country, args.sources, args.ontology)
    if args.format == "json":
        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(result.render())
    return 0


def _stats(args: argparse.Namespace) -> int:
    from kg.pipeline import stats

    counts = stats(args.seeds, args.sources, args.ontology)
    if args.format == "json":
        print(json.dumps(counts, indent=2, sort_keys=True))
        return 0
    for section, rows in counts.items():
        print(f"{section}:")
        width = max((len(k) for k in rows), default=0)
        for key, n in rows.items():
            print(f"  {key:<{width}}  {n:>7}")
    return 0


def _load(args: argparse.Namespace) -> int:
    from kg.endpoint import Client, redact, server_urls
    from kg.errors import UsageError
    from kg.load import load

    store, query = args.store, args.query
    if args.server:
        store, query = server_urls(*args.server)
        store, query = args.store or store, args.query or query
    if not store or not query:
        raise UsageError(
            "say where to load: --store GSP_URL --query SPARQL_URL, or --server KIND BASE_URL"
        )
    client = Client(
        timeout=args.timeout, retries=max(0, args.retries), verify_tls=not args.insecure
    )
    bar = _ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    try:
        result = load(
            store,
            query,
            args.data,
            graph=args.graph,
            append=args.append,
            client=client,
            progress=bar,
        )
    finally:
        if bar:
            bar.close()
    if args.format == "json":
        print(json.dumps(result.as_dict(), indent=2))
        return 0
    verb = "appended to" if args.append else "replaced"
    for g in result.graphs:
        print(
            f"{verb} {g.name}: sent {g.triples} triples in {g.seconds:.2f} s; "
            f"the server counts {g.after} (before: {g.before})"
        )
    print(
        f"loaded {result.triples} triples into {len(result.graphs)} graph(s) at "
        f"{redact(store)} in {result.seconds:.2f} s; verified by COUNT at {redact(query)}"
    )
    return 0


class _ProgressBar:
    """Bytes sent, redrawn on one terminal line."""

    def __init__(self, stream: object, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // total if total else self.width
        if filled == self.shown:
            return
        self.shown = filled
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\rloading [{bar}] {done / 1e6:.1f}/{total / 1e6:.1f} MB")  # type: ignore[attr-defined]
        self.stream.flush()  # type: ignore[attr-defined]

    def close(self) -> None:
        if self.shown >= 0:
            self.stream.write("\r" + " " * (self.width + 40) + "\r")  # type: ignore[attr-defined]


def _site(args: argparse.Namespace) -> int:
    from kg.site import build_site

    written = build_site(args.exports, args.out)
    print(f"wrote {len(written)} files to {args.out}/ (open {args.out}/index.html)")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from kg.serve import make_server, serve

    server = make_server(
        args.data,
        args.host,
        args.port,
        args.timeout,
        args.workers,
        log=lambda line: print(line, file=sys.stderr, flush=True),
        waiting=args.queue,
        client_timeout=args.client_timeout,
        max_connections=args.max_connections,
        allow_service=args.allow_service,
    )
    print(f"serving {args.data} read-only at {server.url} (Ctrl-C stops)", flush=True)
    serve(server)


def _query(args: argparse.Namespace) -> int:
    from kg.query import (
        RemoteEngine,
        named_queries,
        parse_bindings,
        query_graph,
        render_table,
        serialize_result,
    )

    if args.list:
        queries = named_queries()
        width = max((len(q.name) for q in queries), default=0)
        for q in queries:
            print(f"{q.name:<{width}}  {q.question}")
        return 0
    if not args.query:
        raise UsageError(
            "give a query: NAME, FILE.rq, - or -- 'SPARQL'",
            "kg query --list shows the named queries",
        )
    engine = None
    if args.endpoint:
        from kg.endpoint import Client

        engine = RemoteEngine(
            args.endpoint,
            Client(
                timeout=args.timeout, retries=max(0, args.retries), verify_tls=not args.insecure
            ),
        )
    result = query_graph(
        args.query,
        parse_bindings(args.bind),
        seeds_dir=args.seeds,
        sources_dir=args.sources,
        ontology_dir=args.ontology,
        engine=engine,
    )
    if args.format == "table":
        sys.stdout.write(render_table(result))
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(serialize_result(result, args.format))
    return 0


def _import(args: argparse.Namespace) -> int:
    from kg.importer import DatasetError, import_datasets, summary_table

    try:
        result = import_datasets(
            args.kind,
            args.paths,
            args.out,
            args.sources,
            force=args.force,
            keep_going=args.keep_going,
        )
    except DatasetError as exc:
        for problem in exc.problems:
            print(printable(problem.render()), file=sys.stderr)
        if args.format == "json":
            print(
                json.dumps(
                    {"files": [s.as_dict() for s in exc.summaries], "written": []},
                    indent=2,
                    ensure_ascii=False,
                )
            )
        else:
            sys.stdout.write(summary_table(exc.summaries))
        print(
            f"refused: {len(exc.problems)} row(s) or file(s) cannot be imported; nothing "
            "was written (hint: fix them, or pass --keep-going to write the clean rows)",
            file=sys.stderr,
        )
        return exc.exit_code
    # with --keep-going the refused rows are listed, as warnings: the user asked for the rest
    for summary in result.summaries:
        for problem in summary.problems:
            print(
                printable(problem.render().replace(": error: ", ": warning: skipped: ", 1)),
                file=sys.stderr,
            )
    if args.format == "json":
        print(
            json.dumps(
                {
                    "files": [s.as_dict() for s in result.summaries],
                    "written": [str(p) for p in result.written],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        sys.stdout.write(summary_table(result.summaries))
        print(f"wrote {len(result.written)} seed file(s) to {args.out}/")
    return 0


def _coverage(args: argparse.Namespace) -> int:
    from kg.coverage import coverage

    results = coverage(args.seeds, args.sources, args.ontology)
    if args.format == "json":
        print(json.dumps({"sources": [r.as_dict() for r in results]}, indent=2, ensure_ascii=False))
        return 0
    for r in results:
        counts = ", ".join(f"{n} {kind}s" for kind, n in sorted(r.mentions.items()))
        print(
            f"{r.source_id} ({r.text_name}): {r.sentences} sentences, "
            f"{len(r.untouched)} untouched; {counts}, {len(r.uncarried)} not carried"
        )
        for u in r.untouched:
            print(f"  {r.text_name}:{u.line}:{u.col}: sentence no quote touches: {u.text}")
        for u in r.uncarried:
            print(f"  {r.text_name}:{u.line}:{u.col}: {u.kind} no assertion carries: {u.text}")
        if r.cut:
            print(
                f"  {r.text_name}:{r.cut.line}:{r.cut.col}: the text ends mid-sentence "
                f"({r.cut.text}): this copy is cut short; what follows is not covered"
            )
    return 0


def _flows(args: argparse.Namespace) -> int:
    from kg.flows import FlowRequest, answer, write_graph_exports
    from kg.flows.tables import RENDERERS

    request = FlowRequest(
        seeds_dir=args.seeds,
        sources_dir=args.sources,
        ontology_dir=args.ontology,
        sources=tuple(getattr(args, "source_ids", ())),
        years=tuple(getattr(args, "year", ())),
        purposes=tuple(getattr(args, "purpose", ())),
        victim_groups=tuple(getattr(args, "victim_group", ())),
        country=getattr(args, "country", None),
        through=getattr(args, "through", None),
        place=getattr(args, "place", None),
        direction=getattr(args, "direction", "from"),
        limit=getattr(args, "top", None),
    )
    if args.flows_command in ("export", "report"):
        if args.flows_command == "report":
            from kg.flows.report import write_report  # matplotlib: only when drawing

            written = write_report(request, args.out)
        else:
            written = write_graph_exports(request, args.out)
        print(
            f"wrote {len(written)} files to {args.out}/: "
            + ", ".join(str(Path(p).relative_to(args.out)) for p in written)
        )
        return 0
    sys.stdout.write(RENDERERS[args.format](answer(args.flows_command, request)))
    if args.format == "json":
        sys.stdout.write("\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except InvalidData as exc:
        if args.debug:
            raise
        _print_findings(exc.report, getattr(args, "format", "text"))
        if getattr(args, "format", "text") == "text":
            print(f"invalid: {_summary(exc.report)}; nothing was written", file=sys.stderr)
        return exc.exit_code
    except KgError as exc:
        if args.debug:
            raise
        hint = f" (hint: {printable(exc.hint)})" if exc.hint else ""
        # an error that knows its place (a query's line and column) starts with it
        where = getattr(exc, "location", None) or "kg"
        # messages quote what others wrote (a server's reply, a file name): no escapes
        print(f"{where}: error: {printable(str(exc), keep_newlines=True)}{hint}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # the reader went away (`kg stats | head`): not an error worth a traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        if args.debug:
            raise
        # not "invalid data" (exit 1): the input may be fine, the machine ran short
        print(
            "kg: error: out of memory (hint: a seed file far larger "
            "than usual? see the README's Limits; or set KG_JOBS=1 to check one file at "
            "a time)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
