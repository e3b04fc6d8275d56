"""Code style and hygiene of the repository: ruff (lint and format, settings in
pyproject.toml), snakefmt on the rule files, and no project-internal notes
(issue numbers, paths of a particular machine) in what the repository ships.
`make lint` runs the same tools."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT

BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is not installed in {BIN} (requirements.txt pins it)")
    return str(path)


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_check_is_clean():
    result = _run(_tool("ruff"), "check", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = _run(_tool("ruff"), "format", "--check", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_snakefmt_is_clean():
    files = ["Snakefile", *sorted(str(p) for p in (REPO_ROOT / "workflow" / "rules").glob("*.smk"))]
    result = _run(_tool("snakefmt"), "--check", *files)
    assert result.returncode == 0, result.stderr


# --- nothing internal in what the repository ships ----------------------------

# Files and folders checked (relative to the repository root); generated data
# (resources/example_study), results and virtual environments are not.
CHECKED = (
    "README.md",
    "LICENSE",
    "Makefile",
    "Snakefile",
    "pyproject.toml",
    "requirements.txt",
    "requirements-slurm.txt",
    ".ci",
    "benchmarks",
    "config",
    "docs",
    "profiles",
    "resources/reference",
    "scripts",
    "tests",
    "tools",
    "workflow",
)
SKIPPED = ("benchmarks/work",)  # the benchmark's generated studies and results
SKIPPED_PARTS = {"__pycache__", ".pytest_cache"}
# Text files by extension ("" for Snakefile, Makefile, LICENSE).
CODE_SUFFIXES = {"", ".py", ".smk", ".sh", ".toml", ".yaml", ".yml", ".json", ".csv"}
TEXT_SUFFIXES = CODE_SUFFIXES | {".md", ".rst", ".txt", ".html", ".css", ".js"}

# An issue or pull-request number ("issue 12", "issues 3 and 5", "#12"; CSS
# colours such as "#333" have three or more digits), a path of a particular
# machine ("/work/...", "/tmp/..."), a note addressed to a helper.
INTERNAL = {
    "issue number": re.compile(r"\bissues?\s*#?\d+|(?<![\w&#/])#\d{1,2}\b(?!-)", re.IGNORECASE),
    "machine path": re.compile(r"(?<![\w.~-])/(?:work|tmp)/"),
    "note to helpers": re.compile(r"\bHELPER"),
}
# Citations of the project's internal brief ("the seed document", "seed ref 5")
# in user-facing text; a random-number seed is fine.
SEED_CITATION = re.compile(
    r"\bseed(?:_\w+)?\W+(?:document|ref|refs|section|protocol)\b|\bseed document", re.IGNORECASE
)
USER_FACING = ("README.md", "docs", "config", "resources/reference", "scripts", "workflow")


def _files(roots) -> list[Path]:
    files = []
    for root in roots:
        path = REPO_ROOT / root
        candidates = [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []
        for file in candidates:
            relative = file.relative_to(REPO_ROOT)
            if (
                file.is_file()
                and file.suffix in TEXT_SUFFIXES
                and not SKIPPED_PARTS & set(relative.parts)
                and not relative.as_posix().startswith(SKIPPED)
                and file != Path(__file__).resolve()
            ):
                files.append(file)
    return files


def _hits(files, patterns: dict[str, re.Pattern]) -> list[str]:
    hits = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for what, pattern in patterns.items():
                if pattern.search(line):
                    hits.append(f"{file.relative_to(REPO_ROOT)}:{number}: {what}: {line.strip()[:120]}")
    return hits


def _hits_in_text(text: str) -> list[str]:
    return [what for what, pattern in INTERNAL.items() if pattern.search(text)]


def test_patterns_find_what_they_should():
    found = _hits_in_text
    assert found("see issue 12") == ["issue number"]
    assert found("fixed in #5.") == ["issue number"]
    assert found("color: #333; background: #1f77b4") == []
    assert found("copy to /tmp/x or /work/main") == ["machine path"]
    assert found("benchmarks/work/results.json, ~/tmp/a") == []
    assert found("a HELPER_BRIEF note") == ["note to helpers"]
    assert found("small helpers") == []
    assert SEED_CITATION.search("the seed document's remedy")
    assert SEED_CITATION.search("(seed ref 11)")
    assert not SEED_CITATION.search("random seed 20251129; numpy default_rng(seed)")


def test_no_issue_numbers_machine_paths_or_helper_notes():
    files = _files(CHECKED)
    assert len(files) > 50
    hits = _hits(files, INTERNAL)
    assert not hits, "internal references:\n" + "\n".join(hits)


def test_no_citations_of_the_internal_brief_in_user_facing_text():
    hits = _hits(_files(USER_FACING), {"seed citation": SEED_CITATION})
    assert not hits, "cite the sources themselves:\n" + "\n".join(hits)
