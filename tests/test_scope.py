"""Scope (docs/metrics.md, issue 21): covered work and work billed on top, on both engines.

One contract, computed by hand below: work orders of every kind (covered by type,
billed by type, and each overridden by the `billable` column), a line without a
sales price, and one dated after as_of. Then re-imports that change a work order's
type or billable move its cost across, and a database from before the split gets
the same figures at its next start as a fresh import of the same files.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import older_schemas
import oracle
import pytest
from exchange_fixtures import write_canonical
from sqlalchemy import Engine, text

from budgetcore import cli
from budgetcore.exchange.importing import import_paths
from budgetcore.figures import advice, attention, contract_detail, frame, table
from budgetcore.figures.metrics import Filters, Thresholds
from budgetcore.review import reports
from budgetcore.store import schema
from budgetcore.store.database import make_engine, transaction

AS_OF = dt.date(2026, 6, 15)
NUMBER = "S-1"
D = Decimal

# work order: (date, type, billable, hour lines (hours, cost rate, sales rate), material lines
# (quantity, unit cost, unit price)); None: no sales price
ORDERS = {
    "W-1": ("2026-02-01", "periodic", "", [("10", "50", "80")], [("2", "25", "40")]),  # covered
    "W-2": ("2026-03-01", "extra", "", [("10", "50", "80")], [("1", "100", "150")]),  # billed: type
    "W-3": ("2026-04-01", "extra", "nee", [("2", "50", "80")], []),  # covered: billable overrides
    "W-4": ("2026-05-01", "corrective", "ja", [("10", "60", None)], []),  # billed: billable, no price
    "W-5": ("2026-08-01", "extra", "", [("1", "50", "80")], []),  # after as_of: not yet counted
}


def _rows(orders: dict) -> dict[str, list[list[str]]]:
    rows: dict[str, list[list[str]]] = {
        "contracts": [
            [NUMBER, "Klant Scope", "K1", "Ede", "Liften", "preventive", "2026-01-01", "2026-12-31",
             "90", "false", "", "10000.00", "4", "Anna", "", ""],
        ],
        "budgets": [[NUMBER, "labour", "4000.00", "", "", ""], [NUMBER, "material", "1000.00", "", "", ""]],
        "work_orders": [], "hours": [], "materials": [],
    }  # fmt: skip
    for number, (day, kind, billable, hours, materials) in orders.items():
        rows["work_orders"].append([number, NUMBER, day, kind, "gereed", "", billable])
        for h, cost, sales in hours:
            rows["hours"].append([number, day, "Daan", "work", h, cost, sales or ""])
        for q, cost, price in materials:
            rows["materials"].append([number, day, "A-1", "Onderdeel", q, cost, price or ""])
    return rows


def _import(engine: Engine, directory: Path, orders: dict) -> None:
    result = import_paths(engine, write_canonical(directory, _rows(orders)))
    assert result.ok, [str(p) for p in result.errors]


def _figures(engine: Engine):
    with transaction(engine) as session:
        chosen = frame.load(session, AS_OF, Thresholds(forecast_method="chain"))
        (f,) = chosen.figures()
        return f, table.rows(chosen)[0]


def _by_hand(orders: dict) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(covered labour, covered material, cost billed on top, its revenue) through AS_OF."""
    labour = material = extra = revenue = D(0)
    for day, kind, billable, hours, materials in orders.values():
        if dt.date.fromisoformat(day) > AS_OF:
            continue
        billed = billable == "ja" if billable else kind == "extra"
        for h, cost, sales in hours:
            if billed:
                extra += D(h) * D(cost)
                revenue += D(h) * D(sales or 0)
            else:
                labour += D(h) * D(cost)
        for q, cost, price in materials:
            if billed:
                extra += D(q) * D(cost)
                revenue += D(q) * D(price or 0)
            else:
                material += D(q) * D(cost)
    return labour, material, extra, revenue


def _check(engine: Engine, orders: dict) -> None:
    labour, material, extra, revenue = _by_hand(orders)
    f, row = _figures(engine)
    assert (f.inputs.actual_labour, f.inputs.actual_material) == (labour, material)
    assert f.actual_total == labour + material
    assert (f.inputs.extra_cost, f.inputs.extra_revenue) == (extra, revenue)
    assert f.extra_margin == revenue - extra
    share = Fraction(extra) / Fraction(labour + material + extra)
    assert row["extra_cost"] == oracle.round_money(Fraction(extra))
    assert row["extra_revenue"] == oracle.round_money(Fraction(revenue))
    assert row["extra_share"] == oracle.round_fraction(share)
    assert row["actual_total"] == oracle.round_money(Fraction(labour + material))
    # the budget figures count covered work only
    assert f.consumed == (labour + material) / D(5000)
    rules = Thresholds()
    assert f.out_of_scope == (share > rules.scope_share and extra >= rules.scope_minimum)


