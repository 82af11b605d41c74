"""Grind series of Arizona Gold & Silver (2024): the cyanidation model's gold-grain exposure.

Data: ``data/testwork/cn_grind_azs2024_philadelphia.csv`` (news release of 23 Oct 2024 on
McClelland Laboratories' bottle rolls, secondary copy): 90.6 % gold at P80 425 um and
over 99.3 % at P80 106 um after 120 h at 1 g/L NaCN.

Model (``oreflow fit --model cyanidation``, ``oreflow.kernels.cyanidation``): the
ultimate extraction of a Rosin-Rammler grind product of the test's P80 from the exposure
of gold grains of size ``grain_um``, locked grains reached in the share
``locked_access_frac``. At 120 h the first-order term is complete for any k above
0.1 /h (k t > 12), so ``k_per_h`` is held (0.35 /h) and ``ultimate_frac`` is 1 (the fine
grind leaves under 0.7 %).

- With ``locked_access_frac`` held at the CIL unit's default 0.5 the grain size is
  fitted by least squares (2 points, 1 unknown, 1 degree of freedom): the interval must be
  finite and the residuals within 0.005 (the release rounds to 0.1 point and the fine
  value is a lower bound).
- With both free the two points are solved exactly; the access share comes out at the
  default 0.5 within 0.1: the grind series supports the shipped default.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from oreflow.cli import main
from oreflow.solvers.fit import fit, get_model
from oreflow.solvers.fit_data import read_testwork
from oreflow.solvers.fit_models import rrb_mean_ultimate
from oreflow.units.cil_kinetics import GRAIN_PARAMS

FILE = (
    Path(__file__).resolve().parents[2] / "data" / "testwork" / "cn_grind_azs2024_philadelphia.csv"
)
HELD = {"k_per_h": 0.35, "ultimate_frac": 1.0, "ea_kj_mol": 15.0}
#: Reproduction tolerance on an extraction [-]: the release's rounding (0.001) and the
#: lower bound of the fine grind leave a few thousandths.
TOL_FRAC = 0.005
ACCESS_DEFAULT = float(next(p.default for p in GRAIN_PARAMS if p.name == "locked_access_frac"))


@pytest.fixture(scope="module")
def data():
    return read_testwork(FILE, get_model("cyanidation"))


def test_grain_size_fitted_at_the_default_access(data):
    res = fit("cyanidation", data, fixed={**HELD, "locked_access_frac": ACCESS_DEFAULT})
    assert res.fitted == ("grain_um",) or "grain_um" not in res.held
    assert np.max(np.abs(res.residuals)) < TOL_FRAC
    grain = res.values["grain_um"]
    lo, hi = res.ci_low["grain_um"], res.ci_high["grain_um"]
    assert np.isfinite(lo) and np.isfinite(hi) and lo < grain < hi
    assert (
        60.0 < grain < 160.0
    )  # coarse (epithermal) gold: tens of um would lose 15 points at 425 um
    # sign and size: finer grinds extract more, by about 9 points over 425 -> 106 um
    p80 = np.array([425.0, 212.0, 150.0, 106.0])
    x = rrb_mean_ultimate(p80, 1.0, grain, ACCESS_DEFAULT)
    assert np.all(np.diff(x) > 0.0)
    assert x[-1] - x[0] == pytest.approx(0.993 - 0.906, abs=0.01)


def test_two_points_solved_exactly_give_the_default_access(data):
    res = fit("cyanidation", data, fixed=HELD)
    assert np.max(np.abs(res.residuals)) < 1e-6
    assert res.values["locked_access_frac"] == pytest.approx(ACCESS_DEFAULT, abs=0.1)


def test_the_data_file_fits_from_the_command_line(capsys):
    argv = ["fit", str(FILE), "--model", "cyanidation", "--fix", "k_per_h=0.35",
            "--fix", "ultimate_frac=1", "--fix", "locked_access_frac=0.5", "--json"]  # fmt: skip
    assert main(argv) == 0
    assert '"grain_um"' in capsys.readouterr().out


def test_fewer_rows_than_free_parameters_is_an_input_error(capsys):
    assert main(["fit", str(FILE), "--model", "cyanidation"]) == 2
    err = capsys.readouterr().err
    assert "cn_grind_azs2024_philadelphia.csv: 2 data rows for 4 free parameters" in err
    assert "--fix" in err
