"""The binding models and the least-squares fit of one curve.

* The variable-slope model is GraphPad Prism's "log(inhibitor) vs. response –
  variable slope"::

      Y = Bottom + (Top − Bottom) / (1 + 10^((LogIC50 − X) · HillSlope))

  on X = log10 of the molar competitor concentration, so HillSlope is
  negative for a downhill competition curve. The one-site model is the same
  with HillSlope fixed at −1 (Prism's "One site – Fit logIC50"). Every
  replicate point is fitted (Prism's default), by least squares, with Top and
  Bottom free.
* Saturation binding is Prism's "One site – Total and nonspecific binding",
  both data sets in one function (:func:`saturation_total_nsb`).
* Standard errors come from the covariance matrix scaled by the residual
  variance; 95% CIs are ``estimate ± t(0.975, n − k) · SE`` (Prism's
  "asymptotic" intervals).
* Model comparison: extra-sum-of-squares F test and AICc
  (:func:`compare_models`).

lmfit (and scipy.stats, :mod:`scripts.binding.fit_statistics`, which holds
the fit statistics) are imported on first use, so that jobs which only read
fit tables do not pay for them.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from scripts.binding.fit_statistics import (
    EXACT_FIT,
    F_TEST_ALPHA,
    at_bound,
    estimates_with_ci,
    fit_quality,
    stats,
)

VARIABLE_SLOPE = "variable_slope"
ONE_SITE = "one_site"
MODELS = (VARIABLE_SLOPE, ONE_SITE)
PARAMS = ("bottom", "top", "log_ic50", "hill_slope")
SATURATION_PARAMS = ("bmax", "kd", "ns", "background")

#: Search interval for LogIC50: the tested range widened by this many log units.
LOG_IC50_MARGIN = 3.0
#: Search interval for HillSlope.
HILL_SLOPE_LIMIT = 10.0
_LN10 = math.log(10.0)


def four_pl(x, bottom, top, log_ic50, hill_slope):
    """Prism's log(inhibitor) vs. response – variable slope, on X = log10 M.

    X may be −inf (a zero concentration): for a downhill curve the model
    then returns Top, as it should.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ic50 - x) * hill_slope))


