"""Figures embedded in the page, with the captions of Snakemake's report.

Figures are embedded as base64 ``<img>`` data URIs: the page needs no
network, and an SVG inside ``<img>`` cannot run script.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import jinja2

from .results import Results

CAPTION_DIR = Path(__file__).resolve().parents[2] / "workflow" / "report"


@dataclass(frozen=True)
class Figures:
    """The figure files matching *pattern* (a glob under the results folder),
    each titled *title* and captioned by ``workflow/report/<caption>.rst``
    (filled in for the behavioural *test*, if any). ``{name}`` in *title*
    stands for the part of the file name the ``*`` of *pattern* matched."""

    pattern: str
    title: str
    caption: str
    test: str = ""

    def load(self, results: Results, config: dict) -> list[dict]:
        paths = results.files(self.pattern)
        if not paths:
            return []
        caption = caption_text(self.caption, config, self.test)
        prefix = Path(self.pattern).stem.split("*")[0]
        return [
            {
                "uri": data_uri(path),
                "title": self.title.replace("{name}", path.stem.removeprefix(prefix)),
                "caption": caption,
            }
            for path in paths
        ]


def data_uri(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    mime = "image/svg+xml" if str(path).endswith(".svg") else "image/png"
    return f"data:{mime};base64,{data}"


def caption_text(name: str, config: dict, test: str = "") -> str:
    """The Snakemake-report caption of a figure, as plain text, so both reports
    say the same thing. Jinja placeholders are filled from the config."""
    path = CAPTION_DIR / f"{name}.rst"
    if not path.exists():
        return ""
    template = jinja2.Environment(autoescape=False).from_string(path.read_text())
    # What the captions reference: the config and the rule's wildcards.
    smk = SimpleNamespace(config=config, wildcards=SimpleNamespace(test=test, assay="", table=""))
    text = template.render(snakemake=smk)
    return " ".join(text.replace("``", "").split())
