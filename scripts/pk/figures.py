"""PK figures: concentration-time profiles and λz diagnostics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.pk.conventions import PROFILE_KEYS


def _group_label(route, dose):
    return f"{route.upper()} {dose:g} mg/kg"


def group_means(g: pd.DataFrame) -> pd.DataFrame:
    """Mean ± SD per time of one dose group, by the "< LLOQ" rule: where more
    than half of the group's samples at a time are BLQ, no mean
    (``below_lloq_majority``); otherwise BLQ counts as 0, and a mean below
    the LLOQ is marked (``mean_below_lloq``)."""
    c = g["concentration_ng_mL"].where(~g["blq"], 0.0)
    stats = c.groupby(g["time_h"]).agg(["mean", "std", "count"])
    stats["blq_fraction"] = g["blq"].groupby(g["time_h"]).mean()
    stats["lloq"] = g["lloq_ng_mL"].groupby(g["time_h"]).max()
    stats["below_lloq_majority"] = stats["blq_fraction"] > 0.5
    stats.loc[stats["below_lloq_majority"], ["mean", "std"]] = np.nan
    stats["mean_below_lloq"] = ~stats["below_lloq_majority"] & (stats["mean"] < stats["lloq"])
    return stats.reset_index()


def plot_concentration_time(pk: pd.DataFrame):
    """Concentration-time figure: one row per analyte, a linear and a
    semilog panel. Each species × route × dose group has its own colour
    (Okabe-Ito), marker and line style: mean ± SD per time by the "< LLOQ"
    rule (``group_means``: a time where most samples are BLQ shows an open
    down-triangle at the LLOQ labelled "< LLOQ" and no mean; a mean below
    the LLOQ is drawn open), individual animals faint on the semilog panel
    (quantifiable samples only), the LLOQ dashed. An analyte BLQ throughout
    is labelled "not detected (all samples BLQ)". Returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from scripts.plotting import set_alt_text, style

    pk = pk.sort_values(PROFILE_KEYS + ["time_h"], kind="stable").reset_index(drop=True)
    analytes = sorted(pk["analyte"].unique())
    fig, axes = plt.subplots(len(analytes), 2, figsize=(10, 3.3 * len(analytes)), squeeze=False)
    groups = sorted({(sp, r, d) for sp, r, d in zip(pk["species"], pk["route"], pk["dose_mg_kg"])})
    styles = {g: style(i) for i, g in enumerate(groups)}
    several_species = pk["species"].nunique() > 1
    t_max = float(pk["time_h"].max()) * 1.05
    peaks = []
    for row, analyte in zip(axes, analytes):
        data = pk[pk["analyte"] == analyte]
        lloq = float(data["lloq_ng_mL"].max())
        detected = bool((~data["blq"]).any())
        for ax, log in zip(row, (False, True)):
            ax.axhline(lloq, color="grey", ls="--", lw=1)
            ax.set_xlim(0, t_max)
            ax.set_xlabel("Time (h)")
            ax.set_ylabel("Concentration (ng/mL)")
            ax.set_title(f"{analyte}, {'semilog' if log else 'linear'}", fontsize=9)
            ax.spines[["top", "right"]].set_visible(False)
            if not detected:
                ax.set_ylim((lloq / 10, lloq * 10) if log else (0, lloq * 2))
                ax.text(0.5, 0.6, "not detected\n(all samples BLQ)", transform=ax.transAxes,
                        ha="center", va="center", fontsize=10)  # fmt: skip
                ax.set_yscale("log" if log else "linear")
                continue
            for (species, route, dose), g in data.groupby(["species", "route", "dose_mg_kg"], sort=True):
                st = styles[(species, route, dose)]
                label = (f"{species} " if several_species else "") + _group_label(route, dose)
                if log:
                    for _, prof in g[~g["blq"]].groupby("animal_id"):
                        ax.plot(
                            prof["time_h"], prof["concentration_ng_mL"], color=st["color"], alpha=0.18, lw=0.7
                        )
                means = group_means(g)
                shown = means[means["mean"].notna() & (means["mean"] > 0)]
                if len(shown):
                    lower = (
                        np.minimum(shown["std"].fillna(0), shown["mean"] * 0.95)
                        if log
                        else shown["std"].fillna(0)
                    )
                    ax.errorbar(shown["time_h"], shown["mean"], yerr=[lower, shown["std"].fillna(0)],
                                color=st["color"], linestyle=st["linestyle"], marker=st["marker"], ms=4,
                                capsize=2, lw=1.4, label=label)  # fmt: skip
                    below = shown[shown["mean_below_lloq"]]
                    ax.scatter(below["time_h"], below["mean"], marker=st["marker"], s=30, facecolors="white",
                               edgecolors=st["color"], zorder=4)  # fmt: skip
                    top = shown.loc[shown["mean"].idxmax()]
                    if log:
                        peaks.append(
                            f"{analyte} {label} mean Cmax {top['mean']:.3g} ng/mL at {top['time_h']:g} h"
                        )
                blq = means[means["below_lloq_majority"]]
                if len(blq):
                    ax.scatter(blq["time_h"], blq["lloq"], marker="v", s=26, facecolors="white",
                               edgecolors=st["color"], zorder=4)  # fmt: skip
            ax.set_yscale("log" if log else "linear")
            if not log:
                ax.set_ylim(bottom=0)
        row[0].legend(fontsize=7, loc="upper right", frameon=False) if detected else None
    keys = [
        Line2D([], [], color="grey", ls="--", label="LLOQ"),
        Line2D([], [], marker="o", color="grey", mfc="white", ls="", label="mean below LLOQ (BLQ as 0)"),
        Line2D([], [], marker="v", color="grey", mfc="white", ls="",
               label="< LLOQ: over half the samples BLQ, no mean"),
    ]  # fmt: skip
    fig.legend(handles=keys, loc="lower center", ncol=3, fontsize=7, frameon=False, bbox_to_anchor=(0.5, 0.0))
    from scripts.plotting import tight_layout

    tight_layout(fig, rect=(0, 0.04, 1, 1))
    undetected = [a for a in analytes if not (~pk.loc[pk["analyte"] == a, "blq"]).any()]
    set_alt_text(
        fig,
        f"Plasma concentration-time profiles (mean ± SD, linear and semilog) of {', '.join(analytes)} "
        f"for {len(groups)} dose groups"
        + (f"; {'; '.join(peaks)}" if peaks else "")
        + (f"; not detected: {', '.join(undetected)}" if undetected else "")
        + ".",
    )
    return fig


