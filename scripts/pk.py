"""Pharmacokinetics: non-compartmental analysis (NCA), bioavailability,
dose proportionality and metabolites.

Pure functions: validated PK tables (see docs/HELPER_BRIEF.md) and the
``pk:`` config section in, DataFrames (or matplotlib figures) out.

Conventions (PKNCA / Phoenix WinNonlin), each stated again where applied
---------------------------------------------------------------------------
* A *profile* is one animal x analyte x route x dose (x species).
* Routes: ``iv`` is an IV bolus; ``po``, ``ip`` and ``sc`` are extravascular.
  For extravascular routes CL and Vz are apparent values, CL/F and Vz/F; the
  columns ``cl_L_h_kg`` and ``vz_L_kg`` hold CL/F and Vz/F for those rows.
* Units: time h, concentration ng/mL, dose mg/kg, AUC ng*h/mL,
  AUMC ng*h^2/mL, CL L/h/kg, Vz L/kg. ``CL = 1000 * dose / AUCinf`` because
  1 mg/kg / (1 ng*h/mL) = 1e6 ng/kg / (1 ng*h/mL) = 1e6 mL/h/kg = 1000 L/h/kg.
* BLQ (PKNCA ``conc.blq``): BLQ before the first quantifiable sample -> 0;
  BLQ between quantifiable samples -> dropped; BLQ after the last
  quantifiable sample -> dropped (config ``blq_first/middle/last``, each
  ``zero`` or ``drop``). PKNCA's own default for "last" is "keep" (as 0);
  it only changes AUCall, which is not computed here, because AUClast and
  λz stop at Tlast either way.
* Time zero: extravascular -> C = 0 inserted at t = 0 unless sampled; a
  quantifiable pre-dose (t = 0) sample is kept and flagged. IV bolus -> C0
  is an observed quantifiable t = 0 sample if any (PKNCA ``c0``, flagged),
  else log-linear back-extrapolation from the first two post-dose points
  when they decline (PKNCA ``logslope``), else the first observation (PKNCA
  ``c1``, flagged ``c0_first_observation``).
* AUC: linear-up/log-down by default (log trapezoid on a declining segment
  with both concentrations > 0, linear otherwise); ``linear`` configurable.
  The IV segment from C0 to the first sample uses the same rule (as PKNCA's
  ``auciv`` and WinNonlin do).
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
* Metabolites (analytes other than the named parent compound) are formed,
  not dosed: their profiles start at C = 0 at t = 0 after any route, and CL
  and Vz are not computed for them (flag ``metabolite(no_CL_Vz)``).
* Cmax/Tmax come from observed samples (first Tmax on ties, PKNCA
  ``first.tmax``); C0 and the inserted t = 0 point are not observations.
* Destructive designs (each animal sampled once): NCA on the mean profile
  (BLQ counted as 0 in the mean), linear trapezoid, with Bailer's (1988)
  standard error of AUClast and Satterthwaite degrees of freedom
  (Nedelman & Jia 1998), as PKNCA's sparse NCA does.

Across animals (details in each function's docstring)
------------------------------------------------------
* Summaries per species x analyte x route x dose: geometric mean and
  geometric CV% for exposure and clearance-type parameters, median and range
  for Tmax, arithmetic mean and SD for t½ and %extrapolated.
* F = (AUC_test/Dose_test)/(AUC_iv/Dose_iv) for every extravascular route x
  dose against each IV dose: crossover (same animals) -> t-interval of the
  per-animal log ratio; parallel groups -> Fieller (default) or a seeded
  bootstrap over animals. AUCinf when acceptable for every profile, else
  AUClast. The method is written into the output.
* Dose proportionality: power model, slope of ln(AUC or Cmax) on ln(dose).
* Metabolite/parent AUClast ratios per animal; detectability per analyte.
  An analyte BLQ throughout is "not detected", never zero exposure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from scripts.tables import InputError

# --------------------------------------------------------------------------
# Constants: column orders of the output tables and the documented defaults
# --------------------------------------------------------------------------

NCA_COLUMNS = [
    "animal_id", "species", "route", "dose_mg_kg", "analyte",
    "cmax_ng_mL", "tmax_h", "clast_ng_mL", "tlast_h", "c0_ng_mL",
    "auc_last_ng_h_mL", "auc_inf_ng_h_mL", "auc_pct_extrap",
    "lambda_z_per_h", "t_half_h", "lambda_z_n_points", "lambda_z_adj_r2",
    "span_ratio", "cl_L_h_kg", "vz_L_kg", "mrt_h", "flags",
]

LAMBDA_Z_POINT_COLUMNS = [
    "species", "animal_id", "analyte", "route", "dose_mg_kg", "time_h",
    "concentration_ng_mL", "used_in_lambda_z", "lambda_z_per_h",
    "lambda_z_intercept",
]

SUMMARY_COLUMNS = [
    "species", "analyte", "route", "dose_mg_kg", "design", "parameter",
    "unit", "statistic", "n", "n_profiles", "value", "spread_statistic",
    "spread", "minimum", "maximum",
]

BIOAVAILABILITY_COLUMNS = [
    "analyte", "route", "dose_mg_kg", "reference_route",
    "reference_dose_mg_kg", "f", "f_ci_low", "f_ci_high", "method",
    "n_test", "n_reference",
]

METABOLITE_COLUMNS = [
    "species", "analyte", "parent", "route", "dose_mg_kg", "n_animals",
    "n_animals_quantifiable", "detection", "ratio_basis", "n_ratio",
    "ratio_geometric_mean", "ratio_geo_cv_pct", "ratio_min", "ratio_max",
]

DETECTABILITY_COLUMNS = [
    "species", "analyte", "n_animals", "n_animals_quantifiable",
    "n_samples", "n_samples_quantifiable", "max_concentration_ng_mL",
    "lloq_ng_mL", "detection",
]

DOSE_PROPORTIONALITY_COLUMNS = [
    "species", "analyte", "route", "parameter", "doses_mg_kg", "n_doses",
    "n_animals", "slope", "slope_ci_low", "slope_ci_high", "conclusion",
    "method",
]

IV_ROUTES = frozenset({"iv"})
EXTRAVASCULAR_ROUTES = frozenset({"po", "ip", "sc"})
KNOWN_ROUTES = IV_ROUTES | EXTRAVASCULAR_ROUTES
PROFILE_KEYS = ["species", "animal_id", "analyte", "route", "dose_mg_kg"]
GROUP_KEYS = ["species", "analyte", "route", "dose_mg_kg"]
MEAN_PROFILE_ID = "mean_profile"

# 1 mg/kg divided by 1 ng*h/mL is 1000 L/h/kg (see module docstring).
CL_UNIT_FACTOR = 1000.0

DEFAULTS = {
    "auc_method": "lin_up_log_down",
    "max_auc_pct_extrap": 20.0,
    "min_lambda_z_points": 3,
    "min_lambda_z_adj_r2": 0.9,
    "min_span_ratio": 2.0,
    "adj_r2_tolerance": 1e-4,
    "blq_first": "zero",
    "blq_middle": "drop",
    "blq_last": "drop",
    "f_ci_method": "fieller",
    "bootstrap_samples": 2000,
    "seed": 20261129,
    "ci_level": 0.95,
}


def pk_settings(config: dict | None = None) -> dict:
    """Return the ``pk:`` settings with the documented defaults filled in.

    Defaults: auc_method ``lin_up_log_down``, max_auc_pct_extrap 20,
    min_lambda_z_points 3, min_lambda_z_adj_r2 0.9, min_span_ratio 2,
    adj_r2_tolerance 1e-4, blq_first ``zero``, blq_middle ``drop``,
    blq_last ``drop``, f_ci_method ``fieller``, bootstrap_samples 2000,
    seed 20261129, ci_level 0.95. Unknown keys are ignored; invalid
    choices raise ValueError (the config schema normally catches them).
    """
    settings = dict(DEFAULTS)
    settings.update({k: v for k, v in (config or {}).items() if v is not None})
    choices = {
        "auc_method": {"lin_up_log_down", "linear"},
        "blq_first": {"zero", "drop"},
        "blq_middle": {"zero", "drop"},
        "blq_last": {"zero", "drop"},
        "f_ci_method": {"fieller", "bootstrap"},
    }
    for key, allowed in choices.items():
        if settings[key] not in allowed:
            raise ValueError(f"pk.{key} must be one of {sorted(allowed)}, got {settings[key]!r}")
    if int(settings["min_lambda_z_points"]) < 3:
        raise ValueError("pk.min_lambda_z_points must be at least 3")
    return settings


# --------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------

def _row_origin(row, default_file):
    file = row.get("source_file", default_file)
    if file is None or (isinstance(file, float) and math.isnan(file)):
        file = default_file
    src_row = row.get("source_row")
    src_row = None if src_row is None or pd.isna(src_row) else int(src_row)
    return file, src_row


def check_pk_table(pk: pd.DataFrame, file: str = "pk table") -> None:
    """Raise :class:`InputError` (file, animal, row) for bad PK input.

    Checks: unknown route (not iv/po/ip/sc), dose <= 0 or missing, negative
    or missing time, negative concentration, a missing concentration not
    marked BLQ, and a time point duplicated within one profile (animal x
    analyte x route x dose). *file* is used when the table has no
    ``source_file`` column.
    """
    pk = pk.reset_index(drop=True)
    route = pk["route"].astype(str).str.strip().str.lower()
    conc = pk["concentration_ng_mL"]
    # (mask of bad rows, column, message for one row) in the order checked;
    # vectorised so large tables are checked quickly, first offender reported.
    checks = [
        (~route.isin(KNOWN_ROUTES), "route",
         lambda r: f"unknown route {r['route']!r} (expected one of iv, po, ip, sc)"),
        (~(pk["dose_mg_kg"] > 0), "dose_mg_kg", lambda r: f"dose must be > 0 mg/kg, got {r['dose_mg_kg']}"),
        (~(pk["time_h"] >= 0), "time_h", lambda r: f"time must be >= 0 h, got {r['time_h']}"),
        (conc < 0, "concentration_ng_mL", lambda r: f"negative concentration {r['concentration_ng_mL']}"),
        (conc.isna() & ~pk["blq"].astype(bool), "concentration_ng_mL",
         lambda r: "concentration missing but not marked BLQ"),
    ]
    for mask, column, message in checks:
        if mask.any():
            idx = int(np.flatnonzero(mask.to_numpy())[0])
            row = pk.iloc[idx]
            origin, src_row = _row_origin(row, file)
            raise InputError(origin, message(row), row=src_row if src_row is not None else idx + 2,
                             column=column, animal=row["animal_id"])
    dup = pk.duplicated(PROFILE_KEYS + ["time_h"], keep="first")
    if dup.any():
        idx = int(np.flatnonzero(dup.to_numpy())[0])
        row = pk.iloc[idx]
        origin, src_row = _row_origin(row, file)
        first = pk[(pk[PROFILE_KEYS + ["time_h"]] == row[PROFILE_KEYS + ["time_h"]]).all(axis=1)].iloc[0]
        _, first_row = _row_origin(first, file)
        raise InputError(origin, f"time point {row['time_h']} h duplicated within the profile "
                         f"({row['analyte']}, {row['route']} {row['dose_mg_kg']} mg/kg; first at row {first_row})",
                         row=src_row if src_row is not None else idx + 2, column="time_h",
                         animal=row["animal_id"])


# --------------------------------------------------------------------------
# Profile-level rules, one small function each
# --------------------------------------------------------------------------

def apply_blq_rules(time, conc, blq, first="zero", middle="drop", last="drop"):
    """Apply the BLQ rules to one profile sorted by time.

    *conc* is NaN where *blq* is True. BLQ samples before the first
    quantifiable sample follow *first*, those between quantifiable samples
    *middle*, those after the last quantifiable sample *last*; each rule is
    ``zero`` (keep as 0) or ``drop``. Defaults are PKNCA's (first zero,
    middle drop; last drop, equivalent to PKNCA's keep for AUClast).

    Returns ``(time, conc, n_middle_dropped)``; a profile with no
    quantifiable sample returns empty arrays.
    """
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    blq = np.asarray(blq, bool)
    quantifiable = np.flatnonzero(~blq)
    if quantifiable.size == 0:
        return np.array([]), np.array([]), 0
    first_q, last_q = quantifiable[0], quantifiable[-1]
    position = np.arange(time.size)
    rule = np.where(position < first_q, first, np.where(position > last_q, last, middle))
    keep = ~blq | (rule == "zero")
    out = np.where(blq, 0.0, conc)
    n_middle_dropped = int(np.sum(blq & (rule == "drop") & (position > first_q) & (position < last_q)))
    return time[keep], out[keep], n_middle_dropped


def back_extrapolate_c0(time, conc):
    """C0 for an IV bolus from post-dose samples (*time* > 0, sorted).

    PKNCA ``logslope``: when the first two points decline and are both
    > 0, C0 = C1 * (C1/C2) ** (t1 / (t2 - t1)) (log-linear back to t = 0).
    Otherwise PKNCA ``c1``: C0 = first observation. Returns
    ``(c0, method)`` with method ``log_linear`` or ``first_observation``
    (``none`` and NaN without post-dose samples).
    """
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    if time.size == 0:
        return float("nan"), "none"
    if time.size >= 2 and conc[0] > conc[1] > 0:
        t1, t2 = time[0], time[1]
        return float(conc[0] * (conc[0] / conc[1]) ** (t1 / (t2 - t1))), "log_linear"
    return float(conc[0]), "first_observation"


def add_time_zero(time, conc, route):
    """Return ``(time, conc, c0, flags)`` with a t = 0 point in place.

    Extravascular routes: C = 0 inserted at t = 0 unless t = 0 was sampled;
    a quantifiable (> 0) t = 0 sample is kept and flagged
    ``predose_nonzero``. IV bolus: a quantifiable t = 0 sample is used as C0
    (flag ``c0_observed_at_t0``); otherwise any t = 0 zero is replaced by C0
    from :func:`back_extrapolate_c0` (flag ``c0_first_observation`` when
    log-linear back-extrapolation was not possible).
    """
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    flags = []
    has_zero = time.size > 0 and time[0] == 0
    if route in EXTRAVASCULAR_ROUTES:
        if has_zero:
            if conc[0] > 0:
                flags.append("predose_nonzero")
            return time, conc, float(conc[0]), flags
        return np.r_[0.0, time], np.r_[0.0, conc], 0.0, flags
    if has_zero and conc[0] > 0:
        flags.append("c0_observed_at_t0")
        return time, conc, float(conc[0]), flags
    if has_zero:
        time, conc = time[1:], conc[1:]
    c0, method = back_extrapolate_c0(time, conc)
    if method == "first_observation":
        flags.append("c0_first_observation")
    if method == "none":
        return time, conc, c0, flags
    return np.r_[0.0, time], np.r_[c0, conc], c0, flags


def _is_log_segment(c1, c2, method):
    return method == "lin_up_log_down" and c2 < c1 and c1 > 0 and c2 > 0


def auc_segments(time, conc, method="lin_up_log_down"):
    """Area of each trapezoid between consecutive samples (ng*h/mL).

    Linear: dt * (C1 + C2) / 2. Log (only with ``lin_up_log_down`` on a
    declining segment with both C > 0): dt * (C1 - C2) / ln(C1 / C2).
    """
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    areas = []
    for t1, t2, c1, c2 in zip(time[:-1], time[1:], conc[:-1], conc[1:]):
        dt = t2 - t1
        if _is_log_segment(c1, c2, method):
            areas.append(dt * (c1 - c2) / math.log(c1 / c2))
        else:
            areas.append(dt * (c1 + c2) / 2.0)
    return np.asarray(areas, float)


def aumc_segments(time, conc, method="lin_up_log_down"):
    """First-moment area (t*C) of each segment (ng*h^2/mL).

    Linear: dt * (t1*C1 + t2*C2) / 2. Log segment (same condition as
    :func:`auc_segments`), exact for C = C1*exp(-k(t - t1)), L = ln(C1/C2):
    dt*(t1*C1 - t2*C2)/L + dt^2*(C1 - C2)/L^2.
    """
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    areas = []
    for t1, t2, c1, c2 in zip(time[:-1], time[1:], conc[:-1], conc[1:]):
        dt = t2 - t1
        if _is_log_segment(c1, c2, method):
            log_ratio = math.log(c1 / c2)
            areas.append(dt * (t1 * c1 - t2 * c2) / log_ratio + dt ** 2 * (c1 - c2) / log_ratio ** 2)
        else:
            areas.append(dt * (t1 * c1 + t2 * c2) / 2.0)
    return np.asarray(areas, float)


def auc_to_tlast(time, conc, method="lin_up_log_down"):
    """AUClast: the segments summed from the first point to Tlast (the last
    concentration > 0); trailing zeros (BLQ kept as 0) add nothing."""
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    positive = np.flatnonzero(conc > 0)
    if positive.size == 0:
        return float("nan")
    stop = positive[-1] + 1
    return float(np.sum(auc_segments(time[:stop], conc[:stop], method)))


def aumc_to_tlast(time, conc, method="lin_up_log_down"):
    """AUMClast, the first-moment analogue of :func:`auc_to_tlast`."""
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    positive = np.flatnonzero(conc > 0)
    if positive.size == 0:
        return float("nan")
    stop = positive[-1] + 1
    return float(np.sum(aumc_segments(time[:stop], conc[:stop], method)))


def adjusted_r2(r2, n):
    """Adjusted R² of a straight-line fit: 1 - (1 - R²)(n - 1)/(n - 2)."""
    return 1.0 - (1.0 - r2) * (n - 1) / (n - 2)


def _loglinear_fit(time, conc):
    slope, intercept, r, _, _ = stats.linregress(time, np.log(conc))
    return -slope, intercept, r * r


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
        return math.log(2) / self.lambda_z if self.lambda_z > 0 else float("nan")

    @property
    def span_ratio(self):
        if self.n_points == 0:
            return float("nan")
        return float((self.times[-1] - self.times[0]) / self.half_life)


def fit_lambda_z(time, conc, tmax, min_points=3, tolerance=1e-4):
    """Select the terminal phase and estimate λz (1/h).

    Candidates: observed concentrations > 0 strictly after *tmax* (Cmax
    excluded) up to Tlast. Fits of ln(C) on t over the last 3, 4, ...
    candidates (at least *min_points*); fits with λz <= 0 or an undefined
    R² are discarded; of the rest the best adjusted R² wins, and any fit
    within *tolerance* (1e-4) of it with more points is preferred (PKNCA
    ``adj.r.squared.factor``). Returns a :class:`LambdaZFit`; without an
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


