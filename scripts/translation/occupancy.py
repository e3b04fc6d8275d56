"""Ki per species x receptor and receptor occupancy.

Receptor occupancy = C_u / (C_u + Ki) (C_u and Ki in nM; competitive,
single site, equilibrium, plasma unbound concentration as a surrogate of
the concentration at the receptor; ``nM = ng/mL / MW * 1000``, so 1 ng/mL
of a 265.36 g/mol compound is 3.768 nM). Rat: at each effective dose with
the study's rat Ki; human: at each clinical dose (steady state) with the
study's human Ki, else the literature value of the human reference. Bases
``cmax`` and ``c_avg``. A receptor is flagged when, on the same basis, the
rat occupancy at an effective dose and the human occupancy over the clinical
doses lie on different sides of 50%, or differ by more than
``occupancy_difference_points`` percentage points (distance from the rat
value to the human min-max interval).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.translation.common import compound_rows, geometric_mean, is_empty, norm_name

OCCUPANCY_COLUMNS = [
    "species",
    "receptor",
    "dose",
    "dose_unit",
    "basis",
    "c_unbound_nM",
    "ki_nM",
    "occupancy",
    "test",
    "regimen",
    "test_time_h",
]
KI_USED_COLUMNS = ["species", "receptor", "ki_nM", "source", "n_assays", "confirmed"]

#: Receptor order and role for the heatmap: sedation vs antidepressant mechanism.
RECEPTOR_ROLES = {
    "h1": "sedation",
    "alpha2a": "mechanism",
    "alpha2c": "mechanism",
    "5ht2a": "mechanism",
    "5ht2c": "mechanism",
    "5ht3": "other",
    "5ht1a": "other",
    "m1": "other",
}


def ng_per_ml_to_nM(concentration_ng_mL, molecular_weight_g_mol):
    """ng/mL -> nM: ng/mL = ug/L, / (g/mol) = umol/L, x 1000 = nmol/L."""
    return np.asarray(concentration_ng_mL, float) / float(molecular_weight_g_mol) * 1000.0


def occupancy(c_unbound_nM, ki_nM):
    """Fractional occupancy C/(C + Ki) of a competitive antagonist at
    equilibrium (0.5 when C = Ki). NaN when either input is missing."""
    c = np.asarray(c_unbound_nM, float)
    k = np.asarray(ki_nM, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = c / (c + k)
    return float(out) if out.ndim == 0 else out


def study_ki(ki, compound) -> pd.DataFrame:
    """Study Ki per species x receptor for *compound* from ``ki.csv``:
    geometric mean of finite ki_nM > 0 over assays (columns species,
    receptor, key, ki_nM, n_assays)."""
    columns = ["species", "receptor", "key", "ki_nM", "n_assays"]
    rows = compound_rows(ki, compound, column="compound")
    if is_empty(rows):
        return pd.DataFrame(columns=columns)
    rows = rows.assign(ki=pd.to_numeric(rows["ki_nM"], errors="coerce"))
    rows = rows[rows["ki"].notna() & (rows["ki"] > 0)]
    out = []
    for (species, key), group in rows.assign(
        key=rows["receptor"].map(norm_name), sp=rows["species"].astype(str).str.strip().str.lower()
    ).groupby(["sp", "key"], sort=True):
        out.append(
            {
                "species": species,
                "receptor": str(group["receptor"].iloc[0]),
                "key": key,
                "ki_nM": geometric_mean(group["ki"]),
                "n_assays": len(group),
            }
        )
    return pd.DataFrame(out, columns=columns)


def ki_for_occupancy(study: pd.DataFrame, reference) -> pd.DataFrame:
    """The Ki used per species x receptor (columns :data:`KI_USED_COLUMNS`
    plus ``key``): the study's value when measured; otherwise the literature
    value of the reference (human always, rat only when the reference has a
    number)."""
    rows = []
    seen = set()
    for _, r in (study if not is_empty(study) else pd.DataFrame(columns=["species"])).iterrows():
        rows.append(
            {
                "species": r["species"],
                "receptor": r["receptor"],
                "key": r["key"],
                "ki_nM": float(r["ki_nM"]),
                "source": f"study ki.csv ({int(r['n_assays'])} assay(s))",
                "n_assays": int(r["n_assays"]),
                "confirmed": "",
            }
        )
        seen.add((r["species"], r["key"]))
    for species, receptors in (reference.get("ki_nM") or {}).items():
        for name, record in (receptors or {}).items():
            key = norm_name(name)
            value = record.get("value") if isinstance(record, dict) else record
            if (species, key) in seen or value is None:
                continue
            sources = record.get("source", []) if isinstance(record, dict) else []
            rows.append(
                {
                    "species": species,
                    "receptor": name,
                    "key": key,
                    "ki_nM": float(value),
                    "source": "literature (" + ";".join(sources) + ")",
                    "n_assays": 0,
                    "confirmed": record.get("confirmed") if isinstance(record, dict) else "",
                }
            )
    return pd.DataFrame(rows, columns=KI_USED_COLUMNS + ["key"])


def receptor_order(keys) -> list:
    """H1 first, then the antidepressant-mechanism receptors, then the rest."""
    known = list(RECEPTOR_ROLES)
    return sorted(set(keys), key=lambda k: (known.index(k) if k in known else len(known), k))


def occupancy_table(
    rat: pd.DataFrame,
    human: pd.DataFrame,
    ki_used: pd.DataFrame,
    molecular_weight,
    rat_doses=None,
    at_test=None,
) -> pd.DataFrame:
    """Occupancy rows (columns :data:`OCCUPANCY_COLUMNS`): rat at each dose
    in *rat_doses* (all rat rows when None) with the rat Ki, at ``cmax``
    (single-dose Cmax) and ``c_avg`` (AUC / tau); human at each clinical
    dose at steady state (``cmax`` = Cmax,ss, ``c_avg`` = Cavg,ss and, where
    the human steady-state model gives it, ``c_min`` = Cmin,ss) with the
    human Ki. Receptors without a Ki for a species are left out for that
    species. Rat dose_unit names the route ("mg/kg po").

    *at_test* (optional) is the rat occupancy at the time of the behavioural
    test, read off the concentration-time profile by
    :func:`scripts.translation.occupancy_time.exposure_at_test` (the same
    values as ``occupancy_summary.csv``'s occupancy_at_test): one row per
    test x dose x route x regimen x receptor with columns test, dose, route,
    regimen, test_time_h, receptor, c_unbound_nM and occupancy. Its rows at
    *rat_doses* are copied with the basis ``at_test``, which the occupancy
    flag then reads (:data:`scripts.translation.flags.FLAG_BASES`). Without
    it there is no ``at_test`` row: nothing is approximated."""
    rows = []
    if is_empty(ki_used):
        return pd.DataFrame(columns=OCCUPANCY_COLUMNS)
    names = {}
    for _, k in ki_used.iterrows():
        names.setdefault(k["key"], k["receptor"])
    order = receptor_order(ki_used["key"])
    blocks = []
    if not is_empty(rat):
        sel = rat if rat_doses is None else rat[rat["dose"].astype(float).isin([float(d) for d in rat_doses])]
        blocks.append(("rat", sel, lambda r: f"mg/kg {r['route']}"))
    if not is_empty(human):
        blocks.append(("human", human[human["state"] == "steady_state"], lambda r: "mg/day po"))
    bases = (
        ("cmax", "cmax_unbound_ng_mL"),
        ("c_avg", "c_avg_unbound_ng_mL"),
        ("c_min", "cmin_unbound_ng_mL"),
    )
    for species, table, unit in blocks:
        kis = ki_used[ki_used["species"] == species].set_index("key")["ki_nM"]
        for key in order:
            if key not in kis.index:
                continue
            for _, r in table.sort_values("dose").iterrows():
                for basis, column in bases:
                    if basis == "c_min" and not pd.notna(r.get(column)):
                        continue  # no Cmin (rat single dose; human model without one)
                    c_nM = float(ng_per_ml_to_nM(r[column], molecular_weight))
                    rows.append(
                        {
                            "species": species,
                            "receptor": names[key],
                            "dose": float(r["dose"]),
                            "dose_unit": unit(r),
                            "basis": basis,
                            "c_unbound_nM": c_nM,
                            "ki_nM": float(kis[key]),
                            "occupancy": occupancy(c_nM, float(kis[key])),
                        }
                    )
    if not is_empty(at_test) and not is_empty(rat):
        kis = ki_used[ki_used["species"] == "rat"].set_index("key")["ki_nM"]
        sel = (
            at_test
            if rat_doses is None
            else at_test[at_test["dose"].astype(float).isin([float(d) for d in rat_doses])]
        )
        sel = sel.assign(_key=sel["receptor"].map(norm_name))
        sel = sel[sel["_key"].isin(kis.index)].assign(_order=lambda f: f["_key"].map(order.index))
        for _, r in sel.sort_values(["_order", "dose", "regimen", "test"]).iterrows():
            rows.append(
                {
                    "species": "rat",
                    "receptor": names[r["_key"]],
                    "dose": float(r["dose"]),
                    "dose_unit": f"mg/kg {r['route']}",
                    "basis": "at_test",
                    "c_unbound_nM": float(r["c_unbound_nM"]),
                    "ki_nM": float(kis[r["_key"]]),
                    "occupancy": float(r["occupancy"]),
                    "test": r["test"],
                    "regimen": r["regimen"],
                    "test_time_h": r["test_time_h"],
                }
            )
    return pd.DataFrame(rows, columns=OCCUPANCY_COLUMNS)


def occupancy_mismatches(occ: pd.DataFrame, points) -> pd.DataFrame:
    """Per receptor x basis x rat dose: the rat occupancy against the human
    min-max over the clinical doses. ``different_side``: rat >= 50% while
    every human value < 50%, or the reverse; ``distance_points``: distance
    (percentage points) from the rat value to the human interval;
    ``mismatch``: different side or distance > *points*."""
    columns = [
        "receptor",
        "basis",
        "rat_dose",
        "rat_dose_unit",
        "rat_occupancy",
        "human_min",
        "human_max",
        "different_side",
        "distance_points",
        "mismatch",
    ]
    if is_empty(occ):
        return pd.DataFrame(columns=columns)
    rows = []
    occ = occ.assign(key=occ["receptor"].map(norm_name))
    for (_key, basis), group in occ.groupby(["key", "basis"], sort=False):
        human = group[group["species"] == "human"]["occupancy"].astype(float)
        rat = group[group["species"] == "rat"]
        if human.empty or rat.empty:
            continue
        lo, hi = float(human.min()), float(human.max())
        for _, r in rat.iterrows():
            o = float(r["occupancy"])
            different = (o >= 0.5 and hi < 0.5) or (o < 0.5 and lo >= 0.5)
            distance = 100.0 * max(lo - o, o - hi, 0.0)
            rows.append(
                {
                    "receptor": r["receptor"],
                    "basis": basis,
                    "rat_dose": r["dose"],
                    "rat_dose_unit": r["dose_unit"],
                    "rat_occupancy": o,
                    "human_min": lo,
                    "human_max": hi,
                    "different_side": bool(different),
                    "distance_points": distance,
                    "mismatch": bool(different or distance > points),
                }
            )
    return pd.DataFrame(rows, columns=columns)
