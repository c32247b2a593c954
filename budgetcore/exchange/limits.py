"""The limits of what an import reads, one table for every input (docs/importing.md shows it).

They keep one upload or file from taking the server's memory or time: a file
is refused with a plain message naming the limit before it is read further.
An .xlsx is a zip archive; its sizes are checked from the archive's directory
before any XML is parsed, so a small file that expands to gigabytes (a zip
bomb) costs nothing. .streamlit/config.toml sets server.maxUploadSize and
server.maxMessageSize to UPLOAD_MB (tests/test_limits.py holds them equal).
"""

from __future__ import annotations

import zipfile
from typing import IO

from budgetcore.i18n import N_

MB = 1 << 20
UPLOAD_MB = 200  # one file uploaded on the Import page, in MB (Streamlit's server.maxUploadSize)
FILE_BYTES = 2048 * MB  # one file read by the command line
XLSX_UNPACKED_BYTES = 512 * MB  # every member of an .xlsx together, unpacked
XLSX_MEMBER_BYTES = 128 * MB  # one member (a sheet's XML, the shared strings), unpacked
XLSX_RATIO = 100  # unpacked / packed size of a member larger than 1 MB; real workbooks stay below 30
CELL_CHARS = 10_000  # characters in one cell, CSV and .xlsx alike (the longest column holds 200)
ROWS = 20_000_000  # rows in one file or sheet
COLUMNS = 500  # columns in one file or sheet, header and rows (the exchange format has at most 17)
HEADER_CHARS = 50_000  # characters of a CSV's header line, read before it is split
CELLS = 400_000_000  # rows x columns in one file or sheet
EXCERPT = 100  # characters of a bad value a message repeats

MESSAGES = (  # every template a LimitError carries, for the Dutch catalog
    N_("the file is larger than {limit} MB"),
    N_("the workbook unpacks to more than {limit} MB"),
    N_("the workbook's part {part} unpacks to more than {limit} MB"),
    N_(
        "the workbook's part {part} unpacks {ratio} times its packed size (at most {limit}): not a real workbook"
    ),
    "a cell holds more than {limit} characters",
    N_("more than {limit} rows: split the file"),
    N_("more than {limit} cells: split the file"),
    N_("the header row is longer than {limit} characters"),
    N_("more than {limit} columns: the exchange format has at most a few dozen"),
)


class LimitError(ValueError):
    """An input beyond a limit: an English message template and its values, for translation."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = {k: f"{v:,}" if isinstance(v, int) else str(v) for k, v in params.items()}
        super().__init__(template.format(**self.params))


def check_size(size: int | None, limit_bytes: int) -> None:
    """Refuse a file of more than limit_bytes bytes (size None: not known, not checked)."""
    if size is not None and size > limit_bytes:
        raise LimitError("the file is larger than {limit} MB", limit=limit_bytes // MB)


def check_workbook(stream: IO[bytes]) -> None:
    """Refuse an .xlsx whose members unpack beyond the limits, from the zip directory alone.

    stream must be seekable; it is left at its start. Not a zip: left to openpyxl to say so.
    """
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    finally:
        stream.seek(0)
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > XLSX_MEMBER_BYTES:
            raise LimitError(
                "the workbook's part {part} unpacks to more than {limit} MB",
                part=member.filename[:60],
                limit=XLSX_MEMBER_BYTES // MB,
            )
        if member.file_size > MB and member.file_size > XLSX_RATIO * max(member.compress_size, 1):
            raise LimitError(
                "the workbook's part {part} unpacks {ratio} times its packed size (at most {limit}): "
                "not a real workbook",
                part=member.filename[:60],
                ratio=member.file_size // max(member.compress_size, 1),
                limit=XLSX_RATIO,
            )
    if total > XLSX_UNPACKED_BYTES:
        raise LimitError("the workbook unpacks to more than {limit} MB", limit=XLSX_UNPACKED_BYTES // MB)


def check_rows(rows: int, width: int) -> None:
    """Refuse a file once it passes ROWS rows or CELLS cells (width: cells per row)."""
    if rows > ROWS:
        raise LimitError("more than {limit} rows: split the file", limit=ROWS)
    if rows * max(width, 1) > CELLS:
        raise LimitError("more than {limit} cells: split the file", limit=CELLS)


def check_width(width: int) -> None:
    """Refuse a header or a row of more than COLUMNS cells (before anything per column is done)."""
    if width > COLUMNS:
        raise LimitError(
            "more than {limit} columns: the exchange format has at most a few dozen", limit=COLUMNS
        )


def excerpt(value: str | None, limit: int = EXCERPT) -> str | None:
    """At most limit characters of a value, '…' marking a cut."""
    if value is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…"
