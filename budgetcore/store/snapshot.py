"""The portfolio's columns that do not depend on as_of, saved at import as one binary value.

Reading 175,000 contracts' facts, maintained totals and budget sums through a
database driver makes millions of Python objects and takes seconds; the same
columns as numpy arrays in one stored value take a fraction of a second to
read. Every import (aggregates.rebuild) saves them inside its own transaction,
so the snapshot commits or rolls back with the data it describes; a database
without one (made before snapshots, or changed by hand) is read by SQL
instead (frame.read), with the same figures: tests/test_engine.py holds the
engine on both paths to tests/oracle.py, and tests/test_incremental.py holds
saved changes equal to a whole rebuild.

The snapshots (columns.py, aggregates.py): "contracts" (every contract's
columns), "periods" (every budget line's amount and days, for planned to date
at any as_of), "months" (every contract's in-term months) and "checkpoints"
(the backtest's actuals at 25, 50 and 75 % of each term). Each value is a JSON
header and the arrays' bytes (see save); texts, which may hold any character
and may be missing, are codes into their distinct values.

An import that touches a few contracts does not rewrite a whole snapshot: it
saves their rows as changes (save_changes), a second stored value beside the
base that replaces the base's rows of every contract it names; later imports
fold theirs into it, and once the changes outgrow an eighth of the base they
are folded into a new base. load() returns base and changes merged.
"""

from __future__ import annotations

import json
from collections.abc import Collection

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from budgetcore.store.models import Snapshot

_CODES = "__codes__"
FORMAT = 7  # a snapshot in another format is not read (the SQL path is), until the next import
CHANGES = "+"  # the suffix of a snapshot's changes: "months/4+"
_TOUCHED = "__touched__"  # in the changes: the key of every contract they replace
FOLD = 8  # changes larger than base / FOLD (in bytes) are folded into a new base
_READ = "budgetcore.snapshot.read"  # session.info: (the transaction, the snapshots it has read)


def _key(name: str) -> str:
    """The stored name of snapshot name in this format: one in another format is not found."""
    return f"{name}/{FORMAT}"


def save(session: Session, name: str, columns: dict[str, np.ndarray]) -> None:
    """Store these columns as the whole of snapshot name, replacing the base and any changes
    (in this format or an older one)."""
    _read_already(session).clear()
    session.execute(delete(Snapshot).where((Snapshot.name == name) | Snapshot.name.startswith(f"{name}/")))
    session.add(Snapshot(name=_key(name), data=_encoded(columns)))
    session.flush()


def save_changes(
    session: Session,
    name: str,
    columns: dict[str, np.ndarray],
    touched: Collection[int],
    key: str,
    order: str | None = None,
) -> bool:
    """Replace the rows of the contracts touched (values of the key column) by these columns:
    every row of theirs that the snapshot held goes, these rows come in, and a touched contract
    without a row here (deleted, or left without lines) has none afterwards. order: a column the
    snapshot is sorted on (unique values; these rows sorted on it too). False when the snapshot
    has no base to change (the caller saves it whole)."""
    size = session.scalar(select(func.length(Snapshot.data)).where(Snapshot.name == _key(name)))
    if size is None:
        return False
    _read_already(session).clear()
    touched = np.unique(np.fromiter(touched, dtype=np.int64, count=len(touched)))
    earlier = _read(session, _key(name) + CHANGES)
    if earlier is not None:  # fold the earlier changes in: theirs, less the contracts touched now
        before = earlier.pop(_TOUCHED)
        columns = merged(earlier, columns, touched, key, order)
        touched = np.union1d(before, touched)
    value = _encoded({**columns, _TOUCHED: touched}, merge={"key": key, "order": order})
    if len(value) * FOLD > size:  # big enough to be worth a new base
        base = load(session, name, changes=False)
        assert base is not None
        save(session, name, merged(base, columns, touched, key, order))
        return True
    session.execute(delete(Snapshot).where(Snapshot.name == _key(name) + CHANGES))
    session.add(Snapshot(name=_key(name) + CHANGES, data=value))
    session.flush()
    return True


def merged(
    base: dict[str, np.ndarray],
    changes: dict[str, np.ndarray],
    touched: np.ndarray,
    key: str,
    order: str | None,
) -> dict[str, np.ndarray]:
    """base without the rows whose key is in touched, with the rows of changes: appended, or
    inserted in their places when both are sorted on the column order."""
    keep = ~np.isin(base[key], touched)
    rest = {k: v[keep] for k, v in base.items()}
    if order is None:
        return {k: np.concatenate([v, changes[k].astype(v.dtype, copy=False)]) for k, v in rest.items()}
    at = np.searchsorted(rest[order], changes[order])
    return {k: np.insert(v, at, changes[k].astype(v.dtype, copy=False)) for k, v in rest.items()}


def _encoded(columns: dict[str, np.ndarray], merge: dict | None = None) -> bytes:
    """The stored form of these columns.

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
            codes, texts[k] = _factorized(v)
            arrays[f"{_CODES}{k}"] = codes
    places, parts, offset = {}, [], 0
    for k, v in arrays.items():
        data = np.ascontiguousarray(v).tobytes()
        places[k] = (v.dtype.str, list(v.shape), offset, len(data))
        parts.append(data + b"\0" * (-len(data) % 8))  # every array starts 8-byte aligned
        offset += len(parts[-1])
    header = {"format": FORMAT, "arrays": places, "texts": texts} | ({"merge": merge} if merge else {})
    encoded = json.dumps(header, ensure_ascii=False).encode()
    return len(encoded).to_bytes(8, "little") + encoded + b"\0" * (-len(encoded) % 8) + b"".join(parts)


def _factorized(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(one code per value, the distinct values in order of first appearance): a missing value
    (None) gets the code len(distinct). A dict, not pandas: a small import's changes are a few
    rows, and importing pandas for them would cost a command more than the rest of its work."""
    distinct: dict[str, int] = {}
    missing = -1
    codes = np.fromiter(
        (missing if v is None else distinct.setdefault(v, len(distinct)) for v in values.tolist()),
        dtype=np.int32,
        count=len(values),
    )
    codes[codes == missing] = len(distinct)
    return codes, list(distinct)


def load(session: Session, name: str, changes: bool = True) -> dict[str, np.ndarray] | None:
    """The columns stored under name, with their changes merged in (changes=False: the base
    alone), or None when there is none (or one in an older format). Arrays may be read-only.

    Read once per transaction: a command that reads the portfolio and then auto's picks reads
    the contracts' snapshot (40 MB at 175,000 contracts) once; a save in the session forgets it."""
    found = _loaded(session, name, changes)
    read = _read_already(session)
    read[(name, changes)] = found
    return None if found is None else dict(found)


def _read_already(session: Session) -> dict[tuple[str, bool], dict[str, np.ndarray] | None]:
    """The snapshots read in the session's current transaction (none outside one)."""
    transaction = session.get_transaction()
    held = session.info.get(_READ)
    if held is None or held[0] is not transaction:
        held = session.info[_READ] = (transaction, {})
    return held[1]


def _loaded(session: Session, name: str, changes: bool) -> dict[str, np.ndarray] | None:
    read = _read_already(session)
    if (name, changes) in read:
        return read[(name, changes)]
    base = _read(session, _key(name))
    if base is None or not changes:
        return base
    value = session.scalar(select(Snapshot.data).where(Snapshot.name == _key(name) + CHANGES))
    if value is None:
        return base
    found = _decoded(value)
    if found is None:
        return None
    columns, header = found
    touched = columns.pop(_TOUCHED)
    return merged(base, columns, touched, header["merge"]["key"], header["merge"]["order"])


def stale(session: Session, names: Collection[str]) -> bool:
    """Whether any of these snapshots is missing (or only there in another format)."""
    keys = [_key(name) for name in names]
    found = session.scalar(select(func.count()).select_from(Snapshot).where(Snapshot.name.in_(keys)))
    return found != len(keys)


def _read(session: Session, name: str) -> dict[str, np.ndarray] | None:
    value = session.scalar(select(Snapshot.data).where(Snapshot.name == name))
    found = None if value is None else _decoded(value)
    return None if found is None else found[0]


def _decoded(value: bytes | memoryview) -> tuple[dict[str, np.ndarray], dict] | None:
    """The columns of a stored value and its header; None for one in another format."""
    if len(value) < 8:
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
    return columns, header


def drop(session: Session) -> None:
    """Forget every snapshot: readers fall back to SQL until the next save."""
    _read_already(session).clear()
    session.execute(delete(Snapshot))
