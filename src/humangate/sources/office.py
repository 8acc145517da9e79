"""Read PDF files (pypdf, one part per page) and DOCX files (python-docx, one part per heading's section).

Both libraries come with the ``documents`` extra (``pip install 'humangate[documents]'``); without it such a
file is skipped with a sentence that says so. Whatever a library raises on a malformed file (its own
errors, a recursion in a crafted file, a bad zip) is caught here and becomes ``SourceSkipped`` with the
reason, so one bad file never stops a task. A DOCX is a zip: its unpacked size is checked before it is
opened, so a zip bomb is refused rather than inflated.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from humangate.errors import SourceSkipped
from humangate.sources.documents import Document, Part, slug

__all__ = ["MAX_PAGES", "read_docx", "read_pdf"]

MAX_PAGES = 300
_MAX_UNZIPPED = 100_000_000
_MAX_ENTRIES = 5_000
_EXTRA = "install the documents extra: pip install 'humangate[documents]'"


def _why(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def read_pdf(data: bytes) -> Document:
    """Return a PDF's title (its metadata, else none) and one part per page with text."""
    try:
        from pypdf import PdfReader
    except ImportError:
        raise SourceSkipped("PDF", f"is a PDF, and reading PDFs needs pypdf: {_EXTRA}") from None
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SourceSkipped("PDF", "is encrypted with a password")
        meta = reader.metadata
        title = str(meta.title or "") if meta is not None else ""
        parts: list[Part] = []
        for number, page in enumerate(reader.pages, start=1):
            if number > MAX_PAGES:
                break
            parts.append(Part(f"page-{number}", f"page {number}", page.extract_text() or "", f"page={number}"))
        notes = (
            [f"only its first {MAX_PAGES} of {len(reader.pages)} pages were read"]
            if len(reader.pages) > MAX_PAGES
            else []
        )
    except SourceSkipped:
        raise
    except Exception as exc:  # pypdf raises many kinds on malformed files; none may stop the task
        raise SourceSkipped("PDF", f"is not a readable PDF ({_why(exc)})") from None
    return Document(" ".join(title.split()), parts, notes)


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SourceSkipped("DOCX", f"is not a readable DOCX file (it is no zip: {_why(exc)})") from None
    if len(entries) > _MAX_ENTRIES or sum(e.file_size for e in entries) > _MAX_UNZIPPED:
        raise SourceSkipped("DOCX", f"unpacks to more than {_MAX_UNZIPPED:,} bytes or {_MAX_ENTRIES:,} files")


def _heading(paragraph: Any) -> bool:
    style = paragraph.style.name if paragraph.style is not None else ""
    return bool(style) and (style == "Title" or style.startswith(("Heading 1", "Heading 2", "Heading 3")))


def read_docx(data: bytes) -> Document:
    """Return a DOCX file's title (its properties, else its Title paragraph) and one part per heading's section."""
    try:
        import docx
        from docx.table import Table
    except ImportError:
        raise SourceSkipped("DOCX", f"is a DOCX file, and reading them needs python-docx: {_EXTRA}") from None
    _check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
        title = document.core_properties.title or ""
        parts: list[Part] = [Part("top", "opening", "")]
        blocks: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                rows = [" | ".join(cell.text.strip() for cell in row.cells) for row in block.rows]
                blocks.append("\n".join(r for r in rows if r.strip(" |")))
                continue
            text = " ".join(block.text.split())
            if not text:
                continue
            if _heading(block):
                if block.style is not None and block.style.name == "Title" and not title:
                    title = text
                    continue
                parts[-1] = Part(parts[-1].anchor, parts[-1].label, "\n\n".join(blocks))
                parts.append(Part(slug(text) or f"section-{len(parts)}", text[:200], ""))
                blocks = []
            else:
                blocks.append(text)
        parts[-1] = Part(parts[-1].anchor, parts[-1].label, "\n\n".join(blocks))
    except Exception as exc:  # python-docx and lxml raise many kinds on malformed files; none may stop the task
        raise SourceSkipped("DOCX", f"is not a readable DOCX file ({_why(exc)})") from None
    return Document(" ".join(title.split()), parts)
