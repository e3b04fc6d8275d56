"""Benchmark of the pipeline on generated studies of scale N (not a test).

For each N it generates the study (tools/benchmark_study.py), copies the
workflow (Snakefile, config, workflow/, scripts/, resources/reference) into
``benchmarks/work/n<N>/pipeline`` so edits elsewhere cannot change a run
midway, and measures, one after the other:

* floor — every job of the full run replayed in ONE Python process, in the
  order the full run started them: the scripts Snakemake generated for the
  jobs (kept with --skip-script-cleanup; each carries the job's pickled
  ``snakemake`` object), so the heavy imports are paid once. This is the
  compute the pipeline cannot avoid. Measured last, as it rewrites results/.
* full — a clean ``snakemake --cores 2`` run;
* no-op — the same command again, nothing changed;
* incremental — after changing one cpm value of one binding file; the jobs
  that ran are checked against exactly that file's jobs and the aggregates
  that depend on it.

Wall time, CPU time of the whole process tree (getrusage of the children,
so the load other programs put on the machine matters less) and the load
average are recorded for each. While Snakemake runs, its job processes are
polled with psutil (every 0.1 s) for per-job wall time and peak RSS.
``--imports`` times a fresh interpreter importing what each rule script
imports (with Snakemake's script preamble): the per-job start-up cost.
``--fit`` runs benchmarks/bench_binding_fit.py (lmfit core vs curve_fit).

    .venv/bin/python benchmarks/run_benchmark.py                 # N = 25, 100, 400
    .venv/bin/python benchmarks/run_benchmark.py --sizes 100 --no-scaling-only
    .venv/bin/python benchmarks/run_benchmark.py --sizes 25 --imports --fit

Results are printed as a table and written to benchmarks/work/results.json.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.util
import json
import os
import re
import resource
import runpy
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "benchmarks" / "work"
PYTHON = sys.executable
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
WORKFLOW_PARTS = ("Snakefile", "config", "profiles", "workflow", "scripts", "resources/reference")
HEAVY = (
    "pandas",
    "scipy",
    "scipy.stats",
    "lmfit",
    "matplotlib",
    "matplotlib.pyplot",
    "statsmodels",
    "jsonschema",
    "jinja2",
)
# Snakemake's Python-script preamble imports these before the rule script runs.
PREAMBLE = "import pickle; from snakemake.logging import logger; from snakemake.iocontainers import Snakemake"
# What one changed binding file must rerun: its own jobs and the aggregates
# that read them (and "all").
INCREMENTAL_EXPECTED = {
    "validate_binding": 1,
    "binding_fit": 1,
    "binding_aggregate": 1,
    "binding_literature": 1,
    "inventory": 1,
    "provenance": 1,
    "translation": 1,
    "report": 1,
    "all": 1,
}


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------------------
# Study and workflow copy


def parts_at(rev: str, parts=WORKFLOW_PARTS) -> list[str]:
    """The workflow parts that exist at git revision *rev* (older revisions
    had a profiles/ folder)."""
    return [
        p
        for p in parts
        if subprocess.run(
            ["git", "-C", str(REPO), "cat-file", "-e", f"{rev}:{p}"], capture_output=True
        ).returncode
        == 0
    ]


def prepare(n: int, seed: int, rev: str | None = None) -> tuple[Path, Path]:
    """Fresh study and workflow copy under benchmarks/work/n<N>/: of the work
    tree, or of git revision *rev* (``git archive``)."""
    base = WORK / f"n{n}"
    if base.exists():
        shutil.rmtree(base)
    study, pipeline = base / "study", base / "pipeline"
    subprocess.run(
        [PYTHON, str(REPO / "tools" / "benchmark_study.py"), str(n), str(study), "--seed", str(seed)],
        check=True,
        capture_output=True,
    )
    pipeline.mkdir(parents=True)
    if rev:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", rev, *parts_at(rev)], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(pipeline)], input=archive, check=True)
        return study, pipeline
    for part in WORKFLOW_PARTS:
        source, target = REPO / part, pipeline / part
        if not source.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    return study, pipeline


# ---------------------------------------------------------------------------
# Floor: every job's rule script replayed in one process
#
# The full run keeps the scripts Snakemake generated for its jobs
# (--skip-script-cleanup): each is Snakemake's preamble (the job's pickled
# ``snakemake`` object: inputs, outputs, params, wildcards, log) followed by the
# rule script. Replaying them in the order they were written (a job's script is
# written when the job starts, after its inputs exist) runs exactly the jobs of
# the real workflow, whatever its rules are, with the heavy imports paid once.


def keep_job_scripts(pipeline: Path) -> Path:
    """Copy the full run's generated job scripts, in the order they were
    written, to ``floor_scripts/`` beside the pipeline; returns that folder."""
    scripts = sorted(
        (pipeline / ".snakemake" / "scripts").glob("tmp*.py"), key=lambda p: (p.stat().st_mtime_ns, p.name)
    )
    target = pipeline.parent / "floor_scripts"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    for i, script in enumerate(scripts):
        shutil.copy2(script, target / f"{i:05d}.{script.name.split('.', 1)[1]}")
    return target


def run_floor(scripts: Path) -> dict:
    """Replay every job script in *scripts* (name order) in this process; the
    working directory is the pipeline copy, whose result files were deleted
    (folders kept, as Snakemake creates them before a job)."""
    started = time.perf_counter()
    per_rule: dict[str, float] = {}
    per_rule_cpu: dict[str, float] = {}
    jobs_per_rule: dict[str, int] = {}
    for path in sorted(scripts.glob("*.py")):
        start, cpu = time.perf_counter(), time.process_time()
        scope = runpy.run_path(str(path), run_name="__main__")
        rule = scope["snakemake"].rule
        per_rule[rule] = per_rule.get(rule, 0.0) + time.perf_counter() - start
        per_rule_cpu[rule] = per_rule_cpu.get(rule, 0.0) + time.process_time() - cpu
        jobs_per_rule[rule] = jobs_per_rule.get(rule, 0) + 1
    return {
        "seconds_in_process": time.perf_counter() - started,
        "jobs": sum(jobs_per_rule.values()),
        "jobs_per_rule": jobs_per_rule,
        "per_rule_s": per_rule,
        "per_rule_cpu_s": per_rule_cpu,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure_floor(pipeline: Path, scripts: Path) -> dict:
    for path in (pipeline / "results").rglob("*"):
        if path.is_file():
            path.unlink()
    load_before, cpu_before, start = load(), children_cpu(), time.perf_counter()
    result = subprocess.run(
        [PYTHON, str(Path(__file__).resolve()), "--floor-only", str(scripts)],
        cwd=pipeline,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"floor failed:\n{result.stderr[-3000:]}")
    inner = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        "wall_s": wall,
        "cpu_s": children_cpu() - cpu_before,
        "load_before": load_before,
        "load_after": load(),
        **inner,
    }


# ---------------------------------------------------------------------------
# Snakemake runs, with job processes polled for wall time and peak RSS


class JobPoller(threading.Thread):
    """Polls the process tree of *root_pid* every *interval* s and keeps, per
    rule-script process (``.snakemake/scripts/tmpXXXX.<script>.py``), its
    first/last time seen and its peak RSS."""

    SCRIPT = re.compile(r"\.snakemake/scripts/tmp[^.]*\.(\w+)\.py")

    def __init__(self, root_pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.root_pid, self.interval = root_pid, interval
        self.jobs: dict[int, dict] = {}
        self.root_peak_rss = 0
        self.root_cpu = 0.0
        self.stop = threading.Event()

    def run(self):
        import psutil

        try:
            root = psutil.Process(self.root_pid)
        except psutil.NoSuchProcess:
            return
        while not self.stop.is_set():
            now = time.perf_counter()
            try:
                self.root_peak_rss = max(self.root_peak_rss, root.memory_info().rss)
                times = root.cpu_times()
                self.root_cpu = times.user + times.system
                children = root.children(recursive=True)
            except psutil.NoSuchProcess:
                return
            for child in children:
                try:
                    record = self.jobs.get(child.pid)
                    if record is None:
                        match = self.SCRIPT.search(" ".join(child.cmdline()))
                        if not match:
                            continue
                        record = self.jobs[child.pid] = {
                            "script": match.group(1),
                            "first": now,
                            "last": now,
                            "rss": 0,
                            "cpu": 0.0,
                        }
                    record["rss"] = max(record["rss"], child.memory_info().rss)
                    times = child.cpu_times()
                    record["cpu"] = times.user + times.system
                    record["last"] = now
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
            self.stop.wait(self.interval)

    def summary(self) -> dict:
        by_script: dict[str, list[dict]] = {}
        for record in self.jobs.values():
            by_script.setdefault(record["script"], []).append(record)
        return {
            script: {
                "jobs": len(records),
                "median_s": statistics.median(r["last"] - r["first"] for r in records),
                "total_s": sum(r["last"] - r["first"] for r in records),
                "median_cpu_s": statistics.median(r["cpu"] for r in records),
                "peak_rss_mb": max(r["rss"] for r in records) / 2**20,
            }
            for script, records in sorted(by_script.items())
        }


def job_stats(output: str) -> dict[str, int]:
    """The first 'Job stats' table of a Snakemake log: {rule: count}."""
    match = re.search(r"Job stats:\n(.*?)\n\n", output, re.S)
    if not match:
        return {}
    rows = re.findall(r"^(\w+)\s+(\d+)$", match.group(1), re.M)
    return {rule: int(count) for rule, count in rows if rule != "total"}


def run_snakemake(pipeline: Path, study: Path, label: str, timeout: float, extra=()) -> dict:
    log = pipeline.parent / f"{label}.log"
    command = [SNAKEMAKE, "--cores", "2", *extra, "--config", f"study_dir={study}"]
    env = snakemake_env()
    load_before, cpu_before, start = load(), children_cpu(), time.perf_counter()
    with open(log, "w") as handle:
        process = subprocess.Popen(
            command, cwd=pipeline, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
        poller = JobPoller(process.pid)
        poller.start()
        try:
            returncode = process.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)  # the session this script started
            returncode = process.wait()
            timed_out = True
        poller.stop.set()
        poller.join()
    wall = time.perf_counter() - start
    output = log.read_text()
    if returncode != 0 and not timed_out:
        raise RuntimeError(f"snakemake {label} failed (see {log}):\n{output[-3000:]}")
    done = re.findall(r"(\d+) of (\d+) steps", output)
    return {
        "wall_s": wall,
        "cpu_s": children_cpu() - cpu_before,
        "load_before": load_before,
        "load_after": load(),
        "timed_out": timed_out,
        "log": str(log),
        "steps_done": f"{done[-1][0]} of {done[-1][1]}" if done else "0",
        "job_stats": job_stats(output),
        "wildcards": sorted(set(re.findall(r"wildcards: (\S+)", output))),
        "snakemake_peak_rss_mb": poller.root_peak_rss / 2**20,
        "snakemake_main_cpu_s": poller.root_cpu,
        "jobs": poller.summary(),
    }


def change_one_binding_file(study: Path) -> tuple[str, str]:
    """Add 1 to the cpm of the first competitor well of the middle binding
    file. Returns (assay, file)."""
    files = sorted((study / "binding").glob("*.csv"))
    path = files[len(files) // 2]
    lines = path.read_text().splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    cpm, well_type = header.index("cpm"), header.index("well_type")
    for i, line in enumerate(lines[1:], start=1):
        fields = line.rstrip("\n").split(",")
        if fields[well_type] == "competitor":
            fields[cpm] = str(int(fields[cpm]) + 1)
            lines[i] = ",".join(fields) + "\n"
            break
    path.write_text("".join(lines))
    return path.stem, str(path)


# ---------------------------------------------------------------------------
# Per-job start-up: imports of each rule script


def script_imports(script: Path) -> str:
    tree = ast.parse(script.read_text())
    return "; ".join(
        ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
    )


def measure_imports(repeats: int = 3) -> dict:
    """Wall time of a fresh interpreter running Snakemake's preamble imports
    and the rule script's imports (median of *repeats*), and which heavy
    packages that loads."""
    probe = f"import sys, json; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    results = {"bare interpreter": None, "snakemake preamble only": PREAMBLE}
    for script in sorted((REPO / "workflow" / "scripts").glob("*.py")):
        results[script.stem] = f"{PREAMBLE}; {script_imports(script)}"
    out = {}
    for name, code in results.items():
        program = f"{code}; {probe}" if code else probe
        times, heavy = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            done = subprocess.run(
                [PYTHON, "-c", program],
                cwd=REPO,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(REPO)},
                check=True,
            )
            times.append(time.perf_counter() - start)
            heavy = json.loads(done.stdout)
        out[name] = {"median_s": statistics.median(times), "heavy": heavy}
    return {"load": load(), "scripts": out}


def measure_fit(curves: int) -> dict:
    result = subprocess.run(
        [PYTHON, str(REPO / "benchmarks" / "bench_binding_fit.py"), "--curves", str(curves)],
        capture_output=True,
        text=True,
        check=True,
    )
    medians = dict(re.findall(r"^\s+(lmfit core|curve_fit)\s+([\d.]+) ms", result.stdout, re.M))
    ratio = re.search(r"ratio lmfit core / curve_fit: ([\d.]+)", result.stdout)
    return {
        "load": load(),
        "lmfit_ms": float(medians["lmfit core"]),
        "curve_fit_ms": float(medians["curve_fit"]),
        "ratio": float(ratio.group(1)),
        "output": result.stdout,
    }


# ---------------------------------------------------------------------------


def measure_size(
    n: int, seed: int, timeout: float, with_floor: bool, with_reruns: bool, extra=(), rev=None
) -> dict:
    study, pipeline = prepare(n, seed, rev)
    n_files = sum(1 for _ in study.glob("*/*.csv"))
    row = {
        "n": n,
        "input_files": n_files,
        "slurm_probe_s": slurm_probe(),
        "slurm_plugin": importlib.util.find_spec("snakemake_executor_plugin_slurm") is not None,
    }
    print(f"N = {n}: {n_files} input files", flush=True)
    row["full"] = run_snakemake(pipeline, study, "full", timeout, (*extra, "--skip-script-cleanup"))
    print(f"  full {row['full']['wall_s']:.1f} s ({row['full']['steps_done']} steps)", flush=True)
    scripts = keep_job_scripts(pipeline)
    if with_reruns and not row["full"]["timed_out"]:
        measure_reruns(row, pipeline, study, timeout, extra)
    if with_floor and not row["full"]["timed_out"]:
        # Last: the floor deletes the result files and writes them again.
        row["floor"] = measure_floor(pipeline, scripts)
        print(f"  floor {row['floor']['wall_s']:.1f} s", flush=True)
    return row


def measure_reruns(row: dict, pipeline: Path, study: Path, timeout: float, extra) -> None:
    row["noop"] = run_snakemake(pipeline, study, "noop", timeout, extra)
    assay, _ = change_one_binding_file(study)
    row["incremental"] = run_snakemake(pipeline, study, "incremental", timeout, extra)
    ran = row["incremental"]["job_stats"]
    row["incremental"]["changed_assay"] = assay
    row["incremental"]["only_dependents"] = ran == INCREMENTAL_EXPECTED and row["incremental"][
        "wildcards"
    ] == [f"assay={assay}"]
    print(
        f"  no-op {row['noop']['wall_s']:.1f} s, incremental {row['incremental']['wall_s']:.1f} s", flush=True
    )


def snakemake_env() -> dict:
    env = dict(os.environ)
    if STUB_SCONTROL:
        env["PATH"] = f"{stub_scontrol_dir()}{os.pathsep}{env['PATH']}"
    return env


def measure_version(repeats: int = 5) -> dict:
    """Wall seconds of `snakemake --version` (median of *repeats*): Snakemake's
    own start-up, the yardstick of the no-op target."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([SNAKEMAKE, "--version"], capture_output=True, check=True, env=snakemake_env())
        times.append(time.perf_counter() - start)
    return {"median_s": statistics.median(times), "runs_s": times, "load": load()}


