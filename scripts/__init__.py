"""Importable analysis functions of the translational-pharmacology pipeline.

Each area has one module (binding, behaviour, pk, translation, report);
input validation and table I/O live in :mod:`scripts.tables`.
"""
