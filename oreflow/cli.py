"""Command line: ``oreflow run|optimize|pareto|compare|reconcile|study|validate ...``; the only module that configures logging.

Heavy modules are imported inside the commands so that ``oreflow --help`` answers at
once. Exit codes: 0 done, 2 bad input, 3 not solved (non-converged recycle,
infeasible), 1 internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from oreflow.errors import CaseError, OreflowError, Problem

logger = logging.getLogger("oreflow")

#: Points of a Pareto front: two ends at least; each point is one MILP solve (about a
#: second on a shipped case), so 1,000 bounds a run to minutes.
PARETO_POINTS = (2, 1000)


def _require(module: str, what: str, where: str) -> None:
    """Refuse before computing when an optional package an output needs is missing."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        msg = f"{what} needs {module}: pip install 'oreflow[study]'"
        raise CaseError([Problem(where, "--out", msg)])


def _input_of(args: argparse.Namespace) -> str | None:
    """The file a command reads (for messages that must name it)."""
    for name in ("case", "study", "survey"):
        value = getattr(args, name, None)
        if isinstance(value, str):
            return value
    return None


def _case_path(arg: str | None, default: str | None = None) -> str:
    from oreflow.api import bundled_case

    if arg is None:
        return str(bundled_case(default) if default else bundled_case())
    return arg


def _out(args: argparse.Namespace, stack: contextlib.ExitStack) -> Any:
    """The ``--out`` folder checked and locked before any computing (None without it)."""
    if not getattr(args, "out", None):
        return None
    from oreflow.core.files import OutputFolder

    return stack.enter_context(OutputFolder(args.out))


def _cmd_run(args: argparse.Namespace) -> int:
    from oreflow.api import simulate
    from oreflow.report.output import format_run, result_document, write_run_outputs

    with contextlib.ExitStack() as stack:
        out = _out(args, stack)
        results = simulate(_case_path(args.case))
        if out is not None:
            written = write_run_outputs(results, out)
            logger.info("wrote %s", ", ".join(str(p) for p in written))
    if args.json:
        sys.stdout.write(json.dumps(result_document(results), indent=2) + "\n")
    else:
        sys.stdout.write(format_run(results) + "\n")
    return 0


def _cmd_optimize(args: argparse.Namespace) -> int:
    from oreflow.api import DEFAULT_OPTIMIZE_CASE, optimize
    from oreflow.report.output import format_optimize, optimize_document, write_run_outputs

    case = _case_path(args.case, DEFAULT_OPTIMIZE_CASE)
    with contextlib.ExitStack() as stack:
        out = _out(args, stack)
        result = optimize(case, refine=args.refine)
        doc = optimize_document(result, case=case)
        if out is not None and result.plan is not None and result.status == "optimal":
            written = write_run_outputs(result.plan, out, document=doc)
            logger.info("wrote %s", ", ".join(str(p) for p in written))
    if args.json:
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        sys.stdout.write(format_optimize(result) + "\n")
    return 0 if result.status == "optimal" else 3


def _cmd_pareto(args: argparse.Namespace) -> int:
    from oreflow.api import load_case, pareto
    from oreflow.report.output import pareto_document, write_pareto_outputs

    if not PARETO_POINTS[0] <= args.points <= PARETO_POINTS[1]:
        msg = f"must be in [{PARETO_POINTS[0]}, {PARETO_POINTS[1]}], got {args.points}"
        raise CaseError([Problem("--points", "", msg)])
    spec = load_case(args.case)
    with contextlib.ExitStack() as stack:
        out = _out(args, stack)
        if out is not None:
            _require("matplotlib", "the pareto plot", args.out)
        front = pareto(
            spec, args.x, args.y, args.points, x_sense=args.x_sense, y_sense=args.y_sense
        )
        if out is not None:
            write_pareto_outputs(front, out, spec.name)
    if args.json:
        sys.stdout.write(json.dumps(pareto_document(front, spec.name), indent=2) + "\n")
    else:
        cols = [
            c for c in ("epsilon", "status", "x", "y", "ore_tph", "route") if c in front.columns
        ]
        sys.stdout.write(
            f"{args.y} ({front.attrs['y_sense']}) against {args.x} ({front.attrs['x_sense']})\n"
        )
        sys.stdout.write(front[cols].to_string(index=False) + "\n")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from oreflow.api import load_case, simulate

    specs = [load_case(c) for c in args.cases]
    with contextlib.ExitStack() as stack:
        out = _out(args, stack)
        return _compare(args, specs, [simulate(s) for s in specs], out)


