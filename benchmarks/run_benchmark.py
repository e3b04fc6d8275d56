"""Benchmark of the pipeline on generated studies of scale N (not a test).

For each N it generates the study (tools/benchmark_study.py), copies the
workflow (Snakefile, config, workflow/, scripts/, resources/reference) into
``benchmarks/work/n<N>/pipeline`` so edits elsewhere cannot change a run
midway, and measures, one after the other:

* floor — every job's rule script run in ONE Python process in dependency
  order (validation, per-file fits and figures, aggregates, inventory,
  provenance, translation, report), each with a stand-in for Snakemake's
  ``snakemake`` object carrying the same inputs, outputs and params as the
  rules; the heavy imports are paid once. This is the compute the pipeline
  cannot avoid.
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
from types import SimpleNamespace

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
            ["git", "-C", str(REPO), "archive", rev, *WORKFLOW_PARTS], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(pipeline)], input=archive, check=True)
        return study, pipeline
    for part in WORKFLOW_PARTS:
        source, target = REPO / part, pipeline / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    return study, pipeline


# ---------------------------------------------------------------------------
# Floor: every rule script in one process


class Slots:
    """Stand-in for Snakemake's named lists: by position, by name, as attribute;
    iterating flattens named lists, like ``snakemake.input``."""

    def __init__(self, values=(), **named):
        self._named = dict(named)
        self._flat = list(values)
        for value in named.values():
            self._flat.extend(value if isinstance(value, list) else [value])

    def __getattr__(self, name):
        named = self.__dict__.get("_named", {})
        if name in named:
            return named[name]
        raise AttributeError(name)

    def __getitem__(self, key):
        return self._named[key] if isinstance(key, str) else self._flat[key]

    def __iter__(self):
        return iter(self._flat)

    def __len__(self):
        return len(self._flat)

    def keys(self):
        return self._named.keys()


def floor_jobs(study: Path, config: dict, meta: dict):
    """(rule, script, job) in dependency order, with the inputs, outputs and
    params of the rules in workflow/rules/*.smk."""
    out = f"results/{meta['name']}"
    stems = {
        kind: sorted(p.stem for p in (study / kind).glob("*.csv"))
        for kind in ("binding", "saturation", "behaviour", "pk")
    }

    def val(kind, stem):
        return f"{out}/validated/{kind}/{stem}.csv"

    def job(rule, script, input, output, params=None, wildcards=None, log="log"):
        return (
            rule,
            script,
            SimpleNamespace(
                rule=rule,
                input=input,
                output=output,
                params=Slots(**(params or {})),
                wildcards=Slots(**(wildcards or {})),
                log=Slots([f"{out}/logs/{rule}/{log}.log"]),
                threads=1,
            ),
        )

    yield job(
        "validate_study",
        "validate_study.py",
        Slots([str(study / "study.yaml")]),
        Slots([f"{out}/validated/study.json"]),
        {"meta": meta},
    )
    behaviour_params = {
        "extra_tests": meta["extra_tests"],
        "treatments": meta.get("treatments", []),
        "vehicle_label": config["behaviour"]["vehicle_label"],
    }
    for kind, stems_of_kind in stems.items():
        for stem in stems_of_kind:
            yield job(
                f"validate_{kind}",
                "validate_table.py",
                Slots(table=str(study / kind / f"{stem}.csv")),
                Slots(table=val(kind, stem), warnings=f"{out}/validated/{kind}/{stem}.warnings.csv"),
                behaviour_params if kind == "behaviour" else {},
                log=stem,
            )
    binding = config["binding"]  # binding.settings() keeps the keys each script uses
    for assay in stems["binding"]:
        yield job(
            "binding_fit",
            "binding_fit.py",
            Slots(table=val("binding", assay)),
            Slots(fits=f"{out}/binding/fits/{assay}.csv", figure=f"{out}/binding/figures/curves_{assay}.svg"),
            {"binding": binding},
            {"assay": assay},
            log=assay,
        )
    for assay in stems["saturation"]:
        yield job(
            "binding_saturation_fit",
            "binding_saturation_fit.py",
            Slots(table=val("saturation", assay)),
            Slots(
                fits=f"{out}/binding/saturation_fits/{assay}.csv",
                figure=f"{out}/binding/figures/saturation_{assay}.svg",
            ),
            {"binding": binding},
            {"assay": assay},
            log=assay,
        )
    yield job(
        "binding_aggregate",
        "binding_aggregate.py",
        Slots(
            fits=[f"{out}/binding/fits/{a}.csv" for a in stems["binding"]],
            saturation=[f"{out}/binding/saturation_fits/{a}.csv" for a in stems["saturation"]],
        ),
        Slots(
            ki=f"{out}/binding/ki.csv",
            saturation=f"{out}/binding/saturation.csv",
            species=f"{out}/binding/species_comparison.csv",
            selectivity=f"{out}/binding/selectivity.csv",
            figure=f"{out}/binding/figures/pki_by_receptor.svg",
        ),
        {"binding": binding},
    )
    behaviour = {k: v for k, v in config["behaviour"].items() if k != "fst_window_min"}
    window = meta["fst_window_min"]
    names = ("summary", "omnibus", "comparisons", "decision_path", "exclusions", "two_way_anova", "endpoints")
    keys = ("summary", "omnibus", "comparisons", "decisions", "exclusions", "two_way", "endpoints")
    for test in stems["behaviour"]:
        outputs = {k: f"{out}/behaviour/{test}/{n}.csv" for k, n in zip(keys, names)}
        yield job(
            "behaviour_test",
            "behaviour_test.py",
            Slots(table=val("behaviour", test)),
            Slots(**outputs, figure=f"{out}/behaviour/figures/{test}.svg"),
            {
                "behaviour": behaviour,
                "fst_window_min": window if test == "fst" else [],
                "extra_tests": meta["extra_tests"],
                "compound": meta["compound"],
            },
            {"test": test},
            log=test,
        )
    tests = stems["behaviour"]
    yield job(
        "behaviour_battery",
        "behaviour_battery.py",
        Slots(
            summaries=[f"{out}/behaviour/{t}/summary.csv" for t in tests],
            comparisons=[f"{out}/behaviour/{t}/comparisons.csv" for t in tests],
            exclusions=[f"{out}/behaviour/{t}/exclusions.csv" for t in tests],
        ),
        Slots(
            confounds=f"{out}/behaviour/confounds.csv",
            flags=f"{out}/behaviour/battery_flags.csv",
            exclusions=f"{out}/behaviour/exclusions.csv",
        ),
        {"tests": tests, "alpha": config["behaviour"]["alpha"]},
    )
    pk_params = {"pk": config["pk"], "parent": meta["compound"]}
    for table in stems["pk"]:
        yield job(
            "pk_nca",
            "pk_nca.py",
            Slots(table=val("pk", table)),
            Slots(
                nca=f"{out}/pk/nca/{table}.csv",
                sparse=f"{out}/pk/nca/{table}.sparse_auc.csv",
                points=f"{out}/pk/nca/{table}.lambda_z_points.csv",
                figure=f"{out}/pk/figures/lambda_z_{table}.svg",
            ),
            pk_params,
            {"table": table},
            log=table,
        )
    pk_names = ("nca", "summary", "bioavailability", "metabolites", "detectability", "dose_proportionality")
    yield job(
        "pk_aggregate",
        "pk_aggregate.py",
        Slots(
            tables=[val("pk", t) for t in stems["pk"]],
            nca=[f"{out}/pk/nca/{t}.csv" for t in stems["pk"]],
            sparse=[f"{out}/pk/nca/{t}.sparse_auc.csv" for t in stems["pk"]],
        ),
        Slots(
            **{k: f"{out}/pk/{k}.csv" for k in pk_names}, figure=f"{out}/pk/figures/concentration_time.svg"
        ),
        pk_params,
    )
    tables = [val(k, s) for k, ss in stems.items() for s in ss]
    inventory = ("files", "areas", "receptors", "behaviour_groups", "pk_design", "exclusions", "warnings")
    yield job(
        "inventory",
        "inventory.py",
        Slots(tables=tables, warnings=[t.removesuffix(".csv") + ".warnings.csv" for t in tables]),
        Slots(
            **{
                k: f"{out}/inventory/{n}.csv"
                for k, n in zip(
                    ("files", "areas", "receptors", "behaviour", "pk", "exclusions", "warnings"), inventory
                )
            }
        ),
        {"vehicle_label": config["behaviour"]["vehicle_label"]},
    )
    raw = [str(study / "study.yaml")] + [str(study / k / f"{s}.csv") for k, ss in stems.items() for s in ss]
    yield job(
        "provenance",
        "provenance.py",
        Slots(raw),
        Slots(inputs=f"{out}/provenance/inputs.csv", software=f"{out}/provenance/software.csv"),
    )
    reference = Path("resources/reference") / f"{meta['compound']}_human.yaml"
    inputs = {
        "study": f"{out}/validated/study.json",
        "behaviour_groups": f"{out}/inventory/behaviour_groups.csv",
    }
    if reference.exists():
        inputs["reference"] = str(reference)
    inputs.update(
        ki=f"{out}/binding/ki.csv",
        comparisons=[f"{out}/behaviour/{t}/comparisons.csv" for t in tests],
        confounds=f"{out}/behaviour/confounds.csv",
        nca=f"{out}/pk/nca.csv",
        bioavailability=f"{out}/pk/bioavailability.csv",
        metabolites=f"{out}/pk/metabolites.csv",
    )
    translation = (
        "exposure",
        "exposure_ratios",
        "dose_translation",
        "occupancy",
        "ki_used",
        "flags",
        "reference",
    )
    yield job(
        "translation",
        "translation_run.py",
        Slots(**inputs),
        Slots(
            **{k: f"{out}/translation/{k}.csv" for k in translation},
            exposure_figure=f"{out}/translation/figures/exposure.svg",
            occupancy_figure=f"{out}/translation/figures/occupancy.svg",
        ),
        {
            "translation": config["translation"],
            "alpha": config["behaviour"]["alpha"],
            "max_auc_pct_extrap": config["pk"]["max_auc_pct_extrap"],
        },
    )
    yield job("report", "report_html.py", Slots([]), Slots([f"{out}/report.html"]), {"config": config})


def run_floor(study: Path) -> dict:
    """Run in a fresh interpreter whose working directory is the workflow copy."""
    started = time.perf_counter()
    sys.path.insert(0, os.getcwd())
    import yaml

    from scripts import settings
    from scripts.validation import validate_study

    # As Snakemake does: config/config.yaml over the schema's defaults.
    with open("config/config.yaml", encoding="utf-8") as handle:
        config = settings.config(yaml.safe_load(handle) or {})
    config["study_dir"] = str(study)
    meta = validate_study(study)
    per_rule: dict[str, float] = {}
    per_rule_cpu: dict[str, float] = {}
    jobs_per_rule: dict[str, int] = {}
    for rule, script, job in floor_jobs(study, config, meta):
        for path in [*job.output, *job.log]:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        start, cpu = time.perf_counter(), time.process_time()
        # A rule's script is named after the rule where such a file exists.
        named = Path("workflow/scripts") / f"{rule}.py"
        path = named if named.exists() else Path("workflow/scripts") / script
        runpy.run_path(str(path), init_globals={"snakemake": job}, run_name="__floor__")
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


def measure_floor(study: Path, pipeline: Path) -> dict:
    load_before, cpu_before, start = load(), children_cpu(), time.perf_counter()
    result = subprocess.run(
        [PYTHON, str(Path(__file__).resolve()), "--floor-only", str(study)],
        cwd=pipeline,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(pipeline)},
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
    env = dict(os.environ)
    if STUB_SCONTROL:
        env["PATH"] = f"{stub_scontrol_dir()}{os.pathsep}{env['PATH']}"
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
    row = {"n": n, "input_files": n_files, "slurm_probe_s": slurm_probe()}
    print(f"N = {n}: {n_files} input files", flush=True)
    if with_floor:
        row["floor"] = measure_floor(study, pipeline)
        # The floor wrote results/ in the copy; the full run starts clean.
        shutil.rmtree(pipeline / "results")
        print(f"  floor {row['floor']['wall_s']:.1f} s", flush=True)
    row["full"] = run_snakemake(pipeline, study, "full", timeout, extra)
    print(f"  full {row['full']['wall_s']:.1f} s ({row['full']['steps_done']} steps)", flush=True)
    if not with_reruns or row["full"]["timed_out"]:
        return row
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
    return row


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
            f"(SLURM plugin probe at every start): {row['slurm_probe_s'] or 0:.2f} s"
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
    lines = []
    if 100 in rows and rows[100].get("floor"):
        full, floor = rows[100]["full"], rows[100]["floor"]
        r = ratio(full["wall_s"], floor["wall_s"])
        lines.append(
            f"full <= 2 x floor at N = 100: {r:.2f} (CPU {ratio(full['cpu_s'], floor['cpu_s']):.2f})"
            f" -> {'met' if r <= 2 else 'NOT met'}"
        )
    for n, row in rows.items():
        if "noop" in row:
            r = ratio(row["noop"]["wall_s"], row["full"]["wall_s"])
            lines.append(f"no-op <= 0.05 x full at N = {n}: {r:.3f} -> {'met' if r <= 0.05 else 'NOT met'}")
        if "incremental" in row:
            r = ratio(row["incremental"]["wall_s"], row["full"]["wall_s"])
            ok = r <= 0.1 and row["incremental"]["only_dependents"]
            lines.append(
                f"incremental <= 0.1 x full and only dependents at N = {n}: {r:.3f}, "
                f"only dependents {row['incremental']['only_dependents']} -> "
                f"{'met' if ok else 'NOT met'}"
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
    parser.add_argument("--floor-only", metavar="STUDY", help=argparse.SUPPRESS)
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
