"""The exceptions tip-kg raises on purpose. The CLI maps each to an exit code."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.findings import Report


# C0 and C1 controls (ESC starts terminal escape sequences), DEL, and the Unicode
# direction overrides that can make shown text read differently from what it is.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    r"""`text` safe to print on a terminal: every control character shown as an escape.

    For anything another party wrote (a server's error page, a query result): a
    hostile server must not move the cursor, recolour or retitle the user's terminal.

    >>> printable("bad\x1b[2J\x1b]0;pwned\x07 request")
    'bad\\x1b[2J\\x1b]0;pwned\\x07 request'
    >>> printable("two\nlines", keep_newlines=True)
    'two\nlines'
    >>> printable("tab\there")
    'tab\\x09here'
    """

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if keep_newlines and char == "\n":
            return char
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROLS.sub(escape, text)


class KgError(Exception):
    """Base of every error tip-kg raises on purpose; the CLI prints it without a traceback."""

    exit_code = 2
    hint: str | None = None

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class UsageError(KgError):
    """The command was called wrongly (bad option, missing directory)."""


class InputError(KgError):
    """A file or directory the run needs could not be read."""


class DraftError(InputError):
    """A text `kg draft` cannot read: empty, binary, not UTF-8, or no country in it."""


class OutputError(KgError):
    """An output could not be written; nothing was replaced."""


class InvalidData(KgError):
    """The seeds did not pass validation; `report` holds every finding."""

    exit_code = 1

    def __init__(self, report: Report) -> None:
        super().__init__(f"{len(report.errors)} error(s) in the seeds")
        self.report = report


class QueryError(KgError):
    """A SPARQL query could not be parsed or run."""


class EndpointError(KgError):
    """A remote SPARQL or Graph Store endpoint failed or could not be reached."""


class EndpointStatus(EndpointError):
    """A remote endpoint answered with an HTTP error status (kept in `status`)."""

    def __init__(self, message: str, status: int, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.status = status
