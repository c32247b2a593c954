"""Figures: the rule book, the engine every figure comes from, and the reads behind it."""
