"""Rat pharmacokinetics of the example study: the one-compartment parent and
formation-limited desmethylmirtazapine model, the simulated concentration
file and its ground-truth entries."""

from __future__ import annotations

import math

import numpy as np
from scipy.linalg import expm

from .common import SEED, csv_text, rng_for, sig, sigf

# ---------------------------------------------------------------------------
# PK ground truth (rat, one-compartment parent, formation-limited metabolite)
# ---------------------------------------------------------------------------

MW_PARENT = 265.36
MW_DESMETHYL = 251.33

PK_TRUTH = dict(
    cl_L_h_kg=3.0,  # high clearance, near rat hepatic blood flow
    v_L_kg=10.0,  # large volume, lipophilic base
    ka_per_h=1.5,
    f_oral=0.07,
    fm_desmethyl=0.25,  # fraction of parent clearance forming desmethyl
    cl_m_L_h_kg=1.8,  # desmethylmirtazapine clearance
    v_m_L_kg=4.0,
    bsv_cv=0.20,  # between-animal variability on CL and V
    residual_cv=0.10,  # proportional residual error
    lloq_ng_mL=1.0,
)
ORAL_TIMES_H = [0.25, 0.5, 1, 2, 4, 6, 8, 12, 24]
PK_GROUPS = [  # (route, dose_mg_kg, times_h); later groups draw after earlier ones
    ("iv", 2.0, [0.083, 0.25, 0.5, 1, 2, 4, 6, 8, 12, 24]),
    ("po", 2.0, ORAL_TIMES_H),
    ("po", 10.0, ORAL_TIMES_H),
    # PK at the behavioural doses, so exposure at test time is measured, not
    # extrapolated (10 mg/kg above).
    ("po", 1.0, ORAL_TIMES_H),
    ("po", 3.0, ORAL_TIMES_H),
    ("po", 30.0, ORAL_TIMES_H),
]
PK_N_PER_GROUP = 6

# Chronic satellite: the same rats dosed once daily for 21 days, sampled over
# day 1 and day 21 with pre-dose troughs, in their own file with the dosing
# records in pk/dosing.csv. Systemic clearance rises with auto-induction,
# CL(day) = CL * (1 + max * (1 - exp(-rate * (day - 1)))), constant within a
# day (a constructed value: mirtazapine is not a known strong auto-inducer).
CHRONIC = dict(
    dose_mg_kg=10.0,
    n_animals=6,
    n_days=21,
    tau_h=24.0,
    induction_max=0.4,
    induction_rate_per_day=0.25,
    profile_days=[1, 21],
    profile_times_h=[0.25, 0.5, 1, 2, 4, 6, 8, 12],
    trough_days=[2, 7, 14, 21],  # pre-dose samples, before that day's dose
)
PK_ANALYTES = ["mirtazapine", "desmethylmirtazapine", "8-hydroxymirtazapine"]

# ---------------------------------------------------------------------------
# Column contracts (raw input format)
# ---------------------------------------------------------------------------

PK_COLUMNS = [
    "animal_id",
    "species",
    "body_weight_kg",
    "route",
    "dose_mg_kg",
    "analyte",
    "time_h",
    "concentration_ng_mL",
    "lloq_ng_mL",
]


DOSING_COLUMNS = ["animal_id", "time_h", "dose_mg_kg", "route"]

# ---------------------------------------------------------------------------
# PK
# ---------------------------------------------------------------------------


def pk_profiles(
    route: str, dose_mg_kg: float, times_h, cl=None, v=None, ka=None, f=None, fm=None, cl_m=None, v_m=None
):
    """Noise-free parent and desmethylmirtazapine plasma concentrations (ng/mL).

    Linear model on amounts (ug/kg): gut -ka-> central parent (V, CL);
    a fraction fm of parent clearance forms desmethylmirtazapine (mass scaled
    by the molecular-weight ratio), cleared with cl_m from volume v_m. Oral
    doses enter the gut multiplied by F; the lost fraction forms nothing
    (a stated simplification). Defaults are the PK_TRUTH values.
    """
    t = PK_TRUTH
    cl = t["cl_L_h_kg"] if cl is None else cl
    v = t["v_L_kg"] if v is None else v
    ka = t["ka_per_h"] if ka is None else ka
    f = t["f_oral"] if f is None else f
    fm = t["fm_desmethyl"] if fm is None else fm
    cl_m = t["cl_m_L_h_kg"] if cl_m is None else cl_m
    v_m = t["v_m_L_kg"] if v_m is None else v_m
    k, k_m = cl / v, cl_m / v_m
    rates = np.array([[-ka, 0.0, 0.0], [ka, -k, 0.0], [0.0, fm * k * MW_DESMETHYL / MW_PARENT, -k_m]])
    dose_ug = dose_mg_kg * 1000.0
    start = np.array([f * dose_ug, 0.0, 0.0]) if route == "po" else np.array([0.0, dose_ug, 0.0])
    times = np.asarray(times_h, dtype=float)
    amounts = _solve_linear(rates, start, times)
    return amounts[:, 1] / v, amounts[:, 2] / v_m


