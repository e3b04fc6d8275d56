"""The study compound has no default: study.yaml names it, or the data name
one compound unambiguously (scripts/validation/crossfile.py study_compound);
the human reference is chosen by it, and a compound without a shipped
reference still gets every rat-side result."""

from __future__ import annotations

import json

import flag_scenarios as fs
import numpy as np
import pandas as pd
import pytest

from conftest import REPO_ROOT, copy_workflow, run_snakemake
from scripts.tables import InputError, read_csv
from scripts.validation import validate_study
from scripts.validation.crossfile import study_compound
from scripts.validation.study import chosen_reference, human_reference_candidates

SHIPPED = REPO_ROOT / "resources" / "reference" / "mirtazapine_human.yaml"


def binding(*compounds):
    rows = [{"well_type": "total", "compound": ""}, {"well_type": "nsb", "compound": ""}]
    rows += [{"well_type": "competitor", "compound": c} for c in compounds]
    return pd.DataFrame(rows)


def behaviour(*groups):
    return pd.DataFrame([{"treatment": t, "dose_mg_kg": d} for t, d in groups])


def parent(name):
    return pd.DataFrame({"analyte": [name, f"desmethyl{name}"], "role": ["parent", "metabolite"]})


def test_study_yaml_compound_wins_over_the_data():
    assert study_compound("drugA", binding=[binding("drugB")]) == ("drugA", "study.yaml compound")


def test_the_single_competitor_shared_by_the_binding_files():
    compound, basis = study_compound(None, binding=[binding("Drugx", "drugx"), binding("DRUGX")])
    assert compound == "Drugx"  # the first spelling met; names compared as groups
    assert basis == "the one compound of the binding competitors"


def test_the_compound_common_to_every_area():
    # binding names two competitors, behaviour a positive control beside the
    # drug (saline at dose 0 and the vehicle do not count): only drugx is in both.
    compound, basis = study_compound(
        None,
        binding=[binding("drugx", "reference_ligand")],
        behaviour=[behaviour(("vehicle", 0), ("saline", 0), ("drugx", 3), ("imipramine", 10))],
        analytes=parent("drugx"),
    )
    assert compound == "drugx"
    assert basis == (
        "the one compound of the binding competitors, behaviour treatments and PK parent analyte"
    )


def test_no_data_naming_a_compound_needs_none():
    assert study_compound(None, binding=[binding()], behaviour=[behaviour(("vehicle", 0))])[0] is None


@pytest.mark.parametrize(
    "areas",
    [
        {"behaviour": [behaviour(("vehicle", 0), ("drugx", 3), ("imipramine", 10))]},
        {"binding": [binding("drugx")], "analytes": parent("drugy")},
    ],
)
def test_data_naming_no_single_compound_is_an_error_naming_the_key(areas, tmp_path):
    with pytest.raises(InputError) as error:
        study_compound(None, study_yaml=tmp_path / "study.yaml", **areas)
    line = str(error.value)
    assert "\n" not in line
    assert line.startswith(f"{tmp_path / 'study.yaml'}: key 'compound'")
    assert "add compound: <name> to study.yaml" in line


def test_the_schema_gives_no_compound_molecular_weight_or_clinical_doses(tmp_path):
    meta = validate_study(tmp_path)
    assert not {"compound", "molecular_weight_g_mol", "clinical_doses_mg"} & set(meta)


def test_reference_candidates_and_choice(tmp_path):
    # study.yaml names a compound: only its shipped file (case ignored), or none
    assert human_reference_candidates({"compound": "Mirtazapine"}, tmp_path) == [SHIPPED]
    assert human_reference_candidates({"compound": "testdrug"}, tmp_path) == []
    # inferred later: every shipped file; the job picks the compound's
    candidates = human_reference_candidates({}, tmp_path)
    assert SHIPPED in candidates
    assert chosen_reference(candidates, {"compound": "MIRTAZAPINE"}) == SHIPPED
    assert chosen_reference(candidates, {"compound": "testdrug"}) is None
    assert chosen_reference([], {"compound": "mirtazapine"}) is None
    # the study's own file is the only candidate and is always chosen
    own = {"human_reference_file": "ref/testdrug.yaml"}
    assert human_reference_candidates(own, tmp_path) == [tmp_path / "ref/testdrug.yaml"]
    assert chosen_reference([tmp_path / "ref/testdrug.yaml"], {**own, "compound": "x"}) == (
        tmp_path / "ref/testdrug.yaml"
    )