def _compare(args: argparse.Namespace, specs: list, results: list, out: Any) -> int:
    from oreflow.report.output import compare_frame

    frame = compare_frame(results)
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
    if out is not None:
        from oreflow.report.files import write_all

        write_all(out, {"compare.csv": lambda p: frame.to_csv(p)})
    if args.json:
        doc = {
            "cases": [s.name for s in specs],
            "kpis": json.loads(frame.to_json()),
            "notes": notes,
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        sys.stdout.write(frame.to_string(float_format=lambda v: f"{v:.6g}") + "\n")
        for n in notes:
            sys.stderr.write(n + "\n")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from oreflow.api import validate

    spec = validate(args.case)
    n_units = len(spec.units)
    sys.stdout.write(
        f"{args.case}: ok ({len(spec.ores)} ore source(s), {n_units} units, {spec.comps.n_comp} stream components)\n"
    )
    return 0


def _cmd_reconcile(args: argparse.Namespace) -> int:
    from oreflow.api import reconcile
    from oreflow.report.reconcile_report import (
        reconcile_summary,
        reconcile_to_json,
        write_reconcile_outputs,
    )

    with contextlib.ExitStack() as stack:
        out = _out(args, stack)
        result = reconcile(args.survey, flowsheet=args.flowsheet, confidence=args.confidence)
        if out is not None:
            written = write_reconcile_outputs(result, out.path, survey=args.survey)
            logger.info("wrote %s", ", ".join(str(p) for p in written.values()))
    if args.json:
        sys.stdout.write(json.dumps(reconcile_to_json(result, survey=args.survey), indent=2) + "\n")
    else:
        sys.stdout.write(reconcile_summary(result) + "\n")
    return 0


def _cmd_study(args: argparse.Namespace) -> int:
    from oreflow.api import study
    from oreflow.solvers.study import StderrProgress

    progress = None if args.json or not sys.stderr.isatty() else StderrProgress(0, "study")
    result = study(
        args.study,
        out_dir=args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        overwrite=args.overwrite,
        report=args.out is not None,
        progress=progress,
    )
    from oreflow.report.study_report import compare

    tables = compare(result)
    if args.json:
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
            "out": args.out,
            "meta": result.meta,
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        meta = result.meta
        lines = [
            f"study: {result.spec.name}: {meta['n_scenarios']:,} scenarios x {meta['n_routes']} routes "
            f"in {meta['seconds']:.1f} s ({meta['executor']})",
            "",
            tables["summary"].to_string(float_format=lambda v: f"{v:.4g}"),
        ]
        if "pairwise" in tables:
            lines += ["", tables["pairwise"].to_string(float_format=lambda v: f"{v:.4g}")]
        if args.out:
            lines += ["", f"results and report in {args.out}"]
        sys.stdout.write("\n".join(lines) + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (kept import-light)."""
    parser = argparse.ArgumentParser(
        prog="oreflow",
        description="Process-optimization engine for gold and silver plants.",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="simulate a case as written")
    run.add_argument("case", nargs="?", help="case file (default: the bundled free_milling_cil)")
    run.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    run.add_argument("--out", metavar="DIR", help="write CSV, JSON and Excel results to DIR")
    run.set_defaults(func=_cmd_run)

    rec = sub.add_parser(
        "reconcile", help="balance a plant survey (weighted least squares, gross-error tests)"
    )
    rec.add_argument("survey", help="survey file (.csv or .xlsx, see docs/survey.md)")
    rec.add_argument(
        "--flowsheet", metavar="CASE", help="case file whose flowsheet gives the nodes"
    )
    rec.add_argument(
        "--confidence",
        type=float,
        default=0.95,
        help="confidence level of the tests (default 0.95)",
    )
    rec.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    rec.add_argument("--out", metavar="DIR", help="write CSV, JSON and Excel results to DIR")
    rec.set_defaults(func=_cmd_reconcile)

    opt = sub.add_parser(
        "optimize", help="choose modes and ore rate within the case's limits; verify by simulation"
    )
    opt.add_argument(
        "case", nargs="?", help="case file (default: the bundled refractory_route_choice)"
    )
    opt.add_argument(
        "--refine",
        action="store_true",
        help="narrow the mode grid around the incumbent until the answer stops moving",
    )
    opt.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    opt.add_argument(
        "--out", metavar="DIR", help="write the verified plan's CSV, JSON and Excel results to DIR"
    )
    opt.set_defaults(func=_cmd_optimize)

    par = sub.add_parser(
        "pareto", help="epsilon-constraint front between two KPIs over routes, modes and ore rate"
    )
    par.add_argument("case", help="case file with modes, [constraints] and [objective]")
    par.add_argument("--x", required=True, help="KPI on the horizontal axis (e.g. residue_tph)")
    par.add_argument("--y", required=True, help="KPI optimised at each point (e.g. margin_usd_h)")
    par.add_argument(
        "--points",
        type=int,
        default=11,
        help=f"number of points, {PARETO_POINTS[0]} to {PARETO_POINTS[1]} (default 11)",
    )
    par.add_argument(
        "--x-sense",
        choices=("maximize", "minimize"),
        help="default: minimize costs, uses and residue",
    )
    par.add_argument(
        "--y-sense", choices=("maximize", "minimize"), help="default: as for --x-sense"
    )
    par.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    par.add_argument(
        "--out", metavar="DIR", help="write pareto.csv, pareto.json and pareto.png to DIR"
    )
    par.set_defaults(func=_cmd_pareto)

    cmp_ = sub.add_parser("compare", help="fixed routes side by side: KPIs of several cases")
    cmp_.add_argument("cases", nargs="+", help="case files")
    cmp_.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    cmp_.add_argument("--out", metavar="DIR", help="write compare.csv to DIR")
    cmp_.set_defaults(func=_cmd_compare)

    val = sub.add_parser("validate", help="check a case file and report every problem")
    val.add_argument("case", help="case file")
    val.set_defaults(func=_cmd_validate)

    stu = sub.add_parser(
        "study", help="run routes over scenario grids / Monte Carlo and compare them"
    )
    stu.add_argument("study", help="study file (see cases/studies/)")
    stu.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="local processes (default: one per core from 2,048 evaluations; 1 runs in this process)",
    )
    stu.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler (tcp://host:8786)")
    stu.add_argument("--out", metavar="DIR", help="write Parquet chunks, results and report")
    stu.add_argument("--resume", action="store_true", help="continue an interrupted study in DIR")
    stu.add_argument(
        "--overwrite", action="store_true", help="replace another study's results in DIR"
    )
    stu.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    stu.set_defaults(func=_cmd_study)
    return parser


@contextlib.contextmanager
def _exit_on_sigterm() -> Any:
    """While a command runs, SIGTERM ends it like Ctrl-C (pools and locks released).

    The caller's own handler is restored afterwards: ``main`` may be called from a program.
    """
    import signal
    import threading

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``oreflow`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        with _exit_on_sigterm():
            return int(args.func(args))
    except CaseError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"error: {problem}\n")
        return exc.exit_code
    except OreflowError as exc:
        source = _input_of(args)
        text = str(exc)
        if source and source not in text:
            text = f"{source}: {text}"
        sys.stderr.write(f"error: {text}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except Exception as exc:  # a bug: one line, the traceback with -vv
        logger.debug("internal error", exc_info=True)
        sys.stderr.write(
            f"internal error ({type(exc).__name__}: {exc}); please report it with the "
            "input (run with -vv for the traceback)\n"
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
