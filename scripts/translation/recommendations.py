"""Design-aware recommendations: what was found and the concrete next step,
never a request for something the study already did (the
:class:`~scripts.translation.design.Design` says what it contains).

Each function returns ``(text, references)``, the references being
bibliography keys; the flag row carries both.
"""

from __future__ import annotations

import math

from scripts.translation.registry import sig, tests_text

#: Built-in efficacy tests a battery can add, by the domain they cover.
TEST_DOMAINS = {
    "sucrose_preference": "anhedonia (sucrose preference)",
    "elevated_plus_maze": "anxiety (elevated plus maze)",
    "fst": "behavioural despair (forced swim test)",
}


def exposure_matched_rat_dose(rat_conc_per_mg_kg, human_target, fu_rat, fu_human) -> float:
    """Rat dose (mg/kg) giving the human unbound concentration *human_target*
    (total, ng/mL, x *fu_human*) from the rat's measured dose-normalised
    total concentration (ng/mL per mg/kg), linear within the measured range."""
    if not (rat_conc_per_mg_kg and fu_rat and math.isfinite(rat_conc_per_mg_kg)):
        return float("nan")
    return float(human_target) * float(fu_human) / (float(rat_conc_per_mg_kg) * float(fu_rat))


def dose_to_match(match) -> str:
    """The sentence for a :func:`exposure_matched_rat_dose` result *match*
    (dict with rat_dose, route, human_dose, metric; empty dict -> "")."""
    if not match or not math.isfinite(match.get("rat_dose", float("nan"))):
        return ""
    return (
        f" To reach the human unbound {match['metric']} at {match['human_dose']:g} mg/day, give about "
        f"{sig(match['rat_dose'], 2)} mg/kg {match['route']} to rats (from the measured dose-normalised "
        f"exposure at {match['pk_dose']:g} mg/kg {match['route']}"
        + (
            "; outside the measured PK doses, so confirm by PK at that dose)."
            if match.get("outside")
            else ")."
        )
    )


def bioavailability(design, match) -> tuple:
    base = "Do not scale oral doses on mg/kg alone: rat and human oral bioavailability differ."
    if design.has_iv_arm:
        text = (
            base + " Rat F is measured (IV arm present); choose oral doses from the rat's measured exposure."
        )
    else:
        text = base + " Give the drug intravenously to a satellite group to measure rat F."
    return text + dose_to_match(match), []


def half_life(design, t_rat, tau_h) -> tuple:
    keep = (
        max(1, math.ceil(float(tau_h) / (2 * float(t_rat)))) if math.isfinite(t_rat) and t_rat > 0 else None
    )
    how = (
        "continuous delivery (osmotic minipump or drinking water) or dosing about every "
        f"{sig(2 * t_rat, 2)} h (two rat half-lives)"
        if keep
        else "continuous delivery (osmotic minipump or drinking water)"
    )
    if design.has_chronic_arm:
        text = (
            "The chronic arm's once-daily dosing does not sustain exposure in the rat: for steady "
            f"exposure like the human's, use {how}, and time each test to the measured profile."
        )
    else:
        text = f"Add a chronic arm with {how}: clinical effects need weeks of sustained exposure."
    return text, []


def metabolite_absent_by_lloq(analyte, lloq, expected) -> tuple:
    return (
        f"{analyte}: not detected with LLOQ {lloq} ng/mL, which is above the concentration expected "
        f"from the human metabolite ratio (about {sig(expected, 2)} ng/mL); a more sensitive assay "
        "would be needed to conclude absence.",
        [],
    )


def metabolite(design, analytes) -> tuple:
    names = ", ".join(analytes) or "the human metabolites"
    if design.metabolites_measured:
        return (
            f"Metabolites were measured ({', '.join(design.analytes_measured)}); interpret {names} with the "
            "assay sensitivity in mind and, for a major human metabolite (FDA MIST: above 10% of "
            "total drug-related exposure), test its activity at the receptors of interest.",
            ["fda2020_mist"],
        )
    return (f"Measure {names} in rat plasma beside the parent.", ["fda2020_mist"])


