"""The Import page through AppTest: upload, what was recognised, mapping fixes, the error table, import, the log."""

from __future__ import annotations

import ast
import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import wire
from apptest import open_app
from browser_support import streamlit_app
from exchange_fixtures import TODAY, figures, portfolio_rows, snapshot, write_canonical, write_dutch
from streamlit.testing.v1 import AppTest

from budgetcore import i18n
from budgetcore.app import text
from budgetcore.exchange import importing
from budgetcore.store.database import make_engine
from budgetcore.store.schema import prepared

ROOT = Path(__file__).resolve().parent.parent
ROWS = portfolio_rows(contracts=12)


@pytest.fixture
def app_url(app_on, db_url: str) -> str:
    prepared(make_engine(db_url)).dispose()  # the schema
    return app_on(db_url)


def import_page(lang: str = "en") -> AppTest:
    return open_app("app_pages/import.py", lang=lang)


def upload(at: AppTest, paths: list[Path]) -> AppTest:
    files = [(p.name, p.read_bytes(), "application/octet-stream") for p in paths]
    at.file_uploader[0].set_value(files).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


FRAMES = {  # a column only that table has, in English and Dutch
    "import_recognised": ("Encoding", "Tekenset"),
    "import_log": ("Source", "Bron"),
    "import_errors": ("Message", "Melding"),
}


def frame(at: AppTest, key: str):
    """A table of the page by what it shows (AppTest does not keep a dataframe's key)."""
    notes = [
        d.value for e in at.expander if e.label.startswith(("Notes", "Opmerkingen")) for d in e.dataframe
    ]
    for d in at.dataframe:
        if any(c in d.value.columns for c in FRAMES[key]) and not any(d.value.equals(n) for n in notes):
            return d.value
    return None


def run_button(at: AppTest):
    return at.button(key="import_run")


def test_the_empty_page_offers_the_template_and_an_empty_log(app_url) -> None:
    at = import_page()
    assert at.title[0].value == "Import"
    assert [b.proto.label for b in at.get("download_button")] == ["Download the template workbook"]
    assert any("Nothing imported yet." in i.value for i in at.info)


def test_a_bad_row_shows_file_row_and_column_and_nothing_is_imported(app_url, tmp_path) -> None:
    paths = write_dutch(tmp_path, ROWS, "semicolon_cp1252")
    hours = tmp_path / "uren.csv"
    lines = hours.read_text(encoding="cp1252").splitlines()
    cells = lines[5].split(";")
    cells[1] = "morgen"  # the date of row 6
    lines[5] = ";".join(cells)
    hours.write_text("\r\n".join(lines) + "\r\n", encoding="cp1252")
    engine = prepared(make_engine(app_url))
    before = snapshot(engine)

    at = upload(import_page(), paths)
    recognised = frame(at, "import_recognised")
    assert list(recognised["File"]) == [p.name for p in paths]
    assert list(recognised["Holds"]) == ["Contracts", "Budgets", "Work orders", "Hours", "Materials"]
    assert set(recognised["Encoding"]) == {"cp1252"} and set(recognised["Separator"]) == {"semicolon"}
    lines = [c.value for c in at.caption if c.value.startswith(text.markdown(paths[0].name))]
    assert len(lines) == 1 and text.markdown("Contractnummer → contract_number") in lines[0]
    assert all(text.markdown("Ignored: Opmerking") in c.value for c in at.caption if "Ignored" in c.value)
    errors = frame(at, "import_errors")
    assert errors[["File", "Row", "Column"]].values.tolist() == [["uren.csv", "6", "DATUM"]]
    assert errors["Message"][0].startswith("not a date")
    assert run_button(at).disabled
    assert [b.proto.label for b in at.get("download_button")][-1] == "Download the errors (CSV)"
    assert snapshot(engine) == before
    engine.dispose()


def test_importing_valid_files_updates_the_overview_and_the_log(app_url, tmp_path) -> None:
    at = import_page()
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception
    assert not any(d.value.shape[0] for d in at.dataframe)  # no contracts yet

    at = upload(import_page(), write_canonical(tmp_path, ROWS))
    assert frame(at, "import_errors") is None
    button = run_button(at)
    assert not button.disabled and button.label == f"Import {sum(len(r) for r in ROWS.values()):,} rows"
    button.click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("Every page now shows the new data" in s.value for s in at.success)
    notes = [e for e in at.expander if e.label.startswith("Notes (")]
    assert notes and "work order not under a contract" in notes[0].dataframe[0].value["Message"].tolist()
    log = frame(at, "import_log")
    assert log["Source"].tolist() == ["page"] and log["Rows"][0] == sum(len(r) for r in ROWS.values())

    at.switch_page("app_pages/overview.py").run()
    assert not at.exception
    shown = {str(v) for d in at.dataframe if "contract" in d.value.columns for v in d.value["contract"]}
    assert shown == {row[0] for row in ROWS["contracts"]}


def test_an_unrecognised_column_and_file_can_be_mapped_on_the_page(app_url, tmp_path) -> None:
    contracts = tmp_path / "export.csv"
    contracts.write_text("Nr.;Klant;Startdatum;Einddatum\nK-1;Alpha;01-01-2026;31-12-2026\n")
    at = upload(import_page(), [contracts])
    assert frame(at, "import_recognised") is None or frame(at, "import_recognised").empty
    assert frame(at, "import_errors")["Message"].tolist()[0].startswith("cannot tell which entity")

    at.selectbox(key="import_entity|0|export.csv").set_value("contracts").run()
    assert not at.exception
    assert frame(at, "import_errors")[["Row", "Column", "Message"]].values.tolist() == [
        ["1", "contract_number", "required column missing"]
    ]
    at.selectbox(key="import_map|0|export.csv|contracts|Nr.").set_value("contract_number").run()
    assert not at.exception
    assert frame(at, "import_errors") is None
    run_button(at).click().run()
    assert not at.exception
    assert frame(at, "import_log")["Rows"].tolist() == [1]


