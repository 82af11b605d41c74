"""Exceptions raised by oreflow; each carries the data needed to act on it.

Exit codes used by the command line: 2 for bad input (``CaseError`` and its
subclasses), 3 for a case that could not be solved (``ConvergenceError``,
``InfeasibleError``), 1 for anything else.
"""

from __future__ import annotations

from dataclasses import dataclass


class OreflowError(Exception):
    """Base class of every error oreflow raises on purpose."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    Attributes
    ----------
    file : str
        The file the problem is in.
    key : str
        Dotted key (``units.mill.residence_h``) or row/column locator.
    message : str
        What is wrong, in plain words, with a hint where one helps.
    """

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else self.file
        return f"{where}: {self.message}"


class CaseError(OreflowError):
    """A case, study or survey file is invalid; holds every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) found:\n{lines}")

    def __reduce__(self) -> tuple[type, tuple[tuple[Problem, ...]]]:
        # rebuilt from its fields when it crosses a process boundary (a batch worker)
        return (type(self), (self.problems,))


class ConvergenceError(OreflowError):
    """A recycle loop (or another iteration, named by ``what``) did not converge.

    Attributes
    ----------
    stream : str
        The tear stream (``unit.port``) with the largest relative residual.
    species : str
        The component with the largest relative residual.
    residual : float
        Its relative residual [-].
    iterations : int
        Iterations made before giving up.
    case : int or None
        Index of the worst case in a batch (None for a single case).
    what : str
        What did not converge (``"recycle"``: a recycle loop and its tear stream).
    """

    exit_code = 3

    def __init__(
        self,
        stream: str,
        species: str,
        residual: float,
        iterations: int,
        case: int | None = None,
        what: str = "recycle",
    ) -> None:
        self.stream = stream
        self.species = species
        self.residual = residual
        self.iterations = iterations
        self.case = case
        self.what = what
        where = f" (batch case {case})" if case is not None else ""
        label = "tear stream" if what == "recycle" else "stream"
        msg = (
            f"{what} did not converge after {iterations} iterations{where}: {label} "
            f"{stream!r}, component {species!r}, relative residual {residual:.2e}"
        )
        super().__init__(msg)

    def __reduce__(self) -> tuple[type, tuple[str, str, float, int, int | None, str]]:
        # rebuilt from its fields when it crosses a process boundary (a batch worker)
        return (
            type(self),
            (self.stream, self.species, self.residual, self.iterations, self.case, self.what),
        )


class InfeasibleError(OreflowError):
    """An optimization problem has no feasible plan; ``reason`` says why in plant terms."""

    exit_code = 3

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class SolveError(OreflowError):
    """The solver could not run at all (not: the problem was infeasible)."""

    exit_code = 1


class NotClosedError(OreflowError):
    """A result whose mass balance does not close: its numbers are not to be used.

    Attributes
    ----------
    case : str
        The case file.
    detail : str
        The worst view, component and unit, with their relative errors.
    """

    exit_code = 3

    def __init__(self, case: str, detail: str) -> None:
        self.case = case
        self.detail = detail
        super().__init__(f"{case}: not closed: {detail}")

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # rebuilt from its fields when it crosses a process boundary (a batch worker)
        return (type(self), (self.case, self.detail))
