"""Profile-likelihood confidence intervals of the saturation Kd and Bmax.

The asymptotic interval (estimate ± t·SE) is symmetric; the sum of squares
is not, above all in Kd. The profile interval holds one parameter fixed at
trial values, refits the others, and keeps the values whose sum of squares
passes the F criterion lmfit's ``conf_interval`` uses (Prism's "profile
likelihood" intervals use the same idea)::

    F = (SS(fixed) / SS(best) − 1) · (N − P) / 1,   probability F(1, N − P) ≤ 0.95

i.e. ``SS(fixed) ≤ SS(best) · (1 + F_0.95(1, N − P) / (N − P))``.
"""

from __future__ import annotations

import warnings

import numpy as np

#: The CI level of the profile intervals.
PROFILE_LEVEL = 0.95


def profile_intervals(fit_result, names=("kd", "bmax")) -> dict:
    """{name: (low, high)} 95% profile-likelihood limits of *names* from an
    lmfit fit result (lmfit ``conf_interval``, F criterion); NaN for a limit
    lmfit cannot find (e.g. the sum of squares never rises far enough
    before a bound, or does not change at all: noise-free data; lmfit warns
    and the search stops, so any warning leaves the limits NaN)."""
    from lmfit import conf_interval

    out = {name: (np.nan, np.nan) for name in names}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            intervals = conf_interval(fit_result, fit_result, p_names=list(names), sigmas=[PROFILE_LEVEL])
    except (ValueError, ArithmeticError, np.linalg.LinAlgError, AttributeError, RuntimeError):
        return out
    if caught:
        return out
    for name in names:
        limits = [value for probability, value in intervals.get(name, []) if probability > 0]
        if len(limits) == 2 and all(np.isfinite(limits)):
            out[name] = (float(min(limits)), float(max(limits)))
    return out


def ss_threshold(ss_best: float, n_points: int, n_varying: int, level: float = PROFILE_LEVEL) -> float:
    """The largest sum of squares inside the profile interval (one fixed parameter)."""
    from scipy import stats

    dof = n_points - n_varying
    return ss_best * (1.0 + float(stats.f.ppf(level, 1, dof)) / dof)
