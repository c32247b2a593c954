"""budgetcore/app/compat.py: each reach into a library's internals still holds on the installed
versions (a failure names the library and its version), and the app's fallback when it does not."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest
import streamlit
from pandas.io.formats.style import Styler
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData

from budgetcore.app import compat

WHERE = "budgetcore/app/compat.py"


def _styled() -> Styler:
    frame = pd.DataFrame({"budget": [1200.0, 35.5, None], "status": ["On track", "Watch", "Over"]})
    return frame.style.format({"budget": "{:,.0f}"}, na_rep="—").map(
        lambda s: f"color: {'red' if s == 'Over' else 'inherit'}", subset=["status"]
    )


def test_pandas_styler_still_translates_as_translated_once_relies_on() -> None:
    made = _styled()
    versions = f"pandas {pd.__version__}, streamlit {streamlit.__version__}"
    for name in ("_compute", "_translate"):
        assert callable(getattr(made, name, None)), (
            f"{versions}: Styler.{name} is gone; {WHERE} translated_once now falls back to the "
            "Styler itself (tables translated at every draw): remove the shortcut or follow pandas"
        )
    made._compute()
    done = made._translate(False, False)
    missing = [key for key in ("body", "table_styles", "cellstyle") if key not in done]
    assert not missing, f"{versions}: Styler._translate no longer returns {missing}; see {WHERE}"
    drawn = compat.translated_once(made)
    assert drawn is not made, f"{versions}: {WHERE} translated_once fell back; see its log (debug)"
    sent, expected = ArrowData(), ArrowData()
    marshall_styler(sent, drawn, "")
    marshall_styler(expected, _styled(), "")
    assert sent.styler.display_values == expected.styler.display_values, (
        f"{versions}: Streamlit's marshall_styler reads a Styler differently from what {WHERE} "
        "translated_once hands it"
    )
    assert "color: red" in sent.styler.styles


def test_without_the_styler_internals_a_table_is_drawn_from_the_styler_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def gone(*args: object, **kwargs: object) -> object:
        raise AttributeError("_translate")

    monkeypatch.setattr(Styler, "_translate", gone)
    made = _styled()
    assert compat.translated_once(made) is made


def test_streamlit_still_has_the_emoji_catalogue_it_checks_a_page_icon_with() -> None:
    assert compat.preload_emoji_catalogue(), (
        f"streamlit {streamlit.__version__} has no {compat.EMOJI_MODULE}: {WHERE} "
        "preload_emoji_catalogue does nothing now (the first visit pays the import); remove it"
    )
    assert importlib.import_module(compat.EMOJI_MODULE)


def test_without_the_emoji_catalogue_the_preload_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compat, "EMOJI_MODULE", "streamlit.no_such_module")
    assert not compat.preload_emoji_catalogue()
