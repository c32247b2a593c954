"""What needs attention (figures/attention.py) against the rule book, renewed terms never open
anywhere, the attention command, the demo's reasons, and the overview that opens with the list."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import older_schemas
import oracle
import pytest
from apptest import open_app

from budgetcore import cli
from budgetcore.app import review_ui
from budgetcore.app.text import markdown as escaped
from budgetcore.exchange import demo
from budgetcore.figures import attention, frame, portfolio, settings
from budgetcore.figures.metrics import Thresholds
from budgetcore.review import alerts, reports
from budgetcore.store import decisions
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.models import Contract
from budgetcore.store.schema import prepared

TODAY = dt.date(2026, 11, 27)
DATES = (dt.date(2026, 6, 30), TODAY, dt.date(2026, 12, 20), dt.date(2027, 3, 1))


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def history_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, schema_template, demo_database
) -> str:
    """The app's demo (with its completed previous terms, linked by previous_contract) on TODAY,
    once per engine for this module, with two renewal decisions recorded. On SQLite a copy of the
    file the app's first start makes (demo_database: built once per session, fresh_app's too)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("attention") / "demo.db"
        demo_database(TODAY, path)
        url = f"sqlite:///{path}"
        engine = prepared(make_engine(url))
    else:
        url = request.getfixturevalue("pg_module_url")
        engine = make_engine(url)
        schema_template(engine)  # the schema prepare() makes, copied
        assert demo.load(prepared(engine), today=TODAY, history=True).ok
    with transaction(engine) as session:
        found = frame.load(session, TODAY)
        soon = [str(n) for n in found["contract_number"][found["approaching_renewal"]]][:2]
        for number in soon:
            decisions.record_decision(session, number, "renew", decided_by="test")
    engine.dispose()
    return url


def _renewed(url: str) -> dict[str, str]:
    """Previous term -> the contract that names it, read straight from the table."""
    engine = make_engine(url)
    with transaction(engine) as session:
        rows = session.query(Contract.previous_contract, Contract.contract_number).all()
    engine.dispose()
    return {p: n for p, n in rows if p}


def test_the_attention_list_is_the_rule_book(history_url: str) -> None:
    engine = make_engine(history_url)
    seen: set[str] = set()
    with transaction(engine) as session:
        stored = settings.load(session)
        decided = set(decisions.current(session))
        for as_of in DATES:
            chosen = frame.load(session, as_of, stored.thresholds())
            found = attention.attention(chosen, sorted(decided), stored.review_days)
            expected = oracle.attention_order(
                chosen.figures(), decided, stored.review_days, stored.renewal_window_days
            )
            rows = found.listing()
            got = [(r["contract_number"], r["reason"], r["due"], r["also"]) for r in rows]
            assert got == [(n, r, due, "; ".join(o)) for n, r, due, o in expected], as_of
            assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
            assert sum(found.counts().values()) == len(found)
            seen |= {r for _, r, _, _ in expected}
    engine.dispose()
    assert seen == set(oracle.ATTENTION)  # every reason occurs on the demo


