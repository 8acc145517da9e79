"""Read a CSV file of items whatever its delimiter and encoding: the one reader ``humangate run`` and the panel use.

Spreadsheets save CSV as they please: semicolons where the decimal mark is a comma, tabs, Windows code
pages, UTF-16 with a byte-order mark, an Excel ``sep=;`` first line. The encoding is found as
``humangate.sources.encoding`` says; the delimiter from the header line and the first rows
(``csv.Sniffer`` among , ; tab and |, else the one the header holds most).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from humangate.errors import InvalidInputError
from humangate.sources.encoding import sniff_encoding

__all__ = ["MAX_CSV_BYTES", "read_csv_rows", "sniff_delimiter"]

MAX_CSV_BYTES = 50_000_000
_DELIMITERS = ",;\t|"


def sniff_delimiter(text: str) -> str:
    """Return the delimiter of CSV ``text``: comma, semicolon, tab or bar."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    try:
        found = csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        found = ""
    header = lines[0]
    counts = {d: header.count(d) for d in _DELIMITERS}
    # The sniffer can pick a character that only occurs in values; the header names every column once.
    if found and counts.get(found, 0) > 0:
        return found
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_csv_rows(path: str | Path, *, name: str | None = None) -> list[dict[str, Any]]:
    """Return the rows of the CSV file at ``path`` as dicts keyed by its header.

    Raise ``InvalidInputError`` naming the file and the fix when it cannot be read or has no rows.
    """
    label = name or str(path)
    try:
        with Path(path).open("rb") as fh:
            data = fh.read(MAX_CSV_BYTES + 1)
    except OSError as exc:
        raise InvalidInputError(f"Cannot read {label}: {exc.strerror or exc}.") from None
    if len(data) > MAX_CSV_BYTES:
        raise InvalidInputError(f"{label} is larger than {MAX_CSV_BYTES // 1_000_000} MB; split it into smaller files.")
    encoding = sniff_encoding(data)
    if encoding is None:
        raise InvalidInputError(f"Cannot tell the text encoding of {label}; save it as UTF-8 and try again.")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InvalidInputError(f"{label} is not readable text ({exc}); save it as UTF-8 and try again.") from None
    text = text.lstrip("\ufeff")
    first, _, rest = text.partition("\n")
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:  # Excel's "sep=;" line
        delimiter, text = first.strip()[4], rest
    else:
        delimiter = sniff_delimiter(text)
    try:
        rows = [dict(r) for r in csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise InvalidInputError(f"{label} is not a readable CSV file: {exc}.") from None
    if not rows:
        raise InvalidInputError(f"{label} has no rows under its header.")
    return rows