# --------------------------------------------------------------------------
# One profile
# --------------------------------------------------------------------------

@dataclass
class ProfileResult:
    """NCA of one profile: the output row plus the points for diagnostics."""
    row: dict
    time: np.ndarray
    conc: np.ndarray
    fit: LambdaZFit


def _nan_row():
    return {c: float("nan") for c in NCA_COLUMNS if c not in {"animal_id", "species", "route",
                                                            "dose_mg_kg", "analyte", "flags"}}


def _below(value, limit):
    """value < limit beyond floating-point round-off, so a span ratio of
    exactly 2 computed as 1.9999999999 is not flagged."""
    return value < limit - 1e-9 * max(1.0, abs(limit))


def nca_profile(time, conc, blq, route, dose_mg_kg, settings=None, extra_flags=(), metabolite=False):
    """NCA of one profile (animal x analyte x route x dose).

    Applies, in order: BLQ rules (:func:`apply_blq_rules`), time zero
    (:func:`add_time_zero`), Cmax/Tmax/Clast/Tlast from observed samples,
    AUClast/AUMClast with ``settings['auc_method']``, λz
    (:func:`fit_lambda_z`), then AUCinf(obs) = AUClast + Clast/λz,
    %extrap = 100*(AUCinf - AUClast)/AUCinf, AUMCinf, MRT = AUMCinf/AUCinf,
    t½ = ln2/λz, CL (CL/F) = 1000*dose/AUCinf [L/h/kg], Vz (Vz/F) = CL/λz
    [L/kg]. λz-dependent values are NaN (never invented) when λz is not
    estimable. Flags (';'-joined): ``no_quantifiable_sample``,
    ``blq_middle_dropped(n=k)``, ``predose_nonzero``, ``c0_observed_at_t0``,
    ``c0_first_observation``, ``lambda_z_not_estimable(...)``,
    ``adj_r2<0.9``, ``span_ratio<2``, ``auc_pct_extrap>20`` (thresholds
    from settings), ``metabolite(no_CL_Vz)``.

    A *metabolite* is formed in the body, not dosed: whatever the route of
    the parent, its profile starts at C = 0 at t = 0 (the extravascular
    rule, never an IV back-extrapolated C0), and CL and Vz are left empty
    because the dose is the parent's. Returns a :class:`ProfileResult`.
    """
    s = pk_settings(settings)
    order = np.argsort(np.asarray(time, float), kind="stable")
    time = np.asarray(time, float)[order]
    conc = np.asarray(conc, float)[order]
    blq = np.asarray(blq, bool)[order]
    flags = list(extra_flags) + (["metabolite(no_CL_Vz)"] if metabolite else [])
    row = _nan_row()
    t_obs, c_obs, n_dropped = apply_blq_rules(time, conc, blq, s["blq_first"], s["blq_middle"], s["blq_last"])
    if t_obs.size == 0:
        flags.append("no_quantifiable_sample")
        row["flags"] = ";".join(flags)
        return ProfileResult(row, t_obs, c_obs, LambdaZFit(reason="no_quantifiable_sample"))
    if n_dropped:
        flags.append(f"blq_middle_dropped(n={n_dropped})")

    imax = int(np.argmax(c_obs))  # argmax returns the first maximum (first Tmax on ties)
    positive = np.flatnonzero(c_obs > 0)
    row.update(cmax_ng_mL=c_obs[imax], tmax_h=t_obs[imax],
               clast_ng_mL=c_obs[positive[-1]], tlast_h=t_obs[positive[-1]])

    t_all, c_all, c0, zero_flags = add_time_zero(t_obs, c_obs, "po" if metabolite else route)
    flags += zero_flags
    row["c0_ng_mL"] = c0
    auc_last = auc_to_tlast(t_all, c_all, s["auc_method"])
    aumc_last = aumc_to_tlast(t_all, c_all, s["auc_method"])
    row["auc_last_ng_h_mL"] = auc_last

    fit = fit_lambda_z(t_obs, c_obs, row["tmax_h"], int(s["min_lambda_z_points"]), s["adj_r2_tolerance"])
    if fit.n_points == 0:
        flags.append(fit.reason)
    else:
        lam, clast, tlast = fit.lambda_z, row["clast_ng_mL"], row["tlast_h"]
        auc_inf = auc_last + clast / lam
        aumc_inf = aumc_last + clast * tlast / lam + clast / lam ** 2
        cl = CL_UNIT_FACTOR * dose_mg_kg / auc_inf
        row.update(lambda_z_per_h=lam, t_half_h=fit.half_life, lambda_z_n_points=fit.n_points,
                   lambda_z_adj_r2=fit.adj_r2, span_ratio=fit.span_ratio, auc_inf_ng_h_mL=auc_inf,
                   auc_pct_extrap=100.0 * (auc_inf - auc_last) / auc_inf, cl_L_h_kg=cl,
                   vz_L_kg=cl / lam, mrt_h=aumc_inf / auc_inf)
        if metabolite:
            row.update(cl_L_h_kg=float("nan"), vz_L_kg=float("nan"))
        if _below(fit.adj_r2, s["min_lambda_z_adj_r2"]):
            flags.append(f"adj_r2<{s['min_lambda_z_adj_r2']:g}")
        if _below(fit.span_ratio, s["min_span_ratio"]):
            flags.append(f"span_ratio<{s['min_span_ratio']:g}")
        if _below(s["max_auc_pct_extrap"], row["auc_pct_extrap"]):
            flags.append(f"auc_pct_extrap>{s['max_auc_pct_extrap']:g}")
    row["flags"] = ";".join(flags)
    return ProfileResult(row, t_obs, c_obs, fit)


