"""budgetcore.figures.months: any set of contracts' actuals per month, summed in memory, equals
summary.monthly_actuals' SQL for that set, on both readings of as_of's own month."""

from __future__ import annotations

import numpy as np
import pytest
from asof import AS_OF_DATES, DEMO_TODAY

from budgetcore.figures import frame, months, summary
from budgetcore.figures.portfolio import Filters
from budgetcore.store import columns, snapshot
from budgetcore.store.database import transaction


@pytest.mark.parametrize("after", [False, True], ids=["lines-through-as_of", "month-minus-lines-after"])
def test_months_of_any_selection_equal_the_sql(
    demo_engine, monkeypatch: pytest.MonkeyPatch, after: bool
) -> None:
    monkeypatch.setattr(summary, "own_month_after", lambda as_of: after)
    engine = demo_engine(contracts=120, today=DEMO_TODAY)  # read only
    rng = np.random.default_rng(3)
    with transaction(engine) as session:
        every = columns.in_term_months(session)  # the import's snapshot
        assert len(every) > 0
        with monkeypatch.context() as patched:  # without the snapshot: by SQL
            patched.setattr(snapshot, "load", lambda session, name: None)
            by_sql = columns.in_term_months(session)
        for name in ("contract_id", "month", "labour", "material", "lines"):
            assert (getattr(every, name) == getattr(by_sql, name)).all(), name
        for as_of in AS_OF_DATES:
            current = months.month_of(session, as_of)
            assert current.after is after
            everything = frame.load(session, as_of)
            some = everything.take(np.sort(rng.choice(len(everything), 17, replace=False)))
            for chosen in (
                everything,
                frame.select(everything, Filters(types=("preventive",))),
                frame.select(everything, Filters(statuses=("over budget", "at risk"))),
                some,
                frame.select(everything, Filters(customers=("nobody",))),
            ):
                numbers = list(chosen["contract_number"])
                expected = summary.monthly_actuals(session, as_of, numbers)
                assert months.monthly(every, current, chosen["contract_id"]) == expected, (
                    as_of,
                    len(numbers),
                )
            assert months.monthly(every, current, everything["contract_id"]) == summary.monthly_actuals(
                session, as_of
            ), as_of
