"""The Dutch catalog of the review workflow (decisions, last term, variance, roll-ups, alerts).

Kept apart from translations_nl.py so the workflow's words merge as one file;
translations_nl.py adds them to NL.
"""

from __future__ import annotations

NL_REVIEW: dict[str, str] = {
    # decisions: actions, states, the form and the history
    "renew": "verlengen",
    "re-scope": "scope herzien",
    "terminate": "opzeggen",
    "proposed": "voorgesteld",
    "agreed with customer": "akkoord met klant",
    "sent": "verstuurd",
    "Action": "Actie",
    "State": "Stand",
    "Decided": "Besloten",
    "Decided by": "Besloten door",
    "Decision": "Besluit",
    "Decision history": "Besluitgeschiedenis",
    "Decision history, the current first": "Besluitgeschiedenis, het huidige eerst",
    "Note": "Toelichting",
    "Proposed value": "Voorgestelde waarde",
    "Proposed term": "Voorgestelde looptijd",
    "Proposed start": "Voorgestelde start",
    "Proposed end": "Voorgesteld einde",
    "Record a decision": "Besluit vastleggen",
    "Record a renewal decision": "Verlengingsbesluit vastleggen",
    "Record the decision": "Besluit vastleggen",
    "Recorded for {number}: {action} ({state}).": "Vastgelegd voor {number}: {action} ({state}).",
    "Renewal decision": "Verlengingsbesluit",
    "**Current**: {action} · {state} · {value}": "**Huidig**: {action} · {state} · {value}",
    "No decision yet": "Nog geen besluit",
    "No decision yet.": "Nog geen besluit.",
    "no decision yet": "nog geen besluit",
    "No decision yet: to fill in at the review.": "Nog geen besluit: in te vullen bij de evaluatie.",
    "overdue for review": "evaluatie te laat",
    "The notice deadline is within {days} days: overdue for review.": "De opzegdatum valt binnen {days} dagen: evaluatie te laat.",
    "e.g. 12500": "bijv. 12500",
    "Date": "Datum",
    "no contract {number!r}": "geen contract {number!r}",
    "not an amount: {value!r}": "geen bedrag: {value!r}",
    "say who decided": "vul in wie besloot",
    "the proposed term ends before it starts": "de voorgestelde looptijd eindigt voordat hij begint",
    "the proposed value must be between 0 and 100,000,000,000": "de voorgestelde waarde moet tussen 0 en 100.000.000.000 liggen",
    "unknown action {action!r}: choose one of {choices}": "onbekende actie {action!r}: kies uit {choices}",
    "unknown state {state!r}: choose one of {choices}": "onbekende stand {state!r}: kies uit {choices}",
}
