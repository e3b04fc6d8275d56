# Helpers shared by every rule file, and the conventions the rule files follow.
#
# * OUT is "results/<study name>"; every output goes under it.
# * STUDY_DIR is the study directory (a pathlib.Path); STUDY_META is the
#   validated study.yaml with its defaults filled in (a dict).
# * binding_assays(), saturation_assays(), behaviour_tests(), pk_tables()
#   list the file stems present in the study (sorted). An area whose folder
#   is missing has none, and its rules add nothing to ALL_TARGETS.
# * validated(kind, stem) is the path of the validated, normalised table of
#   one input file, e.g. validated("binding", "{assay}") for a wildcard rule.
# * Area rule files append their final outputs to ALL_TARGETS.
# * Each rule declares its log as log_path("<rule>", "<wildcards>"), its conda
#   environment as CONDA_ENV, passes config sections and study metadata through params (so a changed
#   value reruns exactly the jobs that use it) and runs a thin script that
#   calls scripts.rule_support.run_rule(snakemake, main). The repository root
#   is put first on PYTHONPATH, so scripts import the analysis package as `scripts.*`.

import os
import sys
from pathlib import Path

from snakemake.utils import validate

REPO_ROOT = Path(workflow.basedir)
# Jobs run rule scripts in fresh interpreters; they import `scripts.*` from here.
# The repository root goes first; a PYTHONPATH the user set is kept after it
# (without repeating the root when Snakemake is started again inside a job).
_USER_PYTHONPATH = [
    p
    for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if p and p != str(REPO_ROOT)
]
os.environ.update(PYTHONPATH=os.pathsep.join([str(REPO_ROOT), *_USER_PYTHONPATH]))
sys.path.insert(0, str(REPO_ROOT))

from scripts.tables import InputError
from scripts.validation import (
    binding_assay_name,
    RESERVED_PK_STEMS,
    claim_results_dir,
    table_files,
    validate_study,
)

validate(config, schema="../schemas/config.schema.yaml")


CONDA_ENV = "../envs/pipeline.yaml"
STUDY_DIR = Path(config["study_dir"]).expanduser()
# Parse-time errors exit with one readable line rather than a traceback.
if not STUDY_DIR.is_dir():
    sys.exit(f"ERROR: study_dir not found: {STUDY_DIR} (is it a directory?)")
try:
    STUDY_META = validate_study(STUDY_DIR, config["limits"])
    STUDY = STUDY_META["name"]
    OUT = f"results/{STUDY}"
    # results/<name>/ must not hold another study directory's results; the
    # first run (or dry run) from a study directory records it there.
    claim_results_dir(OUT, STUDY_DIR)
    # Data tables per area folder: {stem: CSV file or Excel workbook}.
    TABLE_FILES = {
        folder: table_files(STUDY_DIR, folder)
        for folder in ("binding", "saturation", "behaviour", "pk")
    }
except InputError as error:
    sys.exit(f"INPUT ERROR: {error}")
ALL_TARGETS = []


def _stems(folder, exclude_suffixes=()):
    stems = TABLE_FILES[folder]
    return [s for s in stems if not s.endswith(tuple(exclude_suffixes))]


def binding_assays():
    """Assay names: binding/<assay>.csv (or .xlsx), or a binding/<assay>.plate
    grid with its binding/<assay>.layout."""
    stems = _stems("binding", exclude_suffixes=(".layout",))
    return sorted(binding_assay_name(f"{s}.csv") for s in stems)


def saturation_assays():
    return _stems("saturation")


def behaviour_tests():
    return _stems("behaviour")


def pk_tables():
    return [s for s in _stems("pk") if s not in RESERVED_PK_STEMS]


# The PK control files present, {stem: path}: pk/dosing and pk/lambda_z
# (.csv or .xlsx; reserved stems, validated by rule pk_control).
PK_CONTROL = {
    stem: TABLE_FILES["pk"][stem]
    for stem in RESERVED_PK_STEMS
    if stem in TABLE_FILES["pk"]
}


def pk_control(stem):
    """The validated PK control table, when the study has the file."""
    return [validated("pk_control", stem)] if stem in PK_CONTROL else []


def pk_control_checked():
    return [f"{OUT}/validated/pk_control/checked.csv"] if PK_CONTROL else []


def config_params(section, keys):
    """The settings *keys* of config *section*, for a rule's params: each rule
    gets only those it uses, so changing one reruns only its jobs."""
    return {key: config[section][key] for key in keys}


def table_file(folder, stem):
    """The data table (CSV or workbook) of one stem; a stem the study lacks
    gives the CSV name, so Snakemake reports the missing input."""
    return str(TABLE_FILES[folder].get(stem, STUDY_DIR / folder / f"{stem}.csv"))


def binding_raw_inputs(wildcards):
    """Long-format table, or plate grid + layout for plate-reader exports."""
    files = TABLE_FILES["binding"]
    if f"{wildcards.assay}.plate" in files:
        return {
            "table": table_file("binding", f"{wildcards.assay}.plate"),
            "layout": table_file("binding", f"{wildcards.assay}.layout"),
        }
    return {"table": table_file("binding", wildcards.assay)}


def area_table(folder, wildcard):
    """Input function: the data table of *folder* named by *wildcard*."""
    return lambda wildcards: table_file(folder, wildcards[wildcard])


def study_yaml_input():
    path = STUDY_DIR / "study.yaml"
    return [str(path)] if path.exists() else []


def validated(kind, stem):
    return f"{OUT}/validated/{kind}/{stem}.csv"


def validated_warnings(kind, stem):
    return f"{OUT}/validated/{kind}/{stem}.warnings.csv"


def all_validated():
    """Every validated table and warnings file of the study, by kind."""
    listing = {
        "binding": binding_assays(),
        "saturation": saturation_assays(),
        "behaviour": behaviour_tests(),
        "pk": pk_tables(),
        "pk_control": sorted(PK_CONTROL),
    }
    tables = [validated(k, s) for k, stems in listing.items() for s in stems]
    warnings = [validated_warnings(k, s) for k, stems in listing.items() for s in stems]
    return tables, warnings


def raw_input_files():
    """Every input file of the study, for checksums."""
    files = study_yaml_input()
    if "human_reference_file" in STUDY_META:
        files.append(str(STUDY_DIR / STUDY_META["human_reference_file"]))
    for folder in ("binding", "saturation", "behaviour", "pk"):
        files += sorted(str(p) for p in TABLE_FILES[folder].values())
    return files


def log_path(rule_name, name="log"):
    return f"{OUT}/logs/{rule_name}/{name}.log"
