"""One root exception; each subclass carries the exit status the contract gives it."""

from __future__ import annotations


def os_problem(exc: OSError) -> str:
    """What the system said about a path, in words: `x is a file, not a folder`, `permission denied`."""
    if isinstance(exc, FileExistsError) and exc.filename:
        return f"{exc.filename} is a file, not a folder"
    if isinstance(exc, NotADirectoryError):
        return "a part of the path is a file, not a folder"
    return exc.strerror or str(exc)


class KgError(Exception):
    """Root of every error kgloader reports to the user instead of a traceback."""

    exit_code = 1


class UsageError(KgError):
    """Bad arguments: nothing is written or loaded."""

    exit_code = 2


class PruneRefused(UsageError):
    """--prune would retract all or most of the graph: refused before anything is written."""


class RuleError(KgError):
    """One or more problems in the rule files, each naming file, line and rule."""

    exit_code = 2

    def __init__(self, problems: list[RuleProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class RuleProblem:
    """Where a rule is wrong and why: printed as `file:line: rule ID: message`."""

    def __init__(self, file: str, line: int | None, rule: str | None, message: str):
        self.file = file
        self.line = line
        self.rule = rule
        self.message = message

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        rule = f" rule {self.rule}:" if self.rule else ""
        return f"{where}:{rule} {self.message}"


class DocumentError(KgError):
    """An article that cannot be read; the run skips it with a warning."""


class GraphUnavailable(KgError):
    """The graph store cannot be reached (exit 3)."""

    exit_code = 3


class QueryFailed(KgError):
    """The graph refused or failed a read (exit 3)."""

    exit_code = 3


class LoadFailed(KgError):
    """A write failed after its retries (exit 3)."""

    exit_code = 3
