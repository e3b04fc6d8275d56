"""Figures of the translation: exposure against the human therapeutic
range, and the receptor-occupancy heatmap."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.translation.common import norm_name
from scripts.translation.occupancy import RECEPTOR_ROLES, receptor_order

#: Largest occupancy heatmap panel whose cells are labelled with their value.
MAX_ANNOTATED_CELLS = 300


def plot_exposure(exposure: pd.DataFrame, therapeutic_range, tau_h):
    """Two panels: total plasma concentrations (rat single-dose Cmax and
    Cavg = AUC/tau; human steady-state Cmax,ss and Cavg,ss) against the
    human therapeutic range (shaded; *therapeutic_range* (low, high) ng/mL,
    None without a human reference), and unbound AUC, rat vs human. Log
    scales."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    rat = exposure[(exposure["species"] == "rat") & exposure["auc_ng_h_mL"].notna()]
    human = exposure[(exposure["species"] == "human") & (exposure["state"] == "steady_state")]
    labels = [f"rat {d:g} mg/kg {r}" for d, r in zip(rat["dose"], rat["route"])] + [
        f"human {d:g} mg/day" for d in human["dose"]
    ]
    x = np.arange(len(labels))
    cmax = np.r_[rat["cmax_ng_mL"].to_numpy(float), human["cmax_ng_mL"].to_numpy(float)]
    cavg = np.r_[rat["c_avg_ng_mL"].to_numpy(float), human["c_avg_ng_mL"].to_numpy(float)]
    colours = ["#d95f02"] * len(rat) + ["#1b9e77"] * len(human)
    ax = axes[0]
    if therapeutic_range is not None:
        low, high = therapeutic_range
        ax.axhspan(
            low, high, color="#1b9e77", alpha=0.15, label=f"human therapeutic range {low:g}-{high:g} ng/mL"
        )
    ax.scatter(x, cmax, marker="^", c=colours, s=50)
    ax.scatter(x, cavg, marker="o", c=colours, s=50)
    handles = [
        ax.patches[0] if ax.patches else None,
        Line2D(
            [], [], marker="^", color="grey", linestyle="", label="Cmax (rat single dose; human steady state)"
        ),
        Line2D([], [], marker="o", color="grey", linestyle="", label=f"Cavg = AUC / {tau_h:g} h"),
        Line2D([], [], marker="s", color="#d95f02", linestyle="", label="rat"),
        Line2D([], [], marker="s", color="#1b9e77", linestyle="", label="human"),
    ]
    ax.set_yscale("log")
    ax.set_ylabel("total plasma concentration (ng/mL)")
    ax.set_xticks(x, labels, rotation=45, ha="right")
    ax.set_title("Concentrations vs therapeutic range")
    ax.legend(handles=[h for h in handles if h is not None], fontsize=7, loc="best")
    ax = axes[1]
    auc_u = np.r_[rat["auc_unbound_ng_h_mL"].to_numpy(float), human["auc_unbound_ng_h_mL"].to_numpy(float)]
    ax.bar(x, auc_u, color=colours)
    ax.set_yscale("log")
    ax.set_ylabel("unbound AUC (ng*h/mL)")
    ax.set_xticks(x, labels, rotation=45, ha="right")
    ax.set_title("Unbound AUC per dose (rat orange, human green)")
    fig.tight_layout()
    return fig


def plot_occupancy(occ: pd.DataFrame, tau_h, bases=("cmax", "c_avg")):
    """Heatmap of occupancy (%), one panel per basis: receptors (rows: H1
    first, then the alpha2/5-HT2 mechanism receptors, then the rest) x
    species and dose (columns: rat effective doses, then human clinical
    doses at steady state), each cell annotated with its value."""
    import matplotlib.pyplot as plt

    data = occ.copy()
    data["key"] = data["receptor"].map(norm_name)
    data["column"] = [f"{s} {d:g} {u}" for s, d, u in zip(data["species"], data["dose"], data["dose_unit"])]
    columns = list(dict.fromkeys(data.sort_values(["species", "dose"], ascending=[False, True])["column"]))
    keys = receptor_order(data["key"])
    width = max(4.0, 0.75 * len(columns) + 2.5)
    fig, axes = plt.subplots(
        1, len(bases), figsize=(width * len(bases), 0.45 * max(len(keys), 1) + 2.6), squeeze=False
    )
    titles = {"c_avg": f"unbound Cavg (AUC / {tau_h:g} h)", "cmax": "unbound Cmax"}
    roles = {"sedation": " (sedation)", "mechanism": " (mechanism)", "other": ""}
    image = None
    for ax, basis in zip(axes[0], bases):
        sub = data[data["basis"] == basis]
        if sub.empty:
            ax.text(0.5, 0.5, "no occupancy could be computed", ha="center", va="center")
            ax.set_axis_off()
            continue
        names = {k: sub.loc[sub["key"] == k, "receptor"].iloc[0] for k in keys if (sub["key"] == k).any()}
        grid = np.full((len(keys), len(columns)), np.nan)
        for _, r in sub.iterrows():
            grid[keys.index(r["key"]), columns.index(r["column"])] = 100 * r["occupancy"]
        image = ax.imshow(grid, cmap="viridis", vmin=0, vmax=100, aspect="auto")
        # Cell labels only while they can be read (and drawn in reasonable
        # time): a selectivity panel of hundreds of receptors is read from
        # the colours and translation/occupancy.csv.
        annotate = grid.size <= MAX_ANNOTATED_CELLS
        if not annotate:
            ax.set_xlabel(f"{np.isfinite(grid).sum()} cells; values in occupancy.csv", fontsize=8)
        for i in range(len(keys) if annotate else 0):
            for j in range(len(columns)):
                if np.isfinite(grid[i, j]):
                    ax.text(
                        j,
                        i,
                        f"{grid[i, j]:.0f}",
                        ha="center",
                        va="center",
                        color="white" if grid[i, j] < 60 else "black",
                        fontsize=8,
                    )
        first = ax is axes[0][0]
        ax.set_yticks(
            range(len(keys)),
            [names.get(k, k) + roles.get(RECEPTOR_ROLES.get(k, "other"), "") for k in keys]
            if first
            else [""] * len(keys),
        )
        ax.set_xticks(range(len(columns)), columns, rotation=45, ha="right")
        n_rat = sum(c.startswith("rat ") for c in columns)
        if 0 < n_rat < len(columns):
            ax.axvline(n_rat - 0.5, color="white", linewidth=3)  # rat | human
        ax.set_title(f"Occupancy (%) at {titles.get(basis, basis)}", fontsize=10)
    if image is not None:
        fig.colorbar(image, ax=list(axes[0]), label="occupancy (%)", shrink=0.8)
    fig.suptitle(
        "Receptor occupancy: rat at effective doses, human at clinical doses (steady state)", fontsize=10
    )
    return fig
