"""Find the text encoding of a CSV or text file: byte-order mark, UTF-8, else the likeliest code page.

charset-normalizer lists the plausible encodings, but on a short file it cannot tell Western from Central
European code pages (``Zoë Lefèvre`` reads as ``Zoë Lefčvre`` in cp1250 as plausibly as in cp1252). So each
candidate is also scored by what its reading looks like: the share of its characters outside ASCII that
are letters (``£ukasz`` is Polish read in the wrong code page). Ties go to charset-normalizer's choice when
it is not a Latin code page (Cyrillic, Greek, Japanese...), else to cp1252, the Western one spreadsheets
save in. A very short file in a non-Latin script may still be misread; UTF-8 never is.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

__all__ = ["sniff_encoding"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LATIN = frozenset(
    {
        "cp1250",
        "cp1252",
        "cp1254",
        "cp1257",
        "cp1258",
        "cp437",
        "cp775",
        "cp850",
        "cp852",
        "cp858",
        "latin_1",
        "mac_latin2",
        "mac_roman",
        "mac_iceland",
        "mac_turkish",
        "iso8859_2",
        "iso8859_3",
        "iso8859_4",
        "iso8859_9",
        "iso8859_10",
        "iso8859_13",
        "iso8859_14",
        "iso8859_15",
        "iso8859_16",
    }
)
_SAMPLE = 200_000


def _decode(sample: bytes, name: str, whole: bool) -> str:
    try:
        return sample.decode(name)
    except UnicodeDecodeError as exc:
        if whole or exc.start < len(sample) - 4:
            raise
        return sample[: exc.start].decode(name)  # the sample cut a character in two


def _score(text: str) -> float:
    """Return the share of the characters outside ASCII that are letters (1.0 when there are none)."""
    outside = [c for c in text if ord(c) > 127 and not c.isspace()]
    return sum(c.isalpha() for c in outside) / len(outside) if outside else 1.0


def sniff_encoding(data: bytes) -> str | None:
    """Return the encoding of ``data``: its byte-order mark, UTF-8 when it decodes, else the likeliest code page.

    None when no encoding reads it.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    sample = data[:_SAMPLE]
    found = [m.encoding for m in from_bytes(sample)]
    order = [*found[:1]] if found and found[0] not in _LATIN else []
    order += [e for e in ["cp1252", *found] if e not in order]
    readings: list[tuple[float, int, str]] = []
    for rank, name in enumerate(order):
        try:
            readings.append((_score(_decode(sample, name, len(sample) == len(data))), -rank, name))
        except (UnicodeDecodeError, LookupError):
            continue
    return max(readings)[2] if readings else None
