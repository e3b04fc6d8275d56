"""Reliability with the real Snakemake: the bad-input corpus, an
interrupted run, two studies at once, and a failing job under --keep-going.

Each corpus case (tests/bad_inputs/cases.yaml) is a tiny study run in its
own copy of the workflow; the copies are run a few at a time, so the whole
corpus takes about as long as a few ordinary runs. Every copy already holds
the validated results of another study ("neighbour"), which a failing case
must leave untouched.

The tests that run Snakemake (through the module fixtures ``corpus`` and
``three_studies``) are marked e2e; the last two test the failure reporting
without Snakemake.
"""

from __future__ import annotations

import csv
import hashlib
import html
import logging
import os
import re
import shutil
import signal
import subprocess
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE, REPO_ROOT, SNAKEMAKE, copy_workflow, run_snakemake
from scripts.validation import binding_assay_name

CASES = yaml.safe_load((Path(__file__).parent / "bad_inputs" / "cases.yaml").read_text(encoding="utf-8"))[
    "cases"
]
CASE_IDS = [case["id"] for case in CASES]
# Snakemake runs at once. A failing case needs about 3 s of CPU but 5 s of
# wall time (Snakemake waits between its steps), and a warning study is a
# chain of short jobs, so on two cores six runs at once keep both cores busy.
WORKERS = 6
RESULT_SUFFIXES = (".csv", ".json", ".svg")


def write_study(study: Path, files: dict) -> Path:
    """Write a case's files. A value is text, or a mapping: {text, encoding,
    bom} for other encodings, plus {repeat, times} to append a line *times*
    times (large files); {symlink: target} for a symbolic link; {sheets:
    {name: rows}} for an Excel workbook (a cell {time: "h:mm"} is a
    time-formatted cell)."""
    for relative, spec in files.items():
        path = study / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(spec, dict) and "symlink" in spec:
            os.symlink(spec["symlink"], path)
            continue
        if isinstance(spec, dict) and "sheets" in spec:
            _write_workbook(path, spec["sheets"])
            continue
        if isinstance(spec, str):
            data = spec.encode("utf-8")
        else:
            data = spec["text"].encode(spec.get("encoding", "utf-8"))
            if spec.get("bom"):
                data = b"\xef\xbb\xbf" + data
        path.write_bytes(data)
        if isinstance(spec, dict) and "repeat" in spec:
            with open(path, "a", encoding="utf-8") as out:
                for _ in range(spec["times"] // 1000):
                    out.write(spec["repeat"] * 1000)
                out.write(spec["repeat"] * (spec["times"] % 1000))
    study.mkdir(parents=True, exist_ok=True)
    return study


def _write_workbook(path: Path, sheets: dict) -> None:
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, dict) and "time" in value:
                    hours, minutes = map(int, value["time"].split(":"))
                    sheet.cell(r, c, dt.time(hours, minutes)).number_format = "h:mm"
                else:
                    sheet.cell(r, c, value)
    book.save(path)


def snapshot(folder: Path) -> dict:
    """{relative path: (sha256, mtime_ns)} of every file under *folder*."""
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def result_files(results: Path) -> dict:
    """{relative path: bytes} of the CSV, JSON and SVG outputs of one study."""
    return {
        str(p.relative_to(results)): p.read_bytes()
        for p in sorted(results.rglob("*"))
        if p.suffix in RESULT_SUFFIXES and "logs" not in p.relative_to(results).parts
    }


# --- the corpus -------------------------------------------------------------------

NEIGHBOUR_FILES = {
    "binding/run1.csv": (
        "receptor,species,radioligand,radioligand_nM,radioligand_kd_nM,well_type,compound,"
        "concentration_M,replicate,cpm\n"
        "H1,rat,[3H]mepyramine,2,2,total,,,1,4500\n"
        "H1,rat,[3H]mepyramine,2,2,nsb,,,1,600\n"
        "H1,rat,[3H]mepyramine,2,2,competitor,mirtazapine,1e-9,1,3000\n"
    ),
    "pk/rat.csv": (
        "animal_id,species,body_weight_kg,route,dose_mg_kg,analyte,time_h,"
        "concentration_ng_mL,lloq_ng_mL\n"
        "a1,rat,0.3,po,10,mirtazapine,0.5,40,1\n"
    ),
}


