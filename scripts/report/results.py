"""Read-only access to one study's results folder: the report's only input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .tables import Table


class Results:
    """The result tables and figures written by earlier steps, by their path
    relative to the results folder."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def exists(self, name) -> bool:
        return (self.folder / name).exists()

    def read(self, name) -> pd.DataFrame | None:
        """A result table, or None when the step did not write it."""
        path = self.folder / name
        if not path.exists():
            return None
        return pd.read_csv(path, keep_default_na=True)

    def read_all(self, pattern) -> list[pd.DataFrame]:
        """Every result table matching a glob *pattern*, in path order."""
        return [pd.read_csv(path, keep_default_na=True) for path in self.files(pattern)]

    def files(self, pattern) -> list[Path]:
        """Files matching a glob *pattern*, in path order."""
        return sorted(self.folder.glob(pattern))

    def study(self) -> dict:
        """The validated study metadata (study.yaml)."""
        return json.loads((self.folder / "validated" / "study.json").read_text())

    def table(self, name, columns=(), keys=(), rows=None) -> Table | None:
        """A result table to show: *columns* (all when empty), *keys* naming a
        row, and optionally only the *rows* a function of the frame selects."""
        frame = self.read(name)
        if frame is None:
            return None
        if rows is not None:
            frame = frame[rows(frame)]
        return Table(name=name, frame=frame.reset_index(drop=True), columns=list(columns), keys=list(keys))
