"""Read a PDF page's text as a person sees it: what is drawn invisibly is kept apart as hidden text.

pypdf's ``extract_text`` keeps every glyph a page draws, including text no reader ever sees: drawn in text
render mode 3 or 7 (neither filled nor stroked), in the colour of what lies under it (white on the white
page), fully transparent, at a size under a point, or placed outside the page's visible box. A visitor on
the operator stream follows the graphics state (``q``/``Q``, ``cm``, ``Tr``, ``Tf``, fill and stroke colours,
``gs`` alpha, rectangles painted and images drawn) and judges each text-showing operator; the text pypdf
then reports is sorted into what is shown and what is hidden. Text pypdf reports in one piece with both
kinds in it counts as hidden: a reviewer sees it. A page whose text is all invisible over an image is an
OCR layer (the text of a scan): that text is what the page shows.

Reading is bounded: an operator budget and a CPU deadline (``ReadBudget``) stop a page mid-way, and a page
whose content is too large to parse in time is skipped; the caller notes what was left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from humangate.sources.office import ReadBudget

__all__ = ["INVISIBLE", "PageText", "StopReading", "read_page"]

INVISIBLE = "text drawn invisibly"
_COLOUR = "text the colour of its background"
_TRANSPARENT = "fully transparent text"
_TINY = "a font too small to read"
_OFF_PAGE = "text placed outside the page"
_MAX_PAGE_CONTENT = 2_000_000  # decoded bytes of one page's content stream: parsing more takes seconds
_MIN_POINTS = 1.0  # text drawn this small or smaller is not read by a person
_WHITE = (255, 255, 255)
_SHOWS = frozenset({b"Tj", b"TJ", b"'", b'"'})
_FILLS = frozenset({b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"})
_PAINTS = _FILLS | frozenset({b"S", b"s", b"n"})
_SPACES = {"/DeviceGray": 1, "/CalGray": 1, "/G": 1, "/DeviceRGB": 3, "/CalRGB": 3, "/RGB": 3, "/DeviceCMYK": 4}
_SPACES["/CMYK"] = 4

Matrix = tuple[float, float, float, float, float, float]
Colour = tuple[int, int, int]
Box = tuple[float, float, float, float]  # left, bottom, right, top
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


class StopReading(Exception):
    """Raised inside pypdf's extraction when the reading budget is spent; the text so far is kept."""


@dataclass
class PageText:
    """A page's text as read: what a person sees, what the page hid (and how), and whether reading was cut."""

    shown: str
    hidden: list[tuple[str, str]] = field(default_factory=list)  # (how, text)
    cut: bool = False
    skipped: bool = False


