"""Destructive (sparse) designs: each animal sampled once.

NCA runs on the mean profile (BLQ counted as 0 in the mean) with the linear
trapezoid, and AUClast gets Bailer's (1988) standard error with
Satterthwaite degrees of freedom (Nedelman & Jia 1998), as PKNCA's sparse
NCA does.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.pk.auc import add_time_zero
from scripts.pk.profile import nca_profile


def is_destructive_group(group: pd.DataFrame) -> bool:
    """True when every animal of a route x dose x analyte group was sampled
    once and there are at least two sampling times (one sample per animal,
    the destructive or terminal-bleed design)."""
    per_animal = group.groupby("animal_id")["time_h"].size()
    return bool((per_animal == 1).all() and group["time_h"].nunique() >= 2)


def mean_profile(group: pd.DataFrame) -> pd.DataFrame:
    """Mean concentration per sampling time of a destructive group.

    BLQ samples count as 0 in the mean and SD (so the mean is not biased
    upward); a time where every sample is BLQ is BLQ in the mean profile.
    Columns: time_h, n, n_blq, mean, sd (ddof=1), blq.
    """
    g = group.assign(c=group["concentration_ng_mL"].where(~group["blq"], 0.0))
    out = g.groupby("time_h").agg(
        n=("c", "size"),
        n_blq=("blq", "sum"),
        mean=("c", "mean"),
        sd=("c", lambda x: x.std(ddof=1) if len(x) > 1 else float("nan")),
    )
    out = out.reset_index()
    out["blq"] = out["n_blq"] == out["n"]
    out.loc[out["blq"], "mean"] = float("nan")
    return out


def bailer_auc(time, mean, sd, n):
    """Bailer's (1988) AUC(0-tlast) of a destructive design and its SE.

    AUC = sum(w_i * mean_i) with linear-trapezoid weights
    w_0 = (t_1 - t_0)/2, w_i = (t_{i+1} - t_{i-1})/2, w_m = (t_m - t_{m-1})/2;
    Var = sum(w_i^2 * s_i^2 / n_i) (animals independent across times).
    Degrees of freedom by Satterthwaite: Var^2 / sum((w_i^2 s_i^2/n_i)^2/(n_i - 1))
    (Nedelman & Jia 1998). Points with n_i = 1 or undefined SD contribute
    no variance. Returns ``(auc, se, df)``.
    """
    t = np.asarray(time, float)
    m = np.asarray(mean, float)
    s = np.nan_to_num(np.asarray(sd, float), nan=0.0)
    n = np.asarray(n, float)
    if t.size < 2:
        return float("nan"), float("nan"), float("nan")
    gaps = np.diff(t)
    w = (np.r_[0.0, gaps] + np.r_[gaps, 0.0]) / 2.0
    terms = np.where(n > 1, w**2 * s**2 / np.maximum(n, 1), 0.0)
    var = float(np.sum(terms))
    denom = float(np.sum(np.where(n > 1, terms**2 / np.maximum(n - 1, 1), 0.0)))
    df = var**2 / denom if denom > 0 else float("inf")
    return float(np.sum(w * m)), math.sqrt(var), df


def sampling_sd_and_n(mp, times, concs):
    """SD and n behind each mean-profile point; a point that is not a
    sampled mean (inserted t = 0, back-extrapolated C0) gets SD 0, n 1.
    An all-BLQ time kept as 0 has SD 0 (every sample is 0)."""
    by_time = mp.set_index("time_h")
    sds, ns = [], []
    for t, c in zip(times, concs):
        sampled = t in by_time.index
        observed = sampled and (by_time.at[t, "blq"] or c == by_time.at[t, "mean"])
        sds.append(0.0 if not observed or by_time.at[t, "blq"] else by_time.at[t, "sd"])
        ns.append(by_time.at[t, "n"] if observed else 1)
    return np.asarray(sds, float), np.asarray(ns, float)


def destructive_result(group, keys, settings, metabolite=False):
    """NCA of a destructive group's mean profile, with Bailer's SE.

    Uses the linear trapezoid for AUC (PKNCA's sparse AUC and Bailer's SE
    are defined for it), whatever ``auc_method`` says. Extra output keys:
    ``bailer_se`` and ``bailer_df`` of AUClast.
    """
    mp = mean_profile(group)
    s = dict(settings, auc_method="linear")
    n_animals = group["animal_id"].nunique()
    flags = [f"destructive_design(mean_profile_of_{n_animals}_animals,linear_trapezoid)"]
    if (mp["n_blq"] > 0).any() and not mp["blq"].all():
        flags.append("blq_counted_as_zero_in_mean")
    result = nca_profile(
        mp["time_h"], mp["mean"], mp["blq"], keys["route"], keys["dose_mg_kg"], s, flags, metabolite
    )
    se = df = float("nan")
    if result.time.size:
        # Same points as the NCA above (after BLQ rules and time zero), so
        # Bailer's AUC equals the reported AUClast; the inserted t = 0 point
        # (0 or a back-extrapolated C0) carries no sampling variance.
        t_all, c_all, _, _ = add_time_zero(result.time, result.conc, "po" if metabolite else keys["route"])
        sd, n = sampling_sd_and_n(mp, t_all, c_all)
        keep = t_all <= result.row["tlast_h"]
        _, se, df = bailer_auc(t_all[keep], c_all[keep], sd[keep], n[keep])
    result.row.update(bailer_se=se, bailer_df=df, n_animals=n_animals)
    return result
