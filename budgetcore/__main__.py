"""Entry point for python -m budgetcore."""

from __future__ import annotations

import os
import signal
import sys

from budgetcore.cli import main

# 128 + SIGPIPE: what a shell reports for a Unix tool whose reader left (yes | head -1)
PIPE_CLOSED = 128 + getattr(signal, "SIGPIPE", 13)


def run() -> int:
    """main() as a Unix tool: when the reader of its output leaves (piped into head), it ends
    quietly with the status such a tool has, instead of an error about a broken pipe."""
    if hasattr(signal, "SIGPIPE"):
        # Python ignores SIGPIPE and raises BrokenPipeError instead; a Unix tool is simply ended
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        status = main()
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
    except BrokenPipeError:  # no SIGPIPE (Windows), or raised before the signal was restored
        # what Python's documentation advises: point stdout at devnull so the exit's flush is quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return PIPE_CLOSED
    return status


if __name__ == "__main__":
    sys.exit(run())
