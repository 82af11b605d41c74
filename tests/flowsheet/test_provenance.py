"""The count of assumed parameters in a run's meta: defaults declared assumed, case lines
commented [assumed], and only parameters the model uses in the case."""

from pathlib import Path

import oreflow
from oreflow.flowsheet.case import load_case
from oreflow.flowsheet.provenance import assumed_parameters

CASE = Path(__file__).resolve().parents[2] / "cases" / "free_milling_cil.toml"


def test_assumed_parameters_of_the_shipped_cil_case():
    keys = assumed_parameters(load_case(CASE))
    assert "units.cil.kla_per_h" in keys  # set in the case, commented [assumed]
    assert "units.cil.leach.au_free.k_per_h" in keys
    assert "units.cil.o2_pyrite_frac_h" in keys  # default declared assumed
    assert "units.cil.leach_ea_kj_mol" not in keys  # default fitted (Julian & Smart)
    assert "units.cil.cn_order" not in keys  # power-law order: not used by the mixed rate
    assert "units.cil.nacn_mg_l" not in keys  # plant set point
    assert "units.cil.leach.au_sulfide.locked_access_frac" not in keys  # no grain_um there


def test_a_measured_value_is_not_counted_and_the_run_reports_the_count(tmp_path):
    text = CASE.read_text(encoding="utf-8").replace(
        "kla_per_h = 30.0              # [assumed]", "kla_per_h = 30.0   # gassing-out test 2026"
    )
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    keys = assumed_parameters(load_case(path))
    assert "units.cil.kla_per_h" not in keys
    meta = oreflow.simulate(path).meta["assumed_parameters"]
    assert meta["count"] == len(keys) == len(meta["keys"])


def test_carbon_rate_law_constants_count_only_under_their_model(tmp_path):
    """freundlich_n and kn_k/kn_n are assumed only where adsorption_model uses them."""
    from pathlib import Path

    import oreflow
    from oreflow.flowsheet.provenance import assumed_parameters

    src = Path(oreflow.bundled_case("free_milling_cil")).read_text(encoding="utf-8")
    keys = {"units.cil.freundlich_n", "units.cil.kn_k", "units.cil.kn_n"}
    default = set(assumed_parameters(oreflow.load_case(oreflow.bundled_case("free_milling_cil"))))
    assert not keys & default
    path = tmp_path / "case.toml"
    path.write_text(src.replace("[units.cil]\n", '[units.cil]\nadsorption_model = "kn"\n', 1))
    assert keys <= set(assumed_parameters(oreflow.load_case(path)))
