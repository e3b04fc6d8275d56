"""Radioligand binding: specific binding, competition-curve fits, Cheng–Prusoff
Ki, saturation Kd/Bmax, species comparison and selectivity (issue 3).

Every function is pure: it takes validated tables (see docs/HELPER_BRIEF.md)
and plain settings, and returns DataFrames. Figures are written with
:func:`scripts.plotting.save_figure`.

Conventions
-----------
* Competition curve = one assay file × receptor × species × compound.
* X is log10 of the molar competitor concentration; Y is percent specific
  binding, ``100 · (CPM − mean NSB) / (mean total − mean NSB)`` with the means
  taken over that receptor × species in that file.
* The variable-slope model is GraphPad Prism's "log(inhibitor) vs. response –
  variable slope"::

      Y = Bottom + (Top − Bottom) / (1 + 10^((LogIC50 − X) · HillSlope))

  so HillSlope is negative for a downhill competition curve. The one-site
  model is the same with HillSlope fixed at −1 (Prism's "One site – Fit
  logIC50"). Every replicate point is fitted (Prism's default), by
  least squares, with Top and Bottom free.
* Standard errors come from the covariance matrix scaled by the residual
  variance; 95% CIs are ``estimate ± t(0.975, n − k) · SE`` (Prism's
  "asymptotic" intervals).
* Failed or flagged curves are kept, with the reason in ``flags``
  (';'-joined); nothing is dropped silently.
"""

from __future__ import annotations

import functools
import importlib
import math

import numpy as np
import pandas as pd

from scripts.tables import InputError