# --------------------------------------------------------------------------
# Tables: serial and destructive designs
# --------------------------------------------------------------------------

def _prepare(pk: pd.DataFrame, file: str) -> pd.DataFrame:
    pk = pk.copy()
    pk["route"] = pk["route"].astype(str).str.strip().str.lower()
    pk["blq"] = pk["blq"].astype(bool)
    check_pk_table(pk, file)
    return pk.sort_values(PROFILE_KEYS + ["time_h"], kind="stable").reset_index(drop=True)


def is_destructive_group(group: pd.DataFrame) -> bool:
    """True when every animal of a route x dose x analyte group was sampled
    once and there are at least two sampling times (one sample per animal,
    the destructive or terminal-bleed design)."""
    per_animal = group.groupby("animal_id")["time_h"].size()
    return bool((per_animal == 1).all() and group["time_h"].nunique() >= 2)


def mean_profile(group: pd.DataFrame) -> pd.DataFrame:
    """Mean concentration per sampling time of a destructive group.

    BLQ samples count as 0 in the mean and SD (so the mean is not biased
    upward); a time where every sample is BLQ is BLQ in the mean profile.
    Columns: time_h, n, n_blq, mean, sd (ddof=1), blq.
    """
    g = group.assign(c=group["concentration_ng_mL"].where(~group["blq"], 0.0))
    out = g.groupby("time_h").agg(n=("c", "size"), n_blq=("blq", "sum"), mean=("c", "mean"),
                                  sd=("c", lambda x: x.std(ddof=1) if len(x) > 1 else float("nan")))
    out = out.reset_index()
    out["blq"] = out["n_blq"] == out["n"]
    out.loc[out["blq"], "mean"] = float("nan")
    return out


