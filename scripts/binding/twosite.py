"""Two-site competition (GraphPad Prism's "Two sites – Fit logIC50")::

    Y = Bottom + (Top − Bottom) · [ F / (1 + 10^(X − LogIC50_high))
                                  + (1 − F) / (1 + 10^(X − LogIC50_low)) ]

on X = log10 molar competitor concentration, Y = % specific binding. F is the
fraction of the specifically bound radioligand displaced from the
high-affinity site (LogIC50_high < LogIC50_low). F equals the fraction of
*sites* only when the radioligand binds both sites with the same Kd; the
tables say "fraction of specific binding", not "fraction of receptors".

Fitted with lmfit (MINPACK Levenberg–Marquardt, analytic Jacobian), F kept
within [0, 1], from a few starting points around the one-site LogIC50 (the
best sum of squares wins; the search stops once two starts reach the same
minimum), and compared with the one-site fit (Hill −1) by
the extra-sum-of-squares F test (2 extra parameters). A preferred two-site
fit is *ambiguous* (flag ``two_site_ambiguous``, not reported as two sites)
when the fraction's 95% CI reaches 0 or 1 (one site not excluded), the two
LogIC50s lie less than ``two_site_min_separation_log`` apart, or the
low-affinity site has not reached its plateau at the highest tested
concentration (more than PLATEAU_FRACTION of its binding left).
"""

from __future__ import annotations

import math

import numpy as np

from scripts.binding.fit_statistics import EXACT_FIT, F_TEST_ALPHA, estimates_with_ci, fit_quality, stats
from scripts.binding.models import LOG_IC50_MARGIN

TWO_SITE = "two_site"
TWO_SITE_PARAMS = ("bottom", "top", "fraction", "log_ic50_high", "log_ic50_low")
FLAG_TWO_SITE_AMBIGUOUS = "two_site_ambiguous"

#: Status of the two-site comparison in the fit and Ki tables.
STATUS_TWO_SITES = "two sites"
STATUS_AMBIGUOUS = "ambiguous"
STATUS_ONE_SITE = "one site"
STATUS_NOT_FITTED = "not fitted"

#: Starting points (LogIC50_high, LogIC50_low offsets from the one-site
#: LogIC50, fraction); the best least-squares solution is kept.
_STARTS = ((-1.0, 1.0, 0.5), (-0.5, 1.5, 0.3), (-1.5, 0.5, 0.7), (-2.0, 2.0, 0.5))
_LN10 = math.log(10.0)
#: Evaluations allowed per start. A well-defined two-site fit converges in
#: about 20-70; a degenerate one (one-site data: a site drifting to a search
#: limit with a vanishing fraction) crawls for over a thousand towards the
#: same sum of squares, so the best point reached is kept.
MAX_EVALUATIONS = 200
#: Two starts whose sums of squares agree to this relative tolerance found
#: the same minimum; the search stops there.
AGREE = 1e-9


def _sites(x, log_ic50_high, log_ic50_low):
    with np.errstate(over="ignore"):
        high = 1.0 / (1.0 + 10.0 ** (np.asarray(x, dtype=float) - log_ic50_high))
        low = 1.0 / (1.0 + 10.0 ** (np.asarray(x, dtype=float) - log_ic50_low))
    return high, low


def two_site(x, bottom, top, fraction, log_ic50_high, log_ic50_low):
    """The two-site competition model (module docstring)."""
    high, low = _sites(x, log_ic50_high, log_ic50_low)
    return bottom + (top - bottom) * (fraction * high + (1.0 - fraction) * low)


def two_site_gradient(x, bottom, top, fraction, log_ic50_high, log_ic50_low):
    """Partial derivatives of :func:`two_site` in TWO_SITE_PARAMS order."""
    high, low = _sites(x, log_ic50_high, log_ic50_low)
    span = top - bottom
    mixed = fraction * high + (1.0 - fraction) * low
    return np.column_stack(
        [
            1.0 - mixed,
            mixed,
            span * (high - low),
            span * fraction * _LN10 * high * (1.0 - high),
            span * (1.0 - fraction) * _LN10 * low * (1.0 - low),
        ]
    )


def _residual(params, x, y):
    return y - two_site(x, *(params[name].value for name in TWO_SITE_PARAMS))


def _jacobian(params, x, y):
    gradient = two_site_gradient(x, *(params[name].value for name in TWO_SITE_PARAMS))
    columns = [i for i, name in enumerate(TWO_SITE_PARAMS) if params[name].vary]
    return -gradient[:, columns]


def empty_two_site(n_points: int) -> dict:
    out = {"success": False, "message": "", "n_points": n_points, "sse": np.nan, "dof": np.nan}
    out.update({"r_squared": np.nan, "aicc": np.nan, "errorbars": False})
    for name in TWO_SITE_PARAMS:
        for suffix in ("", "_se", "_ci_low", "_ci_high"):
            out[f"{name}{suffix}"] = np.nan
    return out


