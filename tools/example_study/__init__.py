"""Seeded generator of the embedded example study (resources/example_study/).

The example study is SYNTHETIC: no animals, tissues or patients were used.
It is written in the RAW input format of the study-directory contract
(README), i.e. what a user would put in their own study directory, not the
validated format the pipeline writes.

Every simulated number comes from a "true" value stated in this package and
written to ``ground_truth.yaml`` beside the data, together with its source.
Literature-informed values are approximate: they were chosen inside ranges
reported in the cited sources, not copied as exact published values, and
the species split of the binding constants is partly constructed so that the
pipeline has something to find (said per value in ``ground_truth.yaml``).

Modules: ``common`` (seed, random streams, sources, number formats),
``binding`` and ``saturation`` (the binding runs), ``behaviour`` (the test
battery), ``exposure_response`` (the acute FST effect as a function of
unbound plasma concentration), ``realised`` (realised group means),
``pk`` (rat plasma concentrations, the chronic satellite and the dosing
records) and ``study`` (study.yaml, the ground truth and the file writer).

Usage::

    python -m tools.example_study [outdir]      # default resources/example_study

The output is byte-identical for the same seed (fixed float formatting,
"\\n" line endings, PyYAML ``safe_dump(sort_keys=False)``).
``tests/test_example_study.py`` checks that the committed copy equals a fresh
generation, so the data must never be edited by hand: change this package and
regenerate instead.
"""

from .common import SEED
from .study import build_study, main, write_files, write_study

__all__ = ["SEED", "build_study", "main", "write_files", "write_study"]
