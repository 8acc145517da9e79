"""Text a page hides from a human reader while leaving it for a machine: styles, classes, comments.

Hidden text is an attack signal: a page writes for the model what it does not show the person. Two
readers use this module. ``sources.html`` asks ``style_hides`` of each element (white or transparent
text, a font of two pixels or less, opacity 0, text moved or translated off screen or clipped to nothing,
a screen-reader-only class, an element not displayed by a stylesheet rule) and keeps what it finds as a
marked comment (``hidden_comment``) instead of page text. ``risk.injection`` and the offline researcher
find hidden markup in any source text (``hidden_spans``: HTML comments, CDATA sections and other markup
a browser renders as nothing, ``[//]: # (...)`` markdown comments, inline-styled hidden elements) and
strip it before sentences become claims (``strip_hidden``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "HIDDEN_PREFIX",
    "MIN_HIDDEN_WORDS",
    "HiddenSpan",
    "hidden_comment",
    "hidden_spans",
    "strip_hidden",
    "style_hides",
]

HIDDEN_PREFIX = "hidden from a human reader"
"""How a reader marks text a page hid: ``<!-- hidden from a human reader (white text): ... -->``."""
MIN_HIDDEN_WORDS = 7
"""Hidden text this long is a finding; shorter ("Skip to content", "opens in a new tab") is page chrome."""

_WORD = re.compile(r"[^\W\d_]{2,}")
_CLASSES = re.compile(
    r"^(?:sr-only|sr-only-focusable|visually-?hidden|screen-?reader-?(?:only|text)|a11y-hidden|off-?screen"
    r"|hidden|is-hidden|hide|invisible|u-hidden|element-invisible)$",
    re.I,
)
# Tailwind's "hidden md:block" shows the element on wider screens: it is not hidden from the reader.
_RESPONSIVE_SHOW = re.compile(r"^(?:sm|md|lg|xl|2xl):(?:block|flex|grid|inline|inline-block|table|contents)$")
_DECLARATION = re.compile(r"([\w-]+)\s*:\s*([^;]+)")
_LENGTH = re.compile(r"^(-?\d*\.?\d+)\s*(px|pt|em|rem|%|vw|vh)?$")
# Every CSS named colour (CSS Color 4), so that a near-white name ("whitesmoke", "ghostwhite") is read as the
# colour it is and judged by the same nearness to its background as a hex value.
_NAMED_HEX = (
    "aliceblue f0f8ff antiquewhite faebd7 aqua 00ffff aquamarine 7fffd4 azure f0ffff beige f5f5dc bisque ffe4c4 "
    "black 000000 blanchedalmond ffebcd blue 0000ff blueviolet 8a2be2 brown a52a2a burlywood deb887 cadetblue "
    "5f9ea0 chartreuse 7fff00 chocolate d2691e coral ff7f50 cornflowerblue 6495ed cornsilk fff8dc crimson dc143c "
    "cyan 00ffff darkblue 00008b darkcyan 008b8b darkgoldenrod b8860b darkgray a9a9a9 darkgreen 006400 darkgrey "
    "a9a9a9 darkkhaki bdb76b darkmagenta 8b008b darkolivegreen 556b2f darkorange ff8c00 darkorchid 9932cc darkred "
    "8b0000 darksalmon e9967a darkseagreen 8fbc8f darkslateblue 483d8b darkslategray 2f4f4f darkslategrey 2f4f4f "
    "darkturquoise 00ced1 darkviolet 9400d3 deeppink ff1493 deepskyblue 00bfff dimgray 696969 dimgrey 696969 "
    "dodgerblue 1e90ff firebrick b22222 floralwhite fffaf0 forestgreen 228b22 fuchsia ff00ff gainsboro dcdcdc "
    "ghostwhite f8f8ff gold ffd700 goldenrod daa520 gray 808080 green 008000 greenyellow adff2f grey 808080 "
    "honeydew f0fff0 hotpink ff69b4 indianred cd5c5c indigo 4b0082 ivory fffff0 khaki f0e68c lavender e6e6fa "
    "lavenderblush fff0f5 lawngreen 7cfc00 lemonchiffon fffacd lightblue add8e6 lightcoral f08080 lightcyan "
    "e0ffff lightgoldenrodyellow fafad2 lightgray d3d3d3 lightgreen 90ee90 lightgrey d3d3d3 lightpink ffb6c1 "
    "lightsalmon ffa07a lightseagreen 20b2aa lightskyblue 87cefa lightslategray 778899 lightslategrey 778899 "
    "lightsteelblue b0c4de lightyellow ffffe0 lime 00ff00 limegreen 32cd32 linen faf0e6 magenta ff00ff maroon "
    "800000 mediumaquamarine 66cdaa mediumblue 0000cd mediumorchid ba55d3 mediumpurple 9370db mediumseagreen "
    "3cb371 mediumslateblue 7b68ee mediumspringgreen 00fa9a mediumturquoise 48d1cc mediumvioletred c71585 "
    "midnightblue 191970 mintcream f5fffa mistyrose ffe4e1 moccasin ffe4b5 navajowhite ffdead navy 000080 oldlace "
    "fdf5e6 olive 808000 olivedrab 6b8e23 orange ffa500 orangered ff4500 orchid da70d6 palegoldenrod eee8aa "
    "palegreen 98fb98 paleturquoise afeeee palevioletred db7093 papayawhip ffefd5 peachpuff ffdab9 peru cd853f "
    "pink ffc0cb plum dda0dd powderblue b0e0e6 purple 800080 rebeccapurple 663399 red ff0000 rosybrown bc8f8f "
    "royalblue 4169e1 saddlebrown 8b4513 salmon fa8072 sandybrown f4a460 seagreen 2e8b57 seashell fff5ee sienna "
    "a0522d silver c0c0c0 skyblue 87ceeb slateblue 6a5acd slategray 708090 slategrey 708090 snow fffafa "
    "springgreen 00ff7f steelblue 4682b4 tan d2b48c teal 008080 thistle d8bfd8 tomato ff6347 turquoise 40e0d0 "
    "violet ee82ee wheat f5deb3 white ffffff whitesmoke f5f5f5 yellow ffff00 yellowgreen 9acd32"
)
_NAMED = {
    name: (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
    for name, h in zip(_NAMED_HEX.split()[::2], _NAMED_HEX.split()[1::2], strict=True)
}
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.S)
_TRANSLATE = re.compile(r"translate(?:x|y|3d)?\(([^)]*)\)")


def _declarations(style: str) -> dict[str, str]:
    style = _CSS_COMMENT.sub("", style)  # "display:/**/none" is display:none to a browser
    return {k.lower(): v.strip().lower().replace("!important", "").strip() for k, v in _DECLARATION.findall(style)}


def _length(value: str) -> tuple[float, str] | None:
    m = _LENGTH.match(value.strip())
    return (float(m.group(1)), m.group(2) or "") if m else None


def _colour(value: str) -> tuple[int, int, int] | None:
    """Return a CSS colour as RGB, None when it is not a colour; transparent reads as the white page."""
    value = value.strip()
    if value in _NAMED:
        return _NAMED[value]
    if value == "transparent":
        return (255, 255, 255)
    if m := re.fullmatch(r"#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})", value):
        h = m.group(1)
        h = "".join(c * 2 for c in h) if len(h) <= 4 else h
        if len(h) == 8 and int(h[6:8], 16) < 13:
            return (255, 255, 255)  # (almost) fully transparent
        return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
    if m := re.fullmatch(r"rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)", value):
        alpha = m.group(4)
        if alpha is not None and float(alpha.rstrip("%")) / (100 if alpha.endswith("%") else 1) < 0.05:
            return (255, 255, 255)
        return (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


def _near(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return all(abs(x - y) <= 16 for x, y in zip(a, b, strict=True))


def _background(decl: dict[str, str]) -> tuple[int, int, int] | str | None:
    """Return an element's own background colour, ``"image"`` or ``"other"`` for one not read, None for none."""
    for key in ("background-color", "background"):
        if key in decl:
            if "url(" in decl[key] or "gradient" in decl[key]:
                return "image"
            colour = _colour(decl[key].split()[0]) if decl[key] else None
            if colour is not None:
                return colour
            if decl[key].split()[0] not in ("none", "inherit", "initial", "unset", "revert"):
                return "other"  # a named colour ("navy"): a background, and not the white page
    return None