def bailer_auc(time, mean, sd, n):
    """Bailer's (1988) AUC(0-tlast) of a destructive design and its SE.

    AUC = sum(w_i * mean_i) with linear-trapezoid weights
    w_0 = (t_1 - t_0)/2, w_i = (t_{i+1} - t_{i-1})/2, w_m = (t_m - t_{m-1})/2;
    Var = sum(w_i^2 * s_i^2 / n_i) (animals independent across times).
    Degrees of freedom by Satterthwaite: Var^2 / sum((w_i^2 s_i^2/n_i)^2/(n_i - 1))
    (Nedelman & Jia 1998). Points with n_i = 1 or undefined SD contribute
    no variance. Returns ``(auc, se, df)``.
    """
    t = np.asarray(time, float)
    m = np.asarray(mean, float)
    s = np.nan_to_num(np.asarray(sd, float), nan=0.0)
    n = np.asarray(n, float)
    if t.size < 2:
        return float("nan"), float("nan"), float("nan")
    gaps = np.diff(t)
    w = (np.r_[0.0, gaps] + np.r_[gaps, 0.0]) / 2.0
    terms = np.where(n > 1, w ** 2 * s ** 2 / np.maximum(n, 1), 0.0)
    var = float(np.sum(terms))
    denom = float(np.sum(np.where(n > 1, terms ** 2 / np.maximum(n - 1, 1), 0.0)))
    df = var ** 2 / denom if denom > 0 else float("inf")
    return float(np.sum(w * m)), math.sqrt(var), df


def _group_row_keys(keys):
    return dict(zip(GROUP_KEYS, keys))


def _sampling_sd_and_n(mp, times, concs):
    """SD and n behind each mean-profile point; a point that is not a
    sampled mean (inserted t = 0, back-extrapolated C0) gets SD 0, n 1.
    An all-BLQ time kept as 0 has SD 0 (every sample is 0)."""
    by_time = mp.set_index("time_h")
    sds, ns = [], []
    for t, c in zip(times, concs):
        sampled = t in by_time.index
        observed = sampled and (by_time.at[t, "blq"] or c == by_time.at[t, "mean"])
        sds.append(0.0 if not observed or by_time.at[t, "blq"] else by_time.at[t, "sd"])
        ns.append(by_time.at[t, "n"] if observed else 1)
    return np.asarray(sds, float), np.asarray(ns, float)


