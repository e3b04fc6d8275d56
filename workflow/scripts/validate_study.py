"""Write study.yaml (optional), validated at parse time with defaults filled in
(scripts/validation/study.py), as JSON, with the study compound: study.yaml's,
else the one the validated data name (scripts/validation/crossfile.py)."""

import json
from pathlib import Path

from scripts.rule_support import run_rule
from scripts.tables import read_csv
from scripts.validation.crossfile import study_compound


def main(smk):
    meta = dict(smk.params.meta)
    compound, basis = study_compound(
        meta.get("compound"),
        binding=[read_csv(p) for p in smk.input.binding],
        behaviour=[read_csv(p) for p in smk.input.behaviour],
        analytes=read_csv(smk.input.analytes[0]) if smk.input.analytes else None,
        vehicle_label=smk.params.vehicle_label,
        study_yaml=Path(smk.params.study_dir) / "study.yaml",
    )
    if compound is not None:
        meta.update(compound=compound, compound_basis=basis)
    with open(smk.output[0], "w", encoding="utf-8") as handle:
        json.dump(meta, handle, indent=2, sort_keys=True, ensure_ascii=False)
        handle.write("\n")


run_rule(snakemake, main)
