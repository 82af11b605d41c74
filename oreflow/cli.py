"""Command line: ``oreflow run|reconcile|validate ...``; the only module that configures logging.

Heavy modules are imported inside the commands so that ``oreflow --help`` answers at
once. Exit codes: 0 done, 2 bad input, 3 not solved (non-converged recycle,
infeasible), 1 internal error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from oreflow.errors import CaseError, OreflowError

logger = logging.getLogger("oreflow")


def _case_path(arg: str | None) -> str:
    from oreflow.api import bundled_case

    if arg is None:
        return str(bundled_case())
    return arg


def _cmd_run(args: argparse.Namespace) -> int:
    from oreflow.api import simulate
    from oreflow.report.output import format_run, result_document, write_run_outputs

    results = simulate(_case_path(args.case))
    if args.out:
        written = write_run_outputs(results, args.out)
        logger.info("wrote %s", ", ".join(str(p) for p in written))
    if args.json:
        sys.stdout.write(json.dumps(result_document(results), indent=2) + "\n")
    else:
        sys.stdout.write(format_run(results) + "\n")
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

    result = reconcile(args.survey, flowsheet=args.flowsheet, confidence=args.confidence)
    if args.out:
        written = write_reconcile_outputs(result, args.out, survey=args.survey)
        logger.info("wrote %s", ", ".join(str(p) for p in written.values()))
    if args.json:
        sys.stdout.write(json.dumps(reconcile_to_json(result, survey=args.survey), indent=2) + "\n")
    else:
        sys.stdout.write(reconcile_summary(result) + "\n")
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

    val = sub.add_parser("validate", help="check a case file and report every problem")
    val.add_argument("case", help="case file")
    val.set_defaults(func=_cmd_validate)
    return parser


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
        return int(args.func(args))
    except CaseError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"error: {problem}\n")
        return exc.exit_code
    except OreflowError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
