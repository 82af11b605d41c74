"""The result of a reconciliation: tables of plain pandas DataFrames."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class ReconcileResult:
    """Reconciled survey: tables of plain pandas DataFrames, units in column names.

    Attributes
    ----------
    streams : DataFrame
        One row a stream: ``stream``, ``from_node``, ``to_node``, reconciled
        ``solids_tph``, ``water_tph``, ``solids_pct``, ``carbon_tph``, solids assays
        (``au_gpt``, ``s_pct``), tenors (``au_mg_l``), loadings (``carbon_au_gpt``),
        each with its standard deviation in ``<column>_sd``. NaN where undetermined.
    sizes : DataFrame
        One row a stream and size class (empty for unsized surveys): ``stream``,
        ``size_um``, ``mass_frac``, assays by size, with ``_sd`` columns.
    nodes : DataFrame
        One row a node outlet: ``node``, ``stream``, ``solids_split_frac`` (share of the
        node's solids feed), ``water_split_frac``, ``carbon_split_frac`` and
        ``<species>_recovery_frac`` (share of the node's inflow of the species, all
        phases together), with ``_sd`` columns.
    adjustments : DataFrame
        One row a measurement: ``stream``, ``quantity``, ``size_um``, ``measured``,
        ``sd``, ``reconciled``, ``reconciled_sd``, ``adjustment_sd`` (reconciled minus
        measured, in standard deviations of the measurement), ``normalised_adjustment``
        (in standard deviations of the adjustment itself), ``redundant``, ``flagged``
        (a gross-error suspect, removed from the final balance), ``sd_is_default`` and
        ``where`` (row in the survey file).
    tests : DataFrame
        One row a serial-elimination round: ``round``, ``removed`` (the measurement
        removed before the round), ``indistinguishable`` (measurements the data cannot
        tell apart from it), ``chi2``, ``dof``, ``critical``, ``passed`` (None when
        ``dof`` is 0: not testable).
    closure : DataFrame
        One row a balance, in the columns of ``Results.closure`` after the ``node`` (or
        stream, for size-class sums): ``view``, ``name``, ``in_tph``, ``added_tph``,
        ``reacted_tph``, ``out_tph``, ``rel_err`` (|in - out| / max(in, out)).
    meta : mapping
        ``status``, ``iterations``, ``rounds``, ``objective_history`` (J per iteration of
        the final round), ``chi2``, ``dof``, ``critical``, ``passed`` (None: not
        testable), ``test`` (``passed``, ``failed`` or ``not testable``),
        ``confidence``, ``suspect_sets``
        (per suspect, it and the measurements indistinguishable from it),
        ``suspects``, ``unobservable`` (states the survey does not determine, NaN in
        the tables), ``at_bound`` (states driven to their lower bound, i.e. flows the
        data want at or below zero), ``max_rel_closure``, ``solver``,
        ``solver_version``, ``seconds``.
    """

    streams: pd.DataFrame
    sizes: pd.DataFrame
    nodes: pd.DataFrame
    adjustments: pd.DataFrame
    tests: pd.DataFrame
    closure: pd.DataFrame
    meta: Mapping[str, Any]

    @property
    def suspects(self) -> pd.DataFrame:
        """Adjustments rows of the measurements identified as gross errors."""
        return self.adjustments[self.adjustments["flagged"]]

    @property
    def passed(self) -> bool | None:
        """Whether the final global chi-square test passed; None when not testable.

        A survey without redundancy (0 degrees of freedom) cannot be tested: the
        balances check nothing, so neither "passed" nor "failed" applies.
        """
        passed = self.meta["passed"]
        return None if passed is None else bool(passed)
