"""Translational risk flags from behaviour, binding and the translation
tables: each function takes result tables and returns flag rows (columns
:data:`~scripts.translation.registry.FLAG_COLUMNS`, ids from the registry);
a problem that cannot be checked because an area was not provided gives a
"not assessable" row. Every threshold is an argument read from the config
(``translation``, ``binding.species_ratio_flag``). The PK flags are in
:mod:`scripts.translation.pk_flags`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.behaviour.battery import CONFOUND_CLASSES, confound_class
from scripts.translation import recommendations as rec
from scripts.translation.common import compound_rows, is_empty, norm_name
from scripts.translation.effective import LOCOMOTOR_TEST
from scripts.translation.registry import (
    FLAG_COLUMNS,
    NOT_ASSESSABLE,
    T_CONFOUNDS,
    T_DOSE,
    T_OCCUPANCY,
    T_SPECIES_KI,
    Evidence,
    and_list,
    flag_row,
    not_assessable,
    test_name,
    tests_text,
)

__all__ = ["FLAG_COLUMNS", "NOT_ASSESSABLE"]

#: Occupancy basis of the rat occupancy flag, in order of preference, with
#: the human bases whose min-max interval it is compared with. ``at_test``
#: (exposure at the time of the behavioural test) is used when occupancy.csv
#: has it.
FLAG_BASES = {"at_test": ("c_min", "cmax"), "cmax": ("cmax",)}
#: Confound classes that raise a flag, with their severity (behaviour/battery.py).
CONFOUND_SEVERITY = {class_id: severity for *_, class_id, severity in CONFOUND_CLASSES if severity}


def raised(flags: pd.DataFrame) -> pd.DataFrame:
    """The flags that fired (severity other than "not assessable")."""
    return flags[flags["severity"] != NOT_ASSESSABLE]


def _row(flag_id, severity, evidence, ev, advice):
    text, refs = advice
    return flag_row(flag_id, severity, evidence, text, ev, (), refs)


# --------------------------------------------------------------------------
# Behaviour
# --------------------------------------------------------------------------


def _h1_at_test(occ, dose, regimen):
    """Rat H1 occupancy at test time at *dose* (and *regimen* when the
    table has one), or None: without an at-test value nothing is said
    about H1."""
    if is_empty(occ):
        return None
    rows = occ[
        (occ["species"] == "rat")
        & (occ["basis"] == "at_test")
        & (occ["receptor"].map(norm_name) == "h1")
        & np.isclose(occ["dose"].astype(float), float(dose))
    ]
    if "regimen" in occ and len(rows):
        rows = rows[rows["regimen"].astype(str) == str(regimen)]
    if "test" in occ and len(rows):  # the efficacy test's own test time, not the open field's
        efficacy = rows[rows["test"].astype(str) != LOCOMOTOR_TEST]
        rows = efficacy if len(efficacy) else rows
    return rows.iloc[0] if len(rows) else None


def _at_test_keys(r) -> dict:
    """Evidence keys of an at-test occupancy row (test and regimen make it
    unique)."""
    keys = {"species": "rat", "receptor": r["receptor"], "dose": float(r["dose"]), "basis": "at_test"}
    for column in ("test", "regimen"):
        if column in r and pd.notna(r[column]) and str(r[column]):
            keys[column] = r[column]
    return keys


def flag_confounds(confounds, compound, design, occupancy=None) -> list:
    """One flag per confound class (``class_id`` of ``confounds.csv``, or derived from its fst_effect /
    locomotor_effect) that raises one: the FST's (or a declared extra test's) effect against the
    locomotor change at the same dose and regimen, adjusted p < alpha (the table's ``alpha``), signed."""
    if confounds is None:
        why = "no confound table: behaviour area not provided"
        return [not_assessable("possible_false_positive", why)]
    rows = compound_rows(confounds, compound)
    if is_empty(rows):
        return []
    if "class_id" not in rows:
        rows = rows.assign(
            class_id=[confound_class(f, lo)[0] for f, lo in zip(rows["fst_effect"], rows["locomotor_effect"])]
        )
    keyed = "test" in rows  # a table without the column holds FST rows only
    rows = rows if keyed else rows.assign(test="fst")
    out = []
    for class_id, severity in CONFOUND_SEVERITY.items():
        block = rows[rows["class_id"] == class_id].sort_values(["test", "regimen", "dose_mg_kg"])
        if block.empty:
            continue
        ev, parts = Evidence(), []
        for _, r in block.iterrows():
            keys = {"test": r["test"]} if keyed else {}
            keys |= {
                "treatment": r["treatment"],
                "dose_mg_kg": float(r["dose_mg_kg"]),
                "regimen": r["regimen"],
            }
            name = test_name(r["test"])
            text = (
                f"{r['treatment']} {float(r['dose_mg_kg']):g} mg/kg {r['regimen']}: {name} "
                f"{r['fst_endpoint']} {ev.cell(T_CONFOUNDS, keys, 'fst_diff_vs_vehicle', r['fst_diff_vs_vehicle'])} "
                f"vs vehicle (p_adj {ev.cell(T_CONFOUNDS, keys, 'fst_p_adj', r['fst_p_adj'], 2)}, "
                f"g {ev.cell(T_CONFOUNDS, keys, 'fst_hedges_g', r['fst_hedges_g'], 2)})"
            )
            if class_id == "no_locomotor_control":
                text += "; no open-field comparison at this dose and regimen"
            else:
                pct = r.get("open_field_pct_change_vs_vehicle")
                pct = (
                    f"{ev.cell(T_CONFOUNDS, keys, 'open_field_pct_change_vs_vehicle', pct, 2)}%, "
                    if pd.notna(pct)
                    else ""
                )
                text += (
                    f"; open-field distance {ev.cell(T_CONFOUNDS, keys, 'open_field_diff_vs_vehicle', r['open_field_diff_vs_vehicle'])}"
                    f" cm vs vehicle ({pct}p_adj {ev.cell(T_CONFOUNDS, keys, 'open_field_p_adj', r['open_field_p_adj'], 2)})"
                )
            if class_id == "effect_despite_sedation":
                h1 = _h1_at_test(occupancy, r["dose_mg_kg"], r["regimen"])
                if h1 is not None:
                    okeys = _at_test_keys(h1)
                    text += f"; H1 occupancy at test time {ev.cell(T_OCCUPANCY, okeys, 'occupancy', h1['occupancy'], percent=True)}"
            parts.append(text)
        alpha = block["alpha"].iloc[0]
        keys = {"treatment": block["treatment"].iloc[0]}
        evidence = "; ".join(parts) + f" (changed: adjusted p < {ev.cell(T_CONFOUNDS, keys, 'alpha', alpha)})"
        out.append(
            _row(class_id, severity, evidence, ev, rec.confound(class_id, design, sorted(set(block["test"]))))
        )
    return out


def flag_single_model(design) -> list:
    """Single-model reliance: at most one efficacy test of the compound
    (the open field is the locomotor control)."""
    if not design.tests:
        return [not_assessable("single_model_reliance", f"no behavioural groups of {design.compound}")]
    efficacy = [t for t in design.tests if t != LOCOMOTOR_TEST]
    if len(efficacy) > 1:
        return []
    evidence = f"{design.compound} tested in {tests_text(efficacy) if efficacy else 'no efficacy test'} (all tests: {tests_text(design.tests)})"
    return [_row("single_model_reliance", "medium", evidence, None, rec.single_model(design))]


def flag_acute_only(design) -> list:
    """Acute-only design: no chronic regimen of the compound in any test."""
    if not design.tests:
        return [not_assessable("acute_only_design", f"no behavioural groups of {design.compound}")]
    if design.has_chronic_arm:
        return []
    evidence = f"{design.compound} regimens: {', '.join(design.regimens)}; no chronic dosing while clinical effects need weeks"
    return [_row("acute_only_design", "high", evidence, None, rec.acute_only())]


def flag_route_mismatch(mismatches: pd.DataFrame) -> list:
    """A treatment given by a route that no vehicle group of the same test
    and regimen shares (:func:`scripts.translation.design.route_mismatches`)."""
    out = []
    for (treatment, route), block in mismatches.groupby(["treatment", "route"], sort=True):
        regimens = block.groupby("test", sort=True)["regimen"].agg(lambda r: and_list(sorted(set(r))))
        if regimens.nunique() == 1:
            where = f"{tests_text(list(regimens.index))}; {regimens.iloc[0]}"
        else:
            where = "; ".join(f"{test_name(t)} {r}" for t, r in regimens.items())
        vehicle = and_list(sorted(set(";".join(block["vehicle_routes"]).split(";"))))
        evidence = (
            f"{treatment} was given {route} and the vehicle {vehicle} ({where}). "
            "Route effects are not controlled"
        )
        out.append(
            _row("route_mismatched_control", "medium", evidence, None, rec.route_mismatch(treatment, route))
        )
    return out


def flag_single_sex(design) -> list:
    """All analysed animals of one sex (behaviour endpoints)."""
    if len(design.sexes) != 1:
        return []
    sex = design.sexes[0]
    word = {"M": "male", "F": "female"}.get(sex, sex)
    return [
        _row("single_sex", "low", f"all behaviourally tested animals are {word}", None, rec.single_sex(sex))
    ]


# --------------------------------------------------------------------------
# Binding
# --------------------------------------------------------------------------


def flag_species_ki(table, threshold, high_fold, design, has_ki=True) -> list:
    """From ``species_ki.csv`` (binding's pooled species comparison): medium
    when the ratio's 95% CI excludes 1
    and its fold exceeds *threshold* (``binding.species_ratio_flag``); high
    when the CI's bound nearer 1 also exceeds it; without a CI, by the point
    fold (high beyond *high_fold*). A receptor resting on a single
    experiment in either species raises only ``single_binding_experiment``
    with the point estimate."""
    if not has_ki:
        return [not_assessable("species_ki_difference", "no study Ki values (binding area not provided)")]
    if is_empty(table):
        return [not_assessable("species_ki_difference", "no receptor measured in both human and rat")]
    out = []
    for _, r in table.iterrows():
        ev, keys = Evidence(), {"receptor": r["receptor"]}
        ratio, lo, hi, fold = (
            float(r[c]) for c in ("ratio_human_rat", "ratio_ci_low", "ratio_ci_high", "fold")
        )
        if not fold > threshold:
            continue
        limit = ev.config("binding.species_ratio_flag", threshold)
        head = (
            f"{r['receptor']}: Ki human {ev.cell(T_SPECIES_KI, keys, 'ki_human_nM', r['ki_human_nM'])} nM vs rat "
            f"{ev.cell(T_SPECIES_KI, keys, 'ki_rat_nM', r['ki_rat_nM'])} nM, human/rat "
            f"{ev.cell(T_SPECIES_KI, keys, 'ratio_human_rat', ratio)}"
        )
        if int(r["n_human"]) == 1 or int(r["n_rat"]) == 1:
            evidence = (
                head
                + f" ({ev.cell(T_SPECIES_KI, keys, 'fold', fold)}-fold, above {limit}); one experiment in "
                "at least one species, so the difference rests on a single binding experiment"
            )
            out.append(_row("single_binding_experiment", "low", evidence, ev, rec.single_experiment()))
            continue
        if np.isfinite(lo) and np.isfinite(hi):
            excludes_one = lo > 1 or hi < 1
            near = lo if ratio > 1 else 1 / hi
            if not excludes_one:
                continue
            severity = "high" if near > threshold else "medium"
            evidence = head + (
                f" (95% CI {ev.cell(T_SPECIES_KI, keys, 'ratio_ci_low', lo)}-"
                f"{ev.cell(T_SPECIES_KI, keys, 'ratio_ci_high', hi)}; "
                f"{ev.cell(T_SPECIES_KI, keys, 'fold', fold)}-fold, above {limit})"
            )
        else:
            severity = "high" if fold > high_fold else "medium"
            evidence = head + (
                f" (no CI; {ev.cell(T_SPECIES_KI, keys, 'fold', fold)}-fold, above {limit}"
                + (
                    f"; high beyond {ev.config('translation.species_ki_high_fold', high_fold)}"
                    if severity == "high"
                    else ""
                )
                + ")"
            )
        out.append(
            _row("species_ki_difference", severity, evidence, ev, rec.species_ki(design, r["receptor"]))
        )
    return out


# --------------------------------------------------------------------------
# Translation tables
# --------------------------------------------------------------------------


def flag_dose_scaling(translation: pd.DataFrame, fold, high_factor, match=None, human_confirmed=True) -> list:
    """One flag per route whose rows of ``dose_translation.csv`` have HED and
    exposure-matched dose disagreeing more than *fold* (either way); high
    when any disagrees beyond *high_factor* x *fold*, unless the human
    exposure it rests on is unconfirmed (*human_confirmed* False)."""
    if is_empty(translation) or translation["ratio"].isna().all():
        why = "no rat exposure to match (PK or behaviour area not provided)"
        return [not_assessable("dose_scaling_disagreement", why)]
    ratio = translation["ratio"].astype(float)
    bad = translation[np.isfinite(ratio) & ((ratio > fold) | (ratio < 1.0 / fold))]
    out = []
    for route, group in bad.groupby("route", sort=True):
        ev, parts, folds = Evidence(), [], []
        for _, r in group.sort_values("rat_dose_mg_kg").iterrows():
            keys = {"rat_dose_mg_kg": float(r["rat_dose_mg_kg"]), "route": route}
            x = float(r["ratio"])
            folds.append(max(x, 1 / x))
            parts.append(
                f"{float(r['rat_dose_mg_kg']):g} mg/kg: {ev.cell(T_DOSE, keys, 'hed_bsa_mg', r['hed_bsa_mg'])} vs "
                f"{ev.cell(T_DOSE, keys, 'exposure_matched_human_dose_mg', r['exposure_matched_human_dose_mg'])} mg "
                f"(ratio {ev.cell(T_DOSE, keys, 'ratio', x)})"
            )
        high = max(folds) > high_factor * fold and human_confirmed
        limit = ev.config("translation.dose_disagreement_fold", fold)
        evidence = (
            f"Rat {route} dose: human-equivalent dose by body-surface area vs the human dose giving the same "
            "unbound AUC. " + "; ".join(parts) + f" (limit {limit}-fold either way"
        )
        if high:
            evidence += f"; high beyond {ev.config('translation.dose_scaling_high_factor', high_factor)} times the limit"
        out.append(
            _row(
                "dose_scaling_disagreement",
                "high" if high else "medium",
                evidence + ")",
                ev,
                rec.dose_scaling(match),
            )
        )
    return out


def flag_basis(occ) -> str | None:
    """The occupancy basis of the flag: the first of :data:`FLAG_BASES`
    with rat rows in *occ*."""
    if is_empty(occ):
        return None
    present = set(occ.loc[occ["species"] == "rat", "basis"])
    return next((b for b in FLAG_BASES if b in present), None)


def flag_occupancy(occ, points, human_ki_confirmed) -> list:
    """Per receptor: rat occupancy at an effective dose (basis
    :func:`flag_basis`) against the human min-max over the clinical doses
    (the bases :data:`FLAG_BASES` names). Mismatch: different sides of 50%
    (high) or more than *points* percentage points from the human interval
    (medium). A human occupancy resting on an unconfirmed literature Ki
    (*human_ki_confirmed*: receptor key -> bool) is never high."""
    basis = flag_basis(occ)
    if basis is None:
        why = "no receptor with both a rat occupancy (effective dose, rat Ki, rat exposure) and a human occupancy"
        return [not_assessable("occupancy_mismatch", why)]
    occ = occ.assign(_key=occ["receptor"].map(norm_name))
    out = []
    for key, group in occ.groupby("_key", sort=False):
        rat = group[(group["species"] == "rat") & (group["basis"] == basis)]
        human = group[(group["species"] == "human") & group["basis"].isin(FLAG_BASES[basis])]
        human = human[pd.to_numeric(human["occupancy"], errors="coerce").notna()]
        if rat.empty or human.empty:
            continue
        h = human["occupancy"].astype(float)
        lo_row, hi_row = human.loc[h.idxmin()], human.loc[h.idxmax()]
        lo, hi = float(lo_row["occupancy"]), float(hi_row["occupancy"])
        ev, parts, sides = Evidence(), [], []
        for _, r in rat.sort_values("dose").iterrows():
            o = float(r["occupancy"])
            different = (o >= 0.5 and hi < 0.5) or (o < 0.5 and lo >= 0.5)
            distance = 100.0 * max(lo - o, o - hi, 0.0)
            if not (different or distance > points):
                continue
            sides.append(different)
            keys = {"species": "rat", "receptor": r["receptor"], "dose": float(r["dose"]), "basis": basis}
            where = ""
            if basis == "at_test":
                keys = _at_test_keys(r)
                if "test" in keys:
                    time = ev.quote(T_OCCUPANCY, keys, "test_time_h", r["test_time_h"])
                    where = (
                        f" ({tests_text(keys['test'])} {keys.get('regimen', '')}, {time} h after the dose)"
                    )
            parts.append(
                f"rat {float(r['dose']):g} {r['dose_unit']}{where} {ev.cell(T_OCCUPANCY, keys, 'occupancy', o, percent=True)}"
                + (" (other side of half occupancy)" if different else "")
            )
        if not parts:
            continue
        lk = {
            "species": "human",
            "receptor": lo_row["receptor"],
            "dose": float(lo_row["dose"]),
            "basis": lo_row["basis"],
        }
        hk = {
            "species": "human",
            "receptor": hi_row["receptor"],
            "dose": float(hi_row["dose"]),
            "basis": hi_row["basis"],
        }
        evidence = (
            f"{rat['receptor'].iloc[0]} ({basis} basis, unbound): "
            + "; ".join(parts)
            + f" vs human {ev.cell(T_OCCUPANCY, lk, 'occupancy', lo, percent=True)}-"
            f"{ev.cell(T_OCCUPANCY, hk, 'occupancy', hi, percent=True)} at the clinical doses "
            f"(steady state{', trough (Cmin,ss) to peak (Cmax,ss) of one profile' if basis == 'at_test' else ''}; threshold {ev.config('translation.occupancy_difference_points', points)} points)"
        )
        confirmed = human_ki_confirmed.get(key, False)
        severity = "high" if any(sides) and confirmed else "medium"
        if any(sides) and not confirmed:
            evidence += "; human Ki from an unconfirmed literature value, so not rated high"
        out.append(_row("occupancy_mismatch", severity, evidence, ev, rec.occupancy(basis)))
    return out
