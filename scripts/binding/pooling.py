"""Independent experiments pooled (rule ``binding_aggregate``): the field's
mean pKi ± SEM over independent experiments (``binding/ki_summary.csv``),
and the species difference tested on pKi across experiments (Welch t).

Each row of ``ki.csv`` is one curve of one independent experiment (an
experiment is a file × ``experiment`` label). Pooling is on the log scale:
pKi = −log10(Ki / M); the mean pKi gives the geometric-mean Ki, and its 95%
CI is mean ± t(0.975, n − 1) · SEM, SEM = SD / √n (sample SD). One
experiment gives no SEM and no CI (flag ``single_binding_experiment``);
nothing is made up.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.binding.fit_statistics import stats, t_quantile_975
from scripts.binding.twosite import STATUS_TWO_SITES

FLAG_SINGLE_EXPERIMENT = "single_binding_experiment"

#: Columns of ``binding/ki_summary.csv`` (the first 13 are the contract).
KI_SUMMARY_COLUMNS = [
    "receptor",
    "species",
    "compound",
    "n_experiments",
    "pki_mean",
    "pki_sem",
    "pki_ci_low",
    "pki_ci_high",
    "ki_geomean_nM",
    "ki_ci_low_nM",
    "ki_ci_high_nM",
    "hill_mean",
    "flags",
    "pki_sd",
    "n_curves",
    "experiments",
    "n_two_site",
    "two_site_fraction_high_mean",
    "pki_high_mean",
    "pki_low_mean",
]


def pooled_pki(pki) -> dict:
    """Mean, SD, SEM and t-based 95% CI (n − 1 degrees of freedom) of the
    finite values in *pki*; SD, SEM and CI NaN for fewer than two."""
    values = np.asarray(pki, dtype=float)
    values = values[np.isfinite(values)]
    n = int(values.size)
    out = {"n": n, "mean": np.nan, "sd": np.nan, "sem": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    if n == 0:
        return out
    out["mean"] = float(values.mean())
    if n >= 2:
        out["sd"] = float(values.std(ddof=1))
        out["sem"] = out["sd"] / math.sqrt(n)
        half = t_quantile_975(n - 1) * out["sem"]
        out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
    return out


def _ki_nM(pki: float) -> float:
    return 10.0 ** (9.0 - pki) if np.isfinite(pki) else np.nan


def _pooled_constant(pooled: dict, constant: str) -> dict:
    """The summary columns of a pooled p-constant (*constant* ``ki`` or
    ``kd``): n, mean, SEM and CI on the log scale, then the geometric mean
    and CI in nM (the CI bounds swap: a higher pKi is a lower Ki)."""
    return {
        "n_experiments": pooled["n"],
        f"p{constant}_mean": pooled["mean"],
        f"p{constant}_sem": pooled["sem"],
        f"p{constant}_ci_low": pooled["ci_low"],
        f"p{constant}_ci_high": pooled["ci_high"],
        f"{constant}_geomean_nM": _ki_nM(pooled["mean"]),
        f"{constant}_ci_low_nM": _ki_nM(pooled["ci_high"]),
        f"{constant}_ci_high_nM": _ki_nM(pooled["ci_low"]),
    }


def _flag_ids(flags) -> list[str]:
    return [f for f in str(flags).split(";") if f and f != "nan"]


def ki_summary(ki: pd.DataFrame) -> pd.DataFrame:
    """``ki_summary.csv``: per receptor × species × compound, the experiments
    with a Ki pooled as mean pKi ± SEM (KI_SUMMARY_COLUMNS).

    ``ki_geomean_nM`` = 10^(9 − mean pKi); the Ki CI is the pKi CI
    transformed (``ki_ci_low_nM`` from ``pki_ci_high``). ``hill_mean`` is the
    mean variable-slope Hill slope of those experiments. ``flags``:
    ``single_binding_experiment`` when n = 1, curves without a Ki, and each
    curve flag with the number of experiments carrying it (e.g.
    ``hill_not_unity (3/3)``, ``two_sites (1/3)`` for experiments where two
    sites are preferred). Experiments with two sites preferred are also
    pooled on their own: ``n_two_site``, the mean high-affinity fraction and
    the mean pKi of each site."""
    rows = []
    for (receptor, species, compound), group in ki.groupby(["receptor", "species", "compound"], sort=False):
        pki = group["pki"].to_numpy(dtype=float)
        valid = group.loc[np.isfinite(pki)]
        pooled = pooled_pki(pki)
        flags = []
        if pooled["n"] == 1:
            flags.append(FLAG_SINGLE_EXPERIMENT)
        if len(valid) < len(group):
            flags.append(f"{len(group) - len(valid)} curve(s) without Ki")
        counts = pd.Series([f for value in valid["flags"] for f in _flag_ids(value)], dtype=object)
        for flag, count in counts.value_counts(sort=False).items():
            flags.append(f"{flag} ({count}/{pooled['n']})")
        two = group.loc[group.get("two_site_status", pd.Series("", index=group.index)) == STATUS_TWO_SITES]
        if len(two):
            flags.append(f"two_sites ({len(two)}/{len(group)})")
        hill = valid.get("variable_slope_hill_slope", pd.Series(dtype=float)).to_numpy(dtype=float)
        hill = hill[np.isfinite(hill)]
        rows.append(
            {
                "receptor": receptor,
                "species": species,
                "compound": compound,
                **_pooled_constant(pooled, "ki"),
                "hill_mean": float(hill.mean()) if hill.size else np.nan,
                "flags": ";".join(flags),
                "pki_sd": pooled["sd"],
                "n_curves": len(group),
                "experiments": ";".join(_experiment_names(valid)),
                "n_two_site": len(two),
                "two_site_fraction_high_mean": _mean(two.get("two_site_fraction_high")),
                "pki_high_mean": _mean(9.0 - np.log10(two["ki_high_nM"].astype(float)))
                if len(two)
                else np.nan,
                "pki_low_mean": _mean(9.0 - np.log10(two["ki_low_nM"].astype(float))) if len(two) else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=KI_SUMMARY_COLUMNS)


def _mean(values) -> float:
    values = np.asarray([] if values is None else values, dtype=float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else np.nan


def _experiment_names(curves: pd.DataFrame) -> list[str]:
    labels = curves.get("experiment", pd.Series([""] * len(curves), index=curves.index)).fillna("")
    return [f"{assay}:{label}" if str(label) else str(assay) for assay, label in zip(curves["assay"], labels)]


def welch_difference(pki_a, pki_b) -> dict:
    """Welch's t test of mean pKi a − b across independent experiments, with
    the 95% CI of the difference on the Welch–Satterthwaite degrees of
    freedom. NaN (no p-value) when either side has fewer than two
    experiments or both have no spread."""
    a = np.asarray(pki_a, dtype=float)
    b = np.asarray(pki_b, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    out = {"difference": np.nan, "ci_low": np.nan, "ci_high": np.nan, "t": np.nan, "df": np.nan, "p": np.nan}
    if a.size and b.size:
        out["difference"] = float(a.mean() - b.mean())
    if a.size < 2 or b.size < 2:
        return out
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    if not se > 0:
        return out
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    t = out["difference"] / se
    half = float(stats.t.ppf(0.975, df)) * se
    out.update(
        t=t,
        df=df,
        p=float(2.0 * stats.t.sf(abs(t), df)),
        ci_low=out["difference"] - half,
        ci_high=out["difference"] + half,
    )
    return out


#: Columns of ``binding/saturation_summary.csv``.
SATURATION_SUMMARY_COLUMNS = [
    "receptor",
    "species",
    "radioligand",
    "n_experiments",
    "pkd_mean",
    "pkd_sem",
    "pkd_ci_low",
    "pkd_ci_high",
    "kd_geomean_nM",
    "kd_ci_low_nM",
    "kd_ci_high_nM",
    "bmax_fmol_mg_mean",
    "bmax_fmol_mg_sem",
    "flags",
]


def saturation_summary(saturation_fits: pd.DataFrame) -> pd.DataFrame:
    """Saturation experiments pooled per receptor × species × radioligand
    (matched as given) as mean pKd ± SEM, pKd = −log10(Kd / M), with the
    t-based CI on n − 1 and the geometric-mean Kd; Bmax in fmol/mg as mean ±
    SEM where converted. ``flags``: ``single_binding_experiment`` for n = 1,
    and each fit flag with the number of experiments carrying it."""
    rows = []
    if saturation_fits is None or saturation_fits.empty:
        return pd.DataFrame(columns=SATURATION_SUMMARY_COLUMNS)
    for (receptor, species, radioligand), group in saturation_fits.groupby(
        ["receptor", "species", "radioligand"], sort=False
    ):
        kd = group["kd_nM"].to_numpy(dtype=float)
        pkd = np.where(kd > 0, 9.0 - np.log10(np.where(kd > 0, kd, 1.0)), np.nan)
        pooled = pooled_pki(pkd)
        bmax = pooled_pki(group.get("bmax_fmol_mg", pd.Series(np.nan, index=group.index)))
        flags = [FLAG_SINGLE_EXPERIMENT] if pooled["n"] == 1 else []
        counts = pd.Series([f for value in group["flags"] for f in _flag_ids(value)], dtype=object)
        flags += [f"{flag} ({count}/{len(group)})" for flag, count in counts.value_counts(sort=False).items()]
        rows.append(
            {
                "receptor": receptor,
                "species": species,
                "radioligand": radioligand,
                **_pooled_constant(pooled, "kd"),
                "bmax_fmol_mg_mean": bmax["mean"],
                "bmax_fmol_mg_sem": bmax["sem"],
                "flags": ";".join(flags),
            }
        )
    return pd.DataFrame(rows, columns=SATURATION_SUMMARY_COLUMNS)