def _destructive_result(group, keys, settings, metabolite=False):
    """NCA of a destructive group's mean profile, with Bailer's SE.

    Uses the linear trapezoid for AUC (PKNCA's sparse AUC and Bailer's SE
    are defined for it), whatever ``auc_method`` says. Extra output keys:
    ``bailer_se`` and ``bailer_df`` of AUClast.
    """
    mp = mean_profile(group)
    s = dict(pk_settings(settings), auc_method="linear")
    n_animals = group["animal_id"].nunique()
    flags = [f"destructive_design(mean_profile_of_{n_animals}_animals,linear_trapezoid)"]
    if (mp["n_blq"] > 0).any() and not mp["blq"].all():
        flags.append("blq_counted_as_zero_in_mean")
    result = nca_profile(mp["time_h"], mp["mean"], mp["blq"], keys["route"], keys["dose_mg_kg"], s, flags,
                         metabolite)
    se = df = float("nan")
    if result.time.size:
        # Same points as the NCA above (after BLQ rules and time zero), so
        # Bailer's AUC equals the reported AUClast; the inserted t = 0 point
        # (0 or a back-extrapolated C0) carries no sampling variance.
        t_all, c_all, _, _ = add_time_zero(result.time, result.conc, "po" if metabolite else keys["route"])
        sd, n = _sampling_sd_and_n(mp, t_all, c_all)
        keep = t_all <= result.row["tlast_h"]
        _, se, df = bailer_auc(t_all[keep], c_all[keep], sd[keep], n[keep])
    result.row.update(bailer_se=se, bailer_df=df, n_animals=n_animals)
    return result


def is_metabolite(analyte: str, parent: str | None) -> bool:
    """An analyte is a metabolite when a parent (the dosed compound, e.g.
    study.yaml ``compound``) is named and the analyte's name differs from it
    (case-insensitive). Without a parent every analyte counts as dosed."""
    return parent is not None and str(analyte).strip().lower() != str(parent).strip().lower()


def nca_results(pk: pd.DataFrame, config: dict | None = None, file: str = "pk table",
                parent: str | None = None):
    """NCA of every profile of a validated PK table.

    Serial designs give one row per animal x analyte x route x dose;
    destructive groups (:func:`is_destructive_group`) give one row on the
    mean profile with ``animal_id = 'mean_profile'``. Analytes other than
    *parent* are metabolites (:func:`is_metabolite`, :func:`nca_profile`).
    Returns a list of ``(keys, ProfileResult)`` sorted by species, analyte,
    route, dose, animal. Bad input raises :class:`InputError`
    (:func:`check_pk_table`).
    """
    pk = _prepare(pk, file)
    settings = pk_settings(config)
    results = []
    for gkeys, group in pk.groupby(GROUP_KEYS, sort=True):
        keys = _group_row_keys(gkeys)
        metabolite = is_metabolite(keys["analyte"], parent)
        if is_destructive_group(group):
            results.append((dict(keys, animal_id=MEAN_PROFILE_ID),
                            _destructive_result(group, keys, settings, metabolite)))
            continue
        for animal, prof in group.groupby("animal_id", sort=True):
            res = nca_profile(prof["time_h"], prof["concentration_ng_mL"], prof["blq"],
                              keys["route"], keys["dose_mg_kg"], settings, metabolite=metabolite)
            results.append((dict(keys, animal_id=animal), res))
    return results


def _nca_frame(results) -> pd.DataFrame:
    rows = [dict(keys, **{k: v for k, v in res.row.items() if k in NCA_COLUMNS}) for keys, res in results]
    table = pd.DataFrame(rows, columns=NCA_COLUMNS)
    table["lambda_z_n_points"] = table["lambda_z_n_points"].astype("Int64")
    return table


def _points_frame(results) -> pd.DataFrame:
    rows = []
    for keys, res in results:
        used = set(np.round(res.fit.times, 12))
        for t, c in zip(res.time, res.conc):
            rows.append(dict(keys, time_h=t, concentration_ng_mL=c, used_in_lambda_z=round(t, 12) in used,
                             lambda_z_per_h=res.fit.lambda_z, lambda_z_intercept=res.fit.intercept))
    return pd.DataFrame(rows, columns=LAMBDA_Z_POINT_COLUMNS)


SPARSE_COLUMNS = GROUP_KEYS + ["n_animals", "auc_last_ng_h_mL", "auc_last_se", "auc_last_df"]


def _sparse_frame(results) -> pd.DataFrame:
    rows = [{**{k: keys[k] for k in GROUP_KEYS}, "n_animals": res.row["n_animals"],
             "auc_last_ng_h_mL": res.row["auc_last_ng_h_mL"], "auc_last_se": res.row["bailer_se"],
             "auc_last_df": res.row["bailer_df"]}
            for keys, res in results if keys["animal_id"] == MEAN_PROFILE_ID]
    return pd.DataFrame(rows, columns=SPARSE_COLUMNS)


def nca_table(pk: pd.DataFrame, config: dict | None = None, file: str = "pk table",
              parent: str | None = None) -> pd.DataFrame:
    """The ``nca.csv`` table (columns :data:`NCA_COLUMNS`), one row per
    profile; see :func:`nca_profile` for every rule and flag."""
    return _nca_frame(nca_results(pk, config, file, parent))


def lambda_z_points(pk: pd.DataFrame, config: dict | None = None, file: str = "pk table",
                    parent: str | None = None) -> pd.DataFrame:
    """Concentrations after BLQ handling (before the t = 0 insertion) per
    profile, with ``used_in_lambda_z`` marking the terminal-phase points and
    the fit's λz and intercept (ln scale) repeated per row; the data behind
    the λz diagnostic plot (columns :data:`LAMBDA_Z_POINT_COLUMNS`)."""
    return _points_frame(nca_results(pk, config, file, parent))


def sparse_auc_table(pk: pd.DataFrame, config: dict | None = None, file: str = "pk table",
                     parent: str | None = None) -> pd.DataFrame:
    """Bailer AUClast, SE and Satterthwaite df per destructive group
    (columns :data:`SPARSE_COLUMNS`); empty for serial designs."""
    return _sparse_frame(nca_results(pk, config, file, parent))


def nca_outputs(pk: pd.DataFrame, config: dict | None = None, file: str = "pk table",
                parent: str | None = None):
    """``(nca_table, lambda_z_points, sparse_auc_table)`` from one pass."""
    results = nca_results(pk, config, file, parent)
    return _nca_frame(results), _points_frame(results), _sparse_frame(results)


# --------------------------------------------------------------------------
# Group summaries
# --------------------------------------------------------------------------

# parameter -> (unit, statistic); PKNCA's summary conventions: geometric mean
# and geometric CV for exposure and clearance-type parameters, median and
# range for Tmax, arithmetic mean and SD for t½ and %extrapolated.
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


def geometric_mean(values) -> float:
    """exp(mean(ln x)) over finite x > 0; NaN when there are none."""
    x = np.asarray(values, float)
    x = x[np.isfinite(x) & (x > 0)]
    return float(np.exp(np.mean(np.log(x)))) if x.size else float("nan")


def geometric_cv_pct(values) -> float:
    """Geometric CV% = 100 * sqrt(exp(s^2) - 1), s = SD (ddof=1) of ln x;
    NaN with fewer than two positive values."""
    x = np.asarray(values, float)
    x = x[np.isfinite(x) & (x > 0)]
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
        keys = _group_row_keys(gkeys)
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
            rows.append(dict(keys, design="destructive" if destructive else "serial", parameter=param,
                             unit=unit, statistic=stat, n=n, n_profiles=len(group), value=value,
                             spread_statistic=spread_stat, spread=spread, minimum=lo, maximum=hi))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


# --------------------------------------------------------------------------
# Confidence intervals for ratios
# --------------------------------------------------------------------------

