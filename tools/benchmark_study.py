"""Seeded generator of a synthetic benchmark study of scale N.

A study of scale N has

* N competition-binding files (``binding/plate_0001.csv`` ...), each with 4
  receptor curves of 10 half-log concentrations in triplicate plus triplicate
  total and NSB wells (36 wells a curve, 144 a file);
* N/10 saturation files (``saturation/sat_001.csv`` ...), 10 concentrations,
  total and NSB in triplicate;
* 4 behaviour tests (fst, open_field, sucrose_preference,
  elevated_plus_maze), each with 10·N/10 = N animals spread round-robin over
  the 10 groups of the example design (5 treatments × acute/chronic);
* one PK file with N/4 animals (iv 2, po 2, po 10 mg/kg in turn), 3 analytes ×
  12 time points.

N/10 and N/4 are rounded down (at least 1). The files are in the RAW input
format of the study-directory contract (README), like the embedded example
study, and the simulation re-uses ``tools.example_study`` (4PL and noise
model, saturation series, behaviour simulators, PK model, study.yaml).

The receptor panel: files 2b (human) and 2b+1 (rat) hold the same 4 receptors
4b … 4b+3, so every receptor is measured in both species. The first 8
receptors are the example study's (alpha2A, H1, … with its Ki and Kd values);
the rest are synthetic ``T0009`` … with seeded Ki (log-uniform 0.3 nM–3 µM)
and Kd. Saturation file j measures the human Kd of receptor j, so no two
saturation files share a receptor × species × radioligand (which the
pipeline rejects as ambiguous). The data are plausible but carry no ground
truth beyond these parameters: the study exists to be timed.

The output is byte-identical for the same N and seed.

    .venv/bin/python tools/benchmark_study.py N OUTDIR [--seed 20261129]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.example_study.behaviour import (  # noqa: E402
    BEHAVIOUR_COMMON,
    BEHAVIOUR_ENDPOINTS,
    BEHAVIOUR_SIMULATORS,
    GROUPS,
    REGIMENS,
    STRAIN,
)
from tools.example_study.binding import (  # noqa: E402
    BINDING_COLUMNS,
    BINDING_REPLICATES,
    BINDING_TARGETS,
    four_pl,
    half_log_series,
    ic50_molar,
    noisy_cpm,
)
from tools.example_study.common import (  # noqa: E402
    csv_text,
    sig,
    sigf,
)
from tools.example_study.pk import (  # noqa: E402
    PK_ANALYTES,
    PK_COLUMNS,
    PK_TRUTH,
    pk_profiles,
)
from tools.example_study.saturation import SATURATION_COLUMNS, saturation_concentrations  # noqa: E402
from tools.example_study.study import (  # noqa: E402
    study_metadata,
    write_files,
    yaml_text,
)

SEED = 20261129
RECEPTORS_PER_FILE = 4
TESTS = ("fst", "open_field", "sucrose_preference", "elevated_plus_maze")
PK_TIMES_H = [0.083, 0.25, 0.5, 1, 1.5, 2, 4, 6, 8, 12, 16, 24]
PK_DESIGN = [("iv", 2.0), ("po", 2.0), ("po", 10.0)]
# Example-study receptors first (by receptor, human values), so the study's
# primary target and the translation's receptors are present.
_EXAMPLE_RECEPTORS = list(dict.fromkeys(t["receptor"] for t in BINDING_TARGETS))


def counts(n: int) -> dict:
    """Files and animals of a study of scale *n* (as the benchmark defines it)."""
    return {
        "binding_files": n,
        "saturation_files": max(1, n // 10),
        "animals_per_test": n,
        "pk_animals": max(1, n // 4),
    }


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, *stream])


def receptor(index: int, species: str, seed: int) -> dict:
    """Simulation parameters of panel receptor *index* in *species*."""
    if index < len(_EXAMPLE_RECEPTORS):
        name = _EXAMPLE_RECEPTORS[index]
        target = next(t for t in BINDING_TARGETS if t["receptor"] == name and t["species"] == species)
        return dict(target)
    rng = _rng(seed, 10, index, 0 if species == "human" else 1)
    kd = float(sigf(10 ** rng.uniform(-0.7, 0.3), 2))
    return dict(
        receptor=f"T{index + 1:04d}",
        species=species,
        radioligand=f"[3H]L{index + 1:04d}",
        radioligand_nM=0.5 if kd < 1 else 1.0,
        kd_nominal_nM=kd,
        kd_true_nM=kd,
        ki_nM=float(10 ** rng.uniform(-0.5, 3.5)),
        hill=-1.0,
        total_cpm=float(rng.uniform(3000, 8000)),
        nsb_fraction=float(rng.uniform(0.05, 0.13)),
    )


def binding_file(i: int, seed: int) -> str:
    """Binding file *i*: 4 receptors (block i // 2), human for even i, rat for odd."""
    species = "human" if i % 2 == 0 else "rat"
    block = i // 2
    rng = _rng(seed, 1, i)
    rows = []
    for k in range(RECEPTORS_PER_FILE):
        target = receptor(block * RECEPTORS_PER_FILE + k, species, seed)
        total = float(target["total_cpm"])
        nsb = total * target["nsb_fraction"]
        ic50 = ic50_molar(target["ki_nM"], target["radioligand_nM"], target["kd_true_nM"])
        conc = half_log_series(ic50)
        plate = f"P{i + 1:04d}-{k + 1}"
        fixed = [
            target["receptor"],
            species,
            target["radioligand"],
            sig(target["radioligand_nM"]),
            sig(target["kd_nominal_nM"]),
        ]
        for well_type, expected, first_col in (("total", total, 1), ("nsb", nsb, 10)):
            cpm = noisy_cpm(rng, np.full(BINDING_REPLICATES, expected))
            for r in range(BINDING_REPLICATES):
                rows.append(fixed + [well_type, "", "", str(r + 1), str(cpm[r]), plate, f"A{first_col + r}"])
        expected = four_pl(conc, nsb, total, ic50, target["hill"])
        for r in range(BINDING_REPLICATES):
            cpm = noisy_cpm(rng, expected)
            for c, value in enumerate(conc):
                rows.append(
                    fixed
                    + [
                        "competitor",
                        "mirtazapine",
                        sig(value),
                        str(r + 1),
                        str(cpm[c]),
                        plate,
                        f"{'BCD'[r]}{c + 1}",
                    ]
                )
    return csv_text(BINDING_COLUMNS, rows)


def saturation_file(j: int, seed: int) -> str:
    """Saturation file *j*: the human Kd of panel receptor *j* (simulated as
    ``tools.example_study.saturation.generate_saturation`` does)."""
    target = receptor(j, "human", seed)
    rng = _rng(seed, 2, j)
    kd, bmax = target["kd_true_nM"], 1.5 * target["total_cpm"]
    conc = saturation_concentrations(kd)
    nsb = 0.07 * bmax / kd * conc + 30.0
    total = bmax * conc / (kd + conc) + nsb
    rows = []
    for c, value in enumerate(conc):
        for well_type, expected in (("total", total[c]), ("nsb", nsb[c])):
            cpm = noisy_cpm(rng, np.full(BINDING_REPLICATES, expected))
            for r in range(BINDING_REPLICATES):
                rows.append(
                    [
                        target["receptor"],
                        "human",
                        target["radioligand"],
                        sig(value),
                        well_type,
                        str(r + 1),
                        str(cpm[r]),
                    ]
                )
    return csv_text(SATURATION_COLUMNS, rows)


def animals(n: int) -> list[dict]:
    """*n* animals, round-robin over the 10 groups (treatment × regimen), so
    group sizes differ by at most one; vehicle groups come first."""
    groups = [(g, regimen) for g in GROUPS for regimen in REGIMENS]
    out, within = [], {}
    for k in range(n):
        (treatment, dose, route), regimen = groups[k % len(groups)]
        index = within.get((treatment, dose, regimen), 0)
        within[(treatment, dose, regimen)] = index + 1
        out.append(
            dict(
                animal_id=f"{regimen[0].upper()}{k + 1:05d}",
                treatment=treatment,
                dose=dose,
                route=route,
                regimen=regimen,
                days=REGIMENS[regimen],
                cohort=f"{regimen[0].upper()}{k // 60 + 1}",
                index=index,
            )
        )
    return out


def behaviour_file(test: str, n: int, seed: int) -> str:
    rng = _rng(seed, 3, TESTS.index(test))
    simulate = BEHAVIOUR_SIMULATORS[test]
    rows = []
    for animal in animals(n):
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
                "false",
                "",
            ]
            + simulate(rng, animal)
        )
    return csv_text(BEHAVIOUR_COMMON + BEHAVIOUR_ENDPOINTS[test], rows)


