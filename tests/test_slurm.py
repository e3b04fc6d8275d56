"""The example study on a real single-node SLURM cluster, through Snakemake's
executor plugin and workflow/profiles/slurm: the fitting jobs go through sbatch
(SLURM's own records say so) and every result equals the local run's.

Skipped, with the reason, where SLURM is not installed or cannot be started.
A cluster that is already up (CI starts one with .ci/start_slurm.sh) is used as
it is; otherwise this module starts one with that script and stops the daemons
it started, by PID, when it ends.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from conftest import EXAMPLE, REPO_ROOT, run_example_copy, slurm_accepts_jobs
from scripts.validation import RESERVED_PK_STEMS

START_SCRIPT = REPO_ROOT / ".ci" / "start_slurm.sh"
# Rules that the profile sends to SLURM (every other rule is a localrule), and
# the study folder whose files make one job each.
CLUSTER_RULES = {
    "binding_fit": "binding",
    "binding_saturation_fit": "saturation",
    "behaviour_test": "behaviour",
    "pk_nca": "pk",
}


def _is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:  # a zombie nobody reaps still answers kill(pid, 0)
        return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") >= 0
    except OSError:
        return True


def _stop(pid: int) -> None:
    """SIGTERM, then SIGKILL after 20 s, one process by its PID."""
    for sig, patience in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            if _is_gone(pid):
                return
            time.sleep(0.2)


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory):
    """A single-node SLURM cluster that accepts jobs: the running one, or one
    started here (and stopped again, daemon by daemon, by PID)."""
    missing = [b for b in ("sbatch", "squeue", "slurmctld", "slurmd", "munged") if shutil.which(b) is None]
    if missing:
        pytest.skip(
            f"SLURM not installed here (no {', '.join(missing)} on PATH); "
            ".ci/start_slurm.sh --install installs Debian's slurm-wlm and munge"
        )
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401
    except ImportError:
        pytest.skip(
            "snakemake-executor-plugin-slurm is not installed (`make slurm-env`, requirements-slurm.txt)"
        )
    if slurm_accepts_jobs():
        yield
        return
    if os.geteuid() != 0:
        pytest.skip("no SLURM cluster is up, and starting one needs root")
    pid_file = tmp_path_factory.mktemp("slurm") / "daemons.pids"
    started = subprocess.run(
        ["bash", str(START_SCRIPT), "--pid-file", str(pid_file)], capture_output=True, text=True, timeout=300
    )
    try:
        if started.returncode != 0 or not slurm_accepts_jobs():
            reason = (started.stderr.strip().splitlines() or ["no node accepts jobs"])[-1]
            pytest.skip(f"SLURM cluster could not be started: {reason}")
        yield
    finally:
        pids = pid_file.read_text().split() if pid_file.exists() else []
        # "name pid" lines in start order; stop in reverse (slurmd, slurmctld, munged).
        for pid in reversed(pids[1::2]):
            _stop(int(pid))


def _slurm_records(run_id: str) -> tuple[str, dict[str, dict[str, str]]]:
    """SLURM's own record of a run's jobs (job name = Snakemake's run ID):
    (source, {job id: {state, workdir}}). From sacct where accounting
    (slurmdbd) runs, else from the job-completion log (JobCompType=
    jobcomp/filetxt, as .ci/start_slurm.sh configures), else from squeue
    (finished jobs stay listed for MinJobAge)."""
    since = f"{datetime.now() - timedelta(days=1):%Y-%m-%dT%H:%M}"
    sacct = subprocess.run(
        [
            "sacct",
            "-X",
            "--parsable2",
            "--noheader",
            "--starttime",
            since,
            "--name",
            run_id,
            "--format=JobIDRaw,State,WorkDir",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if sacct.returncode == 0 and sacct.stdout.strip():
        rows = [line.split("|") for line in sacct.stdout.splitlines() if line]
        return "sacct", {r[0]: {"state": r[1], "workdir": r[2]} for r in rows}

    config = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True, timeout=60).stdout
    settings = dict(re.findall(r"^(\w+)\s*=\s*(.*?)\s*$", config, re.M))
    if settings.get("JobCompType") == "jobcomp/filetxt":
        records = {}
        for line in Path(settings["JobCompLoc"]).read_text().splitlines():
            fields = dict(re.findall(r"(\w+)=(\S*)", line))
            if fields.get("Name") == run_id:
                records[fields["JobId"]] = {"state": fields["JobState"], "workdir": fields["WorkDir"]}
        return settings["JobCompLoc"], records

    squeue = subprocess.run(
        ["squeue", "--states=all", "--noheader", "--name", run_id, "--format=%i|%T|%Z"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    rows = [line.split("|") for line in squeue.stdout.splitlines() if line]
    return "squeue", {r[0]: {"state": r[1], "workdir": r[2]} for r in rows}


def _same_files(left: Path, right: Path) -> bool:
    names = {str(p.relative_to(left)) for p in left.rglob("*") if p.is_file()}
    if names != {str(p.relative_to(right)) for p in right.rglob("*") if p.is_file()}:
        return False
    return all(filecmp.cmp(left / n, right / n, shallow=False) for n in names)


def _local_results(example_run, tmp_path: Path) -> tuple[Path, Path]:
    """(results, study) of the shared local run, unless an earlier test changed
    its study (the rerun test edits a file); then of a fresh local run."""
    _, study, results = example_run
    if _same_files(study, EXAMPLE):
        return results, study
    fresh = run_example_copy(tmp_path / "local", "local")
    return fresh.results, fresh.study


# What the pipeline writes (other tests may leave e.g. a screenshot beside the
# shared run's results); logs are compared by neither.
RESULT_SUFFIXES = {".csv", ".json", ".svg", ".html"}


def _result_files(results: Path) -> set[str]:
    return {
        str(p.relative_to(results))
        for p in results.rglob("*")
        if p.is_file() and p.suffix in RESULT_SUFFIXES and p.relative_to(results).parts[0] != "logs"
    }


def _report_text(path: Path, study: Path) -> str:
    """report.html without what legitimately differs: generation time, study path."""
    text = path.read_text().replace(str(study), "<study>")
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "<time>", text)


def test_example_study_runs_through_sbatch_with_identical_results(slurm_cluster, request, tmp_path):
    # Asked for only now, so a skip above costs no run of the example.
    example_run = request.getfixturevalue("example_run")
    local_results, local_study = _local_results(example_run, tmp_path)
    # The suite's second clean example run goes through SLURM when a cluster is
    # up (conftest.second_example_run); if it ran locally before this module
    # started a cluster, run the example through SLURM here.
    run = request.getfixturevalue("second_example_run")
    if run.via != "slurm":
        run = run_example_copy(tmp_path, "slurm")
    workdir, study, output = run.workdir, run.study, run.output

    # Snakemake's side: which jobs it handed to sbatch, for which rule.
    run_id = re.search(r"SLURM run ID: (\S+)", output).group(1)
    submitted = dict(re.findall(r"has been submitted with SLURM jobid (\d+) \(log: \S*/rule_(\w+)/", output))
    expected = Counter(
        {
            rule: sum(1 for p in (study / folder).glob("*.csv") if p.stem not in RESERVED_PK_STEMS)
            for rule, folder in CLUSTER_RULES.items()
        }
    )
    assert Counter(submitted.values()) == expected, output[-5000:]

    # SLURM's side: the same jobs, all completed, in this working directory.
    source, records = _slurm_records(run_id)
    assert set(records) == set(submitted), (source, records, submitted)
    assert {r["state"] for r in records.values()} == {"COMPLETED"}, (source, records)
    assert {Path(r["workdir"]).resolve() for r in records.values()} == {workdir.resolve()}
    print(f"{len(records)} SLURM jobs of run {run_id}, per {source}")

    # Results: every table, JSON and figure byte-identical to the local run's.
    cluster_results = workdir / "results" / "example_mirtazapine"
    files = _result_files(cluster_results)
    assert files == _result_files(local_results)
    differing = [
        f
        for f in sorted(files - {"report.html"})
        if not filecmp.cmp(cluster_results / f, local_results / f, shallow=False)
    ]
    assert differing == []
    assert any(f.endswith(".csv") for f in files) and any(f.endswith(".json") for f in files)
    assert _report_text(cluster_results / "report.html", study) == _report_text(
        local_results / "report.html", local_study
    )
