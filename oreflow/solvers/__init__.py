"""How oreflow answers: simulate, optimize, reconcile, study (Pyomo lives only here)."""
