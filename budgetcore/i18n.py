"""Words and formats per language: every user-visible string goes through t(), every figure through a formatter.

English text is the key (gettext style); the Dutch catalogue is the gettext file
budgetcore/translations/nl/LC_MESSAGES/messages.po, compiled by Babel in memory on the first
Dutch lookup (an English run never reads it). Formatting uses Babel's CLDR data, not hand-made rules.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent, get_currency_symbol

LANGUAGES = ("en", "nl")
DEFAULT_LANGUAGE = "en"
LOCALES = {"en": "en_GB", "nl": "nl_NL"}  # language -> Babel locale, the one map (Babel formats by it)
TRANSLATIONS = Path(__file__).with_name("translations")  # <lang>/LC_MESSAGES/messages.po: kept by pybabel


def language(code: str | None) -> str:
    """A supported language for a code such as 'nl', 'nl-NL' or 'en_US'; else the default."""
    if code:
        base = code.replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return DEFAULT_LANGUAGE


def N_(text: str) -> str:  # noqa: N802 (gettext's name for the marker, which pybabel extract knows)
    """text unchanged: marks an English text where it is defined (a status, a table's label, a
    message key) for `pybabel extract`; t() puts it into the language where it is shown."""
    return text


def catalogue_path(lang: str) -> Path:
    """Where lang's catalogue is kept: the .po a translator edits (pybabel update writes it)."""
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def compiled(po: bytes) -> bytes:
    """A .po file's text as the .mo that gettext reads: Babel's reader and writer, fuzzy and
    untranslated entries left out (so t() says those in English)."""
    from babel.messages.mofile import write_mo  # Babel's catalogue code only where Dutch is asked for
    from babel.messages.pofile import read_po

    out = io.BytesIO()
    write_mo(out, read_po(io.BytesIO(po), abort_invalid=True))
    return out.getvalue()


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """lang's catalogue for gettext, compiled from its .po on the first lookup in lang, so it is
    never older than the .po and needs no writable directory; English (the keys) has none."""
    if lang == DEFAULT_LANGUAGE or lang not in LANGUAGES:
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(compiled(catalogue_path(lang).read_bytes())))


