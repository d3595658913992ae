"""Validation findings as data: a severity, a code, a message and a `file:line:col`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file; line and column count from 1."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col}"
        return self.path


@dataclass(frozen=True)
class Finding:
    """One thing validation found: what is wrong, where, and how to fix it."""

    severity: Severity
    code: str
    message: str
    location: Location | None = None
    hint: str | None = None

    def render(self) -> str:
        """`file:line:col: severity: message (hint: ...)`."""
        where = f"{self.location}: " if self.location else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}{self.severity}: {self.message}{hint}"

    def as_dict(self) -> dict[str, object]:
        loc = self.location
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "file": loc.path if loc else None,
            "line": loc.line if loc else None,
            "column": loc.col if loc else None,
            "hint": self.hint,
        }

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location or Location("")
        return (loc.path, loc.line, loc.col, self.code, self.message)


@dataclass
class Report:
    """Findings gathered over a run, plus counts worth telling the user."""

    findings: list[Finding] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        location: Location | None = None,
        hint: str | None = None,
    ) -> None:
        self.findings.append(Finding(severity, code, message, location, hint))

    def error(
        self, code: str, message: str, location: Location | None = None, hint: str | None = None
    ) -> None:
        self.add("error", code, message, location, hint)

    def warning(
        self, code: str, message: str, location: Location | None = None, hint: str | None = None
    ) -> None:
        self.add("warning", code, message, location, hint)

    def refuse(self, codes: Iterable[str], why: str) -> None:
        """Make the warnings with one of `codes` errors, saying `why`."""
        wanted = set(codes)
        self.findings = [
            replace(f, severity="error", message=f"{f.message} ({why})")
            if f.severity == "warning" and f.code in wanted
            else f
            for f in self.findings
        ]

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def __iter__(self) -> Iterator[Finding]:
        return iter(sorted(self.findings, key=Finding.sort_key))

    def as_dict(self) -> dict[str, object]:
        return {
            "valid": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "stats": dict(sorted(self.stats.items())),
            "findings": [f.as_dict() for f in self],
        }
