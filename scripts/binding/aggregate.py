"""Study-level Ki (rule ``binding_aggregate``): Cheng–Prusoff Ki for every
curve (one per independent experiment) of the per-assay fit tables, with Kd
from the same experiment's saturation run where one is given, else from the
study's saturation runs pooled, else from the binding file; and the two-site
Ki values where two sites are preferred."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.binding.flags import FLAG_KD_UNAVAILABLE
from scripts.binding.specific import experiment_label
from scripts.binding.twosite import STATUS_TWO_SITES
from scripts.tables import InputError

#: Kd sources (``kd_source``).
KD_SATURATION_EXPERIMENT = "saturation_experiment"
KD_SATURATION = "saturation"
KD_BINDING_FILE = "binding_file"

#: Columns of ``binding/ki.csv``.
KI_COLUMNS = [
    "assay",
    "receptor",
    "species",
    "compound",
    "radioligand",
    "radioligand_nM",
    "kd_nM",
    "kd_source",
    "model",
    "log_ic50",
    "log_ic50_se",
    "log_ic50_ci_low",
    "log_ic50_ci_high",
    "ic50_nM",
    "hill_slope",
    "top",
    "bottom",
    "ki_nM",
    "ki_ci_low_nM",
    "ki_ci_high_nM",
    "pki",
    "r_squared",
    "n_points",
    "f_test_p",
    "preferred_model",
    "flags",
    "experiment",
    "model_reason",
    "two_site_status",
    "two_site_f_test_p",
    "two_site_fraction_high",
    "two_site_fraction_high_ci_low",
    "two_site_fraction_high_ci_high",
    "ki_high_nM",
    "ki_high_ci_low_nM",
    "ki_high_ci_high_nM",
    "ki_low_nM",
    "ki_low_ci_low_nM",
    "ki_low_ci_high_nM",
    "variable_slope_hill_slope",
]


def cheng_prusoff_ki(ic50, radioligand_conc, kd):
    """Ki = IC50 / (1 + [L]/Kd) (Cheng & Prusoff 1973). [L] and Kd in the
    same unit; Ki in the unit of IC50. Works element-wise on arrays."""
    return np.asarray(ic50, dtype=float) / (
        1.0 + np.asarray(radioligand_conc, dtype=float) / np.asarray(kd, dtype=float)
    )


def _key(*parts) -> tuple:
    return tuple(str(p).strip().casefold() for p in parts)


def _saturation_kd_lookup(saturation_fits: pd.DataFrame | None) -> tuple[dict, dict]:
    """Saturation Kd by experiment and pooled.

    Returns ({(receptor, species, radioligand, experiment): fit row} for
    fits with an experiment label, {(receptor, species, radioligand): (Kd,
    n, first fit row)} with Kd the geometric mean (mean pKd) over every fit
    with a Kd). Two saturation fits with the same key and experiment label
    are an InputError: which one is "the same experiment" is ambiguous."""
    by_experiment, pooled = {}, {}
    if saturation_fits is None or saturation_fits.empty:
        return by_experiment, pooled
    logs = {}
    for _, row in saturation_fits.iterrows():
        key = _key(row["receptor"], row["species"], row["radioligand"])
        label = experiment_label(row.get("experiment", ""))
        if label:
            if (*key, label) in by_experiment:
                first = by_experiment[(*key, label)]
                raise InputError(
                    row["source_file"],
                    f"a second saturation run labelled experiment {label} for {row['radioligand']} "
                    f"({row['species']}); {first['source_file']} gives one already. "
                    "Give each experiment its own label",
                    row=int(row["source_row"]),
                    column="experiment",
                    receptor=row["receptor"],
                )
            by_experiment[(*key, label)] = row
        pooled.setdefault(key, (np.nan, 0, row))
        if np.isfinite(row["kd_nM"]) and row["kd_nM"] > 0:
            logs.setdefault(key, []).append(math.log10(row["kd_nM"]))
    for key, values in logs.items():
        pooled[key] = (10.0 ** float(np.mean(values)), len(values), pooled[key][2])
    return by_experiment, pooled


def _kd_for_curve(curve, lookup) -> tuple[float, str, list[str]]:
    """Kd (nM), its source and any flag for one curve of the fit table."""
    by_experiment, pooled = lookup
    key = _key(curve["receptor"], curve["species"], curve["radioligand"])
    file_kd = curve["radioligand_kd_nM"]
    label = experiment_label(curve.get("experiment", ""))
    same_day = by_experiment.get((*key, label)) if label else None
    if same_day is not None and np.isfinite(same_day["kd_nM"]) and same_day["kd_nM"] > 0:
        return float(same_day["kd_nM"]), KD_SATURATION_EXPERIMENT, []
    saturation = pooled.get(key)
    if saturation is not None and np.isfinite(saturation[0]):
        return saturation[0], KD_SATURATION, []
    if saturation is None and not np.isfinite(file_kd):
        raise InputError(
            curve["source_file"],
            "radioligand_kd_nM is missing and no saturation run supplies Kd for "
            f"{curve['radioligand']} ({curve['species']})",
            row=int(curve["source_row"]),
            column="radioligand_kd_nM",
            receptor=curve["receptor"],
        )
    if np.isfinite(file_kd):
        flags = ["saturation Kd not determined; binding-file Kd used"] if saturation is not None else []
        return float(file_kd), KD_BINDING_FILE, flags
    return np.nan, "", [f"{FLAG_KD_UNAVAILABLE} (saturation fit failed, no Kd in binding file)"]


def _two_site_ki(curve, kd) -> dict:
    """Both sites' Ki with the high-affinity fraction when two sites are
    preferred (``two_site_status`` "two sites"), else NaN. Cheng–Prusoff per
    site with the one radioligand Kd: this assumes the radioligand binds both
    sites with that Kd (then the fraction of specific binding is also the
    fraction of sites)."""
    out = {
        "two_site_status": curve.get("two_site_status", ""),
        "two_site_f_test_p": curve.get("two_site_f_test_p"),
    }
    names = ("fraction_high", "fraction_high_ci_low", "fraction_high_ci_high")
    for site in ("high", "low"):
        for suffix in ("", "_ci_low", "_ci_high"):
            out[f"ki_{site}{suffix}_nM"] = np.nan
    for name in names:
        out[f"two_site_{name}"] = np.nan
    if out["two_site_status"] != STATUS_TWO_SITES:
        return out
    for name, column in zip(names, ("fraction", "fraction_ci_low", "fraction_ci_high")):
        out[f"two_site_{name}"] = curve[f"two_site_{column}"]
    for site in ("high", "low"):
        for suffix in ("", "_ci_low", "_ci_high"):
            log_ic50 = curve[f"two_site_log_ic50_{site}{suffix}"]
            out[f"ki_{site}{suffix}_nM"] = float(
                cheng_prusoff_ki(10.0 ** (log_ic50 + 9.0), curve["radioligand_nM"], kd)
            )
    return out


def aggregate_ki(fits: pd.DataFrame, saturation_fits: pd.DataFrame | None = None) -> pd.DataFrame:
    """``ki.csv``: one row per curve (one per independent experiment) of the
    per-assay fit tables (*fits*, concatenated), with exactly the KI_COLUMNS.

    Kd comes, for the same receptor, species and radioligand (matched
    case-insensitively), from the saturation run with the same experiment
    label when there is one (``kd_source`` "saturation_experiment"), else
    from the study's saturation runs pooled as their mean pKd
    ("saturation"), else from the binding file ("binding_file"). A missing Kd with no saturation run to supply it is an
    InputError naming file, receptor and row. Ki = IC50/(1 + [L]/Kd) from
    the model the fit table names in ``ki_model`` (``model``; why in
    ``model_reason``); the Ki CI is the logIC50 95% CI
    transformed the same way (Kd and [L] taken as exact);
    pKi = −log10(Ki in M).
    """
    lookup = _saturation_kd_lookup(saturation_fits)
    rows = []
    for _, curve in fits.iterrows():
        model = curve["ki_model"]
        kd, kd_source, kd_flags = _kd_for_curve(curve, lookup)
        log_ic50 = curve[f"{model}_log_ic50"]
        ic50_nM = 10.0 ** (log_ic50 + 9.0)
        ki_nM, ki_ci_low, ki_ci_high = cheng_prusoff_ki(
            10.0
            ** (
                np.array(
                    [log_ic50, curve[f"{model}_log_ic50_ci_low"], curve[f"{model}_log_ic50_ci_high"]],
                    dtype=float,
                )
                + 9.0
            ),
            curve["radioligand_nM"],
            kd,
        )
        flags = [f for f in str(curve["flags"]).split(";") if f and f != "nan"] + kd_flags
        rows.append(
            {
                "assay": curve["assay"],
                "receptor": curve["receptor"],
                "species": curve["species"],
                "compound": curve["compound"],
                "radioligand": curve["radioligand"],
                "radioligand_nM": curve["radioligand_nM"],
                "kd_nM": kd,
                "kd_source": kd_source,
                "model": model,
                "log_ic50": log_ic50,
                "log_ic50_se": curve[f"{model}_log_ic50_se"],
                "log_ic50_ci_low": curve[f"{model}_log_ic50_ci_low"],
                "log_ic50_ci_high": curve[f"{model}_log_ic50_ci_high"],
                "ic50_nM": ic50_nM,
                "hill_slope": curve[f"{model}_hill_slope"],
                "top": curve[f"{model}_top"],
                "bottom": curve[f"{model}_bottom"],
                "ki_nM": ki_nM,
                "ki_ci_low_nM": ki_ci_low,
                "ki_ci_high_nM": ki_ci_high,
                "pki": 9.0 - math.log10(ki_nM) if ki_nM > 0 else np.nan,
                "r_squared": curve[f"{model}_r_squared"],
                "n_points": curve["n_points"],
                "f_test_p": curve["f_test_p"],
                "preferred_model": curve["preferred_model"],
                "flags": ";".join(flags),
                "experiment": experiment_label(curve.get("experiment", "")),
                "model_reason": curve.get("model_reason", ""),
                "variable_slope_hill_slope": curve["variable_slope_hill_slope"],
                **_two_site_ki(curve, kd),
            }
        )
    return pd.DataFrame(rows, columns=KI_COLUMNS)