def test_the_page_in_dutch_translates_every_text_and_every_problem(app_url, tmp_path, recorded) -> None:
    paths = write_dutch(tmp_path, ROWS, "bom_slashes")
    (tmp_path / "notities.csv").write_text("a;b\n1;2\n")
    at = upload(import_page("nl"), [*paths, tmp_path / "notities.csv"])
    assert at.title[0].value == "Importeren"
    errors = frame(at, "import_errors")
    assert errors["Melding"].tolist() == [i18n.t(importing.UNRECOGNISED, "nl")]
    theirs = set().union(
        *(
            _t_keys(ROOT / p)
            for p in (
                "dashboard.py",
                "budgetcore/app/ui.py",
                "budgetcore/app/sidebar.py",
                "app_pages/overview.py",
            )
        )
    )
    assert recorded - theirs and i18n.missing(sorted(recorded - theirs)) == []


def _t_keys(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and node.args
        and getattr(node.func, "id", getattr(node.func, "attr", "")) == "t"
        and isinstance(node.args[0], ast.Constant)
    }


def test_every_message_the_importer_can_give_has_dutch() -> None:
    assert i18n.missing(list(importing.MESSAGES)) == []


def test_in_a_browser_upload_shows_errors_then_imports_and_the_overview_shows_the_data(
    tmp_path, schema_template, shared_tab
) -> None:
    from playwright.sync_api import expect

    url = f"sqlite:///{tmp_path / 'browser.db'}"
    engine = make_engine(url)
    schema_template(engine)  # the schema prepare() lays, copied
    engine.dispose()
    good = write_canonical(tmp_path / "good", ROWS)
    bad = tmp_path / "bad"
    write_canonical(bad, ROWS)
    hours = bad / "hours.csv"
    hours.write_text(hours.read_text().replace(",1.00,", ",een,", 1))
    assert ",een," in hours.read_text()
    env = {"BUDGETCORE_NO_DEMO": "1", "BUDGETCORE_TODAY": TODAY.isoformat()}
    with streamlit_app(url, tmp_path / "streamlit.log", **env) as base:  # in the process's shared tab
        page = shared_tab
        page.goto(f"{base}/import")
        idle = page.locator("[data-test-script-state='notRunning']")
        expect(page.get_by_role("heading", name="Import", exact=True)).to_be_visible(timeout=30_000)
        page.locator("input[type=file]").set_input_files([str(p) for p in sorted(bad.iterdir())])
        expect(page.get_by_text("Nothing was imported", exact=False)).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name=re.compile(r"Import [\d,]+ rows"))).to_be_disabled()
        page.goto(f"{base}/import")
        expect(idle).to_have_count(1, timeout=30_000)
        page.locator("input[type=file]").set_input_files([str(p) for p in good])
        button = page.get_by_role("button", name=re.compile(r"Import [\d,]+ rows"))
        expect(button).to_be_enabled(timeout=30_000)
        button.click()
        expect(page.get_by_text("Every page now shows the new data")).to_be_visible(timeout=60_000)
        page.goto("about:blank")  # before the server stops: the tab does not keep reconnecting
        # the overview of every contract (the ended ones too) as a new tab gets it, read on the wire
        # (tests/wire.py): its figures are what the server sends; drawing them is the other tests'
        ws = base.replace("http://", "ws://") + "/_stcore/stream"
        with ThreadPoolExecutor(1) as pool:  # this thread's event loop is playwright's
            shown = pool.submit(
                asyncio.run, wire.visit(ws, base, "overview", "", "contracts=all", timeout=60)
            )
            overview = shown.result()
        assert overview.error is None, overview.error
        assert overview.metrics["Contracts"] == str(len(ROWS["contracts"]))
    engine = prepared(make_engine(url))
    assert {r["contract_number"] for r in figures(engine)} == {row[0] for row in ROWS["contracts"]}
    engine.dispose()


def test_a_file_with_hundreds_of_unknown_columns_gets_a_few_dozen_choices_and_one_table(
    app_url, tmp_path
) -> None:
    from budgetcore.app import import_view

    contracts = tmp_path / "contracts.csv"
    extra = [f"extra {i}" for i in range(400)]
    contracts.write_text(
        ",".join(["contract_number", "customer", "start_date", "end_date", *extra]) + "\n"
        + ",".join(["K-1", "Alpha", "2026-01-01", "2026-12-31", *[""] * 400]) + "\n"
    )  # fmt: skip
    at = upload(import_page(), [contracts])
    choices = [s for s in at.selectbox if str(s.key).startswith("import_map|")]
    assert len(choices) == import_view.MAPPING_WIDGETS
    ignored = [d.value for d in at.dataframe if "Ignored column" in d.value.columns]
    assert len(ignored) == 1 and ignored[0]["Ignored column"].tolist() == extra[import_view.MAPPING_WIDGETS :]
    run_button(at).click().run()
    assert not at.exception
    assert frame(at, "import_log")["Rows"].tolist() == [1]
