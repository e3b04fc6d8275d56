"""Check the PK control files against every validated concentration file:
dosed animals have samples, λz control times were sampled
(scripts/validation/dosing.py). Writes the list of checks passed."""

from pathlib import Path

import pandas as pd

from scripts import validation
from scripts.rule_support import run_rule
from scripts.tables import write_csv
from scripts.validation.dosing import check_dosing_has_samples


def main(smk):
    tables = [pd.read_csv(p, dtype={"animal_id": str, "analyte": str}) for p in smk.input.tables]
    controls = smk.input.controls
    controls = [controls] if isinstance(controls, str) else list(controls)
    rows = []
    for path in controls:
        if Path(path).stem == "dosing":
            dosing, _ = validation.validate_dosing(path)
            check_dosing_has_samples(dosing, path, tables)
            rows.append(
                {"file": validation.study_relative_name(path), "check": "every dosed animal has samples"}
            )
        else:
            validation.validate_lambda_z(path, tables)
            rows.append(
                {"file": validation.study_relative_name(path), "check": "every profile and time was sampled"}
            )
    write_csv(pd.DataFrame(rows, columns=["file", "check"]), smk.output[0])


run_rule(snakemake, main)
