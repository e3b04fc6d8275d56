"""Human exposure at each clinical dose, the human rows of ``exposure.csv``
(columns :data:`scripts.translation.exposure.EXPOSURE_COLUMNS`).

* Single dose: scaled linearly from the reference single dose (linear PK
  over the reference's linear dose range; doses outside it are flagged).
* Steady state with dosing interval tau (``dosing_interval_h``): the profile
  of :mod:`scripts.translation.human_pk` at the reference t1/2 value when its
  table is given (AUCtau,ss, Cmax,ss, Cavg,ss, Cmin,ss: the same profile as
  the occupancy time course and the human dose); without it,
  AUC(0-tau, ss) = AUCinf(single dose), R = 1 / (1 - exp(-k tau)),
  k = ln 2 / t1/2, Cmax,ss = R x Cmax(single dose),
  Cavg,ss = AUC(0-tau, ss) / tau.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.translation.exposure import EXPOSURE_COLUMNS, _add_unbound, accumulation_factor
from scripts.translation.human_pk import central_rows
from scripts.translation.reference import ref_range, ref_value


def human_auc_per_mg(reference) -> float:
    """Single-dose AUCinf per mg of the reference (linear PK)."""
    exposure = reference["single_dose_exposure"]
    return ref_value(exposure, "auc_inf_ng_h_mL") / float(exposure["dose_mg"])


def human_exposure(reference, doses_mg, fu, fu_source, tau_h, steady=None) -> pd.DataFrame:
    """Human exposure at each clinical dose, single dose and steady state
    (columns :data:`EXPOSURE_COLUMNS`): linear scaling from the reference
    single dose; steady state with R = 1/(1 - exp(-k tau)) from the
    reference t1/2 (its ``value``); Cavg,ss = AUCinf(single) / tau. Doses
    outside the reference's linear range are flagged. *steady* (the table
    of :func:`scripts.translation.human_pk.human_steady_state`) replaces
    the steady-state values by the one-compartment superposition model at
    the reference t1/2 value."""
    exposure = reference["single_dose_exposure"]
    ref_dose = float(exposure["dose_mg"])
    auc_ref = ref_value(exposure, "auc_inf_ng_h_mL")
    cmax_ref = ref_value(exposure, "cmax_ng_mL")
    t_half = ref_value(reference, "t_half_h")
    t_low, t_high = ref_range(reference, "t_half_h")
    r = accumulation_factor(t_half, tau_h)
    lin_low, lin_high = (
        ref_range(reference, "linear_pk_dose_range_mg")
        if "linear_pk_dose_range_mg" in reference
        else (ref_dose, ref_dose)
    )
    rows = []
    for dose in doses_mg:
        dose = float(dose)
        scale = dose / ref_dose
        flags = []
        beyond = max(dose / lin_high, lin_low / dose, 1.0)
        if beyond > 1:
            flags.append(f"outside the linear range {lin_low:g}-{lin_high:g} mg")
        base = {
            "species": "human",
            "dose": dose,
            "dose_unit": "mg",
            "route": "po",
            "n": np.nan,
            "auc_metric": "AUCinf",
            "fu": fu,
            "fu_source": fu_source,
            "t_half_h": t_half,
            "dosing_interval_h": tau_h,
            "flags": "; ".join(flags),
            "source": f"human reference, scaled from {ref_dose:g} mg single dose",
            "extrapolated": beyond > 1,
            "extrapolation_factor": beyond,
            "basis_time_h": float("nan"),
        }
        rows.append(
            dict(
                base,
                state="single_dose",
                auc_ng_h_mL=auc_ref * scale,
                cmax_ng_mL=cmax_ref * scale,
                c_avg_ng_mL=auc_ref * scale / tau_h,
                accumulation_factor=1.0,
                note="Cavg = AUCinf / tau (average over one dosing interval once at steady state)",
            )
        )
        rows.append(
            dict(
                base,
                state="steady_state",
                auc_ng_h_mL=auc_ref * scale,
                cmax_ng_mL=cmax_ref * scale * r,
                c_avg_ng_mL=auc_ref * scale / tau_h,
                accumulation_factor=r,
                note=(
                    f"AUC(0-tau,ss) = AUCinf(single); Cmax,ss = R x Cmax; R from t1/2 "
                    f"{t_half:g} h (labelled range {t_low:g}-{t_high:g} h gives R "
                    f"{accumulation_factor(t_low, tau_h):.3g}-"
                    f"{accumulation_factor(t_high, tau_h):.3g})"
                ),
            )
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=EXPOSURE_COLUMNS)
    if steady is not None and len(steady):
        out = _model_steady_state(out, steady)
    return _add_unbound(out)


def _model_steady_state(out: pd.DataFrame, steady: pd.DataFrame) -> pd.DataFrame:
    """Steady-state rows from the superposition model (reference t1/2
    value): AUCtau,ss, Cmax,ss, Cav,ss and the accumulation ratio."""
    out = out.copy()
    central = central_rows(steady)
    for i, r in out[out["state"] == "steady_state"].iterrows():
        m = central[np.isclose(central["dose_mg"].astype(float), float(r["dose"]))]
        if m.empty:
            continue
        m = m.iloc[0]
        out.loc[i, "auc_metric"] = "AUCtau,ss"
        out.loc[i, "auc_ng_h_mL"] = float(m["auc_tau_ss_ng_h_mL"])
        out.loc[i, "cmax_ng_mL"] = float(m["cmax_ss_ng_mL"])
        out.loc[i, "c_avg_ng_mL"] = float(m["cav_ss_ng_mL"])
        out.loc[i, "cmin_ng_mL"] = float(m["cmin_ss_ng_mL"])
        out.loc[i, "t_half_h"] = float(m["t_half_h"])
        out.loc[i, "accumulation_factor"] = float(m["accumulation_ratio"])
        kind = str(m.get("model", "one-compartment"))
        out.loc[i, "source"] = f"{kind} model, superposition (human_steady_state.csv)"
        flags = [f for f in (str(r["flags"] or ""), str(m["flags"] or "")) if f and f != "nan"]
        out.loc[i, "flags"] = "; ".join(flags)
        out.loc[i, "note"] = (
            f"steady state by superposition of a {kind} model (CL/F {float(m['cl_f_L_h']):.3g} L/h, "
            f"V/F {float(m['v_f_L']):.4g} L, ka {float(m['ka_per_h']):.3g} /h) at t1/2 {float(m['t_half_h']):.3g} h; "
            f"Cmin,ss: {m['cmin_ss_source']}; values over the reference t1/2 range in human_steady_state.csv"
        )
    return out
