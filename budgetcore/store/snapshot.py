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
Each value is a JSON header and the arrays' bytes (see save); texts, which may
hold any character and may be missing, are codes into their distinct values.
"""

from __future__ import annotations

import json

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from budgetcore.store.models import Snapshot

_CODES = "__codes__"
FORMAT = 3  # a snapshot in another format is not read (the SQL path is), until the next import


def save(session: Session, name: str, columns: dict[str, np.ndarray]) -> None:
    """Store these columns under name, replacing what was there (in the caller's transaction).

    The stored value is a JSON header (each array's type, shape and place; the
    texts) followed by the arrays' bytes, so that reading it back makes views
    on those bytes, not copies. A text column is stored as its distinct values
    and one code per row, the last code standing for a missing value:
    customers, types and account managers repeat, and codes read back without
    a string per row.
    """
    arrays = {k: v for k, v in columns.items() if v.dtype != object}
    texts = {}
    for k, v in columns.items():
        if v.dtype == object:
            import pandas as pd  # only an import saves: the readers need numpy alone

            codes, distinct = pd.factorize(v, use_na_sentinel=True)
            arrays[f"{_CODES}{k}"] = np.where(codes < 0, len(distinct), codes).astype(np.int32)
            texts[k] = distinct.tolist()
    places, parts, offset = {}, [], 0
    for k, v in arrays.items():
        data = np.ascontiguousarray(v).tobytes()
        places[k] = (v.dtype.str, list(v.shape), offset, len(data))
        parts.append(data + b"\0" * (-len(data) % 8))  # every array starts 8-byte aligned
        offset += len(parts[-1])
    header = json.dumps({"format": FORMAT, "arrays": places, "texts": texts}, ensure_ascii=False).encode()
    value = len(header).to_bytes(8, "little") + header + b"\0" * (-len(header) % 8) + b"".join(parts)
    session.execute(delete(Snapshot).where(Snapshot.name == name))
    session.add(Snapshot(name=name, data=value))
    session.flush()


def load(session: Session, name: str) -> dict[str, np.ndarray] | None:
    """The columns stored under name (read-only arrays), or None when there is none (or one in
    an older format)."""
    value = session.scalar(select(Snapshot.data).where(Snapshot.name == name))
    if value is None or len(value) < 8:
        return None
    value = bytes(value)  # PostgreSQL hands a memoryview
    size = int.from_bytes(value[:8], "little")
    try:
        header = json.loads(value[8 : 8 + size].decode())
    except ValueError:  # an older format
        return None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        return None
    start = 8 + size + (-size % 8)
    columns, codes = {}, {}
    for k, (dtype, shape, offset, _nbytes) in header["arrays"].items():
        count = int(np.prod(shape)) if shape else 1
        array = np.frombuffer(value, dtype=np.dtype(dtype), count=count, offset=start + offset).reshape(shape)
        if k.startswith(_CODES):
            codes[k.removeprefix(_CODES)] = array
        else:
            columns[k] = array
    for k, values in header["texts"].items():
        distinct = np.empty(len(values) + 1, dtype=object)
        distinct[:-1] = values  # and None last, for the missing ones
        columns[k] = distinct[codes[k]]
    return columns


def drop(session: Session) -> None:
    """Forget every snapshot: readers fall back to SQL until the next save."""
    session.execute(delete(Snapshot))