@dataclass
class CaseRun:
    case: dict
    study_name: str
    workdir: Path
    result: subprocess.CompletedProcess
    seconds: float
    peak_rss_mib: float | None = None


def study_groups() -> dict[str, list[dict]]:
    """{study name: its cases}: each error case alone, warning cases by `study`."""
    groups: dict[str, list[dict]] = {}
    for case in CASES:
        groups.setdefault(case.get("study", case["id"]), []).append(case)
    return groups


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Run every case once; returns ({case id: CaseRun}, neighbour snapshot, wall seconds)."""
    base = tmp_path_factory.mktemp("corpus")
    template = copy_workflow(base / "template")
    neighbour = write_study(base / "neighbour", NEIGHBOUR_FILES)
    # Validation and inventory only: enough to leave results behind, quickly.
    run_snakemake(
        template, "results/neighbour/inventory/files.csv", "--config", f"study_dir={neighbour}", check=True
    )
    before = snapshot(template / "results" / "neighbour")

    def run(item):
        name, cases = item
        workdir = base / "runs" / name
        shutil.copytree(template, workdir, symlinks=True)  # copy2 keeps the mtimes
        files = {}
        for case in cases:
            assert not set(files) & set(case["files"]), f"{name}: cases share a file"
            files.update(case["files"])
        study = write_study(base / "studies" / name, files)
        # An error case needs one core: validation runs first (its rules
        # have priority), so the broken file stops the run before the other
        # jobs start. The later --cores wins over run_snakemake's own.
        cores = ["--cores", "1"] if cases[0]["outcome"] == "error" else []
        start = time.monotonic()
        if "limits" in cases[0]:
            result, peak = run_limited(workdir, cases[0]["limits"], "--config", f"study_dir={study}")
        else:
            result, peak = run_snakemake(workdir, *cores, "--config", f"study_dir={study}"), None
        seconds = time.monotonic() - start
        return [CaseRun(case, name, workdir, result, seconds, peak) for case in cases]

    # Completed runs (warnings) take longest: start them first.
    ordered = sorted(study_groups().items(), key=lambda item: item[1][0]["outcome"] != "warning")
    start = time.monotonic()
    with ThreadPoolExecutor(WORKERS) as pool:
        runs = {run.case["id"]: run for group in pool.map(run, ordered) for run in group}
    return runs, before, time.monotonic() - start


# Runs Snakemake and reports the peak RSS of the largest process it started
# (RUSAGE_CHILDREN covers every descendant that has been waited for).
_MEASURED = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(f'peak RSS {peak} KiB', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def run_limited(workdir: Path, limits: dict, *args) -> tuple[subprocess.CompletedProcess, float]:
    """Run Snakemake (one core) under the case's limits: killed after
    ``seconds``; no file it writes may exceed ``max_file_mib`` (a runaway
    output fails instead of filling the disk). Returns the finished process
    and the peak RSS (MiB) of the largest process of the run."""
    import resource
    import sys

    file_limit = int(limits.get("max_file_mib", 64) * 1024 * 1024)

    def limit_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    command = [sys.executable, "-c", _MEASURED, SNAKEMAKE, "--cores", "1", *args]
    process = subprocess.Popen(
        command,
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=limit_files,
    )
    try:
        out, err = process.communicate(timeout=limits["seconds"])
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        err += f"\nkilled after {limits['seconds']} s"
    peak = re.search(r"peak RSS (\d+) KiB", err)
    return subprocess.CompletedProcess(command, process.returncode, out, err), (
        int(peak.group(1)) / 1024 if peak else float("inf")
    )


@pytest.mark.e2e
def test_corpus_covers_every_file_type_and_both_outcomes(corpus):
    runs, _, seconds = corpus
    assert set(runs) == set(CASE_IDS)
    kinds = set()
    for case in CASES:
        for relative in case["files"]:
            kinds.add("plate" if relative.endswith((".plate.csv", ".layout.csv")) else relative.split("/")[0])
    assert kinds == {"binding", "plate", "saturation", "behaviour", "pk", "study.yaml"}
    outcomes = [case["outcome"] for case in CASES]
    assert len(CASES) >= 40 and set(outcomes) == {"error", "warning"}
    assert len(set(CASE_IDS)) == len(CASE_IDS)
    print(
        f"\n{len(runs)} corpus cases ({outcomes.count('error')} errors, "
        f"{outcomes.count('warning')} warnings) in {len(study_groups())} runs, "
        f"{seconds:.0f} s with {WORKERS} workers"
    )


def _where_pattern(case) -> list[str]:
    """Regular expressions for the row and column the message must name."""
    patterns = []
    if case.get("row") is not None:
        patterns.append(rf"\brow {case['row']}\b")
    if case.get("column") is not None:
        patterns.append(re.escape(f"column '{case['column']}'"))
    return patterns


def _validated_outputs(case, results: Path) -> list[Path]:
    """The validated table and warnings file of the case's broken file."""
    relative = case["file"]
    if "/" not in relative:
        return []
    kind, name = relative.split("/", 1)
    stem = binding_assay_name(name) if kind == "binding" else Path(name).stem
    return [
        results / "validated" / kind / f"{stem}.csv",
        results / "validated" / kind / f"{stem}.warnings.csv",
    ]


