"""Contract budgets: storage, arithmetic, demo data and import, without any UI."""

from __future__ import annotations

__version__ = "0.1.0"