def four_pl_gradient(x, bottom, top, log_ic50, hill_slope):
    """Partial derivatives of :func:`four_pl` with respect to
    (bottom, top, log_ic50, hill_slope), one column each.

    Used for the analytic Jacobian of the fit (fewer model evaluations than
    finite differences) and for the confidence band of the fitted line.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        distance = log_ic50 - x
        power = 10.0 ** (distance * hill_slope)
        denominator = 1.0 + power
        d_top = 1.0 / denominator
        d_bottom = 1.0 - d_top
        # d/dz of 1/(1+10^z) is −ln10·10^z/(1+10^z)²; written as a product of
        # two bounded factors so that huge 10^z (far tails) gives 0, not nan.
        slope_factor = -(top - bottom) * _LN10 * d_top * (power / denominator)
        d_log_ic50 = slope_factor * hill_slope
        d_hill = slope_factor * distance
    # At X = −inf (zero concentration) or in a saturated tail the curve does
    # not move with the parameter: the 0·inf products are 0.
    d_log_ic50 = np.where(np.isfinite(d_log_ic50), d_log_ic50, 0.0)
    d_hill = np.where(np.isfinite(d_hill), d_hill, 0.0)
    d_bottom = np.where(np.isfinite(d_bottom), d_bottom, 1.0)
    d_top = np.where(np.isfinite(d_top), d_top, 0.0)
    return np.column_stack([d_bottom, d_top, d_log_ic50, d_hill])


def saturation_total_nsb(x, is_total, bmax, kd, ns, background):
    """Prism's "One site – Total and nonspecific binding", both data sets in
    one function: ``NSB = NS·X + Background`` and
    ``Total = Bmax·X/(Kd + X) + NSB`` (is_total is 1 for total wells, 0 for
    NSB wells). X is the radioligand concentration (nM), Y is CPM."""
    return is_total * bmax * x / (kd + x) + ns * x + background


def _four_pl_residual(params, x, y):
    """lmfit objective: data − model at every replicate point."""
    values = params.valuesdict()
    return y - four_pl(x, values["bottom"], values["top"], values["log_ic50"], values["hill_slope"])


def _four_pl_residual_jacobian(params, x, y):
    """Jacobian of :func:`_four_pl_residual` for the varying parameters
    (lmfit's ``Dfun``): fewer evaluations than finite differences."""
    values = params.valuesdict()
    gradient = four_pl_gradient(x, *(values[name] for name in PARAMS))
    columns = [i for i, name in enumerate(PARAMS) if params[name].vary]
    return -gradient[:, columns]


#: Least-squares settings: MINPACK Levenberg–Marquardt (as scipy's curve_fit),
#: analytic Jacobian, and tolerances tighter than MINPACK's defaults (which
#: stop on a flat sum of squares with LogIC50/HillSlope still ~1e-6 off).
_FIT_KWS = {"Dfun": _four_pl_residual_jacobian, "xtol": 1e-10, "ftol": 1e-12}


@functools.cache
def _four_pl_params_template():
    """The 4PL Parameters, built once, on first use, so that lmfit is imported
    only by jobs that fit. fit_four_pl sets values and bounds in place; the
    Minimizer fits a copy.

    The 4PL fit uses lmfit's ``Minimizer`` on a residual rather than
    ``Model.fit``: same MINPACK algorithm, parameters, bounds and standard
    errors, but one Parameters copy per fit instead of four (each copy builds
    an asteval interpreter, ~1 ms), which halves the per-curve cost
    (benchmarks/README.md)."""
    from lmfit import Parameters

    params = Parameters()
    params.add("bottom", value=0.0)
    params.add("top", value=100.0)
    params.add("log_ic50", value=-8.0, min=-20.0, max=5.0)
    params.add("hill_slope", value=-1.0, min=-HILL_SLOPE_LIMIT, max=HILL_SLOPE_LIMIT)
    return params


@functools.cache
def saturation_model():
    """The saturation lmfit Model (a few curves per study, so the Model API),
    built once on first use: constructing it inspects the function signature."""
    from lmfit import Model

    return Model(saturation_total_nsb, independent_vars=["x", "is_total"])


def _minimize_four_pl(params, x, y):
    """One lmfit least-squares fit of the 4PL residual (the Minimizer copies
    *params*, so the shared template is not changed by the fit)."""
    from lmfit import Minimizer

    return Minimizer(_four_pl_residual, params, fcn_args=(x, y)).leastsq(**_FIT_KWS)


def initial_guess(x, y) -> dict:
    """Starting values from the data: plateaus from the means at the lowest
    and highest concentration, LogIC50 where the concentration means cross
    half-way between them, HillSlope −1 (downhill) or +1 (uphill)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    levels = np.unique(x)
    means = np.array([y[x == level].mean() for level in levels])
    left, right = means[0], means[-1]
    downhill = left >= right
    top, bottom = (left, right) if downhill else (right, left)
    middle = 0.5 * (left + right)
    finite = np.isfinite(levels)
    log_ic50 = float(np.median(levels[finite])) if finite.any() else 0.0
    finite_levels, finite_means = levels[finite], means[finite]
    for i in range(len(finite_levels) - 1):
        a, b = finite_means[i], finite_means[i + 1]
        if (a - middle) * (b - middle) <= 0 and a != b:
            fraction = (middle - a) / (b - a)
            log_ic50 = float(finite_levels[i] + fraction * (finite_levels[i + 1] - finite_levels[i]))
            break
    return {
        "bottom": float(bottom),
        "top": float(top),
        "log_ic50": log_ic50,
        "hill_slope": -1.0 if downhill else 1.0,
    }


def fit_four_pl(x, y, model: str = VARIABLE_SLOPE, guess: dict | None = None) -> dict:
    """Least-squares fit of the variable-slope (``"variable_slope"``) or
    one-site (``"one_site"``, HillSlope fixed at −1) model with lmfit.

    *x* is log10 molar concentration (−inf allowed for zero), *y* the
    response at every replicate point. LogIC50 is searched within the tested
    range ± LOG_IC50_MARGIN log units and HillSlope within ±HILL_SLOPE_LIMIT;
    Top and Bottom are free.

    Returns a dict: ``success``, ``message``, per parameter the estimate, its
    SE and 95% CI (``<name>``, ``<name>_se``, ``<name>_ci_low``,
    ``<name>_ci_high``; SE/CI NaN for a fixed parameter), ``covariance``
    (4×4, zeros for fixed), ``r_squared`` (1 − SSE/SST about the mean),
    ``sse``, ``n_points``, ``n_varying``, ``dof``, ``aicc`` (Prism's
    ``N·ln(SS/N) + 2K + 2K(K+1)/(N−K−1)``, K = varying parameters + 1),
    ``errorbars`` and ``at_bound`` (names of parameters at a search limit).
    """
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}")
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    result = empty_fit(len(y))
    start = dict(guess) if guess is not None else initial_guess(x, y)
    finite_x = x[np.isfinite(x)]
    if finite_x.size == 0:
        result["message"] = "no finite concentration"
        return result
    # The Minimizer works on a deep copy, so the shared template can be set up
    # in place (saves building a Parameters object per fit). Bounds are lifted
    # first so that the new ones never cross the previous fit's.
    params = _four_pl_params_template()
    params["log_ic50"].set(min=-np.inf, max=np.inf)
    params["bottom"].set(value=start["bottom"])
    params["top"].set(value=start["top"])
    params["log_ic50"].set(
        min=finite_x.min() - LOG_IC50_MARGIN, max=finite_x.max() + LOG_IC50_MARGIN, value=start["log_ic50"]
    )
    one_site = model == ONE_SITE
    params["hill_slope"].set(value=-1.0 if one_site else start["hill_slope"], vary=not one_site)
    n_varying = sum(p.vary for p in params.values())
    result["n_varying"] = n_varying
    if len(y) <= n_varying:
        result["message"] = f"{len(y)} points cannot determine {n_varying} parameters"
        return result
    fit, values, failure = run_fit(lambda: _minimize_four_pl(params, x, y), PARAMS)
    if failure:
        result["message"] = failure
        return result
    result.update(_fit_statistics(x, y, fit, values, params))
    return result


def empty_fit(n_points: int) -> dict:
    """The result of a fit that was not done or failed: every estimate NaN,
    in the shape :func:`fit_four_pl` returns."""
    result = {
        "success": False,
        "message": "",
        "n_points": n_points,
        "n_varying": 0,
        "dof": np.nan,
        "sse": np.nan,
        "r_squared": np.nan,
        "aicc": np.nan,
        "errorbars": False,
        "at_bound": [],
        "covariance": np.full((4, 4), np.nan),
    }
    for name in PARAMS:
        for suffix in ("", "_se", "_ci_low", "_ci_high"):
            result[f"{name}{suffix}"] = np.nan
    return result


def run_fit(minimise, names) -> tuple:
    """Call *minimise* (returning an lmfit result): (fit, {name: estimate}
    of *names*, None) when it converged to finite estimates, else
    (None, None, why not)."""
    try:
        fit = minimise()
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
        return None, None, f"fit error: {error}"
    values = {name: fit.params[name].value for name in names}
    if not fit.success or not all(np.isfinite(list(values.values()))):
        return None, None, f"fit did not converge: {fit.message}"
    return fit, values, None


def _fit_statistics(x, y, fit, values, params) -> dict:
    out = fit_quality(y, four_pl(x, **values), fit.nvarys)
    covariance = np.zeros((4, 4))
    errorbars = bool(fit.errorbars) and fit.covar is not None
    if errorbars:
        varying = [PARAMS.index(name) for name in fit.var_names]
        covariance[np.ix_(varying, varying)] = fit.covar
    else:
        covariance[:] = np.nan
    stderr = {name: fit.params[name].stderr for name in PARAMS}
    varying = [name for name in PARAMS if params[name].vary]
    estimates, finite = estimates_with_ci(
        {name: values[name] for name in PARAMS}, stderr, out["dof"], varying
    )
    out.update(estimates)
    out["errorbars"] = errorbars and finite
    out["covariance"] = covariance
    out["at_bound"] = [
        name
        for name in PARAMS
        if params[name].vary and at_bound(values[name], params[name].min, params[name].max)
    ]
    return out


def compare_models(simple: dict, complex_: dict, alpha: float = F_TEST_ALPHA) -> dict:
    """Extra-sum-of-squares F test and AICc for the one-site (*simple*)
    against the variable-slope (*complex_*) fit of the same points.

    ``F = ((SS1 − SS2)/(df1 − df2)) / (SS2/df2)``; the variable-slope model is
    preferred when p < *alpha*, as in Prism. When only one fit succeeded it is
    the preferred one. ``aicc_difference`` is AICc(one site) − AICc(variable
    slope): positive favours the variable slope.
    """
    out = {
        "f_statistic": np.nan,
        "f_test_p": np.nan,
        "preferred_model": "",
        "aicc_difference": np.nan,
        "aicc_preferred_model": "",
    }
    if not simple["success"] and not complex_["success"]:
        return out
    if not complex_["success"]:
        out.update(preferred_model=ONE_SITE, aicc_preferred_model=ONE_SITE)
        return out
    if not simple["success"]:
        out.update(preferred_model=VARIABLE_SLOPE, aicc_preferred_model=VARIABLE_SLOPE)
        return out
    df_simple, df_complex = simple["dof"], complex_["dof"]
    ss_simple, ss_complex = simple["sse"], complex_["sse"]
    if simple["r_squared"] > 1.0 - EXACT_FIT:
        # The simpler model fits to rounding error (noise-free data): the F
        # ratio would compare rounding errors, so nothing is left to explain.
        out.update(f_statistic=0.0, f_test_p=1.0)
    elif df_complex > 0 and ss_complex > 0 and df_simple > df_complex:
        f_stat = ((ss_simple - ss_complex) / (df_simple - df_complex)) / (ss_complex / df_complex)
        out["f_statistic"] = f_stat
        out["f_test_p"] = float(stats.f.sf(f_stat, df_simple - df_complex, df_complex))
    p = out["f_test_p"]
    out["preferred_model"] = VARIABLE_SLOPE if (np.isfinite(p) and p < alpha) else ONE_SITE
    difference = simple["aicc"] - complex_["aicc"]
    out["aicc_difference"] = difference
    if np.isfinite(difference):
        out["aicc_preferred_model"] = VARIABLE_SLOPE if difference > 0 else ONE_SITE
    return out
