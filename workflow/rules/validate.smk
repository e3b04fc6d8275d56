# Validation: every input file becomes a validated, normalised table (plus its
# warnings) before any analysis reads it. One job per file, so editing one
# file revalidates only that file. Validation jobs go first among the jobs
# ready to run (priority), so a broken file stops the run before analyses and
# bookkeeping spend time on the others.
#
# Rule validate_<kind> runs workflow/scripts/validate_<kind>.py; its checks
# are in scripts/validation/<kind>.py (validate_study: scripts/validation/study.py,
# run at parse time by common.smk). Rule inventory -> scripts/inventory.py;
# rule provenance -> scripts/provenance.py.

from scripts.validation.study import human_reference_candidates

VALIDATION_PRIORITY = 10


rule validate_binding:
    input:
        unpack(binding_raw_inputs),
    output:
        table=validated("binding", "{assay}"),
        warnings=validated_warnings("binding", "{assay}"),
    params:
        limits=config["limits"],
    priority: VALIDATION_PRIORITY
    log:
        log_path("validate_binding", "{assay}"),
    conda:
        CONDA_ENV
    script:
        "../scripts/validate_binding.py"


rule validate_saturation:
    input:
        table=area_table("saturation", "assay"),
    output:
        table=validated("saturation", "{assay}"),
        warnings=validated_warnings("saturation", "{assay}"),
    params:
        limits=config["limits"],
    priority: VALIDATION_PRIORITY
    log:
        log_path("validate_saturation", "{assay}"),
    conda:
        CONDA_ENV
    script:
        "../scripts/validate_saturation.py"


rule validate_behaviour:
    input:
        table=area_table("behaviour", "test"),
    output:
        table=validated("behaviour", "{test}"),
        warnings=validated_warnings("behaviour", "{test}"),
    params:
        limits=config["limits"],
        extra_tests=STUDY_META["extra_tests"],
        treatments=STUDY_META.get("treatments", []),
        vehicle_label=config["behaviour"]["vehicle_label"],
        lookalikes=config["behaviour"]["vehicle_lookalikes"],
    priority: VALIDATION_PRIORITY
    log:
        log_path("validate_behaviour", "{test}"),
    conda:
        CONDA_ENV
    script:
        "../scripts/validate_behaviour.py"


from scripts.validation.pk import VALIDATION_SETTINGS as PK_VALIDATION_SETTINGS


# pk/dosing.csv, when the study has one, is checked with every PK file.
PK_DOSING_RAW = [str(p) for p in [STUDY_DIR / "pk" / "dosing.csv"] if p.is_file()]


rule validate_pk:
    input:
        table=area_table("pk", "table"),
        dosing=PK_DOSING_RAW,
    output:
        table=validated("pk", "{table}"),
        warnings=validated_warnings("pk", "{table}"),
    params:
        pk={key: config["pk"][key] for key in PK_VALIDATION_SETTINGS},
        limits=config["limits"],
    priority: VALIDATION_PRIORITY
    log:
        log_path("validate_pk", "{table}"),
    conda:
        CONDA_ENV
    script:
        "../scripts/validate_pk.py"


# Checks across the files of one area, from their validated tables: an animal
# keeps its design in every behaviour file; the PK parent compound is the
# study.yaml compound, else the only analyte (scripts/validation/crossfile.py).
# The analyses that read several files of the area depend on these outputs, so
# a failed check stops them; the per-file jobs depend on them as ancient()
# inputs, which orders them after the check without rerunning every file's
# job when one file changes.
BEHAVIOUR_ANIMALS = f"{OUT}/validated/behaviour_animals.csv"
PK_ANALYTES = f"{OUT}/validated/pk_analytes.csv"
# The compound study.yaml names (there is no default), else None.
STUDY_COMPOUND = STUDY_META.get("compound")
# Without it, the validate_study job infers the compound from the data.
COMPOUND_INFERRED = STUDY_COMPOUND is None

