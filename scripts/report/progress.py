"""A short terminal view of a Snakemake run (``make run``).

Runs ``snakemake`` with the given arguments and prints one line per
finished job ("[12/60] binding_fit H1_rat") instead of Snakemake's job
blocks with their input lists, one line per failed job (the rule and the
last line of its log), and at the end the path of the report and its
flags counted by severity. Snakemake's full log stays in .snakemake/log/.

    python -m scripts.report.progress --cores 2 [other snakemake options]
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd

RULE = re.compile(r"^(local)?rule (\S+):$")
FIELD = re.compile(r"^\s+(\w+): (.*)$")
FINISHED = re.compile(r"^Finished jobid: (\d+)")
STEPS = re.compile(r"^(\d+) of (\d+) steps")
ERROR_RULE = re.compile(r"^Error in rule (\S+):$")
PASS_THROUGH = (
    "ERROR",
    "INPUT ERROR",
    "WorkflowError",
    "MissingInput",
    "Partial report",
    "Nothing to be done",
)
SEVERITIES = ("high", "medium", "low")


def last_log_line(path: str) -> str:
    try:
        lines = [line.strip() for line in Path(path).read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


class Progress:
    """Reads Snakemake's output line by line and says what matters."""

    def __init__(self, out=sys.stdout):
        self.out = out
        self.jobs: dict[str, dict] = {}
        self.block: dict | None = None
        self.error: dict | None = None
        self.finished: str | None = None
        self.reports: list[str] = []

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def feed(self, line: str) -> None:
        line = line.rstrip("\n")
        field = FIELD.match(line)
        if field and (self.block is not None or self.error is not None):
            name, value = field.groups()
            target = self.error if self.error is not None else self.block
            target[name] = value
            if name == "jobid" and self.error is None:
                self.jobs[value] = self.block
            if name == "output" and self.block is not None and self.block["rule"] == "report":
                self.reports.append(value.split(",")[0].strip())
            return
        self._close_error()
        self.block = None
        if match := RULE.match(line):
            self.block = {"rule": match.group(2)}
        elif match := ERROR_RULE.match(line):
            self.error = {"rule": match.group(1)}
        elif match := FINISHED.match(line):
            self.finished = match.group(1)
        elif (match := STEPS.match(line)) and self.finished is not None:
            job = self.jobs.get(self.finished, {})
            wildcards = job.get("wildcards", "")
            detail = " ".join(part.split("=", 1)[-1] for part in wildcards.split(", ")) if wildcards else ""
            self.say(f"[{match.group(1)}/{match.group(2)}] {job.get('rule', 'job')} {detail}".rstrip())
            self.finished = None
        elif line.strip().startswith(PASS_THROUGH):
            self.say(line.strip())

    def _close_error(self) -> None:
        if self.error is None:
            return
        log = self.error.get("log", "").split(" (")[0].split(",")[0].strip()
        detail = last_log_line(log) if log else self.error.get("message", "")
        wildcards = self.error.get("wildcards", "")
        where = f" ({wildcards})" if wildcards else ""
        self.say(f"FAILED {self.error['rule']}{where}: {detail or 'see ' + (log or 'the Snakemake log')}")
        self.error = None

    def close(self) -> None:
        self._close_error()


def report_path(progress: Progress) -> Path | None:
    if progress.reports:
        return Path(progress.reports[-1])
    found = sorted(Path("results").glob("*/report.html"), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def flag_counts(report: Path) -> str:
    flags = report.parent / "translation" / "flags.csv"
    if not flags.exists():
        return "no flags table"
    severity = pd.read_csv(flags)["severity"].astype(str).str.lower()
    return ", ".join(f"{int((severity == level).sum())} {level}" for level in SEVERITIES)


def main(argv: list[str]) -> int:
    command = [str(Path(sys.executable).with_name("snakemake")), *argv]
    progress = Progress()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as run:
        for line in run.stdout:
            progress.feed(line)
    progress.close()
    report = report_path(progress)
    if run.returncode != 0:
        progress.say(f"Run failed (exit {run.returncode}); full log in .snakemake/log/.")
        if report is not None and (report.parent / "failures.csv").exists():
            progress.say(f"What failed: {report.parent / 'failures.csv'}")
        return run.returncode
    if report is None or not report.exists():
        progress.say("Done; no report was written.")
        return 0
    progress.say(f"Report: {report}")
    progress.say(f"Flags: {flag_counts(report)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
