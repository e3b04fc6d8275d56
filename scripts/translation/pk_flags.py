"""Translational risk flags from the PK area: bioavailability, metabolite
profile, half-life, an assumed rat fraction unbound and extrapolated rat
exposure (rows as in :mod:`scripts.translation.flags`)."""

from __future__ import annotations

import math

import pandas as pd

from scripts.translation.common import compound_rows, fmt, geometric_mean, is_empty, norm_name, species_rows
from scripts.translation.exposure import accumulation_factor, elimination_rate, rat_half_life
from scripts.translation.flags import flag_row, not_assessable
from scripts.translation.recommendations import recommendation
from scripts.translation.reference import human_metabolites, ref_range, ref_value

#: Rat vs human oral F: flagged beyond this fold either way, high beyond the second.
BIOAVAILABILITY_FOLD = 2.0
BIOAVAILABILITY_HIGH_FOLD = 5.0
#: Rat t1/2 outside the human range: flagged beyond this fold, high beyond the second.
HALF_LIFE_FOLD = 3.0
HALF_LIFE_HIGH_FOLD = 10.0
#: Rat vs human metabolite-to-parent AUC ratio: flagged beyond this fold.
METABOLITE_RATIO_FOLD = 3.0


def flag_bioavailability(bioavailability, reference, compound, route="po", fold=BIOAVAILABILITY_FOLD) -> list:
    """Rat oral F (``bioavailability.csv``, parent, *route*) against the
    human oral F: flagged when they differ more than *fold* (either way);
    high severity beyond :data:`BIOAVAILABILITY_HIGH_FOLD`."""
    name = "bioavailability mismatch"
    human_f = ref_value(reference, "oral_bioavailability")
    if is_empty(bioavailability):
        return [
            not_assessable(
                name,
                "pk",
                "no bioavailability table: PK area not provided or "
                "no IV reference group, so rat F is unknown",
            )
        ]
    rows = compound_rows(bioavailability, compound, column="analyte")
    rows = rows[
        (rows["route"].astype(str).str.lower() == route) & pd.to_numeric(rows["f"], errors="coerce").notna()
    ]
    if rows.empty:
        return [
            not_assessable(
                name, "pk", f"no estimable {route} bioavailability of {compound} in bioavailability.csv"
            )
        ]
    f_rat = geometric_mean(rows["f"])
    ratio = human_f / f_rat
    parts = [
        f"{fmt(r['f'], 2)} (95% CI {fmt(r['f_ci_low'], 2)}-{fmt(r['f_ci_high'], 2)}; "
        f"{r['route']} {float(r['dose_mg_kg']):g} mg/kg vs {r['reference_route']} "
        f"{float(r['reference_dose_mg_kg']):g} mg/kg; n = {r['n_test']}/{r['n_reference']})"
        for _, r in rows.iterrows()
    ]
    evidence = (
        f"rat oral F {'; '.join(parts)}; human oral F {fmt(human_f, 2)} "
        f"(reference: {';'.join(reference['oral_bioavailability'].get('source', []))}): "
        f"human/rat = {fmt(ratio, 3)}-fold"
    )
    if ratio > fold or ratio < 1.0 / fold:
        high = ratio > BIOAVAILABILITY_HIGH_FOLD or ratio < 1.0 / BIOAVAILABILITY_HIGH_FOLD
        return [flag_row(name, "high" if high else "medium", "pk", evidence)]
    return []


def _metabolite_status(metabolites, nca, compound, species="rat") -> dict:
    """key -> (name, detected bool, geometric-mean ratio or NaN) for every
    non-parent analyte measured in *species*."""
    status = {}
    if not is_empty(metabolites):
        rows = species_rows(metabolites, species)
        rows = rows[rows["analyte"].astype(str).str.lower() != str(compound).lower()]
        for analyte, group in rows.groupby("analyte", sort=True):
            detected = bool((group["detection"].astype(str).str.lower() != "not detected").any())
            ratio = geometric_mean(group.get("ratio_geometric_mean", pd.Series(dtype=float)))
            status[norm_name(analyte)] = (str(analyte), detected, ratio)
    elif not is_empty(nca):
        rows = species_rows(nca, species)
        rows = rows[rows["analyte"].astype(str).str.lower() != str(compound).lower()]
        for analyte, group in rows.groupby("analyte", sort=True):
            detected = bool(pd.to_numeric(group["auc_last_ng_h_mL"], errors="coerce").notna().any())
            status[norm_name(analyte)] = (str(analyte), detected, float("nan"))
    return status


