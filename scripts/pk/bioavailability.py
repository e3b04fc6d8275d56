"""Absolute bioavailability F with its confidence interval.

F = (AUC_test/Dose_test)/(AUC_iv/Dose_iv) for every extravascular route x
dose against each IV dose: crossover (same animals) -> t-interval of the
per-animal log ratio; parallel groups -> Fieller (default) or a seeded
bootstrap over animals. AUCinf when acceptable for every profile, else
AUClast. The method is written into the output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from scripts.pk.conventions import (
    BIOAVAILABILITY_COLUMNS,
    CI_LEVEL,
    EXTRAVASCULAR_ROUTES,
    GROUP_KEYS,
    IV_ROUTES,
    MEAN_PROFILE_ID,
)

# The ``pk`` settings :func:`bioavailability_table` uses.


# --------------------------------------------------------------------------
# Confidence intervals for ratios


def fieller_ci(num, var_num, den, var_den, df, level):
    """Fieller's CI for the ratio num/den of two independent estimates.

    Solves (num - r*den)^2 = t^2 (var_num + r^2 var_den) for r, with t the
    two-sided *level* quantile of Student's t on *df* degrees of freedom
    (normal when df is infinite). Returns ``(ratio, low, high)``; the
    bounds are NaN when den is not significantly different from 0
    (den^2 <= t^2 var_den), where the Fieller set is unbounded.
    """
    ratio = num / den
    tq = stats.norm.ppf(0.5 + level / 2) if math.isinf(df) else stats.t.ppf(0.5 + level / 2, df)
    a = den**2 - tq**2 * var_den
    b = -2.0 * num * den
    c = num**2 - tq**2 * var_num
    disc = b * b - 4 * a * c
    if a <= 0 or disc < 0:
        return ratio, float("nan"), float("nan")
    root = math.sqrt(disc)
    return ratio, (-b - root) / (2 * a), (-b + root) / (2 * a)


def satterthwaite_df(terms, dfs):
    """Satterthwaite df of a sum of variance terms: (sum v)^2 / sum(v^2/df)."""
    total = sum(terms)
    denom = sum(v * v / d for v, d in zip(terms, dfs) if not math.isinf(d) and d > 0)
    return total**2 / denom if denom > 0 else float("inf")


def bootstrap_ratio_ci(test, reference, n_boot, seed, level):
    """Percentile bootstrap CI of mean(test)/mean(reference), resampling
    animals with replacement within each group independently, with
    ``numpy.random.default_rng(seed)``. Returns ``(ratio, low, high)``
    where ratio is the ratio of the observed means."""
    test = np.asarray(test, float)
    reference = np.asarray(reference, float)
    rng = np.random.default_rng(seed)
    t_idx = rng.integers(0, test.size, size=(n_boot, test.size))
    r_idx = rng.integers(0, reference.size, size=(n_boot, reference.size))
    ratios = test[t_idx].mean(axis=1) / reference[r_idx].mean(axis=1)
    alpha = (1 - level) / 2
    low, high = np.quantile(ratios, [alpha, 1 - alpha])
    return float(test.mean() / reference.mean()), float(low), float(high)


def crossover_ci(test, reference, level):
    """Crossover (paired) F: geometric mean of per-animal ratios with a
    t-interval on the mean log ratio, df = n - 1. *test* and *reference*
    are dose-normalised exposures of the same animals in the same order.
    Returns ``(ratio, low, high)``; bounds NaN with fewer than 2 pairs."""
    d = np.log(np.asarray(test, float)) - np.log(np.asarray(reference, float))
    mean = float(np.mean(d))
    if d.size < 2:
        return math.exp(mean), float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, d.size - 1) * np.std(d, ddof=1) / math.sqrt(d.size)
    return math.exp(mean), math.exp(mean - half), math.exp(mean + half)


# --------------------------------------------------------------------------
# Bioavailability table


def _choose_auc(test, reference, max_extrap):
    """AUCinf when every profile of both groups has one with %extrap within
    the limit, otherwise AUClast for both (same metric on both sides)."""
    both = pd.concat([test, reference])
    ok = both["auc_inf_ng_h_mL"].notna() & (both["auc_pct_extrap"] <= max_extrap)
    return ("auc_inf_ng_h_mL", "AUCinf") if ok.all() else ("auc_last_ng_h_mL", "AUClast")


def _group_estimate(group, column, sparse, keys):
    """Mean dose-normalised AUC of a group, its variance and df."""
    if (group["animal_id"] == MEAN_PROFILE_ID).all():
        match = sparse[(sparse[GROUP_KEYS] == pd.Series(keys)).all(axis=1)] if len(sparse) else sparse
        value = float(group[column].iloc[0]) / keys["dose_mg_kg"]
        if column != "auc_last_ng_h_mL" or not len(match):
            return value, float("nan"), float("nan"), 1
        se = float(match["auc_last_se"].iloc[0]) / keys["dose_mg_kg"]
        return value, se**2, float(match["auc_last_df"].iloc[0]), int(match["n_animals"].iloc[0])
    x = (group[column] / group["dose_mg_kg"]).to_numpy(float)
    n = x.size
    var = float(np.var(x, ddof=1)) / n if n > 1 else float("nan")
    return float(np.mean(x)), var, float(n - 1), n


def bioavailability_table(
    nca: pd.DataFrame, settings: dict, sparse: pd.DataFrame | None = None, parent: str | None = None
) -> pd.DataFrame:
    """Absolute bioavailability F = (AUC_test/Dose_test)/(AUC_iv/Dose_iv).

    *settings* is the ``pk`` config section (``max_auc_pct_extrap``,
    ``f_ci_method``, ``bootstrap_samples``, ``seed``); every interval is at
    the :data:`CI_LEVEL` (95%). *sparse* is the Bailer table of destructive
    groups (:func:`scripts.pk.nca.sparse_auc_table`).

    One row per species-matched analyte x extravascular route x dose x IV
    reference dose (columns :data:`BIOAVAILABILITY_COLUMNS`). AUC metric:
    AUCinf when all profiles of both groups have an acceptable one
    (%extrap <= max_auc_pct_extrap), else AUClast. Design:

    * crossover, when animals appear in both groups: per-animal log ratio
      of dose-normalised AUCs, t-interval (:func:`crossover_ci`), over the
      paired animals only;
    * parallel groups: ratio of mean dose-normalised AUCs with Fieller's
      CI (default; variances of the means, Satterthwaite df on
      var_test + F² var_ref) or a seeded percentile bootstrap over animals
      (``f_ci_method: bootstrap``). Destructive groups enter with Bailer's
      SE and df (Fieller only; AUClast).

    Profiles without a quantifiable sample are left out of both groups
    (counts in ``n_test``/``n_reference`` are the profiles used); when a
    group has none, F is NaN and ``method`` says the analyte was not
    detected. With *parent* (the dosed compound) only its rows are given:
    the route ratio of a metabolite's exposure is not bioavailability and
    goes to ``metabolites.csv`` (:func:`route_ratio`).
    """
    sparse = sparse if sparse is not None else pd.DataFrame(columns=GROUP_KEYS)
    if parent is not None:
        nca = nca[nca["analyte"].astype(str).str.lower() == str(parent).lower()]
    rows = []
    iv = nca[nca["route"].isin(IV_ROUTES)]
    ev = nca[nca["route"].isin(EXTRAVASCULAR_ROUTES)]
    for (species, analyte, route, dose), test_all in ev.groupby(GROUP_KEYS, sort=True):
        refs = iv[(iv["species"] == species) & (iv["analyte"] == analyte)]
        for ref_dose, ref_all in refs.groupby("dose_mg_kg", sort=True):
            base = dict(
                analyte=analyte,
                route=route,
                dose_mg_kg=dose,
                reference_route="iv",
                reference_dose_mg_kg=ref_dose,
            )
            test = test_all[test_all["auc_last_ng_h_mL"].notna()]
            ref = ref_all[ref_all["auc_last_ng_h_mL"].notna()]
            if test.empty or ref.empty:
                which = (
                    "either group"
                    if test.empty and ref.empty
                    else ("the test group" if test.empty else "the reference group")
                )
                rows.append(
                    dict(
                        base,
                        f=float("nan"),
                        f_ci_low=float("nan"),
                        f_ci_high=float("nan"),
                        method=f"not estimable: {analyte} not detected in {which}",
                        n_test=len(test),
                        n_reference=len(ref),
                    )
                )
                continue
            rows.append(
                dict(
                    base,
                    **_f_estimate(test, ref, settings, sparse, (species, analyte, route, dose, ref_dose)),
                )
            )
    return pd.DataFrame(rows, columns=BIOAVAILABILITY_COLUMNS)


def _f_estimate(test, ref, s, sparse, ids):
    species, analyte, route, dose, ref_dose = ids
    level = CI_LEVEL
    paired = sorted(set(test["animal_id"]) & set(ref["animal_id"]) - {MEAN_PROFILE_ID})
    column, label = _choose_auc(test, ref, s["max_auc_pct_extrap"])
    if paired:
        t = test.set_index("animal_id").loc[paired]
        r = ref.set_index("animal_id").loc[paired]
        column, label = _choose_auc(t, r, s["max_auc_pct_extrap"])
        f, lo, hi = crossover_ci(t[column] / dose, r[column] / ref_dose, level)
        note = "" if len(paired) == len(test) == len(ref) else "; unpaired animals excluded"
        return dict(
            f=f,
            f_ci_low=lo,
            f_ci_high=hi,
            n_test=len(paired),
            n_reference=len(paired),
            method=f"crossover: {label}, geometric mean of per-animal dose-normalised ratios, "
            f"{level:.0%} t-interval of mean log ratio (df={len(paired) - 1}){note}",
        )
    destructive = (test["animal_id"] == MEAN_PROFILE_ID).all() or (ref["animal_id"] == MEAN_PROFILE_ID).all()
    if destructive:
        column, label = "auc_last_ng_h_mL", "AUClast"
    tkeys = dict(species=species, analyte=analyte, route=route, dose_mg_kg=dose)
    rkeys = dict(species=species, analyte=analyte, route="iv", dose_mg_kg=ref_dose)
    a, va, dfa, na = _group_estimate(test, column, sparse, tkeys)
    b, vb, dfb, nb = _group_estimate(ref, column, sparse, rkeys)
    if s["f_ci_method"] == "bootstrap" and not destructive:
        f, lo, hi = bootstrap_ratio_ci(
            (test[column] / dose).to_numpy(),
            (ref[column] / ref_dose).to_numpy(),
            int(s["bootstrap_samples"]),
            int(s["seed"]),
            level,
        )
        method = (
            f"parallel groups: {label}, ratio of mean dose-normalised AUCs, {level:.0%} percentile "
            f"bootstrap over animals ({int(s['bootstrap_samples'])} resamples, seed {int(s['seed'])})"
        )
        return dict(f=f, f_ci_low=lo, f_ci_high=hi, method=method, n_test=na, n_reference=nb)
    ratio = a / b
    df = satterthwaite_df([va, ratio**2 * vb], [dfa, dfb]) if np.isfinite(va + vb) else float("nan")
    if np.isfinite(df):
        f, lo, hi = fieller_ci(a, va, b, vb, df, level)
    else:
        f, lo, hi = ratio, float("nan"), float("nan")
    method = (
        f"parallel groups: {label}, ratio of mean dose-normalised AUCs, {level:.0%} Fieller CI "
        f"(Satterthwaite df={df:.1f})"
    )
    if destructive:
        method += "; destructive design: Bailer SE of mean-profile AUClast"
        if s["f_ci_method"] == "bootstrap":
            method += " (bootstrap not available for destructive designs)"
    if np.isfinite(df) and math.isnan(lo):
        method += "; CI unbounded (reference AUC not distinguishable from 0)"
    return dict(f=f, f_ci_low=lo, f_ci_high=hi, method=method, n_test=na, n_reference=nb)


def route_ratio(test, reference, settings, sparse, ids) -> dict:
    """Extravascular over IV dose-normalised AUClast of one analyte (for a
    metabolite: an exposure ratio, not F), with the same CI methods as F.
    AUClast always, so the row's metabolite-to-parent ratio and this ratio
    use one metric. Returns f, f_ci_low, f_ci_high, method, n_test,
    n_reference."""
    forced = dict(settings, max_auc_pct_extrap=-math.inf)  # -> AUClast on both sides
    return _f_estimate(test, reference, forced, sparse, ids)
