"""Where the user settings are kept: text in the Meta key/value table under 'setting.<name>'.

figures/settings.py owns what the settings are, their defaults and their checks; this module
only reads and writes their stored text (the caller owns the session and commits).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from budgetcore.store.database import set_meta
from budgetcore.store.models import Meta

PREFIX = "setting."


def stored_texts(session: Session) -> dict[str, str]:
    """Every stored setting as name -> text (the name without PREFIX), whatever the name."""
    rows = session.execute(select(Meta.key, Meta.value).where(Meta.key.startswith(PREFIX)))
    return {key[len(PREFIX) :]: text for key, text in rows}


def store_texts(session: Session, texts: Mapping[str, str]) -> None:
    """Store each setting's text under PREFIX + name (added or replaced; nothing is committed)."""
    for name, text in texts.items():
        set_meta(session, PREFIX + name, text)
