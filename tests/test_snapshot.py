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


@pytest.mark.parametrize("fold", [1, 10**9], ids=["changes kept", "folded into the base"])
def test_changes_replace_the_rows_of_the_contracts_they_name(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, fold: int
) -> None:
    """save_changes: a touched contract's rows go, the new ones come in their sorted places, a
    touched contract without rows (deleted) has none; later changes fold into earlier ones."""
    monkeypatch.setattr(snapshot, "FOLD", fold)

    def rows(ids: list[int], numbers: list[str], values: list[int]) -> dict[str, np.ndarray]:
        return {"id": np.array(ids), "number": _column(numbers, object), "v": np.array(values)}

    ids = list(range(1, 201))
    base = rows(ids, [f"N{i:04d}" for i in ids], [i * 10 for i in ids])
    with transaction(engine) as session:
        assert not snapshot.save_changes(session, "test", base, [1], "id", "number")  # no base yet
        snapshot.save(session, "test", base)
        # 2 changes, 1000 comes in between N0001 and N0002, 3 is deleted
        first = rows([1000, 2], ["N0001a", "N0002"], [7, 21])
        assert snapshot.save_changes(session, "test", first, [2, 3, 1000], "id", "number")
        # later: 1001 comes in last, 1 is deleted; the earlier changes stay
        assert snapshot.save_changes(session, "test", rows([1001], ["N9999"], [8]), [1, 1001], "id", "number")
    with transaction(engine) as session:
        back = snapshot.load(session, "test")
        stored = snapshot.load(session, "test", changes=False)
    assert back is not None and stored is not None
    expected = [(1000, "N0001a", 7), (2, "N0002", 21)] + [(i, f"N{i:04d}", i * 10) for i in range(4, 201)]
    expected.append((1001, "N9999", 8))
    assert (
        list(zip(back["id"].tolist(), back["number"].tolist(), back["v"].tolist(), strict=True)) == expected
    )
    assert stored["id"].tolist() == (ids if fold == 1 else [r[0] for r in expected])  # folded: a new base
