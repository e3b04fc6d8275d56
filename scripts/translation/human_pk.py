"""Human concentration-time at steady state: a one-compartment model with
first-order absorption and elimination, and superposition of daily doses.

Model (apparent, oral; F is folded into CL/F and V/F):

    C1(t) = D / (V/F) * ka / (ka - k) * (exp(-k t) - exp(-ka t)),  k = CL/F / (V/F)

Steady state with dosing interval tau, by superposition of an infinite
train of doses (closed form, 0 <= t <= tau):

    Css(t) = D / (V/F) * ka / (ka - k) * (exp(-k t) / (1 - exp(-k tau))
                                          - exp(-ka t) / (1 - exp(-ka tau)))

What the model honours, from the human reference:

* AUC fixes CL/F (``human_pk_one_compartment.cl_f_L_h``, else
  dose / AUCinf of ``single_dose_exposure``), so AUCtau,ss = D / (CL/F)
  and Cav,ss = AUCtau,ss / tau whatever the half-life.
* t1/2 fixes k and, with CL/F, V/F = (CL/F) / k. Every value is given over
  the reference t1/2 (``t_half_h``: its value and its range), not at one
  half-life.
* Tmax fixes ka (``human_pk_one_compartment.ka_per_h``, else solved from
  tmax = ln(ka/k) / (ka - k) with the reference Tmax).

It does NOT honour the reported single-dose Cmax when the drug has a
distribution phase: the predicted Cmax is compared with the reference Cmax
and the difference is flagged beyond ``translation.human_cmax_tolerance``.
Where the model misses the reference Cmax and the reference gives a
therapeutic-drug-monitoring concentration-to-dose ratio
(``tdm_steady_state.concentration_to_dose_ng_mL_per_mg_day``), Cmin,ss can
be taken from it instead (``translation.human_cmin_ss_source``); the table
says which was used. Units: dose mg, volume L, clearance L/h,
concentration ng/mL (mg/L x 1000), time h.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from scripts.translation.reference import ref_range, ref_value

HUMAN_STEADY_STATE_COLUMNS = [
    "dose_mg",
    "dosing_interval_h",
    "t_half_h",
    "t_half_basis",
    "cl_f_L_h",
    "v_f_L",
    "ka_per_h",
    "cmax_single_predicted_ng_mL",
    "cmax_single_reference_ng_mL",
    "cmax_single_ratio",
    "cmax_ss_ng_mL",
    "tmax_ss_h",
    "cmin_ss_ng_mL",
    "cmin_ss_source",
    "cmin_ss_model_ng_mL",
    "cmin_ss_tdm_ng_mL",
    "cav_ss_ng_mL",
    "auc_tau_ss_ng_h_mL",
    "accumulation_ratio",
    "fu",
    "cmax_ss_unbound_ng_mL",
    "cmin_ss_unbound_ng_mL",
    "cav_ss_unbound_ng_mL",
    "flags",
    "note",
]


# --------------------------------------------------------------------------
# Closed forms
# --------------------------------------------------------------------------


def single_dose(t, dose_mg, cl_f_L_h, v_f_L, ka_per_h):
    """C1(t) in ng/mL after one oral dose at t = 0 (0 before the dose)."""
    t = np.asarray(t, float)
    k = cl_f_L_h / v_f_L
    scale = dose_mg / v_f_L * 1000.0
    tt = np.clip(t, 0.0, None)
    if math.isclose(ka_per_h, k, rel_tol=1e-9):
        c = scale * k * tt * np.exp(-k * tt)
    else:
        c = scale * ka_per_h / (ka_per_h - k) * (np.exp(-k * tt) - np.exp(-ka_per_h * tt))
    return np.where(t < 0, 0.0, c)


def superposition(t, dose_times_h, dose_mg, cl_f_L_h, v_f_L, ka_per_h):
    """Concentration at *t* after doses at *dose_times_h*: the sum of the
    single-dose curves shifted to each dose time (linear PK)."""
    t = np.asarray(t, float)
    return sum(single_dose(t - float(s), dose_mg, cl_f_L_h, v_f_L, ka_per_h) for s in dose_times_h)


def steady_state(t, dose_mg, tau_h, cl_f_L_h, v_f_L, ka_per_h):
    """Css(t) in ng/mL, closed form of the infinite dose train, t taken
    modulo tau (t = 0 is a dose time)."""
    t = np.mod(np.asarray(t, float), tau_h)
    k = cl_f_L_h / v_f_L
    scale = dose_mg / v_f_L * 1000.0
    ka = ka_per_h
    return (
        scale
        * ka
        / (ka - k)
        * (np.exp(-k * t) / (1.0 - np.exp(-k * tau_h)) - np.exp(-ka * t) / (1.0 - np.exp(-ka * tau_h)))
    )


def ka_from_tmax(tmax_h, k_per_h) -> float:
    """The absorption rate constant ka > k with tmax = ln(ka/k) / (ka - k)
    (single dose); NaN when no such ka exists (tmax >= 1/k)."""
    if not (tmax_h > 0 and tmax_h < 1.0 / k_per_h):
        return float("nan")

    def f(ka):
        return math.log(ka / k_per_h) / (ka - k_per_h) - tmax_h

    return brentq(f, k_per_h * (1 + 1e-9), 1e4)


def tmax_single(k_per_h, ka_per_h) -> float:
    return math.log(ka_per_h / k_per_h) / (ka_per_h - k_per_h)


def tmax_steady_state(k_per_h, ka_per_h, tau_h) -> float:
    """Time of the peak within a dosing interval at steady state."""
    num = ka_per_h * (1.0 - math.exp(-k_per_h * tau_h))
    den = k_per_h * (1.0 - math.exp(-ka_per_h * tau_h))
    return math.log(num / den) / (ka_per_h - k_per_h)


def steady_state_metrics(dose_mg, tau_h, cl_f_L_h, v_f_L, ka_per_h) -> dict:
    """Cmax,ss, Tmax,ss, Cmin,ss (the trough, at the end of the interval),
    Cav,ss and AUCtau,ss (= D / (CL/F)) of the model."""
    k = cl_f_L_h / v_f_L
    tmax = tmax_steady_state(k, ka_per_h, tau_h)
    auc = dose_mg / cl_f_L_h * 1000.0
    return {
        "cmax_ss_ng_mL": float(steady_state(tmax, dose_mg, tau_h, cl_f_L_h, v_f_L, ka_per_h)),
        "tmax_ss_h": tmax,
        "cmin_ss_ng_mL": float(steady_state(0.0, dose_mg, tau_h, cl_f_L_h, v_f_L, ka_per_h)),
        "auc_tau_ss_ng_h_mL": auc,
        "cav_ss_ng_mL": auc / tau_h,
    }


# --------------------------------------------------------------------------
# Parameters from the human reference
# --------------------------------------------------------------------------


def _tmax_reference(reference) -> float:
    exposure = reference.get("single_dose_exposure") or {}
    if "tmax_h" in exposure:
        return ref_value(exposure, "tmax_h")
    return ref_value(reference, "tmax_h") if "tmax_h" in reference else float("nan")


def model_parameters(reference: dict) -> dict:
    """CL/F, ka and the half-lives to use, with where each came from:
    ``cl_f_L_h``, ``ka_per_h`` (NaN when it follows from Tmax at each
    half-life), ``tmax_h``, ``t_halves`` (list of (t1/2, basis)),
    ``reference_dose_mg``, ``reference_cmax_ng_mL``, ``sources`` (text)."""
    exposure = reference["single_dose_exposure"]
    block = reference.get("human_pk_one_compartment") or {}
    ref_dose = float(exposure["dose_mg"])
    if "cl_f_L_h" in block:
        cl_f = ref_value(block, "cl_f_L_h")
        cl_src = "CL/F from human_pk_one_compartment"
    else:
        cl_f = ref_dose / ref_value(exposure, "auc_inf_ng_h_mL") * 1000.0
        cl_src = f"CL/F = {ref_dose:g} mg / AUCinf (single_dose_exposure)"
    ka = ref_value(block, "ka_per_h") if "ka_per_h" in block else float("nan")
    ka_src = "ka from human_pk_one_compartment" if math.isfinite(ka) else "ka solved from the reference Tmax"
    value = ref_value(reference, "t_half_h")
    low, high = ref_range(reference, "t_half_h")
    labels: dict = {}
    for t, label in ((value, "reference value"), (low, "range low"), (high, "range high")):
        if math.isfinite(t):
            labels.setdefault(float(t), []).append(label)
    t_halves = [(t, "; ".join(lab)) for t, lab in sorted(labels.items())]
    return {
        "cl_f_L_h": cl_f,
        "ka_per_h": ka,
        "tmax_h": _tmax_reference(reference),
        "t_halves": t_halves,
        "reference_dose_mg": ref_dose,
        "reference_cmax_ng_mL": ref_value(exposure, "cmax_ng_mL"),
        "sources": f"{cl_src}; V/F = (CL/F) / k at each t1/2; {ka_src}",
    }


def tdm_per_mg(reference: dict) -> float:
    """Steady-state concentration per mg/day from therapeutic drug
    monitoring in the reference, NaN when not given."""
    tdm = (reference or {}).get("tdm_steady_state") or {}
    if "concentration_to_dose_ng_mL_per_mg_day" not in tdm:
        return float("nan")
    return ref_value(tdm, "concentration_to_dose_ng_mL_per_mg_day")


def parameters_at(params: dict, t_half_h: float) -> tuple:
    """(CL/F, V/F, ka) of the model at one half-life."""
    k = math.log(2.0) / t_half_h
    ka = params["ka_per_h"] if math.isfinite(params["ka_per_h"]) else ka_from_tmax(params["tmax_h"], k)
    return params["cl_f_L_h"], params["cl_f_L_h"] / k, ka


def cmax_check(params: dict, tolerance: float) -> dict:
    """Predicted single-dose Cmax at the reference dose and the reference
    half-life value against the reference Cmax: ratio and whether it lies
    within 1 +/- *tolerance*."""
    cl, v, ka = parameters_at(params, _central(params))
    k = cl / v
    predicted = float(single_dose(tmax_single(k, ka), params["reference_dose_mg"], cl, v, ka))
    reference = params["reference_cmax_ng_mL"]
    ratio = predicted / reference if reference else float("nan")
    ok = bool(math.isfinite(ratio) and abs(ratio - 1.0) <= tolerance)
    return {"predicted": predicted, "reference": reference, "ratio": ratio, "ok": ok}


def _central(params: dict) -> float:
    for t, basis in params["t_halves"]:
        if "reference value" in basis:
            return t
    return params["t_halves"][0][0]


def human_steady_state(reference: dict, doses_mg, tau_h, fu, cfg: dict) -> tuple:
    """(table, warnings): the human steady state per clinical dose x
    reference half-life (columns :data:`HUMAN_STEADY_STATE_COLUMNS`) and a
    list of warning texts. *cfg* is the config ``translation`` section
    (``human_cmax_tolerance``, ``human_cmin_ss_source``)."""
    params = model_parameters(reference)
    tolerance = float(cfg["human_cmax_tolerance"])
    check = cmax_check(params, tolerance)
    warnings = []
    flags = ""
    if not math.isfinite(check["predicted"]):
        flags = (
            "the reference gives neither ka nor a Tmax the model can honour: Cmax,ss and the model "
            "Cmin,ss are not computed (AUCtau,ss and Cav,ss need only CL/F)"
        )
        warnings.append(flags)
    elif not check["ok"]:
        flags = (
            f"one-compartment model predicts single-dose Cmax {check['predicted']:.3g} ng/mL at "
            f"{params['reference_dose_mg']:g} mg vs reference {check['reference']:.3g} ng/mL "
            f"(ratio {check['ratio']:.2f}, tolerance {tolerance:g}): Cmax,ss is under-predicted"
            if check["ratio"] < 1
            else f"one-compartment model predicts single-dose Cmax {check['predicted']:.3g} ng/mL vs "
            f"reference {check['reference']:.3g} ng/mL (ratio {check['ratio']:.2f}, tolerance {tolerance:g})"
        )
        warnings.append(flags)
    per_mg = tdm_per_mg(reference)
    source = str(cfg["human_cmin_ss_source"])
    use_tdm = math.isfinite(per_mg) and (source == "tdm" or (source == "auto" and not check["ok"]))
    rows = []
    for dose in doses_mg:
        dose = float(dose)
        for t_half, basis in params["t_halves"]:
            cl, v, ka = parameters_at(params, t_half)
            m = steady_state_metrics(dose, tau_h, cl, v, ka)
            k = cl / v
            tdm = per_mg * dose if math.isfinite(per_mg) else float("nan")
            cmin = tdm if use_tdm else m["cmin_ss_ng_mL"]
            rows.append(
                {
                    "dose_mg": dose,
                    "dosing_interval_h": tau_h,
                    "t_half_h": t_half,
                    "t_half_basis": basis,
                    "cl_f_L_h": cl,
                    "v_f_L": v,
                    "ka_per_h": ka,
                    "cmax_single_predicted_ng_mL": float(single_dose(tmax_single(k, ka), dose, cl, v, ka)),
                    "cmax_single_reference_ng_mL": check["reference"] * dose / params["reference_dose_mg"],
                    "cmax_single_ratio": float(single_dose(tmax_single(k, ka), dose, cl, v, ka))
                    / (check["reference"] * dose / params["reference_dose_mg"]),
                    "cmax_ss_ng_mL": m["cmax_ss_ng_mL"],
                    "tmax_ss_h": m["tmax_ss_h"],
                    "cmin_ss_ng_mL": cmin,
                    "cmin_ss_source": (
                        "therapeutic drug monitoring (reference concentration/dose x dose)"
                        if use_tdm
                        else "one-compartment model (trough at the end of the interval)"
                    ),
                    "cmin_ss_model_ng_mL": m["cmin_ss_ng_mL"],
                    "cmin_ss_tdm_ng_mL": tdm,
                    "cav_ss_ng_mL": m["cav_ss_ng_mL"],
                    "auc_tau_ss_ng_h_mL": m["auc_tau_ss_ng_h_mL"],
                    "accumulation_ratio": 1.0 / (1.0 - math.exp(-k * tau_h)),
                    "fu": fu,
                    "flags": flags,
                    "note": params["sources"],
                }
            )
    out = pd.DataFrame(rows, columns=HUMAN_STEADY_STATE_COLUMNS)
    for total in ("cmax_ss", "cmin_ss", "cav_ss"):
        out[f"{total}_unbound_ng_mL"] = out[f"{total}_ng_mL"].astype(float) * float(fu)
    return out, warnings


def central_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows at the reference half-life value (one per dose)."""
    return table[table["t_half_basis"].astype(str).str.contains("reference value")]


def human_profile(reference: dict, dose_mg, tau_h, t_half_h, times_h) -> np.ndarray:
    """Steady-state human concentration (ng/mL, total) at *times_h* after a
    dose, at one half-life."""
    cl, v, ka = parameters_at(model_parameters(reference), t_half_h)
    return steady_state(times_h, dose_mg, tau_h, cl, v, ka)
