"""Translational risk flags from the PK area: bioavailability, metabolite
profile, half-life, an assumed rat fraction unbound and extrapolated rat
exposure (rows as in :mod:`scripts.translation.flags`). Thresholds come
from the config section ``translation`` (*cfg*)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from scripts.translation import recommendations as rec
from scripts.translation.common import compound_rows, is_empty, norm_name, species_rows
from scripts.translation.flags import _row
from scripts.translation.reference import record_confirmed, record_sources
from scripts.translation.registry import (
    T_BIOAVAILABILITY,
    T_DETECTABILITY,
    T_EXPOSURE,
    T_METABOLITES,
    T_REFERENCE,
    Evidence,
    flag_row,
    not_assessable,
    sig,
)


def _cap(severity, confirmed, evidence):
    """An unconfirmed reference value never drives a high flag."""
    if severity == "high" and not confirmed:
        return "medium", evidence + "; the human value is unconfirmed, so not rated high"
    return severity, evidence


def flag_bioavailability(bioavailability, reference, compound, cfg, design, match=None, route="po") -> list:
    """Rat oral F (``bioavailability.csv``, parent, *route*, each dose with
    its 95% CI) against the human oral F: medium when a dose's F differs
    more than ``bioavailability_fold`` either way, high when its whole CI
    lies beyond ``bioavailability_high_fold``."""
    fid = "bioavailability_mismatch"
    if is_empty(bioavailability):
        return [not_assessable(fid, "no bioavailability table: no IV reference group, so rat F is unknown")]
    rows = compound_rows(bioavailability, compound, column="analyte")
    rows = rows[
        (rows["route"].astype(str).str.lower() == route) & pd.to_numeric(rows["f"], errors="coerce").notna()
    ]
    if rows.empty:
        return [
            not_assessable(fid, f"no estimable {route} bioavailability of {compound} in bioavailability.csv")
        ]
    fold, high_fold = float(cfg["bioavailability_fold"]), float(cfg["bioavailability_high_fold"])
    human_f = float(reference["oral_bioavailability"]["value"])
    ev, parts, severity = Evidence(), [], None
    for _, r in rows.sort_values("dose_mg_kg").iterrows():
        keys = {"analyte": r["analyte"], "route": r["route"], "dose_mg_kg": float(r["dose_mg_kg"])}
        f, lo, hi = (float(r[c]) for c in ("f", "f_ci_low", "f_ci_high"))
        ratio = human_f / f
        if not (ratio > fold or ratio < 1 / fold):
            continue
        beyond_high = (
            math.isfinite(lo)
            and math.isfinite(hi)
            and (human_f / hi > high_fold or human_f / lo < 1 / high_fold)
        )
        severity = "high" if beyond_high or severity == "high" else "medium"
        human_cell = (T_REFERENCE, {"key": "oral_bioavailability"}, "value", human_f)
        ratio_text = ev.ratio(human_cell, (T_BIOAVAILABILITY, keys, "f", f), 2, zeros=True)
        if math.isfinite(lo) and math.isfinite(hi):
            ratio_text += (
                f" (95% CI {ev.ratio(human_cell, (T_BIOAVAILABILITY, keys, 'f_ci_high', hi), 2, zeros=True)}-"
                f"{ev.ratio(human_cell, (T_BIOAVAILABILITY, keys, 'f_ci_low', lo), 2, zeros=True)})"
            )
        parts.append(
            f"{ev.cell(T_BIOAVAILABILITY, keys, 'f', f, 2, zeros=True)} (95% CI "
            f"{ev.cell(T_BIOAVAILABILITY, keys, 'f_ci_low', lo, 2, zeros=True)}-"
            f"{ev.cell(T_BIOAVAILABILITY, keys, 'f_ci_high', hi, 2, zeros=True)}) at {float(r['dose_mg_kg']):g} mg/kg, "
            f"human/rat {ratio_text}"
        )
    if not parts:
        return []
    bib_keys = record_sources(reference, "oral_bioavailability")
    evidence = (
        f"Human oral F {ev.cell(T_REFERENCE, {'key': 'oral_bioavailability'}, 'value', human_f, 2)}. "
        f"Rat oral F {'; '.join(parts)}. Rat and human differ more than "
        f"{ev.config('translation.bioavailability_fold', fold)}-fold"
        + (
            f", the whole CI beyond {ev.config('translation.bioavailability_high_fold', high_fold)}-fold"
            if severity == "high"
            else ""
        )
    )
    severity, evidence = _cap(severity, record_confirmed(reference, "oral_bioavailability"), evidence)
    text, refs = rec.bioavailability(design, match)
    return [flag_row(fid, severity, evidence, text, ev, bib_keys, refs)]


def _lloq(detectability, analyte, species="rat"):
    """(text as in detectability.csv, highest LLOQ ng/mL) or (None, NaN)."""
    if is_empty(detectability):
        return None, float("nan")
    rows = species_rows(detectability, species)
    rows = rows[rows["analyte"].astype(str).map(norm_name) == norm_name(analyte)]
    if rows.empty:
        return None, float("nan")
    text = str(rows["lloq_ng_mL"].iloc[0])
    return text, max(float(x) for x in text.split("-"))


def _parent_cmax(parent_groups, found):
    """Highest parent Cmax (ng/mL, NCA group geometric mean) among the
    groups where the metabolite was measured: (cmax, route, dose) or None."""
    if is_empty(parent_groups):
        return None
    extravascular = found[found["route"].astype(str).str.lower() != "iv"]
    found = extravascular if len(extravascular) else found  # IV C0 is no formation comparison
    best = None
    for route, dose in zip(
        found["route"].astype(str).str.lower(), found["dose_mg_kg"].astype(float), strict=True
    ):
        g = parent_groups[(parent_groups["route"] == route) & np.isclose(parent_groups["dose_mg_kg"], dose)]
        if len(g) and (best is None or float(g["cmax_ng_mL"].iloc[0]) > best[0]):
            best = (float(g["cmax_ng_mL"].iloc[0]), route, dose)
    return best


SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3}


def flag_metabolites(
    metabolites, reference, compound, cfg, design, detectability=None, parent_groups=None, species="rat"
) -> list:
    """One row for the human metabolites of the reference against the rat.

    * Not measured in the rat -> "not assessable" (that metabolite).
    * Not detected in any rat group -> judged against the assay: with a
      human metabolite-to-parent ratio, the concentration it implies
      (ratio x the rat parent Cmax) against the LLOQ (``detectability.csv``):
      LLOQ above it -> low (absence unproven); below it -> medium, high for
      a major human metabolite (ratio at least ``metabolite_major_fraction``,
      the FDA MIST 10% criterion) with a confirmed ratio. Without a human
      ratio -> low, the LLOQ set against the parent Cmax.
    * Detected, ratio differing more than ``metabolite_ratio_fold`` from the
      human one -> low (medium for a major metabolite).
    Metabolites that agree between species are stated in the evidence."""
    fid = "metabolite_profile_difference"
    if is_empty(metabolites):
        return [not_assessable(fid, "PK area not provided: rat metabolites unknown")]
    rows = species_rows(metabolites, species)
    rows = rows[rows["analyte"].astype(str).str.lower() != str(compound).lower()]
    ratio_fold, major = float(cfg["metabolite_ratio_fold"]), float(cfg["metabolite_major_fraction"])
    ev, out, problems, agree, advice, refs, severity = Evidence(), [], [], [], [], [], None
    for met in reference.get("metabolites") or []:
        if not met.get("present_in_humans", True):
            continue
        aliases = {norm_name(a) for a in (met.get("aliases") or [])} | {norm_name(met["name"])}
        found = rows[rows["analyte"].astype(str).map(norm_name).isin(aliases)]
        if found.empty:
            why = f"{met['name']} (present in humans) was not measured in the {species} PK study"
            out.append(not_assessable(fid, why, rec.metabolite(design, [met["name"]])[0]))
            continue
        analyte = str(found["analyte"].iloc[0])
        human = (met.get("auc_ratio_to_parent") or {}).get("value")
        rkey = {"key": f"metabolites.{met['name']}.auc_ratio_to_parent"}
        is_major = bool(human) and float(human) >= major and record_confirmed(met, "auc_ratio_to_parent")
        detected = found[found["detection"].astype(str).str.lower() != "not detected"]
        if detected.empty:
            lloq_text, lloq = _lloq(detectability, analyte, species)
            parent = _parent_cmax(parent_groups, found)
            groups = []
            for r, d in zip(found["route"], found["dose_mg_kg"], strict=True):
                keys = {"species": species, "analyte": analyte, "route": r, "dose_mg_kg": float(d)}
                ev.quote(T_METABOLITES, keys, "detection", "")
                groups.append(f"{r} {float(d):g} mg/kg")
            where = ", ".join(groups)
            text = f"{analyte} not detected in any {species} group ({where})"
            if lloq_text:
                text += f", LLOQ {ev.quote(T_DETECTABILITY, {'species': species, 'analyte': analyte}, 'lloq_ng_mL', lloq_text)} ng/mL"
            if human and parent and math.isfinite(lloq):
                expected = float(human) * parent[0]
                text += f"; human metabolite-to-parent ratio {ev.cell(T_REFERENCE, rkey, 'value', human, 2)}"
                if lloq >= expected:
                    sev = "low"
                    advice.append(rec.metabolite_absent_by_lloq(analyte, lloq_text, expected)[0])
                else:
                    sev = "high" if is_major else "medium"
                    text += " (the implied concentration is above the LLOQ: lower formation in the rat)"
                    advice.append(rec.metabolite(design, [analyte])[0])
            else:
                sev = "low"
                text += "; no human metabolite-to-parent ratio is given" if not human else ""
                if parent and math.isfinite(lloq):
                    advice.append(
                        f"{analyte}: the LLOQ is {sig(100 * lloq / parent[0], 2)}% of the parent Cmax at "
                        f"{parent[1]} {parent[2]:g} mg/kg; absence below that level is not shown."
                    )
            problems.append(text)
            severity = max([severity or sev, sev], key=SEVERITY_RANK.get)
            refs += record_sources(met, "auc_ratio_to_parent")
            continue
        ratios = pd.to_numeric(detected["ratio_geometric_mean"], errors="coerce")
        if not human or not ratios.notna().any():
            continue
        far, near = [], []
        for _, r in detected[ratios.notna()].iterrows():
            keys = {
                "species": species,
                "analyte": analyte,
                "route": r["route"],
                "dose_mg_kg": float(r["dose_mg_kg"]),
            }
            rat_ratio = float(r["ratio_geometric_mean"])
            part = (
                f"{ev.cell(T_METABOLITES, keys, 'ratio_geometric_mean', rat_ratio)} "
                f"({r['route']} {float(r['dose_mg_kg']):g} mg/kg)"
            )
            (far if max(rat_ratio / human, human / rat_ratio) > ratio_fold else near).append(part)
        human_text = ev.cell(T_REFERENCE, rkey, "value", human, 2)
        if far:
            problems.append(
                f"{analyte}: metabolite-to-parent AUC ratio in {species} {', '.join(far)} vs human {human_text} "
                f"(more than {ev.config('translation.metabolite_ratio_fold', ratio_fold)}-fold apart)"
            )
            sev = "medium" if is_major else "low"
            severity = max([severity or sev, sev], key=SEVERITY_RANK.get)
            advice.append(rec.metabolite(design, [analyte])[0])
            refs += record_sources(met, "auc_ratio_to_parent")
        else:
            agree.append(
                f"{analyte} agrees between species: {species} {', '.join(near)} vs human {human_text}"
            )
    if problems:
        # the agreeing metabolites are sentences of their own
        evidence = ". ".join(["; ".join(problems), *agree])
        text = " ".join(dict.fromkeys(advice)) or rec.metabolite(design, [])[0]
        out.append(flag_row(fid, severity, evidence, text, ev, refs, ["fda2020_mist"]))
    return out


def flag_half_life(exposure, reference, cfg, design) -> list:
    """Rat parent half-life (``exposure.csv``, rat rows) against the human
    half-life range: medium beyond ``half_life_fold`` outside the range,
    high beyond ``half_life_high_fold``."""
    fid = "half_life_mismatch"
    rat = exposure[
        (exposure["species"] == "rat") & pd.to_numeric(exposure["t_half_h"], errors="coerce").notna()
    ]
    if rat.empty:
        return [
            not_assessable(fid, "no rat terminal half-life (PK area not provided or no acceptable lambda_z)")
        ]
    r = rat.iloc[0]
    t_rat = float(r["t_half_h"])
    low, high = (float(x) for x in reference["t_half_h"].get("range") or [reference["t_half_h"]["value"]] * 2)
    ratio = low / t_rat if t_rat < low else (t_rat / high if t_rat > high else 1.0)
    fold, high_fold = float(cfg["half_life_fold"]), float(cfg["half_life_high_fold"])
    if ratio <= fold:
        return []
    ev = Evidence()
    keys = {"species": "rat", "dose": float(r["dose"]), "route": r["route"]}
    rng = {"key": "t_half_h"}
    side = "shorter" if t_rat < low else "longer"
    evidence = (
        f"rat half-life {ev.cell(T_EXPOSURE, keys, 't_half_h', t_rat)} h vs human "
        f"{ev.cell(T_REFERENCE, rng, 'range', low)}-{ev.cell(T_REFERENCE, rng, 'range', high)} h: more than "
        f"{ev.config('translation.half_life_fold', fold)}-fold {side} than the human range"
        + (
            f" (high beyond {ev.config('translation.half_life_high_fold', high_fold)}-fold)"
            if ratio > high_fold
            else ""
        )
        + f"; dosed every {ev.config('translation.dosing_interval_h', cfg['dosing_interval_h'])} h the rat does not "
        "reach sustained exposure"
    )
    severity, evidence = _cap(
        "high" if ratio > high_fold else "medium", record_confirmed(reference, "t_half_h"), evidence
    )
    text, refs = rec.half_life(design, t_rat, cfg["dosing_interval_h"])
    return [flag_row(fid, severity, evidence, text, ev, record_sources(reference, "t_half_h"), refs)]


def flag_fu_default(exposure, fu_source: str) -> list:
    """A rat fu taken from the config default instead of study.yaml."""
    rat = exposure[exposure["species"] == "rat"] if not is_empty(exposure) else exposure
    if is_empty(rat) or not fu_source.startswith("default"):
        return []
    r = rat.iloc[0]
    ev = Evidence()
    value = ev.cell(
        T_EXPOSURE, {"species": "rat", "dose": float(r["dose"]), "route": r["route"]}, "fu", r["fu"]
    )
    ev.config("translation.default_fu_rat", r["fu"])
    evidence = (
        f"study.yaml gives no rat fu; the default {value} (config translation.default_fu_rat) is used for every "
        "unbound rat exposure and occupancy"
    )
    return [_row("rat_fu_assumed", "low", evidence, ev, rec.fu_assumed())]


def flag_extrapolation(rat: pd.DataFrame, max_fold) -> list:
    """Rat exposures marked ``extrapolated`` in ``exposure.csv`` (outside the
    measured PK dose range or across routes): medium, high beyond
    *max_fold* (``max_dose_extrapolation_fold``)."""
    out = []
    if is_empty(rat) or "extrapolated" not in rat:
        return out
    for _, r in rat[rat["extrapolated"].astype(bool)].iterrows():
        ev = Evidence()
        keys = {"species": "rat", "dose": float(r["dose"]), "route": r["route"]}
        factor = float(r["extrapolation_factor"])
        high = np.isfinite(factor) and factor > max_fold
        evidence = (
            f"rat {float(r['dose']):g} mg/kg {r['route']}: {ev.quote(T_EXPOSURE, keys, 'source', r['source'])}, "
            f"{ev.cell(T_EXPOSURE, keys, 'extrapolation_factor', factor)}-fold outside the measured PK doses"
            + (
                f" (high beyond {ev.config('translation.max_dose_extrapolation_fold', max_fold)}-fold)"
                if high
                else ""
            )
            + (f"; {ev.quote(T_EXPOSURE, keys, 'flags', r['flags'])}" if str(r.get("flags") or "") else "")
            + (
                f"; {ev.quote(T_EXPOSURE, keys, 'note', r['note'])}"
                if "slope CI" in str(r.get("note"))
                else ""
            )
        )
        out.append(
            _row(
                "exposure_extrapolated",
                "high" if high else "medium",
                evidence,
                ev,
                rec.extrapolated(float(r["dose"]), r["route"]),
            )
        )
    return out
