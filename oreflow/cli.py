"""Command line: ``oreflow run|optimize|pareto|compare|reconcile|study|validate|fit ...``; the only module that configures logging.

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


def _out(args: argparse.Namespace, stack: contextlib.ExitStack) -> Any:
    """The ``--out`` folder checked and locked before any computing (None without it)."""
    if not getattr(args, "out", None):
        return None
    from oreflow import api

    return stack.enter_context(api.output_folder(args.out))


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


def _emit(
    args: argparse.Namespace,
    kind: str,
    result: Any,
    spec: Any = None,
    survey: str = "",
    out: Any = None,
) -> None:
    """Write files into ``out`` (the locked ``--out`` folder), then print the answer.

    The answer is the JSON document (``--json``) or the console text.
    """
    from oreflow import api

    if out is not None:
        written = api.write_outputs(kind, result, out, spec=spec, survey=survey)
        logger.info("wrote %s", ", ".join(str(p) for p in written))
    if getattr(args, "json", False):
        doc = api.document(kind, result, spec=spec, survey=survey)
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        text = api.console_text(kind, result, spec=spec, verbose=args.verbose)
        sys.stdout.write(text + "\n")
        if getattr(args, "out", None):
            sys.stdout.write(f"files and report.html in {args.out}\n")


def _cmd_run(args: argparse.Namespace) -> int:
    from oreflow import api

    spec = api.load_case(_case_path(args.case))
    with contextlib.ExitStack() as stack:
        out = _out(args, stack)
        with api.kernel_compile_notice():
            results = api.simulate(spec)
        if args.json:  # the text report lists them itself
            for warning in results.warnings:
                logger.warning("%s", warning)
        _emit(args, "run", results, spec, out=out)
    return 0


def _cmd_optimize(args: argparse.Namespace) -> int:
    from oreflow import api

    spec = api.load_case(_case_path(args.case, api.DEFAULT_OPTIMIZE_CASE))
    with contextlib.ExitStack() as stack:
        out = _out(args, stack)
        with api.kernel_compile_notice():
            result = api.optimize(spec, refine=args.refine)
        # files only for a plan that is the answer: nothing is written on exit 3
        _emit(args, "optimize", result, spec, out=out if result.status == "optimal" else None)
    return 0 if result.status == "optimal" else 3


def _cmd_pareto(args: argparse.Namespace) -> int:
    from oreflow import api

    if not PARETO_POINTS[0] <= args.points <= PARETO_POINTS[1]:
        msg = f"must be in [{PARETO_POINTS[0]}, {PARETO_POINTS[1]}], got {args.points}"
        raise CaseError([Problem("--points", "", msg)])
    spec = api.load_case(args.case)
    with contextlib.ExitStack() as stack:
        out = _out(args, stack)
        if out is not None:
            _require("matplotlib", "the pareto plot", args.out)
        with api.kernel_compile_notice():
            front = api.pareto(
                spec,
                args.x,
                args.y,
                args.points,
                x_sense=args.x_sense,
                y_sense=args.y_sense,
                marks=args.mark or (),
            )
        _emit(args, "pareto", front, spec, out=out)
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from oreflow import api

    with contextlib.ExitStack() as stack:
        out = _out(args, stack)
        with api.kernel_compile_notice():
            result = api.compare(args.cases)
        _emit(args, "compare", result, out=out)
    if not args.json:
        for note in result[2]:
            sys.stderr.write(note + "\n")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from oreflow import api

    if args.json:
        doc = api.validation_document(args.case)
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return 0 if doc["status"] == "ok" else 2
    try:
        spec = api.validate(args.case)
    except CaseError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"error: {problem}\n")
            help_text = api.explain_problem(problem)
            if help_text:
                sys.stderr.write(f"  {help_text}\n")
        return exc.exit_code
    sys.stdout.write(
        f"{args.case}: ok ({len(spec.ores)} ore source(s), {len(spec.units)} units, "
        f"{spec.comps.n_comp} stream components)\n"
    )
    return 0


def _cmd_new(args: argparse.Namespace) -> int:
    from oreflow import api

    path = api.new_case(args.name, template=args.template, folder=args.dir)
    sys.stdout.write(
        f"wrote {path} (from {args.template}); edit it, then: oreflow validate {path}\n"
    )
    return 0


def _cmd_reconcile(args: argparse.Namespace) -> int:
    from oreflow import api

    with contextlib.ExitStack() as stack:
        out = _out(args, stack)
        result = api.reconcile(
            args.survey,
            flowsheet=args.flowsheet,
            confidence=args.confidence,
            scale_tph=args.scale_tph,
        )
        _emit(args, "reconcile", result, survey=args.survey, out=out)
    return 0


def _cmd_study(args: argparse.Namespace) -> int:
    from oreflow import api

    progress = api.progress_bar("study", terminal=sys.stderr.isatty() and not args.json)
    try:
        with api.kernel_compile_notice():
            result = api.study(
                args.study,
                out_dir=args.out,
                workers=args.workers,
                scheduler=args.scheduler,
                resume=args.resume,
                overwrite=args.overwrite,
                report=args.out is not None,
                progress=progress,
            )
    finally:
        if progress is not None:
            progress.close()
    text, doc = api.study_text(result, args.out)
    if args.json:
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        sys.stdout.write(text + "\n")
    return 0


def _cmd_fit(args: argparse.Namespace) -> int:
    from oreflow import api

    if args.list:
        for name, doc in api.fit_models().items():
            sys.stdout.write(f"{name}: {doc}\n")
        return 0
    if not args.testfile or not args.model:
        sys.stderr.write(
            "error: give a test file and --model (oreflow fit --list shows the models)\n"
        )
        return 2
    fixed = {}
    for item in args.fix or []:
        name, _, value = item.partition("=")
        try:
            fixed[name.strip()] = float(value)
        except ValueError:
            raise CaseError(
                [Problem(args.testfile, f"--fix {item}", "expected NAME=NUMBER")]
            ) from None
    text, doc, success = api.fit_testwork(
        args.testfile,
        args.model,
        fixed=fixed,
        write_case=args.write_case,
        unit=args.unit,
        species=args.species,
        out_dir=args.out,
        free=args.free or (),
    )
    sys.stdout.write((json.dumps(doc, indent=2) if args.json else text) + "\n")
    return 0 if success else 3


def _common(sub: argparse.ArgumentParser, out_help: str, verbose: bool = True) -> None:
    sub.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    sub.add_argument("--out", metavar="DIR", help=out_help)
    if verbose:
        sub.add_argument(
            "--verbose", action="store_true", help="print every table, not only the answer"
        )
    else:
        sub.set_defaults(verbose=False)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (kept import-light); README's command list is generated from it."""
    parser = argparse.ArgumentParser(
        prog="oreflow",
        description="Process-optimization engine for gold and silver plants.",
    )
    parser.add_argument("--version", action="version", version=f"oreflow {_version()}")
    parser.add_argument(
        "-v", dest="log_more", action="count", default=0, help="more log output (-vv for debug)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="simulate a case as written")
    run.add_argument(
        "case", nargs="?", metavar="CASE", help="case file (default: the bundled free_milling_cil)"
    )
    _common(run, "write CSV, JSON, Excel and report.html to DIR")
    run.set_defaults(func=_cmd_run)

    opt = sub.add_parser(
        "optimize",
        help="choose route, modes, ore rates and splits within the case's limits; verify by simulation",
    )
    opt.add_argument(
        "case",
        nargs="?",
        metavar="CASE",
        help="case file (default: the bundled refractory_route_choice)",
    )
    opt.add_argument(
        "--refine",
        action="store_true",
        help="narrow the mode grid around the incumbent until the answer stops moving",
    )
    _common(opt, "write the verified plan's CSV, JSON, Excel and report.html to DIR")
    opt.set_defaults(func=_cmd_optimize)

    par = sub.add_parser(
        "pareto", help="epsilon-constraint front between two KPIs over routes, modes and ore rate"
    )
    par.add_argument(
        "case", metavar="CASE", help="case file with modes, [constraints] and [objective]"
    )
    par.add_argument(
        "--x", required=True, metavar="KPI", help="KPI on the horizontal axis (e.g. residue_tph)"
    )
    par.add_argument(
        "--y", required=True, metavar="KPI", help="KPI optimised at each point (e.g. margin_usd_h)"
    )
    par.add_argument(
        "--points",
        type=int,
        default=11,
        metavar="N",
        help=f"number of points, {PARETO_POINTS[0]} to {PARETO_POINTS[1]} (default 11)",
    )
    par.add_argument(
        "--x-sense",
        choices=("maximize", "minimize"),
        help="default: minimize costs, uses, energy and residue; maximize the rest",
    )
    par.add_argument(
        "--y-sense", choices=("maximize", "minimize"), help="default: as for --x-sense"
    )
    par.add_argument(
        "--mark",
        type=float,
        action="append",
        metavar="X",
        help="a target value of the x KPI (e.g. 0.35 residue use): solved, marked on the "
        "front, and the cost of holding it reported; may be repeated",
    )
    _common(par, "write pareto.csv, pareto.json, pareto.png and report.html to DIR", verbose=False)
    par.set_defaults(func=_cmd_pareto)

    cmp_ = sub.add_parser("compare", help="fixed routes side by side: KPIs of several cases")
    cmp_.add_argument("cases", nargs="+", metavar="CASE", help="case files")
    _common(cmp_, "write compare.csv to DIR", verbose=False)
    cmp_.set_defaults(func=_cmd_compare)

    rec = sub.add_parser(
        "reconcile", help="balance a plant survey (weighted least squares, gross-error tests)"
    )
    rec.add_argument(
        "survey", metavar="SURVEY", help="survey file (.csv or .xlsx, see docs/survey.md)"
    )
    rec.add_argument(
        "--flowsheet", metavar="CASE", help="case file whose flowsheet gives the nodes"
    )
    rec.add_argument(
        "--confidence",
        type=float,
        default=0.95,
        metavar="P",
        help="confidence level of the tests (default 0.95)",
    )
    rec.add_argument(
        "--scale-tph",
        type=float,
        metavar="T",
        help="solids flow of the feed [t/h] for a survey of assays without any flow",
    )
    _common(rec, "write CSV, JSON, Excel and report.html to DIR")
    rec.set_defaults(func=_cmd_reconcile)

    stu = sub.add_parser(
        "study", help="run routes over scenario grids / Monte Carlo and compare them"
    )
    stu.add_argument("study", metavar="STUDY", help="study file (see cases/studies/)")
    stu.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="local processes (default: one per core from 2,048 evaluations; 1 runs in this process)",
    )
    stu.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler (tcp://host:8786)")
    stu.add_argument("--resume", action="store_true", help="continue an interrupted study in DIR")
    stu.add_argument(
        "--overwrite", action="store_true", help="replace another study's results in DIR"
    )
    _common(stu, "write Parquet chunks, results and report to DIR", verbose=False)
    stu.set_defaults(func=_cmd_study)

    val = sub.add_parser(
        "validate", help="check a case file; explain every problem with the key's meaning and range"
    )
    val.add_argument("case", metavar="CASE", help="case file")
    val.add_argument("--json", action="store_true", help="print the problems as one JSON document")
    val.set_defaults(func=_cmd_validate, verbose=False)

    new = sub.add_parser("new", help="write a commented case file to edit, from a bundled case")
    new.add_argument("name", metavar="NAME", help="name of the new case (file NAME.toml)")
    new.add_argument(
        "--from",
        dest="template",
        default="free_milling_cil",
        metavar="CASE",
        help="bundled case to start from (default free_milling_cil)",
    )
    new.add_argument("--dir", default=".", metavar="DIR", help="folder to write to (default .)")
    new.set_defaults(func=_cmd_new, verbose=False)

    fit_ = sub.add_parser(
        "fit",
        help="fit a model's parameters to test work (leach curves, isotherms, grinding surveys)",
    )
    fit_.add_argument(
        "testfile", nargs="?", help="test file (.csv or .xlsx, one row per measurement)"
    )
    fit_.add_argument("--model", help="model to fit (see --list)")
    fit_.add_argument("--list", action="store_true", help="list the models and their columns")
    fit_.add_argument("--fix", action="append", metavar="NAME=VALUE", help="hold a parameter")
    fit_.add_argument(
        "--free", action="append", metavar="NAME", help="fit a parameter the model holds"
    )
    fit_.add_argument("--write-case", metavar="CASE", help="write the fitted values into CASE")
    fit_.add_argument("--unit", help="unit of CASE to write into (with --write-case)")
    fit_.add_argument("--species", help="leach-table species to write into (with --write-case)")
    _common(fit_, "write fit.json, fit_report.md and residuals.png to DIR", verbose=False)
    fit_.set_defaults(func=_cmd_fit)
    return parser


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("oreflow")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def usage_lines() -> list[str]:
    """One line per command: its synopsis and help, as README's command list shows them."""
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in action._choices_actions}
    lines = []
    for name, sub in action.choices.items():
        usage = sub.format_usage().strip().removeprefix("usage: ")
        usage = usage.replace("[-h] ", "").replace(" [-h]", "")
        lines.append(f"{' '.join(usage.split())}\n    # {helps[name]}")
    return lines


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
    if getattr(args, "func", None) is not None:  # a command: this process is oreflow's own
        from oreflow import api

        api.keep_freed_memory()
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.log_more, 2),
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
