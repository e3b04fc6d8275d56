"""Rat exposure, the columns of ``exposure.csv`` and rat/human exposure ratios.

* Units: rat dose mg/kg, human dose mg (per day), concentration ng/mL,
  AUC ng*h/mL, time h. Unbound = total x fu.
* Rat exposure per behaviourally tested dose x route: the NCA group of the
  parent at the same species (rat), route and dose when it exists (geometric
  mean over animals of AUCinf when every profile has an acceptable one, i.e.
  %extrapolated <= config ``pk.max_auc_pct_extrap``, else AUClast; geometric
  mean Cmax); inside the measured dose range, the power model through the
  bracketing doses; outside it, an extrapolation (``extrapolated``, with the
  ``extrapolation_factor`` and the range the slope's CI implies); see
  :func:`rat_exposure`.
* Human exposure at each clinical dose: :mod:`scripts.translation.human_exposure`.
* Rat concentrations for comparison: Cmax of the single dose (what an acute
  test sees) and Cavg = AUC / tau (tau = the same dosing interval).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.translation.common import compound_rows, geometric_mean, is_empty, species_rows

EXPOSURE_COLUMNS = [
    "species",
    "dose",
    "dose_unit",
    "route",
    "state",
    "source",
    "n",
    "auc_metric",
    "auc_ng_h_mL",
    "cmax_ng_mL",
    "c_avg_ng_mL",
    "fu",
    "fu_source",
    "auc_unbound_ng_h_mL",
    "cmax_unbound_ng_mL",
    "c_avg_unbound_ng_mL",
    "t_half_h",
    "accumulation_factor",
    "dosing_interval_h",
    "flags",
    "note",
    "extrapolated",
    "extrapolation_factor",
    "basis_time_h",
    "cmin_ng_mL",
    "cmin_unbound_ng_mL",
]
EXPOSURE_RATIO_COLUMNS = [
    "rat_dose_mg_kg",
    "route",
    "human_dose_mg",
    "human_state",
    "auc_ratio",
    "auc_unbound_ratio",
    "cmax_ratio",
    "cmax_unbound_ratio",
    "rat_auc_metric",
    "human_auc_metric",
]

# --------------------------------------------------------------------------
# Closed forms
# --------------------------------------------------------------------------


def elimination_rate(t_half_h) -> float:
    """k = ln 2 / t1/2 (1/h)."""
    return math.log(2.0) / float(t_half_h)


def accumulation_factor(t_half_h, tau_h) -> float:
    """R = 1 / (1 - exp(-k tau)), k = ln 2 / t1/2: steady-state over
    single-dose concentration at the same time after a dose (one
    compartment, first-order elimination)."""
    return 1.0 / (1.0 - math.exp(-elimination_rate(t_half_h) * float(tau_h)))


# --------------------------------------------------------------------------
# Rat exposure
# --------------------------------------------------------------------------


def parent_nca_groups(nca, compound, max_auc_pct_extrap, species="rat") -> pd.DataFrame:
    """Group exposure of the parent per route x dose from ``nca.csv``:
    n profiles with a quantifiable AUC, geometric mean AUC (AUCinf when every
    profile has one with %extrapolated <= *max_auc_pct_extrap*, else AUClast)
    and Cmax, median t1/2."""
    columns = ["route", "dose_mg_kg", "n", "auc_metric", "auc_ng_h_mL", "cmax_ng_mL", "t_half_h"]
    if is_empty(nca):
        return pd.DataFrame(columns=columns)
    rows = compound_rows(species_rows(nca, species), compound, column="analyte")
    out = []
    for (route, dose), group in rows.groupby(["route", "dose_mg_kg"], sort=True):
        auc_inf = pd.to_numeric(group["auc_inf_ng_h_mL"], errors="coerce")
        extrap = pd.to_numeric(group["auc_pct_extrap"], errors="coerce")
        quantifiable = pd.to_numeric(group["auc_last_ng_h_mL"], errors="coerce").notna()
        inf_ok = bool(len(group)) and bool((auc_inf.notna() & (extrap <= max_auc_pct_extrap)).all())
        metric = "AUCinf" if inf_ok else "AUClast"
        values = auc_inf if inf_ok else group["auc_last_ng_h_mL"]
        out.append(
            {
                "route": str(route).lower(),
                "dose_mg_kg": float(dose),
                "n": int(quantifiable.sum()),
                "auc_metric": metric,
                "auc_ng_h_mL": geometric_mean(values),
                "cmax_ng_mL": geometric_mean(group["cmax_ng_mL"]),
                "t_half_h": float(pd.to_numeric(group["t_half_h"], errors="coerce").median()),
            }
        )
    return pd.DataFrame(out, columns=columns)


def rat_half_life(nca, compound, species="rat") -> tuple:
    """(median t1/2 of the parent, routes used): IV profiles when present
    (a true terminal phase), else all routes. NaN when none."""
    if is_empty(nca):
        return float("nan"), ""
    rows = compound_rows(species_rows(nca, species), compound, column="analyte")
    rows = rows[pd.to_numeric(rows["t_half_h"], errors="coerce").notna()]
    if rows.empty:
        return float("nan"), ""
    iv = rows[rows["route"].astype(str).str.lower() == "iv"]
    use = iv if len(iv) else rows
    return float(pd.to_numeric(use["t_half_h"]).median()), ";".join(sorted(use["route"].astype(str).unique()))


def _nearest_group(groups, dose):
    logs = np.abs(np.log(groups["dose_mg_kg"].astype(float) / dose))
    return groups.iloc[int(np.argmin(logs.to_numpy()))]


def _interpolate(pool, dose, column):
    """Power model through the two measured doses bracketing *dose*:
    y = y1 (dose / d1)^b, b = ln(y2 / y1) / ln(d2 / d1)."""
    pool = pool.sort_values("dose_mg_kg")
    d = pool["dose_mg_kg"].astype(float).to_numpy()
    y = pool[column].astype(float).to_numpy()
    i = int(np.searchsorted(d, dose)) - 1
    b = math.log(y[i + 1] / y[i]) / math.log(d[i + 1] / d[i])
    return float(y[i] * (dose / d[i]) ** b), b


def _slope_ci(proportionality, route, parameter):
    """(low, high) power-model slope CI for *route* x *parameter* from
    ``pk/dose_proportionality.csv`` (the Smith et al. 2000 interval), or None."""
    if is_empty(proportionality):
        return None
    rows = proportionality[
        (proportionality["route"].astype(str).str.lower() == route)
        & (proportionality["parameter"] == parameter)
    ]
    if rows.empty:
        return None
    r = rows.iloc[0]
    lo = r.get("smith_ci_low", r["slope_ci_low"])
    hi = r.get("smith_ci_high", r["slope_ci_high"])
    return (float(lo), float(hi)) if np.isfinite([lo, hi]).all() else None


def rat_exposure(
    doses, nca_groups, fu, fu_source, tau_h, t_half_h=float("nan"), proportionality=None
) -> pd.DataFrame:
    """Rat exposure per tested dose x route (columns :data:`EXPOSURE_COLUMNS`,
    ``state`` "single_dose"). *doses* has columns dose_mg_kg, route;
    *nca_groups* comes from :func:`parent_nca_groups`.

    * Same dose and route: the NCA group (``extrapolated`` false, factor 1).
    * Inside the measured dose range of the route: interpolated with the
      power model through the bracketing doses (not extrapolated, factor 1).
    * Outside it: dose-normalised from the nearest measured dose (slope 1),
      ``extrapolated`` true with ``extrapolation_factor`` = how many times
      the dose lies beyond the range; the note gives the range the slope's
      CI (``pk/dose_proportionality.csv``, *proportionality*) implies, since
      proportionality inside the range licenses no single number outside it.
    * No PK of that route: another route's exposure, ``extrapolated`` true
      (cross-route: bioavailability differences ignored).

    ``basis_time_h`` (time after the last dose of an at-test basis) stays
    empty here: Cmax and AUC are not concentrations at one time.
    No PK at all -> a row with empty exposure and source "no PK data"."""
    rows = []
    for _, d in doses.iterrows():
        dose, route = float(d["dose_mg_kg"]), str(d["route"]).lower()
        base = {
            "species": "rat",
            "dose": dose,
            "dose_unit": "mg/kg",
            "route": route,
            "state": "single_dose",
            "fu": fu,
            "fu_source": fu_source,
            "t_half_h": t_half_h,
            "accumulation_factor": float("nan"),
            "dosing_interval_h": tau_h,
            "basis_time_h": float("nan"),
        }
        if is_empty(nca_groups):
            rows.append(
                dict(
                    base,
                    source="no PK data",
                    n=0,
                    auc_metric="",
                    auc_ng_h_mL=np.nan,
                    cmax_ng_mL=np.nan,
                    flags="not assessable: no PK data",
                    note="PK area not provided or no parent profiles",
                    extrapolated=False,
                    extrapolation_factor=np.nan,
                )
            )
            continue
        same_route = nca_groups[nca_groups["route"] == route]
        flags, extrapolated, beyond = [], False, 1.0
        exact = same_route[np.isclose(same_route["dose_mg_kg"].astype(float), dose)]
        pool = same_route if len(same_route) else nca_groups
        low, high = pool["dose_mg_kg"].astype(float).min(), pool["dose_mg_kg"].astype(float).max()
        if len(exact):
            g = exact.iloc[0]
            auc, cmax = float(g["auc_ng_h_mL"]), float(g["cmax_ng_mL"])
            source = f"NCA group {route} {dose:g} mg/kg"
            note = "measured at this dose and route"
        elif len(same_route) and low < dose < high and same_route["auc_metric"].nunique() == 1:
            g = _nearest_group(same_route, dose)
            auc, b_auc = _interpolate(same_route, dose, "auc_ng_h_mL")
            cmax, b_cmax = _interpolate(same_route, dose, "cmax_ng_mL")
            source = f"interpolated within {route} {low:g}-{high:g} mg/kg"
            note = f"power model between the bracketing doses (slope AUC {b_auc:.3g}, Cmax {b_cmax:.3g})"
        else:
            g = _nearest_group(pool, dose)
            factor = dose / float(g["dose_mg_kg"])
            auc, cmax = float(g["auc_ng_h_mL"]) * factor, float(g["cmax_ng_mL"]) * factor
            source = f"scaled from {g['route']} {float(g['dose_mg_kg']):g} mg/kg"
            note = f"dose-normalised from {g['route']} {float(g['dose_mg_kg']):g} mg/kg (slope 1 assumed)"
            beyond = max(dose / high, low / dose, 1.0)
            extrapolated = beyond > 1 or not len(same_route)
            if beyond > 1:
                flags.append(f"outside the measured PK doses {low:g}-{high:g} mg/kg")
                parameter = "auc_inf_ng_h_mL" if g["auc_metric"] == "AUCinf" else "auc_last_ng_h_mL"
                ci = _slope_ci(proportionality, str(g["route"]), parameter)
                if ci is not None:
                    lo_auc = float(g["auc_ng_h_mL"]) * factor ** ci[0]
                    hi_auc = float(g["auc_ng_h_mL"]) * factor ** ci[1]
                    lo_auc, hi_auc = sorted((lo_auc, hi_auc))
                    note += (
                        f"; the power-model slope CI {ci[0]:.3g}-{ci[1]:.3g} gives {g['auc_metric']} "
                        f"{lo_auc:.3g}-{hi_auc:.3g} ng*h/mL"
                    )
            if not len(same_route):
                flags.append(
                    f"cross-route: no {route} PK; {g['route']} exposure used (bioavailability differences ignored)"
                )
        rows.append(
            dict(
                base,
                source=source,
                n=int(g["n"]),
                auc_metric=str(g["auc_metric"]),
                auc_ng_h_mL=auc,
                cmax_ng_mL=cmax,
                flags="; ".join(flags),
                note=note,
                extrapolated=extrapolated,
                extrapolation_factor=beyond,
            )
        )
    out = pd.DataFrame(
        rows,
        columns=[
            c
            for c in EXPOSURE_COLUMNS
            if c not in ("c_avg_ng_mL", "auc_unbound_ng_h_mL", "cmax_unbound_ng_mL", "c_avg_unbound_ng_mL")
        ],
    )
    return _add_unbound(out)


def _add_unbound(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    if "c_avg_ng_mL" not in df or df["c_avg_ng_mL"].isna().all():
        df["c_avg_ng_mL"] = df["auc_ng_h_mL"].astype(float) / df["dosing_interval_h"].astype(float)
    df["auc_unbound_ng_h_mL"] = df["auc_ng_h_mL"].astype(float) * df["fu"].astype(float)
    df["cmax_unbound_ng_mL"] = df["cmax_ng_mL"].astype(float) * df["fu"].astype(float)
    df["c_avg_unbound_ng_mL"] = df["c_avg_ng_mL"].astype(float) * df["fu"].astype(float)
    if "cmin_ng_mL" not in df:
        df["cmin_ng_mL"] = float("nan")
    df["cmin_unbound_ng_mL"] = df["cmin_ng_mL"].astype(float) * df["fu"].astype(float)
    return df[EXPOSURE_COLUMNS]


def exposure_ratios(rat: pd.DataFrame, human: pd.DataFrame) -> pd.DataFrame:
    """Rat over human exposure for every rat dose x route and human dose x
    state: AUC and Cmax, total and unbound (rat single dose). Like with
    like: rat Cmax against human Cmax (single dose, and Cmax,ss at steady
    state); rat AUC against the human AUC of the same state (AUCinf single
    dose, AUCtau,ss at steady state), the metrics named per row."""
    rows = []
    if is_empty(rat) or is_empty(human):
        return pd.DataFrame(columns=EXPOSURE_RATIO_COLUMNS)
    for _, r in rat.iterrows():
        for _, h in human.iterrows():
            rows.append(
                {
                    "rat_dose_mg_kg": r["dose"],
                    "route": r["route"],
                    "human_dose_mg": h["dose"],
                    "human_state": h["state"],
                    "auc_ratio": r["auc_ng_h_mL"] / h["auc_ng_h_mL"],
                    "auc_unbound_ratio": r["auc_unbound_ng_h_mL"] / h["auc_unbound_ng_h_mL"],
                    "cmax_ratio": r["cmax_ng_mL"] / h["cmax_ng_mL"],
                    "cmax_unbound_ratio": r["cmax_unbound_ng_mL"] / h["cmax_unbound_ng_mL"],
                    "rat_auc_metric": r["auc_metric"],
                    "human_auc_metric": h["auc_metric"],
                }
            )
    return pd.DataFrame(rows, columns=EXPOSURE_RATIO_COLUMNS)
