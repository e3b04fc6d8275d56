"""Glue for the thin rule scripts under workflow/scripts/.

``run_rule(snakemake, body)`` sends logging to the rule's log file and turns
an :class:`~scripts.tables.InputError` into one readable line on stderr and a
non-zero exit, instead of a traceback. Snakemake then removes the job's
outputs, so a failed job leaves no partial results.
"""

from __future__ import annotations

import logging
import sys
import warnings

from scripts.tables import InputError


def run_rule(snakemake, body) -> None:
    log_path = snakemake.log[0] if len(snakemake.log) else None
    handlers = [logging.FileHandler(log_path, mode="w")] if log_path else []
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)
    warnings.simplefilter("default")
    try:
        body(snakemake)
    except InputError as error:
        logging.error("%s", error)
        print(f"INPUT ERROR: {error}", file=sys.stderr)
        sys.exit(1)
