"""Shared test helpers: the repository root, a real-Snakemake runner and the
test categories.

Every test gets exactly one marker (pyproject.toml declares them):

* ``slurm``: tests/test_slurm.py, the example study through a SLURM cluster;
* ``e2e``: runs the real workflow with Snakemake, i.e. requests one of
  E2E_FIXTURES (directly or through another fixture) or is marked
  ``pytest.mark.e2e`` in its file (tests that call run_snakemake or
  run_example_copy without such a fixture);
* ``unit``: everything else (``make test-fast`` runs these). A unit test that
  starts Snakemake through the helpers here fails and says to mark it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
WORKFLOW_PARTS = ("Snakefile", "config", "workflow", "scripts", "resources/reference")
# Fixtures that run Snakemake: a test requesting one of them is an e2e test.
E2E_FIXTURES = frozenset({"example_run", "example_clean_results", "second_example_run", "workflow_copy"})
SLURM_TEST_FILES = frozenset({"test_slurm.py"})
CATEGORIES = ("unit", "e2e", "slurm")


def category_of(item: pytest.Item) -> str:
    """unit, e2e or slurm (see the module docstring)."""
    if item.path.name in SLURM_TEST_FILES or item.get_closest_marker("slurm"):
        return "slurm"
    if item.get_closest_marker("e2e") or E2E_FIXTURES & set(getattr(item, "fixturenames", ())):
        return "e2e"
    return "unit"


def pytest_collection_modifyitems(config, items):
    for item in items:
        category = category_of(item)
        if not item.get_closest_marker(category):
            item.add_marker(category)


# The category of the test being set up or run, so the Snakemake helpers can
# refuse to run inside a unit test (whose fixtures are set up after this hook).
_running = {"category": None}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _running["category"] = category_of(item)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item):
    _running["category"] = None


def _refuse_in_unit_test() -> None:
    if _running["category"] == "unit":
        raise AssertionError(
            "this test runs Snakemake but is categorised 'unit': request an e2e fixture "
            f"({', '.join(sorted(E2E_FIXTURES))}) or mark it pytest.mark.e2e"
        )


def copy_workflow(destination: Path) -> Path:
    """Copy the workflow (not results) so a test runs it in isolation."""
    destination.mkdir(parents=True, exist_ok=True)
    for part in WORKFLOW_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, destination / part)
    return destination


def run_snakemake(workdir: Path, *args, check=False) -> subprocess.CompletedProcess:
    """Run the real snakemake CLI in *workdir* and return the finished process."""
    _refuse_in_unit_test()
    command = [SNAKEMAKE, "--cores", "2", *args]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def workflow_copy(tmp_path):
    return copy_workflow(tmp_path / "pipeline")


EXAMPLE = REPO_ROOT / "resources" / "example_study"


@pytest.fixture(scope="session")
def example_run(tmp_path_factory):
    """One real run of the whole pipeline on a copy of the example study,
    shared by the end-to-end tests: (workdir, study dir, results dir)."""
    base = tmp_path_factory.mktemp("example")
    workdir = copy_workflow(base / "pipeline")
    study = base / "example_study"
    shutil.copytree(EXAMPLE, study)
    run_snakemake(workdir, "--config", f"study_dir={study}", check=True)
    results = workdir / "results" / "example_mirtazapine"
    # Kept as first written, for tests that compare with a clean run after
    # other tests have edited the study and rerun (see example_clean_results).
    shutil.copytree(results, base / "clean_results")
    return workdir, study, results


@pytest.fixture(scope="session")
def example_clean_results(example_run):
    """The example run's results as the clean run wrote them (a copy)."""
    return example_run[0].parent / "clean_results"


SLURM_PROFILE = "workflow/profiles/slurm"


def slurm_accepts_jobs() -> bool:
    """True when the SLURM executor plugin is installed and a node of a
    running cluster is idle, mixed or allocated."""
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401

        states = subprocess.run(
            ["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=20
        ).stdout.split()
    except (ImportError, OSError, subprocess.TimeoutExpired):
        return False
    return any(s.rstrip("*~#") in {"idle", "mixed", "allocated"} for s in states)


def run_example_copy(base: Path, via: str) -> SimpleNamespace:
    """Run a fresh copy of the workflow on a fresh copy of the example study
    under *base*, locally (``via="local"``) or through SLURM (``"slurm"``,
    workflow/profiles/slurm; its jobs are cancelled if the run times out).
    Returns a namespace: via, workdir, study, results, output (stdout + stderr)."""
    _refuse_in_unit_test()
    workdir = copy_workflow(base / "pipeline")
    study = base / "example_study"
    shutil.copytree(EXAMPLE, study)
    profile = ["--profile", SLURM_PROFILE] if via == "slurm" else ["--cores", "2"]
    command = [SNAKEMAKE, *profile, "--config", f"study_dir={study}"]
    try:
        run = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired as timeout:
        output = (timeout.stdout or b"").decode() + (timeout.stderr or b"").decode()
        for run_id in re.findall(r"SLURM run ID: (\S+)", output):
            subprocess.run(["scancel", "--name", run_id], timeout=60)
        raise
    output = run.stdout + run.stderr
    assert run.returncode == 0, f"example run ({via}) failed:\n{output[-5000:]}"
    return SimpleNamespace(
        via=via,
        workdir=workdir,
        study=study,
        results=workdir / "results" / "example_mirtazapine",
        output=output,
    )


@pytest.fixture(scope="session")
def second_example_run(tmp_path_factory):
    """A second clean run of the example study, in another directory: through
    SLURM when a cluster accepts jobs, else locally (see run_example_copy).
    tests/test_slurm.py checks the SLURM side of it and tests/test_workflow.py
    compares its outputs with example_run's (determinism); one run serves
    both, because a full example run is the suite's largest cost."""
    return run_example_copy(
        tmp_path_factory.mktemp("second_example"), "slurm" if slurm_accepts_jobs() else "local"
    )
