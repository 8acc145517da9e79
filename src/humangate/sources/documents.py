"""Read one document into sources: markdown and text, HTML, PDF and DOCX, with titles and anchors kept.

A document becomes one ``Source`` per part, so that a claim's citation points at a page or a section:
a PDF gives one per page (``report#page-3``), an HTML page or a DOCX file one per section under a
heading (``guide#pricing``) when it has several sections worth citing, and a markdown or text file one
for the whole file (``# Title`` as its title and a ``Source: URL`` line near the top as its URL). The id
before ``#`` names the document; the title says the document and the page or section.

A file that cannot be read (a malformed PDF, a DOCX that is no zip, a format humangate does not read, a
library that is not installed) raises ``SourceSkipped`` with the reason: a bad file never crashes a run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from humangate.core.schemas import Source
from humangate.errors import SourceSkipped
from humangate.sources.encoding import sniff_encoding
from humangate.sources.urls import url_problem

__all__ = [
    "DOCUMENT_SUFFIXES",
    "MAX_DOCUMENT_BYTES",
    "MEDIA_KINDS",
    "Document",
    "Part",
    "decode_text",
    "document_kind",
    "read_document",
    "slug",
]

DOCUMENT_SUFFIXES: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
"""File name endings humangate reads, and the kind of document each one is."""
MEDIA_KINDS: dict[str, str] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "text/plain": "text",
    "text/markdown": "markdown",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
"""Media types of fetched pages humangate reads, and the kind of document each one is."""
MAX_DOCUMENT_BYTES = 20_000_000
_MAX_TEXT = 200_000  # a Source's text limit
_MAX_PARTS = 40
_MIN_WORDS = 25  # a section shorter than this joins its neighbour: too little to cite on its own
_ID_ROOM = 150  # characters of a source id kept for the document, the rest for its anchor
_WEB_URL = re.compile(r"https?://[^\s<>\"'`\\{}|^]+", re.I)


@dataclass(frozen=True)
class Part:
    """A page or a section of a document: its anchor in the source id, its label, its text and URL fragment."""

    anchor: str
    label: str
    text: str
    fragment: str = ""


@dataclass(frozen=True)
class Document:
    """A document as read: its title, its parts in order, and notes on what was left out."""

    title: str
    parts: list[Part]
    notes: list[str] = field(default_factory=list)


def slug(text: str, limit: int = 48) -> str:
    """Return ``text`` as an anchor: lowercase letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")


def decode_text(data: bytes) -> str:
    """Decode a text file in the encoding ``sniff_encoding`` finds; bytes no encoding reads become U+FFFD."""
    return data.decode(sniff_encoding(data) or "utf-8", errors="replace")


def document_kind(name: str) -> str | None:
    """Return the kind of document a file name says (``pdf``, ``html``...), or None for one humangate does not read."""
    lower = name.lower()
    return next((kind for suffix, kind in DOCUMENT_SUFFIXES.items() if lower.endswith(suffix)), None)


def _web_url(value: str) -> bool:
    """Return whether ``value`` is one http(s) URL: no spaces, quotes or angle brackets, and it parses as one."""
    return bool(_WEB_URL.fullmatch(value)) and url_problem(value) is None


def _markdown(data: bytes) -> tuple[Document, str | None]:
    lines = decode_text(data).splitlines()
    title, url = "", None
    if lines and lines[0].startswith("# "):
        title, lines = lines[0][2:].strip(), lines[1:]
    for i, line in enumerate(lines[:3]):
        if line.lower().startswith("source:"):
            value = line.split(":", 1)[1].strip()
            if _web_url(value):  # anything else stays text: no check reads a url, and the model is shown it
                url, lines = value, lines[:i] + lines[i + 1 :]
            break
    return Document(title, [Part("", "", "\n".join(lines).strip())]), url