def pk_file(n_animals: int, seed: int) -> str:
    """*n_animals* rats, 3 analytes × 12 times each (noise model of
    ``tools.example_study.pk.generate_pk``; 8-hydroxymirtazapine all BLQ)."""
    rng = _rng(seed, 4)
    truth = PK_TRUTH
    omega = math.sqrt(math.log(1.0 + truth["bsv_cv"] ** 2))
    sigma = math.sqrt(math.log(1.0 + truth["residual_cv"] ** 2))
    rows = []
    for a in range(n_animals):
        route, dose = PK_DESIGN[a % len(PK_DESIGN)]
        weight = round(float(rng.uniform(0.250, 0.320)), 3)
        cl = truth["cl_L_h_kg"] * math.exp(rng.normal(0.0, omega))
        v = truth["v_L_kg"] * math.exp(rng.normal(0.0, omega))
        parent, metabolite = pk_profiles(route, dose, PK_TIMES_H, cl=cl, v=v)
        noise = np.exp(rng.normal(0.0, sigma, (2, len(PK_TIMES_H))))
        observed = {
            PK_ANALYTES[0]: parent * noise[0],
            PK_ANALYTES[1]: metabolite * noise[1],
            PK_ANALYTES[2]: np.zeros(len(PK_TIMES_H)),
        }
        for analyte in PK_ANALYTES:
            for time, conc in zip(PK_TIMES_H, observed[analyte]):
                text = sig(conc) if conc >= truth["lloq_ng_mL"] else "BLQ"
                rows.append(
                    [
                        f"PK{a + 1:04d}",
                        "rat",
                        f"{weight:.3f}",
                        route,
                        sig(dose),
                        analyte,
                        sig(time),
                        text,
                        sig(truth["lloq_ng_mL"]),
                    ]
                )
    return csv_text(PK_COLUMNS, rows)


