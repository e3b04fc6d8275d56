# The consolidated translational report. It reads only result tables and
# figures (every final output of the other rule files), never raw data.


rule report:
    input:
        list(ALL_TARGETS),
    output:
        report(
            f"{OUT}/report.html",
            caption="../report/report_html.rst",
            category="Report",
        ),
    params:
        config=config,
    log:
        log_path("report"),
    conda:
        CONDA_ENV
    script:
        "../scripts/report_html.py"


ALL_TARGETS.append(rules.report.output[0])


from scripts.rule_support import write_failures


# A failed run (with --keep-going, after the independent jobs have finished)
# cannot build the report, whose inputs are missing. It says what failed
# instead, in results/<study>/failures.csv: each failed job with the last line
# of its log, and each final output not produced. A new run removes the list.
onstart:
    Path(f"{OUT}/failures.csv").unlink(missing_ok=True)


onerror:
    write_failures(log, f"{OUT}/failures.csv", ALL_TARGETS)