def t(text: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """text in lang (English text is the key), with {placeholders} filled from values."""
    said = translations(lang).gettext(text) if text and lang != DEFAULT_LANGUAGE else text
    return said.format(**values) if values else said


def plural(count: int, one: str, other: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """one or other (English, the catalogue's msgid and msgid_plural) in lang, as lang's plural
    rule picks for count: '1 contract', '2 contracts'; the count is filled in as {n} unless values
    give it."""
    text = translations(lang).ngettext(one, other, count)
    return text.format(**({"n": number(count, lang, 0)} | values))


def catalogue(lang: str = "nl") -> dict[str, str]:
    """English text -> its text in lang, as lang's .po has it (each form of a counted text on its
    own), leaving out what gettext leaves out: untranslated and fuzzy entries. Reads the .po each
    time (for tests and checks; t() reads the compiled catalogue); Babel parses a text it has not
    parsed before (a parse takes 25 ms, and the catalog tests ask once per source file)."""
    return dict(_entries(catalogue_path(lang).read_bytes()))


@functools.lru_cache(maxsize=4)
def _entries(po: bytes) -> tuple[tuple[str, str], ...]:
    """catalogue()'s entries of the .po text po, in the file's order."""
    from babel.messages.pofile import read_po

    found: dict[str, str] = {}
    for m in read_po(io.BytesIO(po)):
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        forms = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.id and not m.fuzzy and all(forms):
            found.update(zip(ids, forms, strict=True))
    return tuple(found.items())


def missing(texts: list[str]) -> list[str]:
    """The texts that have no Dutch translation yet (for the catalog test)."""
    have = catalogue("nl")
    return [s for s in texts if s not in have]


def money(
    value: Decimal | None, lang: str = DEFAULT_LANGUAGE, currency: str = "EUR", cents: bool = True
) -> str:
    """'€ 1.234,56' in Dutch, '€1,234.56' in English; '' when undefined (money_formatter's text)."""
    return money_formatter(lang, currency, cents)(value)


def babel_money(value: Decimal | None, lang: str, currency: str, cents: bool) -> str:
    """money() by Babel, value by value: the reference money_formatter writes the same text as."""
    if value is None:
        return ""
    # round half up here: Babel rounds half to even, invoices do not
    value = value.quantize(Decimal("0.01") if cents else Decimal(1), rounding=ROUND_HALF_UP)
    # without cents: the locale's own currency pattern minus its decimals, so the
    # sign, symbol and spacing match the amounts with cents ('€1,235', '€ 1.235')
    fmt = (
        None if cents else Locale.parse(LOCALES[lang]).currency_formats["standard"].pattern.replace(".00", "")
    )
    return format_currency(value, currency, format=fmt, locale=LOCALES[lang], currency_digits=cents)


def _affixed(
    slow: Callable[[Decimal], str], places: int, marks: dict[int, str], sample: Decimal
) -> dict[bool, tuple[str, str]] | None:
    """What slow writes before and after the digits of sample, unsigned and signed; None when
    its digits are not Python's grouped digits with marks (another numbering, say)."""
    body = f"{sample:,.{places}f}".translate(marks)
    affixes = {}
    for signed in (False, True):
        shown = slow(-sample if signed else sample)
        if shown.count(body) != 1:
            return None
        before, after = shown.split(body)
        affixes[signed] = (before, after)
    return affixes


@functools.cache
def money_formatter(
    lang: str = DEFAULT_LANGUAGE, currency: str = "EUR", cents: bool = True
) -> Callable[[Decimal | None], str]:
    """money() for one language and currency, fast enough for packs of many thousands of amounts:
    Babel's text, the digits written by Python from the exact Decimal (rounded half up) between
    the sign, symbol and spacing that Babel writes. Checked against Babel on sample amounts when
    made; where they would differ (a currency without cents, say) it is Babel value by value."""
    step, places = (Decimal("0.01"), 2) if cents else (Decimal(1), 0)
    symbols = Locale.parse(LOCALES[lang]).number_symbols["latn"]
    marks = str.maketrans({",": symbols["group"], ".": symbols["decimal"]})

    def slow(value: Decimal | None) -> str:
        return babel_money(value, lang, currency, cents)

    affixes = _affixed(slow, places, marks, Decimal("1234567.89").quantize(step, rounding=ROUND_HALF_UP))
    if affixes is None:
        return slow
    found = affixes

    def fast(value: Decimal | None) -> str:
        if value is None:
            return ""
        if not isinstance(value, Decimal):
            return slow(value)
        rounded = value.quantize(step, rounding=ROUND_HALF_UP)
        before, after = found[rounded.is_signed()]
        return before + f"{abs(rounded):,.{places}f}".translate(marks) + after

    samples = (
        "0",
        "-0",
        "0.005",
        "-0.005",
        "-0.004",
        "1",
        "12.345",
        "-1234.565",
        "999.995",
        "-1000000",
        "0.1",
    )
    if any(fast(Decimal(x)) != slow(Decimal(x)) for x in samples):
        return slow
    return fast


def currency_symbol(currency: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The symbol readers of lang write for an ISO currency code: '€', 'US$', 'CHF' (Babel's CLDR data)."""
    return get_currency_symbol(currency, locale=LOCALES[lang])


def money_prefix(currency: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """What goes before an amount in lang, symbol and spacing from the locale's currency
    pattern: '€' in English, '€\xa0' in Dutch; for chart axes that format the digits themselves."""
    pattern = Locale.parse(LOCALES[lang]).currency_formats["standard"].pattern.split(";")[0]
    return pattern.split("#")[0].replace("¤", currency_symbol(currency, lang))


def number_formatter(lang: str = DEFAULT_LANGUAGE, decimals: int | None = 2) -> Callable[[object], str]:
    """A fast number(): lang's grouping and decimal marks from CLDR (Babel) put on Python's own
    rounding, for tables with many thousands of cells; decimals=None keeps up to 3, trailing zeros cut."""
    symbols = Locale.parse(LOCALES[lang]).number_symbols["latn"]
    marks = str.maketrans({",": symbols["group"], ".": symbols["decimal"]})

    def shown(value: object) -> str:
        if value is None:
            return ""
        text = f"{float(value):,.{3 if decimals is None else decimals}f}"  # type: ignore[arg-type]
        if decimals is None and "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.translate(marks)

    return shown


def number(value: Decimal | float | int | None, lang: str = DEFAULT_LANGUAGE, decimals: int = 2) -> str:
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


def percent(value: Decimal | float | None, lang: str = DEFAULT_LANGUAGE, decimals: int = 0) -> str:
    """A fraction as a percentage: 0.8734 -> '87%' ('87 %' in Dutch)."""
    return _percent_writer(lang, decimals)(value)


def babel_percent(value: Decimal | float | None, lang: str, decimals: int) -> str:
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(value, format=pattern, locale=LOCALES[lang])


@functools.cache
def _percent_writer(lang: str, decimals: int) -> Callable[[Decimal | float | None], str]:
    """percent() for one language: Babel's text, a Decimal's digits by Python as Babel rounds
    them (x 100, half to even, the sign of the unrounded value); checked against Babel on samples
    when made, Babel itself for floats or where they would differ."""
    symbols = Locale.parse(LOCALES[lang]).number_symbols["latn"]
    marks = str.maketrans({",": symbols["group"], ".": symbols["decimal"]})
    quantum = Decimal(1).scaleb(-decimals)

    def slow(value: Decimal | float | None) -> str:
        return babel_percent(value, lang, decimals)

    affixes = _affixed(lambda v: slow(v.scaleb(-2)), decimals, marks, Decimal("12345.5").quantize(quantum))
    if affixes is None:
        return slow
    found = affixes

    def fast(value: Decimal | float | None) -> str:
        if value is None:
            return ""
        if not isinstance(value, Decimal):
            return slow(value)
        scaled = value.scaleb(2)
        before, after = found[scaled.is_signed()]
        return before + f"{abs(scaled).quantize(quantum):,.{decimals}f}".translate(marks) + after

    samples = ("0", "-0", "0.00125", "0.00135", "-0.004", "0.8734", "-1.2345", "12.3456", "0.995", "-0.0005")
    if any(fast(Decimal(x)) != slow(Decimal(x)) for x in samples):
        return slow
    return fast


def percent_formatter(lang: str = DEFAULT_LANGUAGE, decimals: int = 0) -> Callable[[object], str]:
    """A fast percent(): a fraction as a percentage with lang's marks and its CLDR percent pattern
    (sign and spacing as percent() writes them), for texts of many thousands of chart points."""
    pattern = Locale.parse(LOCALES[lang]).percent_formats[None].pattern.split(";")[0]
    before, after = pattern[: pattern.index("#")], pattern[pattern.rindex("0") + 1 :]
    digits = number_formatter(lang, decimals)
    return lambda value: "" if value is None else before + digits(float(value) * 100) + after  # type: ignore[arg-type]


def date(value: dt.date | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """'31-03-2026' in Dutch, '31 Mar 2026' in English; '' when undefined."""
    if value is None:
        return ""
    return _date_text(value, lang)


@functools.lru_cache(maxsize=16_384)
def _date_text(value: dt.date, lang: str) -> str:
    # a pack's list repeats the same end dates and deadlines thousands of times: Babel once each
    return _sep(format_date(value, "dd-MM-yyyy" if lang == "nl" else "d MMM y", locale=LOCALES[lang]))


def known_zone(name: str) -> bool:
    """Whether name is an IANA time zone (Europe/Amsterdam, UTC) this machine knows."""
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return False
    return True


def moment(at: dt.datetime, lang: str = DEFAULT_LANGUAGE, zone: str = "UTC") -> str:
    """A stored time (naive UTC, as the database keeps every time) in zone, as 'date HH:MM'; the
    zone's name follows unless it is the settings' own (Europe/Amsterdam: '1 Dec 2026 00:30').
    An unknown zone shows UTC, labelled so."""
    if not known_zone(zone):
        zone = "UTC"
    local = at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone))
    return f"{date(local.date(), lang)} {local:%H:%M}" + (" UTC" if zone == "UTC" else "")


def local_date(at: dt.datetime, zone: str = "UTC") -> dt.date:
    """The calendar date of a stored time (naive UTC) in zone."""
    if not known_zone(zone):
        zone = "UTC"
    return at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).date()


def _sep(text: str) -> str:
    """British English abbreviates September 'Sept' where every other month has three letters
    (and the charts' axes say 'Sep'): 'Sep' everywhere."""
    return text.replace("Sept", "Sep")


def month(value: dt.date | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """A calendar month: 'mrt 2026' in Dutch, 'Mar 2026' in English; '' when undefined."""
    if value is None:
        return ""
    return _month_text(value, lang)


@functools.lru_cache(maxsize=4096)
def _month_text(value: dt.date, lang: str) -> str:
    return _sep(format_date(value, "MMM y", locale=LOCALES[lang]))
