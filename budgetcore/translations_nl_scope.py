"""The Dutch words of scope: covered work and work billed on top, meerwerk (issue 21)."""

from __future__ import annotations

NL_SCOPE: dict[str, str] = {
    # the flag and its reason (figures/advice.py)
    "out of scope": "buiten de reikwijdte",
    "Running out of scope": "Lopend, buiten de reikwijdte",
    "out of scope: {share} of the cost billed on top ({extra})": "buiten de reikwijdte: {share} van de kosten is meerwerk ({extra})",
    "out of scope: {share} of the cost billed on top ({extra} of {total}), more than {limit}": (
        "buiten de reikwijdte: {share} van de kosten is meerwerk ({extra} van {total}), meer dan {limit}"
    ),
    "- **out of scope**: more than {limit} of the contract's cost (covered and billed on top together) "
    "is work billed on top (meerwerk), and at least {minimum}: the customer keeps asking for work the "
    "contract does not cover; or its corrective work orders so far are at least {factor} times what its "
    "contract type leads one to expect to date (the portfolio's contracts of that type, per day of term), "
    "and at least {extra} more: the installation needs more than the contract was priced for.": (
        "- **buiten de reikwijdte**: meer dan {limit} van de kosten van het contract (gedekt en meerwerk "
        "samen) is meerwerk dat apart wordt gefactureerd, en minstens {minimum}: de klant vraagt steeds "
        "werk dat het contract niet dekt; of het aantal storingsbonnen tot nu toe is minstens {factor} keer "
        "wat het contracttype tot vandaag doet verwachten (de contracten van dat type in de portefeuille, "
        "per dag looptijd), en minstens {extra} meer: de installatie vraagt meer dan waarvoor het contract "
        "is geprijsd."
    ),
    "out of scope: {calls} corrective work orders so far, {expected_calls} expected to date for its type": (
        "buiten de reikwijdte: {calls} storingsbonnen tot nu toe, {expected_calls} verwacht tot vandaag "
        "voor dit type"
    ),
    "{calls} corrective work orders so far, {expected_calls} expected to date for its type": (
        "{calls} storingsbonnen tot nu toe, {expected_calls} verwacht tot vandaag voor dit type"
    ),
    "Corrective work orders / expected for its type": "Storingsbonnen / verwacht voor dit type",
    # settings (pages/settings.py)
    "Out of scope when more of the cost than this is billed on top (%)": (
        "Buiten de reikwijdte als meer van de kosten dan dit meerwerk is (%)"
    ),
    "... and that cost is at least (whole amount)": "... en die kosten minstens zijn (heel bedrag)",
    "Out of scope when corrective work orders reach this many times what the type leads one to expect": (
        "Buiten de reikwijdte als het aantal storingsbonnen zoveel keer het verwachte voor het type bereikt"
    ),
    "... and at least this many more": "... en minstens zoveel meer",
    "Work billed on top (meerwerk) as a share of all cost, covered and billed.": (
        "Meerwerk als deel van alle kosten, gedekt en meerwerk samen."
    ),
    "Expected to date: the corrective work orders per day of term of the portfolio's contracts of the "
    "same type, times the contract's days so far.": (
        "Verwacht tot vandaag: de storingsbonnen per dag looptijd van de contracten van hetzelfde type in de "
        "portefeuille, maal de dagen van dit contract tot nu toe."
    ),
    "must be a whole amount between 0 and 1000000000": "moet een heel bedrag tussen 0 en 1000000000 zijn",
    "must be between 1 and 100, to one decimal": "moet tussen 1 en 100 liggen, op één decimaal",
    "must be between 0 and 1000 work orders": "moet tussen 0 en 1000 werkbonnen liggen",
    # overview, contract page, groups (app/)
    "Billed on top (meerwerk), not in the actuals: cost {cost}, revenue {revenue}, margin {margin}; "
    "{share} of all cost.": (
        "Meerwerk (apart gefactureerd), niet in de werkelijke kosten: kosten {cost}, opbrengst {revenue}, "
        "marge {margin}; {share} van alle kosten."
    ),
    "Out of scope: {n} contracts.": "Buiten de reikwijdte: {n} contracten.",
    "Billed on top": "Meerwerk",
    "Billed revenue": "Opbrengst meerwerk",
    "Cost of work billed on top of the contract (meerwerk), not in Actual": (
        "Kosten van meerwerk, apart gefactureerd en niet in Werkelijk"
    ),
    "Revenue of the work billed on top": "Opbrengst van het meerwerk",
    "Contracts flagged out of scope": "Contracten buiten de reikwijdte",
    "No activity: nothing registered past the share of the term set on Settings. Out of scope: much of "
    "the cost is work billed on top, or corrective work far past its type": (
        "Geen activiteit: niets geregistreerd na het deel van de looptijd dat bij Instellingen is "
        "ingesteld. Buiten de reikwijdte: een groot deel van de kosten is meerwerk, of veel meer "
        "storingen dan het type doet verwachten"
    ),
    "Scope": "Reikwijdte",
    "Covered by the contract, or billed on top (meerwerk: not in the actuals)": (
        "Gedekt door het contract, of meerwerk (apart gefactureerd: niet in de werkelijke kosten)"
    ),
    "Revenue": "Opbrengst",
    "Hours x sales rate + quantity x unit price; billed work only": (
        "Uren x verkooptarief + aantal x verkoopprijs; alleen meerwerk"
    ),
    "covered": "gedekt",
    "billed on top": "meerwerk",
    "Billed on top ({n})": "Meerwerk ({n})",
    "Work orders billed on top of the contract (meerwerk) per month, in the cost window.": (
        "Werkbonnen die als meerwerk apart worden gefactureerd, per maand, binnen het kostenvenster."
    ),
    # data quality (figures/contract_detail.py)
    "lines billed on top without a sales price (no revenue)": "meerwerkregels zonder verkoopprijs (geen opbrengst)",
    # the review pack (review/)
    "Billed on top: cost / revenue / margin": "Meerwerk: kosten / opbrengst / marge",
    "({share} of all cost)": "({share} van alle kosten)",
    "Out of scope": "Buiten de reikwijdte",
    "Billed on top (meerwerk)": "Meerwerk (apart gefactureerd)",
}
