"""text.py: imported and URL text reaches Streamlit's markdown shown, never interpreted."""

from __future__ import annotations

import pytest

from budgetcore.app import text

J = text.JOINER


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("[Your session expired](https://evil.example/login) **URGENT**",
         rf"\[Your session expired\]\(https:{J}//evil\.example/login\) \*\*URGENT\*\*"),
        ("![x](https://evil.example/p.png)", rf"\!\[x\]\(https:{J}//evil\.example/p\.png\)"),
        ("$x^2$", r"\$x\^2\$"),
        (":red[alarm]", rf":{J}red\[alarm\]"),
        (":material/home:", f":{J}material/home:{J}"),
        (":smile:", f":{J}smile:{J}"),
        ("<b>x</b>", r"\<b\>x\</b\>"),
        ("www.evil.example", rf"w{J}ww\.evil\.example"),
        ("mail@evil.example", rf"mail@{J}evil\.example"),
        ("a\nb\r\n# c", r"a b \# c"),
        ("\u202eexe.jpg", r"exe\.jpg"),
        ("CT-2024-00021", r"CT\-2024\-00021"),
    ],
)  # fmt: skip
def test_markdown_shows_every_construct_literally(hostile: str, shown: str) -> None:
    assert text.markdown(hostile) == shown


def test_markdown_cuts_a_long_value_to_a_short_excerpt() -> None:
    shown = text.markdown("x" * 5000, limit=text.LONG)
    assert len(shown) == text.LONG and shown.endswith("…")
