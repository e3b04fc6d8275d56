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


rule all:
    default_target: True
    input:
        ALL_TARGETS,
