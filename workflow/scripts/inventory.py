"""Write the study inventory from the validated tables (scripts/inventory.py)."""

from scripts import inventory as inv
from scripts.rule_support import run_rule
from scripts.tables import read_csv, write_csv


def main(smk):
    tables = {path: read_csv(path) for path in smk.input.tables}
    warnings = {path: read_csv(path) for path in smk.input.warnings}
    by_kind = inv.tables_by_kind(tables)
    files = inv.file_inventory(tables, warnings)
    write_csv(files, smk.output.files)
    write_csv(
        inv.receptor_inventory(by_kind.get("binding", []), by_kind.get("saturation", [])),
        smk.output.receptors,
    )
    write_csv(inv.behaviour_inventory(by_kind.get("behaviour", [])), smk.output.behaviour)
    write_csv(inv.pk_inventory(by_kind.get("pk", [])), smk.output.pk)
    write_csv(inv.exclusion_inventory(by_kind.get("behaviour", [])), smk.output.exclusions)
    write_csv(inv.all_warnings(warnings), smk.output.warnings)
    write_csv(inv.area_inventory(files), smk.output.areas)


run_rule(snakemake, main)