def fit_two_site(x, y, one_site_log_ic50: float, top: float = 100.0, bottom: float = 0.0) -> dict:
    """Least-squares two-site fit of *y* (% specific binding) on *x* (log10 M).

    Starts from the one-site LogIC50 (and its plateaus). Returns estimates,
    SE and t-based 95% CI per parameter (``<name>``, ``<name>_se``,
    ``<name>_ci_low``, ``<name>_ci_high``), ``sse``, ``dof``, ``r_squared``,
    ``aicc``, ``success``, ``message`` and ``errorbars``; the sites are
    ordered so that LogIC50_high < LogIC50_low.
    """
    from lmfit import Minimizer, Parameters

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    out = empty_two_site(len(y))
    finite = x[np.isfinite(x)]
    if len(y) <= len(TWO_SITE_PARAMS) or finite.size == 0 or not np.isfinite(one_site_log_ic50):
        out["message"] = "too few points or no one-site LogIC50 to start from"
        return out
    low_bound, high_bound = finite.min() - LOG_IC50_MARGIN, finite.max() + LOG_IC50_MARGIN
    best, agreed = None, 0
    for offset_high, offset_low, fraction in _STARTS:
        params = Parameters()
        params.add("bottom", value=bottom)
        params.add("top", value=top)
        params.add("fraction", value=fraction, min=0.0, max=1.0)
        for name, offset in (("log_ic50_high", offset_high), ("log_ic50_low", offset_low)):
            start = float(np.clip(one_site_log_ic50 + offset, low_bound + 0.01, high_bound - 0.01))
            params.add(name, value=start, min=low_bound, max=high_bound)
        try:
            fit = Minimizer(_residual, params, fcn_args=(x, y)).leastsq(
                Dfun=_jacobian, xtol=1e-10, ftol=1e-12, max_nfev=MAX_EVALUATIONS
            )
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            continue
        if not np.all(np.isfinite([fit.params[name].value for name in TWO_SITE_PARAMS])):
            continue
        if best is not None and abs(fit.chisqr - best.chisqr) <= AGREE * best.chisqr:
            agreed += 1
        elif best is None or fit.chisqr < best.chisqr:
            best, agreed = fit, 1
        if agreed == 2:
            break  # two starts reached the same minimum
    if best is None:
        out["message"] = "two-site fit did not converge"
        return out
    out.update(_statistics(x, y, best))
    if not best.success:
        out["message"] = f"stopped after {best.nfev} evaluations (degenerate two-site fit)"
        out["errorbars"] = False
    return out


def _statistics(x, y, fit) -> dict:
    values = {name: fit.params[name].value for name in TWO_SITE_PARAMS}
    stderr = {name: fit.params[name].stderr for name in TWO_SITE_PARAMS}
    if values["log_ic50_high"] > values["log_ic50_low"]:  # order the sites
        values["log_ic50_high"], values["log_ic50_low"] = values["log_ic50_low"], values["log_ic50_high"]
        stderr["log_ic50_high"], stderr["log_ic50_low"] = stderr["log_ic50_low"], stderr["log_ic50_high"]
        values["fraction"] = 1.0 - values["fraction"]
    out = fit_quality(y, two_site(x, **values), fit.nvarys)
    estimates, finite = estimates_with_ci(values, stderr, out["dof"], TWO_SITE_PARAMS)
    out.update(estimates)
    out["errorbars"] = bool(fit.errorbars) and finite
    return out


def two_site_f_test(one_site_fit: dict, two_site_fit: dict) -> tuple[float, float]:
    """Extra-sum-of-squares F test of the two-site against the one-site fit
    of the same points: (F, p); NaN when either fit failed."""
    if not (one_site_fit["success"] and two_site_fit["success"]):
        return np.nan, np.nan
    df1, df2 = one_site_fit["dof"], two_site_fit["dof"]
    ss1, ss2 = one_site_fit["sse"], two_site_fit["sse"]
    if not (df2 > 0 and ss2 > 0 and df1 > df2):
        return np.nan, np.nan
    if one_site_fit["r_squared"] > 1.0 - EXACT_FIT:
        return 0.0, 1.0  # one site fits to rounding error: nothing left to explain
    f_stat = max(0.0, (ss1 - ss2) / (df1 - df2)) / (ss2 / df2)
    return float(f_stat), float(stats.f.sf(f_stat, df1 - df2, df2))


def ambiguity_reasons(
    fit: dict, x_max: float, min_separation_log: float, plateau_fraction: float
) -> list[str]:
    """Why a two-site fit cannot be reported as two sites (empty: it can)."""
    reasons = []
    if not fit["errorbars"]:
        reasons.append("no error bars")
    elif fit["fraction_ci_low"] <= 0.0 or fit["fraction_ci_high"] >= 1.0:
        reasons.append("fraction CI reaches 0 or 1")
    separation = fit["log_ic50_low"] - fit["log_ic50_high"]
    if separation < min_separation_log:
        reasons.append(f"sites {separation:.2g} log apart (< {min_separation_log:g})")
    left = 1.0 / (1.0 + 10.0 ** (x_max - fit["log_ic50_low"]))
    if left > plateau_fraction:
        reasons.append("low-affinity plateau outside the tested range")
    return reasons


def compare_two_site(
    one_site_fit: dict,
    two_site_fit: dict,
    x_max: float,
    *,
    min_separation_log: float,
    plateau_fraction: float,
    alpha: float = F_TEST_ALPHA,
) -> dict:
    """The two-site verdict: ``f_statistic``, ``f_test_p``, ``status``
    (STATUS_TWO_SITES, STATUS_AMBIGUOUS, STATUS_ONE_SITE or
    STATUS_NOT_FITTED) and ``reason``."""
    f_stat, p = two_site_f_test(one_site_fit, two_site_fit)
    out = {"f_statistic": f_stat, "f_test_p": p}
    if not np.isfinite(p):
        return out | {"status": STATUS_NOT_FITTED, "reason": two_site_fit["message"] or "not compared"}
    if p >= alpha:
        return out | {"status": STATUS_ONE_SITE, "reason": f"F test p {p:.2g} >= {alpha:g}"}
    reasons = ambiguity_reasons(two_site_fit, x_max, min_separation_log, plateau_fraction)
    if reasons:
        return out | {"status": STATUS_AMBIGUOUS, "reason": f"F test p {p:.2g}; " + "; ".join(reasons)}
    return out | {"status": STATUS_TWO_SITES, "reason": f"F test p {p:.2g} < {alpha:g}"}
