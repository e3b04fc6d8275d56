# Translational-pharmacology pipeline: raw study data -> binding constants,
# behavioural statistics, pharmacokinetics, rat-vs-human translation and one
# consolidated report. See README.md for the study-directory contract.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"


wildcard_constraints:
    assay=r"[^/]+",
    test=r"[^/]+",
    table=r"[^/]+",


include: "workflow/rules/validate.smk"
include: "workflow/rules/binding.smk"
include: "workflow/rules/behaviour.smk"
include: "workflow/rules/pk.smk"
include: "workflow/rules/translation.smk"
include: "workflow/rules/report.smk"


# On a cluster (workflow/profiles/slurm) these run on the submitting host: each
# takes about a second of CPU (validation of one file, aggregations, inventory,
# report), less than a cluster job's own start-up. Only the per-file fits and
# statistics (binding_fit, binding_saturation_fit, behaviour_test, pk_nca) are
# submitted.
localrules:
    all,
    validate_study,
    validate_binding,
    validate_saturation,
    validate_behaviour,
    validate_pk,
    validate_behaviour_animals,
    validate_pk_analytes,
    inventory,
    provenance,
    binding_aggregate,
    binding_literature,
    behaviour_battery,
    pk_aggregate,
    translation,
    report,


rule all:
    default_target: True
    input:
        ALL_TARGETS,
