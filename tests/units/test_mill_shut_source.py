"""A SAG, regrind or ultrafine mill that no ore reaches in one case does not stop the batch.

The mills took their work index from the ore reaching them and raised a ``CaseError`` for
the whole batch as soon as one case had none (its ore source at 0 t/h). Each case now
decides for itself: a case without ore grinds nothing (the mill passes on what reaches it,
at most the media worn upstream) and converges at zero, and every other case of the batch
gives the figures it gives alone.
"""

from pathlib import Path

import numpy as np
import pytest

import oreflow
from oreflow.flowsheet.case import load_case
from oreflow.flowsheet.compile import compile_case
from oreflow.solvers.simulate import simulate_plant

#: Round-off figures (closure, water balance) differ with the iterates a batch takes.
ROUND_OFF = ("closure_max_rel", "closure_cell_max_rel", "water_balance_rel_err")

#: case, its ore source, the source's nominal rate [t/h], the mill node and its feed metric
CASES = {
    "sag_trommel": ("cases/tests/comm_sag_trommel.toml", "rom", "sag", "mill_feed_tph"),
    # SAG, ball and regrind mills, all wearing steel media into the pulp
    "preconcentration": (
        "cases/low_grade_preconcentration.toml",
        "main",
        "regrind",
        "feed_tph",
    ),
    "regrind": ("cases/tests/comm_ex01_regrind.toml", "conc", None, None),
    "ultrafine": ("cases/tests/ox_ultrafine_cil.toml", "concentrate", None, None),
}


def _rate(path, ore):
    case = load_case(path)
    return float(next(o for o in case.ores if o.name == f"ore.{ore}").params["rate_tph"])


def _close(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    finite = np.abs(b[np.isfinite(b)])
    scale = float(finite.max()) if finite.size else 0.0
    same = (np.isnan(a) & np.isnan(b)) | (a == b)
    with np.errstate(invalid="ignore"):
        near = np.abs(a - b) <= 1e-12 * scale + 1e-12
    return bool(np.all(same | near))


@pytest.mark.parametrize("name", list(CASES))
def test_a_case_without_ore_does_not_stop_the_batch(name):
    path, ore, _, _ = CASES[name]
    rate = _rate(path, ore)
    key = f"ore.{ore}.rate_tph"
    batch = oreflow.simulate_batch(path, {key: np.array([rate, 0.0, 0.5 * rate])}, workers=1)
    assert len(batch) == 3
    for i, r in enumerate((rate, 0.0, 0.5 * rate)):
        alone = oreflow.simulate_batch(path, {key: np.array([r])}, workers=1).iloc[0]
        for column in batch.columns:
            got, want = batch[column].iloc[i], alone[column]
            if column in ROUND_OFF:
                assert got < 1e-10 and want < 1e-10, (name, r, column)
            elif isinstance(want, float | np.floating):
                assert _close(got, want), (name, r, column, got, want)
            else:
                assert got == want, (name, r, column)
    # the shut case treats no ore and produces next to nothing (a carbon circuit may
    # return traces of the gold its carbon holds: 3e-5 g/h in the preconcentration case)
    assert batch["ore_tph"].iloc[1] == 0.0
    gold = batch["gold_produced_g_h"]
    assert abs(gold.iloc[1]) <= 1e-6 * gold.iloc[0]


@pytest.mark.parametrize("name", ["sag_trommel", "preconcentration"])
def test_an_empty_mill_converges_at_zero_ore(name):
    path, ore, mill, feed = CASES[name]
    plant = compile_case(load_case(path))
    rate = _rate(path, ore)
    sim = simulate_plant(plant, n_cases=2, overrides={f"ore.{ore}.rate_tph": np.array([rate, 0.0])})
    metrics = sim.units[mill].metrics
    assert metrics[feed][0] > 0.0
    # no ore: at most the steel worn by the mills upstream, never a NaN stream
    assert metrics[feed][1] < 1e-2 * metrics[feed][0]
    for flows in sim.streams.values():
        assert np.all(np.isfinite(flows[1]))
    for flows in sim.streams.values():
        assert np.all(flows[1] >= 0.0)


def _miswired(tmp_path, wi_line=""):
    """comm_ex01_regrind with its regrind mill fed by a solution source, not the ore."""
    text = Path("cases/tests/comm_ex01_regrind.toml").read_text(encoding="utf-8")
    text = text.replace('inlets.feed = "ore.conc"\n', f'inlets.feed = "pond.out"\n{wi_line}')
    text = text.replace(
        "[units.leach_feed]",
        '[units.pond]\ntype = "solution_source"\nflow_m3_h = 20.0\n\n'
        '[units.conc_out]\ntype = "product"\ninlets.feed = "ore.conc"\nkind = "concentrate"\n\n'
        "[units.leach_feed]",
    )
    path = tmp_path / "miswired.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_mill_no_ore_can_reach_is_an_input_error(tmp_path, capsys):
    """Wired to no ore at all, the mill states it once (exit 2), not a silent 0 kWh/t.

    Only ore routed to the mill but at 0 t/h in some cases grinds nothing per case
    (the tests above); the flowsheet with no ore path to the mill has no work index.
    """
    from oreflow.cli import main

    code = main(["run", str(_miswired(tmp_path))])
    out = capsys.readouterr()
    assert code == 2
    text = out.out + out.err
    assert "units.regrind.wi_kwh_t" in text
    assert "no ore with a work index reaches the mill: give wi_kwh_t" in text
    assert "Traceback" not in text
    # given a work index, the same flowsheet runs
    assert main(["run", str(_miswired(tmp_path, "wi_kwh_t = 15.0\n"))]) == 0
