"""Shared fixtures: paths to shipped cases and a small valid case text to mutate."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"
SHIPPED = sorted(CASES.glob("*.toml"))
TEST_CASES = sorted((CASES / "tests").glob("*.toml"))

# A small but complete plant: ore -> mixer <- cyclone underflow; mill; cyclone;
# overflow to CIL; tails to tailings; carbon to elution. Tests mutate it.
MINI_CASE = """
[case]
name = "mini"
solids = ["gangue", "au_free"]
solution = ["water", "au_aq", "nacn"]
adsorbent = ["carbon", "au_carbon"]

[case.sizes]
top_um = 8000.0
n_classes = 14

[ore.main]
rate_tph = 100.0
au_gpt = 2.0
wi_kwh_t = 14.0
[ore.main.psd]
model = "rrb"
f80_um = 3000.0
n = 1.0

[units.mix]
type = "mixer"
inlets.fresh = "ore.main"
inlets.recycle = "cyclone.underflow"
solids_frac = 0.65

[units.mill]
type = "ball_mill"
inlets.feed = "mix.out"
power_kw = 1500.0
selection_a_t_kwh = 1.2
design_p80_um = 106.0

[units.cyclone]
type = "hydrocyclone"
inlets.feed = "mill.discharge"
d50c_um = 90.0

[units.cil]
type = "cil"
inlets.feed = "cyclone.overflow"
residence_h = 24.0
[units.cil.leach.au_free]
k_per_h = 0.3
ultimate_frac = 0.95

[units.tailings]
type = "tailings"
inlets.feed = "cil.tails"

[units.elution]
type = "product"
inlets.feed = "cil.loaded_carbon"
"""


@pytest.fixture
def mini_case_text() -> str:
    return MINI_CASE


@pytest.fixture
def write_case(tmp_path):
    """Write a case text to a file and return its path."""

    def _write(text: str, name: str = "case.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write