@pytest.mark.e2e
@pytest.mark.parametrize("case_id", CASE_IDS)
def test_bad_input_case(corpus, case_id):
    runs, neighbour_before, _ = corpus
    run = runs[case_id]
    case, result = run.case, run.result
    output = result.stdout + result.stderr
    results = run.workdir / "results" / run.study_name
    assert "Traceback" not in result.stderr, result.stderr
    if "limits" in case:
        # Well within the limits: a hang or a runaway expansion would not be.
        assert run.seconds < case["limits"]["seconds"] / 2, run.seconds
        assert run.peak_rss_mib < case["limits"]["memory_mib"], run.peak_rss_mib
    if "INJECTED" in str(case["files"]):
        base = run.workdir.parent.parent
        assert not any(base.rglob("INJECTED")), "a file name or YAML tag ran as a command"
    # Another study's results in the same working directory are untouched.
    assert snapshot(run.workdir / "results" / "neighbour") == neighbour_before
    if case["outcome"] == "error":
        assert result.returncode != 0, output
        lines = [ln for ln in result.stderr.splitlines() if ln.startswith(("INPUT ERROR", "ERROR"))]
        assert len(lines) == 1, result.stderr
        line = lines[0]
        assert case["file"] in line, line
        for pattern in _where_pattern(case):
            assert re.search(pattern, line), (pattern, line)
        for word in case.get("words", []):
            assert word in line, (word, line)
        if case.get("step") == "parse":
            # Found while the workflow was built: no job ran at all.
            assert not results.exists(), sorted(results.rglob("*"))
        elif case.get("step") == "study":
            # Found by a check across the area's validated files (rule
            # validate_<kind>_<check>): no check output, no analysis of the area.
            kind = case["file"].split("/")[0]
            assert f"Error in rule validate_{kind}_" in result.stderr, result.stderr
            assert not list((results / "validated").glob(f"{kind}_*")), sorted(results.rglob("*"))
            assert not (results / kind).exists(), sorted((results / kind).rglob("*"))
        else:
            kind = case["file"].split("/")[0]
            assert f"Error in rule validate_{kind}" in result.stderr, result.stderr
            for path in _validated_outputs(case, results):
                assert not path.exists(), f"partial output left: {path}"
    else:
        assert result.returncode == 0, output
        with open(results / "inventory" / "warnings.csv", encoding="utf-8") as handle:
            rows = [r for r in csv.DictReader(handle) if r["file"] == case["file"]]
        if case.get("row") is not None:
            rows = [r for r in rows if r["row"] == str(case["row"])]
        if case.get("column") is not None:
            rows = [r for r in rows if r["column"] == case["column"]]
        rows = [r for r in rows if all(w in r["message"] for w in case["words"])]
        assert rows, (results / "inventory" / "warnings.csv").read_text()
        report = html.unescape((results / "report.html").read_text(encoding="utf-8"))
        assert rows[0]["message"] in report and case["file"] in report


