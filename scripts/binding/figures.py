"""Figures of the binding analysis: competition curves of one assay file,
saturation curves of one file and the study's pKi by receptor. Returned as
matplotlib figures, written as SVG with :func:`scripts.plotting.save_figure`."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.binding.fitting import covariance_from_row
from scripts.binding.models import PARAMS, four_pl, four_pl_gradient, saturation_total_nsb, stats
from scripts.binding.specific import experiment_label, with_experiment

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


def _panel_grid(n_panels: int, width: float = 4.2, height: float = 3.4, max_columns: int = 3):
    import matplotlib.pyplot as plt

    n_columns = max(1, min(max_columns, n_panels))
    n_rows = max(1, math.ceil(n_panels / n_columns))
    fig, axes = plt.subplots(n_rows, n_columns, figsize=(width * n_columns, height * n_rows), squeeze=False)
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
    fig, axes = _panel_grid(max(1, len(fits)))
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
    fig.tight_layout()
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
    else:
        ax.text(0.5, 0.55, f"{fit['status']}", transform=ax.transAxes, ha="center", color="#b00020")
    ax.set_xlabel(f"log10 [{fit['compound']}] (M)")
    ax.set_ylabel("specific binding (%)")
    experiment = experiment_label(fit.get("experiment", ""))
    label = f", experiment {experiment}" if experiment else ""
    ax.set_title(f"{fit['receptor']} ({fit['species']}{label}), {fit['radioligand']}", fontsize=9)
    ax.axhline(0, color="0.8", lw=0.6)
    ax.legend(fontsize=6.5, frameon=False, loc="upper right")
    _flag_note(ax, fit["flags"])


def plot_pki_by_receptor(ki: pd.DataFrame, title: str = "pKi by receptor"):
    """pKi per receptor with the species side by side (human left of rat),
    error bars the 95% CI from the logIC50 CI; one panel per compound.
    Curves without a Ki are marked "n.d." on the axis."""
    import matplotlib.pyplot as plt

    compounds = list(dict.fromkeys(ki["compound"])) or [""]
    fig, axes = plt.subplots(len(compounds), 1, figsize=(8, 3.6 * len(compounds)), squeeze=False)
    species_order = sorted(ki["species"].unique(), key=lambda s: (s not in SPECIES_COLOURS, s))
    for ax, compound in zip(axes[:, 0], compounds):
        data = ki.loc[ki["compound"] == compound]
        receptors = list(dict.fromkeys(data["receptor"]))
        width = 0.8 / max(1, len(species_order))
        for s_index, species in enumerate(species_order):
            offset = (s_index - (len(species_order) - 1) / 2) * width
            part = data.loc[data["species"] == species]
            xs = np.array([receptors.index(r) for r in part["receptor"]], dtype=float) + offset
            pki = part["pki"].to_numpy(dtype=float)
            low = 9.0 - np.log10(part["ki_ci_high_nM"].to_numpy(dtype=float))
            high = 9.0 - np.log10(part["ki_ci_low_nM"].to_numpy(dtype=float))
            ok = np.isfinite(pki)
            colour = _species_colour(species, species_order)
            if ok.any():
                errors = np.nan_to_num(np.vstack([pki[ok] - low[ok], high[ok] - pki[ok]]))
                ax.errorbar(xs[ok], pki[ok], yerr=errors, fmt="o", color=colour, capsize=3, label=species)
            for x in xs[~ok]:
                ax.annotate(
                    "n.d.",
                    (x, 0.02),
                    xycoords=("data", "axes fraction"),
                    ha="center",
                    fontsize=7,
                    color=colour,
                )
        ax.set_xticks(range(len(receptors)))
        ax.set_xticklabels(receptors)
        ax.set_xlim(-0.6, len(receptors) - 0.4)
        ax.set_ylabel("pKi (−log10 M)")
        ax.set_title(f"{title}: {compound}" if compound else title, fontsize=10)
        ax.grid(axis="y", color="0.9")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def plot_saturation(data: pd.DataFrame, saturation_fits: pd.DataFrame, title: str = ""):
    """Saturation curves: per receptor × species × radioligand, total and NSB
    points, specific points (total − mean NSB at that concentration), the
    globally fitted total, NSB line and specific curve, and Kd marked.
    *data* is the validated saturation table (several files concatenated
    is fine), *saturation_fits*
    :func:`~scripts.binding.saturation.fit_saturation_assay` output."""
    fig, axes = _panel_grid(max(1, len(saturation_fits)))
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
        ax.set_xlabel(f"[{fit['radioligand']}] (nM)")
        ax.set_ylabel("bound (CPM)")
        ax.set_title(f"{fit['receptor']} ({fit['species']})", fontsize=9)
        ax.legend(fontsize=6.5, frameon=False, loc="best")
        _flag_note(ax, fit["flags"])
    if saturation_fits.empty:
        axes[0].text(0.5, 0.5, "no saturation runs", ha="center", transform=axes[0].transAxes)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