def test_a_billed_work_order_is_beside_the_budget_figures_not_in_them(engine: Engine, tmp_path: Path) -> None:
    _import(engine, tmp_path / "a", ORDERS)
    _check(engine, ORDERS)
    # by hand: covered W-1 (10 x 50 + 2 x 25) and W-3 (2 x 50); billed W-2 (10 x 50 + 100,
    # revenue 10 x 80 + 150) and W-4 (10 x 60, no sales price)
    f, row = _figures(engine)
    assert (f.inputs.actual_labour, f.inputs.actual_material) == (D(600), D(50))
    assert (row["extra_cost"], row["extra_revenue"], row["extra_share"]) == (
        D("1200.00"),
        D("950.00"),
        D("0.6486"),
    )
    assert f.out_of_scope and f.inputs.extra_unpriced == 1
    reason = advice.scope_reason(f)
    assert reason is not None and "64.9%" in reason.text("en")[1] and "64,9%" in reason.text("nl")[1]
    with transaction(engine) as session:
        detail = contract_detail.detail(session, NUMBER, AS_OF)
    assert detail is not None
    billed = {w.work_order_number: w.billed for w in detail.work_orders}
    assert billed == {"W-1": False, "W-2": True, "W-3": False, "W-4": True}  # W-5 is after as_of
    assert [(m.month.month, m.work_orders, m.cost, m.revenue) for m in detail.extra_months] == [
        (3, 1, D(600), D(950)),
        (5, 1, D(600), D(0)),
    ]
    assert [x.message for x in detail.findings] == [contract_detail.FINDINGS["unpriced"]]
    assert detail.findings[0].count == 1
    # the same on the command line's CSV and JSON
    out = io.StringIO()
    assert cli.main(["summary", "--db", engine.url.render_as_string(hide_password=False), "--as-of",
                     AS_OF.isoformat(), "--format", "csv"], out=out) == 0  # fmt: skip
    header, line = out.getvalue().splitlines()
    assert header.endswith(",extra_cost,extra_revenue,extra_share") and line.endswith(
        ",1200.00,950.00,0.6486"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"W-1": ("type", "extra")},  # covered by type -> billed by type
        {"W-2": ("type", "corrective")},  # billed by type -> covered
        {"W-3": ("billable", "")},  # covered by billable -> billed by its type (extra)
        {"W-2": ("billable", "nee")},  # billed by type -> covered by billable
        {"W-1": ("billable", "ja")},  # covered by type -> billed by billable
        {"W-4": ("billable", "nee"), "W-3": ("billable", "ja")},  # both ways at once
    ],
)
def test_a_reimport_that_changes_type_or_billable_moves_the_cost_across(
    engine: Engine, tmp_path: Path, change: dict
) -> None:
    _import(engine, tmp_path / "first", ORDERS)
    changed = copy.deepcopy(ORDERS)
    for number, (field, value) in change.items():
        day, kind, billable, hours, materials = changed[number]
        changed[number] = (day, value, billable, hours, materials) if field == "type" else (
            day, kind, value, hours, materials
        )  # fmt: skip
    before = _by_hand(ORDERS)
    assert _by_hand(changed) != before  # the change moves cost one way or the other
    # only the changed work orders, with their lines: the other work orders stay as they are
    only = {n: changed[n] for n in change}
    rows = _rows(only)
    rows["contracts"], rows["budgets"] = [], []
    result = import_paths(engine, write_canonical(tmp_path / "second", rows))
    assert result.ok, [str(p) for p in result.errors]
    _check(engine, changed)


def _drop_scope_columns(engine: Engine) -> None:
    """Make this database look like one from before issue 21: no scope columns, old snapshots."""
    with engine.begin() as connection:
        older_schemas.at_baseline(connection)  # no scope columns, stamped 0001_baseline
        # before the split, covered columns held every line: make them so (the upgrade must not
        # trust them), and the snapshots in the old format
        connection.execute(text("UPDATE contract_months SET labour = labour + 1000000"))
        connection.execute(text("UPDATE snapshots SET name = replace(name, '/5', '/4')"))


