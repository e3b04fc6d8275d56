"""Developer tools: generators of the example study and of benchmark studies.

Not part of the pipeline: nothing under ``scripts/`` or ``workflow/`` imports them.
"""
