"""Figures of exposure over time: receptor occupancy against time (rat dose
groups against human clinical doses at steady state) and the
exposure-response fits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.translation.common import norm_name
from scripts.translation.occupancy import receptor_order

#: Most receptors drawn in the occupancy-time figure (the first in
#: :func:`receptor_order` measured in both species).
MAX_RECEPTOR_PANELS = 4


def _empty(message):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 2))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center")
    return fig


def plot_occupancy_time(occupancy_time: pd.DataFrame, kp_note: str, tau_h: float):
    """One panel per key receptor: occupancy (%) against time after the
    (last) dose over one dosing interval; rat dose groups dashed (acute) or
    dotted (chronic), human clinical doses at steady state solid."""
    import matplotlib.pyplot as plt

    if occupancy_time is None or occupancy_time.empty:
        return _empty("no occupancy over time: needs PK or a human reference, and Ki values")
    occ = occupancy_time.assign(key=occupancy_time["receptor"].map(norm_name))
    n_species = occ.groupby("key")["species"].nunique()
    both = [k for k in receptor_order(occ["key"]) if n_species.get(k, 0) == 2]
    keys = (both or receptor_order(occ["key"]))[:MAX_RECEPTOR_PANELS]
    fig, axes = plt.subplots(1, len(keys), figsize=(3.6 * len(keys), 3.6), sharey=True, squeeze=False)
    rat_colours = plt.get_cmap("Oranges")
    human_colours = plt.get_cmap("Greens")
    for ax, key in zip(axes[0], keys):
        panel = occ[(occ["key"] == key) & (occ["time_h"].astype(float) <= tau_h + 1e-9)]
        rat = panel[panel["species"] == "rat"]
        human = panel[panel["species"] == "human"]
        groups = list(rat.groupby(["regimen", "route", "dose"], sort=True))
        for i, ((regimen, route, dose), g) in enumerate(groups):
            colour = rat_colours(0.45 + 0.5 * (i + 1) / (len(groups) + 1))
            style = ":" if regimen == "chronic" else "--"
            ax.plot(
                g["time_h"],
                100 * g["occupancy"],
                style,
                color=colour,
                label=f"rat {dose:g} mg/kg {route} {regimen}",
            )
        hgroups = list(human.groupby("dose", sort=True))
        for i, (dose, g) in enumerate(hgroups):
            colour = human_colours(0.45 + 0.5 * (i + 1) / (len(hgroups) + 1))
            ax.plot(
                g["time_h"],
                100 * g["occupancy"],
                "-",
                color=colour,
                lw=2,
                label=f"human {dose:g} mg/day (ss)",
            )
        for level in (50, 80):
            ax.axhline(level, color="grey", lw=0.6, ls="-.")
        ax.set_title(str(panel["receptor"].iloc[0]) if len(panel) else key)
        ax.set_xlabel("hours after the (last) dose")
        ax.set_xlim(0, tau_h)
        ax.set_ylim(0, 100)
    axes[0][0].set_ylabel("receptor occupancy (%)")
    axes[0][-1].legend(fontsize=6, loc="upper right")
    fig.suptitle(f"Occupancy over a dosing interval, rat vs human; {kp_note}", fontsize=8)
    from scripts.plotting import tight_layout

    tight_layout(fig)
    return fig


def plot_exposure_response(points: pd.DataFrame, fits: pd.DataFrame, curves: pd.DataFrame):
    """One panel per test x endpoint x regimen fitted: each animal's
    response (minus the vehicle mean) against the group's unbound exposure,
    the fitted Emax curve and its pointwise 95% band (from the profile
    likelihood sets), or the points alone when "not estimable"."""
    import matplotlib.pyplot as plt

    from scripts.plotting import log_axis

    if points is None or points.empty:
        return _empty("no exposure-response: needs behaviour and PK data")
    keys = list(points.groupby(["test", "endpoint", "regimen"], sort=True).groups)
    ncol = min(3, len(keys))
    nrow = int(np.ceil(len(keys) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4 * ncol, 3.3 * nrow), squeeze=False)
    for ax in axes.flat[len(keys) :]:
        ax.axis("off")
    for ax, key in zip(axes.flat, keys):
        test, endpoint, regimen = key
        p = points[
            (points["test"] == test) & (points["endpoint"] == endpoint) & (points["regimen"] == regimen)
        ]
        positive = p["exposure"][p["exposure"] > 0]
        zero_at = float(positive.min()) / 10 if len(positive) else 1.0
        x = np.where(p["exposure"] > 0, p["exposure"], zero_at)
        ax.scatter(x, p["response"], s=12, color="#444444", alpha=0.7)
        f = fits[(fits["test"] == test) & (fits["endpoint"] == endpoint) & (fits["regimen"] == regimen)]
        c = curves[
            (curves["test"] == test) & (curves["endpoint"] == endpoint) & (curves["regimen"] == regimen)
        ]
        title = f"{test} {regimen}"
        if len(f) and "not identified" in str(f["status"].iloc[0]):
            title += ": EC50 not identified"
        elif len(f) and str(f["status"].iloc[0]).startswith("fitted"):
            r = f.iloc[0]
            title += f": EC50 {r['ec50_nM']:.3g} {p['exposure_unit'].iloc[0]}"
        elif len(f):
            title += ": not estimable"
        if len(c):
            ax.fill_between(
                c["exposure"], c["low"], c["high"], color="#7570b3", alpha=0.25, lw=0, label="95% band"
            )
            ax.plot(c["exposure"], c["fit"], color="#7570b3", label="Emax fit")
        low, high = float(p["response"].min()), float(p["response"].max())
        pad = 0.3 * (high - low if high > low else 1.0)
        ax.set_ylim(low - pad, high + pad)
        ax.axhline(0, color="grey", lw=0.6)
        log_axis(ax, "x", numticks=6)
        ax.set_xlim(zero_at / 2, float(p["exposure"].max()) * 4)
        ax.text(zero_at, low - pad * 0.8, "vehicle", fontsize=6, ha="center")
        unit = str(p["unit"].iloc[0]) if len(p) else ""
        ax.set_title(title, fontsize=8)
        ax.set_xlabel(
            f"unbound exposure ({p['exposure_unit'].iloc[0]})" if len(p) else "exposure", fontsize=7
        )
        ax.set_ylabel(f"{endpoint} - vehicle mean ({unit})", fontsize=7)
    from scripts.plotting import tight_layout

    tight_layout(fig)
    return fig
