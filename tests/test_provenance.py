"""Software versions recorded in provenance/software.csv."""

from __future__ import annotations

import yaml

from scripts import provenance
from scripts.provenance import REPO_ROOT


def test_every_runtime_package_of_the_environment_is_recorded():
    # The conda environment lists the packages the pipeline imports at run time.
    env = yaml.safe_load((REPO_ROOT / "workflow" / "envs" / "pipeline.yaml").read_text())
    names = {str(dep).split("=")[0].lower().removesuffix("-base") for dep in env["dependencies"]}
    recorded = {name.lower() for name in provenance.PACKAGES}
    assert names - {"python"} <= recorded


def test_openpyxl_version_is_the_installed_one():
    import openpyxl

    versions = provenance.software_versions().set_index("component")["version"]
    assert versions["openpyxl"] == openpyxl.__version__