@pytest.mark.e2e
def test_second_study_directory_under_the_same_name_is_refused(tmp_path):
    """Two study directories that both say `name: shared`: the second is
    refused at parse time and the first one's results stay as they were."""
    workdir = copy_workflow(tmp_path / "pipeline")
    files = {"study.yaml": "name: shared\n", "pk/rat.csv": NEIGHBOUR_FILES["pk/rat.csv"]}
    first = write_study(tmp_path / "first", files)
    second = write_study(tmp_path / "second", files)
    target = "results/shared/validated/pk/rat.csv"
    run_snakemake(workdir, target, "--config", f"study_dir={first}", check=True)
    results = workdir / "results" / "shared"
    before = snapshot(results)
    refused = run_snakemake(workdir, target, "--forceall", "--config", f"study_dir={second}")
    assert refused.returncode != 0
    lines = [ln for ln in refused.stderr.splitlines() if ln.startswith(("INPUT ERROR", "ERROR"))]
    assert len(lines) == 1 and "another study directory" in lines[0] and "`name:`" in lines[0], refused.stderr
    assert snapshot(results) == before
    again = run_snakemake(workdir, target, "--config", f"study_dir={first}")
    assert again.returncode == 0, again.stderr


# --- faults -----------------------------------------------------------------------


def _small_study(folder: Path) -> Path:
    """Two competition binding runs and a PK file (one iv and one po animal),
    taken from the example study: small, but every area job runs."""
    (folder / "binding").mkdir(parents=True)
    for name in ("H1_rat.csv", "alpha2A_human.csv"):
        shutil.copy2(EXAMPLE / "binding" / name, folder / "binding" / name)
    lines = (EXAMPLE / "pk" / "rat_mirtazapine.csv").read_text().splitlines()
    keep = [ln for ln in lines[1:] if ln.split(",")[0] in ("PK01", "PK07") and ",mirtazapine," in ln]
    (folder / "pk").mkdir()
    (folder / "pk" / "rat.csv").write_text("\n".join([lines[0], *keep]) + "\n")
    return folder


def _without_kd(study: Path) -> Path:
    """Blank the radioligand Kd of binding/H1_rat.csv: the file still
    validates (a saturation run could supply Kd), but no saturation run does,
    so the binding aggregate fails."""
    h1 = study / "binding" / "H1_rat.csv"
    rows = [line.split(",") for line in h1.read_text().splitlines()]
    column = rows[0].index("radioligand_kd_nM")
    for cells in rows[1:]:
        cells[column] = ""
    h1.write_text("\n".join(",".join(cells) for cells in rows) + "\n")
    return study


@pytest.fixture(scope="module")
def three_studies(tmp_path_factory):
    """Three studies started at the same time, in separate processes, from one
    working directory: the small study; a copy ("twin") that brings its own
    human reference file (study.yaml human_reference_file) with F = 0.45; and
    a copy ("broken") whose binding aggregate fails, run with --keep-going.
    Returns (workdir, {study: CompletedProcess-like (returncode, stdout, stderr)})."""
    base = tmp_path_factory.mktemp("three")
    workdir = copy_workflow(base / "pipeline")
    small = _small_study(base / "small")
    twin = base / "twin"
    shutil.copytree(small, twin)
    reference = (REPO_ROOT / "resources/reference/mirtazapine_human.yaml").read_text()
    assert "oral_bioavailability:\n  value: 0.5\n" in reference
    (twin / "reference").mkdir()
    (twin / "reference" / "human.yaml").write_text(
        reference.replace("oral_bioavailability:\n  value: 0.5\n", "oral_bioavailability:\n  value: 0.45\n")
    )
    (twin / "study.yaml").write_text("human_reference_file: reference/human.yaml\n")
    broken = base / "broken"
    shutil.copytree(small, broken)
    _without_kd(broken)
    runs = {"small": [], "twin": [], "broken": ["--keep-going"]}
    processes = {}
    for name, extra in runs.items():
        # Files, not pipes: a full pipe would stall a run until it is read.
        with open(base / f"{name}.out", "w") as out, open(base / f"{name}.err", "w") as err:
            processes[name] = subprocess.Popen(
                [SNAKEMAKE, "--cores", "2", *extra, "--config", f"study_dir={base / name}"],
                cwd=workdir,
                stdout=out,
                stderr=err,
            )
    done = {}
    for name, process in processes.items():
        process.wait(timeout=900)
        done[name] = subprocess.CompletedProcess(
            process.args,
            process.returncode,
            (base / f"{name}.out").read_text(),
            (base / f"{name}.err").read_text(),
        )
    return workdir, done


