"""Entry point for python -m budgetcore."""

from __future__ import annotations

import sys

from budgetcore.cli import main

if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. piped into head: not an error worth a traceback
        sys.stderr.close()
        sys.exit(0)