def dose_scaling(match) -> tuple:
    return (
        "Body-surface-area scaling and exposure matching disagree: choose rat doses from measured "
        "exposure, not from mg/kg or body-surface area." + dose_to_match(match),
        ["fda2005_mrsd"],
    )


def occupancy(basis) -> tuple:
    return (
        f"Rat and human occupancy differ on the {basis} basis: measure occupancy ex vivo at the time of "
        "the behavioural test, or choose the rat dose that reproduces the human occupancy.",
        [],
    )


def confound(class_id, design, tests=("fst",)) -> tuple:
    """The next step for a confound class; *tests* are the efficacy tests of
    the flag's rows (the FST and/or declared extra tests)."""
    names = tests_text(list(tests))
    if class_id == "possible_false_positive":
        what = (
            "Hyperlocomotion can fake lower immobility"
            if list(tests) == ["fst"]
            else ("The locomotor change can fake the effect")
        )
        text = (
            f"{what}: report the {names} result as confounded and confirm it at a dose without a "
            "locomotor change or in a test insensitive to locomotion"
            + (" (sucrose preference)" if "sucrose_preference" not in design.tests else "")
            + "."
        )
        return text, ["porsolt1977_nature"]
    if class_id in ("effect_despite_sedation", "effect_despite_hyperactivity"):
        change = "Hypolocomotion" if class_id == "effect_despite_sedation" else "Hyperlocomotion"
        finding = "sedation" if class_id == "effect_despite_sedation" else "hyperactivity"
        return (
            f"{change} works against the {names} effect, so the effect is conservative. Report the "
            f"{finding} as a tolerability finding at this dose and regimen.",
            ["porsolt1977_nature"],
        )
    if class_id in ("sedation_may_mask", "hyperactivity_may_mask"):
        change = "Sedation" if class_id == "sedation_may_mask" else "Hyperactivity"
        return (
            f"{change} can mask an antidepressant-like effect, so a negative {names} result at this dose "
            "is uninterpretable. Test lower doses"
            + ("" if design.has_chronic_arm else f" or after repeated dosing (tolerance to {change.lower()})")
            + ".",
            ["porsolt1977_nature"],
        )
    return (
        "Add an open field at the same doses, regimen and dose-to-test interval as the efficacy test.",
        ["porsolt1977_nature"],
    )


def single_model(design) -> tuple:
    missing = [text for test, text in TEST_DOMAINS.items() if test not in design.tests]
    return "Add tests of other domains: " + ", ".join(missing or ["a stress-based model"]) + ".", []


def acute_only() -> tuple:
    return "Add a chronic regimen (weeks of daily dosing): clinical effects need weeks of treatment.", []


def species_ki(design, receptor) -> tuple:
    if design.has_human_receptors:
        return (
            f"{receptor}: rat occupancy uses the rat Ki and human occupancy the human Ki (both measured); "
            "compare occupancies, not doses, across species.",
            [],
        )
    return (f"{receptor}: measure the human receptor beside the rat one before translating.", [])


def single_experiment() -> tuple:
    return ("Repeat the binding assay in independent experiments (at least three) to give the Ki a CI.", [])


def extrapolated(dose, route) -> tuple:
    return (
        f"Measure PK at {dose:g} mg/kg {route}: exposure outside the tested dose range is a range from the "
        "power model, not a measurement.",
        ["smith2000"],
    )


def fu_assumed() -> tuple:
    return (
        "Measure the rat plasma fraction unbound (e.g. equilibrium dialysis): unbound exposure and "
        "occupancy depend on it.",
        [],
    )


def route_mismatch(treatment, route) -> tuple:
    return (f"Add a vehicle group given {route}, or give {treatment} by the vehicle's route.", [])


def single_sex(sex) -> tuple:
    other = {"M": "female", "F": "male"}.get(sex, "the other sex")
    return (f"Include {other} animals: the result holds for one sex only.", [])
