"""Read an item's sources only inside the folder the user gave: no paths from item data, no links out, no "..".

A task's items come from a CSV (possibly uploaded by a reviewer in the panel), a folder of sources or
the task text, so an item's fields are untrusted: a ``source_dir`` column is never read, and a
``sources`` value names a sub-folder of the given folder only. Every path is resolved before it is
read; a sub-folder or a file that resolves outside the folder (a symlink out, an absolute path, "..")
is refused, and each refusal is returned as a sentence for the user while the item keeps the sources
that were allowed. A file that is not a document humangate reads, that cannot be read, or whose name holds a
control, zero-width or bidi character, is skipped and listed with the reason. A sources value with a control
character (a NUL) is not a mistyped folder but a cell that is not text: the task is refused, naming the item.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from humangate.core.schemas import Source
from humangate.errors import InvalidInputError, SourceSkipped
from humangate.sources.documents import DOCUMENT_SUFFIXES, MAX_DOCUMENT_BYTES, document_kind, read_document

__all__ = ["FolderReading", "item_sources", "read_folder"]

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# What no file name shown to a reviewer may hold: controls (a line break starts a line of its own in a listing or a
# prompt), line separators, zero-width and bidi characters ("report\u202efdp.md" shows as "reportdm.pdf").
_UNSEEN_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_NAME_MAX = 255  # bytes in one file or folder name on Linux, macOS and Windows file systems


@dataclass
class FolderReading:
    """What reading a folder gave: its sources, and each file skipped with the reason."""

    sources: list[Source] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_folder(folder: Traversable, entries: list[Traversable] | None = None) -> FolderReading:
    """Read the documents of ``folder`` (or only ``entries`` of it) as sources with ids ``<folder>/<file stem>``.

    Files humangate does not read, files it cannot read and sub-folders are listed in ``skipped``.
    """
    reading = FolderReading()
    items = sorted(folder.iterdir() if entries is None else entries, key=lambda p: p.name)
    for item in items:
        if bad := _UNSEEN_NAME.search(item.name):
            reading.skipped.append(
                f"the file {item.name!r} was skipped: its name holds the character U+{ord(bad.group()):04X}, which "
                "hides or reorders what a reader sees of it; rename the file"
            )
            continue
        if item.is_dir():
            reading.skipped.append(f"the folder {item.name!r} was not read: only files directly in it are read")
            continue
        kind = document_kind(item.name)
        if kind is None:
            known = ", ".join(DOCUMENT_SUFFIXES)
            reading.skipped.append(f"the file {item.name!r} was skipped: humangate reads {known} files")
            continue
        stem = item.name.rsplit(".", 1)[0]
        try:
            if isinstance(item, Path) and item.stat().st_size > MAX_DOCUMENT_BYTES:
                raise SourceSkipped(item.name, f"is larger than the {MAX_DOCUMENT_BYTES:,} bytes humangate reads")
            sources, notes = read_document(item.read_bytes(), kind=kind, doc_id=f"{folder.name}/{stem}")
        except SourceSkipped as exc:
            reading.skipped.append(f"the file {item.name!r} was skipped: it {exc.reason}")
            continue
        except OSError as exc:
            reading.skipped.append(f"the file {item.name!r} was skipped: it could not be read ({exc.strerror or exc})")
            continue
        reading.sources.extend(sources)
        reading.skipped.extend(f"the file {item.name!r}: {note}" for note in notes)
    return reading


def _inside(root: Path, name: str) -> tuple[Path | None, str | None]:
    """Return the resolved sub-folder ``name`` of ``root``, or why it is refused."""
    if bad := _CONTROL.search(name):
        # A NUL makes the path unusable (the operating system cuts it there); any control is no folder name.
        return None, f"it holds the control character U+{ord(bad.group()):04X}, which no folder name has"
    raw = Path(name)
    if any(len(os.fsencode(part)) > _NAME_MAX for part in raw.parts):
        return None, f"a folder name is at most {_NAME_MAX} bytes long"
    if raw.is_absolute() or name.startswith(("~", "\\")):
        return None, "it is an absolute path, and only sub-folders of the sources folder are read"
    if ".." in raw.parts or ".." in Path(name.replace("\\", "/")).parts:
        return None, "it climbs out with '..'"
    try:
        resolved = (root / raw).resolve()
    except OSError as exc:  # the reason only: never the server's path
        return None, f"it cannot be looked up ({exc.strerror or type(exc).__name__})"
    if not resolved.is_relative_to(root):
        return None, "it is a link to a folder outside the sources folder"
    return resolved, None


def _read(folder: Path, root: Path, where: str, refused: list[str], skipped: list[str]) -> list[Source]:
    """Read ``folder``'s files, refusing any that resolve outside ``root``."""
    allowed: list[Traversable] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.resolve().is_relative_to(root):
            refused.append(f"{where}: the file {entry.name!r} was not read: it links outside the sources folder.")
            continue
        allowed.append(entry)
    reading = read_folder(folder, allowed)
    skipped.extend(f"{where}: {note}." for note in reading.skipped)
    return reading.sources


def _label(value: str) -> str:
    return value if len(value) <= 80 else value[:77] + "..."


def item_sources(
    item: Mapping[str, Any], names: list[str], root: Path | None, where: str, skipped: list[str] | None = None
) -> tuple[list[Source], list[str]]:
    """Return the sources of one item and what was refused, reading only inside ``root``.

    ``names`` are the sub-folders to try in order (the item's ``sources`` value, then the company's
    slug); without a matching sub-folder, a folder with no sub-folders is read for every item. Files
    skipped (not documents, unreadable) are added to ``skipped`` with the reason. A name with a control
    character (a NUL) is no folder name: ``InvalidInputError`` names the item.
    """
    refused: list[str] = []
    skipped = [] if skipped is None else skipped
    value = next((v for k, v in item.items() if str(k).strip().lower() == "source_dir"), None)
    if isinstance(value, str) and value.strip():
        refused.append(
            f"{where}: the source_dir value {_label(value.strip())!r} was not read: item data cannot name a folder "
            "on the server; give the folder with --source (or upload the files) and name a sub-folder in a "
            "sources column."
        )
    if root is None:
        return [], refused
    root = root.resolve()
    for name in (n for n in names if n):
        if bad := _CONTROL.search(name):
            # Not a folder name mistyped but a cell that is not text: the task stops here, naming the row.
            raise InvalidInputError(
                f"{where}: the sources value {_label(name)!r} holds the control character U+{ord(bad.group()):04X}, "
                "which no folder name has. Fix that cell (name a sub-folder of the sources folder) and try again."
            )
        folder, why = _inside(root, name)
        if folder is not None:
            try:
                if not folder.is_dir():
                    continue
                return _read(folder, root, where, refused, skipped), refused
            except OSError as exc:  # the reason only: never the server's path
                why = f"it cannot be read ({exc.strerror or type(exc).__name__})"
        refused.append(f"{where}: the sources folder {_label(name)!r} was not read: {why}.")
    try:
        if any(p.is_dir() for p in root.iterdir()):
            return [], refused
        return _read(root, root, where, refused, skipped), refused  # one flat folder: every item reads it
    except OSError as exc:
        refused.append(f"{where}: the sources folder was not read ({exc.strerror or type(exc).__name__}).")
        return [], refused
