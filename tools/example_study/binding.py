"""Competition binding of the example study: the simulation constants, the
simulated raw files and their ground-truth entries (the true constants per
receptor x species are in :mod:`tools.example_study.binding_targets`)."""

from __future__ import annotations

import math

import numpy as np

from .binding_targets import BINDING_TARGETS
from .common import SEED, csv_text, rng_for, sig, sigf

BINDING_NOISE_CV = 0.04  # multiplicative well-to-well noise
BINDING_N_CONC = 10  # half-log steps
BINDING_N_CONC_TWO_SITE = 14  # half-log steps of a two-site curve (both plateaus)
BINDING_MAX_CONC_M = 1e-3  # solubility ceiling of the dilution series
BINDING_REPLICATES = 3
BINDING_EXPERIMENTS = 3  # independent experiments per receptor x species (one file)
BINDING_DAY_SD_LOG = 0.05  # day-to-day SD of log10 Ki between independent experiments
BINDING_DAY_CV_TOTAL = 0.08  # day-to-day CV of total binding (membrane batch)


# ---------------------------------------------------------------------------
# Column contracts (raw input format)
# ---------------------------------------------------------------------------

BINDING_COLUMNS = [
    "receptor",
    "species",
    "radioligand",
    "radioligand_nM",
    "radioligand_kd_nM",
    "well_type",
    "compound",
    "concentration_M",
    "replicate",
    "cpm",
    "plate",
    "well",
    "experiment",
]


# ---------------------------------------------------------------------------
# Binding
# ---------------------------------------------------------------------------


def ic50_molar(ki_nM: float, radioligand_nM: float, kd_nM: float) -> float:
    """Cheng-Prusoff in reverse: IC50 = Ki (1 + [L]/Kd), returned in M."""
    return ki_nM * (1.0 + radioligand_nM / kd_nM) * 1e-9


def half_log_series(
    ic50_M: float, n: int = BINDING_N_CONC, max_M: float = BINDING_MAX_CONC_M, low_ic50_M: float | None = None
) -> np.ndarray:
    """`n` half-log concentrations starting 2 log units below the IC50 (n =
    10 spans 4.5 log units, reaching 2 log units above it), capped at
    `max_M`. For a two-site curve, `ic50_M` is the high-affinity IC50 and
    the series is capped 2 log units above `low_ic50_M`."""
    top = math.floor((math.log10(ic50_M) - 2.0) * 2.0) / 2.0 + (n - 1) / 2.0
    top = min(top, math.log10(max_M))
    exponents = top - 0.5 * np.arange(n)[::-1]
    return 10.0**exponents


def four_pl(conc_M, bottom, top, ic50_M, hill):
    """4PL with GraphPad's sign convention (hill < 0 for inhibition)."""
    conc_M = np.asarray(conc_M, dtype=float)
    return bottom + (top - bottom) / (1.0 + 10.0 ** ((np.log10(ic50_M) - np.log10(conc_M)) * hill))


def two_site(conc_M, bottom, top, fraction_high, ic50_high_M, ic50_low_M):
    """Two-site competition, each site with Hill slope -1."""
    high = four_pl(conc_M, 0.0, 1.0, ic50_high_M, -1.0)
    low = four_pl(conc_M, 0.0, 1.0, ic50_low_M, -1.0)
    return bottom + (top - bottom) * (fraction_high * high + (1.0 - fraction_high) * low)


def noisy_cpm(rng, expected) -> np.ndarray:
    """Multiplicative CV noise plus counting (Poisson-like) noise, rounded."""
    expected = np.asarray(expected, dtype=float)
    sd = np.sqrt((BINDING_NOISE_CV * expected) ** 2 + expected)
    return np.maximum(np.rint(expected + rng.normal(0.0, 1.0, expected.shape) * sd), 0).astype(int)


def target_ic50s(target: dict, ki_scale: float = 1.0) -> tuple[float, float | None]:
    """(IC50, low-affinity IC50 or None) in M, with every Ki multiplied by `ki_scale`."""
    ligand, kd = target["radioligand_nM"], target["kd_true_nM"]
    if "two_site" in target:
        return (
            ic50_molar(target["two_site"]["ki_high_nM"] * ki_scale, ligand, kd),
            ic50_molar(target["ki_nM"] * ki_scale, ligand, kd),
        )
    return ic50_molar(target["ki_nM"] * ki_scale, ligand, kd), None


def target_concentrations(target: dict) -> np.ndarray:
    ic50, low = target_ic50s(target)
    n = BINDING_N_CONC_TWO_SITE if low is not None else BINDING_N_CONC
    return half_log_series(ic50, n=n)


def effects_stream(seed: int = SEED) -> np.random.Generator:
    """The random stream of the day-to-day effects: a child of the binding
    stream, so the ground truth can restate them without replaying the
    well noise."""
    return rng_for("binding", seed).spawn(1)[0]


def experiment_effects(rng) -> list[tuple[float, float]]:
    """(log10 Ki offset, total-binding factor) of each independent experiment."""
    offsets = rng.normal(0.0, BINDING_DAY_SD_LOG, BINDING_EXPERIMENTS)
    factors = 1.0 + rng.normal(0.0, BINDING_DAY_CV_TOTAL, BINDING_EXPERIMENTS)
    return [(float(o), float(f)) for o, f in zip(offsets, factors)]


