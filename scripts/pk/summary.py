"""Group summaries of the NCA per species x analyte x route x dose.

PKNCA's summary conventions: geometric mean and geometric CV% for exposure
and clearance-type parameters, median and range for Tmax, arithmetic mean
and SD for t½ and %extrapolated.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from scripts.pk.conventions import GROUP_KEYS, MEAN_PROFILE_ID, SUMMARY_COLUMNS, group_row_keys

# parameter -> (unit, statistic), by the conventions above.
SUMMARY_PARAMETERS = {
    "cmax_ng_mL": ("ng/mL", "geometric_mean"),
    "tmax_h": ("h", "median"),
    "auc_last_ng_h_mL": ("ng*h/mL", "geometric_mean"),
    "auc_inf_ng_h_mL": ("ng*h/mL", "geometric_mean"),
    "auc_pct_extrap": ("%", "arithmetic_mean"),
    "t_half_h": ("h", "arithmetic_mean"),
    "cl_L_h_kg": ("L/h/kg (CL/F if extravascular)", "geometric_mean"),
    "vz_L_kg": ("L/kg (Vz/F if extravascular)", "geometric_mean"),
    "mrt_h": ("h", "geometric_mean"),
}


def _finite_positive(values) -> np.ndarray:
    x = np.asarray(values, float)
    return x[np.isfinite(x) & (x > 0)]


def geometric_mean(values) -> float:
    """exp(mean(ln x)) (:func:`scipy.stats.gmean`) over the finite x > 0
    only: zeros, negative, NaN and infinite values are left out, and the
    result is NaN when no value is left (never 0)."""
    x = _finite_positive(values)
    return float(stats.gmean(x)) if x.size else float("nan")


def geometric_cv_pct(values) -> float:
    """Geometric CV% = 100 * sqrt(exp(s^2) - 1), s = SD (ddof=1) of ln x;
    NaN with fewer than two positive values."""
    x = _finite_positive(values)
    if x.size < 2:
        return float("nan")
    return float(100.0 * math.sqrt(math.expm1(np.var(np.log(x), ddof=1))))


def _summarise(values, statistic):
    x = np.asarray(values, float)
    x = x[np.isfinite(x)]
    lo, hi = (float(x.min()), float(x.max())) if x.size else (float("nan"), float("nan"))
    if statistic == "geometric_mean":
        return geometric_mean(x), "geometric_cv_pct", geometric_cv_pct(x), lo, hi
    if statistic == "median":
        return (float(np.median(x)) if x.size else float("nan")), "range", float("nan"), lo, hi
    sd = float(np.std(x, ddof=1)) if x.size > 1 else float("nan")
    return (float(np.mean(x)) if x.size else float("nan")), "sd", sd, lo, hi


def summary_table(nca: pd.DataFrame, sparse: pd.DataFrame | None = None) -> pd.DataFrame:
    """Group summaries per species x analyte x route x dose.

    For each parameter of :data:`SUMMARY_PARAMETERS`: n (profiles with a
    value), n_profiles, value (geometric mean, median or arithmetic mean),
    spread (geometric CV %, SD, or NaN for Tmax whose spread is the range),
    minimum and maximum. Profiles without a quantifiable sample have no
    values and so count in n_profiles only: not detected is never zero
    exposure. Destructive groups (one mean-profile row) report the mean
    profile's estimates, and AUClast carries Bailer's SE from *sparse*
    (spread_statistic ``bailer_se``).
    """
    rows = []
    sparse = sparse if sparse is not None else pd.DataFrame(columns=GROUP_KEYS + ["auc_last_se"])
    for gkeys, group in nca.groupby(GROUP_KEYS, sort=True):
        keys = group_row_keys(gkeys)
        destructive = bool((group["animal_id"] == MEAN_PROFILE_ID).all())
        for param, (unit, statistic) in SUMMARY_PARAMETERS.items():
            values = pd.to_numeric(group[param], errors="coerce")
            n = int(values.notna().sum())
            stat = statistic
            value, spread_stat, spread, lo, hi = _summarise(values, statistic)
            if destructive:
                stat, spread_stat, spread = "mean_profile_estimate", "", float("nan")
                match = sparse[(sparse[GROUP_KEYS] == pd.Series(keys)).all(axis=1)] if len(sparse) else sparse
                if param == "auc_last_ng_h_mL" and len(match):
                    spread_stat, spread = "bailer_se", float(match["auc_last_se"].iloc[0])
            rows.append(
                dict(
                    keys,
                    design="destructive" if destructive else "serial",
                    parameter=param,
                    unit=unit,
                    statistic=stat,
                    n=n,
                    n_profiles=len(group),
                    value=value,
                    spread_statistic=spread_stat,
                    spread=spread,
                    minimum=lo,
                    maximum=hi,
                )
            )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
