"""Dutch for issue 23's words (sign-in that fails closed, the write path, limits, time zones)."""

from __future__ import annotations

NL_SAFETY: dict[str, str] = {
    "Time zone of the times shown (decisions)": "Tijdzone van de getoonde tijden (besluiten)",
    "must be a time zone such as Europe/Amsterdam": "moet een tijdzone zijn, zoals Europe/Amsterdam",
    "the header row is longer than {limit} characters": "de kopregel is langer dan {limit} tekens",
    "more than {limit} columns: the exchange format has at most a few dozen": "meer dan {limit} kolommen: het uitwisselformaat heeft er hooguit enkele tientallen",
    "{n} more unrecognised columns are ignored. To import one, give it the template's header in the file.": "Nog {n} onbekende kolommen worden genegeerd. Geef een kolom in het bestand de kop uit het sjabloon om hem te importeren.",
    "Ignored column": "Genegeerde kolom",
    "Sign-in is not set up": "Aanmelden is niet ingericht",
    "The [auth] section of .streamlit/secrets.toml cannot sign anyone in, so this app shows no data until it is fixed: {reason}": "Met de sectie [auth] van .streamlit/secrets.toml kan niemand zich aanmelden, dus deze app toont geen gegevens tot dat is hersteld: {reason}",
    "This address is written with characters that look like others' (e.g. a Kelvin sign for K), so it cannot sign in. Sign in with the address as your organisation writes it.": "Dit adres is geschreven met tekens die op andere lijken (bijvoorbeeld een kelvinteken voor K), dus het kan zich niet aanmelden. Meld u aan met het adres zoals uw organisatie het schrijft.",
    "Your sign-in provider did not confirm that this email address is yours (email_verified), so it cannot sign in. Ask the administrator.": "Uw aanmeldprovider heeft niet bevestigd dat dit e-mailadres van u is (email_verified), dus het kan zich niet aanmelden. Vraag het de beheerder.",
}
