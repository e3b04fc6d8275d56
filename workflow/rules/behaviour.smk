# Behavioural battery (scripts/behaviour/): one job per test file for the
# group statistics against vehicle and the figure (analysis.py, figures.py),
# then one aggregate job for the sedation/stimulant confound check, battery
# flags and all exclusions (battery.py).

from scripts.validation import load_study_yaml


# study.yaml's fst_window_min when the study sets it (it describes how that
# study was scored), else config behaviour.fst_window_min.
BEHAVIOUR_FST_WINDOW = config["behaviour"]["fst_window_min"]
if (STUDY_DIR / "study.yaml").exists() and "fst_window_min" in load_study_yaml(
    STUDY_DIR / "study.yaml"
):
    BEHAVIOUR_FST_WINDOW = STUDY_META["fst_window_min"]
BEHAVIOUR_RESULT = f"{OUT}/behaviour/{{test}}/{{name}}"
# The behaviour settings each test job uses (the FST window goes to the FST
# job only, so changing it reruns only that); the battery job uses alpha.
BEHAVIOUR_TEST_KEYS = (
    "vehicle_label",
    "normality_alpha",
    "variance_alpha",
    "min_group_n",
    "method",
    "seed",
)
BEHAVIOUR_TEST_PARAMS = {
    k: v for k, v in config["behaviour"].items() if k in BEHAVIOUR_TEST_KEYS
}


rule behaviour_test:
    input:
        table=validated("behaviour", "{test}"),
        animals=ancient(BEHAVIOUR_ANIMALS),
    output:
        summary=report(
            f"{OUT}/behaviour/{{test}}/summary.csv",
            caption="../report/behaviour_summary.rst",
            category="Behaviour",
            subcategory="{test}",
        ),
        omnibus=report(
            f"{OUT}/behaviour/{{test}}/omnibus.csv",
            caption="../report/behaviour_omnibus.rst",
            category="Behaviour",
            subcategory="{test}",
        ),
        comparisons=report(
            f"{OUT}/behaviour/{{test}}/comparisons.csv",
            caption="../report/behaviour_comparisons.rst",
            category="Behaviour",
            subcategory="{test}",
        ),
        decisions=report(
            f"{OUT}/behaviour/{{test}}/decision_path.csv",
            caption="../report/behaviour_decision_path.rst",
            category="Behaviour",
            subcategory="{test}",
        ),
        exclusions=report(
            f"{OUT}/behaviour/{{test}}/exclusions.csv",
            caption="../report/behaviour_exclusions.rst",
            category="Behaviour",
            subcategory="{test}",
        ),
        two_way=report(
            f"{OUT}/behaviour/{{test}}/two_way_anova.csv",
            caption="../report/behaviour_two_way_anova.rst",
            category="Behaviour",
            subcategory="{test}",
        ),
        endpoints=report(
            f"{OUT}/behaviour/{{test}}/endpoints.csv",
            caption="../report/behaviour_endpoints.rst",
            category="Behaviour",
            subcategory="{test}",
        ),
        figure=report(
            f"{OUT}/behaviour/figures/{{test}}.svg",
            caption="../report/behaviour_figure.rst",
            category="Behaviour",
            subcategory="Figures",
        ),
    params:
        behaviour=BEHAVIOUR_TEST_PARAMS,
        fst_window_min=lambda wildcards: (
            BEHAVIOUR_FST_WINDOW if wildcards.test == "fst" else []
        ),
        extra_tests=STUDY_META["extra_tests"],
        compound=STUDY_META.get("compound", ""),
    threads: 1
    log:
        log_path("behaviour_test", "{test}"),
    conda:
        CONDA_ENV
    script:
        "../scripts/behaviour_test.py"


rule behaviour_battery:
    input:
        animals=BEHAVIOUR_ANIMALS,
        summaries=expand(BEHAVIOUR_RESULT, test=behaviour_tests(), name="summary.csv"),
        comparisons=expand(
            BEHAVIOUR_RESULT, test=behaviour_tests(), name="comparisons.csv"
        ),
        exclusions=expand(
            BEHAVIOUR_RESULT, test=behaviour_tests(), name="exclusions.csv"
        ),
    output:
        confounds=report(
            f"{OUT}/behaviour/confounds.csv",
            caption="../report/behaviour_confounds.rst",
            category="Behaviour",
            subcategory="Confound check",
        ),
        flags=report(
            f"{OUT}/behaviour/battery_flags.csv",
            caption="../report/behaviour_battery_flags.rst",
            category="Behaviour",
            subcategory="Confound check",
        ),
        exclusions=report(
            f"{OUT}/behaviour/exclusions.csv",
            caption="../report/behaviour_exclusions_all.rst",
            category="Behaviour",
            subcategory="Exclusions",
        ),
    params:
        tests=behaviour_tests(),
        alpha=config["behaviour"]["alpha"],
        extra_tests=STUDY_META["extra_tests"],
    log:
        log_path("behaviour_battery"),
    conda:
        CONDA_ENV
    script:
        "../scripts/behaviour_battery.py"


if behaviour_tests():
    ALL_TARGETS.extend(rules.behaviour_battery.output)
    ALL_TARGETS.extend(
        expand(rules.behaviour_test.output.figure, test=behaviour_tests())
    )
