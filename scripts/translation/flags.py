"""Translational risk flags: each function takes result tables and returns
flag rows (columns :data:`FLAG_COLUMNS`); a problem that cannot be checked
because an area was not provided gives a "not assessable" row.

Thresholds set in the config are arguments; the others are named module
constants. The PK flags are in :mod:`scripts.translation.pk_flags`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.translation.common import compound_rows, fmt, is_empty, pct
from scripts.translation.effective import LOCOMOTOR_TEST
from scripts.translation.occupancy import study_ki
from scripts.translation.recommendations import recommendation

FLAG_COLUMNS = ["flag", "severity", "area", "evidence", "recommendation"]
NOT_ASSESSABLE = "not assessable"

#: Species Ki difference: high severity beyond this fold.
SPECIES_KI_HIGH_FOLD = 10.0
#: Dose-scaling disagreement: high severity beyond this multiple of the flag's fold.
DOSE_SCALING_HIGH_FACTOR = 5.0


def flag_row(flag, severity, area, evidence, remedy=None) -> dict:
    """One flag row; the remedy defaults to the flag's recommendation."""
    return {
        "flag": flag,
        "severity": severity,
        "area": area,
        "evidence": evidence,
        "recommendation": remedy or recommendation(flag),
    }


def not_assessable(flag, area, why, remedy=None) -> dict:
    """A "not assessable" row for *flag* saying *why*."""
    return flag_row(flag, NOT_ASSESSABLE, area, why, remedy)


def raised(flags: pd.DataFrame) -> pd.DataFrame:
    """The flags that fired (severity other than "not assessable")."""
    return flags[flags["severity"] != NOT_ASSESSABLE]


def flag_dose_scaling(translation: pd.DataFrame, fold) -> list:
    """One flag per route whose rows of ``dose_translation.csv`` have HED and
    exposure-matched dose disagreeing more than *fold* (either way); high
    severity when any disagrees beyond :data:`DOSE_SCALING_HIGH_FACTOR` x *fold*."""
    name = "dose-scaling disagreement"
    if is_empty(translation) or translation["ratio"].isna().all():
        return [
            not_assessable(
                name, "translation", "no rat exposure to match (PK or behaviour area not provided)"
            )
        ]
    ratio = translation["ratio"].astype(float)
    bad = translation[np.isfinite(ratio) & ((ratio > fold) | (ratio < 1.0 / fold))]
    out = []
    for route, group in bad.groupby("route", sort=True):
        parts, folds = [], []
        for _, r in group.sort_values("rat_dose_mg_kg").iterrows():
            x = float(r["ratio"])
            folds.append(max(x, 1 / x))
            parts.append(
                f"rat {float(r['rat_dose_mg_kg']):g} mg/kg: BSA human-equivalent dose "
                f"{fmt(r['hed_bsa_mg_kg'])} mg/kg = {fmt(r['hed_bsa_mg'])} mg vs "
                f"{fmt(r['exposure_matched_human_dose_mg'])} mg for the same unbound AUC "
                f"(BSA {'over' if x > 1 else 'under'}estimates {fmt(max(x, 1 / x))}-fold)"
            )
        severity = "high" if max(folds) > DOSE_SCALING_HIGH_FACTOR * fold else "medium"
        out.append(
            flag_row(
                name, severity, "translation", f"{route}: " + "; ".join(parts) + f" (limit {fold:g}-fold)"
            )
        )
    return out


def flag_occupancy(mismatches: pd.DataFrame, points) -> list:
    """One flag per receptor with a mismatch (see
    :func:`~scripts.translation.occupancy.occupancy_mismatches`), quoting rat
    and human occupancies."""
    name = "occupancy mismatch"
    if is_empty(mismatches):
        why = "no receptor with both a rat occupancy (effective dose, rat Ki, rat exposure) and a human occupancy"
        return [not_assessable(name, "translation", why)]
    out = []
    for receptor, group in mismatches.groupby("receptor", sort=False):
        bad = group[group["mismatch"]]
        if bad.empty:
            continue
        parts = []
        for _, r in bad.iterrows():
            why = (
                "different sides of 50%"
                if r["different_side"]
                else f"{r['distance_points']:.0f} points apart"
            )
            parts.append(
                f"{r['basis']}: rat {float(r['rat_dose']):g} {r['rat_dose_unit']} {pct(r['rat_occupancy'])} "
                f"vs human {pct(r['human_min'])}-{pct(r['human_max'])} at clinical doses ({why})"
            )
        severity = "high" if bad["different_side"].any() else "medium"
        out.append(
            flag_row(
                name,
                severity,
                "translation",
                f"{receptor}: " + "; ".join(parts) + f" (threshold {points:g} points)",
            )
        )
    return out


