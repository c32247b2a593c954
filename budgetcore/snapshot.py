"""The portfolio's columns that do not depend on as_of, saved at import as one binary value.

Reading 175,000 contracts' facts, maintained totals and budget sums through a
database driver makes millions of Python objects and takes seconds; the same
columns as numpy arrays in one stored value take a fraction of a second to
read. Every import (aggregates.rebuild) saves them inside its own transaction,
so the snapshot commits or rolls back with the data it describes; a database
without one (made before snapshots, or changed by hand) is read by SQL
instead (frame.read), with the same figures: tests/test_frame.py holds both
to portfolio.portfolio.

Two snapshots: "contracts" (frame.STATIC_COLUMNS and every budget line's
amount and days, for planned to date at any as_of) and "months" (every
contract's in-term months, for actuals per month of any set of contracts).
Integers are int64 arrays in an .npz; texts (which may hold any character and
may be missing) are a JSON list stored as bytes in the same file.
"""

from __future__ import annotations

import io
import json

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from budgetcore.models import Snapshot

_TEXTS = "__texts__"


def save(session: Session, name: str, columns: dict[str, np.ndarray]) -> None:
    """Store these columns under name, replacing what was there (in the caller's transaction)."""
    texts = {k: v.tolist() for k, v in columns.items() if v.dtype == object}
    arrays = {k: v for k, v in columns.items() if v.dtype != object}
    arrays[_TEXTS] = np.frombuffer(json.dumps(texts, ensure_ascii=False).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    session.execute(delete(Snapshot).where(Snapshot.name == name))
    session.add(Snapshot(name=name, data=buffer.getvalue()))
    session.flush()


def load(session: Session, name: str) -> dict[str, np.ndarray] | None:
    """The columns stored under name, or None when there is no snapshot of that name."""
    data = session.scalar(select(Snapshot.data).where(Snapshot.name == name))
    if data is None:
        return None
    with np.load(io.BytesIO(data), allow_pickle=False) as stored:
        columns = {k: stored[k] for k in stored.files if k != _TEXTS}
        texts = json.loads(stored[_TEXTS].tobytes().decode())
    for k, values in texts.items():
        column = np.empty(len(values), dtype=object)
        column[:] = values
        columns[k] = column
    return columns


def drop(session: Session) -> None:
    """Forget every snapshot: readers fall back to SQL until the next save."""
    session.execute(delete(Snapshot))
