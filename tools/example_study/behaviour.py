"""Behaviour battery of the example study (open field, elevated plus maze,
sucrose preference, forced swim test): design, simulated raw files and
ground-truth entries."""

from __future__ import annotations

import math

import numpy as np

from .common import SEED, csv_text, one_decimal, rng_for, sigf
from .exposure_response import (
    FST_EC50_UNBOUND_NM,
    FST_EMAX_S,
    exposure_response_truth,
    unbound_nM_at_test,
)
from .realised import realised_behaviour

# ---------------------------------------------------------------------------
# Behaviour ground truth
# ---------------------------------------------------------------------------

GROUPS = [  # (treatment, dose_mg_kg, route)
    ("vehicle", 0, "po"),
    ("mirtazapine", 1, "po"),  # the fourth dose level: exposure-response is estimable
    ("mirtazapine", 3, "po"),
    ("mirtazapine", 10, "po"),
    ("mirtazapine", 30, "po"),
    ("imipramine", 15, "ip"),
]
REGIMENS = {"acute": 1, "chronic": 21}
# n = 12 (the top of the 8–12 the design allows): at n = 10 this seed's acute
# FST effects happened not to reach significance after Dunnett's adjustment.
N_PER_GROUP = 12
COHORTS_PER_REGIMEN = 2
STRAIN = "Sprague-Dawley"

# FST: per-minute vehicle immobility (s of each 60-s minute); last 4 minutes
# sum to 161 s of 240 s. Drug effects are shifts of the last-4-min total (s),
# applied proportionally to every minute.
FST_VEHICLE_PROFILE = [12.0, 28.0, 36.0, 40.0, 42.0, 43.0]
FST_SD_LAST4 = 25.0
FST_MINUTE_NOISE_SD = 2.5
# Every other group's change vs vehicle (s) is constructed per group; chronic
# effects reflect neuroadaptation, not an exposure-response.
FST_DELTA_S = {  # (treatment, dose) -> {regimen: change vs vehicle, s}; acute mirtazapine: see fst_delta
    ("vehicle", 0): {"acute": 0.0, "chronic": 0.0},
    ("mirtazapine", 1): {"chronic": 0.0},
    ("mirtazapine", 3): {"chronic": 0.0},
    ("mirtazapine", 10): {"chronic": -40.0},
    ("mirtazapine", 30): {"chronic": -55.0},
    ("imipramine", 15): {"acute": -45.0, "chronic": -60.0},
}


def fst_delta(treatment: str, dose: float, regimen: str) -> float:
    """True change of last-4-min immobility vs vehicle (s)."""
    if treatment == "mirtazapine" and regimen == "acute":
        cu = unbound_nM_at_test(dose)
        return FST_EMAX_S * cu / (FST_EC50_UNBOUND_NM + cu)
    return FST_DELTA_S[(treatment, dose)][regimen]


OF_VEHICLE_MEAN_CM = 3500.0
OF_CV = 0.13
OF_FACTOR = {("mirtazapine", 30, "acute"): 0.60}  # everything else 1.0

SPT_VEHICLE_PREFERENCE = 0.76
SPT_SD = 0.07
SPT_TOTAL_ML_MEAN = 32.0
SPT_TOTAL_ML_SD = 5.0
SPT_DELTA = {  # (treatment, dose, regimen) -> preference change (fraction)
    ("mirtazapine", 10, "chronic"): 0.08,
    ("mirtazapine", 30, "chronic"): 0.10,
    ("imipramine", 15, "chronic"): 0.07,
}

EPM_TEST_S = 300.0
EPM_VEHICLE_OPEN_PCT = 0.20  # open / (open + closed) arm time
EPM_SD = 0.07
EPM_DELTA = {  # (treatment, dose) -> open-arm-time fraction change, both regimens
    ("mirtazapine", 10): 0.06,
    ("mirtazapine", 30): 0.08,
}
EPM_ENTRIES_MEAN = 16.0
EPM_ENTRIES_FACTOR = {("mirtazapine", 30, "acute"): 0.65}  # sedation