def flag_confounds(confounds, compound, effective=None) -> list:
    """From ``confounds.csv`` (behaviour): sedation, possible stimulant
    artefact or no locomotor control at a dose of *compound* whose FST
    result improved (or that is in *effective*, mg/kg)."""
    name = "sedation confound at an effective dose"
    if confounds is None:
        return [not_assessable(name, "behaviour", "no confound table: behaviour area not provided")]
    rows = compound_rows(confounds, compound)
    if is_empty(rows):
        return []
    effective = {float(d) for d in (effective or [])}
    names = {
        "sedation": name,
        "possible stimulant artefact": "stimulant artefact at an effective dose",
        "no locomotor control": "no locomotor control at an effective dose",
    }
    out = []
    for _, r in rows.iterrows():
        cls = str(r.get("classification", "")).strip().lower()
        improved = str(r.get("fst_effect", "")).strip().lower() == "improved"
        if cls not in names or not (improved or float(r["dose_mg_kg"]) in effective):
            continue
        change = r.get("open_field_pct_change_vs_vehicle")
        evidence = (
            f"{r['treatment']} {float(r['dose_mg_kg']):g} mg/kg {r['regimen']}: FST "
            f"{r.get('fst_endpoint', 'immobility')} {fmt(r.get('fst_diff_vs_vehicle'))} vs vehicle "
            f"(p_adj {fmt(r.get('fst_p_adj'), 2)}, g {fmt(r.get('fst_hedges_g'), 2)}); "
            f"open-field distance {fmt(r.get('open_field_diff_vs_vehicle'))} cm vs vehicle"
            + (f" ({fmt(change, 2)}%)" if pd.notna(change) else "")
            + f" (p_adj {fmt(r.get('open_field_p_adj'), 2)}): classified '{cls}'"
        )
        severity = "high" if cls in ("sedation", "possible stimulant artefact") else "medium"
        out.append(flag_row(names[cls], severity, "behaviour", evidence))
    return out


def _compound_groups(behaviour_groups, compound):
    rows = compound_rows(behaviour_groups, compound)
    if is_empty(rows):
        return rows
    return rows[pd.to_numeric(rows["dose_mg_kg"], errors="coerce") > 0]


def flag_single_model(behaviour_groups, compound) -> list:
    """Single-model reliance: the compound was tested in at most one
    efficacy test (open field excluded: it is the locomotor control)."""
    name = "single-model reliance"
    rows = _compound_groups(behaviour_groups, compound)
    if is_empty(rows):
        return [
            not_assessable(
                name, "behaviour", f"no behavioural groups of {compound}: behaviour area not provided"
            )
        ]
    tests = sorted(rows["test"].astype(str).unique())
    efficacy = [t for t in tests if t != LOCOMOTOR_TEST]
    if len(efficacy) <= 1:
        return [
            flag_row(
                name,
                "medium",
                "behaviour",
                f"{compound} tested in {len(efficacy)} efficacy model(s): "
                f"{', '.join(efficacy) or 'none'} (all tests: {', '.join(tests)})",
            )
        ]
    return []


def flag_acute_only(behaviour_groups, compound) -> list:
    """Acute-only design: no chronic regimen of the compound in any test."""
    name = "acute-only design"
    rows = _compound_groups(behaviour_groups, compound)
    if is_empty(rows):
        return [
            not_assessable(
                name, "behaviour", f"no behavioural groups of {compound}: behaviour area not provided"
            )
        ]
    regimens = sorted(rows["regimen"].astype(str).str.lower().unique())
    if "chronic" not in regimens:
        return [
            flag_row(
                name,
                "high",
                "behaviour",
                f"{compound} regimens: {', '.join(regimens)}; no chronic dosing in "
                f"{rows['test'].nunique()} test(s), while clinical effects need weeks",
            )
        ]
    return []


def flag_species_ki(ki, compound, fold) -> list:
    """Receptors whose human and rat Ki (study ``ki.csv``) differ more than
    *fold* (config ``binding.species_ratio_flag``); high severity beyond
    :data:`SPECIES_KI_HIGH_FOLD`."""
    name = "species Ki difference"
    study = study_ki(ki, compound)
    if study.empty:
        return [not_assessable(name, "binding", "no study Ki values (binding area not provided)")]
    out, compared = [], 0
    for _key, group in study.groupby("key", sort=True):
        by = group.set_index("species")["ki_nM"]
        if "human" not in by.index or "rat" not in by.index:
            continue
        compared += 1
        ratio = by["human"] / by["rat"]
        folds = max(ratio, 1 / ratio)
        if folds > fold:
            out.append(
                flag_row(
                    name,
                    "high" if folds > SPECIES_KI_HIGH_FOLD else "medium",
                    "binding",
                    f"{group['receptor'].iloc[0]}: Ki human {fmt(by['human'])} nM vs rat "
                    f"{fmt(by['rat'])} nM (human/rat {fmt(ratio)}; "
                    f"{fmt(folds)}-fold > {fold:g})",
                )
            )
    if compared == 0:
        return [not_assessable(name, "binding", "no receptor measured in both human and rat")]
    return out