# Fixed layout of the lambda-z small multiples, in inches: one cell per panel
# (its two-line title above the axes, tick labels below and left), a header
# line per dose group, the figure title on top. A computed (constrained)
# layout of these many panels cost more than drawing them.
LZ_GRID_IN = {
    "cell_w": 3.0, "cell_h": 2.5, "left": 0.55, "right": 0.15, "above": 0.4, "below": 0.35,
    "group": 0.25, "top": 0.55, "bottom": 0.1,
}  # fmt: skip


def plot_lambda_z_diagnostics(points: pd.DataFrame, nca: pd.DataFrame, ncols: int = 4):
    """Small multiples grouped by dose group (route × dose, one titled block
    each), one panel per profile with a quantifiable sample: ln-scale
    concentrations after BLQ handling (open circles), the points used for
    λz filled, the fitted line over them, and λz, adjusted R², n and flags
    in the panel. Profiles without a quantifiable sample are counted in the
    figure title, not drawn. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    from scripts.plotting import OKABE_ITO, log_axis, set_alt_text

    keys = PROFILE_KEYS
    profiles = [k for k, _ in points.groupby(keys, sort=True)] if len(points) else []
    n_empty = int(nca["flags"].fillna("").str.contains("no_quantifiable_sample").sum())
    route_i, dose_i = keys.index("route"), keys.index("dose_mg_kg")
    groups: dict = {}
    for key in profiles:
        groups.setdefault((key[route_i], key[dose_i]), []).append(key)
    ncols = max(1, min(ncols, max((len(v) for v in groups.values()), default=1)))
    rows = [max(1, math.ceil(len(v) / ncols)) for v in groups.values()] or [1]
    n_empty_line = 0.2 if n_empty else 0.0
    top = LZ_GRID_IN["top"] + n_empty_line
    fig_w = LZ_GRID_IN["cell_w"] * ncols
    fig_h = top + sum(LZ_GRID_IN["group"] + LZ_GRID_IN["cell_h"] * r for r in rows) + LZ_GRID_IN["bottom"]
    fig = plt.figure(figsize=(fig_w, fig_h))
    fig.laid_out = True  # fixed layout (LZ_GRID_IN): saved as laid out, drawn once
    estimated = 0
    y = fig_h - top  # inches from the bottom, moving down block by block
    for ((route, dose), members), nrows in zip(groups.items(), rows):
        fig.text(
            0.02, (y - 0.05) / fig_h, f"{route.upper()} {dose:g} mg/kg ({len(members)} profiles)",
            fontsize=9, ha="left", va="top",
        )  # fmt: skip
        y -= LZ_GRID_IN["group"]
        axes = np.empty((nrows, ncols), dtype=object)
        for r in range(nrows):
            for c in range(ncols):
                left = c * LZ_GRID_IN["cell_w"] + LZ_GRID_IN["left"]
                bottom = y - (r + 1) * LZ_GRID_IN["cell_h"] + LZ_GRID_IN["below"]
                width = LZ_GRID_IN["cell_w"] - LZ_GRID_IN["left"] - LZ_GRID_IN["right"]
                height = LZ_GRID_IN["cell_h"] - LZ_GRID_IN["above"] - LZ_GRID_IN["below"]
                axes[r, c] = fig.add_axes((left / fig_w, bottom / fig_h, width / fig_w, height / fig_h))
        y -= nrows * LZ_GRID_IN["cell_h"]
        for ax in axes.flat[len(members) :]:
            ax.axis("off")
        for ax, key in zip(axes.flat, members):
            prof = points[(points[keys] == pd.Series(dict(zip(keys, key)))).all(axis=1)]
            row = nca[(nca[keys] == pd.Series(dict(zip(keys, key)))).all(axis=1)].iloc[0]
            positive = prof[prof["concentration_ng_mL"] > 0]
            ax.scatter(
                positive["time_h"], positive["concentration_ng_mL"], facecolors="none", edgecolors="k", s=14
            )
            used = positive[positive["used_in_lambda_z"]]
            ax.scatter(used["time_h"], used["concentration_ng_mL"], color=OKABE_ITO[4], s=16, zorder=3)
            if len(used):
                estimated += 1
                lam, icpt = used["lambda_z_per_h"].iloc[0], used["lambda_z_intercept"].iloc[0]
                tt = np.linspace(used["time_h"].min(), used["time_h"].max(), 20)
                ax.plot(tt, np.exp(icpt - lam * tt), color=OKABE_ITO[4], lw=1)
                text = (
                    f"λz {lam:.3g}/h, adj. R² {row['lambda_z_adj_r2']:.3f}, n {int(row['lambda_z_n_points'])}"
                )
            else:
                text = "λz not estimable"
            log_axis(ax, "y", numticks=4)
            animal, analyte = key[keys.index("animal_id")], key[keys.index("analyte")]
            ax.set_title(f"{animal} {analyte}\n{text}", fontsize=7)
            ax.tick_params(labelsize=7)
            if row["flags"]:
                ax.text(0.02, 0.02, str(row["flags"]).replace(";", "\n"), transform=ax.transAxes, fontsize=6,
                        va="bottom", color=OKABE_ITO[0])  # fmt: skip
    title = "λz diagnostics: filled = points used for λz; time (h) vs concentration (ng/mL, log)"
    if n_empty:
        title += f"\n{n_empty} profile(s) without a quantifiable sample not shown"
    fig.suptitle(title, fontsize=9, y=1.0 - 0.08 / fig_h, va="top")
    set_alt_text(
        fig,
        f"Terminal-phase (λz) diagnostics of {len(profiles)} profiles in {len(groups)} dose groups, "
        f"λz estimated for {estimated}"
        + (f"; {n_empty} profiles without a quantifiable sample" if n_empty else "")
        + ".",
    )
    return fig
