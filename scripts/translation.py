"""Translation: rat versus human exposure, dose scaling versus exposure
matching, receptor occupancy and translational risk flags (issue 6).

This step reads ONLY the result tables of the other areas (binding
``ki.csv``; behaviour ``comparisons.csv`` and ``confounds.csv``; PK
``nca.csv``, ``bioavailability.csv`` and ``metabolites.csv``), the study
inventory, the validated study metadata and the shipped human reference
(``resources/reference/<compound>_human.yaml``). Every function is pure:
DataFrames and plain dicts in, DataFrames (or figures) out. An area that
was not provided is passed as ``None``; the functions then return no rows
or a "not assessable" flag row, never an exception.

Conventions and defaults (config ``translation:`` section)
----------------------------------------------------------
* Units: rat dose mg/kg, human dose mg (per day), concentration ng/mL,
  AUC ng*h/mL, time h. ``nM = ng/mL / MW * 1000`` (1 ng/mL of a
  265.36 g/mol compound is 3.768 nM).
* Unbound = total x fu. fu per species from ``study.yaml``; a missing rat
  fu uses ``default_fu_rat`` (0.15) and raises a flag; a missing human fu
  uses the reference value (0.15, from 85% protein binding).
* Rat exposure per behaviourally tested dose x route: the NCA group of the
  parent at the same species (rat), route and dose when it exists (geometric
  mean over animals of AUCinf when every profile has an acceptable one, i.e.
  %extrapolated <= 20, else AUClast; geometric mean Cmax). Otherwise the
  nearest PK dose of the same route (nearest on the log scale) is scaled
  linearly: exposure x dose/PK dose. That assumes linear (dose-proportional)
  PK and is flagged when the tested dose lies more than
  ``max_dose_extrapolation_fold`` (3) beyond the PK dose range, or when no
  PK group of that route exists and another route is used (cross-route:
  differences in bioavailability are then ignored).
* Human exposure at each clinical dose, scaled linearly from the reference
  single dose (linear PK over 15-75 mg). Steady state with dosing interval
  tau (24 h): AUC(0-tau, ss) = AUCinf(single dose) (superposition);
  accumulation factor R = 1 / (1 - exp(-k tau)), k = ln 2 / t1/2;
  Cmax,ss = R x Cmax(single dose) (exact for a one-compartment model with
  absorption complete before Tmax, an approximation otherwise);
  Cavg,ss = AUC(0-tau, ss) / tau.
* Rat concentrations for comparison: Cmax of the single dose (what an acute
  test sees) and Cavg = AUC / tau (tau = the same dosing interval).
* Dose translation (FDA 2005 guidance, body-surface area):
  HED [mg/kg] = rat dose [mg/kg] x Km_rat / Km_human (6 / 37), x body weight
  (60 kg) for mg. Exposure-matched human dose = the human dose whose unbound
  AUC equals the rat's unbound AUC at that dose (linear human PK):
  D = AUCu_rat / (fu_h x AUC_ref / D_ref). ``ratio`` = HED (mg) /
  exposure-matched dose (mg); flagged outside [1/2, 2]
  (``dose_disagreement_fold``).
* Receptor occupancy = C_u / (C_u + Ki) (C_u and Ki in nM; competitive,
  single site, equilibrium, plasma unbound concentration as a surrogate of
  the concentration at the receptor). Rat: at each effective dose with the
  study's rat Ki; human: at each clinical dose (steady state) with the
  study's human Ki, else the literature value. Bases ``cmax`` and ``c_avg``.
  A receptor is flagged when, on the same basis, the rat occupancy at an
  effective dose and the human occupancy over the clinical doses lie on
  different sides of 50%, or differ by more than
  ``occupancy_difference_points`` (30) percentage points (distance from the
  rat value to the human min-max interval).
* Effective dose: a dose of the study compound with an adjusted p <= alpha
  (behaviour ``alpha``, 0.05) in the antidepressant-like direction in an
  efficacy test: fst lower; sucrose_preference and elevated_plus_maze
  higher; declared extra tests by their declared direction. The open field
  is the locomotor control, not an efficacy test.
"""

from __future__ import annotations

import copy
import math
import re

import numpy as np
import pandas as pd

from scripts.tables import InputError

# --------------------------------------------------------------------------
# Defaults, output columns, names
# --------------------------------------------------------------------------

#: Defaults of the ``translation:`` section of config/config.yaml.
DEFAULTS = {
    "km_rat": 6.0,
    "km_human": 37.0,
    "human_body_weight_kg": 60.0,
    "dosing_interval_h": 24.0,
    "default_fu_rat": 0.15,
    "dose_disagreement_fold": 2.0,
    "occupancy_difference_points": 30.0,
    "max_dose_extrapolation_fold": 3.0,
}
#: Thresholds of the flags that the config does not set (stated defaults).
BIOAVAILABILITY_FOLD = 2.0
HALF_LIFE_FOLD = 3.0
SPECIES_KI_FOLD = 3.0
METABOLITE_RATIO_FOLD = 3.0
MAX_AUC_PCT_EXTRAP = 20.0
ALPHA = 0.05

EXPOSURE_COLUMNS = [
    "species", "dose", "dose_unit", "route", "state", "source", "n",
    "auc_metric", "auc_ng_h_mL", "cmax_ng_mL", "c_avg_ng_mL", "fu", "fu_source",
    "auc_unbound_ng_h_mL", "cmax_unbound_ng_mL", "c_avg_unbound_ng_mL",
    "t_half_h", "accumulation_factor", "dosing_interval_h", "flags", "note",
]
EXPOSURE_RATIO_COLUMNS = [
    "rat_dose_mg_kg", "route", "human_dose_mg", "human_state",
    "auc_ratio", "auc_unbound_ratio", "cmax_ratio", "cmax_unbound_ratio",
]
DOSE_TRANSLATION_COLUMNS = [
    "rat_dose_mg_kg", "route", "hed_bsa_mg_kg", "hed_bsa_mg",
    "exposure_matched_human_dose_mg", "ratio",
]
OCCUPANCY_COLUMNS = [
    "species", "receptor", "dose", "dose_unit", "basis", "c_unbound_nM",
    "ki_nM", "occupancy",
]
KI_USED_COLUMNS = ["species", "receptor", "ki_nM", "source", "n_assays", "confirmed"]
FLAG_COLUMNS = ["flag", "severity", "area", "evidence", "recommendation"]
REFERENCE_COLUMNS = ["key", "value", "range", "unit", "kind", "source", "confirmed", "overridden"]

NOT_ASSESSABLE = "not assessable"

#: Direction of the antidepressant-like effect in the built-in efficacy tests.
EFFICACY_DIRECTIONS = {"fst": "lower", "sucrose_preference": "higher",
                       "elevated_plus_maze": "higher"}
LOCOMOTOR_TEST = "open_field"

#: Receptor order and role for the heatmap: sedation vs antidepressant mechanism.
RECEPTOR_ROLES = {
    "h1": "sedation", "alpha2a": "mechanism", "alpha2c": "mechanism",
    "5ht2a": "mechanism", "5ht2c": "mechanism", "5ht3": "other",
    "5ht1a": "other", "m1": "other",
}

