"""Figures embedded in the page, with the captions of Snakemake's report.

Figures are embedded as base64 ``<img>`` data URIs: the page needs no
network, and an SVG inside ``<img>`` cannot run script.
"""

from __future__ import annotations

import base64
import html
import re
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
        figures = []
        for path in paths:
            title = self.title.replace("{name}", path.stem.removeprefix(prefix))
            figures.append(
                {
                    "uri": data_uri(path),
                    "title": title,
                    "caption": caption,
                    "alt": alt_text(path, title, caption),
                }
            )
        return figures


def alt_text(path: Path, title: str, caption: str) -> str:
    """What the figure shows, in one sentence: the description the plotting
    code stored in the SVG (with its key numbers), else the title and the
    caption's first sentence."""
    text = Path(path).read_text(encoding="utf-8", errors="replace") if str(path).endswith(".svg") else ""
    match = re.search(r"<dc:description>(.*?)</dc:description>", text, re.S)
    if match and match.group(1).strip():
        return " ".join(html.unescape(match.group(1)).split())
    first = re.split(r"(?<=[.;])\s", caption, maxsplit=1)[0].rstrip(".;") if caption else ""
    sentence = f"{title}: {first}" if first else f"Figure of {title}"
    if len(sentence.split()) <= 3:
        sentence = f"Figure showing {sentence}"
    return sentence + ("" if sentence.endswith(".") else ".")


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