def _solve_linear(rates: np.ndarray, start: np.ndarray, times: np.ndarray) -> np.ndarray:
    """x(t) = expm(rates t) x0 for every t (rows). Uses the eigen-decomposition
    (rates is triangular with distinct rate constants in practice) and falls
    back to scipy's expm per time point when eigenvalues coincide."""
    eigenvalues = np.diag(rates)
    if np.min(np.abs(np.subtract.outer(eigenvalues, eigenvalues) + np.eye(len(eigenvalues)))) > 1e-6:
        values, vectors = np.linalg.eig(rates)
        coefficients = np.linalg.solve(vectors, start)
        return np.real(np.exp(np.outer(times, values)) * coefficients) @ np.real(vectors).T
    return np.array([expm(rates * t) @ start for t in times])


def induction_factor(day: int) -> float:
    """Clearance on *day* (1 = first dosing day) relative to day 1."""
    c = CHRONIC
    return 1.0 + c["induction_max"] * (1.0 - math.exp(-c["induction_rate_per_day"] * (day - 1)))


def chronic_profiles(times_h, cl=None, v=None):
    """Noise-free parent and desmethylmirtazapine concentrations (ng/mL) at
    *times_h* (h from the first dose) of once-daily oral dosing with
    auto-induction: the linear system of :func:`pk_profiles`, integrated day
    by day with that day's clearance (metabolite formation follows the
    parent's clearance). A sample at a dose time is taken before the dose."""
    t = PK_TRUTH
    cl = t["cl_L_h_kg"] if cl is None else cl
    v = t["v_L_kg"] if v is None else v
    c = CHRONIC
    times = np.asarray(times_h, dtype=float)
    out = np.zeros((times.size, 3))
    state = np.zeros(3)
    k_m = t["cl_m_L_h_kg"] / t["v_m_L_kg"]
    for day in range(1, c["n_days"] + 2):
        start = (day - 1) * c["tau_h"]
        k = cl * induction_factor(min(day, c["n_days"])) / v
        rates = np.array(
            [
                [-t["ka_per_h"], 0.0, 0.0],
                [t["ka_per_h"], -k, 0.0],
                [0.0, t["fm_desmethyl"] * k * MW_DESMETHYL / MW_PARENT, -k_m],
            ]
        )
        # The sample at this day's start is the previous day's end (pre-dose).
        at_start = np.isclose(times, start)
        out[at_start] = state
        if day > c["n_days"]:
            break
        state = state + np.array([t["f_oral"] * c["dose_mg_kg"] * 1000.0, 0.0, 0.0])
        inside = (times > start + 1e-9) & (times < start + c["tau_h"] + 1e-9)
        if inside.any():
            out[inside] = _solve_linear(rates, state, times[inside] - start)
        state = _solve_linear(rates, state, np.array([c["tau_h"]]))[0]
    return out[:, 1] / v, out[:, 2] / t["v_m_L_kg"]


def chronic_times() -> list[float]:
    """Sampling times of the chronic satellite (h from the first dose)."""
    c = CHRONIC
    times = {(d - 1) * c["tau_h"] for d in c["trough_days"]} | {0.0}
    for day in c["profile_days"]:
        times |= {(day - 1) * c["tau_h"] + r for r in c["profile_times_h"]}
    times.add(c["n_days"] * c["tau_h"])  # trough at the end of the last interval
    return sorted(times)


def _rows(animal_id, weight, route, dose, times, observed, lloq):
    rows = []
    for analyte in PK_ANALYTES:
        for time, conc in zip(times, observed[analyte]):
            text = sig(conc) if conc >= lloq else "BLQ"
            rows.append(
                [animal_id, "rat", f"{weight:.3f}", route, sig(dose), analyte, sig(time, 6), text, sig(lloq)]
            )
    return rows


