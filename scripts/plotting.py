"""Figure output shared by every area: byte-reproducible SVG files."""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Fixed salt and no date metadata so two runs write identical SVG bytes.
matplotlib.rcParams["svg.hashsalt"] = "translational-pharmacology"
matplotlib.rcParams["svg.fonttype"] = "none"


# The Okabe-Ito palette: told apart with colour-vision deficiencies.
OKABE_ITO = (
    "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000",
)  # fmt: skip
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", ":", "-.", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (1, 1)), (0, (5, 5)))


def style(i: int) -> dict:
    """Colour, marker and line style of the *i*-th group (never colour alone)."""
    return {
        "color": OKABE_ITO[i % len(OKABE_ITO)],
        "marker": MARKERS[i % len(MARKERS)],
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
    }


def set_alt_text(fig, text: str) -> None:
    """One sentence saying what *fig* shows, with its key numbers; saved in
    the SVG's description, which the report uses as the image's alt text."""
    fig.alt_text = " ".join(str(text).split())


def tight_layout(fig, **kwargs) -> None:
    """Lay *fig* out now (``fig.tight_layout``) and mark it, so that
    :func:`save_figure` draws it once, as it is, instead of cropping it
    (``bbox_inches="tight"`` costs a second full draw of the figure)."""
    fig.tight_layout(**kwargs)
    fig.laid_out = True


def save_figure(fig, path) -> None:
    """Save *fig* as SVG at *path* without run-dependent metadata, then close it.
    A figure laid out with :func:`tight_layout` is saved as laid out; any
    other is cropped to its content."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"Date": None}
    if getattr(fig, "alt_text", ""):
        metadata["Description"] = fig.alt_text
    buffer = io.StringIO()
    bbox = None if getattr(fig, "laid_out", False) else "tight"
    fig.savefig(buffer, format="svg", metadata=metadata, bbox_inches=bbox)
    plt.close(fig)
    path.write_text(_stable_clip_ids(buffer.getvalue()), encoding="utf-8")


def _stable_clip_ids(svg: str) -> str:
    """Number the clip paths in order of appearance. matplotlib names each by
    a hash of its exact rectangle, and constrained layout can move a rectangle
    by a rounding error between runs, which changed the ids (not the drawing)."""
    ids = dict.fromkeys(re.findall(r'<clipPath id="([^"]+)"', svg))
    for number, old in enumerate(ids):
        svg = svg.replace(f'id="{old}"', f'id="clip{number}"').replace(f"url(#{old})", f"url(#clip{number})")
    return svg
