"""The audit trail in words: each entry's action, source, actor and details as a reader of the
view's language says them, not as the store records them (internal names, JSON).

The store keeps what happened in stable, machine-readable form (access.record; the CSV download
keeps it so). The page shows it through rows() here: an action's name, the page or the command
it came from, and details such as "Rows: contracts 300, hours 17.124" in the language.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from budgetcore import i18n
from budgetcore.i18n import t
from budgetcore.store import access
from budgetcore.store.models import AuditEntry

ACTIONS = {  # access.record's action -> what the trail says
    "import": "Import",
    "demo-load": "Demo loaded",
    "demo-remove": "Demo removed",
    "settings": "Settings changed",
    "role": "Role changed",
    "archive": "Archived",
    "restore": "Restored",
    "delete": "Deleted",
    "decide": "Renewal decision",
}
PAGES = {  # the page part of a 'page:<key>' source (review_ui's form keys start with their page)
    "overview": "Overview",
    "contract": "Contract",
    "renewals": "Renewals",
    "import": "Import",
    "settings": "Settings",
    "users": "Users",
}
SOURCES = {
    "cli": "the command line",
    "app": "the app's start",
    "config": "the configuration",
    "page": "a page",
}
ACTORS = {"the app's first start": "the app's first start", "configuration": "the configuration"}
DETAILS = {  # a detail's key -> its label
    "files": "Files",
    "rows": "Rows",
    "replaced_demo": "Replaced the demo",
    "demo_contracts_now_real": "Demo contracts now your own",
    "decision": "Decision",
    "state": "State",
    "proposed_value": "Proposed value",
    "decided_by": "Decided by",
    "old": "Old",
    "new": "New",
    "archived_on": "Archived on",
    "contracts": "contracts",
    "budgets": "budget lines",
    "work_orders": "work orders",
    "hours": "hour lines",
    "materials": "material lines",
    "customers": "customers",
    "import_log": "import log entries",
    "budget_lines": "budget lines",
    "hour_lines": "hour lines",
    "material_lines": "material lines",
    "renewal_decisions": "renewal decisions",
    "at_risk_margin": "at-risk margin",
    "watch_level": "watch level",
    "watch_elapsed": "watch elapsed",
    "renewal_window_days": "renewal window (days)",
    "target_margin": "target margin",
    "no_activity_elapsed": "no activity",
    "currency": "currency",
    "review_days": "review days",
    "dashboard_url": "dashboard address",
    "alert_sender": "alert sender",
    "forecast_method": "forecast method",
    "min_completed": "completed contracts for auto",
    "manager_emails": "account managers' addresses",
}
VALUES = {"renew", "re-price", "re-scope", "terminate", "proposed", "agreed with customer", "sent", "done",
          "viewer", "editor", "admin", "auto", "chain"}  # fmt: skip


def action(name: str, lang: str) -> str:
    return t(ACTIONS[name], lang) if name in ACTIONS else name


def source(name: str, lang: str) -> str:
    """'page:renewals_decision' -> 'page Renewals'; 'cli' -> 'the command line'."""
    kind, _, page = name.partition(":")
    if kind == "page" and page:
        found = PAGES.get(page.split("_")[0])
        return t("page {page}", lang, page=t(found, lang)) if found else t("a page", lang)
    return t(SOURCES[kind], lang) if kind in SOURCES else name


def actor(name: str, lang: str) -> str:
    return t(ACTORS[name], lang) if name in ACTORS else name


def value(found: object, lang: str) -> str:
    """One detail's value in words: numbers with the language's marks, yes/no, lists and pairs."""
    if found is None:
        return "–"
    if isinstance(found, bool):
        return t("yes", lang) if found else t("no", lang)
    if isinstance(found, int):
        return i18n.number(found, lang, 0)
    if isinstance(found, list):
        return ", ".join(value(v, lang) for v in found)
    if isinstance(found, dict):
        return ", ".join(f"{label(k, lang)} {value(v, lang)}" for k, v in found.items())
    shown = str(found)
    return t(shown, lang) if shown in VALUES else shown


def label(key: str, lang: str) -> str:
    return t(DETAILS[key], lang) if key in DETAILS else key.replace("_", " ")


def details(text: str, lang: str) -> str:
    """The JSON access.record stored, as 'Label: value; Label: value'."""
    try:
        found = json.loads(text) if text else {}
    except ValueError:
        return text
    if not isinstance(found, dict):
        return value(found, lang)
    return "; ".join(f"{label(k, lang)}: {value(v, lang)}" for k, v in found.items())


def rows(entries: Sequence[AuditEntry], lang: str) -> list[dict[str, object]]:
    """access.trail_rows(entries) in words of lang (AUDIT_COLUMNS)."""
    return [
        {
            **row,
            "actor": actor(str(row["actor"]), lang),
            "source": source(str(row["source"]), lang),
            "action": action(str(row["action"]), lang),
            "details": details(str(row["details"]), lang),
        }
        for row in access.trail_rows(entries)
    ]