# Exclusions: (test, regimen, treatment, dose, index within group, reason,
# keep_values). keep_values=True: the value was recorded but must not be used.
EXCLUSIONS = [
    ("fst", "acute", "vehicle", 0, 2, "climbed out of cylinder", False),
    ("fst", "chronic", "mirtazapine", 10, 5, "floated/climbed out of cylinder (supported on wall)", True),
    ("fst", "chronic", "vehicle", 0, 7, "died before test", False),
    ("open_field", "acute", "imipramine", 15, 4, "video file corrupted", False),
    ("sucrose_preference", "chronic", "mirtazapine", 30, 1, "sucrose bottle leaked", True),
]

# ---------------------------------------------------------------------------
# Column contracts (raw input format)
# ---------------------------------------------------------------------------

BEHAVIOUR_COMMON = [
    "animal_id",
    "species",
    "sex",
    "treatment",
    "dose_mg_kg",
    "route",
    "regimen",
    "days_dosed",
    "strain",
    "cohort",
    "excluded",
    "exclusion_reason",
]
BEHAVIOUR_ENDPOINTS = {
    "fst": [f"immobility_min{i}" for i in range(1, 7)],
    "open_field": ["distance_cm"],
    "sucrose_preference": ["sucrose_ml", "water_ml"],
    "elevated_plus_maze": ["open_arm_time_s", "closed_arm_time_s", "open_arm_entries", "closed_arm_entries"],
}


# ---------------------------------------------------------------------------
# Behaviour
# ---------------------------------------------------------------------------


def allocate_animals(seed: int = SEED) -> list[dict]:
    """Block-randomised allocation: per regimen, two cohorts of 30 rats, each
    with 6 animals of every group in random order. The same rats run the
    whole battery (open field, EPM, sucrose preference, then FST)."""
    rng = rng_for("allocation", seed)
    animals = []
    per_cohort = N_PER_GROUP // COHORTS_PER_REGIMEN
    for regimen, days in REGIMENS.items():
        prefix = regimen[0].upper()
        number = 0
        within_group = {g: 0 for g in range(len(GROUPS))}
        for cohort in range(1, COHORTS_PER_REGIMEN + 1):
            block = np.repeat(np.arange(len(GROUPS)), per_cohort)
            rng.shuffle(block)
            for g in block:
                number += 1
                treatment, dose, route = GROUPS[g]
                animals.append(
                    dict(
                        animal_id=f"{prefix}{number:03d}",
                        treatment=treatment,
                        dose=dose,
                        route=route,
                        regimen=regimen,
                        days=days,
                        cohort=f"{prefix}{cohort}",
                        index=within_group[g],
                    )
                )
                within_group[g] += 1
    return animals


def exclusion_for(test: str, animal: dict):
    for e_test, regimen, treatment, dose, index, reason, keep in EXCLUSIONS:
        if (e_test, regimen, treatment, dose, index) == (
            test,
            animal["regimen"],
            animal["treatment"],
            animal["dose"],
            animal["index"],
        ):
            return reason, keep
    return None


def fst_values(rng, animal) -> list[str]:
    delta = fst_delta(animal["treatment"], animal["dose"], animal["regimen"])
    base_last4 = sum(FST_VEHICLE_PROFILE[2:])
    target = base_last4 + delta + rng.normal(0.0, FST_SD_LAST4)
    scale = max(target, 0.0) / base_last4
    minutes = np.array(FST_VEHICLE_PROFILE) * scale + rng.normal(0.0, FST_MINUTE_NOISE_SD, 6)
    return [one_decimal(x) for x in np.clip(minutes, 0.0, 60.0)]


def open_field_values(rng, animal) -> list[str]:
    factor = OF_FACTOR.get((animal["treatment"], animal["dose"], animal["regimen"]), 1.0)
    return [one_decimal(OF_VEHICLE_MEAN_CM * factor * math.exp(rng.normal(0.0, OF_CV)))]


