"""Study-level Ki (rule ``binding_aggregate``): Cheng–Prusoff Ki for every
curve of the per-assay fit tables, with Kd from the study's saturation runs
when measured, else from the binding file."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.binding.flags import FLAG_KD_UNAVAILABLE
from scripts.tables import InputError

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
]


def cheng_prusoff_ki(ic50, radioligand_conc, kd):
    """Ki = IC50 / (1 + [L]/Kd) (Cheng & Prusoff 1973). [L] and Kd in the
    same unit; Ki in the unit of IC50. Works element-wise on arrays."""
    return np.asarray(ic50, dtype=float) / (
        1.0 + np.asarray(radioligand_conc, dtype=float) / np.asarray(kd, dtype=float)
    )


def _key(*parts) -> tuple:
    return tuple(str(p).strip().casefold() for p in parts)


def _saturation_kd_lookup(saturation_fits: pd.DataFrame | None) -> dict:
    """(receptor, species, radioligand) → saturation fit row. Two saturation
    runs for the same key are an InputError: which Kd to use is ambiguous."""
    lookup = {}
    if saturation_fits is None or saturation_fits.empty:
        return lookup
    for _, row in saturation_fits.iterrows():
        key = _key(row["receptor"], row["species"], row["radioligand"])
        if key in lookup:
            first = lookup[key]
            raise InputError(
                row["source_file"],
                f"a second saturation run for {row['radioligand']} "
                f"({row['species']}); {first['source_file']} gives one already. "
                "Keep one, so that the Kd used for Ki is unambiguous",
                row=int(row["source_row"]),
                receptor=row["receptor"],
            )
        lookup[key] = row
    return lookup


def _kd_for_curve(curve, lookup) -> tuple[float, str, list[str]]:
    """Kd (nM), its source and any flag for one curve of the fit table."""
    file_kd = curve["radioligand_kd_nM"]
    saturation = lookup.get(_key(curve["receptor"], curve["species"], curve["radioligand"]))
    if saturation is not None and np.isfinite(saturation["kd_nM"]) and saturation["kd_nM"] > 0:
        return float(saturation["kd_nM"]), "saturation", []
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
        return float(file_kd), "binding_file", flags
    return np.nan, "", [f"{FLAG_KD_UNAVAILABLE} (saturation fit failed, no Kd in binding file)"]


def aggregate_ki(fits: pd.DataFrame, saturation_fits: pd.DataFrame | None = None) -> pd.DataFrame:
    """``ki.csv``: one row per curve of the per-assay fit tables (*fits*,
    concatenated), with exactly the KI_COLUMNS.

    Kd comes from the study's saturation fit for the same receptor, species
    and radioligand (matched case-insensitively) when there is one
    (``kd_source`` "saturation"), otherwise from the binding file
    ("binding_file"). A missing Kd with no saturation run to supply it is an
    InputError naming file, receptor and row. Ki = IC50/(1 + [L]/Kd) from
    the fit named in ``ki_model``; the Ki CI is the logIC50 95% CI
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
            }
        )
    return pd.DataFrame(rows, columns=KI_COLUMNS)
