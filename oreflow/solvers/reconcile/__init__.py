r"""Plant-survey reconciliation: weighted least squares with gross-error detection.

Formulation
-----------
Every stream carries *extensive* states, all non-negative: its phase flows (solids
``S``, water ``W``, carbon ``C`` [t/h]) and, for each measured ratio, the matching
component flow (``M = S * assay``, ``D = W * tenor``, ``L = C * loading``, size-class
flow ``S_i = S * mass_frac_i``, and ``M_i = S_i * assay_i`` by size). In these states
every balance is *linear*: per node, solids, water, carbon, each size class and each
species (per phase, or in total over the phases at a reactive node), plus per stream
``sum_i S_i = S`` and ``sum_i M_i = M``. The flow-times-assay bilinearity moves into
the measurement functions, which are ratios of states (``assay = M / S``,
``% solids = 100 S / (S + W)``).

The estimate minimises :math:`J = \sum_i ((h_i(x) - y_i) / \sigma_i)^2` subject to the
balances and ``x >= 0``.

Bilinear scheme: damped Gauss-Newton on exactly linear balances
----------------------------------------------------------------
The start is a guess (flows by least squares from meters and fixed-assay balances,
component flows from measured assays) projected onto the balances. Each iteration
linearises the ratio functions at the current point, solves the convex QP
:math:`\min \sum_i z_i^2` over the scaled state step, where
:math:`z = (h(x) - y) / \sigma` linearised are the standardised adjustments, with
HiGHS through Pyomo, and takes the step by a backtracking (Armijo) line search on the
true :math:`J`. Because the balances are linear in the states, every iterate (and
every point of the line search, by convexity) closes them exactly, so the final
balance closes to solver precision, and :math:`J` never increases beyond round-off.
Gauss-Newton with a line search converges to a stationary point of the constrained
least-squares problem; for linear measurements (flows only) the first step is the
optimum and the second confirms it.

Why not alternate "fix flows, solve assays; fix assays, solve flows": when the splits
are not measured (the usual survey: one flow meter and assays everywhere), the flow
step has no freedom once the assays have been adjusted to the current splits, so the
alternation stalls at the starting splits. Gauss-Newton moves flows and assays jointly.

Numerical details that matter with HiGHS's QP solver (1.16): the QP variables are
the *step* of the states scaled by their starting values, so the QP's Hessian
regularisation (``qp_regularization_value``, 1e-7), which pulls the variables towards
zero, pulls the step towards zero: it can slow the last iteration but cannot bias the
converged answer (the linear case matches the Lagrange closed form to 1e-13). Every
constraint right-hand side is zero, and the adjustments are substituted into the
objective rather than carried as free variables; both alternatives made HiGHS stop
with primal infeasibilities ("solve error") on small surveys.

A flow the data want below zero (a node whose assays imply a negative split) goes to
its bound: as it collapses, its ratios (``M / S``) become singular, so states far below
their scale are rescaled (and the QP rebuilt) to keep each step well conditioned, and a
flow below 1e-6 of its starting value is pinned there and reported in
``meta["at_bound"]``; the measurements that depend on it then cannot be checked.

Classification and statistics
-----------------------------
Before solving, the problem linearised at the (balanced) starting point is classified
with the null space of the balance matrix (after Crowe et al. 1983): a state is
observable when no direction that keeps the balances and all measured values fixed
moves it; a measurement is redundant when its leverage (the diagonal of the hat
matrix) is below one, i.e. the balances and the other measurements determine it.
Unobservable flows, measurements that depend on undetermined states and zero standard
deviations on redundant measurements are input errors; other undetermined states (an
unassayed species on an inner stream) are projected out of the balances and reported
as NaN. After solving, :math:`J` is compared with :math:`\chi^2_{\alpha}(\nu)`,
:math:`\nu` = number of measurements less the rank of the linearised problem (the
critical value comes from the regularised incomplete gamma function inverted by
bisection, no SciPy). Reconciled standard deviations come from the linearised
covariance; the normalised adjustment of measurement *i* is
:math:`(\hat y_i - y_i) / (\sigma_i \sqrt{1 - h_{ii}})`. Gross errors are found by
serial elimination: while the global test fails, remove the redundant measurement with
the largest normalised adjustment (the measurement test, Serth & Heenan 1986) and
re-solve; measurements whose statistic ties with it are reported as indistinguishable.

References
----------
.. [1] Crowe, C. M., Garcia Campos, Y. A. & Hrymak, A. (1983). Reconciliation of process
   flow rates by matrix projection. Part I: linear case. AIChE J. 29(6), 881-888.
   https://doi.org/10.1002/aic.690290602
.. [2] Crowe, C. M. (1986). Reconciliation of process flow rates by matrix projection.
   Part II: the nonlinear case. AIChE J. 32(4), 616-623 (DOI not checked).
.. [3] Serth, R. W. & Heenan, W. A. (1986). Gross error detection and data
   reconciliation in steam-metering systems. AIChE J. 32(5), 733-742.
   https://doi.org/10.1002/aic.690320503
.. [4] Reference worked examples: Smith & Ichiyen 1973; Hodouin & Everell 1980; docs/survey.md (two-product formula,
   Lagrange solution, chi-square test).
"""

from oreflow.solvers.reconcile.chi2 import chi2_cdf, chi2_ppf
from oreflow.solvers.reconcile.result import ReconcileResult
from oreflow.solvers.reconcile.solve import reconcile

__all__ = ["ReconcileResult", "chi2_cdf", "chi2_ppf", "reconcile"]
