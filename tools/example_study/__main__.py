"""``python -m tools.example_study [outdir] [--seed S]``: (re)write the example study."""

from .study import main

raise SystemExit(main())
