"""Importable code of the translational-pharmacology pipeline.

One package per area, split by concern: ``validation`` (the one place input
files are checked), ``binding``, ``behaviour``, ``pk``, ``translation`` and
``report``. Shared helpers: ``settings`` (every default, read from the config
schema), ``tables`` (CSV I/O and ``InputError``), ``rule_support`` (the glue
of the thin rule scripts), ``plotting``, ``inventory`` and ``provenance``.
A rule ``<area>_<step>`` runs ``workflow/scripts/<area>_<step>.py``, which
calls ``scripts/<area>/<module>.py``.
"""
