"""`kg draft`: the command around `draft_document` (inputs, outputs, --force, progress)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from kg.draft import draft_document
from kg.draft.writer import to_json, to_yaml
from kg.errors import InputError, OutputError, UsageError
from kg.progress import Progress, wanted

# Drafts go beside, not into, seeds/: a seeds directory is built as it stands, and a draft
# is moved there by the curator once reviewed.
DEFAULT_OUT = "drafts"


def text_paths(names: list[str]) -> list[Path]:
    """The texts named: files as given, and every *.txt of a directory, sorted."""
    paths: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix == ".txt" and p.is_file())
            if not found:
                raise InputError(
                    f"{name}: no *.txt texts in this directory",
                    "give narrative text files or a directory of them",
                )
            paths.extend(found)
        elif path.is_file():
            paths.append(path)
        else:
            raise InputError(
                f"{name}: no such file or directory",
                "give narrative text files or a directory of them",
            )
    return paths


def _write_atomic(target: Path, content: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
        # mkstemp makes 0600; a seed file gets the mode the umask gives
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    """Draft every text; YAML files into --out, or JSON on standard output."""
    if args.year is not None and not 1990 <= args.year <= 2100:
        raise UsageError(f"--year {args.year} is out of range", "years run from 1990 to 2100")
    paths = text_paths(args.texts)
    if args.source_id and len(paths) > 1:
        raise UsageError(
            "--source-id names one source; it cannot be given for several texts",
            "draft the texts one at a time, or leave --source-id out",
        )
    out = Path(args.out or DEFAULT_OUT)
    targets: list[Path] = []
    if args.format == "yaml":
        for path in paths:
            target = out / (path.stem + ".yaml")
            if target.exists() and not args.force:
                raise OutputError(
                    f"{target}: a seed file of that name exists; nothing written",
                    "pass --force to overwrite it",
                )
            targets.append(target)
    docs = []
    bar = Progress("draft", len(paths), wanted())
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from None
        docs.append(
            draft_document(
                data, str(path), country=args.country, year=args.year, source_id=args.source_id
            )
        )
        bar.advance()
    bar.close()
    if args.format == "json":
        sys.stdout.write(
            to_json(
                docs, many=len(args.texts) > 1 or len(paths) > 1 or Path(args.texts[0]).is_dir()
            )
        )
        return 0
    try:
        out.mkdir(parents=True, exist_ok=True)
        for doc, target in zip(docs, targets, strict=True):
            _write_atomic(target, to_yaml(doc))
    except OSError as exc:
        raise OutputError(f"{out}: cannot write: {exc.strerror}") from None
    for doc, target in zip(docs, targets, strict=True):
        print(
            f"drafted {target}: {len(doc['assertions'])} assertions "
            f"({doc['country']}, {doc['year']})",
            file=sys.stderr,
        )
    return 0
