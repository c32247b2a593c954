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
    "Pages for the first {n} of {total} contracts, soonest deadline first; the summary lists "
    "them all. Narrow the window or the filters for the pages of the others.": (
        "Pagina's voor de eerste {n} van {total} contracten, eerste deadline eerst; het overzicht "
        "noemt ze allemaal. Verklein het venster of de filters voor de pagina's van de andere."
    ),
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
    "The suggested renewal price to start with; typed as on import: 12.500,50, 12500.50 or 6.250,-": "Begint met de voorgestelde verlengingsprijs; in te typen zoals bij importeren: 12.500,50, 12500.50 of 6.250,-",
    "Date": "Datum",
    "no contract {number!r}": "geen contract {number!r}",
    "say who decided": "vul in wie besloot",
    "the proposed term ends before it starts": "de voorgestelde looptijd eindigt voordat hij begint",
    "the proposed value must be between 0 and 100,000,000,000": "de voorgestelde waarde moet tussen 0 en 100.000.000.000 liggen",
    "unknown action {action!r}: choose one of {choices}": "onbekende actie {action!r}: kies uit {choices}",
    "unknown state {state!r}: choose one of {choices}": "onbekende stand {state!r}: kies uit {choices}",
}
NL_REVIEW.update(
    {
        # last term and variance per period
        "Figure": "Kengetal",
        "Previous term {number}": "Vorige looptijd {number}",
        "This term to date": "Deze looptijd tot nu",
        "This term, forecast": "Deze looptijd, prognose",
        "Change": "Verschil",
        "Term": "Looptijd",
        "Cost": "Kosten",
        "Visits": "Bezoeken",
        "Cost per visit": "Kosten per bezoek",
        "Labour share": "Aandeel arbeid",
        "Material share": "Aandeel materiaal",
        "Margin": "Marge",
        "Contract value": "Contractwaarde",
        "This term against the previous one": "Deze looptijd tegenover de vorige",
        "Budget vs actual per quarter of the term": "Budget tegenover werkelijk per kwartaal van de looptijd",
        "Budget vs actual per period": "Budget tegenover werkelijk per periode",
        "Period": "Periode",
        "From": "Van",
        "To": "Tot en met",
        "Variance": "Afwijking",
        "Variance %": "Afwijking %",
        "Total to date": "Totaal tot nu",
        "Prepare the review packs": "Evaluatiepakketten maken",
        "Preparing the review packs…": "Evaluatiepakketten worden gemaakt…",
        "Reading the renewals list…": "Verlengingslijst lezen…",
        "Contract pages: {done} of {total}": "Contractpagina's: {done} van {total}",
        "Writing the workbook…": "Werkmap schrijven…",
        "Writing the printable page…": "Afdrukbare pagina schrijven…",
        "The review packs are ready.": "De evaluatiepakketten zijn klaar.",
        "{amount} over": "{amount} boven",
        "{amount} under": "{amount} onder",
        "The running period ({first} – {last}) is compared with its budget planned to date: {planned} of its {budget} by {as_of} ({days} of {total} days), not with its whole budget.": "De lopende periode ({first} – {last}) wordt vergeleken met haar budget gepland tot nu: {planned} van haar {budget} tot en met {as_of} ({days} van {total} dagen), niet met haar hele budget.",
        "closed": "afgesloten",
        "running": "lopend",
        "not started": "niet begonnen",
        "month": "maand",
        "quarter": "kwartaal",
        "year": "jaar",
        "Per": "Per",
        "The previous term supports the suggested price: its cost of {cost} over {days} days, "
        "{scaled} for a term like this one, needs {price} at the target margin.": "De vorige looptijd "
        "ondersteunt de voorgestelde prijs: de kosten van {cost} over {days} dagen, {scaled} voor een "
        "looptijd als deze, vragen {price} bij de doelmarge.",
        "The previous term contradicts the suggested price: its cost of {cost} over {days} days, "
        "{scaled} for a term like this one, needs only {price} at the target margin.": "De vorige looptijd "
        "weerspreekt de voorgestelde prijs: de kosten van {cost} over {days} dagen, {scaled} voor een "
        "looptijd als deze, vragen maar {price} bij de doelmarge.",
        "The previous term contradicts the suggested price: its cost of {cost} over {days} days, "
        "{scaled} for a term like this one, needs {price} at the target margin.": "De vorige looptijd "
        "weerspreekt de voorgestelde prijs: de kosten van {cost} over {days} dagen, {scaled} voor een "
        "looptijd als deze, vragen {price} bij de doelmarge.",
        "The previous contract {number} is not in the database.": "Het vorige contract {number} staat niet in de database.",
    }
)
NL_REVIEW.update(
    {
        # roll-ups
        "Group by": "Groeperen per",
        "none": "geen",
        "(none)": "(geen)",
        "Group": "Groep",
        "Groups": "Groepen",
        "Worst status": "Slechtste status",
        "Actual of the budgeted contracts / their budget": "Werkelijk van de contracten met budget / hun budget",
        "Totals per group of the contracts shown. Select a group to filter the overview to it.": "Totalen per groep van de getoonde contracten. Selecteer een groep om het overzicht daarop te filteren.",
        "Totals per customer, account manager and contract type": "Totalen per klant, accountmanager en contractsoort",
        "By customer": "Per klant",
        "By account manager": "Per accountmanager",
        "By contract type": "Per contractsoort",
    }
)
NL_REVIEW.update(
    {
        # alerts and their settings
        "Account managers' email addresses, one 'Name = address' per line": "E-mailadressen van de accountmanagers, één 'Naam = adres' per regel",
        "Alert mails come from": "Afzender van de signaleringsmails",
        "Changes since last week ({n})": "Wijzigingen sinds vorige week ({n})",
        "Contract budgets: {n} change(s) for {manager}, {date}": "Contractbudgetten: {n} wijziging(en) voor {manager}, {date}",
        "Dashboard address for links in alert mails": "Adres van het dashboard voor links in signaleringsmails",
        "Nothing changed in the last seven days.": "Niets veranderd in de afgelopen zeven dagen.",
        "Overdue for review when the notice deadline is this close (days)": "Evaluatie te laat als de opzegdatum zo dichtbij is (dagen)",
        "Review and alerts": "Evaluatie en signalering",
        "Saved.": "Opgeslagen.",
        "Sent by the contract budgets dashboard's nightly alerts.": "Verstuurd door de nachtelijke signalering van het contractbudgettendashboard.",
        "What changed in your contracts up to {date}:": "Wat er in uw contracten veranderde tot en met {date}:",
        "must be an address starting with http:// or https://": "moet een adres zijn dat begint met http:// of https://",
        "must be an email address": "moet een e-mailadres zijn",
        "must be between 0 and 365 days": "moet tussen 0 en 365 dagen liggen",
        "no account manager": "geen accountmanager",
        "notice deadline {deadline} in {days} days and no renewal decision yet": "opzegdatum {deadline} over {days} dagen en nog geen verlengingsbesluit",
        "notice deadline {deadline} is within the renewal window ({days} days left)": "opzegdatum {deadline} valt binnen het verlengingsvenster (nog {days} dagen)",
        "status worsened from {before} to {now}: forecast {forecast} against the budget {budget}, {consumed} consumed": "status verslechterd van {before} naar {now}: prognose {forecast} tegenover het budget {budget}, {consumed} verbruikt",
        "the contract ends on {end} ({days} days left)": "het contract eindigt op {end} (nog {days} dagen)",
    }
)
NL_REVIEW["… and {n} more"] = "… en nog {n}"
