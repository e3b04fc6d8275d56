"""The terminal phase (λz) of one profile and the parameters that need it.

* λz: log-linear least squares on the last 3, 4, ... quantifiable points
  strictly after Tmax (Cmax excluded, PKNCA ``allow.tmax.in.half.life =
  FALSE``). Fits with λz <= 0 are discarded; the best adjusted R² is kept,
  and among fits within 1e-4 of it the one with most points (PKNCA
  ``adj.r.squared.factor``). Flags: adjusted R² < 0.9, span ratio < 2.
  (PKNCA takes the best adjusted R² over all fits before requiring λz > 0,
  so a rising best fit there gives no λz; discarding rising fits first,
  as here, can give a λz that the adjusted-R² flag then marks.)
* AUCinf (observed) = AUClast + Clast/λz; %extrap flagged above 20%;
  AUMCinf = AUMClast + Clast*Tlast/λz + Clast/λz²; MRT = AUMCinf/AUCinf
  (for extravascular routes it includes the mean absorption time).
* CL = 1000 * dose / AUCinf and Vz = CL/λz (CL/F and Vz/F for
  extravascular routes; units in :mod:`scripts.pk.conventions`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from scripts.pk.conventions import CL_UNIT_FACTOR

# Fits whose adjusted R² is within this of the best count as equally good,
# and the one with most points wins (PKNCA ``adj.r.squared.factor``).
ADJ_R2_TOLERANCE = 1e-4


def adjusted_r2(r2, n):
    """Adjusted R² of a straight-line fit: 1 - (1 - R²)(n - 1)/(n - 2)."""
    return 1.0 - (1.0 - r2) * (n - 1) / (n - 2)


def _loglinear_fit(time, conc):
    """Least-squares line through (t, ln C): (λz = -slope, intercept, R²),
    the closed form that scipy.stats.linregress computes (tests compare)."""
    x = np.asarray(time, float)
    y = np.log(np.asarray(conc, float))
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy, sxy = float(dx @ dx), float(dy @ dy), float(dx @ dy)
    slope = sxy / sxx
    r2 = sxy * sxy / (sxx * syy) if syy > 0 else 1.0  # an exact line (linregress: r = 1)
    return -slope, float(y.mean() - slope * x.mean()), r2


@dataclass
class LambdaZFit:
    """Chosen terminal-phase fit; NaN fields and ``reason`` when none."""

    lambda_z: float = float("nan")
    intercept: float = float("nan")
    adj_r2: float = float("nan")
    n_points: int = 0
    times: np.ndarray = field(default_factory=lambda: np.array([]))
    reason: str = ""

    @property
    def half_life(self):
        return half_life(self.lambda_z)

    @property
    def span_ratio(self):
        if self.n_points == 0:
            return float("nan")
        return float((self.times[-1] - self.times[0]) / self.half_life)


def _close_to_any(values, targets):
    values = np.asarray(values, float)
    return np.array([np.any(np.abs(np.asarray(targets, float) - v) <= 1e-9) for v in values], bool)


def fit_lambda_z_on(time, conc, include):
    """λz on exactly the points at the *include* times (a user's choice,
    PKNCA ``include_half.life``): no selection, and the fit is reported
    whatever its adjusted R² (the acceptance rules still apply)."""
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    mask = _close_to_any(time, include) & (conc > 0)
    t, c = time[mask], conc[mask]
    if t.size < 3:
        return LambdaZFit(reason="lambda_z_not_estimable(<3 chosen points quantifiable)")
    if np.ptp(np.log(c)) == 0:
        return LambdaZFit(reason="lambda_z_not_estimable(no declining terminal phase)")
    lam, intercept, r2 = _loglinear_fit(t, c)
    if lam <= 0:
        return LambdaZFit(reason="lambda_z_not_estimable(no declining terminal phase)")
    return LambdaZFit(lam, intercept, adjusted_r2(r2, t.size), int(t.size), t)


def fit_lambda_z_controlled(time, conc, tmax, min_points, control=None):
    """:func:`fit_lambda_z`, or with a λz control ``(action, times)``:
    ``include`` fits exactly those points (:func:`fit_lambda_z_on`),
    ``exclude`` leaves those points out of the selection."""
    if control is None:
        return fit_lambda_z(time, conc, tmax, min_points)
    action, times = control
    if action == "include":
        return fit_lambda_z_on(time, conc, times)
    keep = ~_close_to_any(time, times)
    return fit_lambda_z(np.asarray(time, float)[keep], np.asarray(conc, float)[keep], tmax, min_points)


def fit_lambda_z(time, conc, tmax, min_points, tolerance=ADJ_R2_TOLERANCE):
    """Select the terminal phase and estimate λz (1/h).

    Candidates: observed concentrations > 0 strictly after *tmax* (Cmax
    excluded) up to Tlast. Fits of ln(C) on t over the last 3, 4, ...
    candidates (at least *min_points*); fits with λz <= 0 or an undefined
    R² are discarded; of the rest the best adjusted R² wins, and any fit
    within *tolerance* (:data:`ADJ_R2_TOLERANCE`, 1e-4) of it with more
    points is preferred (PKNCA ``adj.r.squared.factor``). Returns a :class:`LambdaZFit`; without an
    acceptable fit, ``reason`` says why and values are NaN.
    """
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    mask = (time > tmax) & (conc > 0)
    t, c = time[mask], conc[mask]
    if t.size < min_points:
        return LambdaZFit(reason=f"lambda_z_not_estimable(<{min_points} points after Tmax)")
    fits = []
    for n in range(min_points, t.size + 1):
        tt, cc = t[-n:], c[-n:]
        if np.ptp(np.log(cc)) == 0:
            continue
        lam, intercept, r2 = _loglinear_fit(tt, cc)
        if lam > 0:
            fits.append(LambdaZFit(lam, intercept, adjusted_r2(r2, n), n, tt))
    if not fits:
        return LambdaZFit(reason="lambda_z_not_estimable(no declining terminal phase)")
    best = max(f.adj_r2 for f in fits)
    close = [f for f in fits if f.adj_r2 >= best - tolerance]
    return max(close, key=lambda f: f.n_points)


def half_life(lambda_z):
    """t½ = ln 2 / λz (h); NaN unless λz > 0."""
    return math.log(2) / lambda_z if lambda_z > 0 else float("nan")


def auc_inf_observed(auc_last, clast, lambda_z):
    """AUCinf(obs) = AUClast + Clast/λz, with the observed Clast."""
    return auc_last + clast / lambda_z


def auc_pct_extrapolated(auc_last, auc_inf):
    """%AUC extrapolated = 100 * (AUCinf - AUClast) / AUCinf."""
    return 100.0 * (auc_inf - auc_last) / auc_inf


def aumc_inf_observed(aumc_last, clast, tlast, lambda_z):
    """AUMCinf = AUMClast + Clast*Tlast/λz + Clast/λz²."""
    return aumc_last + clast * tlast / lambda_z + clast / lambda_z**2


def mean_residence_time(aumc_inf, auc_inf):
    """MRT = AUMCinf / AUCinf (h); for extravascular routes it includes the
    mean absorption time."""
    return aumc_inf / auc_inf


def clearance(dose_mg_kg, auc_inf):
    """CL = 1000 * dose / AUCinf in L/h/kg (CL/F for extravascular routes;
    1 mg/kg over 1 ng*h/mL is 1000 L/h/kg)."""
    return CL_UNIT_FACTOR * dose_mg_kg / auc_inf


def volume_z(cl, lambda_z):
    """Vz = CL / λz in L/kg (Vz/F for extravascular routes)."""
    return cl / lambda_z