def sucrose_values(rng, animal) -> list[str]:
    delta = SPT_DELTA.get((animal["treatment"], animal["dose"], animal["regimen"]), 0.0)
    preference = float(np.clip(SPT_VEHICLE_PREFERENCE + delta + rng.normal(0.0, SPT_SD), 0.35, 0.97))
    total = max(rng.normal(SPT_TOTAL_ML_MEAN, SPT_TOTAL_ML_SD), 12.0)
    sucrose = round(total * preference, 1)
    water = round(total - sucrose, 1)
    return [one_decimal(sucrose), one_decimal(water)]


def epm_values(rng, animal) -> list[str]:
    delta = EPM_DELTA.get((animal["treatment"], animal["dose"]), 0.0)
    open_pct = float(np.clip(EPM_VEHICLE_OPEN_PCT + delta + rng.normal(0.0, EPM_SD), 0.01, 0.7))
    centre = float(np.clip(rng.normal(45.0, 10.0), 20.0, 80.0))
    arms = EPM_TEST_S - centre
    open_time = round(arms * open_pct, 1)
    closed_time = round(arms - open_time, 1)
    factor = EPM_ENTRIES_FACTOR.get((animal["treatment"], animal["dose"], animal["regimen"]), 1.0)
    entries = max(int(rng.poisson(EPM_ENTRIES_MEAN * factor)), 2)
    p_open = float(np.clip(open_pct + 0.10 + rng.normal(0.0, 0.05), 0.02, 0.9))
    open_entries = max(int(rng.binomial(entries, p_open)), 1)
    closed_entries = max(entries - open_entries, 1)
    return [one_decimal(open_time), one_decimal(closed_time), str(open_entries), str(closed_entries)]


BEHAVIOUR_SIMULATORS = {
    "open_field": open_field_values,
    "elevated_plus_maze": epm_values,
    "sucrose_preference": sucrose_values,
    "fst": fst_values,
}


def generate_behaviour(seed: int = SEED) -> dict[str, str]:
    animals = allocate_animals(seed)
    files = {}
    for test, simulate in BEHAVIOUR_SIMULATORS.items():
        rows = []
        for animal in animals:
            # Each animal's values come from its own stream, keyed by test,
            # group and place in the group: adding a group or an animal does
            # not change any other animal's values.
            key = f"{test}/{animal['regimen']}/{animal['treatment']}/{animal['dose']}/{animal['index']}"
            values = simulate(rng_for("behaviour", seed, key=key), animal)
            excluded = exclusion_for(test, animal)
            if excluded is not None and not excluded[1]:
                values = [""] * len(values)
            rows.append(
                [
                    animal["animal_id"],
                    "rat",
                    "M",
                    animal["treatment"],
                    str(animal["dose"]),
                    animal["route"],
                    animal["regimen"],
                    str(animal["days"]),
                    STRAIN,
                    animal["cohort"],
                    "true" if excluded else "false",
                    excluded[0] if excluded else "",
                ]
                + values
            )
        files[f"behaviour/{test}.csv"] = csv_text(BEHAVIOUR_COMMON + BEHAVIOUR_ENDPOINTS[test], rows)
    return files