def generate_chronic(seed: int = SEED) -> tuple[list[list[str]], list[list[str]], list[dict]]:
    """Concentration rows, dosing rows and true parameters of the chronic
    satellite (its own keyed random stream)."""
    rng = rng_for("pk", seed, key="chronic")
    t, c = PK_TRUTH, CHRONIC
    omega = math.sqrt(math.log(1.0 + t["bsv_cv"] ** 2))
    sigma = math.sqrt(math.log(1.0 + t["residual_cv"] ** 2))
    times = chronic_times()
    rows, dosing, animals = [], [], []
    for number in range(1, c["n_animals"] + 1):
        animal_id = f"PKC{number:02d}"
        weight = round(float(rng.uniform(0.250, 0.320)), 3)
        cl = t["cl_L_h_kg"] * math.exp(rng.normal(0.0, omega))
        v = t["v_L_kg"] * math.exp(rng.normal(0.0, omega))
        parent, metabolite = chronic_profiles(times, cl=cl, v=v)
        observed = {
            "mirtazapine": parent * np.exp(rng.normal(0.0, sigma, len(times))),
            "desmethylmirtazapine": metabolite * np.exp(rng.normal(0.0, sigma, len(times))),
            "8-hydroxymirtazapine": np.zeros(len(times)),
        }
        rows += _rows(animal_id, weight, "po", c["dose_mg_kg"], times, observed, t["lloq_ng_mL"])
        dosing += [
            [animal_id, sig(d * c["tau_h"], 6), sig(c["dose_mg_kg"]), "po"] for d in range(c["n_days"])
        ]
        animals.append(
            dict(
                animal_id=animal_id,
                route="po",
                dose_mg_kg=c["dose_mg_kg"],
                regimen="chronic",
                body_weight_kg=weight,
                cl_L_h_kg=sigf(cl),
                v_L_kg=sigf(v),
            )
        )
    return rows, dosing, animals


def generate_pk(seed: int = SEED) -> tuple[dict[str, str], list[dict]]:
    """Returns the PK file and the per-animal true parameters."""
    rng = rng_for("pk", seed)
    t = PK_TRUTH
    omega = math.sqrt(math.log(1.0 + t["bsv_cv"] ** 2))
    sigma = math.sqrt(math.log(1.0 + t["residual_cv"] ** 2))
    rows, animals, dosing = [], [], []
    number = 0
    for route, dose, times in PK_GROUPS:
        for _ in range(PK_N_PER_GROUP):
            number += 1
            animal_id = f"PK{number:02d}"
            weight = round(float(rng.uniform(0.250, 0.320)), 3)
            cl = t["cl_L_h_kg"] * math.exp(rng.normal(0.0, omega))
            v = t["v_L_kg"] * math.exp(rng.normal(0.0, omega))
            parent, metabolite = pk_profiles(route, dose, times, cl=cl, v=v)
            animals.append(
                dict(
                    animal_id=animal_id,
                    route=route,
                    dose_mg_kg=dose,
                    body_weight_kg=weight,
                    cl_L_h_kg=sigf(cl),
                    v_L_kg=sigf(v),
                )
            )
            observed = {
                "mirtazapine": parent * np.exp(rng.normal(0.0, sigma, len(times))),
                "desmethylmirtazapine": metabolite * np.exp(rng.normal(0.0, sigma, len(times))),
                "8-hydroxymirtazapine": np.zeros(len(times)),  # not detected in rat (rouini2014)
            }
            rows += _rows(animal_id, weight, route, dose, times, observed, t["lloq_ng_mL"])
            dosing.append([animal_id, "0", sig(dose), route])
    chronic_rows, chronic_dosing, chronic_animals = generate_chronic(seed)
    files = {
        "pk/rat_mirtazapine.csv": csv_text(PK_COLUMNS, rows),
        "pk/rat_mirtazapine_chronic.csv": csv_text(PK_COLUMNS, chronic_rows),
        "pk/dosing.csv": csv_text(DOSING_COLUMNS, dosing + chronic_dosing),
    }
    return files, animals + chronic_animals


