# Pharmacokinetics: NCA per validated PK file (PKNCA / WinNonlin rules, see
# scripts/pk/nca.py), then one aggregate job for the study-level tables
# (summaries, bioavailability, dose proportionality, metabolites) and figures
# (scripts/pk/aggregate.py).

from scripts.pk.conventions import AGGREGATE_SETTINGS, NCA_SETTINGS


# Each rule gets only the pk settings it uses (config_params), so changing one
# reruns only its jobs; the key lists live next to the code that reads them.
# The PK control files pk/dosing.csv and pk/lambda_z.csv (PK_CONTROL,
# pk_control() and pk_control_checked(), see common.smk) are not
# concentration files. Each is validated on its own (pk_control, read by
# pk_nca; its warnings reach the inventory), and checked against every
# validated concentration file (pk_control_check, required by pk_aggregate):
# editing one PK file then reruns the check, not the NCA of the other files.


localrules:
    pk_control,
    pk_control_check,


rule pk_control:
    input:
        table=area_table("pk", "control"),
    output:
        table=validated("pk_control", "{control}"),
        warnings=validated_warnings("pk_control", "{control}"),
    wildcard_constraints:
        control="|".join(RESERVED_PK_STEMS),
    priority: VALIDATION_PRIORITY
    log:
        log_path("pk_control", "{control}"),
    conda:
        CONDA_ENV
    script:
        "../scripts/pk_control.py"


rule pk_control_check:
    input:
        controls=[str(path) for path in PK_CONTROL.values()],
        tables=[validated("pk", t) for t in pk_tables()],
    output:
        f"{OUT}/validated/pk_control/checked.csv",
    priority: VALIDATION_PRIORITY
    log:
        log_path("pk_control_check"),
    conda:
        CONDA_ENV
    script:
        "../scripts/pk_control_check.py"


rule pk_nca:
    input:
        table=validated("pk", "{table}"),
        analytes=ancient(PK_ANALYTES),
        dosing=pk_control("dosing"),
        lambda_z=pk_control("lambda_z"),
    output:
        nca=f"{OUT}/pk/nca/{{table}}.csv",
        sparse=f"{OUT}/pk/nca/{{table}}.sparse_auc.csv",
        points=f"{OUT}/pk/nca/{{table}}.lambda_z_points.csv",
        intervals=f"{OUT}/pk/nca/{{table}}.intervals.csv",
        figure=report(
            f"{OUT}/pk/figures/lambda_z_{{table}}.svg",
            caption="../report/pk_lambda_z.rst",
            category="Pharmacokinetics",
            subcategory="Terminal phase (λz) diagnostics",
        ),
    params:
        pk=config_params("pk", NCA_SETTINGS),
    threads: 1
    log:
        log_path("pk_nca", "{table}"),
    conda:
        CONDA_ENV
    script:
        "../scripts/pk_nca.py"


rule pk_aggregate:
    input:
        tables=[validated("pk", t) for t in pk_tables()],
        analytes=PK_ANALYTES,
        nca=expand(f"{OUT}/pk/nca/{{table}}.csv", table=pk_tables()),
        sparse=expand(f"{OUT}/pk/nca/{{table}}.sparse_auc.csv", table=pk_tables()),
        intervals=expand(f"{OUT}/pk/nca/{{table}}.intervals.csv", table=pk_tables()),
        checked=pk_control_checked(),
    output:
        nca=report(
            f"{OUT}/pk/nca.csv",
            caption="../report/pk_nca.rst",
            category="Pharmacokinetics",
            subcategory="Tables",
        ),
        intervals=report(
            f"{OUT}/pk/intervals.csv",
            caption="../report/pk_intervals.rst",
            category="Pharmacokinetics",
            subcategory="Tables",
        ),
        summary=report(
            f"{OUT}/pk/summary.csv",
            caption="../report/pk_summary.rst",
            category="Pharmacokinetics",
            subcategory="Tables",
        ),
        bioavailability=report(
            f"{OUT}/pk/bioavailability.csv",
            caption="../report/pk_bioavailability.rst",
            category="Pharmacokinetics",
            subcategory="Tables",
        ),
        metabolites=report(
            f"{OUT}/pk/metabolites.csv",
            caption="../report/pk_metabolites.rst",
            category="Pharmacokinetics",
            subcategory="Tables",
        ),
        detectability=report(
            f"{OUT}/pk/detectability.csv",
            caption="../report/pk_detectability.rst",
            category="Pharmacokinetics",
            subcategory="Tables",
        ),
        dose_proportionality=report(
            f"{OUT}/pk/dose_proportionality.csv",
            caption="../report/pk_dose_proportionality.rst",
            category="Pharmacokinetics",
            subcategory="Tables",
        ),
        figure=report(
            f"{OUT}/pk/figures/concentration_time.svg",
            caption="../report/pk_concentration_time.rst",
            category="Pharmacokinetics",
            subcategory="Concentration-time profiles",
        ),
    params:
        pk=config_params("pk", AGGREGATE_SETTINGS),
    log:
        log_path("pk_aggregate"),
    conda:
        CONDA_ENV
    script:
        "../scripts/pk_aggregate.py"


if pk_tables():
    ALL_TARGETS.extend(rules.pk_aggregate.output)
    ALL_TARGETS.extend(
        expand(rules.pk_nca.output.figure, table=pk_tables()),
    )
