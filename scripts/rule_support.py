"""Glue for the thin rule scripts under workflow/scripts/.

``run_rule(snakemake, body)`` sends logging to the rule's log file and turns
an :class:`~scripts.tables.InputError` into one readable line on stderr and a
non-zero exit, instead of a traceback. Any other exception (a bug, a full
disk) is also reported in one line naming the rule, with the traceback
written to the rule's log file for whoever debugs it. Snakemake then removes
the job's outputs, so a failed job leaves no partial results.
"""

from __future__ import annotations

import csv
import logging
import re
import sys
import warnings
from pathlib import Path

from scripts.tables import InputError


def run_rule(snakemake, body) -> None:
    log_path = snakemake.log[0] if len(snakemake.log) else None
    handlers = [logging.FileHandler(log_path, mode="w")] if log_path else []
    logging.basicConfig(
        level=logging.INFO, handlers=handlers, force=True, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.captureWarnings(True)
    warnings.simplefilter("default")
    try:
        body(snakemake)
    except InputError as error:
        logging.error("%s", error)
        _say(f"INPUT ERROR: {error}")
        sys.exit(1)
    except Exception as error:  # noqa: BLE001 - reported, then the job fails
        logging.exception("rule %s failed", snakemake.rule)
        where = f" (traceback in {log_path})" if log_path else ""
        summary = f"{type(error).__name__}: {error}".splitlines()[0]
        _say(f"ERROR: rule {snakemake.rule} failed: {summary}{where}")
        sys.exit(1)


def tune_local_scheduling(scheduler, settings, cores) -> None:
    """Adjust Snakemake's job *scheduler* for a local run, before its first
    pass (the workflow calls this from ``onstart`` for local execution only;
    cluster executors keep Snakemake's behaviour). *settings* are the run's
    scheduling settings (what the user gave), *cores* its ``--cores``.

    * Snakemake's job-rate limiter (``--max-jobs-per-timespan``, default
      100/1s) ends every scheduling pass by starting a timer that triggers
      another pass, so the timer chains multiply with the jobs finished:
      about 11 000 passes in a 2-minute run of 76 jobs, each computing the
      input sizes of the ready jobs, on the cores the jobs need; and the
      process waits for the last timer before it exits. Locally, jobs start
      as cores free up, so there is nothing to limit: the default limiter is
      dropped (a value the user gave is kept).
    * Each pass considers at most ``4 x cores`` ready jobs (at least 8), a
      random sample (``--scheduler-subsample``): with hundreds of ready jobs
      the job selection otherwise costs more than the jobs, and a bound that
      grows with ``--cores`` never leaves a large machine's cores idle (a
      value the user gave is kept).
    """
    limiter = settings.max_jobs_per_timespan
    if limiter is not None and (limiter.max_jobs, limiter.timespan) == (100, 1):
        scheduler.job_rate_limiter = None
    if settings.subsample is None and isinstance(cores, int) and cores > 0:
        scheduler.subsample = max(8, 4 * cores)


def _say(line: str) -> None:
    """Write *line* to stderr in one write, on a line of its own: Snakemake
    writes its messages and their line ends separately to the same stream."""
    sys.stderr.write(f"\n{line}\n")
    sys.stderr.flush()


def write_failures(snakemake_logs, out_path, targets) -> list[dict]:
    """After a failed run: list each failed job (with the last line of its
    log, which names the problem) and each final output not produced, in a
    CSV at *out_path*, and say so on stderr. Returns the rows.

    *snakemake_logs* are the run's Snakemake log files, whose
    ``Error in rule <name>:`` blocks name the failed jobs and their logs.
    """
    rows = []
    for snakemake_log in snakemake_logs:
        text = Path(snakemake_log).read_text(encoding="utf-8", errors="replace")
        for block in re.findall(r"^Error in rule (\w+):\n((?:    .*\n?)*)", text, re.M):
            rule, details = block
            job_log = re.search(
                r"^    log: (.+?)(?: \(check log file\(s\) for error details\))?$", details, re.M
            )
            detail = ""
            if job_log and Path(job_log.group(1)).is_file():
                lines = [
                    ln
                    for ln in Path(job_log.group(1))
                    .read_text(encoding="utf-8", errors="replace")
                    .splitlines()
                    if ln.strip()
                ]
                detail = re.sub(r"^ERROR root: ", "", lines[-1]) if lines else ""
            # Logs are logs/<rule>/<wildcards>.log, or logs/<rule>/log.log.
            stem = Path(job_log.group(1)).stem if job_log else "log"
            what = rule if stem == "log" else f"{rule} ({stem})"
            rows.append({"status": "failed", "what": what, "detail": detail})
    for target in targets:
        if not Path(target).exists():
            rows.append({"status": "not produced", "what": str(target), "detail": ""})
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["status", "what", "detail"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    failed = [r["what"] for r in rows if r["status"] == "failed"]
    missing = sum(r["status"] == "not produced" for r in rows)
    print(
        f"Run incomplete: failed {', '.join(failed) or 'before any job finished'}; "
        f"{missing} final outputs not produced (listed in {out_path})",
        file=sys.stderr,
    )
    return rows
