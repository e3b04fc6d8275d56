"""Competition curves of one assay file (rule ``binding_fit``): both models
fitted to every curve, their comparison and the quality flags, one row per
curve with the FIT_COLUMNS."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.binding.flags import FLAG_INSUFFICIENT, FLAG_NO_WINDOW, curve_flags, data_flags
from scripts.binding.models import (
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
)

_MODEL_RESULT_FIELDS = (
    [f"{p}{s}" for p in PARAMS for s in ("", "_se", "_ci_low", "_ci_high")]
    + ["r_squared", "sse", "dof", "aicc", "success", "message"]
    + [f"cov_{a}_{b}" for i, a in enumerate(PARAMS) for b in PARAMS[i:]]
)

#: Columns of the per-assay-file fit table (``binding/fits/<assay>.csv``).
#: ``<model>_cov_<a>_<b>`` hold the parameter covariance the figure's
#: confidence band needs.
FIT_COLUMNS = (
    [
        "assay",
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
    ]
    + [f"{m}_{f}" for m in MODELS for f in _MODEL_RESULT_FIELDS]
    + ["f_statistic", "f_test_p", "preferred_model", "aicc_difference", "aicc_preferred_model", "flags"]
)


def fit_assay(table: pd.DataFrame, options: dict) -> pd.DataFrame:
    """Fit every competition curve (receptor × species × compound) of one
    validated assay table; one row per curve with the FIT_COLUMNS.

    *options* is the ``binding:`` config section; this uses ``ki_model``,
    ``r_squared_min``, ``hill_slope_range``, ``replicate_cv_max_pct``,
    ``nsb_max_pct_of_total`` and ``min_concentrations``.

    Both models are fitted to every replicate point of % specific binding;
    the Ki model (``ki_model``) supplies the flags. ``status`` is "fitted",
    "failed" (the Ki model's fit failed), "insufficient data" (fewer than
    ``min_concentrations`` distinct concentrations: not fitted) or "not
    fitted" (no specific window). No curve is dropped.
    """
    points = specific_binding(table)
    controls = binding_controls(table).set_index(CONTROL_KEYS)
    assay = str(table["assay"].iloc[0]) if len(table) else ""
    rows = []
    for (receptor, species, compound), curve in points.groupby(CURVE_KEYS, sort=False):
        group = table[(table["receptor"] == receptor) & (table["species"] == species)]
        control = controls.loc[(receptor, species)]
        kd_values = group["radioligand_kd_nM"].dropna()
        row = {
            "assay": assay,
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
            "ki_model": options["ki_model"],
        }
        row.update(_fit_curve(curve, control, row, options))
        rows.append(row)
    return pd.DataFrame(rows, columns=FIT_COLUMNS)


def _fit_curve(curve, control, row, options) -> dict:
    ki_model, min_concentrations = options["ki_model"], options["min_concentrations"]
    n_points = row["n_points"]
    fits = {model: empty_fit(n_points) for model in MODELS}
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
    if status != "fitted" and status != "failed":
        flags += data_flags(
            row["max_replicate_cv_pct"],
            row["nsb_pct_of_total"],
            options["replicate_cv_max_pct"],
            options["nsb_max_pct_of_total"],
        )
    out = {"status": status}
    for model in MODELS:
        out.update(_model_fields(model, fits[model]))
    out.update(compare_models(fits[ONE_SITE], fits[VARIABLE_SLOPE]))
    out["flags"] = ";".join(flags)
    return out


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
