"""What the command line prints: the answer first, tables on request.

A metallurgist should read a run in ten seconds: the route in words, the settings with
their units, recovery, gold per day, cost per ounce, margin, the binding limits with their
shadow prices and whether the plan was verified. The full tables (KPIs, streams, unit
reports, closure audit, route ranking) follow only with ``--verbose``; ``--out`` writes
them to files. Tables are drawn with rich and rendered to plain text, so the output is
the same on a terminal, in a pipe and in the golden-file tests.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from oreflow.conventions import unit_of
from oreflow.report.words import STREAM_FIGURES, figure_label, route_words, setting_text, sig

#: Console width of the rendered text: fixed so the output does not depend on the terminal.
WIDTH = 120


def with_unit(value: Any, name: str) -> str:
    """A figure with the unit its name carries (``0.903`` of ``*_frac`` as ``90.3 %``)."""
    unit = unit_of(name)
    if unit == "-" and name.endswith("_frac"):
        return f"{sig(100.0 * float(value), 3)} %"
    return sig(value) if unit == "-" else f"{sig(value)} {unit}"


def render(*parts: Any) -> str:
    """Rich renderables and strings as plain text, one after the other."""
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=WIDTH,
        color_system=None,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )
    for part in parts:
        console.print(part)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()).strip("\n")


def rich_table(
    title: str, columns: Iterable[str], rows: Iterable[Iterable[Any]], left: Iterable[str] = ()
) -> Table:
    """A rich table: the first column and those named in ``left`` left-aligned, numbers right."""
    cols = list(columns)
    left = set(left)
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for i, col in enumerate(cols):
        align = "left" if i == 0 or col in left else "right"
        table.add_column(col, justify=align, overflow="fold")
    for row in rows:
        table.add_row(*[c if isinstance(c, str) else sig(c) for c in row])
    return table


def facts_table(rows: Iterable[tuple[str, str]]) -> Table:
    """Two columns, no borders: label and value."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows:
        table.add_row(label, value)
    return table


#: Phases timed inside another phase (shown in brackets after it, not beside it).
_SUB_PHASES = {"model_and_solve_s": ("prune_s", "build_s", "solve_s", "duals_s")}


def format_seconds(seconds: Mapping[str, float]) -> str:
    """Timings as text: the total, then the phases that took at least 1 % of it.

    >>> format_seconds({"tabulate_s": 33.99, "solve_s": 0.0098, "total_s": 45.2})
    '45.2 s: tabulate 34 s'
    >>> format_seconds({"model_and_solve_s": 11, "prune_s": 10.9, "solve_s": 0.01, "total_s": 12})
    '12 s: model and solve 11 s (prune 11 s)'
    """
    secs = {k: float(v) for k, v in seconds.items()}
    total = secs.pop("total_s", sum(secs.values()))
    inner = {k for subs in _SUB_PHASES.values() for k in subs if k in secs}

    def phase(key: str) -> str:
        text = f"{key.removesuffix('_s').replace('_', ' ')} {sig(secs[key], 2)} s"
        subs = [
            f"{k.removesuffix('_s')} {sig(secs[k], 2)} s"
            for k in _SUB_PHASES.get(key, ())
            if k in secs and secs[k] >= 0.01 * total
        ]
        return f"{text} ({', '.join(subs)})" if subs else text

    parts = [
        phase(k)
        for k in sorted(secs, key=lambda k: -secs[k])
        if k not in inner and secs[k] >= 0.01 * total
    ]
    head = f"{sig(total, 3)} s"
    return f"{head}: {', '.join(parts)}" if parts else head


def assumed_note(results: Any) -> str | None:
    """The note naming the economic figures that took oreflow's defaults, if any."""
    names = list(results.meta.get("economics_assumed", []))
    count = int(results.kpis.get("economics_assumed_count", len(names)) or 0)
    if not count:
        return None
    listed = ", ".join(names) if names else "see economics_assumed_count"
    return (
        f"note: {count} economic figure{'s are' if count != 1 else ' is'} oreflow's "
        f"assumed defaults, not market data: {listed}; set them in [economics] "
        "(cases/README.md)"
    )