def measure_example(timeout: float, rev: str | None) -> dict:
    """A clean run of the example study (resources/example_study, the default
    study_dir) in a fresh workflow copy, as `make run` does it (--cores 2)."""
    base = WORK / "example"
    if base.exists():
        shutil.rmtree(base)
    pipeline = base / "pipeline"
    parts = (*WORKFLOW_PARTS, "resources/example_study")
    pipeline.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev or "HEAD", *parts_at(rev or "HEAD", parts)],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(pipeline)], input=archive, check=True)
    if not rev:  # the work tree's workflow, as for the generated studies
        for part in WORKFLOW_PARTS:
            source, target = REPO / part, pipeline / part
            if not source.exists():
                continue
            if source.is_dir():
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, target)
    run = run_snakemake(pipeline, pipeline / "resources" / "example_study", "example", timeout)
    print(f"example study: {run['wall_s']:.1f} s ({run['steps_done']} steps)", flush=True)
    return run


STUB_SCONTROL = False


def stub_scontrol_dir() -> Path:
    """A directory with an `scontrol` that fails at once, put first on PATH
    (--stub-scontrol) so that the SLURM plugin's probe (see slurm_probe)
    costs nothing, as on a machine without SLURM."""
    directory = WORK / "stub_bin"
    directory.mkdir(parents=True, exist_ok=True)
    stub = directory / "scontrol"
    stub.write_text("#!/bin/sh\nexit 1\n")
    stub.chmod(0o755)
    return directory