def fieller_ci(num, var_num, den, var_den, df, level=0.95):
    """Fieller's CI for the ratio num/den of two independent estimates.

    Solves (num - r*den)^2 = t^2 (var_num + r^2 var_den) for r, with t the
    two-sided *level* quantile of Student's t on *df* degrees of freedom
    (normal when df is infinite). Returns ``(ratio, low, high)``; the
    bounds are NaN when den is not significantly different from 0
    (den^2 <= t^2 var_den), where the Fieller set is unbounded.
    """
    ratio = num / den
    tq = stats.norm.ppf(0.5 + level / 2) if math.isinf(df) else stats.t.ppf(0.5 + level / 2, df)
    a = den ** 2 - tq ** 2 * var_den
    b = -2.0 * num * den
    c = num ** 2 - tq ** 2 * var_num
    disc = b * b - 4 * a * c
    if a <= 0 or disc < 0:
        return ratio, float("nan"), float("nan")
    root = math.sqrt(disc)
    return ratio, (-b - root) / (2 * a), (-b + root) / (2 * a)


def satterthwaite_df(terms, dfs):
    """Satterthwaite df of a sum of variance terms: (sum v)^2 / sum(v^2/df)."""
    total = sum(terms)
    denom = sum(v * v / d for v, d in zip(terms, dfs) if not math.isinf(d) and d > 0)
    return total ** 2 / denom if denom > 0 else float("inf")


def bootstrap_ratio_ci(test, reference, n_boot=2000, seed=20261129, level=0.95):
    """Percentile bootstrap CI of mean(test)/mean(reference), resampling
    animals with replacement within each group independently, with
    ``numpy.random.default_rng(seed)``. Returns ``(ratio, low, high)``
    where ratio is the ratio of the observed means."""
    test = np.asarray(test, float)
    reference = np.asarray(reference, float)
    rng = np.random.default_rng(seed)
    t_idx = rng.integers(0, test.size, size=(n_boot, test.size))
    r_idx = rng.integers(0, reference.size, size=(n_boot, reference.size))
    ratios = test[t_idx].mean(axis=1) / reference[r_idx].mean(axis=1)
    alpha = (1 - level) / 2
    low, high = np.quantile(ratios, [alpha, 1 - alpha])
    return float(test.mean() / reference.mean()), float(low), float(high)


def crossover_ci(test, reference, level=0.95):
    """Crossover (paired) F: geometric mean of per-animal ratios with a
    t-interval on the mean log ratio, df = n - 1. *test* and *reference*
    are dose-normalised exposures of the same animals in the same order.
    Returns ``(ratio, low, high)``; bounds NaN with fewer than 2 pairs."""
    d = np.log(np.asarray(test, float)) - np.log(np.asarray(reference, float))
    mean = float(np.mean(d))
    if d.size < 2:
        return math.exp(mean), float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, d.size - 1) * np.std(d, ddof=1) / math.sqrt(d.size)
    return math.exp(mean), math.exp(mean - half), math.exp(mean + half)


# --------------------------------------------------------------------------
# Bioavailability
# --------------------------------------------------------------------------

def _choose_auc(test, reference, max_extrap):
    """AUCinf when every profile of both groups has one with %extrap within
    the limit, otherwise AUClast for both (same metric on both sides)."""
    both = pd.concat([test, reference])
    ok = both["auc_inf_ng_h_mL"].notna() & (both["auc_pct_extrap"] <= max_extrap)
    return ("auc_inf_ng_h_mL", "AUCinf") if ok.all() else ("auc_last_ng_h_mL", "AUClast")


def _group_estimate(group, column, sparse, keys):
    """Mean dose-normalised AUC of a group, its variance and df."""
    if (group["animal_id"] == MEAN_PROFILE_ID).all():
        match = sparse[(sparse[GROUP_KEYS] == pd.Series(keys)).all(axis=1)] if len(sparse) else sparse
        value = float(group[column].iloc[0]) / keys["dose_mg_kg"]
        if column != "auc_last_ng_h_mL" or not len(match):
            return value, float("nan"), float("nan"), 1
        se = float(match["auc_last_se"].iloc[0]) / keys["dose_mg_kg"]
        return value, se ** 2, float(match["auc_last_df"].iloc[0]), int(match["n_animals"].iloc[0])
    x = (group[column] / group["dose_mg_kg"]).to_numpy(float)
    n = x.size
    var = float(np.var(x, ddof=1)) / n if n > 1 else float("nan")
    return float(np.mean(x)), var, float(n - 1), n


def bioavailability_table(nca: pd.DataFrame, config: dict | None = None,
                          sparse: pd.DataFrame | None = None) -> pd.DataFrame:
    """Absolute bioavailability F = (AUC_test/Dose_test)/(AUC_iv/Dose_iv).

    One row per species-matched analyte x extravascular route x dose x IV
    reference dose (columns :data:`BIOAVAILABILITY_COLUMNS`). AUC metric:
    AUCinf when all profiles of both groups have an acceptable one
    (%extrap <= max_auc_pct_extrap), else AUClast. Design:

    * crossover, when animals appear in both groups: per-animal log ratio
      of dose-normalised AUCs, t-interval (:func:`crossover_ci`), over the
      paired animals only;
    * parallel groups: ratio of mean dose-normalised AUCs with Fieller's
      CI (default; variances of the means, Satterthwaite df on
      var_test + F² var_ref) or a seeded percentile bootstrap over animals
      (``f_ci_method: bootstrap``). Destructive groups enter with Bailer's
      SE and df (Fieller only; AUClast).

    Profiles without a quantifiable sample are left out of both groups
    (counts in ``n_test``/``n_reference`` are the profiles used); when a
    group has none, F is NaN and ``method`` says the analyte was not
    detected. For a metabolite the value is the route ratio of
    dose-normalised metabolite exposure, not the metabolite's own F.
    """
    s = pk_settings(config)
    sparse = sparse if sparse is not None else pd.DataFrame(columns=GROUP_KEYS)
    rows = []
    iv = nca[nca["route"].isin(IV_ROUTES)]
    ev = nca[nca["route"].isin(EXTRAVASCULAR_ROUTES)]
    for (species, analyte, route, dose), test_all in ev.groupby(GROUP_KEYS, sort=True):
        refs = iv[(iv["species"] == species) & (iv["analyte"] == analyte)]
        for ref_dose, ref_all in refs.groupby("dose_mg_kg", sort=True):
            base = dict(analyte=analyte, route=route, dose_mg_kg=dose, reference_route="iv",
                        reference_dose_mg_kg=ref_dose)
            test = test_all[test_all["auc_last_ng_h_mL"].notna()]
            ref = ref_all[ref_all["auc_last_ng_h_mL"].notna()]
            if test.empty or ref.empty:
                which = "either group" if test.empty and ref.empty else \
                    ("the test group" if test.empty else "the reference group")
                rows.append(dict(base, f=float("nan"), f_ci_low=float("nan"), f_ci_high=float("nan"),
                                 method=f"not estimable: {analyte} not detected in {which}",
                                 n_test=len(test), n_reference=len(ref)))
                continue
            rows.append(dict(base, **_f_estimate(test, ref, s, sparse, (species, analyte, route, dose, ref_dose))))
    return pd.DataFrame(rows, columns=BIOAVAILABILITY_COLUMNS)


