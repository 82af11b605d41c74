"""``report.html``: one self-contained page per command (no network needed to open it).

Figures are inline SVG: the flowsheet is drawn here from the case's graph (units in
columns by their order in the flowsheet, streams labelled with solids and gold flows,
recycles dashed); the Sankey diagrams of gold and of solids to their destinations are
drawn here too; size distributions, Pareto fronts and measured-against-reconciled plots
are matplotlib figures saved as SVG text. Every figure is a ``<figure id=...>`` so tests
and readers can find it.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from oreflow.conventions import unit_of
from oreflow.report.console import headline, optimize_answer
from oreflow.report.words import STREAM_FIGURES, route_words, setting_text, sig

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1150px;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.9em}td,th{padding:2px 8px;border-bottom:1px solid #eee}
td.n{text-align:right;font-variant-numeric:tabular-nums}dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}
dt{font-weight:600}figure{margin:1em 0}figcaption{font-size:.9em;color:#555}
.bad{color:#b00;font-weight:600}svg{max-width:100%;height:auto}
.wide{overflow-x:auto}.wide svg{max-width:none}
"""

_COLOURS = ("#c8a400", "#4e79a7", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7")


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _facts(rows: Iterable[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
    return f"<dl>{items}</dl>"


def _table(frame: pd.DataFrame, index: bool = True) -> str:
    cols = ([str(frame.index.name or "")] if index else []) + [str(c) for c in frame.columns]
    head = "".join(f"<th>{_e(c)}</th>" for c in cols)
    body = []
    for idx, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        cells = [f"<td>{_e(idx)}</td>"] if index else []
        for v in row:
            if isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool):
                cells.append(f'<td class="n">{_e(sig(v))}</td>')
            else:
                cells.append(f"<td>{_e(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure(fig_id: str, caption: str, svg: str) -> str:
    return f'<figure id="{_e(fig_id)}">{svg}<figcaption>{_e(caption)}</figcaption></figure>'


def _mpl_svg(fig: Any) -> str:
    """A matplotlib figure as inline SVG text (no XML prologue, no DOCTYPE)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    text = buf.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)  # RDF links, dates
    return text[text.index("<svg") :]


def _page(title: str, sections: Sequence[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_e(title)}</h1>{''.join(sections)}</body></html>\n"
    )


# --- flowsheet -----------------------------------------------------------------------


def _unit_of_port(port: str) -> str:
    """``mill_feed.fresh`` -> ``mill_feed`` (a stream's destination unit)."""
    return port.rsplit(".", 1)[0]


def _layers(
    nodes: list[str], edges: list[tuple[str, str]]
) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """Column of every node (longest path from a feed) and the edges that close recycles.

    A depth-first search from the nodes nothing feeds marks an edge into a node still on
    the search stack as a recycle; the rest is a DAG, laid out by longest path.
    """
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    fed = set()
    for a, b in edges:
        succ.setdefault(a, []).append(b)
        fed.add(b)
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}
    order: list[str] = []

    def visit(start: str) -> None:
        stack = [(start, iter(succ.get(start, [])))]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                order.append(node)
                stack.pop()
            elif state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(succ.get(nxt, []))))

    for n in [m for m in nodes if m not in fed] + nodes:
        if n not in state:
            visit(n)
    layer = dict.fromkeys(nodes, 0)
    for n in reversed(order):
        for m in succ.get(n, []):
            if (n, m) not in back:
                layer[m] = max(layer[m], layer[n] + 1)
    return layer, back


def flowsheet_svg(results: Any) -> str:
    """The flowsheet as SVG: a box per unit, an arrow per stream with its flows."""
    streams = results.streams
    if "from" not in streams or "to" not in streams:
        return "<p>no stream graph in this result</p>"
    run_order = list(results.meta.get("run_order", []))
    targets = [_unit_of_port(t) for t in streams["to"].astype(str)]
    nodes = list(dict.fromkeys([*run_order, *streams["from"].astype(str), *targets]))
    edges = [(str(a), b) for a, b in zip(streams["from"], targets, strict=True)]
    layer, back_edges = _layers(nodes, edges)
    types = results.units.drop_duplicates("unit").set_index("unit")["type"].to_dict()
    cols: dict[int, list[str]] = {}
    for n in nodes:
        cols.setdefault(layer[n], []).append(n)
    bw, bh, gx, gy = 124, 40, 64, 30
    pos = {}
    for c, members in cols.items():
        for r, n in enumerate(members):
            pos[n] = (20 + c * (bw + gx), 20 + r * (bh + gy))
    width = 40 + (max(cols) + 1) * (bw + gx)
    height = 40 + max(len(m) for m in cols.values()) * (bh + gy)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="sans-serif" font-size="10">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    for (a, b), (name, row) in zip(edges, streams.iterrows(), strict=True):
        if a not in pos or b not in pos:
            continue
        (x1, y1), (x2, y2) = pos[a], pos[b]
        back = (a, b) in back_edges or layer[b] <= layer[a]
        sx, sy = x1 + bw, y1 + bh / 2
        ex, ey = (x2, y2 + bh / 2)
        if back:
            sx, sy, ex, ey = x1 + bw / 2, y1 + bh, x2 + bw / 2, y2 + bh
            mid = max(y1, y2) + bh + 24
            path = f"M{sx},{sy} C{sx},{mid} {ex},{mid} {ex},{ey}"
        else:
            path = f"M{sx},{sy} C{(sx + ex) / 2},{sy} {(sx + ex) / 2},{ey} {ex},{ey}"
        dash = ' stroke-dasharray="4 3"' if back else ""
        label = f"{sig(row.get('solids_tph', math.nan), 3)} t/h"
        if "au_g_h" in row and float(row["au_g_h"]) > 0:
            label += f", Au {sig(row['au_g_h'], 3)} g/h"
        parts.append(
            f'<path d="{path}" fill="none" stroke="#777" stroke-width="1.2"{dash} '
            f'marker-end="url(#arrow)"><title>{_e(name)}: {_e(label)}</title></path>'
        )
        lx, ly = (
            ((sx + ex) / 2, (sy + ey) / 2 - 3)
            if not back
            else ((sx + ex) / 2, max(y1, y2) + bh + 20)
        )
        parts.append(
            f'<text x="{lx:.0f}" y="{ly:.0f}" text-anchor="middle" fill="#555">{_e(label)}</text>'
        )
    for n, (x, y) in pos.items():
        t = types.get(n, "")
        fill = "#fdf3c4" if t == "ore" else ("#e3f0e3" if _is_sink(t) else "#f4f4f4")
        parts.append(
            f'<rect x="{x}" y="{y}" width="{bw}" height="{bh}" rx="5" fill="{fill}" stroke="#888"/>'
            f'<text x="{x + bw / 2}" y="{y + 17}" text-anchor="middle" font-weight="bold">{_e(n)}</text>'
            f'<text x="{x + bw / 2}" y="{y + 32}" text-anchor="middle" fill="#666">{_e(t)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _is_sink(utype: str) -> bool:
    from oreflow.units import UNIT_TYPES

    t = UNIT_TYPES.get(utype)
    return bool(t is not None and t.is_sink)


# --- Sankey --------------------------------------------------------------------------


def destinations(results: Any, column: str) -> pd.Series:
    """How much of a stream column (``au_g_h``, ``solids_tph``) ends in each sink unit."""
    streams = results.streams
    if column not in streams:
        return pd.Series(dtype=float)
    types = results.units.drop_duplicates("unit").set_index("unit")["type"].to_dict()
    dest = streams["to"].astype(str).map(_unit_of_port)
    into_sink = dest.map(lambda u: _is_sink(types.get(u, "")))
    out = streams[into_sink.to_numpy()].groupby(dest[into_sink.to_numpy()])[column].sum()
    return out[out > 0].sort_values(ascending=False)


def sankey_svg(total_label: str, flows: pd.Series, unit: str) -> str:
    """A two-column Sankey: one feed band splitting into its destinations."""
    if not len(flows) or float(flows.sum()) <= 0:
        return "<p>nothing flows to a destination</p>"
    total = float(flows.sum())
    height, width, bar = 260, 720, 18
    gap = 10
    scale = (height - 40 - gap * (len(flows) - 1)) / total
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" font-family="sans-serif" font-size="11">'
    ]
    y_left, y_right = 20.0, 20.0
    x0, x1 = 150, width - 250
    parts.append(
        f'<rect x="{x0 - bar}" y="20" width="{bar}" height="{total * scale:.1f}" fill="#555"/>'
        f'<text x="{x0 - bar - 6}" y="{20 + total * scale / 2:.1f}" text-anchor="end">'
        f"{_e(total_label)} {_e(sig(total, 3))} {_e(unit)}</text>"
    )
    for i, (dest, value) in enumerate(flows.items()):
        h = float(value) * scale
        colour = _COLOURS[i % len(_COLOURS)]
        xm = (x0 + x1) / 2
        parts.append(
            f'<path d="M{x0},{y_left:.1f} C{xm},{y_left:.1f} {xm},{y_right:.1f} {x1},{y_right:.1f} '
            f'L{x1},{y_right + h:.1f} C{xm},{y_right + h:.1f} {xm},{y_left + h:.1f} {x0},{y_left + h:.1f} z" '
            f'fill="{colour}" fill-opacity="0.55"><title>{_e(dest)}</title></path>'
            f'<rect x="{x1}" y="{y_right:.1f}" width="{bar}" height="{max(h, 0.5):.1f}" fill="{colour}"/>'
            f'<text x="{x1 + bar + 6}" y="{y_right + h / 2 + 4:.1f}">{_e(dest)}: {_e(sig(value, 3))} '
            f"{_e(unit)} ({_e(sig(100 * float(value) / total, 3))} %)</text>"
        )
        y_left += h
        y_right += h + gap
    parts.append("</svg>")
    return "".join(parts)


# --- size distributions --------------------------------------------------------------


def psd_svg(results: Any, n_streams: int = 5) -> str | None:
    """Cumulative % passing of the solids of the main streams (the largest solids flows)."""
    by_size = results.streams_by_size
    if by_size is None or not len(by_size):
        return None
    from matplotlib.figure import Figure

    species = [c for c in by_size.columns if c.endswith("_tph")]
    solids = by_size.assign(total=by_size[species].sum(axis=1))
    flows = solids.groupby("stream")["total"].sum().sort_values(ascending=False)
    main = [s for s in flows.index if flows[s] > 0][:n_streams]
    fig = Figure(figsize=(7.0, 4.0))
    ax = fig.add_subplot()
    for name in main:
        rows = solids[solids["stream"] == name].sort_values("upper_um")
        frac = rows["total"].to_numpy() / max(float(rows["total"].sum()), 1e-300)
        passing = 100.0 * np.cumsum(frac)
        ax.semilogx(rows["upper_um"].to_numpy(), passing, marker=".", label=str(name))
    ax.set_xlabel("size (upper edge of class) [µm]")
    ax.set_ylabel("cumulative passing [%]")
    ax.set_ylim(0, 100)
    ax.grid(visible=True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _mpl_svg(fig)


# --- sections ------------------------------------------------------------------------


#: Rows of the water balance table: (KPI, label, sign: +1 in, -1 out, 0 internal).
_WATER_ROWS = (
    ("water_ore_m3_h", "in with the ore", 1),
    ("water_fresh_m3_h", "fresh water added", 1),
    ("water_reacted_m3_h", "made (+) or bound (-) by reactions", 1),
    ("water_to_storage_m3_h", "out with residue to storage", -1),
    ("water_to_backfill_m3_h", "out with paste backfill", -1),
    ("water_to_building_materials_m3_h", "out with building materials", -1),
    ("water_to_water_products_m3_h", "out as reclaimed or discharged water", -1),
    ("water_to_other_products_m3_h", "out with products", -1),
    ("water_to_atmosphere_m3_h", "out to atmosphere (vents)", -1),
    ("water_recycled_m3_h", "recycled inside the plant (not in the balance)", 0),
)
_CO2_ROWS = (
    ("co2_direct_kg_h", "direct (vented, released by limestone)"),
    ("co2_electricity_kg_h", "electricity (units and utilities) x grid factor"),
    ("co2_oxygen_kg_h", "oxygen plant electricity"),
    ("co2_heat_kg_h", "fuel for steam and heating"),
    ("co2_transport_kg_h", "diesel of trucked concentrate or ore"),
    ("co2_reagents_kg_h", "embodied in reagents and media"),
    ("co2_kg_h", "total"),
)


def _footprint_sections(results: Any) -> list[str]:
    """The site water balance and CO2 by source (``kpis_water``, ``kpis_carbon``)."""
    k = results.kpis
    out: list[str] = []
    if "water_fresh_m3_h" in k:
        water = pd.DataFrame(
            [
                (label, float(k[n]), {1: "in", -1: "out", 0: "internal"}[sign])
                for n, label, sign in _WATER_ROWS
            ],
            columns=["water", "m³/h", "direction"],
        )
        out += [
            "<h2>Site water balance</h2>",
            _figure(
                "water-balance",
                f"Fresh water {sig(float(k['water_m3_t']), 4)} m³ per t of ore; balance "
                f"closes to {sig(float(k['water_balance_rel_err']), 2)} (relative).",
                _table(water, index=False),
            ),
        ]
    if "co2_kg_h" in k:
        co2 = pd.DataFrame(
            [(label, float(k[n])) for n, label in _CO2_ROWS], columns=["CO2 source", "kg/h"]
        )
        items = [n for n in k.index if n.startswith("co2_reagent_") and n.endswith("_kg_h")]
        per_item = "; ".join(
            f"{n.removeprefix('co2_reagent_').removesuffix('_kg_h')} {sig(float(k[n]), 3)}"
            for n in items
        )
        out += [
            "<h2>CO2 by source</h2>",
            _figure(
                "co2",
                f"{sig(float(k['co2_kg_oz']), 4)} kg CO2 per oz, {sig(float(k['co2_kg_t']), 4)} "
                f"kg per t of ore (factors: [emissions], cases/README.md). Reagents, kg/h: "
                f"{per_item or 'none'}.",
                _table(co2, index=False),
            ),
        ]
    return out


def _plant_sections(results: Any) -> list[str]:
    out = [
        "<h2>Flowsheet</h2>",
        _figure(
            "flowsheet",
            "Units in flowsheet order (scroll sideways on a long flowsheet); arrows are "
            "streams with solids and gold flows; dashed arrows close a recycle.",
            f'<div class="wide">{flowsheet_svg(results)}</div>',
        ),
        "<h2>Where the gold and the solids go</h2>",
        _figure(
            "sankey-gold",
            "Gold (all phases) leaving the plant, by destination.",
            sankey_svg("gold", destinations(results, "au_g_h"), "g/h"),
        ),
        _figure(
            "sankey-solids",
            "Solids leaving the plant, by destination (residue, concentrate, products).",
            sankey_svg("solids", destinations(results, "solids_tph"), "t/h"),
        ),
    ]
    psd = psd_svg(results)
    if psd is not None:
        out += [
            "<h2>Size distributions</h2>",
            _figure("psd", "Cumulative passing of the largest solids streams.", psd),
        ]
    out += ["<h2>Profiles tank by tank</h2>", _profiles(results)]
    out += _footprint_sections(results)
    worst = results.closure.groupby("view")["rel_err"].max().to_frame("largest relative error")
    out += [
        "<h2>Closure audit</h2>",
        _figure(
            "closure",
            "Largest relative closure error per view (in + added + reacted = out).",
            _table(worst),
        ),
    ]
    k = results.kpis.to_frame("value").assign(unit=[unit_of(n) for n in results.kpis.index])
    cols = [c for c in ("from", "to", *STREAM_FIGURES) if c in results.streams]
    out += [
        "<h2>Streams</h2>",
        _table(results.streams[cols]),
        "<h2>KPIs</h2>",
        _table(k),
    ]
    return out


def _profiles(results: Any) -> str:
    """Per-tank metrics (``tank<i>_...``) the units report; a sentence where none do."""
    u = results.units
    tank = u[u["metric"].str.match(r"^tank\d+_")]
    if not len(tank):
        return (
            '<figure id="profiles"><p>No unit in this flowsheet reports a tank-by-tank '
            "profile (metrics named tank&lt;i&gt;_...).</p><figcaption>Leach and adsorption "
            "profiles.</figcaption></figure>"
        )
    from matplotlib.figure import Figure

    tank = tank.assign(
        i=tank["metric"].str.extract(r"^tank(\d+)_")[0].astype(int),
        m=tank["metric"].str.replace(r"^tank\d+_", "", regex=True),
    )
    kinds = list(dict.fromkeys(tank["m"]))
    fig = Figure(figsize=(7.0, 2.6 * len(kinds)))
    axes = fig.subplots(len(kinds), 1, sharex=True, squeeze=False)[:, 0]
    for ax, kind in zip(axes, kinds, strict=True):
        for unit, group in tank[tank["m"] == kind].groupby("unit", sort=False):
            group = group.sort_values("i")
            ax.plot(group["i"], group["value"], marker="o", label=str(unit))
        label = {"au_aq_mg_l": "gold in solution", "carbon_au_g_t": "gold on carbon"}.get(
            kind, kind
        )
        ax.set_ylabel(f"{label} [{unit_of(kind)}]", fontsize=8)
        ax.grid(visible=True, alpha=0.3)
        ax.legend(fontsize=8)
    axes[-1].set_xlabel("tank (feed end first)")
    fig.tight_layout()
    return _figure(
        "profiles",
        "Profiles tank by tank: gold in solution and gold on carbon, feed end first.",
        _mpl_svg(fig),
    )


def run_html(results: Any) -> str:
    """The report of ``oreflow run``."""
    facts = _facts(headline(results))
    return _page(f"oreflow run: {results.case}", [facts, *_plant_sections(results)])


def optimize_html(result: Any, spec: Any) -> str:
    """The report of ``oreflow optimize``: the answer, route ranking, shadow prices, the plan."""
    name = result.plan.case if result.plan is not None else getattr(spec, "name", "case")
    sections = [f"<p>status: <b>{_e(result.status)}</b></p>", _facts(optimize_answer(result, spec))]
    if result.explanation:
        sections.append("<ul>" + "".join(f"<li>{_e(e)}</li>" for e in result.explanation) + "</ul>")
    if len(result.routes):
        r = result.routes
        figures = ("feasible", "objective", "ore_tph", "cost_fixed_usd_h")
        cols = [c for c in r.columns if c not in figures]
        ranking = pd.DataFrame(
            {
                "route": [route_words(spec, {c: row[c] for c in cols}) for _, row in r.iterrows()],
                "feasible": ["yes" if bool(f) else "no" for f in r["feasible"]],
                "objective": r["objective"].to_numpy(),
                "ore t/h": r["ore_tph"].to_numpy(),
            }
        )
        if "cost_fixed_usd_h" in r.columns:  # each route's own fixed cost (its capital's)
            ranking["fixed USD/h"] = r["cost_fixed_usd_h"].to_numpy()
        sections += [
            "<h2>Route ranking</h2>",
            _figure(
                "routes", "Best plan of every route (enumeration).", _table(ranking, index=False)
            ),
        ]
    if len(result.shadow_prices):
        sections += [
            "<h2>Shadow prices</h2>",
            _figure(
                "shadow-prices",
                "Objective per unit of each limit; non-zero means binding.",
                _table(result.shadow_prices, index=False),
            ),
        ]
    if len(result.verification):
        sections += ["<h2>Verification</h2>", _table(result.verification)]
    if result.plan is not None:
        sections += _plant_sections(result.plan)
    return _page(f"oreflow optimize: {name}", sections)


def pareto_html(front: pd.DataFrame, spec: Any) -> str:
    """The report of ``oreflow pareto``: the front with its routes labelled."""
    from matplotlib.figure import Figure

    from oreflow.report.console import distinct_points

    x, y = str(front.attrs.get("x", "x")), str(front.attrs.get("y", "y"))
    pts = distinct_points(front)
    fig = Figure(figsize=(7.5, 4.5))
    ax = fig.add_subplot()
    words = [route_words(spec, r or {}) for r in pts.get("route", pd.Series([{}] * len(pts)))]
    if len(pts):
        ax.plot(pts["x"], pts["y"], "-", color="#999")
        for i, w in enumerate(dict.fromkeys(words)):
            sel = [j for j, v in enumerate(words) if v == w]
            ax.plot(
                pts["x"].iloc[sel],
                pts["y"].iloc[sel],
                "o",
                color=_COLOURS[i % len(_COLOURS)],
                label=w,
            )
    for m in front.attrs.get("marks", []):
        if m.get("y") is not None:
            ax.plot(
                [m["x"]], [m["y"]], "*", markersize=14, color="#d62728", label=f"target {m['x']:g}"
            )
    if len(pts) or front.attrs.get("marks"):
        ax.legend(fontsize=8)
    ax.set_xlabel(f"{x} [{unit_of(x)}]")
    ax.set_ylabel(f"{y} [{unit_of(y)}]")
    ax.grid(visible=True, alpha=0.3)
    fig.tight_layout()
    table = pd.DataFrame(
        {
            x: pts["x"].to_numpy() if len(pts) else [],
            y: pts["y"].to_numpy() if len(pts) else [],
            "route": words,
            "settings": [
                ", ".join(setting_text(k, v) for k, v in (m or {}).items()) or "as written"
                for m in pts.get("modes", pd.Series([{}] * len(pts)))
            ],
        }
    )
    name = getattr(spec, "name", "case")
    return _page(
        f"oreflow pareto: {name}",
        [
            _figure("pareto-front", f"{y} against {x}; each route its own marker.", _mpl_svg(fig)),
            _table(table, index=False),
        ],
    )


def reconcile_html(result: Any, survey: str) -> str:
    """The report of ``oreflow reconcile``: measured against reconciled, adjustments, suspects."""
    from matplotlib.figure import Figure

    meta = result.meta
    adj = result.adjustments
    facts = _facts(
        [
            ("survey", survey or "-"),
            ("status", str(meta.get("status"))),
            (
                "chi-square",
                f"{sig(meta.get('chi2'))} on {meta.get('dof')} dof, critical {sig(meta.get('critical'))}",
            ),
            ("test", "passed" if meta.get("passed") else "FAILED"),
            ("gross-error suspects", ", ".join(map(str, meta.get("suspects", []))) or "none"),
        ]
    )
    fig = Figure(figsize=(6.0, 5.0))
    ax = fig.add_subplot()
    if len(adj):
        ok = adj[np.isfinite(adj["measured"]) & np.isfinite(adj["reconciled"])]
        flagged = (
            ok["flagged"].astype(bool) if "flagged" in ok else pd.Series(False, index=ok.index)
        )
        for q, group in ok[~flagged].groupby("quantity"):
            ax.loglog(
                group["measured"].abs() + 1e-12,
                group["reconciled"].abs() + 1e-12,
                "o",
                label=str(q),
            )
        if flagged.any():
            sus = ok[flagged]
            ax.loglog(
                sus["measured"].abs() + 1e-12,
                sus["reconciled"].abs() + 1e-12,
                "x",
                color="red",
                ms=10,
                label="suspect",
            )
        lo = max(float(ok[["measured", "reconciled"]].abs().min().min()), 1e-6)
        hi = float(ok[["measured", "reconciled"]].abs().max().max())
        ax.plot([lo, hi], [lo, hi], "--", color="#999")
        ax.legend(fontsize=7)
    ax.set_xlabel("measured")
    ax.set_ylabel("reconciled")
    fig.tight_layout()
    cols = [
        c
        for c in (
            "stream",
            "quantity",
            "size_um",
            "measured",
            "sd",
            "reconciled",
            "adjustment_sd",
            "flagged",
        )
        if c in adj
    ]
    return _page(
        "oreflow reconcile",
        [
            facts,
            _figure(
                "measured-vs-reconciled",
                "Every measurement against its reconciled value (x: gross-error suspect).",
                _mpl_svg(fig),
            ),
            "<h2>Adjustments</h2>",
            _figure(
                "adjustments",
                "Reconciled minus measured, in standard deviations of the measurement.",
                _table(
                    adj[cols].sort_values("adjustment_sd", key=np.abs, ascending=False), index=False
                )
                if cols
                else "<p>no measurements</p>",
            ),
            "<h2>Reconciled streams</h2>",
            _table(result.streams, index=False),
        ],
    )


def report_html(kind: str, result: Any, *, spec: Any = None, survey: str = "") -> str:
    """The page of a command's result (``kind``: run, optimize, pareto, reconcile)."""
    if kind == "run":
        return run_html(result)
    if kind == "optimize":
        return optimize_html(result, spec)
    if kind == "pareto":
        return pareto_html(result, spec)
    if kind == "reconcile":
        return reconcile_html(result, survey)
    msg = f"no HTML report for {kind!r}"
    raise ValueError(msg)
