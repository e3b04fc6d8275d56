"""Human concentration-time at steady state: ONE profile per clinical dose
and half-life, from which every human steady-state value is read
(Cmax,ss, Cmin,ss, Cav,ss, AUCtau,ss here; the occupancy time course of
:mod:`scripts.translation.occupancy_time` and the human dose of
:mod:`scripts.translation.dose_prediction` through :func:`row_model`).

One-compartment model with first-order absorption (apparent, oral; F is
folded into CL/F and V/F), steady state by superposition of an infinite
train of doses (closed forms in :mod:`scripts.translation.human_model`).
What the model honours, from the human reference:

* AUC fixes CL/F (``human_pk_one_compartment.cl_f_L_h``, else
  dose / AUCinf of ``single_dose_exposure``), so AUCtau,ss = D / (CL/F)
  and Cav,ss = AUCtau,ss / tau whatever the half-life.
* t1/2 fixes k and, with CL/F, V/F = (CL/F) / k. Every value is given over
  the reference t1/2 (``t_half_h``: its value and its range), not at one
  half-life.
* Tmax fixes ka (``human_pk_one_compartment.ka_per_h``, else solved from
  tmax = ln(ka/k) / (ka - k) with the reference Tmax).

Where the reference gives a ``human_pk_two_compartment`` block (CL/F, V1/F,
Q/F, V2/F, ka, each with its source), a two-compartment model
(:mod:`scripts.translation.human_model`) is used instead (config
``translation.human_pk_model``); its terminal t1/2 follows from its
parameters, so it gives one row per dose.

The one-compartment model does NOT honour the reported single-dose Cmax
when the drug has a distribution phase: the predicted Cmax is compared with
the reference Cmax and the difference is flagged beyond
``translation.human_cmax_tolerance``. Where the reference gives a
therapeutic-drug-monitoring concentration-to-dose ratio
(``tdm_steady_state.concentration_to_dose_ng_mL_per_mg_day``) and
``translation.human_cmin_ss_source`` asks for it, the whole profile is
calibrated to that trough: every clearance and volume (the apparent CL/F
and V/F of patients) is divided by one factor per half-life, the model
trough over the TDM value, with the same k and ka. Cmin,ss then equals the
TDM value and Cmin,ss <= Cav,ss <= Cmax,ss and AUCtau,ss = Cav,ss x tau =
D / (calibrated CL/F) hold by construction. ``cmin_ss_source``, the
``tdm_calibration_factor`` and the note say so. Units: dose mg, volume L,
clearance L/h, concentration ng/mL (mg/L x 1000), time h.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.translation.human_model import ONE, TWO, HumanModel, ka_from_tmax
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
    "model",
    "q_f_L_h",
    "v2_f_L",
    "tdm_calibration_factor",
    "cl_f_uncalibrated_L_h",
    "v_f_uncalibrated_L",
]


# --------------------------------------------------------------------------
# Parameters from the human reference
# --------------------------------------------------------------------------


def _tmax_reference(reference) -> float:
    exposure = reference.get("single_dose_exposure") or {}
    if "tmax_h" in exposure:
        return ref_value(exposure, "tmax_h")
    return ref_value(reference, "tmax_h") if "tmax_h" in reference else float("nan")


TWO_COMPARTMENT_KEYS = ("cl_f_L_h", "v1_f_L", "q_f_L_h", "v2_f_L", "ka_per_h")


def two_compartment_model(reference: dict) -> HumanModel | None:
    """The model of the reference's ``human_pk_two_compartment`` block, None
    without a complete block."""
    block = (reference or {}).get("human_pk_two_compartment") or {}
    if not all(key in block for key in TWO_COMPARTMENT_KEYS):
        return None
    cl, v1, q, v2, ka = (ref_value(block, key) for key in TWO_COMPARTMENT_KEYS)
    return HumanModel(TWO, cl, v1, ka, q, v2)


def model_parameters(reference: dict, kind: str) -> dict:
    """The human model(s) and where each value came from: ``models`` (list
    of (t1/2, basis, HumanModel or None when no ka can be had)),
    ``cl_f_L_h``, ``ka_per_h`` (NaN when it follows from Tmax at each
    half-life), ``tmax_h``, ``t_halves`` (list of (t1/2, basis)),
    ``reference_dose_mg``, ``reference_cmax_ng_mL``, ``sources`` (text).
    *kind*: ``auto`` (two compartments where the reference gives them),
    ``one_compartment`` or ``two_compartment`` (config
    ``translation.human_pk_model``)."""
    exposure = reference["single_dose_exposure"]
    ref_dose = float(exposure["dose_mg"])
    out = {
        "tmax_h": _tmax_reference(reference),
        "reference_dose_mg": ref_dose,
        "reference_cmax_ng_mL": ref_value(exposure, "cmax_ng_mL"),
    }
    two = two_compartment_model(reference) if kind != "one_compartment" else None
    if kind == "two_compartment" and two is None:
        keys = ", ".join(TWO_COMPARTMENT_KEYS)
        raise ValueError(f"human_pk_model two_compartment: no complete human_pk_two_compartment ({keys})")
    if two is not None:
        basis = "reference value (terminal t1/2 of the two-compartment model)"
        return dict(
            out,
            models=[(two.t_half_h, basis, two)],
            cl_f_L_h=two.cl_f_L_h,
            ka_per_h=two.ka_per_h,
            t_halves=[(two.t_half_h, basis)],
            sources="CL/F, V1/F, Q/F, V2/F and ka from human_pk_two_compartment",
        )
    block = reference.get("human_pk_one_compartment") or {}
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
    out = dict(
        out,
        cl_f_L_h=cl_f,
        ka_per_h=ka,
        t_halves=t_halves,
        sources=f"{cl_src}; V/F = (CL/F) / k at each t1/2; {ka_src}",
    )
    models = []
    for t_half, basis in t_halves:
        cl, v, ka_t = parameters_at(out, t_half)
        models.append((t_half, basis, HumanModel(ONE, cl, v, ka_t) if math.isfinite(ka_t) else None))
    out["models"] = models
    return out


def tdm_per_mg(reference: dict) -> float:
    """Steady-state concentration per mg/day from therapeutic drug
    monitoring in the reference, NaN when not given."""
    tdm = (reference or {}).get("tdm_steady_state") or {}
    if "concentration_to_dose_ng_mL_per_mg_day" not in tdm:
        return float("nan")
    return ref_value(tdm, "concentration_to_dose_ng_mL_per_mg_day")


def parameters_at(params: dict, t_half_h: float) -> tuple:
    """(CL/F, V/F, ka) of the one-compartment model at one half-life."""
    k = math.log(2.0) / t_half_h
    ka = params["ka_per_h"] if math.isfinite(params["ka_per_h"]) else ka_from_tmax(params["tmax_h"], k)
    return params["cl_f_L_h"], params["cl_f_L_h"] / k, ka


def _central(params: dict) -> tuple:
    for entry in params["models"]:
        if "reference value" in entry[1]:
            return entry
    return params["models"][0]


def cmax_check(params: dict, tolerance: float) -> dict:
    """Predicted single-dose Cmax at the reference dose and the reference
    half-life value against the reference Cmax: ratio and whether it lies
    within 1 +/- *tolerance*."""
    model = _central(params)[2]
    predicted = float("nan") if model is None else model.single_dose_peak(params["reference_dose_mg"])[1]
    reference = params["reference_cmax_ng_mL"]
    ratio = predicted / reference if reference else float("nan")
    ok = bool(math.isfinite(ratio) and abs(ratio - 1.0) <= tolerance)
    return {"predicted": predicted, "reference": reference, "ratio": ratio, "ok": ok}


def calibration_factor(model: HumanModel, per_mg: float, tau_h: float) -> float:
    """Factor (TDM trough / model trough, both per mg/day) that scales the
    whole profile so its trough equals the TDM value."""
    return per_mg / float(model.steady_state(0.0, 1.0, tau_h))


def _cmax_flag(check, params, tolerance, kind) -> str:
    if not math.isfinite(check["predicted"]):
        return (
            "the reference gives neither ka nor a Tmax the model can honour: Cmax,ss and Cmin,ss are not "
            "computed (AUCtau,ss and Cav,ss need only CL/F)"
        )
    if check["ok"]:
        return ""
    text = (
        f"{kind} model predicts single-dose Cmax {check['predicted']:.3g} ng/mL at "
        f"{params['reference_dose_mg']:g} mg vs reference {check['reference']:.3g} ng/mL "
        f"(ratio {check['ratio']:.2f}, tolerance {tolerance:g})"
    )
    return text + (": Cmax,ss is under-predicted" if check["ratio"] < 1 else "")


def human_steady_state(reference: dict, doses_mg, tau_h, fu, cfg: dict) -> tuple:
    """(table, warnings): the human steady state per clinical dose x
    reference half-life (columns :data:`HUMAN_STEADY_STATE_COLUMNS`) and a
    list of warning texts. *cfg* is the config ``translation`` section
    (``human_cmax_tolerance``, ``human_cmin_ss_source``,
    ``human_pk_model``). ``cl_f_L_h``, ``v_f_L`` (V1/F for two
    compartments), ``q_f_L_h``, ``v2_f_L`` and ``ka_per_h`` are the
    parameters of the profile every value comes from (calibrated to the TDM
    trough where used; the single-dose reference's in the
    ``*_uncalibrated`` columns); ``cmax_single_predicted_ng_mL`` and
    ``cmin_ss_model_ng_mL`` are those of the uncalibrated model."""
    params = model_parameters(reference, str(cfg["human_pk_model"]))
    tolerance = float(cfg["human_cmax_tolerance"])
    check = cmax_check(params, tolerance)
    kind = _central(params)[2].kind if _central(params)[2] is not None else ONE
    flags = _cmax_flag(check, params, tolerance, kind)
    warnings = [flags] if flags else []
    per_mg = tdm_per_mg(reference)
    source = str(cfg["human_cmin_ss_source"])
    use_tdm = math.isfinite(per_mg) and (source == "tdm" or (source == "auto" and not check["ok"]))
    rows = []
    for dose in (float(d) for d in doses_mg):
        for t_half, basis, model in params["models"]:
            rows.append(_row(dose, tau_h, t_half, basis, model, params, check, per_mg, use_tdm, fu, flags))
    out = pd.DataFrame(rows, columns=HUMAN_STEADY_STATE_COLUMNS)
    for total in ("cmax_ss", "cmin_ss", "cav_ss"):
        out[f"{total}_unbound_ng_mL"] = out[f"{total}_ng_mL"].astype(float) * float(fu)
    return out, warnings


def _row(dose, tau_h, t_half, basis, model, params, check, per_mg, use_tdm, fu, flags) -> dict:
    nan = float("nan")
    cl = params["cl_f_L_h"] if model is None else model.cl_f_L_h
    auc = dose / cl * 1000.0
    reference_cmax = check["reference"] * dose / params["reference_dose_mg"]
    tdm = per_mg * dose if math.isfinite(per_mg) else nan
    row = {
        "dose_mg": dose,
        "dosing_interval_h": tau_h,
        "t_half_h": t_half,
        "t_half_basis": basis,
        "cl_f_L_h": cl,
        "v_f_L": cl / (math.log(2.0) / t_half) if model is None else model.v_f_L,
        "ka_per_h": nan if model is None else model.ka_per_h,
        "cmax_single_predicted_ng_mL": nan,
        "cmax_single_reference_ng_mL": reference_cmax,
        "cmax_single_ratio": nan,
        "cmax_ss_ng_mL": nan,
        "tmax_ss_h": nan,
        "cmin_ss_ng_mL": nan,
        "cmin_ss_source": "not computed (no ka)",
        "cmin_ss_model_ng_mL": nan,
        "cmin_ss_tdm_ng_mL": tdm,
        "cav_ss_ng_mL": auc / tau_h,
        "auc_tau_ss_ng_h_mL": auc,
        "accumulation_ratio": 1.0 / (1.0 - math.exp(-math.log(2.0) / t_half * tau_h)),
        "fu": fu,
        "flags": flags,
        "note": params["sources"],
        "model": ONE if model is None else model.kind,
        "q_f_L_h": nan if model is None else model.q_f_L_h,
        "v2_f_L": nan if model is None else model.v2_f_L,
        "tdm_calibration_factor": 1.0,
        "cl_f_uncalibrated_L_h": cl,
        "v_f_uncalibrated_L": nan,
    }
    if model is None:
        return row
    single = model.single_dose_peak(dose)[1]
    row.update(
        cmax_single_predicted_ng_mL=single,
        cmax_single_ratio=single / reference_cmax,
        cmin_ss_model_ng_mL=float(model.steady_state(0.0, dose, tau_h)),
        v_f_uncalibrated_L=model.v_f_L,
        cmin_ss_source=f"{model.kind} model (trough at the end of the interval)",
    )
    if use_tdm:
        factor = calibration_factor(model, per_mg, tau_h)
        model = model.scaled(factor)
        row.update(
            tdm_calibration_factor=factor,
            cl_f_L_h=model.cl_f_L_h,
            v_f_L=model.v_f_L,
            q_f_L_h=model.q_f_L_h,
            v2_f_L=model.v2_f_L,
            cmin_ss_source=(
                f"{model.kind} model calibrated to the therapeutic-drug-monitoring trough "
                "(reference concentration/dose x dose)"
            ),
            note=(
                f"{params['sources']}; profile calibrated to the TDM trough: every clearance and volume "
                f"divided by {factor:.3g} (patients' apparent CL/F {model.cl_f_L_h:.3g} L/h), same k and ka"
            ),
        )
    m = model.steady_state_metrics(dose, tau_h)
    row.update({key: m[key] for key in ("cmax_ss_ng_mL", "tmax_ss_h", "cmin_ss_ng_mL", "cav_ss_ng_mL")})
    row["auc_tau_ss_ng_h_mL"] = m["auc_tau_ss_ng_h_mL"]
    return row


def central_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows at the reference half-life value (one per dose)."""
    return table[table["t_half_basis"].astype(str).str.contains("reference value")]


def row_model(row) -> HumanModel:
    """The model of one row of the steady-state table: the profile every
    human steady-state value of that row comes from."""
    kind = str(row.get("model", ONE)) if hasattr(row, "get") else ONE
    kind = TWO if kind == TWO else ONE
    return HumanModel(
        kind,
        float(row["cl_f_L_h"]),
        float(row["v_f_L"]),
        float(row["ka_per_h"]),
        float(row.get("q_f_L_h", float("nan"))),
        float(row.get("v2_f_L", float("nan"))),
    )


def human_profile(row, times_h) -> np.ndarray:
    """Steady-state human concentration (ng/mL, total) at *times_h* after a
    dose, from one row of the steady-state table."""
    return row_model(row).steady_state(times_h, float(row["dose_mg"]), float(row["dosing_interval_h"]))