#: Least share of the feed's gold in a concentrate sold that the headline shows [-]: below
#: it the concentrate is a by-product (a SART Cu2S cake carries 2e-7 of the gold in its
#: entrained solution) and the line would read as noise.
GOLD_SOLD_SHOWN_FRAC = 5e-4

#: Headline KPIs of a run, in reading order.
_HEADLINE = (
    ("ore_tph", "ore"),
    ("au_head_gpt", "head grade"),
    ("gold_recovery_frac", "gold recovery"),
    ("gold_to_concentrate_frac", "gold in concentrate sold"),
    ("silver_recovery_frac", "silver recovery"),
    ("gold_produced_oz_d", "gold"),
    ("specific_energy_kwh_t", "grinding energy"),
    ("cost_usd_oz", "operating cost"),
    ("operating_cost_usd_t", "operating cost"),
    ("margin_usd_h", "margin"),
    ("margin_usd_t", "margin"),
    ("c1_usd_oz", "C1 (site, less credits)"),
    ("aisc_usd_oz", "AISC (C1+royalty+sust.)"),
    ("capital_usd", "capital estimate"),
    ("cost_fixed_usd_h", "fixed cost"),
    ("residue_tph", "residue to storage"),
    ("residue_utilisation_frac", "residue used"),
    ("tailings_wad_cn_mg_l", "WAD cyanide at discharge"),
    ("co2_kg_oz", "CO2 (plant, reagents)"),
    ("co2_kg_t", "CO2 (plant, reagents)"),
    ("water_m3_t", "fresh water"),
)


def headline(results: Any) -> list[tuple[str, str]]:
    """Label and value of the headline figures a run has (per unit merged on one line)."""
    k = results.kpis
    rows: dict[str, list[str]] = {}
    sells = any(_CONC_TONNES.match(str(n)) and float(v) > 0.0 for n, v in k.items())
    for name, label in _HEADLINE:
        if name in k and math.isfinite(float(k[name])):
            if sells and name in _DORE_FIGURES and float(k[name]) == 0.0:
                continue  # no doré: the concentrate lines say what the plant sells
            if name == "gold_to_concentrate_frac" and float(k[name]) < GOLD_SOLD_SHOWN_FRAC:
                continue  # a by-product concentrate (Cu2S cake) holding a trace says nothing
            rows.setdefault(label, []).append(with_unit(k[name], name))
    if "capital_usd" in k and "capital estimate" in rows and "capital_low_usd" in k:
        low, high = (sig(float(k[n]) / 1e6, 3) for n in ("capital_low_usd", "capital_high_usd"))
        rows["capital estimate"] = [
            f"{sig(float(k['capital_usd']) / 1e6, 3)} M USD installed ({low}-{high} M USD)"
        ]
    if float(k.get("cost_fixed_capital_usd_h", 0.0)) > 0 and "fixed cost" in rows:
        on_capital = with_unit(k["cost_fixed_capital_usd_h"], "cost_fixed_capital_usd_h")
        rows["fixed cost"][0] += f" ({on_capital} maintenance and insurance on the capital)"
    if "gold_produced_oz_d" in k and "gold" in rows:
        rows["gold"][0] += f" ({sig(float(k['gold_produced_oz_d']) * 31.1034768 / 1000.0, 3)} kg/d)"
    out = [(label, ", ".join(values)) for label, values in rows.items()]
    return out + concentrate_lines(k)


#: Least grade of a concentrate that its headline line shows: base metals [%], precious
#: metals [g/t]; below it the metal is a trace (zinc in a lead concentrate at 0.3 %).
CONC_SHOWN_PCT = 1.0
CONC_SHOWN_GPT = 1.0
_CONC_TONNES = re.compile(r"^conc_(?P<name>.+)_dmt_h$")
#: Figures of the doré a plant that only sells concentrates does not make.
_DORE_FIGURES = ("gold_recovery_frac", "silver_recovery_frac", "gold_produced_oz_d")