# --- end to end: a compound without a shipped reference -------------------------------------

TIMES_H = [0.25, 0.5, 1, 2, 4, 8, 24]


def pk_rows(compound):
    """Rat PK of *compound*: one-compartment profiles (t1/2 2 h, V 5 L/kg,
    ka 2/h, F 0.3) after 1 mg/kg iv and 3 mg/kg po, three animals each."""
    k, v, ka, f = np.log(2) / 2, 5.0, 2.0, 0.3
    rows = []
    for route, dose in (("iv", 1.0), ("po", fs.DOSE)):
        for a in range(3):
            scale = 1 + 0.1 * (a - 1)
            for t in TIMES_H:
                if route == "iv":
                    c = dose * 1000 / v * np.exp(-k * t)
                else:
                    c = f * dose * 1000 / v * ka / (ka - k) * (np.exp(-k * t) - np.exp(-ka * t))
                rows.append({
                    "animal_id": f"{route}{a}", "species": "rat", "body_weight_kg": 0.3, "route": route,
                    "dose_mg_kg": dose, "analyte": compound, "time_h": t,
                    "concentration_ng_mL": round(c * scale, 4), "lloq_ng_mL": 0.5,
                })  # fmt: skip
    return pd.DataFrame(rows)


def small_study(directory, with_pk=True):
    """Behaviour (FST and open field: vehicle, the scenario compound and a
    positive control) and, with *with_pk*, rat PK of the compound only; no
    study.yaml, so the compound is inferred from the data."""
    for test in ("fst", "open_field"):
        (directory / "behaviour").mkdir(parents=True, exist_ok=True)
        fs.behaviour_file(directory / "behaviour", test, fs.CLEAN_EFFECTS, ("acute",), ("M", "F"), "po")
    if with_pk:
        (directory / "pk").mkdir()
        pk_rows(fs.COMPOUND).to_csv(directory / "pk" / "rat.csv", index=False)
    return directory


@pytest.mark.e2e
def test_compound_without_reference_gets_rat_results_and_says_what_is_missing(tmp_path):
    workdir = copy_workflow(tmp_path / "pipeline")
    study = small_study(tmp_path / "newdrug_study")
    result = run_snakemake(workdir, "--config", f"study_dir={study}")
    assert result.returncode == 0, result.stderr
    results = workdir / "results" / "newdrug_study"
    meta = json.loads((results / "validated" / "study.json").read_text())
    assert meta["compound"] == fs.COMPOUND
    assert meta["compound_basis"] == "the one compound of the behaviour treatments and PK parent analyte"
    # rat side: NCA, bioavailability, effective doses and rat exposure
    nca = read_csv(results / "pk" / "nca.csv")
    assert set(nca["analyte"]) == {fs.COMPOUND}
    # the iv half-life is the simulated 2 h (log-linear terminal phase)
    iv = nca[nca["route"] == "iv"]
    assert np.allclose(iv["t_half_h"], 2.0, rtol=1e-3)
    effective = read_csv(results / "translation" / "effective_doses.csv")
    # the compound's FST effect at its dose (the positive control is not the compound)
    assert effective.loc[effective["test"] == "fst", "dose_mg_kg"].tolist() == [fs.DOSE]
    exposure = read_csv(results / "translation" / "exposure.csv")
    assert set(exposure["species"]) == {"rat"}
    # human side: no invented values, one stated reason
    flags = read_csv(results / "translation" / "flags.csv")
    human_side = flags[flags["flag_id"].isin(["bioavailability_mismatch", "half_life_mismatch"])]
    assert len(human_side) == 2
    assert (
        human_side["evidence"] == f"no human reference for {fs.COMPOUND}: supply human_reference_file"
    ).all()
    assert read_csv(results / "translation" / "reference.csv").empty
    assert (results / "report.html").is_file()


@pytest.mark.e2e
def test_data_naming_two_compounds_without_study_yaml_compound_is_one_line(tmp_path):
    workdir = copy_workflow(tmp_path / "pipeline")
    study = small_study(tmp_path / "two_drugs", with_pk=False)  # the drug and its positive control
    result = run_snakemake(workdir, "--config", f"study_dir={study}")
    assert result.returncode != 0
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("INPUT ERROR")]
    assert len(lines) == 1, result.stderr
    assert f"{study / 'study.yaml'}: key 'compound' not given" in lines[0]
    assert f"behaviour treatments: refdrug, {fs.COMPOUND}" in lines[0]
    assert "Traceback" not in result.stderr
