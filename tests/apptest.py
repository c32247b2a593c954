"""The whole app under AppTest, opened as a visitor opens a URL (with the conftest fixtures
fresh_app or app_on choosing its database)."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")


def open_app(page: str | None = None, *, check: bool = True, **params: str | list[str]) -> AppTest:
    """dashboard.py (navigation and sidebar) with params in the URL, on page (an app_pages/ file)
    if given, as a visitor's first request of that page's URL opens it: one run, on that page.
    check: no exception box on the way."""
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    if page is not None:
        # Before the first run AppTest names a page by its file's stem, which is its url_path
        # (dashboard.URLS) for every page but the users page; that one is reached from the overview.
        direct = Path(page).stem in _url_paths()
        if not direct:
            at.run()
        at.switch_page(page)
        if not direct:
            for name, value in params.items():
                at.query_params[name] = value
    at.run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at


@functools.cache
def _url_paths() -> tuple[str, ...]:
    """dashboard.URLS, read from the file (importing it as a module would make its st.App)."""
    for node in ast.parse(Path(APP).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["URLS"]:
            return ast.literal_eval(node.value)
    raise LookupError("dashboard.py has no URLS")
