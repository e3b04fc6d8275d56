"""Dose proportionality: power model, slope of ln(AUC or Cmax) on ln(dose),
judged by the confidence-interval criterion of Smith et al. (2000).

With r the ratio of the highest to the lowest tested dose and (θL, θH) the
acceptance limits for the ratio of dose-normalised exposures (config
``pk.dose_proportionality_theta``, default 0.8 and 1.25), the slope β is
"proportional" when its CI (config ``pk.dose_proportionality_ci_level``,
default 90%) lies inside [1 + ln θL / ln r, 1 + ln θH / ln r]; "not
proportional" when the CI lies wholly outside that interval; otherwise
"inconclusive". A CI that merely contains 1 does not count.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from scripts.pk.conventions import CI_LEVEL, DOSE_PROPORTIONALITY_COLUMNS, EXTRAVASCULAR_ROUTES

# The ``pk`` settings of the dose-proportionality table.


def power_model(doses, values, level):
    """Power model ln(y) = a + b ln(dose), ordinary least squares.

    Returns ``(b, low, high)``, the slope with its *level* t-interval
    (df = n - 2); bounds NaN when n < 3.
    """
    x = np.log(np.asarray(doses, float))
    y = np.log(np.asarray(values, float))
    fit = stats.linregress(x, y)
    if x.size < 3:
        return float(fit.slope), float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, x.size - 2) * fit.stderr
    return float(fit.slope), float(fit.slope - half), float(fit.slope + half)


def smith_interval(dose_ratio, theta) -> tuple:
    """[1 + ln θL / ln r, 1 + ln θH / ln r] (Smith et al. 2000)."""
    low, high = theta
    lr = math.log(float(dose_ratio))
    return 1 + math.log(float(low)) / lr, 1 + math.log(float(high)) / lr


def smith_conclusion(ci_low, ci_high, interval) -> str:
    """ "proportional" (CI inside *interval*), "not proportional" (CI
    wholly outside) or "inconclusive"; "CI not estimable" without a CI."""
    if not (math.isfinite(ci_low) and math.isfinite(ci_high)):
        return "CI not estimable (too few profiles)"
    if interval[0] <= ci_low and ci_high <= interval[1]:
        return "proportional"
    if ci_low > interval[1] or ci_high < interval[0]:
        return "not proportional"
    return "inconclusive"


def dose_proportionality_table(nca: pd.DataFrame, theta, ci_level) -> pd.DataFrame:
    """Power-model dose proportionality per species x analyte x
    extravascular route, for AUClast, AUCinf and Cmax, over every profile
    with a value when there are at least two distinct doses.

    ``slope_ci_low``/``slope_ci_high``: the slope's :data:`CI_LEVEL` (95%)
    interval; ``smith_ci_low``/``smith_ci_high``: its *ci_level* interval,
    judged against the Smith et al. (2000) interval ``smith_low``-
    ``smith_high`` for the tested ``dose_ratio`` and *theta*;
    ``conclusion``: proportional | not proportional | inconclusive (see
    :func:`smith_conclusion`). For AUClast a caution is added when the
    median Tlast differs between doses (low doses drop below the LLOQ
    sooner, biasing the slope upward). Destructive groups contribute their
    single mean-profile value.
    """
    rows = []
    ev = nca[nca["route"].isin(EXTRAVASCULAR_ROUTES)]
    for (species, analyte, route), group in ev.groupby(["species", "analyte", "route"], sort=True):
        for param in ("auc_last_ng_h_mL", "auc_inf_ng_h_mL", "cmax_ng_mL"):
            g = group[group[param].notna() & (group[param] > 0)]
            doses = sorted(g["dose_mg_kg"].unique())
            if len(doses) < 2:
                continue
            slope, lo, hi = power_model(g["dose_mg_kg"], g[param], CI_LEVEL)
            _, s_lo, s_hi = power_model(g["dose_mg_kg"], g[param], float(ci_level))
            ratio = float(doses[-1]) / float(doses[0])
            interval = smith_interval(ratio, theta)
            conclusion = smith_conclusion(s_lo, s_hi, interval)
            tlast_by_dose = g.groupby("dose_mg_kg")["tlast_h"].median()
            if param == "auc_last_ng_h_mL" and tlast_by_dose.nunique() > 1:
                # Lower doses fall below the LLOQ sooner, so AUClast is cut
                # shorter there and the slope is biased upward.
                conclusion += "; caution: median Tlast differs between doses (AUClast truncated unequally)"
            rows.append(
                dict(
                    species=species,
                    analyte=analyte,
                    route=route,
                    parameter=param,
                    doses_mg_kg=";".join(f"{d:g}" for d in doses),
                    n_doses=len(doses),
                    n_animals=len(g),
                    slope=slope,
                    slope_ci_low=lo,
                    slope_ci_high=hi,
                    conclusion=conclusion,
                    method=f"power model ln({param}) = a + b ln(dose), OLS over profiles, t-intervals "
                    f"(df = n - 2); Smith et al. 2000 criterion at {float(ci_level):.0%} with theta "
                    f"{float(theta[0]):g}-{float(theta[1]):g}",
                    dose_ratio=ratio,
                    smith_ci_level=float(ci_level),
                    smith_ci_low=s_lo,
                    smith_ci_high=s_hi,
                    smith_low=interval[0],
                    smith_high=interval[1],
                )
            )
    return pd.DataFrame(rows, columns=DOSE_PROPORTIONALITY_COLUMNS)
