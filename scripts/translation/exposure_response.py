"""Exposure-response: a sigmoid Emax model of each behavioural endpoint
against the dose group's unbound plasma exposure.

    E(C) = E0 + Emax * C^h / (EC50^h + C^h)

* Response: each animal's value minus its vehicle group's mean (same test,
  endpoint and regimen), per animal, so the CI has the animals' degrees of
  freedom; vehicle animals enter at exposure 0.
* E0: config ``translation.exposure_response_e0``. ``fixed`` sets E0 = 0;
  that treats the vehicle mean as known, and its error then shifts every
  response alike, so the EC50 CI is too narrow (it covered the true EC50 in
  85-90% of simulated studies with 10-20 animals per group, against the
  nominal 95%). ``estimated`` (default) fits E0 as a nuisance offset of the
  vehicle-subtracted responses (close to 0), which carries the vehicle
  mean's uncertainty into the CI (94-97% in the same simulations).
* Exposure: the dose group's unbound plasma concentration at the test time
  (``at_test``, nM) or its unbound AUC over one dosing interval (``auc``,
  nM*h), config ``translation.exposure_response_basis``.
* Emax is signed, in endpoint units; EC50 is fitted on the log scale (lmfit,
  least squares); the Hill slope is fixed at 1 unless the endpoint has at
  least ``exposure_response_hill_min_levels`` active dose levels.
* 95% CI of EC50 and Emax: profile likelihood with the F criterion: the
  values of the parameter whose best refit has SSR <= SSRmin (1 +
  F(1, n - p; level) / (n - p)). A bound not reached within 4 decades of the
  exposure range is left blank ("CI open").
* Fewer than ``exposure_response_min_levels`` active dose levels: "not
  estimable", no fit.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import lmfit
import numpy as np
import pandas as pd
from scipy.optimize import brentq, minimize_scalar
from scipy.stats import f as f_dist

from scripts.translation.common import is_empty

EXPOSURE_RESPONSE_COLUMNS = [
    "test",
    "endpoint",
    "regimen",
    "exposure_basis",
    "emax",
    "emax_ci_low",
    "emax_ci_high",
    "ec50_nM",
    "ec50_ci_low_nM",
    "ec50_ci_high_nM",
    "hill",
    "n_dose_levels",
    "status",
    "e0",
    "endpoint_unit",
    "exposure_unit",
    "n_animals",
    "ssr",
    "df_residual",
]
POINT_COLUMNS = [
    "test",
    "endpoint",
    "regimen",
    "unit",
    "animal_id",
    "dose_mg_kg",
    "exposure",
    "exposure_unit",
    "response",
]
CURVE_COLUMNS = ["test", "endpoint", "regimen", "exposure", "fit", "low", "high"]
SEARCH_DECADES = 4.0


def emax_model(c, emax, ec50, hill=1.0):
    c = np.asarray(c, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cn = np.power(np.clip(c, 0, None), hill)
        return emax * cn / (ec50**hill + cn)


def _params(y, x, hill_free, e0_free):
    positive = x[x > 0]
    p = lmfit.Parameters()
    p.add("e0", value=0.0, vary=e0_free)
    big = y[x == x.max()].mean() if len(y) else 1.0
    p.add("emax", value=float(big) if big else 1.0)
    lo = float(np.log10(positive.min())) if positive.size else 0.0
    hi = float(np.log10(positive.max())) if positive.size else 0.0
    p.add(
        "log_ec50",
        value=float(np.log10(np.median(positive))) if positive.size else 0.0,
        min=lo - SEARCH_DECADES - 1,
        max=hi + SEARCH_DECADES + 1,
    )
    p.add("hill", value=1.0, vary=hill_free, min=0.2, max=6.0)
    return p


def _residual(p, x, y):
    return (
        p["e0"].value
        + emax_model(x, p["emax"].value, np.power(10.0, p["log_ec50"].value), p["hill"].value)
        - y
    )


def _linear_grid(F, y, p):
    """Least-squares values of the linear parameters (Emax, E0) that vary,
    for each row of curve shapes *F* (Emax = 1; one row per EC50), solved
    from the normal equations: arrays (emax, e0, ssr)."""
    F = np.atleast_2d(F)
    n = y.size
    emax = np.full(F.shape[0], p["emax"].value, float)
    e0 = np.full(F.shape[0], p["e0"].value, float)
    sff, sf, sfy, sy = (F * F).sum(axis=1), F.sum(axis=1), F @ y, y.sum()
    if p["emax"].vary and p["e0"].vary:
        det = sff * n - sf * sf
        ok = det > 1e-12 * np.maximum(sff * n, 1e-300)
        emax = np.where(ok, (sfy * n - sf * sy) / np.where(ok, det, 1.0), 0.0)
        e0 = np.where(ok, (sy - emax * sf) / n, sy / n)
    elif p["emax"].vary:
        emax = np.where(sff > 0, (sfy - e0 * sf) / np.where(sff > 0, sff, 1.0), 0.0)
    elif p["e0"].vary:
        e0 = (sy - emax * sf) / n
    ssr = ((e0[:, None] + emax[:, None] * F - y) ** 2).sum(axis=1)
    return emax, e0, ssr


def _linear_part(f, y, p):
    """:func:`_linear_grid` for one curve shape: (emax, e0, ssr)."""
    emax, e0, ssr = _linear_grid(f, y, p)
    return float(emax[0]), float(e0[0]), float(ssr[0])


def _shapes(x, grid, hill):
    """Curve shapes (Emax = 1) for each log EC50 of *grid* (rows)."""
    xn = np.power(np.clip(np.asarray(x, float), 0, None), hill)[None, :]
    return xn / (np.power(10.0, np.asarray(grid, float) * hill)[:, None] + xn)


def _grid_start(x, y, params):
    """Start values from a grid over log EC50 (the linear parameters by
    least squares at each grid value): the best grid point."""
    p = params.copy()
    if not p["log_ec50"].vary:
        grid = np.array([p["log_ec50"].value])
    else:
        grid = np.linspace(p["log_ec50"].min, p["log_ec50"].max, 121)
    emax, e0, ssr = _linear_grid(_shapes(x, grid, p["hill"].value), y, p)
    best = int(np.argmin(ssr))
    p["log_ec50"].value = float(grid[best])
    p["emax"].value, p["e0"].value = float(emax[best]), float(e0[best])
    return p


def _fit(x, y, params):
    """Least-squares fit (lmfit) from the best grid start: (result, SSR)."""
    result = lmfit.minimize(_residual, _grid_start(x, y, params), args=(x, y), method="leastsq")
    return result, float(np.sum(result.residual**2))


def _profile_over_ec50(x, y, p) -> float:
    """Least SSR over log EC50 (Hill fixed; the linear parameters that vary
    solved exactly): grid, then a bounded 1-D refinement."""
    lo, hi = p["log_ec50"].min, p["log_ec50"].max
    grid = np.linspace(lo, hi, 121)

    def ssr(g):
        return _linear_part(emax_model(x, 1.0, np.power(10.0, g), p["hill"].value), y, p)[2]

    values = _linear_grid(_shapes(x, grid, p["hill"].value), y, p)[2]
    best = int(np.argmin(values))
    a, b = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    refined = minimize_scalar(ssr, bounds=(a, b), method="bounded", options={"xatol": 1e-8})
    return float(min(values[best], refined.fun))


def _profile_bound(x, y, fitted, name, threshold, direction, limit):
    """The value of *name* where the profile SSR crosses *threshold* on the
    side *direction* (+1/-1), NaN when it does not within *limit*."""

    plain = {
        n: SimpleNamespace(value=q.value, vary=q.vary, min=q.min, max=q.max) for n, q in fitted.params.items()
    }

    def excess(value):
        p = {n: SimpleNamespace(**vars(q)) for n, q in plain.items()}
        if name == "log_ec50" and not p["hill"].vary:
            # Emax and E0 are linear given EC50 and Hill: least squares is exact
            return (
                _linear_part(emax_model(x, 1.0, np.power(10.0, value), p["hill"].value), y, p)[2] - threshold
            )
        if name == "emax" and not p["hill"].vary:
            p["emax"].value, p["emax"].vary = value, False
            return _profile_over_ec50(x, y, p) - threshold
        q = fitted.params.copy()
        q[name].set(value=value, vary=False)
        return _fit(x, y, q)[1] - threshold

    centre = fitted.params[name].value
    step = 0.05 if name == "log_ec50" else max(abs(centre) * 0.05, 1e-6)
    inner, k = centre, 0
    while True:
        k += 1
        outer = centre + direction * step * (1.6 ** (k - 1) if k > 1 else 1)
        if (direction > 0 and outer > limit) or (direction < 0 and outer < limit):
            outer = limit
        if excess(outer) > 0:
            return brentq(excess, min(inner, outer), max(inner, outer), xtol=1e-6)
        if outer == limit or k > 60:
            return float("nan")
        inner = outer


def fit_emax(exposure, response, n_levels, cfg) -> dict:
    """Fit one endpoint (arrays per animal) and return emax, ec50, hill,
    their CIs, ssr, df_residual and status."""
    x, y = np.asarray(exposure, float), np.asarray(response, float)
    hill_free = n_levels >= int(cfg["exposure_response_hill_min_levels"])
    e0_free = str(cfg["exposure_response_e0"]) == "estimated"
    params = _params(y, x, hill_free, e0_free)
    result, ssr = _fit(x, y, params)
    df = len(x) - (2 + int(hill_free) + int(e0_free))
    out = {
        "e0": result.params["e0"].value,
        "emax": result.params["emax"].value,
        "ec50_nM": 10 ** result.params["log_ec50"].value,
        "hill": result.params["hill"].value,
        "ssr": ssr,
        "df_residual": df,
    }
    if df <= 0:
        return dict(out, status="not estimable: no residual degrees of freedom")
    level = float(cfg["exposure_response_ci_level"])
    threshold = ssr * (1.0 + f_dist.ppf(level, 1, df) / df)
    positive = x[x > 0]
    lo_lim = float(np.log10(positive.min())) - SEARCH_DECADES
    hi_lim = float(np.log10(positive.max())) + SEARCH_DECADES
    ec_low = _profile_bound(x, y, result, "log_ec50", threshold, -1, lo_lim)
    ec_high = _profile_bound(x, y, result, "log_ec50", threshold, +1, hi_lim)
    span = max(abs(out["emax"]) * 1e3, np.ptp(y) * 1e3, 1.0)
    em_low = _profile_bound(x, y, result, "emax", threshold, -1, out["emax"] - span)
    em_high = _profile_bound(x, y, result, "emax", threshold, +1, out["emax"] + span)
    status = "fitted"
    open_sides = [s for s, v in (("below", ec_low), ("above", ec_high)) if not math.isfinite(v)]
    if open_sides:
        status += f"; EC50 CI open {' and '.join(open_sides)} (not bounded by the data)"
    if positive.size and not (positive.min() / 10 <= out["ec50_nM"] <= positive.max() * 10):
        status += "; EC50 beyond the tested exposures (more than 10-fold): Emax and EC50 not identified"
    if not hill_free:
        status += f"; Hill fixed at 1 (< {int(cfg['exposure_response_hill_min_levels'])} dose levels)"
    return dict(
        out,
        ec50_ci_low_nM=10**ec_low if math.isfinite(ec_low) else float("nan"),
        ec50_ci_high_nM=10**ec_high if math.isfinite(ec_high) else float("nan"),
        emax_ci_low=em_low,
        emax_ci_high=em_high,
        status=status,
        _result=result,
        _threshold=threshold,
    )


def _band(x, y, fit, grid):
    """Pointwise range of the fitted curve over the parameter sets on the
    EC50 profile inside the F-criterion region (an approximate CI band)."""
    result = fit["_result"]
    lows, highs = [], []
    centre = result.params["log_ec50"].value
    log_lo = math.log10(fit["ec50_ci_low_nM"]) if math.isfinite(fit["ec50_ci_low_nM"]) else centre - 2
    log_hi = math.log10(fit["ec50_ci_high_nM"]) if math.isfinite(fit["ec50_ci_high_nM"]) else centre + 2
    curves = []
    curves.append(fit["e0"] + emax_model(grid, fit["emax"], fit["ec50_nM"], fit["hill"]))
    for value in np.linspace(log_lo, log_hi, 25):
        p = result.params.copy()
        p["log_ec50"].set(value=value, vary=False)
        r, ssr = _fit(x, y, p)
        if ssr <= fit["_threshold"] * (1 + 1e-9):
            curves.append(
                r.params["e0"].value
                + emax_model(grid, r.params["emax"].value, 10**value, r.params["hill"].value)
            )
    stack = np.vstack(curves) if curves else np.empty((0, grid.size))
    lows = stack.min(axis=0) if len(stack) else grid * np.nan
    highs = stack.max(axis=0) if len(stack) else grid * np.nan
    return lows, highs


def exposure_response(endpoints, at_test, compound, vehicle_label, cfg) -> tuple:
    """(fits, points, curves): one fit per test x endpoint x regimen
    (columns :data:`EXPOSURE_RESPONSE_COLUMNS`), the animals' points and the
    fitted curves with their band, for the figure. *endpoints* are the
    behaviour areas' ``endpoints.csv`` rows; *at_test* the rat exposure at
    the test (:func:`scripts.translation.occupancy_time.at_test_table`)."""
    basis = str(cfg["exposure_response_basis"])
    column, unit = ("c_unbound_nM", "nM") if basis == "at_test" else ("auc_tau_unbound_nM_h", "nM*h")
    min_levels = int(cfg["exposure_response_min_levels"])
    fits, points, curves = [], [], []
    if is_empty(endpoints) or is_empty(at_test):
        return (
            pd.DataFrame(columns=EXPOSURE_RESPONSE_COLUMNS),
            pd.DataFrame(columns=POINT_COLUMNS),
            pd.DataFrame(columns=CURVE_COLUMNS),
        )
    e = endpoints[~endpoints["excluded"].astype(str).str.lower().eq("true")]
    e = e.assign(value=pd.to_numeric(e["value"], errors="coerce")).dropna(subset=["value"])
    e = e.reset_index(drop=True)
    for (test, endpoint, regimen), g in e.groupby(["test", "endpoint", "regimen"], sort=True):
        t = g["treatment"].astype(str).str.strip().str.lower()
        vehicle = g[t == vehicle_label.lower()]
        drug = g[(t == compound.lower()) & (pd.to_numeric(g["dose_mg_kg"]) > 0)]
        if vehicle.empty or drug.empty:
            continue
        exp = at_test[(at_test["test"] == test) & (at_test["regimen"] == regimen)]
        lookup = {
            float(r["dose_mg_kg"]): float(r[column]) for _, r in exp.iterrows() if pd.notna(r.get(column))
        }
        drug = drug[drug["dose_mg_kg"].astype(float).isin(list(lookup))]
        levels = sorted(set(drug["dose_mg_kg"].astype(float)))
        base = {
            "test": test,
            "endpoint": endpoint,
            "regimen": regimen,
            "exposure_basis": basis,
            "n_dose_levels": len(levels),
            "endpoint_unit": str(g["unit"].iloc[0]),
            "exposure_unit": unit,
        }
        mean_vehicle = float(vehicle["value"].mean())
        x = np.r_[np.zeros(len(vehicle)), drug["dose_mg_kg"].astype(float).map(lookup).to_numpy(float)]
        y = np.r_[vehicle["value"].to_numpy(float), drug["value"].to_numpy(float)] - mean_vehicle
        animals = pd.concat([vehicle, drug])
        points.append(
            pd.DataFrame(
                {
                    "test": test,
                    "endpoint": endpoint,
                    "regimen": regimen,
                    "unit": base["endpoint_unit"],
                    "animal_id": animals["animal_id"].to_numpy(),
                    "dose_mg_kg": animals["dose_mg_kg"].astype(float).to_numpy(),
                    "exposure": x,
                    "exposure_unit": unit,
                    "response": y,
                }
            )
        )
        if len(levels) < min_levels:
            fits.append(
                dict(
                    base,
                    n_animals=len(x),
                    status=f"not estimable: {len(levels)} active dose level(s) with exposure (< {min_levels})",
                )
            )
            continue
        fit = fit_emax(x, y, len(levels), cfg)
        if "_result" in fit:
            grid = np.geomspace(x[x > 0].min() / 10, x.max() * 3, 80)
            low, high = _band(x, y, fit, grid)
            curves.append(
                pd.DataFrame(
                    {
                        "test": test,
                        "endpoint": endpoint,
                        "regimen": regimen,
                        "exposure": grid,
                        "fit": fit["e0"] + emax_model(grid, fit["emax"], fit["ec50_nM"], fit["hill"]),
                        "low": low,
                        "high": high,
                    }
                )
            )
        fits.append(dict(base, n_animals=len(x), **{k: v for k, v in fit.items() if not k.startswith("_")}))
    return (
        pd.DataFrame(fits, columns=EXPOSURE_RESPONSE_COLUMNS),
        pd.concat(points, ignore_index=True) if points else pd.DataFrame(columns=POINT_COLUMNS),
        pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(columns=CURVE_COLUMNS),
    )
