"""Provenance recorded beside the results: a checksum of every input file,
the software versions and the pipeline revision."""

from __future__ import annotations

import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd

from scripts.validation.study import AREA_FOLDERS

PACKAGES = (
    "snakemake",
    "pandas",
    "numpy",
    "scipy",
    "lmfit",
    "matplotlib",
    "statsmodels",
    "Jinja2",
    "PyYAML",
    "jsonschema",
    "openpyxl",
)
REPO_ROOT = Path(__file__).resolve().parents[1]


def pipeline_revision(repo=REPO_ROOT) -> str:
    """Git revision of the pipeline, with "-dirty" when the work tree has edits."""
    try:
        rev = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return rev + ("-dirty" if dirty else "")


def software_versions() -> pd.DataFrame:
    rows = [{"component": "python", "version": platform.python_version()}]
    for name in PACKAGES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "not installed"
        rows.append({"component": name, "version": version})
    rows.append({"component": "pipeline", "version": pipeline_revision()})
    return pd.DataFrame(rows, columns=["component", "version"])


def study_file_name(path) -> str:
    """An input file named as inside the study directory: ``<area>/<file>``
    for a table of an area folder, else the bare file name."""
    path = Path(path)
    if path.parent.name in AREA_FOLDERS:
        return f"{path.parent.name}/{path.name}"
    return path.name


def sha256_of(path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def input_checksums(paths) -> pd.DataFrame:
    """SHA-256 and size of each input file, named as inside the study directory
    (``binding/run1.csv``, ``study.yaml``) so the table does not depend on where
    the study lives."""
    rows = []
    for path in sorted(paths, key=study_file_name):
        path = Path(path)
        rows.append({"file": study_file_name(path), "sha256": sha256_of(path), "bytes": path.stat().st_size})
    return pd.DataFrame(rows, columns=["file", "sha256", "bytes"])