@pytest.mark.e2e
def test_studies_run_at_once_from_one_working_directory(three_studies):
    """Snakemake locks only the files a run reads and writes; the studies'
    outputs are disjoint (results/<study>/), so they run at once without
    --nolock, and one failing does not disturb the others."""
    workdir, done = three_studies
    for name in ("small", "twin"):
        assert done[name].returncode == 0, done[name].stderr
        assert (workdir / "results" / name / "report.html").is_file()
    small = result_files(workdir / "results" / "small")
    twin = result_files(workdir / "results" / "twin")
    assert set(small) == set(twin) and len(small) > 30
    differing = {name for name in small if small[name] != twin[name]}
    # Only the study metadata, the input list and the human side differ.
    assert {"validated/study.json", "provenance/inputs.csv", "translation/reference.csv"} <= differing
    assert all(
        name.startswith("translation/")
        for name in differing - {"validated/study.json", "provenance/inputs.csv"}
    ), sorted(differing)
    assert "oral_bioavailability,0.45," in twin["translation/reference.csv"].decode()
    assert "oral_bioavailability,0.5," in small["translation/reference.csv"].decode()
    assert b"reference/human.yaml" in twin["validated/study.json"]
    assert b"human.yaml," in twin["provenance/inputs.csv"]


@pytest.mark.e2e
def test_failing_job_leaves_independent_results_and_says_what_failed(three_studies):
    """The broken study's binding aggregate fails; with --keep-going the
    binding fits and all of PK still finish. The run names the failed job,
    results/<study>/failures.csv lists it and the outputs not produced, and
    report.html is a partial report headed by the same list."""
    workdir, done = three_studies
    result = done["broken"]
    assert result.returncode != 0
    assert "Error in rule binding_aggregate" in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith(("INPUT ERROR", "ERROR"))]
    assert len(lines) == 1 and "binding/H1_rat.csv" in lines[0], result.stderr
    assert "radioligand_kd_nM" in lines[0] and "Traceback" not in result.stderr
    results = workdir / "results" / "broken"
    for independent in (
        "pk/nca.csv",
        "pk/summary.csv",
        "pk/figures/concentration_time.svg",
        "binding/fits/H1_rat.csv",
        "binding/fits/alpha2A_human.csv",
        "inventory/files.csv",
        "provenance/inputs.csv",
    ):
        assert (results / independent).is_file(), independent
    assert not (results / "binding" / "ki.csv").exists()
    # The report is partial, headed by what failed, and shows what did finish.
    report = html.unescape((results / "report.html").read_text(encoding="utf-8"))
    assert "Run incomplete: this report is partial" in report
    banner = report[report.index('id="incomplete"') : report.index("</section>")]
    assert "binding_aggregate" in banner and "radioligand_kd_nM is missing" in banner
    assert "report.html" not in banner
    assert 'data-table="pk/summary.csv"' in report
    with open(results / "failures.csv", encoding="utf-8") as handle:
        failures = list(csv.DictReader(handle))
    failed = [row for row in failures if row["status"] == "failed"]
    assert [row["what"] for row in failed] == ["binding_aggregate"]
    assert "radioligand_kd_nM is missing" in failed[0]["detail"]
    missing = {row["what"] for row in failures if row["status"] == "not produced"}
    assert "results/broken/report.html" in missing and "results/broken/binding/ki.csv" in missing
    assert not any(name.startswith("results/broken/pk/") for name in missing)
    assert "failures.csv" in result.stderr


