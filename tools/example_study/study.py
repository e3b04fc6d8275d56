"""Study metadata, the ground-truth document and the file writer of the
example-study generator."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from .behaviour import behaviour_truth, generate_behaviour
from .binding import (
    BINDING_DAY_CV_TOTAL,
    BINDING_DAY_SD_LOG,
    BINDING_EXPERIMENTS,
    BINDING_MAX_CONC_M,
    BINDING_N_CONC,
    BINDING_N_CONC_TWO_SITE,
    BINDING_NOISE_CV,
    BINDING_REPLICATES,
    binding_truth,
    generate_binding,
    species_ratios,
)
from .common import HEADER_NOTE, SEED, SOURCES, sigf
from .pk import MW_PARENT, generate_pk, pk_truth
from .saturation import (
    CONVERSION_COLUMNS,
    SATURATION_RUNS,
    bmax_fmol_mg,
    generate_saturation,
    max_depletion_pct,
    saturation_concentrations,
)

# Anchored at the repository so running from another directory cannot
# scatter a second copy; equals resources/example_study from the repo root.
DEFAULT_OUTDIR = Path(__file__).resolve().parents[2] / "resources" / "example_study"
DESCRIPTION = "Seeded generator of the embedded example study (resources/example_study/)."


def study_metadata() -> dict:
    return {
        "name": "example_mirtazapine",
        "compound": "mirtazapine",
        "molecular_weight_g_mol": MW_PARENT,
        # Rat fu deliberately omitted: no rat plasma protein binding value was
        # verified, so the pipeline's documented default (flagged) is used.
        "fu": {"human": 0.15},
        "clinical_doses_mg": [15, 30, 45],
        "human_body_weight_kg": 60,
        "fst_window_min": [3, 6],
        "extra_tests": {},
        "arrive": {
            "randomisation": "Block randomisation within cohort: each cohort of 36 "
            "rats held 6 of every treatment group in a computer-"
            "generated random order (numpy default_rng, seed in "
            "ground_truth.yaml). PK rats were assigned to route/dose "
            "groups at random.",
            "blinding": "Dosing solutions were coded by a technician not involved in "
            "testing; FST and EPM videos were scored by an observer blind "
            "to treatment; open-field distance was tracked automatically; "
            "codes were broken after the data were locked.",
            "sample_size": "n = 12 per group: 9 per group give 80% power to detect a "
            "35-s difference in FST immobility (SD 25 s, d = 1.4, "
            "two-sided alpha 0.05); three extra rats per group allow for "
            "exclusions and a smaller true effect. PK: n = 6 per route/dose, as in "
            "Rouini et al. 2014.",
            "strain": "Sprague-Dawley rats, male",
            "age": "8-10 weeks (250-320 g) at the start of dosing",
            "source": "Commercial breeder (SYNTHETIC example study: no animals were used)",
            "housing": "Group-housed 3-4 per cage on sawdust with nesting material, "
            "singly housed during the 24-h sucrose preference test; 12:12 h "
            "light/dark (lights on 07:00), 21 +/- 2 C, 55 +/- 10% humidity, "
            "food and water ad libitum; 7 days acclimatisation. Battery order: "
            "open field, elevated plus maze, sucrose preference, forced swim "
            "(pre-swim the day before); acute groups dosed 60 min before each "
            "test, chronic groups once daily for 21 days.",
        },
    }


def ground_truth(seed: int, files: dict[str, str], pk_animals: list[dict]) -> dict:
    return {
        "description": "Ground truth of the SYNTHETIC example study. All data were "
        "simulated by tools/example_study; literature-informed "
        "values are approximate and marked with their sources. Do not "
        "cite these data as measurements.",
        "seed": seed,
        "compound": dict(
            name="mirtazapine",
            molecular_weight_g_mol=MW_PARENT,
            fu_human=0.15,
            fu_human_source="timmer2000, smpc (about 85% bound)",
            fu_rat=None,
            fu_rat_note="omitted from study.yaml on purpose (no verified "
            "value); the pipeline default applies",
        ),
        "binding": dict(
            model="cpm = NSB + (total - NSB) / (1 + 10^((log10 IC50 - log10 C) * hill)), "
            "IC50 = Ki (1 + [L]/Kd_true)",
            noise=f"multiplicative normal CV {BINDING_NOISE_CV:.0%} plus counting noise "
            "sqrt(cpm), rounded to integer cpm",
            concentrations=f"{BINDING_N_CONC} half-log steps reaching >= 2 log units either "
            f"side of the IC50 ({BINDING_N_CONC_TWO_SITE} for the two-site curve, from 2 log "
            f"units below the high-affinity IC50), capped at {BINDING_MAX_CONC_M:g} M; "
            f"{BINDING_REPLICATES} replicates; total and NSB in triplicate",
            primary_target="alpha2A",
            independent_experiments=f"{BINDING_EXPERIMENTS} per receptor x species, as the "
            "experiment column of each file, each with its own total and NSB wells; "
            f"day-to-day SD of log10 Ki {BINDING_DAY_SD_LOG:g}, CV of total binding "
            f"{BINDING_DAY_CV_TOTAL:.0%}; targets give the population Ki and each experiment's",
            two_site_curve="5-HT1A rat: 30% of specific binding on a high-affinity site "
            "(Ki 35 nM), 70% on the low-affinity site (Ki 3500 nM), 2 log units apart",
            species_difference="5-HT2C (human Ki / rat Ki about 4.9); all other ratios < 2",
            targets=binding_truth(seed),
            species_ratios=species_ratios(),
        ),
        "saturation": [
            dict(
                file=f"saturation/{run['file']}",
                receptor=run["receptor"],
                species=run["species"],
                radioligand=run["radioligand"],
                kd_nM=run["kd_nM"],
                bmax_cpm=run["bmax_cpm"],
                **{c: run[c] for c in CONVERSION_COLUMNS},
                count_unit="cpm",
                bmax_fmol_mg=sigf(bmax_fmol_mg(run)),
                bmax_fmol_mg_calculation="Bmax CPM / counting efficiency = DPM; DPM / (2.22 x specific "
                "activity in Ci/mmol) = fmol; / protein (mg)",
                max_ligand_depletion_pct=sigf(max_depletion_pct(run), 3),
                nonspecific_cpm_per_nM=sigf(run["ns_fraction_at_kd"] * run["bmax_cpm"] / run["kd_nM"]),
                background_cpm=run["background_cpm"],
                concentrations_nM=[float(c) for c in saturation_concentrations(run["kd_nM"])],
                model="total = Bmax L/(Kd + L) + NS L + bg; nsb = NS L + bg",
                sources=["radioligands", "constructed"],
            )
            for run in SATURATION_RUNS
        ],
        "behaviour": behaviour_truth(seed, files),
        "pk": pk_truth(pk_animals),
        "sources": SOURCES,
    }


def yaml_text(data: dict, seed: int) -> str:
    return HEADER_NOTE.format(seed=seed) + yaml.safe_dump(
        data, sort_keys=False, default_flow_style=False, allow_unicode=False, width=88
    )


def build_study(seed: int = SEED) -> dict[str, str]:
    """All files of the example study as {relative path: text}."""
    files = {"study.yaml": yaml_text(study_metadata(), seed)}
    files.update(generate_binding(seed))
    files.update(generate_saturation(seed))
    files.update(generate_behaviour(seed))
    pk_files, pk_animals = generate_pk(seed)
    files.update(pk_files)
    files["ground_truth.yaml"] = yaml_text(ground_truth(seed, files, pk_animals), seed)
    return dict(sorted(files.items()))


def write_files(files: dict[str, str], outdir) -> list[Path]:
    """Write {relative path: text} below `outdir` (UTF-8, LF line ends;
    existing files are overwritten, other files are left alone). Returns the
    written paths."""
    outdir = Path(outdir)
    written = []
    for relative, text in files.items():
        path = outdir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        written.append(path)
    return written


def write_study(outdir=DEFAULT_OUTDIR, seed: int = SEED) -> list[Path]:
    """Write the study below `outdir` (see write_files). Returns the written paths."""
    return write_files(build_study(seed), outdir)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument(
        "outdir",
        nargs="?",
        default=str(DEFAULT_OUTDIR),
        help="output directory (default: resources/example_study of this repository)",
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = parser.parse_args(argv)
    written = write_study(args.outdir, args.seed)
    total = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files ({total / 1024:.1f} KiB) to {args.outdir}")
    return 0
