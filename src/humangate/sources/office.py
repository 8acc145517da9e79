"""Read PDF files (pypdf, one part per page) and DOCX files (python-docx, one part per heading's section).

Both libraries come with the ``documents`` extra (``pip install 'humangate[documents]'``); without it such a
file is skipped with a sentence that says so. Whatever a library raises on a malformed file (its own
errors, a recursion in a crafted file, a bad zip) is caught here and becomes ``SourceSkipped`` with the
reason, so one bad file never stops a task. A DOCX is a zip: its unpacked size is checked before it is
opened, so a zip bomb is refused rather than inflated.
"""

from __future__ import annotations

import io
import re
import time
import zipfile

from humangate.errors import SourceSkipped
from humangate.risk._hidden_text import MIN_HIDDEN_WORDS, hidden_comment
from humangate.sources.documents import Document, Part, slug

__all__ = [
    "MAX_CHARACTERS",
    "MAX_OPERATORS",
    "MAX_PAGES",
    "READ_SECONDS",
    "READ_WALL_SECONDS",
    "ReadBudget",
    "read_docx",
    "read_pdf",
]

MAX_PAGES = 300
READ_SECONDS = 3.0
"""CPU seconds reading one document may take; the rest of it is skipped with a note a reviewer sees."""
READ_WALL_SECONDS = 15.0
"""Seconds on the clock reading one document may take, however busy the machine (a bound, not a measure)."""
MAX_OPERATORS = 500_000
"""Drawing operators of one PDF read at most (a page may draw the same heavy content stream as every other)."""
MAX_CHARACTERS = 4_000_000
"""Characters of text read from one document at most (a source keeps 200,000 per part, 40 parts)."""
_WORD = re.compile(r"[^\W\d_]{2,}")
_MAX_UNZIPPED = 100_000_000
_MAX_ENTRIES = 5_000
_EXTRA = "install the documents extra: pip install 'humangate[documents]'"