def _mult(m: Matrix, n: Matrix) -> Matrix:
    """Return m x n for PDF's row-vector matrices (m applied first)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _matrix(value: Any) -> Matrix:
    try:
        numbers = tuple(float(v) for v in value[:6])
    except (TypeError, ValueError):
        return _IDENTITY
    if len(numbers) != 6:
        return _IDENTITY
    a, b, c, d, e, f = numbers
    return (a, b, c, d, e, f)


def _point(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _bbox(m: Matrix, box: Box) -> Box:
    corners = [_point(m, x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return (min(xs), min(ys), max(xs), max(ys))


def _inside(box: Box, x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _numbers(args: list[Any]) -> list[float]:
    out: list[float] = []
    for value in args:
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            return []
    return out


def _rgb(values: list[float], components: int | None) -> Colour | None:
    """Return a colour of 1 (gray), 3 (RGB) or 4 (CMYK) components as RGB, None when it cannot be told."""
    if components is None or len(values) != components:
        return None
    v = [min(1.0, max(0.0, x)) for x in values]
    if components == 1:
        return (round(v[0] * 255), round(v[0] * 255), round(v[0] * 255))
    if components == 3:
        return (round(v[0] * 255), round(v[1] * 255), round(v[2] * 255))
    c, m, y, k = v
    return (round(255 * (1 - c) * (1 - k)), round(255 * (1 - m) * (1 - k)), round(255 * (1 - y) * (1 - k)))


def _near(a: Colour, b: Colour) -> bool:
    return all(abs(x - y) <= 16 for x, y in zip(a, b, strict=True))


@dataclass
class _State:
    mode: int = 0
    fill: Colour | None = (0, 0, 0)
    stroke: Colour | None = (0, 0, 0)
    fill_space: int | None = 1
    stroke_space: int | None = 1
    fill_alpha: float = 1.0
    stroke_alpha: float = 1.0
    size: float = 0.0

    def copy(self) -> _State:
        return _State(**self.__dict__)


class _PageVisitor:
    """Follow one page's operators and sort the text pypdf reports into shown and hidden."""

    def __init__(self, page: Any, budget: ReadBudget) -> None:
        self.budget = budget
        self.resources = _get(page, "/Resources")
        box = getattr(page, "cropbox", None) or page.mediabox
        self.page: Box = (float(box.left), float(box.bottom), float(box.right), float(box.top))
        self.state = _State()
        self.stack: list[_State] = []
        self.forms: list[tuple[Matrix, _State, list[_State]]] = []
        self.base: Matrix = _IDENTITY  # the device matrix a form XObject's own operators start from
        self.rects: list[Box] = []
        self.painted: list[tuple[Box, Colour | None]] = []  # filled areas in device space, in paint order
        self.images: list[Box] = []
        self.pending: list[str | None] = []  # how each text operator since pypdf's last report hides, or None
        self.pieces: list[tuple[str, str | None]] = []
        self.chars = 0

    # pypdf calls these three while it extracts the page's text.
    def before(self, op: bytes, args: list[Any], cm: Any, tm: Any) -> None:
        self.budget.operators += 1
        if self.budget.operators % 512 == 0:
            self.budget.check()
        if self.budget.out:
            raise StopReading
        device = _mult(_matrix(cm), self.base)
        s = self.state
        if op in _SHOWS:
            self.pending.append(self._hides(op, args, _mult(_matrix(tm), device)))
        elif op == b"q":
            self.stack.append(s.copy())
        elif op == b"Q":
            self.state = self.stack.pop() if self.stack else _State()
        elif op == b"Tr" and (n := _numbers(args[:1])):
            s.mode = int(n[0])
        elif op == b"Tf" and len(args) >= 2 and (n := _numbers(args[1:2])):
            s.size = n[0]
        elif op in (b"g", b"rg", b"k"):
            s.fill_space = {b"g": 1, b"rg": 3, b"k": 4}[op]
            s.fill = _rgb(_numbers(args), s.fill_space)
        elif op in (b"G", b"RG", b"K"):
            s.stroke_space = {b"G": 1, b"RG": 3, b"K": 4}[op]
            s.stroke = _rgb(_numbers(args), s.stroke_space)
        elif op in (b"cs", b"CS") and args:
            space = self._space(args[0])
            black = _rgb([0.0] * space if space in (1, 3) else [0.0, 0.0, 0.0, 1.0], space) if space else None
            if op == b"cs":
                s.fill_space, s.fill = space, black
            else:
                s.stroke_space, s.stroke = space, black
        elif op in (b"sc", b"scn"):
            s.fill = _rgb(_numbers(args), s.fill_space)
        elif op in (b"SC", b"SCN"):
            s.stroke = _rgb(_numbers(args), s.stroke_space)
        elif op == b"gs" and args:
            state = _get(_get(self.resources, "/ExtGState"), args[0])
            for key, attr in (("/ca", "fill_alpha"), ("/CA", "stroke_alpha")):
                if (value := _get(state, key)) is not None and (n := _numbers([value])):
                    setattr(s, attr, n[0])
        elif op == b"re" and len(n := _numbers(args[:4])) == 4:
            self.rects.append(_bbox(device, (n[0], n[1], n[0] + n[2], n[1] + n[3])))
        elif op in _PAINTS:
            if op in _FILLS:
                self.painted += [(r, s.fill) for r in self.rects]
            self.rects = []
        elif op == b"INLINE IMAGE":
            self.images.append(_bbox(device, (0.0, 0.0, 1.0, 1.0)))
        elif op == b"Do" and args:
            xobject = _get(_get(self.resources, "/XObject"), args[0])
            if _get(xobject, "/Subtype") == "/Image":
                self.images.append(_bbox(device, (0.0, 0.0, 1.0, 1.0)))
            self.forms.append((self.base, s.copy(), self.stack))
            self.base, self.stack = _mult(_matrix(_get(xobject, "/Matrix") or _IDENTITY), device), []

    def after(self, op: bytes, args: list[Any], cm: Any, tm: Any) -> None:
        if op == b"Do" and args and self.forms:
            self.base, self.state, self.stack = self.forms.pop()

    def text(self, text: Any, cm: Any, tm: Any, font: Any, size: Any) -> None:
        text = str(text or "")
        pending, self.pending = self.pending, []
        if not text:
            return
        self.chars += len(text)
        self.budget.characters += len(text)
        if not text.strip():
            self.pieces.append((text, None))
            return
        kinds = set(pending) if pending else {self._hides(b"", [], _IDENTITY, position=False)}
        hows = sorted(k for k in kinds if k is not None)
        self.pieces.append((text, ", ".join(hows) if hows else None))

    def _space(self, name: Any) -> int | None:
        if str(name) in _SPACES:
            return _SPACES[str(name)]
        space = _get(_get(self.resources, "/ColorSpace"), name)
        if isinstance(space, list) and space:
            if str(space[0]) == "/ICCBased" and len(space) > 1 and (n := _numbers([_get(space[1], "/N")])):
                return int(n[0]) if int(n[0]) in (1, 3, 4) else None
            return {"/CalGray": 1, "/CalRGB": 3}.get(str(space[0]))
        return None

    def _hides(self, op: bytes, args: list[Any], m: Matrix, *, position: bool = True) -> str | None:
        """Return how the text an operator shows is hidden from a reader, or None when it is seen."""
        s = self.state
        if s.mode in (3, 7):
            return INVISIBLE
        fills, strokes = s.mode in (0, 2, 4, 6), s.mode in (1, 2, 5, 6)
        if (not fills or s.fill_alpha <= 0.05) and (not strokes or s.stroke_alpha <= 0.05):
            return _TRANSPARENT
        if not position:
            return None
        x, y = m[4], m[5]
        scale = math.hypot(m[2], m[3])
        if abs(s.size) * scale <= _MIN_POINTS:
            return _TINY
        glyphs = _glyphs(op, args)
        width = glyphs * abs(s.size) * math.hypot(m[0], m[1]) * 0.6
        height = abs(s.size) * scale
        left, bottom, right, top = self.page
        if x + width < left or x > right + 1 or y + height < bottom or y > top + 1:
            return _OFF_PAGE
        under = self._under(x + min(width, height) / 2, y + height / 3)
        if not isinstance(under, tuple):
            return None  # over an image: text on a picture is seen
        colours = ([s.fill] if fills else []) + ([s.stroke] if strokes else [])
        if all(c is not None and _near(c, under) for c in colours):
            return _COLOUR
        return None

    def _under(self, x: float, y: float) -> Colour | str:
        """Return the colour painted under a point, ``"image"`` over an image, or the white page."""
        for box, colour in reversed(self.painted):
            if _inside(box, x, y):
                return colour if colour is not None else "image"  # a colour not told: never call it white
        if any(_inside(box, x, y) for box in self.images):
            return "image"
        return _WHITE

    def result(self, *, cut: bool) -> PageText:
        seen = [(t, how) for t, how in self.pieces if t.strip()]
        ocr = bool(seen) and bool(self.images) and all(how == INVISIBLE for _, how in seen)
        shown = "".join(t for t, how in self.pieces if how is None or ocr)
        hidden: dict[str, list[str]] = {}
        if not ocr:
            for t, how in self.pieces:
                if how is not None:
                    hidden.setdefault(how, []).append(t)
        return PageText(shown, [(how, " ".join(" ".join(parts).split())) for how, parts in hidden.items()], cut)


