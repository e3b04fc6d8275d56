"""Competition curves of one assay file (rule ``binding_fit``): every
independent experiment's curves fitted on their own with the one-site,
variable-slope and two-site models, the model comparisons, the model the Ki
comes from and the quality flags, one row per curve with the FIT_COLUMNS."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.binding.counts import conversion_of, depletion_flags, max_depletion_pct
from scripts.binding.flags import (
    FLAG_HILL_NOT_UNITY,
    FLAG_INSUFFICIENT,
    FLAG_NO_WINDOW,
    PLATEAU_FRACTION,
    curve_flags,
    data_flags,
    hill_not_unity,
)
from scripts.binding.models import (
    F_TEST_ALPHA,
    MODELS,
    ONE_SITE,
    PARAMS,
    VARIABLE_SLOPE,
    compare_models,
    empty_fit,
    fit_four_pl,
    initial_guess,
)
from scripts.binding.specific import (
    CONTROL_KEYS,
    CURVE_KEYS,
    binding_controls,
    replicate_cv_pct,
    specific_binding,
    with_experiment,
)
from scripts.binding.twosite import (
    FLAG_TWO_SITE_AMBIGUOUS,
    STATUS_AMBIGUOUS,
    STATUS_NOT_FITTED,
    TWO_SITE_PARAMS,
    compare_two_site,
    empty_two_site,
    fit_two_site,
)

_MODEL_RESULT_FIELDS = (
    [f"{p}{s}" for p in PARAMS for s in ("", "_se", "_ci_low", "_ci_high")]
    + ["r_squared", "sse", "dof", "aicc", "success", "message"]
    + [f"cov_{a}_{b}" for i, a in enumerate(PARAMS) for b in PARAMS[i:]]
)

_TWO_SITE_FIELDS = [
    f"two_site_{p}{s}" for p in TWO_SITE_PARAMS for s in ("", "_se", "_ci_low", "_ci_high")
] + [
    f"two_site_{f}"
    for f in ("r_squared", "sse", "dof", "aicc", "success", "f_statistic", "f_test_p", "status", "reason")
]

#: Columns of the per-assay-file fit table (``binding/fits/<assay>.csv``).
#: ``<model>_cov_<a>_<b>`` hold the parameter covariance the figure's
#: confidence band needs. ``ki_model`` is the model the Ki comes from
#: (chosen by the F test when the config says ``auto``), ``model_reason``
#: says why.
FIT_COLUMNS = (
    [
        "assay",
        "experiment",
        "receptor",
        "species",
        "compound",
        "radioligand",
        "radioligand_nM",
        "radioligand_kd_nM",
        "source_file",
        "source_row",
        "status",
        "n_points",
        "n_concentrations",
        "conc_min_M",
        "conc_max_M",
        "mean_total_cpm",
        "mean_nsb_cpm",
        "nsb_pct_of_total",
        "max_replicate_cv_pct",
        "ki_model",
        "model_reason",
    ]
    + [f"{m}_{f}" for m in MODELS for f in _MODEL_RESULT_FIELDS]
    + ["f_statistic", "f_test_p", "preferred_model", "aicc_difference", "aicc_preferred_model", "flags"]
    + _TWO_SITE_FIELDS
    + ["max_depletion_pct"]
)


def fit_assay(table: pd.DataFrame, options: dict) -> pd.DataFrame:
    """Fit every competition curve (receptor × species × compound) of one
    validated assay table; one row per curve with the FIT_COLUMNS.

    A curve is one receptor × species × compound of one independent
    experiment (``experiment``; labels are local to the file), fitted on its
    own with its own total and NSB wells.

    *options* is the ``binding:`` config section; this uses ``ki_model``,
    ``r_squared_min``, ``hill_slope_range``, ``hill_unity_range``,
    ``two_site_min_separation_log``, ``replicate_cv_max_pct``,
    ``nsb_max_pct_of_total``, ``min_concentrations`` and
    ``ligand_depletion_max_pct`` (``ligand_depletion`` flag from the total
    wells when a specific activity and assay volume are given;
    :mod:`scripts.binding.counts`).

    Every model is fitted to every replicate point of % specific binding.
    ``ki_model`` "auto" takes the model the extra-sum-of-squares F test
    prefers (one site unless the variable slope is significantly better at
    alpha 0.05, as Prism's "One site – Fit Ki" against the variable slope);
    "one_site" or "variable_slope" force it. The Ki model supplies the
    fit-based flags. ``status`` is "fitted", "failed" (the Ki model's fit
    failed), "insufficient data" (fewer than ``min_concentrations`` distinct
    concentrations: not fitted) or "not fitted" (no specific window). No
    curve is dropped.
    """
    table = with_experiment(table)
    points = specific_binding(table)
    controls = binding_controls(table).set_index(CONTROL_KEYS)
    assay = str(table["assay"].iloc[0]) if len(table) else ""
    rows = []
    for (receptor, species, experiment, compound), curve in points.groupby(CURVE_KEYS, sort=False):
        group = table[
            (table["receptor"] == receptor)
            & (table["species"] == species)
            & (table["experiment"] == experiment)
        ]
        control = controls.loc[(receptor, species, experiment)]
        kd_values = group["radioligand_kd_nM"].dropna()
        row = {
            "assay": assay,
            "experiment": experiment,
            "receptor": receptor,
            "species": species,
            "compound": compound,
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
        }
        row.update(_fit_curve(curve, control, row, options))
        # Ligand depletion from the total wells (most radioligand bound).
        depletion = max_depletion_pct(group[group["well_type"] == "total"], conversion_of(group))
        row["max_depletion_pct"] = depletion
        extra = depletion_flags(depletion, options["ligand_depletion_max_pct"])
        row["flags"] = ";".join([f for f in row["flags"].split(";") if f] + extra)
        rows.append(row)
    return pd.DataFrame(rows, columns=FIT_COLUMNS)


def _fit_curve(curve, control, row, options) -> dict:
    min_concentrations = options["min_concentrations"]
    n_points = row["n_points"]
    fits = {model: empty_fit(n_points) for model in MODELS}
    two_site_fit = empty_two_site(n_points)
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
        one = fits[ONE_SITE]
        two_site_fit = fit_two_site(x, y, one["log_ic50"], top=one["top"], bottom=one["bottom"])
    comparison = compare_models(fits[ONE_SITE], fits[VARIABLE_SLOPE])
    ki_model, reason = choose_ki_model(options["ki_model"], fits, comparison)
    status_fitted = not flags  # both models were fitted (window and data enough)
    if status_fitted:
        status = "fitted" if fits[ki_model]["success"] else "failed"
        flags += curve_flags(
            fits[ki_model],
            fits[VARIABLE_SLOPE],
            math.log10(row["conc_min_M"]),
            math.log10(row["conc_max_M"]),
            max_cv_pct=row["max_replicate_cv_pct"],
            nsb_pct=row["nsb_pct_of_total"],
            r_squared_min=options["r_squared_min"],
            hill_slope_range=options["hill_slope_range"],
            replicate_cv_max_pct=options["replicate_cv_max_pct"],
            nsb_max_pct_of_total=options["nsb_max_pct_of_total"],
        )
        if hill_not_unity(fits[VARIABLE_SLOPE], options["hill_unity_range"]):
            flags.append(FLAG_HILL_NOT_UNITY)
    else:
        flags += data_flags(
            row["max_replicate_cv_pct"],
            row["nsb_pct_of_total"],
            options["replicate_cv_max_pct"],
            options["nsb_max_pct_of_total"],
        )
    two_sites = compare_two_site(
        fits[ONE_SITE],
        two_site_fit,
        math.log10(row["conc_max_M"]),
        min_separation_log=options["two_site_min_separation_log"],
        plateau_fraction=PLATEAU_FRACTION,
    )
    if not status_fitted:
        two_sites.update(status=STATUS_NOT_FITTED, reason=status)
    if two_sites["status"] == STATUS_AMBIGUOUS:
        flags.append(FLAG_TWO_SITE_AMBIGUOUS)
    out = {"status": status, "ki_model": ki_model, "model_reason": reason}
    for model in MODELS:
        out.update(_model_fields(model, fits[model]))
    out.update(comparison)
    out["flags"] = ";".join(flags)
    for name in TWO_SITE_PARAMS:
        for suffix in ("", "_se", "_ci_low", "_ci_high"):
            out[f"two_site_{name}{suffix}"] = two_site_fit[f"{name}{suffix}"]
    for field in ("r_squared", "sse", "dof", "aicc", "success"):
        out[f"two_site_{field}"] = two_site_fit[field]
    for field in ("f_statistic", "f_test_p", "status", "reason"):
        out[f"two_site_{field}"] = two_sites[field]
    return out


def choose_ki_model(setting: str, fits: dict, comparison: dict) -> tuple[str, str]:
    """The model the Ki comes from and why (``model_reason``).

    "auto" takes the F test's preferred model (variable slope only when it
    is significantly better than one site with Hill −1 at F_TEST_ALPHA);
    a forced model is used whatever the test says."""
    if setting != "auto":
        return setting, f"set in the config (ki_model {setting})"
    one, variable = fits[ONE_SITE]["success"], fits[VARIABLE_SLOPE]["success"]
    if one and variable and np.isfinite(comparison["f_test_p"]):
        p = comparison["f_test_p"]
        if comparison["preferred_model"] == VARIABLE_SLOPE:
            return VARIABLE_SLOPE, f"F test p {p:.2g} < {F_TEST_ALPHA:g}: variable slope preferred"
        return ONE_SITE, f"F test p {p:.2g} >= {F_TEST_ALPHA:g}: one site (Hill slope -1) kept"
    if variable and not one:
        return VARIABLE_SLOPE, "only the variable-slope fit converged"
    if one and not variable:
        return ONE_SITE, "only the one-site fit converged"
    return ONE_SITE, "not compared (no fit)"


def _model_fields(model: str, fit: dict) -> dict:
    out = {
        f"{model}_{name}{suffix}": fit[f"{name}{suffix}"]
        for name in PARAMS
        for suffix in ("", "_se", "_ci_low", "_ci_high")
    }
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
