"""The consolidated translational report: one self-contained HTML page.

The report reads only result tables and figures written by earlier steps; it
never recomputes an analysis. Every number shown is formatted from a table
cell, and summary cells carry ``data-table``/``data-row``/``data-column``
attributes naming that cell, so a test can check each against its source.

Modules: ``sections`` (what each section shows, as data) built from
``blocks`` (blocks, folded details, optional tables), ``verdict`` (the
generated verdict sentences), ``summary`` (the scorecard and headline
numbers), ``bibliography`` (numbered references), ``methods`` and
``arrive`` (generated methods text and the ARRIVE checklist), ``tables``,
``figures`` and ``formatting`` (how tables, figures and numbers are
shown), ``results`` (reading the results folder), ``render`` (the page and
writing it; its look is templates/report.css) and ``progress`` (the short
terminal view of a run, ``make run``).
"""

from .formatting import format_number, format_p, is_p_column
from .render import generated_now, write_incomplete_report, write_report

__all__ = [
    "format_number",
    "format_p",
    "is_p_column",
    "generated_now",
    "write_incomplete_report",
    "write_report",
]