@pytest.mark.e2e
def test_killed_run_resumes_to_identical_outputs(three_studies, tmp_path):
    """SIGKILL mid-run, then --unlock and --rerun-incomplete: the outputs are
    byte-identical to the clean run of the same study (three_studies)."""
    reference_dir, done = three_studies
    assert done["small"].returncode == 0
    workdir = copy_workflow(tmp_path / "pipeline")
    study = _small_study(tmp_path / "small")
    results = workdir / "results" / "small"
    process = subprocess.Popen(
        [SNAKEMAKE, "--cores", "2", "--config", f"study_dir={study}"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while not any((results / "validated" / "binding").glob("*.csv")):
        assert process.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # Kill snakemake and its running jobs at once, as a lost node would.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not (results / "report.html").exists(), "killed too late to test anything"
    refused = run_snakemake(workdir, "--config", f"study_dir={study}")
    assert refused.returncode != 0  # the killed run's lock (and incomplete jobs) remain
    run_snakemake(workdir, "--unlock", "--config", f"study_dir={study}", check=True)
    resumed = run_snakemake(workdir, "--rerun-incomplete", "--config", f"study_dir={study}")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert result_files(results) == result_files(reference_dir / "results" / "small")


# --- the glue that reports failures (no Snakemake needed) ---------------------


class _FakeJob:
    """The attributes of Snakemake's `snakemake` object that run_rule uses."""

    def __init__(self, log):
        self.rule = "pk_nca"
        self.log = [str(log)]


def test_unexpected_exception_is_one_line_with_traceback_in_log(tmp_path, capsys):
    from scripts.rule_support import run_rule

    log = tmp_path / "pk_nca.log"

    def body(_):
        raise ValueError("bad thing\nsecond line")

    handlers, level = logging.root.handlers[:], logging.root.level
    try:
        with warnings.catch_warnings(), pytest.raises(SystemExit) as stop:
            run_rule(_FakeJob(log), body)
    finally:  # run_rule configures logging for a whole job process: undo it
        for handler in logging.root.handlers:
            handler.close()
        logging.root.handlers[:], logging.root.level = handlers, level
        logging.captureWarnings(False)
    assert stop.value.code == 1
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln]
    assert lines == [f"ERROR: rule pk_nca failed: ValueError: bad thing (traceback in {log})"]
    assert "Traceback" in log.read_text() and "second line" in log.read_text()


def test_failures_list_names_failed_jobs_and_missing_outputs(tmp_path, capsys):
    from scripts.rule_support import write_failures

    job_log = tmp_path / "logs" / "binding_fit" / "H1_rat.log"
    job_log.parent.mkdir(parents=True)
    job_log.write_text("INFO root: start\nERROR root: binding/H1_rat.csv, row 3: broken\n")
    snakemake_log = tmp_path / "run.snakemake.log"
    snakemake_log.write_text(
        "[Sun Nov 29 09:02:24 2026]\nError in rule binding_fit:\n    message: None\n"
        f"    jobid: 2\n    log: {job_log} (check log file(s) for error details)\n"
        "Shutting down, this might take some time.\n"
    )
    present = tmp_path / "present.csv"
    present.write_text("x\n")
    rows = write_failures(
        [str(snakemake_log)], tmp_path / "failures.csv", [str(present), str(tmp_path / "report.html")]
    )
    assert rows == [
        {"status": "failed", "what": "binding_fit (H1_rat)", "detail": "binding/H1_rat.csv, row 3: broken"},
        {"status": "not produced", "what": str(tmp_path / "report.html"), "detail": ""},
    ]
    assert (tmp_path / "failures.csv").read_text().splitlines()[0] == "status,what,detail"
    assert "failed binding_fit (H1_rat); 1 final outputs not produced" in capsys.readouterr().err
