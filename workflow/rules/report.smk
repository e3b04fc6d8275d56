# The consolidated translational report. It reads only result tables and
# figures (every final output of the other rule files), never raw data.


rule report:
    input:
        list(ALL_TARGETS),
        effective_doses=f"{OUT}/translation/effective_doses.csv",
        bibliography=str(REPO_ROOT / "resources" / "reference" / "bibliography.yaml"),
    output:
        report(
            f"{OUT}/report.html",
            caption="../report/report.rst",
            category="Report",
        ),
    params:
        config=config,
    log:
        log_path("report"),
    conda:
        CONDA_ENV
    script:
        "../scripts/report.py"


ALL_TARGETS.append(rules.report.output[0])


from scripts.rule_support import tune_local_scheduling, write_failures


# A failed run cannot build the report rule, whose inputs are missing. It says
# what failed in results/<study>/failures.csv: each failed job with the last
# line of its log, and each final output not produced. After --keep-going
# (every independent job has finished) it also writes report.html as a partial
# report headed by that list; the next run rebuilds it, as the failed job's
# outputs are newer. Without --keep-going Snakemake stops at the first failure
# and what is missing says nothing, so no partial report then. A new run
# removes the list.
#
# onstart also tunes the scheduling of local runs: no job-rate limiter, ready
# jobs per pass scaled with --cores (scripts/rule_support.tune_local_scheduling).
onstart:
    Path(f"{OUT}/failures.csv").unlink(missing_ok=True)
    if workflow.local_exec and getattr(workflow, "scheduler", None) is not None:
        tune_local_scheduling(
            workflow.scheduler,
            workflow.scheduling_settings,
            workflow.resource_settings.cores,
        )


onerror:
    failures = write_failures(log, f"{OUT}/failures.csv", ALL_TARGETS)
    if workflow.execution_settings.keep_going:
        from scripts.report import write_incomplete_report

        write_incomplete_report(OUT, config, failures, f"{OUT}/report.html")
