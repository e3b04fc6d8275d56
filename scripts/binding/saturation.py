"""Saturation binding of one file (rule ``binding_saturation_fit``): a
global least-squares fit of total and nonspecific binding per receptor ×
species × radioligand, giving Kd and Bmax (:func:`scripts.binding.models.saturation_total_nsb`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.binding.counts import (
    CONVERSION_FIELDS,
    conversion_of,
    depletion_flags,
    max_depletion_pct,
    to_fmol,
    to_fmol_per_mg,
)
from scripts.binding.fit_statistics import at_bound, estimates_with_ci, fit_quality
from scripts.binding.flags import FLAG_FAILED, FLAG_INSUFFICIENT, FLAG_NO_ERRORBARS
from scripts.binding.models import SATURATION_PARAMS, run_fit, saturation_model, saturation_total_nsb
from scripts.binding.profile_ci import profile_intervals
from scripts.binding.specific import with_experiment

#: Parameters with a profile-likelihood CI.
PROFILE_PARAMS = ("kd", "bmax")
#: Columns that convert counts to molecules, and the converted results.
COUNT_COLUMNS = [
    *CONVERSION_FIELDS,
    "bmax_fmol",
    "bmax_fmol_mg",
    "bmax_fmol_mg_ci_low",
    "bmax_fmol_mg_ci_high",
    "max_depletion_pct",
]
PROFILE_COLUMNS = [
    "kd_profile_ci_low_nM",
    "kd_profile_ci_high_nM",
    "bmax_profile_ci_low",
    "bmax_profile_ci_high",
]

#: Columns of the per-saturation-file fit table (``binding/saturation_fits/<assay>.csv``).
SATURATION_FIT_COLUMNS = [
    "assay",
    "experiment",
    "receptor",
    "species",
    "radioligand",
    "source_file",
    "source_row",
    "status",
    "n_points",
    "n_concentrations",
    "conc_min_nM",
    "conc_max_nM",
    "kd_nM",
    "kd_se_nM",
    "kd_ci_low_nM",
    "kd_ci_high_nM",
    "bmax",
    "bmax_se",
    "bmax_ci_low",
    "bmax_ci_high",
    "ns",
    "ns_se",
    "background",
    "background_se",
    "r_squared",
    "dof",
    "flags",
    *PROFILE_COLUMNS,
    *COUNT_COLUMNS,
]

#: Columns of the study's saturation table (``binding/saturation.csv``).
SATURATION_COLUMNS = [
    "receptor",
    "species",
    "radioligand",
    "kd_nM",
    "kd_ci_low_nM",
    "kd_ci_high_nM",
    "bmax",
    "bmax_ci_low",
    "bmax_ci_high",
    "experiment",
    *PROFILE_COLUMNS,
    "bmax_fmol_mg",
    "bmax_fmol_mg_ci_low",
    "bmax_fmol_mg_ci_high",
    "max_depletion_pct",
    "flags",
]


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
    ``<name>_ci_high`` for bmax, kd, ns, background), the 95%
    profile-likelihood CI of Kd and Bmax (``<name>_profile_ci_low``,
    ``<name>_profile_ci_high``; :mod:`scripts.binding.profile_ci`), ``r_squared``,
    ``dof``, ``success``, ``message``, ``errorbars``, ``at_bound``.
    """
    x, is_total, y = (np.asarray(a, dtype=float) for a in (x, is_total, y))
    out = {
        "success": False,
        "message": "",
        "r_squared": np.nan,
        "dof": np.nan,
        "errorbars": False,
        "at_bound": [],
    }
    for name in SATURATION_PARAMS:
        for suffix in ("", "_se", "_ci_low", "_ci_high"):
            out[f"{name}{suffix}"] = np.nan
    for name in PROFILE_PARAMS:
        out[f"{name}_profile_ci_low"] = out[f"{name}_profile_ci_high"] = np.nan
    if len(y) <= 4:
        out["message"] = f"{len(y)} points cannot determine 4 parameters"
        return out
    start = saturation_guess(x, is_total, y)
    model = saturation_model()
    params = model.make_params(
        bmax=dict(value=start["bmax"]),
        kd=dict(value=start["kd"], min=0.0),
        ns=dict(value=start["ns"]),
        background=dict(value=start["background"]),
    )
    fit, values, failure = run_fit(
        lambda: model.fit(y, params, x=x, is_total=is_total, fit_kws={"xtol": 1e-10, "ftol": 1e-12}),
        SATURATION_PARAMS,
    )
    if failure:
        out["message"] = failure
        return out
    quality = fit_quality(y, saturation_total_nsb(x, is_total, **values), fit.nvarys)
    out.update({key: quality[key] for key in ("success", "message", "dof", "r_squared")})
    stderr = {name: fit.params[name].stderr for name in SATURATION_PARAMS}
    estimates, finite = estimates_with_ci(values, stderr, quality["dof"], SATURATION_PARAMS)
    out.update(estimates)
    out["errorbars"] = bool(fit.errorbars) and finite
    out["at_bound"] = [
        name for name in SATURATION_PARAMS if at_bound(values[name], params[name].min, params[name].max, 1e-9)
    ]
    if out["errorbars"]:
        for name, (low, high) in profile_intervals(fit, PROFILE_PARAMS).items():
            out[f"{name}_profile_ci_low"], out[f"{name}_profile_ci_high"] = low, high
    return out


