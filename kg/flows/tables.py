"""Tables of analysis rows, rendered for a terminal, as JSON, CSV or Markdown.

Cells are str, int, float, bool or tuples of them; a tuple shows as a comma list in a
terminal or Markdown, a JSON array, and a `;`-separated cell in CSV.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Cell = str | int | float | bool | tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    """A named table: a title for people, a name for machines, columns and rows."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """The column names for machines: `in strength` → `in_strength`."""
        return tuple(c.replace(" ", "_").replace("-", "_") for c in self.columns)

    def records(self) -> list[dict[str, Any]]:
        return [
            {k: _json_cell(v) for k, v in zip(self.keys, row, strict=True)} for row in self.rows
        ]


def _json_cell(value: Cell) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _text_cell(value: Cell, joiner: str = ", ") -> str:
    if isinstance(value, tuple):
        return joiner.join(str(v) for v in value) or "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def render_text(tables: Sequence[Table]) -> str:
    """Aligned columns under each table's title; numbers right-aligned.

    >>> print(render_text([Table("t", "Hubs", ("place", "betweenness"),
    ...                          (("KAZ", 0.269), ("UZB", 0.0)))]), end="")
    Hubs
    place  betweenness
    -----  -----------
    KAZ          0.269
    UZB          0.000
    """
    out = []
    for table in tables:
        cells = [[_text_cell(v) for v in row] for row in table.rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(table.columns)]
        numeric = [
            bool(table.rows)
            and all(
                isinstance(r[i], int | float) and not isinstance(r[i], bool) for r in table.rows
            )
            for i in range(len(table.columns))
        ]

        def line(
            values: Sequence[str], numeric: list[bool] = numeric, widths: list[int] = widths
        ) -> str:
            return "  ".join(
                v.rjust(w) if n else v.ljust(w)
                for v, w, n in zip(values, widths, numeric, strict=True)
            ).rstrip()

        out.append(table.title)
        out.append(line(table.columns))
        out.append(line(["-" * w for w in widths]))
        out.extend(line(r) for r in cells)
        if not cells:
            out.append("(none)")
        out.append("")
    return "\n".join(out[:-1]) + "\n" if out else ""


def render_json(tables: Sequence[Table]) -> str:
    """One JSON object: each table's name → its rows as objects.

    >>> print(render_json([Table("routes", "Routes", ("route",), ((("UZB", "KAZ"),),))]))
    {"routes": [{"route": ["UZB", "KAZ"]}]}
    """
    return json.dumps({t.name: t.records() for t in tables}, ensure_ascii=False)


def render_csv(tables: Sequence[Table]) -> str:
    """CSV with a header row; several tables are separated by a `# name` line each.

    >>> print(render_csv([Table("t", "T", ("route", "n"), ((("UZB", "KAZ"), 2),))]), end="")
    route,n
    UZB;KAZ,2
    """
    out = io.StringIO()
    for i, table in enumerate(tables):
        if len(tables) > 1:
            out.write(("\n" if i else "") + f"# {table.name}\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.keys)
        writer.writerows([_csv_cell(v) for v in row] for row in table.rows)
    return out.getvalue()


def _csv_cell(value: Cell) -> str | int | float:
    if isinstance(value, tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def render_markdown(table: Table) -> str:
    """A GitHub-flavoured Markdown table (no title).

    >>> print(render_markdown(Table("t", "T", ("place", "roles"), (("KAZ", ("source",)),))),
    ...       end="")
    | place | roles |
    |---|---|
    | KAZ | source |
    """

    def cell(value: Cell) -> str:
        return _text_cell(value).replace("|", "\\|")

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines.extend("| " + " | ".join(cell(v) for v in row) + " |" for row in table.rows)
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "csv": render_csv}
