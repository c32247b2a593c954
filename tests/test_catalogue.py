"""The Dutch catalogue (budgetcore/translations/nl/LC_MESSAGES/messages.po): it parses, it translates
every text Babel's extractor finds in the code (the project's own `pybabel extract` settings in
pyproject.toml), it keeps every {placeholder}, it holds nothing the code no longer uses, and t()
serves exactly what it says."""

from __future__ import annotations

import gettext
import io
import string
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po

from budgetcore import i18n

ROOT = Path(__file__).resolve().parent.parent
PO = i18n.catalogue_path("nl")


def _po() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f, abort_invalid=True)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What `pybabel extract` finds in budgetcore/, app_pages/ and dashboard.py today: t()'s text,
    plural()'s two forms and N_()'s texts, as pyproject.toml's [tool.babel] tables configure it."""
    out = tmp_path_factory.mktemp("catalogue") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-o", str(out)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with out.open("rb") as f:
        return read_po(f)


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _forms(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_the_extractor_finds_the_code_s_texts(template: Catalog) -> None:
    """The extraction works: it sees a t() text, a plural() pair and a text marked N_()."""
    assert "Renewal review" in template  # t() in review/reports.py
    assert "over budget" in template  # N_() in figures/metrics.py
    pair = template.get("Not drawn: {n} contract without a budget.")
    assert pair is not None and pair.id[1] == "Not drawn: {n} contracts without a budget."
    assert len(template) > 600


def test_the_po_parses_and_compiles() -> None:
    catalog = _po()
    assert str(catalog.locale) == "nl" and catalog.num_plurals == 2
    assert not catalog.obsolete  # pybabel update drops them (ignore_obsolete in pyproject.toml)
    gettext.GNUTranslations(io.BytesIO(i18n.compiled(PO.read_bytes())))


def test_every_text_in_the_code_has_dutch(template: Catalog) -> None:
    po = _po()
    untranslated = [
        m.id
        for m in template
        if m.id and ((found := po.get(m.id)) is None or found.fuzzy or not all(_forms(found)))
    ]
    assert untranslated == [], "translate these in messages.po (pybabel update adds them)"


def test_a_counted_text_is_a_plural_entry_in_both(template: Catalog) -> None:
    po = _po()
    for m in template:
        if isinstance(m.id, tuple):
            assert po[m.id].id == m.id and len(_forms(po[m.id])) == 2, m.id


def test_the_po_holds_nothing_the_code_no_longer_uses(template: Catalog) -> None:
    """Each entry is a text the extractor finds; a text the code builds (a status, a label in a
    table) is marked N_() where it is defined, so it is found too."""
    unused = [m.id for m in _po() if m.id and m.id not in template]
    assert unused == [], "run pybabel extract and pybabel update"


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_each_translation_keeps_the_placeholders_of_its_english() -> None:
    wrong = []
    for m in _po():
        ids = _ids(m)
        for i, form in enumerate(_forms(m)):
            english = ids[min(i, len(ids) - 1)]
            if m.id and form and set(_fields(form)) != set(_fields(english)):
                wrong.append((english, form))
    assert wrong == []


def test_t_and_plural_serve_what_the_po_says() -> None:
    """The compiled catalogue is the .po's, entry by entry (never an older one)."""
    catalogue = i18n.translations("nl")
    for m in _po():
        if not m.id or m.fuzzy or not all(_forms(m)):
            continue
        if isinstance(m.id, tuple):
            assert [catalogue.ngettext(*m.id, n) for n in (1, 2)] == list(m.string)
        else:
            assert catalogue.gettext(m.id) == m.string
    assert i18n.catalogue("nl")["Renewals"] == "Verlengingen"


PO_TEXT = b"""msgid ""
msgstr ""
"Language: nl\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "Overview"
msgstr "Overzicht"

#, fuzzy
msgid "Renewals"
msgstr "Verlenging?"

msgid "Summary"
msgstr ""
"""


def test_compiling_leaves_out_fuzzy_and_empty_entries() -> None:
    """A guess (fuzzy) or an empty text stays English, as gettext's own tools do."""
    catalogue = gettext.GNUTranslations(io.BytesIO(i18n.compiled(PO_TEXT)))
    said = [catalogue.gettext(x) for x in ("Overview", "Renewals", "Summary")]
    assert said == ["Overzicht", "Renewals", "Summary"]


def test_a_broken_po_is_refused() -> None:
    with pytest.raises(PoFileError):
        i18n.compiled(PO_TEXT + b'\nmsgid "Contract"\nmsgstr: "Contract"\n')


def test_an_english_run_reads_no_catalogue() -> None:
    """English is the keys: t() and plural() in English neither read the .po nor load Babel's
    catalogue code (issue 24: a command imports only what it uses)."""
    code = (
        "import sys; from budgetcore import i18n; "
        "print(i18n.t('Renewals'), i18n.plural(2, '{n} contract', '{n} contracts'), "
        "sorted(m for m in sys.modules if m.startswith('babel.messages')))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    assert done.stdout.split() == ["Renewals", "2", "contracts", "[]"]


def test_the_package_ships_the_catalogue() -> None:
    """pyproject.toml's package data names the .po (a wheel built from the tree holds it)."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["budgetcore"]
    shipped = {p for pattern in patterns for p in (ROOT / "budgetcore").glob(pattern)}
    assert PO in shipped
