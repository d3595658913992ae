"""Read one seed file into positioned nodes (the load step's I/O edge).

PyYAML's `safe_load` loses positions, keeps the last of two duplicate keys and expands
aliases. We stop at the composed node tree instead (libyaml when present), and turn it
into `Node`s that remember line and column, rejecting what a seed file has no use for:
tags, anchors and aliases, duplicate keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
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
_ALLOWED_TAGS = {
    _CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}


_NO_KEYS: Mapping[str, Location] = MappingProxyType({})


@dataclass(slots=True)
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
    # a mapping's keys' places; every other node shares one empty, read-only mapping
    key_locs: Mapping[str, Location] = field(default_factory=lambda: _NO_KEYS)

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
        return None, [
            Finding("error", "unreadable", f"cannot read file: {exc.strerror}", Location(name))
        ]
    if len(raw) > MAX_SEED_BYTES:
        return None, [
            Finding(
                "error",
                "too-large",
                f"the file is larger than a seed file may be, {LIMIT_TEXT}",
                Location(name),
                _SPLIT_HINT,
            )
        ]
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
        raise InputError(
            f"{path}: the seed file is {size:,} bytes, over the limit of {LIMIT_TEXT}{more}",
            _SPLIT_HINT,
        )


def parse_seed_text(raw: bytes, name: str) -> tuple[Node | None, list[Finding]]:
    """Parse the bytes of a seed file; `name` is used in locations."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Finding(
                "error",
                "encoding",
                f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                Location(name, line, col),
                "save the file as UTF-8",
            )
        ]
    if not text.strip():
        return None, [
            Finding(
                "error",
                "empty-file",
                "the file is empty",
                Location(name, 1, 1),
                "a seed file needs a `source:` header and `assertions:`",
            )
        ]
    findings: list[Finding] = []
    try:
        root = _compose(text, name, findings)
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
        before = text[: exc.position]
        loc = Location(name, before.count("\n") + 1, exc.position - before.rfind("\n"))
        return None, [
            Finding(
                "error",
                "yaml-syntax",
                f"character U+{exc.character:04X} is not allowed in YAML (a control character)",
                loc,
                "delete it; quotes are copied as plain text",
            )
        ]
    except yaml.YAMLError as exc:
        return None, [Finding("error", "yaml-syntax", f"YAML error: {exc}", Location(name))]
    if root is None:
        return None, [
            Finding(
                "error",
                "empty-file",
                "the file holds no YAML document",
                Location(name, 1, 1),
                "a seed file needs a `source:` header and `assertions:`",
            )
        ]
    return (root if not findings else None), findings


def _char_at(text: str, mark: Any) -> str:
    lines = text.splitlines()
    if mark.line < len(lines) and mark.column < len(lines[mark.line]):
        return lines[mark.line][mark.column]
    return ""


