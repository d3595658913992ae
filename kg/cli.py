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
from kg.errors import InvalidData, KgError
from kg.findings import Report


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors; keep that
        self.print_usage(sys.stderr)
        self.exit(2, f"kg: error: {message}\n")


def _common(p: argparse.ArgumentParser, sources: bool = True) -> None:
    p.add_argument("--seeds", default="seeds", metavar="DIR",
                   help="directory of seed YAML files (default: seeds)")
    if sources:
        p.add_argument("--sources", metavar="DIR",
                       help="directory of the source texts the quotes are checked against "
                            "(default: $KG_SOURCES)")
    p.add_argument("--ontology", metavar="DIR",
                   help="ontology directory (default: the one shipped with tip-kg)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="output format (default: text)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kg", description="tip-kg: a knowledge graph of human-trafficking "
                     "facts curated from cited sources")
    parser.add_argument("--version", action="version", version=f"tip-kg {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("validate", help="check the seeds and report every problem at once")
    _common(p)
    p.set_defaults(run=_validate)

    p = sub.add_parser("build", help="validate, then write the exports")
    _common(p)
    p.add_argument("--out", default="exports", metavar="DIR",
                   help="output directory (default: exports)")
    p.set_defaults(run=_build)

    p = sub.add_parser("stats", help="counts per class, per source and per metric")
    _common(p)
    p.set_defaults(run=_stats)
    return parser


def _print_findings(report: Report, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    for finding in report:
        print(finding.render(), file=sys.stderr)


def _summary(report: Report) -> str:
    s = report.stats
    parts = [f"{s.get('files', 0)} files", f"{s.get('assertions', 0)} assertions",
             f"{s.get('quotes_checked', 0)} quotes checked"]
    if s.get("quotes_unchecked"):
        parts.append(f"{s['quotes_unchecked']} quotes UNCHECKED")
    parts.append(f"{len(report.errors)} errors, {len(report.warnings)} warnings")
    return ", ".join(parts)


def _validate(args: argparse.Namespace) -> int:
    from kg.pipeline import validate
    from kg.progress import wanted

    report = validate(args.seeds, args.sources, args.ontology, progress=wanted()).report
    _print_findings(report, args.format)
    if args.format == "text":
        print(("valid: " if report.ok else "invalid: ") + _summary(report))
    return 0 if report.ok else 1


def _build(args: argparse.Namespace) -> int:
    from kg.pipeline import build
    from kg.progress import wanted

    started = time.perf_counter()
    result = build(args.seeds, args.out, args.sources, args.ontology, progress=wanted())
    elapsed = time.perf_counter() - started
    if args.format == "json":
        doc = result.report.as_dict()
        doc.update(files=[str(p) for p in result.files], triples=result.triples,
                   quads=result.quads, seconds=round(elapsed, 3))
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    _print_findings(result.report, "text")
    print(f"built: {_summary(result.report)}")
    print(f"wrote {len(result.files)} files to {args.out}/: {result.triples} triples, "
          f"{result.quads} quads in {elapsed:.2f} s")
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
        hint = f" (hint: {exc.hint})" if exc.hint else ""
        print(f"kg: error: {exc}{hint}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # the reader went away (`kg stats | head`): not an error worth a traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[0]).name and sys.argv[1:]))
