"""Numerical kernels: float64/int64 numpy arrays and Python scalars in and out.

Array contract shared by every module here:

- inputs and outputs are numpy arrays or Python scalars, never pandas, dicts or strings
  (names have become integers in ``oreflow.flowsheet.compile``);
- flows are in t/h, sizes in µm, times in h unless a docstring says otherwise;
- kernels never mutate their inputs; allocation-free variants are named ``*_into``;
- batch kernels take a leading ``n_cases`` axis;
- ``numba`` is imported only in ``oreflow.kernels._jit``.
"""
