"""The HTML review pack (issue 22): one sign convention (over budget is positive and says so), and
no figure or badge broken across lines, on screen, on a phone and printed on A4, in a real browser."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import handcalc
import pytest
from sqlalchemy import Engine

from budgetcore import i18n
from budgetcore.exchange.importing import import_paths
from budgetcore.figures import settings
from budgetcore.review import report_html, reports
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.schema import prepared

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def handcalc_engine(shared_engine, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The hand-built portfolio (handcalc.py) imported, on each engine in turn, for tests that only
    read it (shared_engine: imported once per engine per run)."""

    def fill(engine: Engine) -> None:
        assert import_paths(engine, handcalc.write(tmp_path_factory.mktemp("handcalc") / "csv")).ok

    return shared_engine("test_pack_html: handcalc imported", fill)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_one_sign_convention_over_budget_is_positive_and_says_over(
    handcalc_engine: Engine, lang: str
) -> None:
    engine = handcalc_engine
    with transaction(engine) as session:
        pack = reports.collect(session, handcalc.AS_OF, settings.load(session), within_days=365)
    page = report_html.html(pack, lang)
    assert ">Difference</th>" not in page  # budget - actual, the other convention, is gone
    said = {True: 0, False: 0}
    for r in pack.contracts:
        f = r.figures
        if not f.inputs.budget_lines or f.actual_total == f.budget_total:
            continue
        over = f.actual_total > f.budget_total
        size = i18n.money(abs(f.actual_total - f.budget_total), lang, pack.settings.currency)
        words = i18n.t("{amount} over" if over else "{amount} under", lang, amount=size)
        section = page[page.index(f'data-contract="{f.contract_number}"') :]
        section = section[: section.index("</section>")]
        # the budget table's total: actual - budget, above 0 over budget
        assert f'<td class="n">{words}</td>' in section, (f.contract_number, words)
        said[over] += 1
        for p in r.periods:  # variance per period: the same convention
            if p.variance:
                size = i18n.money(abs(p.variance), lang, pack.settings.currency)
                key = "{amount} over" if p.actual > p.budget else "{amount} under"
                assert i18n.t(key, lang, amount=size) in section
    assert said[True] and said[False]  # the hand-built portfolio has contracts over and under budget


# every cell that holds a figure, and every status badge, in one line of text
BROKEN = """() => {
  const lines = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
  };
  return [...document.querySelectorAll("td.n, td.d, .status")]
    .filter(el => el.offsetParent !== null && el.textContent.trim() && lines(el) > 1)
    .map(el => el.textContent.trim());
}"""


@pytest.fixture(scope="module")
def demo_pack(tmp_path_factory: pytest.TempPathFactory, demo_database) -> dict[str, str]:
    """The demo's renewals pack (90 days, with its contracts' pages) as HTML, in English and Dutch."""
    path = tmp_path_factory.mktemp("pack") / "demo.db"
    demo_database(TODAY, path)
    engine = prepared(make_engine(f"sqlite:///{path}"))
    # the whole list, and the pages of its first three contracts (the rest are pages alike)
    with transaction(engine) as session, pytest.MonkeyPatch.context() as patched:
        patched.setattr(reports, "DETAILED", 3)
        pack = reports.collect(session, TODAY, settings.load(session))
    engine.dispose()
    assert len(pack.every) > 10 and len(pack.contracts) == 3
    return {lang: report_html.html(pack, lang) for lang in ("en", "nl")}


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_no_figure_or_badge_is_broken_across_lines(browser, demo_pack: dict[str, str], lang: str) -> None:
    # a desktop screen, a phone, and print: A4 landscape (the list's page) and portrait (a contract's),
    # 297 and 210 mm less 2 x 12 mm margins at 96 px per inch
    views = [
        ("screen", 1440),
        ("screen", 390),
        ("print", round(273 / 25.4 * 96)),
        ("print", round(186 / 25.4 * 96)),
    ]
    # one page for the four views: the pack has no script, so its layout is the content's at the
    # viewport and media of the moment (a resize or a media change lays it out again)
    page = browser.new_page(viewport={"width": views[0][1], "height": 900})
    try:
        page.set_content(demo_pack[lang])
        for media, width in views:
            page.set_viewport_size({"width": width, "height": 900})
            page.emulate_media(media=media)
            assert page.evaluate(BROKEN) == [], (media, width)
            if media == "screen":  # nothing wider than the screen: wide tables scroll on their own
                assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        page.close()


def test_the_pack_builder_reports_its_progress(handcalc_engine: Engine) -> None:
    engine = handcalc_engine
    calls: list[tuple[int, int]] = []
    with transaction(engine) as session:
        pack = reports.collect(
            session,
            handcalc.AS_OF,
            settings.load(session),
            within_days=365,
            progress=lambda *a: calls.append(a),
        )
    total = len(pack.contracts)
    assert total > 1 and calls == [(n, total) for n in range(total)] + [(total, total)]


def test_the_templates_ship_with_the_package(tmp_path: Path) -> None:
    """An installed budgetcore renders the pack: building the package (setuptools' build_py, as a
    wheel or an install does, on a copy of the project) copies the templates the page is made from."""
    import shutil
    import subprocess
    import sys

    root = Path(report_html.__file__).resolve().parents[2]
    project = tmp_path / "project"
    shutil.copytree(root / "budgetcore", project / "budgetcore", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "requirements.txt", "README.md"):
        shutil.copy(root / name, project / name)
    built = tmp_path / "built"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from setuptools import setup; setup()",
            "-q",
            "build_py",
            "--build-lib",
            str(built),
        ],
        cwd=project,
        check=True,
        capture_output=True,
    )
    templates = root / "budgetcore" / "review" / "templates"
    used = {p.name for p in templates.iterdir()}
    shipped = {p.name for p in (built / "budgetcore" / "review" / "templates").glob("*")}
    assert {"pack.html", "pack.css"} <= used <= shipped, sorted(used - shipped)


def test_hostile_text_in_every_template_stays_text(handcalc_engine: Engine) -> None:
    """Names and notes from imported data reach each template (summary, section, facts, chart,
    tables) and come out escaped: no element, attribute or entity of theirs survives."""
    engine = handcalc_engine
    with transaction(engine) as session:
        pack = reports.collect(session, handcalc.AS_OF, settings.load(session), within_days=365)
    hostile = '<script>alert(1)</script>" onload="x'
    first = pack.contracts[0]
    inputs = replace(first.figures.inputs, customer=hostile, name="=cmd|' /C calc'!A0 <b>")
    pack = replace(pack, contracts=[replace(first, figures=replace(first.figures, inputs=inputs))])
    page = report_html.html(pack, "en")
    assert "<script" not in page and "<b>" not in page and '" onload="' not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2  # the heading and the facts
    assert "=cmd|&#39; /C calc&#39;!A0 &lt;b&gt;" in page