def style_hides(style: str, classes: Iterable[str] = (), backgrounds: Iterable[str] = ()) -> str | None:
    """Return how an element's inline ``style`` and ``classes`` hide it from a reader, or None when they do not.

    ``backgrounds`` are the inline styles of its ancestors, nearest first: white text on a dark banner shows.
    """
    names = list(classes)
    if any(_CLASSES.match(c) for c in names) and not any(_RESPONSIVE_SHOW.match(c) for c in names):
        return "a screen-reader-only or hidden class"
    decl = _declarations(style)
    if decl.get("display") == "none" or decl.get("visibility") in ("hidden", "collapse"):
        return "an element not displayed"
    if "opacity" in decl and (size := _length(decl["opacity"])) is not None and size[0] <= 0.05:
        return "opacity 0"
    if "font-size" in decl and (size := _length(decl["font-size"])) is not None:
        number, unit = size
        limit = {"px": 2.0, "pt": 1.5, "em": 0.15, "rem": 0.15, "%": 15.0, "": 0.0, "vw": 0.1, "vh": 0.1}[unit]
        if number <= limit:
            return "a font too small to read"
    # A text fill colour paints the letters over ``color``; with a background clipped to the text it is a
    # gradient heading, which shows.
    fill = decl.get("-webkit-text-fill-color", decl.get("text-fill-color"))
    clipped = "text" in (decl.get("-webkit-background-clip", "") + decl.get("background-clip", ""))
    shown = fill if fill is not None and _colour(fill) is not None and not clipped else decl.get("color")
    if shown is not None and (colour := _colour(shown)) is not None:
        background: tuple[int, int, int] | str | None = _background(decl)
        for outer in backgrounds:
            if background is not None:
                break
            background = _background(_declarations(outer))
        page = background if isinstance(background, tuple) else (255, 255, 255)
        if background not in ("image", "other") and _near(colour, page):
            return "text the colour of its background"
    if decl.get("position") in ("absolute", "fixed") or "text-indent" in decl:
        for key in ("left", "top", "right", "text-indent"):
            if key in decl and (size := _length(decl[key])) is not None and size[0] <= -999:
                return "text moved off the screen"
    for key in ("margin-left", "margin-top"):
        if key in decl and (size := _length(decl[key])) is not None and size[0] <= -999 and size[1] in ("px", ""):
            return "text moved off the screen"
    for m in _TRANSLATE.finditer(decl.get("transform", "")):
        shifts = [_length(v) for v in m.group(1).split(",")]
        if any(v is not None and v[1] in ("px", "") and (v[0] <= -999 or v[0] >= 9999) for v in shifts):
            return "text moved off the screen"
    if (shifts := [_length(v) for v in decl.get("translate", "").split()]) and any(
        v is not None and v[1] in ("px", "") and (v[0] <= -999 or v[0] >= 9999) for v in shifts
    ):
        return "text moved off the screen"
    if re.search(r"rect\(\s*0(?:px)?[\s,]+0", decl.get("clip", "")) or re.search(
        r"inset\(\s*(?:50|100)%|circle\(\s*0", decl.get("clip-path", "")
    ):
        return "text clipped to nothing"
    if re.search(r"scale\(\s*0(?:\.0+)?\s*[,)]", decl.get("transform", "")):
        return "text scaled to nothing"
    if decl.get("overflow") == "hidden":
        for key in ("width", "height", "max-width", "max-height"):
            if key in decl and (size := _length(decl[key])) is not None and size[0] <= 1 and size[1] in ("px", ""):
                return "text in a box of one pixel"
    return None