def behaviour_truth(seed: int, files: dict[str, str]) -> dict:
    groups = [dict(treatment=t, dose_mg_kg=d, route=r) for t, d, r in GROUPS]
    fst = []
    base = sum(FST_VEHICLE_PROFILE[2:])
    for treatment, dose, _ in GROUPS:
        for regimen in REGIMENS:
            delta = sigf(fst_delta(treatment, dose, regimen))
            fst.append(
                dict(
                    treatment=treatment,
                    dose_mg_kg=dose,
                    regimen=regimen,
                    true_mean_last4_s=base + delta,
                    delta_vs_vehicle_s=delta,
                    cohens_d=sigf(delta / FST_SD_LAST4, 3),
                )
            )
    of = []
    spt = []
    epm = []
    for treatment, dose, _ in GROUPS:
        for regimen in REGIMENS:
            factor = OF_FACTOR.get((treatment, dose, regimen), 1.0)
            of.append(
                dict(
                    treatment=treatment,
                    dose_mg_kg=dose,
                    regimen=regimen,
                    true_median_distance_cm=sigf(OF_VEHICLE_MEAN_CM * factor),
                    ratio_to_vehicle=factor,
                )
            )
            delta = SPT_DELTA.get((treatment, dose, regimen), 0.0)
            spt.append(
                dict(
                    treatment=treatment,
                    dose_mg_kg=dose,
                    regimen=regimen,
                    true_mean_preference_pct=sigf(100 * (SPT_VEHICLE_PREFERENCE + delta)),
                    delta_vs_vehicle_points=sigf(100 * delta),
                )
            )
            delta = EPM_DELTA.get((treatment, dose), 0.0)
            epm.append(
                dict(
                    treatment=treatment,
                    dose_mg_kg=dose,
                    regimen=regimen,
                    true_mean_open_arm_time_pct=sigf(100 * (EPM_VEHICLE_OPEN_PCT + delta)),
                    delta_vs_vehicle_points=sigf(100 * delta),
                    entries_factor=EPM_ENTRIES_FACTOR.get((treatment, dose, regimen), 1.0),
                )
            )
    animals = allocate_animals(seed)
    exclusions = []
    for test, regimen, treatment, dose, index, reason, keep in EXCLUSIONS:
        animal = next(
            a
            for a in animals
            if (a["regimen"], a["treatment"], a["dose"], a["index"]) == (regimen, treatment, dose, index)
        )
        exclusions.append(
            dict(
                test=test,
                animal_id=animal["animal_id"],
                regimen=regimen,
                treatment=treatment,
                dose_mg_kg=dose,
                reason=reason,
                values_recorded=keep,
            )
        )
    return dict(
        design=dict(
            species="rat",
            strain=STRAIN,
            sex="M",
            groups=groups,
            regimens=dict(REGIMENS),
            n_per_group=N_PER_GROUP,
            animals_per_regimen=N_PER_GROUP * len(GROUPS),
            cohorts_per_regimen=COHORTS_PER_REGIMEN,
            note="same rats run the whole battery within a regimen; acute and "
            "chronic arms are separate animals; no cohort effect simulated",
        ),
        fst=dict(
            scored_window_min=[3, 6],
            vehicle_per_minute_profile_s=FST_VEHICLE_PROFILE,
            between_animal_sd_last4_s=FST_SD_LAST4,
            minute_noise_sd_s=FST_MINUTE_NOISE_SD,
            effect="immobility decreased by mirtazapine and imipramine, stronger after "
            "chronic dosing; acute mirtazapine effect from an Emax model of the "
            "unbound plasma concentration at the test time (exposure_response)",
            exposure_response=exposure_response_truth(
                [dose for treatment, dose, _ in GROUPS if treatment == "mirtazapine"],
                lambda dose: fst_delta("mirtazapine", dose, "acute"),
            ),
            groups=fst,
            sources=["fst_practice", "constructed"],
        ),
        open_field=dict(
            session_min=10,
            between_animal_cv=OF_CV,
            groups=of,
            effect="sedation: distance about -40% at mirtazapine 30 mg/kg "
            "ACUTE only; tolerance after chronic dosing (no effect)",
            sources=["seed_sedation", "constructed"],
        ),
        sucrose_preference=dict(
            between_animal_sd_points=100 * SPT_SD,
            total_intake_ml_mean=SPT_TOTAL_ML_MEAN,
            total_intake_ml_sd=SPT_TOTAL_ML_SD,
            groups=spt,
            effect="preference higher after CHRONIC mirtazapine 10 and "
            "30 mg/kg (and imipramine); no acute effect",
            sources=["constructed"],
        ),
        elevated_plus_maze=dict(
            test_s=EPM_TEST_S,
            between_animal_sd_points=100 * EPM_SD,
            entries_mean=EPM_ENTRIES_MEAN,
            groups=epm,
            effect="open-arm time % modestly higher at mirtazapine 10 and "
            "30 mg/kg (both regimens); fewer entries at 30 mg/kg "
            "acute (sedation)",
            sources=["constructed"],
        ),
        exclusions=exclusions,
        realised_sample_means=realised_behaviour(files),
        realised_note="sample means of the generated data; they differ from the true "
        "means by sampling noise (n = 12), e.g. a true effect need not "
        "reach significance in this sample",
    )
