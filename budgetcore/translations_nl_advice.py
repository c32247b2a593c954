"""The Dutch catalog of issue 20: what needs attention, renewed terms, indexation and the renewal price.

Kept apart from translations_nl.py so these words merge as one file; translations_nl.py adds
them to NL.
"""

from __future__ import annotations

NL_ADVICE: dict[str, str] = {
    # the renewal advice (figures/advice.py)
    "raise needed {off} exceeds the largest raise {largest}: cost-based price {price}, indexed value {indexed}": (
        "benodigde verhoging {off} is groter dan de grootste verhoging {largest}: kostprijsgebaseerde prijs "
        "{price}, geïndexeerde waarde {indexed}"
    ),
    "raise: cost-based price {price} is {off} above the indexed value {indexed}": (
        "verhogen: kostprijsgebaseerde prijs {price} ligt {off} boven de geïndexeerde waarde {indexed}"
    ),
    "renew at the indexed value {indexed}": "verlengen tegen de geïndexeerde waarde {indexed}",
    "no contract value; forecast {forecast} is {over} over the budget {budget}": (
        "geen contractwaarde; prognose {forecast} ligt {over} boven het budget {budget}"
    ),
    "no contract value to index; cost-based price {price}": (
        "geen contractwaarde om te indexeren; kostprijsgebaseerde prijs {price}"
    ),
    "no contract value and no cost to price from": "geen contractwaarde en geen kosten om een prijs op te baseren",
    "forecast margin {margin}, target {target}": "verwachte marge {margin}, doel {target}",
    "The renewal price of a next term as long as this one, with the yearly indexation (the contract's own, "
    "else {indexation}): the **indexed value** is the contract value plus indexation; the **cost-based price** "
    "is the forecast cost plus indexation at the target margin; the **suggested price** is the larger of the "
    "two, never below the indexed value. The first rule that holds decides:\n\n"
    "1. **terminated**: the contract has been terminated; nothing to renew.\n"
    "2. **terminate?**: the raise needed (cost-based price over the indexed value) exceeds {largest}. A "
    "question, not a verdict: the customer may be worth keeping at a new price.\n"
    "3. **re-price**: the cost-based price lies more than {tolerance} above the indexed value: a raise; or, "
    "without a contract value, the forecast exceeds the budget.\n"
    "4. **review scope**: the periodic visits done so far are at least {factor} times, and at least {extra} "
    "more than, the visits planned to date: the customer gets more than was agreed.\n"
    "5. **set a budget**: the contract has no budget, so its cost cannot be judged.\n"
    "6. **renew as is**: at the indexed value.\n\n"
    "A margin far above target (a cost-based price more than {tolerance} below the indexed value) is said in "
    "the reason, not acted on: a price cut is a commercial choice.": (
        "De verlengingsprijs voor een volgende looptijd even lang als deze, met de jaarlijkse indexatie (die "
        "van het contract, anders {indexation}): de **geïndexeerde waarde** is de contractwaarde plus "
        "indexatie; de **kostprijsgebaseerde prijs** is de verwachte kosten plus indexatie bij de doelmarge; "
        "de **voorgestelde prijs** is de hoogste van de twee, nooit onder de geïndexeerde waarde. De eerste "
        "regel die opgaat, bepaalt de actie:\n\n"
        "1. **beëindigd**: het contract is beëindigd; er valt niets te verlengen.\n"
        "2. **opzeggen?**: de benodigde verhoging (kostprijsgebaseerde prijs ten opzichte van de "
        "geïndexeerde waarde) is groter dan {largest}. Een vraag, geen oordeel: de klant kan het waard zijn "
        "om tegen een nieuwe prijs te behouden.\n"
        "3. **prijs herzien**: de kostprijsgebaseerde prijs ligt meer dan {tolerance} boven de geïndexeerde "
        "waarde: een verhoging; of, zonder contractwaarde, de prognose ligt boven het budget.\n"
        "4. **scope herzien**: er zijn tot nu toe minstens {factor} keer zoveel periodieke bezoeken gedaan "
        "als gepland, en minstens {extra} meer: de klant krijgt meer dan afgesproken.\n"
        "5. **budget vastleggen**: het contract heeft geen budget, dus de kosten zijn niet te beoordelen.\n"
        "6. **ongewijzigd verlengen**: tegen de geïndexeerde waarde.\n\n"
        "Een marge ver boven het doel (een kostprijsgebaseerde prijs meer dan {tolerance} onder de "
        "geïndexeerde waarde) staat in de reden, maar leidt niet tot een actie: een prijsverlaging is een "
        "commerciële keuze."
    ),
    # settings
    "Yearly indexation of contracts without their own (%)": "Jaarlijkse indexatie van contracten zonder eigen (%)",
    'Largest raise before "terminate?" (%)': 'Grootste verhoging vóór "opzeggen?" (%)',
    "A contract's own indexation (column indexatie (%)) wins over this.": (
        "De eigen indexatie van een contract (kolom indexatie (%)) gaat hiervoor."
    ),
    "must be between -50% and 100%, to 4 decimals of a percent": (
        "moet tussen -50% en 100% liggen, op 4 decimalen van een procent"
    ),
    "must be between 0% and 1000%": "moet tussen 0% en 1000% liggen",
    # the contract page
    "Renewed by [{number}]({link}).": "Verlengd door [{number}]({link}).",
    "Suggested renewal price": "Voorgestelde verlengingsprijs",
    "Suggested price = the larger of the indexed value and forecast cost x (1 + indexation) / (1 - target margin).": (
        "Voorgestelde prijs = de hoogste van de geïndexeerde waarde en verwachte kosten x (1 + indexatie) / "
        "(1 - doelmarge)."
    ),
    "Renewal price: the indexed contract value, or more where the forecast cost at the target margin of {margin} "
    "(Settings) asks for a raise; never a cut. Change against the current value.": (
        "Verlengingsprijs: de geïndexeerde contractwaarde, of meer waar de verwachte kosten bij de doelmarge van "
        "{margin} (Instellingen) om een verhoging vragen; nooit een verlaging. Verandering ten opzichte van de "
        "huidige waarde."
    ),
    # the review packs
    "Indexation": "Indexatie",
    "Indexed value": "Geïndexeerde waarde",
    "Cost-based price": "Kostprijsgebaseerde prijs",
    # what needs attention (figures/attention.py)
    "notice deadline undecided": "opzegdatum zonder besluit",
    "ended not renewed": "afgelopen, niet verlengd",
    "renewal window undecided": "verlengingsvenster zonder besluit",
    "Notice deadline within {days} days, no decision": "Opzegdatum binnen {days} dagen, geen besluit",
    "Ended, not renewed, no decision": "Afgelopen, niet verlengd, geen besluit",
    "Running over budget": "Lopend en over budget",
    "Running at risk": "Lopend en risico",
    "In the renewal window, no decision": "In het verlengingsvenster, geen besluit",
    "notice deadline {date}, in {days} days, no decision": "opzegdatum {date}, over {days} dagen, geen besluit",
    "ended {date}, {days} days ago, not renewed, no decision": (
        "afgelopen op {date}, {days} dagen geleden, niet verlengd, geen besluit"
    ),
    "over budget: {actual} spent of {budget}": "over budget: {actual} besteed van {budget}",
    "at risk: forecast {forecast} against the budget {budget}": "risico: prognose {forecast} tegen het budget {budget}",
    "renewal window: {deadline} {date}, in {days} days, no decision": (
        "verlengingsvenster: {deadline} {date}, over {days} dagen, geen besluit"
    ),
    "notice deadline": "opzegdatum",
    "Needs attention ({n})": "Aandacht nodig ({n})",
    "Nothing needs attention: no deadline without a decision, nothing over budget or at risk.": (
        "Niets vraagt aandacht: geen deadline zonder besluit, niets over budget of met risico."
    ),
    "All {n} that need attention": "Alle {n} die aandacht nodig hebben",
    "also": "ook",
    "Ending within {days} days": "Eindigt binnen {days} dagen",
    "Status worsened": "Status verslechterd",
    "Notice deadline entered the renewal window": "Opzegdatum in het verlengingsvenster gekomen",
    "end": "einddatum",
}
