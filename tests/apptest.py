"""The whole app under AppTest, opened as a visitor opens a URL (with the conftest fixtures
fresh_app or app_on choosing its database)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def open_app(page: str | None = None, *, check: bool = True, **params: str | list[str]) -> AppTest:
    """dashboard.py (navigation and sidebar) with params in the URL, then switched to page (a
    app_pages/ file) if given, with the same params; check: no exception box on the way."""
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    if page is not None:
        at.switch_page(page)
        for name, value in params.items():
            at.query_params[name] = value
        at.run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at
