"""Software versions and pipeline revision, recorded beside the results."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd

PACKAGES = ("snakemake", "pandas", "numpy", "scipy", "lmfit", "matplotlib", "statsmodels",
            "Jinja2", "PyYAML", "jsonschema")
REPO_ROOT = Path(__file__).resolve().parents[1]


def pipeline_revision(repo=REPO_ROOT) -> str:
    """Git revision of the pipeline, with "-dirty" when the work tree has edits."""
    try:
        rev = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True,
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain",
                                "--untracked-files=no"], check=True, capture_output=True,
                               text=True).stdout.strip()
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
