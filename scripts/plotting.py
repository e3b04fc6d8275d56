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


def log_axis(ax, which: str = "y", numticks: int = 5) -> None:
    """Log scale on the *which* ("x" or "y") axis of *ax*, with at most
    *numticks* labelled decades and no minor ticks: matplotlib builds every
    minor tick of a log axis as an object at each draw, which made a figure
    of many small log panels cost seconds."""
    from matplotlib.ticker import LogLocator, NullLocator

    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_locator(LogLocator(numticks=numticks))
    axis.set_minor_locator(NullLocator())


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
    laid_out = getattr(fig, "laid_out", False)
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    engine = fig.get_layout_engine()
    if engine is not None and not isinstance(engine, PlaceHolderLayoutEngine):
        # A layout engine (e.g. layout="constrained") would lay the figure out
        # at each of savefig's draws: lay it out once, then keep it as it is.
        # (None, not "none": with a placeholder engine savefig draws twice.)
        fig.draw_without_rendering()
        fig.set_layout_engine(None)
        laid_out = True
    bbox = None if laid_out else "tight"
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