def _f_estimate(test, ref, s, sparse, ids):
    species, analyte, route, dose, ref_dose = ids
    level = s["ci_level"]
    paired = sorted(set(test["animal_id"]) & set(ref["animal_id"]) - {MEAN_PROFILE_ID})
    column, label = _choose_auc(test, ref, s["max_auc_pct_extrap"])
    if paired:
        t = test.set_index("animal_id").loc[paired]
        r = ref.set_index("animal_id").loc[paired]
        column, label = _choose_auc(t, r, s["max_auc_pct_extrap"])
        f, lo, hi = crossover_ci(t[column] / dose, r[column] / ref_dose, level)
        note = "" if len(paired) == len(test) == len(ref) else "; unpaired animals excluded"
        return dict(f=f, f_ci_low=lo, f_ci_high=hi, n_test=len(paired), n_reference=len(paired),
                    method=f"crossover: {label}, geometric mean of per-animal dose-normalised ratios, "
                           f"{level:.0%} t-interval of mean log ratio (df={len(paired) - 1}){note}")
    destructive = (test["animal_id"] == MEAN_PROFILE_ID).all() or (ref["animal_id"] == MEAN_PROFILE_ID).all()
    if destructive:
        column, label = "auc_last_ng_h_mL", "AUClast"
    tkeys = dict(species=species, analyte=analyte, route=route, dose_mg_kg=dose)
    rkeys = dict(species=species, analyte=analyte, route="iv", dose_mg_kg=ref_dose)
    a, va, dfa, na = _group_estimate(test, column, sparse, tkeys)
    b, vb, dfb, nb = _group_estimate(ref, column, sparse, rkeys)
    if s["f_ci_method"] == "bootstrap" and not destructive:
        f, lo, hi = bootstrap_ratio_ci((test[column] / dose).to_numpy(), (ref[column] / ref_dose).to_numpy(),
                                       int(s["bootstrap_samples"]), int(s["seed"]), level)
        method = (f"parallel groups: {label}, ratio of mean dose-normalised AUCs, {level:.0%} percentile "
                  f"bootstrap over animals ({int(s['bootstrap_samples'])} resamples, seed {int(s['seed'])})")
        return dict(f=f, f_ci_low=lo, f_ci_high=hi, method=method, n_test=na, n_reference=nb)
    ratio = a / b
    df = satterthwaite_df([va, ratio ** 2 * vb], [dfa, dfb]) if np.isfinite(va + vb) else float("nan")
    if np.isfinite(df):
        f, lo, hi = fieller_ci(a, va, b, vb, df, level)
    else:
        f, lo, hi = ratio, float("nan"), float("nan")
    method = (f"parallel groups: {label}, ratio of mean dose-normalised AUCs, {level:.0%} Fieller CI "
              f"(Satterthwaite df={df:.1f})")
    if destructive:
        method += "; destructive design: Bailer SE of mean-profile AUClast"
        if s["f_ci_method"] == "bootstrap":
            method += " (bootstrap not available for destructive designs)"
    if np.isfinite(df) and math.isnan(lo):
        method += "; CI unbounded (reference AUC not distinguishable from 0)"
    return dict(f=f, f_ci_low=lo, f_ci_high=hi, method=method, n_test=na, n_reference=nb)


# --------------------------------------------------------------------------
# Dose proportionality, metabolites, detectability
# --------------------------------------------------------------------------

def power_model(doses, values, level=0.95):
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


def dose_proportionality_table(nca: pd.DataFrame, config: dict | None = None) -> pd.DataFrame:
    """Power-model dose proportionality per species x analyte x
    extravascular route, for AUClast, AUCinf and Cmax, over every profile
    with a value when there are at least two distinct doses. The slope's CI
    containing 1 reads "consistent with dose proportionality", otherwise
    "more than proportional" (CI above 1) or "less than proportional".
    For AUClast a caution is added when the median Tlast differs between
    doses (low doses drop below the LLOQ sooner, biasing the slope upward).
    Destructive groups contribute their single mean-profile value.
    """
    level = pk_settings(config)["ci_level"]
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
            rows.append(dict(species=species, analyte=analyte, route=route, parameter=param,
                             doses_mg_kg=";".join(f"{d:g}" for d in doses), n_doses=len(doses),
                             n_animals=len(g), slope=slope, slope_ci_low=lo, slope_ci_high=hi,
                             conclusion=conclusion,
                             method=f"power model ln({param}) = a + b ln(dose), OLS over profiles, "
                                    f"{level:.0%} t-interval (df = n - 2)"))
    return pd.DataFrame(rows, columns=DOSE_PROPORTIONALITY_COLUMNS)


def _detection_label(n_quantifiable, n_total):
    if n_quantifiable == 0:
        return "not detected"
    return "detected" if n_quantifiable == n_total else "partially detected"


def detectability_table(pk: pd.DataFrame, file: str = "pk table") -> pd.DataFrame:
    """Per species x analyte: animals and samples quantifiable, highest
    concentration and LLOQ (min-max when it varies). An analyte BLQ
    throughout is "not detected" (not zero exposure); quantifiable in some
    animals only is "partially detected"."""
    pk = _prepare(pk, file)
    rows = []
    for (species, analyte), g in pk.groupby(["species", "analyte"], sort=True):
        per_animal = g.groupby("animal_id")["blq"].apply(lambda b: (~b).any())
        lloq_lo, lloq_hi = g["lloq_ng_mL"].min(), g["lloq_ng_mL"].max()
        lloq = f"{lloq_lo:g}" if lloq_lo == lloq_hi else f"{lloq_lo:g}-{lloq_hi:g}"
        rows.append(dict(species=species, analyte=analyte, n_animals=len(per_animal),
                         n_animals_quantifiable=int(per_animal.sum()), n_samples=len(g),
                         n_samples_quantifiable=int((~g["blq"]).sum()),
                         max_concentration_ng_mL=g["concentration_ng_mL"].max(), lloq_ng_mL=lloq,
                         detection=_detection_label(int(per_animal.sum()), len(per_animal))))
    return pd.DataFrame(rows, columns=DETECTABILITY_COLUMNS)


def metabolite_table(nca: pd.DataFrame, parent: str = "mirtazapine") -> pd.DataFrame:
    """Metabolite-to-parent AUClast ratios and detection per group.

    One row per species x analyte (metabolites and parent) x route x dose.
    The ratio is AUClast(metabolite)/AUClast(parent) of the same animal
    (mass concentrations, ng/mL, not molar; same sampling window), then the
    geometric mean, geometric CV% and range over animals with both
    quantifiable. ``detection`` is "not detected" when no profile of the
    group has a quantifiable sample, and then the ratio is empty, never 0.
    The parent's own row carries its detection and no ratio. The parent is
    matched case-insensitively; if absent, ratios are empty.
    """
    rows = []
    parent_rows = nca[nca["analyte"].str.lower() == parent.lower()]
    parent_name = parent_rows["analyte"].iloc[0] if len(parent_rows) else parent
    for gkeys, g in nca.groupby(GROUP_KEYS, sort=True):
        keys = _group_row_keys(gkeys)
        quantifiable = g["auc_last_ng_h_mL"].notna()
        is_parent = keys["analyte"].lower() == parent.lower()
        ratios = np.array([])
        if not is_parent:
            p = parent_rows[(parent_rows["species"] == keys["species"]) & (parent_rows["route"] == keys["route"])
                            & (parent_rows["dose_mg_kg"] == keys["dose_mg_kg"])]
            joined = g.merge(p[["animal_id", "auc_last_ng_h_mL"]], on="animal_id", suffixes=("", "_parent"))
            ratio = joined["auc_last_ng_h_mL"] / joined["auc_last_ng_h_mL_parent"]
            ratios = ratio[np.isfinite(ratio) & (ratio > 0)].to_numpy()
        rows.append(dict(keys, parent=parent_name, n_animals=len(g),
                         n_animals_quantifiable=int(quantifiable.sum()),
                         detection=_detection_label(int(quantifiable.sum()), len(g)),
                         ratio_basis="parent" if is_parent else "AUClast metabolite / AUClast parent (ng/mL basis), per animal",
                         n_ratio=int(ratios.size), ratio_geometric_mean=geometric_mean(ratios),
                         ratio_geo_cv_pct=geometric_cv_pct(ratios),
                         ratio_min=float(ratios.min()) if ratios.size else float("nan"),
                         ratio_max=float(ratios.max()) if ratios.size else float("nan")))
    return pd.DataFrame(rows, columns=METABOLITE_COLUMNS)


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------