class _LazyModule:
    """A module imported on first attribute access. scipy.stats and lmfit
    cost about 2 s to import; the study-level aggregate job only reads fit
    tables and draws, so it should not pay for them (benchmarks/README.md)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute):
        return getattr(importlib.import_module(self._name), attribute)


stats = _LazyModule("scipy.stats")

# --------------------------------------------------------------------------
# Settings, names, output columns
# --------------------------------------------------------------------------

#: Defaults of the ``binding:`` section of config/config.yaml.
DEFAULTS = {
    "ki_model": "variable_slope",
    "r_squared_min": 0.8,
    "hill_slope_range": (0.5, 2.0),
    "replicate_cv_max_pct": 20.0,
    "nsb_max_pct_of_total": 50.0,
    "min_concentrations": 5,
    "primary_target": "alpha2A",
    "species_ratio_flag": 3.0,
}

#: Which settings each step uses (so a rule passes, and reruns on, only its own).
FIT_SETTINGS = ("ki_model", "r_squared_min", "hill_slope_range", "replicate_cv_max_pct",
                "nsb_max_pct_of_total", "min_concentrations")
SATURATION_SETTINGS = ("r_squared_min", "min_concentrations")
STUDY_SETTINGS = ("primary_target", "species_ratio_flag")

VARIABLE_SLOPE = "variable_slope"
ONE_SITE = "one_site"
MODELS = (VARIABLE_SLOPE, ONE_SITE)
WELL_TYPES = ("total", "nsb", "competitor")
SATURATION_WELL_TYPES = ("total", "nsb")
PARAMS = ("bottom", "top", "log_ic50", "hill_slope")
SATURATION_PARAMS = ("bmax", "kd", "ns", "background")

#: Plateau rule: the lowest (highest) tested concentration must lie where the
#: fitted curve has covered at most this fraction of its span away from the
#: left (right) plateau, otherwise that plateau is "not defined by the data".
PLATEAU_FRACTION = 0.2
#: Search interval for LogIC50: the tested range widened by this many log units.
LOG_IC50_MARGIN = 3.0
#: Search interval for HillSlope.
HILL_SLOPE_LIMIT = 10.0
#: Significance level of the extra-sum-of-squares F test (Prism's default).
F_TEST_ALPHA = 0.05

FLAG_INSUFFICIENT = "insufficient data"
FLAG_FAILED = "failed fit"
FLAG_NO_WINDOW = "no specific binding window (mean total <= mean NSB)"
FLAG_IC50_OUTSIDE = "IC50 outside tested range"
FLAG_NO_ERRORBARS = "no error bars"
FLAG_KD_UNAVAILABLE = "Kd unavailable"

KI_COLUMNS = [
    "assay", "receptor", "species", "compound", "radioligand", "radioligand_nM",
    "kd_nM", "kd_source", "model", "log_ic50", "log_ic50_se", "log_ic50_ci_low",
    "log_ic50_ci_high", "ic50_nM", "hill_slope", "top", "bottom", "ki_nM",
    "ki_ci_low_nM", "ki_ci_high_nM", "pki", "r_squared", "n_points", "f_test_p",
    "preferred_model", "flags",
]

SATURATION_COLUMNS = [
    "receptor", "species", "radioligand", "kd_nM", "kd_ci_low_nM", "kd_ci_high_nM",
    "bmax", "bmax_ci_low", "bmax_ci_high",
]

_MODEL_RESULT_FIELDS = (
    [f"{p}{s}" for p in PARAMS for s in ("", "_se", "_ci_low", "_ci_high")]
    + ["r_squared", "sse", "dof", "aicc", "success", "message"]
    + [f"cov_{a}_{b}" for i, a in enumerate(PARAMS) for b in PARAMS[i:]]
)

#: Columns of the per-assay-file fit table (``binding/fits/<assay>.csv``).
#: ``<model>_cov_<a>_<b>`` hold the parameter covariance the figure's
#: confidence band needs.
FIT_COLUMNS = (
    [
        "assay", "receptor", "species", "compound", "radioligand", "radioligand_nM",
        "radioligand_kd_nM", "source_file", "source_row", "status", "n_points",
        "n_concentrations", "conc_min_M", "conc_max_M", "mean_total_cpm",
        "mean_nsb_cpm", "nsb_pct_of_total", "max_replicate_cv_pct", "ki_model",
    ]
    + [f"{m}_{f}" for m in MODELS for f in _MODEL_RESULT_FIELDS]
    + ["f_statistic", "f_test_p", "preferred_model", "aicc_difference",
       "aicc_preferred_model", "flags"]
)

#: Columns of the per-saturation-file fit table (``binding/saturation_fits/<assay>.csv``).
SATURATION_FIT_COLUMNS = [
    "assay", "receptor", "species", "radioligand", "source_file", "source_row",
    "status", "n_points", "n_concentrations", "conc_min_nM", "conc_max_nM",
    "kd_nM", "kd_se_nM", "kd_ci_low_nM", "kd_ci_high_nM",
    "bmax", "bmax_se", "bmax_ci_low", "bmax_ci_high",
    "ns", "ns_se", "background", "background_se", "r_squared", "dof", "flags",
]

CURVE_KEYS = ["receptor", "species", "compound"]
CONTROL_KEYS = ["receptor", "species"]


def settings(config_section: dict | None = None, keys=None) -> dict:
    """The ``binding:`` config section with unset keys filled from DEFAULTS,
    restricted to *keys* when given (e.g. FIT_SETTINGS)."""
    merged = dict(DEFAULTS)
    merged.update({k: v for k, v in (config_section or {}).items() if v is not None})
    if merged["ki_model"] not in MODELS:
        raise ValueError(f"binding.ki_model must be one of {MODELS}, not {merged['ki_model']!r}")
    merged["hill_slope_range"] = tuple(merged["hill_slope_range"])
    return merged if keys is None else {key: merged[key] for key in keys}


# --------------------------------------------------------------------------
# Models and the fitting core
# --------------------------------------------------------------------------

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


@functools.lru_cache(maxsize=None)
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


@functools.lru_cache(maxsize=None)
def _saturation_model():
    """The saturation lmfit Model (a few curves per study, so the Model API),
    built once on first use: constructing it inspects the function signature."""
    from lmfit import Model

    return Model(saturation_total_nsb, independent_vars=["x", "is_total"])


def _minimize_four_pl(params, x, y):
    """One lmfit least-squares fit of the 4PL residual (the Minimizer copies
    *params*, so the shared template is not changed by the fit)."""
    from lmfit import Minimizer

    return Minimizer(_four_pl_residual, params, fcn_args=(x, y)).leastsq(**_FIT_KWS)


@functools.lru_cache(maxsize=None)
def t_quantile_975(dof: int) -> float:
    """Two-sided 95% t quantile (cached: scipy's ppf costs ~0.1 ms a call)."""
    return float(stats.t.ppf(0.975, dof))


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
    return {"bottom": float(bottom), "top": float(top), "log_ic50": log_ic50,
            "hill_slope": -1.0 if downhill else 1.0}


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
    result = _empty_fit(len(y))
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
    params["log_ic50"].set(min=finite_x.min() - LOG_IC50_MARGIN, max=finite_x.max() + LOG_IC50_MARGIN,
                           value=start["log_ic50"])
    one_site = model == ONE_SITE
    params["hill_slope"].set(value=-1.0 if one_site else start["hill_slope"], vary=not one_site)
    n_varying = sum(p.vary for p in params.values())
    result["n_varying"] = n_varying
    if len(y) <= n_varying:
        result["message"] = f"{len(y)} points cannot determine {n_varying} parameters"
        return result
    try:
        fit = _minimize_four_pl(params, x, y)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
        result["message"] = f"fit error: {error}"
        return result
    values = {name: fit.params[name].value for name in PARAMS}
    if not fit.success or not all(np.isfinite(list(values.values()))):
        result["message"] = f"fit did not converge: {fit.message}"
        return result
    result.update(_fit_statistics(x, y, fit, values, params))
    return result


def _empty_fit(n_points: int) -> dict:
    result = {"success": False, "message": "", "n_points": n_points, "n_varying": 0,
              "dof": np.nan, "sse": np.nan, "r_squared": np.nan, "aicc": np.nan,
              "errorbars": False, "at_bound": [], "covariance": np.full((4, 4), np.nan)}
    for name in PARAMS:
        for suffix in ("", "_se", "_ci_low", "_ci_high"):
            result[f"{name}{suffix}"] = np.nan
    return result


def _fit_statistics(x, y, fit, values, params) -> dict:
    n = len(y)
    n_varying = fit.nvarys
    dof = n - n_varying
    residuals = y - four_pl(x, **values)
    sse = float(np.sum(residuals ** 2))
    sst = float(np.sum((y - y.mean()) ** 2))
    t_crit = t_quantile_975(dof)
    out = {"success": True, "message": "converged", "dof": dof, "sse": sse,
           "r_squared": 1.0 - sse / sst if sst > 0 else np.nan,
           "aicc": aicc(sse, n, n_varying)}
    covariance = np.zeros((4, 4))
    errorbars = bool(fit.errorbars) and fit.covar is not None
    if errorbars:
        varying = [PARAMS.index(name) for name in fit.var_names]
        covariance[np.ix_(varying, varying)] = fit.covar
    else:
        covariance[:] = np.nan
    for name in PARAMS:
        estimate = values[name]
        out[name] = estimate
        if not params[name].vary:
            continue
        stderr = fit.params[name].stderr
        if stderr is None or not np.isfinite(stderr):
            errorbars = False
            continue
        out[f"{name}_se"] = stderr
        out[f"{name}_ci_low"] = estimate - t_crit * stderr
        out[f"{name}_ci_high"] = estimate + t_crit * stderr
    out["errorbars"] = errorbars
    out["covariance"] = covariance
    out["at_bound"] = [name for name in PARAMS if params[name].vary
                       and _at_bound(values[name], params[name].min, params[name].max)]
    return out


def _at_bound(value, lower, upper, tolerance=1e-6) -> bool:
    span = upper - lower if np.isfinite(upper - lower) else 1.0
    return bool((np.isfinite(lower) and value - lower <= tolerance * span)
                or (np.isfinite(upper) and upper - value <= tolerance * span))


def aicc(sse: float, n_points: int, n_varying: int) -> float:
    """Corrected Akaike criterion as GraphPad Prism computes it for least
    squares: ``N·ln(SS/N) + 2K + 2K(K+1)/(N−K−1)`` with K = n_varying + 1
    (the extra 1 is the residual variance). NaN when N ≤ K + 1."""
    k = n_varying + 1
    if n_points <= k + 1 or not sse > 0:
        return np.nan
    return n_points * math.log(sse / n_points) + 2 * k + 2 * k * (k + 1) / (n_points - k - 1)


def compare_models(simple: dict, complex_: dict, alpha: float = F_TEST_ALPHA) -> dict:
    """Extra-sum-of-squares F test and AICc for the one-site (*simple*)
    against the variable-slope (*complex_*) fit of the same points.

    ``F = ((SS1 − SS2)/(df1 − df2)) / (SS2/df2)``; the variable-slope model is
    preferred when p < *alpha*, as in Prism. When only one fit succeeded it is
    the preferred one. ``aicc_difference`` is AICc(one site) − AICc(variable
    slope): positive favours the variable slope.
    """
    out = {"f_statistic": np.nan, "f_test_p": np.nan, "preferred_model": "",
           "aicc_difference": np.nan, "aicc_preferred_model": ""}
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
    if df_complex > 0 and ss_complex > 0 and df_simple > df_complex:
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


# --------------------------------------------------------------------------
# Input checks (the "Bad input" list)
# --------------------------------------------------------------------------

_BINDING_REQUIRED = ["receptor", "species", "radioligand", "radioligand_nM", "well_type",
                     "compound", "concentration_M", "cpm"]
_SATURATION_REQUIRED = ["receptor", "species", "radioligand", "radioligand_nM", "well_type", "cpm"]


def _file_of(df: pd.DataFrame, default: str) -> str:
    if "source_file" in df.columns and len(df) and pd.notna(df["source_file"].iloc[0]):
        return str(df["source_file"].iloc[0])
    if "assay" in df.columns and len(df):
        return str(df["assay"].iloc[0])
    return default


def _with_provenance(df: pd.DataFrame, default_file: str) -> pd.DataFrame:
    """Copy of *df* with ``source_file``/``source_row`` filled in (tables
    built by hand in tests may lack them: row = spreadsheet row of the
    DataFrame position, header being row 1)."""
    df = df.reset_index(drop=True).copy()
    if "source_file" not in df.columns:
        df["source_file"] = _file_of(df, default_file)
    if "source_row" not in df.columns:
        df["source_row"] = np.arange(len(df)) + 2
    df["source_file"] = df["source_file"].fillna(default_file).astype(str)
    return df


def _text(series: pd.Series) -> pd.Series:
    """Strings stripped; missing values become ''."""
    return series.map(lambda v: "" if pd.isna(v) else str(v).strip())


def _numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def _raise_at(df: pd.DataFrame, mask, message: str, column: str | None) -> None:
    """Raise InputError for the first row of *df* where *mask* is True."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    row = df.loc[np.flatnonzero(mask)[0]]
    receptor = row.get("receptor")
    context = {"receptor": receptor} if pd.notna(receptor) and str(receptor).strip() else {}
    raise InputError(row["source_file"], message, row=int(row["source_row"]), column=column, **context)


def _check_columns(df: pd.DataFrame, required, file: str) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(file, f"missing column(s) {', '.join(missing)}")


def _check_cpm(df: pd.DataFrame) -> None:
    cpm = _numeric(df["cpm"])
    _raise_at(df, cpm.isna() & df["cpm"].notna(), "CPM is not a number", "cpm")
    _raise_at(df, cpm.isna(), "CPM is missing", "cpm")
    _raise_at(df, ~np.isfinite(cpm), "CPM is not finite", "cpm")
    _raise_at(df, cpm < 0, "CPM is negative", "cpm")


def _check_controls(df: pd.DataFrame, wells: pd.Series) -> None:
    """Every receptor × species needs total and NSB wells."""
    for (receptor, species), group in df.groupby(CONTROL_KEYS, sort=False):
        present = set(wells[group.index])
        for needed, label in (("total", "total-binding"), ("nsb", "NSB")):
            if needed not in present:
                first = group.iloc[0]
                raise InputError(first["source_file"],
                                 f"no {label} wells for this receptor ({species})",
                                 row=int(first["source_row"]), column="well_type", receptor=receptor)


def _check_single_value(df: pd.DataFrame, column: str, numeric: bool) -> None:
    """One value of *column* per receptor × species (Cheng–Prusoff needs one
    radioligand, one [L] and one Kd); blanks are ignored."""
    values = _numeric(df[column]) if numeric else _text(df[column])
    for (receptor, species), group in df.groupby(CONTROL_KEYS, sort=False):
        present = values[group.index]
        present = present.dropna() if numeric else present[present != ""]
        distinct = pd.unique(present)
        if len(distinct) > 1:
            second = present.index[present != distinct[0]][0]
            raise InputError(df.at[second, "source_file"],
                             f"{column} differs within this receptor ({species}): "
                             f"{distinct[0]!s} and {distinct[1]!s}; give one value",
                             row=int(df.at[second, "source_row"]), column=column, receptor=receptor)


def check_binding_table(df: pd.DataFrame, file: str = "binding table") -> pd.DataFrame:
    """Check a competition-binding table and return a normalised copy.

    Raises :class:`InputError` naming file, receptor and row for: an unknown
    ``well_type``; missing, non-numeric or negative CPM; a competitor well
    without compound or with a concentration that is missing, non-numeric or
    ≤ 0; a radioligand concentration that is missing or ≤ 0, or a Kd ≤ 0; a
    receptor × species without total or without NSB wells; more than one
    radioligand, radioligand concentration or Kd within one receptor ×
    species. The copy has ``well_type`` lower-cased, text stripped and the
    numeric columns as floats.
    """
    _check_columns(df, _BINDING_REQUIRED, _file_of(df, file))
    df = _with_provenance(df, file)
    for column in ("receptor", "species", "radioligand", "compound"):
        df[column] = _text(df[column])
    df["species"] = df["species"].str.lower()
    wells = _text(df["well_type"]).str.lower()
    _raise_at(df, df["receptor"] == "", "receptor is missing", "receptor")
    _raise_at(df, ~wells.isin(WELL_TYPES),
              f"unknown well_type (expected one of {', '.join(WELL_TYPES)})", "well_type")
    df["well_type"] = wells
    _check_cpm(df)
    competitor = (wells == "competitor").to_numpy()
    conc = _numeric(df["concentration_M"])
    _raise_at(df, competitor & (df["compound"] == ""), "competitor well without compound", "compound")
    _raise_at(df, competitor & conc.isna() & df["concentration_M"].notna(),
              "competitor concentration is not a number", "concentration_M")
    _raise_at(df, competitor & conc.isna(), "competitor concentration is missing", "concentration_M")
    _raise_at(df, competitor & ~(conc > 0), "competitor concentration must be > 0", "concentration_M")
    _raise_at(df, competitor & ~np.isfinite(conc), "competitor concentration is not finite",
              "concentration_M")
    ligand = _numeric(df["radioligand_nM"])
    _raise_at(df, ~(ligand > 0), "radioligand_nM is missing, non-numeric or <= 0", "radioligand_nM")
    if "radioligand_kd_nM" not in df.columns:
        df["radioligand_kd_nM"] = np.nan
    kd = _numeric(df["radioligand_kd_nM"])
    _raise_at(df, kd.isna() & df["radioligand_kd_nM"].notna() & (_text(df["radioligand_kd_nM"]) != ""),
              "radioligand_kd_nM is not a number", "radioligand_kd_nM")
    _raise_at(df, kd.notna() & ~(kd > 0), "radioligand_kd_nM must be > 0", "radioligand_kd_nM")
    df["cpm"] = _numeric(df["cpm"]).astype(float)
    df["concentration_M"] = conc.astype(float)
    df["radioligand_nM"] = ligand.astype(float)
    df["radioligand_kd_nM"] = kd.astype(float)
    _check_controls(df, wells)
    for column, numeric in (("radioligand", False), ("radioligand_nM", True), ("radioligand_kd_nM", True)):
        _check_single_value(df, column, numeric)
    return df


def check_saturation_table(df: pd.DataFrame, file: str = "saturation table") -> pd.DataFrame:
    """Check a saturation-binding table and return a normalised copy.

    Raises :class:`InputError` naming file, receptor and row for: an unknown
    ``well_type`` (total|nsb); missing, non-numeric or negative CPM; a
    radioligand concentration missing, non-numeric or ≤ 0; a receptor ×
    species without total or without NSB wells.
    """
    _check_columns(df, _SATURATION_REQUIRED, _file_of(df, file))
    df = _with_provenance(df, file)
    for column in ("receptor", "species", "radioligand"):
        df[column] = _text(df[column])
    df["species"] = df["species"].str.lower()
    wells = _text(df["well_type"]).str.lower()
    _raise_at(df, df["receptor"] == "", "receptor is missing", "receptor")
    _raise_at(df, ~wells.isin(SATURATION_WELL_TYPES),
              f"unknown well_type (expected one of {', '.join(SATURATION_WELL_TYPES)})", "well_type")
    df["well_type"] = wells
    _check_cpm(df)
    ligand = _numeric(df["radioligand_nM"])
    _raise_at(df, ligand.isna() & df["radioligand_nM"].notna(), "radioligand_nM is not a number",
              "radioligand_nM")
    _raise_at(df, ~(ligand > 0), "radioligand_nM is missing or <= 0", "radioligand_nM")
    _raise_at(df, ~np.isfinite(ligand), "radioligand_nM is not finite", "radioligand_nM")
    df["cpm"] = _numeric(df["cpm"]).astype(float)
    df["radioligand_nM"] = ligand.astype(float)
    _check_controls(df, wells)
    return df


# --------------------------------------------------------------------------
# Specific binding
# --------------------------------------------------------------------------

def binding_controls(df: pd.DataFrame) -> pd.DataFrame:
    """Per receptor × species of one checked assay table: the number and mean
    CPM of total and NSB wells, the specific window (mean total − mean NSB)
    and NSB as % of total."""
    rows = []
    for (receptor, species), group in df.groupby(CONTROL_KEYS, sort=False):
        total = group.loc[group["well_type"] == "total", "cpm"]
        nsb = group.loc[group["well_type"] == "nsb", "cpm"]
        mean_total, mean_nsb = float(total.mean()), float(nsb.mean())
        rows.append({
            "receptor": receptor, "species": species,
            "n_total": len(total), "n_nsb": len(nsb),
            "mean_total_cpm": mean_total, "mean_nsb_cpm": mean_nsb,
            "specific_window_cpm": mean_total - mean_nsb,
            "nsb_pct_of_total": 100.0 * mean_nsb / mean_total if mean_total > 0 else np.nan,
        })
    return pd.DataFrame(rows)


def specific_binding(df: pd.DataFrame, file: str = "binding table") -> pd.DataFrame:
    """Competitor points of one assay table with specific binding.

    ``specific_cpm = CPM − mean(NSB CPM)`` and
    ``pct_specific = 100 · specific_cpm / (mean(total) − mean(NSB))``, means
    over the receptor × species in this table. ``log_conc`` is log10 M.
    ``pct_specific`` is NaN when mean total ≤ mean NSB (no window).
    """
    return _specific_binding(check_binding_table(df, file))


def _specific_binding(df: pd.DataFrame) -> pd.DataFrame:
    controls = binding_controls(df).set_index(CONTROL_KEYS)
    points = df.loc[df["well_type"] == "competitor"].copy()
    keyed = controls.reindex(pd.MultiIndex.from_frame(points[CONTROL_KEYS]))
    mean_nsb = keyed["mean_nsb_cpm"].to_numpy()
    window = keyed["specific_window_cpm"].to_numpy()
    points["specific_cpm"] = points["cpm"].to_numpy() - mean_nsb
    with np.errstate(divide="ignore", invalid="ignore"):
        points["pct_specific"] = np.where(window > 0, 100.0 * points["specific_cpm"] / window, np.nan)
    points["log_conc"] = np.log10(points["concentration_M"].to_numpy())
    return points.reset_index(drop=True)


# --------------------------------------------------------------------------
# Competition curves of one assay file
# --------------------------------------------------------------------------

def replicate_cv_pct(concentration, cpm) -> float:
    """Largest coefficient of variation (%, sample SD / mean) of the raw CPM
    replicates at any concentration with ≥ 2 replicates; NaN if none.
    Raw counts are used because % specific binding is near 0 at the bottom
    of a curve, where its CV is meaningless."""
    frame = pd.DataFrame({"c": np.asarray(concentration, float), "y": np.asarray(cpm, float)})
    grouped = frame.groupby("c")["y"]
    sd, mean, count = grouped.std(ddof=1), grouped.mean(), grouped.count()
    usable = (count >= 2) & (mean > 0)
    if not usable.any():
        return np.nan
    return float((100.0 * sd[usable] / mean[usable]).max())


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


def curve_flags(ki_fit: dict, variable_fit: dict, x_min: float, x_max: float, *,
                max_cv_pct: float, nsb_pct: float, r_squared_min: float,
                hill_slope_range, replicate_cv_max_pct: float,
                nsb_max_pct_of_total: float) -> list[str]:
    """The issue's quality flags for one fitted curve.

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


def _model_fields(model: str, fit: dict) -> dict:
    out = {f"{model}_{name}{suffix}": fit[f"{name}{suffix}"]
           for name in PARAMS for suffix in ("", "_se", "_ci_low", "_ci_high")}
    for field in ("r_squared", "sse", "dof", "aicc", "success", "message"):
        out[f"{model}_{field}"] = fit[field]
    covariance = fit["covariance"]
    for i, a in enumerate(PARAMS):
        for j in range(i, len(PARAMS)):
            out[f"{model}_cov_{a}_{PARAMS[j]}"] = covariance[i, j]
    return out


def covariance_from_row(row, model: str) -> np.ndarray:
    """The 4×4 parameter covariance stored in a fit-table row."""
    covariance = np.empty((4, 4))
    for i, a in enumerate(PARAMS):
        for j in range(i, len(PARAMS)):
            covariance[i, j] = covariance[j, i] = row[f"{model}_cov_{a}_{PARAMS[j]}"]
    return covariance


def fit_assay(df: pd.DataFrame, file: str = "binding table", *,
              ki_model: str = DEFAULTS["ki_model"],
              r_squared_min: float = DEFAULTS["r_squared_min"],
              hill_slope_range=DEFAULTS["hill_slope_range"],
              replicate_cv_max_pct: float = DEFAULTS["replicate_cv_max_pct"],
              nsb_max_pct_of_total: float = DEFAULTS["nsb_max_pct_of_total"],
              min_concentrations: int = DEFAULTS["min_concentrations"]) -> pd.DataFrame:
    """Fit every competition curve (receptor × species × compound) of one
    validated assay table; one row per curve with the FIT_COLUMNS.

    Both models are fitted to every replicate point of % specific binding;
    the Ki model (*ki_model*) supplies the flags. ``status`` is "fitted",
    "failed" (the Ki model's fit failed), "insufficient data" (fewer than
    *min_concentrations* distinct concentrations: not fitted) or "not fitted"
    (no specific window). No curve is dropped. Defaults are those of the
    ``binding:`` config section.
    """
    settings({"ki_model": ki_model})
    checked = check_binding_table(df, file)
    points = _specific_binding(checked)
    controls = binding_controls(checked).set_index(CONTROL_KEYS)
    assay = str(checked["assay"].iloc[0]) if "assay" in checked.columns and len(checked) else file
    rows = []
    for (receptor, species, compound), curve in points.groupby(CURVE_KEYS, sort=False):
        group = checked[(checked["receptor"] == receptor) & (checked["species"] == species)]
        control = controls.loc[(receptor, species)]
        kd_values = group["radioligand_kd_nM"].dropna()
        row = {
            "assay": assay, "receptor": receptor, "species": species, "compound": compound,
            "radioligand": next((r for r in group["radioligand"] if r), ""),
            "radioligand_nM": float(group["radioligand_nM"].iloc[0]),
            "radioligand_kd_nM": float(kd_values.iloc[0]) if len(kd_values) else np.nan,
            "source_file": str(curve["source_file"].iloc[0]),
            "source_row": int(curve["source_row"].min()),
            "n_points": len(curve),
            "n_concentrations": curve["concentration_M"].nunique(),
            "conc_min_M": float(curve["concentration_M"].min()),
            "conc_max_M": float(curve["concentration_M"].max()),
            "mean_total_cpm": control["mean_total_cpm"],
            "mean_nsb_cpm": control["mean_nsb_cpm"],
            "nsb_pct_of_total": control["nsb_pct_of_total"],
            "max_replicate_cv_pct": replicate_cv_pct(curve["concentration_M"], curve["cpm"]),
            "ki_model": ki_model,
        }
        row.update(_fit_curve(curve, control, row, ki_model, r_squared_min, hill_slope_range,
                              replicate_cv_max_pct, nsb_max_pct_of_total, min_concentrations))
        rows.append(row)
    return pd.DataFrame(rows, columns=FIT_COLUMNS)


def _fit_curve(curve, control, row, ki_model, r_squared_min, hill_slope_range,
               replicate_cv_max_pct, nsb_max_pct_of_total, min_concentrations) -> dict:
    n_points = row["n_points"]
    fits = {model: _empty_fit(n_points) for model in MODELS}
    flags = []
    if not control["specific_window_cpm"] > 0:
        status = "not fitted"
        flags.append(FLAG_NO_WINDOW)
    elif row["n_concentrations"] < min_concentrations:
        status = "insufficient data"
        flags.append(f"{FLAG_INSUFFICIENT} ({row['n_concentrations']} concentrations < {min_concentrations})")
    else:
        x = curve["log_conc"].to_numpy()
        y = curve["pct_specific"].to_numpy()
        guess = initial_guess(x, y)
        fits = {model: fit_four_pl(x, y, model, guess) for model in MODELS}
        status = "fitted" if fits[ki_model]["success"] else "failed"
        flags += curve_flags(
            fits[ki_model], fits[VARIABLE_SLOPE],
            math.log10(row["conc_min_M"]), math.log10(row["conc_max_M"]),
            max_cv_pct=row["max_replicate_cv_pct"], nsb_pct=row["nsb_pct_of_total"],
            r_squared_min=r_squared_min, hill_slope_range=hill_slope_range,
            replicate_cv_max_pct=replicate_cv_max_pct, nsb_max_pct_of_total=nsb_max_pct_of_total)
    if status != "fitted" and status != "failed":
        flags += data_flags(row["max_replicate_cv_pct"], row["nsb_pct_of_total"],
                            replicate_cv_max_pct, nsb_max_pct_of_total)
    out = {"status": status}
    for model in MODELS:
        out.update(_model_fields(model, fits[model]))
    out.update(compare_models(fits[ONE_SITE], fits[VARIABLE_SLOPE]))
    out["flags"] = ";".join(flags)
    return out


# --------------------------------------------------------------------------
# Saturation binding: global fit of total and NSB
# --------------------------------------------------------------------------

def saturation_total_nsb(x, is_total, bmax, kd, ns, background):
    """Prism's "One site – Total and nonspecific binding", both data sets in
    one function: ``NSB = NS·X + Background`` and
    ``Total = Bmax·X/(Kd + X) + NSB`` (is_total is 1 for total wells, 0 for
    NSB wells). X is the radioligand concentration (nM), Y is CPM."""
    return is_total * bmax * x / (kd + x) + ns * x + background


def saturation_guess(x, is_total, y) -> dict:
    """Starting values: NS and Background from a straight line through the
    NSB wells, Bmax from the largest mean specific binding, Kd the
    concentration where the mean specific binding first reaches half of it."""
    x, is_total, y = (np.asarray(a, dtype=float) for a in (x, is_total, y))
    nsb = is_total == 0
    if np.unique(x[nsb]).size >= 2:
        ns, background = np.polyfit(x[nsb], y[nsb], 1)
    else:
        ns, background = 0.0, float(y[nsb].mean())
    specific = y[~nsb] - (ns * x[~nsb] + background)
    levels = np.unique(x[~nsb])
    means = np.array([specific[x[~nsb] == level].mean() for level in levels])
    bmax = float(means.max()) if means.max() > 0 else float(np.abs(y[~nsb]).max())
    reached = np.flatnonzero(means >= 0.5 * bmax)
    kd = float(levels[reached[0]]) if reached.size else float(np.median(levels))
    return {"bmax": bmax, "kd": kd, "ns": float(ns), "background": float(background)}


def fit_saturation_curve(x, is_total, y) -> dict:
    """Global least-squares fit of :func:`saturation_total_nsb` with lmfit.

    Kd is kept > 0; Bmax, NS and Background are free. Returns estimates,
    SE and t-based 95% CI (``<name>``, ``<name>_se``, ``<name>_ci_low``,
    ``<name>_ci_high`` for bmax, kd, ns, background), ``r_squared``,
    ``dof``, ``success``, ``message``, ``errorbars``, ``at_bound``.
    """
    x, is_total, y = (np.asarray(a, dtype=float) for a in (x, is_total, y))
    out = {"success": False, "message": "", "r_squared": np.nan, "dof": np.nan,
           "errorbars": False, "at_bound": []}
    for name in SATURATION_PARAMS:
        for suffix in ("", "_se", "_ci_low", "_ci_high"):
            out[f"{name}{suffix}"] = np.nan
    if len(y) <= 4:
        out["message"] = f"{len(y)} points cannot determine 4 parameters"
        return out
    start = saturation_guess(x, is_total, y)
    model = _saturation_model()
    params = model.make_params(
        bmax=dict(value=start["bmax"]), kd=dict(value=start["kd"], min=0.0),
        ns=dict(value=start["ns"]), background=dict(value=start["background"]))
    try:
        fit = model.fit(y, params, x=x, is_total=is_total, fit_kws={"xtol": 1e-10, "ftol": 1e-12})
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
        out["message"] = f"fit error: {error}"
        return out
    values = {name: fit.params[name].value for name in SATURATION_PARAMS}
    if not fit.success or not all(np.isfinite(list(values.values()))):
        out["message"] = f"fit did not converge: {fit.message}"
        return out
    dof = len(y) - fit.nvarys
    t_crit = t_quantile_975(dof)
    sse = float(np.sum((y - saturation_total_nsb(x, is_total, **values)) ** 2))
    sst = float(np.sum((y - y.mean()) ** 2))
    out.update(success=True, message="converged", dof=dof,
               r_squared=1.0 - sse / sst if sst > 0 else np.nan,
               errorbars=bool(fit.errorbars))
    for name in SATURATION_PARAMS:
        out[name] = values[name]
        stderr = fit.params[name].stderr
        if stderr is None or not np.isfinite(stderr):
            out["errorbars"] = False
            continue
        out[f"{name}_se"] = stderr
        out[f"{name}_ci_low"] = values[name] - t_crit * stderr
        out[f"{name}_ci_high"] = values[name] + t_crit * stderr
    out["at_bound"] = [name for name in SATURATION_PARAMS
                       if _at_bound(values[name], params[name].min, params[name].max, 1e-9)]
    return out


def fit_saturation_assay(df: pd.DataFrame, file: str = "saturation table", *,
                         r_squared_min: float = DEFAULTS["r_squared_min"],
                         min_concentrations: int = DEFAULTS["min_concentrations"]) -> pd.DataFrame:
    """Fit each receptor × species × radioligand of one validated saturation
    table; one row per fit with the SATURATION_FIT_COLUMNS (Kd in nM, Bmax,
    NS and Background in CPM units).

    Flags: insufficient data (fewer than *min_concentrations* distinct
    concentrations: not fitted), failed fit, Kd outside the tested
    concentration range, R² below *r_squared_min*, no error bars, parameter
    at bound.
    """
    checked = check_saturation_table(df, file)
    assay = str(checked["assay"].iloc[0]) if "assay" in checked.columns and len(checked) else file
    rows = []
    for (receptor, species, radioligand), group in checked.groupby(
            ["receptor", "species", "radioligand"], sort=False):
        x = group["radioligand_nM"].to_numpy()
        is_total = (group["well_type"] == "total").to_numpy(dtype=float)
        n_concentrations = int(np.unique(x).size)
        row = {"assay": assay, "receptor": receptor, "species": species,
               "radioligand": radioligand, "source_file": str(group["source_file"].iloc[0]),
               "source_row": int(group["source_row"].min()), "n_points": len(group),
               "n_concentrations": n_concentrations, "conc_min_nM": float(x.min()),
               "conc_max_nM": float(x.max())}
        flags = []
        if n_concentrations < min_concentrations:
            fit = fit_saturation_curve([], [], [])
            status = "insufficient data"
            flags.append(f"{FLAG_INSUFFICIENT} ({n_concentrations} concentrations < {min_concentrations})")
        else:
            fit = fit_saturation_curve(x, is_total, group["cpm"].to_numpy())
            status = "fitted" if fit["success"] else "failed"
            if not fit["success"]:
                flags.append(FLAG_FAILED)
            else:
                if not x.min() <= fit["kd"] <= x.max():
                    flags.append("Kd outside tested range")
                if fit["r_squared"] < r_squared_min:
                    flags.append(f"R² below {r_squared_min:g}")
                if not fit["errorbars"]:
                    flags.append(FLAG_NO_ERRORBARS)
                if fit["at_bound"]:
                    flags.append(f"parameter at bound ({', '.join(fit['at_bound'])})")
        row.update({
            "status": status, "kd_nM": fit["kd"], "kd_se_nM": fit["kd_se"],
            "kd_ci_low_nM": fit["kd_ci_low"], "kd_ci_high_nM": fit["kd_ci_high"],
            "bmax": fit["bmax"], "bmax_se": fit["bmax_se"], "bmax_ci_low": fit["bmax_ci_low"],
            "bmax_ci_high": fit["bmax_ci_high"], "ns": fit["ns"], "ns_se": fit["ns_se"],
            "background": fit["background"], "background_se": fit["background_se"],
            "r_squared": fit["r_squared"], "dof": fit["dof"], "flags": ";".join(flags),
        })
        rows.append(row)
    return pd.DataFrame(rows, columns=SATURATION_FIT_COLUMNS)


def saturation_table(saturation_fits: pd.DataFrame) -> pd.DataFrame:
    """``saturation.csv``: the SATURATION_COLUMNS of every saturation fit
    (failed fits included, with NaN estimates)."""
    if saturation_fits is None or saturation_fits.empty:
        return pd.DataFrame(columns=SATURATION_COLUMNS)
    return saturation_fits.loc[:, SATURATION_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------
# Study level: Ki, species comparison, selectivity
# --------------------------------------------------------------------------

def cheng_prusoff_ki(ic50, radioligand_conc, kd):
    """Ki = IC50 / (1 + [L]/Kd) (Cheng & Prusoff 1973). [L] and Kd in the
    same unit; Ki in the unit of IC50. Works element-wise on arrays."""
    return np.asarray(ic50, dtype=float) / (1.0 + np.asarray(radioligand_conc, dtype=float)
                                             / np.asarray(kd, dtype=float))


def _key(*parts) -> tuple:
    return tuple(str(p).strip().casefold() for p in parts)


def _saturation_kd_lookup(saturation_fits: pd.DataFrame | None) -> dict:
    """(receptor, species, radioligand) → saturation fit row. Two saturation
    runs for the same key are an InputError: which Kd to use is ambiguous."""
    lookup = {}
    if saturation_fits is None or saturation_fits.empty:
        return lookup
    for _, row in saturation_fits.iterrows():
        key = _key(row["receptor"], row["species"], row["radioligand"])
        if key in lookup:
            first = lookup[key]
            raise InputError(row["source_file"],
                             f"a second saturation run for {row['radioligand']} "
                             f"({row['species']}); {first['source_file']} gives one already. "
                             "Keep one, so that the Kd used for Ki is unambiguous",
                             row=int(row["source_row"]), receptor=row["receptor"])
        lookup[key] = row
    return lookup


def _kd_for_curve(curve, lookup) -> tuple[float, str, list[str]]:
    """Kd (nM), its source and any flag for one curve of the fit table."""
    file_kd = curve["radioligand_kd_nM"]
    saturation = lookup.get(_key(curve["receptor"], curve["species"], curve["radioligand"]))
    if saturation is not None and np.isfinite(saturation["kd_nM"]) and saturation["kd_nM"] > 0:
        return float(saturation["kd_nM"]), "saturation", []
    if saturation is None and not np.isfinite(file_kd):
        raise InputError(curve["source_file"],
                         "radioligand_kd_nM is missing and no saturation run supplies Kd for "
                         f"{curve['radioligand']} ({curve['species']})",
                         row=int(curve["source_row"]), column="radioligand_kd_nM",
                         receptor=curve["receptor"])
    if np.isfinite(file_kd):
        flags = ["saturation Kd not determined; binding-file Kd used"] if saturation is not None else []
        return float(file_kd), "binding_file", flags
    return np.nan, "", [f"{FLAG_KD_UNAVAILABLE} (saturation fit failed, no Kd in binding file)"]


def aggregate_ki(fits: pd.DataFrame, saturation_fits: pd.DataFrame | None = None) -> pd.DataFrame:
    """``ki.csv``: one row per curve of the per-assay fit tables (*fits*,
    concatenated), with exactly the KI_COLUMNS.

    Kd comes from the study's saturation fit for the same receptor, species
    and radioligand (matched case-insensitively) when there is one
    (``kd_source`` "saturation"), otherwise from the binding file
    ("binding_file"). A missing Kd with no saturation run to supply it is an
    InputError naming file, receptor and row. Ki = IC50/(1 + [L]/Kd) from
    the fit named in ``ki_model``; the Ki CI is the logIC50 95% CI
    transformed the same way (Kd and [L] taken as exact);
    pKi = −log10(Ki in M).
    """
    lookup = _saturation_kd_lookup(saturation_fits)
    rows = []
    for _, curve in fits.iterrows():
        model = curve["ki_model"]
        kd, kd_source, kd_flags = _kd_for_curve(curve, lookup)
        log_ic50 = curve[f"{model}_log_ic50"]
        ic50_nM = 10.0 ** (log_ic50 + 9.0)
        ki_nM, ki_ci_low, ki_ci_high = cheng_prusoff_ki(
            10.0 ** (np.array([log_ic50, curve[f"{model}_log_ic50_ci_low"],
                               curve[f"{model}_log_ic50_ci_high"]], dtype=float) + 9.0),
            curve["radioligand_nM"], kd)
        flags = [f for f in str(curve["flags"]).split(";") if f and f != "nan"] + kd_flags
        rows.append({
            "assay": curve["assay"], "receptor": curve["receptor"], "species": curve["species"],
            "compound": curve["compound"], "radioligand": curve["radioligand"],
            "radioligand_nM": curve["radioligand_nM"], "kd_nM": kd, "kd_source": kd_source,
            "model": model, "log_ic50": log_ic50, "log_ic50_se": curve[f"{model}_log_ic50_se"],
            "log_ic50_ci_low": curve[f"{model}_log_ic50_ci_low"],
            "log_ic50_ci_high": curve[f"{model}_log_ic50_ci_high"],
            "ic50_nM": ic50_nM, "hill_slope": curve[f"{model}_hill_slope"],
            "top": curve[f"{model}_top"], "bottom": curve[f"{model}_bottom"],
            "ki_nM": ki_nM,
            "ki_ci_low_nM": ki_ci_low, "ki_ci_high_nM": ki_ci_high,
            "pki": 9.0 - math.log10(ki_nM) if ki_nM > 0 else np.nan,
            "r_squared": curve[f"{model}_r_squared"], "n_points": curve["n_points"],
            "f_test_p": curve["f_test_p"], "preferred_model": curve["preferred_model"],
            "flags": ";".join(flags),
        })
    return pd.DataFrame(rows, columns=KI_COLUMNS)


def _valid_ki(ki: pd.DataFrame) -> pd.DataFrame:
    return ki.loc[np.isfinite(ki["ki_nM"].astype(float)) & (ki["ki_nM"] > 0)]


def _geometric_summary(ki: pd.DataFrame, keys) -> pd.DataFrame:
    """Per *keys*: geometric-mean Ki over curves with a Ki (several curves
    of one receptor × species × compound are averaged on the log scale),
    the number of such curves and how many of them carry flags."""
    valid = _valid_ki(ki).assign(log_ki=lambda d: np.log10(d["ki_nM"].astype(float)),
                                 flagged=lambda d: d["flags"].fillna("").astype(str) != "")
    summary = valid.groupby(keys, sort=False).agg(
        log_ki=("log_ki", "mean"), n_curves=("log_ki", "size"), n_flagged=("flagged", "sum"))
    summary["ki_nM"] = 10.0 ** summary["log_ki"]
    summary["pki"] = 9.0 - summary["log_ki"]
    return summary.drop(columns="log_ki")


def species_comparison(ki: pd.DataFrame, *, species_ratio_flag: float = DEFAULTS["species_ratio_flag"],
                       reference_species: str = "human", other_species: str = "rat") -> pd.DataFrame:
    """The seed's Table 1 with measured numbers: per receptor × compound the
    Ki in *reference_species* and *other_species* (geometric mean over
    curves with a Ki), their ratio (other / reference), the fold difference
    (≥ 1) and ``species_difference_flag`` when the fold difference exceeds
    *species_ratio_flag*. ``notes`` say when a species has no Ki or when
    contributing curves carry quality flags."""
    reference_species, other_species = reference_species.lower(), other_species.lower()
    columns = ["receptor", "compound",
               f"{reference_species}_ki_nM", f"{other_species}_ki_nM",
               f"{reference_species}_pki", f"{other_species}_pki",
               f"{other_species}_to_{reference_species}_ratio", "fold_difference",
               "species_difference_flag", f"n_{reference_species}_curves",
               f"n_{other_species}_curves", "notes"]
    ki = ki.assign(species=ki["species"].astype(str).str.lower())
    ki = ki.loc[ki["species"].isin([reference_species, other_species])]
    summary = _geometric_summary(ki, ["receptor", "compound", "species"])
    rows = []
    for receptor, compound in ki[["receptor", "compound"]].drop_duplicates().itertuples(index=False):
        row = {"receptor": receptor, "compound": compound}
        notes = []
        for species in (reference_species, other_species):
            key = (receptor, compound, species)
            if key in summary.index:
                entry = summary.loc[key]
                row[f"{species}_ki_nM"], row[f"{species}_pki"] = entry["ki_nM"], entry["pki"]
                row[f"n_{species}_curves"] = int(entry["n_curves"])
                if entry["n_flagged"]:
                    notes.append(f"{species}: {int(entry['n_flagged'])} of {int(entry['n_curves'])} "
                                 "curves flagged")
            else:
                row[f"{species}_ki_nM"] = row[f"{species}_pki"] = np.nan
                row[f"n_{species}_curves"] = 0
                notes.append(f"{species}: no Ki")
        ratio = row[f"{other_species}_ki_nM"] / row[f"{reference_species}_ki_nM"]
        row[f"{other_species}_to_{reference_species}_ratio"] = ratio
        fold = max(ratio, 1.0 / ratio) if np.isfinite(ratio) and ratio > 0 else np.nan
        row["fold_difference"] = fold
        row["species_difference_flag"] = bool(np.isfinite(fold) and fold > species_ratio_flag)
        row["notes"] = ";".join(notes)
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def selectivity_profile(ki: pd.DataFrame, *, primary_target: str = DEFAULTS["primary_target"]) -> pd.DataFrame:
    """Ki at each receptor relative to the primary target, per species ×
    compound: ``ki_ratio_to_primary`` = Ki / Ki(primary) (> 1: weaker than
    at the primary target) and ``log10_ratio`` = pKi(primary) − pKi.
    Receptor names are matched case-insensitively. ``rank`` orders receptors
    by affinity (1 = highest). Ki is the geometric mean over curves with a Ki.
    """
    columns = ["species", "compound", "receptor", "ki_nM", "pki", "rank", "primary_target",
               "primary_ki_nM", "ki_ratio_to_primary", "log10_ratio", "n_curves", "notes"]
    keys = ["species", "compound", "receptor"]
    every_curve = pd.MultiIndex.from_frame(ki[keys].drop_duplicates())
    summary = _geometric_summary(ki, keys).reindex(every_curve).reset_index()
    summary["n_curves"] = summary["n_curves"].fillna(0)
    rows = []
    for (species, compound), group in summary.groupby(["species", "compound"], sort=False):
        primary = group.loc[group["receptor"].astype(str).str.casefold() == primary_target.casefold()]
        primary_ki = float(primary["ki_nM"].iloc[0]) if len(primary) else np.nan
        ranks = group["ki_nM"].rank(method="min")
        for index, entry in group.iterrows():
            ratio = entry["ki_nM"] / primary_ki
            notes = [] if np.isfinite(primary_ki) else [f"no Ki at primary target {primary_target}"]
            if not np.isfinite(entry["ki_nM"]):
                notes.insert(0, "no Ki (fit failed or curve not fitted)")
            rows.append({
                "species": species, "compound": compound, "receptor": entry["receptor"],
                "ki_nM": entry["ki_nM"], "pki": entry["pki"],
                "rank": int(ranks[index]) if np.isfinite(ranks[index]) else pd.NA,
                "primary_target": primary_target, "primary_ki_nM": primary_ki,
                "ki_ratio_to_primary": ratio,
                "log10_ratio": math.log10(ratio) if np.isfinite(ratio) else np.nan,
                "n_curves": int(entry["n_curves"]),
                "notes": ";".join(notes),
            })
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------
# Figures (SVG through scripts.plotting.save_figure)
# --------------------------------------------------------------------------

SPECIES_COLOURS = {"human": "#1f77b4", "rat": "#d62728"}
_OTHER_COLOURS = ["#2ca02c", "#9467bd", "#8c564b", "#e377c2"]


def _species_colour(species: str, order: list) -> str:
    if species in SPECIES_COLOURS:
        return SPECIES_COLOURS[species]
    return _OTHER_COLOURS[order.index(species) % len(_OTHER_COLOURS)]


def confidence_band(x, values: dict, covariance: np.ndarray, dof: float, level: float = 0.95):
    """Fitted line and its pointwise confidence band (Prism's "confidence
    bands"): ``Y ± t(level, dof) · sqrt(g' C g)`` with g the gradient of the
    model in the parameters and C their covariance. Returns (y, low, high)."""
    y = four_pl(x, **values)
    gradient = four_pl_gradient(x, *(values[name] for name in PARAMS))
    covariance = np.nan_to_num(covariance)
    variance = np.einsum("ij,jk,ik->i", gradient, covariance, gradient)
    half_width = stats.t.ppf(0.5 + level / 2, dof) * np.sqrt(np.clip(variance, 0.0, None))
    return y, y - half_width, y + half_width


def _panel_grid(n_panels: int, width: float = 4.2, height: float = 3.4, max_columns: int = 3):
    import matplotlib.pyplot as plt

    n_columns = max(1, min(max_columns, n_panels))
    n_rows = max(1, math.ceil(n_panels / n_columns))
    fig, axes = plt.subplots(n_rows, n_columns, figsize=(width * n_columns, height * n_rows),
                             squeeze=False)
    for ax in axes.flat[n_panels:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def _flag_note(ax, flags) -> None:
    flags = [f for f in str(flags).split(";") if f and f != "nan"]
    if flags:
        ax.text(0.02, 0.02, "\n".join(flags), transform=ax.transAxes, fontsize=6.5,
                color="#b00020", va="bottom", ha="left")


def plot_assay_curves(points: pd.DataFrame, fits: pd.DataFrame, title: str = ""):
    """Figure of one assay file: a panel per competition curve with every
    replicate point (faint), mean ± SEM per concentration, the Ki model's
    fitted line with its 95% confidence band, IC50 marked (dashed line), a
    log10 molar X on a linear axis (Prism's convention) and the curve's flags. *points* is
    :func:`specific_binding` output, *fits* :func:`fit_assay` output."""
    fig, axes = _panel_grid(max(1, len(fits)))
    if fits.empty:
        axes[0].text(0.5, 0.5, "no competition curves in this file", ha="center",
                     transform=axes[0].transAxes)
    for ax, (_, fit) in zip(axes, fits.iterrows()):
        curve = points[(points["receptor"] == fit["receptor"]) & (points["species"] == fit["species"])
                       & (points["compound"] == fit["compound"])]
        _draw_competition_panel(ax, curve, fit)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _draw_competition_panel(ax, curve: pd.DataFrame, fit) -> None:
    # X is log10 molar concentration on a linear axis, as Prism plots
    # log(inhibitor) curves; this also spares matplotlib the log-axis minor
    # ticks and mathtext labels, which cost about half of the figure's time.
    # Competitor concentrations are > 0 (check_binding_table), so log10 is finite.
    colour = _species_colour(fit["species"], [fit["species"]])
    ax.scatter(np.log10(curve["concentration_M"]), curve["pct_specific"], s=10, color=colour,
               alpha=0.3, linewidths=0, label="replicates")
    summary = curve.groupby("concentration_M")["pct_specific"].agg(["mean", "sem"]).reset_index()
    ax.errorbar(np.log10(summary["concentration_M"]), summary["mean"],
                yerr=summary["sem"].fillna(0.0), fmt="o", ms=4, color=colour, capsize=2, lw=1,
                label="mean ± SEM")
    model = fit["ki_model"]
    if fit["status"] == "fitted":
        values = {name: fit[f"{model}_{name}"] for name in PARAMS}
        x_low = math.log10(fit["conc_min_M"]) - 0.5
        x_high = math.log10(fit["conc_max_M"]) + 0.5
        grid = np.linspace(x_low, x_high, 200)
        y, low, high = confidence_band(grid, values, covariance_from_row(fit, model),
                                       fit[f"{model}_dof"])
        ax.fill_between(grid, low, high, color=colour, alpha=0.15, lw=0, label="95% CI band")
        ax.plot(grid, y, color=colour, lw=1.5, label=model.replace("_", " ") + " fit")
        log_ic50 = values["log_ic50"]
        ax.axvline(log_ic50, color="0.3", ls="--", lw=0.8)
        ax.plot([log_ic50], [four_pl(log_ic50, **values)], marker="D", color="0.2", ms=4,
                label=f"IC50 {10.0 ** log_ic50 * 1e9:.3g} nM")
    else:
        ax.text(0.5, 0.55, f"{fit['status']}", transform=ax.transAxes, ha="center", color="#b00020")
    ax.set_xlabel(f"log10 [{fit['compound']}] (M)")
    ax.set_ylabel("specific binding (%)")
    ax.set_title(f"{fit['receptor']} ({fit['species']}), {fit['radioligand']}", fontsize=9)
    ax.axhline(0, color="0.8", lw=0.6)
    ax.legend(fontsize=6.5, frameon=False, loc="upper right")
    _flag_note(ax, fit["flags"])


def plot_pki_by_receptor(ki: pd.DataFrame, title: str = "pKi by receptor"):
    """pKi per receptor with the species side by side (human left of rat),
    error bars the 95% CI from the logIC50 CI; one panel per compound.
    Curves without a Ki are marked "n.d." on the axis."""
    import matplotlib.pyplot as plt

    compounds = list(dict.fromkeys(ki["compound"])) or [""]
    fig, axes = plt.subplots(len(compounds), 1, figsize=(8, 3.6 * len(compounds)), squeeze=False)
    species_order = sorted(ki["species"].unique(), key=lambda s: (s not in SPECIES_COLOURS, s))
    for ax, compound in zip(axes[:, 0], compounds):
        data = ki.loc[ki["compound"] == compound]
        receptors = list(dict.fromkeys(data["receptor"]))
        width = 0.8 / max(1, len(species_order))
        for s_index, species in enumerate(species_order):
            offset = (s_index - (len(species_order) - 1) / 2) * width
            part = data.loc[data["species"] == species]
            xs = np.array([receptors.index(r) for r in part["receptor"]], dtype=float) + offset
            pki = part["pki"].to_numpy(dtype=float)
            low = 9.0 - np.log10(part["ki_ci_high_nM"].to_numpy(dtype=float))
            high = 9.0 - np.log10(part["ki_ci_low_nM"].to_numpy(dtype=float))
            ok = np.isfinite(pki)
            colour = _species_colour(species, species_order)
            if ok.any():
                errors = np.nan_to_num(np.vstack([pki[ok] - low[ok], high[ok] - pki[ok]]))
                ax.errorbar(xs[ok], pki[ok], yerr=errors, fmt="o", color=colour, capsize=3,
                            label=species)
            for x in xs[~ok]:
                ax.annotate("n.d.", (x, 0.02), xycoords=("data", "axes fraction"), ha="center",
                            fontsize=7, color=colour)
        ax.set_xticks(range(len(receptors)))
        ax.set_xticklabels(receptors)
        ax.set_xlim(-0.6, len(receptors) - 0.4)
        ax.set_ylabel("pKi (−log10 M)")
        ax.set_title(f"{title}: {compound}" if compound else title, fontsize=10)
        ax.grid(axis="y", color="0.9")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def plot_saturation(data: pd.DataFrame, saturation_fits: pd.DataFrame, title: str = ""):
    """Saturation curves: per receptor × species × radioligand, total and NSB
    points, specific points (total − mean NSB at that concentration), the
    globally fitted total, NSB line and specific curve, and Kd marked.
    *data* is the validated saturation table (several files concatenated
    is fine), *saturation_fits* :func:`fit_saturation_assay` output."""
    data = check_saturation_table(data, "saturation table")
    fig, axes = _panel_grid(max(1, len(saturation_fits)))
    for ax, (_, fit) in zip(axes, saturation_fits.iterrows()):
        group = data[(data["receptor"] == fit["receptor"]) & (data["species"] == fit["species"])
                     & (data["radioligand"] == fit["radioligand"])]
        total = group[group["well_type"] == "total"]
        nsb = group[group["well_type"] == "nsb"]
        ax.scatter(total["radioligand_nM"], total["cpm"], s=12, color="#1f77b4", alpha=0.6,
                   label="total")
        ax.scatter(nsb["radioligand_nM"], nsb["cpm"], s=12, color="0.5", alpha=0.6, label="NSB")
        nsb_means = nsb.groupby("radioligand_nM")["cpm"].mean()
        specific = total["cpm"].to_numpy() - nsb_means.reindex(total["radioligand_nM"]).to_numpy()
        ax.scatter(total["radioligand_nM"], specific, s=12, color="#2ca02c", marker="s", alpha=0.6,
                   label="specific")
        if fit["status"] == "fitted":
            grid = np.linspace(0.0, float(group["radioligand_nM"].max()) * 1.05, 200)
            values = {"bmax": fit["bmax"], "kd": fit["kd_nM"], "ns": fit["ns"],
                      "background": fit["background"]}
            ax.plot(grid, saturation_total_nsb(grid, 1.0, **values), color="#1f77b4", lw=1.4)
            ax.plot(grid, saturation_total_nsb(grid, 0.0, **values), color="0.5", lw=1.2)
            ax.plot(grid, values["bmax"] * grid / (values["kd"] + grid), color="#2ca02c", lw=1.4)
            ax.axvline(values["kd"], color="0.3", ls="--", lw=0.8)
            ax.text(values["kd"], 0.98, f" Kd {values['kd']:.3g} nM", va="top", fontsize=7,
                    transform=ax.get_xaxis_transform())
        ax.set_xlabel(f"[{fit['radioligand']}] (nM)")
        ax.set_ylabel("bound (CPM)")
        ax.set_title(f"{fit['receptor']} ({fit['species']})", fontsize=9)
        ax.legend(fontsize=6.5, frameon=False, loc="best")
        _flag_note(ax, fit["flags"])
    if saturation_fits.empty:
        axes[0].text(0.5, 0.5, "no saturation runs", ha="center", transform=axes[0].transAxes)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
