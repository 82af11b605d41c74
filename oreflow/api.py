"""Public Python API: load, validate and simulate cases; results as pandas objects.

>>> import oreflow
>>> case = oreflow.load_case(oreflow.bundled_case("free_milling_cil"))
>>> result = oreflow.simulate(case)
>>> float(result.kpis["gold_recovery_frac"]) > 0.8
True
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from oreflow.errors import CaseError, NotClosedError, Problem
from oreflow.flowsheet.case import CaseSpec
from oreflow.flowsheet.case import load_case as _load_case
from oreflow.units.base import UnitType

if TYPE_CHECKING:  # result types, imported for annotations only (keeps import light)
    from oreflow.core.files import OutputFolder
    from oreflow.flowsheet.study import StudySpec
    from oreflow.report.progress import LineProgress, RichProgress
    from oreflow.solvers.optimize_result import OptimizeResult
    from oreflow.solvers.reconcile import ReconcileResult
    from oreflow.solvers.results import Results
    from oreflow.solvers.study import StudyResult

#: A progress callback: called with (items done, items in all).
Progress = Callable[[int, int], None]

DEFAULT_CASE = "free_milling_cil"
#: The default case of ``oreflow optimize``: route choice for a refractory ore.
DEFAULT_OPTIMIZE_CASE = "refractory_route_choice"

__all__ = [
    "DEFAULT_CASE",
    "DEFAULT_OPTIMIZE_CASE",
    "Progress",
    "bundled_case",
    "bundled_cases",
    "compare",
    "console_text",
    "document",
    "explain_problem",
    "keep_freed_memory",
    "kernel_compile_notice",
    "load_case",
    "optimize",
    "output_folder",
    "pareto",
    "progress_bar",
    "reconcile",
    "simulate",
    "simulate_batch",
    "study",
    "study_text",
    "validate",
    "validation_document",
    "version",
    "write_outputs",
]


def _cases_dir() -> Path:
    packaged = resources.files("oreflow") / "_bundled_cases"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "cases"


def bundled_cases() -> list[Path]:
    """Paths of the case files shipped with oreflow."""
    return sorted(_cases_dir().glob("*.toml"))


def bundled_case(name: str = DEFAULT_CASE) -> Path:
    """Path of a shipped case by name (``free_milling_cil``)."""
    path = _cases_dir() / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(p.stem for p in bundled_cases())
        raise CaseError([Problem(str(path), "", f"no bundled case {name!r}; bundled: {known}")])
    return path


def load_case(path: str | Path, *, unit_types: Iterable[UnitType] = ()) -> CaseSpec:
    """Read and validate a case file (``CaseError`` lists every problem).

    ``unit_types``: unit types defined outside ``oreflow.units`` that the case may use
    (for this case only; nothing is registered globally).
    """
    return _load_case(path, unit_types)


def validate(path: str | Path, *, unit_types: Iterable[UnitType] = ()) -> CaseSpec:
    """Validate a case file, compile its flowsheet, and return the spec."""
    from oreflow.flowsheet.compile import compile_case

    spec = _load_case(path, unit_types)
    compile_case(spec)
    _check_objective_names(spec)
    return spec


def _check_objective_names(spec: CaseSpec) -> None:
    """``[objective]`` KPI names must be KPIs of the case (one nominal simulation).

    A case with unit options is left to ``optimize``: a KPI may exist on one route only.
    """
    opt = spec.optimization
    if opt is None or any(u.options for u in spec.units):
        return
    names = [*opt.weights, *(level[0] for level in opt.lexicographic)]
    names = [n for n in names if not n.startswith("units.")]
    if not names:
        return
    from oreflow.core.schema import suggest

    kpis = list(simulate(spec, check_closure=False).kpis.index)
    problems = [
        Problem(spec.path, "objective.kpi", f"{n!r} is not a KPI of this case{suggest(n, kpis)}")
        for n in dict.fromkeys(names)
        if n not in kpis
    ]
    if problems:
        raise CaseError(problems)


def _spec(case: CaseSpec | str | Path) -> CaseSpec:
    return case if isinstance(case, CaseSpec) else _load_case(case)


def simulate(
    case: CaseSpec | str | Path,
    *,
    overrides: Mapping[str, float] | None = None,
    check_closure: bool = True,
    check_ranges: bool = True,
) -> Results:
    """Simulate one case as written (with optional parameter overrides).

    Overrides pass the case file's range and consistency rules (``CaseError``).
    A result whose mass balance does not close raises ``NotClosedError`` (naming the
    worst component and unit) unless ``check_closure`` is False. ``check_ranges=False``
    lets overrides go beyond the declared ranges: only for tests of a model's limits
    (an infinite residence time), whose results no range vouches for.

    Returns
    -------
    oreflow.solvers.results.Results
        ``kpis`` (Series), ``streams``, ``units``, ``closure`` (DataFrames), ``meta``.
    """
    from oreflow.flowsheet.compile import compile_case
    from oreflow.solvers.results import build_results
    from oreflow.solvers.simulate import closure_failure, simulate_plant

    spec = _spec(case)
    plant = compile_case(spec)
    sim = simulate_plant(plant, n_cases=1, overrides=overrides, check_ranges=check_ranges)
    results = build_results(sim)
    if check_closure:
        failure = closure_failure(results)
        if failure is not None:
            raise NotClosedError(spec.path, failure)
    return results


def simulate_batch(
    case: CaseSpec | str | Path,
    overrides: Mapping[str, Any],
    *,
    n_cases: int | None = None,
    check_closure: bool = True,
    workers: int | None = None,
) -> pd.DataFrame:
    """Simulate many parameter sets of one case at once; one KPI row per case.

    Every overridden value passes the case file's range and consistency rules before
    anything runs (``CaseError`` names the key, the case index and its value).

    Parameters
    ----------
    case : CaseSpec or path
        The case.
    overrides : Mapping[str, array-like]
        Per-case values keyed ``ore.NAME.KEY`` or ``units.NAME.KEY`` (arrays of length
        ``n_cases``, or scalars).
    n_cases : int, optional
        Number of cases; default: the length of the override arrays.
    check_closure : bool
        Raise ``NotClosedError`` naming the first case whose balance does not close
        (default); False keeps every row, ``closure_max_rel`` says which close.
    workers : int, optional
        Processes sharing the batch (forked, ``oreflow.solvers.batch``); default: every
        core, with at least 1,024 cases each. The rows are the same whatever the count.
    """
    import numpy as np

    from oreflow.flowsheet.compile import compile_case
    from oreflow.solvers.batch import batch_kpis
    from oreflow.solvers.simulate import CLOSURE_GATE_REL, closure_mask

    if n_cases is None:
        lengths = {np.size(v) for v in overrides.values() if np.ndim(v) > 0}
        n_cases = max(lengths) if lengths else 1
    spec = _spec(case)
    plant = compile_case(spec)
    frame = pd.DataFrame(batch_kpis(plant, overrides, n_cases, workers))
    frame.index.name = "case"
    bad = closure_mask(frame["closure_max_rel"].to_numpy())
    if check_closure and bad.any():
        i = int(np.flatnonzero(bad)[0])
        values = ", ".join(
            f"{k} = {np.broadcast_to(np.asarray(v, dtype=float), (n_cases,))[i]:g}"
            for k, v in overrides.items()
        )
        detail = (
            f"{int(bad.sum())} of {n_cases} cases, first case {i} ({values}): relative "
            f"error {frame['closure_max_rel'].iloc[i]:.3g} (tolerance {CLOSURE_GATE_REL:g})"
        )
        raise NotClosedError(spec.path, detail)
    return frame


def reconcile(
    survey: str | Path,
    *,
    flowsheet: CaseSpec | str | Path | None = None,
    confidence: float = 0.95,
    scale_tph: float | None = None,
) -> ReconcileResult:
    """Balance a plant survey by weighted least squares, with gross-error tests.

    Parameters
    ----------
    survey : path
        Survey file (CSV or .xlsx, see ``docs/survey.md``).
    flowsheet : CaseSpec or path, optional
        Case whose flowsheet gives the nodes; default: the survey's own node list.
    confidence : float
        Confidence level of the chi-square and gross-error tests [-].
    scale_tph : float, optional
        Solids flow of the feed [t/h] for a survey that measures no flow (its assays
        fix the splits, not the scale); splits and recoveries do not depend on it.

    Returns
    -------
    oreflow.solvers.reconcile.ReconcileResult
        Reconciled streams, adjustments, tests and closure as DataFrames.
    """
    from oreflow.flowsheet.graph import survey_network
    from oreflow.flowsheet.survey import read_survey
    from oreflow.solvers.reconcile import reconcile as _reconcile

    data = read_survey(survey)
    network = survey_network(_spec(flowsheet)) if flowsheet is not None else None
    return _reconcile(data, network, confidence=confidence, scale_tph=scale_tph)


def study(
    study: StudySpec | Mapping[str, Any] | str | Path,
    *,
    out_dir: Any = None,
    workers: int | None = None,
    scheduler: Any = None,
    resume: bool = False,
    overwrite: bool = False,
    report: bool = False,
    progress: Progress | None = None,
) -> StudyResult:
    """Run a study: every route over the same scenarios (grids x Monte Carlo).

    The study's ``mode`` is ``simulate`` (each route as written), ``reoptimize`` (each
    scenario re-optimizes its routes' modes and ore rate) or ``robust`` (one plan for all
    scenarios, best in expectation or CVaR); see ``docs/study.md``. Everything (the
    study, its draws against every case's ranges, the output folder, the optional
    packages the outputs need) is checked before the first scenario.

    Parameters
    ----------
    study : path, Mapping or StudySpec
        A study file, the same layout as a dict (``oreflow.flowsheet.study``), or a spec.
    out_dir : str, Path or oreflow.core.files.OutputFolder, optional
        Folder for the Parquet chunks, ``results.parquet`` and (with ``report``) the
        HTML page, plots and workbook. Locked while the study writes; a folder holding
        another study's results is refused unless ``resume`` or ``overwrite``.
    workers : int, optional
        Local processes (at least 1); by default one per core for studies of 2,048
        evaluations or more, else this process alone (a script using the pool needs
        the ``if __name__ == "__main__":`` guard, without which the study runs in this
        process alone and says why), 1 runs the batched kernels in this process.
    scheduler : str or dask.distributed.Client, optional
        Dask scheduler address or client.
    resume : bool
        Continue an interrupted study in ``out_dir``.
    overwrite : bool
        Replace another study's results in ``out_dir``.
    report : bool
        Also write the comparison report to ``out_dir`` (needs matplotlib).
    progress : callable(done, total), optional
        Progress callback (``oreflow.api.progress_bar`` draws a rich bar on stderr).

    Returns
    -------
    oreflow.solvers.study.StudyResult
        ``results`` (one row per scenario and route: variables + KPIs), ``scenarios``,
        ``kpi(name)`` as a scenario x route table; ``oreflow.report.study_report.compare``
        gives the comparison tables.
    """
    from oreflow.core.files import OutputFolder
    from oreflow.flowsheet.study import StudySpec, load_study, study_from_dict
    from oreflow.solvers.study import check_run_options, run_study

    if isinstance(study, StudySpec):
        spec = study
    elif isinstance(study, Mapping):
        spec = study_from_dict(study)
    else:
        spec = load_study(study)
    check_run_options(spec, workers=workers, out_dir=out_dir, resume=resume, overwrite=overwrite)
    if report:
        if out_dir is None:
            raise CaseError([Problem(spec.path, "", "a report needs an output folder (out_dir)")])
        from oreflow.report.study_report import report_files, require_matplotlib

        require_matplotlib(str(out_dir))
    folder = out_dir
    with contextlib.ExitStack() as stack:
        if out_dir is not None and not isinstance(out_dir, OutputFolder):
            folder = stack.enter_context(OutputFolder(out_dir))
        result = run_study(
            spec,
            out_dir=folder,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            overwrite=overwrite,
            progress=progress,
            report_files=report_files(spec) if report else (),
        )
        if report:
            from oreflow.report.study_report import write_study_report

            nominal, parameters = _report_inputs(spec)
            write_study_report(result, folder, nominal=nominal, parameters=parameters)
    return result


def _report_inputs(spec: Any) -> tuple[tuple[str, Any], dict[str, Any]]:
    """What a study report shows beyond the study's results (simulated here, not in report).

    The baseline route's stream table as written (its Sankey diagram) and, in mode
    ``simulate``, per other route the model parameters that move its difference from
    the baseline most.
    """
    from oreflow.solvers.sensitivity import parameter_tornado

    nominal = (spec.baseline, simulate(spec.routes[spec.baseline]).streams)
    parameters = {}
    if spec.mode == "simulate":
        for other in (r for r in spec.routes if r != spec.baseline):
            parameters[other] = parameter_tornado(spec, other)
    return nominal, parameters


def optimize(case: CaseSpec | str | Path, *, refine: bool = False) -> OptimizeResult:
    """Choose modes and ore rate of a case within its limits; verify by re-simulation.

    Returns
    -------
    oreflow.solvers.optimize_result.OptimizeResult
        ``status`` (optimal, unverified, infeasible, time_limit, ...), ``decisions``,
        ``verification``, ``shadow_prices``, ``explanation``, the re-simulated ``plan``.
        With ``refine``, the mode grid is narrowed around the incumbent until the answer
        stops moving (``meta["refinement"]``).
    """
    from oreflow.solvers.optimize import optimize as _optimize
    from oreflow.solvers.optimize import refine as _refine

    spec = _spec(case)
    return _degenerate(spec, _refine(spec) if refine else _optimize(spec))


#: A plan treating less than this share of the case's ore rate is degenerate [assumed]:
#: a mill feed a thousand times below design is not an operating point, it is a limit
#: that cannot be met (a tank of 0.001 m3) driving the throughput to zero.
DEGENERATE_ORE_FRAC = 1e-3


def _degenerate(spec: CaseSpec, result: Any) -> Any:
    """A plan at near-zero throughput is reported as ``degenerate`` (exit 3).

    Optimal or not verified alike: at a rate a thousand times below design the plan's
    ratios (a tailings' cyanide in no water) need not verify, and the reason to give is
    the limit driving the throughput to zero.
    """
    import dataclasses

    nominal = sum(float(o.params.get("rate_tph") or 0.0) for o in spec.ores)
    ore = (result.decisions or {}).get("ore_tph")
    if result.status not in ("optimal", "unverified") or ore is None or nominal <= 0:
        return result
    if ore >= DEGENERATE_ORE_FRAC * nominal:
        return result
    binding = []
    prices = result.shadow_prices
    if len(prices) and "binding" in prices:
        binding = [str(r.limit) for r in prices[prices["binding"]].itertuples()]
    why = (
        f"the optimal plan treats {ore:.3g} t/h, below {DEGENERATE_ORE_FRAC:g} of the case's "
        f"{nominal:g} t/h: a limit no plant at this scale can meet drives the throughput to zero"
    )
    if binding:
        why += f"; binding: {', '.join(binding)}"
    return dataclasses.replace(result, status="degenerate", explanation=[*result.explanation, why])


def pareto(
    case: CaseSpec | str | Path,
    x: str,
    y: str,
    points: int = 11,
    *,
    x_sense: str | None = None,
    y_sense: str | None = None,
    marks: Iterable[float] = (),
) -> pd.DataFrame:
    """Epsilon-constraint front of ``y`` against ``x`` over the case's routes, modes and ore rate.

    ``marks``: values of ``x`` (targets) solved and flagged, with the cost of each in
    ``attrs["marks"]``.
    """
    from oreflow.solvers.pareto import pareto as _pareto

    return _pareto(_spec(case), x, y, points, x_sense=x_sense, y_sense=y_sense, marks=tuple(marks))


# --- What the command line shows and writes ------------------------------------------
# ``oreflow.cli`` imports nothing but this module; the block below is its whole surface.


def version() -> str:
    """The installed oreflow version (``0+unknown`` when run from a source tree)."""
    from importlib import metadata

    try:
        return metadata.version("oreflow")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def keep_freed_memory() -> bool:
    """Keep freed memory for reuse in this process; for programs that own their process.

    Fixes glibc's mmap and trim thresholds (32 MB, 64 MB): about a fifth less CPU on
    batched simulations (docs/study.md#allocator). The ``oreflow`` command calls it, and a
    study's worker processes do; nothing else in the API does, so a program that only
    imports oreflow keeps its allocator as it was. True when set; False off glibc, or
    where the environment sets the thresholds (``MALLOC_*_``, ``GLIBC_TUNABLES``) or
    ``OREFLOW_KEEP_FREED_MEMORY=0``.
    """
    from oreflow.solvers.heap import keep_freed_memory as keep

    return keep()


def compare(cases: list[CaseSpec | str | Path]) -> tuple[pd.DataFrame, list[str], list[str]]:
    """KPIs of several cases side by side, the case names, and notes on unlike ores.

    Returns
    -------
    tuple
        (KPI frame with one column per case, case names, notes).
    """
    specs = [_spec(c) for c in cases]
    frame = pd.concat({s.name: simulate(s).kpis for s in specs}, axis=1)
    first = specs[0].ores
    notes = []
    for spec in specs[1:]:
        same = len(spec.ores) == len(first) and all(
            a.params.get(k) == b.params.get(k)
            for a, b in zip(spec.ores, first, strict=False)
            for k in ("rate_tph", "au_gpt", "wi_kwh_t")
        )
        if not same:
            notes.append(
                f"note: {spec.name} does not treat the same ore (rate, grade, Wi) as {specs[0].name}"
            )
    return frame, [s.name for s in specs], notes


def console_text(kind: str, result: Any, *, spec: Any = None, verbose: bool = False) -> str:
    """What a command prints for its result (``kind``: run, optimize, pareto, ...)."""
    from oreflow.report.present import console_text as _text

    return _text(kind, result, spec=spec, verbose=verbose)


def document(kind: str, result: Any, *, spec: Any = None, survey: str = "") -> dict[str, Any]:
    """The JSON document of a command's result."""
    from oreflow.report.present import document as _document

    return _document(kind, result, spec=spec, survey=survey)


def output_folder(path: str | Path) -> OutputFolder:
    """An output folder to check and lock before computing (``with api.output_folder(p)``).

    Entering creates it if needed, proves it writable, takes its lock (a second writer
    is refused) and removes temporary files a killed run left; every failure is a
    ``CaseError`` (exit 2). See ``oreflow.core.files.OutputFolder``.
    """
    from oreflow.core.files import OutputFolder

    return OutputFolder(path)


def write_outputs(
    kind: str, result: Any, out_dir: Any, *, spec: Any = None, survey: str = ""
) -> list[Path]:
    """Write a command's files and ``report.html`` into ``out_dir`` (all or nothing)."""
    from oreflow.report.present import write_outputs as _write

    return _write(kind, result, out_dir, spec=spec, survey=survey)


def study_text(result: StudyResult, out_dir: str | None = None) -> tuple[str, dict[str, Any]]:
    """What ``oreflow study`` prints, and its JSON document."""
    import json

    from oreflow.report.console import format_study
    from oreflow.report.study_report import compare as _compare

    tables = _compare(result)
    doc = {
        "study": result.spec.name,
        "status": "ok",
        "n_scenarios": result.spec.n_scenarios,
        "routes": list(result.spec.routes),
        "baseline": result.spec.baseline,
        "compare_kpi": result.spec.compare_kpi,
        "summary": json.loads(tables["summary"].reset_index().to_json(orient="records")),
        "pairwise": json.loads(tables["pairwise"].to_json(orient="index"))
        if "pairwise" in tables
        else {},
        "out": out_dir,
        "meta": result.meta,
    }
    return format_study(result, tables, out_dir), doc


def progress_bar(label: str, *, terminal: bool = True) -> RichProgress | LineProgress:
    """A progress callback ``(done, total)`` on stderr, with the time left; ``close()`` ends it.

    On a terminal a rich bar; elsewhere (a log, a pipe) a line a minute once a run has
    taken a minute.
    """
    from oreflow.report.progress import LineProgress, RichProgress

    return RichProgress(label) if terminal else LineProgress(label)


def kernel_compile_notice() -> AbstractContextManager[dict[str, Any]]:
    """A context manager saying on stderr when kernels compile (once per install)."""
    from oreflow.report.progress import compile_notice

    return compile_notice()


def explain_problem(problem: Problem) -> str | None:
    """What the key of a case-file problem means: documentation, unit, range, default."""
    from oreflow.report.keyhelp import explain

    return explain(problem)


def validation_document(path: str | Path) -> dict[str, Any]:
    """``oreflow validate --json``: status and every problem with its key's documentation."""
    try:
        spec = validate(path)
    except CaseError as exc:
        return {
            "case": str(path),
            "status": "invalid",
            "problems": [
                {
                    "file": p.file,
                    "key": p.key,
                    "message": p.message,
                    "key_help": explain_problem(p),
                }
                for p in exc.problems
            ],
        }
    return {
        "case": str(path),
        "status": "ok",
        "name": spec.name,
        "n_ores": len(spec.ores),
        "n_units": len(spec.units),
        "n_components": spec.comps.n_comp,
        "problems": [],
    }


def new_case(name: str, *, template: str = DEFAULT_CASE, folder: str | Path = ".") -> Path:
    """Write ``NAME.toml`` in ``folder``: a bundled case renamed, every key explained.

    Refuses to overwrite an existing file (``CaseError``, exit 2).
    """
    from oreflow.report.keyhelp import commented_case

    target = Path(folder) / f"{name}.toml"
    problems = []
    if not name.replace("_", "").replace("-", "").isalnum():
        problems.append(Problem(str(target), "", f"name {name!r}: use letters, digits, _ and -"))
    if target.exists():
        problems.append(Problem(str(target), "", "exists already; choose another name or folder"))
    if problems:
        raise CaseError(problems)
    source = bundled_case(template)
    text = commented_case(source.read_text(encoding="utf-8"), name, template)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    _load_case(target)  # what we wrote must read back as a valid case
    return target


def fit_models() -> dict[str, str]:
    """Models ``oreflow fit`` can fit: name -> what it fits and the columns it reads."""
    from oreflow.solvers.fit import models

    return {name: m.doc for name, m in sorted(models().items())}


def fit_testwork(
    test_file: str,
    model: str,
    *,
    fixed: Mapping[str, float] | None = None,
    write_case: str | None = None,
    unit: str | None = None,
    species: str | None = None,
    out_dir: str | None = None,
    free: Iterable[str] = (),
) -> tuple[str, dict[str, Any], bool]:
    """Fit ``model`` to a test file; optionally write the case and the report files.

    ``free`` names parameters the model holds by default that are to be fitted.

    Returns
    -------
    text, doc, success
        The printed report, its JSON document and whether the least squares converged.
        Bad test files, parameters or cases raise ``CaseError`` before anything is written.
    """
    from oreflow.report.fit_report import fit_summary, write_fit_outputs
    from oreflow.solvers.fit import fit, get_model
    from oreflow.solvers.fit_data import read_testwork
    from oreflow.solvers.fit_data import write_case as _write_case

    m = get_model(model, test_file)
    free = tuple(free)
    unknown = [("--fix", k) for k in (fixed or {}) if k not in m.names]
    unknown += [("--free", k) for k in free if k not in m.names]
    if unknown:
        raise CaseError(
            [
                Problem(test_file, f"{opt} {k}", f"model {m.name!r} has no parameter {k!r}")
                for opt, k in unknown
            ]
        )
    if write_case and not unit:
        raise CaseError([Problem(write_case, "--unit", "give the unit to write the fit into")])
    data = read_testwork(test_file, m)
    result = fit(m, data, fixed=fixed, free=free, source=test_file)
    if write_case:
        _write_case(write_case, unit, species, m, result, test_file)
    if out_dir:
        write_fit_outputs(result, out_dir, test_file)
    return (
        fit_summary(result, test_file),
        {"test_file": test_file, **result.as_dict()},
        result.success,
    )
