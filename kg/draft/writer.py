"""Write a draft document as a seed file (YAML) or as JSON.

The YAML is written by hand, not by a YAML library, so that the file reads like a curated
seed: fields in the seed format's order, one assertion per block, strings double-quoted
(JSON string syntax is valid YAML), and empty lists left out.
"""

from __future__ import annotations

import json
from typing import Any

from kg.places import resolve_place
from kg.schema import fields_of

# JSON-only fields the seed format has no place for; the YAML keeps them in the note.
_JSON_ONLY = ("lesser_extent",)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if (
        text.isascii()
        and text.replace("_", "").replace("-", "").isalnum()
        and not text[0].isdigit()
        and text.lower() not in ("true", "false", "null", "yes", "no", "on", "off", "y", "n")
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return _scalar(value)


def to_yaml(doc: dict[str, Any]) -> str:
    """The seed file of a draft document."""
    src = doc["source"]
    lines = [
        "# Drafted by `kg draft` from " + doc["text"] + ". Every assertion is a draft: review",
        "# it against the text, fix it, and accept it by deleting its `status: draft` line.",
        "source:",
    ]
    for key in ("id", "title", "publisher", "url"):
        if key in src:
            lines.append(f"  {key}: {_scalar(src[key])}")
    lines.append(f"  published: {src['published']}")
    lines.append(f"  period: {{start: {src['period']['start']}, end: {src['period']['end']}}}")
    for key in ("text", "sha256", "license", "note"):
        if key in src:
            lines.append(f"  {key}: {_scalar(src[key])}")
    lines += ["", "assertions:"]
    for a in doc["assertions"]:
        a, left_out = _seed_places(a)
        if a is None:
            lines += [
                "",
                f"  # left out: a flow of {', '.join(left_out)}, which the seed "
                "format cannot name (no ISO 3166 code)",
            ]
            continue
        lines.append("")
        order = [
            "id",
            "kind",
            "status",
            "confidence",
            *[
                name
                for name in fields_of(a["kind"])
                if name not in ("id", "kind", "status", "confidence", "evidence", "note")
            ],
        ]
        first = True
        for key in order:
            if key not in a or a[key] in ([], None) or (key == "internal" and not a[key]):
                continue
            if key == "destination" and a.get("internal") and a[key] == a.get("origin"):
                continue  # internal: the destination is the origin
            prefix = "  - " if first else "    "
            lines.append(f"{prefix}{key}: {_value(a[key])}")
            first = False
        lines.append(f"    evidence: {_scalar(a['evidence'])}")
        note = [a["note"]] if a.get("note") else []
        if left_out:
            note.append(f"left out {', '.join(left_out)} (no ISO 3166 code)")
        for key in _JSON_ONLY:
            if a.get(key):
                note.append(f"to a lesser extent: {', '.join(a[key])}")
        if note:
            lines.append(f"    note: {_scalar('; '.join(note))}")
    return "\n".join(lines) + "\n"


def _seed_places(a: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    """The assertion with only places the seed format can name (Kosovo, XKX, it cannot)."""
    if a["kind"] != "flow":
        return a, []
    out = dict(a)
    left_out: list[str] = []
    for key in ("origin", "transit", "destination"):
        keep = [p for p in a.get(key, []) if resolve_place(p) is not None]
        left_out += [p for p in a.get(key, []) if p not in keep and p not in left_out]
        out[key] = keep
    if (
        not out["origin"]
        or not (out["destination"] or out.get("internal"))
        or (
            not out.get("internal")
            and set(out["destination"]) <= set(out["origin"])
            and len(out["origin"]) == 1
        )
    ):
        return None, left_out
    return out, left_out


def to_json(docs: list[dict[str, Any]], many: bool) -> str:
    """One document, or an array of them in the order given; keys sorted."""
    return (
        json.dumps(docs if many else docs[0], ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    )