def concentrate_lines(k: Any) -> list[tuple[str, str]]:
    """One line per concentrate sold: dry tonnes, its payable grades and its NSR.

    A plant selling concentrates makes little or no doré, so its gold recovery reads 0 %;
    these lines say what it sells (``conc_<name>_*`` KPIs of the concentrate terms).
    """
    lines = []
    for key, tonnes in k.items():
        m = _CONC_TONNES.match(str(key))
        if not m or not float(tonnes) > 0.0:
            continue
        name = m["name"]
        parts = [f"{sig(float(tonnes), 3)} dmt/h"]
        for el in ("cu", "pb", "zn"):
            grade = k.get(f"conc_{name}_{el}_pct")
            if grade is not None and float(grade) >= CONC_SHOWN_PCT:
                parts.append(f"{sig(float(grade), 3)} % {el.capitalize()}")
        for el in ("au", "ag"):
            grade = k.get(f"conc_{name}_{el}_gpt")
            if grade is not None and float(grade) >= CONC_SHOWN_GPT:
                parts.append(f"{sig(float(grade), 3)} g/t {el.capitalize()}")
        nsr = k.get(f"conc_{name}_nsr_usd_h")
        if nsr is not None and math.isfinite(float(nsr)):
            parts.append(f"NSR {sig(float(nsr), 4)} USD/h")
        lines.append((name.replace("_", " "), ", ".join(parts)))
    return lines


def _closure_line(results: Any) -> str:
    worst = float(results.closure["rel_err"].max())
    verdict = "closes" if worst <= 1e-9 else "DOES NOT CLOSE"
    return f"{verdict}: largest relative error {sig(worst, 2)} over every species, phase, size, element"


def run_tables(results: Any) -> list[Any]:
    """KPIs, streams, units and closure audit of a run as rich tables."""
    k = results.kpis
    kpis = rich_table(
        "KPIs", ["figure", "value", "unit"], [(n, sig(v), unit_of(n)) for n, v in k.items()]
    )
    figures = (*STREAM_FIGURES, "au_aq_mg_l", "nacn_mg_l")
    cols = [c for c in figures if c in results.streams]
    streams = rich_table(
        "Streams",
        ["stream", *cols],
        [
            (str(name), *row)
            for name, row in zip(
                results.streams.index, results.streams[cols].to_numpy(), strict=True
            )
        ],
    )
    units = rich_table(
        "Unit reports",
        ["unit", "type", "metric", "value"],
        (
            (u, t, m, v)
            for u, t, m, v in results.units[["unit", "type", "metric", "value"]].itertuples(
                index=False
            )
        ),
    )
    worst = results.closure.groupby("view")["rel_err"].max()
    closure = rich_table(
        "Closure (largest relative error per view)",
        ["view", "rel_err"],
        [(view, f"{err:.2e}") for view, err in worst.items()],
    )
    return [kpis, "", streams, "", units, "", closure]


def _warning_lines(results: Any) -> list[str]:
    """Figures outside their unit's operating envelope (and curves used out of range)."""
    warnings = getattr(results, "warnings", ())
    if not warnings:
        return []
    # an envelope warning means the plant cannot run as simulated; a cost curve used
    # outside its range only widens the estimate: each line says which it is
    head = "Warnings"
    return [head, *[f"  {w}" for w in warnings]]


def format_run(results: Any, verbose: bool = False) -> str:
    """What ``oreflow run`` prints: headline, closure, note; all tables with ``verbose``."""
    parts: list[Any] = [
        f"case: {results.case} (simulated as written)",
        facts_table(headline(results)),
    ]
    parts.append(f"closure: {_closure_line(results)}")
    parts += _warning_lines(results)
    note = assumed_note(results)
    if note:
        parts.append(note)
    n_assumed = int(results.meta.get("assumed_parameters", {}).get("count", 0))
    if n_assumed:
        parts.append(
            f"note: {n_assumed} unit parameter(s) rest on assumptions, not test work or plant "
            "data (listed in the JSON meta, assumed_parameters)"
        )
    if verbose:
        parts += ["", *run_tables(results)]
    else:
        parts.append(
            "tables (KPIs, streams, units, closure): --verbose; files and report.html: --out DIR"
        )
    return render(*parts)


