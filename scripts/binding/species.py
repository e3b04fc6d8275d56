"""Species comparison and selectivity profile from the study's Ki table
(rule ``binding_aggregate``). The independent experiments (curves) of one
receptor × species × compound are pooled as their mean pKi, i.e. the
geometric-mean Ki, the value ``ki_summary.csv`` reports; the species
difference is tested on pKi across experiments (Welch t,
:func:`scripts.binding.pooling.welch_difference`)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.binding.pooling import FLAG_SINGLE_EXPERIMENT, welch_difference


def _valid_ki(ki: pd.DataFrame) -> pd.DataFrame:
    return ki.loc[np.isfinite(ki["ki_nM"].astype(float)) & (ki["ki_nM"] > 0)]


def _geometric_summary(ki: pd.DataFrame, keys) -> pd.DataFrame:
    """Per *keys*: geometric-mean Ki over curves with a Ki (several curves
    of one receptor × species × compound are averaged on the log scale),
    the number of such curves and how many of them carry flags.

    The mean is taken of log10 Ki, which is also the mean pKi the tables
    report; this job reads fit tables only and does not import scipy.stats
    (for its gmean) on purpose."""
    valid = _valid_ki(ki).assign(
        log_ki=lambda d: np.log10(d["ki_nM"].astype(float)),
        flagged=lambda d: d["flags"].fillna("").astype(str) != "",
    )
    summary = valid.groupby(keys, sort=False).agg(
        log_ki=("log_ki", "mean"), n_curves=("log_ki", "size"), n_flagged=("flagged", "sum")
    )
    summary["ki_nM"] = 10.0 ** summary["log_ki"]
    summary["pki"] = 9.0 - summary["log_ki"]
    return summary.drop(columns="log_ki")


def species_comparison(
    ki: pd.DataFrame,
    *,
    species_ratio_flag: float,
    reference_species: str = "human",
    other_species: str = "rat",
) -> pd.DataFrame:
    """Species comparison of affinity: per receptor × compound the
    Ki in *reference_species* and *other_species* (geometric mean over
    curves with a Ki), their ratio (other / reference), the fold difference
    (≥ 1) and ``species_difference_flag`` when the fold difference exceeds
    *species_ratio_flag*. ``notes`` say when a species has no Ki or when
    contributing curves carry quality flags.

    The difference is tested on pKi across independent experiments:
    ``pki_difference`` = pKi(reference) − pKi(other) with its 95% CI, Welch's
    ``welch_t``, ``welch_df`` and ``welch_p``. With fewer than two
    experiments in a species there is no test (NaN) and ``flags`` says
    ``single_binding_experiment``."""
    reference_species, other_species = reference_species.lower(), other_species.lower()
    columns = [
        "receptor",
        "compound",
        f"{reference_species}_ki_nM",
        f"{other_species}_ki_nM",
        f"{reference_species}_pki",
        f"{other_species}_pki",
        f"{other_species}_to_{reference_species}_ratio",
        "fold_difference",
        "species_difference_flag",
        f"n_{reference_species}_curves",
        f"n_{other_species}_curves",
        "notes",
        "pki_difference",
        "pki_difference_ci_low",
        "pki_difference_ci_high",
        "welch_t",
        "welch_df",
        "welch_p",
        "flags",
    ]
    ki = ki.assign(species=ki["species"].astype(str).str.lower())
    ki = ki.loc[ki["species"].isin([reference_species, other_species])]
    summary = _geometric_summary(ki, ["receptor", "compound", "species"])
    rows = []
    for receptor, compound in ki[["receptor", "compound"]].drop_duplicates().itertuples(index=False):
        row = {"receptor": receptor, "compound": compound}
        notes = []
        for species in (reference_species, other_species):
            key = (receptor, compound, species)
            if key in summary.index:
                entry = summary.loc[key]
                row[f"{species}_ki_nM"], row[f"{species}_pki"] = entry["ki_nM"], entry["pki"]
                row[f"n_{species}_curves"] = int(entry["n_curves"])
                if entry["n_flagged"]:
                    notes.append(
                        f"{species}: {int(entry['n_flagged'])} of {int(entry['n_curves'])} curves flagged"
                    )
            else:
                row[f"{species}_ki_nM"] = row[f"{species}_pki"] = np.nan
                row[f"n_{species}_curves"] = 0
                notes.append(f"{species}: no Ki")
        ratio = row[f"{other_species}_ki_nM"] / row[f"{reference_species}_ki_nM"]
        row[f"{other_species}_to_{reference_species}_ratio"] = ratio
        fold = max(ratio, 1.0 / ratio) if np.isfinite(ratio) and ratio > 0 else np.nan
        row["fold_difference"] = fold
        row["species_difference_flag"] = bool(np.isfinite(fold) and fold > species_ratio_flag)
        row["notes"] = ";".join(notes)
        both = ki.loc[(ki["receptor"] == receptor) & (ki["compound"] == compound)]
        test = welch_difference(
            both.loc[both["species"] == reference_species, "pki"],
            both.loc[both["species"] == other_species, "pki"],
        )
        row.update(
            pki_difference=test["difference"],
            pki_difference_ci_low=test["ci_low"],
            pki_difference_ci_high=test["ci_high"],
            welch_t=test["t"],
            welch_df=test["df"],
            welch_p=test["p"],
        )
        single = min(row[f"n_{reference_species}_curves"], row[f"n_{other_species}_curves"]) == 1
        row["flags"] = FLAG_SINGLE_EXPERIMENT if single else ""
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def selectivity_profile(ki: pd.DataFrame, *, primary_target: str) -> pd.DataFrame:
    """Ki at each receptor relative to the primary target, per species ×
    compound: ``ki_ratio_to_primary`` = Ki / Ki(primary) (> 1: weaker than
    at the primary target) and ``log10_ratio`` = pKi(primary) − pKi.
    Receptor names are matched case-insensitively. ``rank`` orders receptors
    by affinity (1 = highest). Ki is the pooled value over independent
    experiments (geometric mean of the curves with a Ki, i.e. the mean pKi
    of ``ki_summary.csv``); ``n_curves`` counts those experiments.
    """
    columns = [
        "species",
        "compound",
        "receptor",
        "ki_nM",
        "pki",
        "rank",
        "primary_target",
        "primary_ki_nM",
        "ki_ratio_to_primary",
        "log10_ratio",
        "n_curves",
        "notes",
    ]
    keys = ["species", "compound", "receptor"]
    every_curve = pd.MultiIndex.from_frame(ki[keys].drop_duplicates())
    summary = _geometric_summary(ki, keys).reindex(every_curve).reset_index()
    summary["n_curves"] = summary["n_curves"].fillna(0)
    rows = []
    for (species, compound), group in summary.groupby(["species", "compound"], sort=False):
        primary = group.loc[group["receptor"].astype(str).str.casefold() == primary_target.casefold()]
        primary_ki = float(primary["ki_nM"].iloc[0]) if len(primary) else np.nan
        ranks = group["ki_nM"].rank(method="min")
        for index, entry in group.iterrows():
            ratio = entry["ki_nM"] / primary_ki
            notes = [] if np.isfinite(primary_ki) else [f"no Ki at primary target {primary_target}"]
            if not np.isfinite(entry["ki_nM"]):
                notes.insert(0, "no Ki (fit failed or curve not fitted)")
            rows.append(
                {
                    "species": species,
                    "compound": compound,
                    "receptor": entry["receptor"],
                    "ki_nM": entry["ki_nM"],
                    "pki": entry["pki"],
                    "rank": int(ranks[index]) if np.isfinite(ranks[index]) else pd.NA,
                    "primary_target": primary_target,
                    "primary_ki_nM": primary_ki,
                    "ki_ratio_to_primary": ratio,
                    "log10_ratio": math.log10(ratio) if np.isfinite(ratio) else np.nan,
                    "n_curves": int(entry["n_curves"]),
                    "notes": ";".join(notes),
                }
            )
    return pd.DataFrame(rows, columns=columns)
