"""Read one seed file into positioned nodes (the load step's I/O edge).

PyYAML's `safe_load` loses positions, keeps the last of two duplicate keys and expands
aliases. We stop at the composed node tree instead (libyaml when present), and turn it
into `Node`s that remember line and column, rejecting what a seed file has no use for:
tags, anchors and aliases, duplicate keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.errors import InputError
from kg.findings import Finding, Location

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The largest seed file read. A file is parsed whole, with every value's position, and
# checked, mapped and cut into export pieces in one go: that takes a few hundred times the
# file's size in memory. Real seed files are tens of KB (one source each; the generator's
# are about 15 KB), so 2 MiB is some 80 times the largest real one and keeps one file
# under about 600 MB; larger files are refused before they are read.
MAX_SEED_BYTES = 2 * 1024 * 1024
LIMIT_TEXT = f"{MAX_SEED_BYTES // (1024 * 1024)} MiB ({MAX_SEED_BYTES:,} bytes)"
_SPLIT_HINT = "split it into one seed file per source; the limit is in the README (Limits)"

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp",
                                      "seq", "map")}


@dataclass
class Node:
    """A YAML value with its position.

    `value` is the raw text for scalars (so `6.50` and `125` keep their spelling), a
    list of nodes for sequences and a dict of nodes for mappings. `tag` is the YAML core
    type a plain scalar resolves to (`int`, `float`, `str`, `bool`, `null`, `timestamp`).
    """

    kind: str  # "scalar" | "seq" | "map"
    value: Any
    loc: Location
    tag: str = "str"
    key_locs: dict[str, Location] = field(default_factory=dict)

    def get(self, key: str) -> Node | None:
        return self.value.get(key) if self.kind == "map" else None


def _loc(path: str, mark: Any) -> Location:
    return Location(path, mark.line + 1, mark.column + 1)


def read_seed_file(path: Path, display: str | None = None) -> tuple[Node | None, list[Finding]]:
    """Parse `path` into a `Node` tree, or return None with the findings that stopped it."""
    name = display or str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SEED_BYTES + 1)  # bounded even if it grew since the check
    except OSError as exc:
        return None, [Finding("error", "unreadable", f"cannot read file: {exc.strerror}",
                              Location(name))]
    if len(raw) > MAX_SEED_BYTES:
        return None, [Finding("error", "too-large",
                              f"the file is larger than a seed file may be, {LIMIT_TEXT}",
                              Location(name), _SPLIT_HINT)]
    return parse_seed_text(raw, name)


def check_seed_sizes(paths: list[Path]) -> None:
    """Refuse, before anything is read, seed files over `MAX_SEED_BYTES` (a usage error:
    such a file would take gigabytes of memory, not make a finding)."""
    too_large = []
    for path in paths:
        try:
            size = path.stat().st_size
        except OSError:
            continue  # reading it reports why, with the other findings
        if size > MAX_SEED_BYTES:
            too_large.append((path, size))
    if too_large:
        path, size = too_large[0]
        more = f" (and {len(too_large) - 1} more)" if len(too_large) > 1 else ""
        raise InputError(f"{path}: the seed file is {size:,} bytes, over the limit of "
                         f"{LIMIT_TEXT}{more}", _SPLIT_HINT)


def parse_seed_text(raw: bytes, name: str) -> tuple[Node | None, list[Finding]]:
    """Parse the bytes of a seed file; `name` is used in locations."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Finding(
            "error", "encoding",
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
            Location(name, line, col), "save the file as UTF-8")]
    if not text.strip():
        return None, [Finding("error", "empty-file", "the file is empty", Location(name, 1, 1),
                              "a seed file needs a `source:` header and `assertions:`")]
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = _loc(name, mark) if mark else Location(name)
        problem = exc.problem or str(exc)
        hint = "check the indentation and quoting around this place"
        if mark is not None and _char_at(text, mark) == "\t":
            problem, hint = "a tab character where YAML needs spaces", "indent with spaces"
        elif exc.context and exc.context not in problem:
            problem = f"{problem} ({exc.context})"
        return None, [Finding("error", "yaml-syntax", f"YAML syntax error: {problem}", loc, hint)]
    except yaml.reader.ReaderError as exc:
        # a character YAML refuses (a control character): PyYAML gives only its offset
        before = text[:exc.position]
        loc = Location(name, before.count("\n") + 1, exc.position - before.rfind("\n"))
        return None, [Finding("error", "yaml-syntax",
                              f"character U+{exc.character:04X} is not allowed in YAML "
                              "(a control character)", loc,
                              "delete it; quotes are copied as plain text")]
    except yaml.YAMLError as exc:
        return None, [Finding("error", "yaml-syntax", f"YAML error: {exc}", Location(name))]
    if root is None:
        return None, [Finding("error", "empty-file", "the file holds no YAML document",
                              Location(name, 1, 1),
                              "a seed file needs a `source:` header and `assertions:`")]
    findings: list[Finding] = []
    node = _convert(root, name, findings, set())
    return (node if not findings else None), findings


def _char_at(text: str, mark: Any) -> str:
    lines = text.splitlines()
    if mark.line < len(lines) and mark.column < len(lines[mark.line]):
        return lines[mark.line][mark.column]
    return ""


def _convert(n: yaml.Node, name: str, findings: list[Finding], seen: set[int]) -> Node:
    loc = _loc(name, n.start_mark)
    if id(n) in seen:
        # The composer hands back the very same node for an alias: that is how we see one.
        # One finding per file is enough; an alias bomb would otherwise report thousands.
        if not any(f.code == "alias" for f in findings):
            findings.append(Finding(
                "error", "alias", "YAML anchors and aliases (&name, *name) are not allowed "
                "in seeds; this value is reused by an alias", loc, "write the value out in full"))
        return Node("scalar", "", loc)
    seen.add(id(n))
    if n.tag not in _ALLOWED_TAGS:
        findings.append(Finding("error", "yaml-tag", f"YAML tag {n.tag!r} is not allowed in seeds",
                                loc, "remove the tag; seeds hold plain values only"))
        return Node("scalar", "", loc)
    if isinstance(n, yaml.ScalarNode):
        return Node("scalar", n.value, loc, n.tag.removeprefix(_CORE))
    if isinstance(n, yaml.SequenceNode):
        return Node("seq", [_convert(c, name, findings, seen) for c in n.value], loc, "seq")
    values: dict[str, Node] = {}
    key_locs: dict[str, Location] = {}
    for knode, vnode in n.value:
        kloc = _loc(name, knode.start_mark)
        if not isinstance(knode, yaml.ScalarNode):
            findings.append(Finding("error", "bad-key", "a mapping key must be a plain name", kloc))
            continue
        key = knode.value
        if key == "<<":
            findings.append(Finding("error", "alias", "YAML merge keys (<<) are not allowed",
                                    kloc, "write the fields out in full"))
            continue
        if key in values:
            first = key_locs[key]
            findings.append(Finding(
                "error", "duplicate-key",
                f"duplicate key {key!r} (first at line {first.line})", kloc,
                "YAML would silently keep only the last one; remove one of them"))
            continue
        key_locs[key] = kloc
        values[key] = _convert(vnode, name, findings, seen)
    return Node("map", values, loc, "map", key_locs)
