"""Several processes at once without each importing budgetcore again: children forked from one
server process that imported the modules once (multiprocessing's forkserver, modules preloaded).
Each child is a separate process with its own connections, as a second command or app would be;
it runs a script as `python -c SCRIPT ARGS` would (sys.argv[1:] = ARGS). Children started together
(start_together) wait in together() until every one of them has got there, then go at once."""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import traceback
from pathlib import Path

# the drivers too: a child's first connection would import them (psycopg's 80 modules, 0.1 CPU s a
# child), and pandas: a child's first columnar read (the demo's tables, a large file) imports it
# through pyarrow's conversions (340 modules, 0.4 CPU s a child)
PRELOAD = [
    "budgetcore.exchange.demo", "budgetcore.exchange.importing", "budgetcore.figures.settings",
    "budgetcore.review.alert_mail", "budgetcore.review.alerts", "budgetcore.store.writes", "forked",
    "psycopg", "sqlite3", "pandas", "_strptime",
]  # fmt: skip
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(PRELOAD)


_barrier = None  # in a child: the barrier its group waits at in together()


def together() -> None:
    """In a child of start_together: wait until every child of the group has got here (at
    most two minutes: a child that failed before it breaks the barrier, and the others fail)."""
    _barrier.wait(timeout=120)


def _run(script: str, args: list[str], output: str, barrier=None) -> None:
    global _barrier
    _barrier = barrier
    sys.argv = ["-c", *args]
    with open(output, "w") as out, contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            exec(compile(script, "<script>", "exec"), {"__name__": "__main__"})
        except BaseException:
            traceback.print_exc()
            out.flush()
            sys.exit(1)


def _nothing() -> None:
    pass


def ready() -> None:
    """Start the server and wait until it has imported the modules (a first child has run), so
    that children started after this begin at once."""
    first = _context.Process(target=_nothing)
    first.start()
    first.join()


class Child:
    """One script running in a forked process; wait() gives (exit status, what it printed)."""

    def __init__(self, script: str, args: list[str], output: Path, barrier=None) -> None:
        self.output = output
        self.barrier = barrier  # kept until the child has it: its named semaphores go with the last reference
        self.process = _context.Process(target=_run, args=(script, args, str(output), barrier))
        self.process.start()

    def wait(self, timeout: float) -> tuple[int | None, str]:
        self.process.join(timeout)
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join()
        return self.process.exitcode, self.output.read_text() if self.output.exists() else ""


def start_together(script: str, runs: dict[str, tuple[list[str], Path]]) -> dict[str, Child]:
    """One child per name, running script with its (args, output); in the script, together()
    waits for all of them, so that their work starts at the same moment (no fixed delay that a
    loaded machine could outlast while forking)."""
    barrier = _context.Barrier(len(runs))
    return {name: Child(script, args, output, barrier) for name, (args, output) in runs.items()}
