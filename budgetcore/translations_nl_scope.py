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
    "contract does not cover.": (
        "- **buiten de reikwijdte**: meer dan {limit} van de kosten van het contract (gedekt en meerwerk "
        "samen) is meerwerk dat apart wordt gefactureerd, en minstens {minimum}: de klant vraagt steeds "
        "werk dat het contract niet dekt."
    ),
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
    "the cost is work billed on top": (
        "Geen activiteit: niets geregistreerd na het deel van de looptijd dat bij Instellingen is "
        "ingesteld. Buiten de reikwijdte: een groot deel van de kosten is meerwerk"
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
