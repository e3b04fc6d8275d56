"""Figure of one behavioural test, with GraphPad Prism's significance stars."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.behaviour.decision import NOT_TESTED
from scripts.behaviour.endpoints import title_of
from scripts.behaviour.groups import group_order, group_rows, regimens_present

REGIMEN_STYLE = {"acute": ("#1f77b4", "o"), "chronic": ("#d62728", "s")}


def prism_stars(p) -> str:
    """GraphPad Prism's significance summary: **** p ≤ 0.0001, *** ≤ 0.001,
    ** ≤ 0.01, * ≤ 0.05, "ns" otherwise, "" when not tested."""
    if p is None or pd.isna(p):
        return ""
    for threshold, stars in ((1e-4, "****"), (1e-3, "***"), (1e-2, "**"), (0.05, "*")):
        if p <= threshold:
            return stars
    return "ns"


def axis_label(label: str, unit: str, test: str, fst_window_min=None) -> str:
    """The y label; the FST's names the scored minutes ("minutes 3-6")."""
    if test == "fst" and fst_window_min is not None:
        first, last = fst_window_min
        return label.replace("scored window", f"scored minutes {first}–{last}")
    return label


def plot_test(
    long: pd.DataFrame, comparisons: pd.DataFrame, treatments=None, seed: int = 0, fst_window_min=None
):
    """One figure per test, one panel per endpoint: analysed animals as points
    (deterministic horizontal jitter from ``default_rng(seed)``), mean ± SD
    as a bar with whiskers, groups on the x axis (vehicle first, then doses
    ascending per treatment), regimens side by side within each group, and
    Prism stars from the comparisons' adjusted p above each dose group
    ("n<3" marks groups too small to test). Percentage endpoints run on
    0-100 %; the FST's axis and title name the scored minutes
    (*fst_window_min*, first and last minute)."""
    import matplotlib.pyplot as plt

    from scripts.plotting import set_alt_text

    analysed = long[~long["excluded"]]
    endpoints = list(long["endpoint"].unique())
    n_groups = max(len(group_order(long[long["endpoint"] == e], treatments)) for e in endpoints)
    panel_width = max(4.5, 1.2 + 1.0 * n_groups)
    fig, axes = plt.subplots(1, len(endpoints), figsize=(panel_width * len(endpoints), 4.2), squeeze=False)
    rng = np.random.default_rng(seed)
    regimens = regimens_present(long["regimen"])
    width = 0.38 if len(regimens) > 1 else 0.0
    for ax, endpoint in zip(axes[0], endpoints):
        part = analysed[analysed["endpoint"] == endpoint]
        groups = group_order(long[long["endpoint"] == endpoint], treatments)
        top = part["value"].max() if len(part) else 1.0
        top = top if np.isfinite(top) and top > 0 else 1.0
        for gi, group in enumerate(groups):
            for ri, regimen in enumerate(regimens):
                x0 = gi + (ri - (len(regimens) - 1) / 2) * width
                values = group_rows(part[part["regimen"] == regimen], group)["value"]
                values = values.to_numpy(float)
                if values.size == 0:
                    continue
                colour, marker = REGIMEN_STYLE[regimen]
                mean = values.mean()
                sd = values.std(ddof=1) if values.size > 1 else 0.0
                ax.bar(
                    x0,
                    mean,
                    width=0.32 if width else 0.6,
                    color=colour,
                    alpha=0.18,
                    edgecolor=colour,
                    linewidth=0.8,
                    zorder=1,
                )
                ax.errorbar(x0, mean, yerr=sd, color=colour, capsize=4, linewidth=1.2, zorder=3)
                jitter = rng.uniform(-0.07, 0.07, values.size)
                ax.scatter(
                    x0 + jitter,
                    values,
                    s=14,
                    color=colour,
                    marker=marker,
                    edgecolor="white",
                    linewidth=0.4,
                    zorder=4,
                )
                if group.is_vehicle:
                    continue
                match = comparisons[
                    (comparisons["endpoint"] == endpoint)
                    & (comparisons["regimen"] == regimen)
                    & (comparisons["treatment"] == group.treatment)
                    & np.isclose(comparisons["dose_mg_kg"].astype(float), group.dose_mg_kg)
                ]
                text = ""
                if len(match):
                    r = match.iloc[0]
                    text = prism_stars(r["p_adj"]) or (
                        "n<3" if str(r["method"]).startswith(NOT_TESTED) else ""
                    )
                if text:
                    y = max(values.max(), mean + sd) + 0.05 * top
                    ax.text(
                        x0, y, text, ha="center", va="bottom", fontsize=9 if "*" in text else 7, color=colour
                    )
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels(
            ["Vehicle" if g.is_vehicle else f"{g.treatment}\n{g.dose_mg_kg:g}" for g in groups], fontsize=8
        )
        ax.set_xlabel("Dose (mg/kg)")
        label = long.loc[long["endpoint"] == endpoint, "label"].iloc[0]
        unit = str(long.loc[long["endpoint"] == endpoint, "unit"].iloc[0])
        ax.set_ylabel(axis_label(label, unit, str(long["test"].iloc[0]), fst_window_min))
        if unit == "%":
            ax.set_ylim(0, 100)
        else:
            ax.set_ylim(bottom=0, top=top * 1.25)
        ax.spines[["top", "right"]].set_visible(False)
    handles = [
        plt.Line2D([], [], color=REGIMEN_STYLE[r][0], marker=REGIMEN_STYLE[r][1], linestyle="", label=r)
        for r in regimens
    ]
    axes[0][-1].legend(
        handles=handles,
        title="Regimen",
        frameon=False,
        fontsize=8,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
    )
    test = long["test"].iloc[0]
    scored = ""
    if test == "fst" and fst_window_min is not None:
        scored = f" (immobility scored in minutes {fst_window_min[0]}–{fst_window_min[1]})"
    fig.suptitle(f"{title_of(test)}{scored}: bars = mean ± SD, points = animals", fontsize=10)
    from scripts.plotting import tight_layout

    tight_layout(fig)
    set_alt_text(fig, _alt_text(title_of(test) + scored, analysed, comparisons))
    return fig


def _alt_text(title: str, analysed: pd.DataFrame, comparisons: pd.DataFrame) -> str:
    """One sentence: the test, its endpoints, and the doses that differ from vehicle."""
    endpoints = ", ".join(analysed["endpoint"].astype(str).unique())
    sentence = (
        f"{title}: {endpoints} per animal and group mean ± SD for {analysed['animal_id'].nunique()} animals"
    )
    significant = (
        comparisons[comparisons["p_adj"].fillna(1) <= 0.05] if "p_adj" in comparisons else comparisons[:0]
    )
    if len(significant):
        doses = "; ".join(
            f"{r.treatment} {r.dose_mg_kg:g} mg/kg {r.regimen} {r.diff_vs_vehicle:+.3g} vs vehicle (p {r.p_adj:.2g})"
            for r in significant.itertuples()
        )
        sentence += f"; differing from vehicle (adjusted p ≤ 0.05): {doses}"
    else:
        sentence += "; no dose differs from vehicle at adjusted p ≤ 0.05"
    return sentence + "."
