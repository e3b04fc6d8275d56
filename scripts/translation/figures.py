"""Figures of the translation: exposure against the human therapeutic
range, and the receptor-occupancy heatmap."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.translation.common import norm_name
from scripts.translation.occupancy import RECEPTOR_ROLES, receptor_order

#: Largest occupancy heatmap panel whose cells are labelled with their value.
MAX_ANNOTATED_CELLS = 300


def _span(values) -> str:
    values = [v for v in values if np.isfinite(v)]
    if not values:
        return "–"
    low, high = min(values), max(values)
    return f"{low:.3g}" if np.isclose(low, high) else f"{low:.3g}–{high:.3g}"


def plot_exposure(exposure: pd.DataFrame, therapeutic_range, tau_h):
    """Two panels on log axes, points and ranges (no bars): left, total
    plasma concentration per group as a vertical range from Cavg = AUC/tau
    (circle) to Cmax (triangle), rat single dose and human steady state,
    against the human therapeutic range (shaded; *therapeutic_range* (low,
    high) ng/mL, None without a human reference); right, unbound AUC per
    group. Rat and human differ in colour (Okabe-Ito) and marker fill."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from scripts.plotting import OKABE_ITO, set_alt_text

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    rat = exposure[(exposure["species"] == "rat") & exposure["auc_ng_h_mL"].notna()]
    human = exposure[(exposure["species"] == "human") & (exposure["state"] == "steady_state")]
    labels = [f"rat {d:g} mg/kg {r}" for d, r in zip(rat["dose"], rat["route"])] + [
        f"human {d:g} mg/day" for d in human["dose"]
    ]
    x = np.arange(len(labels))
    n_rat = len(rat)
    colours = {"rat": OKABE_ITO[4], "human": OKABE_ITO[3]}
    species = ["rat"] * n_rat + ["human"] * len(human)
    cmax = np.r_[rat["cmax_ng_mL"].to_numpy(float), human["cmax_ng_mL"].to_numpy(float)]
    cavg = np.r_[rat["c_avg_ng_mL"].to_numpy(float), human["c_avg_ng_mL"].to_numpy(float)]
    auc_u = np.r_[rat["auc_unbound_ng_h_mL"].to_numpy(float), human["auc_unbound_ng_h_mL"].to_numpy(float)]
    ax = axes[0]
    handles = []
    if therapeutic_range is not None:
        low, high = therapeutic_range
        handles.append(
            ax.axhspan(
                low,
                high,
                color=OKABE_ITO[2],
                alpha=0.15,
                label=f"human therapeutic range {low:g}–{high:g} ng/mL (steady-state trough)",
            )
        )
    # human Cmin,ss (superposition model): what the trough range is compared with
    cmin = np.r_[
        np.full(n_rat, np.nan),
        human["cmin_ng_mL"].to_numpy(float) if "cmin_ng_mL" in human else np.full(len(human), np.nan),
    ]
    for xi, sp, hi, lo, trough in zip(x, species, cmax, cavg, cmin):
        face = colours[sp] if sp == "rat" else "white"
        ax.vlines(xi, np.nanmin([lo, trough]) if np.isfinite(trough) else lo, hi, color=colours[sp], lw=1.5)
        ax.plot(xi, hi, marker="^", ms=7, color=colours[sp], mfc=face, ls="")
        ax.plot(xi, lo, marker="o", ms=6, color=colours[sp], mfc=face, ls="")
        if np.isfinite(trough):
            ax.plot(xi, trough, marker="v", ms=7, color=colours[sp], mfc=face, ls="")
    handles += [
        Line2D([], [], marker="^", color="grey", ls="", label="Cmax (rat single dose; human steady state)"),
        Line2D([], [], marker="o", color="grey", ls="", label=f"Cavg = AUC / {tau_h:g} h"),
        Line2D([], [], marker="v", color="grey", ls="", label="Cmin,ss (human, vs the trough range)"),
        Line2D([], [], marker="o", color=colours["rat"], ls="", label="rat (filled)"),
        Line2D([], [], marker="o", color=colours["human"], mfc="white", ls="", label="human (open)"),
    ]
    ax.set_yscale("log")
    ax.set_ylabel("total plasma concentration (ng/mL)")
    ax.set_xticks(x, labels, rotation=45, ha="right")
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_title("Concentration range over the dosing interval", fontsize=10)
    ax.legend(handles=handles, fontsize=7, loc="best")
    ax = axes[1]
    for xi, sp, value in zip(x, species, auc_u):
        ax.plot(
            xi, value, marker="s", ms=7, color=colours[sp], mfc=colours[sp] if sp == "rat" else "white", ls=""
        )
    ax.set_yscale("log")
    ax.set_ylabel("unbound AUC (ng·h/mL)")
    ax.set_xticks(x, labels, rotation=45, ha="right")
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_title("Unbound AUC per dose (rat filled, human open)", fontsize=10)
    for a in axes:
        if 0 < n_rat < len(labels):
            a.axvline(n_rat - 0.5, color="grey", lw=0.8, ls=":")
        a.spines[["top", "right"]].set_visible(False)
    from scripts.plotting import tight_layout

    tight_layout(fig)
    text = (
        f"Rat versus human exposure on log axes: rat Cmax {_span(cmax[:n_rat])} ng/mL at "
        f"{_span(rat['dose'].astype(float))} mg/kg versus human steady-state Cmax {_span(cmax[n_rat:])} ng/mL "
        f"at {_span(human['dose'].astype(float))} mg/day"
    )
    if therapeutic_range is not None:
        text += (
            f", against the human therapeutic range {therapeutic_range[0]:g}–{therapeutic_range[1]:g} ng/mL "
            "(a steady-state trough range"
        )
        troughs = cmin[n_rat:][np.isfinite(cmin[n_rat:])]
        text += f", compared with the human Cmin,ss {_span(troughs)} ng/mL)" if len(troughs) else ")"
    set_alt_text(
        fig, text + f"; unbound AUC rat {_span(auc_u[:n_rat])} vs human {_span(auc_u[n_rat:])} ng·h/mL."
    )
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
    from scripts.plotting import set_alt_text

    cmax = data[data["basis"] == "cmax"]
    top = cmax.sort_values("occupancy", ascending=False).head(1)
    text = f"Heatmap of receptor occupancy (%) for {len(keys)} receptors in rat and human"
    if len(top):
        r = top.iloc[0]
        text += f"; highest at unbound Cmax: {r['receptor']} {100 * r['occupancy']:.3g}% ({r['column']})"
    set_alt_text(fig, text + ".")
    return fig
