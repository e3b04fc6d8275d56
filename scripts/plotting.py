"""Figure output shared by every area: byte-reproducible SVG files."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Fixed salt and no date metadata so two runs write identical SVG bytes.
matplotlib.rcParams["svg.hashsalt"] = "translational-pharmacology"
matplotlib.rcParams["svg.fonttype"] = "none"


def save_figure(fig, path) -> None:
    """Save *fig* as SVG at *path* without run-dependent metadata, then close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