def test_a_database_from_before_gets_the_split_at_its_next_start(
    db_url: str, tmp_path: Path, schema_template, new_sqlite
) -> None:
    orders = {n: (d, k, "", h, m) for n, (d, k, _, h, m) in ORDERS.items()}  # no billable then
    old = make_engine(db_url)
    schema_template(old)  # at the head, then taken back below
    _import(old, tmp_path / "old", orders)
    _drop_scope_columns(old)
    old.dispose()
    upgraded = make_engine(db_url)
    steps = schema.prepare(upgraded)
    assert f"upgraded from 0001_baseline to {schema.head()}" in steps and schema.REBUILD_AFTER in steps
    fresh = new_sqlite(tmp_path / "fresh.db")
    _import(fresh, tmp_path / "fresh", orders)
    for as_of in (AS_OF, dt.date(2026, 12, 31)):
        got, want = [], []
        for engine, out in ((upgraded, got), (fresh, want)):
            with transaction(engine) as session:
                chosen = frame.load(session, as_of, Thresholds(forecast_method="chain"), Filters())
                out.append(table.csv_text(chosen))
        assert got == want
    _check(upgraded, orders)
    assert schema.prepare(upgraded) == []  # once only
    upgraded.dispose()


# corrective work past its type: three preventive contracts with the same term, so each has done
# the same 166 days at AS_OF; (number, corrective work orders dated through AS_OF)
CALLS = {"K-A": 10, "K-B": 1, "K-C": 1}


def _call_rows(calls: dict[str, int], moved: int = 0) -> dict[str, list[list[str]]]:
    """The three contracts; each corrective work order with one hour of labour. K-A's first
    `moved` corrective work orders become periodic; K-C also has a corrective work order billed
    on top (billable ja: not a call) and one dated after AS_OF (not yet)."""
    rows: dict[str, list[list[str]]] = {
        "contracts": [],
        "budgets": [],
        "work_orders": [],
        "hours": [],
        "materials": [],
    }
    for number, count in calls.items():
        rows["contracts"].append([number, "Klant " + number, number, "Ede", "Liften", "preventive",
                                  "2026-01-01", "2026-12-31", "90", "false", "", "10000.00", "4", "Anna", "", ""])  # fmt: skip
        rows["budgets"].append([number, "labour", "4000.00", "", "", ""])
        orders = [(f"{number}-{k}", "2026-03-01", "corrective", "") for k in range(count)]
        if number == "K-A":
            orders = [
                (o, day, "periodic" if k < moved else kind, b) for k, (o, day, kind, b) in enumerate(orders)
            ]
        if number == "K-C":
            orders += [
                (f"{number}-billed", "2026-04-01", "corrective", "ja"),
                (f"{number}-late", "2026-08-01", "corrective", ""),
            ]
        for order, day, kind, billable in orders:
            rows["work_orders"].append([order, number, day, kind, "gereed", "", billable])
            rows["hours"].append([order, day, "Daan", "work", "1", "50", "80"])
    return rows


def _by_number(engine: Engine, thresholds: Thresholds = Thresholds(forecast_method="chain")) -> dict:
    with transaction(engine) as session:
        return {f.contract_number: f for f in frame.load(session, AS_OF, thresholds).figures()}


def test_corrective_work_past_its_type_is_out_of_scope_with_the_counts(
    engine: Engine, tmp_path: Path
) -> None:
    result = import_paths(engine, write_canonical(tmp_path / "a", _call_rows(CALLS)))
    assert result.ok, [str(p) for p in result.errors]
    found = _by_number(engine)
    # by hand: the billed one and the one after AS_OF are not calls
    assert {n: f.inputs.calls_done for n, f in found.items()} == CALLS
    # expected to date = the type's 12 calls / its 3 x 166 days done x 166 days = 4.0
    # K-A: 10 >= 2 x 4.0 and 10 - 4.0 >= 3: out of scope; K-B and K-C: 1, far below
    assert {n: f.out_of_scope for n, f in found.items()} == {"K-A": True, "K-B": False, "K-C": False}
    reason = advice.scope_reason(found["K-A"])
    assert reason is not None and reason.reason == advice.CALLS_REASON
    assert reason.values == {"calls": 10, "expected_calls": D("4.0")}
    assert (
        reason.text("en")[1]
        == "out of scope: 10 corrective work orders so far, 4.0 expected to date for its type"
    )
    assert (
        reason.text("nl")[1]
        == "buiten de reikwijdte: 10 storingsbonnen tot nu toe, 4,0 verwacht tot vandaag voor dit type"
    )
    # the contract page and the pack say both counts beside the visits
    assert (reports.calls_text(found["K-A"], "nl"), reports.calls_text(found["K-B"], "en")) == (
        "10 / 4,0",
        "1 / 4.0",
    )
    # the advice reviews the scope, quoting the same counts; the oracle agrees
    assert found["K-A"].suggestion.action == advice.REVIEW_SCOPE
    assert found["K-A"].suggestion.values["calls"] == 10
    inputs = [f.inputs for f in found.values()]
    rates = oracle.type_rates(inputs, AS_OF)
    thresholds = Thresholds(forecast_method="chain")
    assert {
        i.contract_number: oracle.figures(i, AS_OF, thresholds, rate=rates[i.type]).out_of_scope
        for i in inputs
    } == {n: f.out_of_scope for n, f in found.items()}
    # one contract's page compares with the whole portfolio's type, not with itself alone
    with transaction(engine) as session:
        detail = contract_detail.detail(session, "K-A", AS_OF, thresholds)
    assert detail is not None and advice.scope_reason(detail.figures) == reason
    with transaction(engine) as session:  # the app takes the rates from the portfolio frame it holds
        whole = frame.load(session, AS_OF, thresholds)
        assert frame.rates_of(whole) == frame.portfolio_call_rates(session, AS_OF)
        assert frame.rates_of(whole).calls == (12,) and frame.rates_of(whole).days == (498,)
    # the settings move the line: 3 x 4.0 = 12 > 10 calls
    assert not _by_number(engine, Thresholds(forecast_method="chain", calls_factor=D(3)))["K-A"].out_of_scope
    assert not _by_number(engine, Thresholds(forecast_method="chain", calls_extra=7))["K-A"].out_of_scope


