"""Exact decisions on integer columns: float64 where it provably decides, Python ints on the rows where it cannot.

The engine (frame.py) states each figure as integers: a value is a sum of
products of int64 columns (money in millionths, days, counts, a threshold's
numerator), a ratio such a sum over a positive product. Products such as
budget x actual do not fit int64, and Python ints for every row are slow, so
each operation here first estimates in float64 together with a bound on the
estimate's error, takes the float's answer on every row where the bound shows
it cannot be wrong, and computes the remaining rows (ties and near-ties, a few
at most) exactly in Python ints. Every answer is the exact one.

Rounding is half away from zero, as Decimal's ROUND_HALF_UP and an invoice round.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Factor = np.ndarray | int
Term = tuple[Factor, ...]  # a product of factors
Sum = Sequence[Term]  # a sum of products

# A float64 product or sum of a few int64 values is within 2^-53 of the exact value
# per operation; 2^-44 of the magnitude covers every expression here with room to spare.
_ERROR = 2.0**-44
_EXACT_FLOAT = 2.0**52  # integers below this are exact in float64


def _float(term: Term, n: int) -> np.ndarray:
    value = np.ones(n)
    for factor in term:
        value = value * (
            np.asarray(factor, dtype=np.float64) if isinstance(factor, np.ndarray) else float(factor)
        )
    return value


def _estimate(terms: Sum, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(float64 value of the sum, sum of its terms' magnitudes) per row."""
    value, magnitude = np.zeros(n), np.zeros(n)
    for term in terms:
        product = _float(term, n)
        value += product
        magnitude += np.abs(product)
    return value, magnitude


def _int(term: Term, i: int) -> int:
    result = 1
    for factor in term:
        result *= int(factor[i]) if isinstance(factor, np.ndarray) else int(factor)
    return result


def _int_sum(terms: Sum, i: int) -> int:
    return sum(_int(term, i) for term in terms)


def _bound(terms: Sum, n: int) -> np.ndarray:
    """Per row, an upper bound (float64) on the magnitude of every partial product and sum."""
    bound = np.zeros(n)
    for term in terms:
        product = np.ones(n)
        for factor in term:
            size = np.abs(factor.astype(np.float64)) if isinstance(factor, np.ndarray) else float(abs(factor))
            product = product * np.maximum(size, 1.0)
        bound += product
    return bound


def _int64(terms: Sum, n: int) -> np.ndarray:
    """The sum of products in int64: exact on the rows whose _bound is below _FITS."""
    total = np.zeros(n, dtype=np.int64)
    for term in terms:
        product = np.ones(n, dtype=np.int64)
        for factor in term:
            product = product * (
                factor.astype(np.int64) if isinstance(factor, np.ndarray) else np.int64(factor)
            )
        total = total + product
    return total


_FITS = 2.0**61  # below this bound, int64 arithmetic (with 2 x and + a denominator) cannot overflow


