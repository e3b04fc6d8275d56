# Translation: joins the areas' RESULT tables (never their raw data) with the
# inventory and the human reference (resources/reference/<compound>_human.yaml, study.yaml
# `human_reference` overrides) into rat-vs-human exposure, dose translation,
# receptor occupancy, the behaviourally effective doses and translational risk
# flags (workflow/scripts/translation.py -> scripts/translation/run.py).
# An area's tables are inputs only when the study provides that area, so a
# study without binding, behaviour or PK still gets a translation with
# "not assessable" notes.

# Inputs: the study metadata and inventory always; the reference when it
# exists; each area's result tables only when the study provides that area.
TRANSLATION_INPUTS = {
    "study": f"{OUT}/validated/study.json",
    "behaviour_groups": f"{OUT}/inventory/behaviour_groups.csv",
    "pk_design": f"{OUT}/inventory/pk_design.csv",
    "receptors": f"{OUT}/inventory/receptors.csv",
}
if HUMAN_REFERENCES:
    TRANSLATION_INPUTS["reference"] = HUMAN_REFERENCES
if binding_assays():
    TRANSLATION_INPUTS["ki"] = f"{OUT}/binding/ki.csv"
    # the species Ki difference as binding pooled it (Welch across experiments)
    TRANSLATION_INPUTS["species_comparison"] = f"{OUT}/binding/species_comparison.csv"
if behaviour_tests():
    TRANSLATION_INPUTS["comparisons"] = [
        f"{OUT}/behaviour/{test}/comparisons.csv" for test in behaviour_tests()
    ]
    TRANSLATION_INPUTS["confounds"] = f"{OUT}/behaviour/confounds.csv"
    TRANSLATION_INPUTS["endpoints"] = [
        f"{OUT}/behaviour/{test}/endpoints.csv" for test in behaviour_tests()
    ]
if pk_tables():
    TRANSLATION_INPUTS["nca"] = f"{OUT}/pk/nca.csv"
    TRANSLATION_INPUTS["bioavailability"] = f"{OUT}/pk/bioavailability.csv"
    TRANSLATION_INPUTS["metabolites"] = f"{OUT}/pk/metabolites.csv"
    TRANSLATION_INPUTS["detectability"] = f"{OUT}/pk/detectability.csv"
    TRANSLATION_INPUTS["proportionality"] = f"{OUT}/pk/dose_proportionality.csv"
    # concentration-time rows, for the rat group profiles over time
    TRANSLATION_INPUTS["pk"] = [validated("pk", table) for table in pk_tables()]


rule translation:
    input:
        **TRANSLATION_INPUTS,
    output:
        exposure=report(
            f"{OUT}/translation/exposure.csv",
            caption="../report/translation_exposure.rst",
            category="Translation",
            subcategory="Tables",
        ),
        exposure_ratios=report(
            f"{OUT}/translation/exposure_ratios.csv",
            caption="../report/translation_exposure_ratios.rst",
            category="Translation",
            subcategory="Tables",
        ),
        dose_translation=report(
            f"{OUT}/translation/dose_translation.csv",
            caption="../report/translation_dose_translation.rst",
            category="Translation",
            subcategory="Tables",
        ),
        occupancy=report(
            f"{OUT}/translation/occupancy.csv",
            caption="../report/translation_occupancy.rst",
            category="Translation",
            subcategory="Tables",
        ),
        ki_used=report(
            f"{OUT}/translation/ki_used.csv",
            caption="../report/translation_ki_used.rst",
            category="Translation",
            subcategory="Tables",
        ),
        species_ki=report(
            f"{OUT}/translation/species_ki.csv",
            caption="../report/translation_species_ki.rst",
            category="Translation",
            subcategory="Tables",
        ),
        effective_doses=report(
            f"{OUT}/translation/effective_doses.csv",
            caption="../report/translation_effective_doses.rst",
            category="Translation",
            subcategory="Tables",
        ),
        effect_context=report(
            f"{OUT}/translation/effect_context.csv",
            caption="../report/translation_effect_context.rst",
            category="Translation",
            subcategory="Tables",
        ),
        flags=report(
            f"{OUT}/translation/flags.csv",
            caption="../report/translation_flags.rst",
            category="Translation",
            subcategory="Risk flags",
        ),
        reference=report(
            f"{OUT}/translation/reference.csv",
            caption="../report/translation_reference.rst",
            category="Translation",
            subcategory="Tables",
        ),
        human_steady_state=report(
            f"{OUT}/translation/human_steady_state.csv",
            caption="../report/translation_human_steady_state.rst",
            category="Translation",
            subcategory="Tables",
        ),
        exposure_at_test=report(
            f"{OUT}/translation/exposure_at_test.csv",
            caption="../report/translation_exposure_at_test.rst",
            category="Translation",
            subcategory="Tables",
        ),
        occupancy_time=report(
            f"{OUT}/translation/occupancy_time.csv",
            caption="../report/translation_occupancy_time.rst",
            category="Translation",
            subcategory="Tables",
        ),
        occupancy_summary=report(
            f"{OUT}/translation/occupancy_summary.csv",
            caption="../report/translation_occupancy_summary.rst",
            category="Translation",
            subcategory="Tables",
        ),
        exposure_response=report(
            f"{OUT}/translation/exposure_response.csv",
            caption="../report/translation_exposure_response.rst",
            category="Translation",
            subcategory="Tables",
        ),
        human_dose_prediction=report(
            f"{OUT}/translation/human_dose_prediction.csv",
            caption="../report/translation_human_dose_prediction.rst",
            category="Translation",
            subcategory="Tables",
        ),
        exposure_response_figure=report(
            f"{OUT}/translation/figures/exposure_response.svg",
            caption="../report/translation_exposure_response_figure.rst",
            category="Translation",
            subcategory="Figures",
        ),
        occupancy_time_figure=report(
            f"{OUT}/translation/figures/occupancy_time.svg",
            caption="../report/translation_occupancy_time_figure.rst",
            category="Translation",
            subcategory="Figures",
        ),
        exposure_figure=report(
            f"{OUT}/translation/figures/exposure.svg",
            caption="../report/translation_exposure_figure.rst",
            category="Translation",
            subcategory="Figures",
        ),
        occupancy_figure=report(
            f"{OUT}/translation/figures/occupancy.svg",
            caption="../report/translation_occupancy_figure.rst",
            category="Translation",
            subcategory="Figures",
        ),
    params:
        translation=config["translation"],
        alpha=config["behaviour"]["alpha"],
        vehicle_label=config["behaviour"]["vehicle_label"],
        max_auc_pct_extrap=config["pk"]["max_auc_pct_extrap"],
        species_ratio_flag=config["binding"]["species_ratio_flag"],
    log:
        log_path("translation"),
    conda:
        CONDA_ENV
    script:
        "../scripts/translation.py"


ALL_TARGETS.extend(rules.translation.output)