def chronic_truth() -> dict:
    """Ground truth of the chronic satellite: the typical animal's AUCτ on
    day 1 and day 21 (noise-free model, fine grid) and their ratio."""
    c = CHRONIC
    t = PK_TRUTH
    aucs = {}
    for day in (1, c["n_days"]):
        start = (day - 1) * c["tau_h"]
        grid = np.linspace(start, start + c["tau_h"], 4801)
        parent, _ = chronic_profiles(np.r_[grid[0] + 1e-7, grid[1:]])
        aucs[day] = float(np.trapezoid(parent, grid))
    k = t["cl_L_h_kg"] / t["v_L_kg"]
    return dict(
        file="pk/rat_mirtazapine_chronic.csv",
        dosing_file="pk/dosing.csv",
        route="po",
        dose_mg_kg=c["dose_mg_kg"],
        n_animals=c["n_animals"],
        n_days=c["n_days"],
        tau_h=c["tau_h"],
        sampled_profile_days=c["profile_days"],
        predose_trough_days=c["trough_days"],
        auto_induction=dict(
            model="CL(day) = CL * (1 + max * (1 - exp(-rate * (day - 1)))), constant within a day",
            max=c["induction_max"],
            rate_per_day=c["induction_rate_per_day"],
            clearance_factor_day21=sigf(induction_factor(c["n_days"])),
            source="constructed (so that the true accumulation ratio is not trivially 1)",
        ),
        true_auc_tau_day1_ng_h_mL=sigf(aucs[1]),
        true_auc_tau_day21_ng_h_mL=sigf(aucs[c["n_days"]]),
        true_accumulation_ratio_auc=sigf(aucs[c["n_days"]] / aucs[1]),
        accumulation_index_without_induction=sigf(1.0 / (1.0 - math.exp(-k * c["tau_h"]))),
    )


def pk_truth(animals: list[dict]) -> dict:
    t = PK_TRUTH
    k = t["cl_L_h_kg"] / t["v_L_kg"]
    k_m = t["cl_m_L_h_kg"] / t["v_m_L_kg"]
    metabolite_ratio = t["fm_desmethyl"] * (MW_DESMETHYL / MW_PARENT) * t["cl_L_h_kg"] / t["cl_m_L_h_kg"]
    groups = []
    for route, dose, times in PK_GROUPS:
        f = t["f_oral"] if route == "po" else 1.0
        auc = f * dose * 1000.0 / t["cl_L_h_kg"]
        grid = np.linspace(0.0, 24.0, 4801)
        parent, _ = pk_profiles(route, dose, grid)
        groups.append(
            dict(
                route=route,
                dose_mg_kg=dose,
                n=PK_N_PER_GROUP,
                times_h=times,
                typical_cmax_ng_mL=sigf(parent.max()),
                typical_tmax_h=sigf(grid[parent.argmax()], 3),
                true_auc_inf_parent_ng_h_mL=sigf(auc),
                true_auc_inf_desmethyl_ng_h_mL=sigf(auc * metabolite_ratio),
            )
        )
    return dict(
        chronic=chronic_truth(),
        species="rat",
        model="one-compartment parent with first-order absorption; "
        "desmethylmirtazapine formed from systemic parent "
        "(formation-rate limited); 8-hydroxymirtazapine not formed",
        parent=dict(
            cl_L_h_kg=t["cl_L_h_kg"],
            v_L_kg=t["v_L_kg"],
            t_half_h=sigf(math.log(2) / k),
            ka_per_h=t["ka_per_h"],
            f_oral=t["f_oral"],
        ),
        desmethylmirtazapine=dict(
            fm=t["fm_desmethyl"],
            cl_m_L_h_kg=t["cl_m_L_h_kg"],
            v_m_L_kg=t["v_m_L_kg"],
            t_half_own_h=sigf(math.log(2) / k_m),
            molecular_weight_g_mol=MW_DESMETHYL,
            auc_ratio_to_parent=sigf(metabolite_ratio, 3),
            note="same ratio after iv and po because presystemic (first-pass) formation is not modelled",
        ),
        variability=dict(
            between_animal_cv_on_cl_and_v=t["bsv_cv"],
            distribution="log-normal",
            residual_cv=t["residual_cv"],
            residual_distribution="log-normal (proportional)",
        ),
        lloq_ng_mL=t["lloq_ng_mL"],
        blq_written_as="BLQ",
        groups=groups,
        animals=animals,
        sources=dict(
            f_oral="rouini2014 (about 7% at 2 and 10 mg/kg); true F set to 0.07",
            metabolites="rouini2014 (8-OH not detected; desmethyl detectable) and seed",
            clearance_volume_half_life="APPROXIMATE, constructed: high clearance "
            "(about rat hepatic blood flow, consistent with extensive first-pass "
            "loss) and a half-life of a few hours; rouini2014's exact estimates "
            "were not verified here",
            human_comparison="timmer2000 / smpc: human oral F about 50%, t1/2 20-40 h",
        ),
    )
