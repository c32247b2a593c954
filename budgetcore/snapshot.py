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
may be missing) are codes into their distinct values, a JSON list stored as
bytes in the same file.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from budgetcore.models import Snapshot

_TEXTS = "__texts__"
_CODES = "__codes__"
_FORMAT = "__format__"
FORMAT = 2  # a snapshot in another format is not read (the SQL path is), until the next import


def save(session: Session, name: str, columns: dict[str, np.ndarray]) -> None:
    """Store these columns under name, replacing what was there (in the caller's transaction).

    A text column is stored as its distinct values (JSON) and one code per row,
    the last code standing for a missing value: customers, types and account
    managers repeat, and codes read back without a string per row.
    """
    arrays = {k: v for k, v in columns.items() if v.dtype != object}
    texts = {}
    for k, v in columns.items():
        if v.dtype == object:
            codes, distinct = pd.factorize(v, use_na_sentinel=True)
            arrays[f"{_CODES}{k}"] = np.where(codes < 0, len(distinct), codes).astype(np.int32)
            texts[k] = distinct.tolist()
    arrays[_TEXTS] = np.frombuffer(json.dumps(texts, ensure_ascii=False).encode(), dtype=np.uint8)
    arrays[_FORMAT] = np.array([FORMAT])
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    session.execute(delete(Snapshot).where(Snapshot.name == name))
    session.add(Snapshot(name=name, data=buffer.getvalue()))
    session.flush()


def load(session: Session, name: str) -> dict[str, np.ndarray] | None:
    """The columns stored under name, or None when there is none (or one in an older format)."""
    data = session.scalar(select(Snapshot.data).where(Snapshot.name == name))
    if data is None:
        return None
    with np.load(io.BytesIO(data), allow_pickle=False) as stored:
        if _FORMAT not in stored.files or stored[_FORMAT].tolist() != [FORMAT]:
            return None
        columns = {
            k: stored[k] for k in stored.files if k not in (_TEXTS, _FORMAT) and not k.startswith(_CODES)
        }
        codes = {k.removeprefix(_CODES): stored[k] for k in stored.files if k.startswith(_CODES)}
        texts = json.loads(stored[_TEXTS].tobytes().decode())
    for k, values in texts.items():
        distinct = np.empty(len(values) + 1, dtype=object)
        distinct[:-1] = values  # and None last, for the missing ones
        columns[k] = distinct[codes[k]]
    return columns


def drop(session: Session) -> None:
    """Forget every snapshot: readers fall back to SQL until the next save."""
    session.execute(delete(Snapshot))
