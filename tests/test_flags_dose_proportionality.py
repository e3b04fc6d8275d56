"""Dose proportionality by the Smith et al. (2000) criterion, checked by
hand: the slope's 90% CI against [1 + ln θL / ln r, 1 + ln θH / ln r]."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scripts import pk, settings

PK = settings.section("pk")
THETA, LEVEL = PK["dose_proportionality_theta"], PK["dose_proportionality_ci_level"]


def nca(doses_values):
    rows = []
    for dose, values in doses_values:
        for i, v in enumerate(values):
            rows.append(
                {"animal_id": f"A{dose:g}_{i}", "species": "rat", "analyte": "drug", "route": "po",
                 "dose_mg_kg": float(dose), "auc_last_ng_h_mL": v, "auc_inf_ng_h_mL": v, "cmax_ng_mL": v / 10,
                 "tlast_h": 24.0}
            )  # fmt: skip
    return pd.DataFrame(rows)


def hand_ci(doses_values):
    """90% t-interval of the OLS slope of ln(y) on ln(dose), by hand."""
    x = np.log([d for d, vs in doses_values for _ in vs])
    y = np.log([v for _, vs in doses_values for v in vs])
    sxx = ((x - x.mean()) ** 2).sum()
    b = ((x - x.mean()) * (y - y.mean())).sum() / sxx
    resid = y - (y.mean() + b * (x - x.mean()))
    se = math.sqrt((resid**2).sum() / (x.size - 2) / sxx)
    t = stats.t.ppf(0.5 + LEVEL / 2, x.size - 2)
    return b - t * se, b + t * se


def test_config_defaults_are_the_published_criterion():
    assert list(THETA) == [0.8, 1.25] and LEVEL == 0.9


@pytest.mark.parametrize(
    "data, expected",
    [
        # exactly proportional with little noise over a 10-fold range: CI inside [0.903, 1.097]
        ([(2, [100, 102, 98, 101]), (20, [1000, 1010, 990, 1005])], "proportional"),
        # slope about 0.6: CI wholly below the interval
        ([(2, [100, 102, 98, 101]), (20, [400, 404, 396, 402])], "not proportional"),
        # slope 1 but noisy: CI contains 1 yet reaches outside the interval -> inconclusive
        ([(2, [60, 160, 90, 130]), (20, [700, 1500, 850, 1200])], "inconclusive"),
    ],
)
def test_smith_criterion_by_hand(data, expected):
    table = pk.dose_proportionality_table(nca(data), THETA, LEVEL).set_index("parameter")
    row = table.loc["auc_inf_ng_h_mL"]
    low, high = 1 + math.log(0.8) / math.log(10), 1 + math.log(1.25) / math.log(10)
    assert (row["smith_low"], row["smith_high"]) == pytest.approx((low, high))
    assert (row["smith_ci_low"], row["smith_ci_high"]) == pytest.approx(hand_ci(data))
    assert row["dose_ratio"] == 10 and row["conclusion"] == expected
    if expected == "inconclusive":
        assert row["slope_ci_low"] < 1 < row["slope_ci_high"]  # the old "contains 1" would have passed it
