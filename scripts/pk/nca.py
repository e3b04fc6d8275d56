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
    INTERVAL_COLUMNS,
    IV_ROUTES,
    LAMBDA_Z_POINT_COLUMNS,
    MEAN_PROFILE_ID,
    PROFILE_KEYS,
    SPARSE_COLUMNS,
    group_row_keys,
    nca_columns,
)
from scripts.pk.intervals import interval_rows
from scripts.pk.profile import nca_profile
from scripts.pk.sparse import destructive_result, is_destructive_group

# The ``pk`` settings the NCA uses (the pk_nca rule passes only these).


def is_metabolite(analyte: str, parent: str | None) -> bool:
    """An analyte is a metabolite when a parent (the dosed compound, e.g.
    study.yaml ``compound``) is named and the analyte's name differs from it
    (case-insensitive). Without a parent every analyte counts as dosed."""
    return parent is not None and str(analyte).strip().lower() != str(parent).strip().lower()


def _doses_of(dosing, animal):
    """Sorted dose records of *animal* (empty without dosing records)."""
    if dosing is None or dosing.empty:
        return None
    rows = dosing[dosing["animal_id"].astype(str) == str(animal)]
    return rows.sort_values("time_h", kind="stable") if len(rows) else None


def _lambda_z_control(lambda_z, animal, analyte):
    """``(action, times, reason)`` of the profile's λz control row, or None."""
    if lambda_z is None or lambda_z.empty:
        return None
    match = lambda_z[(lambda_z["animal_id"].astype(str) == str(animal)) & (lambda_z["analyte"] == analyte)]
    if match.empty:
        return None
    row = match.iloc[0]
    times = [float(t) for t in str(row["times_h"]).split(";")]
    return row["action"], times, str(row["reason"]).replace(";", ",")


def _serial_result(prof, keys, settings, metabolite, doses, control):
    """NCA of one serial profile, with its dosing intervals when it has
    dosing records. A profile with several doses is reported in nca.csv by
    its first dosing interval (samples up to the second dose, flag
    ``multiple_dose(first_interval_of_n)``); an IV dose with a duration is
    an infusion."""
    time = prof["time_h"].to_numpy(float)
    conc = prof["concentration_ng_mL"].to_numpy(float)
    blq = prof["blq"].to_numpy(bool)
    flags, infusion = [], False
    if doses is not None:
        infusion = keys["route"] in IV_ROUTES and float(doses["duration_h"].iloc[0]) > 0
        if infusion:
            flags.append(f"iv_infusion(duration_h={float(doses['duration_h'].iloc[0]):g})")
        if len(doses) > 1:
            flags.append(f"multiple_dose(first_interval_of_{len(doses)})")
            first = time <= float(doses["time_h"].iloc[1]) + 1e-9
            time, conc, blq = time[first], conc[first], blq[first]
    res = nca_profile(
        time,
        conc,
        blq,
        keys["route"],
        keys["dose_mg_kg"],
        settings,
        flags,
        metabolite=metabolite,
        infusion=infusion,
        lambda_z_control=control,
    )
    if doses is not None:
        res.intervals = interval_rows(
            prof["time_h"],
            prof["concentration_ng_mL"],
            prof["blq"],
            doses["time_h"].to_numpy(float),
            res.row["lambda_z_per_h"],
            settings,
            iv_bolus=keys["route"] in IV_ROUTES and not infusion and not metabolite,
        )
    return res


def nca_results(
    pk: pd.DataFrame,
    settings: dict,
    parent: str | None = None,
    dosing: pd.DataFrame | None = None,
    lambda_z: pd.DataFrame | None = None,
):
    """NCA of every profile of a validated PK table
    (:func:`scripts.validation.validate_pk`) with the ``pk`` *settings*.

    Serial designs give one row per animal x analyte x route x dose;
    destructive groups (:func:`is_destructive_group`) give one row on the
    mean profile with ``animal_id = 'mean_profile'``. Analytes other than
    *parent* are metabolites (:func:`is_metabolite`, :func:`nca_profile`).
    *dosing* and *lambda_z* are the validated ``pk/dosing.csv`` and
    ``pk/lambda_z.csv`` (:mod:`scripts.validation.dosing`), when given:
    serial profiles with dosing records get their dosing intervals
    (:mod:`scripts.pk.intervals`), and a λz control row fixes or excludes
    the profile's λz points. Returns a list of ``(keys, ProfileResult)``
    sorted by species, analyte, route, dose, animal.
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
            doses = _doses_of(dosing, animal)
            control = _lambda_z_control(lambda_z, animal, keys["analyte"])
            res = _serial_result(prof, keys, settings, metabolite, doses, control)
            results.append((dict(keys, animal_id=animal), res))
    return results


def _nca_frame(results, settings) -> pd.DataFrame:
    columns = nca_columns(settings["partial_auc_intervals_h"])
    rows = [dict(keys, **{k: v for k, v in res.row.items() if k in columns}) for keys, res in results]
    table = pd.DataFrame(rows, columns=columns)
    table["lambda_z_n_points"] = table["lambda_z_n_points"].astype("Int64")
    return table


def _intervals_frame(results) -> pd.DataFrame:
    rows = [
        dict(animal_id=keys["animal_id"], analyte=keys["analyte"], **interval)
        for keys, res in results
        for interval in res.intervals
    ]
    table = pd.DataFrame(rows, columns=INTERVAL_COLUMNS)
    table["dose_number"] = table["dose_number"].astype("Int64")
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


def nca_table(pk: pd.DataFrame, settings: dict, parent: str | None = None, dosing=None, lambda_z=None):
    """The ``nca.csv`` table (columns :func:`nca_columns`), one row per
    profile; see :func:`nca_profile` for every rule and flag."""
    return _nca_frame(nca_results(pk, settings, parent, dosing, lambda_z), settings)


def lambda_z_points(pk: pd.DataFrame, settings: dict, parent: str | None = None, dosing=None, lambda_z=None):
    """Concentrations after BLQ handling (before the t = 0 insertion) per
    profile, with ``used_in_lambda_z`` marking the terminal-phase points and
    the fit's λz and intercept (ln scale) repeated per row; the data behind
    the λz diagnostic plot (columns :data:`LAMBDA_Z_POINT_COLUMNS`)."""
    return _points_frame(nca_results(pk, settings, parent, dosing, lambda_z))


def sparse_auc_table(pk: pd.DataFrame, settings: dict, parent: str | None = None) -> pd.DataFrame:
    """Bailer AUClast, SE and Satterthwaite df per destructive group
    (columns :data:`SPARSE_COLUMNS`); empty for serial designs."""
    return _sparse_frame(nca_results(pk, settings, parent))


def interval_table(pk: pd.DataFrame, settings: dict, parent: str | None = None, dosing=None, lambda_z=None):
    """The ``intervals.csv`` rows of a PK table (columns
    :data:`INTERVAL_COLUMNS`; rules in :mod:`scripts.pk.intervals`)."""
    return _intervals_frame(nca_results(pk, settings, parent, dosing, lambda_z))


def nca_outputs(pk: pd.DataFrame, settings: dict, parent: str | None = None, dosing=None, lambda_z=None):
    """``(nca_table, lambda_z_points, sparse_auc_table, interval_table)``
    from one pass."""
    results = nca_results(pk, settings, parent, dosing, lambda_z)
    return (
        _nca_frame(results, settings),
        _points_frame(results),
        _sparse_frame(results),
        _intervals_frame(results),
    )
