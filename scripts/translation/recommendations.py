"""The remedy quoted in ``flags.csv`` for each translational problem."""

from __future__ import annotations

#: Remedy per flag name. ``{metabolites}`` is filled with the human
#: metabolites of the reference.
RECOMMENDATIONS = {
    "bioavailability mismatch": (
        "Do not scale doses on mg/kg alone: measure plasma concentrations in the animal "
        "model, give the drug intravenously to a satellite group to determine absolute "
        "bioavailability, and adjust oral doses to match human therapeutic exposure."
    ),
    "metabolite profile difference": (
        "Analyse animal plasma for the parent drug and its major metabolites{metabolites} "
        "to see whether a different metabolite profile could explain differences in efficacy "
        "or side effects."
    ),
    "half-life mismatch": (
        "Base the animal dose and schedule on the animal's own pharmacokinetic data and use "
        "chronic dosing paradigms that mimic the clinical situation; once-daily dosing in "
        "the rat does not reproduce sustained human exposure."
    ),
    "dose-scaling disagreement": (
        "Do not scale doses on mg/kg (or body-surface area) alone: choose animal doses "
        "from measured plasma exposure matched to human therapeutic exposure."
    ),
    "occupancy mismatch": (
        "Run dose-response studies and, where possible, measure in vivo receptor "
        "occupancy (e.g. PET); relate occupancy to both therapeutic-like effects and side "
        "effects."
    ),
    "sedation confound at an effective dose": (
        "Run locomotor controls (open field) at the same doses as the efficacy test to "
        "separate antidepressant-like effects from sedation; sedation at >= 30 mg/kg is "
        "reported to be transient with chronic dosing."
    ),
    "stimulant artefact at an effective dose": (
        "Run locomotor controls (open field) at the same doses as the efficacy test: "
        "increased locomotion can masquerade as an antidepressant-like effect."
    ),
    "no locomotor control at an effective dose": (
        "Run locomotor controls (open field) at the same doses used in the efficacy models."
    ),
    "single-model reliance": (
        "Use a battery of tests covering several domains: anhedonia (sucrose preference), "
        "anxiety (elevated plus maze) and cognition; consider stress-induced models."
    ),
    "acute-only design": (
        "Implement chronic dosing paradigms that mimic the clinical situation: clinical "
        "effects need weeks of treatment."
    ),
    "species Ki difference": (
        "Use cell lines expressing the human receptors for in vitro binding and functional "
        "assays to confirm the pharmacological profile before moving into in vivo animal "
        "studies."
    ),
    "rat fraction unbound assumed": (
        "Measure the rat plasma fraction unbound: unbound exposures and occupancies depend "
        "on it; determine the actual plasma concentrations achieved in the animal model."
    ),
    "rat exposure extrapolated": (
        "Perform pharmacokinetic studies at the doses and by the route used in the "
        "behavioural experiments to determine the plasma concentrations actually achieved."
    ),
}


def recommendation(flag: str, metabolites=()) -> str:
    """The remedy for *flag*, naming *metabolites* (human metabolites of the
    reference) where the text refers to them."""
    names = f" ({', '.join(metabolites)})" if metabolites else ""
    return RECOMMENDATIONS[flag].replace("{metabolites}", names)
