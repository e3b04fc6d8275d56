"""Counts to molecules, and the ligand-depletion check (GraphPad Prism's
radioactivity calculator and its depletion rule).

The optional input columns ``count_unit`` (cpm, the default, or dpm),
``counting_efficiency``, ``specific_activity_Ci_mmol``,
``protein_mg_per_well`` and ``assay_volume_mL`` convert the counts of the
``cpm`` column:

* DPM = CPM / counting efficiency (counts already in DPM need none);
* 1 Ci = 2.22e12 DPM and 1 mmol = 1e12 fmol, so
  fmol = DPM / (2.22 × specific activity in Ci/mmol);
* fmol/mg protein = fmol per well / protein per well (mg);
* radioligand added (fmol) = [L] (nM) × assay volume (mL) × 1000.

Flag ``ligand_depletion`` when total bound radioligand exceeds
``ligand_depletion_max_pct`` (10% in Prism) of the radioligand added: the
free concentration is then no longer the added one, which the fits assume.
Validation guarantees that CPM come with a counting efficiency whenever a
specific activity asks for a conversion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FLAG_LIGAND_DEPLETION = "ligand_depletion"
#: DPM per fmol of radioligand per Ci/mmol of specific activity (2.22e12 DPM/Ci ÷ 1e12 fmol/mmol).
DPM_PER_FMOL_PER_CI_MMOL = 2.22
CONVERSION_FIELDS = (
    "count_unit",
    "counting_efficiency",
    "specific_activity_Ci_mmol",
    "protein_mg_per_well",
    "assay_volume_mL",
)


def conversion_of(group: pd.DataFrame) -> dict:
    """The conversion settings of one validated group of wells (validation
    allows one value per receptor × species × experiment): each field's
    value, NaN (or "cpm" for ``count_unit``) when not given."""
    out = {}
    for field in CONVERSION_FIELDS:
        values = group[field].dropna() if field in group.columns else pd.Series(dtype=object)
        out[field] = values.iloc[0] if len(values) else np.nan
    out["count_unit"] = out["count_unit"] if isinstance(out["count_unit"], str) else "cpm"
    return out


def to_dpm(counts, conversion: dict):
    """Counts in DPM: CPM divided by the counting efficiency; DPM unchanged."""
    counts = np.asarray(counts, dtype=float)
    if conversion["count_unit"] == "dpm":
        return counts
    return counts / float(conversion["counting_efficiency"])


def to_fmol(counts, conversion: dict):
    """Counts as fmol of radioligand: DPM / (2.22 × specific activity);
    NaN without a specific activity."""
    activity = float(conversion["specific_activity_Ci_mmol"])
    if not np.isfinite(activity):
        return np.full(np.shape(counts), np.nan) if np.ndim(counts) else np.nan
    return to_dpm(counts, conversion) / (DPM_PER_FMOL_PER_CI_MMOL * activity)


def to_fmol_per_mg(counts, conversion: dict):
    """Counts as fmol per mg protein (NaN without protein or specific activity)."""
    return to_fmol(counts, conversion) / float(conversion["protein_mg_per_well"])


def added_fmol(radioligand_nM, volume_mL):
    """Radioligand added per well: [L] (nM) × volume (mL) × 1000 fmol."""
    return np.asarray(radioligand_nM, dtype=float) * float(volume_mL) * 1000.0


def depletion_pct(total_counts, radioligand_nM, conversion: dict):
    """Total bound radioligand as % of the radioligand added, per well or
    mean of wells (NaN without specific activity or assay volume)."""
    return (
        100.0 * to_fmol(total_counts, conversion) / added_fmol(radioligand_nM, conversion["assay_volume_mL"])
    )


def max_depletion_pct(total_wells: pd.DataFrame, conversion: dict) -> float:
    """Largest depletion over the radioligand concentrations of *total_wells*
    (mean total counts per concentration); NaN when it cannot be computed."""
    if total_wells.empty:
        return np.nan
    means = total_wells.groupby("radioligand_nM")["cpm"].mean()
    values = depletion_pct(means.to_numpy(), means.index.to_numpy(), conversion)
    values = values[np.isfinite(values)]
    return float(values.max()) if values.size else np.nan


def depletion_flags(max_pct: float, limit_pct: float) -> list[str]:
    return [FLAG_LIGAND_DEPLETION] if np.isfinite(max_pct) and max_pct > limit_pct else []
