"""Group statistics of one behavioural test against vehicle (rule
``behaviour_test``).

Takes one validated behaviour table (``validated/behaviour/<test>.csv``, from
:func:`scripts.validation.validate_behaviour`) and the ``behaviour`` config
section; returns DataFrames. The rules live with the code that applies them:
endpoints in :mod:`.endpoints`, groups and their order in :mod:`.groups`,
exclusions and small groups in :mod:`.tables`, the decision path in
:mod:`.decision`, the tests in :mod:`.stats`, effect sizes in
:mod:`.effect_size`, the two-way ANOVA in :mod:`.two_way`.
"""

from __future__ import annotations

import pandas as pd

from scripts.behaviour.endpoints import compute_endpoints
from scripts.behaviour.groups import REGIMENS, group_order
from scripts.behaviour.tables import (
    COMPARISON_COLUMNS,
    DECISION_COLUMNS,
    OMNIBUS_COLUMNS,
    SUMMARY_COLUMNS,
    analyse_cell,
    exclusion_table,
)
from scripts.behaviour.two_way import two_way_anova


def analyse_test(table: pd.DataFrame, test: str, settings: dict, extra_tests: dict, treatments=None) -> dict:
    """Full analysis of one validated behaviour table.

    *settings* is the ``behaviour`` config section (``vehicle_label``,
    ``fst_window_min`` for the FST, ``min_group_n``, ``normality_alpha``,
    ``variance_alpha``, ``method``, ``seed``); *extra_tests* the declared
    tests of study.yaml; *treatments* the treatments shown first after
    vehicle.

    Returns a dict of DataFrames: ``long`` (per-animal endpoint values,
    :data:`.endpoints.LONG_COLUMNS`), ``summary``, ``omnibus``,
    ``comparisons``, ``decisions``, ``exclusions`` (the column lists in
    :mod:`.tables`) and ``two_way`` (:data:`.two_way.TWO_WAY_COLUMNS`).
    """
    long = compute_endpoints(
        table,
        test,
        vehicle_label=settings["vehicle_label"],
        fst_window_min=settings["fst_window_min"],
        extra_tests=extra_tests,
    )
    summary, omnibus, comparisons, decisions = [], [], [], []
    for endpoint in long["endpoint"].unique():
        for regimen in REGIMENS:
            cell = long[(long["endpoint"] == endpoint) & (long["regimen"] == regimen)]
            if cell.empty:
                continue
            s, o, c, d = analyse_cell(cell, group_order(cell, treatments), settings)
            summary += s
            omnibus.append(o)
            comparisons += c
            decisions.append(d)
    return {
        "long": long,
        "summary": pd.DataFrame(summary, columns=SUMMARY_COLUMNS),
        "omnibus": pd.DataFrame(omnibus, columns=OMNIBUS_COLUMNS),
        "comparisons": pd.DataFrame(comparisons, columns=COMPARISON_COLUMNS),
        "decisions": pd.DataFrame(decisions, columns=DECISION_COLUMNS),
        "exclusions": exclusion_table(long, treatments),
        "two_way": two_way_anova(long, int(settings["min_group_n"]), treatments),
    }
