"""Exact integer arithmetic on numpy columns: int64 while every value provably fits, Python ints past that.

The engine (frame.py) states each figure as integers: money in millionths, a
ratio as a numerator and a positive denominator. Products such as budget x
actual overflow int64 for large contracts, so every operation here first checks
the bounds of its operands (with Python ints, so the check itself cannot
overflow) and falls back to object arrays of Python ints, which never overflow,
when they could. Rounding is half away from zero, as Decimal's ROUND_HALF_UP
and an invoice round.
"""

from __future__ import annotations

import numpy as np

LIMIT = 2**62  # below this a sum of two results still fits int64


def _bound(values: np.ndarray) -> int:
    """The largest absolute value (0 for no rows), as a Python int."""
    values = np.asarray(values)
    if values.ndim == 0:
        return abs(int(values))
    if not len(values):
        return 0
    if values.dtype == object:
        return max(abs(int(v)) for v in values)
    return max(abs(int(values.max())), abs(int(values.min())))


def wide(values: np.ndarray | int) -> np.ndarray:
    """values as an object array of Python ints."""
    array = np.asarray(values)
    return array if array.dtype == object else array.astype(object)


def mul(a: np.ndarray, b: np.ndarray | int) -> np.ndarray:
    """a x b exactly."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != object and b.dtype != object and _bound(a) * _bound(b) < LIMIT:
        return a.astype(np.int64) * b.astype(np.int64)
    return wide(a) * wide(b)


def add(a: np.ndarray, b: np.ndarray | int) -> np.ndarray:
    """a + b exactly."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != object and b.dtype != object and _bound(a) + _bound(b) < LIMIT:
        return a.astype(np.int64) + b.astype(np.int64)
    return wide(a) + wide(b)


def sub(a: np.ndarray, b: np.ndarray | int) -> np.ndarray:
    """a - b exactly."""
    return add(a, mul(np.asarray(b), -1))


def narrow(values: np.ndarray) -> np.ndarray:
    """values as int64 when they all fit, else unchanged (Python ints)."""
    if values.dtype != object:
        return values
    return values.astype(np.int64) if _bound(values) < LIMIT else values


def positive(numerator: np.ndarray, denominator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same ratios with every denominator made positive (0 stays 0: an undefined ratio)."""
    flip = np.asarray(denominator) < 0
    if not flip.any():
        return np.asarray(numerator), np.asarray(denominator)
    return np.where(flip, mul(numerator, -1), numerator), np.where(flip, mul(denominator, -1), denominator)


def round_ratio(numerator: np.ndarray, denominator: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(numerator / denominator rounded half away from zero, whether the ratio is below 0).

    Denominators must be positive where the result is used; elsewhere (0) the
    result is 0. The sign is kept apart so that a ratio that rounds to zero from
    below can still be shown as -0.00, as a rounded Decimal is.
    """
    n, d = np.asarray(numerator), np.asarray(denominator)
    d = np.where(d > 0, d, 1)
    negative = n < 0
    magnitude = np.where(negative, mul(n, -1), n)
    twice = mul(magnitude, 2)
    result = add(twice, d) // mul(d, 2)
    return narrow(np.where(negative, mul(result, -1), result)), negative


def round_half_even(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator (denominators positive, numerators >= 0) to the nearest integer, ties to even:
    what Decimal.to_integral_value() does in the default context."""
    n, d = np.asarray(numerator), np.asarray(np.where(np.asarray(denominator) > 0, denominator, 1))
    q, r = n // d, n % d
    twice = mul(r, 2)
    up = (twice > d) | ((twice == d) & (q % 2 == 1))
    return narrow(add(q, up.astype(np.int64)))


def compare(n1: np.ndarray, d1: np.ndarray | int, n2: np.ndarray, d2: np.ndarray | int) -> np.ndarray:
    """The sign (-1, 0, 1) of n1/d1 - n2/d2 for positive denominators, exactly, as int64."""
    difference = sub(mul(n1, d2), mul(n2, d1))
    if difference.dtype != object:
        return np.sign(difference)
    return np.asarray(difference > 0, dtype=np.int64) - np.asarray(difference < 0, dtype=np.int64)


def to_float(values: np.ndarray) -> np.ndarray:
    """float64 of exact integers: for sort keys and charts only."""
    return np.asarray(values).astype(np.float64)
