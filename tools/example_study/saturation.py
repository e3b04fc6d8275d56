"""Saturation binding of the example study: two runs that measure a Kd which
differs from the nominal one the competition files give, with what converts
their counts to fmol/mg protein (specific activity, counting efficiency,
protein and assay volume)."""

from __future__ import annotations

import numpy as np

from .binding import BINDING_REPLICATES, noisy_cpm
from .common import SEED, csv_text, rng_for, sig

SATURATION_RUNS = [
    dict(
        receptor="alpha2A",
        species="human",
        radioligand="[3H]RX821002",
        kd_nM=0.72,
        bmax_cpm=4000.0,
        ns_fraction_at_kd=0.06,
        background_cpm=30.0,
        file="alpha2A_human_RX821002.csv",
        specific_activity_Ci_mmol=60.0,
        counting_efficiency=0.5,
        protein_mg_per_well=0.02,
        assay_volume_mL=1.0,
    ),
    dict(
        receptor="H1",
        species="rat",
        radioligand="[3H]mepyramine",
        kd_nM=2.4,
        bmax_cpm=6000.0,
        ns_fraction_at_kd=0.08,
        background_cpm=40.0,
        file="H1_rat_mepyramine.csv",
        specific_activity_Ci_mmol=30.0,
        counting_efficiency=0.5,
        protein_mg_per_well=0.5,
        assay_volume_mL=1.0,
    ),
]
SATURATION_N_CONC = 10

#: Counts are CPM; 1 Ci = 2.22e12 DPM and 1 mmol = 1e12 fmol, so one fmol of
#: radioligand gives 2.22 x specific activity (Ci/mmol) DPM.
DPM_PER_FMOL_PER_CI_MMOL = 2.22
CONVERSION_COLUMNS = [
    "specific_activity_Ci_mmol",
    "counting_efficiency",
    "protein_mg_per_well",
    "assay_volume_mL",
]
SATURATION_COLUMNS = [
    "receptor",
    "species",
    "radioligand",
    "radioligand_nM",
    "well_type",
    "replicate",
    "cpm",
    "count_unit",
    *CONVERSION_COLUMNS,
]


def bmax_fmol_mg(run: dict) -> float:
    """Bmax in fmol/mg protein: CPM / efficiency = DPM; DPM / (2.22 x SA) = fmol."""
    dpm = run["bmax_cpm"] / run["counting_efficiency"]
    return dpm / (DPM_PER_FMOL_PER_CI_MMOL * run["specific_activity_Ci_mmol"]) / run["protein_mg_per_well"]


def max_depletion_pct(run: dict) -> float:
    """Largest expected total bound / added radioligand (%) over the series."""
    conc = saturation_concentrations(run["kd_nM"])
    ns_per_nM = run["ns_fraction_at_kd"] * run["bmax_cpm"] / run["kd_nM"]
    total = run["bmax_cpm"] * conc / (run["kd_nM"] + conc) + ns_per_nM * conc + run["background_cpm"]
    bound_fmol = (
        total / run["counting_efficiency"] / (DPM_PER_FMOL_PER_CI_MMOL * run["specific_activity_Ci_mmol"])
    )
    added_fmol = conc * run["assay_volume_mL"] * 1000.0
    return float(np.max(100.0 * bound_fmol / added_fmol))


def saturation_concentrations(kd_nM: float, n: int = SATURATION_N_CONC) -> np.ndarray:
    """Geometric series from 0.1 x Kd to 10 x Kd, rounded to 3 s.f. as a lab
    would write the nominal added concentrations."""
    return np.array([float(sig(x, 3)) for x in np.geomspace(0.1 * kd_nM, 10 * kd_nM, n)])


def generate_saturation(seed: int = SEED) -> dict[str, str]:
    rng = rng_for("saturation", seed)
    files = {}
    for run in SATURATION_RUNS:
        conc = saturation_concentrations(run["kd_nM"])
        ns_per_nM = run["ns_fraction_at_kd"] * run["bmax_cpm"] / run["kd_nM"]
        nsb = ns_per_nM * conc + run["background_cpm"]
        total = run["bmax_cpm"] * conc / (run["kd_nM"] + conc) + nsb
        rows = []
        for i, c in enumerate(conc):
            for well_type, expected in (("total", total[i]), ("nsb", nsb[i])):
                counts = noisy_cpm(rng, np.full(BINDING_REPLICATES, expected))
                for r in range(BINDING_REPLICATES):
                    rows.append(
                        [
                            run["receptor"],
                            run["species"],
                            run["radioligand"],
                            sig(c),
                            well_type,
                            str(r + 1),
                            str(counts[r]),
                            "cpm",
                            *(sig(run[c]) for c in CONVERSION_COLUMNS),
                        ]
                    )
        files[f"saturation/{run['file']}"] = csv_text(SATURATION_COLUMNS, rows)
    return files
