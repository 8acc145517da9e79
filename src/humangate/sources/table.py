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
from humangate.sources.columns import column_key, column_problem
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

    Raise ``InvalidInputError`` naming the file and the fix when it cannot be read or has no rows, and,
    naming the line, when it holds a NUL, its header names one column twice or names a column with invisible
    or look-alike characters (``sources.columns``). A row with more cells than
    the header keeps the surplus in its last column: no cell is dropped.
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
    if (nul := text.find("\x00")) >= 0:
        raise InvalidInputError(
            f"{label} line {text.count(chr(10), 0, nul) + 1} holds a NUL character, which no text has; "
            "save the file as CSV text (UTF-8) and try again."
        )
    first, _, rest = text.partition("\n")
    skipped = 0  # lines before the header, so errors name the line as the file numbers it
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:  # Excel's "sep=;" line
        delimiter, text, skipped = first.strip()[4], rest, 1
    else:
        delimiter = sniff_delimiter(text)
    try:
        rows = _rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), label, skipped)
    except csv.Error as exc:
        raise InvalidInputError(f"{label} is not a readable CSV file: {exc}.") from None
    if not rows:
        raise InvalidInputError(f"{label} has no rows under its header.")
    return rows


def _rows(reader: Any, label: str, skipped: int) -> list[dict[str, Any]]:
    """Return the records of ``reader`` keyed by its header, as ``csv.DictReader`` would, but losing no cell.

    Raise ``InvalidInputError`` naming the line for a header with two columns of one name (a row would keep
    only one of the two values) or with a name that reads as another (``column_problem``). A row with more
    cells than the header (a comma typed in free text, not quoted) keeps its surplus in the last column,
    joined by the delimiter as it was written, where ``csv.DictReader`` would file it under ``None`` for a
    reader to drop.
    """
    header: list[str] = next((cells for cells in reader if cells), [])  # the first line that is not blank
    while len(header) > 1 and not header[-1].strip():
        header.pop()  # trailing delimiters name no column: what a row has there goes to the last named one
    seen: dict[str, str] = {}
    for column in header:
        if problem := column_problem(column):
            raise InvalidInputError(
                f"{label} line {reader.line_num + skipped}: the header's column {column!r} {problem}. Retype the "
                "column's name in plain letters and try again."
            )
        folded = column_key(column)
        if folded and folded in seen:
            raise InvalidInputError(
                f"{label} line {reader.line_num + skipped}: the header names the column {seen[folded]!r} twice"
                + (f" (as {column!r})" if column != seen[folded] else "")
                + "; a row would be read under only one of them. Rename or remove one column and try again."
            )
        seen.setdefault(folded, column)
    rows: list[dict[str, Any]] = []
    delimiter = reader.dialect.delimiter
    for cells in reader:
        if not cells:
            continue  # a blank line, skipped as csv.DictReader skips it
        while len(cells) > len(header) and not cells[-1].strip():
            cells.pop()  # empty cells past the header: a spreadsheet's trailing delimiters
        if len(cells) > len(header):
            cells[len(header) - 1 :] = [delimiter.join(cells[len(header) - 1 :])]
        rows.append({column: cells[i] if i < len(cells) else None for i, column in enumerate(header)})
    return rows
