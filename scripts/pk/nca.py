"""Non-compartmental analysis (NCA) of a validated PK table: the ``pk_nca``
rule (``nca.csv`` rows, λz diagnostic points and Bailer sparse AUCs of one
PK file).

The rules follow PKNCA / Phoenix WinNonlin; each is one documented function:

* BLQ handling, time zero / C0 and the AUC/AUMC trapezoids:
  :mod:`scripts.pk.auc`;
* terminal phase λz, t½, AUCinf, %extrapolated, AUMCinf, MRT, CL (CL/F)
  and Vz (Vz/F): :mod:`scripts.pk.lambda_z`;
* their order for one profile, Cmax/Tmax and the quality flags:
  :func:`scripts.pk.profile.nca_profile`;
* destructive designs (each animal sampled once; mean profile, Bailer's
  SE): :mod:`scripts.pk.sparse`.

Units and routes are described in :mod:`scripts.pk.conventions`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.pk.conventions import (
    GROUP_KEYS,
    LAMBDA_Z_POINT_COLUMNS,
    MEAN_PROFILE_ID,
    NCA_COLUMNS,
    PROFILE_KEYS,
    SPARSE_COLUMNS,
    group_row_keys,
)
from scripts.pk.profile import nca_profile
from scripts.pk.sparse import destructive_result, is_destructive_group

# The ``pk`` settings the NCA uses (the pk_nca rule passes only these).
NCA_SETTINGS = (
    "auc_method",
    "max_auc_pct_extrap",
    "min_lambda_z_points",
    "min_lambda_z_adj_r2",
    "min_span_ratio",
    "blq_first",
    "blq_middle",
    "blq_last",
)


def is_metabolite(analyte: str, parent: str | None) -> bool:
    """An analyte is a metabolite when a parent (the dosed compound, e.g.
    study.yaml ``compound``) is named and the analyte's name differs from it
    (case-insensitive). Without a parent every analyte counts as dosed."""
    return parent is not None and str(analyte).strip().lower() != str(parent).strip().lower()


def nca_results(pk: pd.DataFrame, settings: dict, parent: str | None = None):
    """NCA of every profile of a validated PK table
    (:func:`scripts.validation.validate_pk`) with the ``pk`` *settings*.

    Serial designs give one row per animal x analyte x route x dose;
    destructive groups (:func:`is_destructive_group`) give one row on the
    mean profile with ``animal_id = 'mean_profile'``. Analytes other than
    *parent* are metabolites (:func:`is_metabolite`, :func:`nca_profile`).
    Returns a list of ``(keys, ProfileResult)`` sorted by species, analyte,
    route, dose, animal.
    """
    pk = pk.sort_values(PROFILE_KEYS + ["time_h"], kind="stable").reset_index(drop=True)
    results = []
    for gkeys, group in pk.groupby(GROUP_KEYS, sort=True):
        keys = group_row_keys(gkeys)
        metabolite = is_metabolite(keys["analyte"], parent)
        if is_destructive_group(group):
            results.append(
                (dict(keys, animal_id=MEAN_PROFILE_ID), destructive_result(group, keys, settings, metabolite))
            )
            continue
        for animal, prof in group.groupby("animal_id", sort=True):
            res = nca_profile(
                prof["time_h"],
                prof["concentration_ng_mL"],
                prof["blq"],
                keys["route"],
                keys["dose_mg_kg"],
                settings,
                metabolite=metabolite,
            )
            results.append((dict(keys, animal_id=animal), res))
    return results


def _nca_frame(results) -> pd.DataFrame:
    rows = [dict(keys, **{k: v for k, v in res.row.items() if k in NCA_COLUMNS}) for keys, res in results]
    table = pd.DataFrame(rows, columns=NCA_COLUMNS)
    table["lambda_z_n_points"] = table["lambda_z_n_points"].astype("Int64")
    return table


def _points_frame(results) -> pd.DataFrame:
    rows = []
    for keys, res in results:
        used = set(np.round(res.fit.times, 12))
        for t, c in zip(res.time, res.conc):
            rows.append(
                dict(
                    keys,
                    time_h=t,
                    concentration_ng_mL=c,
                    used_in_lambda_z=round(t, 12) in used,
                    lambda_z_per_h=res.fit.lambda_z,
                    lambda_z_intercept=res.fit.intercept,
                )
            )
    return pd.DataFrame(rows, columns=LAMBDA_Z_POINT_COLUMNS)


def _sparse_frame(results) -> pd.DataFrame:
    rows = [
        {
            **{k: keys[k] for k in GROUP_KEYS},
            "n_animals": res.row["n_animals"],
            "auc_last_ng_h_mL": res.row["auc_last_ng_h_mL"],
            "auc_last_se": res.row["bailer_se"],
            "auc_last_df": res.row["bailer_df"],
        }
        for keys, res in results
        if keys["animal_id"] == MEAN_PROFILE_ID
    ]
    return pd.DataFrame(rows, columns=SPARSE_COLUMNS)


def nca_table(pk: pd.DataFrame, settings: dict, parent: str | None = None) -> pd.DataFrame:
    """The ``nca.csv`` table (columns :data:`NCA_COLUMNS`), one row per
    profile; see :func:`nca_profile` for every rule and flag."""
    return _nca_frame(nca_results(pk, settings, parent))


def lambda_z_points(pk: pd.DataFrame, settings: dict, parent: str | None = None) -> pd.DataFrame:
    """Concentrations after BLQ handling (before the t = 0 insertion) per
    profile, with ``used_in_lambda_z`` marking the terminal-phase points and
    the fit's λz and intercept (ln scale) repeated per row; the data behind
    the λz diagnostic plot (columns :data:`LAMBDA_Z_POINT_COLUMNS`)."""
    return _points_frame(nca_results(pk, settings, parent))


def sparse_auc_table(pk: pd.DataFrame, settings: dict, parent: str | None = None) -> pd.DataFrame:
    """Bailer AUClast, SE and Satterthwaite df per destructive group
    (columns :data:`SPARSE_COLUMNS`); empty for serial designs."""
    return _sparse_frame(nca_results(pk, settings, parent))


def nca_outputs(pk: pd.DataFrame, settings: dict, parent: str | None = None):
    """``(nca_table, lambda_z_points, sparse_auc_table)`` from one pass."""
    results = nca_results(pk, settings, parent)
    return _nca_frame(results), _points_frame(results), _sparse_frame(results)