def _settings(decisions: Mapping[str, Any]) -> str:
    modes = decisions.get("modes", {})
    return ", ".join(setting_text(k, v) for k, v in modes.items()) or "as written"


def _binding(result: Any) -> list[str]:
    sp = result.shadow_prices
    if not len(sp):
        return []
    out = []
    for r in sp.itertuples():
        if float(r.shadow_price) != 0.0:
            out.append(
                f"{figure_label(r.limit)} at {sig(r.value)}: {sig(r.shadow_price)} {r.units}"
            )
    return out


def _objective_name(spec: Any) -> str:
    opt = getattr(spec, "optimization", None)
    if opt is None or not opt.weights:
        return "objective"
    return " + ".join(opt.weights)


def optimize_answer(result: Any, spec: Any = None) -> list[tuple[str, str]]:
    """The answer of an optimization as label/value rows (route, settings, figures, limits)."""
    d = result.decisions
    rows: list[tuple[str, str]] = []
    if d:
        rows.append(("route", route_words(spec, d.get("route", {}))))
        settings = _settings(d)
        rows.append(("settings", f"{settings}; ore {sig(d['ore_tph'])} t/h"))
        shut = set(d.get("closed_sources", ()))
        for src, tph in d.get("blend_tph", {}).items():
            rows.append((f"{src} rate", f"{sig(tph)} t/h" + (" (shut)" if src in shut else "")))
        for sink, tph in d.get("residue_tph", {}).items():
            rows.append((f"residue to {sink}", f"{sig(tph)} t/h"))
        for stream, tph in d.get("train_tph", {}).items():
            rows.append((f"feed to {stream}", f"{sig(tph)} t/h"))
    if result.plan is not None:
        rows += [r for r in headline(result.plan) if r[0] not in ("ore",)]
        k = result.plan.kpis
        for name, label in (("cost_ore_usd_h", "ore cost"), ("cost_haulage_usd_h", "haulage cost")):
            if name in k and float(k[name]) != 0.0:
                rows.append((label, with_unit(k[name], name)))
    if d:
        name = _objective_name(spec)
        rows.append(("objective", f"{name} = {with_unit(d['objective'], name)}"))
    binding = _binding(result)
    rows.append(
        ("binding limits", "; ".join(binding) if binding else "none (no limit holds the plan)")
    )
    return rows


def _verification(result: Any) -> str:
    m = result.meta
    diff = m.get("max_rel_diff")
    diff_text = f" (largest model-simulation difference {sig(diff, 2)})" if diff is not None else ""
    if result.status == "optimal":
        return f"verified by full simulation{diff_text}"
    return f"NOT verified: status {result.status}{diff_text}"


#: Columns of the route ranking that are figures, not positions.
_RANKING_FIGURES = ("feasible", "objective", "ore_tph", "cost_fixed_usd_h")


def _runner_up(result: Any, spec: Any) -> str | None:
    routes = result.routes
    if len(routes) < 2 or "objective" not in routes:
        return None
    ok = routes[routes["feasible"].astype(bool)] if "feasible" in routes else routes
    if len(ok) < 2:
        return None
    best, second = ok.iloc[0], ok.iloc[1]
    cols = [c for c in routes.columns if c not in _RANKING_FIGURES]
    words = route_words(spec, {c: second[c] for c in cols})
    gap = float(second["objective"]) - float(best["objective"])
    name = _objective_name(spec)
    sign = "+" if gap >= 0 else ""
    return f"{words}: {with_unit(second['objective'], name)} ({sign}{with_unit(gap, name)})"


