"""Figures of the binding analysis: competition curves of one assay file,
saturation curves of one file and the study's pKi by receptor. Returned as
matplotlib figures, written as SVG with :func:`scripts.plotting.save_figure`."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.binding.fit_statistics import stats
from scripts.binding.fitting import covariance_from_row
from scripts.binding.models import PARAMS, four_pl, four_pl_gradient, saturation_total_nsb
from scripts.binding.specific import experiment_label, with_experiment
from scripts.binding.twosite import TWO_SITE_PARAMS, two_site

SPECIES_COLOURS = {"human": "#1f77b4", "rat": "#d62728"}
_OTHER_COLOURS = ["#2ca02c", "#9467bd", "#8c564b", "#e377c2"]


def _species_colour(species: str, order: list) -> str:
    if species in SPECIES_COLOURS:
        return SPECIES_COLOURS[species]
    return _OTHER_COLOURS[order.index(species) % len(_OTHER_COLOURS)]


def confidence_band(x, values: dict, covariance: np.ndarray, dof: float, level: float = 0.95):
    """Fitted line and its pointwise confidence band (Prism's "confidence
    bands"): ``Y ± t(level, dof) · sqrt(g' C g)`` with g the gradient of the
    model in the parameters and C their covariance. Returns (y, low, high)."""
    y = four_pl(x, **values)
    gradient = four_pl_gradient(x, *(values[name] for name in PARAMS))
    covariance = np.nan_to_num(covariance)
    variance = np.einsum("ij,jk,ik->i", gradient, covariance, gradient)
    half_width = stats.t.ppf(0.5 + level / 2, dof) * np.sqrt(np.clip(variance, 0.0, None))
    return y, y - half_width, y + half_width


# Margins of a panel grid, in inches: room for the tick labels (up to five
# digits, as counts have) and axis labels left of and below each panel, and
# for its title above it.
GRID_MARGINS_IN = {"left": 0.95, "right": 0.2, "bottom": 0.6, "top": 0.4, "title": 0.35}
GRID_GAPS_IN = {"between_columns": 1.1, "between_rows": 0.95}


def _panel_grid(
    n_panels: int, width: float = 4.2, height: float = 3.4, max_columns: int = 3, title: bool = False
):
    """A grid of *n_panels* panels of *width* x *height* inches, laid out with
    fixed margins (GRID_MARGINS_IN, GRID_GAPS_IN; room for a suptitle when
    *title*): every panel of these figures has the same furniture, and a
    computed layout (tight_layout) cost more than drawing the figure."""
    import matplotlib.pyplot as plt

    n_columns = max(1, min(max_columns, n_panels))
    n_rows = max(1, math.ceil(n_panels / n_columns))
    fig_w, fig_h = width * n_columns, height * n_rows
    fig, axes = plt.subplots(n_rows, n_columns, figsize=(fig_w, fig_h), squeeze=False)
    m, gap = GRID_MARGINS_IN, GRID_GAPS_IN
    top = m["top"] + (m["title"] if title else 0.0)
    axis_w = (fig_w - m["left"] - m["right"] - (n_columns - 1) * gap["between_columns"]) / n_columns
    axis_h = (fig_h - m["bottom"] - top - (n_rows - 1) * gap["between_rows"]) / n_rows
    fig.subplots_adjust(
        left=m["left"] / fig_w,
        right=1.0 - m["right"] / fig_w,
        bottom=m["bottom"] / fig_h,
        top=1.0 - top / fig_h,
        wspace=gap["between_columns"] / axis_w,
        hspace=gap["between_rows"] / axis_h,
    )
    fig.laid_out = True  # scripts.plotting.save_figure: saved as laid out, drawn once
    for ax in axes.flat[n_panels:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def _flag_note(ax, flags) -> None:
    flags = [f for f in str(flags).split(";") if f and f != "nan"]
    if flags:
        ax.text(
            0.02,
            0.02,
            "\n".join(flags),
            transform=ax.transAxes,
            fontsize=6.5,
            color="#b00020",
            va="bottom",
            ha="left",
        )


def plot_assay_curves(points: pd.DataFrame, fits: pd.DataFrame, title: str = ""):
    """Figure of one assay file: a panel per competition curve with every
    replicate point (faint), mean ± SEM per concentration, the Ki model's
    fitted line with its 95% confidence band, IC50 marked (dashed line), a
    log10 molar X on a linear axis (Prism's convention) and the curve's flags. *points* is
    :func:`~scripts.binding.specific.specific_binding` output, *fits*
    :func:`~scripts.binding.fitting.fit_assay` output."""
    fig, axes = _panel_grid(max(1, len(fits)), title=bool(title))
    if fits.empty:
        axes[0].text(0.5, 0.5, "no competition curves in this file", ha="center", transform=axes[0].transAxes)
    for ax, (_, fit) in zip(axes, fits.iterrows()):
        curve = points[
            (points["receptor"] == fit["receptor"])
            & (points["species"] == fit["species"])
            & (points["experiment"] == experiment_label(fit.get("experiment", "")))
            & (points["compound"] == fit["compound"])
        ]
        _draw_competition_panel(ax, curve, fit)
    if title:
        fig.suptitle(title)
    return fig


def _draw_competition_panel(ax, curve: pd.DataFrame, fit) -> None:
    # X is log10 molar concentration on a linear axis, as Prism plots
    # log(inhibitor) curves; this also spares matplotlib the log-axis minor
    # ticks and mathtext labels, which cost about half of the figure's time.
    # Validated competitor concentrations are > 0, so log10 is finite.
    colour = _species_colour(fit["species"], [fit["species"]])
    ax.scatter(
        np.log10(curve["concentration_M"]),
        curve["pct_specific"],
        s=10,
        color=colour,
        alpha=0.3,
        linewidths=0,
        label="replicates",
    )
    summary = curve.groupby("concentration_M")["pct_specific"].agg(["mean", "sem"]).reset_index()
    ax.errorbar(
        np.log10(summary["concentration_M"]),
        summary["mean"],
        yerr=summary["sem"].fillna(0.0),
        fmt="o",
        ms=4,
        color=colour,
        capsize=2,
        lw=1,
        label="mean ± SEM",
    )
    model = fit["ki_model"]
    if fit["status"] == "fitted":
        values = {name: fit[f"{model}_{name}"] for name in PARAMS}
        x_low = math.log10(fit["conc_min_M"]) - 0.5
        x_high = math.log10(fit["conc_max_M"]) + 0.5
        grid = np.linspace(x_low, x_high, 200)
        y, low, high = confidence_band(grid, values, covariance_from_row(fit, model), fit[f"{model}_dof"])
        ax.fill_between(grid, low, high, color=colour, alpha=0.15, lw=0, label="95% CI band")
        ax.plot(grid, y, color=colour, lw=1.5, label=model.replace("_", " ") + " fit")
        log_ic50 = values["log_ic50"]
        ax.axvline(log_ic50, color="0.3", ls="--", lw=0.8)
        ax.plot(
            [log_ic50],
            [four_pl(log_ic50, **values)],
            marker="D",
            color="0.2",
            ms=4,
            label=f"IC50 {10.0**log_ic50 * 1e9:.3g} nM",
        )
        if fit.get("two_site_status") == "two sites":
            sites = {name: fit[f"two_site_{name}"] for name in TWO_SITE_PARAMS}
            ax.plot(
                grid,
                two_site(grid, **sites),
                color="0.2",
                ls="--",
                lw=1.0,
                label=f"two sites ({100 * sites['fraction']:.0f}% high affinity)",
            )
    else:
        ax.text(0.5, 0.55, f"{fit['status']}", transform=ax.transAxes, ha="center", color="#b00020")
    ax.set_xlabel(f"log {fit['compound']} (M)")
    ax.set_ylabel("specific binding (%)")
    experiment = experiment_label(fit.get("experiment", ""))
    label = f", experiment {experiment}" if experiment else ""
    ax.set_title(f"{fit['receptor']} ({fit['species']}{label}), {fit['radioligand']}", fontsize=9)
    ax.axhline(0, color="0.8", lw=0.6)
    ax.legend(fontsize=6.5, frameon=False, loc="upper right")
    _flag_note(ax, fit["flags"])


def plot_pki_by_receptor(
    ki: pd.DataFrame, summary: pd.DataFrame | None = None, title: str = "pKi by receptor"
):
    """pKi per receptor with the species side by side (human left of rat):
    each independent experiment as a small point, and the pooled mean ± SEM
    (*summary*, ``ki_summary.csv``; computed from *ki* when not given) as a
    larger marker with error bars; one panel per compound. Curves without a
    Ki are marked "n.d." on the axis."""
    import matplotlib.pyplot as plt

    from scripts.binding.pooling import ki_summary

    summary = ki_summary(ki) if summary is None else summary
    compounds = list(dict.fromkeys(ki["compound"])) or [""]
    fig, axes = plt.subplots(len(compounds), 1, figsize=(8, 3.6 * len(compounds)), squeeze=False)
    species_order = sorted(ki["species"].unique(), key=lambda s: (s not in SPECIES_COLOURS, s))
    for ax, compound in zip(axes[:, 0], compounds):
        data = ki.loc[ki["compound"] == compound]
        pooled = summary.loc[summary["compound"] == compound]
        receptors = list(dict.fromkeys(data["receptor"]))
        width = 0.8 / max(1, len(species_order))
        for s_index, species in enumerate(species_order):
            offset = (s_index - (len(species_order) - 1) / 2) * width
            colour = _species_colour(species, species_order)
            part = data.loc[data["species"] == species]
            xs = np.array([receptors.index(r) for r in part["receptor"]], dtype=float) + offset
            pki = part["pki"].to_numpy(dtype=float)
            ok = np.isfinite(pki)
            ax.scatter(xs[ok] - 0.08, pki[ok], s=12, color=colour, alpha=0.55, linewidths=0)
            for x in xs[~ok]:
                ax.annotate(
                    "n.d.",
                    (x, 0.02),
                    xycoords=("data", "axes fraction"),
                    ha="center",
                    fontsize=7,
                    color=colour,
                )
            means = pooled.loc[pooled["species"] == species]
            mx = np.array([receptors.index(r) for r in means["receptor"]], dtype=float) + offset + 0.06
            mean = means["pki_mean"].to_numpy(dtype=float)
            sem = np.nan_to_num(means["pki_sem"].to_numpy(dtype=float))
            good = np.isfinite(mean)
            if good.any():
                ax.errorbar(
                    mx[good],
                    mean[good],
                    yerr=sem[good],
                    fmt="D",
                    ms=5,
                    color=colour,
                    capsize=3,
                    label=f"{species}: mean ± SEM (points: experiments)",
                )
        ax.set_xticks(range(len(receptors)))
        ax.set_xticklabels(receptors)
        ax.set_xlim(-0.6, len(receptors) - 0.4)
        ax.set_ylabel("pKi (−log10 M)")
        ax.set_title(f"{title}: {compound}" if compound else title, fontsize=10)
        ax.grid(axis="y", color="0.9")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(frameon=False, fontsize=8)
    from scripts.plotting import tight_layout

    tight_layout(fig)
    return fig


def plot_species_overlay(fits: pd.DataFrame, summary: pd.DataFrame):
    """One panel per receptor × compound with the species' fitted competition
    curves overlaid (% specific binding against log molar concentration;
    each independent experiment's Ki-model fit as a thin line), and each
    species' pooled Ki (mean pKi ± SEM, ``ki_summary.csv``) marked on the
    curve's half-way line: Prism's way to show a species shift. The curves'
    IC50s still contain each experiment's [L]/Kd; the marks are Ki."""
    fitted = fits.loc[fits["status"] == "fitted"]
    panels = list(dict.fromkeys(zip(fits["receptor"], fits["compound"])))
    fig, axes = _panel_grid(max(1, len(panels)), width=3.6, height=3.0, max_columns=4)
    species_order = sorted(fits["species"].unique(), key=lambda s: (s not in SPECIES_COLOURS, s))
    for ax, (receptor, compound) in zip(axes, panels):
        for species in species_order:
            colour = _species_colour(species, species_order)
            curves = fitted[
                (fitted["receptor"] == receptor)
                & (fitted["compound"] == compound)
                & (fitted["species"] == species)
            ]
            for n, (_, fit) in enumerate(curves.iterrows()):
                model = fit["ki_model"]
                values = {name: fit[f"{model}_{name}"] for name in PARAMS}
                grid = np.linspace(
                    math.log10(fit["conc_min_M"]) - 0.5, math.log10(fit["conc_max_M"]) + 0.5, 150
                )
                ax.plot(
                    grid,
                    four_pl(grid, **values),
                    color=colour,
                    lw=1.0,
                    alpha=0.7,
                    label=species if n == 0 else None,
                )
            pooled = summary[
                (summary["receptor"] == receptor)
                & (summary["compound"] == compound)
                & (summary["species"] == species)
            ]
            if len(pooled) and np.isfinite(pooled["pki_mean"].iloc[0]):
                mean, sem = pooled["pki_mean"].iloc[0], pooled["pki_sem"].iloc[0]
                ax.errorbar(
                    [-mean],
                    [50.0],
                    xerr=[[np.nan_to_num(sem)], [np.nan_to_num(sem)]],
                    fmt="v",
                    color=colour,
                    ms=6,
                    capsize=3,
                    label=f"{species} Ki {10.0 ** (9.0 - mean):.3g} nM (n = {int(pooled['n_experiments'].iloc[0])})",
                )
        ax.axhline(0, color="0.85", lw=0.6)
        ax.set_xlabel(f"log {compound} (M)")
        ax.set_ylabel("specific binding (%)")
        ax.set_title(receptor, fontsize=9)
        ax.legend(fontsize=6, frameon=False, loc="upper right")
    if not panels:
        axes[0].text(0.5, 0.5, "no competition curves", ha="center", transform=axes[0].transAxes)
    return fig


def plot_saturation(data: pd.DataFrame, saturation_fits: pd.DataFrame, title: str = ""):
    """Saturation curves: per receptor × species × radioligand, total and NSB
    points, specific points (total − mean NSB at that concentration), the
    globally fitted total, NSB line and specific curve, and Kd marked.
    *data* is the validated saturation table (several files concatenated
    is fine), *saturation_fits*
    :func:`~scripts.binding.saturation.fit_saturation_assay` output."""
    fig, axes = _panel_grid(max(1, len(saturation_fits)), title=bool(title))
    data = with_experiment(data)
    for ax, (_, fit) in zip(axes, saturation_fits.iterrows()):
        group = data[
            (data["experiment"] == experiment_label(fit.get("experiment", "")))
            & (data["receptor"] == fit["receptor"])
            & (data["species"] == fit["species"])
            & (data["radioligand"] == fit["radioligand"])
        ]
        total = group[group["well_type"] == "total"]
        nsb = group[group["well_type"] == "nsb"]
        ax.scatter(total["radioligand_nM"], total["cpm"], s=12, color="#1f77b4", alpha=0.6, label="total")
        ax.scatter(nsb["radioligand_nM"], nsb["cpm"], s=12, color="0.5", alpha=0.6, label="NSB")
        nsb_means = nsb.groupby("radioligand_nM")["cpm"].mean()
        specific = total["cpm"].to_numpy() - nsb_means.reindex(total["radioligand_nM"]).to_numpy()
        ax.scatter(
            total["radioligand_nM"], specific, s=12, color="#2ca02c", marker="s", alpha=0.6, label="specific"
        )
        if fit["status"] == "fitted":
            grid = np.linspace(0.0, float(group["radioligand_nM"].max()) * 1.05, 200)
            values = {
                "bmax": fit["bmax"],
                "kd": fit["kd_nM"],
                "ns": fit["ns"],
                "background": fit["background"],
            }
            ax.plot(grid, saturation_total_nsb(grid, 1.0, **values), color="#1f77b4", lw=1.4)
            ax.plot(grid, saturation_total_nsb(grid, 0.0, **values), color="0.5", lw=1.2)
            ax.plot(grid, values["bmax"] * grid / (values["kd"] + grid), color="#2ca02c", lw=1.4)
            ax.axvline(values["kd"], color="0.3", ls="--", lw=0.8)
            ax.text(
                values["kd"],
                0.98,
                f" Kd {values['kd']:.3g} nM",
                va="top",
                fontsize=7,
                transform=ax.get_xaxis_transform(),
            )
            ax.axhline(values["bmax"], color="#2ca02c", ls=":", lw=0.9)
            fmol = fit.get("bmax_fmol_mg", np.nan)
            converted = f" = {fmol:.3g} fmol/mg" if np.isfinite(fmol) else ""
            ax.text(
                0.02,
                values["bmax"],
                f"Bmax {values['bmax']:.4g} counts{converted}",
                va="bottom",
                fontsize=7,
                color="#2ca02c",
                transform=ax.get_yaxis_transform(),
            )
        ax.set_xlabel(f"{fit['radioligand']} (nM)")
        ax.set_ylabel("bound (CPM)")
        experiment = experiment_label(fit.get("experiment", ""))
        label = f", experiment {experiment}" if experiment else ""
        ax.set_title(f"{fit['receptor']} ({fit['species']}{label})", fontsize=9)
        ax.legend(fontsize=6.5, frameon=False, loc="best")
        _flag_note(ax, fit["flags"])
    if saturation_fits.empty:
        axes[0].text(0.5, 0.5, "no saturation runs", ha="center", transform=axes[0].transAxes)
    if title:
        fig.suptitle(title)
    return fig
