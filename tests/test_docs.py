"""The README and docs say what the product does: their example contracts exist in the demo,
their lists name what the app records and stores, the import docs name the template's columns,
the documented sign-in try-out starts, and every home the architecture's rule table names exists."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from browser_support import free_port, wait_healthy

from budgetcore.exchange import demo
from budgetcore.exchange.formats import ENTITIES
from budgetcore.exchange.workbook import template_headers
from budgetcore.figures.settings import Settings
from budgetcore.store import access

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text()
# the demo is made relative to the day of the app's first start: the tests' day, the day these
# docs were checked, and half a year on
DAYS = (dt.date(2026, 11, 27), dt.date(2026, 12, 7), dt.date(2027, 6, 1))


@pytest.mark.parametrize("today", DAYS)
def test_the_readmes_example_contracts_are_in_the_demo(today: dt.date) -> None:
    numbers: set[str] = set()
    demo.generate(lambda entity, cells: numbers.add(cells[0]) if entity == "contracts" else None,
                  today=today, history=True)  # fmt: skip
    # a command's printed output (```text) is the demo of the day it shows (7 December 2026); the
    # examples in the prose hold on every day
    samples = "".join(re.findall(r"```text\n(.*?)```", README, re.S))
    prose = re.sub(r"```text\n.*?```", "", README, flags=re.S)
    named = set(re.findall(r"CT-\d{4}-\d{5}", prose))
    assert named and named <= numbers, sorted(named - numbers)
    if today == dt.date(2026, 12, 7):
        shown = set(re.findall(r"CT-\d{4}-\d{5}", samples))
        assert shown and shown <= numbers, sorted(shown - numbers)


def _section(text: str, start: str) -> str:
    return text[text.index(start) :].split("\n\n")[0]


def test_the_audit_list_names_every_action_the_app_records() -> None:
    listed = _section(README, "- **Audit trail**").lower()
    words = {"import": "import", "demo": "demo load", "archive": "archive", "decide": "decision",
             "settings": "settings", "delete": "delete", "users": "role"}  # fmt: skip
    recorded = set(access.ACTIONS) - {"audit"}  # reading the trail is no change
    assert recorded <= set(words), "a new action: say it in the README's audit list"
    assert [a for a in recorded if words[a] not in listed] == []


def test_the_settings_table_has_a_row_per_setting() -> None:
    table = README[README.index("| setting | meaning | default |") :].split("\n\n")[0].lower()
    rows = {"at_risk_margin": "at-risk margin", "watch_level": "watch level", "watch_elapsed": "watch elapsed",
            "renewal_window_days": "renewal window", "target_margin": "target margin",
            "no_activity_elapsed": "no activity", "currency": "currency", "review_days": "review days",
            "dashboard_url": "dashboard address", "alert_sender": "alert sender",
            "forecast_method": "forecast method", "min_completed": "completed contracts",
            "yearly_indexation": "yearly indexation", "largest_raise": "largest raise",
            "time_zone": "time zone", "scope_share": "scope share", "scope_minimum": "scope minimum",
            "calls_factor": "corrective factor", "calls_extra": "corrective extra"}  # fmt: skip
    fields = {f.name for f in dataclasses.fields(Settings)}
    assert fields <= set(rows), "a new setting: give it a row in the README"
    assert [f for f in fields if "| " + rows[f] not in table and ", " + rows[f] not in table] == []


def test_the_import_docs_name_the_columns_the_dutch_template_writes() -> None:
    docs = (ROOT / "docs" / "importing.md").read_text()
    for entity in ENTITIES:
        row = next(line for line in docs.splitlines() if line.startswith("| " + entity.replace("_", " ")))
        english, dutch = template_headers(entity, "en"), template_headers(entity, "nl")
        for name, written in zip(english, dutch, strict=True):
            found = re.search(rf"`{re.escape(name)}`\*? \((.*?)\)(?=, `| \|)", row)
            assert found, (entity, name)
            shown = found.group(1).split(";")[0].strip()  # "(status; werkbonstatus is read too)"
            assert shown == written, (entity, name, shown, written)


def test_the_sign_in_try_out_starts_the_provider_and_the_app_against_it(
    tmp_path: Path, demo_database
) -> None:
    # the database it is pointed at holds the demo already (conftest's copy of what a first
    # start loads; tests/test_start.py holds that start), so the app starts without loading it
    demo_database(DAYS[0], tmp_path / "try.db")
    port = free_port()
    script = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "try_signin.py"), "--port", str(port),
         "--db", f"sqlite:///{tmp_path / 'try.db'}"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        first = script.stdout.readline()  # type: ignore[union-attr]
        issuer = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert issuer, first
        with urllib.request.urlopen(
            issuer.group(0) + "/.well-known/openid-configuration", timeout=10
        ) as answer:
            assert json.load(answer)["issuer"] == issuer.group(0)
        assert wait_healthy(f"http://127.0.0.1:{port}", script, 60)
        folder = Path(re.sub(r".* on sqlite:///(.*)/try.db.*", r"\1", script.stdout.readline().strip()))  # type: ignore[union-attr]
        assert folder == tmp_path
    finally:
        script.terminate()
        assert script.wait(timeout=30) is not None
    secrets = next(Path(p) for p in Path("/tmp").glob("budgetcore-signin-*/secrets.toml")
                   if issuer.group(0) in Path(p).read_text())  # fmt: skip
    text = secrets.read_text()
    assert f'server_metadata_url = "{issuer.group(0)}/.well-known/openid-configuration"' in text
    assert f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"' in text


def _rule_table_homes() -> list[tuple[str, str]]:
    """(module path, name) of every `layer/module.name` the rule table cites, where a bare
    `name` after one of them (`a.b`, `c`) belongs to the module cited before it in its cell."""
    table = ARCHITECTURE.split("## Where each rule lives", 1)[1].split("\n## ", 1)[0]
    homes = []
    for row in table.splitlines()[4:]:
        home = row.rsplit(" | ", 1)[-1]
        module = None
        for cited in re.findall(r"`([^`]+)`", home):
            found = re.fullmatch(
                r"((?:budgetcore/)?(?:[a-z_]+/)?[a-z_]+)(?:\.py)?(?:\.([A-Za-z_.]+))?", cited
            )
            if found and "/" in cited:
                module = "budgetcore." + found[1].removeprefix("budgetcore/").replace("/", ".")
                if found[2]:
                    homes.append((module, found[2]))
            elif module and re.fullmatch(r"[A-Za-z_]+", cited):
                homes.append((module, cited))
    return homes


def test_every_home_in_the_rule_table_exists() -> None:
    homes = _rule_table_homes()
    assert len(homes) > 40  # the table was read
    missing = []
    for module, name in homes:
        value: object = importlib.import_module(module)
        for part in name.split("."):
            value = getattr(value, part, None)
        if value is None:
            missing.append(f"{module}.{name}")
    assert not missing, f"docs/architecture.md cites what is not there: {missing}"