def _why(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class ReadBudget:
    """What reading one document may spend: CPU seconds (``READ_SECONDS``), PDF operators and characters."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = READ_SECONDS if seconds is None else seconds
        self.start = time.thread_time()
        self.wall = time.monotonic()
        self.operators = 0
        self.characters = 0
        self.out = False

    def check(self) -> bool:
        """Return True (and stay so) once the time, the operators or the characters are spent."""
        if not self.out:
            self.out = (
                time.thread_time() - self.start > self.seconds
                or time.monotonic() - self.wall > READ_WALL_SECONDS
                or self.operators > MAX_OPERATORS
                or self.characters > MAX_CHARACTERS
            )
        return self.out

    def note(self, what: str) -> str:
        return (
            f"reading it took more than its limit ({self.seconds:g} s of CPU, {MAX_OPERATORS:,} drawing operators "
            f"or {MAX_CHARACTERS:,} characters): only {what} were read, the rest was skipped"
        )


def _hidden_notes(found: dict[str, None]) -> list[str]:
    return [f"the document hides text from a human reader ({how}); it is kept as a marked comment" for how in found]


def _with_hidden(text: str, hidden: list[tuple[str, str]], found: dict[str, None]) -> str:
    """Return ``text`` with each hidden text long enough to be a finding appended as a marked comment."""
    blocks = [text.strip()] if text.strip() else []
    for how, words in hidden:
        if len(_WORD.findall(words)) >= MIN_HIDDEN_WORDS:
            blocks.append(hidden_comment(how, words))
            found[how] = None
    return "\n\n".join(blocks)


def read_pdf(data: bytes) -> Document:
    """Return a PDF's title (its metadata, else none) and one part per page with text.

    Text a page draws where a person cannot see it (invisible, background-coloured, off the page, too small)
    is kept as a marked comment that the injection checks report; an OCR layer over a scan is read as text.
    """
    try:
        from pypdf import PdfReader

        from humangate.sources._pdf_text import read_page
    except ImportError:
        raise SourceSkipped("PDF", f"is a PDF, and reading PDFs needs pypdf: {_EXTRA}") from None
    budget = ReadBudget()
    found: dict[str, None] = {}
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SourceSkipped("PDF", "is encrypted with a password")
        meta = reader.metadata
        title = str(meta.title or "") if meta is not None else ""
        parts: list[Part] = []
        notes: list[str] = []
        heavy: list[int] = []
        total = len(reader.pages)
        for number, page in enumerate(reader.pages, start=1):
            if number > MAX_PAGES:
                notes.append(f"only its first {MAX_PAGES} of {total} pages were read")
                break
            if budget.check():
                notes.append(budget.note(f"its first {number - 1} of {total} pages"))
                break
            read = read_page(page, budget)
            if read.skipped:
                heavy.append(number)
                continue
            text = _with_hidden(read.shown, read.hidden, found)
            parts.append(Part(f"page-{number}", f"page {number}", text, f"page={number}"))
            if read.cut:
                notes.append(budget.note(f"its first {number - 1} of {total} pages and part of page {number}"))
                break
        if heavy:
            notes.append(f"pages {', '.join(map(str, heavy[:20]))} draw too much to read in time and were skipped")
    except SourceSkipped:
        raise
    except Exception as exc:  # pypdf raises many kinds on malformed files; none may stop the task
        raise SourceSkipped("PDF", f"is not a readable PDF ({_why(exc)})") from None
    return Document(" ".join(title.split()), parts, _hidden_notes(found) + notes)


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SourceSkipped("DOCX", f"is not a readable DOCX file (it is no zip: {_why(exc)})") from None
    if len(entries) > _MAX_ENTRIES or sum(e.file_size for e in entries) > _MAX_UNZIPPED:
        raise SourceSkipped("DOCX", f"unpacks to more than {_MAX_UNZIPPED:,} bytes or {_MAX_ENTRIES:,} files")


def read_docx(data: bytes) -> Document:
    """Return a DOCX file's title (its properties, else its Title paragraph) and one part per heading's section.

    Runs Word does not show (hidden, background-coloured, 2 pt or less) are kept as a marked comment that the
    injection checks report; a document too long to read in time is read up to there, with a note.
    """
    try:
        import docx

        from humangate.sources._docx_text import MAX_BLOCKS, body_blocks
    except ImportError:
        raise SourceSkipped("DOCX", f"is a DOCX file, and reading them needs python-docx: {_EXTRA}") from None
    _check_zip(data)
    budget = ReadBudget()
    found: dict[str, None] = {}
    try:
        document = docx.Document(io.BytesIO(data))
        title = document.core_properties.title or ""
        read, cut = body_blocks(document, budget)
        parts: list[Part] = [Part("top", "opening", "")]
        blocks: list[str] = []
        for block in read:
            hidden = _with_hidden("", block.hidden, found)
            if block.kind == "title" and block.text and not title:
                title = block.text
            elif block.kind != "text" and block.text:
                parts[-1] = Part(parts[-1].anchor, parts[-1].label, "\n\n".join(blocks))
                parts.append(Part(slug(block.text) or f"section-{len(parts)}", block.text[:200], ""))
                blocks = []
            elif block.text:
                blocks.append(block.text)
            if hidden:
                blocks.append(hidden)
        parts[-1] = Part(parts[-1].anchor, parts[-1].label, "\n\n".join(blocks))
    except Exception as exc:  # python-docx and lxml raise many kinds on malformed files; none may stop the task
        raise SourceSkipped("DOCX", f"is not a readable DOCX file ({_why(exc)})") from None
    notes = _hidden_notes(found)
    if cut:
        what = f"its first {len(read):,} paragraphs and tables"
        notes.append(budget.note(what) if budget.out else f"only {what} were read (the limit is {MAX_BLOCKS:,})")
    return Document(" ".join(title.split()), parts, notes)