def binding_file_name(target: dict) -> str:
    receptor = target["receptor"].replace("-", "")
    return f"binding/{receptor}_{target['species']}.csv"


def generate_binding(seed: int = SEED) -> dict[str, str]:
    rng, effects = rng_for("binding", seed), effects_stream(seed)
    files = {}
    for target in BINDING_TARGETS:
        conc = target_concentrations(target)
        fixed = [
            target["receptor"],
            target["species"],
            target["radioligand"],
            sig(target["radioligand_nM"]),
            sig(target["kd_nominal_nM"]),
        ]
        rows = []
        for e, (offset, factor) in enumerate(experiment_effects(effects), start=1):
            total = float(target["total_cpm"]) * factor
            nsb = total * target["nsb_fraction"]
            ic50, low = target_ic50s(target, 10.0**offset)
            plate = f"{target['receptor'].replace('-', '')}-{target['species']}-E{e}"
            for well_type, expected, first_col in (("total", total, 1), ("nsb", nsb, 10)):
                counts = noisy_cpm(rng, np.full(BINDING_REPLICATES, expected))
                for r in range(BINDING_REPLICATES):
                    rows.append(
                        fixed
                        + [well_type, "", "", str(r + 1), str(counts[r]), plate, f"A{first_col + r}", str(e)]
                    )
            if low is None:
                expected = four_pl(conc, nsb, total, ic50, target["hill"])
            else:
                expected = two_site(conc, nsb, total, target["two_site"]["fraction_high"], ic50, low)
            for r in range(BINDING_REPLICATES):
                counts = noisy_cpm(rng, expected)
                for i, c in enumerate(conc):
                    rows.append(
                        fixed
                        + [
                            "competitor",
                            "mirtazapine",
                            sig(c),
                            str(r + 1),
                            str(counts[i]),
                            plate,
                            f"{'BCD'[r]}{i + 1}",
                            str(e),
                        ]
                    )
        files[binding_file_name(target)] = csv_text(BINDING_COLUMNS, rows)
    return files


def binding_truth(seed: int = SEED) -> list[dict]:
    stream = effects_stream(seed)
    entries = []
    for target in BINDING_TARGETS:
        ic50, low = target_ic50s(target)
        conc = target_concentrations(target)
        effects = experiment_effects(stream)  # the draws generate_binding makes
        n_wells = 2 * BINDING_REPLICATES + BINDING_REPLICATES * len(conc)
        entry = dict(
            file=binding_file_name(target),
            receptor=target["receptor"],
            species=target["species"],
            radioligand=target["radioligand"],
            radioligand_nM=target["radioligand_nM"],
            radioligand_kd_nominal_nM=target["kd_nominal_nM"],
            radioligand_kd_true_nM=target["kd_true_nM"],
            ki_nM=target["ki_nM"],
            pki=sigf(9.0 - math.log10(target["ki_nM"])),
            hill_slope=target["hill"],
            ic50_nM=sigf((low if low is not None else ic50) * 1e9),
            ki_if_nominal_kd_used_nM=sigf(
                (low if low is not None else ic50)
                * 1e9
                / (1.0 + target["radioligand_nM"] / target["kd_nominal_nM"])
            ),
            total_cpm=target["total_cpm"],
            nsb_fraction_of_total=target["nsb_fraction"],
            concentration_range_M=[sigf(conc[0]), sigf(conc[-1])],
            n_experiments=len(effects),
            wells_per_experiment=n_wells,
            experiments=[
                dict(
                    experiment=str(e),
                    ki_nM=sigf(target["ki_nM"] * 10.0**offset),
                    total_cpm=sigf(target["total_cpm"] * factor),
                )
                for e, (offset, factor) in enumerate(effects, start=1)
            ],
            approximate=True,
            sources=target["source"],
            note=target["note"],
        )
        if low is not None:
            entry["two_site"] = dict(
                fraction_high=target["two_site"]["fraction_high"],
                ki_high_nM=target["two_site"]["ki_high_nM"],
                pki_high=sigf(9.0 - math.log10(target["two_site"]["ki_high_nM"])),
                ki_low_nM=target["ki_nM"],
                pki_low=sigf(9.0 - math.log10(target["ki_nM"])),
                ic50_high_nM=sigf(ic50 * 1e9),
                ic50_low_nM=sigf(low * 1e9),
                fraction_meaning="fraction of specifically bound radioligand on the high-affinity "
                "site (equal to the fraction of sites: the radioligand has one Kd at both)",
            )
        entries.append(entry)
    return entries


def species_ratios() -> list[dict]:
    by_key = {(t["receptor"], t["species"]): t["ki_nM"] for t in BINDING_TARGETS}
    receptors = list(dict.fromkeys(t["receptor"] for t in BINDING_TARGETS))
    return [
        dict(receptor=r, ki_human_over_rat=sigf(by_key[(r, "human")] / by_key[(r, "rat")], 3))
        for r in receptors
    ]