def study_yaml(n: int, seed: int) -> str:
    meta = study_metadata()
    meta["name"] = f"benchmark_n{n}"
    meta["arrive"]["sample_size"] = (
        f"SYNTHETIC benchmark study of scale N = {n} (tools/benchmark_study.py); no animals were used."
    )
    return yaml_text(meta, seed)


def build_study(n: int, seed: int = SEED) -> dict[str, str]:
    """All files of the study of scale *n* as {relative path: text}."""
    size = counts(n)
    files = {"study.yaml": study_yaml(n, seed)}
    for i in range(size["binding_files"]):
        files[f"binding/plate_{i + 1:04d}.csv"] = binding_file(i, seed)
    for j in range(size["saturation_files"]):
        files[f"saturation/sat_{j + 1:03d}.csv"] = saturation_file(j, seed)
    for test in TESTS:
        files[f"behaviour/{test}.csv"] = behaviour_file(test, size["animals_per_test"], seed)
    files["pk/rat_mirtazapine.csv"] = pk_file(size["pk_animals"], seed)
    return files


def write_study(n: int, outdir, seed: int = SEED) -> list[Path]:
    return write_files(build_study(n, seed), outdir)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="scale N (number of binding files)")
    parser.add_argument("outdir", help="study directory to write")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    written = write_study(args.n, args.outdir, args.seed)
    total = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files ({total / 1024:.1f} KiB) to {args.outdir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
