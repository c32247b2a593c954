"""Reading the canonical CSV export a column at a time: chunks of whole lines, each column converted once.

The row-wise path (importing.RowValidator: exchange.parse_value per cell, then
the cross-file rules) stays the one that words every message. This module only
decides, a whole column at a time, which cells are certainly fine in their
canonical form (`1234.56`, `2026-03-31`, plain text, an exact word) and
converts those; a row with any other cell goes to the row-wise path with the
very cells the csv module reads, so messages stay exactly as they are.

A chunk is a run of whole lines of the file (cut at a newline). pyarrow reads
it when it is quote-free; the csv module otherwise. A chunk is used only when
each of its lines is exactly one record (no quoted line break, no stray
carriage return); from the first chunk that is not, the rest of the file is
read row by row, so row numbers stay those of the csv module.

Chunks are read and converted one ahead, in a second thread: pyarrow does
both without holding the GIL, so they overlap the screening and writing of
the chunk before. That thread touches only the file, never the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from budgetcore.exchange import limits
from budgetcore.exchange.encodings import UTF8_ERRORS, decode_utf8
from budgetcore.exchange.formats import (
    FIRST_YEAR,
    LAST_YEAR,
    VALUE_WORDS,
    Cell,
    Column,
    SourceTable,
    csv_rows,
)

# a file of fewer rows (as its size estimates them) is read row by row: the columnar reader's
# start (pyarrow's conversions import pandas, 0.15 s) costs more than it saves below about this
# many rows, and a cron job's or an upload's small import stays under a second (docs/performance.md)
COLUMNAR_ROWS = 10_000
CHUNK_BYTES = 8 << 20  # bytes of whole lines read at a time: ~100,000 rows, a few tens of MB as columns
AHEAD = 1  # chunks read and converted ahead of the one being screened and written (memory: ~1 chunk)

# Python's str.strip() and isspace() characters; a cell starting or ending with one takes the row-wise path
_SPACE = r"[\t-\r\x{1c}- \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
_BAD_CHARACTER = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{7f}-\x{9f}\x{fffd}]"  # exchange._BAD_CHARACTER in RE2
_ODD_TEXT = f"^{_SPACE}|{_SPACE}$|{_BAD_CHARACTER}"  # text that parse_value strips or refuses
_NUMBER = r"^-?[0-9]{1,12}(\.[0-9]{1,6})?$"  # whole millionths, far inside int64
_WHOLE = r"^-?[0-9]{1,12}$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_SEPARATOR_HINT = re.compile(rb"^(\xef\xbb\xbf)?sep=.\r?\n?$")  # as exchange.open_csv reads it
UNITS = 1_000_000  # millionths, what models.Fixed stores


@dataclass
class Converted:
    """One column of a chunk: which cells are fine (ok), which are empty, and their values.

    strings are the cells as read; units (decimal, in millionths; int, whole)
    and days (date, days since 1970-01-01) are numpy arrays, 0 where empty or
    not ok; words holds the canonical word (category, type, bool) per cell.
    """

    column: Column
    strings: pa.Array
    ok: np.ndarray
    empty: np.ndarray
    units: np.ndarray | None = None
    days: np.ndarray | None = None
    words: list[object] | None = None

    def values(self) -> list[object]:
        """The cells as exchange.parse_value returns them; None where empty or not ok."""
        kind = self.column.kind
        if kind not in _PARSE:
            return [w if fine else None for w, fine in zip(self.words, self.ok.tolist(), strict=True)]  # type: ignore[arg-type]
        parse = _PARSE[kind]
        cells = zip(self.strings.to_pylist(), self.ok.tolist(), strict=True)
        return [parse(s) if fine and s else None for s, fine in cells]

    def stored(self) -> list[object]:
        """The cells as the writer stores them: text, ISO date text, integer millionths; None when empty."""
        if self.column.kind == "decimal":
            return [None if e else u for u, e in zip(self.units.tolist(), self.empty.tolist(), strict=True)]  # type: ignore[union-attr]
        if self.column.kind in ("text", "date"):  # a date's canonical text is its ISO form
            return [s or None for s in self.strings.to_pylist()]
        return self.values()


_PARSE = {"text": str, "decimal": Decimal, "int": int, "date": dt.date.fromisoformat}
"""kind -> what parse_value makes of a canonical cell; words have their own table."""


def convert(column: Column, strings: pa.Array) -> Converted:
    """Screen and convert one column of a chunk (cells as read, text)."""
    empty = pc.equal(strings, "").to_numpy(zero_copy_only=False)
    converted = Converted(column, strings, ~empty, empty)
    kind = column.kind
    if kind == "text":  # numbers, dates and words have shapes without spaces or odd characters
        odd = pc.match_substring_regex(strings, _ODD_TEXT).to_numpy(zero_copy_only=False)
        converted.ok &= ~odd
        if column.max_length is not None:
            converted.ok &= pc.utf8_length(strings).to_numpy(zero_copy_only=False) <= column.max_length
    elif kind in ("decimal", "int"):
        _numbers(converted, _NUMBER if kind == "decimal" else _WHOLE, UNITS if kind == "decimal" else 1)
    elif kind == "date":
        _dates(converted)
    else:
        _words(converted, VALUE_WORDS[kind])
    if not column.required:
        converted.ok |= empty  # an empty optional cell is None; a blank one ('  ') takes the row-wise path
    return converted


def _numbers(converted: Converted, pattern: str, scale: int) -> None:
    """Cells of pattern's shape, in [minimum, maximum), as integers of 1/scale (exact: at most 6 places)."""
    strings = converted.strings
    shaped = pc.match_substring_regex(strings, pattern)
    exact = pc.cast(pc.if_else(shaped, strings, "0"), pa.decimal128(18, 6))
    units = pc.cast(pc.multiply(exact, pa.scalar(scale, pa.decimal128(7, 0))), pa.int64()).to_numpy()
    ok = shaped.to_numpy(zero_copy_only=False)
    column = converted.column
    if column.minimum is not None:
        ok &= units >= int(column.minimum * scale)
    if column.maximum is not None:
        ok &= units < int(column.maximum * scale)
    converted.ok &= ok
    converted.units = np.where(converted.ok, units, 0)


