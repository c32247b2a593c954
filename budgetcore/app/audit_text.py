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
from budgetcore.i18n import N_, t
from budgetcore.store import access
from budgetcore.store.models import AuditEntry

HEADINGS = {  # access.AUDIT_COLUMNS -> the trail's column headings
    "at": N_("At"),
    "actor": N_("Actor"),
    "source": N_("Source"),
    "action": N_("Action"),
    "subject": N_("Subject"),
    "details": N_("Details"),
}
ACTIONS = {  # access.record's action -> what the trail says
    "import": "Import",
    "demo-load": N_("Demo loaded"),
    "demo-remove": N_("Demo removed"),
    "settings": N_("Settings changed"),
    "role": N_("Role changed"),
    "archive": N_("Archived"),
    "restore": N_("Restored"),
    "delete": N_("Deleted"),
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
    "cli": N_("the command line"),
    "app": N_("the app's start"),
    "config": N_("the configuration"),
    "page": "a page",
}
ACTORS = {"the app's first start": N_("the app's first start"), "configuration": "the configuration"}
DETAILS = {  # a detail's key -> its label
    "files": "Files",
    "rows": "Rows",
    "replaced_demo": N_("Replaced the demo"),
    "demo_contracts_now_real": N_("Demo contracts now your own"),
    "decision": N_("Decision"),
    "state": "State",
    "proposed_value": "Proposed value",
    "decided_by": "Decided by",
    "old": N_("Old"),
    "new": N_("New"),
    "archived_on": N_("Archived on"),
    "contracts": N_("contracts"),
    "budgets": N_("budget lines"),
    "work_orders": N_("work orders"),
    "hours": N_("hour lines"),
    "materials": N_("material lines"),
    "customers": N_("customers"),
    "import_log": N_("import log entries"),
    "budget_lines": "budget lines",
    "hour_lines": "hour lines",
    "material_lines": "material lines",
    "renewal_decisions": N_("renewal decisions"),
    "at_risk_margin": N_("at-risk margin"),
    "watch_level": N_("watch level"),
    "watch_elapsed": N_("watch elapsed"),
    "renewal_window_days": N_("renewal window (days)"),
    "target_margin": N_("target margin"),
    "no_activity_elapsed": N_("no activity"),
    "currency": N_("currency"),
    "review_days": N_("review days"),
    "dashboard_url": N_("dashboard address"),
    "alert_sender": N_("alert sender"),
    "forecast_method": N_("forecast method"),
    "min_completed": N_("completed contracts for auto"),
    "manager_emails": N_("account managers' addresses"),
}
VALUES = {"renew", "re-price", "re-scope", "terminate", N_("proposed"), N_("agreed with customer"), N_("sent"), N_("done"),
          N_("viewer"), N_("editor"), N_("admin"), "auto", "chain"}  # fmt: skip


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
