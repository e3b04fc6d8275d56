"""Quality flags of a fitted curve. Failed or flagged curves are kept, with
the reasons in ``flags`` (';'-joined); nothing is dropped silently."""

from __future__ import annotations

import numpy as np

from scripts.binding.models import PARAMS, four_pl

#: Plateau rule: the lowest (highest) tested concentration must lie where the
#: fitted curve has covered at most this fraction of its span away from the
#: left (right) plateau, otherwise that plateau is "not defined by the data".
PLATEAU_FRACTION = 0.2

FLAG_INSUFFICIENT = "insufficient data"
FLAG_FAILED = "failed fit"
FLAG_NO_WINDOW = "no specific binding window (mean total <= mean NSB)"
FLAG_IC50_OUTSIDE = "IC50 outside tested range"
FLAG_NO_ERRORBARS = "no error bars"
FLAG_KD_UNAVAILABLE = "Kd unavailable"
FLAG_HILL_NOT_UNITY = "hill_not_unity"


def hill_not_unity(variable_fit: dict, unity_range) -> bool:
    """``hill_not_unity``: the variable-slope Hill slope's 95% CI excludes −1
    and |nH| lies outside *unity_range* (config ``hill_unity_range``), so
    Cheng–Prusoff's one-site assumption is in doubt."""
    if not variable_fit["success"]:
        return False
    low, high = variable_fit["hill_slope_ci_low"], variable_fit["hill_slope_ci_high"]
    excludes = np.isfinite(low) and np.isfinite(high) and not low <= -1.0 <= high
    outside = not unity_range[0] <= abs(variable_fit["hill_slope"]) <= unity_range[1]
    return bool(excludes and outside)


def plateau_flags(fit: dict, x_min: float, x_max: float) -> list[str]:
    """Plateaus the tested concentrations do not reach.

    The plateau approached at low concentration (Top for a downhill curve)
    is "defined" when the fitted curve at the lowest tested concentration is
    within PLATEAU_FRACTION (20%) of the Top–Bottom span of it; likewise the
    plateau at high concentration and the highest concentration."""
    hill, top, bottom = fit["hill_slope"], fit["top"], fit["bottom"]
    span = abs(top - bottom)
    if not (np.isfinite(span) and span > 0 and hill != 0):
        return []
    values = {name: fit[name] for name in PARAMS}
    left_name, right_name = ("top", "bottom") if hill < 0 else ("bottom", "top")
    flags = []
    if abs(four_pl(x_min, **values) - values[left_name]) > PLATEAU_FRACTION * span:
        flags.append(f"{left_name} plateau not defined")
    if abs(four_pl(x_max, **values) - values[right_name]) > PLATEAU_FRACTION * span:
        flags.append(f"{right_name} plateau not defined")
    return sorted(flags, key=lambda f: 0 if f.startswith("top") else 1)


def curve_flags(
    ki_fit: dict,
    variable_fit: dict,
    x_min: float,
    x_max: float,
    *,
    max_cv_pct: float,
    nsb_pct: float,
    r_squared_min: float,
    hill_slope_range,
    replicate_cv_max_pct: float,
    nsb_max_pct_of_total: float,
) -> list[str]:
    """The quality flags of one fitted competition curve.

    Fit-based flags are judged on the Ki model's fit (*ki_fit*), except the
    Hill slope check, which needs the variable-slope fit. Data-based flags
    (replicate CV, NSB) apply whatever the fit.
    """
    flags = []
    if not ki_fit["success"]:
        flags.append(FLAG_FAILED)
    else:
        log_ic50 = ki_fit["log_ic50"]
        if log_ic50 < x_min or log_ic50 > x_max:
            flags.append(FLAG_IC50_OUTSIDE)
        flags += plateau_flags(ki_fit, x_min, x_max)
        if np.isfinite(ki_fit["r_squared"]) and ki_fit["r_squared"] < r_squared_min:
            flags.append(f"R² below {r_squared_min:g}")
        if not ki_fit["errorbars"]:
            flags.append(FLAG_NO_ERRORBARS)
        if ki_fit["at_bound"]:
            flags.append(f"parameter at bound ({', '.join(ki_fit['at_bound'])})")
    low, high = hill_slope_range
    if variable_fit["success"] and not low <= abs(variable_fit["hill_slope"]) <= high:
        flags.append(f"|Hill slope| outside {low:g}-{high:g}")
    flags += data_flags(max_cv_pct, nsb_pct, replicate_cv_max_pct, nsb_max_pct_of_total)
    return flags


def data_flags(max_cv_pct, nsb_pct, replicate_cv_max_pct, nsb_max_pct_of_total) -> list[str]:
    flags = []
    if np.isfinite(max_cv_pct) and max_cv_pct > replicate_cv_max_pct:
        flags.append(f"replicate CV above {replicate_cv_max_pct:g}%")
    if np.isfinite(nsb_pct) and nsb_pct > nsb_max_pct_of_total:
        flags.append(f"NSB above {nsb_max_pct_of_total:g}% of total")
    return flags