def optimize_tables(result: Any, spec: Any = None) -> list[Any]:
    """Shadow prices, verification and route ranking as rich tables."""
    out: list[Any] = []
    if len(result.shadow_prices):
        out += [
            rich_table(
                "Shadow prices (objective per unit of limit; non-zero = binding)",
                ["limit", "value", "shadow price", "units"],
                (
                    (r.limit, r.value, r.shadow_price, r.units)
                    for r in result.shadow_prices.itertuples()
                ),
            ),
            "",
        ]
    if len(result.verification):
        v = result.verification
        out += [
            rich_table(
                "Verification (model vs full simulation)",
                ["figure", *map(str, v.columns)],
                ((str(i), *row) for i, row in zip(v.index, v.to_numpy(), strict=True)),
            ),
            "",
        ]
    if len(result.routes):
        r = result.routes
        cols = [c for c in r.columns if c not in _RANKING_FIGURES]
        fixed = "cost_fixed_usd_h" in r.columns  # each route's own fixed cost
        out += [
            rich_table(
                "Best plan of every route (enumeration)",
                ["route", "feasible", "objective", "ore t/h", *(["fixed USD/h"] if fixed else [])],
                (
                    (
                        route_words(spec, {c: row[c] for c in cols}),
                        "yes" if bool(row["feasible"]) else "no",
                        row["objective"],
                        row["ore_tph"],
                        *([row["cost_fixed_usd_h"]] if fixed else []),
                    )
                    for _, row in r.iterrows()
                ),
            ),
            "",
        ]
    return out


def format_optimize(result: Any, spec: Any = None, verbose: bool = False) -> str:
    """What ``oreflow optimize`` prints: the answer; every table with ``verbose``."""
    m = result.meta
    name = result.plan.case if result.plan is not None else getattr(spec, "name", "case")
    parts: list[Any] = [f"{name}: {result.status}"]
    if result.explanation:
        parts += ["Why no plan is feasible", *[f"  {e}" for e in result.explanation]]
    rows = optimize_answer(result, spec)
    rows.append(("verification", _verification(result)))
    runner = _runner_up(result, spec)
    if runner:
        rows.append(("next best route", runner))
    n = m.get("n_combinations")
    solver = m.get("solver")
    seconds = m.get("seconds") or {}
    rows.append(
        (
            "search",
            f"{n} combinations, solver {solver}, {format_seconds(seconds) if seconds else '-'}",
        )
    )
    if "blend" in m:
        line = f"{m['blend']['rounds']} tabulate-solve-verify round(s)"
        if result.status == "unverified":  # why the rounds stopped short of verifying
            line += f", stopped: {m['blend'].get('stopped', '-')}"
        rows.append(("blend", line))
    if "refinement" in m:
        rows.append(("refinement", f"{m['refinement']['rounds']} round(s) of a narrower grid"))
    parts.append(facts_table(rows))
    if m.get("grid_edges"):
        parts += ["Grid edges", *[f"  {e}" for e in m["grid_edges"]]]
    if result.plan is not None:
        parts.append(f"closure: {_closure_line(result.plan)}")
        parts += _warning_lines(result.plan)
        note = assumed_note(result.plan)
        if note:
            parts.append(note)
    if verbose:
        parts += ["", *optimize_tables(result, spec)]
        if result.plan is not None:
            parts += run_tables(result.plan)
    else:
        parts.append(
            "tables (shadow prices, verification, every route, KPIs, streams, units, closure): "
            "--verbose; files and report.html: --out DIR"
        )
    return render(*parts)


def distinct_points(front: pd.DataFrame) -> pd.DataFrame:
    """The front without repeated points (same route, modes, x and y to 9 figures)."""
    if not len(front) or "x" not in front:
        return front
    ok = front[front["status"] == "optimal"]

    def key(row: Any) -> tuple[Any, ...]:
        return (
            f"{float(row['x']):.9g}",
            f"{float(row['y']):.9g}",
            repr(sorted((row.get("route") or {}).items())),
            repr(sorted((row.get("modes") or {}).items())),
        )

    keep = ~ok.apply(key, axis=1).duplicated()
    return ok[keep.to_numpy()].reset_index(drop=True)