def hidden_comment(reason: str, text: str) -> str:
    """Return the comment a reader keeps in place of text a page hid, so the text is seen and flagged, never cited."""
    inner = " ".join(text.split()).replace("--", "\u2013").replace("<", "\u2039").replace(">", "\u203a")
    return f"<!-- {HIDDEN_PREFIX} ({reason}): {inner[:2_000]} -->"


@dataclass(frozen=True)
class HiddenSpan:
    """Hidden markup in a source text: where it is, what it hides and how."""

    start: int
    end: int
    text: str
    how: str

    @property
    def words(self) -> int:
        """Return how many words the hidden text holds."""
        return len(_WORD.findall(self.text))


_STYLE_ATTR = re.compile(r"""\b(style|class)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_COMMENTS = re.compile(
    r"<!--(?P<comment>.*?)(?:-->|\Z)"
    # A CDATA section, a declaration ("<!...>") or a processing instruction ("<?...>") outside XML is a bogus
    # comment to a browser: it renders as nothing.
    r"|<!\[CDATA\[(?P<cdata>.*?)(?:\]\]>|\Z)"
    r"|<[!?](?P<bogus>[^<>]*)(?:>|\Z)"
    # A markdown comment hides only at the start of a line; anywhere else it is markup glued into a sentence.
    r"|\[(?://|comment|_|#)\]:\s*(?:#|<>)\s*(?:\((?P<ref1>[^\n]*)\)|\"(?P<ref2>[^\n]*)\"|'(?P<ref3>[^\n]*)')",
    re.I | re.S | re.M,
)
_OPEN = re.compile(r"<(?P<tag>[a-z][a-z0-9]*)\b(?P<attrs>[^<>]*)>", re.I)
_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _tag_hides(attrs: str) -> str | None:
    style, classes = "", ""
    for name, *values in _STYLE_ATTR.findall(attrs):
        value = next((v for v in values if v), "")
        if name.lower() == "style":
            style = value
        else:
            classes = value
    bare = _STYLE_ATTR.sub(" ", attrs)
    if (
        _HIDDEN_STYLE.search(_CSS_COMMENT.sub("", style))
        or re.search(r"(?:^|\s)hidden(?:\s|=|$)", bare)
        or re.search(r"aria-hidden\s*=\s*[\"']?true", bare)
    ):
        return "an element not displayed"
    return style_hides(style, classes.split())


def _element_end(text: str, tag: str, start: int) -> int:
    """Return where the element whose opening tag ends at ``start`` closes (nested tags of its name counted)."""
    depth = 1
    for m in re.compile(rf"<(/?){tag}\b[^<>]*>", re.I).finditer(text, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return m.end()
    return len(text)  # never closed: everything after it is hidden


def hidden_spans(text: str) -> list[HiddenSpan]:
    """Return the hidden markup in ``text``: HTML and markdown comments and elements styled to be invisible."""
    found: list[HiddenSpan] = []
    for m in _COMMENTS.finditer(text):
        if m.group("comment") is not None:
            inner = m.group("comment")
            how = "an HTML comment"
            if inner.strip().startswith(HIDDEN_PREFIX):
                how = inner.strip()[len(HIDDEN_PREFIX) :].split(":", 1)[0].strip(" ()") or "hidden text"
                inner = inner.split(":", 1)[1] if ":" in inner else inner
            found.append(HiddenSpan(m.start(), m.end(), inner.strip(), how))
        elif m.group("cdata") is not None:
            found.append(HiddenSpan(m.start(), m.end(), m.group("cdata").strip(), "a CDATA section"))
        elif m.group("bogus") is not None:
            inner = m.group("bogus")
            found.append(HiddenSpan(m.start(), m.end(), inner.strip(), "markup a browser does not show"))
        else:
            inner = m.group("ref1") or m.group("ref2") or m.group("ref3") or ""
            found.append(HiddenSpan(m.start(), m.end(), inner.strip(), "a markdown comment"))
    if "<" in text:
        for m in _OPEN.finditer(text):
            if any(s.start <= m.start() < s.end for s in found):
                continue
            hides = _tag_hides(m.group("attrs"))
            if hides is None or m.group("attrs").rstrip().endswith("/") or m.group("tag").lower() in _VOID:
                continue
            end = _element_end(text, m.group("tag"), m.end())
            inner = re.sub(r"<[^>]*>", " ", text[m.end() : end])
            found.append(HiddenSpan(m.start(), end, " ".join(inner.split()), hides))
    return sorted(found, key=lambda s: s.start)


def strip_hidden(text: str) -> str:
    """Return ``text`` without its hidden markup, each span replaced by a line break (a sentence ends there)."""
    spans = hidden_spans(text)
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for span in spans:
        if span.start >= last:  # a comment inside a hidden element goes with it
            out.append(text[last : span.start])
            out.append("\n")
        last = max(last, span.end)
    out.append(text[last:])
    return "".join(out)