class _Builder:
    """Turns the parser's events into `Node`s as they come, one document.

    PyYAML's composer would first build its own node tree, with two position objects per
    value, and keep it whole beside ours: several hundred bytes per value, the largest
    share of a big file's parse. Building from the events keeps only our tree, and
    without recursion, so nesting as deep as libyaml allows (1,000) is no RecursionError.
    The composer's errors (undefined alias, duplicate anchor, a second document) are
    raised as it raises them; what seeds refuse (tags, aliases, merge and duplicate keys)
    becomes findings.
    """

    def __init__(self, text: str, name: str, findings: list[Finding]) -> None:
        self.parser = _Loader(text)
        self.name = name
        self.findings = findings
        self.anchors: dict[str, Any] = {}  # anchor -> (start mark, location of its value)

    def document(self) -> Node | None:
        parser = self.parser
        try:
            parser.get_event()  # stream start
            if parser.check_event(yaml.StreamEndEvent):
                return None
            parser.get_event()  # document start
            first = parser.peek_event()
            root = self._node()
            parser.get_event()  # document end
            if not parser.check_event(yaml.StreamEndEvent):
                event = parser.get_event()
                raise yaml.composer.ComposerError(
                    "expected a single document in the stream",
                    first.start_mark,
                    "but found another document",
                    event.start_mark,
                )
            return root
        finally:
            parser.dispose()

    def _node(self) -> Node:
        """Read one whole value (a scalar, or a sequence or mapping to its end)."""
        # frames: [node, key awaiting a value (None: expecting a key), skip the value]
        stack: list[list[Any]] = []
        while True:
            event = self.parser.get_event()
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                done = stack.pop()[0]
            else:
                frame = stack[-1] if stack else None
                if frame is not None and frame[0].kind == "map":
                    if frame[1] is None:
                        self._key(frame, event)
                        continue
                    if frame[2]:  # the value of a refused key: read past it
                        self._skip(event)
                        frame[1], frame[2] = None, False
                        continue
                made = self._start(event)
                if made is None:
                    loc = self._loc(event)
                    kind = "seq" if isinstance(event, yaml.SequenceStartEvent) else "map"
                    stack.append(
                        [
                            Node(
                                kind,
                                [] if kind == "seq" else {},
                                loc,
                                kind,
                                {} if kind == "map" else _NO_KEYS,
                            ),
                            None,
                            False,
                        ]
                    )
                    continue
                done = made
            if not stack:
                return done
            frame = stack[-1]
            if frame[0].kind == "seq":
                frame[0].value.append(done)
            else:
                frame[0].value[frame[1]] = done
                frame[1] = None

    def _loc(self, event: Any) -> Location:
        return _loc(self.name, event.start_mark)

    def _start(self, event: Any) -> Node | None:
        """The node an event makes on its own, or None for a sequence or mapping to fill."""
        loc = self._loc(event)
        if isinstance(event, yaml.AliasEvent):
            _, anchored = self._anchored(event)
            # One finding per file is enough; an alias bomb would otherwise report thousands.
            if not any(f.code == "alias" for f in self.findings):
                self.findings.append(
                    Finding(
                        "error",
                        "alias",
                        "YAML anchors and aliases (&name, *name) are not allowed "
                        "in seeds; this value is reused by an alias",
                        anchored,
                        "write the value out in full",
                    )
                )
            return Node("scalar", "", anchored)
        self._anchor(event, loc)
        tag = event.tag
        if tag is None or tag == "!":
            kind = (
                yaml.ScalarNode
                if isinstance(event, yaml.ScalarEvent)
                else yaml.SequenceNode
                if isinstance(event, yaml.SequenceStartEvent)
                else yaml.MappingNode
            )
            value = event.value if isinstance(event, yaml.ScalarEvent) else None
            tag = self.parser.resolve(kind, value, event.implicit)
        if tag not in _ALLOWED_TAGS:
            self.findings.append(
                Finding(
                    "error",
                    "yaml-tag",
                    f"YAML tag {tag!r} is not allowed in seeds",
                    loc,
                    "remove the tag; seeds hold plain values only",
                )
            )
            if not isinstance(event, yaml.ScalarEvent):
                self._skip_rest()
            return Node("scalar", "", loc)
        if isinstance(event, yaml.ScalarEvent):
            return Node("scalar", event.value, loc, tag.removeprefix(_CORE))
        return None

    def _key(self, frame: list[Any], event: Any) -> None:
        """Take a mapping key; a refused one marks its value to be read past."""
        node: Node = frame[0]
        loc = self._loc(event)
        if not isinstance(event, yaml.ScalarEvent):
            if isinstance(event, yaml.AliasEvent):
                self._start(event)  # the alias finding
            else:
                self.findings.append(
                    Finding("error", "bad-key", "a mapping key must be a plain name", loc)
                )
                self._skip(event)
            frame[1], frame[2] = "", True
            return
        self._anchor(event, loc)
        key = event.value
        if key == "<<":
            self.findings.append(
                Finding(
                    "error",
                    "alias",
                    "YAML merge keys (<<) are not allowed",
                    loc,
                    "write the fields out in full",
                )
            )
        elif key in node.value:
            first = node.key_locs[key]
            self.findings.append(
                Finding(
                    "error",
                    "duplicate-key",
                    f"duplicate key {key!r} (first at line {first.line})",
                    loc,
                    "YAML would silently keep only the last one; remove one of them",
                )
            )
        else:
            node.key_locs[key] = loc  # type: ignore[index]
            frame[1] = key
            return
        frame[1], frame[2] = key, True

    def _skip(self, event: Any) -> None:
        """Read past the value `event` starts, still minding its anchors and aliases."""
        if isinstance(event, yaml.AliasEvent):
            self._anchored(event)
            return
        self._anchor(event, self._loc(event))
        if not isinstance(event, yaml.ScalarEvent):
            self._skip_rest()

    def _skip_rest(self) -> None:
        depth = 1
        while depth:
            event = self.parser.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                self._anchor(event, self._loc(event))
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                self._anchored(event)
            else:
                self._anchor(event, self._loc(event))

    def _anchor(self, event: Any, loc: Location) -> None:
        anchor = getattr(event, "anchor", None)
        if anchor is None:
            return
        if anchor in self.anchors:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self.anchors[anchor][0],
                "second occurrence",
                event.start_mark,
            )
        self.anchors[anchor] = (event.start_mark, loc)

    def _anchored(self, event: Any) -> tuple[Any, Location]:
        if event.anchor not in self.anchors:
            raise yaml.composer.ComposerError(
                None, None, f"found undefined alias {event.anchor!r}", event.start_mark
            )
        return self.anchors[event.anchor]


def _compose(text: str, name: str, findings: list[Finding]) -> Node | None:
    return _Builder(text, name, findings).document()