def fit_saturation_assay(table: pd.DataFrame, options: dict) -> pd.DataFrame:
    """Fit each receptor × species × radioligand of each independent
    experiment (``experiment``) of one validated saturation table; one row per fit with the SATURATION_FIT_COLUMNS (Kd in nM, Bmax,
    NS and Background in CPM units).

    *options* is the ``binding:`` config section; this uses ``r_squared_min``,
    ``min_concentrations`` and ``ligand_depletion_max_pct``.

    With a specific activity (:mod:`scripts.binding.counts`), Bmax is also
    given in fmol per well (``bmax_fmol``) and, with protein, in fmol/mg
    protein (``bmax_fmol_mg``, its CI the profile-likelihood Bmax CI
    converted); with an assay volume too, ``max_depletion_pct`` is the
    largest mean total binding as % of the radioligand added, flagged
    ``ligand_depletion`` above ``ligand_depletion_max_pct``.

    Flags: insufficient data (fewer than ``min_concentrations`` distinct
    concentrations: not fitted), failed fit, Kd outside the tested
    concentration range, R² below ``r_squared_min``, no error bars, parameter
    at bound.
    """
    r_squared_min, min_concentrations = options["r_squared_min"], options["min_concentrations"]
    assay = str(table["assay"].iloc[0]) if len(table) else ""
    table = with_experiment(table)
    rows = []
    for (receptor, species, radioligand, experiment), group in table.groupby(
        ["receptor", "species", "radioligand", "experiment"], sort=False
    ):
        x = group["radioligand_nM"].to_numpy()
        is_total = (group["well_type"] == "total").to_numpy(dtype=float)
        n_concentrations = int(np.unique(x).size)
        row = {
            "assay": assay,
            "experiment": experiment,
            "receptor": receptor,
            "species": species,
            "radioligand": radioligand,
            "source_file": str(group["source_file"].iloc[0]),
            "source_row": int(group["source_row"].min()),
            "n_points": len(group),
            "n_concentrations": n_concentrations,
            "conc_min_nM": float(x.min()),
            "conc_max_nM": float(x.max()),
        }
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
        row.update(
            {
                "status": status,
                "kd_nM": fit["kd"],
                "kd_se_nM": fit["kd_se"],
                "kd_ci_low_nM": fit["kd_ci_low"],
                "kd_ci_high_nM": fit["kd_ci_high"],
                "bmax": fit["bmax"],
                "bmax_se": fit["bmax_se"],
                "bmax_ci_low": fit["bmax_ci_low"],
                "bmax_ci_high": fit["bmax_ci_high"],
                "ns": fit["ns"],
                "ns_se": fit["ns_se"],
                "background": fit["background"],
                "background_se": fit["background_se"],
                "r_squared": fit["r_squared"],
                "dof": fit["dof"],
                "kd_profile_ci_low_nM": fit["kd_profile_ci_low"],
                "kd_profile_ci_high_nM": fit["kd_profile_ci_high"],
                "bmax_profile_ci_low": fit["bmax_profile_ci_low"],
                "bmax_profile_ci_high": fit["bmax_profile_ci_high"],
            }
        )
        conversion = conversion_of(group)
        depletion = max_depletion_pct(group[group["well_type"] == "total"], conversion)
        flags += depletion_flags(depletion, options["ligand_depletion_max_pct"])
        row.update(conversion)
        row.update(
            {
                "bmax_fmol": to_fmol(fit["bmax"], conversion),
                "bmax_fmol_mg": to_fmol_per_mg(fit["bmax"], conversion),
                "bmax_fmol_mg_ci_low": to_fmol_per_mg(fit["bmax_profile_ci_low"], conversion),
                "bmax_fmol_mg_ci_high": to_fmol_per_mg(fit["bmax_profile_ci_high"], conversion),
                "max_depletion_pct": depletion,
                "flags": ";".join(flags),
            }
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=SATURATION_FIT_COLUMNS)


def saturation_table(saturation_fits: pd.DataFrame) -> pd.DataFrame:
    """``saturation.csv``: the SATURATION_COLUMNS of every saturation fit
    (failed fits included, with NaN estimates)."""
    if saturation_fits is None or saturation_fits.empty:
        return pd.DataFrame(columns=SATURATION_COLUMNS)
    return saturation_fits.loc[:, SATURATION_COLUMNS].reset_index(drop=True)