# The human reference files that binding_literature and translation may use:
# the study's own human_reference_file, else the pipeline's file of the
# study.yaml compound; with the compound inferred from the data, every
# pipeline file, and the job picks the compound's.
HUMAN_REFERENCES = [str(p) for p in human_reference_candidates(STUDY_META, STUDY_DIR)]


rule validate_behaviour_animals:
    input:
        tables=[validated("behaviour", t) for t in behaviour_tests()],
    output:
        animals=BEHAVIOUR_ANIMALS,
    params:
        study_dir=str(STUDY_DIR),
    priority: VALIDATION_PRIORITY
    log:
        log_path("validate_behaviour_animals"),
    conda:
        CONDA_ENV
    script:
        "../scripts/validate_behaviour_animals.py"


rule validate_pk_analytes:
    input:
        tables=[validated("pk", t) for t in pk_tables()],
    output:
        analytes=PK_ANALYTES,
    params:
        compound=STUDY_COMPOUND,
        study_dir=str(STUDY_DIR),
    priority: VALIDATION_PRIORITY
    log:
        log_path("validate_pk_analytes"),
    conda:
        CONDA_ENV
    script:
        "../scripts/validate_pk_analytes.py"


# The study metadata, with the study compound: study.yaml's, else the one
# compound that the validated binding, behaviour and PK data all name
# (scripts/validation/crossfile.py study_compound). Only then does it read
# the data (so with a compound given, a data edit does not rerun it).
rule validate_study:
    input:
        study_yaml=study_yaml_input(),
        binding=(
            [validated("binding", a) for a in binding_assays()]
            if COMPOUND_INFERRED
            else []
        ),
        behaviour=(
            [validated("behaviour", t) for t in behaviour_tests()]
            if COMPOUND_INFERRED
            else []
        ),
        analytes=[PK_ANALYTES] if COMPOUND_INFERRED and pk_tables() else [],
    output:
        f"{OUT}/validated/study.json",
    params:
        # The parse-time validated metadata: a changed study.yaml value reruns this.
        meta=STUDY_META,
        # where study.yaml is or would be, for the error message (a function:
        # the input study.yaml, when present, lies inside this directory)
        study_dir=lambda wildcards: str(STUDY_DIR),
        vehicle_label=config["behaviour"]["vehicle_label"],
    priority: VALIDATION_PRIORITY
    log:
        log_path("validate_study"),
    conda:
        CONDA_ENV
    script:
        "../scripts/validate_study.py"


rule inventory:
    input:
        tables=all_validated()[0],
        warnings=all_validated()[1],
        checks=([BEHAVIOUR_ANIMALS] if behaviour_tests() else [])
        + ([PK_ANALYTES] if pk_tables() else []),
    output:
        files=report(
            f"{OUT}/inventory/files.csv",
            caption="../report/inventory.rst",
            category="Inventory",
        ),
        areas=f"{OUT}/inventory/areas.csv",
        receptors=f"{OUT}/inventory/receptors.csv",
        behaviour=f"{OUT}/inventory/behaviour_groups.csv",
        pk=f"{OUT}/inventory/pk_design.csv",
        exclusions=f"{OUT}/inventory/exclusions.csv",
        warnings=f"{OUT}/inventory/warnings.csv",
    log:
        log_path("inventory"),
    conda:
        CONDA_ENV
    script:
        "../scripts/inventory.py"


rule provenance:
    input:
        raw_input_files(),
    output:
        inputs=f"{OUT}/provenance/inputs.csv",
        software=f"{OUT}/provenance/software.csv",
    log:
        log_path("provenance"),
    conda:
        CONDA_ENV
    script:
        "../scripts/provenance.py"


ALL_TARGETS.extend(rules.inventory.output)
ALL_TARGETS.extend(rules.provenance.output)
ALL_TARGETS.append(rules.validate_study.output[0])