def _group_label(route, dose):
    return f"{route.upper()} {dose:g} mg/kg"


def plot_concentration_time(pk: pd.DataFrame, file: str = "pk table"):
    """Semilog concentration-time figure: one panel per analyte; per route x
    dose the mean ± SD at each time where at least half of the samples are
    quantifiable (BLQ counted as 0 in that mean; the lower error bar is cut
    at 5% of the mean on the log axis), individual profiles faint
    (quantifiable samples only), the LLOQ as a dashed line. An analyte BLQ throughout is labelled
    "not detected (all samples BLQ)". Returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    pk = _prepare(pk, file)
    analytes = sorted(pk["analyte"].unique())
    fig, axes = plt.subplots(1, len(analytes), figsize=(4.8 * len(analytes), 4.2), squeeze=False, sharex=True)
    groups = sorted({(sp, r, d) for sp, r, d in zip(pk["species"], pk["route"], pk["dose_mg_kg"])})
    colours = {g: plt.cm.tab10(i % 10) for i, g in enumerate(groups)}
    several_species = pk["species"].nunique() > 1
    for ax, analyte in zip(axes[0], analytes):
        data = pk[pk["analyte"] == analyte]
        for (species, route, dose), g in data.groupby(["species", "route", "dose_mg_kg"], sort=True):
            colour = colours[(species, route, dose)]
            label = (f"{species} " if several_species else "") + _group_label(route, dose)
            for _, prof in g[~g["blq"]].groupby("animal_id"):
                ax.plot(prof["time_h"], prof["concentration_ng_mL"], color=colour, alpha=0.2, lw=0.8,
                        marker="." if len(prof) == 1 else None)
            c = g["concentration_ng_mL"].where(~g["blq"], 0.0)
            stats_t = c.groupby(g["time_h"]).agg(["mean", "std"])
            stats_t["quantifiable"] = (~g["blq"]).groupby(g["time_h"]).mean()
            stats_t = stats_t[(stats_t["quantifiable"] >= 0.5) & (stats_t["mean"] > 0)].reset_index()
            if len(stats_t):
                lower = np.minimum(stats_t["std"].fillna(0), stats_t["mean"] * 0.95)
                ax.errorbar(stats_t["time_h"], stats_t["mean"], yerr=[lower, stats_t["std"].fillna(0)],
                            color=colour, marker="o", ms=4, capsize=2, lw=1.5, label=label)
        for lloq in sorted(data["lloq_ng_mL"].unique()):
            ax.axhline(lloq, color="grey", ls="--", lw=1)
        ax.set_yscale("log")
        if (~data["blq"]).any():
            ax.text(0.99, 0.01, "dashed: LLOQ", transform=ax.transAxes, ha="right", va="bottom", fontsize=7,
                    color="grey")
            ax.legend(fontsize=7, loc="upper right")
        else:
            lloq = float(data["lloq_ng_mL"].min())
            ax.set_ylim(lloq / 10, lloq * 10)
            ax.set_xlim(0, float(pk["time_h"].max()) * 1.05)
            ax.text(0.5, 0.6, "not detected\n(all samples BLQ)", transform=ax.transAxes, ha="center",
                    va="center", fontsize=10)
            ax.text(0.99, 0.01, "dashed: LLOQ", transform=ax.transAxes, ha="right", va="bottom", fontsize=7,
                    color="grey")
        ax.set_title(analyte)
        ax.set_xlabel("Time (h)")
        ax.set_ylabel("Concentration (ng/mL)")
    fig.tight_layout()
    return fig


def plot_lambda_z_diagnostics(points: pd.DataFrame, nca: pd.DataFrame, ncols: int = 6):
    """Small multiples, one per profile with a quantifiable sample: ln-scale
    concentrations after BLQ handling (open circles), the points used for
    λz filled, the fitted line over them, and λz, adjusted R², n and flags
    in the panel title. Profiles without a quantifiable sample are counted
    in the figure title, not drawn. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    keys = PROFILE_KEYS
    profiles = [k for k, _ in points.groupby(keys, sort=True)] if len(points) else []
    n_empty = int(nca["flags"].fillna("").str.contains("no_quantifiable_sample").sum())
    n = max(len(profiles), 1)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.8 * ncols, 2.4 * nrows), squeeze=False)
    for ax in axes.flat[len(profiles):]:
        ax.axis("off")
    for ax, key in zip(axes.flat, profiles):
        prof = points[(points[keys] == pd.Series(dict(zip(keys, key)))).all(axis=1)]
        row = nca[(nca[keys] == pd.Series(dict(zip(keys, key)))).all(axis=1)].iloc[0]
        positive = prof[prof["concentration_ng_mL"] > 0]
        ax.scatter(positive["time_h"], positive["concentration_ng_mL"], facecolors="none", edgecolors="k", s=14)
        used = positive[positive["used_in_lambda_z"]]
        ax.scatter(used["time_h"], used["concentration_ng_mL"], color="tab:red", s=16, zorder=3)
        if len(used):
            lam, icpt = used["lambda_z_per_h"].iloc[0], used["lambda_z_intercept"].iloc[0]
            tt = np.linspace(used["time_h"].min(), used["time_h"].max(), 20)
            ax.plot(tt, np.exp(icpt - lam * tt), color="tab:red", lw=1)
            text = f"λz={lam:.3g}/h, adjR²={row['lambda_z_adj_r2']:.3f}, n={int(row['lambda_z_n_points'])}"
        else:
            text = "λz not estimable"
        ax.set_yscale("log")
        ax.yaxis.set_minor_formatter(plt.NullFormatter())
        species, animal, analyte, route, dose = key
        ax.set_title(f"{animal} {analyte}\n{route.upper()} {dose:g} mg/kg; {text}", fontsize=6)
        ax.tick_params(labelsize=6)
        if row["flags"]:
            ax.text(0.02, 0.02, str(row["flags"]).replace(";", "\n"), transform=ax.transAxes, fontsize=5,
                    va="bottom", color="tab:orange")
    title = "λz diagnostics: filled red = points used for λz; time (h) vs concentration (ng/mL, log)"
    if n_empty:
        title += f"\n{n_empty} profile(s) without a quantifiable sample not shown"
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig
