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