def flag_metabolites(
    metabolites, nca, reference, compound, species="rat", ratio_fold=METABOLITE_RATIO_FOLD
) -> list:
    """Human metabolites (reference) not detected in the rat (every rat
    group "not detected" in ``metabolites.csv``, or no quantifiable AUC in
    ``nca.csv``) -> flag; not measured in the rat -> "not assessable";
    a detected metabolite whose rat/human metabolite-to-parent ratios differ
    more than *ratio_fold* -> low-severity flag."""
    name = "metabolite profile difference"
    remedy = recommendation(name, human_metabolites(reference))
    if is_empty(metabolites) and is_empty(nca):
        return [not_assessable(name, "pk", "PK area not provided: rat metabolites unknown", remedy)]
    status = _metabolite_status(metabolites, nca, compound, species)
    out = []
    for met in reference.get("metabolites") or []:
        if not met.get("present_in_humans", True):
            continue
        aliases = {norm_name(a) for a in (met.get("aliases") or [])} | {norm_name(met["name"])}
        found = [status[k] for k in aliases if k in status]
        if not found:
            out.append(
                not_assessable(
                    name,
                    "pk",
                    f"{met['name']} (present in humans) was not measured in the {species} PK study",
                    remedy,
                )
            )
            continue
        analyte, detected, rat_ratio = found[0]
        human = met.get("auc_ratio_to_parent") or {}
        human_ratio = human.get("value")
        if not detected:
            out.append(
                flag_row(
                    name,
                    "high",
                    "pk",
                    f"{analyte}: not detected in any {species} PK group (BLQ throughout), "
                    f"but present in humans ({';'.join(human.get('source', []))})"
                    + (f"; human AUC ratio to parent about {fmt(human_ratio, 2)}" if human_ratio else ""),
                    remedy,
                )
            )
        elif human_ratio and math.isfinite(rat_ratio) and rat_ratio > 0:
            fold = max(rat_ratio / human_ratio, human_ratio / rat_ratio)
            if fold > ratio_fold:
                out.append(
                    flag_row(
                        name,
                        "low",
                        "pk",
                        f"{analyte}: AUC ratio to parent {fmt(rat_ratio, 3)} in {species} vs "
                        f"about {fmt(human_ratio, 2)} in humans ({fmt(fold, 3)}-fold)",
                        remedy,
                    )
                )
    return out


def flag_half_life(nca, reference, compound, tau_h, fold=HALF_LIFE_FOLD) -> list:
    """Rat parent t1/2 (median, IV preferred) against the human t1/2 range:
    flagged when the rat value lies more than *fold* outside the human range;
    the evidence states what that means for a once-daily regimen."""
    name = "half-life mismatch"
    t_rat, routes = rat_half_life(nca, compound)
    if not math.isfinite(t_rat):
        return [
            not_assessable(
                name, "pk", "no rat terminal half-life (PK area not provided or no acceptable lambda_z)"
            )
        ]
    low, high = ref_range(reference, "t_half_h")
    ratio = low / t_rat if t_rat < low else (t_rat / high if t_rat > high else 1.0)
    if ratio <= fold:
        return []
    left_rat = math.exp(-elimination_rate(t_rat) * tau_h)
    left_human = math.exp(-elimination_rate(low) * tau_h)
    evidence = (
        f"rat t1/2 {fmt(t_rat)} h (median, {routes} profiles) vs human {low:g}-{high:g} h "
        f"({fmt(ratio)}-fold shorter than the human lower bound); with dosing every "
        f"{tau_h:g} h the rat keeps {100 * left_rat:.2g}% of a dose's concentration at the next "
        f"dose vs {100 * left_human:.2g}% in humans (t1/2 {low:g} h): no sustained exposure; "
        f"accumulation factor rat {accumulation_factor(t_rat, tau_h):.3g} vs human "
        f"{accumulation_factor(low, tau_h):.3g}-{accumulation_factor(high, tau_h):.3g}"
    )
    return [flag_row(name, "high" if ratio > HALF_LIFE_HIGH_FOLD else "medium", "pk", evidence)]


def flag_fu_default(fu_source: str, fu_value: float) -> list:
    """A rat fu taken from the default instead of study.yaml."""
    if fu_source.startswith("default"):
        return [
            flag_row(
                "rat fraction unbound assumed",
                "low",
                "pk",
                f"study.yaml gives no rat fu; the default {fu_value:g} "
                "(config translation.default_fu_rat) is used for every unbound rat exposure "
                "and occupancy",
            )
        ]
    return []


def flag_extrapolation(rat: pd.DataFrame) -> list:
    """Rat exposures extrapolated beyond the PK dose range or across routes."""
    out = []
    if is_empty(rat):
        return out
    for _, r in rat.iterrows():
        text = str(r.get("flags") or "")
        if "extrapolated" in text or "cross-route" in text:
            out.append(
                flag_row(
                    "rat exposure extrapolated",
                    "medium",
                    "pk",
                    f"rat {float(r['dose']):g} mg/kg {r['route']}: {text} ({r['note']})",
                )
            )
    return out