def _dates(converted: Converted) -> None:
    """Cells YYYY-MM-DD of a day that exists, years FIRST_YEAR-LAST_YEAR; days since 1970-01-01."""
    strings = converted.strings
    shaped = pc.match_substring_regex(strings, _DATE)
    safe = pc.if_else(shaped, strings, "1970-01-01")
    moment = pc.strptime(safe, format="%Y-%m-%d", unit="s", error_is_null=True)
    # strptime takes 2026-02-30 for 2026-03-02: the day must be the one written
    written = pc.cast(pc.utf8_slice_codeunits(safe, 8, 10), pa.int64())
    year = pc.year(moment)
    ok = pc.and_(
        pc.and_(shaped, pc.equal(pc.day(moment), written)),
        pc.and_(pc.greater_equal(year, FIRST_YEAR), pc.less_equal(year, LAST_YEAR)),
    )
    converted.ok &= pc.fill_null(ok, False).to_numpy(zero_copy_only=False)
    days = pc.cast(pc.cast(pc.fill_null(moment, 0), pa.date32()), pa.int32())
    converted.days = np.where(converted.ok, days.to_numpy(zero_copy_only=False), 0).astype(np.int64)


def _words(converted: Converted, words: dict[str, object]) -> None:
    keys = list(words)
    index = pc.index_in(pc.ascii_lower(converted.strings), value_set=pa.array(keys))
    converted.ok &= index.is_valid().to_numpy(zero_copy_only=False)
    converted.words = [None if i is None else words[keys[i]] for i in index.to_pylist()]


# -- chunks --------------------------------------------------------------------


@dataclass
class Chunk:
    """Whole lines of the file, one record each: first_row is the first one's row number.

    odd marks rows whose cell count differs from the header's (they take the
    row-wise path); records holds the csv module's cells when it read the chunk.
    """

    first_row: int
    columns: list[pa.Array]  # every header column, text
    rows: int
    odd: np.ndarray
    records: list[list[str]] | None = None
    converted: dict[str, Converted] | None = None  # the mapped columns by name, as convert() gives them

    def cells(self, index: int) -> list[Cell]:
        """Row index's cells exactly as the csv module reads them."""
        if self.records is not None:
            return self.records[index]  # type: ignore[return-value]
        return [c[index].as_py() for c in self.columns]


def usable(table: SourceTable) -> bool:
    """Whether table is a CSV the columnar reader can take and pays off for: UTF-8, commas, decimal
    points, and COLUMNAR_ROWS rows or more (or a size unknown)."""
    return (
        table.raw is not None
        and (table.expected_rows is None or table.expected_rows >= COLUMNAR_ROWS)
        and table.encoding in ("utf-8", "utf-8-sig")
        and table.delimiter == ","
        and not table.decimal_comma
        and len(table.headers) >= 2
    )


