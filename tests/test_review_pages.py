"""The review workflow on the pages under AppTest: a decision from the renewals list, the contract page's
decision, variance and last term, and the overview's roll-up with a click that filters to a group."""

from __future__ import annotations

import datetime as dt

import pytest
from apptest import open_app

from budgetcore.app import review_ui

TODAY = dt.date(2026, 11, 27)


# conftest: the module's one copy of the demo, today fixed, the app's caches warm from test to test;
# a test that writes into the demo also asks for fresh_app (its own copy of the demo, fresh caches)
pytestmark = pytest.mark.usefixtures("warm_demo")
cold = pytest.mark.usefixtures("fresh_app")


page = open_app  # the app opened on a page with query parameters (tests/apptest.py)
field = review_ui.field_key  # a decision form's field for one contract


@cold
def test_a_decision_from_the_renewals_list_shows_everywhere() -> None:
    at = page("app_pages/renewals.py")
    table = at.dataframe[0].value
    assert set(table["decision"]) <= {"no decision yet", "⚠ overdue for review"}
    assert "⚠ overdue for review" in set(table["decision"])  # the demo has notice deadlines within 14 days
    number = str(table["contract"][1])
    at.selectbox(key="renewals_decision_contract").select(number)
    at.run()  # the contract is chosen outside the form: the form follows it
    at.selectbox(key=field("renewals_decision", number, "action")).select("re-price")
    at.text_input(key=field("renewals_decision", number, "value")).input("12.500,00")
    at.text_input(key=field("renewals_decision", number, "by")).input("Anna")
    at.button(key="renewals_decision_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    # imported text reaches markdown escaped (ui.markdown_text): compare what the reader sees
    assert f"Recorded for {number}: re-price (proposed)." in [s.value.replace("\\", "") for s in at.success]
    table = at.dataframe[0].value
    assert table.set_index("contract")["decision"][number] == "re-price · proposed"
    at.toggle(key="renewals_undecided").set_value(True).run()
    assert number not in set(at.dataframe[0].value["contract"])
    assert len(at.dataframe[0].value) == len(table) - 1

    at = page("app_pages/contract.py", contract=number)
    current = [m.value for m in at.markdown if "**Current**" in m.value]
    assert current and "re-price · proposed · €12,500.00" in current[0]
    history = next(d.value for d in at.dataframe if "decided" in d.value.columns)
    assert list(history["by"]) == ["Anna"]
    grains = at.radio(key="variance_grain")
    assert grains.value == "quarter"
    grains.set_value("month").run()
    periods = next(d.value for d in at.dataframe if "Variance %" in d.value.columns)
    assert "closed" in set(periods["State"]) and periods["Period"].iloc[-1] == "Total to date"


def test_overview_groups_and_a_click_filters_to_one() -> None:
    at = page("app_pages/overview.py", contracts="all")
    at.radio(key="overview_group_by").set_value("manager").run()
    assert not at.exception
    groups = at.dataframe[0].value
    # the app's demo: 300 contracts and 181 completed previous terms (demo.generate(history=True))
    assert groups["contracts"].sum() == 481 and len(groups) == 6
    first = str(groups["group"][0])
    # a click on a group (a browser's selection, which AppTest cannot make) sets the sidebar's filter
    assert review_ui.group_filter("manager", [first, None], [0]) == ("f_manager", [first])
    assert review_ui.group_filter("manager", [first, None], [1]) is None  # contracts without a manager
    assert review_ui.group_filter("customer", ["Gemeente Ede"], []) is None
    at.multiselect(key="f_manager").set_value([first]).run()
    assert at.dataframe[0].value["contracts"].sum() == groups["contracts"][0] == len(at.dataframe[1].value)


def test_overview_lists_the_changes_since_last_week() -> None:
    """Collapsed, grouped by kind with counts, the most urgent kind first (issue 20); the same
    changes as alerts.since_last_week on the app's demo (with its previous terms: renewed ones
    are never alerted)."""
    from budgetcore.review import alerts
    from budgetcore.store.database import make_engine, transaction
    from budgetcore.store.schema import prepared

    as_of = dt.date(2026, 11, 19)
    with transaction(prepared(make_engine())) as session:
        found = alerts.since_last_week(session, as_of)
    at = page("app_pages/overview.py", as_of=as_of.isoformat(), contracts="all")
    [changes] = [e for e in at.expander if e.label.startswith("Changes since last week")]
    assert not changes.proto.expanded
    per = {kind: sum(a.kind == kind for a in found) for kind in review_ui.CHANGE_KINDS}
    counts = " · ".join(f"{review_ui.CHANGE_KINDS[k].format(days=14)}: {n}" for k, n in per.items() if n)
    assert changes.label == f"Changes since last week ({len(found)}): {counts}"
    blocks = [m.value for m in changes.markdown]
    headings = [b.splitlines()[0] for b in blocks]
    assert headings == [f"**{review_ui.CHANGE_KINDS[k].format(days=14)} ({n})**" for k, n in per.items() if n]
    listed = "\n".join(blocks)
    assert listed.count("\n- ") == len(found) and "status worsened from" in listed and "(contract?" in listed
    assert len(at.dataframe) == 1  # the contracts table stays the overview's only table


@cold
def test_a_decision_on_the_contract_page_and_the_alert_settings() -> None:
    number = "CT-2024-00058"  # overdue for review at TODAY: notice deadline within 14 days, no decision
    at = page("app_pages/contract.py", contract=number)
    assert any("overdue for review" in w.value for w in at.warning)
    at.selectbox(key=field("contract_decision", number, "action")).select("terminate")
    at.selectbox(key=field("contract_decision", number, "state")).select("sent")
    at.text_input(key=field("contract_decision", number, "value")).input("")  # the suggested price cleared
    at.text_input(key=field("contract_decision", number, "by")).input("Bram Willems")
    at.button(key="contract_decision_save").click().run()
    assert not at.exception and not at.error
    assert any("terminate · sent · —" in m.value for m in at.markdown if "**Current**" in m.value)
    assert not any("overdue for review" in w.value for w in at.warning)

    at.switch_page("app_pages/settings.py").run()
    at.number_input(key="s_review_days").set_value(21)
    at.text_area(key="s_manager_emails").input("Bram Willems = bram@example.nl\nnot a line")
    at.button(key="s_review_save").click().run()
    shown = [e.value.replace("\\", "").replace("\u2060", "") for e in at.error]  # text.markdown's escapes
    assert shown == ["line 2: write it as 'Name = address'"]
    at.text_area(key="s_manager_emails").input("Bram Willems = bram@example.nl")
    at.button(key="s_review_save").click().run()
    assert not at.error and "Saved." in [s.value for s in at.success]
    from budgetcore.figures import settings as stored_settings
    from budgetcore.review import alerts
    from budgetcore.store.database import make_engine, transaction

    with transaction(make_engine()) as session:
        assert stored_settings.load(session).review_days == 21
        assert alerts.manager_emails(session) == {"Bram Willems": "bram@example.nl"}
