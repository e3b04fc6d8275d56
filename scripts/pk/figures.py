"""PK figures: concentration-time profiles and λz diagnostics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.pk.conventions import PROFILE_KEYS


def _group_label(route, dose):
    return f"{route.upper()} {dose:g} mg/kg"


def plot_concentration_time(pk: pd.DataFrame):
    """Semilog concentration-time figure: one panel per analyte; per route x
    dose the mean ± SD at each time where at least half of the samples are
    quantifiable (BLQ counted as 0 in that mean; the lower error bar is cut
    at 5% of the mean on the log axis), individual profiles faint
    (quantifiable samples only), the LLOQ as a dashed line. An analyte BLQ throughout is labelled
    "not detected (all samples BLQ)". Returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    pk = pk.sort_values(PROFILE_KEYS + ["time_h"], kind="stable").reset_index(drop=True)
    analytes = sorted(pk["analyte"].unique())
    fig, axes = plt.subplots(1, len(analytes), figsize=(4.8 * len(analytes), 4.2), squeeze=False, sharex=True)
    groups = sorted({(sp, r, d) for sp, r, d in zip(pk["species"], pk["route"], pk["dose_mg_kg"])})
    colours = {g: plt.cm.tab10(i % 10) for i, g in enumerate(groups)}
    several_species = pk["species"].nunique() > 1
    for ax, analyte in zip(axes[0], analytes):
        data = pk[pk["analyte"] == analyte]
        for (species, route, dose), g in data.groupby(["species", "route", "dose_mg_kg"], sort=True):
            colour = colours[(species, route, dose)]
            label = (f"{species} " if several_species else "") + _group_label(route, dose)
            for _, prof in g[~g["blq"]].groupby("animal_id"):
                ax.plot(
                    prof["time_h"],
                    prof["concentration_ng_mL"],
                    color=colour,
                    alpha=0.2,
                    lw=0.8,
                    marker="." if len(prof) == 1 else None,
                )
            c = g["concentration_ng_mL"].where(~g["blq"], 0.0)
            stats_t = c.groupby(g["time_h"]).agg(["mean", "std"])
            stats_t["quantifiable"] = (~g["blq"]).groupby(g["time_h"]).mean()
            stats_t = stats_t[(stats_t["quantifiable"] >= 0.5) & (stats_t["mean"] > 0)].reset_index()
            if len(stats_t):
                lower = np.minimum(stats_t["std"].fillna(0), stats_t["mean"] * 0.95)
                ax.errorbar(
                    stats_t["time_h"],
                    stats_t["mean"],
                    yerr=[lower, stats_t["std"].fillna(0)],
                    color=colour,
                    marker="o",
                    ms=4,
                    capsize=2,
                    lw=1.5,
                    label=label,
                )
        for lloq in sorted(data["lloq_ng_mL"].unique()):
            ax.axhline(lloq, color="grey", ls="--", lw=1)
        ax.set_yscale("log")
        if (~data["blq"]).any():
            ax.text(
                0.99,
                0.01,
                "dashed: LLOQ",
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=7,
                color="grey",
            )
            ax.legend(fontsize=7, loc="upper right")
        else:
            lloq = float(data["lloq_ng_mL"].min())
            ax.set_ylim(lloq / 10, lloq * 10)
            ax.set_xlim(0, float(pk["time_h"].max()) * 1.05)
            ax.text(
                0.5,
                0.6,
                "not detected\n(all samples BLQ)",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=10,
            )
            ax.text(
                0.99,
                0.01,
                "dashed: LLOQ",
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=7,
                color="grey",
            )
        ax.set_title(analyte)
        ax.set_xlabel("Time (h)")
        ax.set_ylabel("Concentration (ng/mL)")
    fig.tight_layout()
    return fig


def plot_lambda_z_diagnostics(points: pd.DataFrame, nca: pd.DataFrame, ncols: int = 6):
    """Small multiples, one per profile with a quantifiable sample: ln-scale
    concentrations after BLQ handling (open circles), the points used for
    λz filled, the fitted line over them, and λz, adjusted R², n and flags
    in the panel title. Profiles without a quantifiable sample are counted
    in the figure title, not drawn. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    keys = PROFILE_KEYS
    profiles = [k for k, _ in points.groupby(keys, sort=True)] if len(points) else []
    n_empty = int(nca["flags"].fillna("").str.contains("no_quantifiable_sample").sum())
    n = max(len(profiles), 1)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.8 * ncols, 2.4 * nrows), squeeze=False)
    for ax in axes.flat[len(profiles) :]:
        ax.axis("off")
    for ax, key in zip(axes.flat, profiles):
        prof = points[(points[keys] == pd.Series(dict(zip(keys, key)))).all(axis=1)]
        row = nca[(nca[keys] == pd.Series(dict(zip(keys, key)))).all(axis=1)].iloc[0]
        positive = prof[prof["concentration_ng_mL"] > 0]
        ax.scatter(
            positive["time_h"], positive["concentration_ng_mL"], facecolors="none", edgecolors="k", s=14
        )
        used = positive[positive["used_in_lambda_z"]]
        ax.scatter(used["time_h"], used["concentration_ng_mL"], color="tab:red", s=16, zorder=3)
        if len(used):
            lam, icpt = used["lambda_z_per_h"].iloc[0], used["lambda_z_intercept"].iloc[0]
            tt = np.linspace(used["time_h"].min(), used["time_h"].max(), 20)
            ax.plot(tt, np.exp(icpt - lam * tt), color="tab:red", lw=1)
            text = f"λz={lam:.3g}/h, adjR²={row['lambda_z_adj_r2']:.3f}, n={int(row['lambda_z_n_points'])}"
        else:
            text = "λz not estimable"
        ax.set_yscale("log")
        ax.yaxis.set_minor_formatter(plt.NullFormatter())
        species, animal, analyte, route, dose = key
        ax.set_title(f"{animal} {analyte}\n{route.upper()} {dose:g} mg/kg; {text}", fontsize=6)
        ax.tick_params(labelsize=6)
        if row["flags"]:
            ax.text(
                0.02,
                0.02,
                str(row["flags"]).replace(";", "\n"),
                transform=ax.transAxes,
                fontsize=5,
                va="bottom",
                color="tab:orange",
            )
    title = "λz diagnostics: filled red = points used for λz; time (h) vs concentration (ng/mL, log)"
    if n_empty:
        title += f"\n{n_empty} profile(s) without a quantifiable sample not shown"
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig
