"""budgetcore.store.snapshot: columns saved in one stored value come back equal, on both engines."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import Engine

from budgetcore.store import snapshot
from budgetcore.store.database import transaction


def _column(values: list, dtype: object) -> np.ndarray:
    column = np.empty(len(values), dtype=dtype)
    column[:] = values
    return column


@pytest.mark.parametrize(
    "columns",
    [
        {"n": _column([1, -2, 2**62], np.int64), "t": _column(["a", None, "a"], object)},
        {"t": _column(["NUL \x00 inside", 'quote " and \\ backslash', "é €", None], object)},
        {"t": _column([None, None], object), "b": _column([True, False], bool)},
        {"t": _column([], object), "n": _column([], np.int64)},  # no rows at all
        {
            "d": np.array(["2026-01-01", "NaT"], dtype="datetime64[D]"),
            "m": np.array(["2026-02"], "datetime64[M]"),
        },
    ],
    ids=["numbers and repeats", "any character", "all missing", "empty", "dates"],
)
def test_saved_columns_come_back_equal(engine: Engine, columns: dict[str, np.ndarray]) -> None:
    with transaction(engine) as session:
        snapshot.save(session, "test", columns)
    with transaction(engine) as session:
        back = snapshot.load(session, "test")
        assert snapshot.load(session, "other") is None
    assert back is not None and set(back) == set(columns)
    for name, column in columns.items():
        assert back[name].dtype == column.dtype, name
        assert back[name].tolist() == column.tolist(), name


def test_a_second_save_replaces_the_first_and_drop_forgets_all(engine: Engine) -> None:
    with transaction(engine) as session:
        snapshot.save(session, "test", {"n": np.array([1])})
        snapshot.save(session, "test", {"n": np.array([2, 3])})
    with transaction(engine) as session:
        assert snapshot.load(session, "test")["n"].tolist() == [2, 3]  # type: ignore[index]
        snapshot.drop(session)
        assert snapshot.load(session, "test") is None


def test_a_snapshot_in_another_format_is_not_read(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    with transaction(engine) as session:
        snapshot.save(session, "test", {"n": np.array([1])})
    monkeypatch.setattr(snapshot, "FORMAT", snapshot.FORMAT + 1)
    with transaction(engine) as session:
        assert snapshot.load(session, "test") is None
