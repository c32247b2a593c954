"""Renewal decisions: append-only storage on both engines, the command line, and both pack forms."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import handcalc
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from budgetcore import cli
from budgetcore.exchange.importing import import_paths
from budgetcore.figures import attention, settings
from budgetcore.review import report_html, report_xlsx, reports
from budgetcore.store import decisions
from budgetcore.store.database import transaction
from budgetcore.store.decisions import DecisionError, RenewalDecision, record_decision

T1 = dt.datetime(2026, 6, 1, 9, 30)
T2 = dt.datetime(2026, 6, 2, 14, 0)


@pytest.fixture
def loaded(engine: Engine, tmp_path: Path) -> Engine:
    assert import_paths(engine, handcalc.write(tmp_path / "csv")).ok
    return engine


def test_append_only_the_latest_is_current(loaded: Engine) -> None:
    with transaction(loaded) as session:
        record_decision(session, "K-002", "re-price", decided_by="Bram", proposed_value=Decimal("4800"),
                        note="forecast over budget", decided_at=T1)  # fmt: skip
        record_decision(session, "K-002", "re-price", decided_by="Anna", proposed_value=Decimal("5100.50"),
                        proposed_start=dt.date(2027, 1, 1), proposed_end=dt.date(2027, 12, 31),
                        state="agreed", decided_at=T2)  # fmt: skip
        record_decision(session, "K-004", "terminate", decided_by="Bram", decided_at=T1)
    with transaction(loaded) as session:
        found = decisions.history(session, "K-002")
        current = decisions.current(session)
        rows = session.scalar(select(func.count()).select_from(RenewalDecision))
        agreed = decisions.listing(session, "agreed with customer")
    assert rows == 3  # nothing overwritten
    assert [d.decided_by for d in found] == ["Anna", "Bram"]
    assert current["K-002"].proposed_value == Decimal("5100.50")
    assert current["K-002"].state == "agreed with customer"
    assert current["K-002"].proposed_end == dt.date(2027, 12, 31)
    assert current["K-004"].action == "terminate" and current["K-004"].state == "proposed"
    assert set(current) == {"K-002", "K-004"}
    assert [d.contract_number for d in agreed] == ["K-002"]


REFUSALS = [
    ({"contract_number": "NOPE", "action": "renew"}, "no contract 'NOPE'"),
    ({"action": "extend"}, "unknown action 'extend'"),
    ({"state": "maybe"}, "unknown state 'maybe'"),
    ({"decided_by": "  "}, "say who decided"),
    ({"proposed_value": Decimal("-1")}, "between 0 and"),
    ({"proposed_start": dt.date(2027, 2, 1), "proposed_end": dt.date(2027, 1, 1)}, "ends before"),
]


def test_refusals_name_the_problem_and_write_nothing(loaded: Engine) -> None:
    for kwargs, message in REFUSALS:
        args = {"contract_number": "K-001", "action": "renew", "decided_by": "Anna", **kwargs}
        with pytest.raises(DecisionError, match=message), transaction(loaded) as session:
            record_decision(session, **args)
    with transaction(loaded) as session:
        assert session.scalar(select(func.count()).select_from(RenewalDecision)) == 0


@pytest.mark.parametrize(
    ("days_to_notice", "terminated", "decided", "expected"),
    [(14, False, False, True), (0, False, False, True), (15, False, False, False), (-1, False, False, False),
     (3, True, False, False), (3, False, True, False)],
)  # fmt: skip
def test_overdue_for_review(days_to_notice: int, terminated: bool, decided: bool, expected: bool) -> None:
    assert attention.overdue_for_review(days_to_notice, not terminated, not decided, 14) is expected


def run(url: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main([args[0], "--db", url, *args[1:]], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_decide_and_list(loaded: Engine) -> None:
    url = loaded.url.render_as_string(hide_password=False)
    code, out, _ = run(url, "decide", "K-002", "--action", "re-price", "--value", "12500", "--note",
                       "=too cheap", "--state", "agreed", "--by", "Bram")  # fmt: skip
    assert code == 0 and "K-002 re-price at 12500" in out
    code, _, err = run(url, "decide", "K-404", "--action", "renew", "--by", "Bram")
    assert code == 1 and "no contract 'K-404'" in err
    assert run(url, "decide", "K-001", "--action", "renew", "--by", "Anna")[0] == 0
    code, out, _ = run(url, "decisions", "--format", "json")
    listed = json.loads(out)
    assert [(d["contract_number"], d["state"], d["proposed_value"]) for d in listed] == [
        ("K-001", "proposed", None),
        ("K-002", "agreed with customer", "12500.00"),
    ]
    code, out, _ = run(url, "decisions", "--state", "agreed", "--format", "csv")
    lines = out.splitlines()
    assert len(lines) == 2 and lines[1].startswith("K-002,re-price,agreed with customer,12500.00")
    assert "'=too cheap" in lines[1]  # text that a spreadsheet would run stays text
    code, out, _ = run(url, "decisions")
    assert out.strip().endswith("2 decision(s)")


# what a user types for a proposed value -> what is recorded, or the refusal; the importer's
# parser (exchange.formats) reads each the same for a contract value in a Dutch file
TYPED_VALUES = [
    ("12500", "12500.00"),
    ("12.500", "12500.00"),  # Dutch thousands, as on import (was stored as 12.50)
    ("12.500,50", "12500.50"),
    ("12,500.50", "12500.50"),
    ("12500.5", "12500.50"),
    ("€ 6.250,-", "6250.00"),  # whole euros
    ("€ 6.250,--", "6250.00"),
    ("EUR 99,95", "99.95"),
    ("(100)", "error: --value '(100)': must not be negative"),  # accounting negative, refused alike
    ("-100", "error: --value '-100': must not be negative"),
    ("twelve", "error: --value 'twelve': not a number"),
    ("1e3", "error: --value '1e3': not a number"),
    ("100000000000", "error: --value '100000000000': number too large (below 100,000,000,000)"),
]


def test_decide_value_is_read_by_the_importers_parser(loaded: Engine) -> None:
    from budgetcore.exchange import formats

    url = loaded.url.render_as_string(hide_password=False)
    contract_value = next(c for c in formats.COLUMNS["contracts"] if c.name == "contract_value")
    for typed, recorded in TYPED_VALUES:
        code, _, err = run(url, "decide", "K-002", "--action", "re-price", "--value", typed, "--by", "Bram")
        with transaction(loaded) as session:
            latest = decisions.history(session, "K-002")[:1]
        if recorded.startswith("error"):
            assert (code, err.strip()) == (1, recorded), typed
            with pytest.raises(ValueError, match=recorded.split(": ")[-1].split(" (")[0]):
                formats.parse_value(contract_value, typed, decimal_comma=True)
        else:
            assert code == 0 and latest[0].proposed_value == Decimal(recorded), (typed, err)
            assert formats.parse_value(contract_value, typed, decimal_comma=True) == Decimal(recorded)
    with transaction(loaded) as session:  # a refusal writes nothing
        recorded_values = [d.proposed_value for d in decisions.history(session, "K-002")]
    expected = [Decimal(r) for _, r in TYPED_VALUES if not r.startswith("error")]
    assert recorded_values == expected[::-1]


def test_pack_shows_the_decision_and_its_history_or_fields_to_fill(loaded: Engine) -> None:
    with transaction(loaded) as session:
        record_decision(session, "K-002", "re-price", decided_by="Bram", proposed_value=Decimal("4800"),
                        note="first <b>offer</b>", decided_at=T1)  # fmt: skip
        record_decision(session, "K-002", "re-price", decided_by="Anna", proposed_value=Decimal("5100"),
                        state="sent", decided_at=T2)  # fmt: skip
        stored = settings.load(session)
        pack = reports.collect(session, handcalc.AS_OF, stored, within_days=365)
    numbers = [r.contract_number for r in pack.contracts]
    assert "K-002" in numbers and "K-001" in numbers
    page = report_html.html(pack, "en")
    section = page[page.index('data-contract="K-002"') :]
    section = section[: section.index("</section>")]
    assert "Renewal decision" in section and "Decision history" in section
    assert "€5,100.00" in section and "€4,800.00" in section and "sent" in section
    assert "first &lt;b&gt;offer&lt;/b&gt;" in section and "<b>" not in section  # typed text stays text
    undecided = page[page.index('data-contract="K-001"') :]
    undecided = undecided[: undecided.index("</section>")]
    assert "No decision yet: to fill in at the review." in undecided
    assert undecided.count('class="blank"') == 7 and "Suggested action" in undecided

    book = load_workbook(io.BytesIO(report_xlsx.workbook(pack, "nl")))
    cells = {
        number: [c for row in book[number].iter_rows(values_only=True) for c in row if c is not None]
        for number in ("K-001", "K-002")
    }
    assert "Verlengingsbesluit" in cells["K-002"] and "Besluitgeschiedenis" in cells["K-002"]
    assert 5100 in cells["K-002"] and 4800 in cells["K-002"] and "verstuurd" in cells["K-002"]
    assert "Nog geen besluit: in te vullen bij de evaluatie." in cells["K-001"]
    assert "Besloten door" in cells["K-001"]


def test_decision_times_show_in_the_settings_time_zone(loaded: Engine) -> None:
    """A decision at 00:30 in Amsterdam on 1 Dec (23:30 UTC on 30 Nov) reads so in the pack; another
    zone or UTC is said by the setting."""
    from budgetcore.review import decision_rows
    from budgetcore.store import access, writes

    at = dt.datetime(2026, 11, 30, 23, 30)  # stored: naive UTC
    op = access.operator()
    with transaction(loaded) as session:
        record_decision(session, "K-002", "renew", decided_by="Bram", decided_at=at)
    for zone, en, nl in (
        ("Europe/Amsterdam", "1 Dec 2026 00:30", "01-12-2026 00:30"),
        ("UTC", "30 Nov 2026 23:30 UTC", "30-11-2026 23:30 UTC"),
        ("America/New_York", "30 Nov 2026 18:30", "30-11-2026 18:30"),
    ):
        with transaction(loaded) as session:
            chosen = settings.load(session).__class__(
                **{**settings.load(session).__dict__, "time_zone": zone}
            )
        writes.write(loaded, op, "settings", lambda s, c=chosen: settings.save(s, c, op))
        with transaction(loaded) as session:
            pack = reports.collect(session, handcalc.AS_OF, settings.load(session), within_days=365)
        (review,) = [r for r in pack.contracts if r.contract_number == "K-002"]
        for lang, shown in (("en", en), ("nl", nl)):
            _, rows = decision_rows.history(review, lang)
            assert rows[0][0] == (shown, "text")
            assert (shown, "text") in [v for _, v in decision_rows.current(review, lang)]
    with transaction(loaded) as session:
        bad = settings.load(session).__class__(time_zone="Mars/Olympus")
    assert ("time_zone", "must be a time zone such as Europe/Amsterdam") in bad.problems()