def read(table: SourceTable) -> Iterator[Chunk | Iterator[tuple[int, list[Cell]]]]:
    """The table's chunks, each with its mapped columns converted; when one is not a record per
    line, the rest as rows (and nothing after). Read AHEAD chunks ahead in a second thread; an
    error reading the file is raised here, after the chunks before it."""
    return _ahead(_chunks(table), AHEAD)


def _ahead(parts: Iterator, depth: int) -> Iterator:
    """parts, made in a second thread at most depth items ahead of the consumer.

    The thread stops when the consumer does (the generator closed, an error), and
    is gone before this generator is: the file is never read by two threads.
    """
    ready: queue.Queue = queue.Queue(depth)
    stop = threading.Event()
    done = object()

    def make() -> None:
        try:
            for part in parts:
                if stop.is_set():
                    return
                ready.put((part, None))
            ready.put((done, None))
        except BaseException as exc:  # raised on the consumer's side, in its place in the order
            ready.put((None, exc))

    thread = threading.Thread(target=make, name="columnar-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            part, error = ready.get()
            if error is not None:
                raise error
            if part is done:
                return
            yield part
    finally:
        stop.set()
        while thread.is_alive():  # a put waiting for room is let through, then sees stop
            try:
                ready.get_nowait()
            except queue.Empty:
                thread.join(0.01)


def _chunks(table: SourceTable) -> Iterator[Chunk | Iterator[tuple[int, list[Cell]]]]:
    raw = table.raw
    assert raw is not None
    raw.seek(0)
    if _SEPARATOR_HINT.match(raw.readline()):  # Excel's separator hint: the header is the next line
        raw.readline()
    width = len(table.headers)
    row = 2  # the header is row 1, as in exchange.csv_rows
    carry = b""
    while True:
        start = raw.tell() - len(carry)
        block = raw.read(CHUNK_BYTES)
        data = carry + block
        if not data:
            return
        cut = data.rfind(b"\n") + 1 if block else len(data)
        if cut == 0:  # one line longer than a chunk: read on
            carry = data
            continue
        data, carry = data[:cut], data[cut:]
        chunk = _chunk(data, row, width)
        limits.check_rows(row - 2 + (chunk.rows if chunk is not None else 0), width)
        if chunk is None:
            raw.seek(start)
            text = io.TextIOWrapper(raw, encoding="utf-8", errors=UTF8_ERRORS, newline="")
            yield csv_rows(text, ",", row - 1)
            return
        chunk.converted = {
            column.name: convert(column, chunk.columns[i]) for i, column in table.mapping.items()
        }
        yield chunk
        row += chunk.rows


def _chunk(data: bytes, first_row: int, width: int) -> Chunk | None:
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if b'"' not in data and b"\x00" not in data:  # quotes and NUL: the csv module's rules
        try:
            table = pa_csv.read_csv(
                io.BytesIO(data),
                read_options=pa_csv.ReadOptions(column_names=[f"c{i}" for i in range(width)]),
                parse_options=pa_csv.ParseOptions(ignore_empty_lines=False),
                convert_options=pa_csv.ConvertOptions(
                    column_types={f"c{i}": pa.string() for i in range(width)},
                    strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, UnicodeError):
            table = None  # a row with another cell count, bytes that are not UTF-8: the csv module reads it
        if table is not None and table.num_rows == lines:
            columns = [table.column(i).combine_chunks() for i in range(width)]
            return Chunk(first_row, columns, lines, _long_cells(columns, lines))
    try:
        # strict: a chunk that ends inside a quoted cell is an error here, not a short record
        records = list(csv.reader(io.StringIO(decode_utf8(data), newline=""), strict=True))
    except csv.Error:
        return None
    if len(records) != lines:
        return None
    limits.check_width(max(map(len, records), default=0))  # a row far wider than the header
    odd = np.array([len(r) != width for r in records], dtype=bool)
    columns = [pa.array([r[i] if i < len(r) else "" for r in records], pa.string()) for i in range(width)]
    return Chunk(first_row, columns, lines, odd | _long_cells(columns, lines), records)


def _long_cells(columns: list[pa.Array], lines: int) -> np.ndarray:
    """Rows with a cell beyond limits.CELL_CHARS: the row-wise path refuses them, as the csv module does."""
    long = np.zeros(lines, dtype=bool)
    for column in columns:
        long |= pc.utf8_length(column).to_numpy(zero_copy_only=False) > limits.CELL_CHARS
    return long
