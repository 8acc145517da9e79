"""Read an item's sources only inside the folder the user gave: no paths from item data, no links out, no "..".

A task's items come from a CSV (possibly uploaded by a reviewer in the panel), a folder of sources or
the task text, so an item's fields are untrusted: a ``source_dir`` column is never read, and a
``sources`` value names a sub-folder of the given folder only. Every path is resolved before it is
read; a sub-folder or a file that resolves outside the folder (a symlink out, an absolute path, "..")
is refused, and each refusal is returned as a sentence for the user while the item keeps the sources
that were allowed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

from humangate.agents.researcher import load_sources
from humangate.agents.schemas import Source

__all__ = ["item_sources"]


class _Listing:
    """A folder seen through the entries that were allowed (what ``load_sources`` iterates)."""

    def __init__(self, folder: Path, entries: list[Path]) -> None:
        self.name = folder.name
        self._entries = entries

    def iterdir(self) -> Iterator[Path]:
        return iter(self._entries)


def _inside(root: Path, name: str) -> tuple[Path | None, str | None]:
    """Return the resolved sub-folder ``name`` of ``root``, or why it is refused."""
    raw = Path(name)
    if raw.is_absolute() or name.startswith(("~", "\\")):
        return None, "it is an absolute path, and only sub-folders of the sources folder are read"
    if ".." in raw.parts or ".." in Path(name.replace("\\", "/")).parts:
        return None, "it climbs out with '..'"
    resolved = (root / raw).resolve()
    if not resolved.is_relative_to(root):
        return None, "it is a link to a folder outside the sources folder"
    return resolved, None


def _read(folder: Path, root: Path, where: str, refused: list[str]) -> list[Source]:
    """Read ``folder``'s files, refusing any that resolve outside ``root``."""
    allowed: list[Path] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.resolve().is_relative_to(root):
            refused.append(f"{where}: the file {entry.name!r} was not read: it links outside the sources folder.")
            continue
        allowed.append(entry)
    return load_sources(cast(Any, _Listing(folder, allowed)))


def _label(value: str) -> str:
    return value if len(value) <= 80 else value[:77] + "..."


def item_sources(
    item: Mapping[str, Any], names: list[str], root: Path | None, where: str
) -> tuple[list[Source], list[str]]:
    """Return the sources of one item and what was refused, reading only inside ``root``.

    ``names`` are the sub-folders to try in order (the item's ``sources`` value, then the company's
    slug); without a matching sub-folder, a folder with no sub-folders is read for every item.
    """
    refused: list[str] = []
    value = item.get("source_dir")
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
        folder, why = _inside(root, name)
        if folder is None:
            refused.append(f"{where}: the sources folder {_label(name)!r} was not read: {why}.")
            continue
        if folder.is_dir():
            return _read(folder, root, where, refused), refused
    subfolders = [p for p in root.iterdir() if p.is_dir()]
    if subfolders:
        return [], refused
    return _read(root, root, where, refused), refused  # one flat folder: every item reads it
