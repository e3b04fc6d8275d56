# Radioligand binding (scripts/binding/): one job per competition-binding
# assay file (specific binding, lmfit 4PL and one-site fits, flags, figure;
# scripts/binding/fitting.py), one per saturation file (global total + NSB
# fit, figure; scripts/binding/saturation.py), then one study job for Ki
# (Cheng–Prusoff, Kd from saturation when measured; scripts/binding/aggregate.py),
# saturation, species and selectivity tables and the pKi figure.

# The binding settings each rule uses (the one list of them): a rule gets only
# these, so changing a setting reruns only the jobs that use it.
BINDING_SETTINGS = {
    "binding_fit": (
        "ki_model",
        "r_squared_min",
        "hill_slope_range",
        "hill_unity_range",
        "two_site_min_separation_log",
        "replicate_cv_max_pct",
        "nsb_max_pct_of_total",
        "min_concentrations",
        "ligand_depletion_max_pct",
    ),
    "binding_saturation_fit": (
        "r_squared_min",
        "min_concentrations",
        "ligand_depletion_max_pct",
    ),
    "binding_aggregate": ("primary_target", "species_ratio_flag"),
}


rule binding_fit:
    input:
        table=validated("binding", "{assay}"),
    output:
        fits=f"{OUT}/binding/fits/{{assay}}.csv",
        figure=report(
            f"{OUT}/binding/figures/curves_{{assay}}.svg",
            caption="../report/binding_curves.rst",
            category="Radioligand binding",
            subcategory="Competition curves",
        ),
    params:
        binding=config_params("binding", BINDING_SETTINGS["binding_fit"]),
    threads: 1
    log:
        log_path("binding_fit", "{assay}"),
    conda:
        CONDA_ENV
    script:
        "../scripts/binding_fit.py"


rule binding_saturation_fit:
    input:
        table=validated("saturation", "{assay}"),
    output:
        fits=f"{OUT}/binding/saturation_fits/{{assay}}.csv",
        figure=report(
            f"{OUT}/binding/figures/saturation_{{assay}}.svg",
            caption="../report/binding_saturation_curves.rst",
            category="Radioligand binding",
            subcategory="Saturation curves",
        ),
    params:
        binding=config_params("binding", BINDING_SETTINGS["binding_saturation_fit"]),
    threads: 1
    log:
        log_path("binding_saturation_fit", "{assay}"),
    conda:
        CONDA_ENV
    script:
        "../scripts/binding_saturation_fit.py"


rule binding_aggregate:
    input:
        fits=expand(f"{OUT}/binding/fits/{{assay}}.csv", assay=binding_assays()),
        saturation=expand(
            f"{OUT}/binding/saturation_fits/{{assay}}.csv", assay=saturation_assays()
        ),
    output:
        ki=report(
            f"{OUT}/binding/ki.csv",
            caption="../report/binding_ki.rst",
            category="Radioligand binding",
            subcategory="Tables",
        ),
        ki_summary=report(
            f"{OUT}/binding/ki_summary.csv",
            caption="../report/binding_ki_summary.rst",
            category="Radioligand binding",
            subcategory="Tables",
        ),
        saturation=report(
            f"{OUT}/binding/saturation.csv",
            caption="../report/binding_saturation.rst",
            category="Radioligand binding",
            subcategory="Tables",
        ),
        saturation_summary=report(
            f"{OUT}/binding/saturation_summary.csv",
            caption="../report/binding_saturation_summary.rst",
            category="Radioligand binding",
            subcategory="Tables",
        ),
        species=report(
            f"{OUT}/binding/species_comparison.csv",
            caption="../report/binding_species_comparison.rst",
            category="Radioligand binding",
            subcategory="Tables",
        ),
        selectivity=report(
            f"{OUT}/binding/selectivity.csv",
            caption="../report/binding_selectivity.rst",
            category="Radioligand binding",
            subcategory="Tables",
        ),
        figure=report(
            f"{OUT}/binding/figures/pki_by_receptor.svg",
            caption="../report/binding_pki_by_receptor.rst",
            category="Radioligand binding",
            subcategory="pKi by receptor",
        ),
        overlay=report(
            f"{OUT}/binding/figures/species_overlay.svg",
            caption="../report/binding_species_overlay.rst",
            category="Radioligand binding",
            subcategory="Species overlay",
        ),
    params:
        binding=config_params("binding", BINDING_SETTINGS["binding_aggregate"]),
    log:
        log_path("binding_aggregate"),
    conda:
        CONDA_ENV
    script:
        "../scripts/binding_aggregate.py"


if binding_assays() or saturation_assays():
    ALL_TARGETS.extend(rules.binding_aggregate.output)
    ALL_TARGETS.extend(expand(rules.binding_fit.output.figure, assay=binding_assays()))
    ALL_TARGETS.extend(
        expand(rules.binding_saturation_fit.output.figure, assay=saturation_assays())
    )


# The pooled Ki beside the literature: the study compound's reference file (or
# the study's own, named in study.yaml) with the study's ki_nM overrides.
# HUMAN_REFERENCES are the candidates (validate.smk): one at most, unless the
# compound is inferred from the data; then the job picks by validated/study.json.
BINDING_LITERATURE_INPUTS = {"summary": f"{OUT}/binding/ki_summary.csv"}
if HUMAN_REFERENCES:
    BINDING_LITERATURE_INPUTS["reference"] = HUMAN_REFERENCES
if COMPOUND_INFERRED and "human_reference_file" not in STUDY_META:
    BINDING_LITERATURE_INPUTS["study"] = f"{OUT}/validated/study.json"


rule binding_literature:
    input:
        **BINDING_LITERATURE_INPUTS,
    output:
        table=report(
            f"{OUT}/binding/literature_comparison.csv",
            caption="../report/binding_literature_comparison.rst",
            category="Radioligand binding",
            subcategory="Tables",
        ),
    params:
        overrides=STUDY_META.get("human_reference", {}).get("ki_nM", {}),
    log:
        log_path("binding_literature"),
    conda:
        CONDA_ENV
    script:
        "../scripts/binding_literature.py"


if binding_assays():
    ALL_TARGETS.extend(rules.binding_literature.output)
