"""The human daily dose whose unbound steady-state exposure reaches a rat-
derived target, and the flag when the efficacious dose lies outside the
clinical dose range.

* Human exposure per mg/day from ``human_steady_state`` (linear in dose) at
  the basis ``translation.efficacy_basis`` (Cmin,ss by default, Cav,ss or
  Cmax,ss), unbound, in nM, times the human Kp,uu; the dose is given at the
  reference t1/2 value and over its range.
* Targets (unbound, brain-equivalent = unbound plasma x Kp,uu of the species):
  the rat EC50 of each fitted efficacy endpoint (CI from the EC50's CI;
  ``target_kind`` efficacy_ec50 only where the endpoint has an effective
  dose and the EC50 lies within 10-fold of the tested exposures, else
  ec50_no_effective_dose or ec50_not_identified (no dose given: blank), never flagged; with ``exposure_response_basis: auc`` the EC50 is an AUC and is
  matched to the human AUCtau,ss); the rat unbound exposure at the test
  time at the lowest effective dose of each efficacy test x regimen; 50% and
  80% occupancy of each receptor with the human Ki (Ki x o / (1 - o)).
* Clinical range: min-max of the study's clinical doses.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.translation.common import fmt, is_empty
from scripts.translation.effective import efficacy_directions
from scripts.translation.occupancy import ng_per_ml_to_nM
from scripts.translation.registry import Evidence, flag_row

DOSE_PREDICTION_COLUMNS = [
    "target",
    "basis",
    "human_dose_mg",
    "ci_low_mg",
    "ci_high_mg",
    "within_clinical_range",
    "target_kind",
    "test",
    "endpoint",
    "regimen",
    "receptor",
    "target_unbound_nM",
    "target_ci_low_nM",
    "target_ci_high_nM",
    "human_dose_t_half_low_mg",
    "human_dose_t_half_high_mg",
    "clinical_range_mg",
    "note",
]
FLAG_ID = "efficacious_exposure_outside_clinical"
T_PREDICTION = "translation/human_dose_prediction.csv"
EFFICACY_KINDS = ("efficacy_ec50", "lowest_effective_dose")


def human_per_mg(steady: pd.DataFrame, basis: str, mw: float, kp_human: float) -> dict:
    """Unbound brain-equivalent human exposure per mg/day at *basis*
    (nM, or nM*h for ``auc_tau_ss``) per half-life: {t_half_basis: value}."""
    out = {}
    to_nM = float(ng_per_ml_to_nM(1.0, mw))
    for _, r in steady.iterrows():
        if basis == "auc_tau_ss":
            value = float(r["auc_tau_ss_ng_h_mL"]) * float(r["fu"])
        else:
            value = float(r[f"{basis}_unbound_ng_mL"])
        out.setdefault(str(r["t_half_basis"]), value * to_nM * kp_human / float(r["dose_mg"]))
    return out


def _row(target, kind, basis, value, per_mg, clinical, ci=(np.nan, np.nan), **extra):
    central = next((v for k, v in per_mg.items() if "reference value" in k), next(iter(per_mg.values())))
    if kind == "ec50_not_identified":  # an EC50 the data do not identify gives no dose: blank
        central = np.nan
    dose = value / central if central > 0 else np.nan
    spread = [value / v for v in per_mg.values() if v > 0] if math.isfinite(central) else []
    low, high = clinical
    inside = bool(low <= dose <= high) if math.isfinite(dose) else None
    return {
        "target": target,
        "basis": basis,
        "human_dose_mg": dose,
        "ci_low_mg": ci[0] / central if math.isfinite(ci[0]) and central > 0 else np.nan,
        "ci_high_mg": ci[1] / central if math.isfinite(ci[1]) and central > 0 else np.nan,
        "within_clinical_range": inside,
        "target_kind": kind,
        "target_unbound_nM": value,
        "target_ci_low_nM": ci[0],
        "target_ci_high_nM": ci[1],
        "human_dose_t_half_low_mg": min(spread) if spread else np.nan,
        "human_dose_t_half_high_mg": max(spread) if spread else np.nan,
        "clinical_range_mg": f"{low:g}-{high:g}",
        **extra,
    }


def human_dose_prediction(
    fits, effective, at_test, steady, ki_used, study, cfg, mw, kp_rat, kp_human
) -> pd.DataFrame:
    """The prediction table (columns :data:`DOSE_PREDICTION_COLUMNS`)."""
    if is_empty(steady):
        return pd.DataFrame(columns=DOSE_PREDICTION_COLUMNS)
    basis = str(cfg["efficacy_basis"])
    auc = str(cfg["exposure_response_basis"]) == "auc"
    # the steady-state table is computed at the clinical doses (study.yaml or the reference)
    doses = [float(d) for d in steady["dose_mg"]]
    clinical = (min(doses), max(doses))
    per_mg = human_per_mg(steady, basis, mw, kp_human)
    efficacy = efficacy_directions(study.get("extra_tests"))
    effective_keys = set()
    if not is_empty(effective):
        effective_keys = set(zip(effective["test"], effective["endpoint"], effective["regimen"]))
    rows = []
    for _, f in (fits if not is_empty(fits) else pd.DataFrame(columns=["test"])).iterrows():
        if f["test"] not in efficacy or not str(f["status"]).startswith("fitted"):
            continue
        fit_basis = "auc_tau_ss" if auc else basis
        scale = human_per_mg(steady, fit_basis, mw, kp_human) if auc else per_mg
        if "not identified" in str(f["status"]):
            kind = "ec50_not_identified"
        elif (f["test"], f["endpoint"], f["regimen"]) not in effective_keys:
            kind = "ec50_no_effective_dose"
        else:
            kind = "efficacy_ec50"
        rows.append(
            _row(
                f"rat EC50 {f['test']} {f['endpoint']} {f['regimen']}",
                kind,
                fit_basis,
                float(f["ec50_nM"]) * kp_rat,
                scale,
                clinical,
                ci=(float(f["ec50_ci_low_nM"]) * kp_rat, float(f["ec50_ci_high_nM"]) * kp_rat),
                test=f["test"],
                endpoint=f["endpoint"],
                regimen=f["regimen"],
                note=(
                    "no dose: the EC50 is not identified (exposure-response status: " + f"{f['status']})"
                    if kind == "ec50_not_identified"
                    else f"exposure-response status: {f['status']}"
                ),
            )
        )
    if not is_empty(effective) and not is_empty(at_test):
        for (test, endpoint, regimen), g in effective.groupby(["test", "endpoint", "regimen"], sort=True):
            lowest = float(g["dose_mg_kg"].astype(float).min())
            exp = at_test[
                (at_test["test"] == test)
                & (at_test["regimen"] == regimen)
                & np.isclose(at_test["dose_mg_kg"].astype(float), lowest)
            ]
            if exp.empty or not pd.notna(exp["c_unbound_nM"].iloc[0]):
                continue
            e = exp.iloc[0]
            rows.append(
                _row(
                    f"rat unbound exposure at test, lowest effective dose {lowest:g} mg/kg ({test} {endpoint} {regimen})",
                    "lowest_effective_dose",
                    basis,
                    float(e["c_unbound_nM"]) * kp_rat,
                    per_mg,
                    clinical,
                    test=test,
                    endpoint=endpoint,
                    regimen=regimen,
                    note=f"rat exposure at {e['test_time_h']} h after the dose ({e['profile_source']})",
                )
            )
    human_ki = ki_used[ki_used["species"] == "human"] if not is_empty(ki_used) else pd.DataFrame()
    for _, k in human_ki.iterrows():
        for level in (float(x) for x in cfg["occupancy_thresholds"]):
            target = float(k["ki_nM"]) * level / (1.0 - level)
            rows.append(
                _row(
                    f"{round(100 * level)}% occupancy of {k['receptor']}",
                    "occupancy",
                    basis,
                    target,
                    per_mg,
                    clinical,
                    receptor=k["receptor"],
                    note=f"human Ki {fmt(float(k['ki_nM']))} nM ({k['source']})",
                )
            )
    return pd.DataFrame(rows, columns=DOSE_PREDICTION_COLUMNS)


def dose_prediction_flags(prediction: pd.DataFrame, clinical_doses_mg) -> list:
    """Flag rows (registry :mod:`scripts.translation.registry`):
    ``efficacious_exposure_outside_clinical`` when a predicted efficacious
    human dose (rat efficacy EC50 or exposure at the lowest effective dose)
    lies outside the clinical dose range, each number cited from
    ``human_dose_prediction.csv`` (keys target_kind, test, endpoint,
    regimen and basis). Severity medium
    (the human model rests on reference values that are not all confirmed;
    a dose far outside the range means the rat effect and the clinical
    effect need not be the same pharmacology)."""
    if is_empty(prediction):
        return []
    rows = prediction[prediction["target_kind"].isin(EFFICACY_KINDS)]
    outside = rows[rows["within_clinical_range"].astype(str) == "False"]
    if outside.empty:
        return []
    high = max(clinical_doses_mg)
    ev, parts = Evidence(), []
    for _, r in outside.iterrows():
        keys = {c: r[c] for c in ("target_kind", "test", "endpoint", "regimen", "basis")}
        dose = float(r["human_dose_mg"])
        ci = ""
        if math.isfinite(float(r["ci_low_mg"])) or math.isfinite(float(r["ci_high_mg"])):
            ci = (
                f" (95% CI {ev.cell(T_PREDICTION, keys, 'ci_low_mg', r['ci_low_mg'])}-"
                f"{ev.cell(T_PREDICTION, keys, 'ci_high_mg', r['ci_high_mg'])})"
            )
        side = "above" if dose > high else "below"
        parts.append(
            f"{ev.quote(T_PREDICTION, keys, 'target', r['target'])}: {ev.cell(T_PREDICTION, keys, 'target_unbound_nM', r['target_unbound_nM'])} nM unbound -> "
            f"{ev.cell(T_PREDICTION, keys, 'human_dose_mg', dose)} mg/day{ci} at {r['basis']}, {side} the clinical "
            f"{ev.quote(T_PREDICTION, keys, 'clinical_range_mg', r['clinical_range_mg'])} mg/day"
        )
    recommendation = (
        "The rat effect needs a human exposure outside the clinical dose range: check whether the rat "
        "effect and the clinical effect share the same pharmacology (receptor occupancy at test time, "
        "exposure basis), and test doses giving clinically relevant unbound exposures."
    )
    return [flag_row(FLAG_ID, "medium", "; ".join(parts), recommendation, ev)]
