"""The vocabulary every layer above the kernels shares: species, size classes, parameters.

``components`` lays out the stream vector (species catalogue, size classes, element
content); ``schema`` declares parameters as data (unit, default, range, source) and
validates tables against them. Unit models (``oreflow.units``) and the plant description
(``oreflow.flowsheet``) both build on these, so they sit below both.
"""
