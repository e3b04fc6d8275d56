"""Shared test helpers: the repository root and a real-Snakemake runner."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
WORKFLOW_PARTS = ("Snakefile", "config", "workflow", "scripts", "resources/reference")


def copy_workflow(destination: Path) -> Path:
    """Copy the workflow (not results) so a test runs it in isolation."""
    destination.mkdir(parents=True, exist_ok=True)
    for part in WORKFLOW_PARTS:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, destination / part)
    return destination


def run_snakemake(workdir: Path, *args, check=False) -> subprocess.CompletedProcess:
    """Run the real snakemake CLI in *workdir* and return the finished process."""
    command = [SNAKEMAKE, "--cores", "2", *args]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True,
                            timeout=900)
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