def format_pareto(front: pd.DataFrame, spec: Any = None) -> str:
    """What ``oreflow pareto`` prints: distinct points, each with its route and settings."""
    x, y = front.attrs.get("x", "x"), front.attrs.get("y", "y")
    xs, ys = front.attrs.get("x_sense", ""), front.attrs.get("y_sense", "")
    pts = distinct_points(front)
    n_bad = int((front["status"] != "optimal").sum()) if "status" in front else 0
    title = (
        f"{y} ({ys}d) against {x} ({xs}d): {len(pts)} distinct point(s) of "
        f"{len(front)} epsilon step(s)"
    )
    rows = []
    for _, r in pts.iterrows():
        modes = r.get("modes") or {}
        rows.append(
            (
                with_unit(r["x"], x),
                with_unit(r["y"], y),
                sig(r.get("ore_tph", math.nan)),
                route_words(spec, r.get("route") or {}),
                ", ".join(setting_text(k, v) for k, v in modes.items()) or "as written",
            )
        )
    table = rich_table(
        title, [x, y, "ore t/h", "route", "settings"], rows, left=("route", "settings")
    )
    parts: list[Any] = [table]
    if n_bad:
        parts.append(f"{n_bad} epsilon step(s) had no feasible plan")
    parts += [mark_text(m, x, y) for m in front.attrs.get("marks", [])]
    return render(*parts)


def mark_text(mark: Mapping[str, Any], x: str, y: str) -> str:
    """One line for a marked target of a Pareto front: its best y and what the target costs."""
    at = f"at {x} = {with_unit(mark['x'], x)}"
    if mark.get("y") is None:
        return f"{at}: no feasible plan ({mark.get('status')})"
    return (
        f"{at}: best {y} {with_unit(mark['y'], y)}; cost of the target "
        f"{with_unit(mark['cost'], y)} against the front's best {with_unit(mark['y_best'], y)}"
    )


def format_compare(frame: pd.DataFrame) -> str:
    """KPIs of several cases side by side; "-" where a case has no such figure."""
    rows = [
        (name, *[sig(v) for v in row], unit_of(name))
        for name, row in zip(frame.index, frame.to_numpy(), strict=True)
    ]
    return render(
        rich_table("KPIs side by side", ["figure", *map(str, frame.columns), "unit"], rows)
    )


def subsample_note(meta: Mapping[str, Any]) -> str | None:
    """What the statistics of a study too large for memory are taken from (None: every scenario)."""
    kept = meta.get("in_memory", {})
    if kept.get("stride", 1) == 1:
        return None
    return (
        f"statistics from one scenario in {kept['stride']:,} ({kept['scenarios']:,} of "
        f"{meta['n_scenarios']:,}, a systematic subsample of independent draws); every "
        "scenario is in results.parquet"
    )


def format_study(result: Any, tables: Mapping[str, pd.DataFrame], out: str | None) -> str:
    """What ``oreflow study`` prints: what ran, the summary and the pairwise tables."""
    meta = result.meta
    head = (
        f"study: {result.spec.name}: {meta['n_scenarios']:,} scenarios x {meta['n_routes']} "
        f"routes in {sig(meta['seconds'], 3)} s ({meta['executor']})"
    )
    parts: list[Any] = [head]
    if (note := subsample_note(meta)) is not None:
        parts.append(note)
    # wide tables (a column per statistic): pandas' layout wraps them in blocks, rich squeezes
    for key, title in (("summary", "Summary"), ("pairwise", "Pairwise")):
        if key in tables:
            parts += ["", title, tables[key].to_string(float_format=sig)]
    if out:
        parts += ["", f"results and report in {out}"]
    return render(*parts)