def _merged(parts: list[Part]) -> list[Part]:
    """Join sections too short to cite into a neighbour, and the tail of a very long document into its last part."""
    kept: list[Part] = []
    for part in parts:
        if not part.text.strip():
            continue
        if kept and len(part.text.split()) < _MIN_WORDS:
            last = kept[-1]
            kept[-1] = Part(last.anchor, last.label, f"{last.text}\n\n{part.label}\n\n{part.text}", last.fragment)
        else:
            kept.append(part)
    if len(kept) > 1 and len(kept[0].text.split()) < _MIN_WORDS:  # a short opening joins the first section
        first, second = kept[0], kept[1]
        kept[:2] = [Part(second.anchor, second.label, f"{first.text}\n\n{second.text}", second.fragment)]
    if len(kept) > _MAX_PARTS:
        tail = kept[_MAX_PARTS - 1 :]
        text = "\n\n".join(f"{p.label}\n\n{p.text}" for p in tail)
        kept[_MAX_PARTS - 1 :] = [Part(tail[0].anchor, f"{tail[0].label} and after", text, tail[0].fragment)]
    return kept


def _sources(doc: Document, doc_id: str, url: str | None) -> list[Source]:
    parts = [p for p in doc.parts if p.text.strip()]
    if not parts:
        raise SourceSkipped(doc_id, "has no text to read (a scanned PDF or an image? humangate does no OCR)")
    base = doc_id[:_ID_ROOM] if len(parts) > 1 else doc_id[:200]
    title = doc.title.strip()
    if len(parts) == 1:
        return [Source(id=base, title=title[:500], text=parts[0].text.strip()[:_MAX_TEXT], url=_url(url))]
    sources: list[Source] = []
    seen: set[str] = set()
    for number, part in enumerate(parts, start=1):
        anchor = part.anchor or f"part-{number}"
        if anchor in seen:
            anchor = f"{anchor[:40]}-{number}"
        seen.add(anchor)
        label = f"{title}, {part.label}" if title else part.label
        link = f"{url.split('#', 1)[0]}#{part.fragment}" if url and part.fragment else url
        sources.append(
            Source(
                id=f"{base}#{anchor}"[:200],
                title=label[:500],
                text=part.text.strip()[:_MAX_TEXT],
                url=_url(link),
            )
        )
    return sources


def _url(url: str | None) -> str | None:
    return url[:2_000] if url else None


def read_document(
    data: bytes, *, kind: str, doc_id: str, url: str | None = None, charset: str | None = None
) -> tuple[list[Source], list[str]]:
    """Return the sources of one document of ``kind`` (see ``DOCUMENT_SUFFIXES``) and notes on what was left out.

    ``doc_id`` names the document in source ids (``folder/stem`` or ``web/host/path``); ``url`` is where it
    came from. Raise ``SourceSkipped`` with the reason when it cannot be read.
    """
    if len(data) > MAX_DOCUMENT_BYTES:
        raise SourceSkipped(doc_id, f"is {len(data):,} bytes, more than the {MAX_DOCUMENT_BYTES:,} humangate reads")
    if kind in ("markdown", "text"):
        doc, found = _markdown(data)
        # One source per file, as before, even when it is empty: the brief counts it as a weak source.
        text = doc.parts[0].text[:_MAX_TEXT]
        return [Source(id=doc_id[:200], title=doc.title[:500], text=text, url=_url(url or found))], []
    if kind == "html":
        from humangate.sources.html import read_html

        doc = read_html(data, charset)
    elif kind == "pdf":
        from humangate.sources.office import read_pdf

        doc = read_pdf(data)
    elif kind == "docx":
        from humangate.sources.office import read_docx

        doc = read_docx(data)
    else:
        raise SourceSkipped(doc_id, f"is a {kind} file, which humangate does not read")
    parts = doc.parts if kind == "pdf" else _merged(doc.parts)  # a PDF's pages stay pages: they are its anchors
    return _sources(Document(doc.title, parts), doc_id, url), doc.notes