#: The seed document's remedies, one per problem (quoted in flags.csv).
RECOMMENDATIONS = {
    "bioavailability mismatch": (
        "Do not scale doses on mg/kg alone: measure plasma concentrations in the animal "
        "model, give the drug intravenously to a satellite group to determine absolute "
        "bioavailability, and adjust oral doses to match human therapeutic exposure "
        "(seed, Section 3)."),
    "metabolite profile difference": (
        "Analyse animal plasma for the parent drug and its major metabolites "
        "(desmethylmirtazapine, 8-hydroxymirtazapine) to see whether a different "
        "metabolite profile could explain differences in efficacy or side effects "
        "(seed, Section 3)."),
    "half-life mismatch": (
        "Base the animal dose and schedule on the animal's own pharmacokinetic data and use "
        "chronic dosing paradigms that mimic the clinical situation; once-daily dosing in "
        "the rat does not reproduce sustained human exposure (seed, Protocol 1 and "
        "Section 1)."),
    "dose-scaling disagreement": (
        "Do not scale doses on mg/kg (or body-surface area) alone: choose animal doses "
        "from measured plasma exposure matched to human therapeutic exposure "
        "(seed, Section 3)."),
    "occupancy mismatch": (
        "Run dose-response studies and, where possible, measure in vivo receptor "
        "occupancy (e.g. PET); relate occupancy to both therapeutic-like effects and side "
        "effects (seed, Section 2)."),
    "sedation confound at an effective dose": (
        "Run locomotor controls (open field) at the same doses as the efficacy test to "
        "separate antidepressant-like effects from sedation; sedation at >= 30 mg/kg is "
        "reported to be transient with chronic dosing (seed, Section 1)."),
    "stimulant artefact at an effective dose": (
        "Run locomotor controls (open field) at the same doses as the efficacy test: "
        "increased locomotion can masquerade as an antidepressant-like effect "
        "(seed, Section 1)."),
    "no locomotor control at an effective dose": (
        "Run locomotor controls (open field) at the same doses used in the efficacy "
        "models (seed, Section 1)."),
    "single-model reliance": (
        "Use a battery of tests covering several domains: anhedonia (sucrose preference), "
        "anxiety (elevated plus maze) and cognition; consider stress-induced models "
        "(seed, Section 1)."),
    "acute-only design": (
        "Implement chronic dosing paradigms that mimic the clinical situation: clinical "
        "effects need weeks of treatment (a 40-day mirtazapine treatment reversed a "
        "chronic escape deficit in rats) (seed, Section 1)."),
    "species Ki difference": (
        "Use cell lines expressing the human receptors for in vitro binding and functional "
        "assays to confirm the pharmacological profile before moving into in vivo animal "
        "studies (seed, Section 2)."),
    "rat fraction unbound assumed": (
        "Measure the rat plasma fraction unbound: unbound exposures and occupancies depend "
        "on it, and the seed's remedy is to determine the actual plasma concentrations "
        "achieved in the animal model (seed, Section 3)."),
    "rat exposure extrapolated": (
        "Perform pharmacokinetic studies at the doses and by the route used in the "
        "behavioural experiments to determine the plasma concentrations actually achieved "
        "(seed, Section 3)."),
}


def settings(config: dict | None = None) -> dict:
    """The ``translation:`` settings with the documented defaults filled in
    (see :data:`DEFAULTS`); unknown keys are ignored."""
    out = dict(DEFAULTS)
    out.update({k: v for k, v in (config or {}).items() if v is not None and k in DEFAULTS})
    return {k: float(v) for k, v in out.items()}


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

def norm_name(name) -> str:
    """Canonical key of a receptor or analyte name: lower case, Greek alpha
    spelt out, only letters and digits ("5-HT2A" and "5HT2A" -> "5ht2a")."""
    text = str(name).strip().lower().replace("α", "alpha")
    return re.sub(r"[^a-z0-9]", "", text)


def _is_empty(df) -> bool:
    return df is None or len(df) == 0