def test_renewed_terms_are_never_open(
    history_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20: CT-2021-00221 was "awaiting renewal" while CT-2024-00221 named it as its previous
    contract. No renewed term approaches renewal, ends open, needs a decision, is alerted or is in
    a pack; its figures say which contract renews it."""
    # a pack holds the contracts of its list (ReviewPack.every), whatever number of them get a page
    # of details (the first DETAILED, about 30 queries each: 100 pages at 4 dates took 20 s)
    monkeypatch.setattr(reports, "DETAILED", 3)
    renewed = _renewed(history_url)
    assert len(renewed) > 50
    engine = make_engine(history_url)
    with transaction(engine) as session:
        stored = settings.load(session)
        for as_of in DATES:
            chosen = frame.load(session, as_of, stored.thresholds())
            numbers = [str(n) for n in chosen["contract_number"]]
            by = {str(n): r for n, r in zip(numbers, chosen["renewed_by"], strict=True)}
            assert {n: r for n, r in by.items() if r} == {p: s for p, s in renewed.items() if p in by}
            opened = set(chosen.take(frame.ended_open(chosen, []))["contract_number"])
            opened |= set(chosen.take(frame.awaiting_mask(chosen, []))["contract_number"])
            window = {f.contract_number for f in portfolio.renewals(session, as_of, within_days=3650)}
            listed = attention.attention(chosen, [], stored.review_days).listing()
            undecided = {
                str(r["contract_number"])
                for r in listed
                if r["reason"] in (attention.NOTICE, attention.ENDED, attention.WINDOW)
            }
            found = alerts.detect(chosen.figures(), {}, set(), stored, None)
            alerted = {a.contract_number for a in found if a.kind != "status"}
            pack = {
                r.contract_number for r in reports.collect(session, as_of, stored, within_days=3650).every
            }
            for name, numbers_ in (("ended open", opened), ("renewals", window), ("attention", undecided),
                                   ("alerts", alerted), ("pack", pack)):  # fmt: skip
                assert not numbers_ & set(renewed), (as_of, name, sorted(numbers_ & set(renewed))[:5])
            assert window and undecided  # the lists themselves are not empty
    engine.dispose()
    out = io.StringIO()
    assert cli.main(["renewals", "--db", history_url, "--as-of", "2026-11-27", "--within", "3650",
                     "--format", "csv"], out=out) == 0  # fmt: skip
    assert not {r["contract_number"] for r in csv.DictReader(io.StringIO(out.getvalue()))} & set(renewed)


def test_the_attention_command(history_url: str) -> None:
    out = io.StringIO()
    assert (
        cli.main(["attention", "--db", history_url, "--as-of", "2026-11-27", "--format", "csv"], out=out) == 0
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0])[:5] == ["rank", "contract_number", "customer", "account_manager", "reason"]
    assert {"due", "also", "why"} <= set(rows[0])
    engine = make_engine(history_url)
    with transaction(engine) as session:
        stored = settings.load(session)
        decided = set(decisions.current(session))
        chosen = frame.load(session, TODAY, stored.thresholds())
        expected = oracle.attention_order(
            chosen.figures(), decided, stored.review_days, stored.renewal_window_days
        )
    engine.dispose()
    assert [(r["contract_number"], r["reason"], r["due"]) for r in rows] == [
        (n, r, due.isoformat()) for n, r, due, _ in expected
    ]
    assert rows[0]["reason"] == attention.NOTICE and "no decision" in rows[0]["why"]
    out = io.StringIO()
    assert (
        cli.main(["attention", "--db", history_url, "--as-of", "2026-11-27", "--format", "json"], out=out)
        == 0
    )
    assert [r["contract_number"] for r in json.loads(out.getvalue())] == [r["contract_number"] for r in rows]
    out = io.StringIO()
    assert cli.main(["attention", "--db", history_url, "--as-of", "2026-11-27"], out=out) == 0
    assert out.getvalue().splitlines()[0].split()[:3] == ["rank", "contract_number", "customer"]


@pytest.mark.parametrize("today", [dt.date(2026, 1, 5), dt.date(2026, 8, 19), dt.date(2027, 4, 30)])
def test_the_demo_holds_every_reason_on_any_day(today: dt.date, tmp_path: Path, new_sqlite) -> None:
    engine = new_sqlite(tmp_path / "demo.db")
    assert demo.load(engine, today=today).ok
    with transaction(engine) as session:
        found = attention.attention(frame.load(session, today, Thresholds()), [], 14)
    engine.dispose()
    counts = found.counts()
    assert all(counts.values()), counts
    assert found.row(0)["reason"] == attention.NOTICE
    notice = [found.row(i)["due"] for i in range(counts[attention.NOTICE])]
    assert notice.count(today + dt.timedelta(days=demo.NOTICE_DAYS)) >= demo.NOTICE_SOON


@pytest.mark.usefixtures("fresh_app")
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_overview_opens_with_what_needs_attention(lang: str) -> None:
    at = open_app(lang=lang)
    first = at.subheader[0].value
    assert first.startswith("Needs attention (" if lang == "en" else "Aandacht nodig (")
    engine = prepared(make_engine())
    with transaction(engine) as session:
        stored = settings.load(session)
        chosen = frame.load(session, TODAY, stored.thresholds())
        found = attention.attention(chosen, sorted(decisions.current(session)), stored.review_days)
    assert first.endswith(f"({len(found)})")
    listed = next(m.value for m in at.markdown if m.value.startswith("1. ["))
    lines = listed.splitlines()
    assert len(lines) == min(len(found), review_ui.ATTENTION_SHOWN)
    top = [i for i in range(len(lines)) if found.reason[i] == 0]
    assert top and top == list(range(len(top)))  # the app's demo on TODAY has notice deadlines ahead
    for i in top:  # the notice deadlines without a decision come first, each linking its contract
        number = str(found.rows["contract_number"][i])
        assert lines[i].startswith(f"{i + 1}. [{escaped(number)}](contract?")
        assert f"contract={number})" in lines[i] and f"**{escaped(found.why(i, lang))}**" in lines[i]
    caption = " ".join(c.value for c in at.caption)
    for reason, n in found.counts().items():
        if n:
            assert f"{found.label(reason, lang)}: **{n}**" in caption


def test_indexation_from_a_dutch_workbook_the_template_and_an_older_database(engine, tmp_path: Path) -> None:
    """indexation_pct: read from `indexatie (%)` (a decimal comma), in the template in both languages,
    added to a database from before it by schema.prepare, and used by the renewal price."""
    from openpyxl import Workbook, load_workbook
    from sqlalchemy import inspect, select

    from budgetcore.exchange.importing import import_paths
    from budgetcore.exchange.workbook import template
    from budgetcore.store import schema
    from budgetcore.store.schema import prepare

    with engine.begin() as conn:
        older_schemas.at_revision(conn, "0002_scope")  # before 0003_indexation
    assert f"upgraded from 0002_scope to {schema.head()}" in prepare(engine)
    assert "indexation_pct" in {c["name"] for c in inspect(engine).get_columns("contracts")}
    book = Workbook()
    sheet = book.active
    sheet.title = "contracten"
    sheet.append(["contractnummer", "klant", "startdatum", "einddatum", "contractwaarde", "indexatie (%)"])
    sheet.append(["C-1", "Klant A", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "1.000,00", "2,5"])
    sheet.append(["C-2", "Klant A", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "1.000,00", None])
    path = tmp_path / "export.xlsx"
    book.save(path)
    assert import_paths(engine, [path]).ok
    with transaction(engine) as session:
        stored = dict(session.execute(select(Contract.contract_number, Contract.indexation_pct)).all())
        prices = {f.contract_number: f.price for f in frame.load(session, TODAY).figures()}
    assert stored == {"C-1": Decimal("2.5"), "C-2": None}
    assert prices["C-1"].indexed_value == Decimal("1025.00") and prices["C-2"].indexed_value == Decimal(
        "1000.00"
    )
    for lang, header in (("nl", "indexatie (%)"), ("en", "indexation_pct")):
        first = load_workbook(io.BytesIO(template(lang))).worksheets[0]
        assert header in [c.value for c in first[1]]


def test_the_alert_digests_follow_the_attention_list(history_url: str) -> None:
    """Each manager's digest lists its contracts in the attention list's order (the most urgent
    first), those that need no attention after them by number; the body says them in that order."""
    engine = make_engine(history_url)
    with transaction(engine) as session:
        stored = settings.load(session)
        run = alerts.prepare_run(session, TODAY)
        chosen = frame.load(session, TODAY, stored.thresholds())
        rank = attention.rank_of(
            attention.attention(chosen, sorted(decisions.current(session)), stored.review_days)
        )
    engine.dispose()
    assert run.digests
    for d in run.digests:
        numbers = list(dict.fromkeys(a.contract_number for a in d.alerts))
        assert numbers == sorted(numbers, key=lambda n: (rank.get(n, len(rank) + 1), n))
        body = d.body(TODAY, stored, "en")
        assert [body.index(f"- {n} ") for n in numbers] == sorted(body.index(f"- {n} ") for n in numbers)
    ranked = [a.contract_number for d in run.digests for a in d.alerts if a.contract_number in rank]
    assert ranked and any(rank[n] > 1 for n in ranked)
