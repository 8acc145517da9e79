"""Read a DOCX body's blocks as a person sees them: runs Word does not show are kept apart as hidden text.

``paragraph.text`` in python-docx joins every run, including runs Word never shows: marked hidden
(``w:vanish``, ``w:specVanish``), coloured like what lies under them (white on the white page, a cell's
shading or the page background), or set in 2 pt or less. Each run's look is worked out as Word does, from
the document defaults, the table style, the paragraph style, the run's character style and its own
properties, a style inheriting from the style it is based on; each style is resolved once, so a long
document costs one dictionary look-up per run. The body is read straight from its XML, block by block, and
stops at ``MAX_BLOCKS`` or when the reading budget is spent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from humangate.sources.office import ReadBudget

__all__ = ["MAX_BLOCKS", "Block", "body_blocks"]

MAX_BLOCKS = 50_000
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_VANISH = "text marked hidden"
_COLOUR = "text the colour of its background"
_TINY = "a font too small to read"
_MAX_HALF_POINTS = 4  # w:sz counts half points: 2 pt or less is not read by a person
_OFF = ("0", "false", "off", "none")
_WHITE = (255, 255, 255)
_HIGHLIGHT = {"white": _WHITE, "black": (0, 0, 0), "lightGray": (192, 192, 192), "darkGray": (128, 128, 128)}
_SKIP = frozenset(_W + t for t in ("pPr", "rPr", "del", "moveFrom", "sdtPr", "sdtEndPr", "customXmlPr"))
_TEXT = {_W + "tab": " ", _W + "ptab": " ", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
_HEADINGS = re.compile(r"^(?:title|heading\s*[123])$", re.I)

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class _Look:
    """What decides whether a run shows: hidden, colour ("auto" or RGB), size in half points, shading."""

    vanish: bool | None = None
    colour: Colour | str | None = None
    size: int | None = None
    shade: Colour | str | None = None

    def over(self, other: _Look) -> _Look:
        """Return this look with what ``other`` sets laid over it."""
        return replace(self, **{k: v for k, v in other.__dict__.items() if v is not None})


@dataclass
class Block:
    """A paragraph or a table as a person sees it: its kind (text, heading, title), text and hidden text."""

    kind: str
    text: str
    hidden: list[tuple[str, str]] = field(default_factory=list)  # (how, text)


def _val(element: Any, name: str, attr: str = "val") -> str | None:
    found = element.find(_W + name) if element is not None else None
    return None if found is None else found.get(_W + attr, "")


def _hex(value: str | None) -> Colour | str | None:
    if value is None:
        return None
    if re.fullmatch(r"[0-9A-Fa-f]{6}", value):
        return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
    return "auto" if value.lower() == "auto" else None


def _look(rpr: Any) -> _Look:
    if rpr is None:
        return _Look()
    vanish = None
    for name in ("vanish", "specVanish"):
        if (value := _val(rpr, name)) is not None:
            vanish = bool(vanish) or value.lower() not in _OFF
    colour = _hex(_val(rpr, "color"))
    theme = (_val(rpr, "color", "themeColor") or "").lower()
    if colour in (None, "auto") and theme in ("background1", "light1") and not _val(rpr, "color", "themeShade"):
        colour = _WHITE
    size = _val(rpr, "sz")
    shade: Colour | str | None = _hex(_val(rpr, "shd", "fill"))
    if (light := _val(rpr, "highlight")) and light != "none":
        shade = _HIGHLIGHT.get(light, "other")
    return _Look(vanish, colour, int(size) if size and size.isdigit() else None, shade)


class _Styles:
    """The document's styles, each resolved once through the chain of styles it is based on."""

    def __init__(self, root: Any) -> None:
        self.raw: dict[str, tuple[str | None, _Look, Colour | str | None, str]] = {}
        self.defaults = _Look()
        self.default_paragraph: str | None = None
        self.resolved: dict[str, tuple[_Look, Colour | str | None]] = {}
        if root is None:
            return
        self.defaults = _look(root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr"))
        for style in root.iterfind(_W + "style"):
            sid = style.get(_W + "styleId") or ""
            shade = _hex(_val(style.find(_W + "pPr"), "shd", "fill"))
            name = _val(style, "name") or sid
            self.raw[sid] = (_val(style, "basedOn"), _look(style.find(_W + "rPr")), shade, name)
            if style.get(_W + "default") in ("1", "true", "on") and style.get(_W + "type") == "paragraph":
                self.default_paragraph = self.default_paragraph or sid

    def look(self, sid: str | None) -> tuple[_Look, Colour | str | None]:
        """Return a style's run look and paragraph shading with what it inherits; an unknown id adds nothing."""
        if not sid or sid not in self.raw:
            return _Look(), None
        if sid in self.resolved:
            return self.resolved[sid]
        self.resolved[sid] = (_Look(), None)  # a style based on itself (a loop) inherits nothing from the loop
        chain: list[str] = []
        at: str | None = sid
        while at and at in self.raw and at not in chain and len(chain) < 32:
            chain.append(at)
            at = self.raw[at][0]
        look, shade = _Look(), None
        for link in reversed(chain):
            _, own, own_shade, _ = self.raw[link]
            look, shade = look.over(own), own_shade if own_shade is not None else shade
        self.resolved[sid] = (look, shade)
        return look, shade

    def name(self, sid: str | None) -> str:
        return self.raw[sid][3] if sid and sid in self.raw else sid or ""


def _near(a: Colour, b: Colour) -> bool:
    return all(abs(x - y) <= 16 for x, y in zip(a, b, strict=True))


def _hides(look: _Look, under: Colour | str) -> str | None:
    if look.vanish:
        return _VANISH
    if look.size is not None and look.size <= _MAX_HALF_POINTS:
        return _TINY
    background = look.shade if look.shade not in (None, "auto") else under
    if isinstance(look.colour, tuple) and isinstance(background, tuple) and _near(look.colour, background):
        return _COLOUR
    return None


def _runs(element: Any) -> Iterator[Any]:
    """Yield a paragraph's runs in order, inside hyperlinks, insertions, fields and content controls."""
    for child in element:
        if child.tag == _W + "r":
            yield child
        elif child.tag not in _SKIP and isinstance(child.tag, str):
            yield from _runs(child)


def _run_text(run: Any) -> str:
    out: list[str] = []
    for child in run:
        if child.tag == _W + "t":
            out.append(child.text or "")
        elif child.tag in _TEXT:
            out.append(_TEXT[child.tag])
    return "".join(out)


class _Reader:
    def __init__(self, styles: _Styles, page: Colour | str) -> None:
        self.styles = styles
        self.page = page

    def paragraph(self, p: Any, base: _Look, under: Colour | str) -> tuple[str, list[tuple[str, str]], str]:
        """Return a paragraph's shown text, its hidden runs joined by how they hide, and its style's name."""
        ppr = p.find(_W + "pPr")
        sid = _val(ppr, "pStyle") or self.styles.default_paragraph
        look, shade = self.styles.look(sid)
        own_shade = _hex(_val(ppr, "shd", "fill"))
        for colour in (own_shade, shade):
            if isinstance(colour, tuple):
                under = colour
                break
        look = self.styles.defaults.over(base).over(look)
        shown: list[str] = []
        hidden: dict[str, list[str]] = {}
        for run in _runs(p):
            text = _run_text(run)
            if not text:
                continue
            rpr = run.find(_W + "rPr")
            own = look.over(self.styles.look(_val(rpr, "rStyle"))[0]).over(_look(rpr))
            how = _hides(own, under)
            (shown if how is None else hidden.setdefault(how, [])).append(text)
        return "".join(shown), [(how, " ".join(parts)) for how, parts in hidden.items()], self.styles.name(sid)

    def table(self, tbl: Any, base: _Look, under: Colour | str) -> Block:
        look = base.over(self.styles.look(_val(tbl.find(_W + "tblPr"), "tblStyle"))[0])
        rows: list[str] = []
        hidden: list[tuple[str, str]] = []
        for tr in tbl.iterfind(_W + "tr"):
            cells: list[str] = []
            for tc in tr.iterfind(_W + "tc"):
                shade = _hex(_val(tc.find(_W + "tcPr"), "shd", "fill"))
                cell_under = shade if isinstance(shade, tuple) else under
                texts: list[str] = []
                for block in self.blocks(tc, look, cell_under):
                    texts.append(block.text)
                    hidden += block.hidden
                cells.append(" ".join(" ".join(texts).split()))
            rows.append(" | ".join(cells))
        return Block("text", "\n".join(r for r in rows if r.strip(" |")), hidden)

    def blocks(self, parent: Any, base: _Look, under: Colour | str) -> Iterator[Block]:
        for child in parent:
            if child.tag == _W + "p":
                text, hidden, name = self.paragraph(child, base, under)
                kind = ("title" if name.lower() == "title" else "heading") if _HEADINGS.match(name) else "text"
                yield Block(kind, " ".join(text.split()), hidden)
            elif child.tag == _W + "tbl":
                yield self.table(child, base, under)
            elif child.tag in (_W + "sdt", _W + "sdtContent", _W + "customXml"):
                yield from self.blocks(child, base, under)


def body_blocks(document: Any, budget: ReadBudget) -> tuple[list[Block], bool]:
    """Return a python-docx document's blocks in order, and whether reading stopped before the end."""
    try:
        styles_root = document.styles.element
    except Exception:  # a document without a styles part reads with Word's defaults
        styles_root = None
    root = document.element
    background = _hex(_val(root, "background", "color"))
    reader = _Reader(_Styles(styles_root), background if isinstance(background, tuple) else _WHITE)
    body = root.find(_W + "body")
    out: list[Block] = []
    if body is None:
        return out, False
    for block in reader.blocks(body, _Look(), reader.page):
        if len(out) >= MAX_BLOCKS or budget.out:
            return out, True
        out.append(block)
        budget.characters += len(block.text)
        if len(out) % 256 == 0:
            budget.check()
    return out, False
