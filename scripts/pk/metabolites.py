"""Metabolite-to-parent exposure ratios and detectability per analyte.
An analyte BLQ throughout is "not detected", never zero exposure."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.pk.bioavailability import route_ratio
from scripts.pk.conventions import (
    DETECTABILITY_COLUMNS,
    GROUP_KEYS,
    IV_ROUTES,
    METABOLITE_COLUMNS,
    group_row_keys,
)
from scripts.pk.summary import geometric_cv_pct, geometric_mean


def _detection_label(n_quantifiable, n_total):
    if n_quantifiable == 0:
        return "not detected"
    return "detected" if n_quantifiable == n_total else "partially detected"


def detectability_table(pk: pd.DataFrame) -> pd.DataFrame:
    """Per species x analyte: animals and samples quantifiable, highest
    concentration and LLOQ (min-max when it varies). An analyte BLQ
    throughout is "not detected" (not zero exposure); quantifiable in some
    animals only is "partially detected"."""
    rows = []
    for (species, analyte), g in pk.groupby(["species", "analyte"], sort=True):
        per_animal = g.groupby("animal_id")["blq"].apply(lambda b: (~b).any())
        lloq_lo, lloq_hi = g["lloq_ng_mL"].min(), g["lloq_ng_mL"].max()
        lloq = f"{lloq_lo:g}" if lloq_lo == lloq_hi else f"{lloq_lo:g}-{lloq_hi:g}"
        rows.append(
            dict(
                species=species,
                analyte=analyte,
                n_animals=len(per_animal),
                n_animals_quantifiable=int(per_animal.sum()),
                n_samples=len(g),
                n_samples_quantifiable=int((~g["blq"]).sum()),
                max_concentration_ng_mL=g["concentration_ng_mL"].max(),
                lloq_ng_mL=lloq,
                detection=_detection_label(int(per_animal.sum()), len(per_animal)),
            )
        )
    return pd.DataFrame(rows, columns=DETECTABILITY_COLUMNS)


def _route_ratio(nca, keys, g, settings, sparse) -> dict:
    """Route ratio of one extravascular metabolite group against the IV
    group of the same species and analyte nearest in dose (log scale)."""
    empty = dict(route_ratio_reference="", route_ratio=np.nan, route_ratio_ci_low=np.nan,
                 route_ratio_ci_high=np.nan, route_ratio_method="")  # fmt: skip
    if settings is None or keys["route"] in IV_ROUTES:
        return empty
    iv = nca[
        nca["route"].isin(IV_ROUTES)
        & (nca["species"] == keys["species"])
        & (nca["analyte"] == keys["analyte"])
    ]
    if iv.empty:
        return empty
    doses = np.array(sorted(iv["dose_mg_kg"].unique()), float)
    ref_dose = float(doses[np.argmin(np.abs(np.log(doses / float(keys["dose_mg_kg"]))))])
    test = g[g["auc_last_ng_h_mL"].notna()]
    ref = iv[(iv["dose_mg_kg"] == ref_dose) & iv["auc_last_ng_h_mL"].notna()]
    reference = f"iv {ref_dose:g} mg/kg"
    if test.empty or ref.empty:
        return dict(empty, route_ratio_reference=reference, route_ratio_method="not estimable: not detected")
    ids = (keys["species"], keys["analyte"], keys["route"], keys["dose_mg_kg"], ref_dose)
    est = route_ratio(
        test, ref, settings, sparse if sparse is not None else pd.DataFrame(columns=GROUP_KEYS), ids
    )
    return dict(
        route_ratio_reference=reference,
        route_ratio=est["f"],
        route_ratio_ci_low=est["f_ci_low"],
        route_ratio_ci_high=est["f_ci_high"],
        route_ratio_method=est["method"],
    )


def metabolite_table(
    nca: pd.DataFrame, parent: str, settings: dict | None = None, sparse=None
) -> pd.DataFrame:
    """Metabolite-to-parent AUClast ratios and detection per group.

    One row per species x analyte (metabolites and parent) x route x dose.
    The ratio is AUClast(metabolite)/AUClast(parent) of the same animal
    (mass concentrations, ng/mL, not molar; same sampling window), then the
    geometric mean, geometric CV% and range over animals with both
    quantifiable. ``detection`` is "not detected" when no profile of the
    group has a quantifiable sample, and then the ratio is empty, never 0.
    The parent's own row carries its detection and no ratio. The parent is
    matched case-insensitively; if absent, ratios are empty.

    With *settings* (the ``pk`` section; and *sparse*, the Bailer table),
    each extravascular metabolite group also gets ``route_ratio``: its
    dose-normalised AUClast over that of the IV group nearest in dose
    (``route_ratio_reference``), with a CI as for F
    (:func:`scripts.pk.bioavailability.route_ratio`). This is an exposure
    ratio, not the metabolite's bioavailability. ``auc_metric`` states the
    one AUC metric of the row (AUClast).
    """
    rows = []
    parent_rows = nca[nca["analyte"].str.lower() == parent.lower()]
    parent_name = parent_rows["analyte"].iloc[0] if len(parent_rows) else parent
    for gkeys, g in nca.groupby(GROUP_KEYS, sort=True):
        keys = group_row_keys(gkeys)
        quantifiable = g["auc_last_ng_h_mL"].notna()
        is_parent = keys["analyte"].lower() == parent.lower()
        ratios = np.array([])
        if not is_parent:
            p = parent_rows[
                (parent_rows["species"] == keys["species"])
                & (parent_rows["route"] == keys["route"])
                & (parent_rows["dose_mg_kg"] == keys["dose_mg_kg"])
            ]
            joined = g.merge(p[["animal_id", "auc_last_ng_h_mL"]], on="animal_id", suffixes=("", "_parent"))
            ratio = joined["auc_last_ng_h_mL"] / joined["auc_last_ng_h_mL_parent"]
            ratios = ratio[np.isfinite(ratio) & (ratio > 0)].to_numpy()
        rows.append(
            dict(
                keys,
                parent=parent_name,
                n_animals=len(g),
                n_animals_quantifiable=int(quantifiable.sum()),
                detection=_detection_label(int(quantifiable.sum()), len(g)),
                ratio_basis="parent"
                if is_parent
                else "AUClast metabolite / AUClast parent (ng/mL basis), per animal",
                n_ratio=int(ratios.size),
                ratio_geometric_mean=geometric_mean(ratios),
                ratio_geo_cv_pct=geometric_cv_pct(ratios),
                ratio_min=float(ratios.min()) if ratios.size else float("nan"),
                ratio_max=float(ratios.max()) if ratios.size else float("nan"),
                auc_metric="AUClast",
                **(_route_ratio(nca, keys, g, settings, sparse) if not is_parent else {}),
            )
        )
    return pd.DataFrame(rows, columns=METABOLITE_COLUMNS)