def _fmt(x, digits=3) -> str:
    """A number for evidence text: significant digits, no float noise."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return f"{float(x):.{digits}g}"


def _pct(x) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.0f}%"


def geometric_mean(values) -> float:
    """exp(mean(ln x)) over finite x > 0; NaN when there are none."""
    x = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), float)
    x = x[np.isfinite(x) & (x > 0)]
    return float(np.exp(np.mean(np.log(x)))) if x.size else float("nan")


def _flag(flag, severity, area, evidence, recommendation_key=None) -> dict:
    return {"flag": flag, "severity": severity, "area": area, "evidence": evidence,
            "recommendation": RECOMMENDATIONS[recommendation_key or flag]}


def _not_assessable(flag, area, why) -> dict:
    return _flag(flag, NOT_ASSESSABLE, area, why)


# --------------------------------------------------------------------------
# Unit conversions and closed forms
# --------------------------------------------------------------------------

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


def elimination_rate(t_half_h) -> float:
    """k = ln 2 / t1/2 (1/h)."""
    return math.log(2.0) / float(t_half_h)


def accumulation_factor(t_half_h, tau_h) -> float:
    """R = 1 / (1 - exp(-k tau)), k = ln 2 / t1/2: steady-state over
    single-dose concentration at the same time after a dose (one
    compartment, first-order elimination)."""
    return 1.0 / (1.0 - math.exp(-elimination_rate(t_half_h) * float(tau_h)))


def hed_mg_kg(animal_dose_mg_kg, km_animal=6.0, km_human=37.0):
    """Human-equivalent dose by body-surface area (FDA 2005):
    animal mg/kg x Km_animal / Km_human (rat 6, human 37)."""
    return np.asarray(animal_dose_mg_kg, float) * float(km_animal) / float(km_human)


def exposure_matched_dose_mg(rat_auc_unbound, human_auc_unbound_per_mg):
    """Human dose (mg) giving the same unbound AUC as the rat (linear human
    PK: AUCu(D) = D x AUCu per mg)."""
    return np.asarray(rat_auc_unbound, float) / float(human_auc_unbound_per_mg)


# --------------------------------------------------------------------------
# Human reference: loading and study overrides
# --------------------------------------------------------------------------

REQUIRED_REFERENCE_KEYS = (
    "molecular_weight_g_mol", "oral_bioavailability", "t_half_h", "fu",
    "single_dose_exposure", "therapeutic_range_ng_mL", "metabolites", "ki_nM",
)
OVERRIDE_SOURCE = "study.yaml human_reference"


def check_reference(reference, file="human reference") -> dict:
    """Raise :class:`InputError` when the reference lacks a required key or
    a needed number; return it unchanged otherwise."""
    if not isinstance(reference, dict):
        raise InputError(file, "the human reference must be a YAML mapping")
    for key in REQUIRED_REFERENCE_KEYS:
        if key not in reference:
            raise InputError(file, f"missing key '{key}'")
    exposure = reference["single_dose_exposure"]
    for key in ("dose_mg", "cmax_ng_mL", "auc_inf_ng_h_mL"):
        if key not in exposure:
            raise InputError(file, f"single_dose_exposure lacks '{key}'")
    return reference


def load_reference(path) -> dict:
    """Read ``resources/reference/<compound>_human.yaml`` (safe YAML)."""
    import yaml

    with open(path, encoding="utf-8") as handle:
        reference = yaml.safe_load(handle)
    return check_reference(reference, str(path))


def _is_record(node) -> bool:
    return isinstance(node, dict) and ("value" in node or "range" in node)


def _override_record(record, new) -> dict:
    record = dict(record) if isinstance(record, dict) else {}
    if isinstance(new, dict):
        record.update(new)
    elif isinstance(new, (list, tuple)):
        low, high = sorted(float(v) for v in new)
        record["range"] = [low, high]
        # Keep the value used in calculations when it lies inside the new
        # range; otherwise use the range's lower end.
        old = record.get("value")
        record["value"] = old if old is not None and low <= float(old) <= high else low
    else:
        record["value"] = new
    record.update(source=[OVERRIDE_SOURCE], confirmed=None, overridden=True)
    return record


def apply_overrides(reference: dict, overrides: dict | None, file="study.yaml") -> dict:
    """Return a copy of *reference* with the study's ``human_reference``
    overrides applied. A scalar replaces a record's ``value``; a two-element
    list replaces its ``range`` (and its ``value`` by the lower end when the
    old value falls outside); a mapping merges key by key; the record's
    source becomes "study.yaml human_reference". New receptors may be added
    under ``ki_nM.<species>``; any other unknown key is an error (so a
    misspelt key is not ignored)."""
    out = copy.deepcopy(reference)
    if not overrides:
        return out

    def merge(node, new, path):
        for key, value in new.items():
            where = ".".join(path + [str(key)])
            if key not in node:
                if len(path) == 2 and path[0] == "ki_nM":
                    node[key] = _override_record({}, value)
                    continue
                raise InputError(file, f"human_reference: unknown key '{where}'")
            current = node[key]
            if isinstance(current, list):
                node[key] = value  # e.g. the metabolite list: replaced whole
            elif current is None or _is_record(current):
                node[key] = _override_record(current, value)
            elif isinstance(current, dict):
                if not isinstance(value, dict):
                    raise InputError(file, f"human_reference: '{where}' needs a mapping, got {value!r}")
                merge(current, value, path + [str(key)])
            else:
                node[key] = value  # a bare number such as single_dose_exposure.dose_mg

    if not isinstance(overrides, dict):
        raise InputError(file, "human_reference must be a mapping")
    merge(out, overrides, [])
    return check_reference(out, file)


def ref_value(reference: dict, *path) -> float:
    """The number at *path* (a record's ``value``, or a bare number)."""
    node = reference
    for key in path:
        node = node[key]
    if isinstance(node, dict):
        node = node.get("value")
    return float("nan") if node is None else float(node)


def ref_range(reference: dict, *path) -> tuple:
    """(low, high) of a record's ``range`` (its value twice if no range)."""
    node = reference
    for key in path:
        node = node[key]
    if isinstance(node, dict) and node.get("range") is not None:
        low, high = node["range"]
        return float(low), float(high)
    value = ref_value(reference, *path)
    return value, value


def reference_table(reference: dict) -> pd.DataFrame:
    """Flat listing of every record of the reference (for the report):
    key, value, range, unit, kind, source, confirmed, overridden."""
    rows = []

    def visit(node, path):
        if _is_record(node):
            rng = node.get("range")
            rows.append({
                "key": ".".join(path), "value": node.get("value"),
                "range": "" if rng is None else f"{rng[0]:g}-{rng[1]:g}",
                "unit": node.get("unit", ""), "kind": node.get("kind", ""),
                "source": ";".join(node.get("source", []) or []),
                "confirmed": node.get("confirmed"), "overridden": bool(node.get("overridden", False)),
            })
            return
        if isinstance(node, dict):
            for key, value in node.items():
                if key != "sources":
                    visit(value, path + [str(key)])
        elif isinstance(node, list):
            for item in node:
                if isinstance(item, dict) and "name" in item:
                    visit(item, path + [str(item["name"])])

    visit(reference, [])
    return pd.DataFrame(rows, columns=REFERENCE_COLUMNS)


def species_fu(study: dict, reference: dict, species: str, default_rat: float) -> tuple:
    """(fu, source) for *species*: study.yaml ``fu`` first; else the human
    reference (human) or ``default_rat`` (rat, flagged by the caller)."""
    given = {str(k).lower(): v for k, v in (study.get("fu") or {}).items()}
    if species in given and given[species] is not None:
        return float(given[species]), "study.yaml"
    if species == "human":
        return ref_value(reference, "fu"), "human reference"
    return float(default_rat), "default (config translation.default_fu_rat)"


# --------------------------------------------------------------------------
# Behaviour: tested and effective doses
# --------------------------------------------------------------------------

def _compound_rows(df, compound, column="treatment"):
    if _is_empty(df) or column not in df:
        return df.iloc[0:0] if df is not None else pd.DataFrame()
    return df[df[column].astype(str).str.strip().str.lower() == str(compound).strip().lower()]


def tested_doses(behaviour_groups, compound) -> pd.DataFrame:
    """Doses x routes of *compound* (dose > 0) in the behaviour inventory
    (columns test, treatment, dose_mg_kg, route, regimen, ...): one row per
    dose_mg_kg x route with the regimens and tests where it was given."""
    rows = _compound_rows(behaviour_groups, compound)
    columns = ["dose_mg_kg", "route", "regimens", "tests"]
    if _is_empty(rows):
        return pd.DataFrame(columns=columns)
    rows = rows[pd.to_numeric(rows["dose_mg_kg"], errors="coerce") > 0]
    out = []
    for (dose, route), group in rows.groupby(["dose_mg_kg", "route"], sort=True):
        out.append({"dose_mg_kg": float(dose), "route": str(route).lower(),
                    "regimens": ";".join(sorted(group["regimen"].astype(str).unique())),
                    "tests": ";".join(sorted(group["test"].astype(str).unique()))})
    return pd.DataFrame(out, columns=columns)


def efficacy_directions(extra_tests: dict | None = None) -> dict:
    """Test -> "lower"/"higher": the built-in efficacy tests plus the
    declared extra tests of study.yaml (open field excluded: locomotor
    control)."""
    directions = dict(EFFICACY_DIRECTIONS)
    for test, spec in (extra_tests or {}).items():
        if isinstance(spec, dict) and spec.get("direction") in ("lower", "higher"):
            directions[test] = spec["direction"]
    directions.pop(LOCOMOTOR_TEST, None)
    return directions


def effective_results(comparisons, compound, alpha=ALPHA, extra_tests=None) -> pd.DataFrame:
    """Comparisons of *compound* against vehicle that are significant
    (p_adj <= alpha) in the antidepressant-like direction of an efficacy
    test (see :func:`efficacy_directions`)."""
    columns = ["test", "endpoint", "regimen", "dose_mg_kg", "diff_vs_vehicle", "p_adj", "hedges_g"]
    rows = _compound_rows(comparisons, compound)
    if _is_empty(rows):
        return pd.DataFrame(columns=columns)
    directions = efficacy_directions(extra_tests)
    keep = []
    for _, row in rows.iterrows():
        direction = directions.get(str(row["test"]))
        p = pd.to_numeric(row.get("p_adj"), errors="coerce")
        diff = pd.to_numeric(row.get("diff_vs_vehicle"), errors="coerce")
        if direction is None or pd.isna(p) or pd.isna(diff) or p > alpha:
            continue
        if (diff < 0) == (direction == "lower") and diff != 0:
            keep.append(row)
    out = pd.DataFrame(keep)
    return out[columns].reset_index(drop=True) if len(out) else pd.DataFrame(columns=columns)


def effective_doses(comparisons, compound, alpha=ALPHA, extra_tests=None) -> list:
    """Sorted doses (mg/kg) of *compound* with at least one effective
    result (see :func:`effective_results`)."""
    eff = effective_results(comparisons, compound, alpha, extra_tests)
    return sorted({float(d) for d in eff["dose_mg_kg"]})


# --------------------------------------------------------------------------
# Rat exposure
# --------------------------------------------------------------------------

def _species_rows(df, species):
    return df[df["species"].astype(str).str.strip().str.lower() == species]


def parent_nca_groups(nca, compound, species="rat", max_auc_pct_extrap=MAX_AUC_PCT_EXTRAP) -> pd.DataFrame:
    """Group exposure of the parent per route x dose from ``nca.csv``:
    n profiles with a quantifiable AUC, geometric mean AUC (AUCinf when every
    profile has one with %extrapolated <= *max_auc_pct_extrap*, else AUClast)
    and Cmax, median t1/2."""
    columns = ["route", "dose_mg_kg", "n", "auc_metric", "auc_ng_h_mL", "cmax_ng_mL", "t_half_h"]
    if _is_empty(nca):
        return pd.DataFrame(columns=columns)
    rows = _compound_rows(_species_rows(nca, species), compound, column="analyte")
    out = []
    for (route, dose), group in rows.groupby(["route", "dose_mg_kg"], sort=True):
        auc_inf = pd.to_numeric(group["auc_inf_ng_h_mL"], errors="coerce")
        extrap = pd.to_numeric(group["auc_pct_extrap"], errors="coerce")
        quantifiable = pd.to_numeric(group["auc_last_ng_h_mL"], errors="coerce").notna()
        inf_ok = bool(len(group)) and bool((auc_inf.notna() & (extrap <= max_auc_pct_extrap)).all())
        metric = "AUCinf" if inf_ok else "AUClast"
        values = auc_inf if inf_ok else group["auc_last_ng_h_mL"]
        out.append({"route": str(route).lower(), "dose_mg_kg": float(dose), "n": int(quantifiable.sum()),
                    "auc_metric": metric, "auc_ng_h_mL": geometric_mean(values),
                    "cmax_ng_mL": geometric_mean(group["cmax_ng_mL"]),
                    "t_half_h": float(pd.to_numeric(group["t_half_h"], errors="coerce").median())})
    return pd.DataFrame(out, columns=columns)


def rat_half_life(nca, compound, species="rat") -> tuple:
    """(median t1/2 of the parent, routes used): IV profiles when present
    (a true terminal phase), else all routes. NaN when none."""
    if _is_empty(nca):
        return float("nan"), ""
    rows = _compound_rows(_species_rows(nca, species), compound, column="analyte")
    rows = rows[pd.to_numeric(rows["t_half_h"], errors="coerce").notna()]
    if rows.empty:
        return float("nan"), ""
    iv = rows[rows["route"].astype(str).str.lower() == "iv"]
    use = iv if len(iv) else rows
    return float(pd.to_numeric(use["t_half_h"]).median()), ";".join(sorted(use["route"].astype(str).unique()))


def _nearest_group(groups, dose):
    logs = np.abs(np.log(groups["dose_mg_kg"].astype(float) / dose))
    return groups.iloc[int(np.argmin(logs.to_numpy()))]


def rat_exposure(doses, nca_groups, fu, fu_source, tau_h=24.0, max_fold=3.0, t_half_h=float("nan")) -> pd.DataFrame:
    """Rat exposure per tested dose x route (columns :data:`EXPOSURE_COLUMNS`,
    ``state`` "single_dose"). *doses* has columns dose_mg_kg, route;
    *nca_groups* comes from :func:`parent_nca_groups`. Same dose and route
    -> the NCA group; otherwise linear dose-normalised scaling from the
    nearest PK dose of the same route (or of any route, flagged cross-route),
    flagged when the dose lies beyond *max_fold* x the PK dose range.
    No PK at all -> a row with empty exposure and source "no PK data"."""
    rows = []
    for _, d in doses.iterrows():
        dose, route = float(d["dose_mg_kg"]), str(d["route"]).lower()
        base = {"species": "rat", "dose": dose, "dose_unit": "mg/kg", "route": route,
                "state": "single_dose", "fu": fu, "fu_source": fu_source, "t_half_h": t_half_h,
                "accumulation_factor": float("nan"), "dosing_interval_h": tau_h}
        if _is_empty(nca_groups):
            rows.append(dict(base, source="no PK data", n=0, auc_metric="", auc_ng_h_mL=np.nan,
                             cmax_ng_mL=np.nan, flags="not assessable: no PK data",
                             note="PK area not provided or no parent profiles"))
            continue
        same_route = nca_groups[nca_groups["route"] == route]
        flags = []
        exact = same_route[np.isclose(same_route["dose_mg_kg"].astype(float), dose)]
        if len(exact):
            g, factor = exact.iloc[0], 1.0
            source = f"NCA group {route} {dose:g} mg/kg"
            note = "measured at this dose and route"
        else:
            pool = same_route if len(same_route) else nca_groups
            g = _nearest_group(pool, dose)
            factor = dose / float(g["dose_mg_kg"])
            source = f"scaled from {g['route']} {float(g['dose_mg_kg']):g} mg/kg"
            note = (f"linear PK assumed: exposure x {factor:.3g} (dose-normalised from "
                    f"{g['route']} {float(g['dose_mg_kg']):g} mg/kg)")
            low, high = pool["dose_mg_kg"].astype(float).min(), pool["dose_mg_kg"].astype(float).max()
            beyond = max(dose / high, low / dose)
            if beyond > max_fold:
                flags.append(f"extrapolated {beyond:.3g}x beyond the PK dose range "
                             f"{low:g}-{high:g} mg/kg (limit {max_fold:g}x)")
            if not len(same_route):
                flags.append(f"cross-route: no {route} PK; {g['route']} exposure used "
                             "(bioavailability differences ignored)")
        auc = float(g["auc_ng_h_mL"]) * factor
        cmax = float(g["cmax_ng_mL"]) * factor
        rows.append(dict(base, source=source, n=int(g["n"]), auc_metric=str(g["auc_metric"]),
                         auc_ng_h_mL=auc, cmax_ng_mL=cmax, flags="; ".join(flags), note=note))
    out = pd.DataFrame(rows, columns=[c for c in EXPOSURE_COLUMNS if c not in
                                      ("c_avg_ng_mL", "auc_unbound_ng_h_mL", "cmax_unbound_ng_mL",
                                       "c_avg_unbound_ng_mL")])
    return _add_unbound(out)


def _add_unbound(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    if "c_avg_ng_mL" not in df or df["c_avg_ng_mL"].isna().all():
        df["c_avg_ng_mL"] = df["auc_ng_h_mL"].astype(float) / df["dosing_interval_h"].astype(float)
    df["auc_unbound_ng_h_mL"] = df["auc_ng_h_mL"].astype(float) * df["fu"].astype(float)
    df["cmax_unbound_ng_mL"] = df["cmax_ng_mL"].astype(float) * df["fu"].astype(float)
    df["c_avg_unbound_ng_mL"] = df["c_avg_ng_mL"].astype(float) * df["fu"].astype(float)
    return df[EXPOSURE_COLUMNS]


# --------------------------------------------------------------------------
# Human exposure
# --------------------------------------------------------------------------

def human_auc_per_mg(reference) -> float:
    """Single-dose AUCinf per mg of the reference (linear PK)."""
    exposure = reference["single_dose_exposure"]
    return ref_value(exposure, "auc_inf_ng_h_mL") / float(exposure["dose_mg"])


def human_exposure(reference, doses_mg, fu, fu_source, tau_h=24.0) -> pd.DataFrame:
    """Human exposure at each clinical dose, single dose and steady state
    (columns :data:`EXPOSURE_COLUMNS`): linear scaling from the reference
    single dose; steady state with R = 1/(1 - exp(-k tau)) from the
    reference t1/2 (its ``value``); Cavg,ss = AUCinf(single) / tau. Doses
    outside the reference's linear range are flagged."""
    exposure = reference["single_dose_exposure"]
    ref_dose = float(exposure["dose_mg"])
    auc_ref = ref_value(exposure, "auc_inf_ng_h_mL")
    cmax_ref = ref_value(exposure, "cmax_ng_mL")
    t_half = ref_value(reference, "t_half_h")
    t_low, t_high = ref_range(reference, "t_half_h")
    r = accumulation_factor(t_half, tau_h)
    lin_low, lin_high = ref_range(reference, "linear_pk_dose_range_mg") if "linear_pk_dose_range_mg" in reference else (ref_dose, ref_dose)
    rows = []
    for dose in doses_mg:
        dose = float(dose)
        scale = dose / ref_dose
        flags = []
        if dose < lin_low or dose > lin_high:
            flags.append(f"outside the linear range {lin_low:g}-{lin_high:g} mg")
        base = {"species": "human", "dose": dose, "dose_unit": "mg", "route": "po",
                "n": np.nan, "auc_metric": "AUCinf", "fu": fu, "fu_source": fu_source,
                "t_half_h": t_half, "dosing_interval_h": tau_h, "flags": "; ".join(flags),
                "source": f"human reference, scaled from {ref_dose:g} mg single dose"}
        rows.append(dict(base, state="single_dose", auc_ng_h_mL=auc_ref * scale,
                         cmax_ng_mL=cmax_ref * scale, c_avg_ng_mL=auc_ref * scale / tau_h,
                         accumulation_factor=1.0,
                         note="Cavg = AUCinf / tau (average over one dosing interval once at steady state)"))
        rows.append(dict(base, state="steady_state", auc_ng_h_mL=auc_ref * scale,
                         cmax_ng_mL=cmax_ref * scale * r, c_avg_ng_mL=auc_ref * scale / tau_h,
                         accumulation_factor=r,
                         note=(f"AUC(0-tau,ss) = AUCinf(single); Cmax,ss = R x Cmax; R from t1/2 "
                               f"{t_half:g} h (labelled range {t_low:g}-{t_high:g} h gives R "
                               f"{accumulation_factor(t_low, tau_h):.3g}-"
                               f"{accumulation_factor(t_high, tau_h):.3g})")))
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=EXPOSURE_COLUMNS)
    return _add_unbound(out)


def exposure_ratios(rat: pd.DataFrame, human: pd.DataFrame) -> pd.DataFrame:
    """Rat over human exposure for every rat dose x route and human dose x
    state: AUC and Cmax, total and unbound (rat single dose)."""
    rows = []
    if _is_empty(rat) or _is_empty(human):
        return pd.DataFrame(columns=EXPOSURE_RATIO_COLUMNS)
    for _, r in rat.iterrows():
        for _, h in human.iterrows():
            rows.append({"rat_dose_mg_kg": r["dose"], "route": r["route"], "human_dose_mg": h["dose"],
                         "human_state": h["state"],
                         "auc_ratio": r["auc_ng_h_mL"] / h["auc_ng_h_mL"],
                         "auc_unbound_ratio": r["auc_unbound_ng_h_mL"] / h["auc_unbound_ng_h_mL"],
                         "cmax_ratio": r["cmax_ng_mL"] / h["cmax_ng_mL"],
                         "cmax_unbound_ratio": r["cmax_unbound_ng_mL"] / h["cmax_unbound_ng_mL"]})
    return pd.DataFrame(rows, columns=EXPOSURE_RATIO_COLUMNS)


# --------------------------------------------------------------------------
# Dose translation
# --------------------------------------------------------------------------

def dose_translation(rat: pd.DataFrame, reference, fu_human, cfg=None) -> pd.DataFrame:
    """Per rat dose x route: HED by body-surface area (mg/kg and mg at the
    configured human body weight), the exposure-matched human dose (same
    unbound AUC) and ``ratio`` = HED mg / exposure-matched mg."""
    s = settings(cfg)
    if _is_empty(rat):
        return pd.DataFrame(columns=DOSE_TRANSLATION_COLUMNS)
    hed = hed_mg_kg(rat["dose"].astype(float), s["km_rat"], s["km_human"])
    per_mg = fu_human * human_auc_per_mg(reference)
    matched = exposure_matched_dose_mg(rat["auc_unbound_ng_h_mL"].astype(float), per_mg)
    out = pd.DataFrame({"rat_dose_mg_kg": rat["dose"].astype(float).to_numpy(),
                        "route": rat["route"].to_numpy(), "hed_bsa_mg_kg": hed,
                        "hed_bsa_mg": hed * s["human_body_weight_kg"],
                        "exposure_matched_human_dose_mg": np.asarray(matched, float)})
    out["ratio"] = out["hed_bsa_mg"] / out["exposure_matched_human_dose_mg"]
    return out[DOSE_TRANSLATION_COLUMNS]


# --------------------------------------------------------------------------
# Ki and occupancy
# --------------------------------------------------------------------------

def study_ki(ki, compound) -> pd.DataFrame:
    """Study Ki per species x receptor for *compound* from ``ki.csv``:
    geometric mean of finite ki_nM > 0 over assays (columns species,
    receptor, key, ki_nM, n_assays)."""
    columns = ["species", "receptor", "key", "ki_nM", "n_assays"]
    rows = _compound_rows(ki, compound, column="compound")
    if _is_empty(rows):
        return pd.DataFrame(columns=columns)
    rows = rows.assign(ki=pd.to_numeric(rows["ki_nM"], errors="coerce"))
    rows = rows[rows["ki"].notna() & (rows["ki"] > 0)]
    out = []
    for (species, key), group in rows.assign(
            key=rows["receptor"].map(norm_name),
            sp=rows["species"].astype(str).str.strip().str.lower()).groupby(["sp", "key"], sort=True):
        out.append({"species": species, "receptor": str(group["receptor"].iloc[0]), "key": key,
                    "ki_nM": geometric_mean(group["ki"]), "n_assays": len(group)})
    return pd.DataFrame(out, columns=columns)


def ki_for_occupancy(study: pd.DataFrame, reference) -> pd.DataFrame:
    """The Ki used per species x receptor (columns :data:`KI_USED_COLUMNS`
    plus ``key``): the study's value when measured; otherwise the literature
    value of the reference (human always, rat only when the reference has a
    number)."""
    rows = []
    seen = set()
    for _, r in (study if not _is_empty(study) else pd.DataFrame(columns=["species"])).iterrows():
        rows.append({"species": r["species"], "receptor": r["receptor"], "key": r["key"],
                     "ki_nM": float(r["ki_nM"]), "source": f"study ki.csv ({int(r['n_assays'])} assay(s))",
                     "n_assays": int(r["n_assays"]), "confirmed": ""})
        seen.add((r["species"], r["key"]))
    for species, receptors in (reference.get("ki_nM") or {}).items():
        for name, record in (receptors or {}).items():
            key = norm_name(name)
            value = record.get("value") if isinstance(record, dict) else record
            if (species, key) in seen or value is None:
                continue
            sources = record.get("source", []) if isinstance(record, dict) else []
            rows.append({"species": species, "receptor": name, "key": key, "ki_nM": float(value),
                         "source": "literature (" + ";".join(sources) + ")", "n_assays": 0,
                         "confirmed": record.get("confirmed") if isinstance(record, dict) else ""})
    return pd.DataFrame(rows, columns=KI_USED_COLUMNS + ["key"])


def receptor_order(keys) -> list:
    """H1 first, then the antidepressant-mechanism receptors, then the rest."""
    known = list(RECEPTOR_ROLES)
    return sorted(set(keys), key=lambda k: (known.index(k) if k in known else len(known), k))


def occupancy_table(rat: pd.DataFrame, human: pd.DataFrame, ki_used: pd.DataFrame,
                    molecular_weight, rat_doses=None) -> pd.DataFrame:
    """Occupancy rows (columns :data:`OCCUPANCY_COLUMNS`): rat at each dose
    in *rat_doses* (all rat rows when None) with the rat Ki, at ``cmax``
    (single-dose Cmax) and ``c_avg`` (AUC / tau); human at each clinical
    dose at steady state (``cmax`` = Cmax,ss, ``c_avg`` = Cavg,ss) with the
    human Ki. Receptors without a Ki for a species are left out for that
    species. Rat dose_unit names the route ("mg/kg po")."""
    rows = []
    if _is_empty(ki_used):
        return pd.DataFrame(columns=OCCUPANCY_COLUMNS)
    names = {}
    for _, k in ki_used.iterrows():
        names.setdefault(k["key"], k["receptor"])
    order = receptor_order(ki_used["key"])
    blocks = []
    if not _is_empty(rat):
        sel = rat if rat_doses is None else rat[rat["dose"].astype(float).isin([float(d) for d in rat_doses])]
        blocks.append(("rat", sel, lambda r: f"mg/kg {r['route']}"))
    if not _is_empty(human):
        blocks.append(("human", human[human["state"] == "steady_state"], lambda r: "mg/day po"))
    for species, table, unit in blocks:
        kis = ki_used[ki_used["species"] == species].set_index("key")["ki_nM"]
        for key in order:
            if key not in kis.index:
                continue
            for _, r in table.sort_values("dose").iterrows():
                for basis, column in (("cmax", "cmax_unbound_ng_mL"), ("c_avg", "c_avg_unbound_ng_mL")):
                    c_nM = float(ng_per_ml_to_nM(r[column], molecular_weight))
                    rows.append({"species": species, "receptor": names[key], "dose": float(r["dose"]),
                                 "dose_unit": unit(r), "basis": basis, "c_unbound_nM": c_nM,
                                 "ki_nM": float(kis[key]), "occupancy": occupancy(c_nM, float(kis[key]))})
    return pd.DataFrame(rows, columns=OCCUPANCY_COLUMNS)


def occupancy_mismatches(occ: pd.DataFrame, points=30.0) -> pd.DataFrame:
    """Per receptor x basis x rat dose: the rat occupancy against the human
    min-max over the clinical doses. ``different_side``: rat >= 50% while
    every human value < 50%, or the reverse; ``distance_points``: distance
    (percentage points) from the rat value to the human interval;
    ``mismatch``: different side or distance > *points*."""
    columns = ["receptor", "basis", "rat_dose", "rat_dose_unit", "rat_occupancy", "human_min",
               "human_max", "different_side", "distance_points", "mismatch"]
    if _is_empty(occ):
        return pd.DataFrame(columns=columns)
    rows = []
    occ = occ.assign(key=occ["receptor"].map(norm_name))
    for (key, basis), group in occ.groupby(["key", "basis"], sort=False):
        human = group[group["species"] == "human"]["occupancy"].astype(float)
        rat = group[group["species"] == "rat"]
        if human.empty or rat.empty:
            continue
        lo, hi = float(human.min()), float(human.max())
        for _, r in rat.iterrows():
            o = float(r["occupancy"])
            different = (o >= 0.5 and hi < 0.5) or (o < 0.5 and lo >= 0.5)
            distance = 100.0 * max(lo - o, o - hi, 0.0)
            rows.append({"receptor": r["receptor"], "basis": basis, "rat_dose": r["dose"],
                         "rat_dose_unit": r["dose_unit"], "rat_occupancy": o, "human_min": lo,
                         "human_max": hi, "different_side": bool(different),
                         "distance_points": distance, "mismatch": bool(different or distance > points)})
    return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------
# Translational risk flags: each takes result tables and returns rows
# --------------------------------------------------------------------------

def flag_bioavailability(bioavailability, reference, compound, route="po", fold=BIOAVAILABILITY_FOLD) -> list:
    """Rat oral F (``bioavailability.csv``, parent, *route*) against the
    human oral F: flagged when they differ more than *fold* (either way);
    high severity beyond 5-fold."""
    name = "bioavailability mismatch"
    human_f = ref_value(reference, "oral_bioavailability")
    if _is_empty(bioavailability):
        return [_not_assessable(name, "pk", "no bioavailability table: PK area not provided or "
                                "no IV reference group, so rat F is unknown")]
    rows = _compound_rows(bioavailability, compound, column="analyte")
    rows = rows[(rows["route"].astype(str).str.lower() == route)
                & pd.to_numeric(rows["f"], errors="coerce").notna()]
    if rows.empty:
        return [_not_assessable(name, "pk", f"no estimable {route} bioavailability of {compound} "
                                "in bioavailability.csv")]
    f_rat = geometric_mean(rows["f"])
    ratio = human_f / f_rat
    parts = [f"{_fmt(r['f'], 2)} (95% CI {_fmt(r['f_ci_low'], 2)}-{_fmt(r['f_ci_high'], 2)}; "
             f"{r['route']} {float(r['dose_mg_kg']):g} mg/kg vs {r['reference_route']} "
             f"{float(r['reference_dose_mg_kg']):g} mg/kg; n = {r['n_test']}/{r['n_reference']})"
             for _, r in rows.iterrows()]
    evidence = (f"rat oral F {'; '.join(parts)}; human oral F {_fmt(human_f, 2)} "
                f"(reference: {';'.join(reference['oral_bioavailability'].get('source', []))}): "
                f"human/rat = {_fmt(ratio, 3)}-fold")
    if ratio > fold or ratio < 1.0 / fold:
        severity = "high" if (ratio > 5 or ratio < 0.2) else "medium"
        return [_flag(name, severity, "pk", evidence)]
    return []


def _metabolite_status(metabolites, nca, compound, species="rat") -> dict:
    """key -> (name, detected bool, geometric-mean ratio or NaN) for every
    non-parent analyte measured in *species*."""
    status = {}
    if not _is_empty(metabolites):
        rows = _species_rows(metabolites, species)
        rows = rows[rows["analyte"].astype(str).str.lower() != str(compound).lower()]
        for analyte, group in rows.groupby("analyte", sort=True):
            detected = bool((group["detection"].astype(str).str.lower() != "not detected").any())
            ratio = geometric_mean(group.get("ratio_geometric_mean", pd.Series(dtype=float)))
            status[norm_name(analyte)] = (str(analyte), detected, ratio)
    elif not _is_empty(nca):
        rows = _species_rows(nca, species)
        rows = rows[rows["analyte"].astype(str).str.lower() != str(compound).lower()]
        for analyte, group in rows.groupby("analyte", sort=True):
            detected = bool(pd.to_numeric(group["auc_last_ng_h_mL"], errors="coerce").notna().any())
            status[norm_name(analyte)] = (str(analyte), detected, float("nan"))
    return status


def flag_metabolites(metabolites, nca, reference, compound, species="rat",
                     ratio_fold=METABOLITE_RATIO_FOLD) -> list:
    """Human metabolites (reference) not detected in the rat (every rat
    group "not detected" in ``metabolites.csv``, or no quantifiable AUC in
    ``nca.csv``) -> flag; not measured in the rat -> "not assessable";
    a detected metabolite whose rat/human metabolite-to-parent ratios differ
    more than *ratio_fold* -> low-severity flag."""
    name = "metabolite profile difference"
    if _is_empty(metabolites) and _is_empty(nca):
        return [_not_assessable(name, "pk", "PK area not provided: rat metabolites unknown")]
    status = _metabolite_status(metabolites, nca, compound, species)
    out = []
    for met in reference.get("metabolites") or []:
        if not met.get("present_in_humans", True):
            continue
        aliases = {norm_name(a) for a in (met.get("aliases") or [])} | {norm_name(met["name"])}
        found = [status[k] for k in aliases if k in status]
        if not found:
            out.append(_not_assessable(name, "pk", f"{met['name']} (present in humans) was not measured "
                                       f"in the {species} PK study"))
            continue
        analyte, detected, rat_ratio = found[0]
        human_ratio = (met.get("auc_ratio_to_parent") or {}).get("value")
        if not detected:
            out.append(_flag(name, "high", "pk",
                             f"{analyte}: not detected in any {species} PK group (BLQ throughout), "
                             f"but present in humans ({';'.join((met.get('auc_ratio_to_parent') or {}).get('source', []))})"
                             + (f"; human AUC ratio to parent about {_fmt(human_ratio, 2)}" if human_ratio else "")))
        elif human_ratio and math.isfinite(rat_ratio) and rat_ratio > 0:
            fold = max(rat_ratio / human_ratio, human_ratio / rat_ratio)
            if fold > ratio_fold:
                out.append(_flag(name, "low", "pk",
                                 f"{analyte}: AUC ratio to parent {_fmt(rat_ratio, 3)} in {species} vs "
                                 f"about {_fmt(human_ratio, 2)} in humans ({_fmt(fold, 3)}-fold)"))
    return out


def flag_half_life(nca, reference, compound, tau_h=24.0, fold=HALF_LIFE_FOLD) -> list:
    """Rat parent t1/2 (median, IV preferred) against the human t1/2 range:
    flagged when the rat value lies more than *fold* outside the human range;
    the evidence states what that means for a once-daily regimen."""
    name = "half-life mismatch"
    t_rat, routes = rat_half_life(nca, compound)
    if not math.isfinite(t_rat):
        return [_not_assessable(name, "pk", "no rat terminal half-life (PK area not provided or "
                                "no acceptable lambda_z)")]
    low, high = ref_range(reference, "t_half_h")
    ratio = low / t_rat if t_rat < low else (t_rat / high if t_rat > high else 1.0)
    if ratio <= fold:
        return []
    left_rat = math.exp(-elimination_rate(t_rat) * tau_h)
    left_human = math.exp(-elimination_rate(low) * tau_h)
    evidence = (f"rat t1/2 {_fmt(t_rat)} h (median, {routes} profiles) vs human {low:g}-{high:g} h "
                f"({_fmt(ratio)}-fold shorter than the human lower bound); with dosing every "
                f"{tau_h:g} h the rat keeps {100 * left_rat:.2g}% of a dose's concentration at the next "
                f"dose vs {100 * left_human:.2g}% in humans (t1/2 {low:g} h): no sustained exposure; "
                f"accumulation factor rat {accumulation_factor(t_rat, tau_h):.3g} vs human "
                f"{accumulation_factor(low, tau_h):.3g}-{accumulation_factor(high, tau_h):.3g}")
    return [_flag(name, "high" if ratio > 10 else "medium", "pk", evidence)]


def flag_dose_scaling(translation: pd.DataFrame, fold=2.0) -> list:
    """One flag per route whose rows of ``dose_translation.csv`` have HED and
    exposure-matched dose disagreeing more than *fold* (either way); high
    severity when any disagrees beyond 5 x *fold*."""
    name = "dose-scaling disagreement"
    if _is_empty(translation) or translation["ratio"].isna().all():
        return [_not_assessable(name, "translation", "no rat exposure to match (PK or behaviour area "
                                "not provided)")]
    ratio = translation["ratio"].astype(float)
    bad = translation[np.isfinite(ratio) & ((ratio > fold) | (ratio < 1.0 / fold))]
    out = []
    for route, group in bad.groupby("route", sort=True):
        parts, folds = [], []
        for _, r in group.sort_values("rat_dose_mg_kg").iterrows():
            x = float(r["ratio"])
            folds.append(max(x, 1 / x))
            parts.append(f"rat {float(r['rat_dose_mg_kg']):g} mg/kg: BSA human-equivalent dose "
                         f"{_fmt(r['hed_bsa_mg_kg'])} mg/kg = {_fmt(r['hed_bsa_mg'])} mg vs "
                         f"{_fmt(r['exposure_matched_human_dose_mg'])} mg for the same unbound AUC "
                         f"(BSA {'over' if x > 1 else 'under'}estimates {_fmt(max(x, 1 / x))}-fold)")
        severity = "high" if max(folds) > 5 * fold else "medium"
        out.append(_flag(name, severity, "translation",
                         f"{route}: " + "; ".join(parts) + f" (limit {fold:g}-fold)"))
    return out


def flag_occupancy(mismatches: pd.DataFrame, points=30.0, ki_used=None) -> list:
    """One flag per receptor with a mismatch (see
    :func:`occupancy_mismatches`), quoting rat and human occupancies."""
    name = "occupancy mismatch"
    if _is_empty(mismatches):
        why = "no receptor with both a rat occupancy (effective dose, rat Ki, rat exposure) and a human occupancy"
        return [_not_assessable(name, "translation", why)]
    out = []
    for receptor, group in mismatches.groupby("receptor", sort=False):
        bad = group[group["mismatch"]]
        if bad.empty:
            continue
        parts = []
        for _, r in bad.iterrows():
            why = "different sides of 50%" if r["different_side"] else f"{r['distance_points']:.0f} points apart"
            parts.append(f"{r['basis']}: rat {float(r['rat_dose']):g} {r['rat_dose_unit']} {_pct(r['rat_occupancy'])} "
                         f"vs human {_pct(r['human_min'])}-{_pct(r['human_max'])} at clinical doses ({why})")
        severity = "high" if bad["different_side"].any() else "medium"
        out.append(_flag(name, severity, "translation", f"{receptor}: " + "; ".join(parts)
                         + f" (threshold {points:g} points)"))
    return out


def flag_confounds(confounds, compound, effective=None) -> list:
    """From ``confounds.csv`` (behaviour): sedation, possible stimulant
    artefact or no locomotor control at a dose of *compound* whose FST
    result improved (or that is in *effective*, mg/kg)."""
    name = "sedation confound at an effective dose"
    if confounds is None:
        return [_not_assessable(name, "behaviour", "no confound table: behaviour area not provided")]
    rows = _compound_rows(confounds, compound)
    if _is_empty(rows):
        return []
    effective = {float(d) for d in (effective or [])}
    names = {"sedation": name, "possible stimulant artefact": "stimulant artefact at an effective dose",
             "no locomotor control": "no locomotor control at an effective dose"}
    out = []
    for _, r in rows.iterrows():
        cls = str(r.get("classification", "")).strip().lower()
        improved = str(r.get("fst_effect", "")).strip().lower() == "improved"
        if cls not in names or not (improved or float(r["dose_mg_kg"]) in effective):
            continue
        pct = r.get("open_field_pct_change_vs_vehicle")
        evidence = (f"{r['treatment']} {float(r['dose_mg_kg']):g} mg/kg {r['regimen']}: FST "
                    f"{r.get('fst_endpoint', 'immobility')} {_fmt(r.get('fst_diff_vs_vehicle'))} vs vehicle "
                    f"(p_adj {_fmt(r.get('fst_p_adj'), 2)}, g {_fmt(r.get('fst_hedges_g'), 2)}); "
                    f"open-field distance {_fmt(r.get('open_field_diff_vs_vehicle'))} cm vs vehicle"
                    + (f" ({_fmt(pct, 2)}%)" if pd.notna(pct) else "")
                    + f" (p_adj {_fmt(r.get('open_field_p_adj'), 2)}): classified '{cls}'")
        severity = "high" if cls in ("sedation", "possible stimulant artefact") else "medium"
        out.append(_flag(names[cls], severity, "behaviour", evidence))
    return out


def _compound_groups(behaviour_groups, compound):
    rows = _compound_rows(behaviour_groups, compound)
    if _is_empty(rows):
        return rows
    return rows[pd.to_numeric(rows["dose_mg_kg"], errors="coerce") > 0]


def flag_single_model(behaviour_groups, compound, extra_tests=None) -> list:
    """Single-model reliance: the compound was tested in at most one
    efficacy test (open field excluded: it is the locomotor control)."""
    name = "single-model reliance"
    rows = _compound_groups(behaviour_groups, compound)
    if _is_empty(rows):
        return [_not_assessable(name, "behaviour", f"no behavioural groups of {compound}: behaviour "
                                "area not provided")]
    tests = sorted(rows["test"].astype(str).unique())
    efficacy = [t for t in tests if t != LOCOMOTOR_TEST]
    if len(efficacy) <= 1:
        return [_flag(name, "medium", "behaviour",
                      f"{compound} tested in {len(efficacy)} efficacy model(s): "
                      f"{', '.join(efficacy) or 'none'} (all tests: {', '.join(tests)})")]
    return []


def flag_acute_only(behaviour_groups, compound) -> list:
    """Acute-only design: no chronic regimen of the compound in any test."""
    name = "acute-only design"
    rows = _compound_groups(behaviour_groups, compound)
    if _is_empty(rows):
        return [_not_assessable(name, "behaviour", f"no behavioural groups of {compound}: behaviour "
                                "area not provided")]
    regimens = sorted(rows["regimen"].astype(str).str.lower().unique())
    if "chronic" not in regimens:
        return [_flag(name, "high", "behaviour",
                      f"{compound} regimens: {', '.join(regimens)}; no chronic dosing in "
                      f"{rows['test'].nunique()} test(s), while clinical effects need weeks")]
    return []


def flag_species_ki(ki, compound, fold=SPECIES_KI_FOLD) -> list:
    """Receptors whose human and rat Ki (study ``ki.csv``) differ more than
    *fold*; high severity beyond 10-fold."""
    name = "species Ki difference"
    study = study_ki(ki, compound)
    if study.empty:
        return [_not_assessable(name, "binding", "no study Ki values (binding area not provided)")]
    out, compared = [], 0
    for key, group in study.groupby("key", sort=True):
        by = group.set_index("species")["ki_nM"]
        if "human" not in by.index or "rat" not in by.index:
            continue
        compared += 1
        ratio = by["human"] / by["rat"]
        if max(ratio, 1 / ratio) > fold:
            out.append(_flag(name, "high" if max(ratio, 1 / ratio) > 10 else "medium", "binding",
                             f"{group['receptor'].iloc[0]}: Ki human {_fmt(by['human'])} nM vs rat "
                             f"{_fmt(by['rat'])} nM (human/rat {_fmt(ratio)}; "
                             f"{_fmt(max(ratio, 1 / ratio))}-fold > {fold:g})"))
    if compared == 0:
        return [_not_assessable(name, "binding", "no receptor measured in both human and rat")]
    return out


def flag_fu_default(fu_source: str, fu_value: float) -> list:
    """A rat fu taken from the default instead of study.yaml."""
    if fu_source.startswith("default"):
        return [_flag("rat fraction unbound assumed", "low", "pk",
                      f"study.yaml gives no rat fu; the default {fu_value:g} "
                      "(config translation.default_fu_rat) is used for every unbound rat exposure "
                      "and occupancy")]
    return []


def flag_extrapolation(rat: pd.DataFrame) -> list:
    """Rat exposures extrapolated beyond the PK dose range or across routes."""
    out = []
    if _is_empty(rat):
        return out
    for _, r in rat.iterrows():
        text = str(r.get("flags") or "")
        if "extrapolated" in text or "cross-route" in text:
            out.append(_flag("rat exposure extrapolated", "medium", "pk",
                             f"rat {float(r['dose']):g} mg/kg {r['route']}: {text} ({r['note']})"))
    return out


# --------------------------------------------------------------------------
# Orchestration: everything the rule writes
# --------------------------------------------------------------------------

def translate(study: dict, reference: dict | None, cfg: dict | None = None, *,
              behaviour_groups=None, comparisons=None, confounds=None, ki=None,
              nca=None, bioavailability=None, metabolites=None,
              alpha=ALPHA, max_auc_pct_extrap=MAX_AUC_PCT_EXTRAP) -> dict:
    """Run the whole cross-check and return the output tables as a dict:
    exposure, exposure_ratios, dose_translation, occupancy, ki_used, flags,
    reference. Any area table may be None (area not provided).
    *reference* is the human reference with the study overrides applied
    (None -> human-side outputs empty and flags "not assessable")."""
    s = settings(cfg)
    compound = study.get("compound", "mirtazapine")
    tau = s["dosing_interval_h"]
    flags = []

    fu_rat, fu_rat_source = species_fu(study, reference or {}, "rat", s["default_fu_rat"])
    doses = tested_doses(behaviour_groups, compound)
    dose_note = "behaviourally tested doses"
    groups = parent_nca_groups(nca, compound, "rat", max_auc_pct_extrap)
    if doses.empty and not groups.empty:
        # No behaviour: translate the extravascular PK doses instead.
        ev = groups[groups["route"] != "iv"]
        doses = ev[["dose_mg_kg", "route"]].drop_duplicates().reset_index(drop=True)
        dose_note = "PK doses (no behaviour data)"
    t_rat, _ = rat_half_life(nca, compound)
    rat = rat_exposure(doses, groups, fu_rat, fu_rat_source, tau, s["max_dose_extrapolation_fold"], t_rat)
    rat["note"] = rat["note"].astype(str) + f" [{dose_note}]"
    if not rat.empty and not groups.empty:
        flags += flag_fu_default(fu_rat_source, fu_rat)
        flags += flag_extrapolation(rat)

    effective = effective_doses(comparisons, compound, alpha, study.get("extra_tests"))
    occupancy_doses = effective if effective else None

    if reference is None:
        human = pd.DataFrame(columns=EXPOSURE_COLUMNS)
        ratios = pd.DataFrame(columns=EXPOSURE_RATIO_COLUMNS)
        translation = pd.DataFrame(columns=DOSE_TRANSLATION_COLUMNS)
        ki_used = ki_for_occupancy(study_ki(ki, compound), {})
        occ = occupancy_table(rat, human, ki_used, study.get("molecular_weight_g_mol", 265.36), occupancy_doses)
        why = f"no human reference for {compound} (resources/reference/{compound}_human.yaml)"
        for name, area in (("bioavailability mismatch", "pk"), ("metabolite profile difference", "pk"),
                           ("half-life mismatch", "pk"), ("dose-scaling disagreement", "translation"),
                           ("occupancy mismatch", "translation")):
            flags.append(_not_assessable(name, area, why))
        ref_table = pd.DataFrame(columns=REFERENCE_COLUMNS)
    else:
        fu_h, fu_h_source = species_fu(study, reference, "human", s["default_fu_rat"])
        mw = float(study.get("molecular_weight_g_mol") or ref_value(reference, "molecular_weight_g_mol"))
        human = human_exposure(reference, study.get("clinical_doses_mg", [15, 30, 45]), fu_h, fu_h_source, tau)
        ratios = exposure_ratios(rat.dropna(subset=["auc_ng_h_mL"]), human)
        translation = dose_translation(rat.dropna(subset=["auc_ng_h_mL"]), reference, fu_h, cfg)
        ki_used = ki_for_occupancy(study_ki(ki, compound), reference)
        occ = occupancy_table(rat.dropna(subset=["auc_ng_h_mL"]), human, ki_used, mw, occupancy_doses)
        mism = occupancy_mismatches(occ, s["occupancy_difference_points"])
        flags += flag_bioavailability(bioavailability, reference, compound)
        flags += flag_metabolites(metabolites, nca, reference, compound)
        flags += flag_half_life(nca, reference, compound, tau)
        flags += flag_dose_scaling(translation, s["dose_disagreement_fold"])
        flags += flag_occupancy(mism, s["occupancy_difference_points"])
        ref_table = reference_table(reference)
    flags += flag_confounds(confounds, compound, effective)
    flags += flag_single_model(behaviour_groups, compound, study.get("extra_tests"))
    flags += flag_acute_only(behaviour_groups, compound)
    flags += flag_species_ki(ki, compound, SPECIES_KI_FOLD)

    parts = [t for t in (rat, human) if len(t)]
    exposure = (pd.concat(parts, ignore_index=True)[EXPOSURE_COLUMNS] if parts
                else pd.DataFrame(columns=EXPOSURE_COLUMNS))
    return {
        "exposure": exposure, "exposure_ratios": ratios, "dose_translation": translation,
        "occupancy": occ, "ki_used": ki_used[KI_USED_COLUMNS] if len(ki_used) else pd.DataFrame(columns=KI_USED_COLUMNS),
        "flags": pd.DataFrame(flags, columns=FLAG_COLUMNS), "reference": ref_table,
        "effective_doses": effective,
    }


def raised(flags: pd.DataFrame) -> pd.DataFrame:
    """The flags that fired (severity other than "not assessable")."""
    return flags[flags["severity"] != NOT_ASSESSABLE]


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------

def plot_exposure(exposure: pd.DataFrame, therapeutic_range=(30.0, 80.0)):
    """Two panels: total plasma concentrations (rat single-dose Cmax and
    Cavg = AUC/tau; human steady-state Cmax,ss and Cavg,ss) against the
    human therapeutic range (shaded), and unbound AUC, rat vs human. Log
    scales."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    rat = exposure[(exposure["species"] == "rat") & exposure["auc_ng_h_mL"].notna()]
    human = exposure[(exposure["species"] == "human") & (exposure["state"] == "steady_state")]
    labels = ([f"rat {d:g} mg/kg {r}" for d, r in zip(rat["dose"], rat["route"])]
              + [f"human {d:g} mg/day" for d in human["dose"]])
    x = np.arange(len(labels))
    cmax = np.r_[rat["cmax_ng_mL"].to_numpy(float), human["cmax_ng_mL"].to_numpy(float)]
    cavg = np.r_[rat["c_avg_ng_mL"].to_numpy(float), human["c_avg_ng_mL"].to_numpy(float)]
    colours = ["#d95f02"] * len(rat) + ["#1b9e77"] * len(human)
    ax = axes[0]
    ax.axhspan(*therapeutic_range, color="#1b9e77", alpha=0.15,
               label=f"human therapeutic range {therapeutic_range[0]:g}-{therapeutic_range[1]:g} ng/mL")
    ax.scatter(x, cmax, marker="^", c=colours, s=50)
    ax.scatter(x, cavg, marker="o", c=colours, s=50)
    from matplotlib.lines import Line2D

    handles = [ax.patches[0] if ax.patches else None,
               Line2D([], [], marker="^", color="grey", linestyle="", label="Cmax (rat single dose; human steady state)"),
               Line2D([], [], marker="o", color="grey", linestyle="", label="Cavg = AUC / 24 h"),
               Line2D([], [], marker="s", color="#d95f02", linestyle="", label="rat"),
               Line2D([], [], marker="s", color="#1b9e77", linestyle="", label="human")]
    ax.set_yscale("log")
    ax.set_ylabel("total plasma concentration (ng/mL)")
    ax.set_xticks(x, labels, rotation=45, ha="right")
    ax.set_title("Concentrations vs therapeutic range")
    ax.legend(handles=[h for h in handles if h is not None], fontsize=7, loc="best")
    ax = axes[1]
    auc_u = np.r_[rat["auc_unbound_ng_h_mL"].to_numpy(float), human["auc_unbound_ng_h_mL"].to_numpy(float)]
    ax.bar(x, auc_u, color=colours)
    ax.set_yscale("log")
    ax.set_ylabel("unbound AUC (ng*h/mL)")
    ax.set_xticks(x, labels, rotation=45, ha="right")
    ax.set_title("Unbound AUC per dose (rat orange, human green)")
    fig.tight_layout()
    return fig


#: Largest occupancy heatmap panel whose cells are labelled with their value.
MAX_ANNOTATED_CELLS = 300


def plot_occupancy(occ: pd.DataFrame, bases=("cmax", "c_avg")):
    """Heatmap of occupancy (%), one panel per basis: receptors (rows: H1
    first, then the alpha2/5-HT2 mechanism receptors, then the rest) x
    species and dose (columns: rat effective doses, then human clinical
    doses at steady state), each cell annotated with its value."""
    import matplotlib.pyplot as plt

    data = occ.copy()
    data["key"] = data["receptor"].map(norm_name)
    data["column"] = [f"{s} {d:g} {u}" for s, d, u in zip(data["species"], data["dose"], data["dose_unit"])]
    columns = list(dict.fromkeys(data.sort_values(["species", "dose"], ascending=[False, True])["column"]))
    keys = receptor_order(data["key"])
    width = max(4.0, 0.75 * len(columns) + 2.5)
    fig, axes = plt.subplots(1, len(bases), figsize=(width * len(bases), 0.45 * max(len(keys), 1) + 2.6),
                             squeeze=False)
    titles = {"c_avg": "unbound Cavg (AUC / 24 h)", "cmax": "unbound Cmax"}
    roles = {"sedation": " (sedation)", "mechanism": " (mechanism)", "other": ""}
    image = None
    for ax, basis in zip(axes[0], bases):
        sub = data[data["basis"] == basis]
        if sub.empty:
            ax.text(0.5, 0.5, "no occupancy could be computed", ha="center", va="center")
            ax.set_axis_off()
            continue
        names = {k: sub.loc[sub["key"] == k, "receptor"].iloc[0] for k in keys if (sub["key"] == k).any()}
        grid = np.full((len(keys), len(columns)), np.nan)
        for _, r in sub.iterrows():
            grid[keys.index(r["key"]), columns.index(r["column"])] = 100 * r["occupancy"]
        image = ax.imshow(grid, cmap="viridis", vmin=0, vmax=100, aspect="auto")
        # Cell labels only while they can be read (and drawn in reasonable
        # time): a selectivity panel of hundreds of receptors is read from
        # the colours and translation/occupancy.csv.
        annotate = grid.size <= MAX_ANNOTATED_CELLS
        if not annotate:
            ax.set_xlabel(f"{np.isfinite(grid).sum()} cells; values in occupancy.csv", fontsize=8)
        for i in range(len(keys) if annotate else 0):
            for j in range(len(columns)):
                if np.isfinite(grid[i, j]):
                    ax.text(j, i, f"{grid[i, j]:.0f}", ha="center", va="center",
                            color="white" if grid[i, j] < 60 else "black", fontsize=8)
        first = ax is axes[0][0]
        ax.set_yticks(range(len(keys)), [names.get(k, k) + roles.get(RECEPTOR_ROLES.get(k, "other"), "")
                                         for k in keys] if first else [""] * len(keys))
        ax.set_xticks(range(len(columns)), columns, rotation=45, ha="right")
        n_rat = sum(c.startswith("rat ") for c in columns)
        if 0 < n_rat < len(columns):
            ax.axvline(n_rat - 0.5, color="white", linewidth=3)  # rat | human
        ax.set_title(f"Occupancy (%) at {titles.get(basis, basis)}", fontsize=10)
    if image is not None:
        fig.colorbar(image, ax=list(axes[0]), label="occupancy (%)", shrink=0.8)
    fig.suptitle("Receptor occupancy: rat at effective doses, human at clinical doses (steady state)",
                 fontsize=10)
    return fig