def _get(obj: Any, key: Any) -> Any:
    """Return ``obj[key]`` resolved, or None: a malformed file may put anything anywhere."""
    try:
        value = obj.get_object()[key] if obj is not None else None
        return value.get_object() if value is not None and hasattr(value, "get_object") else value
    except (KeyError, TypeError, AttributeError, IndexError, ValueError):
        return None


def _glyphs(op: bytes, args: list[Any]) -> int:
    """Return about how many glyphs a text operator shows (bytes of its strings: exact for simple fonts)."""
    if not args:
        return 1
    shown = args[0] if op == b"TJ" else [args[-1]]
    strings = [v for v in shown if isinstance(v, (str, bytes))] if isinstance(shown, list) else []
    return max(1, sum(len(v) for v in strings))


def read_page(page: Any, budget: ReadBudget) -> PageText:
    """Return what a page shows and hides, stopping when ``budget`` is spent (``cut``) or skipping a page too heavy."""
    contents = page.get_contents()
    if contents is not None and len(contents.get_data()) > _MAX_PAGE_CONTENT:
        return PageText("", skipped=True)
    visitor = _PageVisitor(page, budget)
    cut = False
    try:
        page.extract_text(
            visitor_operand_before=visitor.before, visitor_operand_after=visitor.after, visitor_text=visitor.text
        )
    except StopReading:
        cut = True
    return visitor.result(cut=cut)