def test_a_reimport_that_makes_corrective_work_periodic_moves_the_count(
    engine: Engine, tmp_path: Path
) -> None:
    assert import_paths(engine, write_canonical(tmp_path / "a", _call_rows(CALLS))).ok
    # 5 of K-A's corrective work orders re-imported as periodic: 5 calls, 5 visits; expected to date
    # = 7 / 498 x 166 = 2.3; 5 >= 2 x 2.3 but 5 - 2.3 < 3: in scope
    assert import_paths(engine, write_canonical(tmp_path / "b", _call_rows(CALLS, moved=5))).ok
    a = _by_number(engine)["K-A"]
    assert (a.inputs.calls_done, a.inputs.visits_done, a.out_of_scope) == (5, 5, False)


def test_the_attention_list_says_why_corrective_work_is_out_of_scope(engine: Engine, tmp_path: Path) -> None:
    assert import_paths(engine, write_canonical(tmp_path / "a", _call_rows(CALLS))).ok
    with transaction(engine) as session:
        chosen = frame.load(session, AS_OF, Thresholds(forecast_method="chain"))
    found = attention.attention(chosen, [], review_days=14)
    rows = {r["contract_number"]: r for r in found.listing("nl")}
    assert rows["K-A"]["reason"] == attention.SCOPE
    assert (
        rows["K-A"]["why"]
        == "buiten de reikwijdte: 10 storingsbonnen tot nu toe, 4,0 verwacht tot vandaag voor dit type"
    )
    assert "K-B" not in rows or rows["K-B"]["reason"] != attention.SCOPE


def test_a_database_from_before_the_calls_counts_them_at_its_next_start(
    db_url: str, tmp_path: Path, schema_template
) -> None:
    old = make_engine(db_url)
    schema_template(old)  # at the head, then taken back below
    assert import_paths(old, write_canonical(tmp_path / "a", _call_rows(CALLS))).ok
    with old.begin() as connection:
        older_schemas.at_revision(connection, "0003_indexation")  # no calls columns
    old.dispose()
    upgraded = make_engine(db_url)
    steps = schema.prepare(upgraded)
    assert f"upgraded from 0003_indexation to {schema.head()}" in steps and schema.REBUILD_AFTER in steps
    found = _by_number(upgraded)
    assert {n: f.inputs.calls_done for n, f in found.items()} == CALLS
    assert found["K-A"].out_of_scope
    upgraded.dispose()


def test_the_settings_page_saves_the_scope_thresholds(app_on, tmp_path: Path, schema_template) -> None:
    from apptest import open_app

    from budgetcore.figures import settings as stored_settings
    from budgetcore.i18n import t

    url = app_on(f"sqlite:///{tmp_path / 'settings.db'}")
    engine = make_engine(url)
    schema_template(engine)  # the schema prepare() makes, copied
    engine.dispose()
    at = open_app("app_pages/settings.py", lang="nl")
    at.number_input(key="s_scope_share").set_value(40)
    at.number_input(key="s_scope_minimum").set_value(500)
    at.number_input(key="s_calls_factor").set_value(3.0)
    at.number_input(key="s_calls_extra").set_value(7)
    next(b for b in at.button if b.label == t("Save", "nl")).click().run()
    assert not at.exception and not at.error
    with transaction(make_engine(url)) as session:
        saved = stored_settings.load(session)
    assert (saved.scope_share, saved.scope_minimum, saved.calls_factor, saved.calls_extra) == (
        D("0.4"), D("500"), D("3.0"), 7,
    )  # fmt: skip
