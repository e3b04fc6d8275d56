"""Behavioural battery: group statistics against vehicle, effect sizes and
the sedation/stimulant confound check.

Pure functions: validated behaviour tables plus plain config values in,
DataFrames (or a matplotlib figure) out.

* :mod:`.analysis` — one test (rule ``behaviour_test``): :func:`analysis.analyse_test`
* :mod:`.battery` — confound check and design flags (rule ``behaviour_battery``)
* :mod:`.endpoints` — built-in and declared tests, endpoint values
* :mod:`.groups` — groups and their order
* :mod:`.decision` — the decision path that picks the tests
* :mod:`.stats`, :mod:`.effect_size` — the tests and effect sizes
* :mod:`.tables`, :mod:`.two_way` — result tables
* :mod:`.figures` — the figure of one test
"""