def slurm_probe() -> float | None:
    """Seconds `scontrol show config` takes. snakemake-executor-plugin-slurm
    (installed for workflow/profiles/slurm) runs it whenever Snakemake starts,
    even for local runs: up to 10 s of every invocation when no controller
    answers. Recorded because it inflates no-op and incremental times."""
    if not shutil.which("scontrol"):
        return None
    start = time.perf_counter()
    with contextlib.suppress(subprocess.TimeoutExpired):
        subprocess.run(["scontrol", "show", "config"], capture_output=True, timeout=10)
    return time.perf_counter() - start


def git_head() -> str:
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no", "--", *WORKFLOW_PARTS],
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    return head + (
        f" + uncommitted edits in {sum(1 for d in dirty if d.strip())} workflow files"
        if any(d.strip() for d in dirty)
        else ""
    )


def ratio(a, b):
    return a / b if b else float("nan")


def _peak_job(full: dict) -> tuple[str, float]:
    return max(
        ((script, job["peak_rss_mb"]) for script, job in full["jobs"].items()),
        key=lambda item: item[1],
        default=("-", 0.0),
    )


def print_table(results: dict) -> None:
    print(
        f"\n## Benchmark {results['date']}, snakemake --cores {results['cores']} "
        f"{results['snakemake_args']}".rstrip()
        + (" (scontrol stubbed: SLURM plugin probe not counted)" if results["stub_scontrol"] else "")
    )
    print(
        f"\nWorkflow measured: {results['workflow']} (HEAD {results['head']}); machine CPUs "
        f"{results['machine_cpus']}; load average 1/5/15 min at start {results['load_start']}, "
        f"end {results['load_end']}. Wall seconds, CPU seconds of the whole process tree in "
        "brackets.\n"
    )
    header = [
        "N",
        "input files",
        "jobs",
        "floor s",
        "full s",
        "full / floor",
        "no-op s",
        "no-op / full",
        "incremental s",
        "incr. / full",
        "reran only dependents",
        "full s per input file",
        "peak job RSS MB",
        "load 1-min before → after full",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in results["sizes"]:
        full, floor = row["full"], row.get("floor")
        noop, incr = row.get("noop"), row.get("incremental")
        peak_script, peak = _peak_job(full)
        stopped = f" (stopped after {full['steps_done']} steps)" if full["timed_out"] else ""
        cells = [row["n"], row["input_files"], sum(full["job_stats"].values())]
        cells += [f"{floor['wall_s']:.0f} ({floor['cpu_s']:.0f})"] if floor else ["–"]
        cells += [f"{full['wall_s']:.0f} ({full['cpu_s']:.0f}){stopped}"]
        cells += (
            [f"{ratio(full['wall_s'], floor['wall_s']):.2f} ({ratio(full['cpu_s'], floor['cpu_s']):.2f})"]
            if floor
            else ["–"]
        )
        cells += (
            [f"{noop['wall_s']:.1f}", f"{ratio(noop['wall_s'], full['wall_s']):.3f}"] if noop else ["–", "–"]
        )
        if incr:
            rerun = "yes" if incr["only_dependents"] else "NO: " + json.dumps(incr["job_stats"])
            cells += [f"{incr['wall_s']:.1f}", f"{ratio(incr['wall_s'], full['wall_s']):.3f}", rerun]
        else:
            cells += ["–", "–", "–"]
        cells += [
            f"{full['wall_s'] / row['input_files']:.2f} ({full['cpu_s'] / row['input_files']:.2f})",
            f"{peak:.0f} ({peak_script})",
            f"{full['load_before'].split('/')[0]} → {full['load_after'].split('/')[0]}",
        ]
        print("| " + " | ".join(str(c) for c in cells) + " |")
    for row in results["sizes"]:
        full = row["full"]
        print(
            f"\nN = {row['n']}: per rule script, jobs, median job wall s (CPU s), peak RSS MB"
            + ("; floor: seconds in one process" if row.get("floor") else "")
        )
        floor = row.get("floor", {}).get("per_rule_s", {})
        for script, stats in full["jobs"].items():
            print(
                f"  {script:<24s} {stats['jobs']:4d} jobs  median {stats['median_s']:6.2f} s "
                f"({stats['median_cpu_s']:5.2f} s)  peak {stats['peak_rss_mb']:5.0f} MB"
            )
        print(
            f"  Snakemake main process: CPU {full['snakemake_main_cpu_s']:.1f} s, "
            f"peak RSS {full['snakemake_peak_rss_mb']:.0f} MB; `scontrol show config` "
            f"(the SLURM plugin's probe at every start, where the plugin is installed): "
            f"{row['slurm_probe_s'] or 0:.2f} s; plugin installed: {row.get('slurm_plugin', '?')}"
        )
        if floor:
            cpu = row["floor"].get("per_rule_cpu_s", {})
            print(
                "  floor, wall s (CPU s) per rule: "
                + ", ".join(
                    f"{rule} {sec:.1f} ({cpu.get(rule, float('nan')):.1f})" for rule, sec in floor.items()
                )
            )
        for label in ("noop", "incremental"):
            if label in row:
                run = row[label]
                print(
                    f"  {label}: {run['wall_s']:.1f} s wall, {run['cpu_s']:.1f} s CPU, "
                    f"Snakemake main CPU {run['snakemake_main_cpu_s']:.1f} s, jobs "
                    f"{json.dumps(run['job_stats'])}"
                )
    if "imports" in results:
        print(
            f"\nStart-up of one job: fresh interpreter + Snakemake's script preamble + the "
            f"script's imports, wall s, median of 3 (load {results['imports']['load']}):"
        )
        for name, stats in results["imports"]["scripts"].items():
            print(f"  {name:<24s} {stats['median_s']:5.2f} s  {', '.join(stats['heavy'])}")
    if "fit" in results:
        fit = results["fit"]
        print(f"\nFit cost per curve (bench_binding_fit.py, load {fit['load']}):\n" + fit["output"])
    print_targets(results)


def print_targets(results: dict) -> None:
    """The benchmark's targets, each as measured in this run."""
    rows = {row["n"]: row for row in results["sizes"]}
    version = results.get("version", {}).get("median_s", float("nan"))
    lines = [f"`snakemake --version`: {version:.2f} s (median of 5)"]
    if "example" in results:
        lines.append(f"example study, clean run --cores 2: {results['example']['wall_s']:.1f} s")
    for n, row in rows.items():
        if row.get("floor"):
            full, floor = row["full"], row["floor"]
            r = ratio(full["wall_s"], floor["wall_s"])
            lines.append(
                f"full <= 1.5 x floor at N = {n}: {r:.2f} (CPU {ratio(full['cpu_s'], floor['cpu_s']):.2f})"
                f" -> {'met' if r <= 1.5 else 'NOT met'}"
            )
        if "noop" in row:
            r = ratio(row["noop"]["wall_s"], version)
            lines.append(
                f"no-op <= 1.3 x snakemake --version at N = {n}: {r:.2f} -> {'met' if r <= 1.3 else 'NOT met'}"
            )
        if "incremental" in row:
            incr = row["incremental"]
            if n <= 25:
                r, limit, what = ratio(incr["wall_s"], version), 4.0, "snakemake --version"
            else:
                r, limit, what = ratio(incr["wall_s"], row["full"]["wall_s"]), 0.05, "full"
            ok = r <= limit and incr["only_dependents"]
            lines.append(
                f"incremental <= {limit:g} x {what} and only dependents at N = {n}: {r:.3f}, "
                f"only dependents {incr['only_dependents']} -> {'met' if ok else 'NOT met'}"
            )
    complete = [row for row in results["sizes"] if not row["full"]["timed_out"]]
    if len(complete) >= 2:
        per_file = {row["n"]: row["full"]["wall_s"] / row["input_files"] for row in complete}
        first = per_file[min(per_file)]
        spread = max(abs(v / first - 1) for v in per_file.values())
        lines.append(
            "wall s per input file "
            + ", ".join(f"N={n}: {v:.2f}" for n, v in per_file.items())
            + f"; largest change vs N = {min(per_file)}: {spread:+.0%} -> "
            + ("met" if spread <= 0.25 else "NOT met")
        )
    largest = max(results["sizes"], key=lambda row: row["n"])
    script, peak = _peak_job(largest["full"])
    lines.append(
        f"peak RSS of any job at N = {largest['n']}: {peak:.0f} MB ({script}) -> "
        + ("met" if peak <= 1024 else "NOT met")
    )
    if "fit" in results:
        r = results["fit"]["ratio"]
        lines.append(f"lmfit fit <= 3 x curve_fit: {r:.2f} -> {'met' if r <= 3 else 'NOT met'}")
    print("\nTargets:\n" + "\n".join("  " + line for line in lines))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 100, 400])
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        help="stop a Snakemake run after this many seconds (default 1800)",
    )
    parser.add_argument(
        "--floor-up-to", type=int, default=100, help="measure the floor for N up to this (default 100)"
    )
    parser.add_argument(
        "--reruns-up-to",
        type=int,
        default=100,
        help="measure no-op and incremental reruns for N up to this (default 100)",
    )
    parser.add_argument("--imports", action="store_true", help="time each rule script's imports")
    parser.add_argument("--fit", action="store_true", help="run bench_binding_fit.py")
    parser.add_argument("--curves", type=int, default=1000)
    parser.add_argument(
        "--snakemake-args",
        default="",
        help="extra Snakemake arguments, e.g. '--scheduler greedy' (for experiments)",
    )
    parser.add_argument("--rev", help="benchmark this git revision (git archive) instead of the work tree")
    parser.add_argument(
        "--stub-scontrol",
        action="store_true",
        help="give Snakemake an scontrol that fails at once, so that the SLURM "
        "plugin's start-up probe (up to 10 s where scontrol is installed but no "
        "controller answers) is not counted",
    )
    parser.add_argument(
        "--example",
        action="store_true",
        help="also time a clean run of the example study (what `make run` runs), in its own copy",
    )
    parser.add_argument("--floor-only", metavar="SCRIPTS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor_only:
        print(json.dumps(run_floor(Path(args.floor_only))))
        return 0
    global STUB_SCONTROL
    STUB_SCONTROL = args.stub_scontrol
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": 2,
        "machine_cpus": os.cpu_count(),
        "load_start": load(),
        "sizes": [],
        "workflow": args.rev or "work tree",
        "head": git_head(),
        "snakemake_args": args.snakemake_args,
        "stub_scontrol": args.stub_scontrol,
    }
    results["version"] = measure_version()
    if args.example:
        results["example"] = measure_example(args.timeout, args.rev)
    if args.imports:
        results["imports"] = measure_imports()
    if args.fit:
        results["fit"] = measure_fit(args.curves)
    for n in args.sizes:
        results["sizes"].append(
            measure_size(
                n,
                args.seed,
                args.timeout,
                with_floor=n <= args.floor_up_to,
                with_reruns=n <= args.reruns_up_to,
                extra=args.snakemake_args.split(),
                rev=args.rev,
            )
        )
        # Partial results survive an interrupted long run.
        (WORK / "results.json").write_text(json.dumps(results, indent=2, default=str))
    results["load_end"] = load()
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print_table(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
