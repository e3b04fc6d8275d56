"""Least-squares fit statistics shared by the binding fits (competition,
two-site and saturation): goodness of fit, AICc, t-based 95% CIs from the
standard errors (Prism's "asymptotic" intervals) and search-limit checks.

scipy.stats is imported on first use (:data:`stats`), so that jobs which
only read fit tables do not pay for it.
"""

from __future__ import annotations

import functools
import importlib
import math

import numpy as np

#: Significance level of the extra-sum-of-squares F test (Prism's default).
F_TEST_ALPHA = 0.05
#: A fit with 1 − R² below this is exact (noise-free data).
EXACT_FIT = 1e-12


class _LazyModule:
    """A module imported on first attribute access. scipy.stats and lmfit
    cost about 2 s to import; the study-level aggregate job only reads fit
    tables and draws, so it should not pay for them (benchmarks/README.md)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute):
        return getattr(importlib.import_module(self._name), attribute)


stats = _LazyModule("scipy.stats")


@functools.cache
def t_quantile_975(dof: int) -> float:
    """Two-sided 95% t quantile (cached: scipy's ppf costs ~0.1 ms a call)."""
    return float(stats.t.ppf(0.975, dof))


def fit_quality(y, predicted, n_varying: int) -> dict:
    """Statistics of a converged least-squares fit of *y* by *predicted*:
    ``dof``, ``sse``, ``r_squared`` (NaN when y is constant) and ``aicc``,
    with ``success`` True and ``message`` "converged"."""
    n = len(y)
    sse = float(np.sum((y - predicted) ** 2))
    sst = float(np.sum((y - y.mean()) ** 2))
    return {
        "success": True,
        "message": "converged",
        "dof": n - n_varying,
        "sse": sse,
        "r_squared": 1.0 - sse / sst if sst > 0 else np.nan,
        "aicc": aicc(sse, n, n_varying),
    }


def estimates_with_ci(values: dict, stderr: dict, dof: int, with_se) -> tuple[dict, bool]:
    """Every estimate of *values*, and for the parameters *with_se* its SE
    and t-based 95% CI (``<name>_se``, ``<name>_ci_low``, ``<name>_ci_high``).
    Returns them and whether every such SE is finite (a parameter without
    one gets no SE or CI)."""
    t_crit = t_quantile_975(dof)
    out, errorbars = {}, True
    for name, estimate in values.items():
        out[name] = estimate
        if name not in with_se:
            continue
        se = stderr[name]
        if se is None or not np.isfinite(se):
            errorbars = False
            continue
        out[f"{name}_se"] = se
        out[f"{name}_ci_low"] = estimate - t_crit * se
        out[f"{name}_ci_high"] = estimate + t_crit * se
    return out, errorbars


def at_bound(value, lower, upper, tolerance=1e-6) -> bool:
    """Whether *value* lies on a search limit (within *tolerance* of the
    interval's width, or absolutely for a half-open interval)."""
    span = upper - lower if np.isfinite(upper - lower) else 1.0
    return bool(
        (np.isfinite(lower) and value - lower <= tolerance * span)
        or (np.isfinite(upper) and upper - value <= tolerance * span)
    )


def aicc(sse: float, n_points: int, n_varying: int) -> float:
    """Corrected Akaike criterion as GraphPad Prism computes it for least
    squares: ``N·ln(SS/N) + 2K + 2K(K+1)/(N−K−1)`` with K = n_varying + 1
    (the extra 1 is the residual variance). NaN when N ≤ K + 1."""
    k = n_varying + 1
    if n_points <= k + 1 or not sse > 0:
        return np.nan
    return n_points * math.log(sse / n_points) + 2 * k + 2 * k * (k + 1) / (n_points - k - 1)
