"""Specific binding of one validated competition-binding table.

A competition curve is one assay file × independent experiment × receptor ×
species × compound (an experiment is keyed by file and label: labels are
local to their file; a file without the ``experiment`` column is one
experiment, label ""). Its
Y is percent specific binding,
``100 · (CPM − mean NSB) / (mean total − mean NSB)``, with the means taken
over that receptor × species in that experiment; its X is log10 of the molar
competitor concentration.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CURVE_KEYS = ["receptor", "species", "experiment", "compound"]
CONTROL_KEYS = ["receptor", "species", "experiment"]


def experiment_label(value) -> str:
    """An experiment label as text: blank is "", and a number read back from
    a CSV (``2.0``) is written as the label was given (``2``)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def with_experiment(table: pd.DataFrame) -> pd.DataFrame:
    """*table* with its ``experiment`` labels as text (see :func:`experiment_label`);
    "" throughout when the column is absent."""
    labels = table["experiment"].map(experiment_label) if "experiment" in table.columns else ""
    return table.assign(experiment=labels)


def binding_controls(table: pd.DataFrame) -> pd.DataFrame:
    """Per receptor × species of one validated assay table: the number and
    mean CPM of total and NSB wells, the specific window (mean total − mean
    NSB) and NSB as % of total."""
    table = with_experiment(table)
    rows = []
    for (receptor, species, experiment), group in table.groupby(CONTROL_KEYS, sort=False):
        total = group.loc[group["well_type"] == "total", "cpm"]
        nsb = group.loc[group["well_type"] == "nsb", "cpm"]
        mean_total, mean_nsb = float(total.mean()), float(nsb.mean())
        rows.append(
            {
                "receptor": receptor,
                "species": species,
                "experiment": experiment,
                "n_total": len(total),
                "n_nsb": len(nsb),
                "mean_total_cpm": mean_total,
                "mean_nsb_cpm": mean_nsb,
                "specific_window_cpm": mean_total - mean_nsb,
                "nsb_pct_of_total": 100.0 * mean_nsb / mean_total if mean_total > 0 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def specific_binding(table: pd.DataFrame) -> pd.DataFrame:
    """Competitor points of one validated assay table with specific binding.

    ``specific_cpm = CPM − mean(NSB CPM)`` and
    ``pct_specific = 100 · specific_cpm / (mean(total) − mean(NSB))``, means
    over the receptor × species × experiment in this table. ``log_conc`` is log10 M.
    ``pct_specific`` is NaN when mean total ≤ mean NSB (no window).
    """
    table = with_experiment(table)
    controls = binding_controls(table).set_index(CONTROL_KEYS)
    points = table.loc[table["well_type"] == "competitor"].copy()
    keyed = controls.reindex(pd.MultiIndex.from_frame(points[CONTROL_KEYS]))
    mean_nsb = keyed["mean_nsb_cpm"].to_numpy()
    window = keyed["specific_window_cpm"].to_numpy()
    points["specific_cpm"] = points["cpm"].to_numpy() - mean_nsb
    with np.errstate(divide="ignore", invalid="ignore"):
        points["pct_specific"] = np.where(window > 0, 100.0 * points["specific_cpm"] / window, np.nan)
    points["log_conc"] = np.log10(points["concentration_M"].to_numpy())
    return points.reset_index(drop=True)


def replicate_cv_pct(concentration, cpm) -> float:
    """Largest coefficient of variation (%, sample SD / mean) of the raw CPM
    replicates at any concentration with ≥ 2 replicates; NaN if none.
    Raw counts are used because % specific binding is near 0 at the bottom
    of a curve, where its CV is meaningless."""
    frame = pd.DataFrame({"c": np.asarray(concentration, float), "y": np.asarray(cpm, float)})
    grouped = frame.groupby("c")["y"]
    sd, mean, count = grouped.std(ddof=1), grouped.mean(), grouped.count()
    usable = (count >= 2) & (mean > 0)
    if not usable.any():
        return np.nan
    return float((100.0 * sd[usable] / mean[usable]).max())
