"""The exceptions tip-kg raises on purpose. The CLI maps each to an exit code."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.findings import Report


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