def quotient(numerator: Sum, denominator: Term, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(numerator / denominator rounded half away from zero as int64, whether it is below 0).

    The denominator must be positive on the rows that are used; elsewhere the
    result is 0. The sign is kept apart so that a value that rounds to zero from
    below can be shown as -0.00, as a rounded Decimal is. Rows whose integers fit
    int64 are computed in int64; the others by float64 where it provably decides,
    and in Python ints where it does not.
    """
    result, negative = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    den_fits = _bound([denominator], n) < _FITS
    fits = (_bound(numerator, n) < _FITS) & den_fits
    with np.errstate(over="ignore"):
        num, den = _int64(numerator, n), _int64([denominator], n)
    usable = np.where(den_fits, den > 0, _float(denominator, n) > 0)  # an overflowed int64 has no sign
    rows = fits & usable
    d = np.where(rows, den, 1)
    r = (2 * np.abs(np.where(rows, num, 0)) + d) // (2 * d)
    result = np.where(rows & (num < 0), -r, np.where(rows, r, 0))
    negative = rows & (num < 0)
    wide = np.flatnonzero(~fits & usable)
    if len(wide):
        part_result, part_negative = _quotient_wide(numerator, denominator, wide)
        result[wide], negative[wide] = part_result, part_negative
    return result, negative


def _take(terms: Sum, rows: np.ndarray) -> list[Term]:
    return [tuple(f[rows] if isinstance(f, np.ndarray) else f for f in term) for term in terms]


def _quotient_wide(numerator: Sum, denominator: Term, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """quotient() of rows whose integers overflow int64: float64 where it decides, else Python ints."""
    numerator, (denominator,) = _take(numerator, rows), _take([denominator], rows)
    n = len(rows)
    value, magnitude = _estimate(numerator, n)
    divisor = _float(denominator, n)
    q = value / divisor
    error = magnitude / divisor * _ERROR
    size = np.abs(q)
    whole = np.floor(size)
    part = size - whole
    zero = magnitude == 0
    sure = zero | ((np.abs(part - 0.5) > error) & (size > error) & (size + error < _EXACT_FLOAT))
    rounded = (whole + (part > 0.5)).astype(np.int64)
    negative = (q < 0) & ~zero
    result = np.where(negative, -rounded, rounded)
    for i in np.flatnonzero(~sure):
        num, den = _int_sum(numerator, i), _int(denominator, i)
        r = (2 * abs(num) + den) // (2 * den)
        result[i] = -r if num < 0 else r
        negative[i] = num < 0
    return result, negative


def compare(left: Sum, right: Sum, n: int) -> np.ndarray:
    """The sign (-1, 0, 1) of sum(left) - sum(right) per row, exactly, as int64."""
    fits = (_bound(left, n) < _FITS) & (_bound(right, n) < _FITS)
    with np.errstate(over="ignore"):
        sign = np.sign(_int64(left, n) - _int64(right, n))
    wide = np.flatnonzero(~fits)
    if len(wide):
        left_, right_ = _take(left, wide), _take(right, wide)
        m = len(wide)
        lv, lm = _estimate(left_, m)
        rv, rm = _estimate(right_, m)
        difference, magnitude = lv - rv, lm + rm
        part = np.sign(difference).astype(np.int64)
        part[magnitude == 0] = 0
        for i in np.flatnonzero((magnitude != 0) & (np.abs(difference) <= magnitude * _ERROR)):
            exact = _int_sum(left_, i) - _int_sum(right_, i)
            part[i] = (exact > 0) - (exact < 0)
        sign[wide] = part
    return sign


def half_even(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator for small non-negative int64 numerators and positive
    denominators, to the nearest integer, ties to even (Decimal.to_integral_value())."""
    d = np.where(denominator > 0, denominator, 1)
    q, r = np.divmod(numerator, d)
    up = (2 * r > d) | ((2 * r == d) & (q % 2 == 1))
    return q + up


def positive_ratio(
    numerator: np.ndarray, denominator: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A ratio of two integer columns with its denominator made positive: (numerator x sign,
    |denominator|, defined where the denominator is not 0). Consumed and the burn index."""
    sign = np.sign(denominator)
    return numerator * sign, denominator * sign, denominator != 0


def at(terms: Sum, i: int) -> int:
    """Row i of a sum of products, exactly (Python ints)."""
    return _int_sum(terms, i)


def estimate(numerator: Sum, denominator: Term, n: int) -> np.ndarray:
    """numerator / denominator per row in float64: a sort key or a chart position, never a decision."""
    return _estimate(numerator, n)[0] / _float(denominator, n)


_INT64_SAFE = 2.0**60  # an estimate below this (with _ERROR to spare) is an int64 value with room


def total(terms: Sum, denominator: Term, n: int, places: int) -> int:
    """The sum over rows of numerator / denominator, each rounded half away from zero to
    10^-places of its unit (places at most 6), added exactly: for totals.

    Each row is computed in int64 where float64 estimates show that every step fits (the
    products, num // den and its remainder times 10^places), else in Python ints; the row
    values are added as Python ints."""
    if not n:
        return 0
    assert 0 <= places <= 6
    scale = 10**places
    size = sum((np.abs(_float(term, n)) for term in terms), np.zeros(n))
    den_est = _float(denominator, n)
    safe = (
        (size < _INT64_SAFE)
        & (np.abs(den_est) < 2.0**40)  # 2 x remainder x 10^6 < 2^41 x 10^6 fits
        & (size / np.maximum(np.abs(den_est), 1.0) * scale < _INT64_SAFE)
    )
    result = 0
    if safe.any():
        result += _total_int64(terms, denominator, safe, scale)
    if not safe.all():
        result += _total_python(terms, denominator, ~safe, scale)
    return result


def _rows(factor: Factor, rows: np.ndarray) -> np.ndarray | int:
    return factor[rows] if isinstance(factor, np.ndarray) else int(factor)


def _total_int64(terms: Sum, denominator: Term, rows: np.ndarray, scale: int) -> int:
    m = int(rows.sum())

    def product(term: Term) -> np.ndarray:
        value = np.ones(m, dtype=np.int64)
        for factor in term:
            value = value * _rows(factor, rows)
        return value

    num = sum((product(term) for term in terms), np.zeros(m, dtype=np.int64))
    den = product(denominator)
    used = den > 0
    num, den = num[used], den[used]
    whole, rest = np.divmod(np.abs(num), den)
    rounded = whole * scale + (2 * rest * scale + den) // (2 * den)
    return int(np.where(num < 0, -rounded, rounded).astype(object).sum())


def _total_python(terms: Sum, denominator: Term, rows: np.ndarray, scale: int) -> int:
    m = int(rows.sum())

    def wide(term: Term) -> np.ndarray:
        value = np.ones(m, dtype=object)
        for factor in term:
            part = _rows(factor, rows)
            value = value * (part.astype(object) if isinstance(part, np.ndarray) else part)
        return value

    num = sum((wide(term) for term in terms), np.zeros(m, dtype=object)) * scale
    den = wide(denominator)
    used = den > 0
    num, den = num[used], den[used]
    rounded = (2 * np.abs(num) + den) // (2 * den)
    return int(np.where(num < 0, -rounded, rounded).sum())
