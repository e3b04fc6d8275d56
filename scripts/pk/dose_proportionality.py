"""Dose proportionality: power model, slope of ln(AUC or Cmax) on ln(dose)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from scripts.pk.conventions import CI_LEVEL, DOSE_PROPORTIONALITY_COLUMNS, EXTRAVASCULAR_ROUTES


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


def dose_proportionality_table(nca: pd.DataFrame) -> pd.DataFrame:
    """Power-model dose proportionality per species x analyte x
    extravascular route, for AUClast, AUCinf and Cmax, over every profile
    with a value when there are at least two distinct doses. The slope's CI
    containing 1 reads "consistent with dose proportionality", otherwise
    "more than proportional" (CI above 1) or "less than proportional".
    For AUClast a caution is added when the median Tlast differs between
    doses (low doses drop below the LLOQ sooner, biasing the slope upward).
    Destructive groups contribute their single mean-profile value. The
    slope's interval is at the :data:`CI_LEVEL` (95%).
    """
    level = CI_LEVEL
    rows = []
    ev = nca[nca["route"].isin(EXTRAVASCULAR_ROUTES)]
    for (species, analyte, route), group in ev.groupby(["species", "analyte", "route"], sort=True):
        for param in ("auc_last_ng_h_mL", "auc_inf_ng_h_mL", "cmax_ng_mL"):
            g = group[group[param].notna() & (group[param] > 0)]
            doses = sorted(g["dose_mg_kg"].unique())
            if len(doses) < 2:
                continue
            slope, lo, hi = power_model(g["dose_mg_kg"], g[param], level)
            if math.isnan(lo):
                conclusion = "CI not estimable (too few profiles)"
            elif lo <= 1 <= hi:
                conclusion = "consistent with dose proportionality"
            else:
                conclusion = "more than proportional" if lo > 1 else "less than proportional"
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
                    method=f"power model ln({param}) = a + b ln(dose), OLS over profiles, "
                    f"{level:.0%} t-interval (df = n - 2)",
                )
            )
    return pd.DataFrame(rows, columns=DOSE_PROPORTIONALITY_COLUMNS)
